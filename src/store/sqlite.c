/* The SQLite backend (store_sqlite_ops): one database file in WAL mode with synchronous=FULL,
 * foreign keys on and a busy timeout, reached through a small pool of connections so several
 * threads can share one struct store. A transaction borrows one connection for its lifetime
 * (read: BEGIN, write: BEGIN IMMEDIATE, so writers queue at the start instead of failing at
 * commit); an iterator borrows its transaction. Each connection caches its prepared
 * statements; the complaint statements are generated once per store from complaint_fields[],
 * so the columns are listed only there and in the migration. Every value is bound, never
 * spliced; messages never carry SQL text. Migrations are the embedded files
 * src/store/sql/sqlite/NNNN-*.sql, applied in order by store_migrate(), each in its own
 * transaction together with its schema_version row. Full-text search uses the FTS5 trigram
 * table complaints_fts for words of 3 or more characters, the trigrams that begin with a word
 * of 2 (Chinese words are often 2 characters; see add_bigram) and LIKE for 1-character words.
 * Tested by tests/store/test-store.c. */
#include "store/store-int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/embed.h"
#include "lib/turnstile.h"
#include "lib/xalloc.h"

#include "lib/banned.h"

#define MIGRATION_DIR   "src/store/sql/sqlite/"
#define SQL_MAX         (64 * 1024)
#define TEXT_QUERY_MAX  400
#define TEXT_WORDS_MAX  16
#define TRIGRAM_MIN     3
#define BIGRAM_TERMS    100
#define MATCH_MAX       (256 * 1024)
#define DEFAULT_BUSY_MS 5000
#define DEFAULT_POOL    4

/* The open clock that ends first, as the CS_DUE_ASC sort key; complaints without an open clock
 * sort last. */
#define DUE_KEY                                                                                    \
    "coalesce((SELECT min(d.due_at) FROM stage_deadlines d"                                        \
    " WHERE d.complaint_id = c.id AND d.met_at IS NULL), 9223372036854775807)"

enum sq_stmt {
    ST_BEGIN = 0,
    ST_BEGIN_WRITE,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SETTING_GET,
    ST_SETTING_SET,
    ST_NUMBER_NEXT,
    ST_COMPLAINT_INSERT, /* generated */
    ST_COMPLAINT_UPDATE, /* generated */
    ST_COMPLAINT_GET,    /* generated */
    ST_COMPLAINT_VERSION,
    ST_COMPLAINT_CURSOR,
    ST_COMPLAINT_REPEATS,
    ST_FTS_INDEX,
    ST_FTS_TERMS,
    ST_DEADLINE_LIST_RECEIVED,
    ST_DEADLINE_LIST_IDS,
    ST_EVENT_INSERT,
    ST_EVENT_CLOSING,
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
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
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
#define DL_NEXT "CASE WHEN ?7 IS NULL AND ?10 IS NULL THEN coalesce(?16, ?3) END"
#define OBX_COLS                                                                                   \
    "id, created_at, channel, recipient, template, subject, body, payload, complaint_id,"          \
    " attempts, next_attempt_at, status, last_error, sent_at"
#define NOTE_COLS "id, login, created_at, kind, title, body, complaint_id, number, is_read"
#define INC_COLS  "id, code, title, level, owner, status, key, created_at, closed_at"
#define USER_COLS "login, name, role, department, phone, email, password_hash, disabled, created_at"

static const char *const fixed_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN",
    [ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [ST_SETTING_SET] = "INSERT INTO settings(key, value) VALUES (?1, ?2)"
                       " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [ST_NUMBER_NEXT] = "INSERT INTO number_seq(day, last) VALUES (?1, 1)"
                       " ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last",
    [ST_COMPLAINT_VERSION] = "SELECT version FROM complaints WHERE id = ?1",
    [ST_COMPLAINT_CURSOR] =
        "SELECT c.id, c.received_at, " DUE_KEY " FROM complaints c WHERE c.number = ?1",
    /* Served by complaints_customer_code and complaints_customer_name (a multi-index OR on
     * (customer, defect, received_at)): only the matching rows are read. */
    [ST_COMPLAINT_REPEATS] = "SELECT count(*) FROM complaints WHERE (customer_code = ?1 OR"
                             " customer_name = ?1) AND received_at >= ?3 AND received_at < ?4"
                             " AND defect = ?2 AND status <> 'merged'",
    /* Each field ends with U+001F in the index (schema 8), as the update and delete triggers
     * write it, so a two-character word at the end of a field still forms a trigram. */
    [ST_FTS_INDEX] = "INSERT INTO complaints_fts(rowid, title, description)"
                     " SELECT id, title || char(31), description || char(31) FROM complaints"
                     " WHERE id >= ?1",
    /* The first trigram in a range: the vocabulary seeks to ?1 and stops at its first
     * occurrence (an instance vocabulary counts nothing). */
    [ST_FTS_TERMS] = "SELECT term FROM complaints_fts_terms WHERE term >= ?1 AND term < ?2"
                     " LIMIT 1",
    /* The period's ids drive stage_deadlines_complaint (a join would read each complaint row
     * too); only the columns a report judges. */
    [ST_DEADLINE_LIST_RECEIVED] =
        "SELECT d.complaint_id, d.stage, d.started_at, d.due_at, d.paused_at, d.met_at,"
        " d.breached FROM stage_deadlines d WHERE d.complaint_id IN (SELECT id FROM complaints"
        " WHERE received_at >= ?1 AND received_at < ?2) AND d.whole = 0"
        " ORDER BY d.complaint_id, d.started_at, d.id",
    [ST_DEADLINE_LIST_IDS] =
        "SELECT d.complaint_id, d.stage, d.started_at, d.due_at, d.paused_at, d.met_at,"
        " d.breached FROM stage_deadlines d WHERE d.complaint_id BETWEEN ?1 AND ?2"
        " AND d.whole = 0 ORDER BY d.complaint_id, d.started_at, d.id",
    [ST_EVENT_INSERT] = "INSERT INTO events(complaint_id, at, actor, kind, from_state, to_state,"
                        " note, details, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_EVENT_CLOSING] = "UPDATE complaints SET closed_at = ?2, reopened = reopened + ?3"
                         " WHERE id = ?1",
    /* The complaint's number and its chain's last link (the writer holds the write lock, so
     * no other append can come between this read and the insert). max(id) reads only the
     * events_complaint index, then one row: a complaint viewed thousands of times (an audit
     * event each) costs no sort of its timeline. */
    [ST_EVENT_PREV] = "SELECT c.number, (SELECT e.hash FROM events e WHERE e.id ="
                      " (SELECT max(m.id) FROM events m WHERE m.complaint_id = c.id))"
                      " FROM complaints c WHERE c.id = ?1",
    [ST_EVENT_LIST] = "SELECT id, complaint_id, at, actor, kind, from_state, to_state, note,"
                      " details FROM events WHERE complaint_id = ?1 ORDER BY at, id",
    [ST_EVENT_CHAIN] = "SELECT id, complaint_id, at, actor, kind, from_state, to_state, note,"
                       " details, hash FROM events WHERE complaint_id = ?1 ORDER BY id",
    [ST_DEADLINE_INSERT] = "INSERT INTO stage_deadlines(" DL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5,"
                           " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, " DL_NEXT ")",
    [ST_DEADLINE_UPDATE] = "UPDATE stage_deadlines SET complaint_id = ?1, stage = ?2,"
                           " started_at = ?3, period_unit = ?4, period_n = ?5, due_at = ?6,"
                           " paused_at = ?7, paused_secs = ?8, extended = ?9, met_at = ?10,"
                           " rule = ?11, breached = ?12, warned = ?13, escalated = ?14,"
                           " whole = ?15, next_action_at = " DL_NEXT " WHERE id = ?17",
    [ST_DEADLINE_LIST] = "SELECT id, " DL_COLS " FROM stage_deadlines WHERE complaint_id = ?1"
                         " AND whole = 0 ORDER BY started_at, id",
    [ST_DEADLINE_WHOLE] = "SELECT id, " DL_COLS " FROM stage_deadlines WHERE complaint_id = ?1"
                          " AND whole = 1 ORDER BY id DESC LIMIT 1",
    [ST_USER_INSERT] = "INSERT INTO users(" USER_COLS ", version)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
    [ST_USER_UPDATE] = "UPDATE users SET login = ?1, name = ?2, role = ?3, department = ?4,"
                       " phone = ?5, email = ?6, password_hash = ?7, disabled = ?8,"
                       " created_at = ?9, version = version + 1 WHERE id = ?10 AND version = ?11",
    [ST_USER_VERSION] = "SELECT version FROM users WHERE id = ?1",
    [ST_USER_GET] = "SELECT id, " USER_COLS ", version FROM users WHERE login = ?1",
    [ST_USER_LIST] = "SELECT id, " USER_COLS ", version FROM users ORDER BY login",
    [ST_DEPT_INSERT] = "INSERT INTO departments(code, name, parent, head) VALUES (?1, ?2, ?3, ?4)",
    [ST_DEPT_UPDATE] = "UPDATE departments SET code = ?1, name = ?2, parent = ?3, head = ?4"
                       " WHERE id = ?5",
    [ST_DEPT_GET] = "SELECT id, code, name, parent, head FROM departments WHERE code = ?1",
    [ST_DEPT_LIST] = "SELECT id, code, name, parent, head FROM departments ORDER BY code",
    /* Is ?2 the department with id ?1 or below it? (a parent there would make a cycle) */
    [ST_DEPT_IN_SUBTREE] =
        "WITH RECURSIVE sub(code) AS (SELECT code FROM departments WHERE id = ?1"
        " UNION SELECT d.code FROM departments d JOIN sub ON d.parent = sub.code)"
        " SELECT 1 FROM sub WHERE code = ?2",
    /* Is ?2 the department ?1 or below it? */
    [ST_DEPT_WITHIN] = "WITH RECURSIVE sub(code) AS (SELECT code FROM departments WHERE code = ?1"
                       " UNION SELECT d.code FROM departments d JOIN sub ON d.parent = sub.code)"
                       " SELECT 1 FROM sub WHERE code = ?2",
    [ST_SAVEPOINT] = "SAVEPOINT ks_nested",
    [ST_RELEASE] = "RELEASE ks_nested",
    [ST_ROLLBACK_TO] = "ROLLBACK TO ks_nested",
    [ST_SESSION_INSERT] = "INSERT INTO sessions(token_hash, csrf, login, kind, created_at,"
                          " expires_at, revoked, last_seen_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_SESSION_GET] = "SELECT id, token_hash, csrf, login, kind, created_at, expires_at, revoked,"
                       " last_seen_at FROM sessions WHERE token_hash = ?1",
    [ST_SESSION_REVOKE] = "UPDATE sessions SET revoked = 1 WHERE token_hash = ?1",
    [ST_SESSION_REVOKE_LOGIN] = "UPDATE sessions SET revoked = 1 WHERE login = ?1 AND revoked = 0",
    [ST_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1"
                         " AND (last_seen_at IS NULL OR last_seen_at < ?2)",
    [ST_LOGIN_FAIL_ADD] = "INSERT INTO login_failures(login, at) VALUES (?1, ?2)",
    [ST_LOGIN_FAIL_COUNT] = "SELECT count(*) FROM login_failures WHERE login = ?1 AND at >= ?2",
    [ST_LOGIN_FAIL_CLEAR] = "DELETE FROM login_failures WHERE login = ?1",
    [ST_IDEM_GET] = "SELECT login, key, body_hash, status, response, created_at"
                    " FROM idempotency_keys WHERE login = ?1 AND key = ?2",
    [ST_IDEM_PUT] = "INSERT INTO idempotency_keys(login, key, body_hash, status, response,"
                    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_DEADLINE_DUE] = "SELECT d.id, d." DL_COLS_D ", c.number FROM stage_deadlines d"
                        " JOIN complaints c ON c.id = d.complaint_id"
                        " WHERE d.met_at IS NULL AND d.next_action_at <= ?1"
                        " ORDER BY d.next_action_at, d.id LIMIT ?2",
    [ST_OUTBOX_INSERT] = "INSERT INTO outbox(created_at, channel, recipient, template, subject,"
                         " body, payload, complaint_id, attempts, next_attempt_at, status,"
                         " last_error, sent_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [ST_OUTBOX_DUE] = "SELECT " OBX_COLS " FROM outbox WHERE status = 'pending'"
                      " AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
    [ST_OUTBOX_UPDATE] = "UPDATE outbox SET attempts = ?1, next_attempt_at = ?2, status = ?3,"
                         " last_error = ?4, sent_at = ?5 WHERE id = ?6",
    [ST_OUTBOX_LIST] = "SELECT " OBX_COLS " FROM outbox WHERE ?1 IS NULL OR status = ?1"
                       " ORDER BY id DESC LIMIT ?2",
    [ST_NOTE_INSERT] = "INSERT INTO notifications(login, created_at, kind, title, body,"
                       " complaint_id, number, is_read) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_NOTE_LIST] = "SELECT " NOTE_COLS " FROM notifications WHERE login = ?1"
                     " AND (?2 = 0 OR is_read = 0) ORDER BY created_at DESC, id DESC LIMIT ?3",
    [ST_NOTE_READ] = "UPDATE notifications SET is_read = 1 WHERE id = ?1 AND login = ?2",
    [ST_INC_INSERT] = "INSERT INTO incidents(code, title, level, owner, status, key, created_at,"
                      " closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_INC_UPDATE] = "UPDATE incidents SET title = ?1, level = ?2, owner = ?3, status = ?4,"
                      " closed_at = ?5 WHERE id = ?6",
    [ST_INC_GET] = "SELECT " INC_COLS " FROM incidents WHERE code = ?1",
    [ST_INC_LIST] = "SELECT " INC_COLS " FROM incidents WHERE ?1 = 0 OR status = 'open'"
                    " ORDER BY created_at DESC, id DESC",
    [ST_INC_COUNT] = "SELECT count(*) FROM incidents WHERE substr(code, 1, length(?1)) = ?1",
    [ST_INC_LINK] = "INSERT INTO incident_complaints(incident_id, complaint_id, at)"
                    " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [ST_INC_MARK] = "UPDATE complaints SET incident = ?1 WHERE id = ?2",
    [ST_INC_NUMBERS] = "SELECT c.number FROM incident_complaints l"
                       " JOIN complaints c ON c.id = l.complaint_id WHERE l.incident_id = ?1"
                       " ORDER BY l.at, c.id",
    [ST_INC_EV_INSERT] = "INSERT INTO incident_events(incident_id, at, actor, kind, note,"
                         " details) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_INC_EV_LIST] = "SELECT id, incident_id, at, actor, kind, note, details"
                       " FROM incident_events WHERE incident_id = ?1 ORDER BY at, id",
};

#define DYN_STMTS 8 /* built statements kept per connection (see conn_dyn_stmt) */

struct sq_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[ST__COUNT];
    struct {
        char *sql;
        sqlite3_stmt *st;
    } dyn[DYN_STMTS];
    unsigned dyn_next; /* the slot the next new statement replaces */
    /* The complaint (id and number) of the last event this transaction appended and that
     * event's link: its next event chains to it without reading it back. Cleared whenever a
     * transaction begins or ends and when a savepoint is rolled back. See event_prev(). */
    int64_t chain_id;
    char *chain_number;
    char chain_link[EVENT_HASH_HEX];
    /* The first complaint id this write transaction inserted that complaints_fts does not hold
     * yet (0: none); every row from it on was inserted by this transaction, which holds the
     * write lock. See fts_flush(). */
    int64_t fts_from;
    struct sq_conn *next; /* in the idle list */
};

