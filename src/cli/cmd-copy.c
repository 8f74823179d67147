/* kesu copy: moves a site from one store to another (typically kesu.db to PostgreSQL) through
 * the store API only, so either backend can be source or target, then verifies.
 *
 * What is copied, and how exactly:
 * - settings: the keys kesu writes (store.h has no way to list keys, so the list is here);
 * - departments, parents before children; users with every field, password hash included;
 *   a user or department the target already has (the `admin` of `kesu init`) is overwritten;
 * - complaints in received order (ties in id order), in batches of --batch, each batch one
 *   transaction on each side. Every field is copied; ids are the target's own (events and
 *   deadlines follow their complaint); the version is reached by rewriting the unchanged row
 *   (store_complaint_update() bumps it by one), so optimistic locking keeps working for clients
 *   that read the old site;
 * - events and stage deadlines of each complaint in their order, with new ids;
 * - the day counters of complaint numbers, advanced so the next registration of a day gets the
 *   number the old site would have given.
 * Not copied: sessions and API tokens (secrets of the old site: everyone logs in again, API
 * clients get new tokens), failed-login counters and idempotency keys (short-lived).
 *
 * Verification reads both sides through the store API and hashes, per table, a canonical
 * serialisation of each row that leaves out row ids (SHA-256; complaints as their JSON from
 * codec/complaint-json.h, events and deadlines keyed by complaint number, counters as the next
 * number of each day, read in a rolled-back transaction). Counts and sums are printed; a
 * difference fails with the table's name. */
#include "cli/cmd-copy.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "codec/complaint-json.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "store/store.h"
#include "lib/banned.h"

enum { OPT_FROM = 1, OPT_TO, OPT_VERIFY_ONLY, OPT_BATCH };

static const char copy_usage[] =
    "usage: kesu copy --from URL --to URL [--verify-only] [--batch N]\n\n"
    "Copies a site from one database to another, e.g. from SQLite to PostgreSQL:\n"
    "  kesu migrate --db postgres://kesu@db.example/kesu\n"
    "  kesu copy --from sqlite:/var/lib/kesu/kesu.db --to postgres://kesu@db.example/kesu\n"
    "The target must be migrated and hold no complaints; a SQLite file not there yet is created. "
    "Settings, departments, users,\n"
    "complaints with their events and deadlines, and the day counters of complaint numbers are\n"
    "copied in batches of N complaints (default 500), progress on stderr; sessions and API\n"
    "tokens are not (everyone logs in again). Then both sides are read back and compared by\n"
    "row counts and a SHA-256 checksum per table, printed on stdout. --verify-only compares\n"
    "without copying. Stop the old site's servers first.\n"
    "Exit: 0 identical, 65 a table differs or the target is not empty, 64 usage, 69 a\n"
    "database is unreachable, 78 a database is not migrated.\n";

/* The settings kesu writes: app/app.h SETTING_* and the survey signing key of http/h-public.c
 * (without it the survey links already sent to customers would stop working). */
static const char *const setting_keys[] = {
    "preset", "preset_yaml", "timezone", "business_close", "org_days", "survey_secret",
};

enum table {
    T_SETTINGS,
    T_DEPARTMENTS,
    T_USERS,
    T_COMPLAINTS,
    T_EVENTS,
    T_DEADLINES,
    T_NUMBERS,
    T__COUNT,
};
static const char *const table_names[T__COUNT] = {
    "settings", "departments", "users", "complaints", "events", "stage_deadlines", "number_seq",
};

struct digest {
    long long rows[T__COUNT];
    crypto_hash_sha256_state h[T__COUNT];
    unsigned char sum[T__COUNT][crypto_hash_sha256_BYTES];
};

static void digest_init(struct digest *d)
{
    memset(d, 0, sizeof(*d));
    for (int t = 0; t < T__COUNT; t++)
        crypto_hash_sha256_init(&d->h[t]);
}

/* One row: the line in b, then a newline. */
static void digest_row(struct digest *d, enum table t, struct buf *b)
{
    crypto_hash_sha256_update(&d->h[t], (const unsigned char *)buf_str(b), b->len);
    crypto_hash_sha256_update(&d->h[t], (const unsigned char *)"\n", 1);
    d->rows[t]++;
    buf_reset(b);
}

