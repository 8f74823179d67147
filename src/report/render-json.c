/* The report as JSON: the body of GET /api/v1/reports/summary and `kesu report --format json`.
 * Counts are integers, shares are fractions rounded to 4 decimals, durations are working days,
 * money is yuan (as compensation.amount everywhere else), instants are RFC 3339 at the
 * deployment's offset. docs/reports.md shows the shape. */
#include "report/render.h"

#include <math.h>
#include <stdlib.h>

#include "core/types.h"
#include "lib/banned.h"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t t, int off)
{
    char s[KS_TIME_STRLEN];
    return t == KS_TIME_NONE ? json_null() : json_string(ks_time_format(t, off, s));
}

static json_t *wd_or_null(double v)
{
    return v < 0 ? json_null() : json_real(v);
}

static json_t *dist_json(const struct report_dist *d, bool pareto)
{
    json_t *a = json_array();

    for (size_t i = 0; i < d->n; i++) {
        const struct report_entry *e = &d->v[i];
        json_t *o = json_pack("{s:s, s:s, s:I, s:f}", "key", e->key, "label", e->label, "count",
                              (json_int_t)e->n, "share", report_share(e->n, d->total));
        if (pareto) {
            json_object_set_new(o, "cumulative", json_integer(e->cum));
            json_object_set_new(o, "cumulative_share", json_real(report_share(e->cum, d->total)));
        }
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *compare_json(bool has, int64_t base, int64_t now)
{
    if (!has)
        return json_null();
    return json_pack("{s:I, s:I, s:o}", "received", (json_int_t)base, "change",
                     (json_int_t)(now - base), "change_share",
                     base > 0 ? json_real(report_share(now - base, base)) : json_null());
}

static json_t *daily_json(const struct report *r)
{
    struct ks_date first = ks_time_local_date(r->from, r->utc_offset_min);
    json_t *a = json_array();
    char date[KS_DATE_STRLEN];

    for (size_t i = 0; i < r->volume.n_days; i++) {
        civil_format_date(civil_add_days(first, (int64_t)i), date);
        json_array_append_new(
            a, json_pack("{s:s, s:I}", "date", date, "received", (json_int_t)r->volume.daily[i]));
    }
    return a;
}

static json_t *volume_json(const struct report *r)
{
    const struct report_volume *v = &r->volume;
    json_t *by = json_object();

    for (int d = 0; d < RD__COUNT; d++)
        json_object_set_new(by, report_dim_name((enum report_dim)d), dist_json(&v->by[d], false));
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "received", (json_int_t)v->received, "closed",
        (json_int_t)v->closed, "ended", (json_int_t)v->ended, "open", (json_int_t)v->open,
        "previous", compare_json(v->has_prev, v->prev_received, v->received), "last_year",
        compare_json(v->has_yoy, v->yoy_received, v->received), "by", by, "daily", daily_json(r));
}

static json_t *timing_json(const struct report_timing *t)
{
    return json_pack("{s:o, s:o, s:I, s:I, s:f, s:I, s:I, s:o, s:o}", "stage",
                     t->stage < 0 ? json_string("whole") : json_string(wf_state_name(t->stage)),
                     "label", json_string(t->stage < 0 ? "全流程" : wf_state_label(t->stage)),
                     "judged", (json_int_t)t->judged, "within", (json_int_t)t->within, "share",
                     report_share(t->within, t->judged), "running", (json_int_t)t->running,
                     "measured", (json_int_t)t->measured, "median_workdays",
                     wd_or_null(t->median_wd), "p90_workdays", wd_or_null(t->p90_wd));
}

static json_t *timeliness_json(const struct report *r)
{
    json_t *stages = json_array(), *whole = json_null(), *late = json_array();

    for (size_t i = 0; i < r->n_timing; i++) {
        if (r->timing[i].stage < 0) {
            json_decref(whole);
            whole = timing_json(&r->timing[i]);
        } else {
            json_array_append_new(stages, timing_json(&r->timing[i]));
        }
    }
    for (size_t i = 0; i < r->n_overdue; i++) {
        const struct report_overdue *o = &r->overdue[i];
        json_array_append_new(
            late, json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:I}", "number", o->number,
                            "title", o->title, "department", str_or_null(o->department), "stage",
                            wf_state_name(o->stage), "stage_label", wf_state_label(o->stage),
                            "due_at", time_or_null(o->due_at, r->utc_offset_min), "met_at",
                            time_or_null(o->met_at, r->utc_offset_min), "late_workdays",
                            (json_int_t)o->late_wd));
    }
    return json_pack("{s:o, s:o, s:o}", "stages", stages, "whole", whole, "overdue", late);
}

