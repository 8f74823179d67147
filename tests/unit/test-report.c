/* Reports: periods, working days and the builder on a data set with known answers, then every
 * renderer on the same report. The data set (six complaints from 2026-09-28 to 2026-10-31,
 * as of 2026-11-15) has a stage spanning National Day 2026 met late on the adjusted working
 * Saturday 10-10, a reopened complaint, a repeat problem, a rejected complaint, a department
 * subtree, a complaint without a department and one with an unknown department, ties in the
 * median and a hostile survey comment. */
#include "harness/harness.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/period.h"
#include "report/render.h"
#include "report/report.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define OFF 480

static struct calendar cal;
static const struct dl_zone zone = {.utc_offset_min = OFF, .business_close_min = -1};

static int64_t T(const char *s)
{
    int64_t t = 0;
    struct ks_error err;
    assert_int_equal(ks_time_parse(s, OFF, "t", &t, &err), 0);
    return t;
}

static struct ks_date D(const char *s) {
    struct ks_date d;
    assert_int_equal(civil_parse_date(s, "d", &d, NULL), 0);
    return d;
}

static int
setup(void **state)
{
    char *path = th_src_path("data/cn-calendar.csv");
    size_t len;
    char *text = th_read_file(path, &len);
    calendar_init(&cal);
    assert_int_equal(calendar_load_csv(&cal, text, len, "cn-calendar.csv", NULL), 0);
    free(text);
    free(path);
    return 0;
}

static int teardown(void **state)
{
    calendar_release(&cal);
    return 0;
}

/* ---- working days and periods ---- */

static void workdays_follow_the_calendar_table(void **state)
{
    struct th_table t;
    char *path = th_src_path("tests/unit/cases/report-workdays.tsv");
    struct wd_index w;

    th_table_load(&t, path, '\t');
    wd_index_init(&w, &cal, D("2026-01-01"), D("2026-12-31"));
    size_t cf = th_table_col(&t, "from"), ct = th_table_col(&t, "to");
    size_t cw = th_table_col(&t, "workdays"), cg = th_table_col(&t, "gap");
    for (size_t r = 1; r < t.n_rows; r++) {
        w.gap = false;
        int64_t got = wd_between(&w, D(t.cells[r][cf]), D(t.cells[r][ct]));
        if (got != atoll(t.cells[r][cw]) || w.gap != (strcmp(t.cells[r][cg], "yes") == 0))
            fail_msg("line %d: %s -> %s: got %lld (gap %d), want %s (gap %s)", t.line[r],
                     t.cells[r][cf], t.cells[r][ct], (long long)got, w.gap, t.cells[r][cw],
                     t.cells[r][cg]);
    }
    wd_index_release(&w);
    th_table_free(&t);
    free(path);
}

static void workdays_without_an_index_agree(void **state)
{
    struct wd_index small, none;
    wd_index_init(&small, &cal, D("2026-10-05"), D("2026-10-06"));
    wd_index_init(&none, NULL, D("2026-10-05"), D("2026-10-06"));
    assert_int_equal(wd_between(&small, D("2026-09-30"), D("2026-10-12")), 4);
    assert_false(small.gap);
    /* Without a calendar Monday-Friday count, and the report says so. */
    assert_int_equal(wd_between(&none, D("2026-09-30"), D("2026-10-12")), 8);
    assert_true(none.gap);
    wd_index_release(&small);
    wd_index_release(&none);
}

/* Instants become local days by arithmetic: the same day as through the civil date, on both
 * sides of local midnight, east and west of UTC, before 1970 too; so working days between
 * instants are those between their local dates. */
static void instants_count_by_their_local_dates(void **state)
{
    static const int offsets[] = {480, -300, 0, 345};
    struct wd_index w;

    wd_index_init(&w, &cal, D("2026-09-01"), D("2026-12-31"));
    for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
        int off = offsets[k];
        int64_t midnight = T("2026-10-01T00:00:00Z") - (int64_t)off * 60;
        for (int64_t d = -1; d <= 1; d++) {
            int64_t t = midnight + d, old = -86400LL * 365 * 60 + d;
            assert_int_equal(report_local_day(t, off), civil_to_days(ks_time_local_date(t, off)));
            assert_int_equal(report_local_day(old, off),
                             civil_to_days(ks_time_local_date(old, off)));
            assert_int_equal(
                wd_between_instants(&w, t, t + 9 * 86400, off),
                wd_between(&w, ks_time_local_date(t, off), ks_time_local_date(t + 9 * 86400, off)));
        }
    }
    wd_index_release(&w);
}

