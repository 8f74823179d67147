/* report_read(): the period is read in 7-day slices: per slice one listing of its complaints
 * (only the columns the builder reads, with the closing time and reopen count the store keeps
 * on the row) and one query for its stage clocks, joined by complaint id; a slice's rows bound
 * the memory. The clocks are read by the range of the slice's complaint ids when the ids are
 * dense (complaints are mostly registered in the order received), which is one index range
 * instead of a look-up per complaint; clocks of complaints outside the slice that the range
 * brings along are skipped by the join. The comparison periods are counted (count(*) over the
 * listing's query), never listed.
 *
 * Reading and building run on two threads, a pipeline: a reader thread runs every query of
 * the report in the one read transaction (one snapshot, so the slices, the total and the
 * comparison counts agree) and fills slices, while the calling thread adds the slices to the
 * builder in period order, so the report is the same as read by one thread. The transaction
 * passes to the reader when it starts and back when it is joined, never used by both at once
 * (a store transaction belongs to one thread at a time). At most QUEUE_SLICES slices are in
 * flight and their complaint records are reused, which bounds the memory. The builder, the
 * progress callback and the caller's error stay on the calling thread. */
#include "report/read.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "lib/banned.h"

#define SLICE_SECS   (7 * 86400)
#define QUEUE_SLICES 3 /* one being read, the others waiting or being added */
/* A slice's clocks are read by id range when the range holds at most this many ids per listed
 * complaint (plus a little for small slices), else by the slice's received times. */
#define DENSE_IDS_PER_ROW 2
#define DENSE_IDS_SLACK   64

/* The complaint fields report_add() reads (id and number are always read). */
static const char *const read_fields[] = {
    "received_at",
    "channel",
    "customer_name",
    "customer_code",
    "product",
    "title",
    "category",
    "defect",
    "severity",
    "status",
    "department",
    "responsibility.party",
    "responsibility.root_cause",
    "compensation.amount",
    "compensation.kind",
    "satisfaction.score",
    "satisfaction.comment",
    "satisfaction.waived_reason",
    "updated_at",
    NULL,
};

/* The first index in [0, n) whose complaint id is >= id, in arrays ordered by complaint id. */
#define LOWER_BOUND(arr, n, id, out)                                                               \
    do {                                                                                           \
        size_t lo_ = 0, hi_ = (n);                                                                 \
        while (lo_ < hi_) {                                                                        \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                                   \
            if ((arr)[mid_].complaint_id < (id))                                                   \
                lo_ = mid_ + 1;                                                                    \
            else                                                                                   \
                hi_ = mid_;                                                                        \
        }                                                                                          \
        (out) = lo_;                                                                               \
    } while (0)

/* The rows of one slice. cs[0 .. cap) are initialised records, reused slice after slice (the
 * store releases a record before filling it); cs[0 .. n) are this slice's. */
struct slice {
    struct complaint *cs;
    struct complaint_closing *closing;
    size_t n, cap;
    struct stage_deadline *dls; /* by complaint id */
    size_t n_dls;
};

struct reading {
    const struct report_source *src;
    const struct report_period *p;
    struct store_tx *tx; /* the reader thread's while it runs */
    const char *department;
    uint64_t fields;
    int64_t from, to;

    /* Shared by the two threads, under mu. Slice k lives in slots[k % QUEUE_SLICES]; the
     * reader fills slices [consumed + QUEUE_SLICES) ahead of the builder. */
    pthread_mutex_t mu;
    pthread_cond_t filled, freed;
    struct slice slots[QUEUE_SLICES];
    size_t produced, consumed;
    bool reader_done; /* no slice will follow; reader_rc and reader_err are final */
    bool stop;        /* the builder failed: the reader stops early */
    int reader_rc;
    struct ks_error reader_err;
    int64_t n_prev, n_yoy; /* the comparison counts, by the reader */

    /* The calling thread's. */
    struct report_builder *b;
    int64_t n;     /* complaints added */
    int64_t total; /* complaints in the period, for progress */
};

static int count(const struct reading *rd, const struct report_period *p, int64_t *n_out,
                 struct ks_error *err)
{
    struct complaint_filter f;

    complaint_filter_init(&f);
    report_period_bounds(p, rd->src->zone->utc_offset_min, &f.received_from, &f.received_to);
    f.department = rd->department;
    return store_complaint_count(rd->tx, &f, n_out, err);
}

