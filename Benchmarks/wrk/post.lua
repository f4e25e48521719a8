-- POST /v1/operations with a target no other request uses, so every submission is admitted
-- (no conflicts). Each wrk thread numbers its own requests; the thread id keeps them apart.
-- thread_id is a global: setup() sets it in each thread's own Lua state (a local would hide it).
local counter = 0
local threads = 0
thread_id = 0

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
    counter = counter + 1
    local body = string.format('{"target":"bench/%d/%d","target_type":"bench","priority":"normal"}', thread_id, counter)
    return wrk.format(nil, "/v1/operations", nil, body)
end