/* A text value, length-prefixed so that no value can imitate a separator; "-" for NULL. */
static void add_text(struct buf *b, const char *s)
{
    if (s)
        buf_addf(b, "%zu:%s\t", strlen(s), s);
    else
        buf_adds(b, "-\t");
}

static void add_int(struct buf *b, int64_t v)
{
    buf_addf(b, "%" PRId64 "\t", v);
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const struct department *)a)->code, ((const struct department *)b)->code);
}

static int by_day(const void *a, const void *b)
{
    const struct ks_date *x = a, *y = b;
    return x->y != y->y ? x->y - y->y : x->m != y->m ? x->m - y->m : x->d - y->d;
}

/* The distinct days of complaint numbers seen so far. */
struct days {
    struct ks_date *v;
    size_t n, cap;
};

static void days_add(struct days *ds, const char *number)
{
    struct ks_date day;
    struct ks_error ignored = {0};

    if (complaint_number_parse(number, &day, NULL, &ignored) < 0)
        return;
    if (ds->n && by_day(&ds->v[ds->n - 1], &day) == 0)
        return;
    xgrow((void **)&ds->v, &ds->cap, ds->n + 1, sizeof(*ds->v));
    ds->v[ds->n++] = day;
}

static void days_sort_unique(struct days *ds)
{
    size_t k = 0;

    if (ds->n)
        qsort(ds->v, ds->n, sizeof(*ds->v), by_day);
    for (size_t i = 0; i < ds->n; i++)
        if (k == 0 || by_day(&ds->v[k - 1], &ds->v[i]) != 0)
            ds->v[k++] = ds->v[i];
    ds->n = k;
}

static void user_line(struct buf *b, const struct user *u)
{
    add_text(b, u->login);
    add_text(b, u->name);
    add_text(b, role_name(u->role));
    add_text(b, u->department);
    add_text(b, u->phone);
    add_text(b, u->email);
    add_text(b, u->password_hash);
    add_int(b, u->disabled);
    add_int(b, u->created_at);
    add_int(b, u->version);
}

static void event_line(struct buf *b, const char *number, const struct event *ev)
{
    add_text(b, number);
    add_int(b, ev->at);
    add_text(b, ev->actor);
    add_text(b, ev->kind);
    add_int(b, ev->from_state);
    add_int(b, ev->to_state);
    add_text(b, ev->note);
    add_text(b, ev->details);
}

static void deadline_line(struct buf *b, const char *number, const struct stage_deadline *d)
{
    add_text(b, number);
    add_int(b, d->stage);
    add_int(b, d->clock.started_at);
    add_int(b, d->clock.period.unit);
    add_int(b, d->clock.period.n);
    add_int(b, d->clock.due_at);
    add_int(b, d->clock.paused_at);
    add_int(b, d->clock.paused_secs);
    add_int(b, d->clock.extended);
    add_int(b, d->clock.met_at);
    add_text(b, d->rule);
    add_int(b, d->breached);
    add_int(b, d->warned);
    add_int(b, d->escalated);
}

/* The rows of the small tables, in a canonical order. */
static int digest_small(struct store_tx *tx, struct digest *d, struct buf *b, struct ks_error *err)
{
    struct department *ds = NULL;
    struct user *us = NULL, u;
    size_t nd = 0, nu = 0;
    char *v = NULL;
    int rc = 0;

    for (size_t i = 0; i < sizeof(setting_keys) / sizeof(setting_keys[0]); i++) {
        rc = store_setting_get(tx, setting_keys[i], &v, err);
        if (rc == KS_ENOTFOUND)
            continue;
        if (rc < 0)
            return rc;
        add_text(b, setting_keys[i]);
        add_text(b, v);
        digest_row(d, T_SETTINGS, b);
        free(v);
    }
    if ((rc = store_department_list(tx, &ds, &nd, err)) < 0)
        return rc;
    if (nd)
        qsort(ds, nd, sizeof(*ds), by_code);
    for (size_t i = 0; i < nd; i++) {
        add_text(b, ds[i].code);
        add_text(b, ds[i].name);
        add_text(b, ds[i].parent);
        add_text(b, ds[i].head);
        digest_row(d, T_DEPARTMENTS, b);
    }
    department_array_free(&ds, nd);
    if ((rc = store_user_list(tx, &us, &nu, err)) < 0)
        return rc;
    user_init(&u);
    /* Each user read whole: the list may leave out the password hash. */
    for (size_t i = 0; i < nu && rc == 0; i++) {
        if ((rc = store_user_get(tx, us[i].login, &u, err)) == 0) {
            user_line(b, &u);
            digest_row(d, T_USERS, b);
        }
    }
    user_release(&u);
    user_array_free(&us, nu);
    return rc;
}

