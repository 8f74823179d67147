/* The storage front: picks a backend from the URL (a name-indexed table), dispatches every
 * store.h call through its struct store_ops, and holds what does not depend on a backend:
 * argument checks, filter defaults and the init/release/free of the store's own records
 * (struct stage_deadline, struct user, struct department). A write in a read transaction is
 * a programmer error (KS_BUG): SQLite would silently upgrade it, PostgreSQL would refuse. */
#include "store/store-int.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

#include "lib/banned.h"

/* Backends by URL scheme; a URL without a known scheme is a SQLite file path. */
static const struct backend {
    const char *prefix;
    const struct store_ops *ops;
} backends[] = {
    {"sqlite:", &store_sqlite_ops},
    {"postgres://", &store_pg_ops},
    {"postgresql://", &store_pg_ops},
};

int store_open(const struct store_conf *conf, struct store **out, struct ks_error *err)
{
    const char *url = conf ? conf->url : NULL;
    const char *scheme_end;

    *out = NULL;
    if (!url || !*url)
        return ks_fail(err, KS_ECONFIG, "database", "database: no path or url given");
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        const struct backend *b = &backends[i];
        size_t n = strlen(b->prefix);
        if (strncmp(url, b->prefix, n) != 0)
            continue;
        return b->ops->open(conf, url + n, out, err);
    }
    scheme_end = strstr(url, "://");
    if (scheme_end)
        return ks_fail(err, KS_ECONFIG, "database", "database: unknown url scheme '%.*s'",
                       (int)(scheme_end - url), url);
    return store_sqlite_ops.open(conf, url, out, err);
}

void store_close(struct store **s)
{
    if (!*s)
        return;
    (*s)->ops->close(*s);
    *s = NULL;
}

const char *store_backend_name(const struct store *s)
{
    return s->ops->name;
}

int store_migrate(struct store *s, int *from_out, int *to_out, struct ks_error *err)
{
    return s->ops->migrate(s, from_out, to_out, err);
}

int store_schema_version(struct store *s, int *out, struct ks_error *err)
{
    *out = 0;
    return s->ops->schema_version(s, out, err);
}

int store_schema_known(const struct store *s)
{
    return s->ops->schema_known(s);
}

/* PostgreSQL has its own tools for this, better than anything kesu would copy row by row. */
static int no_backup(const struct store *s, struct ks_error *err)
{
    return ks_fail(err, KS_EINVAL, "database",
                   "the %s backend has no kesu backup; use pg_dump or pg_basebackup "
                   "(docs/reliability.md)",
                   s->ops->name);
}

int store_backup_begin(struct store *s, const char *path, struct store_backup **out,
                       struct ks_error *err)
{
    *out = NULL;
    if (!s->ops->backup_begin)
        return no_backup(s, err);
    return s->ops->backup_begin(s, path, false, out, err);
}

int store_restore_begin(struct store *s, const char *path, struct store_backup **out,
                        struct ks_error *err)
{
    *out = NULL;
    if (!s->ops->backup_begin)
        return no_backup(s, err);
    return s->ops->backup_begin(s, path, true, out, err);
}

int store_backup_step(struct store_backup *b, int *done_out, int *total_out, struct ks_error *err)
{
    int done = 0, total = 0;
    int rc = b->store->ops->backup_step(b, &done, &total, err);

    if (done_out)
        *done_out = done;
    if (total_out)
        *total_out = total;
    return rc;
}

int store_backup_end(struct store_backup **b, struct ks_error *err)
{
    struct store_backup *p = *b;

    if (!p)
        return 0;
    *b = NULL;
    return p->store->ops->backup_end(p, err);
}

int store_integrity_check(struct store *s, struct ks_error *err)
{
    if (!s->ops->integrity_check)
        return no_backup(s, err);
    return s->ops->integrity_check(s, err);
}

int store_in_use_elsewhere(struct store *s, bool *in_use_out, struct ks_error *err)
{
    *in_use_out = false;
    if (!s->ops->in_use_elsewhere)
        return no_backup(s, err);
    return s->ops->in_use_elsewhere(s, in_use_out, err);
}

/* The calling thread's batch (store_tx_batch_enter): transactions begun on its store while it
 * is set become savepoints inside it. Thread-local because a batch belongs to one thread, as
 * every transaction does. */
static _Thread_local struct store_tx *thread_batch;

