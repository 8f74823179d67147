#!/usr/bin/env bash
# kesu classify as issue 3 specifies it: one text with the decision and its reasons in Chinese,
# and a CSV from stdin judged row by row, in order, into exactly the columns
# id,severity,category,urgent,response_level,reasons. Includes the loose-phrase false positive
# 脚踏反光片脱落 (a reflector, not a pedal coming off).
. "$(dirname "$0")/lib.sh"

expect_ok "one text" kesu classify --preset manufacturing --product pedal --text '脚踏反光片脱落' \
    --delivered 1000 --defective 320
expect_match "general defect raised to batch by the ratio" "$out" '^程度：批量（batch）$'
expect_match "the defect is the reflector" "$out" '^不良项目：反光片脱落（reflector_off，脚踏）$'
expect_match "the ratio is a reason" "$out" '不良 320/1000 = 32.0%'
expect_match "not urgent" "$out" '^紧急：否$'
expect_match "response level 2" "$out" '^响应等级：二级响应'

expect_ok "serious and urgent" kesu classify --preset manufacturing --product pedal \
    --text '骑车时芯轴断了，骑手摔倒受伤'
expect_match "serious" "$out" '^程度：严重（serious）$'
expect_match "urgent" "$out" '^紧急：是'
expect_match "response level 1" "$out" '^响应等级：一级响应'

expect_exit 65 "a negative quantity is refused" kesu classify --preset manufacturing --text x \
    --delivered -3
expect_match "the field is named" "$errout" 'delivered'
expect_exit 65 "defective above delivered is refused" kesu classify --preset manufacturing \
    --text x --delivered 10 --defective 11
expect_exit 65 "an unknown product is refused" kesu classify --preset manufacturing \
    --product saddle --text '坏了'
expect_exit 66 "an unknown preset" kesu classify --preset nosuch --text x

csv='id,product,text,delivered,defective,prior_in_month,note
a1,pedal,脚踏反光片脱落,1000,320,,extra columns are ignored
a2,pedal,芯轴断了，骑手摔倒受伤,,,,
a3,bb,"纸箱破了, 轴承没问题",,,,
a4,,唛头写错了,,,2,
a5,pedal,反光片掉了,,,,
a6,,,,,,'
expect_ok "csv from stdin" kesu classify --preset manufacturing --csv - <<<"$csv"
want='id,severity,category,urgent,response_level
a1,batch,quality,0,2
a2,serious,quality,1,1
a3,general,packaging,0,2
a4,serious,packaging,0,1
a5,general,quality,0,2
a6,general,other,0,2'
got=$(cut -d, -f1-5 <<<"$out")
checks=$((checks + 1))
[ "$got" = "$want" ] || fail "csv columns and rows: got
$got
want
$want"
expect_match "header names the reasons column last" "$(head -n1 <<<"$out")" \
    '^id,severity,category,urgent,response_level,reasons$'
expect_match "reasons say which defect" "$(sed -n 2p <<<"$out")" 'defect: 不良项目「反光片脱落」'
checks=$((checks + 1))
[ "$(wc -l <<<"$out")" -eq 7 ] || fail "one output row per input row: $(wc -l <<<"$out") lines"

printf 'id,text,delivered\nb1,反光片掉了,abc\n' >"$T/bad.csv"
expect_exit 65 "a bad quantity in the csv is refused" kesu classify --preset manufacturing \
    --csv "$T/bad.csv"
expect_match "the bad value is quoted" "$errout" "abc"

finish
