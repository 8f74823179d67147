-- kesu schema 3 (SQLite): deadlines in motion (issue 5). The sweeper finds work through
-- stage_deadlines.next_action_at (the instant the next warning, breach or escalation step of
-- a running clock falls due; NULL while paused) with a partial index over running clocks, so
-- a sweep reads only the due rows, never every open complaint. `whole` marks the
-- whole-complaint limit (the bank's 15 days) kept beside the stage clocks. The outbox is
-- written in the transaction of the event that causes each message; the deliverer takes due
-- rows and records every outcome. In-app notifications are per user. Incidents group
-- complaints, with their own timeline.

ALTER TABLE stage_deadlines ADD COLUMN whole INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stage_deadlines ADD COLUMN next_action_at INTEGER;
UPDATE stage_deadlines SET next_action_at = started_at
    WHERE met_at IS NULL AND paused_at IS NULL;
CREATE INDEX stage_deadlines_next_action ON stage_deadlines(next_action_at)
    WHERE met_at IS NULL;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    channel         TEXT NOT NULL,  -- the preset channel's name
    recipient       TEXT NOT NULL,  -- login, e-mail address or phone number
    template        TEXT,           -- ack, reply, escalation, emergency ...
    subject         TEXT,
    body            TEXT NOT NULL,
    payload         TEXT CHECK (payload IS NULL OR json_valid(payload)),
    complaint_id    INTEGER REFERENCES complaints(id),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    status          TEXT NOT NULL,  -- pending, sent, failed
    last_error      TEXT,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_created ON outbox(created_at);

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    login        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT,
    complaint_id INTEGER REFERENCES complaints(id),
    number       TEXT,
    is_read      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_login ON notifications(login, created_at);

CREATE TABLE incidents (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE, -- INC20261129-01
    title      TEXT NOT NULL,
    level      INTEGER NOT NULL,
    owner      TEXT,
    status     TEXT NOT NULL,        -- open, closed
    key        TEXT,                 -- surge key ("rule|field=value"); NULL when declared
    created_at INTEGER NOT NULL,
    closed_at  INTEGER
);
-- One open incident per surge key, even with many writers.
CREATE UNIQUE INDEX incidents_open_key ON incidents(key) WHERE status = 'open';

CREATE TABLE incident_complaints (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    at           INTEGER NOT NULL,
    PRIMARY KEY (incident_id, complaint_id)
);

CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    note        TEXT,
    details     TEXT CHECK (details IS NULL OR json_valid(details))
);
CREATE INDEX incident_events_incident ON incident_events(incident_id, at);
