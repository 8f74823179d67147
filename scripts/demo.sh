#!/usr/bin/env bash
# Creates the demo database when it does not exist yet: the chosen preset, a few people and
# a handful of realistic complaints in different states. An existing database is left alone.
set -euo pipefail
kesu=$1
db=$2
preset=${3:-manufacturing}
export KESU_DB=$db

if [ -e "$db" ]; then
    echo "demo: using existing $db (delete it for a fresh demo)" >&2
    exit 0
fi
password=${KESU_ADMIN_PASSWORD:-kesu-demo-2026}
"$kesu" init --preset "$preset" --admin-password "$password" >/dev/null
"$kesu" department add kefu --name 客服部 >/dev/null
"$kesu" department add zhiliang --name 质量部 >/dev/null
"$kesu" department add zhiliang-pedal --name 脚踏质量组 --parent zhiliang >/dev/null
"$kesu" user add zhangwei --name 张伟 --role handler --department zhiliang --password "$password" >/dev/null
"$kesu" user add liqiang --name 李强 --role leader --password "$password" >/dev/null
"$kesu" user add wangfang --name 王芳 --role intake --department kefu --password "$password" >/dev/null

add() { "$kesu" add "$@"; }
n1=$(add --channel phone --customer_name 捷安特昆山工厂 --customer_code C-GIANT --customer_phone 0512-55551234 \
    --product pedal --model FP-802 --batch_no B2611-07 --delivered 2000 --defective 15 \
    --title "脚踏反光片脱落" --description "收到的FP-802脚踏有部分反光片脱落，数量不多，请补发反光片。")
n2=$(add --channel email --customer_name 美利达深圳 --customer_code C-MERIDA --customer_email qa@example.com \
    --product bb --model BB-68 --batch_no B2611-11 \
    --title "中轴碗件压配后脱落，整批无法上线" \
    --description "本批次BB-68碗件压配后脱落，产线停线，整批无法上线，需要全检或调换。")
n3=$(add --channel wechat --customer_name 王先生 --customer_phone 13800138000 \
    --product pedal --model FP-900 \
    --title "骑行中脚踏芯轴断裂，人摔倒受伤" \
    --description "昨天骑行时左脚踏芯轴突然断裂，我摔倒了，膝盖受伤，要求赔偿。")
"$kesu" move "$n2" accepted --note "已电话确认收到" >/dev/null
"$kesu" move "$n2" assigned --set assignee=zhangwei --set department=zhiliang >/dev/null
"$kesu" move "$n1" accepted >/dev/null
echo "demo: created $db with preset $preset: $n1 $n2 $n3 (admin password: $password)" >&2
