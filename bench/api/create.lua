-- POST /api/v1/complaints: registrations with unique bodies (thread and counter in the order
-- number and the text), customers drawn like the generated ones (a few often, most rarely),
-- so registration's repeat-complaint check and the severity engine do their real work. A 201
-- arrives only after the group commit holding the complaint is on disk.
local c = dofile(os.getenv("KS_BENCH_LUA") .. "/common.lua")
setup, done = c.setup, c.done
local headers = c.headers({ ["Content-Type"] = "application/json" })
local texts = {
    { "pedal", "脚踏芯轴断裂", "客户来电反映，昨天到货的脚踏FP-802共500件，芯轴断了，不良12件。" },
    { "pedal", "反光片脱落", "客户微信留言：脚踏反光片掉了好几片，要求补发。" },
    { "bb", "中轴牙纹不良", "客户装配线反馈，碗件中轴BB-68螺纹不良，拧不进，不良30件。" },
    { "bb", "纸箱破损", "物流送到时外箱压坏，里面的碗件没有问题，请加强包装。" },
    { "pedal", "唛头写错", "外箱唛头写错型号，仓库无法入库，请确认后回复。" },
    { "", "交期延迟", "订单约定交期已过一周仍未到货，影响客户排产。" },
}
local n = 0
init = function()
    math.randomseed(777 + (thread_id or 0))
end
request = function()
    n = n + 1
    local t = texts[math.random(#texts)]
    local u = math.random()
    local customer = string.format("C%05d", 1 + math.floor(u * u * 5000))
    local body = string.format(
        '{"channel":"api","customer_code":"%s","customer_phone":"138%08d",' ..
        '"product":%s,"order_no":"WRK-%d-%d","title":"%s","description":"%s（第%d-%d次）"}',
        customer, math.random(0, 99999999), t[1] == "" and "null" or '"' .. t[1] .. '"',
        thread_id or 0, n, t[2], t[3], thread_id or 0, n)
    return wrk.format("POST", "/api/v1/complaints", headers, body)
end