struct sq_store {
    struct store base;
    char *path;
    int busy_ms;
    int pool_size;
    int known_version; /* the newest embedded migration */
    char *sql[ST__COUNT];
    char *select_cols; /* "c.id, c.number, ..." in complaint_fields[] order */

    pthread_mutex_t mu; /* guards idle, n_conns and the checkpointer's flags */
    pthread_cond_t freed;
    /* Write transactions of this process queue here in order before BEGIN IMMEDIATE (see
     * lib/turnstile.h); other processes meet them at SQLite's busy timeout. */
    struct turnstile writers;
    struct sq_conn *idle;
    int n_conns; /* open connections, idle or lent */

    /* The checkpointer (see wal_hook): started at the first full WAL, stopped by close. */
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_wake;
    bool ckpt_started, ckpt_due, ckpt_stop;
};

struct sq_tx {
    struct store_tx base;
    struct sq_store *s;
    struct sq_conn *conn;
    int n_iters;          /* open iterators borrowing this transaction */
    int64_t fts_from_was; /* nested: conn->fts_from when the savepoint began */
};

struct sq_iter {
    struct store_iter base;
    struct sq_tx *tx;
    sqlite3_stmt *st; /* owned */
    uint64_t mask;    /* store_field_mask() of complaint_filter.fields */
    int closing_col;  /* the column of closed_at, reopened after it; -1: not read */
    bool done;
};

static struct sq_store *store_of(struct store *s)
{
    return (struct sq_store *)(void *)s;
}

static struct sq_tx *tx_of(struct store_tx *tx)
{
    return (struct sq_tx *)(void *)tx;
}

/* ---- errors ---------------------------------------------------------------------------- */

/* Maps a SQLite failure to a kesu error: what was being done (ctx) first, then what the user
 * can do about it. sqlite3_errmsg() may quote SQL, so only sqlite3_errstr() is shown. */
static int sq_fail(sqlite3 *db, int rc, struct ks_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int sq_fail(sqlite3 *db, int rc, struct ks_error *err, const char *fmt, ...)
{
    char ctx[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ks_fail(err, KS_ESTORE, NULL, "%s: database is busy; retry in a moment", ctx);
    /* The operator's conditions say so in Chinese too: the detail reaches the person at the
     * intake desk, who should know it is the server's disk and not their form. */
    case SQLITE_FULL:
        return ks_fail(
            err, KS_ESTORE, NULL,
            "%s: the disk is full (服务器磁盘已满，请联系管理员); nothing was saved, free "
            "some space and retry",
            ctx);
    case SQLITE_IOERR:
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: disk i/o error (%s; 服务器磁盘读写错误); check the disk", ctx,
                       sqlite3_errstr(rc));
    case SQLITE_READONLY:
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: the database is read-only (数据库只读，请联系管理员); check the file, "
                       "its directory and the mount",
                       ctx);
    case SQLITE_CANTOPEN:
        return ks_fail(err, KS_ESTORE, NULL,
                       "%s: cannot open the database file; check that its directory exists and "
                       "is writable",
                       ctx);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ks_fail(err, KS_ECONFIG, NULL,
                       "%s: the file is damaged or not a kesu database; restore it from a backup",
                       ctx);
    case SQLITE_NOMEM:
        return ks_fail(err, KS_ESTORE, NULL, "%s: out of memory", ctx);
    case SQLITE_CONSTRAINT:
        return ks_fail(err, KS_EINVAL, NULL, "%s: the record breaks a rule of the database (%s)",
                       ctx, sqlite3_errstr(rc));
    case SQLITE_ERROR:
        if (db && strncmp(sqlite3_errmsg(db), "no such table", 13) == 0)
            return ks_fail(err, KS_ECONFIG, NULL,
                           "%s: the database has no kesu tables yet; run `kesu migrate`", ctx);
        break;
    default:
        break;
    }
    return ks_fail(err, KS_EINTERNAL, NULL, "%s: storage failed (%s)", ctx, sqlite3_errstr(rc));
}

/* ---- columns and parameters ---------------------------------------------------------------- */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_time(sqlite3_stmt *st, int i, int64_t t)
{
    if (t == KS_TIME_NONE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, t);
}

static bool col_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}

/* A copy of a text column (NULL for SQL NULL), taken before the next step. Only SQL NULL
 * (or SQLite running out of memory, when xalloc would have aborted first) has no text. */
static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    if (!t)
        return NULL;
    return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

/* Sets *dst (owned, may be NULL) to a copy of a text column, NULL for SQL NULL, in *dst's own
 * memory when the text fits there, so a listing that refills one record row after row
 * allocates little. */
static void col_set(sqlite3_stmt *st, int i, char **dst)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    size_t n;

    if (!t) {
        free(*dst);
        *dst = NULL;
        return;
    }
    n = (size_t)sqlite3_column_bytes(st, i);
    if (!*dst || strlen(*dst) < n) {
        free(*dst);
        *dst = xmalloc(n + 1);
    }
    memcpy(*dst, t, n);
    (*dst)[n] = '\0';
}

static const char *col_str(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int64_t col_time(sqlite3_stmt *st, int i)
{
    return col_null(st, i) ? KS_TIME_NONE : sqlite3_column_int64(st, i);
}

/* Ends a use of a cached statement so the connection has no statement running at commit. */
static void done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* ---- connections and the pool ---------------------------------------------------------- */

/* Checkpoints run off the commit path. SQLite's automatic checkpoint runs inside the COMMIT
 * that finds CKPT_FRAMES or more frames in the write-ahead log, so one unlucky registration
 * waits for the copy of the whole log into the database and its fsync. Instead every
 * connection's WAL hook only wakes this thread, which runs a PASSIVE checkpoint on its own
 * connection (it never blocks writers or readers; whatever a reader still needs is left for
 * the next one). Durability is the same: a commit is durable once in the log.
 *
 * Under a steady stream of commits that thread never catches up: frames are appended while it
 * copies, and SQLite starts the log over only when a writer finds every frame copied, so the
 * log would grow without end (216 MB after 10,000 registrations), each commit extending the
 * file. So once the log holds RESTART_FRAMES, the committing connection itself finishes the
 * copy before its next transaction (PASSIVE again: usually only the frames since the thread's
 * last pass; it returns at once while the thread is copying). That transaction then starts the
 * log over from the beginning, unless a reader still reads from it or another writer added
 * frames meanwhile; a later commit tries again. */
#define CKPT_FRAMES    1000 /* SQLite's own default threshold */
#define RESTART_FRAMES 4000 /* 16 MB of 4 KB pages */

static void *ckpt_main(void *arg)
{
    struct sq_store *s = arg;
    sqlite3 *db = NULL;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->ckpt_due && !s->ckpt_stop)
            pthread_cond_wait(&s->ckpt_wake, &s->mu);
        if (s->ckpt_stop)
            break;
        s->ckpt_due = false;
        pthread_mutex_unlock(&s->mu);
        /* A new connection knows the file is in WAL mode only once it has read it: until
         * then a checkpoint on it does nothing and still returns SQLITE_OK. */
        if (!db && (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                    NULL) != SQLITE_OK ||
                    sqlite3_exec(db, "PRAGMA journal_mode", NULL, NULL, NULL) != SQLITE_OK)) {
            sqlite3_close(db);
            db = NULL; /* the next wake tries again; the log only grows meanwhile */
        }
        if (db) {
            sqlite3_busy_timeout(db, s->busy_ms);
            sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        }
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    sqlite3_close(db);
    return NULL;
}

/* Called by SQLite after every commit with the frames now in the log. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct sq_store *s = arg;

    (void)name;
    if (frames >= RESTART_FRAMES)
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (frames < CKPT_FRAMES)
        return SQLITE_OK;
    pthread_mutex_lock(&s->mu);
    if (!s->ckpt_started && !s->ckpt_stop)
        s->ckpt_started = pthread_create(&s->ckpt_thread, NULL, ckpt_main, s) == 0;
    s->ckpt_due = true;
    pthread_cond_signal(&s->ckpt_wake);
    pthread_mutex_unlock(&s->mu);
    return SQLITE_OK;
}

/* PRAGMA optimize re-analyzes the tables this connection queried whose size changed much since
 * the last ANALYZE (cheap otherwise), so the planner keeps choosing the selective index. */
static void conn_close(struct sq_conn *c)
{
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(c->stmts[i]);
    for (int i = 0; i < DYN_STMTS; i++) {
        sqlite3_finalize(c->dyn[i].st);
        free(c->dyn[i].sql);
    }
    free(c->chain_number);
    if (c->db)
        sqlite3_exec(c->db, "PRAGMA optimize", NULL, NULL, NULL);
    sqlite3_close(c->db);
    free(c);
}

static int conn_exec(struct sq_conn *c, const char *sql, const char *path, struct ks_error *err)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sq_fail(c->db, rc, err, "opening database '%s'", path);
}

