/* The PostgreSQL backend (store_pg_ops), for deployments where many `kesu serve` nodes share one
 * database. It behaves as the SQLite backend does (src/store/sqlite.c): the same records, the
 * same error codes and messages, times as BIGINT unix seconds so both return identical data.
 *
 * Connections: a pool of at most pool_size libpq connections per struct store; a transaction
 * borrows one until it ends. Read transactions are REPEATABLE READ READ ONLY (one snapshot, as
 * a SQLite read transaction is); write transactions are READ COMMITTED, named explicitly so a
 * server default of SERIALIZABLE cannot turn numbering into retry storms. A connection found
 * broken is closed when its transaction ends, and a transaction that starts on a pooled
 * connection which died while idle (server restart, fail-over) silently retries on a new one,
 * so the pool heals on the next transaction. lock_timeout is the store's busy timeout, so a
 * writer waiting for a row lock gives up as a SQLite writer waiting for the file lock does.
 *
 * Statements: every value is a bound parameter (PQexecPrepared of statements prepared once
 * per connection, or PQexecParams for the generated list query); never spliced. Messages never
 * carry SQL or the URL (which may hold a password). Numbers per day are one
 * INSERT ... ON CONFLICT (day) DO UPDATE ... RETURNING: it holds the day's row lock until the
 * transaction ends, so numbers stay unique and gap-free across nodes. Inserts with a unique key
 * use ON CONFLICT DO NOTHING so a duplicate is reported as KS_ECONFLICT without aborting the
 * transaction (any other failed statement aborts a PostgreSQL transaction; later calls then
 * say so). Listing runs through a server-side cursor fetched in batches, so a long export
 * needs little memory and other statements may run between rows. Full-text search is ILIKE
 * over title and description: words of 3 or more characters are served by the pg_trgm GIN
 * indexes, shorter ones by the same pattern without the index.
 *
 * Migrations are the embedded files src/store/sql/pg/NNNN-*.sql, applied in order by
 * store_migrate(), each in its own transaction with its schema_version row, under an advisory
 * lock so two migrators on two nodes are safe. Tested by tests/store/test-store-pg.c. */
#include "store/store-int.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/embed.h"
#include "lib/xalloc.h"

#include "lib/banned.h"

#define MIGRATION_DIR   "src/store/sql/pg/"
#define SQL_MAX         (64 * 1024)
#define TEXT_QUERY_MAX  400
#define TEXT_WORDS_MAX  16
#define DEFAULT_BUSY_MS 5000
#define DEFAULT_POOL    4
#define PARAMS_MAX      80
#define FETCH_ROWS      "200"
#define MIGRATE_LOCK    "7235423587412345" /* pg_advisory_xact_lock key of `kesu migrate` */

/* The open clock that ends first, as the CS_DUE_ASC sort key; complaints without an open clock
 * sort last. */
#define DUE_KEY                                                                                    \
    "coalesce((SELECT min(d.due_at) FROM stage_deadlines d"                                        \
    " WHERE d.complaint_id = c.id AND d.met_at IS NULL), 9223372036854775807)"

enum pg_stmt {
    ST_SETTING_GET = 0,
    ST_SETTING_SET,
    ST_NUMBER_NEXT,
    ST_COMPLAINT_INSERT, /* generated */
    ST_COMPLAINT_UPDATE, /* generated */
    ST_COMPLAINT_GET,    /* generated */
    ST_COMPLAINT_VERSION,
    ST_COMPLAINT_CURSOR,
    ST_COMPLAINT_REPEATS,
    ST_DEADLINE_LIST_RECEIVED,
    ST_DEADLINE_LIST_IDS,
    ST_EVENT_INSERT,
    ST_EVENT_CLOSING,
    ST_EVENT_LOCK,
    ST_EVENT_PREV,
    ST_EVENT_LIST,
    ST_EVENT_CHAIN,
    ST_DEADLINE_INSERT,
    ST_DEADLINE_UPDATE,
    ST_DEADLINE_LIST,
    ST_USER_INSERT,
    ST_USER_UPDATE,
    ST_USER_VERSION,
    ST_USER_GET,
    ST_USER_LIST,
    ST_DEPT_INSERT,
    ST_DEPT_UPDATE,
    ST_DEPT_GET,
    ST_DEPT_LIST,
    ST_DEPT_IN_SUBTREE,
    ST_DEPT_WITHIN,
    ST_SESSION_INSERT,
    ST_SESSION_GET,
    ST_SESSION_REVOKE,
    ST_SESSION_REVOKE_LOGIN,
    ST_SESSION_TOUCH,
    ST_LOGIN_FAIL_ADD,
    ST_LOGIN_FAIL_COUNT,
    ST_LOGIN_FAIL_CLEAR,
    ST_IDEM_GET,
    ST_IDEM_PUT,
    ST_DEADLINE_DUE,
    ST_DEADLINE_WHOLE,
    ST_OUTBOX_INSERT,
    ST_OUTBOX_DUE,
    ST_OUTBOX_UPDATE,
    ST_OUTBOX_LIST,
    ST_NOTE_INSERT,
    ST_NOTE_LIST,
    ST_NOTE_READ,
    ST_INC_INSERT,
    ST_INC_UPDATE,
    ST_INC_GET,
    ST_INC_LIST,
    ST_INC_COUNT,
    ST_INC_CODE_LOCK,
    ST_INC_LINK,
    ST_INC_MARK,
    ST_INC_NUMBERS,
    ST_INC_EV_INSERT,
    ST_INC_EV_LIST,
    ST__COUNT
};

#define DL_COLS                                                                                    \
    "complaint_id, stage, started_at, period_unit, period_n, due_at, paused_at, paused_secs,"      \
    " extended, met_at, rule, breached, warned, escalated, whole, next_action_at"
#define DL_COLS_D                                                                                  \
    "complaint_id, d.stage, d.started_at, d.period_unit, d.period_n, d.due_at, d.paused_at,"       \
    " d.paused_secs, d.extended, d.met_at, d.rule, d.breached, d.warned, d.escalated, d.whole,"    \
    " d.next_action_at"
/* next_action_at is NULL for paused or met clocks, else the caller's value or started_at. */
#define DL_NEXT                                                                                    \
    "CASE WHEN $7::bigint IS NULL AND $10::bigint IS NULL"                                         \
    " THEN coalesce($16::bigint, $3::bigint) END"
#define OBX_COLS                                                                                   \
    "id, created_at, channel, recipient, template, subject, body, payload, complaint_id,"          \
    " attempts, next_attempt_at, status, last_error, sent_at"
#define NOTE_COLS "id, login, created_at, kind, title, body, complaint_id, number, is_read"
#define INC_COLS  "id, code, title, level, owner, status, key, created_at, closed_at"
#define USER_COLS "login, name, role, department, phone, email, password_hash, disabled, created_at"

static const char *const fixed_sql[ST__COUNT] = {
    [ST_SETTING_GET] = "SELECT value FROM settings WHERE key = $1",
    [ST_SETTING_SET] = "INSERT INTO settings(key, value) VALUES ($1, $2)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [ST_NUMBER_NEXT] = "INSERT INTO number_seq(day, last) VALUES ($1, 1)"
                       " ON CONFLICT (day) DO UPDATE SET last = number_seq.last + 1 RETURNING last",
    [ST_COMPLAINT_VERSION] = "SELECT version FROM complaints WHERE id = $1",
    [ST_COMPLAINT_CURSOR] =
        "SELECT c.id, c.received_at, " DUE_KEY " FROM complaints c WHERE c.number = $1",
    /* A bitmap OR of complaints_customer_code and complaints_customer_name, both keyed
     * (customer, defect, received_at). */
    [ST_COMPLAINT_REPEATS] = "SELECT count(*) FROM complaints WHERE (customer_code = $1 OR"
                             " customer_name = $1) AND received_at >= $3 AND received_at < $4"
                             " AND defect = $2 AND status <> 'merged'",
    /* The same shape as on SQLite: the period's ids, then only the columns a report judges. */
    [ST_DEADLINE_LIST_RECEIVED] =
        "SELECT d.complaint_id, d.stage, d.started_at, d.due_at, d.paused_at, d.met_at,"
        " d.breached FROM stage_deadlines d WHERE d.complaint_id IN (SELECT id FROM complaints"
        " WHERE received_at >= $1 AND received_at < $2) AND NOT d.whole"
        " ORDER BY d.complaint_id, d.started_at, d.id",
    [ST_DEADLINE_LIST_IDS] =
        "SELECT d.complaint_id, d.stage, d.started_at, d.due_at, d.paused_at, d.met_at,"
        " d.breached FROM stage_deadlines d WHERE d.complaint_id BETWEEN $1 AND $2"
        " AND NOT d.whole ORDER BY d.complaint_id, d.started_at, d.id",
    [ST_EVENT_INSERT] = "INSERT INTO events(complaint_id, at, actor, kind, from_state, to_state,"
                        " note, details, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        " RETURNING id",
    [ST_EVENT_CLOSING] = "UPDATE complaints SET closed_at = $2, reopened = reopened + $3"
                         " WHERE id = $1",
    /* Appends to one complaint's chain queue here until the transaction ends; NO KEY UPDATE is
     * the lock an UPDATE of the complaint takes, and it does not block foreign-key checks. */
    [ST_EVENT_LOCK] = "SELECT number FROM complaints WHERE id = $1 FOR NO KEY UPDATE",
    /* Run after the lock, so (read committed) it sees every append committed before. */
    [ST_EVENT_PREV] = "SELECT hash FROM events WHERE id ="
                      " (SELECT max(id) FROM events WHERE complaint_id = $1)",
    [ST_EVENT_LIST] = "SELECT id, complaint_id, at, actor, kind, from_state, to_state, note,"
                      " details FROM events WHERE complaint_id = $1 ORDER BY at, id",
    [ST_EVENT_CHAIN] = "SELECT id, complaint_id, at, actor, kind, from_state, to_state, note,"
                       " details, hash FROM events WHERE complaint_id = $1 ORDER BY id",
    [ST_DEADLINE_INSERT] =
        "INSERT INTO stage_deadlines(" DL_COLS ") VALUES ($1, $2, $3, $4, $5,"
        " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, " DL_NEXT ") RETURNING id",
    [ST_DEADLINE_UPDATE] = "UPDATE stage_deadlines SET complaint_id = $1, stage = $2,"
                           " started_at = $3, period_unit = $4, period_n = $5, due_at = $6,"
                           " paused_at = $7, paused_secs = $8, extended = $9, met_at = $10,"
                           " rule = $11, breached = $12, warned = $13, escalated = $14,"
                           " whole = $15, next_action_at = " DL_NEXT " WHERE id = $17",
    [ST_DEADLINE_LIST] = "SELECT id, " DL_COLS " FROM stage_deadlines WHERE complaint_id = $1"
                         " AND NOT whole ORDER BY started_at, id",
    [ST_DEADLINE_WHOLE] = "SELECT id, " DL_COLS " FROM stage_deadlines WHERE complaint_id = $1"
                          " AND whole ORDER BY id DESC LIMIT 1",
    [ST_USER_INSERT] = "INSERT INTO users(" USER_COLS ", version)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)"
                       " ON CONFLICT (login) DO NOTHING RETURNING id",
    [ST_USER_UPDATE] = "UPDATE users SET login = $1, name = $2, role = $3, department = $4,"
                       " phone = $5, email = $6, password_hash = $7, disabled = $8,"
                       " created_at = $9, version = version + 1 WHERE id = $10 AND version = $11",
    [ST_USER_VERSION] = "SELECT version FROM users WHERE id = $1",
    [ST_USER_GET] = "SELECT id, " USER_COLS ", version FROM users WHERE login = $1",
    [ST_USER_LIST] = "SELECT id, " USER_COLS ", version FROM users ORDER BY login",
    [ST_DEPT_INSERT] = "INSERT INTO departments(code, name, parent, head) VALUES ($1, $2, $3, $4)"
                       " ON CONFLICT (code) DO NOTHING RETURNING id",
    [ST_DEPT_UPDATE] = "UPDATE departments SET code = $1, name = $2, parent = $3, head = $4"
                       " WHERE id = $5",
    [ST_DEPT_GET] = "SELECT id, code, name, parent, head FROM departments WHERE code = $1",
    [ST_DEPT_LIST] = "SELECT id, code, name, parent, head FROM departments ORDER BY code",
    /* Is $2 the department with id $1 or below it? (a parent there would make a cycle) */
    [ST_DEPT_IN_SUBTREE] =
        "WITH RECURSIVE sub(code) AS (SELECT code FROM departments WHERE id = $1"
        " UNION SELECT d.code FROM departments d JOIN sub ON d.parent = sub.code)"
        " SELECT 1 FROM sub WHERE code = $2",
    /* Is $2 the department $1 or below it? */
    [ST_DEPT_WITHIN] = "WITH RECURSIVE sub(code) AS (SELECT code FROM departments WHERE code = $1"
                       " UNION SELECT d.code FROM departments d JOIN sub ON d.parent = sub.code)"
                       " SELECT 1 FROM sub WHERE code = $2",
    [ST_SESSION_INSERT] = "INSERT INTO sessions(token_hash, csrf, login, kind, created_at,"
                          " expires_at, revoked, last_seen_at)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                          " ON CONFLICT (token_hash) DO NOTHING RETURNING id",
    [ST_SESSION_GET] = "SELECT id, token_hash, csrf, login, kind, created_at, expires_at, revoked,"
                       " last_seen_at FROM sessions WHERE token_hash = $1",
    [ST_SESSION_REVOKE] = "UPDATE sessions SET revoked = true WHERE token_hash = $1",
    [ST_SESSION_REVOKE_LOGIN] = "UPDATE sessions SET revoked = true WHERE login = $1"
                                " AND NOT revoked",
    [ST_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1"
                         " AND (last_seen_at IS NULL OR last_seen_at < $2::bigint)",
    [ST_LOGIN_FAIL_ADD] = "INSERT INTO login_failures(login, at) VALUES ($1, $2)",
    [ST_LOGIN_FAIL_COUNT] = "SELECT count(*) FROM login_failures WHERE login = $1 AND at >= $2",
    [ST_LOGIN_FAIL_CLEAR] = "DELETE FROM login_failures WHERE login = $1",
    [ST_IDEM_GET] = "SELECT login, key, body_hash, status, response, created_at"
                    " FROM idempotency_keys WHERE login = $1 AND key = $2",
    [ST_IDEM_PUT] = "INSERT INTO idempotency_keys(login, key, body_hash, status, response,"
                    " created_at) VALUES ($1, $2, $3, $4, $5, $6)"
                    " ON CONFLICT (login, key) DO NOTHING RETURNING login",
    /* SKIP LOCKED: sweepers on other nodes take other rows instead of waiting for these. */
    [ST_DEADLINE_DUE] = "SELECT d.id, d." DL_COLS_D ", c.number FROM stage_deadlines d"
                        " JOIN complaints c ON c.id = d.complaint_id"
                        " WHERE d.met_at IS NULL AND d.next_action_at <= $1"
                        " ORDER BY d.next_action_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED",
    [ST_OUTBOX_INSERT] = "INSERT INTO outbox(created_at, channel, recipient, template, subject,"
                         " body, payload, complaint_id, attempts, next_attempt_at, status,"
                         " last_error, sent_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                         " RETURNING id",
    [ST_OUTBOX_DUE] = "SELECT " OBX_COLS " FROM outbox WHERE status = 'pending'"
                      " AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
                      " FOR UPDATE SKIP LOCKED",
    [ST_OUTBOX_UPDATE] = "UPDATE outbox SET attempts = $1, next_attempt_at = $2, status = $3,"
                         " last_error = $4, sent_at = $5 WHERE id = $6",
    [ST_OUTBOX_LIST] = "SELECT " OBX_COLS " FROM outbox WHERE $1::text IS NULL OR status = $1"
                       " ORDER BY id DESC LIMIT $2",
    [ST_NOTE_INSERT] = "INSERT INTO notifications(login, created_at, kind, title, body,"
                       " complaint_id, number, is_read) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                       " RETURNING id",
    [ST_NOTE_LIST] = "SELECT " NOTE_COLS " FROM notifications WHERE login = $1"
                     " AND (NOT $2::boolean OR NOT is_read) ORDER BY created_at DESC, id DESC"
                     " LIMIT $3",
    [ST_NOTE_READ] = "UPDATE notifications SET is_read = true WHERE id = $1 AND login = $2",
    [ST_INC_INSERT] = "INSERT INTO incidents(code, title, level, owner, status, key, created_at,"
                      " closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                      " ON CONFLICT DO NOTHING RETURNING id",
    [ST_INC_UPDATE] = "UPDATE incidents SET title = $1, level = $2, owner = $3, status = $4,"
                      " closed_at = $5 WHERE id = $6",
    [ST_INC_GET] = "SELECT " INC_COLS " FROM incidents WHERE code = $1",
    [ST_INC_LIST] = "SELECT " INC_COLS " FROM incidents WHERE NOT $1::boolean OR status = 'open'"
                    " ORDER BY created_at DESC, id DESC",
    [ST_INC_COUNT] = "SELECT count(*) FROM incidents WHERE left(code, length($1)) = $1",
    /* Held until the transaction ends, so the next code of the day is counted by one
     * transaction at a time (the count after the wait sees the incident just committed). */
    [ST_INC_CODE_LOCK] = "SELECT pg_advisory_xact_lock(hashtext('kesu incident ' || $1))",
    [ST_INC_LINK] = "INSERT INTO incident_complaints(incident_id, complaint_id, at)"
                    " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    [ST_INC_MARK] = "UPDATE complaints SET incident = $1 WHERE id = $2",
    [ST_INC_NUMBERS] = "SELECT c.number FROM incident_complaints l"
                       " JOIN complaints c ON c.id = l.complaint_id WHERE l.incident_id = $1"
                       " ORDER BY l.at, c.id",
    [ST_INC_EV_INSERT] = "INSERT INTO incident_events(incident_id, at, actor, kind, note,"
                         " details) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    [ST_INC_EV_LIST] = "SELECT id, incident_id, at, actor, kind, note, details"
                       " FROM incident_events WHERE incident_id = $1 ORDER BY at, id",
};

struct pg_conn {
    PGconn *pg;
    bool prepared[ST__COUNT];
    bool broken;          /* the connection failed: close it instead of pooling it */
    struct pg_conn *next; /* in the idle list */
};

struct pg_store {
    struct store base;
    char *url;   /* "postgresql://...", may hold a password: never shown */
    char *where; /* "host:port" for messages */
    int busy_ms;
    int pool_size;
    int known_version; /* the newest embedded migration */
    char *sql[ST__COUNT];
    char *select_cols; /* "c.id, c.number, ..." in complaint_fields[] order */

    pthread_mutex_t mu; /* guards idle, n_conns */
    pthread_cond_t freed;
    struct pg_conn *idle;
    int n_conns; /* open connections, idle or lent */
};

struct pg_tx {
    struct store_tx base;
    struct pg_store *s;
    struct pg_conn *conn;
    int n_iters;        /* open iterators borrowing this transaction */
    unsigned n_cursors; /* cursors declared so far, for unique names */
};

struct pg_iter {
    struct store_iter base;
    struct pg_tx *tx;
    char name[32];   /* the server-side cursor */
    PGresult *res;   /* the current batch of rows */
    int row;         /* the next row of res */
    uint64_t mask;   /* store_field_mask() of complaint_filter.fields */
    int closing_col; /* the column of closed_at, reopened after it; -1: not read */
    bool done;
};

/* Text parameters of one statement; numbers are formatted into num. */
struct params {
    int n;
    const char *v[PARAMS_MAX];
    char num[PARAMS_MAX][24];
};

/* Declared here as well as in store-int.h: pg_open needs it before the table is defined. */
extern const struct store_ops store_pg_ops;

static struct pg_store *store_of(struct store *s)
{
    return (struct pg_store *)(void *)s;
}

static struct pg_tx *tx_of(struct store_tx *tx)
{
    return (struct pg_tx *)(void *)tx;
}

/* ---- parameters and columns ------------------------------------------------------------ */

static void p_text(struct params *p, const char *s)
{
    if (p->n >= PARAMS_MAX)
        KS_BUG("more than %d parameters", PARAMS_MAX);
    p->v[p->n++] = s;
}

static void p_int(struct params *p, int64_t v)
{
    if (p->n >= PARAMS_MAX)
        KS_BUG("more than %d parameters", PARAMS_MAX);
    snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", (long long)v);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

static void p_time(struct params *p, int64_t t)
{
    if (t == KS_TIME_NONE)
        p_text(p, NULL);
    else
        p_int(p, t);
}

static void p_bool(struct params *p, bool b)
{
    p_text(p, b ? "true" : "false");
}

static bool col_null(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) != 0;
}

/* A copy of a text column (NULL for SQL NULL). */
static char *col_dup(const PGresult *r, int row, int i)
{
    if (col_null(r, row, i))
        return NULL;
    return xstrndup(PQgetvalue(r, row, i), (size_t)PQgetlength(r, row, i));
}

static const char *col_str(const PGresult *r, int row, int i)
{
    return PQgetvalue(r, row, i);
}

static int64_t col_i64(const PGresult *r, int row, int i)
{
    return col_null(r, row, i) ? 0 : strtoll(PQgetvalue(r, row, i), NULL, 10);
}

static int col_int(const PGresult *r, int row, int i)
{
    return (int)col_i64(r, row, i);
}

static int64_t col_time(const PGresult *r, int row, int i)
{
    return col_null(r, row, i) ? KS_TIME_NONE : col_i64(r, row, i);
}

static bool col_bool(const PGresult *r, int row, int i)
{
    return !col_null(r, row, i) && PQgetvalue(r, row, i)[0] == 't';
}

/* ---- errors ---------------------------------------------------------------------------- */

/* libpq's messages end in a newline and continue on indented lines; one line reads better. */
static void one_line(const char *msg, char *out, size_t size)
{
    size_t n = 0;
    bool space = false;

    for (const char *p = msg ? msg : ""; *p && n + 1 < size; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < size)
            out[n++] = ' ';
        space = false;
        out[n++] = *p;
    }
    out[n] = '\0';
}

