-- kesu schema 2 (SQLite): what the HTTP API needs to remember across requests and nodes.
-- Sessions and API tokens keep only the SHA-256 of the token; idempotency keys keep the first
-- response so a retried registration returns it; failed logins are counted for throttling.

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE, -- hex SHA-256 of the bearer token
    csrf        TEXT,                 -- the CSRF token a cookie session must echo, or NULL
    login       TEXT NOT NULL,
    kind        TEXT NOT NULL,        -- 'session' (login) or 'api' (kesu token create)
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,              -- NULL: until revoked
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_login ON sessions(login);

CREATE TABLE idempotency_keys (
    login       TEXT NOT NULL,
    key         TEXT NOT NULL,
    body_hash   TEXT NOT NULL, -- hex SHA-256 of the request body
    status      INTEGER NOT NULL,
    response    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (login, key)
);

CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    login  TEXT NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);
