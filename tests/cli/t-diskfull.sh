#!/usr/bin/env bash
# Disk full and read-only database, for real: the database lives on a tiny tmpfs. When the disk
# fills, every registration is refused with a 503 problem that says so (in English and Chinese),
# nothing is half-written (no complaint, no number used up), reads keep working, and once space
# returns the same server registers again without a restart. A database on a read-only mount
# is refused with a clear message. Needs root (mount); without it the test says SKIP and why.
. "$(dirname "$0")/lib.sh"
unset KESU_NOW
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }
mkdir "$T/mnt"
if ! mount -t tmpfs -o size=3m tmpfs "$T/mnt" 2>"$T/mount.err"; then
    echo "SKIP: cannot mount a tmpfs here ($(cat "$T/mount.err")); see docs/reliability.md"
    exit 0
fi
cleanup() {
    if [ -n "${server:-}" ]; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    umount "$T/mnt" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
export KESU_DB=$T/mnt/kesu.db

expect_ok "init" kesu init --preset generic --admin-password 'disk-full-2026'
expect_ok "api token" kesu token create admin
token=$out

# post TITLE [DESCRIPTION_BYTES]: registers; leaves the status in $code and the body in $body.
post() {
    local desc
    desc=$(head -c "${2:-10}" /dev/zero | tr '\0' 'x')
    body=$(curl -s -m 20 -w '\n%{http_code}' -X POST "http://127.0.0.1:$port/api/v1/complaints" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -H 'Accept-Language: zh-CN' \
        -d "{\"channel\":\"api\",\"customer_name\":\"客户\",\"title\":\"$1\",\"description\":\"$desc\"}")
    code=${body##*$'\n'}
    body=${body%$'\n'*}
}
get() {
    curl -s -m 20 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$port/api/v1/$1"
}

start_server
post "磁盘满之前"
checks=$((checks + 1))
[ "$code" = 201 ] || fail "first registration: $code $body"
first=$(sed -n 's/.*"number":"\(KS[0-9]*\)-0001".*/\1/p' <<<"$body")

# Fill the disk to the last byte.
dd if=/dev/zero of="$T/mnt/filler" bs=16k 2>/dev/null || true
refused=0
for i in $(seq 1 10); do
    post "磁盘满 $i" 4000
    if [ "$code" = 503 ]; then
        refused=$((refused + 1))
        last=$body
    elif [ "$code" = 201 ]; then
        fail "registration $i was accepted on a full disk"
    else
        fail "registration $i on a full disk: unexpected $code $body"
    fi
done
checks=$((checks + 1))
[ "$refused" -eq 10 ] || fail "only $refused of 10 registrations refused with 503"
expect_match "the problem says the disk is full" "$last" '"detail":"[^"]*the disk is full'
expect_match "in Chinese too" "$last" '磁盘已满'
expect_match "nothing was saved" "$last" 'nothing was saved'
expect_match "a Chinese title" "$last" '"title":"服务暂不可用"'
expect_match "the store_unavailable code" "$last" '"code":"store_unavailable"'

checks=$((checks + 1))
[ "$(get "complaints/$first-0001")" = 200 ] || fail "reading a complaint on a full disk"
checks=$((checks + 1))
[ "$(get 'complaints?limit=5')" = 200 ] || fail "listing on a full disk"
checks=$((checks + 1))
[ "$(get me)" = 200 ] || fail "the session works on a full disk"

# Space returns: the same server registers again, and the number follows on without a gap.
rm -f "$T/mnt/filler"
post "空间恢复后"
checks=$((checks + 1))
[ "$code" = 201 ] || fail "registration after space returned: $code $body"
expect_match "the next number, no gap" "$body" "\"number\":\"$first-0002\""
kill -TERM "$server"
wait "$server" 2>/dev/null || true
server=

expect_ok "list" kesu list --all
expect_match "exactly the two acknowledged complaints" "$(grep -c '^KS' <<<"$out")" '^2$'
expect_ok "every chain holds" kesu verify
if command -v sqlite3 >/dev/null; then
    checks=$((checks + 1))
    ic=$(sqlite3 "$KESU_DB" 'PRAGMA integrity_check;')
    [ "$ic" = ok ] || fail "integrity check: $ic"
fi

# A read-only mount: refused at once with a message that names the cause.
mount -o remount,ro "$T/mnt"
expect_exit 69 "serve refuses a read-only database" kesu serve --listen 127.0.0.1:0
expect_match "and says why" "$errout" "cannot open the database file|read-only"
expect_exit 69 "so does the CLI" kesu add --channel phone --customer_name 张三 --title 只读
mount -o remount,rw "$T/mnt"
expect_ok "writable again" kesu add --channel phone --customer_name 张三 --title 可写
echo "disk full: $refused registrations refused with 503 on a full disk, 0 half-written" >&2
finish