static bool sqlstate_is(const char *state, const char *want)
{
    return strncmp(state, want, strlen(want)) == 0;
}

/* Maps a failed statement to a kesu error: what was being done (ctx) first, then what the user
 * can do about it. The server's primary message never holds the statement text. A lost
 * connection is marked broken so it is not pooled again. */
static int pg_fail(struct pg_conn *c, const PGresult *res, struct ks_error *err, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));
static int pg_fail(struct pg_conn *c, const PGresult *res, struct ks_error *err, const char *fmt,
                   ...)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char ctx[256], why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    if (!state || PQstatus(c->pg) == CONNECTION_BAD || sqlstate_is(state, "08")) {
        c->broken = true;
        one_line(PQerrorMessage(c->pg), why, sizeof(why));
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: lost the connection to PostgreSQL (%s); retry in a moment", ctx,
                       *why ? why : "no reply");
    }
    one_line(primary, why, sizeof(why));
    if (sqlstate_is(state, "40001") || sqlstate_is(state, "40P01"))
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: a concurrent change got in the way; retry in a moment", ctx);
    if (sqlstate_is(state, "55P03") || sqlstate_is(state, "57014"))
        return ks_fail(err, KS_ESTORE, NULL, "%s: database is busy; retry in a moment", ctx);
    if (sqlstate_is(state, "53"))
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: the database server is out of resources (%s); free some and retry", ctx,
                       why);
    if (sqlstate_is(state, "57P"))
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: the database server is shutting down or starting; retry in a moment",
                       ctx);
    if (sqlstate_is(state, "25006"))
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: the database is read-only here (a standby?); connect to the primary",
                       ctx);
    if (sqlstate_is(state, "25P02"))
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: the transaction was cancelled by an earlier error; roll back and retry",
                       ctx);
    if (sqlstate_is(state, "42P01"))
        return ks_fail(err, KS_ECONFIG, NULL,
                       "%s: the database has no kesu tables yet; run `kesu migrate`", ctx);
    if (sqlstate_is(state, "42501"))
        return ks_fail(err, KS_ECONFIG, NULL,
                       "%s: permission denied (%s); grant the kesu role its rights", ctx, why);
    if (sqlstate_is(state, "23"))
        return ks_fail(err, KS_EINVAL, NULL, "%s: the record breaks a rule of the database (%s)",
                       ctx, why);
    if (sqlstate_is(state, "22"))
        return ks_fail(err, KS_EINVAL, NULL, "%s: a value does not fit (%s)", ctx, why);
    return ks_fail(err, KS_EINTERNAL, NULL, "%s: storage failed (%s, SQLSTATE %s)", ctx, why,
                   state);
}

static const char *sqlstate_of(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state ? state : "";
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return res && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
}

/* Runs a parameterless command of kesu's own (BEGIN, SAVEPOINT ...). */
static int conn_command(struct pg_conn *c, const char *sql, struct ks_error *err, const char *ctx)
{
    PGresult *res = PQexec(c->pg, sql);
    int rc = result_ok(res) ? 0 : pg_fail(c, res, err, "%s", ctx);

    PQclear(res);
    return rc;
}

/* ---- connections and the pool ---------------------------------------------------------- */

static void conn_close(struct pg_conn *c)
{
    PQfinish(c->pg);
    free(c);
}

/* The server's notices ("relation already exists, skipping") are not errors, and the library
 * prints nothing of its own. */
static void drop_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connects. Defaults come first and the URL after them, so the URL's own parameters win;
 * client_encoding comes last because kesu's strings are UTF-8 whatever the URL says. */