static void periods_have_bounds_labels_and_neighbours(void **state)
{
    struct report_period p, q;
    struct ks_error err;
    int64_t from, to;

    assert_int_equal(report_period_month("2026-11", &p, &err), 0);
    assert_string_equal(p.label, "2026年11月");
    report_period_bounds(&p, OFF, &from, &to);
    assert_true(from == T("2026-11-01T00:00:00+08:00") && to == T("2026-12-01T00:00:00+08:00"));
    report_period_previous(&p, &q);
    assert_string_equal(q.label, "2026年10月");
    report_period_last_year(&p, &q);
    assert_string_equal(q.label, "2025年11月");
    assert_int_equal(report_period_month("2026-01", &p, &err), 0);
    report_period_previous(&p, &q);
    assert_string_equal(q.label, "2025年12月");

    assert_int_equal(report_period_quarter("2026Q4", &p, &err), 0);
    assert_string_equal(p.label, "2026年第4季度");
    assert_true(civil_cmp(p.first, D("2026-10-01")) == 0 && civil_cmp(p.end, D("2027-01-01")) == 0);
    report_period_previous(&p, &q);
    assert_string_equal(q.label, "2026年第3季度");
    assert_int_equal(report_period_quarter("2026-q1", &p, &err), 0);
    report_period_previous(&p, &q);
    assert_string_equal(q.label, "2025年第4季度");

    assert_int_equal(report_period_year("2026", &p, &err), 0);
    assert_string_equal(p.label, "2026年");
    report_period_previous(&p, &q);
    assert_string_equal(q.label, "2025年");

    assert_int_equal(report_period_range("2028-02-20", "2028-02-29", &p, &err), 0);
    assert_string_equal(p.label, "2028-02-20 至 2028-02-29");
    report_period_previous(&p, &q);
    assert_string_equal(q.label, "2028-02-10 至 2028-02-19");
    report_period_last_year(&p, &q);
    assert_true(civil_cmp(q.first, D("2027-02-20")) == 0 && civil_cmp(q.end, D("2027-03-01")) == 0);

    assert_int_equal(report_period_month("2026-13", &p, &err), KS_EINVAL);
    assert_string_equal(err.field, "period");
    assert_non_null(strstr(err.message, "'2026-13'"));
    assert_int_equal(report_period_quarter("2026Q5", &p, &err), KS_EINVAL);
    assert_int_equal(report_period_year("26", &p, &err), KS_EINVAL);
    assert_int_equal(report_period_range("2026-11-30", "2026-11-01", &p, &err), KS_EINVAL);
    assert_string_equal(err.field, "to");
}

/* ---- the data set ---- */

struct fx_row {
    struct complaint c;
    struct stage_deadline dls[3];
    size_t n_dls;
    int reopened;
    int64_t closed_at;
};

static struct department depts[] = {
    {0, "prov", "广东省分行", NULL, NULL}, {0, "br1", "深圳分行", "prov", NULL},
    {0, "sub1", "福田支行", "br1", NULL},  {0, "sub2", "南山支行", "br1", NULL},
    {0, "br2", "广州分行", "prov", NULL},
};

static void fx_stage(struct fx_row *r, enum wf_state s, const char *start, const char *due,
                     const char *met)
{
    struct stage_deadline *d = &r->dls[r->n_dls++];
    stage_deadline_init(d);
    d->stage = s;
    d->clock.started_at = T(start);
    d->clock.due_at = T(due);
    d->clock.met_at = met ? T(met) : KS_TIME_NONE;
    d->clock.paused_at = KS_TIME_NONE;
}

static struct fx_row *fx_add(struct fx_row *rows, size_t *n, const char *number,
                             const char *received, const char *dept, const char *category,
                             enum severity sev, enum channel ch, const char *product,
                             const char *defect, const char *cust_code, const char *cust_name,
                             enum wf_state status, const char *closed)
{
    struct fx_row *r = &rows[(*n)++];
    memset(r, 0, sizeof(*r));
    complaint_init(&r->c);
    r->c.number = xstrdup(number);
    r->c.title = xstrdup("投诉标题");
    r->c.received_at = T(received);
    r->c.updated_at = r->c.received_at;
    xstrset(&r->c.department, dept);
    xstrset(&r->c.category, category);
    r->c.severity = sev;
    r->c.channel = ch;
    xstrset(&r->c.product, product);
    xstrset(&r->c.defect, defect);
    xstrset(&r->c.customer_code, cust_code);
    xstrset(&r->c.customer_name, cust_name);
    r->c.status = status;
    r->closed_at = closed ? T(closed) : KS_TIME_NONE;
    return r;
}

