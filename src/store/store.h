/* The storage interface: one API, backends chosen at run time by URL (a file path or
 * "sqlite:PATH" for SQLite; "postgres://..." later). Every entity function runs inside a
 * transaction (struct store_tx), read-only or read-write. Ownership: struct store and struct
 * store_tx are opaque and owned by the caller until store_close() / store_tx_commit() /
 * store_tx_rollback(), which take T ** and NULL it. Rows filled into caller storage (struct
 * complaint, struct event ...) own their strings; release them with the entity's release.
 * A store may be used from many threads; a transaction belongs to one thread. */
#ifndef KS_STORE_STORE_H
#define KS_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/complaint.h"
#include "core/deadline.h"
#include "core/event.h"
#include "core/types.h"
#include "lib/civil.h"
#include "lib/err.h"

struct store;
struct store_tx;
struct store_iter;

struct store_conf {
    const char *url;     /* "kesu.db", "sqlite:/var/lib/kesu/kesu.db" */
    int busy_timeout_ms; /* 0: 5000 */
    int pool_size;       /* connections kept; 0: 4 */
    bool create;         /* create the database when missing (kesu init); else KS_ENOTFOUND */
};

int store_open(const struct store_conf *conf, struct store **out, struct ks_error *err);
void store_close(struct store **s);
/* "sqlite" or "postgres". */
const char *store_backend_name(const struct store *s);

/* Applies every migration newer than the database's schema_version, each in its own
 * transaction; from_out/to_out (may be NULL) report the versions. */
int store_migrate(struct store *s, int *from_out, int *to_out, struct ks_error *err);
/* The schema version of the database (0 for an empty one). */
int store_schema_version(struct store *s, int *out, struct ks_error *err);
/* The newest schema version this build carries migrations for. */
int store_schema_known(const struct store *s);

enum store_tx_mode { STORE_TX_READ = 0, STORE_TX_WRITE };
int store_tx_begin(struct store *s, enum store_tx_mode mode, struct store_tx **out,
                   struct ks_error *err);
/* Commits and frees *tx (also on failure). KS_EUNCERTAIN when the outcome is unknown. */
int store_tx_commit(struct store_tx **tx, struct ks_error *err);
/* Rolls back and frees *tx; a NULL *tx is a no-op. */
void store_tx_rollback(struct store_tx **tx);

/* Group commit. store_tx_batch_enter() makes tx (a write transaction) the calling thread's
 * batch: until store_tx_batch_leave(), every transaction that thread begins on tx's store is a
 * savepoint inside tx. Committing such a nested transaction releases its savepoint (it becomes
 * durable only when the batch commits); rolling it back undoes only its own work. One writer
 * thread can so fold many registrations, each written by unchanged code, into one commit and
 * one fsync. The batch itself is committed or rolled back after leaving. */
void store_tx_batch_enter(struct store_tx *tx);
void store_tx_batch_leave(void);

/* ---- backup and restore (SQLite; on PostgreSQL use pg_dump or pg_basebackup) ----------- */

/* An online copy between the store's database and a file, taken a slice at a time so a caller
 * can show progress. A backup reads one consistent snapshot (one read transaction held from
 * begin to end) while the database keeps serving: writers are not blocked. */
struct store_backup;
/* Starts copying s's database into a new file at path (written as "path.partial" and renamed
 * when complete, so path never holds half a backup). KS_ECONFLICT when path exists. */
int store_backup_begin(struct store *s, const char *path, struct store_backup **out,
                       struct ks_error *err);
/* Starts replacing s's database, in place, by the database in the file at path (check it
 * first: store_integrity_check() on a store opened on it). Every page is replaced in one write
 * transaction of s, so readers see the old database or the new one, never a mix. */
int store_restore_begin(struct store *s, const char *path, struct store_backup **out,
                        struct ks_error *err);
/* Copies the next slice. 1: more to copy, 0: complete; done_out and total_out (may be NULL)
 * count pages. */
int store_backup_step(struct store_backup *b, int *done_out, int *total_out, struct ks_error *err);
/* Finishes (after a complete copy) or abandons the copy and frees *b; an abandoned backup
 * removes its partial file, an abandoned restore leaves the database as it was. */