static int conn_open(struct pg_store *s, struct pg_conn **out, struct ks_error *err)
{
    static const char *const keys[] = {"application_name", "connect_timeout", "keepalives_idle",
                                       "dbname",           "client_encoding", NULL};
    const char *values[] = {"kesu", "10", "30", s->url, "UTF8", NULL};
    struct pg_conn *c;
    struct params p = {0};
    char why[256];
    PGresult *res;
    int rc;

    *out = NULL;
    c = xcalloc(1, sizeof(*c));
    c->pg = PQconnectdbParams(keys, values, 1);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        one_line(c->pg ? PQerrorMessage(c->pg) : "out of memory", why, sizeof(why));
        conn_close(c);
        return ks_fail(err, KS_ESTORE, "database", "cannot connect to PostgreSQL at %s: %s",
                       s->where, why);
    }
    PQsetNoticeProcessor(c->pg, drop_notice, NULL);
    /* A writer waits for a row lock as long as a SQLite writer waits for the file. */
    p_int(&p, s->busy_ms);
    res = PQexecParams(c->pg, "SELECT set_config('lock_timeout', $1 || 'ms', false)", p.n, NULL,
                       p.v, NULL, NULL, 0);
    rc = result_ok(res) ? 0 : pg_fail(c, res, err, "connecting to PostgreSQL at %s", s->where);
    PQclear(res);
    if (rc < 0) {
        conn_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Runs statement id of the connection, preparing it on first use. */
static PGresult *conn_run(struct pg_store *s, struct pg_conn *c, enum pg_stmt id,
                          const struct params *p)
{
    char name[16];

    snprintf(name, sizeof(name), "ks%d", (int)id);
    if (!c->prepared[id]) {
        PGresult *res = PQprepare(c->pg, name, s->sql[id], 0, NULL);
        if (!result_ok(res))
            return res;
        PQclear(res);
        c->prepared[id] = true;
    }
    return PQexecPrepared(c->pg, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
}

/* Borrows a connection: an idle one, a new one while fewer than pool_size are open, or waits
 * up to the busy timeout for one to come back. *fresh_out says whether it was just opened. */
static int pool_get(struct pg_store *s, struct pg_conn **out, bool *fresh_out, struct ks_error *err)
{
    struct timespec until;
    struct pg_conn *c;
    int rc;

    *out = NULL;
    *fresh_out = false;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += s->busy_ms / 1000;
    until.tv_nsec += (long)(s->busy_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    while (!s->idle && s->n_conns >= s->pool_size) {
        if (pthread_cond_timedwait(&s->freed, &s->mu, &until) == ETIMEDOUT && !s->idle &&
            s->n_conns >= s->pool_size) {
            pthread_mutex_unlock(&s->mu);
            return ks_fail(err, KS_ESTORE, NULL,
                           "database is busy: all %d connections are in use; retry in a moment",
                           s->pool_size);
        }
    }
    if (s->idle) {
        c = s->idle;
        s->idle = c->next;
        c->next = NULL;
        pthread_mutex_unlock(&s->mu);
        *out = c;
        return 0;
    }
    s->n_conns++;
    pthread_mutex_unlock(&s->mu);
    rc = conn_open(s, &c, err);
    if (rc < 0) {
        pthread_mutex_lock(&s->mu);
        s->n_conns--;
        pthread_cond_signal(&s->freed);
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    *out = c;
    *fresh_out = true;
    return 0;
}

/* Returns a connection; a broken one (lost, or left inside a transaction) is closed. */
static void pool_put(struct pg_store *s, struct pg_conn *c, bool broken)
{
    broken = broken || c->broken || PQstatus(c->pg) != CONNECTION_OK ||
             PQtransactionStatus(c->pg) != PQTRANS_IDLE;
    pthread_mutex_lock(&s->mu);
    if (broken) {
        s->n_conns--;
    } else {
        c->next = s->idle;
        s->idle = c;
    }
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->mu);
    if (broken)
        conn_close(c);
}

/* Borrows a connection and runs sql (BEGIN ...) on it. A pooled connection that died while
 * idle is dropped and the next one tried, so a server restart costs no failed request. */
static int pool_begin(struct pg_store *s, const char *sql, struct pg_conn **out,
                      struct ks_error *err)
{
    for (;;) {
        struct pg_conn *c;
        bool fresh, lost;
        int rc;

        if ((rc = pool_get(s, &c, &fresh, err)) < 0)
            return rc;
        rc = conn_command(c, sql, err, "starting a transaction");
        if (rc == 0) {
            *out = c;
            return 0;
        }
        lost = c->broken;
        pool_put(s, c, true);
        if (fresh || !lost)
            return rc;
    }
}

/* ---- migrations ------------------------------------------------------------------------ */

struct migration {
    int version;
    const struct embed_file *file;
};

static int migration_cmp(const void *a, const void *b)
{
    const struct migration *x = a, *y = b;
    return strcmp(x->file->name, y->file->name);
}

/* The embedded migrations in order; each name is NNNN-<what>.sql and NNNN counts 1, 2, ... */
static struct migration *migrations_list(size_t *n_out)
{
    struct migration *ms = NULL;
    size_t n = 0, cap = 0, dir_len = strlen(MIGRATION_DIR);

    for (const struct embed_file *f = embed_files; f->name; f++) {
        const char *base = f->name + dir_len;
        size_t len = strlen(f->name);
        if (strncmp(f->name, MIGRATION_DIR, dir_len) != 0 || len < dir_len + 4 ||
            strcmp(f->name + len - 4, ".sql") != 0 || strchr(base, '/'))
            continue;
        xgrow((void **)&ms, &cap, n + 1, sizeof(*ms));
        ms[n].file = f;
        ms[n].version = (int)strtol(base, NULL, 10);
        n++;
    }
    if (n)
        qsort(ms, n, sizeof(*ms), migration_cmp);
    for (size_t i = 0; i < n; i++)
        if (ms[i].version != (int)i + 1)
            KS_BUG("migration %s is numbered %d, expected %zu", ms[i].file->name, ms[i].version,
                   i + 1);
    *n_out = n;
    return ms;
}

static int conn_version(struct pg_conn *c, int *out, struct ks_error *err)
{
    PGresult *res;
    bool exists;

    *out = 0;
    res = PQexec(c->pg, "SELECT to_regclass('schema_version') IS NOT NULL");
    if (!result_ok(res) || PQntuples(res) != 1) {
        int rc = pg_fail(c, res, err, "reading the schema version");
        PQclear(res);
        return rc;
    }
    exists = col_bool(res, 0, 0);
    PQclear(res);
    if (!exists)
        return 0;
    res = PQexec(c->pg, "SELECT coalesce(max(version), 0) FROM schema_version");
    if (!result_ok(res) || PQntuples(res) != 1) {
        int rc = pg_fail(c, res, err, "reading the schema version");
        PQclear(res);
        return rc;
    }
    *out = col_int(res, 0, 0);
    PQclear(res);
    return 0;
}

static int check_not_newer(struct pg_store *s, int version, struct ks_error *err)
{
    if (version > s->known_version)
        return ks_fail(err, KS_ECONFIG, NULL,
                       "database at %s has schema version %d, newer than this kesu knows (%d); "
                       "upgrade kesu",
                       s->where, version, s->known_version);
    return 0;
}

/* Applies one migration unless another process already did: the version is re-read under an
 * advisory lock that every migrator takes, so two `kesu migrate` on two nodes are safe. */
static int apply_migration(struct pg_store *s, struct pg_conn *c, const struct migration *m,
                           struct ks_error *err)
{
    const char *name = m->file->name + strlen(MIGRATION_DIR);
    struct params p = {0};
    PGresult *res;
    int version = 0, rc;

    if ((rc = conn_command(c, "BEGIN ISOLATION LEVEL READ COMMITTED", err, "migrating")) < 0)
        return rc;
    if ((rc = conn_command(c, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")", err, "migrating")) <
            0 ||
        (rc = conn_command(c,
                           "CREATE TABLE IF NOT EXISTS schema_version ("
                           "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
                           err, "migrating")) < 0 ||
        (rc = conn_version(c, &version, err)) < 0)
        goto rollback;
    if (version >= m->version) {
        conn_command(c, "ROLLBACK", NULL, "migrating");
        return check_not_newer(s, version, err);
    }
    /* The file holds several statements: the simple query protocol runs them in order. */
    res = PQexec(c->pg, (const char *)m->file->data);
    rc = result_ok(res) ? 0 : pg_fail(c, res, err, "migrating to %s", name);
    PQclear(res);
    if (rc < 0)
        goto rollback;
    p_int(&p, m->version);
    res = PQexecParams(c->pg,
                       "INSERT INTO schema_version(version, applied_at)"
                       " VALUES ($1, extract(epoch FROM now())::bigint)",
                       p.n, NULL, p.v, NULL, NULL, 0);
    rc = result_ok(res) ? 0 : pg_fail(c, res, err, "migrating to %s", name);
    PQclear(res);
    if (rc < 0)
        goto rollback;
    res = PQexec(c->pg, "COMMIT");
    if (!result_ok(res) || strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = pg_fail(c, res, err, "migrating to %s", name);
    PQclear(res);
    return rc;

rollback:
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        conn_command(c, "ROLLBACK", NULL, "migrating");
    return rc;
}

static int pg_migrate(struct store *base, int *from_out, int *to_out, struct ks_error *err)
{
    struct pg_store *s = store_of(base);
    struct pg_conn *c;
    struct migration *ms;
    size_t n;
    bool fresh;
    int from = 0, to = 0, rc;

    if (from_out)
        *from_out = 0;
    if (to_out)
        *to_out = 0;
    if ((rc = pool_get(s, &c, &fresh, err)) < 0)
        return rc;
    if ((rc = conn_version(c, &from, err)) < 0 || (rc = check_not_newer(s, from, err)) < 0) {
        pool_put(s, c, false);
        return rc;
    }
    ms = migrations_list(&n);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (ms[i].version > from)
            rc = apply_migration(s, c, &ms[i], err);
    free(ms);
    if (rc == 0)
        rc = conn_version(c, &to, err);
    pool_put(s, c, false);
    if (rc < 0)
        return rc;
    if (from_out)
        *from_out = from;
    if (to_out)
        *to_out = to;
    return 0;
}

static int pg_schema_known(const struct store *base)
{
    return ((const struct pg_store *)(const void *)base)->known_version;
}

static int pg_schema_version(struct store *base, int *out, struct ks_error *err)
{
    struct pg_store *s = store_of(base);
    struct pg_conn *c;
    bool fresh;
    int rc;

    if ((rc = pool_get(s, &c, &fresh, err)) < 0)
        return rc;
    rc = conn_version(c, out, err);
    pool_put(s, c, false);
    return rc;
}

/* ---- open and close -------------------------------------------------------------------- */

static bool is_version_field(const struct cf_desc *f)
{
    return f->offset == offsetof(struct complaint, version);
}

/* The complaint statements, from complaint_fields[]: INSERT binds every field but id (in
 * table order, from $1), UPDATE every field but id and version, then version, id and the
 * expected old version. */
static void build_complaint_sql(struct pg_store *s)
{
    struct buf cols, ins, upd, get;
    int n = 0;

    if (complaint_field_count + 3 > PARAMS_MAX)
        KS_BUG("complaint_fields[] has %zu fields, more than %d parameters", complaint_field_count,
               PARAMS_MAX);
    buf_init(&cols, SQL_MAX);
    buf_init(&ins, SQL_MAX);
    buf_init(&upd, SQL_MAX);
    buf_init(&get, SQL_MAX);
    buf_adds(&ins, "INSERT INTO complaints(");
    buf_adds(&upd, "UPDATE complaints SET ");
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        buf_addf(&cols, "%sc.%s", i ? ", " : "", f->column);
        if (f->type == CF_ID)
            continue;
        buf_addf(&ins, "%s%s", n ? ", " : "", f->column);
        n++;
    }
    buf_adds(&ins, ") VALUES (");
    for (int i = 1; i <= n; i++)
        buf_addf(&ins, "%s$%d", i > 1 ? ", " : "", i);
    buf_adds(&ins, ") ON CONFLICT (number) DO NOTHING RETURNING id");
    n = 0;
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (f->type == CF_ID || is_version_field(f))
            continue;
        n++;
        buf_addf(&upd, "%s%s = $%d", n > 1 ? ", " : "", f->column, n);
    }
    buf_addf(&upd, ", version = $%d WHERE id = $%d AND version = $%d", n + 1, n + 2, n + 3);
    buf_addf(&get, "SELECT %s FROM complaints c WHERE c.number = $1", buf_str(&cols));
    s->sql[ST_COMPLAINT_INSERT] = buf_detach(&ins);
    s->sql[ST_COMPLAINT_UPDATE] = buf_detach(&upd);
    s->sql[ST_COMPLAINT_GET] = buf_detach(&get);
    s->select_cols = buf_detach(&cols);
}

/* "host:port" of the URL for messages, without user or password; libpq's defaults (a Unix
 * socket, port 5432) when the URL leaves them out. */
static char *describe_target(const PQconninfoOption *opts)
{
    const char *host = NULL, *hostaddr = NULL, *port = NULL;
    struct buf b;

    for (const PQconninfoOption *o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = o->val;
        else if (strcmp(o->keyword, "port") == 0)
            port = o->val;
    }
    buf_init(&b, 1024);
    buf_addf(&b, "%s:%s",
             host && *host           ? host
             : hostaddr && *hostaddr ? hostaddr
                                     : "localhost",
             port && *port ? port : "5432");
    return buf_detach(&b);
}

static void pg_close(struct store *base)
{
    struct pg_store *s = store_of(base);
    int lent;

    pthread_mutex_lock(&s->mu);
    while (s->idle) {
        struct pg_conn *c = s->idle;
        s->idle = c->next;
        s->n_conns--;
        conn_close(c);
    }
    lent = s->n_conns;
    pthread_mutex_unlock(&s->mu);
    if (lent)
        KS_BUG("store closed with %d transactions still open", lent);
    pthread_cond_destroy(&s->freed);
    pthread_mutex_destroy(&s->mu);
    for (int i = 0; i < ST__COUNT; i++)
        free(s->sql[i]);
    free(s->select_cols);
    free(s->where);
    free(s->url);
    free(s);
}

/* target is the URL after "postgres://" or "postgresql://"; libpq reads the latter. */
static int pg_open(const struct store_conf *conf, const char *target, struct store **out,
                   struct ks_error *err)
{
    PQconninfoOption *opts;
    struct pg_store *s;
    struct pg_conn *c;
    struct migration *ms;
    struct buf url;
    size_t n_ms;
    int version = 0, rc;

    *out = NULL;
    buf_init(&url, 8192);
    if (buf_addf(&url, "postgresql://%s", target) < 0) {
        buf_release(&url);
        return ks_fail(err, KS_ECONFIG, "database", "database: the PostgreSQL url is too long");
    }
    /* libpq's own message would quote the URL, which may hold a password. */
    opts = PQconninfoParse(buf_str(&url), NULL);
    if (!opts) {
        buf_release(&url);
        return ks_fail(err, KS_ECONFIG, "database",
                       "database: the PostgreSQL url is malformed; see docs/deploy.md");
    }
    s = xcalloc(1, sizeof(*s));
    s->base.ops = &store_pg_ops;
    s->url = buf_detach(&url);
    s->where = describe_target(opts);
    PQconninfoFree(opts);
    s->busy_ms = conf->busy_timeout_ms > 0 ? conf->busy_timeout_ms : DEFAULT_BUSY_MS;
    s->pool_size = conf->pool_size > 0 ? conf->pool_size : DEFAULT_POOL;
    ms = migrations_list(&n_ms);
    s->known_version = (int)n_ms;
    free(ms);
    for (int i = 0; i < ST__COUNT; i++)
        if (fixed_sql[i])
            s->sql[i] = xstrdup(fixed_sql[i]);
    build_complaint_sql(s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->freed, NULL);

    /* The first connection proves the server is reachable and of a schema we know. The
     * database itself is created by its administrator (docs/deploy.md), so conf->create
     * changes nothing here. */
    rc = conn_open(s, &c, err);
    if (rc == 0) {
        s->n_conns = 1;
        rc = conn_version(c, &version, err);
        if (rc == 0)
            rc = check_not_newer(s, version, err);
        pool_put(s, c, rc < 0);
    }
    if (rc < 0) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

/* ---- transactions ---------------------------------------------------------------------- */

static int pg_tx_begin(struct store *base, enum store_tx_mode mode, struct store_tx **out,
                       struct ks_error *err)
{
    struct pg_store *s = store_of(base);
    struct pg_conn *c = NULL;
    struct pg_tx *tx;
    int rc;

    rc = pool_begin(s,
                    mode == STORE_TX_WRITE ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                           : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                    &c, err);
    if (rc < 0)
        return rc;
    tx = xcalloc(1, sizeof(*tx));
    tx->base.store = base;
    tx->base.mode = mode;
    tx->s = s;
    tx->conn = c;
    *out = &tx->base;
    return 0;
}

/* Ends the transaction and returns its connection; a connection whose rollback failed is not
 * trusted again. */
static void tx_end(struct pg_tx *tx, bool broken)
{
    if (tx->n_iters)
        KS_BUG("transaction ended with %d iterators open", tx->n_iters);
    if (!tx->conn->broken && PQtransactionStatus(tx->conn->pg) != PQTRANS_IDLE &&
        conn_command(tx->conn, "ROLLBACK", NULL, "rolling back") < 0)
        broken = true;
    pool_put(tx->s, tx->conn, broken);
    free(tx);
}

static int pg_tx_nest(struct store_tx *batch, enum store_tx_mode mode, struct store_tx **out,
                      struct ks_error *err)
{
    struct pg_tx *outer = tx_of(batch);
    struct pg_tx *tx;
    int rc;

    if ((rc = conn_command(outer->conn, "SAVEPOINT ks_nested", err, "saving")) < 0)
        return rc;
    tx = xcalloc(1, sizeof(*tx));
    tx->base.store = batch->store;
    tx->base.mode = mode;
    tx->base.nested = true;
    tx->s = outer->s;
    tx->conn = outer->conn;
    *out = &tx->base;
    return 0;
}

/* Ends a nested transaction: keeps (RELEASE) or undoes (ROLLBACK TO, then RELEASE) its work;
 * the connection stays with the batch. Rolling back to the savepoint also clears an error
 * that aborted the nested work, so the batch goes on. */
static int nest_end(struct pg_tx *tx, bool keep, struct ks_error *err)
{
    int rc = 0;

    if (tx->n_iters)
        KS_BUG("nested transaction ended with %d iterators open", tx->n_iters);
    if (keep && PQtransactionStatus(tx->conn->pg) == PQTRANS_INERROR) {
        keep = false;
        rc = ks_fail(err, KS_ESTORE, NULL,
                     "saving: the transaction was cancelled by an earlier error; retry");
    }
    if (!keep &&
        conn_command(tx->conn, "ROLLBACK TO ks_nested", rc < 0 ? NULL : err, "saving") < 0 &&
        rc == 0)
        rc = KS_ESTORE;
    if (conn_command(tx->conn, "RELEASE ks_nested", rc < 0 ? NULL : err, "saving") < 0 && rc == 0)
        rc = KS_ESTORE;
    free(tx);
    return rc;
}

static void pg_tx_rollback(struct store_tx *base)
{
    if (base->nested) {
        nest_end(tx_of(base), false, NULL);
        return;
    }
    tx_end(tx_of(base), false);
}

static int pg_tx_commit(struct store_tx *base, struct ks_error *err)
{
    struct pg_tx *tx = tx_of(base);
    struct pg_conn *c = tx->conn;
    PGresult *res;
    int rc;

    if (base->nested)
        return nest_end(tx, true, err);
    if (tx->n_iters)
        KS_BUG("commit with %d iterators open", tx->n_iters);
    if (PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
        tx_end(tx, false);
        return ks_fail(err, KS_ESTORE, NULL,
                       "saving: the transaction was cancelled by an earlier error; retry");
    }
    res = PQexec(c->pg, "COMMIT");
    if (result_ok(res) && strcmp(PQcmdStatus(res), "COMMIT") == 0) {
        rc = 0;
    } else if (!res || PQstatus(c->pg) == CONNECTION_BAD ||
               !PQresultErrorField(res, PG_DIAG_SQLSTATE)) {
        /* The connection dropped while COMMIT was on its way: the server may or may not have
         * committed, and only looking at the data tells. */
        char why[256];

        one_line(PQerrorMessage(c->pg), why, sizeof(why));
        c->broken = true;
        rc = ks_fail(err, KS_EUNCERTAIN, NULL,
                     "saving: the outcome is unknown (%s); check whether the change was saved "
                     "before retrying",
                     *why ? why : "the connection was lost");
    } else {
        /* The server answered: it rolled back (a serialisation failure, a deferred check). */
        rc = pg_fail(c, res, err, "saving");
    }
    PQclear(res);
    tx_end(tx, false);
    return rc;
}

/* Runs statement id in the transaction. On failure returns < 0 with err filled and, when
 * state_out is given, the SQLSTATE in it (so the caller can name a duplicate precisely). A
 * transaction PostgreSQL has already aborted is refused up front. */
static int tx_run(struct pg_tx *tx, enum pg_stmt id, const struct params *p, PGresult **res_out,
                  char state_out[6], struct ks_error *err, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static int tx_run(struct pg_tx *tx, enum pg_stmt id, const struct params *p, PGresult **res_out,
                  char state_out[6], struct ks_error *err, const char *fmt, ...)
{
    PGresult *res;
    char ctx[256];
    va_list ap;
    int rc;

    *res_out = NULL;
    if (state_out)
        state_out[0] = '\0';
    if (tx->conn->broken || PQtransactionStatus(tx->conn->pg) == PQTRANS_INERROR)
        return ks_fail(err, KS_ESTORE, NULL,
                       "the transaction was cancelled by an earlier error; roll back and retry");
    res = conn_run(tx->s, tx->conn, id, p);
    if (result_ok(res)) {
        *res_out = res;
        return 0;
    }
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    if (state_out)
        snprintf(state_out, 6, "%s", sqlstate_of(res));
    rc = pg_fail(tx->conn, res, err, "%s", ctx);
    PQclear(res);
    return rc;
}

/* tx_run for a statement whose failure the store contract reports as an ordinary result
 * (a duplicate login, an unknown parent, invalid event details): PostgreSQL would abort the
 * whole transaction on it, SQLite would not, so the statement runs inside a savepoint that a
 * failure rolls back to, and the caller's transaction goes on as it would on SQLite. */
static int tx_run_guarded(struct pg_tx *tx, enum pg_stmt id, const struct params *p,
                          PGresult **res_out, char state_out[6], struct ks_error *err,
                          const char *what)
{
    int rc;

    *res_out = NULL;
    state_out[0] = '\0';
    if (tx->conn->broken || PQtransactionStatus(tx->conn->pg) == PQTRANS_INERROR)
        return ks_fail(err, KS_ESTORE, NULL,
                       "the transaction was cancelled by an earlier error; roll back and retry");
    if ((rc = conn_command(tx->conn, "SAVEPOINT ks_stmt", err, what)) < 0)
        return rc;
    rc = tx_run(tx, id, p, res_out, state_out, err, "%s", what);
    if (tx->conn->broken)
        return rc;
    if (rc < 0 && conn_command(tx->conn, "ROLLBACK TO SAVEPOINT ks_stmt", NULL, what) < 0)
        return rc;
    if (conn_command(tx->conn, "RELEASE SAVEPOINT ks_stmt", rc < 0 ? NULL : err, what) < 0 &&
        rc == 0) {
        PQclear(*res_out);
        *res_out = NULL;
        rc = KS_ESTORE;
    }
    return rc;
}

/* Rows changed by an UPDATE or DELETE. */
static long changes(PGresult *res)
{
    return strtol(PQcmdTuples(res), NULL, 10);
}

/* ---- settings and numbers -------------------------------------------------------------- */

static int pg_setting_get(struct store_tx *base, const char *key, char **value_out,
                          struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, key);
    rc = tx_run(tx_of(base), ST_SETTING_GET, &p, &res, NULL, err, "reading setting '%s'", key);
    if (rc < 0)
        return rc;
    if (PQntuples(res) > 0)
        *value_out = col_dup(res, 0, 0);
    else
        rc = ks_fail(err, KS_ENOTFOUND, key, "setting '%s' is not set", key);
    PQclear(res);
    return rc;
}

static int pg_setting_set(struct store_tx *base, const char *key, const char *value,
                          struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, key);
    p_text(&p, value);
    rc = tx_run(tx_of(base), ST_SETTING_SET, &p, &res, NULL, err, "saving setting '%s'", key);
    PQclear(res);
    return rc;
}

static int pg_number_next(struct store_tx *base, struct ks_date day, int *seq_out,
                          struct ks_error *err)
{
    char text[KS_DATE_STRLEN];
    struct params p = {0};
    PGresult *res;
    int rc;

    civil_format_date(day, text);
    p_text(&p, text);
    rc = tx_run(tx_of(base), ST_NUMBER_NEXT, &p, &res, NULL, err, "numbering a complaint of %s",
                text);
    if (rc < 0)
        return rc;
    *seq_out = col_int(res, 0, 0);
    PQclear(res);
    return 0;
}

/* ---- complaints ------------------------------------------------------------------------ */

#define AT(c, f, T)  ((T *)(void *)((char *)(c) + (f)->offset))
#define CAT(c, f, T) ((const T *)(const void *)((const char *)(c) + (f)->offset))

static void bind_field(struct params *p, const struct complaint *c, const struct cf_desc *f)
{
    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        p_text(p, *CAT(c, f, char *));
        break;
    case CF_TIME:
        p_time(p, *CAT(c, f, int64_t));
        break;
    case CF_QTY:
        if (*CAT(c, f, int64_t) == KS_QTY_UNKNOWN)
            p_text(p, NULL);
        else
            p_int(p, *CAT(c, f, int64_t));
        break;
    case CF_MONEY:
    case CF_ID:
        p_int(p, *CAT(c, f, int64_t));
        break;
    case CF_BOOL:
        p_bool(p, *CAT(c, f, bool));
        break;
    case CF_LEVEL:
    case CF_SCORE:
        /* 0 is "none" (no response level, survey not answered): NULL in SQL. */
        if (*CAT(c, f, int) == 0)
            p_text(p, NULL);
        else
            p_int(p, *CAT(c, f, int));
        break;
    case CF_INT:
        p_int(p, *CAT(c, f, int));
        break;
    case CF_CHANNEL:
        p_text(p, channel_name(*CAT(c, f, enum channel)));
        break;
    case CF_SEVERITY:
        p_text(p, *CAT(c, f, enum severity) == SEV_NONE ? NULL
                                                        : severity_name(*CAT(c, f, enum severity)));
        break;
    case CF_STATUS:
        p_text(p, wf_state_name(*CAT(c, f, enum wf_state)));
        break;
    case CF_COMP_KIND:
        p_text(p, *CAT(c, f, enum comp_kind) == COMP_NONE
                      ? NULL
                      : comp_kind_name(*CAT(c, f, enum comp_kind)));
        break;
    }
}

static int bad_stored(const struct complaint *c, const struct cf_desc *f, const char *value,
                      struct ks_error *err)
{
    return ks_fail(err, KS_EINTERNAL, f->name,
                   "complaint %s: stored %s '%s' is unknown to this version of kesu",
                   c->number ? c->number : "?", f->name, value);
}

static int read_field(const PGresult *r, int row, int i, struct complaint *c,
                      const struct cf_desc *f, struct ks_error *err)
{
    bool null = col_null(r, row, i);
    const char *s = col_str(r, row, i);

    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        *AT(c, f, char *) = col_dup(r, row, i);
        break;
    case CF_TIME:
        *AT(c, f, int64_t) = col_time(r, row, i);
        break;
    case CF_QTY:
        *AT(c, f, int64_t) = null ? KS_QTY_UNKNOWN : col_i64(r, row, i);
        break;
    case CF_MONEY:
    case CF_ID:
        *AT(c, f, int64_t) = col_i64(r, row, i);
        break;
    case CF_BOOL:
        *AT(c, f, bool) = col_bool(r, row, i);
        break;
    case CF_LEVEL:
    case CF_SCORE:
    case CF_INT:
        *AT(c, f, int) = col_int(r, row, i);
        break;
    case CF_CHANNEL:
        if (channel_parse(s, AT(c, f, enum channel), NULL) < 0)
            return bad_stored(c, f, s, err);
        break;
    case CF_SEVERITY:
        if (null)
            *AT(c, f, enum severity) = SEV_NONE;
        else if (severity_parse(s, AT(c, f, enum severity), NULL) < 0)
            return bad_stored(c, f, s, err);
        break;
    case CF_STATUS:
        if (wf_state_parse(s, AT(c, f, enum wf_state), NULL) < 0)
            return bad_stored(c, f, s, err);
        break;
    case CF_COMP_KIND:
        if (null)
            *AT(c, f, enum comp_kind) = COMP_NONE;
        else if (comp_kind_parse(s, AT(c, f, enum comp_kind), NULL) < 0)
            return bad_stored(c, f, s, err);
        break;
    }
    return 0;
}

