-- GET /api/v1/complaints with filters or full-text search: one query string from $KS_QUERY (run.sh sets it:
-- a filtered list, or a full-text search with q=...). Values are percent-encoded here.
local c = dofile(os.getenv("KS_BENCH_LUA") .. "/common.lua")
setup, done = c.setup, c.done
local parts = {}
for k, v in string.gmatch(os.getenv("KS_QUERY"), "([^&=]+)=([^&]*)") do
    parts[#parts + 1] = k .. "=" .. c.encode(v)
end
local path = "/api/v1/complaints?" .. table.concat(parts, "&")
local headers = c.headers()
request = function()
    return wrk.format("GET", path, headers)
end