int store_backup_end(struct store_backup **b, struct ks_error *err);
/* SQLite's integrity check of the whole database; KS_ECONFIG naming the first problem. */
int store_integrity_check(struct store *s, struct ks_error *err);
/* Does another process have s's database open (a running kesu serve, another kesu, sqlite3)?
 * On SQLite: the shared lock every open WAL connection holds on the -shm file. */
int store_in_use_elsewhere(struct store *s, bool *in_use_out, struct ks_error *err);

/* Key/value settings of the deployment (preset name, time zone, first-run facts). Values are
 * returned owned (free()). KS_ENOTFOUND when absent. */
int store_setting_get(struct store_tx *tx, const char *key, char **value_out, struct ks_error *err);
int store_setting_set(struct store_tx *tx, const char *key, const char *value,
                      struct ks_error *err);

/* The next complaint sequence number of local day `day` (1, 2, ...), gap-free within
 * committed transactions. */
int store_number_next(struct store_tx *tx, struct ks_date day, int *seq_out, struct ks_error *err);

/* Inserts c (number must be set); sets c->id and c->version = 1. KS_ECONFLICT on a
 * duplicate number. */
int store_complaint_insert(struct store_tx *tx, struct complaint *c, struct ks_error *err);
/* Writes every field of c where id = c->id and version = c->version, then bumps c->version.
 * KS_ECONFLICT (field "version") when the stored version differs: never a lost update. */
int store_complaint_update(struct store_tx *tx, struct complaint *c, struct ks_error *err);
/* Fills out (initialised by the caller; its old contents are released). KS_ENOTFOUND. */
int store_complaint_get(struct store_tx *tx, const char *number, struct complaint *out,
                        struct ks_error *err);

/* With a full-text `text` (any word), the two received orders follow registration order (the
 * row id) instead of received_at, newest or oldest registered first: the search index returns
 * rows in that order, so a page stops at its limit instead of sorting every match. The cursor
 * follows the same key, so pages stay stable. */
enum complaint_sort {
    CS_RECEIVED_DESC = 0, /* newest first (default) */
    CS_RECEIVED_ASC,
    CS_DUE_ASC, /* most urgent open deadline first */
};

/* List filters; zero/NULL/-1 members do not filter. Call complaint_filter_init() first. */
struct complaint_filter {
    int status;     /* enum wf_state or -1 */
    bool open_only; /* not closed/rejected/withdrawn/merged */
    int severity;   /* enum severity or -1 */
    const char *category;
    int channel; /* enum channel or -1 */
    const char *assignee;
    const char *department; /* this department code and its subtree */
    /* With department: also the complaints this login is assignee of, wherever they are (a
     * handler keeps seeing what was handed over to them from another department). */
    const char *or_assignee;
    const char *customer; /* customer_code, or exact customer_name */
    const char *product;
    const char *defect;
    const char *batch_no;
    int64_t received_from; /* inclusive, KS_TIME_NONE: open */
    int64_t received_to;   /* exclusive */
    bool overdue;          /* an open stage deadline is past `now` */
    int64_t due_before;    /* an open stage deadline is before this instant */
    int64_t now;           /* for overdue */
    const char *text;      /* full text over title and description; Chinese works */
    /* Match text on the rows the other filters select instead of through the search index:
     * for a narrow, selective filter (surge detection's window of hours) that is far cheaper
     * than reading every complaint that holds a common word. The same rows either way. */
    bool text_scan;
    /* The fields a listing reads: 0 reads them all; else bit i asks for complaint_fields[i]
     * (complaint_field_bits() makes the mask), id and number are always read and every other
     * field is left as complaint_init() sets it. Long scans (reports, list pages) read a few
     * columns instead of ~50. */
    uint64_t fields;
    /* Also read each row's struct complaint_closing (store_complaint_next_closing()). */
    bool closing;
    enum complaint_sort sort;
    const char *after; /* cursor: the last number of the previous page, or NULL */
    int limit;         /* 0: no limit */
};
void complaint_filter_init(struct complaint_filter *f);

/* Starts a listing; read rows with store_complaint_next(). */
int store_complaint_list(struct store_tx *tx, const struct complaint_filter *f,
                         struct store_iter **out, struct ks_error *err);
