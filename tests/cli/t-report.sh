#!/usr/bin/env bash
# kesu report end to end: complaints registered and moved at known instants (one waiting over
# National Day 2026, one reopened after closing, one still investigating past due), a small
# department tree, then the report in every format with its figures checked. Needs jq and
# unzip (scripts/deps.sh installs them).
. "$(dirname "$0")/lib.sh"

expect_ok "init" kesu init --preset manufacturing --admin-password 'report-test-2026'
expect_ok "department prov" kesu department add prov --name 广东省分行
expect_ok "department br1" kesu department add br1 --name 深圳分行 --parent prov
expect_ok "department sub1" kesu department add sub1 --name 福田支行 --parent br1
expect_ok "department sub2" kesu department add sub2 --name 南山支行 --parent br1
expect_exit 65 "unknown parent" kesu department add sub3 --name 罗湖支行 --parent nowhere
expect_match "unknown parent named" "$errout" "parent"
expect_ok "department tree" kesu department list
expect_match "tree indents children" "$out" "    sub1  福田支行"

add() { # add NOW DEPT TITLE [FIELD VALUE]...
    local now=$1 dept=$2 title=$3
    shift 3
    KESU_NOW=$now expect_ok "add $title" kesu add --channel phone --customer_name 王先生 \
        --customer_code CUST-A --customer_phone 13800138000 --product pedal \
        --severity general --defect spindle_broken --department "$dept" --title "$title" "$@"
}
move() { # move NOW NUMBER STATE [ARGS]...
    local now=$1 num=$2 to=$3
    shift 3
    KESU_NOW=$now expect_ok "$num -> $to" kesu move "$num" "$to" "$@"
}
through_to_close() { # NUMBER DAY(YYYY-MM-DD) SCORE COMMENT: investigating -> closed that day
    move "$2T10:00:00+08:00" "$1" proposed --set responsibility.party=我司 \
        --set 'responsibility.root_cause=装配扭矩不足' --set 'plan=更换芯轴'
    move "$2T10:10:00+08:00" "$1" resolving
    move "$2T10:20:00+08:00" "$1" replied --set 'reply=已更换'
    move "$2T10:30:00+08:00" "$1" follow_up
    move "$2T10:40:00+08:00" "$1" closed --set "satisfaction.score=$3" \
        --set "satisfaction.comment=$4"
}

# September: one complaint for the comparison with the previous month.
add 2026-09-15T10:00:00+08:00 sub1 '脚踏异响'

# The day before National Day; accepted only after the holiday: the 24-hour limit is missed.
add 2026-09-30T10:00:00+08:00 sub1 '脚踏芯轴断裂'
c1=$out
move 2026-10-08T09:00:00+08:00 "$c1" accepted
move 2026-10-08T09:30:00+08:00 "$c1" assigned --set assignee=admin
move 2026-10-08T09:40:00+08:00 "$c1" investigating
through_to_close "$c1" 2026-10-09 2 '<script>alert(1)</script>'

# Accepted at once, then left investigating past its 5 working days.
add 2026-10-09T09:00:00+08:00 sub2 '曲柄松动'
c2=$out
move 2026-10-09T10:00:00+08:00 "$c2" accepted
move 2026-10-09T10:10:00+08:00 "$c2" assigned --set assignee=admin
move 2026-10-09T10:20:00+08:00 "$c2" investigating

# Closed satisfied, then reopened by the customer and closed again.
add 2026-10-20T09:00:00+08:00 br1 '踏板轴承卡滞'
c3=$out
move 2026-10-20T10:00:00+08:00 "$c3" accepted
move 2026-10-20T10:10:00+08:00 "$c3" assigned --set assignee=admin
move 2026-10-20T10:20:00+08:00 "$c3" investigating
through_to_close "$c3" 2026-10-21 5 '满意'
move 2026-10-22T09:00:00+08:00 "$c3" investigating --note '客户反映问题复发'
through_to_close "$c3" 2026-10-23 4 '复修后满意'

# November: outside every period below.
add 2026-11-02T09:00:00+08:00 sub1 '脚踏开裂'

export KESU_NOW=2026-11-16T09:00:00+08:00

expect_ok "json" kesu report --from 2026-09-28 --to 2026-10-31 --format json
j=$out
q() { jq -c "$1" <<<"$j"; }
expect_match "label" "$(q .period.label)" '^"2026-09-28 至 2026-10-31"$'
expect_match "received" "$(q .volume.received)" '^3$'
expect_match "closed" "$(q .volume.closed)" '^2$'
expect_match "open" "$(q .volume.open)" '^1$'
expect_match "previous range holds the September complaint" "$(q .volume.previous.received)" '^1$'
expect_match "change" "$(q .volume.previous.change)" '^2$'
expect_match "department breakdown" "$(q '.volume.by.department[] | select(.key=="sub1") | [.label,.count]')" '^\["福田支行",1\]$'
expect_match "acceptance: 3 judged, 2 on time" "$(q '.timeliness.stages[] | select(.stage=="new") | [.judged,.within]')" '^\[3,2\]$'
expect_match "acceptance over National Day took 1 working day" \
    "$(q '.timeliness.overdue[] | select(.stage=="new") | [.number,.late_workdays]')" "^\\[\"$c1\",1\\]$"
expect_match "investigation still running past due" \
    "$(q '.timeliness.overdue[] | select(.number=="'"$c2"'") | [.stage,.met_at]')" '^\["investigating",null\]$'
