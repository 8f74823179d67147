-- kesu schema 1 (SQLite). Times are INTEGER unix seconds (UTC); enumerations are TEXT codes
-- from src/core/types.c (NULL for "none"); money is INTEGER fen. The complaints columns are
-- the `column` names of complaint_fields[] in src/core/complaint.c, in the same order.
-- Applied by store_migrate() inside one transaction; schema_version is kept by the migrator.

CREATE TABLE complaints (
    id                          INTEGER PRIMARY KEY,
    number                      TEXT NOT NULL UNIQUE,
    received_at                 INTEGER NOT NULL,
    channel                     TEXT NOT NULL,
    customer_name               TEXT,
    customer_phone              TEXT,
    customer_email              TEXT,
    customer_org                TEXT,
    customer_code               TEXT,
    product                     TEXT,
    model                       TEXT,
    batch_no                    TEXT,
    order_no                    TEXT,
    delivered                   INTEGER,
    defective                   INTEGER,
    title                       TEXT,
    description                 TEXT,
    category                    TEXT,
    defect                      TEXT,
    severity                    TEXT,
    urgent                      INTEGER NOT NULL DEFAULT 0,
    response_level              INTEGER,
    status                      TEXT NOT NULL,
    first_responder             TEXT,
    assignee                    TEXT,
    department                  TEXT,
    responsibility_party        TEXT,
    responsibility_department   TEXT,
    responsibility_root_cause   TEXT,
    plan                        TEXT,
    approval_by                 TEXT,
    approval_at                 INTEGER,
    approval_note               TEXT,
    reply                       TEXT,
    compensation_amount         INTEGER NOT NULL DEFAULT 0,
    compensation_kind           TEXT,
    compensation_agreement      TEXT,
    satisfaction_score          INTEGER,
    satisfaction_comment        TEXT,
    satisfaction_waived_reason  TEXT,
    duplicate_of                TEXT,
    related                     TEXT,
    incident                    TEXT,
    created_at                  INTEGER,
    updated_at                  INTEGER,
    version                     INTEGER NOT NULL DEFAULT 1
);

-- One index per list filter of struct complaint_filter; received_at doubles as the sort key
-- (ties broken by id, which SQLite keeps in every index).
CREATE INDEX complaints_status ON complaints(status, received_at);
CREATE INDEX complaints_severity ON complaints(severity, received_at);
CREATE INDEX complaints_category ON complaints(category, received_at);
CREATE INDEX complaints_channel ON complaints(channel, received_at);
CREATE INDEX complaints_assignee ON complaints(assignee, received_at);
CREATE INDEX complaints_department ON complaints(department, received_at);
CREATE INDEX complaints_customer_code ON complaints(customer_code, received_at);
CREATE INDEX complaints_customer_name ON complaints(customer_name, received_at);
CREATE INDEX complaints_product ON complaints(product, received_at);
CREATE INDEX complaints_received_at ON complaints(received_at);

-- Full-text search over title and description. The trigram tokenizer indexes every run of
-- three characters, so Chinese text (which has no spaces between words) is searchable by any
-- substring of three or more characters; shorter queries fall back to LIKE in sqlite.c.
CREATE VIRTUAL TABLE complaints_fts USING fts5(
    title, description, content = 'complaints', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER complaints_fts_insert AFTER INSERT ON complaints BEGIN
    INSERT INTO complaints_fts(rowid, title, description)
    VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER complaints_fts_delete AFTER DELETE ON complaints BEGIN
    INSERT INTO complaints_fts(complaints_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
END;
CREATE TRIGGER complaints_fts_update AFTER UPDATE OF title, description ON complaints BEGIN
    INSERT INTO complaints_fts(complaints_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO complaints_fts(rowid, title, description)
    VALUES (new.id, new.title, new.description);
END;

-- The timeline: append-only (no UPDATE or DELETE is ever issued by kesu).
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT,
    note         TEXT,
    details      TEXT CHECK (details IS NULL OR json_valid(details))
);
CREATE INDEX events_complaint ON events(complaint_id, at);

-- Stage clocks (struct stage_deadline with its struct stage_clock flattened).
CREATE TABLE stage_deadlines (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    stage        TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    period_unit  TEXT NOT NULL,
    period_n     INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    paused_at    INTEGER,
    paused_secs  INTEGER NOT NULL DEFAULT 0,
    extended     INTEGER NOT NULL DEFAULT 0,
    met_at       INTEGER,
    rule         TEXT,
    breached     INTEGER NOT NULL DEFAULT 0,
    warned       INTEGER NOT NULL DEFAULT 0,
    escalated    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stage_deadlines_complaint ON stage_deadlines(complaint_id, started_at);
-- Only running clocks: the sweeper and the overdue list find due complaints without a scan.
CREATE INDEX stage_deadlines_open_due ON stage_deadlines(due_at) WHERE met_at IS NULL;

CREATE TABLE departments (
    id     INTEGER PRIMARY KEY,
    code   TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    parent TEXT REFERENCES departments(code) ON UPDATE CASCADE,
    head   TEXT
);
CREATE INDEX departments_parent ON departments(parent);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT,
    role          TEXT NOT NULL,
    department    TEXT,
    phone         TEXT,
    email         TEXT,
    password_hash TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER,
    version       INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The last complaint sequence number handed out per local day ("2026-11-28").
CREATE TABLE number_seq (
    day  TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