static size_t fx_build(struct fx_row *rows)
{
    size_t n = 0;
    struct fx_row *r;

    /* Received the day before National Day; acceptance due 10-09 00:00 after the holiday and
     * met on the adjusted working Saturday 10-10: late by one working day, three to handle. */
    r = fx_add(rows, &n, "KS20260930-0001", "2026-09-30T10:00:00+08:00", "sub1", "service",
               SEV_GENERAL, CH_PHONE, "pedal", "spindle_broken", "CUST-A", "王先生",
               WF_STATE_CLOSED, "2026-10-12T10:00:00+08:00");
    fx_stage(r, WF_STATE_ACCEPTED, "2026-09-30T10:00:00+08:00", "2026-10-09T00:00:00+08:00",
             "2026-10-10T10:00:00+08:00");
    fx_stage(r, WF_STATE_INVESTIGATING, "2026-10-10T10:00:00+08:00", "2026-10-15T00:00:00+08:00",
             "2026-10-11T10:00:00+08:00");
    r->c.satisfaction_score = 2;
    xstrset(&r->c.satisfaction_comment, "<script>alert('x')</script> & \"不满意\"");
    xstrset(&r->c.resp_party, "我司");
    xstrset(&r->c.resp_root_cause, "装配扭矩不足");
    r->c.comp_amount = 20000;
    r->c.comp_kind = COMP_DAMAGES;
    r->reopened = 1;

    /* Same customer, same defect: a repeat problem; investigation still running, past due. */
    r = fx_add(rows, &n, "KS20261008-0001", "2026-10-08T09:00:00+08:00", "sub1", "product",
               SEV_SERIOUS, CH_EMAIL, "pedal", "spindle_broken", "CUST-A", NULL,
               WF_STATE_INVESTIGATING, NULL);
    fx_stage(r, WF_STATE_ACCEPTED, "2026-10-08T09:00:00+08:00", "2026-10-09T00:00:00+08:00",
             "2026-10-08T15:00:00+08:00");
    fx_stage(r, WF_STATE_INVESTIGATING, "2026-10-08T15:00:00+08:00", "2026-10-14T00:00:00+08:00",
             NULL);
    xstrset(&r->c.resp_party, "我司");
    xstrset(&r->c.resp_root_cause, "装配扭矩不足");

    r = fx_add(rows, &n, "KS20261009-0001", "2026-10-09T11:00:00+08:00", "sub2", "service",
               SEV_GENERAL, CH_PHONE, "cup", "bearing_noise", NULL, "王先生", WF_STATE_CLOSED,
               "2026-10-20T11:00:00+08:00");
    fx_stage(r, WF_STATE_ACCEPTED, "2026-10-09T11:00:00+08:00", "2026-10-10T00:00:00+08:00",
             "2026-10-09T12:00:00+08:00");
    r->c.satisfaction_score = 5;
    xstrset(&r->c.resp_party, "客户");
    xstrset(&r->c.resp_root_cause, "使用不当");
    r->c.comp_amount = 5000;
    r->c.comp_kind = COMP_GOODWILL;

    r = fx_add(rows, &n, "KS20261020-0001", "2026-10-20T09:00:00+08:00", "br2", "service",
               SEV_GENERAL, CH_WECHAT, NULL, NULL, NULL, "李女士", WF_STATE_CLOSED,
               "2026-10-22T09:00:00+08:00");
    fx_stage(r, WF_STATE_ACCEPTED, "2026-10-20T09:00:00+08:00", "2026-10-21T00:00:00+08:00",
             "2026-10-20T10:00:00+08:00");
    r->c.satisfaction_score = 4;
    xstrset(&r->c.resp_party, "我司");
    xstrset(&r->c.resp_root_cause, "装配扭矩不足");

    fx_add(rows, &n, "KS20261021-0001", "2026-10-21T09:00:00+08:00", NULL, "other", SEV_GENERAL,
           CH_PHONE, NULL, NULL, NULL, NULL, WF_STATE_REJECTED, NULL);

    /* Received on a Sunday by a department the tree does not know. */
    r = fx_add(rows, &n, "KS20261025-0001", "2026-10-25T09:00:00+08:00", "unknown-dept", "product",
               SEV_BATCH, CH_PHONE, "pedal", "spindle_broken", "CUST-B", NULL, WF_STATE_CLOSED,
               "2026-10-26T09:00:00+08:00");
    fx_stage(r, WF_STATE_ACCEPTED, "2026-10-25T09:00:00+08:00", "2026-10-27T00:00:00+08:00",
             "2026-10-26T09:00:00+08:00");
    xstrset(&r->c.satisfaction_waived_reason, "客户拒绝回访");
    return n;
}

static void fx_free(struct fx_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        complaint_release(&rows[i].c);
        for (size_t k = 0; k < rows[i].n_dls; k++)
            stage_deadline_release(&rows[i].dls[k]);
    }
}

/* Builds the report of the data set; scope NULL or a department code. */
static void fx_report(struct report *rep, const char *scope, size_t top_n, bool empty)
{
    struct fx_row rows[8];
    size_t n = empty ? 0 : fx_build(rows);
    struct report_conf conf = {
        .from = T("2026-09-28T00:00:00+08:00"),
        .to = T("2026-11-01T00:00:00+08:00"),
        .as_of = T("2026-11-15T12:00:00+08:00"),
        .label = "2026-09-28 至 2026-10-31",
        .department = scope,
        .cal = &cal,
        .zone = &zone,
        .depts = depts,
        .n_depts = sizeof(depts) / sizeof(depts[0]),
        .top_n = top_n,
    };
    struct report_builder *b = report_builder_new(&conf);
    struct ks_error err;

    for (size_t i = 0; i < n; i++) {
        struct report_item it = {&rows[i].c, rows[i].dls, rows[i].n_dls, rows[i].reopened,
                                 rows[i].closed_at};
        if (scope && (!rows[i].c.department || strncmp(rows[i].c.department, "sub", 3) != 0))
            continue; /* the store's subtree filter, as the CLI would see it */
        assert_int_equal(report_add(b, &it, &err), 0);
    }
    report_init(rep);
    assert_int_equal(report_finish(b, rep, &err), 0);
    report_builder_free(&b);
    assert_null(b);
    fx_free(rows, n);
}

static const struct report_entry *entry(const struct report_dist *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i].key, key) == 0)
            return &d->v[i];
    fail_msg("no entry '%s'", key);
    return NULL;
}

static const struct report_timing *timing(const struct report *r, int stage)
{
    for (size_t i = 0; i < r->n_timing; i++)
        if (r->timing[i].stage == stage)
            return &r->timing[i];
    fail_msg("no timing for stage %d", stage);
    return NULL;
}

