/* The report as JSON: the body of GET /api/v1/reports/summary and `kesu report --format json`.
 * Counts are integers, shares are fractions rounded to 4 decimals, durations are working days,
 * money is yuan (as compensation.amount everywhere else), instants are RFC 3339 at the
 * deployment's offset. docs/reports.md shows the shape.
 * The text is written as it is produced (struct jw), not built as a jansson tree first: a
 * year's overdue list has a hundred thousand entries, and the tree cost more memory and time
 * than the figures themselves. The layout is jansson's JSON_INDENT(2) | JSON_REAL_PRECISION(15)
 * (the form this file produced before, byte for byte): two spaces per level, "key": value,
 * reals as %.15g with ".0" added to whole numbers, strings UTF-8 with only '"', '\' and
 * control characters escaped. A year's report is some 50 MB of small pieces, so they are
 * gathered in a block on the stack and added to the buffer a block at a time. */
#include "report/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/types.h"
#include "lib/banned.h"

#define JW_DEPTH_MAX 16
#define JW_BLOCK     8192

/* A JSON writer: the nesting depth and, per level, whether a member was written yet; text not
 * yet in out waits in block. The first failure (KS_ELIMIT from the buffer, KS_EINVAL for a
 * string that is not UTF-8) sticks. */
struct jw {
    struct buf *out;
    int depth;
    bool any[JW_DEPTH_MAX];
    int rc;
    size_t n_block;
    char block[JW_BLOCK];
};

static void jw_flush(struct jw *w)
{
    if (w->rc == 0 && w->n_block)
        w->rc = buf_add(w->out, w->block, w->n_block);
    w->n_block = 0;
}

static void jw_raw(struct jw *w, const char *s, size_t n)
{
    if (n > JW_BLOCK - w->n_block) {
        jw_flush(w);
        if (n > JW_BLOCK) {
            if (w->rc == 0)
                w->rc = buf_add(w->out, s, n);
            return;
        }
    }
    memcpy(w->block + w->n_block, s, n);
    w->n_block += n;
}

static void jw_rawz(struct jw *w, const char *s)
{
    jw_raw(w, s, strlen(s));
}

/* Before a value in an array or a member of an object: the comma and the new line. */
static void jw_item(struct jw *w)
{
    static const char lead[2 + 2 * JW_DEPTH_MAX + 1] = ",\n                                ";
    size_t indent = (size_t)(2 * w->depth);

    if (w->depth == 0)
        return;
    if (w->any[w->depth])
        jw_raw(w, lead, 2 + indent);
    else
        jw_raw(w, lead + 1, 1 + indent);
    w->any[w->depth] = true;
}

static void jw_open(struct jw *w, const char *brace)
{
    jw_rawz(w, brace);
    if (w->depth + 1 >= JW_DEPTH_MAX)
        KS_BUG("report JSON nested deeper than %d", JW_DEPTH_MAX);
    w->any[++w->depth] = false;
}

static void jw_close(struct jw *w, const char *brace)
{
    bool any = w->any[w->depth--];

    if (any) {
        jw_rawz(w, "\n");
        for (int i = 0; i < w->depth; i++)
            jw_rawz(w, "  ");
    }
    jw_rawz(w, brace);
}

/* Length of the valid UTF-8 sequence at s (1 to 4), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0], cp;
    size_t n;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static void jw_str(struct jw *w, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *run = p;

    jw_rawz(w, "\"");
    while (*p && w->rc == 0) {
        size_t n;
        char esc[8];

        if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
            p++;
            continue;
        }
        if (*p >= 0x80) {
            if ((n = utf8_len(p)) == 0) {
                w->rc = KS_EINVAL;
                return;
            }
            p += n;
            continue;
        }
        jw_raw(w, (const char *)run, (size_t)(p - run));
        switch (*p) {
        case '"':
            jw_rawz(w, "\\\"");
            break;
        case '\\':
            jw_rawz(w, "\\\\");
            break;
        case '\b':
            jw_rawz(w, "\\b");
            break;
        case '\f':
            jw_rawz(w, "\\f");
            break;
        case '\n':
            jw_rawz(w, "\\n");
            break;
        case '\r':
            jw_rawz(w, "\\r");
            break;
        case '\t':
            jw_rawz(w, "\\t");
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04X", *p);
            jw_rawz(w, esc);
            break;
        }
        run = ++p;
    }
    jw_raw(w, (const char *)run, (size_t)(p - run));
    jw_rawz(w, "\"");
}

/* Keys are this file's own ASCII names: nothing in them needs escaping. */
static void jw_key(struct jw *w, const char *key)
{
    jw_item(w);
    jw_raw(w, "\"", 1);
    jw_rawz(w, key);
    jw_raw(w, "\": ", 3);
}