static int conn_open(struct sq_store *s, bool create, struct sq_conn **out, struct ks_error *err)
{
    struct sq_conn *c = xcalloc(1, sizeof(*c));
    sqlite3_stmt *st = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc;

    *out = NULL;
    rc = sqlite3_open_v2(s->path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(c->db, rc, err, "opening database '%s'", s->path);
        conn_close(c);
        return rc;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, s->busy_ms);
    sqlite3_wal_hook(c->db, wal_hook, s); /* replaces the checkpoint inside COMMIT */
    /* WAL lets readers work while one writer commits; it must be confirmed, because a file
     * system without shared memory (some network mounts) silently keeps the old journal. */
    rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = sq_fail(c->db, rc, err, "opening database '%s'", s->path);
        sqlite3_finalize(st);
        conn_close(c);
        return rc;
    }
    if (strcmp(col_str(st, 0), "wal") != 0) {
        sqlite3_finalize(st);
        conn_close(c);
        return ks_fail(err, KS_ESTORE, NULL,
                       "opening database '%s': cannot use write-ahead logging there; put the "
                       "database on a local disk",
                       s->path);
    }
    sqlite3_finalize(st);
    /* FULL makes every commit durable when COMMIT returns; foreign keys are per connection. */
    rc = conn_exec(c, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", s->path, err);
    if (rc < 0) {
        conn_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

static void conn_chain_forget(struct sq_conn *c)
{
    c->chain_id = 0;
    free(c->chain_number);
    c->chain_number = NULL;
}

/* A statement built at run time (the SQL of a filter), kept on the connection for its next use:
 * the counts surge detection runs at every registration have a handful of shapes, and
 * preparing one cost more than running it. The least recently added of DYN_STMTS is replaced.
 * Returns an SQLite result code; the statement is reset with done() after use. */
static int conn_dyn_stmt(struct sq_conn *c, const char *sql, sqlite3_stmt **out)
{
    unsigned k = c->dyn_next;
    int rc;

    *out = NULL;
    for (int i = 0; i < DYN_STMTS; i++)
        if (c->dyn[i].sql && strcmp(c->dyn[i].sql, sql) == 0) {
            *out = c->dyn[i].st;
            return SQLITE_OK;
        }
    rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_finalize(c->dyn[k].st);
    free(c->dyn[k].sql);
    c->dyn[k].sql = xstrdup(sql);
    c->dyn[k].st = *out;
    c->dyn_next = (k + 1) % DYN_STMTS;
    return SQLITE_OK;
}

static int conn_stmt(struct sq_store *s, struct sq_conn *c, enum sq_stmt id, sqlite3_stmt **out,
                     struct ks_error *err)
{
    if (!c->stmts[id]) {
        int rc = sqlite3_prepare_v3(c->db, s->sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[id],
                                    NULL);
        if (rc != SQLITE_OK) {
            c->stmts[id] = NULL;
            return sq_fail(c->db, rc, err, "preparing a query");
        }
    }
    *out = c->stmts[id];
    return 0;
}

/* Borrows a connection: an idle one, a new one while fewer than pool_size are open, or waits
 * up to the busy timeout for one to come back. */
static int pool_get(struct sq_store *s, struct sq_conn **out, struct ks_error *err)
{
    struct timespec until;
    struct sq_conn *c;
    int rc;

    *out = NULL;
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
    rc = conn_open(s, false, &c, err);
    if (rc < 0) {
        pthread_mutex_lock(&s->mu);
        s->n_conns--;
        pthread_cond_signal(&s->freed);
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    *out = c;
    return 0;
}

/* Returns a connection; a broken one (failed commit or rollback) is closed instead. */
static void pool_put(struct sq_store *s, struct sq_conn *c, bool broken)
{
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

static int conn_version(struct sq_conn *c, int *out, struct ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = 0;
    rc = sqlite3_prepare_v2(c->db,
                            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                            " AND name = 'schema_version'",
                            -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return sq_fail(c->db, rc, err, "reading the schema version");
    }
    if (sqlite3_column_int(st, 0) == 0) {
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = sqlite3_prepare_v2(c->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &st,
                            NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return sq_fail(c->db, rc, err, "reading the schema version");
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static int check_not_newer(struct sq_store *s, int version, struct ks_error *err)
{
    if (version > s->known_version)
        return ks_fail(err, KS_ECONFIG, NULL,
                       "database '%s' has schema version %d, newer than this kesu knows (%d); "
                       "upgrade kesu",
                       s->path, version, s->known_version);
    return 0;
}

/* Applies one migration unless another process already did (the version is re-read under the
 * write lock, so two `kesu migrate` at once are safe). */
static int apply_migration(struct sq_store *s, struct sq_conn *c, const struct migration *m,
                           struct ks_error *err)
{
    const char *name = m->file->name + strlen(MIGRATION_DIR);
    int version = 0, rc;
    char *sql;

    rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(c->db, rc, err, "migrating to %s", name);
    rc = sqlite3_exec(c->db,
                      "CREATE TABLE IF NOT EXISTS schema_version ("
                      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(c->db, rc, err, "migrating to %s", name);
        goto rollback;
    }
    if ((rc = conn_version(c, &version, err)) < 0)
        goto rollback;
    if (version >= m->version) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return check_not_newer(s, version, err);
    }
    rc = sqlite3_exec(c->db, (const char *)m->file->data, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(c->db, rc, err, "migrating to %s", name);
        goto rollback;
    }
    sql = sqlite3_mprintf("INSERT INTO schema_version(version, applied_at)"
                          " VALUES (%d, CAST(strftime('%%s', 'now') AS INTEGER))",
                          m->version);
    rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        rc = sq_fail(c->db, rc, err, "migrating to %s", name);
        goto rollback;
    }
    rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(c->db, rc, err, "migrating to %s", name);
        goto rollback;
    }
    return 0;

rollback:
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Without statistics the planner takes the first index that fits (severity for
 * status=investigating&severity=batch: 20 % of the rows instead of 0.8 %). A database that was
 * never analyzed is analyzed in full once (about 2 s for 1,000,000 complaints; a sampled
 * analysis_limit run kept the bad plan), then PRAGMA optimize keeps the figures current. */
static int analyze_once(struct sq_conn *c, struct ks_error *err)
{
    sqlite3_stmt *st;
    bool have = false;
    int rc;

    rc = sqlite3_prepare_v2(c->db,
                            "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1' AND"
                            " EXISTS (SELECT 1 FROM complaints)",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(c->db, rc, err, "analyzing the database");
    rc = sqlite3_step(st);
    have = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(c->db, rc, err, "analyzing the database");
    if (have) {
        rc = sqlite3_prepare_v2(c->db, "SELECT 1 FROM sqlite_stat1 WHERE tbl = 'complaints'", -1,
                                &st, NULL);
        if (rc != SQLITE_OK)
            return sq_fail(c->db, rc, err, "analyzing the database");
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_ROW)
            return 0;
        if (rc != SQLITE_DONE)
            return sq_fail(c->db, rc, err, "analyzing the database");
    } else {
        /* No statistics table yet: analyze only when there are complaints to describe. */
        rc = sqlite3_prepare_v2(c->db, "SELECT 1 FROM complaints LIMIT 1", -1, &st, NULL);
        if (rc != SQLITE_OK)
            return sq_fail(c->db, rc, err, "analyzing the database");
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            return 0;
        if (rc != SQLITE_ROW)
            return sq_fail(c->db, rc, err, "analyzing the database");
    }
    rc = sqlite3_exec(c->db, "ANALYZE", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sq_fail(c->db, rc, err, "analyzing the database");
}

static int sq_migrate(struct store *base, int *from_out, int *to_out, struct ks_error *err)
{
    struct sq_store *s = store_of(base);
    struct sq_conn *c;
    struct migration *ms;
    size_t n;
    int from = 0, to = 0, rc;

    if (from_out)
        *from_out = 0;
    if (to_out)
        *to_out = 0;
    if ((rc = pool_get(s, &c, err)) < 0)
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
    if (rc == 0)
        rc = analyze_once(c, err);
    pool_put(s, c, false);
    if (rc < 0)
        return rc;
    if (from_out)
        *from_out = from;
    if (to_out)
        *to_out = to;
    return 0;
}

static int sq_schema_known(const struct store *base)
{
    return ((const struct sq_store *)(const void *)base)->known_version;
}

static int sq_schema_version(struct store *base, int *out, struct ks_error *err)
{
    struct sq_store *s = store_of(base);
    struct sq_conn *c;
    int rc;

    if ((rc = pool_get(s, &c, err)) < 0)
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
 * table order, from ?1), UPDATE every field but id and version, then version, id and the
 * expected old version. */
static void build_complaint_sql(struct sq_store *s)
{
    struct buf cols, ins, upd, get;
    int n = 0;

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
        buf_addf(&ins, "%s?%d", i > 1 ? ", " : "", i);
    buf_adds(&ins, ")");
    n = 0;
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (f->type == CF_ID || is_version_field(f))
            continue;
        n++;
        buf_addf(&upd, "%s%s = ?%d", n > 1 ? ", " : "", f->column, n);
    }
    buf_addf(&upd, ", version = ?%d WHERE id = ?%d AND version = ?%d", n + 1, n + 2, n + 3);
    buf_addf(&get, "SELECT %s FROM complaints c WHERE c.number = ?1", buf_str(&cols));
    s->sql[ST_COMPLAINT_INSERT] = buf_detach(&ins);
    s->sql[ST_COMPLAINT_UPDATE] = buf_detach(&upd);
    s->sql[ST_COMPLAINT_GET] = buf_detach(&get);
    s->select_cols = buf_detach(&cols);
}

static void sq_close(struct store *base)
{
    struct sq_store *s = store_of(base);
    struct sq_conn *idle;
    bool joined;
    int lent;

    pthread_mutex_lock(&s->mu);
    s->ckpt_stop = true;
    joined = s->ckpt_started;
    pthread_cond_signal(&s->ckpt_wake);
    idle = s->idle;
    s->idle = NULL;
    pthread_mutex_unlock(&s->mu);
    if (joined)
        pthread_join(s->ckpt_thread, NULL);
    /* Closed outside the lock: PRAGMA optimize commits, and a commit calls wal_hook. */
    while (idle) {
        struct sq_conn *c = idle;
        idle = c->next;
        conn_close(c);
        pthread_mutex_lock(&s->mu);
        s->n_conns--;
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_lock(&s->mu);
    lent = s->n_conns;
    pthread_mutex_unlock(&s->mu);
    if (lent)
        KS_BUG("store closed with %d transactions still open", lent);
    pthread_cond_destroy(&s->freed);
    pthread_cond_destroy(&s->ckpt_wake);
    pthread_mutex_destroy(&s->mu);
    turnstile_destroy(&s->writers);
    for (int i = 0; i < ST__COUNT; i++)
        free(s->sql[i]);
    free(s->select_cols);
    free(s->path);
    free(s);
}

/* Each registration of a group commit runs in its own savepoint, whose sub-journal (the old
 * contents of the pages it changes, for ROLLBACK TO) SQLite moves from memory to a temporary
 * file in /var/tmp past 64 KiB, which most registrations pass: 15,000 writes a second to that
 * file, four fifths of all the writer's writes. Statement journals and sub-journals now stay in
 * memory (-1; SQLite 3.40 failed a migration with SQLITE_FULL at any threshold above 64 KiB).
 * One is emptied at each RELEASE and statement end, so it holds the pages of one registration
 * or one statement: well under 1 MiB in the server; ~30 MB for the index rebuild of migration
 * 7 on 1,000,000 complaints (kesu init/migrate, not the server). SQLite takes this setting only
 * before it initializes, hence once, before the first connection. */
#define STMTJRNL_SPILL (-1)

static pthread_once_t sq_config_once = PTHREAD_ONCE_INIT;

static void sq_config(void)
{
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STMTJRNL_SPILL);
}

static int sq_open(const struct store_conf *conf, const char *path, struct store **out,
                   struct ks_error *err)
{
    struct sq_store *s;
    struct sq_conn *c;
    struct migration *ms;
    struct stat sb;
    size_t n_ms;
    int version = 0, rc;

    *out = NULL;
    pthread_once(&sq_config_once, sq_config);
    if (!*path)
        return ks_fail(err, KS_ECONFIG, "database", "database: no file name given");
    if (!conf->create && stat(path, &sb) != 0 && errno == ENOENT)
        return ks_fail(err, KS_ENOTFOUND, "database",
                       "database '%s' does not exist; run `kesu init` to create it", path);
    s = xcalloc(1, sizeof(*s));
    s->base.ops = &store_sqlite_ops;
    s->path = xstrdup(path);
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
    pthread_cond_init(&s->ckpt_wake, NULL);
    turnstile_init(&s->writers);

    /* The first connection proves the file is a usable database of a version we know. */
    rc = conn_open(s, conf->create, &c, err);
    if (rc == 0) {
        s->n_conns = 1;
        rc = conn_version(c, &version, err);
        if (rc == 0)
            rc = check_not_newer(s, version, err);
        pool_put(s, c, rc < 0);
    }
    if (rc < 0) {
        sq_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

/* ---- transactions ---------------------------------------------------------------------- */

static int sq_tx_begin(struct store *base, enum store_tx_mode mode, struct store_tx **out,
                       struct ks_error *err)
{
    struct sq_store *s = store_of(base);
    bool write = mode == STORE_TX_WRITE;
    struct sq_conn *c;
    sqlite3_stmt *st;
    struct sq_tx *tx;
    int rc;

    if (write && !turnstile_enter(&s->writers, s->busy_ms))
        return ks_fail(err, KS_ESTORE, NULL,
                       "database is busy: other changes are queued ahead; retry in a moment");
    if ((rc = pool_get(s, &c, err)) < 0)
        goto fail;
    rc = conn_stmt(s, c, write ? ST_BEGIN_WRITE : ST_BEGIN, &st, err);
    if (rc < 0) {
        pool_put(s, c, false);
        goto fail;
    }
    rc = sqlite3_step(st);
    done(st);
    if (rc != SQLITE_DONE) {
        rc = sq_fail(c->db, rc, err, "starting a transaction");
        pool_put(s, c, false);
        goto fail;
    }
    c->fts_from = 0;
    conn_chain_forget(c);
    tx = xcalloc(1, sizeof(*tx));
    tx->base.store = base;
    tx->base.mode = mode;
    tx->s = s;
    tx->conn = c;
    *out = &tx->base;
    return 0;
fail:
    if (write)
        turnstile_leave(&s->writers);
    return rc;
}

/* After an i/o error, a read-only or damaged file, a connection may keep a stale view or a
 * dead file handle (a remounted disk, a replaced file): it is closed and a new one is opened
 * on the next use. A full disk or a busy database leaves the connection sound. */
static bool is_connection_fault(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
        return true;
    default:
        return false;
    }
}

/* Ends the transaction and returns its connection; a connection whose rollback failed, or
 * whose last statement hit a connection fault, is not trusted again. */
static void tx_end(struct sq_tx *tx, bool broken)
{
    sqlite3 *db = tx->conn->db;

    if (is_connection_fault(sqlite3_extended_errcode(db)))
        broken = true;
    if (tx->n_iters)
        KS_BUG("transaction ended with %d iterators open", tx->n_iters);
    if (!sqlite3_get_autocommit(db)) {
        sqlite3_stmt *st;
        if (conn_stmt(tx->s, tx->conn, ST_ROLLBACK, &st, NULL) < 0)
            broken = true;
        else {
            if (sqlite3_step(st) != SQLITE_DONE)
                broken = true;
            done(st);
        }
    }
    conn_chain_forget(tx->conn);
    pool_put(tx->s, tx->conn, broken);
    if (tx->base.mode == STORE_TX_WRITE)
        turnstile_leave(&tx->s->writers);
    free(tx);
}

static int tx_stmt(struct sq_tx *tx, enum sq_stmt id, sqlite3_stmt **out, struct ks_error *err);

/* Runs one of the savepoint statements on tx's connection. */
static int nest_step(struct sq_tx *tx, enum sq_stmt id, struct ks_error *err)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, id, &st, err)) < 0)
        return rc;
    rc = sqlite3_step(st);
    done(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(tx->conn->db, rc, err, "saving");
}

static int sq_tx_nest(struct store_tx *batch, enum store_tx_mode mode, struct store_tx **out,
                      struct ks_error *err)
{
    struct sq_tx *outer = tx_of(batch);
    struct sq_tx *tx = xcalloc(1, sizeof(*tx));
    int rc;

    tx->base.store = batch->store;
    tx->base.mode = mode;
    tx->base.nested = true;
    tx->s = outer->s;
    tx->conn = outer->conn;
    tx->fts_from_was = outer->conn->fts_from;
    if ((rc = nest_step(tx, ST_SAVEPOINT, err)) < 0) {
        free(tx);
        return rc;
    }
    *out = &tx->base;
    return 0;
}

/* Ends a nested transaction: keeps (RELEASE) or undoes (ROLLBACK TO, then RELEASE) its work;
 * the connection stays with the batch. */
static int nest_end(struct sq_tx *tx, bool keep, struct ks_error *err)
{
    int rc = 0;

    if (tx->n_iters)
        KS_BUG("nested transaction ended with %d iterators open", tx->n_iters);
    if (!keep) {
        rc = nest_step(tx, ST_ROLLBACK_TO, err);
        /* An index flush inside the savepoint was rolled back with it, and so may the
         * remembered event (its complaint id may even be taken again by the next insert). */
        tx->conn->fts_from = tx->fts_from_was;
        conn_chain_forget(tx->conn);
    }
    if (rc == 0)
        rc = nest_step(tx, ST_RELEASE, err);
    free(tx);
    return rc;
}

static void sq_tx_rollback(struct store_tx *base)
{
    if (base->nested) {
        nest_end(tx_of(base), false, NULL);
        return;
    }
    tx_end(tx_of(base), false);
}

/* Indexes the complaints this transaction inserted and complaints_fts does not hold yet, in
 * one statement: before the commit, before a complaint is updated (the update trigger deletes
 * the old text from the index, which must be there) and before a search in the transaction. */
static int fts_flush(struct sq_tx *tx, struct ks_error *err)
{
    sqlite3_stmt *st;
    int rc;

    if (tx->conn->fts_from == 0)
        return 0;
    if ((rc = tx_stmt(tx, ST_FTS_INDEX, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, tx->conn->fts_from);
    rc = sqlite3_step(st);
    done(st);
    if (rc != SQLITE_DONE)
        return sq_fail(tx->conn->db, rc, err, "indexing new complaints for search");
    tx->conn->fts_from = 0;
    return 0;
}

static int sq_tx_commit(struct store_tx *base, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3 *db = tx->conn->db;
    sqlite3_stmt *st;
    int rc;

    if (base->nested)
        return nest_end(tx, true, err);
    if (tx->n_iters)
        KS_BUG("commit with %d iterators open", tx->n_iters);
    /* SQLite rolls a transaction back by itself after some errors (disk full, i/o); then
     * there is nothing left to commit and the caller must know. */
    if (sqlite3_get_autocommit(db)) {
        tx_end(tx, false);
        return ks_fail(err, KS_ESTORE, NULL,
                       "saving: the transaction was cancelled by an earlier error; retry");
    }
    if ((rc = fts_flush(tx, err)) < 0 ||
        (rc = conn_stmt(tx->s, tx->conn, ST_COMMIT, &st, err)) < 0) {
        tx_end(tx, false);
        return rc;
    }
    rc = sqlite3_step(st);
    done(st);
    if (rc == SQLITE_DONE) {
        tx_end(tx, false);
        return 0;
    }
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
        /* The commit record was never written: nothing was saved, a retry is safe. */
        rc = sq_fail(db, rc, err, "saving");
        tx_end(tx, false);
        return rc;
    default:
        tx_end(tx, true);
        return ks_fail(err, KS_EUNCERTAIN, NULL,
                       "saving: the outcome is unknown (%s); check whether the change was saved "
                       "before retrying",
                       sqlite3_errstr(rc));
    }
}

/* A cached statement of the transaction's connection, refused when SQLite has already ended
 * the transaction after an error (later statements would otherwise commit on their own). */
static int tx_stmt(struct sq_tx *tx, enum sq_stmt id, sqlite3_stmt **out, struct ks_error *err)
{
    *out = NULL;
    if (sqlite3_get_autocommit(tx->conn->db))
        return ks_fail(err, KS_ESTORE, NULL,
                       "the transaction was cancelled by an earlier error; roll back and retry");
    return conn_stmt(tx->s, tx->conn, id, out, err);
}

/* ---- settings and numbers -------------------------------------------------------------- */

static int sq_setting_get(struct store_tx *base, const char *key, char **value_out,
                          struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_SETTING_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *value_out = col_dup(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ks_fail(err, KS_ENOTFOUND, key, "setting '%s' is not set", key);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "reading setting '%s'", key);
    }
    done(st);
    return rc;
}

static int sq_setting_set(struct store_tx *base, const char *key, const char *value,
                          struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_SETTING_SET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : sq_fail(tx->conn->db, rc, err, "saving setting '%s'", key);
    done(st);
    return rc;
}

static int sq_number_next(struct store_tx *base, struct ks_date day, int *seq_out,
                          struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    char text[KS_DATE_STRLEN];
    sqlite3_stmt *st;
    int rc;

    civil_format_date(day, text);
    if ((rc = tx_stmt(tx, ST_NUMBER_NEXT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, text);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq_out = sqlite3_column_int(st, 0);
        rc = 0;
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "numbering a complaint of %s", text);
    }
    done(st);
    return rc;
}

/* ---- complaints ------------------------------------------------------------------------ */

#define AT(c, f, T)  ((T *)(void *)((char *)(c) + (f)->offset))
#define CAT(c, f, T) ((const T *)(const void *)((const char *)(c) + (f)->offset))

static void bind_field(sqlite3_stmt *st, int i, const struct complaint *c, const struct cf_desc *f)
{
    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        bind_text(st, i, *CAT(c, f, char *));
        break;
    case CF_TIME:
        bind_time(st, i, *CAT(c, f, int64_t));
        break;
    case CF_QTY:
        if (*CAT(c, f, int64_t) == KS_QTY_UNKNOWN)
            sqlite3_bind_null(st, i);
        else
            sqlite3_bind_int64(st, i, *CAT(c, f, int64_t));
        break;
    case CF_MONEY:
    case CF_ID:
        sqlite3_bind_int64(st, i, *CAT(c, f, int64_t));
        break;
    case CF_BOOL:
        sqlite3_bind_int(st, i, *CAT(c, f, bool) ? 1 : 0);
        break;
    case CF_LEVEL:
    case CF_SCORE:
        /* 0 is "none" (no response level, survey not answered): NULL in SQL. */
        if (*CAT(c, f, int) == 0)
            sqlite3_bind_null(st, i);
        else
            sqlite3_bind_int(st, i, *CAT(c, f, int));
        break;
    case CF_INT:
        sqlite3_bind_int(st, i, *CAT(c, f, int));
        break;
    case CF_CHANNEL:
        bind_text(st, i, channel_name(*CAT(c, f, enum channel)));
        break;
    case CF_SEVERITY:
        bind_text(st, i,
                  *CAT(c, f, enum severity) == SEV_NONE ? NULL
                                                        : severity_name(*CAT(c, f, enum severity)));
        break;
    case CF_STATUS:
        bind_text(st, i, wf_state_name(*CAT(c, f, enum wf_state)));
        break;
    case CF_COMP_KIND:
        bind_text(st, i,
                  *CAT(c, f, enum comp_kind) == COMP_NONE
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

static int read_field(sqlite3_stmt *st, int i, struct complaint *c, const struct cf_desc *f,
                      struct ks_error *err)
{
    /* Only the enumerations read the text, and only the nullable ones ask for NULL: text of an
     * INTEGER column would be formatted just to be thrown away, on every row of a listing. */
    const char *s;

    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        col_set(st, i, AT(c, f, char *));
        break;
    case CF_TIME:
        *AT(c, f, int64_t) = col_time(st, i);
        break;
    case CF_QTY:
        *AT(c, f, int64_t) = col_null(st, i) ? KS_QTY_UNKNOWN : sqlite3_column_int64(st, i);
        break;
    case CF_MONEY:
    case CF_ID:
        *AT(c, f, int64_t) = sqlite3_column_int64(st, i);
        break;
    case CF_BOOL:
        *AT(c, f, bool) = sqlite3_column_int(st, i) != 0;
        break;
    case CF_LEVEL:
    case CF_SCORE:
    case CF_INT:
        *AT(c, f, int) = sqlite3_column_int(st, i);
        break;
    case CF_CHANNEL:
        if (channel_parse(s = col_str(st, i), AT(c, f, enum channel), NULL) < 0)
            return bad_stored(c, f, s, err);
        break;
    case CF_SEVERITY:
        if (col_null(st, i))
            *AT(c, f, enum severity) = SEV_NONE;
        else if (severity_parse(s = col_str(st, i), AT(c, f, enum severity), NULL) < 0)
            return bad_stored(c, f, s, err);
        break;
    case CF_STATUS:
        if (wf_state_parse(s = col_str(st, i), AT(c, f, enum wf_state), NULL) < 0)
            return bad_stored(c, f, s, err);
        break;
    case CF_COMP_KIND:
        if (col_null(st, i))
            *AT(c, f, enum comp_kind) = COMP_NONE;
        else if (comp_kind_parse(s = col_str(st, i), AT(c, f, enum comp_kind), NULL) < 0)
            return bad_stored(c, f, s, err);
        break;
    }
    return 0;
}

/* Fills out from a row whose columns are the complaint_fields[] in mask (store_field_mask()),
 * in order. out is released, or holds a row release_keeping_text() left for reuse. */
static int read_complaint(sqlite3_stmt *st, uint64_t mask, struct complaint *out,
                          struct ks_error *err)
{
    int col = 0;

    for (size_t i = 0; i < complaint_field_count; i++) {
        int rc;
        if (!(mask & (UINT64_C(1) << i)))
            continue;
        if ((rc = read_field(st, col++, out, &complaint_fields[i], err)) < 0) {
            complaint_release(out);
            return rc;
        }
    }
    return 0;
}

/* complaint_release() that keeps the text of the fields in mask, for read_complaint() to copy
 * the next row's text into: a report reads half a million rows into a few reused records, and
 * a free and a malloc per string were a tenth of reading them. */
static void release_keeping_text(struct complaint *c, uint64_t mask)
{
    char *keep[64] = {NULL}; /* a mask has a bit per field */

    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (f->type != CF_STR && f->type != CF_TEXT)
            continue;
        if (i < 64 && (mask & (UINT64_C(1) << i)))
            keep[i] = *AT(c, f, char *);
        else
            free(*AT(c, f, char *));
    }
    complaint_init(c);
    for (size_t i = 0; i < complaint_field_count && i < 64; i++)
        if (keep[i])
            *AT(c, &complaint_fields[i], char *) = keep[i];
}

static int sq_complaint_insert(struct store_tx *base, struct complaint *c, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int old_version = c->version, p = 1, rc;

    if ((rc = tx_stmt(tx, ST_COMPLAINT_INSERT, &st, err)) < 0)
        return rc;
    c->version = 1;
    for (size_t i = 0; i < complaint_field_count; i++)
        if (complaint_fields[i].type != CF_ID)
            bind_field(st, p++, c, &complaint_fields[i]);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        c->id = sqlite3_last_insert_rowid(tx->conn->db);
        if (tx->conn->fts_from == 0)
            tx->conn->fts_from = c->id; /* indexed by fts_flush() */
        rc = 0;
    } else {
        c->version = old_version;
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            rc = ks_fail(err, KS_ECONFLICT, "number", "complaint %s already exists", c->number);
        else
            rc = sq_fail(tx->conn->db, rc, err, "saving complaint %s", c->number);
    }
    done(st);
    return rc;
}

/* Why an UPDATE ... WHERE version = ? changed nothing: the row is gone or was changed. */
static int stale(struct sq_tx *tx, enum sq_stmt id, int64_t row_id, int had, const char *what,
                 const char *name, struct ks_error *err)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, id, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, row_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = ks_fail(err, KS_ECONFLICT, "version",
                     "%s %s was changed by someone else (version %d, you had %d); reload and retry",
                     what, name, sqlite3_column_int(st, 0), had);
    else if (rc == SQLITE_DONE)
        rc = ks_fail(err, KS_ENOTFOUND, NULL, "%s %s does not exist", what, name);
    else
        rc = sq_fail(tx->conn->db, rc, err, "saving %s %s", what, name);
    done(st);
    return rc;
}

static int sq_complaint_update(struct store_tx *base, struct complaint *c, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    const char *number = c->number ? c->number : "";
    sqlite3_stmt *st;
    int p = 1, rc;

    if ((rc = fts_flush(tx, err)) < 0 || (rc = tx_stmt(tx, ST_COMPLAINT_UPDATE, &st, err)) < 0)
        return rc;
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (f->type != CF_ID && !is_version_field(f))
            bind_field(st, p++, c, f);
    }
    sqlite3_bind_int(st, p++, c->version + 1);
    sqlite3_bind_int64(st, p++, c->id);
    sqlite3_bind_int(st, p, c->version);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            rc = ks_fail(err, KS_ECONFLICT, "number", "complaint %s already exists", number);
        else
            rc = sq_fail(tx->conn->db, rc, err, "saving complaint %s", number);
        done(st);
        return rc;
    }
    done(st);
    if (sqlite3_changes(tx->conn->db) == 0)
        return stale(tx, ST_COMPLAINT_VERSION, c->id, c->version, "complaint", number, err);
    c->version++;
    return 0;
}

