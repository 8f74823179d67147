#!/usr/bin/env bash
# Two `kesu serve` nodes on one PostgreSQL database (issue 8), each with its own sweeper and
# deliverer running every second: registrations from 8 parallel clients through both nodes,
# concurrent edits of the same complaints with If-Match through both, the same Idempotency-Key
# sent to both at once, incidents declared through both at once, two preset uploads at once
# (one wins, the other node follows it), and overdue complaints that
# both sweepers see at the same moment. Then checked in the database: complaint numbers unique
# and gap-free per day, no lost update (the final version is 1 + the accepted edits, each
# accepted edit in the timeline), each breach and each escalation step recorded once, each
# in-app notification and each outbox message once, and each message delivered once over a
# command channel that writes one file per message.
# Needs the pg fixture's server ($KS_PG_URL_FILE); without it the test is skipped (exit 77).
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

if [ -z "${KS_PG_URL_FILE:-}" ] || [ ! -s "$KS_PG_URL_FILE" ]; then
    echo "skipped: no PostgreSQL server (the pg fixture writes its URL to \$KS_PG_URL_FILE)"
    exit 77
fi
for tool in psql jq curl; do
    command -v $tool >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done

server=$(head -n 1 "$KS_PG_URL_FILE")
name=kesu_nodes_$$
export KESU_DB
KESU_DB=$(sed -E "s#^(postgres(ql)?://[^/?]*)/[^?]*#\\1/$name#" <<<"$server")
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    psql -q "$server" -c "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT
sql() { psql -qAtX "$KESU_DB" -c "$1"; }
# Runs FUNCTION 1 .. N at once in the background and waits for all of them.
fan_out() {
    local n=$1 f=$2 i pids=()
    for i in $(seq 1 "$n"); do
        "$f" "$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
}

# The generic preset plus a command channel writing each message to a file of its own, so two
# deliverers writing at once cannot mix messages up.
mkdir "$T/sent"
cp "$SRC/presets/generic.yaml" "$T/preset.yaml"
cat >>"$T/preset.yaml" <<YAML
channels:
  - {name: box, kind: command, command: [/bin/sh, -c, 'cat >"\$(mktemp $T/sent/m.XXXXXX)"'], timeout: 10}
YAML
expect_ok "create database" psql -q "$server" -c "CREATE DATABASE $name"
expect_ok "init" kesu init --preset "$T/preset.yaml" --admin-password 'two-nodes-2026'
expect_ok "leader" kesu user add zhang --name 张组长 --role leader --password 'leader-pass-2026'
expect_ok "handler" kesu user add li --name 李处理 --role handler --password 'handler-pass-2026'

# Overdue complaints: registered 20 days before the wall clock the nodes' sweepers use, so the
# breach and all four escalation steps of the generic preset are due. Ten are there before the
# nodes start (both sweepers meet them in their first round), ten more arrive while they run.
past=$(date -u -d '20 days ago' +%Y-%m-%dT%H:%M:%S+00:00)
add_overdue() {
    KESU_NOW=$past kesu add --channel phone --customer_name "逾期客户$1" --assignee li \
        --title '宽带网速慢' --description "家里宽带网速很慢（第$1件）" >/dev/null 2>>"$T/add.err"
}
for i in $(seq 1 10); do
    add_overdue "$i" || fail "overdue complaint $i: $(cat "$T/add.err")"
done

# ---- two nodes -----------------------------------------------------------------------------
ports=()
for n in 1 2; do
    KESU_SWEEP_INTERVAL=1 "$KESU" serve --listen 127.0.0.1:0 --threads 4 >"$T/serve$n.out" \
        2>"$T/serve$n.log" &
    pids+=($!)
done
for n in 1 2; do
    port=$(wait_port "$T/serve$n.out" "$T/serve$n.log") || exit 1
    ports+=("$port")
done
node() { echo "http://127.0.0.1:${ports[$(($1 % 2))]}/api/v1"; }

token=$(curl -sf -X POST "$(node 0)/sessions" -H 'Content-Type: application/json' \
    -d '{"login":"admin","password":"two-nodes-2026"}' | jq -r .token)
checks=$((checks + 1))
[ -n "$token" ] && [ "$token" != null ] || fail "login on node 1"
auth=(-H "Authorization: Bearer $token")
checks=$((checks + 1))
[ "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$(node 1)/me")" = 200 ] ||
    fail "a session made on node 1 is good on node 2"

