-- POST /v1/operations. By default every request names a target no other request uses, so every
-- submission is admitted (no conflicts). With the argument `conflict` (wrk ... -- conflict)
-- every request hits one of 8 targets with a random priority: grace-period saves, target_busy
-- and preemptions; most answers are 409, which wrk reports as non-2xx.
-- thread_id is a global: setup() sets it in each thread's own Lua state (a local would hide it).
local counter = 0
local threads = 0
local conflict = false
thread_id = 0

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

function init(args)
    conflict = args[1] == "conflict"
    math.randomseed(1000 + thread_id)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
    counter = counter + 1
    local body
    if conflict then
        body = string.format('{"target":"hot/%d","target_type":"bench","priority":%d}', counter % 8, math.random(1, 10))
    else
        body = string.format('{"target":"bench/%d/%d","target_type":"bench","priority":"normal"}', thread_id, counter)
    end
    return wrk.format(nil, "/v1/operations", nil, body)
end