static int sq_complaint_get(struct store_tx *base, const char *number, struct complaint *out,
                            struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_COMPLAINT_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, number);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = read_complaint(st, store_field_mask(0), out, err);
    else if (rc == SQLITE_DONE)
        rc = ks_fail(err, KS_ENOTFOUND, "number", "complaint %s does not exist", number);
    else
        rc = sq_fail(tx->conn->db, rc, err, "reading complaint %s", number);
    done(st);
    return rc;
}

/* ---- listing --------------------------------------------------------------------------- */

/* A query being built: SQL text plus its parameters in order (strings copied). */
struct qparam {
    bool is_text;
    int64_t i;
    char *s;
};
struct query {
    struct buf sql;
    struct qparam *p;
    size_t n, cap;
};

static void q_sql(struct query *q, const char *s)
{
    /* SQL_MAX is far above the longest query the filter can produce. */
    if (buf_adds(&q->sql, s) < 0)
        KS_BUG("list query longer than %d bytes", SQL_MAX);
}

static void q_text(struct query *q, const char *s)
{
    xgrow((void **)&q->p, &q->cap, q->n + 1, sizeof(*q->p));
    q->p[q->n++] = (struct qparam){.is_text = true, .s = xstrdup(s)};
}

static void q_int(struct query *q, int64_t v)
{
    xgrow((void **)&q->p, &q->cap, q->n + 1, sizeof(*q->p));
    q->p[q->n++] = (struct qparam){.i = v};
}

static void q_release(struct query *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->p[i].s);
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

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* True when the trigram tokenizer folds the word's case exactly as LIKE does: ASCII (both fold
 * A-Z) and characters without case (CJK symbols and punctuation, kana, ideographs, Hangul,
 * full-width punctuation). The tokenizer also folds other scripts' letters, LIKE does not. */
static bool folds_like_like(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;

    while (p < end) {
        uint32_t cp;

        if (*p < 0x80) {
            p++;
            continue;
        }
        if ((*p & 0xF0) != 0xE0 || end - p < 3)
            return false;
        cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        if (!((cp >= 0x3000 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
              (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF01 && cp <= 0xFF20)))
            return false;
        p += 3;
    }
    return true;
}

/* Appends s (len bytes) to match as an FTS5 phrase: quoted, with a '"' inside doubled. */
static void add_phrase(struct buf *match, const char *s, size_t len)
{
    buf_addch(match, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            buf_addch(match, '"');
        buf_addch(match, s[i]);
    }
    buf_addch(match, '"');
}

/* Appends to match, for a two-character word, the indexed trigrams that begin with it as one
 * OR group: every occurrence of the word is followed by another character or by the U+001F
 * that ends each indexed field (schema 8), so the group finds exactly the rows LIKE finds.
 * Each trigram is one seek in the vocabulary, whatever the number of rows holding it.
 * Returns 1 when appended, 0 when the word has more than BIGRAM_TERMS trigrams or folds case
 * differently from LIKE (LIKE serves it then), or an error. */
static int add_bigram(struct sq_tx *tx, const char *w, size_t len, struct buf *match,
                      struct ks_error *err)
{
    /* A trigram is at most 12 bytes of UTF-8; from is the last one found and a byte more. */
    char high[8], from[16];
    size_t from_len = len;
    struct buf group;
    int rc = SQLITE_DONE, n = 0;

    if (len > sizeof(high) || !folds_like_like(w, len))
        return 0;
    for (size_t i = 0; i < len; i++)
        from[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] - 'A' + 'a' : w[i]);
    /* The first string after every one that starts with the word: a UTF-8 string never ends
     * in byte 0xFF, so its last byte plus one does not overflow. */
    memcpy(high, from, len);
    high[len - 1] = (char)((unsigned char)high[len - 1] + 1);
    buf_init(&group, MATCH_MAX);
    while (n <= BIGRAM_TERMS) {
        sqlite3_stmt *st;
        const char *t;
        size_t tl;

        if ((rc = tx_stmt(tx, ST_FTS_TERMS, &st, err)) < 0) {
            buf_release(&group);
            return rc;
        }
        sqlite3_bind_text(st, 1, from, (int)from_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, high, (int)len, SQLITE_STATIC);
        if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
            done(st);
            break;
        }
        t = (const char *)sqlite3_column_text(st, 0);
        tl = (size_t)sqlite3_column_bytes(st, 0);
        buf_adds(&group, n++ ? " OR " : "(");
        add_phrase(&group, t, tl);
        if (tl >= sizeof(from)) {
            done(st);
            n = BIGRAM_TERMS + 1; /* not a trigram: let LIKE answer */
            break;
        }
        /* Every trigram after t is greater than t followed by any byte: no trigram extends
         * another. */
        memcpy(from, t, tl);
        from[tl] = '\x01';
        from_len = tl + 1;
        done(st);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        buf_release(&group);
        return sq_fail(tx->conn->db, rc, err, "searching complaints");
    }
    if (n > BIGRAM_TERMS) {
        buf_release(&group);
        return 0;
    }
    if (n == 0) {
        /* No trigram begins with the word, so no row holds it: the word and the field end
         * form a trigram the index does not hold either. */
        memcpy(from + len, "\x1f", 1);
        add_phrase(&group, from, len + 1);
    } else {
        buf_addch(&group, ')');
    }
    /* FTS5 reads no implicit AND next to a parenthesised group. */
    if (match->len)
        buf_adds(match, " AND ");
    rc = buf_adds(match, buf_str(&group));
    buf_release(&group);
    if (rc < 0)
        return ks_fail(err, KS_EINVAL, "text", "text: the search matches too many words");
    return 1;
}

/* Every word of the text must appear in the title or the description. Words of 3 or more
 * characters go to the trigram index as quoted phrases (a '"' inside is doubled, which is FTS5
 * quoting, and the whole expression is still a bound value), words of 2 as the trigrams that
 * begin with them (add_bigram); the rest are matched with LIKE where '%', '_' and '\' are
 * escaped, into q; with scan every word is. The index's part is left in match, for build_list
 * to use as the MATCH. */
static int add_text_filter(struct sq_tx *tx, struct query *q, const char *text, bool scan,
                           struct buf *match, struct ks_error *err)
{
    struct buf like;
    const char *p = text;
    int words = 0, rc;

    if (strlen(text) > TEXT_QUERY_MAX)
        return ks_fail(err, KS_EINVAL, "text", "text: the search is longer than %d bytes",
                       TEXT_QUERY_MAX);
    buf_init(&like, 4 * TEXT_QUERY_MAX);
    for (;;) {
        const char *start;
        size_t len, sl, chars;

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
        chars = utf8_chars(start, len);
        if (!scan && chars >= TRIGRAM_MIN) {
            if (match->len)
                buf_adds(match, " AND ");
            add_phrase(match, start, len);
            continue;
        }
        if (!scan && chars == TRIGRAM_MIN - 1 &&
            (rc = add_bigram(tx, start, len, match, err)) != 0) {
            if (rc < 0) {
                buf_release(&like);
                return rc;
            }
            continue;
        }
        buf_reset(&like);
        buf_addch(&like, '%');
        for (size_t i = 0; i < len; i++) {
            if (start[i] == '%' || start[i] == '_' || start[i] == '\\')
                buf_addch(&like, '\\');
            buf_addch(&like, start[i]);
        }
        buf_addch(&like, '%');
        q_sql(q, " AND (c.title LIKE ? ESCAPE '\\' OR c.description LIKE ? ESCAPE '\\')");
        q_text(q, buf_str(&like));
        q_text(q, buf_str(&like));
    }
    buf_release(&like);
    return 0;
}