static void volume_counts_the_cohort(void **state)
{
    struct report r;
    fx_report(&r, NULL, 20, false);
    assert_int_equal(r.volume.received, 6);
    assert_int_equal(r.volume.closed, 4);
    assert_int_equal(r.volume.ended, 1);
    assert_int_equal(r.volume.open, 1);
    const struct report_dist *ch = &r.volume.by[RD_CHANNEL];
    assert_int_equal(ch->n, 3);
    assert_string_equal(ch->v[0].key, "phone");
    assert_string_equal(ch->v[0].label, "电话");
    assert_int_equal(ch->v[0].n, 4);
    assert_int_equal(entry(ch, "email")->n, 1);
    assert_int_equal(entry(ch, "wechat")->n, 1);
    assert_int_equal(ch->total, 6);
    assert_int_equal(entry(&r.volume.by[RD_CATEGORY], "service")->n, 3);
    assert_int_equal(entry(&r.volume.by[RD_CATEGORY], "product")->n, 2);
    assert_int_equal(entry(&r.volume.by[RD_SEVERITY], "general")->n, 4);
    assert_string_equal(entry(&r.volume.by[RD_SEVERITY], "batch")->label, "批量");
    assert_int_equal(entry(&r.volume.by[RD_DEFECT], "spindle_broken")->n, 3);
    assert_string_equal(entry(&r.volume.by[RD_DEFECT], "")->label, "未填写");
    assert_int_equal(entry(&r.volume.by[RD_DEFECT], "")->n, 2);
    /* Ties are ordered by key, so the order is stable: "" < ASCII < 李 < 王. */
    const struct report_dist *cu = &r.volume.by[RD_CUSTOMER];
    const char *order[] = {"CUST-A", "", "CUST-B", "李女士", "王先生"};
    assert_int_equal(cu->n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(cu->v[i].key, order[i]);
    assert_string_equal(entry(&r.volume.by[RD_DEPARTMENT], "sub1")->label, "福田支行");
    assert_false(r.volume.has_prev);
    report_compare(&r, 4, 0);
    assert_true(r.volume.has_prev && r.volume.prev_received == 4);
    assert_false(r.calendar_gap);
    /* The daily trend: 34 days from 09-28; received on 09-30 and on Sunday 10-25. */
    assert_int_equal(r.volume.n_days, 34);
    assert_int_equal(r.volume.daily[2], 1);
    assert_int_equal(r.volume.daily[27], 1);
    int64_t sum = 0;
    for (size_t i = 0; i < r.volume.n_days; i++)
        sum += r.volume.daily[i];
    assert_int_equal(sum, 6);
    report_release(&r);
}

static void breakdowns_fold_past_top_n(void **state)
{
    struct report r;
    fx_report(&r, NULL, 3, false);
    const struct report_dist *cu = &r.volume.by[RD_CUSTOMER];
    assert_int_equal(cu->n, 4);
    assert_string_equal(cu->v[3].key, "_other");
    assert_string_equal(cu->v[3].label, "其他");
    assert_int_equal(cu->v[3].n, 2);
    assert_int_equal(cu->total, 6);
    report_release(&r);
}

static void timeliness_counts_stages_across_national_day(void **state)
{
    struct report r;
    fx_report(&r, NULL, 20, false);
    assert_int_equal(r.n_timing, 3);
    assert_int_equal(r.timing[0].stage, WF_STATE_ACCEPTED);
    assert_int_equal(r.timing[1].stage, WF_STATE_INVESTIGATING);
    assert_int_equal(r.timing[2].stage, -1);

    const struct report_timing *acc = timing(&r, WF_STATE_ACCEPTED);
    assert_int_equal(acc->judged, 5);
    assert_int_equal(acc->within, 4);
    assert_int_equal(acc->running, 0);
    /* Durations 3, 0, 0, 0, 1 working days: median of the ties is 0, p90 the largest. */
    assert_true(acc->median_wd == 0.0);
    assert_true(acc->p90_wd == 3.0);

    const struct report_timing *inv = timing(&r, WF_STATE_INVESTIGATING);
    assert_int_equal(inv->judged, 2);
    assert_int_equal(inv->within, 1);
    assert_int_equal(inv->measured, 1);
    assert_true(inv->median_wd == 0.0);

    /* Whole complaint: 4, 8, 2 and 1 working days; the first had a late stage. */
    const struct report_timing *whole = timing(&r, -1);
    assert_int_equal(whole->judged, 4);
    assert_int_equal(whole->within, 3);
    assert_int_equal(whole->running, 1);
    assert_true(whole->median_wd == 3.0);
    assert_true(whole->p90_wd == 8.0);
    assert_true(report_share(whole->within, whole->judged) == 0.75);
    assert_true(report_share(2, 3) == 0.6667);

    assert_int_equal(r.n_overdue, 2);
    assert_string_equal(r.overdue[0].number, "KS20260930-0001");
    assert_int_equal(r.overdue[0].stage, WF_STATE_ACCEPTED);
    assert_int_equal(r.overdue[0].late_wd, 1);
    assert_string_equal(r.overdue[1].number, "KS20261008-0001");
    assert_true(r.overdue[1].met_at == KS_TIME_NONE);
    assert_int_equal(r.overdue[1].late_wd, 22);
    report_release(&r);
}

static void quality_has_satisfaction_repeats_pareto_and_money(void **state)
{
    struct report r;
    fx_report(&r, NULL, 20, false);
    const struct report_quality *q = &r.quality;
    assert_int_equal(q->answered, 3);
    assert_int_equal(q->score_sum, 11);
    assert_int_equal(q->satisfied, 2);
    assert_int_equal(q->waived, 1);
    assert_int_equal(q->reopened, 1);
    assert_int_equal(q->n_dissatisfied, 1);
    assert_string_equal(q->dissatisfied[0].number, "KS20260930-0001");
    assert_int_equal(q->dissatisfied[0].score, 2);

    assert_int_equal(q->n_repeats, 1);
    assert_string_equal(q->repeats[0].customer, "CUST-A");
    assert_string_equal(q->repeats[0].defect, "spindle_broken");
    assert_int_equal(q->repeats[0].n, 2);

    assert_int_equal(q->pareto_defects.n, 2);
    assert_int_equal(q->pareto_defects.total, 4);
    assert_string_equal(q->pareto_defects.v[0].key, "spindle_broken");
    assert_int_equal(q->pareto_defects.v[0].cum, 3);
    assert_int_equal(q->pareto_defects.v[1].cum, 4);
    assert_string_equal(q->pareto_causes.v[0].key, "装配扭矩不足");
    assert_int_equal(q->pareto_causes.v[0].n, 3);
    assert_int_equal(q->pareto_causes.v[1].cum, 4);

    assert_int_equal(entry(&q->responsibility, "我司")->n, 3);
    assert_int_equal(entry(&q->responsibility, "客户")->n, 1);
    assert_int_equal(entry(&q->responsibility, "")->n, 2);
    assert_int_equal(q->comp_fen[COMP_DAMAGES], 20000);
    assert_int_equal(q->comp_count[COMP_DAMAGES], 1);
    assert_int_equal(q->comp_fen[COMP_GOODWILL], 5000);
    report_release(&r);
}

/* Repeats are ordered by count, then customer, then defect (byte order), whatever order the
 * complaints came in; a customer without a code is counted by name; once is not a repeat. */
static void repeats_sort_by_count_customer_and_defect(void **state)
{
    static const struct {
        const char *code, *name, *defect;
    } rows[] = {
        {"C2", NULL, "d1"}, {NULL, "张三", "d1"}, {"C1", NULL, "d2"}, {"C3", NULL, "d1"},
        {"C1", NULL, "d1"}, {"C0", NULL, "d3"},   {"C2", NULL, "d1"}, {"C3", NULL, "d1"},
        {"C1", NULL, "d2"}, {NULL, "张三", "d1"}, {"C1", NULL, "d1"}, {"C3", NULL, "d1"},
        {"C1", NULL, ""},   {"C1", NULL, ""},
    };
    static const char *const want[][2] = {
        {"C3", "d1"}, {"C1", "d1"}, {"C1", "d2"}, {"C2", "d1"}, {"张三", "d1"},
    };
    struct report_conf conf = {
        .from = T("2026-10-01T00:00:00+08:00"),
        .to = T("2026-11-01T00:00:00+08:00"),
        .as_of = T("2026-11-15T12:00:00+08:00"),
        .cal = &cal,
        .zone = &zone,
    };
    struct report_builder *b = report_builder_new(&conf);
    struct report r;
    struct ks_error err;

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct complaint c;
        complaint_init(&c);
        c.number = th_fmt("KS20261010-%04zu", i + 1);
        c.received_at = T("2026-10-10T10:00:00+08:00");
        c.customer_code = rows[i].code ? strdup(rows[i].code) : NULL;
        c.customer_name = rows[i].name ? strdup(rows[i].name) : NULL;
        c.defect = strdup(rows[i].defect);
        struct report_item it = {.c = &c, .closed_at = KS_TIME_NONE};
        assert_int_equal(report_add(b, &it, &err), 0);
        complaint_release(&c);
    }
    report_init(&r);
    assert_int_equal(report_finish(b, &r, &err), 0);
    report_builder_free(&b);
    assert_int_equal(r.quality.n_repeats, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < r.quality.n_repeats; i++) {
        assert_string_equal(r.quality.repeats[i].customer, want[i][0]);
        assert_string_equal(r.quality.repeats[i].defect, want[i][1]);
        assert_int_equal(r.quality.repeats[i].n, i == 0 ? 3 : 2);
    }
    report_release(&r);
}

