-- POST /v1/operations. By default every request names a target no other request uses, so every
-- submission is admitted (no conflicts). With the argument `conflict` (wrk ... -- conflict)
-- every request hits one of 8 targets with a random priority: grace-period saves, target_busy
-- and preemptions; most answers are 409, which wrk reports as non-2xx. With `hot` every request
-- names one target (`hot/0`) at normal priority: one winner a batch, the rest 409. A second
-- argument prefixes the unique targets, so two wrk runs against two replicas never share one.
-- thread_id is a global: setup() sets it in each thread's own Lua state (a local would hide it).
local counter = 0
local threads = 0
local conflict = false
local hot = false
local prefix = ""
thread_id = 0

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

function init(args)
    conflict = args[1] == "conflict"
    hot = args[1] == "hot"
    prefix = args[2] or ""
    math.randomseed(1000 + thread_id)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
    counter = counter + 1
    local body
    if hot then
        body = '{"target":"hot/0","target_type":"bench","priority":"normal"}'
    elseif conflict then
        body = string.format('{"target":"hot/%d","target_type":"bench","priority":%d}', counter % 8, math.random(1, 10))
    else
        body = string.format('{"target":"bench/%s%d/%d","target_type":"bench","priority":"normal"}', prefix, thread_id, counter)
    end
    return wrk.format(nil, "/v1/operations", nil, body)
end