/* The sort key of the cursor row, so the next page starts strictly after it. */
static int add_cursor(struct sq_tx *tx, struct query *q, const struct complaint_filter *f,
                      struct ks_error *err)
{
    sqlite3_stmt *st;
    int64_t id, received, due;
    int rc;

    if ((rc = tx_stmt(tx, ST_COMPLAINT_CURSOR, &st, err)) < 0)
        return rc;
    bind_text(st, 1, f->after);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE
                 ? ks_fail(err, KS_EINVAL, "after", "after: complaint %s does not exist", f->after)
                 : sq_fail(tx->conn->db, rc, err, "listing complaints");
        done(st);
        return rc;
    }
    id = sqlite3_column_int64(st, 0);
    received = sqlite3_column_int64(st, 1);
    due = sqlite3_column_int64(st, 2);
    done(st);
    if (store_list_by_id(f)) {
        q_sql(q, f->sort == CS_RECEIVED_DESC ? " AND c.id < ?" : " AND c.id > ?");
        q_int(q, id);
        return 0;
    }
    switch (f->sort) {
    case CS_RECEIVED_DESC:
        q_sql(q, " AND (c.received_at, c.id) < (?, ?)");
        q_int(q, received);
        break;
    case CS_RECEIVED_ASC:
        q_sql(q, " AND (c.received_at, c.id) > (?, ?)");
        q_int(q, received);
        break;
    case CS_DUE_ASC:
        q_sql(q, " AND (" DUE_KEY ", c.id) > (?, ?)");
        q_int(q, due);
        break;
    }
    q_int(q, id);
    return 0;
}

/* The listing of f selecting cols (NULL: every complaint column). */
static int build_list(struct sq_tx *tx, const struct complaint_filter *f, const char *cols,
                      struct query *q, struct ks_error *err)
{
    static const enum wf_state ended[] = {WF_STATE_CLOSED, WF_STATE_REJECTED, WF_STATE_WITHDRAWN,
                                          WF_STATE_MERGED};
    bool by_id = store_list_by_id(f), drive;
    struct query text = {0};
    struct buf match;
    int rc;

    /* The text filter comes first: whether the index has a part in it decides the FROM. */
    buf_init(&text.sql, SQL_MAX);
    buf_init(&match, MATCH_MAX);
    if (f->text && (rc = add_text_filter(tx, &text, f->text, f->text_scan, &match, err)) < 0) {
        q_release(&text);
        buf_release(&match);
        return rc;
    }
    /* A search the index serves, in id order, reads the index newest (or oldest) first and
     * stops at the limit: FTS5 returns rowids in order, so nothing is sorted. */
    drive = by_id && match.len > 0;
    if (drive)
        buf_addf(&q->sql,
                 "SELECT %s FROM complaints_fts f CROSS JOIN complaints c ON c.id = f.rowid"
                 " WHERE 1",
                 cols ? cols : tx->s->select_cols);
    else
        buf_addf(&q->sql, "SELECT %s FROM complaints c WHERE 1", cols ? cols : tx->s->select_cols);
    q_sql(q, buf_str(&text.sql));
    for (size_t i = 0; i < text.n; i++) {
        xgrow((void **)&q->p, &q->cap, q->n + 1, sizeof(*q->p));
        q->p[q->n++] = text.p[i];
    }
    text.n = 0;
    q_release(&text);
    if (match.len) {
        q_sql(q, drive ? " AND complaints_fts MATCH ?"
                       : " AND c.id IN (SELECT rowid FROM complaints_fts WHERE complaints_fts"
                         " MATCH ?)");
        q_text(q, buf_str(&match));
    }
    buf_release(&match);
    if (f->status >= 0) {
        q_sql(q, " AND c.status = ?");
        q_text(q, wf_state_name((enum wf_state)f->status));
    }
    if (f->open_only) {
        q_sql(q, " AND c.status NOT IN (?, ?, ?, ?)");
        for (size_t i = 0; i < sizeof(ended) / sizeof(ended[0]); i++)
            q_text(q, wf_state_name(ended[i]));
    }
    if (f->severity == SEV_NONE) {
        q_sql(q, " AND c.severity IS NULL");
    } else if (f->severity > 0) {
        q_sql(q, " AND c.severity = ?");
        q_text(q, severity_name((enum severity)f->severity));
    }
    if (f->category) {
        q_sql(q, " AND c.category = ?");
        q_text(q, f->category);
    }
    if (f->channel >= 0) {
        q_sql(q, " AND c.channel = ?");
        q_text(q, channel_name((enum channel)f->channel));
    }
    if (f->assignee) {
        q_sql(q, " AND c.assignee = ?");
        q_text(q, f->assignee);
    }
    if (f->department) {
        q_sql(q, " AND (c.department IN (WITH RECURSIVE sub(code) AS (SELECT ? UNION"
                 " SELECT d.code FROM departments d JOIN sub ON d.parent = sub.code)"
                 " SELECT code FROM sub)");
        q_text(q, f->department);
        if (f->or_assignee) {
            q_sql(q, " OR c.assignee = ?");
            q_text(q, f->or_assignee);
        }
        q_sql(q, ")");
    }
    if (f->customer) {
        q_sql(q, " AND (c.customer_code = ? OR c.customer_name = ?)");
        q_text(q, f->customer);
        q_text(q, f->customer);
    }
    if (f->product) {
        q_sql(q, " AND c.product = ?");
        q_text(q, f->product);
    }
    if (f->defect) {
        q_sql(q, " AND c.defect = ?");
        q_text(q, f->defect);
    }
    if (f->batch_no) {
        q_sql(q, " AND c.batch_no = ?");
        q_text(q, f->batch_no);
    }
    if (f->received_from != KS_TIME_NONE) {
        q_sql(q, " AND c.received_at >= ?");
        q_int(q, f->received_from);
    }
    if (f->received_to != KS_TIME_NONE) {
        q_sql(q, " AND c.received_at < ?");
        q_int(q, f->received_to);
    }
    /* Overdue as stage_clock_is_breached() judges a running clock: past due at now, or paused
     * after its due time. The plain due_at < now lets the partial index find them. */
    if (f->overdue) {
        q_sql(q, " AND c.id IN (SELECT complaint_id FROM stage_deadlines WHERE met_at IS NULL"
                 " AND due_at < ? AND due_at < coalesce(paused_at, ?))");
        q_int(q, f->now);
        q_int(q, f->now);
    }
    if (f->due_before != KS_TIME_NONE) {
        q_sql(q, " AND c.id IN (SELECT complaint_id FROM stage_deadlines WHERE met_at IS NULL"
                 " AND due_at < ?)");
        q_int(q, f->due_before);
    }
    if (f->after && (rc = add_cursor(tx, q, f, err)) < 0)
        return rc;
    if (by_id) {
        if (drive)
            q_sql(q, f->sort == CS_RECEIVED_DESC ? " ORDER BY f.rowid DESC" : " ORDER BY f.rowid");
        else
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
        q_sql(q, " LIMIT ?");
        q_int(q, f->limit);
    }
    return 0;
}

static int sq_complaint_list(struct store_tx *base, const struct complaint_filter *f,
                             struct store_iter **out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    struct query q = {0};
    sqlite3_stmt *st = NULL;
    struct sq_iter *it;
    uint64_t mask = store_field_mask(f->fields);
    char *cols = NULL;
    int n_cols = 0, rc;

    if (sqlite3_get_autocommit(tx->conn->db))
        return ks_fail(err, KS_ESTORE, NULL,
                       "the transaction was cancelled by an earlier error; roll back and retry");
    if (f->text && (rc = fts_flush(tx, err)) < 0)
        return rc;
    buf_init(&q.sql, SQL_MAX);
    if (f->fields || f->closing)
        cols = store_field_cols(mask, f->closing, &n_cols);
    rc = build_list(tx, f, cols, &q, err);
    free(cols);
    if (rc < 0) {
        q_release(&q);
        return rc;
    }
    rc = sqlite3_prepare_v2(tx->conn->db, buf_str(&q.sql), -1, &st, NULL);
    if (rc != SQLITE_OK) {
        q_release(&q);
        return sq_fail(tx->conn->db, rc, err, "listing complaints");
    }
    for (size_t i = 0; i < q.n; i++) {
        if (q.p[i].is_text)
            bind_text(st, (int)i + 1, q.p[i].s);
        else
            sqlite3_bind_int64(st, (int)i + 1, q.p[i].i);
    }
    q_release(&q);
    it = xcalloc(1, sizeof(*it));
    it->base.tx = base;
    it->tx = tx;
    it->st = st;
    it->mask = mask;
    it->closing_col = f->closing ? n_cols : -1;
    tx->n_iters++;
    *out = &it->base;
    return 0;
}

static int sq_complaint_count(struct store_tx *base, const struct complaint_filter *f,
                              int64_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    struct query q = {0};
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_get_autocommit(tx->conn->db))
        return ks_fail(err, KS_ESTORE, NULL,
                       "the transaction was cancelled by an earlier error; roll back and retry");
    if (f->text && (rc = fts_flush(tx, err)) < 0)
        return rc;
    buf_init(&q.sql, SQL_MAX);
    buf_adds(&q.sql, "SELECT count(*) FROM (");
    if ((rc = build_list(tx, f, "c.id", &q, err)) < 0) {
        q_release(&q);
        return rc;
    }
    q_sql(&q, ")");
    rc = conn_dyn_stmt(tx->conn, buf_str(&q.sql), &st);
    if (rc != SQLITE_OK) {
        q_release(&q);
        return sq_fail(tx->conn->db, rc, err, "counting complaints");
    }
    for (size_t i = 0; i < q.n; i++) {
        if (q.p[i].is_text)
            bind_text(st, (int)i + 1, q.p[i].s);
        else
            sqlite3_bind_int64(st, (int)i + 1, q.p[i].i);
    }
    q_release(&q);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n_out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "counting complaints");
    }
    done(st);
    return rc;
}

static int sq_complaint_next(struct store_iter *base, struct complaint *row,
                             struct complaint_closing *closing_out, struct ks_error *err)
{
    struct sq_iter *it = (struct sq_iter *)(void *)base;
    int rc;

    if (closing_out && it->closing_col < 0)
        KS_BUG("store_complaint_next_closing() on a listing made without f->closing");
    rc = it->done ? SQLITE_DONE : sqlite3_step(it->st);
    if (rc == SQLITE_ROW) {
        release_keeping_text(row, it->mask);
        if ((rc = read_complaint(it->st, it->mask, row, err)) < 0)
            return rc;
        if (closing_out) {
            closing_out->closed_at = col_time(it->st, it->closing_col);
            closing_out->reopened = sqlite3_column_int(it->st, it->closing_col + 1);
        }
        return 1;
    }
    complaint_release(row);
    if (it->done)
        return 0;
    it->done = true;
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(it->tx->conn->db, rc, err, "listing complaints");
}

static int sq_complaint_count_repeats(struct store_tx *base, const char *customer,
                                      const char *defect, int64_t from, int64_t to, int *n_out,
                                      struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_COMPLAINT_REPEATS, &st, err)) < 0)
        return rc;
    bind_text(st, 1, customer);
    bind_text(st, 2, defect);
    sqlite3_bind_int64(st, 3, from);
    sqlite3_bind_int64(st, 4, to);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n_out = sqlite3_column_int(st, 0);
        rc = 0;
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "counting repeat complaints");
    }
    done(st);
    return rc;
}

static void sq_iter_free(struct store_iter *base)
{
    struct sq_iter *it = (struct sq_iter *)(void *)base;

    sqlite3_finalize(it->st);
    it->tx->n_iters--;
    free(it);
}

/* ---- events ---------------------------------------------------------------------------- */

static const char *state_or_null(int s)
{
    return s < 0 ? NULL : wf_state_name((enum wf_state)s);
}

