#!/usr/bin/env bash
# End to end on the command line: init, register, move through every stage to closed as the
# right people, and see the deadlines and the whole timeline; plus the refusals a user meets.
. "$(dirname "$0")/lib.sh"

expect_ok "init" kesu init --preset generic --admin-password 'walk-through-2026'
expect_match "init says what it did" "$out" "initialised .*kesu.db \(preset generic, version 1\)"
# Running init again without --preset keeps the preset in force and says which.
expect_ok "init again" kesu init
expect_match "init again names the preset kept" "$out" "updated .*kesu.db \(preset generic, version 1\)"

expect_ok "add" kesu add --channel phone --customer_name 王先生 --customer_phone 13800138000 \
    --title '宽带网速慢' --description '家里宽带晚上网速很慢，已经一周了'
num=$out
expect_match "number is KS + local date + sequence" "$num" '^KS20260928-0001$'

expect_ok "second add numbers on" kesu add --channel email --customer_name 李女士 \
    --customer_email li@example.com --title '账单金额有误'
expect_match "second number" "$out" '^KS20260928-0002$'

# Refusals: illegal move, missing field, unknown state, unknown complaint, bad field value.
expect_exit 65 "new -> closed is refused" kesu move "$num" closed
expect_match "conflict names both states" "$errout" "cannot move from 'new' to 'closed'"
expect_exit 66 "unknown complaint" kesu show KS20260928-0099
expect_exit 65 "unknown state" kesu move "$num" finished
expect_exit 65 "bad quantity" kesu add --channel phone --customer_name 张三 --title x --delivered -3
expect_match "bad quantity names the field" "$errout" "delivered"
expect_exit 64 "unknown option is a usage error" kesu list --colour

KESU_NOW=2026-09-28T10:00:00+08:00 expect_ok "accept" kesu move "$num" accepted --note '已电话回复客户'
expect_exit 65 "assign needs an assignee" kesu move "$num" assigned
expect_match "missing assignee is named" "$errout" "assignee"
KESU_NOW=2026-09-28T11:00:00+08:00 expect_ok "assign" kesu move "$num" assigned --set assignee=admin
expect_ok "investigate" kesu move "$num" investigating
expect_exit 65 "propose needs a plan" kesu move "$num" proposed --set responsibility.party=我司
expect_match "missing plan is named" "$errout" "plan"
expect_ok "propose" kesu move "$num" proposed --set responsibility.party=我司 \
    --set 'responsibility.root_cause=小区光交箱端口老化' --set 'plan=更换端口并回访'
expect_ok "approve" kesu move "$num" resolving --note '同意'
expect_ok "reply" kesu move "$num" replied --set 'reply=已更换端口，网速恢复正常'
expect_ok "follow up" kesu move "$num" follow_up
expect_exit 65 "close needs a survey or a waiver" kesu move "$num" closed
expect_ok "close" kesu move "$num" closed --set satisfaction.score=5 --set 'satisfaction.comment=满意'
expect_match "closed" "$out" "已结案"

expect_ok "show" kesu show "$num"
expect_match "show has the status" "$out" "已结案"
expect_match "show has the first responder" "$out" "first_responder +admin"
expect_match "show has the approval" "$out" "approval.by +admin"
expect_match "timeline has the registration" "$out" "登记"
expect_match "timeline has the acceptance with its note" "$out" "待受理 → 已受理.*已电话回复客户"
expect_match "timeline has the close" "$out" "跟踪改进 → 已结案"
expect_match "deadlines are listed" "$out" "期限 deadlines"

expect_ok "show --json" kesu show "$num" --json
expect_match "json has events" "$out" '"events"'
expect_match "json has deadlines" "$out" '"deadlines"'
expect_match "json status" "$out" '"status": "closed"'

# Stale version: someone else changed it since version 1.
expect_ok "edit with version" kesu edit KS20260928-0002 --set model=X1 --version 1
expect_exit 65 "stale version is refused" kesu edit KS20260928-0002 --set model=X2 --version 1
expect_match "stale version explained" "$errout" "version"

expect_ok "list --all" kesu list --all
expect_match "list shows both" "$out" "KS20260928-0002"
expect_ok "list open only" kesu list
expect_match "closed one not in the open list" "$(grep -c "$num" <<<"$out" || true)" '^0$'
expect_ok "text search" kesu list --all --text 网速
expect_match "text search finds it" "$out" "$num"

expect_ok "reopen on dissatisfaction" kesu move "$num" investigating --note '客户对处理结果不满意'
expect_match "reopened" "$out" "调查中"

# A JSON object on stdin registers too (for scripts and other systems).
checks=$((checks + 1))
out=$(printf '%s' '{"channel":"web","customer_name":"赵女士","customer_phone":"13900001111",
  "title":"套餐资费与宣传不一致","description":"办理时说每月59元，实际扣了89元"}' | kesu add --json) ||
    fail "add from JSON on stdin"
expect_match "JSON registration prints the record" "$out" '"number": "KS20260928-0003"'
expect_match "first responder is the actor" "$out" '"first_responder": "admin"'
checks=$((checks + 1))
out=$(printf '%s' '{"channel":"web","title":"x","customer_name":"a","colour":"red"}' |
    kesu add 2>&1) && fail "unknown JSON field accepted"
expect_match "unknown JSON field is named" "$out" "colour"

# Handing over to another person is its own event, and the first responder never changes.
expect_ok "hand over" kesu edit KS20260928-0002 --set assignee=admin
expect_ok "hand over again" kesu edit KS20260928-0002 --set assignee=li --note '转交李工'
expect_ok "show after hand-over" kesu show KS20260928-0002
expect_match "hand-over recorded" "$out" "移交 admin → li"
expect_exit 65 "first responder is fixed" kesu edit KS20260928-0002 --set first_responder=li

finish