# ---- concurrent registrations: 8 clients, 40 each, alternating between the nodes -----------
register() {
    local w=$1 i code
    for i in $(seq 1 40); do
        code=$(curl -s -o "$T/reg.$w.body" -w '%{http_code}' -X POST \
            "$(node $((w + i)))/complaints" "${auth[@]}" -H 'Content-Type: application/json' \
            -d "{\"channel\":\"api\",\"customer_name\":\"客户$w-$i\",\"title\":\"账单金额有误\",\
\"description\":\"本月账单多扣费（客户端$w 第$i次）\"}")
        echo "$code $(jq -r '.number // .detail' "$T/reg.$w.body")" >>"$T/reg.$w"
    done
}
workers=()
for w in $(seq 1 8); do
    register "$w" &
    workers+=($!)
done
for i in $(seq 11 20); do
    add_overdue "$i" &
    workers+=($!)
done
wait "${workers[@]}"
cat "$T"/reg.[1-8] >"$T/reg"
created=$(grep -c '^201 ' "$T/reg" || true)
checks=$((checks + 1))
[ "$created" -eq 320 ] ||
    fail "320 registrations answered 201, got $created: $(grep -v '^201 ' "$T/reg" | sort | uniq -c)"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM complaints WHERE channel = 'api'")" -eq "$created" ] ||
    fail "every 201 is a stored complaint"
for n in 1 2; do
    checks=$((checks + 1))
    [ "$(grep -c '^POST /api/v1/complaints 201 ' "$T/serve$n.log")" -ge 100 ] ||
        fail "node $n took its share of the registrations"
done
# The 320 are alike (same category, shared words), so the surge rule fires on both nodes at
# once: one incident opens and the rest join it, none refused.
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM incidents WHERE key IS NOT NULL")" -eq 1 ] ||
    fail "one surge incident for the alike registrations: $(sql "SELECT code, key FROM incidents")"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM complaints WHERE channel = 'api' AND incident IS NULL")" -eq 0 ] ||
    fail "every alike registration joined the surge incident"
checks=$((checks + 1))
twice=$(sql "SELECT complaint_id FROM events WHERE kind = 'incident'
             GROUP BY complaint_id HAVING count(*) > 1")
[ -z "$twice" ] || fail "each complaint is put in the incident once: $twice"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM complaints WHERE channel = 'phone'")" -eq 20 ] ||
    fail "the 20 overdue complaints are stored: $(cat "$T/add.err")"

# The same Idempotency-Key through both nodes at once: one complaint, and both answers carry it
# (the node that loses the race on storing the key rolls back and replays the winner's answer).
idem() {
    curl -s -w '\n%{http_code}\n' -X POST "$(node "$1")/complaints" "${auth[@]}" \
        -H 'Content-Type: application/json' -H 'Idempotency-Key: nodes-order-42' \
        -d '{"channel":"api","customer_name":"幂等客户","title":"重复提交","description":"同一请求发到两个节点"}' \
        >"$T/idem.$1"
}
fan_out 2 idem
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM complaints WHERE customer_name = '幂等客户'")" -eq 1 ] ||
    fail "one Idempotency-Key on two nodes stores one complaint"
for n in 1 2; do
    checks=$((checks + 1))
    grep -qx 201 <(tail -n 1 "$T/idem.$n") ||
        fail "a request with the key through node $n is answered 201: $(cat "$T/idem.$n")"
done
answer() { head -n 1 "$T/idem.$1" | jq -r '.number // .detail'; }
checks=$((checks + 1))
[ "$(answer 1)" = "$(answer 2)" ] ||
    fail "both answers to one Idempotency-Key name one complaint: $(answer 1) / $(answer 2)"

# Incidents declared at the same moment through both nodes: each is accepted with a code of its
# own (the day's count is taken under an advisory lock held to the end of the transaction).
declare_incident() {
    curl -s -o "$T/inc.$1.body" -w '%{http_code}\n' -X POST "$(node "$1")/incidents" "${auth[@]}" \
        -H 'Content-Type: application/json' -d "{\"title\":\"门店停电$1\",\"level\":2}" >"$T/inc.$1"
}
fan_out 8 declare_incident
declared=$(cat "$T"/inc.[1-8] | grep -c '^201$' || true)
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM incidents WHERE title LIKE '门店停电%'")" -eq "$declared" ] ||
    fail "every 201 of a declaration is a stored incident"
checks=$((checks + 1))
[ -z "$(sql "SELECT code FROM incidents GROUP BY code HAVING count(*) > 1")" ] ||
    fail "incident codes are unique"
checks=$((checks + 1))
[ "$declared" -eq 8 ] ||
    fail "8 concurrent declarations accepted, got $declared:" \
        "$(cat "$T"/inc.*.body | jq -r 'select(.detail) | .detail' | sort | uniq -c | head -2)"

