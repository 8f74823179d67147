#!/usr/bin/env bash
# kesu backup and kesu restore: a backup taken while clients register at full speed against a
# running server is consistent (integrity check) and holds every complaint acknowledged before
# it began; restore refuses while the server has the database open, keeps the old database
# aside, and afterwards the database is the backup: acknowledged complaints present, chains
# verified, integrity ok. Plus the refusals: an existing target, a missing or foreign file.
. "$(dirname "$0")/lib.sh"
unset KESU_NOW
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }
clients=3

expect_ok "init" kesu init --preset generic --admin-password 'backup-test-2026'
expect_ok "api token" kesu token create admin
token=$out

start_server

# One client: posts until told to stop; records the number of every 201.
client() {
    local id=$1 i=0 body code
    while [ ! -e "$T/stop" ]; do
        i=$((i + 1))
        body=$(curl -s -m 5 -w '\n%{http_code}' -X POST "http://127.0.0.1:$port/api/v1/complaints" \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d "{\"channel\":\"api\",\"customer_name\":\"客户$id\",\"title\":\"备份测试 $id-$i\"}") || continue
        code=${body##*$'\n'}
        [ "$code" = 201 ] && sed -n 's/.*"number":"\(KS[0-9]*-[0-9]*\)".*/\1/p' <<<"$body" >>"$T/acked-$id"
    done
}
for c in $(seq 1 $clients); do client "$c" & done
sleep 2
cat "$T"/acked-* | sort >"$T/before"
expect_ok "backup while the server registers" kesu backup "$T/b.db"
expect_match "the backup reports its check" "$out" "integrity check ok"
sleep 1
expect_exit 69 "restore refuses while the server holds the database" kesu restore "$T/b.db"
expect_match "and says why" "$errout" "open in another process"
touch "$T/stop"
wait $(jobs -p | grep -v "^$server$") 2>/dev/null || true
kill -TERM "$server"
wait "$server" 2>/dev/null || true
cat "$T"/acked-* | sort >"$T/all"
before=$(wc -l <"$T/before")
all=$(wc -l <"$T/all")
checks=$((checks + 1))
[ "$before" -gt 10 ] && [ "$all" -gt "$before" ] ||
    fail "too few registrations around the backup to mean anything: $before before, $all in all"

expect_ok "restore" kesu restore "$T/b.db"
expect_match "restore reports its check" "$out" "integrity check ok"
expect_match "the old database is kept" "$out" "kept as .*kesu.db.before-restore-"
aside=$(sed -n 's/.*kept as //p' <<<"$out")

expect_ok "list the restored database" kesu list --all --limit 100000
grep -o '^KS[0-9]*-[0-9]*' <<<"$out" | sort >"$T/restored"
checks=$((checks + 1))
missing=$(comm -23 "$T/before" "$T/restored" | wc -l)
[ "$missing" -eq 0 ] || fail "$missing complaints acknowledged before the backup are missing"
expect_ok "the restored chains verify" kesu verify
checks=$((checks + 1))
if command -v sqlite3 >/dev/null; then
    [ "$(sqlite3 "$KESU_DB" 'PRAGMA integrity_check')" = ok ] || fail "restored integrity check"
    # The database kept aside holds everything acknowledged, including after the backup.
    sqlite3 "$aside" 'SELECT number FROM complaints' | sort >"$T/aside"
    checks=$((checks + 1))
    [ "$(comm -23 "$T/all" "$T/aside" | wc -l)" -eq 0 ] || fail "the kept database lost complaints"
fi

expect_exit 65 "backup refuses to overwrite a file" kesu backup "$T/b.db"
expect_match "naming it" "$errout" "exists"
expect_exit 66 "restore from a missing file" kesu restore "$T/nothing.db"
echo "not a database" >"$T/junk.db"
expect_exit 78 "restore from a file that is not a database" kesu restore "$T/junk.db"
expect_exit 64 "backup without a file" kesu backup
echo "backup: $before acknowledged before the backup, $all in all; all present after restore" >&2
finish