void store_tx_batch_enter(struct store_tx *tx)
{
    if (!tx || tx->mode != STORE_TX_WRITE || tx->nested || thread_batch)
        KS_BUG("a batch is one outer write transaction per thread");
    thread_batch = tx;
}

void store_tx_batch_leave(void)
{
    thread_batch = NULL;
}

int store_tx_begin(struct store *s, enum store_tx_mode mode, struct store_tx **out,
                   struct ks_error *err)
{
    *out = NULL;
    if (thread_batch && thread_batch->store == s) {
        if (!s->ops->tx_nest)
            return ks_fail(err, KS_EINTERNAL, NULL, "the %s backend cannot batch transactions",
                           s->ops->name);
        return s->ops->tx_nest(thread_batch, mode, out, err);
    }
    return s->ops->tx_begin(s, mode, out, err);
}

int store_tx_commit(struct store_tx **tx, struct ks_error *err)
{
    struct store_tx *t = *tx;
    struct store *s;
    bool changed;
    int rc;

    if (!t)
        KS_BUG("commit without a transaction");
    *tx = NULL;
    s = t->store;
    changed = t->access_changed;
    rc = s->ops->tx_commit(t, err);
    /* Bumped after the commit (also a failed one: a needless flush is harmless), so a session
     * validated while the change was in flight is not trusted afterwards. */
    if (changed)
        __atomic_add_fetch(&s->access_epoch, 1, __ATOMIC_SEQ_CST);
    return rc;
}

uint64_t store_access_epoch(const struct store *s)
{
    return __atomic_load_n(&s->access_epoch, __ATOMIC_SEQ_CST);
}

void store_tx_rollback(struct store_tx **tx)
{
    struct store_tx *t = *tx;

    if (!t)
        return;
    *tx = NULL;
    t->store->ops->tx_rollback(t);
}

static const struct store_ops *ops_of(const struct store_tx *tx)
{
    return tx->store->ops;
}

static void need_write(const struct store_tx *tx, const char *what)
{
    if (tx->mode != STORE_TX_WRITE)
        KS_BUG("%s in a read transaction", what);
}

int store_setting_get(struct store_tx *tx, const char *key, char **value_out, struct ks_error *err)
{
    *value_out = NULL;
    return ops_of(tx)->setting_get(tx, key, value_out, err);
}

int store_setting_set(struct store_tx *tx, const char *key, const char *value, struct ks_error *err)
{
    need_write(tx, "store_setting_set");
    if (!key || !*key)
        return ks_fail(err, KS_EINVAL, "key", "setting: the key is empty");
    if (!value)
        return ks_fail(err, KS_EINVAL, key, "setting '%s': no value", key);
    return ops_of(tx)->setting_set(tx, key, value, err);
}

int store_number_next(struct store_tx *tx, struct ks_date day, int *seq_out, struct ks_error *err)
{
    need_write(tx, "store_number_next");
    *seq_out = 0;
    if (!civil_is_valid(day))
        return ks_fail(err, KS_EINVAL, "day", "number sequence: %04d-%02d-%02d is not a date",
                       day.y, day.m, day.d);
    return ops_of(tx)->number_next(tx, day, seq_out, err);
}

int store_complaint_insert(struct store_tx *tx, struct complaint *c, struct ks_error *err)
{
    need_write(tx, "store_complaint_insert");
    if (!c->number || !*c->number)
        return ks_fail(err, KS_EINVAL, "number", "number: a complaint needs a number to be saved");
    if (c->received_at == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "received_at",
                       "received_at: complaint %s has no time of receipt", c->number);
    return ops_of(tx)->complaint_insert(tx, c, err);
}

int store_complaint_update(struct store_tx *tx, struct complaint *c, struct ks_error *err)
{
    need_write(tx, "store_complaint_update");
    if (c->id <= 0)
        KS_BUG("store_complaint_update of a complaint that was never stored");
    if (c->received_at == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "received_at",
                       "received_at: complaint %s has no time of receipt",
                       c->number ? c->number : "");
    return ops_of(tx)->complaint_update(tx, c, err);
}

int store_complaint_get(struct store_tx *tx, const char *number, struct complaint *out,
                        struct ks_error *err)
{
    char *key;
    int rc;

    if (!number || !*number) {
        complaint_release(out);
        return ks_fail(err, KS_EINVAL, "number", "number: empty complaint number");
    }
    /* A copy, so a record can be reloaded by its own number (out->number). */
    key = xstrdup(number);
    complaint_release(out);
    rc = ops_of(tx)->complaint_get(tx, key, out, err);
    free(key);
    return rc;
}

