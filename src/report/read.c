/* report_read(): the period is read in 7-day slices: per slice one listing of its complaints
 * (only the columns the builder reads, with the closing time and reopen count the store keeps
 * on the row) and one query for its stage clocks, joined here by complaint id; a slice's rows
 * bound the memory. The comparison periods are counted (count(*) over the listing's query),
 * never listed. */
#include "report/read.h"

#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

#define SLICE_SECS (7 * 86400)

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

struct reading {
    const struct report_source *src;
    struct store_tx *tx;
    const char *department;
    uint64_t fields;
    struct report_builder *b;
    int64_t n;     /* complaints read */
    int64_t total; /* complaints in the period, for progress */
};

/* Adds the complaints received in [from, to) to the builder. */
static int read_slice(struct reading *rd, int64_t from, int64_t to, struct ks_error *err)
{
    struct complaint_filter f;
    struct store_iter *it = NULL;
    struct complaint c;
    struct complaint_closing closing;
    struct stage_deadline *dls = NULL;
    size_t n_dls = 0;
    int rc;

    if ((rc = store_deadline_list_received(rd->tx, from, to, &dls, &n_dls, err)) < 0)
        return rc;
    complaint_filter_init(&f);
    f.received_from = from;
    f.received_to = to;
    f.department = rd->department;
    f.fields = rd->fields;
    f.closing = true;
    f.sort = CS_RECEIVED_ASC;
    if ((rc = store_complaint_list(rd->tx, &f, &it, err)) < 0)
        goto out;
    complaint_init(&c);
    while ((rc = store_complaint_next_closing(it, &c, &closing, err)) == 1) {
        struct report_item item = {
            .c = &c,
            .reopened = closing.reopened,
            .closed_at = closing.closed_at,
        };
        size_t d0, d1;

        LOWER_BOUND(dls, n_dls, c.id, d0);
        for (d1 = d0; d1 < n_dls && dls[d1].complaint_id == c.id; d1++)
            ;
        item.dls = dls + d0;
        item.n_dls = d1 - d0;
        if ((rc = report_add(rd->b, &item, err)) < 0)
            break;
        if (++rd->n % REPORT_PROGRESS_EVERY == 0 && rd->src->progress)
            rd->src->progress(rd->src->progress_arg, rd->n, rd->total);
    }
    complaint_release(&c);
    store_iter_free(&it);
out:
    stage_deadline_array_free(&dls, n_dls);
    return rc < 0 ? rc : 0;
}

static int count(const struct reading *rd, const struct report_period *p, int64_t *n_out,
                 struct ks_error *err)
{
    struct complaint_filter f;

    complaint_filter_init(&f);
    report_period_bounds(p, rd->src->zone->utc_offset_min, &f.received_from, &f.received_to);
    f.department = rd->department;
    return store_complaint_count(rd->tx, &f, n_out, err);
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
    struct reading rd = {.src = src, .department = department};
    struct department *depts = NULL;
    size_t n_depts = 0;
    struct report_period prev, yoy;
    int64_t n_prev = 0, n_yoy = 0, from, to;
    int rc;

    if ((rc = complaint_field_bits(read_fields, &rd.fields, err)) < 0)
        return rc;
    if ((rc = store_tx_begin(src->store, STORE_TX_READ, &rd.tx, err)) < 0)
        return rc;
    if (department)
        rc = department_exists(rd.tx, department, err);
    if (rc == 0)
        rc = store_department_list(rd.tx, &depts, &n_depts, err);
    if (rc == 0 && src->progress)
        rc = count(&rd, p, &rd.total, err);
    report_period_bounds(p, src->zone->utc_offset_min, &from, &to);
    if (rc == 0) {
        struct report_conf conf = {
            .from = from,
            .to = to,
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
        for (int64_t t = from; t < to && rc == 0; t += SLICE_SECS)
            rc = read_slice(&rd, t, to - t > SLICE_SECS ? t + SLICE_SECS : to, err);
        if (src->progress)
            src->progress(src->progress_arg, -1, rd.total);
    }
    report_period_previous(p, &prev);
    report_period_last_year(p, &yoy);
    if (rc == 0)
        rc = count(&rd, &prev, &n_prev, err);
    if (rc == 0)
        rc = count(&rd, &yoy, &n_yoy, err);
    if (rc == 0)
        rc = report_finish(rd.b, out, err);
    if (rc == 0)
        report_compare(out, n_prev, n_yoy);
    report_builder_free(&rd.b);
    department_array_free(&depts, n_depts);
    store_tx_rollback(&rd.tx);
    return rc;
}