/* The complaint's number and the last link of its chain (prev_out "" when it has none yet). */
static int event_prev(struct sq_tx *tx, int64_t complaint_id, char **number_out,
                      char prev_out[EVENT_HASH_HEX], struct ks_error *err)
{
    sqlite3_stmt *st;
    int rc;

    *number_out = NULL;
    prev_out[0] = '\0';
    if (tx->conn->chain_id == complaint_id && !sqlite3_get_autocommit(tx->conn->db)) {
        *number_out = xstrdup(tx->conn->chain_number);
        memcpy(prev_out, tx->conn->chain_link, EVENT_HASH_HEX);
        return 0;
    }
    if ((rc = tx_stmt(tx, ST_EVENT_PREV, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, complaint_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *number_out = col_dup(st, 0);
        if (!col_null(st, 1))
            snprintf(prev_out, EVENT_HASH_HEX, "%s", col_str(st, 1));
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ks_fail(err, KS_ENOTFOUND, "complaint_id", "event: complaint #%lld does not exist",
                     (long long)complaint_id);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving an event");
    }
    done(st);
    return rc;
}

static int sq_event_append(struct store_tx *base, struct event *ev, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    char prev[EVENT_HASH_HEX], link[EVENT_HASH_HEX];
    char *number;
    sqlite3_stmt *st;
    int64_t closed_at;
    int reopen, rc;

    if (ev->from_state < -1 || ev->from_state >= WF_STATE__COUNT || ev->to_state < -1 ||
        ev->to_state >= WF_STATE__COUNT)
        return ks_fail(err, KS_EINVAL, "event", "event: state %d is not a state",
                       ev->from_state < -1 || ev->from_state >= WF_STATE__COUNT ? ev->from_state
                                                                                : ev->to_state);
    if ((rc = event_prev(tx, ev->complaint_id, &number, prev, err)) < 0)
        return rc;
    event_chain_hash(ev, number, prev[0] ? prev : NULL, link);
    conn_chain_forget(tx->conn);
    if ((rc = tx_stmt(tx, ST_EVENT_INSERT, &st, err)) < 0) {
        free(number);
        return rc;
    }
    sqlite3_bind_int64(st, 1, ev->complaint_id);
    sqlite3_bind_int64(st, 2, ev->at);
    bind_text(st, 3, ev->actor);
    bind_text(st, 4, ev->kind);
    bind_text(st, 5, state_or_null(ev->from_state));
    bind_text(st, 6, state_or_null(ev->to_state));
    bind_text(st, 7, ev->note);
    bind_text(st, 8, ev->details);
    bind_text(st, 9, link);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        ev->id = sqlite3_last_insert_rowid(tx->conn->db);
        tx->conn->chain_id = ev->complaint_id;
        tx->conn->chain_number = number;
        number = NULL;
        memcpy(tx->conn->chain_link, link, EVENT_HASH_HEX);
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rc = ks_fail(err, KS_ENOTFOUND, "complaint_id", "event: complaint #%lld does not exist",
                     (long long)ev->complaint_id);
    } else if (rc == SQLITE_CONSTRAINT_CHECK) {
        rc = ks_fail(err, KS_EINVAL, "details", "event details: not a valid JSON text");
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving an event");
    }
    done(st);
    free(number);
    if (rc == 0 && store_event_closing(ev, &closed_at, &reopen)) {
        if ((rc = tx_stmt(tx, ST_EVENT_CLOSING, &st, err)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, ev->complaint_id);
        bind_time(st, 2, closed_at);
        sqlite3_bind_int(st, 3, reopen);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? 0 : sq_fail(tx->conn->db, rc, err, "saving an event");
        done(st);
    }
    return rc;
}

static int read_state(sqlite3_stmt *st, int i, int *out, struct ks_error *err)
{
    enum wf_state s;

    *out = -1;
    if (col_null(st, i))
        return 0;
    if (wf_state_parse(col_str(st, i), &s, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "event", "event: stored state '%s' is unknown",
                       col_str(st, i));
    *out = (int)s;
    return 0;
}

/* The rows of a bound event statement as a new array; with links_out, column 9 holds each
 * event's chain link, copied to one new buffer of EVENT_HASH_HEX bytes per event. */
static int event_rows(struct sq_tx *tx, sqlite3_stmt *st, struct event **evs_out, char **links_out,
                      size_t *n_out, struct ks_error *err)
{
    struct event *evs = NULL;
    char *links = NULL;
    size_t n = 0, cap = 0, links_cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct event *ev;
        if (links_out) {
            xgrow((void **)&links, &links_cap, (n + 1) * EVENT_HASH_HEX, 1);
            snprintf(links + n * EVENT_HASH_HEX, EVENT_HASH_HEX, "%s", col_str(st, 9));
        }
        xgrow((void **)&evs, &cap, n + 1, sizeof(*evs));
        ev = &evs[n++];
        event_init(ev);
        ev->id = sqlite3_column_int64(st, 0);
        ev->complaint_id = sqlite3_column_int64(st, 1);
        ev->at = col_time(st, 2);
        ev->actor = col_dup(st, 3);
        ev->kind = col_dup(st, 4);
        ev->note = col_dup(st, 7);
        ev->details = col_dup(st, 8);
        if (read_state(st, 5, &ev->from_state, err) < 0 ||
            read_state(st, 6, &ev->to_state, err) < 0) {
            rc = KS_EINTERNAL;
            break;
        }
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc != KS_EINTERNAL)
        rc = sq_fail(tx->conn->db, rc, err, "reading events");
    done(st);
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

static int sq_event_list(struct store_tx *base, int64_t complaint_id, struct event **evs_out,
                         size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_EVENT_LIST, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, complaint_id);
    return event_rows(tx, st, evs_out, NULL, n_out, err);
}

static int sq_event_chain(struct store_tx *base, int64_t complaint_id, struct event **evs_out,
                          char **links_out, size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_EVENT_CHAIN, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, complaint_id);
    return event_rows(tx, st, evs_out, links_out, n_out, err);
}

/* ---- stage deadlines ------------------------------------------------------------------- */

static int sq_deadline_put(struct store_tx *base, struct stage_deadline *d, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    const struct stage_clock *k = &d->clock;
    sqlite3_stmt *st;
    int rc;

    if ((unsigned)d->stage >= WF_STATE__COUNT)
        return ks_fail(err, KS_EINVAL, "stage", "stage: %d is not a state", (int)d->stage);
    if ((rc = tx_stmt(tx, d->id ? ST_DEADLINE_UPDATE : ST_DEADLINE_INSERT, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, d->complaint_id);
    bind_text(st, 2, wf_state_name(d->stage));
    bind_time(st, 3, k->started_at);
    bind_text(st, 4, dl_unit_name(k->period.unit));
    sqlite3_bind_int(st, 5, k->period.n);
    bind_time(st, 6, k->due_at);
    bind_time(st, 7, k->paused_at);
    sqlite3_bind_int64(st, 8, k->paused_secs);
    sqlite3_bind_int(st, 9, k->extended);
    bind_time(st, 10, k->met_at);
    bind_text(st, 11, d->rule);
    sqlite3_bind_int(st, 12, d->breached);
    sqlite3_bind_int(st, 13, d->warned);
    sqlite3_bind_int(st, 14, d->escalated);
    sqlite3_bind_int(st, 15, d->whole);
    bind_time(st, 16, d->next_action_at);
    if (d->id)
        sqlite3_bind_int64(st, 17, d->id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rc = 0;
        if (!d->id)
            d->id = sqlite3_last_insert_rowid(tx->conn->db);
        else if (sqlite3_changes(tx->conn->db) == 0)
            rc = ks_fail(err, KS_ENOTFOUND, "deadlines", "stage deadline #%lld does not exist",
                         (long long)d->id);
    } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rc = ks_fail(err, KS_ENOTFOUND, "complaint_id",
                     "stage deadline: complaint #%lld does not exist", (long long)d->complaint_id);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving the %s deadline", wf_state_name(d->stage));
    }
    done(st);
    return rc;
}

static int read_deadline(sqlite3_stmt *st, struct stage_deadline *d, struct ks_error *err)
{
    struct stage_clock *k = &d->clock;

    d->id = sqlite3_column_int64(st, 0);
    d->complaint_id = sqlite3_column_int64(st, 1);
    if (wf_state_parse(col_str(st, 2), &d->stage, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "stage", "stage deadline: stored stage '%s' is unknown",
                       col_str(st, 2));
    k->started_at = col_time(st, 3);
    if (dl_unit_parse(col_str(st, 4), &k->period.unit, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "period",
                       "stage deadline: stored period unit '%s' is unknown", col_str(st, 4));
    k->period.n = sqlite3_column_int(st, 5);
    k->due_at = col_time(st, 6);
    k->paused_at = col_time(st, 7);
    k->paused_secs = sqlite3_column_int64(st, 8);
    k->extended = sqlite3_column_int(st, 9) != 0;
    k->met_at = col_time(st, 10);
    d->rule = col_dup(st, 11);
    d->breached = sqlite3_column_int(st, 12) != 0;
    d->warned = sqlite3_column_int(st, 13);
    d->escalated = sqlite3_column_int(st, 14);
    d->whole = sqlite3_column_int(st, 15) != 0;
    d->next_action_at = col_time(st, 16);
    return 0;
}

/* Reads the current row of a stage-deadline statement into d. */
typedef int deadline_reader(sqlite3_stmt *st, struct stage_deadline *d, struct ks_error *err);

/* The rows of a bound stage deadline statement as a new array, each read by read_row; what
 * names the reading in messages. */
static int deadline_rows(struct sq_tx *tx, sqlite3_stmt *st, deadline_reader *read_row,
                         const char *what, struct stage_deadline **out, size_t *n_out,
                         struct ks_error *err)
{
    struct stage_deadline *ds = NULL;
    size_t n = 0, cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow((void **)&ds, &cap, n + 1, sizeof(*ds));
        stage_deadline_init(&ds[n]);
        if (read_row(st, &ds[n++], err) < 0) {
            rc = KS_EINTERNAL;
            break;
        }
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc != KS_EINTERNAL)
        rc = sq_fail(tx->conn->db, rc, err, "%s", what);
    done(st);
    if (rc < 0) {
        stage_deadline_array_free(&ds, n);
        return rc;
    }
    *out = ds;
    *n_out = n;
    return 0;
}

static int sq_deadline_list(struct store_tx *base, int64_t complaint_id,
                            struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_DEADLINE_LIST, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, complaint_id);
    return deadline_rows(tx, st, read_deadline, "reading stage deadlines", out, n_out, err);
}

/* The clocks a report judges, by ST_DEADLINE_LIST_RECEIVED (received in [a, b)) or
 * ST_DEADLINE_LIST_IDS (complaint ids in [a, b]). */
static int read_report_clock(sqlite3_stmt *st, struct stage_deadline *d, struct ks_error *err)
{
    d->complaint_id = sqlite3_column_int64(st, 0);
    d->clock.started_at = col_time(st, 2);
    d->clock.due_at = col_time(st, 3);
    d->clock.paused_at = col_time(st, 4);
    d->clock.met_at = col_time(st, 5);
    d->breached = sqlite3_column_int(st, 6) != 0;
    if (wf_state_parse(col_str(st, 1), &d->stage, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "stage", "stage deadline: stored stage '%s' is unknown",
                       col_str(st, 1));
    return 0;
}

static int report_clocks(struct store_tx *base, enum sq_stmt id, int64_t a, int64_t b,
                         struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, id, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    return deadline_rows(tx, st, read_report_clock, "reading stage deadlines", out, n_out, err);
}

static int sq_deadline_list_received(struct store_tx *base, int64_t from, int64_t to,
                                     struct stage_deadline **out, size_t *n_out,
                                     struct ks_error *err)
{
    return report_clocks(base, ST_DEADLINE_LIST_RECEIVED, from, to, out, n_out, err);
}

static int sq_deadline_list_ids(struct store_tx *base, int64_t id_lo, int64_t id_hi,
                                struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    return report_clocks(base, ST_DEADLINE_LIST_IDS, id_lo, id_hi, out, n_out, err);
}

/* ---- users ----------------------------------------------------------------------------- */

static void bind_user(sqlite3_stmt *st, const struct user *u)
{
    bind_text(st, 1, u->login);
    bind_text(st, 2, u->name);
    bind_text(st, 3, role_name(u->role));
    bind_text(st, 4, u->department);
    bind_text(st, 5, u->phone);
    bind_text(st, 6, u->email);
    bind_text(st, 7, u->password_hash);
    sqlite3_bind_int(st, 8, u->disabled);
    bind_time(st, 9, u->created_at);
}

static int read_user(sqlite3_stmt *st, struct user *u, struct ks_error *err)
{
    u->id = sqlite3_column_int64(st, 0);
    u->login = col_dup(st, 1);
    u->name = col_dup(st, 2);
    if (role_parse(col_str(st, 3), &u->role, NULL) < 0)
        return ks_fail(err, KS_EINTERNAL, "role", "user %s: stored role '%s' is unknown", u->login,
                       col_str(st, 3));
    u->department = col_dup(st, 4);
    u->phone = col_dup(st, 5);
    u->email = col_dup(st, 6);
    u->password_hash = col_dup(st, 7);
    u->disabled = sqlite3_column_int(st, 8) != 0;
    u->created_at = col_time(st, 9);
    u->version = sqlite3_column_int(st, 10);
    return 0;
}

static int sq_user_insert(struct store_tx *base, struct user *u, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_USER_INSERT, &st, err)) < 0)
        return rc;
    bind_user(st, u);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        u->id = sqlite3_last_insert_rowid(tx->conn->db);
        u->version = 1;
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        rc = ks_fail(err, KS_ECONFLICT, "login", "user '%s' already exists", u->login);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving user '%s'", u->login);
    }
    done(st);
    return rc;
}

static int sq_user_update(struct store_tx *base, struct user *u, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_USER_UPDATE, &st, err)) < 0)
        return rc;
    bind_user(st, u);
    sqlite3_bind_int64(st, 10, u->id);
    sqlite3_bind_int(st, 11, u->version);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            rc = ks_fail(err, KS_ECONFLICT, "login", "user '%s' already exists", u->login);
        else
            rc = sq_fail(tx->conn->db, rc, err, "saving user '%s'", u->login);
        done(st);
        return rc;
    }
    done(st);
    if (sqlite3_changes(tx->conn->db) == 0)
        return stale(tx, ST_USER_VERSION, u->id, u->version, "user", u->login, err);
    u->version++;
    return 0;
}

static int sq_user_get(struct store_tx *base, const char *login, struct user *out,
                       struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_USER_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, login);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if ((rc = read_user(st, out, err)) < 0)
            user_release(out);
    } else if (rc == SQLITE_DONE) {
        rc = ks_fail(err, KS_ENOTFOUND, "login", "user '%s' does not exist", login);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "reading user '%s'", login);
    }
    done(st);
    return rc;
}

static int sq_user_list(struct store_tx *base, struct user **out, size_t *n_out,
                        struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    struct user *us = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_USER_LIST, &st, err)) < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow((void **)&us, &cap, n + 1, sizeof(*us));
        user_init(&us[n]);
        if (read_user(st, &us[n++], err) < 0) {
            rc = KS_EINTERNAL;
            break;
        }
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc != KS_EINTERNAL)
        rc = sq_fail(tx->conn->db, rc, err, "reading users");
    done(st);
    if (rc < 0) {
        user_array_free(&us, n);
        return rc;
    }
    *out = us;
    *n_out = n;
    return 0;
}

/* ---- departments ----------------------------------------------------------------------- */

static void read_department(sqlite3_stmt *st, struct department *d)
{
    d->id = sqlite3_column_int64(st, 0);
    d->code = col_dup(st, 1);
    d->name = col_dup(st, 2);
    d->parent = col_dup(st, 3);
    d->head = col_dup(st, 4);
}

static int department_write(struct sq_tx *tx, enum sq_stmt id, struct department *d,
                            struct ks_error *err)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, id, &st, err)) < 0)
        return rc;
    bind_text(st, 1, d->code);
    bind_text(st, 2, d->name);
    bind_text(st, 3, d->parent);
    bind_text(st, 4, d->head);
    if (id == ST_DEPT_UPDATE)
        sqlite3_bind_int64(st, 5, d->id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rc = 0;
        if (id == ST_DEPT_INSERT)
            d->id = sqlite3_last_insert_rowid(tx->conn->db);
        else if (sqlite3_changes(tx->conn->db) == 0)
            rc = ks_fail(err, KS_ENOTFOUND, "code", "department '%s' does not exist", d->code);
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        rc = ks_fail(err, KS_ECONFLICT, "code", "department '%s' already exists", d->code);
    } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rc = ks_fail(err, KS_EINVAL, "parent", "parent: department '%s' does not exist", d->parent);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving department '%s'", d->code);
    }
    done(st);
    return rc;
}

static int sq_department_insert(struct store_tx *base, struct department *d, struct ks_error *err)
{
    return department_write(tx_of(base), ST_DEPT_INSERT, d, err);
}

static int sq_department_update(struct store_tx *base, struct department *d, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    /* A parent inside the department's own subtree would make a cycle. */
    if (d->parent) {
        if ((rc = tx_stmt(tx, ST_DEPT_IN_SUBTREE, &st, err)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, d->id);
        bind_text(st, 2, d->parent);
        rc = sqlite3_step(st);
        done(st);
        if (rc == SQLITE_ROW)
            return ks_fail(err, KS_EINVAL, "parent",
                           "parent: department '%s' is inside '%s', so it cannot be its parent",
                           d->parent, d->code);
        if (rc != SQLITE_DONE)
            return sq_fail(tx->conn->db, rc, err, "saving department '%s'", d->code);
    }
    return department_write(tx, ST_DEPT_UPDATE, d, err);
}

static int sq_department_get(struct store_tx *base, const char *code, struct department *out,
                             struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_DEPT_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, code);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_department(st, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ks_fail(err, KS_ENOTFOUND, "code", "department '%s' does not exist", code);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "reading department '%s'", code);
    }
    done(st);
    return rc;
}

static int sq_department_list(struct store_tx *base, struct department **out, size_t *n_out,
                              struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    struct department *ds = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_DEPT_LIST, &st, err)) < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow((void **)&ds, &cap, n + 1, sizeof(*ds));
        department_init(&ds[n]);
        read_department(st, &ds[n++]);
    }
    if (rc != SQLITE_DONE) {
        rc = sq_fail(tx->conn->db, rc, err, "reading departments");
        done(st);
        department_array_free(&ds, n);
        return rc;
    }
    done(st);
    *out = ds;
    *n_out = n;
    return 0;
}