/* 1: a row was written to row (initialised by the caller, old contents released);
 * 0: done; < 0: error. */
int store_complaint_next(struct store_iter *it, struct complaint *row, struct ks_error *err);

/* What the store keeps on the complaint row about its transitions, for reports, so they need
 * not read the timeline. Written by store_event_append() with each transition event (never by
 * store_complaint_update()); a database made before schema 6 got them from its events when it
 * was migrated. */
struct complaint_closing {
    /* When the transition into closed happened; KS_TIME_NONE while the complaint is not
     * closed (a reopen clears it). */
    int64_t closed_at;
    int reopened; /* transitions replied, follow_up or closed -> investigating */
};
/* store_complaint_next() that also fills *closing_out; the listing must have been made with
 * f->closing set. */
int store_complaint_next_closing(struct store_iter *it, struct complaint *row,
                                 struct complaint_closing *closing_out, struct ks_error *err);

/* How many complaints store_complaint_list() would list for f (ignoring f->after), without
 * reading them. */
int store_complaint_count(struct store_tx *tx, const struct complaint_filter *f, int64_t *n_out,
                          struct ks_error *err);

/* The repeat rule's count: complaints of `customer` (customer_code, or exact customer_name)
 * with this defect received in [from, to), not merged, without reading them (indexed). */
int store_complaint_count_repeats(struct store_tx *tx, const char *customer, const char *defect,
                                  int64_t from, int64_t to, int *n_out, struct ks_error *err);
void store_iter_free(struct store_iter **it);

/* Appends ev (ev->complaint_id set); sets ev->id. Events are never updated or deleted. A
 * transition event also updates the complaint's struct complaint_closing. Each
 * event is stored with its chain link: event_chain_hash() of the complaint's number, the event
 * and the link of the complaint's previous event in append order (on PostgreSQL the complaint
 * row is locked for the rest of the transaction, so two appends cannot fork a chain). */
int store_event_append(struct store_tx *tx, struct event *ev, struct ks_error *err);
/* The events of a complaint in append order (by id, not by time) with their stored links, for
 * checking the chain: *links_out is one new buffer of n * EVENT_HASH_HEX bytes, link i at
 * *links_out + i * EVENT_HASH_HEX, "" for an event written before the chain began. Free both
 * (event_array_free(), free()). */
int store_event_chain(struct store_tx *tx, int64_t complaint_id, struct event **evs_out,
                      char **links_out, size_t *n_out, struct ks_error *err);
/* All events of a complaint, oldest first, as a new array (event_array_free()). */
int store_event_list(struct store_tx *tx, int64_t complaint_id, struct event **evs_out,
                     size_t *n_out, struct ks_error *err);

/* The set-based read of stage clocks for reports, which would otherwise make one query per
 * complaint: the stage deadlines (not the whole limit) of every complaint received in
 * [from, to), ordered by complaint id and then as store_deadline_list() orders them, as a new
 * array (stage_deadline_array_free()). Only what a report judges is read: complaint_id, stage,
 * breached and the clock's started_at, due_at, paused_at and met_at; the other members are as
 * stage_deadline_init() leaves them. Read a long period in slices and join by complaint id. */
struct stage_deadline;
int store_deadline_list_received(struct store_tx *tx, int64_t from, int64_t to,
                                 struct stage_deadline **out, size_t *n_out, struct ks_error *err);
/* The same for the complaints whose id is in [id_lo, id_hi], ordered and read the same way, by
 * one range of the (complaint_id, started_at) index instead of a look-up per complaint: for a
 * caller that has listed a slice and found its ids dense (complaints are mostly registered in
 * the order they are received). */
int store_deadline_list_ids(struct store_tx *tx, int64_t id_lo, int64_t id_hi,
                            struct stage_deadline **out, size_t *n_out, struct ks_error *err);

/* One stage clock of one complaint. A complaint that re-enters a stage (after a reopen or
 * a send-back) gets a new row; the open one is the row whose clock.met_at is unset. */