/* Fills out (released) from a row whose columns are the complaint_fields[] in mask
 * (store_field_mask()), in order. */
static int read_complaint(const PGresult *r, int row, uint64_t mask, struct complaint *out,
                          struct ks_error *err)
{
    int col = 0;

    for (size_t i = 0; i < complaint_field_count; i++) {
        int rc;
        if (!(mask & (UINT64_C(1) << i)))
            continue;
        if ((rc = read_field(r, row, col++, out, &complaint_fields[i], err)) < 0) {
            complaint_release(out);
            return rc;
        }
    }
    return 0;
}

static int pg_complaint_insert(struct store_tx *base, struct complaint *c, struct ks_error *err)
{
    struct params p = {0};
    int old_version = c->version, rc;
    PGresult *res;

    c->version = 1;
    for (size_t i = 0; i < complaint_field_count; i++)
        if (complaint_fields[i].type != CF_ID)
            bind_field(&p, c, &complaint_fields[i]);
    rc = tx_run(tx_of(base), ST_COMPLAINT_INSERT, &p, &res, NULL, err, "saving complaint %s",
                c->number);
    if (rc == 0 && PQntuples(res) == 0)
        rc = ks_fail(err, KS_ECONFLICT, "number", "complaint %s already exists", c->number);
    if (rc == 0)
        c->id = col_i64(res, 0, 0);
    else
        c->version = old_version;
    PQclear(res);
    return rc;
}

/* Why an UPDATE ... WHERE version = $n changed nothing: the row is gone or was changed. */
static int stale(struct pg_tx *tx, enum pg_stmt id, int64_t row_id, int had, const char *what,
                 const char *name, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_int(&p, row_id);
    if ((rc = tx_run(tx, id, &p, &res, NULL, err, "saving %s %s", what, name)) < 0)
        return rc;
    if (PQntuples(res) > 0)
        rc = ks_fail(err, KS_ECONFLICT, "version",
                     "%s %s was changed by someone else (version %d, you had %d); reload and retry",
                     what, name, col_int(res, 0, 0), had);
    else
        rc = ks_fail(err, KS_ENOTFOUND, NULL, "%s %s does not exist", what, name);
    PQclear(res);
    return rc;
}

static int pg_complaint_update(struct store_tx *base, struct complaint *c, struct ks_error *err)
{
    struct pg_tx *tx = tx_of(base);
    const char *number = c->number ? c->number : "";
    struct params p = {0};
    char state[6], what[256];
    PGresult *res;
    long n;
    int rc;

    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (f->type != CF_ID && !is_version_field(f))
            bind_field(&p, c, f);
    }
    p_int(&p, c->version + 1);
    p_int(&p, c->id);
    p_int(&p, c->version);
    snprintf(what, sizeof(what), "saving complaint %s", number);
    rc = tx_run_guarded(tx, ST_COMPLAINT_UPDATE, &p, &res, state, err, what);
    if (rc < 0) {
        if (strcmp(state, "23505") == 0)
            rc = ks_fail(err, KS_ECONFLICT, "number", "complaint %s already exists", number);
        return rc;
    }
    n = changes(res);
    PQclear(res);
    if (n == 0)
        return stale(tx, ST_COMPLAINT_VERSION, c->id, c->version, "complaint", number, err);
    c->version++;
    return 0;
}