static void departments_roll_up_their_subtrees(void **state)
{
    struct report r;
    fx_report(&r, NULL, 20, false);
    const char *codes[] = {"prov", "br1", "sub1", "sub2", "br2", "", "unknown-dept"};
    const int parents[] = {-1, 0, 1, 1, 0, -1, -1};
    assert_int_equal(r.n_depts, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(r.depts[i].code, codes[i]);
        assert_int_equal(r.depts[i].parent, parents[i]);
    }
    assert_int_equal(r.depts[2].depth, 2);
    assert_int_equal(r.depts[2].own[RDF_RECEIVED], 2);
    assert_int_equal(r.depts[2].own[RDF_OVERDUE], 2);
    assert_int_equal(r.depts[1].own[RDF_RECEIVED], 0);
    assert_int_equal(r.depts[1].subtree[RDF_RECEIVED], 3);
    assert_int_equal(r.depts[1].subtree[RDF_CLOSED], 2);
    assert_int_equal(r.depts[1].subtree[RDF_OPEN], 1);
    assert_int_equal(r.depts[0].subtree[RDF_RECEIVED], 4);
    assert_int_equal(r.depts[0].subtree[RDF_CLOSED], 3);
    assert_int_equal(r.depts[0].subtree[RDF_OVERDUE], 2);
    assert_string_equal(r.depts[5].name, "未指定部门");
    assert_int_equal(r.depts[5].own[RDF_RECEIVED], 1);
    assert_int_equal(r.depts[5].own[RDF_OPEN], 0);
    report_release(&r);

    fx_report(&r, "br1", 20, false);
    assert_string_equal(r.department_name, "深圳分行");
    assert_int_equal(r.volume.received, 3);
    assert_int_equal(r.n_depts, 3);
    assert_string_equal(r.depts[0].code, "br1");
    assert_int_equal(r.depts[0].subtree[RDF_RECEIVED], 3);
    report_release(&r);
}

