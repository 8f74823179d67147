#!/usr/bin/env bash
# Deadlines in motion on the command line (issue 5), with a fake clock: a sweep warns, marks the
# breach and takes each escalation step once, and a repeated sweep does nothing; messages go out
# over a command channel exactly once; an urgent complaint is an emergency with its checklist;
# six similar complaints open one incident; a clock is paused, resumed and extended (by a
# leader only) in the timeline, moving the due time.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

# The generic preset plus a command channel that appends each message to a file: the
# delivery is checked without any network.
cp "$SRC/presets/generic.yaml" "$T/preset.yaml"
cat >>"$T/preset.yaml" <<YAML
channels:
  - {name: box, kind: command, command: [/bin/sh, -c, 'cat >>$T/sent; echo >>$T/sent'], timeout: 10}
YAML

expect_ok "init" kesu init --preset "$T/preset.yaml" --admin-password 'sweep-test-2026'
expect_ok "leader" kesu user add zhang --name 张组长 --role leader --password 'leader-pass-2026'
expect_ok "handler" kesu user add li --name 李处理 --role handler --password 'handler-pass-2026'

# Registered Monday 2026-09-28 09:00; the new stage has 24 h, so the warning falls after 75 %
# (2026-09-29 03:00) and the breach after 09:00.
expect_ok "add" kesu add --channel phone --customer_name 王先生 --customer_phone 13800138000 \
    --title '宽带网速慢' --description '家里宽带网速很慢' --assignee li
num=$out
expect_match "number" "$num" '^KS20260928-0001$'

sweep() { KESU_NOW=$1 kesu sweep --json; }
count() { grep -cE -- "$2" <<<"$1" || true; }

expect_ok "sweep before the warning" sweep 2026-09-29T02:00:00+08:00
expect_match "nothing to do yet" "$out" '"warned":0,"breached":0,"escalated":0'
expect_ok "sweep after 75 %" sweep 2026-09-29T03:30:00+08:00
expect_match "one warning" "$out" '"warned":1,"breached":0'
expect_ok "same sweep again" sweep 2026-09-29T03:30:00+08:00
expect_match "repeat does nothing" "$out" '"looked":0,"warned":0,"breached":0,"escalated":0'
expect_ok "sweep after the due time" sweep 2026-09-29T09:30:00+08:00
expect_match "breach and the first step" "$out" '"breached":1,"escalated":1'
expect_ok "sweep 4 h later" sweep 2026-09-29T13:30:00+08:00
expect_match "department head step" "$out" '"breached":0,"escalated":1'
expect_ok "sweep after the next working day" sweep 2026-10-01T00:30:00+08:00
expect_match "leader step" "$out" '"escalated":1'
expect_ok "sweep much later" sweep 2026-10-20T00:00:00+08:00
expect_match "admin step" "$out" '"escalated":1'
for t in 2026-09-29T09:30:00+08:00 2026-10-20T00:00:00+08:00 2026-10-21T00:00:00+08:00; do
    expect_ok "replay $t" sweep $t
    expect_match "replay $t changes nothing" "$out" '"warned":0,"breached":0,"escalated":0'
done

expect_ok "show" kesu show "$num"
checks=$((checks + 1))
[ "$(count "$out" 'system +warning')" -eq 1 ] || fail "one warning in the timeline: $out"
checks=$((checks + 1))
[ "$(count "$out" 'system +breach')" -eq 1 ] || fail "one breach in the timeline: $out"
for step in 1 2 3 4; do
    checks=$((checks + 1))
    [ "$(count "$out" "escalation $step to")" -eq 1 ] || fail "escalation $step once: $out"
done
expect_match "the leader step carries the preset's label" "$out" "escalation 3 to leader: 重大投诉应立即上报公司领导"

# The outbox: every message once; one delivery round sends them, a second sends nothing.
expect_ok "notify list" kesu notify list
expect_match "the handler's warning is queued" "$out" "warning"
pending=$(count "$out" 'pending')
checks=$((checks + 1))
[ "$pending" -ge 3 ] || fail "at least warning, breach and a step are queued: $out"
expect_ok "deliver" kesu notify deliver --now 2026-10-21T00:00:00+08:00
expect_match "all sent" "$out" "^$pending sent, 0 to retry, 0 failed"
expect_ok "deliver again" kesu notify deliver --now 2026-10-21T00:00:00+08:00
expect_match "nothing twice" "$out" "^0 sent"
checks=$((checks + 1))
[ "$(grep -c '"kind":"breach"' "$T/sent")" -ge 1 ] || fail "the channel got the breach: $(cat "$T/sent")"
expect_ok "notify list after delivery" kesu notify list --status sent
checks=$((checks + 1))
[ "$(count "$out" 'sent')" -eq "$pending" ] || fail "each message sent once: $out"

# An urgent complaint (someone hurt) is an emergency at registration, checklist attached.
expect_ok "urgent add" kesu add --channel phone --customer_name 赵女士 --title '店内有人摔倒受伤' \
    --description '地面湿滑，人摔倒受伤，已送医'