/* Reads the complaints received in [from, to) and their stage clocks into sl. */
static int read_slice(struct reading *rd, struct slice *sl, int64_t from, int64_t to,
                      struct ks_error *err)
{
    struct complaint_filter f;
    struct store_iter *it = NULL;
    int64_t id_lo = INT64_MAX, id_hi = INT64_MIN;
    int rc;

    stage_deadline_array_free(&sl->dls, sl->n_dls);
    sl->n_dls = 0;
    sl->n = 0;
    complaint_filter_init(&f);
    f.received_from = from;
    f.received_to = to;
    f.department = rd->department;
    f.fields = rd->fields;
    f.closing = true;
    f.sort = CS_RECEIVED_ASC;
    if ((rc = store_complaint_list(rd->tx, &f, &it, err)) < 0)
        return rc;
    for (;;) {
        if (sl->n == sl->cap) {
            size_t old = sl->cap;
            xgrow((void **)&sl->cs, &sl->cap, sl->n + 1, sizeof(*sl->cs));
            sl->closing = xrealloc(sl->closing, sl->cap * sizeof(*sl->closing));
            for (size_t i = old; i < sl->cap; i++)
                complaint_init(&sl->cs[i]);
        }
        rc = store_complaint_next_closing(it, &sl->cs[sl->n], &sl->closing[sl->n], err);
        if (rc != 1)
            break;
        id_lo = sl->cs[sl->n].id < id_lo ? sl->cs[sl->n].id : id_lo;
        id_hi = sl->cs[sl->n].id > id_hi ? sl->cs[sl->n].id : id_hi;
        sl->n++;
    }
    store_iter_free(&it);
    if (rc < 0 || sl->n == 0)
        return rc;
    if ((uint64_t)(id_hi - id_lo) < (uint64_t)sl->n * DENSE_IDS_PER_ROW + DENSE_IDS_SLACK)
        return store_deadline_list_ids(rd->tx, id_lo, id_hi, &sl->dls, &sl->n_dls, err);
    return store_deadline_list_received(rd->tx, from, to, &sl->dls, &sl->n_dls, err);
}

/* The reader thread: fills the slices of the period in order, then counts the comparison
 * periods, all in rd->tx. */
static void *reader_main(void *arg)
{
    struct reading *rd = arg;
    struct ks_error err = {0};
    size_t k = 0;
    int rc = 0;

    for (int64_t t = rd->from; t < rd->to && rc == 0; t += SLICE_SECS, k++) {
        struct slice *sl;

        pthread_mutex_lock(&rd->mu);
        while (rd->produced - rd->consumed == QUEUE_SLICES && !rd->stop)
            pthread_cond_wait(&rd->freed, &rd->mu);
        sl = &rd->slots[k % QUEUE_SLICES];
        if (rd->stop)
            rc = 1;
        pthread_mutex_unlock(&rd->mu);
        if (rc)
            break;
        rc = read_slice(rd, sl, t, rd->to - t > SLICE_SECS ? t + SLICE_SECS : rd->to, &err);
        if (rc < 0)
            break;
        pthread_mutex_lock(&rd->mu);
        rd->produced++;
        pthread_cond_signal(&rd->filled);
        pthread_mutex_unlock(&rd->mu);
    }
    if (rc == 0) {
        struct report_period prev, yoy;
        report_period_previous(rd->p, &prev);
        report_period_last_year(rd->p, &yoy);
        if ((rc = count(rd, &prev, &rd->n_prev, &err)) == 0)
            rc = count(rd, &yoy, &rd->n_yoy, &err);
    }
    pthread_mutex_lock(&rd->mu);
    rd->reader_done = true;
    rd->reader_rc = rc < 0 ? rc : 0;
    rd->reader_err = err;
    pthread_cond_signal(&rd->filled);
    pthread_mutex_unlock(&rd->mu);
    return NULL;
}

/* Adds one slice's complaints to the builder. */
static int add_slice(struct reading *rd, const struct slice *sl, struct ks_error *err)
{
    const struct report_source *src = rd->src;

    for (size_t i = 0; i < sl->n; i++) {
        const struct complaint *c = &sl->cs[i];
        struct report_item item = {
            .c = c,
            .reopened = sl->closing[i].reopened,
            .closed_at = sl->closing[i].closed_at,
        };
        size_t d0, d1;
        int rc;

        LOWER_BOUND(sl->dls, sl->n_dls, c->id, d0);
        for (d1 = d0; d1 < sl->n_dls && sl->dls[d1].complaint_id == c->id; d1++)
            ;
        item.dls = sl->dls + d0;
        item.n_dls = d1 - d0;
        if ((rc = report_add(rd->b, &item, err)) < 0)
            return rc;
        if (++rd->n % REPORT_PROGRESS_EVERY == 0 && src->progress)
            src->progress(src->progress_arg, rd->n, rd->total);
    }
    return 0;
}