static int pg_complaint_get(struct store_tx *base, const char *number, struct complaint *out,
                            struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, number);
    rc = tx_run(tx_of(base), ST_COMPLAINT_GET, &p, &res, NULL, err, "reading complaint %s", number);
    if (rc < 0)
        return rc;
    if (PQntuples(res) > 0)
        rc = read_complaint(res, 0, store_field_mask(0), out, err);
    else
        rc = ks_fail(err, KS_ENOTFOUND, "number", "complaint %s does not exist", number);
    PQclear(res);
    return rc;
}

/* ---- listing --------------------------------------------------------------------------- */

/* A query being built: SQL text plus its parameters in order (strings copied). */
struct query {
    struct buf sql;
    char **p;
    size_t n, cap;
};

static void q_sql(struct query *q, const char *s)
{
    /* SQL_MAX is far above the longest query the filter can produce. */
    if (buf_adds(&q->sql, s) < 0)
        KS_BUG("list query longer than %d bytes", SQL_MAX);
}

/* Appends a parameter and its placeholder ("$n") to the SQL text. */
static void q_text(struct query *q, const char *s)
{
    xgrow((void **)&q->p, &q->cap, q->n + 1, sizeof(*q->p));
    q->p[q->n++] = xstrdup(s);
    if (buf_addf(&q->sql, "$%zu", q->n) < 0)
        KS_BUG("list query longer than %d bytes", SQL_MAX);
}

static void q_int(struct query *q, int64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%lld", (long long)v);
    q_text(q, num);
}

static void q_release(struct query *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->p[i]);
    free(q->p);
    buf_release(&q->sql);
}

/* Length in bytes of the separator at p (ASCII white space or the ideographic space U+3000
 * that Chinese input methods type), 0 when p is not a separator. */
static size_t sep_len(const char *p)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        return 1;
    if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
        return 3;
    return 0;
}

/* Every word of the text must appear in the title or the description, case-insensitively for
 * Latin letters as SQLite's trigram search is. Each word is one bound ILIKE pattern with '%',
 * '_' and '\' escaped; the planner serves patterns of 3 or more characters from the pg_trgm
 * indexes and shorter ones (two-character Chinese words) without them. */
static int add_text_filter(struct query *q, const char *text, struct ks_error *err)
{
    struct buf like;
    const char *p = text;
    int words = 0;

    if (strlen(text) > TEXT_QUERY_MAX)
        return ks_fail(err, KS_EINVAL, "text", "text: the search is longer than %d bytes",
                       TEXT_QUERY_MAX);
    buf_init(&like, 4 * TEXT_QUERY_MAX);
    for (;;) {
        const char *start;
        size_t len, sl;

        while ((sl = sep_len(p)) > 0)
            p += sl;
        if (!*p)
            break;
        start = p;
        while (*p && sep_len(p) == 0)
            p++;
        len = (size_t)(p - start);
        if (++words > TEXT_WORDS_MAX) {
            buf_release(&like);
            return ks_fail(err, KS_EINVAL, "text", "text: more than %d words", TEXT_WORDS_MAX);
        }
        buf_reset(&like);
        buf_addch(&like, '%');
        for (size_t i = 0; i < len; i++) {
            if (start[i] == '%' || start[i] == '_' || start[i] == '\\')
                buf_addch(&like, '\\');
            buf_addch(&like, start[i]);
        }
        buf_addch(&like, '%');
        q_sql(q, " AND (c.title ILIKE ");
        q_text(q, buf_str(&like));
        buf_addf(&q->sql, " OR c.description ILIKE $%zu)", q->n);
    }
    buf_release(&like);
    return 0;
}

/* The sort key of the cursor row, so the next page starts strictly after it. */
static int add_cursor(struct pg_tx *tx, struct query *q, const struct complaint_filter *f,
                      struct ks_error *err)
{
    struct params p = {0};
    int64_t id, received, due;
    PGresult *res;
    int rc;

    p_text(&p, f->after);
    if ((rc = tx_run(tx, ST_COMPLAINT_CURSOR, &p, &res, NULL, err, "listing complaints")) < 0)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return ks_fail(err, KS_EINVAL, "after", "after: complaint %s does not exist", f->after);
    }
    id = col_i64(res, 0, 0);
    received = col_i64(res, 0, 1);
    due = col_i64(res, 0, 2);
    PQclear(res);
    if (store_list_by_id(f)) {
        q_sql(q, f->sort == CS_RECEIVED_DESC ? " AND c.id < " : " AND c.id > ");
        q_int(q, id);
        q_sql(q, "::bigint");
        return 0;
    }
    switch (f->sort) {
    case CS_RECEIVED_DESC:
        q_sql(q, " AND (c.received_at, c.id) < (");
        q_int(q, received);
        break;
    case CS_RECEIVED_ASC:
        q_sql(q, " AND (c.received_at, c.id) > (");
        q_int(q, received);
        break;
    case CS_DUE_ASC:
        q_sql(q, " AND (" DUE_KEY ", c.id) > (");
        q_int(q, due);
        break;
    }
    q_sql(q, "::bigint, ");
    q_int(q, id);
    q_sql(q, "::bigint)");
    return 0;
}

/* The listing of f selecting cols (NULL: every complaint column). */
static int build_list(struct pg_tx *tx, const struct complaint_filter *f, const char *cols,
                      struct query *q, struct ks_error *err)
{
    static const enum wf_state ended[] = {WF_STATE_CLOSED, WF_STATE_REJECTED, WF_STATE_WITHDRAWN,
                                          WF_STATE_MERGED};
    int rc;

    buf_addf(&q->sql, "SELECT %s FROM complaints c WHERE true", cols ? cols : tx->s->select_cols);
    if (f->status >= 0) {
        q_sql(q, " AND c.status = ");
        q_text(q, wf_state_name((enum wf_state)f->status));
    }
    if (f->open_only) {
        q_sql(q, " AND c.status NOT IN (");
        for (size_t i = 0; i < sizeof(ended) / sizeof(ended[0]); i++) {
            q_sql(q, i ? ", " : "");
            q_text(q, wf_state_name(ended[i]));
        }
        q_sql(q, ")");
    }
    if (f->severity == SEV_NONE) {
        q_sql(q, " AND c.severity IS NULL");
    } else if (f->severity > 0) {
        q_sql(q, " AND c.severity = ");
        q_text(q, severity_name((enum severity)f->severity));
    }
    if (f->category) {
        q_sql(q, " AND c.category = ");
        q_text(q, f->category);
    }
    if (f->channel >= 0) {
        q_sql(q, " AND c.channel = ");
        q_text(q, channel_name((enum channel)f->channel));
    }
    if (f->assignee) {
        q_sql(q, " AND c.assignee = ");
        q_text(q, f->assignee);
    }
    if (f->department) {
        q_sql(q, " AND (c.department IN (WITH RECURSIVE sub(code) AS (SELECT ");
        q_text(q, f->department);
        q_sql(q, "::text UNION SELECT d.code FROM departments d JOIN sub ON d.parent = sub.code)"
                 " SELECT code FROM sub)");
        if (f->or_assignee) {
            q_sql(q, " OR c.assignee = ");
            q_text(q, f->or_assignee);
        }
        q_sql(q, ")");
    }
    if (f->customer) {
        q_sql(q, " AND (c.customer_code = ");
        q_text(q, f->customer);
        buf_addf(&q->sql, " OR c.customer_name = $%zu)", q->n);
    }
    if (f->product) {
        q_sql(q, " AND c.product = ");
        q_text(q, f->product);
    }
    if (f->defect) {
        q_sql(q, " AND c.defect = ");
        q_text(q, f->defect);
    }
    if (f->batch_no) {
        q_sql(q, " AND c.batch_no = ");
        q_text(q, f->batch_no);
    }
    if (f->received_from != KS_TIME_NONE) {
        q_sql(q, " AND c.received_at >= ");
        q_int(q, f->received_from);
    }
    if (f->received_to != KS_TIME_NONE) {
        q_sql(q, " AND c.received_at < ");
        q_int(q, f->received_to);
    }
    /* Overdue as stage_clock_is_breached() judges a running clock: past due at now, or paused
     * after its due time. The plain due_at < now lets the partial index find them. */
    if (f->overdue) {
        q_sql(q, " AND c.id IN (SELECT complaint_id FROM stage_deadlines WHERE met_at IS NULL"
                 " AND due_at < ");
        q_int(q, f->now);
        buf_addf(&q->sql, "::bigint AND due_at < coalesce(paused_at, $%zu::bigint))", q->n);
    }
    if (f->due_before != KS_TIME_NONE) {
        q_sql(q, " AND c.id IN (SELECT complaint_id FROM stage_deadlines WHERE met_at IS NULL"
                 " AND due_at < ");
        q_int(q, f->due_before);
        q_sql(q, ")");
    }
    if (f->text && (rc = add_text_filter(q, f->text, err)) < 0)
        return rc;
    if (f->after && (rc = add_cursor(tx, q, f, err)) < 0)
        return rc;
    if (store_list_by_id(f)) {
        q_sql(q, f->sort == CS_RECEIVED_DESC ? " ORDER BY c.id DESC" : " ORDER BY c.id");
    } else {
        switch (f->sort) {
        case CS_RECEIVED_DESC:
            q_sql(q, " ORDER BY c.received_at DESC, c.id DESC");
            break;
        case CS_RECEIVED_ASC:
            q_sql(q, " ORDER BY c.received_at, c.id");
            break;
        case CS_DUE_ASC:
            q_sql(q, " ORDER BY " DUE_KEY ", c.id");
            break;
        }
    }
    if (f->limit > 0) {
        q_sql(q, " LIMIT ");
        q_int(q, f->limit);
    }
    return 0;
}

static int pg_complaint_list(struct store_tx *base, const struct complaint_filter *f,
                             struct store_iter **out, struct ks_error *err)
{
    struct pg_tx *tx = tx_of(base);
    struct query q = {0};
    struct buf decl;
    struct pg_iter *it;
    uint64_t mask = store_field_mask(f->fields);
    PGresult *res;
    char *cols = NULL;
    int n_cols = 0, rc;

    if (tx->conn->broken || PQtransactionStatus(tx->conn->pg) == PQTRANS_INERROR)
        return ks_fail(err, KS_ESTORE, NULL,
                       "the transaction was cancelled by an earlier error; roll back and retry");
    buf_init(&q.sql, SQL_MAX);
    if (f->fields || f->closing)
        cols = store_field_cols(mask, f->closing, &n_cols);
    rc = build_list(tx, f, cols, &q, err);
    free(cols);
    if (rc < 0) {
        q_release(&q);
        return rc;
    }
    it = xcalloc(1, sizeof(*it));
    it->mask = mask;
    it->closing_col = f->closing ? n_cols : -1;
    snprintf(it->name, sizeof(it->name), "ks_list%u", ++tx->n_cursors);
    buf_init(&decl, SQL_MAX + 64);
    buf_addf(&decl, "DECLARE %s NO SCROLL CURSOR FOR %s", it->name, buf_str(&q.sql));
    res = PQexecParams(tx->conn->pg, buf_str(&decl), (int)q.n, NULL, (const char *const *)q.p, NULL,
                       NULL, 0);
    buf_release(&decl);
    q_release(&q);
    if (!result_ok(res)) {
        rc = pg_fail(tx->conn, res, err, "listing complaints");
        PQclear(res);
        free(it);
        return rc;
    }
    PQclear(res);
    it->base.tx = base;
    it->tx = tx;
    tx->n_iters++;
    *out = &it->base;
    return 0;
}

static int pg_complaint_count(struct store_tx *base, const struct complaint_filter *f,
                              int64_t *n_out, struct ks_error *err)
{
    struct pg_tx *tx = tx_of(base);
    struct query q = {0};
    PGresult *res;
    int rc;

    if (tx->conn->broken || PQtransactionStatus(tx->conn->pg) == PQTRANS_INERROR)
        return ks_fail(err, KS_ESTORE, NULL,
                       "the transaction was cancelled by an earlier error; roll back and retry");
    buf_init(&q.sql, SQL_MAX);
    buf_adds(&q.sql, "SELECT count(*) FROM (");
    if ((rc = build_list(tx, f, "c.id", &q, err)) < 0) {
        q_release(&q);
        return rc;
    }
    q_sql(&q, ") q");
    res = PQexecParams(tx->conn->pg, buf_str(&q.sql), (int)q.n, NULL, (const char *const *)q.p,
                       NULL, NULL, 0);
    q_release(&q);
    if (!result_ok(res)) {
        rc = pg_fail(tx->conn, res, err, "counting complaints");
        PQclear(res);
        return rc;
    }
    *n_out = col_i64(res, 0, 0);
    PQclear(res);
    return 0;
}

static int pg_complaint_next(struct store_iter *base, struct complaint *row,
                             struct complaint_closing *closing_out, struct ks_error *err)
{
    struct pg_iter *it = (struct pg_iter *)(void *)base;
    struct pg_conn *c = it->tx->conn;
    int rc;

    complaint_release(row);
    if (closing_out && it->closing_col < 0)
        KS_BUG("store_complaint_next_closing() on a listing made without f->closing");
    if (it->done)
        return 0;
    if (!it->res || it->row >= PQntuples(it->res)) {
        char sql[64];

        PQclear(it->res);
        it->row = 0;
        snprintf(sql, sizeof(sql), "FETCH " FETCH_ROWS " FROM %s", it->name);
        it->res = PQexec(c->pg, sql);
        if (!result_ok(it->res)) {
            it->done = true;
            return pg_fail(c, it->res, err, "listing complaints");
        }
        if (PQntuples(it->res) == 0) {
            it->done = true;
            return 0;
        }
    }
    if ((rc = read_complaint(it->res, it->row, it->mask, row, err)) < 0)
        return rc;
    if (closing_out) {
        closing_out->closed_at = col_time(it->res, it->row, it->closing_col);
        closing_out->reopened = col_int(it->res, it->row, it->closing_col + 1);
    }
    it->row++;
    return 1;
}

static void pg_iter_free(struct store_iter *base)
{
    struct pg_iter *it = (struct pg_iter *)(void *)base;
    struct pg_conn *c = it->tx->conn;

    PQclear(it->res);
    /* The cursor would end with the transaction anyway; closing it frees the server's
     * memory now. An aborted transaction refuses CLOSE, and has nothing left to free. */
    if (!c->broken && PQtransactionStatus(c->pg) == PQTRANS_INTRANS) {
        char sql[64];
        snprintf(sql, sizeof(sql), "CLOSE %s", it->name);
        conn_command(c, sql, NULL, "listing complaints");
    }
    it->tx->n_iters--;
    free(it);
}

/* ---- events ---------------------------------------------------------------------------- */

static const char *state_or_null(int s)
{
    return s < 0 ? NULL : wf_state_name((enum wf_state)s);
}