urgent=$out
expect_ok "show urgent" kesu show "$urgent"
expect_match "urgent is level 1" "$out" "紧急 urgent: 是"
expect_match "emergency event" "$out" "emergency"
expect_match "checklist event" "$out" "system +checklist"
# The items are in the event's details (kesu show --json).
expect_ok "show urgent --json" kesu show "$urgent" --json
expect_match "checklist in the timeline" "$out" "立即上报公司领导并按指示处理"
expect_match "checklist has every item" "$out" "24小时内书面报告"
# kesu show lists the items too, one a line under the checklist event.
expect_ok "show urgent again" kesu show "$urgent"
expect_match "checklist items in kesu show" "$out" "^ +· 保护现场$"
expect_match "the last item too" "$out" "^ +· 24小时内书面报告$"

# Six similar complaints within two hours: one incident holds them all.
for i in 1 2 3 4 5 6; do
    KESU_NOW=2026-09-30T10:0$i:00+08:00 expect_ok "similar $i" kesu add --channel phone \
        --customer_name "客户$i" --title '收费错误' --description "本月多收费用$i元，要求退款"
done
expect_ok "incident list" kesu incident list
checks=$((checks + 1))
[ "$(grep -c '^INC' <<<"$out")" -eq 1 ] || fail "one incident: $out"
code=$(cut -f1 <<<"$out" | head -1)
expect_ok "incident show" kesu incident show "$code" --json
expect_match "it holds the later complaints" "$out" "KS20260930-0006"
expect_exit 77 "a handler cannot declare" kesu incident declare --title 停电 --as li
expect_ok "a leader declares" kesu incident declare --title '门店停电' --level 1 --as zhang
declared=$out
expect_ok "attach" kesu incident attach "$declared" "$urgent" --as zhang
expect_ok "reply to all" kesu incident reply "$declared" --reply '已恢复供电并致歉' --as zhang
expect_match "one reply" "$out" "replied to 1 complaints"
expect_ok "both incidents listed" kesu incident list
checks=$((checks + 1))
[ "$(grep -c '^INC' <<<"$out")" -eq 2 ] || fail "two incidents: $out"

# The clock: pause and resume move the due time; only a leader may extend.
KESU_NOW=2026-09-30T12:00:00+08:00 expect_ok "add for the clock" kesu add --channel phone \
    --customer_name 钱先生 --title '发票开错' --description '发票抬头写错了'
c=$out
KESU_NOW=2026-09-30T13:00:00+08:00 expect_ok "pause" kesu clock "$c" pause --reason '等待客户提供发票原件'
KESU_NOW=2026-09-30T15:00:00+08:00 expect_ok "resume" kesu clock "$c" resume
expect_ok "show after pause" kesu show "$c"
expect_match "due moved by the two paused hours" "$out" "截止 due 2026-10-01T14:00:00\+08:00"
expect_match "the pause and its reason in the timeline" "$out" "期限 暂停 待受理 .*原因：等待客户提供发票原件"
expect_match "the resume in the timeline" "$out" "期限 恢复 待受理 截止 2026-10-01T14:00:00"
expect_match "the explanation names the rule and the pause" "$out" \
    "投诉接收：24小时内回复顾客，自 2026-09-30T12:00:00\+08:00 起.*暂停共 2 小时，截止顺延至 2026-10-01T14:00:00\+08:00"
expect_exit 77 "a handler may not extend" kesu clock "$c" extend --to 48h --reason 需要更多时间 --as li
expect_exit 64 "extend without a period or a reason" kesu clock "$c" extend --to
KESU_NOW=2026-09-30T16:00:00+08:00 expect_ok "a leader extends" \
    kesu clock "$c" extend --to 48h --reason '需要供应商确认' --as zhang
expect_ok "show after extend" kesu show "$c"
expect_match "due moved to 48 h" "$out" "截止 due 2026-10-02T14:00:00\+08:00"
expect_match "the extension, its period and reason" "$out" "期限 延期 待受理 .*期限改为 48 hours  原因：需要供应商确认"
expect_match "the explanation says it was extended" "$out" "已延期一次"
expect_ok "show --json after extend" kesu show "$c" --json
expect_match "pause in the timeline" "$out" '"op": "paused"'
expect_match "its reason" "$out" "等待客户提供发票原件"
expect_match "resume in the timeline" "$out" '"op": "resumed"'
expect_match "extension and its reason" "$out" "需要供应商确认"

# The server's sweeper interval: a flag (0 turns it off), refused when it is not a number of
# seconds in range, as is a bad $KESU_SWEEP_INTERVAL.
expect_exit 64 "serve refuses a bad --sweep-interval" kesu serve --sweep-interval soon
expect_match "and says why" "$errout" "sweep-interval: 'soon' is not 0..86400 seconds"
expect_exit 64 "serve refuses an interval over a day" kesu serve --sweep-interval 86401
KESU_SWEEP_INTERVAL=soon expect_exit 78 "serve refuses a bad KESU_SWEEP_INTERVAL" \
    kesu serve --listen 127.0.0.1:0
expect_match "naming the variable" "$errout" "KESU_SWEEP_INTERVAL: 'soon'"

finish