/* Complaints (in received order), then each one's events and deadlines; the days of their
 * numbers go to days. */
static int digest_complaints(struct store_tx *tx, struct digest *d, struct buf *b,
                             struct days *days, struct ks_error *err)
{
    struct complaint_filter f;
    struct store_iter *it = NULL;
    struct complaint c;
    int64_t *ids = NULL;
    char **numbers = NULL;
    size_t n = 0, cap = 0, cap2 = 0;
    int rc;

    complaint_filter_init(&f);
    f.sort = CS_RECEIVED_ASC;
    complaint_init(&c);
    if ((rc = store_complaint_list(tx, &f, &it, err)) < 0)
        return rc;
    while ((rc = store_complaint_next(it, &c, err)) == 1) {
        json_t *j = complaint_to_json(&c, 0, 0);
        char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | CJ_DUMP_FLAGS);
        buf_adds(b, text);
        digest_row(d, T_COMPLAINTS, b);
        free(text);
        json_decref(j);
        xgrow((void **)&ids, &cap, n + 1, sizeof(*ids));
        xgrow((void **)&numbers, &cap2, n + 1, sizeof(*numbers));
        ids[n] = c.id;
        numbers[n++] = xstrdup(c.number);
        days_add(days, c.number);
    }
    store_iter_free(&it);
    complaint_release(&c);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct event *evs = NULL;
        struct stage_deadline *dls = NULL;
        size_t ne = 0, nl = 0;

        if ((rc = store_event_list(tx, ids[i], &evs, &ne, err)) < 0)
            break;
        for (size_t k = 0; k < ne; k++) {
            event_line(b, numbers[i], &evs[k]);
            digest_row(d, T_EVENTS, b);
        }
        event_array_free(&evs, ne);
        if ((rc = store_deadline_list(tx, ids[i], &dls, &nl, err)) < 0)
            break;
        for (size_t k = 0; k < nl; k++) {
            deadline_line(b, numbers[i], &dls[k]);
            digest_row(d, T_DEADLINES, b);
        }
        stage_deadline_array_free(&dls, nl);
    }
    for (size_t i = 0; i < n; i++)
        free(numbers[i]);
    free(numbers);
    free(ids);
    return rc;
}

/* The next number of each day, asked in a write transaction that is rolled back (a rollback
 * gives the number back). */
static int digest_numbers(struct store *s, const struct days *days, struct digest *d, struct buf *b,
                          struct ks_error *err)
{
    struct store_tx *tx = NULL;
    int rc, seq = 0;

