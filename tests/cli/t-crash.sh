#!/usr/bin/env bash
# Durability: several clients register complaints at full speed while the server is killed
# with SIGKILL at random moments and restarted, again and again. Afterwards every complaint
# whose creation was answered 2xx must be present and intact, numbers must be unique and,
# per day, gap-free (numbers are allocated inside the committing transaction), SQLite's
# integrity check must pass and every complaint's event chain must verify. Cycles: $KS_CRASH_CYCLES (default 20); clients: 4.
. "$(dirname "$0")/lib.sh"
unset KESU_NOW
cycles=${KS_CRASH_CYCLES:-20}
clients=4
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }

expect_ok "init" kesu init --preset generic --admin-password 'crash-test-2026'
port_file=$T/port

# The clients read the port from a file, because each restart listens on a new one.
serve() {
    start_server
    echo "$port" >"$port_file"
}

# An API token survives restarts (it lives in the database), so clients resume at once.
expect_ok "api token" kesu token create admin
token=$out

# One client: posts until told to stop; records "number title" for every 201 it receives.
client() {
    local id=$1 i=0 port code body
    while [ ! -e "$T/stop" ]; do
        port=$(cat "$port_file" 2>/dev/null) || continue
        while [ ! -e "$T/stop" ]; do
            i=$((i + 1))
            body=$(curl -s -m 5 -o - -w '\n%{http_code}' -X POST "http://127.0.0.1:$port/api/v1/complaints" \
                -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
                -d "{\"channel\":\"api\",\"customer_name\":\"客户$id\",\"title\":\"断电测试 $id-$i\",\"description\":\"第$i次提交，客户端$id\"}") || break
            code=${body##*$'\n'}
            if [ "$code" = 201 ]; then
                num=$(sed -n 's/.*"number":"\(KS[0-9]*-[0-9]*\)".*/\1/p' <<<"$body")
                echo "$num 断电测试 $id-$i" >>"$T/acked-$id"
            elif [ "$code" = 000 ] || [ "$code" = 503 ]; then
                sleep 0.02
                break
            fi
        done
    done
}

serve
for c in $(seq 1 $clients); do client "$c" & done
for cycle in $(seq 1 "$cycles"); do
    sleep "0.$((RANDOM % 9 + 1))"
    kill -KILL "$server"
    wait "$server" 2>/dev/null || true
    serve
done
sleep 0.5
touch "$T/stop"
wait $(jobs -p | grep -v "^$server$") 2>/dev/null || true
kill -TERM "$server"
wait "$server" 2>/dev/null || true

cat "$T"/acked-* >"$T/acked" 2>/dev/null || true
acked=$(wc -l <"$T/acked")
checks=$((checks + 1))
[ "$acked" -gt 20 ] || fail "too few acknowledged registrations to mean anything: $acked"

expect_ok "list everything" kesu list --all --limit 100000
stored=$(grep -c '^KS' <<<"$out" || true)
checks=$((checks + 1))
[ "$stored" -ge "$acked" ] || fail "$acked acknowledged but only $stored stored"

# Every acknowledged complaint is present with the title it was acknowledged with.
missing=0
while read -r num title; do
    if ! grep -q "^$num .*$title\$" <<<"$out"; then
        missing=$((missing + 1))
        [ $missing -le 5 ] && echo "missing or changed: $num $title" >&2
    fi
done <"$T/acked"
checks=$((checks + 1))
[ "$missing" -eq 0 ] || fail "$missing acknowledged complaints missing or changed"

# Numbers unique and, per day, 1..N without gaps.
nums=$(grep -o '^KS[0-9]*-[0-9]*' <<<"$out" | sort)
checks=$((checks + 1))
[ -z "$(uniq -d <<<"$nums")" ] || fail "duplicate numbers: $(uniq -d <<<"$nums" | head -3)"
for day in $(cut -c1-10 <<<"$nums" | sort -u); do
    n=$(grep -c "^$day-" <<<"$nums")
    max=$(grep "^$day-" <<<"$nums" | sed 's/.*-0*//' | sort -n | tail -1)
    checks=$((checks + 1))
    [ "$n" -eq "$max" ] || fail "numbers of $day have gaps: $n numbers, highest $max"
done

checks=$((checks + 1))
if command -v sqlite3 >/dev/null; then
    ic=$(sqlite3 "$KESU_DB" 'PRAGMA integrity_check;')
    [ "$ic" = ok ] || fail "integrity check: $ic"
fi
# Every complaint's history still verifies against its hash chain after the kills.
expect_ok "kesu verify after the crashes" kesu verify
echo "crash test: $cycles SIGKILL cycles, $acked acknowledged, $stored stored" >&2
finish