struct stage_deadline {
    int64_t id;
    int64_t complaint_id;
    enum wf_state stage;
    struct stage_clock clock;
    char *rule;    /* the preset rule that set the period, for explanations */
    bool breached; /* marked by a sweep or when met late */
    int warned;    /* warnings sent (sweeper) */
    int escalated; /* escalation steps taken (sweeper) */
    bool whole;    /* the whole-complaint limit (preset `whole`), not a stage's clock */
    /* When the sweeper must next look at this clock (its next warning, breach or escalation
     * step); KS_TIME_NONE on a running clock makes the store use started_at, so a clock put
     * by code that does not know the sweeper is still looked at. Ignored once met. */
    int64_t next_action_at;
    char *number; /* the complaint's number: filled by store_deadline_due() only */
};
void stage_deadline_init(struct stage_deadline *d);
void stage_deadline_release(struct stage_deadline *d);
void stage_deadline_array_free(struct stage_deadline **ds, size_t n);

/* Inserts (d->id == 0; sets it) or updates (by id) a stage deadline. */
int store_deadline_put(struct store_tx *tx, struct stage_deadline *d, struct ks_error *err);
/* All stage deadlines of a complaint in the order they were started (not the whole limit). */
int store_deadline_list(struct store_tx *tx, int64_t complaint_id, struct stage_deadline **out,
                        size_t *n_out, struct ks_error *err);
/* The whole-complaint limit of a complaint (d->whole), the latest when there are several;
 * KS_ENOTFOUND when the preset set none. out is initialised by the caller. */
int store_deadline_whole(struct store_tx *tx, int64_t complaint_id, struct stage_deadline *out,
                         struct ks_error *err);
/* Running clocks (met_at unset) whose next_action_at is at or before now, soonest first, at
 * most limit (1..10000), each with its complaint's number. Served by a partial index, so the
 * cost follows the due rows, not the open complaints. On PostgreSQL the rows are locked FOR
 * UPDATE SKIP LOCKED, so sweepers on several nodes take disjoint rows; on SQLite the write
 * transaction serialises sweepers. Use a write transaction. */
int store_deadline_due(struct store_tx *tx, int64_t now, int limit, struct stage_deadline **out,
                       size_t *n_out, struct ks_error *err);

/* ---- notifications (issue 5) ----------------------------------------------------------- */

enum outbox_status { OUTBOX_PENDING = 0, OUTBOX_SENT, OUTBOX_FAILED };
/* "pending", "sent", "failed" and back (KS_EINVAL naming the value). */
const char *outbox_status_name(enum outbox_status s);
int outbox_status_parse(const char *s, enum outbox_status *out, struct ks_error *err);

/* One message waiting for (or done with) delivery over one preset channel. */
struct outbox_msg {
    int64_t id; /* also the X-Kesu-Delivery id, the same on every attempt */
    int64_t created_at;
    char *channel;   /* the preset channel's name */
    char *recipient; /* login, e-mail address or phone number, as the channel needs */
    char *template;  /* "ack", "reply", "escalation", "emergency", ...; may be NULL */
    char *subject;   /* may be NULL */
    char *body;
    char *payload;        /* the webhook's JSON body; may be NULL */
    int64_t complaint_id; /* 0: none */
    int attempts;
    int64_t next_attempt_at;
    enum outbox_status status;
    char *last_error; /* the last failed attempt's message, or NULL */
    int64_t sent_at;  /* KS_TIME_NONE until sent */
};
void outbox_msg_init(struct outbox_msg *m);
void outbox_msg_release(struct outbox_msg *m);
void outbox_msg_array_free(struct outbox_msg **ms, size_t n);
/* Inserts m (sets m->id); write it in the transaction of the event that causes it. */
int store_outbox_insert(struct store_tx *tx, struct outbox_msg *m, struct ks_error *err);
/* Pending messages with next_attempt_at at or before now, oldest first, at most limit,
 * locked like store_deadline_due(). */
int store_outbox_due(struct store_tx *tx, int64_t now, int limit, struct outbox_msg **out,
                     size_t *n_out, struct ks_error *err);
/* Writes attempts, next_attempt_at, status, last_error and sent_at of m (by id). */
int store_outbox_update(struct store_tx *tx, const struct outbox_msg *m, struct ks_error *err);
/* The newest messages first, at most limit; status -1 for any. */
int store_outbox_list(struct store_tx *tx, int status, int limit, struct outbox_msg **out,
                      size_t *n_out, struct ks_error *err);

