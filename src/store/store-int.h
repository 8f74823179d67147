/* Inside the store: the backend interface (struct store_ops) that store.c dispatches through,
 * and the base structs every backend embeds as its first member so store.c can reach the ops
 * from any handle. Only store.c and the backends include this file. Ownership follows
 * store.h: the backend allocates handles in open/tx_begin/list and frees them in
 * close/tx_commit/tx_rollback/iter_free. */
#ifndef KS_STORE_STORE_INT_H
#define KS_STORE_STORE_INT_H

#include "store/store.h"

struct store_ops;

/* First member of a backend's store. */
struct store {
    const struct store_ops *ops;
    uint64_t access_epoch; /* store_access_epoch(); atomic (__atomic builtins) */
};

/* First member of a backend's transaction. */
struct store_tx {
    struct store *store;
    enum store_tx_mode mode;
    bool nested;         /* a savepoint inside the thread's batch (store_tx_batch_enter) */
    bool access_changed; /* users or sessions changed: commit bumps the store's access_epoch */
};

/* First member of a backend's backup. */
struct store_backup {
    struct store *store;
};

/* First member of a backend's iterator; it borrows tx, which must outlive it. */
struct store_iter {
    struct store_tx *tx;
};

/* One backend. Every member is set; the wrappers in store.c check arguments that do not
 * depend on the backend (NULL handles, a write in a read transaction) before calling. */
struct store_ops {
    const char *name; /* "sqlite" */

    /* target is the URL with the backend's scheme removed ("kesu.db" for "sqlite:kesu.db"). */
    int (*open)(const struct store_conf *conf, const char *target, struct store **out,
                struct ks_error *err);
    void (*close)(struct store *s);
    int (*migrate)(struct store *s, int *from_out, int *to_out, struct ks_error *err);
    int (*schema_version)(struct store *s, int *out, struct ks_error *err);
    int (*schema_known)(const struct store *s);

    /* Backup and restore: NULL on backends that leave it to their own tools. */
    int (*backup_begin)(struct store *s, const char *path, bool restore, struct store_backup **out,
                        struct ks_error *err);
    int (*backup_step)(struct store_backup *b, int *done_out, int *total_out, struct ks_error *err);
    int (*backup_end)(struct store_backup *b, struct ks_error *err); /* frees b */
    int (*integrity_check)(struct store *s, struct ks_error *err);
    int (*in_use_elsewhere)(struct store *s, bool *in_use_out, struct ks_error *err);

    int (*tx_begin)(struct store *s, enum store_tx_mode mode, struct store_tx **out,
                    struct ks_error *err);
    int (*tx_commit)(struct store_tx *tx, struct ks_error *err); /* frees tx */
    void (*tx_rollback)(struct store_tx *tx);                    /* frees tx */
    /* A savepoint inside batch, a write transaction of this backend; commit releases it and
     * rollback rolls back to it, both freeing the nested handle but not batch. */
    int (*tx_nest)(struct store_tx *batch, enum store_tx_mode mode, struct store_tx **out,
                   struct ks_error *err);

    int (*setting_get)(struct store_tx *tx, const char *key, char **value_out,
                       struct ks_error *err);
    int (*setting_set)(struct store_tx *tx, const char *key, const char *value,
                       struct ks_error *err);
    int (*number_next)(struct store_tx *tx, struct ks_date day, int *seq_out, struct ks_error *err);

    int (*complaint_insert)(struct store_tx *tx, struct complaint *c, struct ks_error *err);
    int (*complaint_update)(struct store_tx *tx, struct complaint *c, struct ks_error *err);
    int (*complaint_get)(struct store_tx *tx, const char *number, struct complaint *out,
                         struct ks_error *err);
    int (*complaint_list)(struct store_tx *tx, const struct complaint_filter *f,
                          struct store_iter **out, struct ks_error *err);
    /* closing_out: NULL, or the listing was made with f->closing. */
    int (*complaint_next)(struct store_iter *it, struct complaint *row,
                          struct complaint_closing *closing_out, struct ks_error *err);
    int (*complaint_count)(struct store_tx *tx, const struct complaint_filter *f, int64_t *n_out,
                           struct ks_error *err);
    int (*complaint_count_repeats)(struct store_tx *tx, const char *customer, const char *defect,
                                   int64_t from, int64_t to, int *n_out, struct ks_error *err);
    void (*iter_free)(struct store_iter *it);

    int (*event_append)(struct store_tx *tx, struct event *ev, struct ks_error *err);
    int (*event_list)(struct store_tx *tx, int64_t complaint_id, struct event **evs_out,
                      size_t *n_out, struct ks_error *err);
    int (*event_chain)(struct store_tx *tx, int64_t complaint_id, struct event **evs_out,
                       char **links_out, size_t *n_out, struct ks_error *err);

    int (*deadline_list_received)(struct store_tx *tx, int64_t from, int64_t to,
                                  struct stage_deadline **out, size_t *n_out, struct ks_error *err);
    int (*deadline_list_ids)(struct store_tx *tx, int64_t id_lo, int64_t id_hi,
                             struct stage_deadline **out, size_t *n_out, struct ks_error *err);
    int (*deadline_put)(struct store_tx *tx, struct stage_deadline *d, struct ks_error *err);
    int (*deadline_list)(struct store_tx *tx, int64_t complaint_id, struct stage_deadline **out,
                         size_t *n_out, struct ks_error *err);