/* Locks the complaint's chain and reads its number and last link (prev_out "" when none). */
static int event_prev(struct pg_tx *tx, int64_t complaint_id, char **number_out,
                      char prev_out[EVENT_HASH_HEX], struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    *number_out = NULL;
    prev_out[0] = '\0';
    p_int(&p, complaint_id);
    if ((rc = tx_run(tx, ST_EVENT_LOCK, &p, &res, NULL, err, "saving an event")) < 0)
        return rc;
    if (PQntuples(res) == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "complaint_id", "event: complaint #%lld does not exist",
                     (long long)complaint_id);
    else
        *number_out = col_dup(res, 0, 0);
    PQclear(res);
    if (rc < 0)
        return rc;
    if ((rc = tx_run(tx, ST_EVENT_PREV, &p, &res, NULL, err, "saving an event")) < 0) {
        free(*number_out);
        *number_out = NULL;
        return rc;
    }
    if (PQntuples(res) > 0 && !col_null(res, 0, 0))
        snprintf(prev_out, EVENT_HASH_HEX, "%s", col_str(res, 0, 0));
    PQclear(res);
    return 0;
}

static int pg_event_append(struct store_tx *base, struct event *ev, struct ks_error *err)
{
    char prev[EVENT_HASH_HEX], link[EVENT_HASH_HEX];
    struct params p = {0};
    char state[6];
    char *number;
    PGresult *res;
    int64_t closed_at;
    int reopen, rc;

    if (ev->from_state < -1 || ev->from_state >= WF_STATE__COUNT || ev->to_state < -1 ||
        ev->to_state >= WF_STATE__COUNT)
        return ks_fail(err, KS_EINVAL, "event", "event: state %d is not a state",
                       ev->from_state < -1 || ev->from_state >= WF_STATE__COUNT ? ev->from_state
                                                                                : ev->to_state);
    if ((rc = event_prev(tx_of(base), ev->complaint_id, &number, prev, err)) < 0)
        return rc;
    event_chain_hash(ev, number, prev[0] ? prev : NULL, link);
    free(number);
    p_int(&p, ev->complaint_id);
    p_int(&p, ev->at);
    p_text(&p, ev->actor);
    p_text(&p, ev->kind);
    p_text(&p, state_or_null(ev->from_state));
    p_text(&p, state_or_null(ev->to_state));
    p_text(&p, ev->note);
    p_text(&p, ev->details);
    p_text(&p, link);
    rc = tx_run_guarded(tx_of(base), ST_EVENT_INSERT, &p, &res, state, err, "saving an event");
    if (rc == 0)
        ev->id = col_i64(res, 0, 0);
    else if (strcmp(state, "23503") == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "complaint_id", "event: complaint #%lld does not exist",
                     (long long)ev->complaint_id);
    else if (strcmp(state, "22P02") == 0)
        rc = ks_fail(err, KS_EINVAL, "details", "event details: not a valid JSON text");
    PQclear(res);
    if (rc == 0 && store_event_closing(ev, &closed_at, &reopen)) {
        struct params q = {0};

        p_int(&q, ev->complaint_id);
        p_time(&q, closed_at);
        p_int(&q, reopen);
        if ((rc = tx_run(tx_of(base), ST_EVENT_CLOSING, &q, &res, NULL, err, "saving an event")) ==
            0)
            PQclear(res);
    }
    return rc;
}

static int read_state(const PGresult *r, int row, int i, int *out, struct ks_error *err)
{
    enum wf_state s;

    *out = -1;
    if (col_null(r, row, i))
        return 0;
    if (wf_state_parse(col_str(r, row, i), &s, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "event", "event: stored state '%s' is unknown",
                       col_str(r, row, i));
    *out = (int)s;
    return 0;
}

/* Runs an event statement and returns its rows as a new array; with links_out, column 9 holds
 * each event's chain link, copied to one new buffer of EVENT_HASH_HEX bytes per event. */
static int event_rows(struct store_tx *base, enum pg_stmt id, const struct params *p,
                      struct event **evs_out, char **links_out, size_t *n_out, struct ks_error *err)
{
    struct event *evs = NULL;
    char *links = NULL;
    PGresult *res;
    size_t n;
    int rc;

    if ((rc = tx_run(tx_of(base), id, p, &res, NULL, err, "reading events")) < 0)
        return rc;
    n = (size_t)PQntuples(res);
    if (n)
        evs = xcalloc(n, sizeof(*evs));
    if (n && links_out)
        links = xcalloc(n, EVENT_HASH_HEX);
    for (size_t i = 0; i < n; i++)
        event_init(&evs[i]);
    for (int r = 0; r < (int)n && rc == 0; r++) {
        struct event *ev = &evs[r];
        ev->id = col_i64(res, r, 0);
        ev->complaint_id = col_i64(res, r, 1);
        ev->at = col_time(res, r, 2);
        ev->actor = col_dup(res, r, 3);
        ev->kind = col_dup(res, r, 4);
        ev->note = col_dup(res, r, 7);
        ev->details = col_dup(res, r, 8);
        if (links)
            snprintf(links + (size_t)r * EVENT_HASH_HEX, EVENT_HASH_HEX, "%s", col_str(res, r, 9));
        if (read_state(res, r, 5, &ev->from_state, err) < 0 ||
            read_state(res, r, 6, &ev->to_state, err) < 0)
            rc = KS_EINTERNAL;
    }
    PQclear(res);
    if (rc < 0) {
        event_array_free(&evs, n);
        free(links);
        return rc;
    }
    *evs_out = evs;
    if (links_out)
        *links_out = links;
    *n_out = n;
    return 0;
}

static int pg_event_list(struct store_tx *base, int64_t complaint_id, struct event **evs_out,
                         size_t *n_out, struct ks_error *err)
{
    struct params p = {0};

    p_int(&p, complaint_id);
    return event_rows(base, ST_EVENT_LIST, &p, evs_out, NULL, n_out, err);
}

static int pg_event_chain(struct store_tx *base, int64_t complaint_id, struct event **evs_out,
                          char **links_out, size_t *n_out, struct ks_error *err)
{
    struct params p = {0};

    p_int(&p, complaint_id);
    return event_rows(base, ST_EVENT_CHAIN, &p, evs_out, links_out, n_out, err);
}

/* ---- stage deadlines ------------------------------------------------------------------- */

static int pg_deadline_put(struct store_tx *base, struct stage_deadline *d, struct ks_error *err)
{
    const struct stage_clock *k = &d->clock;
    struct params p = {0};
    char state[6], what[256];
    PGresult *res;
    int rc;

    if ((unsigned)d->stage >= WF_STATE__COUNT)
        return ks_fail(err, KS_EINVAL, "stage", "stage: %d is not a state", (int)d->stage);
    p_int(&p, d->complaint_id);
    p_text(&p, wf_state_name(d->stage));
    p_time(&p, k->started_at);
    p_text(&p, dl_unit_name(k->period.unit));
    p_int(&p, k->period.n);
    p_time(&p, k->due_at);
    p_time(&p, k->paused_at);
    p_int(&p, k->paused_secs);
    p_bool(&p, k->extended);
    p_time(&p, k->met_at);
    p_text(&p, d->rule);
    p_bool(&p, d->breached);
    p_int(&p, d->warned);
    p_int(&p, d->escalated);
    p_bool(&p, d->whole);
    p_time(&p, d->next_action_at);
    if (d->id)
        p_int(&p, d->id);
    snprintf(what, sizeof(what), "saving the %s deadline", wf_state_name(d->stage));
    rc = tx_run_guarded(tx_of(base), d->id ? ST_DEADLINE_UPDATE : ST_DEADLINE_INSERT, &p, &res,
                        state, err, what);
    if (rc == 0) {
        if (!d->id)
            d->id = col_i64(res, 0, 0);
        else if (changes(res) == 0)
            rc = ks_fail(err, KS_ENOTFOUND, "deadlines", "stage deadline #%lld does not exist",
                         (long long)d->id);
    } else if (strcmp(state, "23503") == 0) {
        rc = ks_fail(err, KS_ENOTFOUND, "complaint_id",
                     "stage deadline: complaint #%lld does not exist", (long long)d->complaint_id);
    }
    PQclear(res);
    return rc;
}

static int read_deadline(const PGresult *r, int row, struct stage_deadline *d, struct ks_error *err)
{
    struct stage_clock *k = &d->clock;

    d->id = col_i64(r, row, 0);
    d->complaint_id = col_i64(r, row, 1);
    if (wf_state_parse(col_str(r, row, 2), &d->stage, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "stage", "stage deadline: stored stage '%s' is unknown",
                       col_str(r, row, 2));
    k->started_at = col_time(r, row, 3);
    if (dl_unit_parse(col_str(r, row, 4), &k->period.unit, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "period",
                       "stage deadline: stored period unit '%s' is unknown", col_str(r, row, 4));
    k->period.n = col_int(r, row, 5);
    k->due_at = col_time(r, row, 6);
    k->paused_at = col_time(r, row, 7);
    k->paused_secs = col_i64(r, row, 8);
    k->extended = col_bool(r, row, 9);
    k->met_at = col_time(r, row, 10);
    d->rule = col_dup(r, row, 11);
    d->breached = col_bool(r, row, 12);
    d->warned = col_int(r, row, 13);
    d->escalated = col_int(r, row, 14);
    d->whole = col_bool(r, row, 15);
    d->next_action_at = col_time(r, row, 16);
    return 0;
}

/* Runs a stage deadline statement and returns its rows as a new array. */
/* Reads row r of a stage-deadline statement into d. */
typedef int deadline_reader(const PGresult *res, int r, struct stage_deadline *d,
                            struct ks_error *err);

/* The rows of statement id as a new array, each read by read_row; what names the reading in
 * messages. */
static int deadline_rows(struct store_tx *base, enum pg_stmt id, const struct params *p,
                         deadline_reader *read_row, const char *what, struct stage_deadline **out,
                         size_t *n_out, struct ks_error *err)
{
    struct stage_deadline *ds = NULL;
    PGresult *res;
    size_t n;
    int rc;

    rc = tx_run(tx_of(base), id, p, &res, NULL, err, "%s", what);
    if (rc < 0)
        return rc;
    n = (size_t)PQntuples(res);
    if (n)
        ds = xcalloc(n, sizeof(*ds));
    for (size_t i = 0; i < n; i++)
        stage_deadline_init(&ds[i]);
    for (int r = 0; r < (int)n && rc == 0; r++)
        rc = read_row(res, r, &ds[r], err);
    PQclear(res);
    if (rc < 0) {
        stage_deadline_array_free(&ds, n);
        return rc;
    }
    *out = ds;
    *n_out = n;
    return 0;
}

static int pg_deadline_list(struct store_tx *base, int64_t complaint_id,
                            struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    struct params p = {0};

    p_int(&p, complaint_id);
    return deadline_rows(base, ST_DEADLINE_LIST, &p, read_deadline, "reading stage deadlines", out,
                         n_out, err);
}

/* The clocks a report judges, by ST_DEADLINE_LIST_RECEIVED (received in [a, b)) or
 * ST_DEADLINE_LIST_IDS (complaint ids in [a, b]). */
static int read_report_clock(const PGresult *res, int r, struct stage_deadline *d,
                             struct ks_error *err)
{
    d->complaint_id = col_i64(res, r, 0);
    d->clock.started_at = col_time(res, r, 2);
    d->clock.due_at = col_time(res, r, 3);
    d->clock.paused_at = col_time(res, r, 4);
    d->clock.met_at = col_time(res, r, 5);
    d->breached = col_bool(res, r, 6);
    if (wf_state_parse(col_str(res, r, 1), &d->stage, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "stage", "stage deadline: stored stage '%s' is unknown",
                       col_str(res, r, 1));
    return 0;
}

static int report_clocks(struct store_tx *base, enum pg_stmt id, int64_t a, int64_t b,
                         struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    struct params p = {0};

    p_int(&p, a);
    p_int(&p, b);
    return deadline_rows(base, id, &p, read_report_clock, "reading stage deadlines", out, n_out,
                         err);
}

static int pg_deadline_list_received(struct store_tx *base, int64_t from, int64_t to,
                                     struct stage_deadline **out, size_t *n_out,
                                     struct ks_error *err)
{
    return report_clocks(base, ST_DEADLINE_LIST_RECEIVED, from, to, out, n_out, err);
}

static int pg_deadline_list_ids(struct store_tx *base, int64_t id_lo, int64_t id_hi,
                                struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    return report_clocks(base, ST_DEADLINE_LIST_IDS, id_lo, id_hi, out, n_out, err);
}

/* ---- users ----------------------------------------------------------------------------- */

static void bind_user(struct params *p, const struct user *u)
{
    p_text(p, u->login);
    p_text(p, u->name);
    p_text(p, role_name(u->role));
    p_text(p, u->department);
    p_text(p, u->phone);
    p_text(p, u->email);
    p_text(p, u->password_hash);
    p_bool(p, u->disabled);
    p_time(p, u->created_at);
}

static int read_user(const PGresult *r, int row, struct user *u, struct ks_error *err)
{
    u->id = col_i64(r, row, 0);
    u->login = col_dup(r, row, 1);
    u->name = col_dup(r, row, 2);
    if (role_parse(col_str(r, row, 3), &u->role, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "role", "user %s: stored role '%s' is unknown", u->login,
                       col_str(r, row, 3));
    u->department = col_dup(r, row, 4);
    u->phone = col_dup(r, row, 5);
    u->email = col_dup(r, row, 6);
    u->password_hash = col_dup(r, row, 7);
    u->disabled = col_bool(r, row, 8);
    u->created_at = col_time(r, row, 9);
    u->version = col_int(r, row, 10);
    return 0;
}

static int pg_user_insert(struct store_tx *base, struct user *u, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    bind_user(&p, u);
    rc = tx_run(tx_of(base), ST_USER_INSERT, &p, &res, NULL, err, "saving user '%s'", u->login);
    if (rc < 0)
        return rc;
    if (PQntuples(res) == 0) {
        rc = ks_fail(err, KS_ECONFLICT, "login", "user '%s' already exists", u->login);
    } else {
        u->id = col_i64(res, 0, 0);
        u->version = 1;
    }
    PQclear(res);
    return rc;
}

static int pg_user_update(struct store_tx *base, struct user *u, struct ks_error *err)
{
    struct pg_tx *tx = tx_of(base);
    struct params p = {0};
    char state[6], what[256];
    PGresult *res;
    long n;
    int rc;

    bind_user(&p, u);
    p_int(&p, u->id);
    p_int(&p, u->version);
    snprintf(what, sizeof(what), "saving user '%s'", u->login);
    rc = tx_run_guarded(tx, ST_USER_UPDATE, &p, &res, state, err, what);
    if (rc < 0) {
        if (strcmp(state, "23505") == 0)
            rc = ks_fail(err, KS_ECONFLICT, "login", "user '%s' already exists", u->login);
        return rc;
    }
    n = changes(res);
    PQclear(res);
    if (n == 0)
        return stale(tx, ST_USER_VERSION, u->id, u->version, "user", u->login, err);
    u->version++;
    return 0;
}

static int pg_user_get(struct store_tx *base, const char *login, struct user *out,
                       struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, login);
    rc = tx_run(tx_of(base), ST_USER_GET, &p, &res, NULL, err, "reading user '%s'", login);
    if (rc < 0)
        return rc;
    if (PQntuples(res) == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "login", "user '%s' does not exist", login);
    else if ((rc = read_user(res, 0, out, err)) < 0)
        user_release(out);
    PQclear(res);
    return rc;
}

static int pg_user_list(struct store_tx *base, struct user **out, size_t *n_out,
                        struct ks_error *err)
{
    struct user *us = NULL;
    PGresult *res;
    size_t n;
    int rc;

    if ((rc = tx_run(tx_of(base), ST_USER_LIST, NULL, &res, NULL, err, "reading users")) < 0)
        return rc;
    n = (size_t)PQntuples(res);
    if (n)
        us = xcalloc(n, sizeof(*us));
    for (size_t i = 0; i < n; i++)
        user_init(&us[i]);
    for (int r = 0; r < (int)n && rc == 0; r++)
        rc = read_user(res, r, &us[r], err);
    PQclear(res);
    if (rc < 0) {
        user_array_free(&us, n);
        return rc;
    }
    *out = us;
    *n_out = n;
    return 0;
}

/* ---- departments ----------------------------------------------------------------------- */

static void read_department(const PGresult *r, int row, struct department *d)
{
    d->id = col_i64(r, row, 0);
    d->code = col_dup(r, row, 1);
    d->name = col_dup(r, row, 2);
    d->parent = col_dup(r, row, 3);
    d->head = col_dup(r, row, 4);
}

static int department_write(struct pg_tx *tx, enum pg_stmt id, struct department *d,
                            struct ks_error *err)
{
    struct params p = {0};
    char state[6], what[256];
    PGresult *res;
    int rc;

    p_text(&p, d->code);
    p_text(&p, d->name);
    p_text(&p, d->parent);
    p_text(&p, d->head);
    if (id == ST_DEPT_UPDATE)
        p_int(&p, d->id);
    snprintf(what, sizeof(what), "saving department '%s'", d->code);
    rc = tx_run_guarded(tx, id, &p, &res, state, err, what);
    if (rc == 0) {
        if (id == ST_DEPT_INSERT && PQntuples(res) == 0)
            rc = ks_fail(err, KS_ECONFLICT, "code", "department '%s' already exists", d->code);
        else if (id == ST_DEPT_INSERT)
            d->id = col_i64(res, 0, 0);
        else if (changes(res) == 0)
            rc = ks_fail(err, KS_ENOTFOUND, "code", "department '%s' does not exist", d->code);
    } else if (strcmp(state, "23505") == 0) {
        rc = ks_fail(err, KS_ECONFLICT, "code", "department '%s' already exists", d->code);
    } else if (strcmp(state, "23503") == 0) {
        rc = ks_fail(err, KS_EINVAL, "parent", "parent: department '%s' does not exist", d->parent);
    }
    PQclear(res);
    return rc;
}

static int pg_department_insert(struct store_tx *base, struct department *d, struct ks_error *err)
{
    return department_write(tx_of(base), ST_DEPT_INSERT, d, err);
}

static int pg_department_update(struct store_tx *base, struct department *d, struct ks_error *err)
{
    struct pg_tx *tx = tx_of(base);
    struct params p = {0};
    PGresult *res;
    int rc;

    /* A parent inside the department's own subtree would make a cycle. */
    if (d->parent) {
        p_int(&p, d->id);
        p_text(&p, d->parent);
        rc = tx_run(tx, ST_DEPT_IN_SUBTREE, &p, &res, NULL, err, "saving department '%s'", d->code);
        if (rc < 0)
            return rc;
        rc = PQntuples(res) > 0;
        PQclear(res);
        if (rc)
            return ks_fail(err, KS_EINVAL, "parent",
                           "parent: department '%s' is inside '%s', so it cannot be its parent",
                           d->parent, d->code);
    }
    return department_write(tx, ST_DEPT_UPDATE, d, err);
}

static int pg_department_get(struct store_tx *base, const char *code, struct department *out,
                             struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, code);
    rc = tx_run(tx_of(base), ST_DEPT_GET, &p, &res, NULL, err, "reading department '%s'", code);
    if (rc < 0)
        return rc;
    if (PQntuples(res) > 0)
        read_department(res, 0, out);
    else
        rc = ks_fail(err, KS_ENOTFOUND, "code", "department '%s' does not exist", code);
    PQclear(res);
    return rc;
}

static int pg_department_list(struct store_tx *base, struct department **out, size_t *n_out,
                              struct ks_error *err)
{
    struct department *ds = NULL;
    PGresult *res;
    size_t n;
    int rc;

    if ((rc = tx_run(tx_of(base), ST_DEPT_LIST, NULL, &res, NULL, err, "reading departments")) < 0)
        return rc;
    n = (size_t)PQntuples(res);
    if (n)
        ds = xcalloc(n, sizeof(*ds));
    for (int r = 0; r < (int)n; r++) {
        department_init(&ds[r]);
        read_department(res, r, &ds[r]);
    }
    PQclear(res);
    *out = ds;
    *n_out = n;
    return 0;
}

/* ---- access: department scope, sessions, login failures, idempotency keys --------------- */

static int pg_department_within(struct store_tx *base, const char *root, const char *code,
                                bool *within_out, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, root);
    p_text(&p, code);
    rc = tx_run(tx_of(base), ST_DEPT_WITHIN, &p, &res, NULL, err, "reading department '%s'", root);
    if (rc < 0)
        return rc;
    *within_out = PQntuples(res) > 0;
    PQclear(res);
    return 0;
}

static int pg_session_insert(struct store_tx *base, struct session *s, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, s->token_hash);
    p_text(&p, s->csrf);
    p_text(&p, s->login);
    p_text(&p, s->kind);
    p_int(&p, s->created_at);
    p_time(&p, s->expires_at);
    p_bool(&p, s->revoked);
    p_time(&p, s->last_seen_at);
    rc = tx_run(tx_of(base), ST_SESSION_INSERT, &p, &res, NULL, err, "saving a session of '%s'",
                s->login);
    if (rc < 0)
        return rc;
    if (PQntuples(res) == 0)
        rc = ks_fail(err, KS_ECONFLICT, "token", "this token is already in use");
    else
        s->id = col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_session_get(struct store_tx *base, const char *token_hash, struct session *out,
                          struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, token_hash);
    if ((rc = tx_run(tx_of(base), ST_SESSION_GET, &p, &res, NULL, err, "reading a session")) < 0)
        return rc;
    if (PQntuples(res) > 0) {
        out->id = col_i64(res, 0, 0);
        out->token_hash = col_dup(res, 0, 1);
        out->csrf = col_dup(res, 0, 2);
        out->login = col_dup(res, 0, 3);
        out->kind = col_dup(res, 0, 4);
        out->created_at = col_i64(res, 0, 5);
        out->expires_at = col_time(res, 0, 6);
        out->revoked = col_bool(res, 0, 7);
        out->last_seen_at = col_time(res, 0, 8);
    } else {
        rc = ks_fail(err, KS_ENOTFOUND, "token", "no such session");
    }
    PQclear(res);
    return rc;
}

static int pg_session_revoke(struct store_tx *base, const char *token_hash, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, token_hash);
    rc = tx_run(tx_of(base), ST_SESSION_REVOKE, &p, &res, NULL, err, "ending a session");
    if (rc == 0 && changes(res) == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "token", "no such session");
    PQclear(res);
    return rc;
}

