-- GET /healthz: a static answer of the same server, the baseline every figure is compared to.
local c = dofile(os.getenv("KS_BENCH_LUA") .. "/common.lua")
setup, done = c.setup, c.done
request = function()
    return wrk.format("GET", "/healthz")
end
