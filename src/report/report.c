/* The report model's lifecycle and the names shared by every renderer. */
#include "report/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

static const struct {
    const char *name, *label;
} dims[RD__COUNT] = {
    [RD_CATEGORY] = {"category", "投诉分类"}, [RD_SEVERITY] = {"severity", "客诉程度"},
    [RD_CHANNEL] = {"channel", "投诉渠道"},   [RD_PRODUCT] = {"product", "产品类别"},
    [RD_DEFECT] = {"defect", "不良项目"},     [RD_CUSTOMER] = {"customer", "客户"},
    [RD_DEPARTMENT] = {"department", "部门"},
};

static const struct {
    const char *name, *label;
} figures[RDF__COUNT] = {
    [RDF_RECEIVED] = {"received", "受理"},
    [RDF_CLOSED] = {"closed", "结案"},
    [RDF_OPEN] = {"open", "未结"},
    [RDF_OVERDUE] = {"overdue", "超时"},
};

const char *report_dim_name(enum report_dim d)
{
    return d < RD__COUNT ? dims[d].name : "";
}

const char *report_dim_label(enum report_dim d)
{
    return d < RD__COUNT ? dims[d].label : "";
}

const char *report_dept_figure_name(enum report_dept_figure f)
{
    return f < RDF__COUNT ? figures[f].name : "";
}

const char *report_dept_figure_label(enum report_dept_figure f)
{
    return f < RDF__COUNT ? figures[f].label : "";
}

double report_share(int64_t num, int64_t den)
{
    if (den <= 0)
        return 0;
    return round((double)num * 10000.0 / (double)den) / 10000.0;
}

void report_init(struct report *r)
{
    memset(r, 0, sizeof(*r));
}

static void dist_release(struct report_dist *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].key);
        free(d->v[i].label);
    }
    free(d->v);
    memset(d, 0, sizeof(*d));
}

void report_release(struct report *r)
{
    struct report_quality *q = &r->quality;

    free(r->label);
    free(r->department);
    free(r->department_name);
    for (int d = 0; d < RD__COUNT; d++)
        dist_release(&r->volume.by[d]);
    free(r->volume.daily);
    free(r->timing);
    for (size_t i = 0; i < r->n_overdue; i++) {
        free(r->overdue[i].number);
        free(r->overdue[i].title);
        free(r->overdue[i].department);
    }
    free(r->overdue);
    for (size_t i = 0; i < q->n_dissatisfied; i++) {
        free(q->dissatisfied[i].number);
        free(q->dissatisfied[i].comment);
    }
    free(q->dissatisfied);
    for (size_t i = 0; i < q->n_repeats; i++) {
        free(q->repeats[i].customer);
        free(q->repeats[i].defect);
        free(q->repeats[i].defect_label);
    }
    free(q->repeats);
    dist_release(&q->pareto_defects);
    dist_release(&q->pareto_causes);
    dist_release(&q->responsibility);
    for (size_t i = 0; i < r->n_depts; i++) {
        free(r->depts[i].code);
        free(r->depts[i].name);
    }
    free(r->depts);
    report_init(r);
}

void report_truncate_lists(struct report *r, size_t n)
{
    struct report_quality *q = &r->quality;

    for (; r->n_overdue > n; r->n_overdue--) {
        free(r->overdue[r->n_overdue - 1].number);
        free(r->overdue[r->n_overdue - 1].title);
        free(r->overdue[r->n_overdue - 1].department);
    }
    for (; q->n_dissatisfied > n; q->n_dissatisfied--) {
        free(q->dissatisfied[q->n_dissatisfied - 1].number);
        free(q->dissatisfied[q->n_dissatisfied - 1].comment);
    }
    for (; q->n_repeats > n; q->n_repeats--) {
        free(q->repeats[q->n_repeats - 1].customer);
        free(q->repeats[q->n_repeats - 1].defect);
        free(q->repeats[q->n_repeats - 1].defect_label);
    }
}

void report_compare(struct report *r, int64_t prev_received, int64_t yoy_received)
{
    r->volume.has_prev = r->volume.has_yoy = true;
    r->volume.prev_received = prev_received;
    r->volume.yoy_received = yoy_received;
}
