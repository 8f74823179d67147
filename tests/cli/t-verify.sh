#!/usr/bin/env bash
# kesu verify: every event is chained to the one before it in its complaint; editing, removing
# or unhashing an event with sqlite3 behind kesu's back is found and named (complaint number,
# event id, what differs) with exit 65; events from before the chain began are reported as such.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 shell not installed"; exit 0; }
sql() { sqlite3 "$KESU_DB" "$@"; }

expect_ok "init" kesu init --preset generic --admin-password 'verify-2026-chain'
for i in 1 2 3; do
    expect_ok "add $i" kesu add --channel phone --customer_name "客户$i" --title "投诉 $i"
done
expect_ok "accept 2" kesu move KS20260928-0002 accepted --note '已受理'
expect_ok "comment 2" kesu comment KS20260928-0002 '已电话联系'
expect_ok "comment 2 again" kesu comment KS20260928-0002 '客户确认'

expect_ok "a fresh database verifies" kesu verify
expect_match "all chained" "$out" "^verify ok: 3 complaints, [0-9]+ events: [0-9]+ chained, 0 unchained"
expect_match "every event has a 64-digit hash" "$(sql "SELECT count(*) FROM events WHERE length(hash) = 64") / $(sql "SELECT count(*) FROM events")" '^([0-9]+) / \1$'

# The database as migration 5 leaves an older one: its events have no hash and
# event_chain_after names the last of them. They are reported as unchained, not broken, and
# each complaint's chain starts at its next event.
old=$(sql "SELECT count(*) FROM events")
sql "UPDATE events SET hash = NULL; UPDATE settings SET value = (SELECT max(id) FROM events) WHERE key = 'event_chain_after'"
expect_ok "old events are unchained, not broken" kesu verify
expect_match "all unchained" "$out" " 0 chained, $old unchained \(written before the chain began\), 0 complaints"
for note in 回访一 回访二 回访三 回访四; do
    expect_ok "comment $note" kesu comment KS20260928-0002 "$note"
done
expect_ok "comment on 1" kesu comment KS20260928-0001 '补充材料'
expect_ok "chains start after the old events" kesu verify
expect_match "new events chained" "$out" " 5 chained, $old unchained"

cp "$KESU_DB" "$T/clean.db"
ids=($(sql "SELECT id FROM events WHERE complaint_id = 2 AND hash IS NOT NULL ORDER BY id"))
[ "${#ids[@]}" -eq 4 ] || fail "complaint 2 should have 4 chained events, has ${#ids[@]}"

# A changed note.
sql "UPDATE events SET note = '客户不满意' WHERE id = ${ids[2]}"
expect_exit 65 "a changed note is found" kesu verify
expect_match "names the complaint and the event" "$out" "BROKEN KS20260928-0002 event #${ids[2]} "
expect_match "says what differs" "$out" "stored hash: +[0-9a-f]{64}"
expect_match "computed differs" "$out" "computed hash: +[0-9a-f]{64}"
expect_match "explains" "$out" "changed after it was written"
expect_match "summary" "$out" "^verify FAILED: .* 1 complaints with a broken link"

# A removed event in the middle of a chain.
cp "$T/clean.db" "$KESU_DB"; rm -f "$KESU_DB-wal" "$KESU_DB-shm"
sql "DELETE FROM events WHERE id = ${ids[1]}"
expect_exit 65 "a removed event is found" kesu verify
expect_match "the event after the gap is named" "$out" "BROKEN KS20260928-0002 event #${ids[2]} "
expect_match "a removal is one explanation" "$out" "removed"

# A hash removed after the chain began.
cp "$T/clean.db" "$KESU_DB"; rm -f "$KESU_DB-wal" "$KESU_DB-shm"
sql "UPDATE events SET hash = NULL WHERE id = ${ids[3]}"
expect_exit 65 "a removed hash is found" kesu verify
expect_match "names the unhashed event" "$out" "BROKEN KS20260928-0002 event #${ids[3]} "
expect_match "says the hash was removed" "$out" "its hash was removed"

# A rewritten hash (a new, self-consistent hash is still caught by the next event).
cp "$T/clean.db" "$KESU_DB"; rm -f "$KESU_DB-wal" "$KESU_DB-shm"
sql "UPDATE events SET hash = '$(printf '0%.0s' {1..64})' WHERE id = ${ids[1]}"
expect_exit 65 "a rewritten hash is found" kesu verify
expect_match "names it" "$out" "BROKEN KS20260928-0002 event #${ids[1]} "

cp "$T/clean.db" "$KESU_DB"; rm -f "$KESU_DB-wal" "$KESU_DB-shm"
expect_ok "the untouched copy still verifies" kesu verify

# Heads kept outside the database catch what the chain alone cannot: a removed last event, and
# an edit whose link was recomputed with the documented encoding (done here in the shell).
expect_ok "write the heads" kesu verify --heads "$T/heads"
expect_match "one head per complaint with a chained event" "$(wc -l <"$T/heads")" '^ *2$'
expect_ok "the heads match at once" kesu verify --against "$T/heads"
last=$(sql "SELECT max(id) FROM events WHERE complaint_id = 2")
sql "DELETE FROM events WHERE id = $last"
expect_ok "a removed last event leaves a chain that holds" kesu verify
expect_exit 65 "but not against the heads" kesu verify --against "$T/heads"
expect_match "names the missing event" "$out" "MISSING KS20260928-0002 event #$last "

# field NAME COLUMN ID: one line of the canonical encoding (docs/reliability.md).
field() {
    if [ "$(sql "SELECT $2 IS NULL FROM events WHERE id = $3")" = 1 ]; then
        printf '%s=-\n' "$1"
    else
        local v
        v=$(sql "SELECT $2 FROM events WHERE id = $3")
        printf '%s=%d:%s\n' "$1" "$(printf '%s' "$v" | wc -c)" "$v"
    fi
}
cp "$T/clean.db" "$KESU_DB"; rm -f "$KESU_DB-wal" "$KESU_DB-shm"
e=$(sql "SELECT max(id) FROM events WHERE complaint_id = 1")
sql "UPDATE events SET note = '材料已退回' WHERE id = $e"
link=$({ printf 'kesu-event-v1\nprev=-\n'; printf 'number=15:KS20260928-0001\n'
         printf 'at=%s\n' "$(sql "SELECT at FROM events WHERE id = $e")"
         field actor actor "$e"; field kind kind "$e"; field from from_state "$e"
         field to to_state "$e"; field note note "$e"; field details details "$e"; } | sha256sum | cut -c1-64)
sql "UPDATE events SET hash = '$link' WHERE id = $e"
expect_ok "a recomputed link passes the chain check" kesu verify
expect_exit 65 "but not against the heads" kesu verify --against "$T/heads"
expect_match "names the changed event" "$out" "CHANGED KS20260928-0001 event #$e: "
expect_exit 66 "a missing heads file" kesu verify --against "$T/no-heads"
expect_exit 64 "unknown argument" kesu verify extra
finish