static int pg_session_revoke_login(struct store_tx *base, const char *login, int *n_out,
                                   struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, login);
    rc = tx_run(tx_of(base), ST_SESSION_REVOKE_LOGIN, &p, &res, NULL, err,
                "ending the sessions of '%s'", login);
    if (rc == 0 && n_out)
        *n_out = (int)changes(res);
    PQclear(res);
    return rc;
}

static int pg_session_touch(struct store_tx *base, const char *token_hash, int64_t at,
                            struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, token_hash);
    p_int(&p, at);
    rc = tx_run(tx_of(base), ST_SESSION_TOUCH, &p, &res, NULL, err,
                "recording the use of a session");
    PQclear(res);
    return rc;
}

static int pg_login_failure_add(struct store_tx *base, const char *login, int64_t at,
                                struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, login);
    p_int(&p, at);
    rc = tx_run(tx_of(base), ST_LOGIN_FAIL_ADD, &p, &res, NULL, err, "counting a failed login");
    PQclear(res);
    return rc;
}

static int pg_login_failures(struct store_tx *base, const char *login, int64_t since, int *n_out,
                             struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, login);
    p_int(&p, since);
    rc = tx_run(tx_of(base), ST_LOGIN_FAIL_COUNT, &p, &res, NULL, err, "counting failed logins");
    if (rc < 0)
        return rc;
    *n_out = col_int(res, 0, 0);
    PQclear(res);
    return 0;
}

static int pg_complaint_count_repeats(struct store_tx *base, const char *customer,
                                      const char *defect, int64_t from, int64_t to, int *n_out,
                                      struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, customer);
    p_text(&p, defect);
    p_int(&p, from);
    p_int(&p, to);
    rc = tx_run(tx_of(base), ST_COMPLAINT_REPEATS, &p, &res, NULL, err,
                "counting repeat complaints");
    if (rc < 0)
        return rc;
    *n_out = col_int(res, 0, 0);
    PQclear(res);
    return 0;
}

static int pg_login_failures_clear(struct store_tx *base, const char *login, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, login);
    rc = tx_run(tx_of(base), ST_LOGIN_FAIL_CLEAR, &p, &res, NULL, err, "forgetting failed logins");
    PQclear(res);
    return rc;
}

static int pg_idem_get(struct store_tx *base, const char *login, const char *key,
                       struct idem_record *out, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, login);
    p_text(&p, key);
    rc = tx_run(tx_of(base), ST_IDEM_GET, &p, &res, NULL, err, "reading an idempotency key");
    if (rc < 0)
        return rc;
    if (PQntuples(res) > 0) {
        out->login = col_dup(res, 0, 0);
        out->key = col_dup(res, 0, 1);
        out->body_hash = col_dup(res, 0, 2);
        out->status = col_int(res, 0, 3);
        out->response = col_dup(res, 0, 4);
        out->created_at = col_i64(res, 0, 5);
    } else {
        rc = ks_fail(err, KS_ENOTFOUND, "Idempotency-Key", "key '%s' was not used", key);
    }
    PQclear(res);
    return rc;
}

static int pg_idem_put(struct store_tx *base, const struct idem_record *r, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, r->login);
    p_text(&p, r->key);
    p_text(&p, r->body_hash);
    p_int(&p, r->status);
    p_text(&p, r->response);
    p_int(&p, r->created_at);
    rc = tx_run(tx_of(base), ST_IDEM_PUT, &p, &res, NULL, err, "saving an idempotency key");
    if (rc == 0 && PQntuples(res) == 0)
        rc = ks_fail(err, KS_ECONFLICT, "Idempotency-Key", "key '%s' was already used", r->key);
    PQclear(res);
    return rc;
}

static int pg_deadline_whole(struct store_tx *base, int64_t complaint_id,
                             struct stage_deadline *out, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_int(&p, complaint_id);
    rc = tx_run(tx_of(base), ST_DEADLINE_WHOLE, &p, &res, NULL, err, "reading the whole limit");
    if (rc < 0)
        return rc;
    if (PQntuples(res) > 0)
        rc = read_deadline(res, 0, out, err);
    else
        rc = ks_fail(err, KS_ENOTFOUND, "deadlines", "complaint #%lld has no whole limit",
                     (long long)complaint_id);
    PQclear(res);
    return rc;
}

/* A due clock: the clock and its complaint's number. */
static int read_due(const PGresult *res, int r, struct stage_deadline *d, struct ks_error *err)
{
    d->number = col_dup(res, r, 17);
    return read_deadline(res, r, d, err);
}

static int pg_deadline_due(struct store_tx *base, int64_t now, int limit,
                           struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    struct params p = {0};

    p_int(&p, now);
    p_int(&p, limit);
    return deadline_rows(base, ST_DEADLINE_DUE, &p, read_due, "finding due deadlines", out, n_out,
                         err);
}

/* ---- outbox and in-app notifications ----------------------------------------------------- */

static int pg_outbox_insert(struct store_tx *base, struct outbox_msg *m, struct ks_error *err)
{
    struct params p = {0};
    char state[6];
    PGresult *res;
    int rc;

    p_int(&p, m->created_at);
    p_text(&p, m->channel);
    p_text(&p, m->recipient);
    p_text(&p, m->template);
    p_text(&p, m->subject);
    p_text(&p, m->body);
    p_text(&p, m->payload);
    if (m->complaint_id)
        p_int(&p, m->complaint_id);
    else
        p_text(&p, NULL);
    p_int(&p, m->attempts);
    p_int(&p, m->next_attempt_at);
    p_text(&p, outbox_status_name(m->status));
    p_text(&p, m->last_error);
    p_time(&p, m->sent_at);
    rc = tx_run_guarded(tx_of(base), ST_OUTBOX_INSERT, &p, &res, state, err,
                        "saving an outgoing message");
    if (rc == 0)
        m->id = col_i64(res, 0, 0);
    else if (strcmp(state, "22P02") == 0)
        rc = ks_fail(err, KS_EINVAL, "payload", "outbox payload: not a valid JSON text");
    PQclear(res);
    return rc;
}

