-- GET /api/v1/complaints/{number} over random existing numbers, read from $KS_NUMBERS (one a
-- line, sampled from the database by run.sh). The answer carries the timeline and deadlines.
local c = dofile(os.getenv("KS_BENCH_LUA") .. "/common.lua")
setup, done = c.setup, c.done
local numbers = {}
for line in io.lines(os.getenv("KS_NUMBERS")) do
    numbers[#numbers + 1] = line
end
local headers = c.headers()
init = function()
    math.randomseed(4242 + (thread_id or 0))
end
request = function()
    return wrk.format("GET", "/api/v1/complaints/" .. numbers[math.random(#numbers)], headers)
end