static void empty_period_has_zeros_not_garbage(void **state)
{
    struct report r;
    fx_report(&r, NULL, 20, true);
    assert_int_equal(r.volume.received, 0);
    assert_int_equal(r.volume.by[RD_CATEGORY].n, 0);
    assert_int_equal(r.n_timing, 1);
    assert_int_equal(r.timing[0].stage, -1);
    assert_int_equal(r.timing[0].judged, 0);
    assert_true(r.timing[0].median_wd == -1);
    assert_int_equal(r.n_overdue, 0);
    assert_int_equal(r.n_depts, 5);
    assert_int_equal(r.depts[0].subtree[RDF_RECEIVED], 0);
    assert_true(report_share(0, 0) == 0);
    report_release(&r);
}

/* ---- renderers ---- */

static char *render(int (*fn)(const struct report *, struct buf *, struct ks_error *),
                    const struct report *r)
{
    struct buf b;
    struct ks_error err;
    buf_init(&b, REPORT_OUT_MAX);
    assert_int_equal(fn(r, &b, &err), 0);
    return buf_detach(&b);
}

static int render_json(const struct report *r, struct buf *out, struct ks_error *err)
{
    return report_render_json(r, 0, out, err);
}

static void json_has_every_figure(void **state)
{
    struct report r;
    json_error_t je;
    fx_report(&r, NULL, 20, false);
    report_compare(&r, 4, 0);
    char *text = render(render_json, &r);
    json_t *j = json_loads(text, 0, &je);
    assert_non_null(j);
    json_t *v = json_object_get(j, "volume");
    assert_int_equal(json_integer_value(json_object_get(v, "received")), 6);
    assert_int_equal(json_integer_value(json_object_get(v, "closed")), 4);
    assert_int_equal(json_integer_value(json_object_get(v, "open")), 1);
    json_t *prev = json_object_get(v, "previous");
    assert_int_equal(json_integer_value(json_object_get(prev, "change")), 2);
    assert_true(json_real_value(json_object_get(prev, "change_share")) == 0.5);
    assert_true(json_is_null(json_object_get(json_object_get(v, "last_year"), "change_share")));
    json_t *day = json_array_get(json_object_get(v, "daily"), 2);
    assert_string_equal(json_string_value(json_object_get(day, "date")), "2026-09-30");
    assert_int_equal(json_integer_value(json_object_get(day, "received")), 1);
    json_t *ch = json_array_get(json_object_get(json_object_get(v, "by"), "channel"), 0);
    assert_string_equal(json_string_value(json_object_get(ch, "key")), "phone");
    assert_int_equal(json_integer_value(json_object_get(ch, "count")), 4);
    assert_true(json_real_value(json_object_get(ch, "share")) == 0.6667);

    json_t *t = json_object_get(j, "timeliness");
    json_t *acc = json_array_get(json_object_get(t, "stages"), 0);
    assert_string_equal(json_string_value(json_object_get(acc, "stage")), "accepted");
    assert_true(json_real_value(json_object_get(acc, "share")) == 0.8);
    json_t *whole = json_object_get(t, "whole");
    assert_true(json_real_value(json_object_get(whole, "median_workdays")) == 3.0);
    assert_true(json_real_value(json_object_get(whole, "p90_workdays")) == 8.0);
    assert_true(json_real_value(json_object_get(whole, "share")) == 0.75);
    json_t *late = json_array_get(json_object_get(t, "overdue"), 1);
    assert_int_equal(json_integer_value(json_object_get(late, "late_workdays")), 22);
    assert_true(json_is_null(json_object_get(late, "met_at")));
    assert_string_equal(json_string_value(json_object_get(late, "due_at")),
                        "2026-10-14T00:00:00+08:00");

    json_t *q = json_object_get(j, "quality");
    json_t *sat = json_object_get(q, "satisfaction");
    assert_true(json_real_value(json_object_get(sat, "average")) == 3.67);
    assert_true(json_real_value(json_object_get(sat, "share_satisfied")) == 0.6667);
    assert_true(json_real_value(json_object_get(q, "reopen_rate")) == 0.1667);
    json_t *pd = json_object_get(json_object_get(q, "pareto"), "defects");
    assert_true(json_real_value(json_object_get(json_array_get(pd, 0), "cumulative_share")) ==
                0.75);
    assert_true(json_real_value(json_object_get(q, "compensation_total")) == 250.0);
    assert_true(json_real_value(json_object_get(
                    json_array_get(json_object_get(q, "compensation"), 0), "amount")) == 200.0);
    json_t *br1 = json_array_get(json_object_get(j, "departments"), 1);
    assert_string_equal(json_string_value(json_object_get(br1, "parent")), "prov");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(br1, "subtree"), "received")), 3);
    /* Shares print short, not as binary noise. */
    assert_non_null(strstr(text, "\"reopen_rate\": 0.1667,"));
    json_decref(j);
    free(text);
    report_release(&r);
}

/* The writer's text is jansson's JSON_INDENT(2) | JSON_REAL_PRECISION(15) form byte for byte
 * (what `kesu report` printed before it stopped building a tree), with hostile text escaped,
 * negative and eleven-digit counts, and a text longer than the writer's block. */