static json_t *quality_json(const struct report *r)
{
    const struct report_quality *q = &r->quality;
    json_t *dis = json_array(), *rep = json_array(), *comp = json_array();
    int64_t total = 0;

    for (size_t i = 0; i < q->n_dissatisfied; i++)
        json_array_append_new(dis, json_pack("{s:s, s:i, s:o}", "number", q->dissatisfied[i].number,
                                             "score", q->dissatisfied[i].score, "comment",
                                             str_or_null(q->dissatisfied[i].comment)));
    for (size_t i = 0; i < q->n_repeats; i++)
        json_array_append_new(rep, json_pack("{s:s, s:s, s:s, s:I}", "customer",
                                             q->repeats[i].customer, "defect", q->repeats[i].defect,
                                             "defect_label", q->repeats[i].defect_label, "count",
                                             (json_int_t)q->repeats[i].n));
    for (int k = COMP_NONE + 1; k < COMP__COUNT; k++) {
        total += q->comp_fen[k];
        json_array_append_new(
            comp, json_pack("{s:s, s:s, s:f, s:I}", "kind", comp_kind_name((enum comp_kind)k),
                            "label", comp_kind_label((enum comp_kind)k), "amount",
                            (double)q->comp_fen[k] / 100.0, "count", (json_int_t)q->comp_count[k]));
    }
    json_t *sat = json_pack(
        "{s:I, s:o, s:I, s:f, s:I, s:o}", "answered", (json_int_t)q->answered, "average",
        q->answered ? json_real(round((double)q->score_sum * 100 / (double)q->answered) / 100)
                    : json_null(),
        "satisfied", (json_int_t)q->satisfied, "share_satisfied",
        report_share(q->satisfied, q->answered), "waived", (json_int_t)q->waived, "dissatisfied",
        dis);
    return json_pack(
        "{s:o, s:I, s:f, s:o, s:{s:o, s:o}, s:o, s:o, s:f}", "satisfaction", sat, "reopened",
        (json_int_t)q->reopened, "reopen_rate", report_share(q->reopened, r->volume.received),
        "repeats", rep, "pareto", "defects", dist_json(&q->pareto_defects, true), "causes",
        dist_json(&q->pareto_causes, true), "responsibility", dist_json(&q->responsibility, false),
        "compensation", comp, "compensation_total", (double)total / 100.0);
}

static json_t *figures_json(const int64_t *v)
{
    json_t *o = json_object();
    for (int f = 0; f < RDF__COUNT; f++)
        json_object_set_new(o, report_dept_figure_name((enum report_dept_figure)f),
                            json_integer(v[f]));
    return o;
}

static json_t *depts_json(const struct report *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n_depts; i++) {
        const struct report_dept *d = &r->depts[i];
        json_array_append_new(
            a,
            json_pack("{s:s, s:s, s:o, s:i, s:o, s:o}", "code", d->code, "name", d->name, "parent",
                      d->parent < 0 ? json_null() : json_string(r->depts[d->parent].code), "depth",
                      d->depth, "own", figures_json(d->own), "subtree", figures_json(d->subtree)));
    }
    return a;
}

json_t *report_to_json(const struct report *r)
{
    int off = r->utc_offset_min;
    json_t *dept = r->department ? json_pack("{s:s, s:s}", "code", r->department, "name",
                                             r->department_name ? r->department_name : "")
                                 : json_null();

    return json_pack("{s:{s:s, s:o, s:o}, s:o, s:o, s:b, s:o, s:o, s:o, s:o}", "period", "label",
                     r->label ? r->label : "", "from", time_or_null(r->from, off), "to",
                     time_or_null(r->to, off), "as_of", time_or_null(r->as_of, off), "department",
                     dept, "calendar_gap", r->calendar_gap, "volume", volume_json(r), "timeliness",
                     timeliness_json(r), "quality", quality_json(r), "departments", depts_json(r));
}

struct sink {
    struct buf *out;
    int rc;
};

/* json_dump_callback()'s sink: appends straight to the output, so a large report is not held
 * twice (once as jansson's string, once in the buffer). */
static int to_buf(const char *p, size_t n, void *arg)
{
    struct sink *k = arg;
    if (k->rc == 0)
        k->rc = buf_add(k->out, p, n);
    return k->rc == 0 ? 0 : -1;
}

int report_render_json(const struct report *r, struct buf *out, struct ks_error *err)
{
    json_t *j = report_to_json(r);
    struct sink k = {out, 0};
    int rc;

    if (!j)
        return ks_fail(err, KS_EINTERNAL, NULL, "report: cannot encode JSON");
    rc = json_dump_callback(j, to_buf, &k, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(j);
    if (k.rc < 0)
        return ks_fail(err, k.rc, NULL, "report: JSON larger than %zu bytes", out->max);
    if (rc < 0)
        return ks_fail(err, KS_EINTERNAL, NULL, "report: cannot encode JSON");
    if ((rc = buf_addch(out, '\n')) < 0)
        return ks_fail(err, rc, NULL, "report: JSON larger than %zu bytes", out->max);
    return 0;
}