/* An in-app notification for one user. */
struct notification {
    int64_t id;
    char *login;
    int64_t created_at;
    char *kind;           /* "warning", "breach", "escalation", "emergency", "incident" */
    char *title;          /* one line */
    char *body;           /* may be NULL */
    int64_t complaint_id; /* 0: none */
    char *number;         /* the complaint's or incident's code, or NULL */
    bool read;
};
void notification_init(struct notification *n);
void notification_release(struct notification *n);
void notification_array_free(struct notification **ns, size_t n);
int store_notification_insert(struct store_tx *tx, struct notification *n, struct ks_error *err);
/* The user's notifications, newest first, at most limit; only unread ones when unread_only. */
int store_notification_list(struct store_tx *tx, const char *login, bool unread_only, int limit,
                            struct notification **out, size_t *n_out, struct ks_error *err);
/* Marks notification id of login read; KS_ENOTFOUND when login has no such notification. */
int store_notification_read(struct store_tx *tx, int64_t id, const char *login,
                            struct ks_error *err);

/* ---- incidents (应急事件, issue 5) -------------------------------------------------------- */

struct incident {
    int64_t id;
    char *code; /* INC20261129-01 */
    char *title;
    int level;   /* 1 or 2 */
    char *owner; /* login or NULL */
    bool closed;
    char *key; /* the surge key it was opened for, or NULL when declared by hand */
    int64_t created_at;
    int64_t closed_at; /* KS_TIME_NONE while open */
};
void incident_init(struct incident *i);
void incident_release(struct incident *i);
void incident_array_free(struct incident **is, size_t n);
/* Inserts inc (code set by the caller; sets id). KS_ECONFLICT when the code is taken or an
 * open incident has the same key (two writers opening one surge: the loser attaches). */
int store_incident_insert(struct store_tx *tx, struct incident *inc, struct ks_error *err);
/* Writes title, level, owner, closed and closed_at (by id). */
int store_incident_update(struct store_tx *tx, const struct incident *inc, struct ks_error *err);
int store_incident_get(struct store_tx *tx, const char *code, struct incident *out,
                       struct ks_error *err);
/* Incidents newest first; open ones only when open_only. */
int store_incident_list(struct store_tx *tx, bool open_only, struct incident **out, size_t *n_out,
                        struct ks_error *err);
/* How many incident codes start with prefix ("INC20261129-"), to number the next one. */
int store_incident_count(struct store_tx *tx, const char *prefix, int *n_out, struct ks_error *err);
/* Links a complaint to an incident and records the code in the complaint's `incident` field
 * (system bookkeeping: the complaint's version is not bumped). A link that exists is kept. */
int store_incident_link(struct store_tx *tx, const struct incident *inc, int64_t complaint_id,
                        int64_t at, struct ks_error *err);
/* The numbers of the complaints linked to incident_id, oldest link first (owned array of
 * owned strings; free each and the array). */
int store_incident_numbers(struct store_tx *tx, int64_t incident_id, char ***out, size_t *n_out,
                           struct ks_error *err);
/* The incident's own timeline: ev->complaint_id carries the incident id. */
int store_incident_event_append(struct store_tx *tx, struct event *ev, struct ks_error *err);
int store_incident_event_list(struct store_tx *tx, int64_t incident_id, struct event **out,
                              size_t *n_out, struct ks_error *err);

struct user {
    int64_t id;
    char *login;
    char *name;
    enum role role;
    char *department; /* department code or NULL */
    char *phone;
    char *email;
    char *password_hash; /* argon2id string, or NULL when the account cannot log in */
    bool disabled;
    int64_t created_at;
    int version;
};
void user_init(struct user *u);
void user_release(struct user *u);
int store_user_insert(struct store_tx *tx, struct user *u, struct ks_error *err);
int store_user_update(struct store_tx *tx, struct user *u, struct ks_error *err);
int store_user_get(struct store_tx *tx, const char *login, struct user *out, struct ks_error *err);
/* All users ordered by login, as a new array (user_array_free()). */
int store_user_list(struct store_tx *tx, struct user **out, size_t *n_out, struct ks_error *err);
void user_array_free(struct user **us, size_t n);