static void json_text_is_janssons_indented_form(void **state)
{
    struct report r;
    json_error_t je;
    fx_report(&r, NULL, 20, false);
    report_compare(&r, 4, INT64_C(12345678901));
    free(r.overdue[0].title);
    r.overdue[0].title = strdup("引号\"反斜杠\\ 控制\x01\t换行\n</script>");
    assert_true(r.n_overdue > 1);
    free(r.overdue[1].title);
    r.overdue[1].title = calloc(20001, 1);
    for (int i = 0; i < 20000; i += 4)
        memcpy(r.overdue[1].title + i,
               i % 400 ? "长"
                         "x"
                       : "\"\n\\x",
               4);
    char *text = render(render_json, &r);
    json_t *j = json_loads(text, 0, &je);
    assert_non_null(j);
    char *again = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    size_t n = strlen(again);
    assert_int_equal(strlen(text), n + 1);
    assert_memory_equal(text, again, n);
    assert_non_null(
        strstr(text, "\"title\": \"引号\\\"反斜杠\\\\ 控制\\u0001\\t换行\\n</script>\""));
    free(again);
    json_decref(j);
    free(text);
    report_release(&r);
}

static void json_refuses_text_that_is_not_utf8(void **state)
{
    struct report r;
    struct buf b;
    struct ks_error err = {0};
    fx_report(&r, NULL, 20, false);
    free(r.overdue[0].title);
    r.overdue[0].title = strdup("bad \xff byte");
    buf_init(&b, REPORT_OUT_MAX);
    assert_int_equal(report_render_json(&r, 0, &b, &err), KS_EINVAL);
    buf_release(&b);
    report_release(&r);
}

static void assert_balanced(const char *s);

/* The UI's report page gets every chart as SVG text inside the JSON. */
static void json_carries_the_charts_when_asked(void **state)
{
    static const char *const names[] = {"trend",          "category",      "channel",
                                        "pareto_defects", "pareto_causes", "responsibility",
                                        "departments"};
    struct report r;
    struct buf b;
    struct ks_error err = {0};
    fx_report(&r, NULL, 20, false);
    buf_init(&b, REPORT_OUT_MAX);
    assert_int_equal(report_render_json(&r, REPORT_JSON_CHARTS, &b, &err), 0);
    json_t *j = json_loads(buf_str(&b), 0, NULL);
    json_t *charts = json_object_get(j, "charts");
    assert_int_equal(json_object_size(charts), RC__COUNT);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *svg = json_string_value(json_object_get(charts, names[i]));
        assert_non_null(svg);
        assert_int_equal(strncmp(svg, "<svg xmlns=", 11), 0);
        assert_balanced(svg);
    }
    json_decref(j);
    buf_release(&b);
    report_release(&r);
}

static void csv_has_bom_sections_and_quoted_cells(void **state)
{
    struct report r;
    fx_report(&r, NULL, 20, false);
    char *text = render(report_render_csv, &r);
    assert_memory_equal(text, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(text, "\r\n# 总量 volume\r\nfigure,label,value\r\nreceived,受理,6\r\n"));
    assert_non_null(strstr(text, "\r\nphone,电话,4,0.6667\r\n"));
    assert_non_null(strstr(text, "\r\nwhole,全流程,4,3,0.75,1,4,3,8\r\n"));
    assert_non_null(strstr(text, "\r\nKS20261008-0001,投诉标题,sub1,investigating,"
                                 "2026-10-14T00:00:00+08:00,,22\r\n"));
    assert_non_null(strstr(text, "\r\nKS20260930-0001,2,\"<script>alert('x')</script> & "
                                 "\"\"不满意\"\"\"\r\n"));
    assert_non_null(strstr(text, "\r\nspindle_broken,spindle_broken,3,0.75,3,0.75\r\n"));
    assert_non_null(strstr(text, "\r\ndamages,赔偿,200.00,1\r\n"));
    assert_non_null(strstr(text, "\r\n2026-10-25,1\r\n2026-10-26,0\r\n"));
    assert_non_null(strstr(text, "\r\nbr1,深圳分行,prov,1,0,0,0,0,3,2,1,2\r\n"));
    free(text);
    report_release(&r);
}

/* Checks that every start tag has its end tag, in order (enough for the markup kesu writes). */
static void assert_balanced(const char *s)
{
    const char *stack[256];
    size_t depth = 0;
    for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
        const char *end = strchr(p, '>');
        assert_non_null(end);
        if (p[1] == '!')
            continue;
        if (p[1] == '/') {
            assert_true(depth > 0);
            size_t n = strcspn(p + 2, " >");
            if (strncmp(stack[depth - 1], p + 2, n) != 0)
                fail_msg("</%.*s> closes <%.20s", (int)n, p + 2, stack[depth - 1]);
            depth--;
        } else if (end[-1] != '/' && strncmp(p, "<meta", 5) != 0) {
            assert_true(depth < 256);
            stack[depth++] = p + 1;
        }
    }
    assert_int_equal(depth, 0);
}

