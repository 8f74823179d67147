/* The report as one CSV file with sections: each section is a title row ("# 总量 volume"), a
 * header row, data rows and a blank row, so that a person sees the whole report in Excel and a
 * script can split it on blank lines. UTF-8 with a BOM (Excel otherwise reads Chinese as the
 * ANSI code page); RFC 4180 quoting with CRLF line ends; numbers are written bare; text that
 * Excel would take for a formula (= + - @ at the start) gets a leading apostrophe, because a
 * complaint title is customer input. */
#include "report/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/types.h"
#include "lib/banned.h"

struct csv {
    struct buf *out;
    int rc;
    int col; /* cells written on the current row */
};

static void sep(struct csv *w)
{
    if (w->rc == 0 && w->col++ > 0)
        w->rc = buf_addch(w->out, ',');
}

static void text(struct csv *w, const char *s)
{
    s = s ? s : "";
    sep(w);
    if (w->rc == 0 && strchr("=+-@\t\r", *s) && *s)
        w->rc = buf_addch(w->out, '\'');
    if (w->rc == 0 && !strpbrk(s, ",\"\r\n")) {
        w->rc = buf_adds(w->out, s);
        return;
    }
    if (w->rc == 0)
        w->rc = buf_addch(w->out, '"');
    for (; w->rc == 0 && *s; s++)
        w->rc = *s == '"' ? buf_adds(w->out, "\"\"") : buf_addch(w->out, *s);
    if (w->rc == 0)
        w->rc = buf_addch(w->out, '"');
}

static void num(struct csv *w, int64_t v)
{
    sep(w);
    if (w->rc == 0)
        w->rc = buf_addf(w->out, "%lld", (long long)v);
}

static void real(struct csv *w, double v)
{
    sep(w);
    if (w->rc == 0 && v >= 0)
        w->rc = buf_addf(w->out, "%.15g", v);
}

static void money(struct csv *w, int64_t fen)
{
    sep(w);
    if (w->rc == 0)
        w->rc = buf_addf(w->out, "%s%lld.%02lld", fen < 0 ? "-" : "", llabs(fen) / 100,
                         llabs(fen) % 100);
}

static void when(struct csv *w, int64_t t, int off)
{
    char s[KS_TIME_STRLEN];
    text(w, t == KS_TIME_NONE ? "" : ks_time_format(t, off, s));
}

static void eol(struct csv *w)
{
    if (w->rc == 0)
        w->rc = buf_adds(w->out, "\r\n");
    w->col = 0;
}

/* A section title and its header row (a NULL-terminated list). */
static void section(struct csv *w, const char *title, const char *const *header)
{
    if (w->rc == 0)
        w->rc = buf_addf(w->out, "\r\n# %s\r\n", title);
    for (; *header; header++)
        text(w, *header);
    eol(w);
}

static void dist(struct csv *w, const char *title, const struct report_dist *d, bool pareto)
{
    static const char *const h[] = {"key", "label", "count", "share", NULL};
    static const char *const hp[] = {
        "key", "label", "count", "share", "cumulative", "cumulative_share", NULL};

    section(w, title, pareto ? hp : h);
    for (size_t i = 0; i < d->n; i++) {
        text(w, d->v[i].key);
        text(w, d->v[i].label);
        num(w, d->v[i].n);
        real(w, report_share(d->v[i].n, d->total));
        if (pareto) {
            num(w, d->v[i].cum);
            real(w, report_share(d->v[i].cum, d->total));
        }
        eol(w);
    }
}

static void figure(struct csv *w, const char *name, const char *label, int64_t v)
{
    text(w, name);
    text(w, label);
    num(w, v);
    eol(w);
}

static void volume(struct csv *w, const struct report *r)
{
    static const char *const h[] = {"figure", "label", "value", NULL};
    const struct report_volume *v = &r->volume;
    char title[128];

    section(w, "总量 volume", h);
    figure(w, "received", "受理", v->received);
    figure(w, "closed", "结案", v->closed);
    figure(w, "ended", "不予受理/撤诉/合并", v->ended);
    figure(w, "open", "未结", v->open);
    if (v->has_prev) {
        figure(w, "previous_received", "上期受理", v->prev_received);
        figure(w, "previous_change", "环比增减", v->received - v->prev_received);
    }
    if (v->has_yoy) {
        figure(w, "last_year_received", "去年同期受理", v->yoy_received);
        figure(w, "last_year_change", "同比增减", v->received - v->yoy_received);
    }
    for (int d = 0; d < RD__COUNT; d++) {
        snprintf(title, sizeof(title), "%s %s", report_dim_label((enum report_dim)d),
                 report_dim_name((enum report_dim)d));
        dist(w, title, &v->by[d], false);
    }
    static const char *const hd[] = {"date", "received", NULL};
    struct ks_date first = ks_time_local_date(r->from, r->utc_offset_min);
    char date[KS_DATE_STRLEN];
    section(w, "每日受理 daily", hd);
    for (size_t i = 0; i < v->n_days; i++) {
        civil_format_date(civil_add_days(first, (int64_t)i), date);
        text(w, date);
        num(w, v->daily[i]);
        eol(w);
    }
}

