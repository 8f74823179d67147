#!/usr/bin/env bash
# kesu copy: a site with departments, users, complaints moved through stages, edits and
# comments is copied SQLite → SQLite and verified by counts and checksums; the copy shows the
# same complaints, numbers on where the old site stopped, and refuses to copy twice; a change
# on one side makes verification fail naming the table. When the pg fixture's URL file
# ($KS_PG_URL_FILE) exists, the same site is also copied into a new PostgreSQL database.
. "$(dirname "$0")/lib.sh"

# Until `copy` is in the command table of src/cli/main.c, skip (ctest: SKIP_RETURN_CODE 77).
if ! kesu copy --help >/dev/null 2>&1; then
    echo "skipped: this kesu has no 'copy' command"
    exit 77
fi

src=$KESU_DB
expect_ok "init" kesu init --preset generic --admin-password 'copy-test-2026'
expect_ok "department" kesu department add north --name 华北分行
expect_ok "sub-department" kesu department add north-bj --name 北京支行 --parent north
expect_ok "user" kesu user add li --name 李工 --role handler --department north-bj \
    --password 'li-password-1'
expect_ok "add 1" kesu add --channel phone --customer_name 王先生 --customer_phone 13800138000 \
    --title '宽带网速慢' --description '家里宽带晚上网速很慢，已经一周了' --department north
n1=$out
expect_ok "add 2" kesu add --channel email --customer_name 李女士 --title '账单金额有误' \
    --description '本月账单多扣了 "100%" 的流量费'
n2=$out
KESU_NOW=2026-09-29T10:00:00+08:00 expect_ok "add on the next day" kesu add --channel web \
    --customer_name 赵先生 --title '营业厅排队' --description '排队两小时'
n3=$out
KESU_NOW=2026-09-28T10:00:00+08:00 expect_ok "accept" kesu move "$n1" accepted --note '已回电'
KESU_NOW=2026-09-28T11:00:00+08:00 expect_ok "assign" kesu move "$n1" assigned --set assignee=li
expect_ok "edit" kesu edit "$n2" --set model=X1
expect_ok "edit again" kesu edit "$n2" --set model=X2
expect_ok "comment" kesu comment "$n2" '客户来电催促'

# SQLite → SQLite: a target file not there yet is created and migrated; one made by `kesu init`
# has an admin of its own, at a version the source's cannot be written over.
dst=$T/copy.db
expect_ok "init elsewhere" kesu init --db "$T/inited.db" --admin-password 'other-password'
expect_exit 65 "an init-ed target's admin is not overwritten" kesu copy --from "$src" \
    --to "$T/inited.db"
expect_match "the version clash is named" "$errout" "user 'admin': the target's version 2"
expect_ok "copy" kesu copy --from "$src" --to "sqlite:$dst" --batch 2
copied=$out
for table in settings departments users complaints events stage_deadlines number_seq; do
    expect_match "$table verified" "$copied" "^$table +[0-9]+ +[0-9]+ +[0-9a-f]{64} +ok$"
done
expect_match "complaints counted" "$copied" "^complaints +3 +3 "
expect_match "users counted" "$copied" "^users +2 +2 "
expect_match "progress on stderr" "$(cat "$T/stderr")" "copy: 3 complaints"

# The same complaint, but for the ids of its events: the target numbers events anew.
without_ids() { sed -E '/^ *"id": [0-9]+,?$/d' <<<"$1"; }
expect_ok "source shows" kesu show "$n2" --json
before=$(without_ids "$out")
expect_ok "copy shows" kesu show "$n2" --json --db "$dst"
[ "$before" = "$(without_ids "$out")" ] || fail "the copy shows $n2 differently"
checks=$((checks + 1))
expect_match "version kept" "$out" '"version": 3'
expect_ok "users on the copy" kesu user list --db "$dst"
expect_match "copied user" "$out" "李工"

expect_ok "verify only" kesu copy --from "$src" --to "$dst" --verify-only
expect_exit 65 "a second copy is refused" kesu copy --from "$src" --to "$dst"
expect_match "refusal says why" "$errout" "already holds complaints"
expect_exit 64 "--to is needed" kesu copy --from "$src"
expect_exit 66 "a missing source is named" kesu copy --from "$T/missing.db" --to "$T/x.db"

# The copy numbers on where the old site stopped.
expect_ok "register on the copy" kesu add --db "$dst" --channel phone --customer_name 孙女士 \
    --title '停机' --description '欠费停机但已缴费'
expect_match "next number of the day" "$out" '^KS20260928-0003$'
expect_exit 65 "a difference is found" kesu copy --from "$src" --to "$dst" --verify-only
expect_match "the table is named" "$errout" "table 'complaints' differs"

expect_ok "comment on the source" kesu comment "$n3" '再次来电'
expect_ok "copy again from the source" kesu copy --from "$src" --to "$T/third.db"
expect_ok "another comment on the source" kesu comment "$n3" '第三次来电'
expect_exit 65 "an event more is found" kesu copy --from "$src" --to "$T/third.db" --verify-only
expect_match "events named" "$errout" "table 'events' differs"

# SQLite → PostgreSQL, on a database of its own on the fixture's server.
if [ -n "${KS_PG_URL_FILE:-}" ] && [ -s "$KS_PG_URL_FILE" ]; then
    server=$(head -n 1 "$KS_PG_URL_FILE")
    name=kesu_copy_$$
    pg=$(sed -E "s#^(postgres(ql)?://[^/?]*)/[^?]*#\\1/$name#" <<<"$server")
    expect_ok "create database" psql -q "$server" -c "CREATE DATABASE $name"
    trap 'psql -q "$server" -c "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1; rm -rf "$T"' EXIT
    expect_exit 78 "an unmigrated target is refused" kesu copy --from "$src" --to "$pg"
    expect_match "refusal says migrate" "$errout" "kesu migrate"
    expect_ok "migrate" kesu migrate --db "$pg"
    expect_ok "copy to PostgreSQL" kesu copy --from "sqlite:$src" --to "$pg" --batch 1
    copied=$out
    for table in settings departments users complaints events stage_deadlines number_seq; do
        expect_match "pg $table verified" "$copied" "^$table +[0-9]+ +[0-9]+ +[0-9a-f]{64} +ok$"
    done
    expect_ok "PostgreSQL shows" kesu show "$n2" --json --db "$pg"
    [ "$before" = "$(without_ids "$out")" ] || fail "PostgreSQL shows $n2 differently"
    checks=$((checks + 1))
    expect_ok "search on PostgreSQL" kesu list --db "$pg" --text 账单金额
    expect_match "found by Chinese text" "$out" "$n2"
    expect_ok "register on PostgreSQL" kesu add --db "$pg" --channel phone --customer_name 孙女士 \
        --title '停机' --description '欠费停机但已缴费'
    expect_match "PostgreSQL numbers on" "$out" '^KS20260928-0003$'
fi

finish