static void html_escapes_and_prints_to_a4(void **state)
{
    struct report r;
    fx_report(&r, NULL, 20, false);
    char *text = render(report_render_html, &r);
    assert_null(strstr(text, "<script"));
    assert_non_null(strstr(text, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                                 "&quot;不满意&quot;"));
    assert_non_null(strstr(text, "@page{size:A4"));
    assert_non_null(strstr(text, "break-before:page"));
    assert_non_null(strstr(text, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(text, "2026-09-28 至 2026-10-31"));
    assert_non_null(strstr(text, "<td>全流程</td><td class=\"n\">4</td><td class=\"n\">3</td>"
                                 "<td class=\"n\">75.0%</td>"));
    assert_non_null(strstr(text, "padding-left:12mm\">福田支行"));
    assert_non_null(strstr(text, "每日受理趋势"));
    assert_non_null(strstr(text, "<polyline"));
    assert_balanced(strstr(text, "<html"));
    free(text);
    report_release(&r);
}

static void svg_charts_are_well_formed_with_chinese(void **state)
{
    const char *labels[] = {"芯轴断裂", "<b>\"异响\"</b>", "一个非常非常长的不良项目名称"};
    double a[] = {5, 3, 1}, b[] = {1, 2, 0};
    struct chart_series s[] = {{"结案", a}, {"未结", b}};
    enum chart_kind kinds[] = {CHART_BAR, CHART_STACKED, CHART_LINE, CHART_PARETO, CHART_PIE};

    for (size_t k = 0; k < 5; k++) {
        struct chart c = {
            kinds[k], "图表 & 标题", labels, 3, s, kinds[k] == CHART_STACKED ? 2 : 1, 0, 0};
        struct buf o;
        buf_init(&o, 1 << 20);
        assert_int_equal(chart_svg(&c, &o), 0);
        const char *t = buf_str(&o);
        assert_non_null(strstr(t, "width=\"640\" height=\"320\" viewBox=\"0 0 640 320\""));
        assert_non_null(strstr(t, "Noto Sans CJK SC"));
        assert_non_null(strstr(t, "芯轴断裂"));
        assert_non_null(strstr(t, "图表 &amp; 标题"));
        assert_non_null(strstr(t, "&lt;b&gt;&quot;异响&quot;&lt;/b&gt;"));
        assert_null(strstr(t, "<b>"));
        assert_balanced(t);
        if (kinds[k] == CHART_PARETO)
            assert_non_null(strstr(t, ">100%</text>"));
        if (kinds[k] == CHART_PIE)
            assert_non_null(strstr(t, "55.6%"));
        if (kinds[k] == CHART_STACKED)
            assert_non_null(strstr(t, "未结"));
        buf_release(&o);
    }
    /* Nothing to draw: a frame that says so; one slice: a whole circle. */
    struct chart empty = {CHART_BAR, "空", labels, 0, s, 1, 320, 200};
    double one[] = {7};
    struct chart_series s1 = {"n", one};
    struct chart whole = {CHART_PIE, "全", labels, 1, &s1, 1, 0, 0};
    struct buf o;
    buf_init(&o, 1 << 20);
    assert_int_equal(chart_svg(&empty, &o), 0);
    assert_non_null(strstr(buf_str(&o), "无数据"));
    assert_int_equal(chart_svg(&whole, &o), 0);
    assert_non_null(strstr(buf_str(&o), "<circle"));
    assert_non_null(strstr(buf_str(&o), "100.0%"));
    buf_release(&o);
}

static void xlsx_is_a_workbook_with_a_sheet_per_section(void **state)
{
    struct report r;
    struct ks_error err;
    char *dir = th_mkdtemp();
    char *path = th_fmt("%s/r.xlsx", dir);
    size_t len;

    fx_report(&r, NULL, 20, false);
    int rc = report_render_xlsx(&r, path, &err);
#ifdef KS_HAVE_XLSXWRITER
    assert_int_equal(rc, 0);
    char *bytes = th_read_file(path, &len);
    assert_true(len > 1000);
    assert_memory_equal(bytes, "PK\x03\x04", 4);
    /* Member names are stored uncompressed: six sheets and the charts. */
    bool found = false;
    for (size_t i = 0; i + 24 < len && !found; i++)
        found = memcmp(bytes + i, "xl/worksheets/sheet6.xml", 24) == 0;
    assert_true(found);
    found = false;
    for (size_t i = 0; i + 19 < len && !found; i++)
        found = memcmp(bytes + i, "xl/charts/chart1.xml", 19) == 0;
    assert_true(found);
    free(bytes);
    char *bad = th_fmt("%s/no/such/dir/r.xlsx", dir);
    assert_int_equal(report_render_xlsx(&r, bad, &err), KS_EINVAL);
    assert_string_equal(err.field, "output");
    free(bad);
#else
    assert_int_equal(rc, KS_ECONFIG);
    (void)len;
#endif
    report_release(&r);
    th_rmtree(dir);
    free(dir);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(workdays_follow_the_calendar_table),
        cmocka_unit_test(workdays_without_an_index_agree),
        cmocka_unit_test(periods_have_bounds_labels_and_neighbours),
        cmocka_unit_test(instants_count_by_their_local_dates),
        cmocka_unit_test(volume_counts_the_cohort),
        cmocka_unit_test(breakdowns_fold_past_top_n),
        cmocka_unit_test(timeliness_counts_stages_across_national_day),
        cmocka_unit_test(quality_has_satisfaction_repeats_pareto_and_money),
        cmocka_unit_test(repeats_sort_by_count_customer_and_defect),
        cmocka_unit_test(departments_roll_up_their_subtrees),
        cmocka_unit_test(empty_period_has_zeros_not_garbage),
        cmocka_unit_test(json_has_every_figure),
        cmocka_unit_test(json_text_is_janssons_indented_form),
        cmocka_unit_test(json_refuses_text_that_is_not_utf8),
        cmocka_unit_test(json_carries_the_charts_when_asked),
        cmocka_unit_test(csv_has_bom_sections_and_quoted_cells),
        cmocka_unit_test(html_escapes_and_prints_to_a4),
        cmocka_unit_test(svg_charts_are_well_formed_with_chinese),
        cmocka_unit_test(xlsx_is_a_workbook_with_a_sheet_per_section),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