void complaint_filter_init(struct complaint_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->status = -1;
    f->severity = -1;
    f->channel = -1;
    f->received_from = KS_TIME_NONE;
    f->received_to = KS_TIME_NONE;
    f->due_before = KS_TIME_NONE;
    f->now = KS_TIME_NONE;
    f->sort = CS_RECEIVED_DESC;
}

static int check_filter(const struct complaint_filter *f, struct ks_error *err)
{
    if (f->status >= WF_STATE__COUNT || f->status < -1)
        return ks_fail(err, KS_EINVAL, "status", "status: %d is not a state", f->status);
    if (f->severity >= SEV__COUNT || f->severity < -1)
        return ks_fail(err, KS_EINVAL, "severity", "severity: %d is not a severity", f->severity);
    if (f->channel >= CH__COUNT || f->channel < -1)
        return ks_fail(err, KS_EINVAL, "channel", "channel: %d is not a channel", f->channel);
    if (f->overdue && f->now == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "now", "overdue: the current time is needed");
    if (f->limit < 0)
        return ks_fail(err, KS_EINVAL, "limit", "limit: '%d' is negative", f->limit);
    if (f->sort != CS_RECEIVED_DESC && f->sort != CS_RECEIVED_ASC && f->sort != CS_DUE_ASC)
        return ks_fail(err, KS_EINVAL, "sort", "sort: %d is not a sort order", (int)f->sort);
    return 0;
}

int store_complaint_list(struct store_tx *tx, const struct complaint_filter *f,
                         struct store_iter **out, struct ks_error *err)
{
    int rc;

    *out = NULL;
    if ((rc = check_filter(f, err)) < 0)
        return rc;
    return ops_of(tx)->complaint_list(tx, f, out, err);
}

int store_complaint_count(struct store_tx *tx, const struct complaint_filter *f, int64_t *n_out,
                          struct ks_error *err)
{
    struct complaint_filter g = *f;
    int rc;

    *n_out = 0;
    if ((rc = check_filter(f, err)) < 0)
        return rc;
    g.after = NULL;
    return ops_of(tx)->complaint_count(tx, &g, n_out, err);
}

uint64_t store_field_mask(uint64_t fields)
{
    uint64_t mask = 0;

    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (fields == 0 || (fields & (UINT64_C(1) << i)) || f->type == CF_ID ||
            strcmp(f->name, "number") == 0)
            mask |= UINT64_C(1) << i;
    }
    return mask;
}

char *store_field_cols(uint64_t mask, bool closing, int *n_out)
{
    struct buf cols;
    int n = 0;

    buf_init(&cols, 4096);
    for (size_t i = 0; i < complaint_field_count; i++)
        if (mask & (UINT64_C(1) << i)) {
            buf_addf(&cols, "%sc.%s", cols.len ? ", " : "", complaint_fields[i].column);
            n++;
        }
    if (closing)
        buf_adds(&cols, ", c.closed_at, c.reopened");
    *n_out = n;
    return buf_detach(&cols);
}

bool store_list_by_id(const struct complaint_filter *f)
{
    if (!f->text || f->sort == CS_DUE_ASC)
        return false;
    /* Any byte but ASCII white space and the ideographic space U+3000 starts a word. */
    for (const unsigned char *p = (const unsigned char *)f->text; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            continue;
        if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            p += 2;
            continue;
        }
        return true;
    }
    return false;
}

int store_complaint_count_repeats(struct store_tx *tx, const char *customer, const char *defect,
                                  int64_t from, int64_t to, int *n_out, struct ks_error *err)
{
    *n_out = 0;
    if (!customer || !defect)
        return ks_fail(err, KS_EINVAL, customer ? "defect" : "customer",
                       "count repeats: %s is missing", customer ? "defect" : "customer");
    return ops_of(tx)->complaint_count_repeats(tx, customer, defect, from, to, n_out, err);
}

int store_deadline_list_received(struct store_tx *tx, int64_t from, int64_t to,
                                 struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    return ops_of(tx)->deadline_list_received(tx, from, to, out, n_out, err);
}

int store_deadline_list_ids(struct store_tx *tx, int64_t id_lo, int64_t id_hi,
                            struct stage_deadline **out, size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    return ops_of(tx)->deadline_list_ids(tx, id_lo, id_hi, out, n_out, err);
}

