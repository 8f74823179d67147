-- kesu schema 5 (SQLite): a tamper-evident timeline and idle sessions.
-- events.hash is each event's chain link: the hex SHA-256 of the previous event's link (in
-- append order, per complaint) and the event's own fields, written by the store when the event
-- is appended (encoding: src/core/event.h event_chain_hash). Events written before this
-- migration have no link; the setting event_chain_after remembers the last of them, so
-- `kesu verify` can tell "before the chain began" from "link removed".
-- sessions.last_seen_at is when a request last used the session (updated at most once a minute
-- per session), for the idle timeout.
ALTER TABLE events ADD COLUMN hash TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
INSERT INTO settings(key, value)
    SELECT 'event_chain_after', CAST(coalesce(max(id), 0) AS TEXT) FROM events;