# Whole complaint (preset: 30 days): two closed in time (2 and 3 working days: median 2.5), one
# open past its 30 days.
# Investigation: a serious defect gives 24 hours (response level 1); c1 and the reopened c3
# overran by minutes, c2 is still open past due.
expect_match "investigation" "$(q '.timeliness.stages[] | select(.stage=="investigating") | [.judged,.within]')" '^\[4,1\]$'
expect_match "whole complaint" "$(q '.timeliness.whole | [.judged,.within,.measured,.median_workdays]')" '^\[3,2,2,2.5\]$'
expect_match "satisfaction" "$(q '.quality.satisfaction | [.answered,.average,.satisfied]')" '^\[2,3,1\]$'
expect_match "dissatisfied case" "$(q '.quality.satisfaction.dissatisfied[0].number')" "\"$c1\""
expect_match "reopened" "$(q '[.quality.reopened,.quality.reopen_rate]')" '^\[1,0.3333\]$'
expect_match "repeat problem" "$(q '.quality.repeats[0] | [.customer,.count]')" '^\["CUST-A",3\]$'
expect_match "cause pareto" "$(q '.quality.pareto.causes[0] | [.label,.count,.cumulative_share]')" '^\["装配扭矩不足",2,1\]$'
expect_match "roll-up: 深圳分行 subtree" \
    "$(q '.departments[] | select(.code=="br1") | [.own.received,.subtree.received,.subtree.overdue]')" '^\[1,3,3\]$'
expect_match "roll-up: 广东省分行 subtree" \
    "$(q '.departments[] | select(.code=="prov") | .subtree.received')" '^3$'

expect_ok "department scope" kesu report --from 2026-09-28 --to 2026-10-31 --department sub1
expect_match "scope counts only the subtree" "$(jq -c .volume.received <<<"$out")" '^1$'
expect_match "scope names the department" "$(jq -c .department.name <<<"$out")" '"福田支行"'

expect_ok "month" kesu report --period 2026-10
expect_match "October received" "$(jq -c '[.volume.received,.volume.previous.received,.volume.last_year.received]' <<<"$out")" '^\[2,2,0\]$'
expect_match "month label" "$(jq -c .period.label <<<"$out")" '"2026年10月"'
expect_ok "quarter" kesu report --quarter 2026Q4
expect_match "Q4 received" "$(jq -c .volume.received <<<"$out")" '^3$'
expect_ok "empty year" kesu report --year 2025
expect_match "empty year has zeros" "$(jq -c '[.volume.received,.timeliness.whole.median_workdays]' <<<"$out")" '^\[0,null\]$'

expect_ok "csv" kesu report --from 2026-09-28 --to 2026-10-31 -o "$T/r.csv"
expect_match "stderr names the file" "$(cat "$T/stderr")" "written to $T/r.csv"
expect_match "csv has a BOM" "$(head -c 3 "$T/r.csv" | od -An -tx1)" 'ef bb bf'
expect_match "csv received" "$(tr -d '\r' <"$T/r.csv")" '^received,受理,3$'
expect_match "csv hostile comment kept as text" "$(tr -d '\r' <"$T/r.csv")" "^$c1,2,<script>alert\\(1\\)</script>$"

expect_ok "html" kesu report --from 2026-09-28 --to 2026-10-31 --format html -o "$T/r.html"
html=$(cat "$T/r.html")
expect_match "html escapes the comment" "$html" '&lt;script&gt;alert\(1\)&lt;/script&gt;'
checks=$((checks + 1))
grep -q '<script' "$T/r.html" && fail "html contains a raw <script>"
expect_match "html prints to A4" "$html" '@page\{size:A4'
expect_match "html has charts" "$html" '<svg xmlns='
expect_match "html has the roll-up" "$html" '深圳分行'

expect_ok "xlsx" kesu report --from 2026-09-28 --to 2026-10-31 -o "$T/r.xlsx"
expect_match "xlsx is a zip" "$(head -c 2 "$T/r.xlsx")" '^PK$'
expect_match "xlsx has six sheets" "$(unzip -l "$T/r.xlsx")" 'xl/worksheets/sheet6.xml'
expect_match "xlsx has charts" "$(unzip -l "$T/r.xlsx")" 'xl/charts/chart1.xml'
wb=$(unzip -p "$T/r.xlsx" xl/workbook.xml)
for s in 总量 时效 超时清单 质量 排列图 部门; do
    expect_match "sheet $s" "$wb" "name=\"$s\""
done
expect_match "counts are numbers, not text" "$(unzip -p "$T/r.xlsx" xl/worksheets/sheet1.xml)" '<c r="B6"[^>]*><v>3</v>'

expect_exit 64 "no period" kesu report --format json
expect_exit 64 "two periods" kesu report --period 2026-10 --year 2026
expect_exit 64 "from without to" kesu report --from 2026-10-01
expect_exit 64 "unknown format" kesu report --period 2026-10 --format pdf
expect_exit 64 "xlsx needs a file" kesu report --period 2026-10 --format xlsx
expect_exit 65 "bad month" kesu report --period 2026-13
expect_match "bad month is named" "$errout" "period: '2026-13'"
expect_exit 66 "unknown department" kesu report --period 2026-10 --department nowhere
expect_match "unknown department is named" "$errout" "nowhere"

finish