int store_complaint_next(struct store_iter *it, struct complaint *row, struct ks_error *err)
{
    return ops_of(it->tx)->complaint_next(it, row, NULL, err);
}

int store_complaint_next_closing(struct store_iter *it, struct complaint *row,
                                 struct complaint_closing *closing_out, struct ks_error *err)
{
    closing_out->closed_at = KS_TIME_NONE;
    closing_out->reopened = 0;
    return ops_of(it->tx)->complaint_next(it, row, closing_out, err);
}

bool store_event_closing(const struct event *ev, int64_t *closed_at_out, int *reopen_out)
{
    bool reopen = ev->to_state == WF_STATE_INVESTIGATING &&
                  (ev->from_state == WF_STATE_REPLIED || ev->from_state == WF_STATE_FOLLOW_UP ||
                   ev->from_state == WF_STATE_CLOSED);

    *closed_at_out = ev->to_state == WF_STATE_CLOSED ? ev->at : KS_TIME_NONE;
    *reopen_out = reopen;
    if (!ev->kind || strcmp(ev->kind, EV_TRANSITION) != 0)
        return false;
    return ev->to_state == WF_STATE_CLOSED || ev->from_state == WF_STATE_CLOSED || reopen;
}

void store_iter_free(struct store_iter **it)
{
    if (!*it)
        return;
    ops_of((*it)->tx)->iter_free(*it);
    *it = NULL;
}

int store_event_append(struct store_tx *tx, struct event *ev, struct ks_error *err)
{
    need_write(tx, "store_event_append");
    if (ev->complaint_id <= 0)
        KS_BUG("event without a complaint");
    if (ev->at == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "at", "event: no time given");
    if (!ev->actor || !*ev->actor)
        return ks_fail(err, KS_EINVAL, "actor", "event: no actor given");
    if (!ev->kind || !*ev->kind)
        return ks_fail(err, KS_EINVAL, "kind", "event: no kind given");
    return ops_of(tx)->event_append(tx, ev, err);
}

int store_event_list(struct store_tx *tx, int64_t complaint_id, struct event **evs_out,
                     size_t *n_out, struct ks_error *err)
{
    *evs_out = NULL;
    *n_out = 0;
    return ops_of(tx)->event_list(tx, complaint_id, evs_out, n_out, err);
}

int store_event_chain(struct store_tx *tx, int64_t complaint_id, struct event **evs_out,
                      char **links_out, size_t *n_out, struct ks_error *err)
{
    *evs_out = NULL;
    *links_out = NULL;
    *n_out = 0;
    return ops_of(tx)->event_chain(tx, complaint_id, evs_out, links_out, n_out, err);
}

void stage_deadline_init(struct stage_deadline *d)
{
    memset(d, 0, sizeof(*d));
    d->stage = WF_STATE_NEW;
    d->clock.started_at = KS_TIME_NONE;
    d->clock.due_at = KS_TIME_NONE;
    d->clock.paused_at = KS_TIME_NONE;
    d->clock.met_at = KS_TIME_NONE;
    d->next_action_at = KS_TIME_NONE;
}

void stage_deadline_release(struct stage_deadline *d)
{
    free(d->rule);
    free(d->number);
    stage_deadline_init(d);
}

void stage_deadline_array_free(struct stage_deadline **ds, size_t n)
{
    if (!*ds)
        return;
    for (size_t i = 0; i < n; i++)
        stage_deadline_release(&(*ds)[i]);
    free(*ds);
    *ds = NULL;
}

int store_deadline_put(struct store_tx *tx, struct stage_deadline *d, struct ks_error *err)
{
    need_write(tx, "store_deadline_put");
    if (d->complaint_id <= 0)
        KS_BUG("stage deadline without a complaint");
    if (d->clock.started_at == KS_TIME_NONE || d->clock.due_at == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "deadlines", "stage %s: the clock was never started",
                       wf_state_name(d->stage));
    return ops_of(tx)->deadline_put(tx, d, err);
}

int store_deadline_list(struct store_tx *tx, int64_t complaint_id, struct stage_deadline **out,
                        size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    return ops_of(tx)->deadline_list(tx, complaint_id, out, n_out, err);
}

int store_deadline_whole(struct store_tx *tx, int64_t complaint_id, struct stage_deadline *out,
                         struct ks_error *err)
{
    stage_deadline_release(out);
    return ops_of(tx)->deadline_whole(tx, complaint_id, out, err);
}