static void jw_int(struct jw *w, int64_t v)
{
    char s[24], *end = s + sizeof(s), *p = end;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    jw_raw(w, p, (size_t)(end - p));
}

/* A real as jansson writes it with JSON_REAL_PRECISION(15): %.15g, ".0" after a whole number,
 * no '+' and no leading zeros in an exponent. */
static void jw_real(struct jw *w, double v)
{
    char s[40], *e;
    size_t len = (size_t)snprintf(s, sizeof(s) - 3, "%.15g", v);

    if (!strchr(s, '.') && !strchr(s, 'e')) {
        memcpy(s + len, ".0", 3);
        len += 2;
    }
    if ((e = strchr(s, 'e'))) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start)
            memmove(start, end, strlen(end) + 1);
    }
    jw_rawz(w, s);
}

static void jw_null(struct jw *w)
{
    jw_rawz(w, "null");
}

/* Members: "key": value. */
static void m_str(struct jw *w, const char *key, const char *v)
{
    jw_key(w, key);
    if (v)
        jw_str(w, v);
    else
        jw_null(w);
}

static void m_int(struct jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

static void m_real(struct jw *w, const char *key, double v)
{
    jw_key(w, key);
    jw_real(w, v);
}

static void m_time(struct jw *w, const char *key, int64_t t, int off)
{
    char s[KS_TIME_STRLEN];
    m_str(w, key, t == KS_TIME_NONE ? NULL : ks_time_format(t, off, s));
}

static void m_wd(struct jw *w, const char *key, double v)
{
    jw_key(w, key);
    if (v < 0)
        jw_null(w);
    else
        jw_real(w, v);
}

static void dist_json(struct jw *w, const char *key, const struct report_dist *d, bool pareto)
{
    jw_key(w, key);
    jw_open(w, "[");
    for (size_t i = 0; i < d->n; i++) {
        const struct report_entry *e = &d->v[i];
        jw_item(w);
        jw_open(w, "{");
        m_str(w, "key", e->key);
        m_str(w, "label", e->label);
        m_int(w, "count", e->n);
        m_real(w, "share", report_share(e->n, d->total));
        if (pareto) {
            m_int(w, "cumulative", e->cum);
            m_real(w, "cumulative_share", report_share(e->cum, d->total));
        }
        jw_close(w, "}");
    }
    jw_close(w, "]");
}

static void compare_json(struct jw *w, const char *key, bool has, int64_t base, int64_t now)
{
    jw_key(w, key);
    if (!has) {
        jw_null(w);
        return;
    }
    jw_open(w, "{");
    m_int(w, "received", base);
    m_int(w, "change", now - base);
    if (base > 0)
        m_real(w, "change_share", report_share(now - base, base));
    else
        m_str(w, "change_share", NULL);
    jw_close(w, "}");
}

static void daily_json(struct jw *w, const struct report *r)
{
    struct ks_date first = ks_time_local_date(r->from, r->utc_offset_min);
    char date[KS_DATE_STRLEN];

    jw_key(w, "daily");
    jw_open(w, "[");
    for (size_t i = 0; i < r->volume.n_days; i++) {
        civil_format_date(civil_add_days(first, (int64_t)i), date);
        jw_item(w);
        jw_open(w, "{");
        m_str(w, "date", date);
        m_int(w, "received", r->volume.daily[i]);
        jw_close(w, "}");
    }
    jw_close(w, "]");
}

static void volume_json(struct jw *w, const struct report *r)
{
    const struct report_volume *v = &r->volume;

    jw_key(w, "volume");
    jw_open(w, "{");
    m_int(w, "received", v->received);
    m_int(w, "closed", v->closed);
    m_int(w, "ended", v->ended);
    m_int(w, "open", v->open);
    compare_json(w, "previous", v->has_prev, v->prev_received, v->received);
    compare_json(w, "last_year", v->has_yoy, v->yoy_received, v->received);
    jw_key(w, "by");
    jw_open(w, "{");
    for (int d = 0; d < RD__COUNT; d++)
        dist_json(w, report_dim_name((enum report_dim)d), &v->by[d], false);
    jw_close(w, "}");
    daily_json(w, r);
    jw_close(w, "}");
}

static void timing_json(struct jw *w, const struct report_timing *t)
{
    jw_open(w, "{");
    m_str(w, "stage", t->stage < 0 ? "whole" : wf_state_name(t->stage));
    m_str(w, "label", t->stage < 0 ? "全流程" : wf_state_label(t->stage));
    m_int(w, "judged", t->judged);
    m_int(w, "within", t->within);
    m_real(w, "share", report_share(t->within, t->judged));
    m_int(w, "running", t->running);
    m_int(w, "measured", t->measured);
    m_wd(w, "median_workdays", t->median_wd);
    m_wd(w, "p90_workdays", t->p90_wd);
    jw_close(w, "}");
}

static void timeliness_json(struct jw *w, const struct report *r)
{
    const struct report_timing *whole = NULL;
    int off = r->utc_offset_min;

    jw_key(w, "timeliness");
    jw_open(w, "{");
    jw_key(w, "stages");
    jw_open(w, "[");
    for (size_t i = 0; i < r->n_timing; i++) {
        if (r->timing[i].stage < 0) {
            whole = &r->timing[i];
            continue;
        }
        jw_item(w);
        timing_json(w, &r->timing[i]);
    }
    jw_close(w, "]");
    jw_key(w, "whole");
    if (whole)
        timing_json(w, whole);
    else
        jw_null(w);
    jw_key(w, "overdue");
    jw_open(w, "[");
    for (size_t i = 0; i < r->n_overdue; i++) {
        const struct report_overdue *o = &r->overdue[i];
        jw_item(w);
        jw_open(w, "{");
        m_str(w, "number", o->number);
        m_str(w, "title", o->title);
        m_str(w, "department", o->department);
        m_str(w, "stage", wf_state_name(o->stage));
        m_str(w, "stage_label", wf_state_label(o->stage));
        m_time(w, "due_at", o->due_at, off);
        m_time(w, "met_at", o->met_at, off);
        m_int(w, "late_workdays", o->late_wd);
        jw_close(w, "}");
    }
    jw_close(w, "]");
    jw_close(w, "}");
}

static void quality_json(struct jw *w, const struct report *r)
{
    const struct report_quality *q = &r->quality;
    int64_t total = 0;

    jw_key(w, "quality");
    jw_open(w, "{");
    jw_key(w, "satisfaction");
    jw_open(w, "{");
    m_int(w, "answered", q->answered);
    if (q->answered)
        m_real(w, "average", round((double)q->score_sum * 100 / (double)q->answered) / 100);
    else
        m_str(w, "average", NULL);
    m_int(w, "satisfied", q->satisfied);
    m_real(w, "share_satisfied", report_share(q->satisfied, q->answered));
    m_int(w, "waived", q->waived);
    jw_key(w, "dissatisfied");
    jw_open(w, "[");
    for (size_t i = 0; i < q->n_dissatisfied; i++) {
        jw_item(w);
        jw_open(w, "{");
        m_str(w, "number", q->dissatisfied[i].number);
        m_int(w, "score", q->dissatisfied[i].score);
        m_str(w, "comment", q->dissatisfied[i].comment);
        jw_close(w, "}");
    }
    jw_close(w, "]");
    jw_close(w, "}");
    m_int(w, "reopened", q->reopened);
    m_real(w, "reopen_rate", report_share(q->reopened, r->volume.received));
    jw_key(w, "repeats");
    jw_open(w, "[");
    for (size_t i = 0; i < q->n_repeats; i++) {
        jw_item(w);
        jw_open(w, "{");
        m_str(w, "customer", q->repeats[i].customer);
        m_str(w, "defect", q->repeats[i].defect);
        m_str(w, "defect_label", q->repeats[i].defect_label);
        m_int(w, "count", q->repeats[i].n);
        jw_close(w, "}");
    }
    jw_close(w, "]");
    jw_key(w, "pareto");
    jw_open(w, "{");
    dist_json(w, "defects", &q->pareto_defects, true);
    dist_json(w, "causes", &q->pareto_causes, true);
    jw_close(w, "}");
    dist_json(w, "responsibility", &q->responsibility, false);
    jw_key(w, "compensation");
    jw_open(w, "[");
    for (int k = COMP_NONE + 1; k < COMP__COUNT; k++) {
        total += q->comp_fen[k];
        jw_item(w);
        jw_open(w, "{");
        m_str(w, "kind", comp_kind_name((enum comp_kind)k));
        m_str(w, "label", comp_kind_label((enum comp_kind)k));
        m_real(w, "amount", (double)q->comp_fen[k] / 100.0);
        m_int(w, "count", q->comp_count[k]);
        jw_close(w, "}");
    }
    jw_close(w, "]");
    m_real(w, "compensation_total", (double)total / 100.0);
    jw_close(w, "}");
}

static void figures_json(struct jw *w, const char *key, const int64_t *v)
{
    jw_key(w, key);
    jw_open(w, "{");
    for (int f = 0; f < RDF__COUNT; f++)
        m_int(w, report_dept_figure_name((enum report_dept_figure)f), v[f]);
    jw_close(w, "}");
}

static void depts_json(struct jw *w, const struct report *r)
{
    jw_key(w, "departments");
    jw_open(w, "[");
    for (size_t i = 0; i < r->n_depts; i++) {
        const struct report_dept *d = &r->depts[i];
        jw_item(w);
        jw_open(w, "{");
        m_str(w, "code", d->code);
        m_str(w, "name", d->name);
        m_str(w, "parent", d->parent < 0 ? NULL : r->depts[d->parent].code);
        m_int(w, "depth", d->depth);
        figures_json(w, "own", d->own);
        figures_json(w, "subtree", d->subtree);
        jw_close(w, "}");
    }
    jw_close(w, "]");
}

/* Every chart as one member each, the SVG as a string. */
static void charts_json(struct jw *w, const struct report *r)
{
    struct buf svg;

    buf_init(&svg, REPORT_OUT_MAX);
    jw_key(w, "charts");
    jw_open(w, "{");
    for (int c = 0; c < RC__COUNT && w->rc == 0; c++) {
        buf_reset(&svg);
        if ((w->rc = report_chart_svg(r, (enum report_chart)c, &svg)) == 0)
            m_str(w, report_chart_name((enum report_chart)c), buf_str(&svg));
    }
    jw_close(w, "}");
    buf_release(&svg);
}

int report_render_json(const struct report *r, unsigned flags, struct buf *out,
                       struct ks_error *err)
{
    struct jw w = {.out = out};
    int off = r->utc_offset_min;

    jw_open(&w, "{");
    jw_key(&w, "period");
    jw_open(&w, "{");
    m_str(&w, "label", r->label ? r->label : "");
    m_time(&w, "from", r->from, off);
    m_time(&w, "to", r->to, off);
    jw_close(&w, "}");
    m_time(&w, "as_of", r->as_of, off);
    jw_key(&w, "department");
    if (r->department) {
        jw_open(&w, "{");
        m_str(&w, "code", r->department);
        m_str(&w, "name", r->department_name ? r->department_name : "");
        jw_close(&w, "}");
    } else {
        jw_null(&w);
    }
    jw_key(&w, "calendar_gap");
    jw_rawz(&w, r->calendar_gap ? "true" : "false");
    volume_json(&w, r);
    timeliness_json(&w, r);
    quality_json(&w, r);
    depts_json(&w, r);
    if (flags & REPORT_JSON_CHARTS)
        charts_json(&w, r);
    jw_close(&w, "}");
    jw_rawz(&w, "\n");
    jw_flush(&w);
    if (w.rc == KS_EINVAL)
        return ks_fail(err, KS_EINVAL, NULL, "report: a text is not valid UTF-8");
    if (w.rc < 0)
        return ks_fail(err, w.rc, NULL, "report: JSON larger than %zu bytes", out->max);
    return 0;
}
