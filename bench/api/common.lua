-- Shared by every bench/api/*.lua script: the bearer token from $KS_TOKEN, percent-encoding,
-- and one machine-readable result line ("KSBENCH ...") that bench/api/run.sh turns into the
-- table. Latencies are reported in microseconds, as wrk measures them.
local M = {}

M.token = os.getenv("KS_TOKEN") or ""

function M.headers(extra)
    local h = { ["Authorization"] = "Bearer " .. M.token }
    for k, v in pairs(extra or {}) do
        h[k] = v
    end
    return h
end

function M.encode(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", c:byte())
    end))
end

-- Every thread gets its own number, so generated bodies never repeat across threads.
local threads = 0
function M.setup(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
end

function M.done(summary, latency, requests)
    local secs = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format("KSBENCH %.1f %d %d %d %d %d\n", summary.requests / secs,
        latency:percentile(50), latency:percentile(99), latency.max,
        e.status, e.connect + e.read + e.write + e.timeout))
end

return M