    int (*deadline_whole)(struct store_tx *tx, int64_t complaint_id, struct stage_deadline *out,
                          struct ks_error *err);
    int (*deadline_due)(struct store_tx *tx, int64_t now, int limit, struct stage_deadline **out,
                        size_t *n_out, struct ks_error *err);

    int (*outbox_insert)(struct store_tx *tx, struct outbox_msg *m, struct ks_error *err);
    int (*outbox_due)(struct store_tx *tx, int64_t now, int limit, struct outbox_msg **out,
                      size_t *n_out, struct ks_error *err);
    int (*outbox_update)(struct store_tx *tx, const struct outbox_msg *m, struct ks_error *err);
    int (*outbox_list)(struct store_tx *tx, int status, int limit, struct outbox_msg **out,
                       size_t *n_out, struct ks_error *err);
    int (*notification_insert)(struct store_tx *tx, struct notification *n, struct ks_error *err);
    int (*notification_list)(struct store_tx *tx, const char *login, bool unread_only, int limit,
                             struct notification **out, size_t *n_out, struct ks_error *err);
    int (*notification_read)(struct store_tx *tx, int64_t id, const char *login,
                             struct ks_error *err);
    int (*incident_insert)(struct store_tx *tx, struct incident *inc, struct ks_error *err);
    int (*incident_update)(struct store_tx *tx, const struct incident *inc, struct ks_error *err);
    int (*incident_get)(struct store_tx *tx, const char *code, struct incident *out,
                        struct ks_error *err);
    int (*incident_list)(struct store_tx *tx, bool open_only, struct incident **out, size_t *n_out,
                         struct ks_error *err);
    int (*incident_count)(struct store_tx *tx, const char *prefix, int *n_out,
                          struct ks_error *err);
    int (*incident_link)(struct store_tx *tx, const struct incident *inc, int64_t complaint_id,
                         int64_t at, struct ks_error *err);
    int (*incident_numbers)(struct store_tx *tx, int64_t incident_id, char ***out, size_t *n_out,
                            struct ks_error *err);
    int (*incident_event_append)(struct store_tx *tx, struct event *ev, struct ks_error *err);
    int (*incident_event_list)(struct store_tx *tx, int64_t incident_id, struct event **out,
                               size_t *n_out, struct ks_error *err);

    int (*user_insert)(struct store_tx *tx, struct user *u, struct ks_error *err);
    int (*user_update)(struct store_tx *tx, struct user *u, struct ks_error *err);
    int (*user_get)(struct store_tx *tx, const char *login, struct user *out, struct ks_error *err);
    int (*user_list)(struct store_tx *tx, struct user **out, size_t *n_out, struct ks_error *err);

    int (*department_insert)(struct store_tx *tx, struct department *d, struct ks_error *err);
    int (*department_update)(struct store_tx *tx, struct department *d, struct ks_error *err);
    int (*department_get)(struct store_tx *tx, const char *code, struct department *out,
                          struct ks_error *err);
    int (*department_list)(struct store_tx *tx, struct department **out, size_t *n_out,
                           struct ks_error *err);
    int (*department_within)(struct store_tx *tx, const char *root, const char *code,
                             bool *within_out, struct ks_error *err);

    int (*session_insert)(struct store_tx *tx, struct session *s, struct ks_error *err);
    int (*session_get)(struct store_tx *tx, const char *token_hash, struct session *out,
                       struct ks_error *err);
    int (*session_revoke)(struct store_tx *tx, const char *token_hash, struct ks_error *err);
    int (*session_revoke_login)(struct store_tx *tx, const char *login, int *n_out,
                                struct ks_error *err);
    int (*session_touch)(struct store_tx *tx, const char *token_hash, int64_t at,
                         struct ks_error *err);
    int (*login_failure_add)(struct store_tx *tx, const char *login, int64_t at,
                             struct ks_error *err);
    int (*login_failures)(struct store_tx *tx, const char *login, int64_t since, int *n_out,
                          struct ks_error *err);
    int (*login_failures_clear)(struct store_tx *tx, const char *login, struct ks_error *err);
    int (*idem_get)(struct store_tx *tx, const char *login, const char *key,
                    struct idem_record *out, struct ks_error *err);
    int (*idem_put)(struct store_tx *tx, const struct idem_record *r, struct ks_error *err);
};

/* True when a listing orders by row id instead of received_at (see enum complaint_sort):
 * f->text holds a word and the sort is one of the received orders. */
bool store_list_by_id(const struct complaint_filter *f);
/* The columns a listing with this complaint_filter.fields reads, as a mask with bit i for
 * complaint_fields[i] (id and number always; fields 0: all). Computed once per listing, so a
 * row is read with a bit test per column. */
uint64_t store_field_mask(uint64_t fields);
/* The select list "c.id, c.number, ..." of the fields in mask, in complaint_fields[] order,
 * then with closing "c.closed_at, c.reopened", as a new string; *n_out is the number of
 * field columns (the index of closed_at). */
char *store_field_cols(uint64_t mask, bool closing, int *n_out);
/* What a transition event changes in its complaint's struct complaint_closing: false when
 * nothing (not a transition, or neither into, out of closed nor a reopen); else the new
 * closed_at (ev->at into closed, KS_TIME_NONE otherwise) and 1 to add to reopened for a
 * reopen, else 0. */
bool store_event_closing(const struct event *ev, int64_t *closed_at_out, int *reopen_out);

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