/* Batches are bounded so one sweep or delivery round holds its locks briefly. */
static int check_limit(int limit, struct ks_error *err)
{
    if (limit < 1 || limit > 10000)
        return ks_fail(err, KS_EINVAL, "limit", "limit: '%d' is not from 1 to 10000", limit);
    return 0;
}

int store_deadline_due(struct store_tx *tx, int64_t now, int limit, struct stage_deadline **out,
                       size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    need_write(tx, "store_deadline_due");
    if (check_limit(limit, err) < 0)
        return KS_EINVAL;
    return ops_of(tx)->deadline_due(tx, now, limit, out, n_out, err);
}

/* ---- outbox and in-app notifications ----------------------------------------------------- */

static const char *const outbox_status_names[] = {"pending", "sent", "failed"};

const char *outbox_status_name(enum outbox_status s)
{
    if ((unsigned)s >= sizeof(outbox_status_names) / sizeof(outbox_status_names[0]))
        KS_BUG("outbox status %d", (int)s);
    return outbox_status_names[s];
}

int outbox_status_parse(const char *s, enum outbox_status *out, struct ks_error *err)
{
    for (size_t i = 0; i < sizeof(outbox_status_names) / sizeof(outbox_status_names[0]); i++)
        if (s && strcmp(s, outbox_status_names[i]) == 0) {
            *out = (enum outbox_status)i;
            return 0;
        }
    return ks_fail(err, KS_EINVAL, "status", "status: '%s' is not pending, sent or failed",
                   s ? s : "");
}

void outbox_msg_init(struct outbox_msg *m)
{
    memset(m, 0, sizeof(*m));
    m->created_at = KS_TIME_NONE;
    m->next_attempt_at = KS_TIME_NONE;
    m->sent_at = KS_TIME_NONE;
}

void outbox_msg_release(struct outbox_msg *m)
{
    free(m->channel);
    free(m->recipient);
    free(m->template);
    free(m->subject);
    free(m->body);
    free(m->payload);
    free(m->last_error);
    outbox_msg_init(m);
}

void outbox_msg_array_free(struct outbox_msg **ms, size_t n)
{
    if (!*ms)
        return;
    for (size_t i = 0; i < n; i++)
        outbox_msg_release(&(*ms)[i]);
    free(*ms);
    *ms = NULL;
}

int store_outbox_insert(struct store_tx *tx, struct outbox_msg *m, struct ks_error *err)
{
    need_write(tx, "store_outbox_insert");
    if (!m->channel || !*m->channel)
        return ks_fail(err, KS_EINVAL, "channel", "outbox: no channel given");
    if (!m->recipient || !*m->recipient)
        return ks_fail(err, KS_EINVAL, "recipient", "outbox: no recipient given");
    if (!m->body)
        return ks_fail(err, KS_EINVAL, "body", "outbox: no body given");
    if (m->created_at == KS_TIME_NONE || m->next_attempt_at == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "created_at", "outbox: no time given");
    return ops_of(tx)->outbox_insert(tx, m, err);
}

int store_outbox_due(struct store_tx *tx, int64_t now, int limit, struct outbox_msg **out,
                     size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    need_write(tx, "store_outbox_due");
    if (check_limit(limit, err) < 0)
        return KS_EINVAL;
    return ops_of(tx)->outbox_due(tx, now, limit, out, n_out, err);
}

int store_outbox_update(struct store_tx *tx, const struct outbox_msg *m, struct ks_error *err)
{
    need_write(tx, "store_outbox_update");
    return ops_of(tx)->outbox_update(tx, m, err);
}

int store_outbox_list(struct store_tx *tx, int status, int limit, struct outbox_msg **out,
                      size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (check_limit(limit, err) < 0)
        return KS_EINVAL;
    return ops_of(tx)->outbox_list(tx, status, limit, out, n_out, err);
}

void notification_init(struct notification *n)
{
    memset(n, 0, sizeof(*n));
    n->created_at = KS_TIME_NONE;
}

void notification_release(struct notification *n)
{
    free(n->login);
    free(n->kind);
    free(n->title);
    free(n->body);
    free(n->number);
    notification_init(n);
}

void notification_array_free(struct notification **ns, size_t n)
{
    if (!*ns)
        return;
    for (size_t i = 0; i < n; i++)
        notification_release(&(*ns)[i]);
    free(*ns);
    *ns = NULL;
}

