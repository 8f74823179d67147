/* The charts of a report, one definition for every place that shows them: the HTML report
 * draws them inline and GET /api/v1/reports/summary?charts=1 hands the same SVG to the UI's
 * report page (the "charts" member of the JSON). Each turns figures the report holds into a struct
 * chart and calls chart_svg(). */
#include "report/render.h"

#include <stdlib.h>

#include "lib/civil.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define DEPT_BARS_MAX 16 /* departments of depth 0 and 1 drawn in the roll-up chart */

static const char *const names[RC__COUNT] = {
    [RC_TREND] = "trend",
    [RC_CATEGORY] = "category",
    [RC_CHANNEL] = "channel",
    [RC_PARETO_DEFECTS] = "pareto_defects",
    [RC_PARETO_CAUSES] = "pareto_causes",
    [RC_RESPONSIBILITY] = "responsibility",
    [RC_DEPARTMENTS] = "departments",
};

const char *report_chart_name(enum report_chart c)
{
    return c < RC__COUNT ? names[c] : "";
}

static int dist_chart(enum chart_kind kind, const char *title, const struct report_dist *d,
                      struct buf *out)
{
    const char **labels = xcalloc(d->n + 1, sizeof(*labels));
    double *v = xcalloc(d->n + 1, sizeof(*v));
    struct chart_series s = {"count", v};
    struct chart c = {kind, title, labels, d->n, &s, 1, 640, 300};
    int rc;

    for (size_t i = 0; i < d->n; i++) {
        labels[i] = d->v[i].label;
        v[i] = (double)d->v[i].n;
    }
    rc = chart_svg(&c, out);
    free(labels);
    free(v);
    return rc;
}

/* Received per day as a line; per month when the period is longer than two months, so that
 * a year's trend stays readable. */
static int trend(const struct report *r, struct buf *out)
{
    const struct report_volume *v = &r->volume;
    struct ks_date first = ks_time_local_date(r->from, r->utc_offset_min);
    bool monthly = v->n_days > 62;
    char(*days)[KS_DATE_STRLEN] = xcalloc(v->n_days + 1, sizeof(*days));
    const char **labels = xcalloc(v->n_days + 1, sizeof(*labels));
    double *y = xcalloc(v->n_days + 1, sizeof(*y));
    struct chart_series s = {"受理", y};
    struct chart c = {CHART_LINE, monthly ? "每月受理趋势" : "每日受理趋势", labels, 0, &s, 1, 640,
                      260};
    int rc;

    for (size_t i = 0; i < v->n_days; i++) {
        struct ks_date d = civil_add_days(first, (int64_t)i);
        if (!monthly || i == 0 || d.d == 1) {
            civil_format_date(d, days[c.n]);
            days[c.n][monthly ? 7 : 10] = '\0';
            labels[c.n] = monthly ? days[c.n] : days[c.n] + 5;
            c.n++;
        }
        y[c.n - 1] += (double)v->daily[i];
    }
    rc = chart_svg(&c, out);
    free(days);
    free(labels);
    free(y);
    return rc;
}

/* Closed and open per department of the top two levels (with their subtrees). */
static int departments(const struct report *r, struct buf *out)
{
    const char **labels = xcalloc(r->n_depts + 1, sizeof(*labels));
    double *closed = xcalloc(r->n_depts + 1, sizeof(*closed));
    double *open = xcalloc(r->n_depts + 1, sizeof(*open));
    struct chart_series s[2] = {{"结案", closed}, {"未结", open}};
    struct chart c = {CHART_STACKED, "各部门（含下级）结案与未结", labels, 0, s, 2, 640, 300};
    int rc;

    for (size_t i = 0; i < r->n_depts && c.n < DEPT_BARS_MAX; i++) {
        const struct report_dept *d = &r->depts[i];
        if (d->depth > 1)
            continue;
        labels[c.n] = d->name;
        closed[c.n] = (double)d->subtree[RDF_CLOSED];
        open[c.n++] = (double)d->subtree[RDF_OPEN];
    }
    rc = chart_svg(&c, out);
    free(labels);
    free(closed);
    free(open);
    return rc;
}

int report_chart_svg(const struct report *r, enum report_chart c, struct buf *out)
{
    const struct report_quality *q = &r->quality;

    switch (c) {
    case RC_TREND:
        return trend(r, out);
    case RC_CATEGORY:
        return dist_chart(CHART_BAR, "按投诉分类", &r->volume.by[RD_CATEGORY], out);
    case RC_CHANNEL:
        return dist_chart(CHART_PIE, "按投诉渠道", &r->volume.by[RD_CHANNEL], out);
    case RC_PARETO_DEFECTS:
        return dist_chart(CHART_PARETO, "不良项目排列图", &q->pareto_defects, out);
    case RC_PARETO_CAUSES:
        return dist_chart(CHART_PARETO, "原因排列图", &q->pareto_causes, out);
    case RC_RESPONSIBILITY:
        return dist_chart(CHART_PIE, "责任划分", &q->responsibility, out);
    case RC_DEPARTMENTS:
        return departments(r, out);
    case RC__COUNT:
        break;
    }
    KS_BUG("report_chart_svg: chart %d", (int)c);
}
