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
expect_exit 64 "unknown argument" kesu verify extra
finish