int store_notification_insert(struct store_tx *tx, struct notification *n, struct ks_error *err)
{
    need_write(tx, "store_notification_insert");
    if (!n->login || !n->kind || !n->title || n->created_at == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "notification",
                       "notification: login, kind, title and time are required");
    return ops_of(tx)->notification_insert(tx, n, err);
}

int store_notification_list(struct store_tx *tx, const char *login, bool unread_only, int limit,
                            struct notification **out, size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (check_limit(limit, err) < 0)
        return KS_EINVAL;
    return ops_of(tx)->notification_list(tx, login, unread_only, limit, out, n_out, err);
}

int store_notification_read(struct store_tx *tx, int64_t id, const char *login,
                            struct ks_error *err)
{
    need_write(tx, "store_notification_read");
    return ops_of(tx)->notification_read(tx, id, login, err);
}

/* ---- incidents --------------------------------------------------------------------------- */

void incident_init(struct incident *i)
{
    memset(i, 0, sizeof(*i));
    i->created_at = KS_TIME_NONE;
    i->closed_at = KS_TIME_NONE;
}

void incident_release(struct incident *i)
{
    free(i->code);
    free(i->title);
    free(i->owner);
    free(i->key);
    incident_init(i);
}

void incident_array_free(struct incident **is, size_t n)
{
    if (!*is)
        return;
    for (size_t i = 0; i < n; i++)
        incident_release(&(*is)[i]);
    free(*is);
    *is = NULL;
}

int store_incident_insert(struct store_tx *tx, struct incident *inc, struct ks_error *err)
{
    need_write(tx, "store_incident_insert");
    if (!inc->code || !*inc->code)
        return ks_fail(err, KS_EINVAL, "code", "incident: no code given");
    if (!inc->title || !*inc->title)
        return ks_fail(err, KS_EINVAL, "title", "incident: a title is required");
    if (inc->level != 1 && inc->level != 2)
        return ks_fail(err, KS_EINVAL, "level", "level: '%d' is not 1 or 2", inc->level);
    if (inc->created_at == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "created_at", "incident: no time given");
    return ops_of(tx)->incident_insert(tx, inc, err);
}

int store_incident_update(struct store_tx *tx, const struct incident *inc, struct ks_error *err)
{
    need_write(tx, "store_incident_update");
    if (inc->level != 1 && inc->level != 2)
        return ks_fail(err, KS_EINVAL, "level", "level: '%d' is not 1 or 2", inc->level);
    return ops_of(tx)->incident_update(tx, inc, err);
}

int store_incident_get(struct store_tx *tx, const char *code, struct incident *out,
                       struct ks_error *err)
{
    incident_release(out);
    return ops_of(tx)->incident_get(tx, code, out, err);
}

int store_incident_list(struct store_tx *tx, bool open_only, struct incident **out, size_t *n_out,
                        struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    return ops_of(tx)->incident_list(tx, open_only, out, n_out, err);
}

int store_incident_count(struct store_tx *tx, const char *prefix, int *n_out, struct ks_error *err)
{
    *n_out = 0;
    return ops_of(tx)->incident_count(tx, prefix, n_out, err);
}

int store_incident_link(struct store_tx *tx, const struct incident *inc, int64_t complaint_id,
                        int64_t at, struct ks_error *err)
{
    need_write(tx, "store_incident_link");
    return ops_of(tx)->incident_link(tx, inc, complaint_id, at, err);
}

int store_incident_numbers(struct store_tx *tx, int64_t incident_id, char ***out, size_t *n_out,
                           struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    return ops_of(tx)->incident_numbers(tx, incident_id, out, n_out, err);
}

int store_incident_event_append(struct store_tx *tx, struct event *ev, struct ks_error *err)
{
    need_write(tx, "store_incident_event_append");
    if (ev->at == KS_TIME_NONE || !ev->actor || !ev->kind)
        return ks_fail(err, KS_EINVAL, "event", "incident event: time, actor and kind required");
    return ops_of(tx)->incident_event_append(tx, ev, err);
}

int store_incident_event_list(struct store_tx *tx, int64_t incident_id, struct event **out,
                              size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    return ops_of(tx)->incident_event_list(tx, incident_id, out, n_out, err);
}

void user_init(struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->role = ROLE_VIEWER;
    u->created_at = KS_TIME_NONE;
}