struct department {
    int64_t id;
    char *code;   /* "sz-futian" */
    char *name;   /* "福田支行" */
    char *parent; /* parent code or NULL for a root */
    char *head;   /* login of the department head, or NULL */
};
void department_init(struct department *d);
void department_release(struct department *d);
int store_department_insert(struct store_tx *tx, struct department *d, struct ks_error *err);
int store_department_update(struct store_tx *tx, struct department *d, struct ks_error *err);
int store_department_get(struct store_tx *tx, const char *code, struct department *out,
                         struct ks_error *err);
int store_department_list(struct store_tx *tx, struct department **out, size_t *n_out,
                          struct ks_error *err);
void department_array_free(struct department **ds, size_t n);

/* Sessions and API tokens: the token itself is never stored, only its hex SHA-256. */
struct session {
    int64_t id;
    char *token_hash; /* 64 hex digits */
    char *csrf;       /* the CSRF token a cookie session must echo, or NULL */
    char *login;
    char *kind; /* "session" (a login) or "api" (a token for another system) */
    int64_t created_at;
    int64_t expires_at;   /* KS_TIME_NONE: until revoked */
    int64_t last_seen_at; /* the last request that used it (to a minute), KS_TIME_NONE: none */
    bool revoked;
};
void session_init(struct session *s);
void session_release(struct session *s);
/* Sets s->id. KS_ECONFLICT when the hash exists. */
int store_session_insert(struct store_tx *tx, struct session *s, struct ks_error *err);
/* KS_ENOTFOUND when no session has this hash (revoked or expired ones are returned). */
int store_session_get(struct store_tx *tx, const char *token_hash, struct session *out,
                      struct ks_error *err);
/* Marks the session revoked; KS_ENOTFOUND when there is none. */
int store_session_revoke(struct store_tx *tx, const char *token_hash, struct ks_error *err);
/* Revokes every session and API token of login (n_out, may be NULL: how many were live).
 * store_user_update() of a disabled user does this itself, so re-enabling an account never
 * brings its old tokens back. */
int store_session_revoke_login(struct store_tx *tx, const char *login, int *n_out,
                               struct ks_error *err);
/* Records that the session was used at `at` (never moving last_seen_at back). Callers touch
 * a session at most about once a minute (src/http/auth.c), so the idle timeout costs no write
 * per request. */
int store_session_touch(struct store_tx *tx, const char *token_hash, int64_t at,
                        struct ks_error *err);
/* A number that changes whenever this process commits a change to users or sessions (an
 * update, a revoke), so a cache of validated sessions (src/http/auth.c) can drop what it holds
 * at once on this node. Other processes' changes are not seen here. */
uint64_t store_access_epoch(const struct store *s);

/* Failed logins, counted for throttling. */
int store_login_failure_add(struct store_tx *tx, const char *login, int64_t at,
                            struct ks_error *err);
/* How many failures of login happened at or after since. */
int store_login_failures(struct store_tx *tx, const char *login, int64_t since, int *n_out,
                         struct ks_error *err);
/* Forgets the failures of login (after a successful login). */
int store_login_failures_clear(struct store_tx *tx, const char *login, struct ks_error *err);

/* The first response to a request carrying an Idempotency-Key, per user and key. */
struct idem_record {
    char *login;
    char *key;
    char *body_hash; /* hex SHA-256 of the request body */
    int status;      /* HTTP status of the first response */
    char *response;  /* its body */
    int64_t created_at;
};
void idem_record_init(struct idem_record *r);
void idem_record_release(struct idem_record *r);
/* KS_ENOTFOUND when the key was not used by login. */
int store_idem_get(struct store_tx *tx, const char *login, const char *key, struct idem_record *out,
                   struct ks_error *err);
/* KS_ECONFLICT when login already used the key. */
int store_idem_put(struct store_tx *tx, const struct idem_record *r, struct ks_error *err);

/* Is department `code` the department `root` or below it? Unknown codes are not within. */
int store_department_within(struct store_tx *tx, const char *root, const char *code,
                            bool *within_out, struct ks_error *err);

#endif
