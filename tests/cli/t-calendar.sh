#!/usr/bin/env bash
# kesu calendar: the official calendar (weekends, holidays, 调休), deadlines under the Civil
# Code rules, and an organisation's own days kept in the database.
. "$(dirname "$0")/lib.sh"
unset KESU_DB

expect_ok "adjusted working Saturday" kesu calendar check 2026-10-10
expect_match "2026-10-10 is a workday" "$out" '^workday$'
expect_ok "National Day" kesu calendar check 2026-10-01
expect_match "2026-10-01 is a rest day" "$out" '^restday$'
expect_ok "plain Sunday" kesu calendar check 2026-11-29
expect_match "a Sunday is a rest day" "$out" '^restday$'
expect_ok "unknown year" kesu calendar check 2027-01-04
expect_match "2027 is unknown, not guessed" "$out" '^unknown$'
expect_exit 65 "impossible date" kesu calendar check 2026-02-30
expect_match "impossible date explained" "$errout" "not a real calendar date"

expect_ok "3 working days over National Day" \
    kesu calendar add --from 2026-09-30T10:00:00+08:00 --workdays 3
expect_match "ends 24:00 of the adjusted Saturday" "$out" '^2026-10-11T00:00:00\+08:00$'
expect_ok "Friday + 1 working day" kesu calendar add --from 2026-11-27T16:00:00+08:00 --workdays 1
expect_match "ends Monday 24:00" "$out" '^2026-12-01T00:00:00\+08:00$'
expect_ok "hours across midnight" kesu calendar add --from 2026-11-27T16:00:00+08:00 --hours 24
expect_match "exactly 24 hours" "$out" '^2026-11-28T16:00:00\+08:00$'
expect_ok "calendar days ending on a holiday" kesu calendar add --from 2026-09-24T09:00:00+08:00 --days 7
expect_match "moves past the golden week" "$out" '^2026-10-09T00:00:00\+08:00$'
expect_ok "business close" kesu calendar add --from 2026-11-27T16:00:00+08:00 --workdays 1 \
    --business-close 17:30
expect_match "ends 17:30 on Monday" "$out" '^2026-11-30T17:30:00\+08:00$'
expect_ok "explain" kesu calendar add --from 2026-09-30T10:00:00+08:00 --workdays 3 --explain
expect_match "explains the holiday" "$out" "跳过 2026-10-01 至 2026-10-07 国庆节（法定节假日）"
expect_exit 65 "into the unknown year" kesu calendar add --from 2026-12-30T10:00:00+08:00 --workdays 5
expect_match "names the unknown date" "$errout" "outside the known calendar"
expect_exit 64 "two units" kesu calendar add --from 2026-12-01 --days 1 --hours 2

# The organisation's own days live in the database.
expect_ok "init" kesu init --db "$T/org.db" --preset generic --admin-password 'calendar-2026'
expect_ok "org rest day" kesu calendar day add 2026-12-31 --rest --name 年终盘点 --db "$T/org.db"
expect_ok "check with the database" kesu calendar check 2026-12-31 --db "$T/org.db"
expect_match "org rest day applies" "$out" '^restday$'
expect_ok "check without it" kesu calendar check 2026-12-31
expect_match "official calendar unchanged" "$out" '^workday$'
expect_ok "org working Saturday" kesu calendar day add 2026-12-26 --work --name 补班 --db "$T/org.db"
expect_ok "list" kesu calendar day list --db "$T/org.db"
expect_match "list shows both" "$out" "2026-12-26 work 补班"
expect_match "list shows the rest day" "$out" "2026-12-31 rest 年终盘点"
expect_ok "org rest Tuesday" kesu calendar day add 2026-12-29 --rest --name 厂庆 --db "$T/org.db"
expect_ok "deadline sees org days" kesu calendar add --db "$T/org.db" \
    --from 2026-12-28T10:00:00+08:00 --workdays 1
expect_match "skips the org rest day" "$out" '^2026-12-31T00:00:00\+08:00$'
expect_ok "remove" kesu calendar day remove 2026-12-31 --db "$T/org.db"
expect_ok "check after remove" kesu calendar check 2026-12-31 --db "$T/org.db"
expect_match "back to a workday" "$out" '^workday$'
expect_exit 65 "org day outside known years" kesu calendar day add 2027-01-05 --rest --db "$T/org.db"

finish