# ---- concurrent edits with If-Match: read on one node, write through the other -------------
mapfile -t targets < <(grep '^201 ' "$T/reg.1" | head -n 4 | cut -d' ' -f2)
edit() {
    local w=$1 i num etag code
    for i in $(seq 1 12); do
        num=${targets[$((i % ${#targets[@]}))]}
        etag=$(curl -s -D - -o /dev/null "${auth[@]}" "$(node "$i")/complaints/$num" |
            sed -n 's/^ETag: *\("[0-9]*"\).*/\1/ip' | tr -d '\r')
        code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH \
            "$(node $((i + 1)))/complaints/$num" "${auth[@]}" \
            -H 'Content-Type: application/json' -H "If-Match: $etag" \
            -d "{\"model\":\"W$w-$i\"}")
        echo "$num $code W$w-$i" >>"$T/edit.$w"
    done
}
fan_out 8 edit
cat "$T"/edit.[1-8] >"$T/edit"
checks=$((checks + 1))
others=$(awk '$2 != 200 && $2 != 409 && $2 != 412' "$T/edit")
[ -z "$others" ] || fail "an edit is accepted (200) or refused as stale (409/412): $others"
for num in "${targets[@]}"; do
    ok=$(awk -v n="$num" '$1 == n && $2 == 200' "$T/edit" | wc -l)
    checks=$((checks + 1))
    [ "$ok" -ge 1 ] || fail "$num: at least one concurrent edit goes through"
    checks=$((checks + 1))
    version=$(sql "SELECT version FROM complaints WHERE number = '$num'")
    [ "$version" -eq $((1 + ok)) ] ||
        fail "$num: no lost update: version $version after $ok accepted edits, not $((1 + ok))"
    # Every accepted edit is in the timeline, each once, in order of versions.
    sql "SELECT details::json->'changed'->'model'->>'to' FROM events e JOIN complaints c
         ON c.id = e.complaint_id WHERE c.number = '$num' AND e.kind = 'edit'" | sort >"$T/seen"
    awk -v n="$num" '$1 == n && $2 == 200 {print $3}' "$T/edit" | sort >"$T/accepted"
    checks=$((checks + 1))
    cmp -s "$T/seen" "$T/accepted" ||
        fail "$num: the timeline holds exactly the accepted edits: $(diff "$T/accepted" "$T/seen" | head -5)"
    last=$(sql "SELECT model FROM complaints WHERE number = '$num'")
    checks=$((checks + 1))
    grep -qxF -- "$last" "$T/accepted" || fail "$num: the stored model '$last' is an accepted edit"
done
stale=$(awk '$2 == 409 || $2 == 412' "$T/edit" | wc -l)
echo "edits: $(awk '$2 == 200' "$T/edit" | wc -l) accepted, $stale refused as stale"

# ---- a preset upload: one of eight at once wins, and the other node follows it -------------
# All uploads are based on the same version; each after the first to commit must see it and
# be refused (412) instead of several becoming the next version. The node that lost has the old
# version in memory until its background round reads the new one (every 5 s): a judgement
# there must use the new keyword within a few rounds, without a restart or a preset request.
classify() {
    curl -s -X POST "$(node "$1")/classify" "${auth[@]}" -H 'Content-Type: application/json' \
        -d '{"title":"他们一直踢皮球"}' | jq -r .category
}
version=$(curl -s "${auth[@]}" "$(node 0)/presets/current" | jq -r .version)
sed 's/联系不上\]/联系不上, 踢皮球]/' "$T/preset.yaml" >"$T/preset2.yaml"
checks=$((checks + 1))
[ "$(classify 1)" != service ] && [ "$(classify 0)" != service ] ||
    fail "踢皮球 is not a service keyword before the upload"
upload() {
    jq -Rs --arg note "node $1" '{yaml: ., note: $note}' "$T/preset2.yaml" |
        curl -s -o "$T/up.$1.body" -w '%{http_code}\n' -X PUT "$(node "$1")/presets/current" \
            "${auth[@]}" -H 'Content-Type: application/json' -H "If-Match: \"$version\"" \
            --data-binary @- >"$T/up.$1"
}
fan_out 8 upload
checks=$((checks + 1))
answers=$(cat "$T"/up.[1-8] | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')
[ "$answers" = "1x200 7x412 " ] ||
    fail "8 uploads on one version: one 200 and seven 412, got $(cat "$T"/up.[1-8] | tr '\n' ' ')"
checks=$((checks + 1))
[ "$(sql "SELECT value FROM settings WHERE key = 'preset_version'")" -eq $((version + 1)) ] ||
    fail "the preset version went up by one"
loser=$(($(grep -l '^200$' "$T"/up.[1-8] | sed 's/.*up\.//') + 1))
for _ in $(seq 40); do
    [ "$(classify "$loser")" = service ] && break
    sleep 0.5
done
checks=$((checks + 1))
[ "$(classify "$loser")" = service ] || fail "the other node follows the upload without a restart"

# ---- the sweepers: wait until both have nothing left to do, then stop the nodes -----------
for _ in $(seq 60); do
    left=$(sql "SELECT (SELECT count(*) FROM stage_deadlines d JOIN complaints c
                        ON c.id = d.complaint_id WHERE c.channel = 'phone' AND d.escalated < 4)
                     + (SELECT count(*) FROM outbox WHERE status = 'pending')")
    [ "$left" -eq 0 ] && break
    sleep 0.5
done
checks=$((checks + 1))
[ "$left" -eq 0 ] || fail "the sweepers and deliverers finish their work ($left left)"
for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
done
pids=()
checks=$((checks + 1))
grep -hE '^kesu: (sweep|delivery):' "$T"/serve[12].log >"$T/bg.err" || true
[ ! -s "$T/bg.err" ] || fail "no failed sweep or delivery round: $(sort "$T/bg.err" | uniq -c | head -5)"

# ---- numbers -------------------------------------------------------------------------------
checks=$((checks + 1))
dups=$(sql "SELECT number FROM complaints GROUP BY number HAVING count(*) > 1")
[ -z "$dups" ] || fail "no duplicate complaint number: $dups"
checks=$((checks + 1))
gaps=$(sql "SELECT substr(number, 1, 10) || ': ' || count(*) || ' numbers up to ' ||
                   max(substr(number, 12)::int)
            FROM complaints GROUP BY substr(number, 1, 10)
            HAVING count(*) <> max(substr(number, 12)::int)
                OR count(DISTINCT substr(number, 12)::int) <> count(*)")
[ -z "$gaps" ] || fail "numbers of each day run 1..n without a gap: $gaps"
checks=$((checks + 1))
seq_bad=$(sql "SELECT s.day FROM number_seq s WHERE s.last <> (SELECT count(*) FROM complaints
               WHERE substr(number, 3, 8) = replace(s.day, '-', ''))")
[ -z "$seq_bad" ] || fail "number_seq agrees with the complaints of the day: $seq_bad"

# ---- breaches, escalations, notifications, messages -----------------------------------------
checks=$((checks + 1))
twice=$(sql "SELECT c.number || ' ' || e.kind || ' step ' || (e.details::json->>'step') || ': ' ||
                    count(*)
             FROM events e JOIN complaints c ON c.id = e.complaint_id
             WHERE e.kind IN ('warning', 'breach', 'escalated')
             GROUP BY c.number, e.kind, e.details::json->>'stage', e.details::json->>'whole',
                      e.details::json->>'step'
             HAVING count(*) > 1")
[ -z "$twice" ] || fail "each breach and escalation step is recorded once: $twice"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM events WHERE kind = 'breach'")" -eq 20 ] ||
    fail "one breach per overdue complaint: $(sql "SELECT count(*) FROM events WHERE kind = 'breach'")"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM events WHERE kind = 'escalated'")" -eq 80 ] ||
    fail "four escalation steps per overdue complaint: $(sql "SELECT count(*) FROM events WHERE kind = 'escalated'")"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM stage_deadlines WHERE breached AND escalated = 4")" -eq 20 ] ||
    fail "the stage clocks record the breach and four steps"
checks=$((checks + 1))
twice=$(sql "SELECT login || ' ' || title || ': ' || count(*) FROM notifications
             GROUP BY login, kind, complaint_id, title HAVING count(*) > 1")
[ -z "$twice" ] || fail "each in-app notification once: $twice"
checks=$((checks + 1))
twice=$(sql "SELECT recipient || ' ' || subject || ': ' || count(*) FROM outbox
             GROUP BY channel, recipient, template, complaint_id, subject, body HAVING count(*) > 1")
[ -z "$twice" ] || fail "each outbox message once: $twice"
queued=$(sql "SELECT count(*) FROM outbox")
checks=$((checks + 1))
[ "$queued" -ge 60 ] || fail "breach and steps to li, zhang and admin are queued: $queued"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1")" -eq "$queued" ] ||
    fail "every message sent at the first attempt: $(sql "SELECT status, attempts, count(*) FROM outbox GROUP BY 1, 2")"
checks=$((checks + 1))
files=$(find "$T/sent" -type f | wc -l)
[ "$files" -eq "$queued" ] || fail "each message delivered once: $files deliveries of $queued messages"
checks=$((checks + 1))
dup=$(cat "$T"/sent/* | jq -c . | sort | uniq -d | head -3)
[ -z "$dup" ] || fail "no message delivered twice: $dup"

finish