/* ---- access: department scope, sessions, login failures, idempotency keys --------------- */

static int sq_department_within(struct store_tx *base, const char *root, const char *code,
                                bool *within_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_DEPT_WITHIN, &st, err)) < 0)
        return rc;
    bind_text(st, 1, root);
    bind_text(st, 2, code);
    rc = sqlite3_step(st);
    *within_out = rc == SQLITE_ROW;
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? 0
             : sq_fail(tx->conn->db, rc, err, "reading department '%s'", root);
    done(st);
    return rc;
}

static int sq_session_insert(struct store_tx *base, struct session *s, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_SESSION_INSERT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, s->token_hash);
    bind_text(st, 2, s->csrf);
    bind_text(st, 3, s->login);
    bind_text(st, 4, s->kind);
    sqlite3_bind_int64(st, 5, s->created_at);
    bind_time(st, 6, s->expires_at);
    sqlite3_bind_int(st, 7, s->revoked);
    bind_time(st, 8, s->last_seen_at);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        s->id = sqlite3_last_insert_rowid(tx->conn->db);
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        rc = ks_fail(err, KS_ECONFLICT, "token", "this token is already in use");
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving a session of '%s'", s->login);
    }
    done(st);
    return rc;
}

static int sq_session_get(struct store_tx *base, const char *token_hash, struct session *out,
                          struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_SESSION_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, token_hash);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->token_hash = col_dup(st, 1);
        out->csrf = col_dup(st, 2);
        out->login = col_dup(st, 3);
        out->kind = col_dup(st, 4);
        out->created_at = sqlite3_column_int64(st, 5);
        out->expires_at = col_time(st, 6);
        out->revoked = sqlite3_column_int(st, 7) != 0;
        out->last_seen_at = col_time(st, 8);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ks_fail(err, KS_ENOTFOUND, "token", "no such session");
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "reading a session");
    }
    done(st);
    return rc;
}

/* Runs a statement that returns no rows, binding the given texts (NULL binds NULL) and, when
 * has_int, one integer after them. */
static int exec_simple(struct sq_tx *tx, enum sq_stmt id, const char *a, const char *b,
                       bool has_int, int64_t v, const char *what, struct ks_error *err)
{
    sqlite3_stmt *st;
    int rc, i = 1;

    if ((rc = tx_stmt(tx, id, &st, err)) < 0)
        return rc;
    if (a)
        bind_text(st, i++, a);
    if (b)
        bind_text(st, i++, b);
    if (has_int)
        sqlite3_bind_int64(st, i, v);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : sq_fail(tx->conn->db, rc, err, "%s", what);
    done(st);
    return rc;
}

static int sq_session_revoke(struct store_tx *base, const char *token_hash, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    int rc =
        exec_simple(tx, ST_SESSION_REVOKE, token_hash, NULL, false, 0, "ending a session", err);
    if (rc == 0 && sqlite3_changes(tx->conn->db) == 0)
        rc = ks_fail(err, KS_ENOTFOUND, "token", "no such session");
    return rc;
}

static int sq_session_revoke_login(struct store_tx *base, const char *login, int *n_out,
                                   struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    int rc = exec_simple(tx, ST_SESSION_REVOKE_LOGIN, login, NULL, false, 0,
                         "ending the sessions of a user", err);
    if (rc == 0 && n_out)
        *n_out = sqlite3_changes(tx->conn->db);
    return rc;
}

static int sq_session_touch(struct store_tx *base, const char *token_hash, int64_t at,
                            struct ks_error *err)
{
    return exec_simple(tx_of(base), ST_SESSION_TOUCH, token_hash, NULL, true, at,
                       "recording the use of a session", err);
}

static int sq_login_failure_add(struct store_tx *base, const char *login, int64_t at,
                                struct ks_error *err)
{
    return exec_simple(tx_of(base), ST_LOGIN_FAIL_ADD, login, NULL, true, at,
                       "counting a failed login", err);
}

static int sq_login_failures(struct store_tx *base, const char *login, int64_t since, int *n_out,
                             struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_LOGIN_FAIL_COUNT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, login);
    sqlite3_bind_int64(st, 2, since);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n_out = sqlite3_column_int(st, 0);
        rc = 0;
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "counting failed logins");
    }
    done(st);
    return rc;
}

static int sq_login_failures_clear(struct store_tx *base, const char *login, struct ks_error *err)
{
    return exec_simple(tx_of(base), ST_LOGIN_FAIL_CLEAR, login, NULL, false, 0,
                       "forgetting failed logins", err);
}

static int sq_idem_get(struct store_tx *base, const char *login, const char *key,
                       struct idem_record *out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_IDEM_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, login);
    bind_text(st, 2, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->login = col_dup(st, 0);
        out->key = col_dup(st, 1);
        out->body_hash = col_dup(st, 2);
        out->status = sqlite3_column_int(st, 3);
        out->response = col_dup(st, 4);
        out->created_at = sqlite3_column_int64(st, 5);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ks_fail(err, KS_ENOTFOUND, "Idempotency-Key", "key '%s' was not used", key);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "reading an idempotency key");
    }
    done(st);
    return rc;
}

static int sq_idem_put(struct store_tx *base, const struct idem_record *r, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_IDEM_PUT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, r->login);
    bind_text(st, 2, r->key);
    bind_text(st, 3, r->body_hash);
    sqlite3_bind_int(st, 4, r->status);
    bind_text(st, 5, r->response);
    sqlite3_bind_int64(st, 6, r->created_at);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        rc = ks_fail(err, KS_ECONFLICT, "Idempotency-Key", "key '%s' was already used", r->key);
    else
        rc = sq_fail(tx->conn->db, rc, err, "saving an idempotency key");
    done(st);
    return rc;
}

static int sq_deadline_whole(struct store_tx *base, int64_t complaint_id,
                             struct stage_deadline *out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_DEADLINE_WHOLE, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, complaint_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = read_deadline(st, out, err);
    else if (rc == SQLITE_DONE)
        rc = ks_fail(err, KS_ENOTFOUND, "deadlines", "complaint #%lld has no whole limit",
                     (long long)complaint_id);
    else
        rc = sq_fail(tx->conn->db, rc, err, "reading the whole limit");
    done(st);
    return rc;
}

/* A due clock: the clock and its complaint's number. */
static int read_due(sqlite3_stmt *st, struct stage_deadline *d, struct ks_error *err)
{
    d->number = col_dup(st, 17);
    return read_deadline(st, d, err);
}

static int sq_deadline_due(struct store_tx *base, int64_t now, int limit,
                           struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_DEADLINE_DUE, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, limit);
    return deadline_rows(tx, st, read_due, "finding due deadlines", out, n_out, err);
}

/* ---- outbox and in-app notifications ----------------------------------------------------- */

static int sq_outbox_insert(struct store_tx *base, struct outbox_msg *m, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_OUTBOX_INSERT, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, m->created_at);
    bind_text(st, 2, m->channel);
    bind_text(st, 3, m->recipient);
    bind_text(st, 4, m->template);
    bind_text(st, 5, m->subject);
    bind_text(st, 6, m->body);
    bind_text(st, 7, m->payload);
    if (m->complaint_id)
        sqlite3_bind_int64(st, 8, m->complaint_id);
    sqlite3_bind_int(st, 9, m->attempts);
    sqlite3_bind_int64(st, 10, m->next_attempt_at);
    bind_text(st, 11, outbox_status_name(m->status));
    bind_text(st, 12, m->last_error);
    bind_time(st, 13, m->sent_at);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        m->id = sqlite3_last_insert_rowid(tx->conn->db);
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_CHECK) {
        rc = ks_fail(err, KS_EINVAL, "payload", "outbox payload: not a valid JSON text");
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving an outgoing message");
    }
    done(st);
    return rc;
}

static int read_outbox(sqlite3_stmt *st, struct outbox_msg *m, struct ks_error *err)
{
    m->id = sqlite3_column_int64(st, 0);
    m->created_at = col_time(st, 1);
    m->channel = col_dup(st, 2);
    m->recipient = col_dup(st, 3);
    m->template = col_dup(st, 4);
    m->subject = col_dup(st, 5);
    m->body = col_dup(st, 6);
    m->payload = col_dup(st, 7);
    m->complaint_id = col_null(st, 8) ? 0 : sqlite3_column_int64(st, 8);
    m->attempts = sqlite3_column_int(st, 9);
    m->next_attempt_at = col_time(st, 10);
    m->last_error = col_dup(st, 12);
    m->sent_at = col_time(st, 13);
    return outbox_status_parse(col_str(st, 11), &m->status, err) < 0 ? KS_EINTERNAL : 0;
}

/* Reads every row of a bound statement into a new array of outbox messages. */
static int outbox_rows(struct sq_tx *tx, sqlite3_stmt *st, struct outbox_msg **out, size_t *n_out,
                       struct ks_error *err)
{
    struct outbox_msg *ms = NULL;
    size_t n = 0, cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow((void **)&ms, &cap, n + 1, sizeof(*ms));
        outbox_msg_init(&ms[n]);
        if (read_outbox(st, &ms[n++], err) < 0) {
            rc = KS_EINTERNAL;
            break;
        }
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc != KS_EINTERNAL)
        rc = sq_fail(tx->conn->db, rc, err, "reading outgoing messages");
    done(st);
    if (rc < 0) {
        outbox_msg_array_free(&ms, n);
        return rc;
    }
    *out = ms;
    *n_out = n;
    return 0;
}

static int sq_outbox_due(struct store_tx *base, int64_t now, int limit, struct outbox_msg **out,
                         size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_OUTBOX_DUE, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, limit);
    return outbox_rows(tx, st, out, n_out, err);
}

static int sq_outbox_list(struct store_tx *base, int status, int limit, struct outbox_msg **out,
                          size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_OUTBOX_LIST, &st, err)) < 0)
        return rc;
    bind_text(st, 1, status < 0 ? NULL : outbox_status_name((enum outbox_status)status));
    sqlite3_bind_int(st, 2, limit);
    return outbox_rows(tx, st, out, n_out, err);
}

static int sq_outbox_update(struct store_tx *base, const struct outbox_msg *m, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_OUTBOX_UPDATE, &st, err)) < 0)
        return rc;
    sqlite3_bind_int(st, 1, m->attempts);
    sqlite3_bind_int64(st, 2, m->next_attempt_at);
    bind_text(st, 3, outbox_status_name(m->status));
    bind_text(st, 4, m->last_error);
    bind_time(st, 5, m->sent_at);
    sqlite3_bind_int64(st, 6, m->id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = sqlite3_changes(tx->conn->db)
                 ? 0
                 : ks_fail(err, KS_ENOTFOUND, "id", "outgoing message #%lld does not exist",
                           (long long)m->id);
    else
        rc = sq_fail(tx->conn->db, rc, err, "saving an outgoing message");
    done(st);
    return rc;
}

static int sq_notification_insert(struct store_tx *base, struct notification *n,
                                  struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_NOTE_INSERT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, n->login);
    sqlite3_bind_int64(st, 2, n->created_at);
    bind_text(st, 3, n->kind);
    bind_text(st, 4, n->title);
    bind_text(st, 5, n->body);
    if (n->complaint_id)
        sqlite3_bind_int64(st, 6, n->complaint_id);
    bind_text(st, 7, n->number);
    sqlite3_bind_int(st, 8, n->read);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        n->id = sqlite3_last_insert_rowid(tx->conn->db);
        rc = 0;
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving a notification");
    }
    done(st);
    return rc;
}

static int sq_notification_list(struct store_tx *base, const char *login, bool unread_only,
                                int limit, struct notification **out, size_t *n_out,
                                struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    struct notification *ns = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_NOTE_LIST, &st, err)) < 0)
        return rc;
    bind_text(st, 1, login);
    sqlite3_bind_int(st, 2, unread_only);
    sqlite3_bind_int(st, 3, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct notification *x;
        xgrow((void **)&ns, &cap, n + 1, sizeof(*ns));
        x = &ns[n++];
        notification_init(x);
        x->id = sqlite3_column_int64(st, 0);
        x->login = col_dup(st, 1);
        x->created_at = col_time(st, 2);
        x->kind = col_dup(st, 3);
        x->title = col_dup(st, 4);
        x->body = col_dup(st, 5);
        x->complaint_id = col_null(st, 6) ? 0 : sqlite3_column_int64(st, 6);
        x->number = col_dup(st, 7);
        x->read = sqlite3_column_int(st, 8) != 0;
    }
    rc = rc == SQLITE_DONE ? 0 : sq_fail(tx->conn->db, rc, err, "reading notifications");
    done(st);
    if (rc < 0) {
        notification_array_free(&ns, n);
        return rc;
    }
    *out = ns;
    *n_out = n;
    return 0;
}

static int sq_notification_read(struct store_tx *base, int64_t id, const char *login,
                                struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_NOTE_READ, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, login);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = sqlite3_changes(tx->conn->db)
                 ? 0
                 : ks_fail(err, KS_ENOTFOUND, "id", "notification %lld: no such notification",
                           (long long)id);
    else
        rc = sq_fail(tx->conn->db, rc, err, "marking a notification read");
    done(st);
    return rc;
}

/* ---- incidents ------------------------------------------------------------------------- */

static int sq_incident_insert(struct store_tx *base, struct incident *inc, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_INSERT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, inc->code);
    bind_text(st, 2, inc->title);
    sqlite3_bind_int(st, 3, inc->level);
    bind_text(st, 4, inc->owner);
    bind_text(st, 5, inc->closed ? "closed" : "open");
    bind_text(st, 6, inc->key);
    sqlite3_bind_int64(st, 7, inc->created_at);
    bind_time(st, 8, inc->closed_at);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        inc->id = sqlite3_last_insert_rowid(tx->conn->db);
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        rc = ks_fail(err, KS_ECONFLICT, "code", "incident %s: the code or key is taken", inc->code);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving incident %s", inc->code);
    }
    done(st);
    return rc;
}

static int sq_incident_update(struct store_tx *base, const struct incident *inc,
                              struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_UPDATE, &st, err)) < 0)
        return rc;
    bind_text(st, 1, inc->title);
    sqlite3_bind_int(st, 2, inc->level);
    bind_text(st, 3, inc->owner);
    bind_text(st, 4, inc->closed ? "closed" : "open");
    bind_time(st, 5, inc->closed_at);
    sqlite3_bind_int64(st, 6, inc->id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = sqlite3_changes(tx->conn->db)
                 ? 0
                 : ks_fail(err, KS_ENOTFOUND, "code", "incident '%s' does not exist", inc->code);
    else
        rc = sq_fail(tx->conn->db, rc, err, "saving incident %s", inc->code);
    done(st);
    return rc;
}

static void read_incident(sqlite3_stmt *st, struct incident *i)
{
    i->id = sqlite3_column_int64(st, 0);
    i->code = col_dup(st, 1);
    i->title = col_dup(st, 2);
    i->level = sqlite3_column_int(st, 3);
    i->owner = col_dup(st, 4);
    i->closed = strcmp(col_str(st, 5), "closed") == 0;
    i->key = col_dup(st, 6);
    i->created_at = col_time(st, 7);
    i->closed_at = col_time(st, 8);
}