void user_release(struct user *u)
{
    free(u->login);
    free(u->name);
    free(u->department);
    free(u->phone);
    free(u->email);
    free(u->password_hash);
    user_init(u);
}

void user_array_free(struct user **us, size_t n)
{
    if (!*us)
        return;
    for (size_t i = 0; i < n; i++)
        user_release(&(*us)[i]);
    free(*us);
    *us = NULL;
}

static int check_user(const struct user *u, struct ks_error *err)
{
    if (!u->login || !*u->login)
        return ks_fail(err, KS_EINVAL, "login", "login: a user needs a login");
    if ((unsigned)u->role >= ROLE__COUNT)
        return ks_fail(err, KS_EINVAL, "role", "role: %d is not a role", (int)u->role);
    return 0;
}

int store_user_insert(struct store_tx *tx, struct user *u, struct ks_error *err)
{
    int rc;

    need_write(tx, "store_user_insert");
    if ((rc = check_user(u, err)) < 0)
        return rc;
    return ops_of(tx)->user_insert(tx, u, err);
}

int store_user_update(struct store_tx *tx, struct user *u, struct ks_error *err)
{
    int rc;

    need_write(tx, "store_user_update");
    if (u->id <= 0)
        KS_BUG("store_user_update of a user that was never stored");
    if ((rc = check_user(u, err)) < 0)
        return rc;
    tx->access_changed = true;
    if ((rc = ops_of(tx)->user_update(tx, u, err)) < 0)
        return rc;
    return u->disabled ? ops_of(tx)->session_revoke_login(tx, u->login, NULL, err) : 0;
}

int store_user_get(struct store_tx *tx, const char *login, struct user *out, struct ks_error *err)
{
    char *key;
    int rc;

    if (!login || !*login) {
        user_release(out);
        return ks_fail(err, KS_EINVAL, "login", "login: empty");
    }
    key = xstrdup(login); /* out->login may be the key */
    user_release(out);
    rc = ops_of(tx)->user_get(tx, key, out, err);
    free(key);
    return rc;
}

int store_user_list(struct store_tx *tx, struct user **out, size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    return ops_of(tx)->user_list(tx, out, n_out, err);
}

void department_init(struct department *d)
{
    memset(d, 0, sizeof(*d));
}

void department_release(struct department *d)
{
    free(d->code);
    free(d->name);
    free(d->parent);
    free(d->head);
    department_init(d);
}

void department_array_free(struct department **ds, size_t n)
{
    if (!*ds)
        return;
    for (size_t i = 0; i < n; i++)
        department_release(&(*ds)[i]);
    free(*ds);
    *ds = NULL;
}

static int check_department(const struct department *d, struct ks_error *err)
{
    if (!d->code || !*d->code)
        return ks_fail(err, KS_EINVAL, "code", "code: a department needs a code");
    if (!d->name || !*d->name)
        return ks_fail(err, KS_EINVAL, "name", "department '%s': the name is empty", d->code);
    if (d->parent && strcmp(d->parent, d->code) == 0)
        return ks_fail(err, KS_EINVAL, "parent", "department '%s': it cannot be its own parent",
                       d->code);
    return 0;
}

int store_department_insert(struct store_tx *tx, struct department *d, struct ks_error *err)
{
    int rc;

    need_write(tx, "store_department_insert");
    if ((rc = check_department(d, err)) < 0)
        return rc;
    return ops_of(tx)->department_insert(tx, d, err);
}

int store_department_update(struct store_tx *tx, struct department *d, struct ks_error *err)
{
    int rc;

    need_write(tx, "store_department_update");
    if (d->id <= 0)
        KS_BUG("store_department_update of a department that was never stored");
    if ((rc = check_department(d, err)) < 0)
        return rc;
    return ops_of(tx)->department_update(tx, d, err);
}

int store_department_get(struct store_tx *tx, const char *code, struct department *out,
                         struct ks_error *err)
{
    char *key;
    int rc;

    if (!code || !*code) {
        department_release(out);
        return ks_fail(err, KS_EINVAL, "code", "department: empty code");
    }
    key = xstrdup(code); /* out->code may be the key */
    department_release(out);
    rc = ops_of(tx)->department_get(tx, key, out, err);
    free(key);
    return rc;
}

int store_department_list(struct store_tx *tx, struct department **out, size_t *n_out,
                          struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    return ops_of(tx)->department_list(tx, out, n_out, err);
}

/* ---- sessions, login failures, idempotency keys ----------------------------------------- */