static void timeliness(struct csv *w, const struct report *r)
{
    static const char *const h[] = {"stage",        "label",   "judged",   "within",
                                    "share",        "running", "measured", "median_workdays",
                                    "p90_workdays", NULL};
    static const char *const ho[] = {"number", "title",  "department",    "stage",
                                     "due_at", "met_at", "late_workdays", NULL};

    section(w, "时效 timeliness", h);
    for (size_t i = 0; i < r->n_timing; i++) {
        const struct report_timing *t = &r->timing[i];
        text(w, t->stage < 0 ? "whole" : wf_state_name(t->stage));
        text(w, t->stage < 0 ? "全流程" : wf_state_label(t->stage));
        num(w, t->judged);
        num(w, t->within);
        real(w, report_share(t->within, t->judged));
        num(w, t->running);
        num(w, t->measured);
        real(w, t->median_wd);
        real(w, t->p90_wd);
        eol(w);
    }
    section(w, "超时清单 overdue", ho);
    for (size_t i = 0; i < r->n_overdue; i++) {
        const struct report_overdue *o = &r->overdue[i];
        text(w, o->number);
        text(w, o->title);
        text(w, o->department);
        text(w, wf_state_name(o->stage));
        when(w, o->due_at, r->utc_offset_min);
        when(w, o->met_at, r->utc_offset_min);
        num(w, o->late_wd);
        eol(w);
    }
}

static void quality(struct csv *w, const struct report *r)
{
    static const char *const h[] = {"figure", "label", "value", NULL};
    static const char *const hc[] = {"kind", "label", "amount", "count", NULL};
    static const char *const hr[] = {"customer", "defect", "defect_label", "count", NULL};
    static const char *const hd[] = {"number", "score", "comment", NULL};
    const struct report_quality *q = &r->quality;

    section(w, "质量 quality", h);
    figure(w, "answered", "回访有效", q->answered);
    text(w, "satisfaction_average");
    text(w, "满意度均分");
    real(w, q->answered ? round((double)q->score_sum * 100 / (double)q->answered) / 100 : -1);
    eol(w);
    figure(w, "satisfied", "满意(4-5分)", q->satisfied);
    text(w, "share_satisfied");
    text(w, "满意率");
    real(w, report_share(q->satisfied, q->answered));
    eol(w);
    figure(w, "waived", "免回访", q->waived);
    figure(w, "reopened", "重新打开", q->reopened);
    text(w, "reopen_rate");
    text(w, "重开率");
    real(w, report_share(q->reopened, r->volume.received));
    eol(w);

    section(w, "不满意 dissatisfied", hd);
    for (size_t i = 0; i < q->n_dissatisfied; i++) {
        text(w, q->dissatisfied[i].number);
        num(w, q->dissatisfied[i].score);
        text(w, q->dissatisfied[i].comment);
        eol(w);
    }
    section(w, "重复问题 repeats", hr);
    for (size_t i = 0; i < q->n_repeats; i++) {
        text(w, q->repeats[i].customer);
        text(w, q->repeats[i].defect);
        text(w, q->repeats[i].defect_label);
        num(w, q->repeats[i].n);
        eol(w);
    }
    dist(w, "不良项目排列图 pareto_defects", &q->pareto_defects, true);
    dist(w, "原因排列图 pareto_causes", &q->pareto_causes, true);
    dist(w, "责任划分 responsibility", &q->responsibility, false);
    section(w, "赔偿补偿 compensation", hc);
    for (int k = COMP_NONE + 1; k < COMP__COUNT; k++) {
        text(w, comp_kind_name((enum comp_kind)k));
        text(w, comp_kind_label((enum comp_kind)k));
        money(w, q->comp_fen[k]);
        num(w, q->comp_count[k]);
        eol(w);
    }
}

static void departments(struct csv *w, const struct report *r)
{
    static const char *const h[] = {
        "code", "name",    "parent",           "depth",          "received",     "closed",
        "open", "overdue", "subtree_received", "subtree_closed", "subtree_open", "subtree_overdue",
        NULL};

    section(w, "部门汇总 departments", h);
    for (size_t i = 0; i < r->n_depts; i++) {
        const struct report_dept *d = &r->depts[i];
        text(w, d->code);
        text(w, d->name);
        text(w, d->parent < 0 ? "" : r->depts[d->parent].code);
        num(w, d->depth);
        for (int f = 0; f < RDF__COUNT; f++)
            num(w, d->own[f]);
        for (int f = 0; f < RDF__COUNT; f++)
            num(w, d->subtree[f]);
        eol(w);
    }
}

int report_render_csv(const struct report *r, struct buf *out, struct ks_error *err)
{
    static const char *const h[] = {"field", "value", NULL};
    struct csv w = {out, 0, 0};

    w.rc = buf_adds(out, "\xEF\xBB\xBF");
    if (w.rc == 0)
        w.rc = buf_adds(out, "# 客诉统计报告 report\r\n");
    for (const char *const *p = h; *p; p++)
        text(&w, *p);
    eol(&w);
    text(&w, "period");
    text(&w, r->label);
    eol(&w);
    text(&w, "from");
    when(&w, r->from, r->utc_offset_min);
    eol(&w);
    text(&w, "to");
    when(&w, r->to, r->utc_offset_min);
    eol(&w);
    text(&w, "as_of");
    when(&w, r->as_of, r->utc_offset_min);
    eol(&w);
    text(&w, "department");
    text(&w, r->department_name ? r->department_name : "全部 all");
    eol(&w);
    volume(&w, r);
    timeliness(&w, r);
    quality(&w, r);
    departments(&w, r);
    if (w.rc < 0)
        return ks_fail(err, w.rc, NULL, "report: CSV larger than %zu bytes", out->max);
    return 0;
}