/* Reads every row of res into a new array of outbox messages; clears res. */
static int outbox_rows(PGresult *res, struct outbox_msg **out, size_t *n_out, struct ks_error *err)
{
    struct outbox_msg *ms = NULL;
    size_t n = (size_t)PQntuples(res);
    int rc = 0;

    if (n)
        ms = xcalloc(n, sizeof(*ms));
    for (int r = 0; r < (int)n; r++) {
        struct outbox_msg *m = &ms[r];
        outbox_msg_init(m);
        m->id = col_i64(res, r, 0);
        m->created_at = col_time(res, r, 1);
        m->channel = col_dup(res, r, 2);
        m->recipient = col_dup(res, r, 3);
        m->template = col_dup(res, r, 4);
        m->subject = col_dup(res, r, 5);
        m->body = col_dup(res, r, 6);
        m->payload = col_dup(res, r, 7);
        m->complaint_id = col_i64(res, r, 8);
        m->attempts = col_int(res, r, 9);
        m->next_attempt_at = col_time(res, r, 10);
        m->last_error = col_dup(res, r, 12);
        m->sent_at = col_time(res, r, 13);
        if (rc == 0 && outbox_status_parse(col_str(res, r, 11), &m->status, err) < 0)
            rc = KS_EINTERNAL;
    }
    PQclear(res);
    if (rc < 0) {
        outbox_msg_array_free(&ms, n);
        return rc;
    }
    *out = ms;
    *n_out = n;
    return 0;
}

static int pg_outbox_due(struct store_tx *base, int64_t now, int limit, struct outbox_msg **out,
                         size_t *n_out, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_int(&p, now);
    p_int(&p, limit);
    rc = tx_run(tx_of(base), ST_OUTBOX_DUE, &p, &res, NULL, err, "finding due messages");
    return rc < 0 ? rc : outbox_rows(res, out, n_out, err);
}

static int pg_outbox_list(struct store_tx *base, int status, int limit, struct outbox_msg **out,
                          size_t *n_out, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, status < 0 ? NULL : outbox_status_name((enum outbox_status)status));
    p_int(&p, limit);
    rc = tx_run(tx_of(base), ST_OUTBOX_LIST, &p, &res, NULL, err, "reading outgoing messages");
    return rc < 0 ? rc : outbox_rows(res, out, n_out, err);
}

static int pg_outbox_update(struct store_tx *base, const struct outbox_msg *m, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_int(&p, m->attempts);
    p_int(&p, m->next_attempt_at);
    p_text(&p, outbox_status_name(m->status));
    p_text(&p, m->last_error);
    p_time(&p, m->sent_at);
    p_int(&p, m->id);
    rc = tx_run(tx_of(base), ST_OUTBOX_UPDATE, &p, &res, NULL, err, "saving an outgoing message");
    if (rc == 0 && changes(res) == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "id", "outgoing message #%lld does not exist",
                     (long long)m->id);
    PQclear(res);
    return rc;
}

static int pg_notification_insert(struct store_tx *base, struct notification *n,
                                  struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, n->login);
    p_int(&p, n->created_at);
    p_text(&p, n->kind);
    p_text(&p, n->title);
    p_text(&p, n->body);
    if (n->complaint_id)
        p_int(&p, n->complaint_id);
    else
        p_text(&p, NULL);
    p_text(&p, n->number);
    p_bool(&p, n->read);
    rc = tx_run(tx_of(base), ST_NOTE_INSERT, &p, &res, NULL, err, "saving a notification");
    if (rc == 0)
        n->id = col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_notification_list(struct store_tx *base, const char *login, bool unread_only,
                                int limit, struct notification **out, size_t *n_out,
                                struct ks_error *err)
{
    struct notification *ns = NULL;
    struct params p = {0};
    PGresult *res;
    size_t n;
    int rc;

    p_text(&p, login);
    p_bool(&p, unread_only);
    p_int(&p, limit);
    rc = tx_run(tx_of(base), ST_NOTE_LIST, &p, &res, NULL, err, "reading notifications");
    if (rc < 0)
        return rc;
    n = (size_t)PQntuples(res);
    if (n)
        ns = xcalloc(n, sizeof(*ns));
    for (int r = 0; r < (int)n; r++) {
        struct notification *x = &ns[r];
        notification_init(x);
        x->id = col_i64(res, r, 0);
        x->login = col_dup(res, r, 1);
        x->created_at = col_time(res, r, 2);
        x->kind = col_dup(res, r, 3);
        x->title = col_dup(res, r, 4);
        x->body = col_dup(res, r, 5);
        x->complaint_id = col_i64(res, r, 6);
        x->number = col_dup(res, r, 7);
        x->read = col_bool(res, r, 8);
    }
    PQclear(res);
    *out = ns;
    *n_out = n;
    return 0;
}

static int pg_notification_read(struct store_tx *base, int64_t id, const char *login,
                                struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_int(&p, id);
    p_text(&p, login);
    rc = tx_run(tx_of(base), ST_NOTE_READ, &p, &res, NULL, err, "marking a notification read");
    if (rc == 0 && changes(res) == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "id", "notification %lld: no such notification",
                     (long long)id);
    PQclear(res);
    return rc;
}

/* ---- incidents ------------------------------------------------------------------------- */

static int pg_incident_insert(struct store_tx *base, struct incident *inc, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, inc->code);
    p_text(&p, inc->title);
    p_int(&p, inc->level);
    p_text(&p, inc->owner);
    p_text(&p, inc->closed ? "closed" : "open");
    p_text(&p, inc->key);
    p_int(&p, inc->created_at);
    p_time(&p, inc->closed_at);
    rc = tx_run(tx_of(base), ST_INC_INSERT, &p, &res, NULL, err, "saving incident %s", inc->code);
    if (rc == 0 && PQntuples(res) == 0)
        rc = ks_fail(err, KS_ECONFLICT, "code", "incident %s: the code or key is taken", inc->code);
    else if (rc == 0)
        inc->id = col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_incident_update(struct store_tx *base, const struct incident *inc,
                              struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, inc->title);
    p_int(&p, inc->level);
    p_text(&p, inc->owner);
    p_text(&p, inc->closed ? "closed" : "open");
    p_time(&p, inc->closed_at);
    p_int(&p, inc->id);
    rc = tx_run(tx_of(base), ST_INC_UPDATE, &p, &res, NULL, err, "saving incident %s", inc->code);
    if (rc == 0 && changes(res) == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "code", "incident '%s' does not exist", inc->code);
    PQclear(res);
    return rc;
}

static void read_incident(const PGresult *r, int row, struct incident *i)
{
    i->id = col_i64(r, row, 0);
    i->code = col_dup(r, row, 1);
    i->title = col_dup(r, row, 2);
    i->level = col_int(r, row, 3);
    i->owner = col_dup(r, row, 4);
    i->closed = strcmp(col_str(r, row, 5), "closed") == 0;
    i->key = col_dup(r, row, 6);
    i->created_at = col_time(r, row, 7);
    i->closed_at = col_time(r, row, 8);
}

static int pg_incident_get(struct store_tx *base, const char *code, struct incident *out,
                           struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, code);
    rc = tx_run(tx_of(base), ST_INC_GET, &p, &res, NULL, err, "reading incident %s", code);
    if (rc < 0)
        return rc;
    if (PQntuples(res) > 0)
        read_incident(res, 0, out);
    else
        rc = ks_fail(err, KS_ENOTFOUND, "code", "incident '%s' does not exist", code);
    PQclear(res);
    return rc;
}

static int pg_incident_list(struct store_tx *base, bool open_only, struct incident **out,
                            size_t *n_out, struct ks_error *err)
{
    struct incident *is = NULL;
    struct params p = {0};
    PGresult *res;
    size_t n;
    int rc;

    p_bool(&p, open_only);
    rc = tx_run(tx_of(base), ST_INC_LIST, &p, &res, NULL, err, "reading incidents");
    if (rc < 0)
        return rc;
    n = (size_t)PQntuples(res);
    if (n)
        is = xcalloc(n, sizeof(*is));
    for (int r = 0; r < (int)n; r++) {
        incident_init(&is[r]);
        read_incident(res, r, &is[r]);
    }
    PQclear(res);
    *out = is;
    *n_out = n;
    return 0;
}

static int pg_incident_count(struct store_tx *base, const char *prefix, int *n_out,
                             struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    int rc;

    p_text(&p, prefix);
    rc = tx_run(tx_of(base), ST_INC_CODE_LOCK, &p, &res, NULL, err, "counting incidents");
    PQclear(res);
    res = NULL;
    if (rc == 0)
        rc = tx_run(tx_of(base), ST_INC_COUNT, &p, &res, NULL, err, "counting incidents");
    if (rc == 0)
        *n_out = col_int(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_incident_link(struct store_tx *base, const struct incident *inc, int64_t complaint_id,
                            int64_t at, struct ks_error *err)
{
    struct params p = {0}, q = {0};
    char state[6];
    PGresult *res;
    int rc;

    p_int(&p, inc->id);
    p_int(&p, complaint_id);
    p_int(&p, at);
    rc = tx_run_guarded(tx_of(base), ST_INC_LINK, &p, &res, state, err,
                        "linking a complaint to an incident");
    PQclear(res);
    if (rc < 0 && strcmp(state, "23503") == 0)
        return ks_fail(err, KS_ENOTFOUND, "complaint_id",
                       "incident %s: complaint #%lld does not exist", inc->code,
                       (long long)complaint_id);
    if (rc < 0)
        return rc;
    p_text(&q, inc->code);
    p_int(&q, complaint_id);
    rc = tx_run(tx_of(base), ST_INC_MARK, &q, &res, NULL, err, "linking a complaint to incident %s",
                inc->code);
    PQclear(res);
    return rc;
}

static int pg_incident_numbers(struct store_tx *base, int64_t incident_id, char ***out,
                               size_t *n_out, struct ks_error *err)
{
    struct params p = {0};
    PGresult *res;
    char **v = NULL;
    size_t n;
    int rc;

    p_int(&p, incident_id);
    rc = tx_run(tx_of(base), ST_INC_NUMBERS, &p, &res, NULL, err, "reading incident complaints");
    if (rc < 0)
        return rc;
    n = (size_t)PQntuples(res);
    if (n)
        v = xcalloc(n, sizeof(*v));
    for (int r = 0; r < (int)n; r++)
        v[r] = col_dup(res, r, 0);
    PQclear(res);
    *out = v;
    *n_out = n;
    return 0;
}

static int pg_incident_event_append(struct store_tx *base, struct event *ev, struct ks_error *err)
{
    struct params p = {0};
    char state[6];
    PGresult *res;
    int rc;

    p_int(&p, ev->complaint_id);
    p_int(&p, ev->at);
    p_text(&p, ev->actor);
    p_text(&p, ev->kind);
    p_text(&p, ev->note);
    p_text(&p, ev->details);
    rc = tx_run_guarded(tx_of(base), ST_INC_EV_INSERT, &p, &res, state, err,
                        "saving an incident event");
    if (rc == 0)
        ev->id = col_i64(res, 0, 0);
    else if (strcmp(state, "23503") == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "incident", "incident #%lld does not exist",
                     (long long)ev->complaint_id);
    else if (strcmp(state, "22P02") == 0)
        rc = ks_fail(err, KS_EINVAL, "details", "event details: not a valid JSON text");
    PQclear(res);
    return rc;
}

static int pg_incident_event_list(struct store_tx *base, int64_t incident_id, struct event **out,
                                  size_t *n_out, struct ks_error *err)
{
    struct event *evs = NULL;
    struct params p = {0};
    PGresult *res;
    size_t n;
    int rc;

    p_int(&p, incident_id);
    rc = tx_run(tx_of(base), ST_INC_EV_LIST, &p, &res, NULL, err, "reading incident events");
    if (rc < 0)
        return rc;
    n = (size_t)PQntuples(res);
    if (n)
        evs = xcalloc(n, sizeof(*evs));
    for (int r = 0; r < (int)n; r++) {
        struct event *ev = &evs[r];
        event_init(ev);
        ev->id = col_i64(res, r, 0);
        ev->complaint_id = col_i64(res, r, 1);
        ev->at = col_time(res, r, 2);
        ev->actor = col_dup(res, r, 3);
        ev->kind = col_dup(res, r, 4);
        ev->note = col_dup(res, r, 5);
        ev->details = col_dup(res, r, 6);
    }
    PQclear(res);
    *out = evs;
    *n_out = n;
    return 0;
}

const struct store_ops store_pg_ops = {
    .name = "postgres",
    .open = pg_open,
    .close = pg_close,
    .migrate = pg_migrate,
    .schema_version = pg_schema_version,
    .schema_known = pg_schema_known,
    .tx_begin = pg_tx_begin,
    .tx_commit = pg_tx_commit,
    .tx_rollback = pg_tx_rollback,
    .tx_nest = pg_tx_nest,
    .setting_get = pg_setting_get,
    .setting_set = pg_setting_set,
    .number_next = pg_number_next,
    .complaint_insert = pg_complaint_insert,
    .complaint_update = pg_complaint_update,
    .complaint_get = pg_complaint_get,
    .complaint_list = pg_complaint_list,
    .complaint_next = pg_complaint_next,
    .complaint_count = pg_complaint_count,
    .complaint_count_repeats = pg_complaint_count_repeats,
    .deadline_list_received = pg_deadline_list_received,
    .deadline_list_ids = pg_deadline_list_ids,
    .iter_free = pg_iter_free,
    .event_append = pg_event_append,
    .event_list = pg_event_list,
    .event_chain = pg_event_chain,
    .deadline_put = pg_deadline_put,
    .deadline_list = pg_deadline_list,
    .deadline_whole = pg_deadline_whole,
    .deadline_due = pg_deadline_due,
    .outbox_insert = pg_outbox_insert,
    .outbox_due = pg_outbox_due,
    .outbox_update = pg_outbox_update,
    .outbox_list = pg_outbox_list,
    .notification_insert = pg_notification_insert,
    .notification_list = pg_notification_list,
    .notification_read = pg_notification_read,
    .incident_insert = pg_incident_insert,
    .incident_update = pg_incident_update,
    .incident_get = pg_incident_get,
    .incident_list = pg_incident_list,
    .incident_count = pg_incident_count,
    .incident_link = pg_incident_link,
    .incident_numbers = pg_incident_numbers,
    .incident_event_append = pg_incident_event_append,
    .incident_event_list = pg_incident_event_list,
    .user_insert = pg_user_insert,
    .user_update = pg_user_update,
    .user_get = pg_user_get,
    .user_list = pg_user_list,
    .department_insert = pg_department_insert,
    .department_update = pg_department_update,
    .department_get = pg_department_get,
    .department_list = pg_department_list,
    .department_within = pg_department_within,
    .session_insert = pg_session_insert,
    .session_get = pg_session_get,
    .session_revoke = pg_session_revoke,
    .session_revoke_login = pg_session_revoke_login,
    .session_touch = pg_session_touch,
    .login_failure_add = pg_login_failure_add,
    .login_failures = pg_login_failures,
    .login_failures_clear = pg_login_failures_clear,
    .idem_get = pg_idem_get,
    .idem_put = pg_idem_put,
};