    if ((rc = store_tx_begin(s, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    for (size_t i = 0; i < days->n && rc == 0; i++) {
        if ((rc = store_number_next(tx, days->v[i], &seq, err)) == 0) {
            buf_addf(b, "%04d-%02d-%02d\t%d", days->v[i].y, days->v[i].m, days->v[i].d, seq);
            digest_row(d, T_NUMBERS, b);
        }
    }
    store_tx_rollback(&tx);
    return rc;
}

/* Counts and checksums of every table of s; the days of the numbers are those of `days` when
 * given (the source's, so both sides are asked about the same days), else collected here. */
static int digest_store(struct store *s, struct digest *d, struct days *days, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct days seen = {0};
    struct buf b;
    int rc;

    digest_init(d);
    buf_init(&b, 64u << 20);
    if ((rc = store_tx_begin(s, STORE_TX_READ, &tx, err)) == 0) {
        if ((rc = digest_small(tx, d, &b, err)) == 0)
            rc = digest_complaints(tx, d, &b, &seen, err);
        if (rc == 0)
            rc = store_tx_commit(&tx, err);
        store_tx_rollback(&tx);
    }
    days_sort_unique(&seen);
    if (rc == 0)
        rc = digest_numbers(s, days->v ? days : &seen, d, &b, err);
    if (!days->v) {
        *days = seen;
        seen = (struct days){0};
    }
    free(seen.v);
    buf_release(&b);
    for (int t = 0; t < T__COUNT; t++)
        crypto_hash_sha256_final(&d->h[t], d->sum[t]);
    return rc;
}

/* Prints both sides per table; fails naming the first table that differs. */
static int compare(const struct digest *a, const struct digest *b, struct ks_error *err)
{
    int bad = -1;

    printf("%-16s %10s %10s  %-64s  %s\n", "table", "source", "target", "sha256", "");
    for (int t = 0; t < T__COUNT; t++) {
        bool same =
            a->rows[t] == b->rows[t] && memcmp(a->sum[t], b->sum[t], sizeof(a->sum[t])) == 0;
        char hex[2 * crypto_hash_sha256_BYTES + 1];

        sodium_bin2hex(hex, sizeof(hex), a->sum[t], sizeof(a->sum[t]));
        printf("%-16s %10lld %10lld  %s  %s\n", table_names[t], a->rows[t], b->rows[t], hex,
               same ? "ok" : "DIFFERS");
        if (!same && bad < 0)
            bad = t;
    }
    fflush(stdout);
    if (bad >= 0)
        return ks_fail(err, KS_EINVAL, table_names[bad],
                       "verification failed: table '%s' differs (source %lld rows, target %lld)",
                       table_names[bad], a->rows[bad], b->rows[bad]);
    return 0;
}

/* ---- copying ----------------------------------------------------------------------------- */

static int copy_settings(struct store_tx *from, struct store_tx *to, struct ks_error *err)
{
    int rc = 0;

    for (size_t i = 0; i < sizeof(setting_keys) / sizeof(setting_keys[0]) && rc == 0; i++) {
        char *v = NULL;
        rc = store_setting_get(from, setting_keys[i], &v, err);
        if (rc == KS_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc == 0)
            rc = store_setting_set(to, setting_keys[i], v, err);
        free(v);
    }
    return rc;
}

/* Parents before children: passes over the list until every department is written. */
static int copy_departments(struct store_tx *from, struct store_tx *to, long long *n_out,
                            struct ks_error *err)
{
    struct department *ds = NULL, have;
    bool *done;
    size_t n = 0, left;
    int rc;

    if ((rc = store_department_list(from, &ds, &n, err)) < 0)
        return rc;
    done = xcalloc(n ? n : 1, sizeof(*done));
    department_init(&have);
    for (left = n; left > 0 && rc == 0;) {
        size_t before = left;
        for (size_t i = 0; i < n && rc == 0; i++) {
            bool parent_done = !ds[i].parent;
            for (size_t k = 0; k < n && !parent_done; k++)
                parent_done = done[k] && strcmp(ds[k].code, ds[i].parent) == 0;
            if (done[i] || !parent_done)
                continue;
            rc = store_department_get(to, ds[i].code, &have, err);
            if (rc == 0) {
                ds[i].id = have.id;
                rc = store_department_update(to, &ds[i], err);
            } else if (rc == KS_ENOTFOUND) {
                ds[i].id = 0;
                rc = store_department_insert(to, &ds[i], err);
            }
            done[i] = true;
            left--;
        }
        if (rc == 0 && left == before)
            rc = ks_fail(err, KS_EINVAL, "parent",
                         "departments: %zu have a parent that is not in the source", left);
    }
    department_release(&have);
    department_array_free(&ds, n);
    free(done);
    *n_out = (long long)n;
    return rc;
}

/* The target's version is past the source's: the row cannot be made the same. */
static int version_past(const char *what, const char *key, int have, int want, struct ks_error *err)
{
    return ks_fail(err, KS_ECONFLICT, "version",
                   "%s '%s': the target's version %d is past the source's %d", what, key, have,
                   want);
}

/* Rewrites the user unchanged until it has version `want` (each update adds one). */
static int user_bump(struct store_tx *tx, struct user *u, int want, struct ks_error *err)
{
    int rc = 0;

    if (u->version > want)
        return version_past("user", u->login, u->version, want, err);
    while (rc == 0 && u->version < want)
        rc = store_user_update(tx, u, err);
    return rc;
}

static int complaint_bump(struct store_tx *tx, struct complaint *c, int want, struct ks_error *err)
{
    int rc = 0;

    if (c->version > want)
        return version_past("complaint", c->number, c->version, want, err);
    while (rc == 0 && c->version < want)
        rc = store_complaint_update(tx, c, err);
    return rc;
}

static int copy_users(struct store_tx *from, struct store_tx *to, long long *n_out,
                      struct ks_error *err)
{
    struct user *us = NULL, u, have;
    size_t n = 0;
    int rc;

    if ((rc = store_user_list(from, &us, &n, err)) < 0)
        return rc;
    user_init(&u);
    user_init(&have);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int want;
        if ((rc = store_user_get(from, us[i].login, &u, err)) < 0)
            break;
        want = u.version;
        rc = store_user_get(to, u.login, &have, err);
        if (rc == 0) {
            u.id = have.id;
            u.version = have.version;
            rc = store_user_update(to, &u, err);
        } else if (rc == KS_ENOTFOUND) {
            u.id = 0;
            rc = store_user_insert(to, &u, err);
        }
        if (rc == 0)
            rc = user_bump(to, &u, want, err);
    }
    user_release(&u);
    user_release(&have);
    user_array_free(&us, n);
    *n_out = (long long)n;
    return rc;
}

/* One complaint with its events and deadlines, read in `from` and written in `to`. */
static int copy_complaint(struct store_tx *from, struct store_tx *to, struct complaint *c,
                          long long *events, long long *deadlines, struct ks_error *err)
{
    struct event *evs = NULL;
    struct stage_deadline *dls = NULL;
    size_t ne = 0, nl = 0;
    int64_t old_id = c->id;
    int want = c->version, rc;

    if ((rc = store_event_list(from, old_id, &evs, &ne, err)) < 0 ||
        (rc = store_deadline_list(from, old_id, &dls, &nl, err)) < 0)
        goto out;
    c->id = 0;
    if ((rc = store_complaint_insert(to, c, err)) < 0 ||
        (rc = complaint_bump(to, c, want, err)) < 0)
        goto out;
    for (size_t i = 0; i < ne && rc == 0; i++) {
        evs[i].id = 0;
        evs[i].complaint_id = c->id;
        rc = store_event_append(to, &evs[i], err);
    }
    for (size_t i = 0; i < nl && rc == 0; i++) {
        dls[i].id = 0;
        dls[i].complaint_id = c->id;
        rc = store_deadline_put(to, &dls[i], err);
    }
    *events += (long long)ne;
    *deadlines += (long long)nl;
out:
    if (rc < 0)
        ks_error_prefix(err, "complaint %s: ", c->number);
    event_array_free(&evs, ne);
    stage_deadline_array_free(&dls, nl);
    return rc;
}

/* Complaints in batches: each batch is read in one transaction of the source and written in
 * one of the target. */
static int copy_complaints(struct store *from, struct store *to, int batch, struct days *days,
                           struct ks_error *err)
{
    struct complaint *cs = xcalloc((size_t)batch, sizeof(*cs));
    long long n = 0, events = 0, deadlines = 0;
    char *last = NULL;
    int got, rc = 0;

    for (int i = 0; i < batch; i++)
        complaint_init(&cs[i]);
    do {
        struct store_tx *rtx = NULL, *wtx = NULL;
        struct store_iter *it = NULL;
        struct complaint_filter f;

        complaint_filter_init(&f);
        f.sort = CS_RECEIVED_ASC;
        f.limit = batch;
        f.after = last;
        got = 0;
        if ((rc = store_tx_begin(from, STORE_TX_READ, &rtx, err)) < 0)
            break;
        if ((rc = store_complaint_list(rtx, &f, &it, err)) == 0) {
            while (got < batch && (rc = store_complaint_next(it, &cs[got], err)) == 1)
                got++;
            store_iter_free(&it);
            rc = rc < 0 ? rc : 0;
        }
        if (rc == 0 && got > 0 && (rc = store_tx_begin(to, STORE_TX_WRITE, &wtx, err)) == 0) {
            for (int i = 0; i < got && rc == 0; i++) {
                days_add(days, cs[i].number);
                rc = copy_complaint(rtx, wtx, &cs[i], &events, &deadlines, err);
            }
            if (rc == 0)
                rc = store_tx_commit(&wtx, err);
            store_tx_rollback(&wtx);
        }
        store_tx_rollback(&rtx);
        if (rc == 0 && got > 0) {
            free(last);
            last = xstrdup(cs[got - 1].number);
            n += got;
            fprintf(stderr, "copy: %lld complaints, %lld events, %lld deadlines\n", n, events,
                    deadlines);
        }
    } while (rc == 0 && got == batch);
    for (int i = 0; i < batch; i++)
        complaint_release(&cs[i]);
    free(cs);
    free(last);
    return rc;
}

/* Advances the target's counter of each day to the source's. */
static int copy_numbers(struct store *from, struct store *to, struct days *days,
                        struct ks_error *err)
{
    struct store_tx *rtx = NULL, *wtx = NULL;
    int rc, next = 0, seq = 0;

    days_sort_unique(days);
    if ((rc = store_tx_begin(to, STORE_TX_WRITE, &wtx, err)) < 0)
        return rc;
    for (size_t i = 0; i < days->n && rc == 0; i++) {
        if ((rc = store_tx_begin(from, STORE_TX_WRITE, &rtx, err)) < 0)
            break;
        rc = store_number_next(rtx, days->v[i], &next, err);
        store_tx_rollback(&rtx);
        for (seq = 0; rc == 0 && seq < next - 1;)
            rc = store_number_next(wtx, days->v[i], &seq, err);
    }
    if (rc == 0)
        rc = store_tx_commit(&wtx, err);
    store_tx_rollback(&wtx);
    if (rc == 0)
        fprintf(stderr, "copy: number counters of %zu days\n", days->n);
    return rc;
}

static int copy_all(struct store *from, struct store *to, int batch, struct days *days,
                    struct ks_error *err)
{
    struct store_tx *rtx = NULL, *wtx = NULL;
    struct store_iter *it = NULL;
    struct complaint_filter f;
    struct complaint c;
    long long nd = 0, nu = 0;
    int rc, version = 0;

    if ((rc = store_schema_version(to, &version, err)) < 0)
        return rc;
    if (version == 0)
        return ks_fail(err, KS_ECONFIG, "to",
                       "the target database is not migrated; run 'kesu migrate --db URL' on it");
    complaint_filter_init(&f);
    f.limit = 1;
    complaint_init(&c);
    if ((rc = store_tx_begin(to, STORE_TX_READ, &rtx, err)) < 0)
        return rc;
    if ((rc = store_complaint_list(rtx, &f, &it, err)) == 0)
        rc = store_complaint_next(it, &c, err);
    store_iter_free(&it);
    store_tx_rollback(&rtx);
    complaint_release(&c);
    if (rc == 1)
        return ks_fail(err, KS_EINVAL, "to",
                       "the target database already holds complaints; copy only into an empty "
                       "one");
    if (rc < 0)
        return rc;

    if ((rc = store_tx_begin(from, STORE_TX_READ, &rtx, err)) < 0)
        return rc;
    if ((rc = store_tx_begin(to, STORE_TX_WRITE, &wtx, err)) == 0) {
        if ((rc = copy_settings(rtx, wtx, err)) == 0 &&
            (rc = copy_departments(rtx, wtx, &nd, err)) == 0 &&
            (rc = copy_users(rtx, wtx, &nu, err)) == 0)
            rc = store_tx_commit(&wtx, err);
        store_tx_rollback(&wtx);
    }
    store_tx_rollback(&rtx);
    if (rc < 0)
        return rc;
    fprintf(stderr, "copy: settings, %lld departments, %lld users\n", nd, nu);
    if ((rc = copy_complaints(from, to, batch, days, err)) < 0)
        return rc;
    return copy_numbers(from, to, days, err);
}

static int open_side(const char *url, bool create, struct store **out, struct ks_error *err)
{
    struct store_conf conf = {.url = url, .pool_size = 2, .create = create};
    return store_open(&conf, out, err);
}

/* A target that is a SQLite file not there yet is created and migrated, so a site can be
 * copied back from PostgreSQL into a new kesu.db (a file made by `kesu init` has an admin of
 * its own that the copy could only overwrite with a higher version). Any other target must
 * exist and be migrated. */
static int open_target(const char *url, struct store **out, struct ks_error *err)
{
    const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
    bool is_pg = strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
    struct stat st;
    int rc;

    if (is_pg || stat(path, &st) == 0)
        return open_side(url, false, out, err);
    if ((rc = open_side(url, true, out, err)) == 0 &&
        (rc = store_migrate(*out, NULL, NULL, err)) < 0)
        store_close(out);
    return rc;
}

int cmd_copy(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        {"help", CLI_NOARG, OPT_HELP}, {"from", CLI_ARG, OPT_FROM},
        {"to", CLI_ARG, OPT_TO},       {"verify-only", CLI_NOARG, OPT_VERIFY_ONLY},
        {"batch", CLI_ARG, OPT_BATCH}, {0},
    };
    struct cli_parsed *ps = NULL;
    struct ks_error err = {0};
    struct store *from = NULL, *to = NULL;
    struct digest *a = NULL, *b = NULL;
    struct days days = {0}, src_days = {0};
    const char *from_url = NULL, *to_url = NULL;
    bool verify_only = false;
    long batch = 500;
    int n, rc;

    n = cli_parse("copy", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        char *end = NULL;
        switch (ps[i].id) {
        case OPT_HELP:
            free(ps);
            fputs(copy_usage, stdout);
            return 0;
        case OPT_FROM:
            from_url = ps[i].value;
            break;
        case OPT_TO:
            to_url = ps[i].value;
            break;
        case OPT_VERIFY_ONLY:
            verify_only = true;
            break;
        case OPT_BATCH:
            batch = strtol(ps[i].value, &end, 10);
            if (*end || batch < 1 || batch > 100000) {
                rc = cli_usage_error("copy", "--batch: '%s' is not a number from 1 to 100000",
                                     ps[i].value);
                free(ps);
                return rc;
            }
            break;
        default:
            rc = cli_usage_error("copy", "unexpected argument '%s'", ps[i].value);
            free(ps);
            return rc;
        }
    }
    free(ps);
    if (!from_url || !to_url)
        return cli_usage_error("copy", "both --from and --to are needed");
    if (strcmp(from_url, to_url) == 0)
        return cli_usage_error("copy", "--from and --to name the same database");

    a = xcalloc(1, sizeof(*a));
    b = xcalloc(1, sizeof(*b));
    if ((rc = open_side(from_url, false, &from, &err)) < 0)
        ks_error_prefix(&err, "source: ");
    else if ((rc = verify_only ? open_side(to_url, false, &to, &err)
                               : open_target(to_url, &to, &err)) < 0)
        ks_error_prefix(&err, "target: ");
    if (rc == 0 && !verify_only)
        rc = copy_all(from, to, (int)batch, &days, &err);
    if (rc == 0) {
        fprintf(stderr, "copy: verifying\n");
        if ((rc = digest_store(from, a, &src_days, &err)) < 0)
            ks_error_prefix(&err, "source: ");
        else if ((rc = digest_store(to, b, &src_days, &err)) < 0)
            ks_error_prefix(&err, "target: ");
        else
            rc = compare(a, b, &err);
    }
    store_close(&from);
    store_close(&to);
    free(days.v);
    free(src_days.v);
    free(a);
    free(b);
    return rc < 0 ? cli_fail(&err) : 0;
}