/* Runs the reader thread and adds its slices as they come; returns the first failure, the
 * builder's or the reader's. */
static int read_pipelined(struct reading *rd, struct ks_error *err)
{
    pthread_t reader;
    int rc = 0, prc;

    if ((prc = pthread_create(&reader, NULL, reader_main, rd)) != 0)
        return ks_fail(err, KS_EINTERNAL, NULL, "report: cannot start the reading thread: %s",
                       strerror(prc));
    for (;;) {
        struct slice *sl;

        pthread_mutex_lock(&rd->mu);
        while (rd->consumed == rd->produced && !rd->reader_done)
            pthread_cond_wait(&rd->filled, &rd->mu);
        sl = rd->consumed < rd->produced ? &rd->slots[rd->consumed % QUEUE_SLICES] : NULL;
        pthread_mutex_unlock(&rd->mu);
        if (!sl)
            break;
        rc = add_slice(rd, sl, err);
        pthread_mutex_lock(&rd->mu);
        rd->consumed++;
        rd->stop = rc < 0;
        pthread_cond_signal(&rd->freed);
        pthread_mutex_unlock(&rd->mu);
        if (rc < 0)
            break;
    }
    pthread_join(reader, NULL);
    if (rc == 0 && rd->reader_rc < 0) {
        rc = rd->reader_rc;
        if (err)
            *err = rd->reader_err;
    }
    return rc;
}

static int department_exists(struct store_tx *tx, const char *code, struct ks_error *err)
{
    struct department d;
    int rc;

    department_init(&d);
    rc = store_department_get(tx, code, &d, err);
    department_release(&d);
    if (rc == KS_ENOTFOUND)
        rc = ks_fail(err, KS_ENOTFOUND, "department", "department: no department '%s'", code);
    return rc;
}

int report_read(const struct report_source *src, const struct report_period *p,
                const char *department, struct report *out, struct ks_error *err)
{
    struct reading rd = {.src = src, .p = p, .department = department};
    struct department *depts = NULL;
    size_t n_depts = 0;
    int rc;

    if ((rc = complaint_field_bits(read_fields, &rd.fields, err)) < 0)
        return rc;
    if ((rc = store_tx_begin(src->store, STORE_TX_READ, &rd.tx, err)) < 0)
        return rc;
    pthread_mutex_init(&rd.mu, NULL);
    pthread_cond_init(&rd.filled, NULL);
    pthread_cond_init(&rd.freed, NULL);
    if (department)
        rc = department_exists(rd.tx, department, err);
    if (rc == 0)
        rc = store_department_list(rd.tx, &depts, &n_depts, err);
    if (rc == 0 && src->progress)
        rc = count(&rd, p, &rd.total, err);
    report_period_bounds(p, src->zone->utc_offset_min, &rd.from, &rd.to);
    if (rc == 0) {
        struct report_conf conf = {
            .from = rd.from,
            .to = rd.to,
            .label = p->label,
            .as_of = src->as_of,
            .department = department,
            .cal = src->cal,
            .zone = src->zone,
            .preset = src->preset,
            .depts = depts,
            .n_depts = n_depts,
            .top_n = src->top_n,
        };
        rd.b = report_builder_new(&conf);
        rc = read_pipelined(&rd, err);
        if (src->progress)
            src->progress(src->progress_arg, -1, rd.total);
    }
    if (rc == 0)
        rc = report_finish(rd.b, out, err);
    if (rc == 0)
        report_compare(out, rd.n_prev, rd.n_yoy);
    report_builder_free(&rd.b);
    for (int i = 0; i < QUEUE_SLICES; i++) {
        struct slice *sl = &rd.slots[i];
        for (size_t k = 0; k < sl->cap; k++)
            complaint_release(&sl->cs[k]);
        free(sl->cs);
        free(sl->closing);
        stage_deadline_array_free(&sl->dls, sl->n_dls);
    }
    pthread_cond_destroy(&rd.freed);
    pthread_cond_destroy(&rd.filled);
    pthread_mutex_destroy(&rd.mu);
    department_array_free(&depts, n_depts);
    store_tx_rollback(&rd.tx);
    return rc;
}