/* Backends that predate an entity say so instead of crashing. */
#define NEED_OP(tx, op, err)                                                                       \
    do {                                                                                           \
        if (!ops_of(tx)->op)                                                                       \
            return ks_fail(err, KS_EINTERNAL, NULL, "the %s backend does not support " #op,        \
                           ops_of(tx)->name);                                                      \
    } while (0)

void session_init(struct session *s)
{
    memset(s, 0, sizeof(*s));
    s->expires_at = KS_TIME_NONE;
    s->last_seen_at = KS_TIME_NONE;
}

void session_release(struct session *s)
{
    free(s->token_hash);
    free(s->csrf);
    free(s->login);
    free(s->kind);
    session_init(s);
}

int store_session_insert(struct store_tx *tx, struct session *s, struct ks_error *err)
{
    need_write(tx, __func__);
    if (!s->token_hash || strlen(s->token_hash) != 64 || !s->login || !*s->login || !s->kind)
        return ks_fail(err, KS_EINVAL, "token", "a session needs a token hash, a login and a kind");
    NEED_OP(tx, session_insert, err);
    return ops_of(tx)->session_insert(tx, s, err);
}

int store_session_get(struct store_tx *tx, const char *token_hash, struct session *out,
                      struct ks_error *err)
{
    session_release(out);
    NEED_OP(tx, session_get, err);
    return ops_of(tx)->session_get(tx, token_hash, out, err);
}

int store_session_revoke(struct store_tx *tx, const char *token_hash, struct ks_error *err)
{
    need_write(tx, __func__);
    NEED_OP(tx, session_revoke, err);
    tx->access_changed = true;
    return ops_of(tx)->session_revoke(tx, token_hash, err);
}

int store_session_revoke_login(struct store_tx *tx, const char *login, int *n_out,
                               struct ks_error *err)
{
    if (n_out)
        *n_out = 0;
    need_write(tx, __func__);
    if (!login || !*login)
        return ks_fail(err, KS_EINVAL, "login", "login: empty");
    tx->access_changed = true;
    return ops_of(tx)->session_revoke_login(tx, login, n_out, err);
}

int store_session_touch(struct store_tx *tx, const char *token_hash, int64_t at,
                        struct ks_error *err)
{
    need_write(tx, __func__);
    return ops_of(tx)->session_touch(tx, token_hash, at, err);
}

int store_login_failure_add(struct store_tx *tx, const char *login, int64_t at,
                            struct ks_error *err)
{
    need_write(tx, __func__);
    NEED_OP(tx, login_failure_add, err);
    return ops_of(tx)->login_failure_add(tx, login, at, err);
}

int store_login_failures(struct store_tx *tx, const char *login, int64_t since, int *n_out,
                         struct ks_error *err)
{
    *n_out = 0;
    NEED_OP(tx, login_failures, err);
    return ops_of(tx)->login_failures(tx, login, since, n_out, err);
}

int store_login_failures_clear(struct store_tx *tx, const char *login, struct ks_error *err)
{
    need_write(tx, __func__);
    NEED_OP(tx, login_failures_clear, err);
    return ops_of(tx)->login_failures_clear(tx, login, err);
}

void idem_record_init(struct idem_record *r)
{
    memset(r, 0, sizeof(*r));
}

void idem_record_release(struct idem_record *r)
{
    free(r->login);
    free(r->key);
    free(r->body_hash);
    free(r->response);
    idem_record_init(r);
}

int store_idem_get(struct store_tx *tx, const char *login, const char *key, struct idem_record *out,
                   struct ks_error *err)
{
    idem_record_release(out);
    NEED_OP(tx, idem_get, err);
    return ops_of(tx)->idem_get(tx, login, key, out, err);
}

int store_idem_put(struct store_tx *tx, const struct idem_record *r, struct ks_error *err)
{
    need_write(tx, __func__);
    if (!r->login || !r->key || !r->body_hash || !r->response)
        return ks_fail(err, KS_EINVAL, "key", "an idempotency record needs login, key, hash, body");
    NEED_OP(tx, idem_put, err);
    return ops_of(tx)->idem_put(tx, r, err);
}

int store_department_within(struct store_tx *tx, const char *root, const char *code,
                            bool *within_out, struct ks_error *err)
{
    *within_out = false;
    if (!root || !code)
        return 0;
    NEED_OP(tx, department_within, err);
    return ops_of(tx)->department_within(tx, root, code, within_out, err);
}