static int sq_incident_get(struct store_tx *base, const char *code, struct incident *out,
                           struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, code);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_incident(st, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ks_fail(err, KS_ENOTFOUND, "code", "incident '%s' does not exist", code);
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "reading incident %s", code);
    }
    done(st);
    return rc;
}

static int sq_incident_list(struct store_tx *base, bool open_only, struct incident **out,
                            size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    struct incident *is = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_LIST, &st, err)) < 0)
        return rc;
    sqlite3_bind_int(st, 1, open_only);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow((void **)&is, &cap, n + 1, sizeof(*is));
        incident_init(&is[n]);
        read_incident(st, &is[n++]);
    }
    rc = rc == SQLITE_DONE ? 0 : sq_fail(tx->conn->db, rc, err, "reading incidents");
    done(st);
    if (rc < 0) {
        incident_array_free(&is, n);
        return rc;
    }
    *out = is;
    *n_out = n;
    return 0;
}

static int sq_incident_count(struct store_tx *base, const char *prefix, int *n_out,
                             struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_COUNT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, prefix);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n_out = sqlite3_column_int(st, 0);
        rc = 0;
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "counting incidents");
    }
    done(st);
    return rc;
}

static int sq_incident_link(struct store_tx *base, const struct incident *inc, int64_t complaint_id,
                            int64_t at, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_LINK, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, inc->id);
    sqlite3_bind_int64(st, 2, complaint_id);
    sqlite3_bind_int64(st, 3, at);
    rc = sqlite3_step(st);
    done(st);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return ks_fail(err, KS_ENOTFOUND, "complaint_id",
                       "incident %s: complaint #%lld does not exist", inc->code,
                       (long long)complaint_id);
    if (rc != SQLITE_DONE)
        return sq_fail(tx->conn->db, rc, err, "linking a complaint to incident %s", inc->code);
    if ((rc = tx_stmt(tx, ST_INC_MARK, &st, err)) < 0)
        return rc;
    bind_text(st, 1, inc->code);
    sqlite3_bind_int64(st, 2, complaint_id);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE
             ? 0
             : sq_fail(tx->conn->db, rc, err, "linking a complaint to incident %s", inc->code);
    done(st);
    return rc;
}

static int sq_incident_numbers(struct store_tx *base, int64_t incident_id, char ***out,
                               size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    char **v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_NUMBERS, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, incident_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow((void **)&v, &cap, n + 1, sizeof(*v));
        v[n++] = col_dup(st, 0);
    }
    rc = rc == SQLITE_DONE ? 0 : sq_fail(tx->conn->db, rc, err, "reading incident complaints");
    done(st);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return rc;
    }
    *out = v;
    *n_out = n;
    return 0;
}

static int sq_incident_event_append(struct store_tx *base, struct event *ev, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_EV_INSERT, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, ev->complaint_id);
    sqlite3_bind_int64(st, 2, ev->at);
    bind_text(st, 3, ev->actor);
    bind_text(st, 4, ev->kind);
    bind_text(st, 5, ev->note);
    bind_text(st, 6, ev->details);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        ev->id = sqlite3_last_insert_rowid(tx->conn->db);
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rc = ks_fail(err, KS_ENOTFOUND, "incident", "incident #%lld does not exist",
                     (long long)ev->complaint_id);
    } else if (rc == SQLITE_CONSTRAINT_CHECK) {
        rc = ks_fail(err, KS_EINVAL, "details", "event details: not a valid JSON text");
    } else {
        rc = sq_fail(tx->conn->db, rc, err, "saving an incident event");
    }
    done(st);
    return rc;
}

static int sq_incident_event_list(struct store_tx *base, int64_t incident_id, struct event **out,
                                  size_t *n_out, struct ks_error *err)
{
    struct sq_tx *tx = tx_of(base);
    struct event *evs = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc;

    if ((rc = tx_stmt(tx, ST_INC_EV_LIST, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, incident_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct event *ev;
        xgrow((void **)&evs, &cap, n + 1, sizeof(*evs));
        ev = &evs[n++];
        event_init(ev);
        ev->id = sqlite3_column_int64(st, 0);
        ev->complaint_id = sqlite3_column_int64(st, 1);
        ev->at = col_time(st, 2);
        ev->actor = col_dup(st, 3);
        ev->kind = col_dup(st, 4);
        ev->note = col_dup(st, 5);
        ev->details = col_dup(st, 6);
    }
    rc = rc == SQLITE_DONE ? 0 : sq_fail(tx->conn->db, rc, err, "reading incident events");
    done(st);
    if (rc < 0) {
        event_array_free(&evs, n);
        return rc;
    }
    *out = evs;
    *n_out = n;
    return 0;
}

/* ---- backup and restore ---------------------------------------------------------------- */

#define BACKUP_SLICE 1024 /* pages per backup step: 4 MB at the default page size */
#define SHM_DMS_BYTE 128  /* unix VFS: the -shm byte every open WAL connection read-locks */

struct sq_backup {
    struct store_backup base;
    struct sq_store *s;
    struct sq_conn *conn; /* the store's side, borrowed from the pool until the end */
    sqlite3 *file;        /* the file's side */
    sqlite3_backup *b;
    char *path;    /* the backup file, or the file restored from */
    char *partial; /* backup: where the copy is written until it is complete */
    bool restore;
    bool complete;
};

/* path with a suffix, as a new string. */
static char *path_with(const char *path, const char *suffix)
{
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *p = xmalloc(n);
    snprintf(p, n, "%s%s", path, suffix);
    return p;
}

/* Removes a database file and its companions. */
static void remove_db_files(const char *path)
{
    char *wal = path_with(path, "-wal"), *shm = path_with(path, "-shm");
    remove(path);
    remove(wal);
    remove(shm);
    free(wal);
    free(shm);
}

/* Frees bk and what it holds; an incomplete backup's partial file is removed. */
static void backup_free(struct sq_backup *bk)
{
    if (bk->b)
        sqlite3_backup_finish(bk->b);
    if (bk->conn) {
        if (!sqlite3_get_autocommit(bk->conn->db))
            sqlite3_exec(bk->conn->db, "ROLLBACK", NULL, NULL, NULL);
        pool_put(bk->s, bk->conn, false);
    }
    sqlite3_close(bk->file);
    if (bk->partial && !bk->complete)
        remove_db_files(bk->partial);
    free(bk->path);
    free(bk->partial);
    free(bk);
}

static int sq_backup_begin(struct store *base, const char *path, bool restore,
                           struct store_backup **out, struct ks_error *err)
{
    struct sq_store *s = store_of(base);
    struct sq_backup *bk;
    struct stat sb;
    int rc;

    *out = NULL;
    if (!restore && stat(path, &sb) == 0)
        return ks_fail(err, KS_ECONFLICT, "file",
                       "'%s' exists; name a new file for the backup or remove it", path);
    if (restore && stat(path, &sb) != 0)
        return ks_fail(err, KS_ENOTFOUND, "file", "backup '%s' does not exist", path);
    bk = xcalloc(1, sizeof(*bk));
    bk->base.store = base;
    bk->s = s;
    bk->restore = restore;
    bk->path = xstrdup(path);
    if ((rc = pool_get(s, &bk->conn, err)) < 0) {
        backup_free(bk);
        return rc;
    }
    if (restore) {
        /* Read-write (never created) so that closing it removes the -wal and -shm files a
         * read-only connection would leave behind; nothing is written to it. */
        rc = sqlite3_open_v2(path, &bk->file, SQLITE_OPEN_READWRITE, NULL);
        if (rc == SQLITE_OK)
            bk->b = sqlite3_backup_init(bk->conn->db, "main", bk->file, "main");
        if (rc == SQLITE_OK && !bk->b)
            rc = sqlite3_extended_errcode(bk->conn->db);
    } else {
        bk->partial = path_with(path, ".partial");
        remove_db_files(bk->partial); /* left by a backup that was killed */
        rc = sqlite3_open_v2(bk->partial, &bk->file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             NULL);
        /* One read transaction from the first slice to the last: every slice comes from the
         * same snapshot, and writers (WAL) go on meanwhile. */
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(bk->conn->db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL,
                              NULL);
        if (rc == SQLITE_OK)
            bk->b = sqlite3_backup_init(bk->file, "main", bk->conn->db, "main");
        if (rc == SQLITE_OK && !bk->b)
            rc = sqlite3_extended_errcode(bk->file);
    }
    if (rc != SQLITE_OK) {
        rc = sq_fail(bk->file, rc, err, "%s '%s'", restore ? "restoring from" : "backing up to",
                     path);
        backup_free(bk);
        return rc;
    }
    *out = &bk->base;
    return 0;
}

static int sq_backup_step(struct store_backup *base, int *done_out, int *total_out,
                          struct ks_error *err)
{
    struct sq_backup *bk = (struct sq_backup *)(void *)base;
    /* A restore replaces every page in one step: one write transaction, never a mix. */
    int rc = sqlite3_backup_step(bk->b, bk->restore ? -1 : BACKUP_SLICE);
    int total = sqlite3_backup_pagecount(bk->b);

    *total_out = total;
    *done_out = total - sqlite3_backup_remaining(bk->b);
    if (rc == SQLITE_DONE) {
        bk->complete = true;
        return 0;
    }
    if (rc == SQLITE_OK)
        return 1;
    return sq_fail(bk->restore ? bk->conn->db : bk->file, rc, err, "%s '%s'",
                   bk->restore ? "restoring from" : "backing up to", bk->path);
}

/* Makes a rename durable: the directory entry is synced too. */
static void sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

static int sq_backup_end(struct store_backup *base, struct ks_error *err)
{
    struct sq_backup *bk = (struct sq_backup *)(void *)base;
    int rc = 0;

    if (!bk->complete) {
        backup_free(bk);
        return 0;
    }
    rc = sqlite3_backup_finish(bk->b);
    bk->b = NULL;
    if (rc != SQLITE_OK)
        rc = sq_fail(bk->restore ? bk->conn->db : bk->file, rc, err, "%s '%s'",
                     bk->restore ? "restoring from" : "backing up to", bk->path);
    if (rc == 0 && !bk->restore) {
        /* Closing the copy's last connection folds its write-ahead log into the file, so
         * the backup is the one file. */
        rc = sqlite3_close(bk->file) == SQLITE_OK ? 0 : KS_ESTORE;
        bk->file = NULL;
        if (rc < 0)
            ks_fail(err, KS_ESTORE, NULL, "backing up to '%s': closing the copy failed", bk->path);
        else if (rename(bk->partial, bk->path) != 0)
            rc = ks_fail(err, KS_ESTORE, "file", "backing up to '%s': %s", bk->path,
                         strerror(errno));
        else
            sync_dir_of(bk->path);
        if (rc < 0)
            bk->complete = false; /* remove the partial file */
    }
    backup_free(bk);
    return rc;
}

static int sq_integrity_check(struct store *base, struct ks_error *err)
{
    struct sq_store *s = store_of(base);
    sqlite3_stmt *st = NULL;
    struct sq_conn *c;
    int rc;

    if ((rc = pool_get(s, &c, err)) < 0)
        return rc;
    rc = sqlite3_prepare_v2(c->db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = strcmp(col_str(st, 0), "ok") == 0
                 ? 0
                 : ks_fail(err, KS_ECONFIG, NULL,
                           "database '%s' is damaged: %s; restore it from a backup", s->path,
                           col_str(st, 0));
    else
        rc = sq_fail(c->db, rc, err, "checking database '%s'", s->path);
    sqlite3_finalize(st);
    pool_put(s, c, false);
    return rc;
}

/* Every connection in WAL mode holds a read lock on one byte of the -shm file while it is open
 * (SQLite's unix VFS, the "dead man switch"), so a write lock there that would conflict means
 * another process has the database open. Locks of this process are not reported by F_GETLK. */
static int sq_in_use_elsewhere(struct store *base, bool *in_use_out, struct ks_error *err)
{
    struct sq_store *s = store_of(base);
    char *shm = path_with(s->path, "-shm");
    struct flock fl = {
        .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHM_DMS_BYTE, .l_len = 1};
    int fd = open(shm, O_RDONLY), rc = 0;

    *in_use_out = false;
    if (fd >= 0) {
        if (fcntl(fd, F_GETLK, &fl) != 0)
            rc = ks_fail(err, KS_ESTORE, NULL, "checking who uses '%s': %s", s->path,
                         strerror(errno));
        else
            *in_use_out = fl.l_type != F_UNLCK;
        close(fd);
    }
    free(shm);
    return rc;
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .backup_begin = sq_backup_begin,
    .backup_step = sq_backup_step,
    .backup_end = sq_backup_end,
    .integrity_check = sq_integrity_check,
    .in_use_elsewhere = sq_in_use_elsewhere,
    .migrate = sq_migrate,
    .schema_version = sq_schema_version,
    .schema_known = sq_schema_known,
    .tx_begin = sq_tx_begin,
    .tx_commit = sq_tx_commit,
    .tx_rollback = sq_tx_rollback,
    .tx_nest = sq_tx_nest,
    .setting_get = sq_setting_get,
    .setting_set = sq_setting_set,
    .number_next = sq_number_next,
    .complaint_insert = sq_complaint_insert,
    .complaint_update = sq_complaint_update,
    .complaint_get = sq_complaint_get,
    .complaint_list = sq_complaint_list,
    .complaint_next = sq_complaint_next,
    .complaint_count = sq_complaint_count,
    .complaint_count_repeats = sq_complaint_count_repeats,
    .deadline_list_received = sq_deadline_list_received,
    .deadline_list_ids = sq_deadline_list_ids,
    .iter_free = sq_iter_free,
    .event_append = sq_event_append,
    .event_list = sq_event_list,
    .event_chain = sq_event_chain,
    .deadline_put = sq_deadline_put,
    .deadline_list = sq_deadline_list,
    .deadline_whole = sq_deadline_whole,
    .deadline_due = sq_deadline_due,
    .outbox_insert = sq_outbox_insert,
    .outbox_due = sq_outbox_due,
    .outbox_update = sq_outbox_update,
    .outbox_list = sq_outbox_list,
    .notification_insert = sq_notification_insert,
    .notification_list = sq_notification_list,
    .notification_read = sq_notification_read,
    .incident_insert = sq_incident_insert,
    .incident_update = sq_incident_update,
    .incident_get = sq_incident_get,
    .incident_list = sq_incident_list,
    .incident_count = sq_incident_count,
    .incident_link = sq_incident_link,
    .incident_numbers = sq_incident_numbers,
    .incident_event_append = sq_incident_event_append,
    .incident_event_list = sq_incident_event_list,
    .user_insert = sq_user_insert,
    .user_update = sq_user_update,
    .user_get = sq_user_get,
    .user_list = sq_user_list,
    .department_insert = sq_department_insert,
    .department_update = sq_department_update,
    .department_get = sq_department_get,
    .department_list = sq_department_list,
    .department_within = sq_department_within,
    .session_insert = sq_session_insert,
    .session_get = sq_session_get,
    .session_revoke = sq_session_revoke,
    .session_revoke_login = sq_session_revoke_login,
    .session_touch = sq_session_touch,
    .login_failure_add = sq_login_failure_add,
    .login_failures = sq_login_failures,
    .login_failures_clear = sq_login_failures_clear,
    .idem_get = sq_idem_get,
    .idem_put = sq_idem_put,
};
