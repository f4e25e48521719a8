-- POST /v1/operations where every request hits one of 8 targets with a random priority: each
-- submission meets an active operation (grace-period saves, target_busy, preemptions after the
-- grace period). 409 is the expected answer for most requests, so it is not counted as an error
-- by wrk (wrk only counts socket errors and non-2xx/3xx in "Non-2xx", reported separately).
-- thread_id is a global: setup() sets it in each thread's own Lua state (a local would hide it).
local counter = 0
local threads = 0
thread_id = 0

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

function init(args)
    math.randomseed(1000 + thread_id)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
    counter = counter + 1
    local body = string.format('{"target":"hot/%d","target_type":"bench","priority":%d}', counter % 8, math.random(1, 10))
    return wrk.format(nil, "/v1/operations", nil, body)
end
