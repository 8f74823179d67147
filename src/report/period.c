/* Report periods (month, quarter, year, date range) and working days between dates. Working
 * days use a prefix sum over the index range, so a duration is two array reads; days outside
 * the index fall back to asking the calendar day by day, and days outside the calendar's years
 * count Monday-Friday with a flag the report shows, because a report must not fail on an old
 * complaint. */
#include "report/period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "lib/banned.h"

static int bad(struct ks_error *err, const char *field, const char *s, const char *shape)
{
    return ks_fail(err, KS_EINVAL, field, "%s: '%s' is not %s", field, s, shape);
}

static bool year_ok(int y)
{
    return y >= 1970 && y <= 9999;
}

int report_period_month(const char *s, struct report_period *out, struct ks_error *err)
{
    int y, m;

    if (strlen(s) != 7 || s[4] != '-' || !civil_read_digits(s, 4, &y) ||
        !civil_read_digits(s + 5, 2, &m) || !year_ok(y) || m < 1 || m > 12)
        return bad(err, "period", s, "a month like 2026-11");
    memset(out, 0, sizeof(*out));
    out->kind = RP_MONTH;
    out->first = (struct ks_date){y, m, 1};
    out->end = m == 12 ? (struct ks_date){y + 1, 1, 1} : (struct ks_date){y, m + 1, 1};
    snprintf(out->label, sizeof(out->label), "%d年%d月", y, m);
    return 0;
}

int report_period_quarter(const char *s, struct report_period *out, struct ks_error *err)
{
    int y, q;
    size_t len = strlen(s), at = 4;

    if (len == 7 && s[4] == '-')
        at = 5;
    else if (len != 6)
        return bad(err, "quarter", s, "a quarter like 2026Q4");
    if (!civil_read_digits(s, 4, &y) || (s[at] != 'Q' && s[at] != 'q') ||
        !civil_read_digits(s + at + 1, 1, &q) || !year_ok(y) || q < 1 || q > 4)
        return bad(err, "quarter", s, "a quarter like 2026Q4");
    memset(out, 0, sizeof(*out));
    out->kind = RP_QUARTER;
    out->first = (struct ks_date){y, 3 * (q - 1) + 1, 1};
    out->end = q == 4 ? (struct ks_date){y + 1, 1, 1} : (struct ks_date){y, 3 * q + 1, 1};
    snprintf(out->label, sizeof(out->label), "%d年第%d季度", y, q);
    return 0;
}

int report_period_year(const char *s, struct report_period *out, struct ks_error *err)
{
    int y;

    if (strlen(s) != 4 || !civil_read_digits(s, 4, &y) || !year_ok(y))
        return bad(err, "year", s, "a year like 2026");
    memset(out, 0, sizeof(*out));
    out->kind = RP_YEAR;
    out->first = (struct ks_date){y, 1, 1};
    out->end = (struct ks_date){y + 1, 1, 1};
    snprintf(out->label, sizeof(out->label), "%d年", y);
    return 0;
}

int report_period_range(const char *from, const char *to, struct report_period *out,
                        struct ks_error *err)
{
    struct ks_date a, b;
    char sa[KS_DATE_STRLEN], sb[KS_DATE_STRLEN];
    int rc;

    if ((rc = civil_parse_date(from, "from", &a, err)) < 0 ||
        (rc = civil_parse_date(to, "to", &b, err)) < 0)
        return rc;
    if (civil_cmp(b, a) < 0)
        return ks_fail(err, KS_EINVAL, "to", "to: '%s' is before from '%s'", to, from);
    memset(out, 0, sizeof(*out));
    out->kind = RP_RANGE;
    out->first = a;
    out->end = civil_add_days(b, 1);
    civil_format_date(a, sa);
    civil_format_date(b, sb);
    snprintf(out->label, sizeof(out->label), "%s 至 %s", sa, sb);
    return 0;
}

static struct ks_date minus_year(struct ks_date d)
{
    d.y--;
    if (d.m == 2 && d.d == 29)
        d.d = 28;
    return d;
}

void report_period_slug(const struct report_period *p, char out[REPORT_SLUG_MAX])
{
    struct ks_date last = civil_add_days(p->end, -1);

    switch (p->kind) {
    case RP_MONTH:
        snprintf(out, REPORT_SLUG_MAX, "%04d-%02d", p->first.y, p->first.m);
        break;
    case RP_QUARTER:
        snprintf(out, REPORT_SLUG_MAX, "%04d-Q%d", p->first.y, (p->first.m - 1) / 3 + 1);
        break;
    case RP_YEAR:
        snprintf(out, REPORT_SLUG_MAX, "%04d", p->first.y);
        break;
    case RP_RANGE:
        snprintf(out, REPORT_SLUG_MAX, "%04d-%02d-%02d_%04d-%02d-%02d", p->first.y, p->first.m,
                 p->first.d, last.y, last.m, last.d);
        break;
    }
}

void report_period_previous(const struct report_period *p, struct report_period *out)
{
    char buf[16];
    struct ks_error err;

    switch (p->kind) {
    case RP_MONTH: {
        int y = p->first.m == 1 ? p->first.y - 1 : p->first.y;
        int m = p->first.m == 1 ? 12 : p->first.m - 1;
        snprintf(buf, sizeof(buf), "%04d-%02d", y, m);
        if (report_period_month(buf, out, &err) == 0)
            return;
        break;
    }
    case RP_QUARTER: {
        int q = (p->first.m - 1) / 3 + 1;
        int y = q == 1 ? p->first.y - 1 : p->first.y;
        snprintf(buf, sizeof(buf), "%04dQ%d", y, q == 1 ? 4 : q - 1);
        if (report_period_quarter(buf, out, &err) == 0)
            return;
        break;
    }
    case RP_YEAR:
        snprintf(buf, sizeof(buf), "%04d", p->first.y - 1);
        if (report_period_year(buf, out, &err) == 0)
            return;
        break;
    case RP_RANGE:
        break;
    }
    /* A range, or a period before 1970 that has no label: the same length just before. */
    int64_t len = civil_to_days(p->end) - civil_to_days(p->first);
    *out = *p;
    out->kind = RP_RANGE;
    out->end = p->first;
    out->first = civil_add_days(p->first, -len);
    char sa[KS_DATE_STRLEN], sb[KS_DATE_STRLEN];
    civil_format_date(out->first, sa);
    civil_format_date(civil_add_days(out->end, -1), sb);
    snprintf(out->label, sizeof(out->label), "%s 至 %s", sa, sb);
}

void report_period_last_year(const struct report_period *p, struct report_period *out)
{
    char sa[KS_DATE_STRLEN], sb[KS_DATE_STRLEN];

    *out = *p;
    out->first = minus_year(p->first);
    out->end = minus_year(p->end);
    switch (p->kind) {
    case RP_MONTH:
        snprintf(out->label, sizeof(out->label), "%d年%d月", out->first.y, out->first.m);
        break;
    case RP_QUARTER:
        snprintf(out->label, sizeof(out->label), "%d年第%d季度", out->first.y,
                 (out->first.m - 1) / 3 + 1);
        break;
    case RP_YEAR:
        snprintf(out->label, sizeof(out->label), "%d年", out->first.y);
        break;
    case RP_RANGE:
        civil_format_date(out->first, sa);
        civil_format_date(civil_add_days(out->end, -1), sb);
        snprintf(out->label, sizeof(out->label), "%s 至 %s", sa, sb);
        break;
    }
}

void report_period_bounds(const struct report_period *p, int offset_min, int64_t *from_out,
                          int64_t *to_out)
{
    *from_out = ks_time_from_local(p->first, 0, offset_min);
    *to_out = ks_time_from_local(p->end, 0, offset_min);
}

bool wd_is_workday(struct wd_index *w, struct ks_date d)
{
    enum cal_kind k = w->cal ? calendar_day(w->cal, d, NULL, NULL) : CAL_UNKNOWN;

    if (k == CAL_UNKNOWN) {
        w->gap = true;
        return civil_weekday(d) <= 5;
    }
    return k == CAL_WORKDAY;
}

void wd_index_init(struct wd_index *w, const struct calendar *cal, struct ks_date lo,
                   struct ks_date hi)
{
    int64_t span;

    memset(w, 0, sizeof(*w));
    w->cal = cal;
    /* Only days the calendar knows are indexed, so every unknown day takes the slow path that
     * raises the gap flag. */
    if (!cal || cal->first_year == 0)
        return;
    if (civil_cmp(lo, (struct ks_date){cal->first_year, 1, 1}) < 0)
        lo = (struct ks_date){cal->first_year, 1, 1};
    if (civil_cmp(hi, (struct ks_date){cal->last_year, 12, 31}) > 0)
        hi = (struct ks_date){cal->last_year, 12, 31};
    w->lo = lo;
    w->lo_days = civil_to_days(lo);
    span = civil_to_days(hi) - civil_to_days(lo) + 1;
    if (span <= 0)
        return;
    w->n = (size_t)span;
    w->prefix = xmalloc((w->n + 1) * sizeof(*w->prefix));
    w->prefix[0] = 0;
    for (size_t i = 0; i < w->n; i++)
        w->prefix[i + 1] =
            w->prefix[i] + (wd_is_workday(w, civil_add_days(lo, (int64_t)i)) ? 1 : 0);
}

void wd_index_release(struct wd_index *w)
{
    free(w->prefix);
    memset(w, 0, sizeof(*w));
}

/* Working days in [a, b] (both included), a <= b, counted in and around the index. */
static int64_t count_closed(struct wd_index *w, int64_t a, int64_t b)
{
    int64_t n = 0, hi = w->lo_days + (int64_t)w->n - 1;

    for (; a <= b && (a < w->lo_days || a > hi); a++)
        n += wd_is_workday(w, civil_from_days(a));
    if (a > b)
        return n;
    int64_t last = b < hi ? b : hi;
    n += w->prefix[last - w->lo_days + 1] - w->prefix[a - w->lo_days];
    for (int64_t d = last + 1; d <= b; d++)
        n += wd_is_workday(w, civil_from_days(d));
    return n;
}

/* The working days among day numbers da + 1 .. db. */
static int64_t between_days(struct wd_index *w, int64_t da, int64_t db)
{
    if (db <= da)
        return 0;
    return count_closed(w, da + 1, db);
}

int64_t wd_between(struct wd_index *w, struct ks_date a, struct ks_date b)
{
    return between_days(w, civil_to_days(a), civil_to_days(b));
}

int64_t report_local_day(int64_t t, int offset_min)
{
    int64_t local = t + (int64_t)offset_min * 60;
    return local / 86400 - (local % 86400 < 0);
}

int64_t wd_between_instants(struct wd_index *w, int64_t t0, int64_t t1, int offset_min)
{
    return between_days(w, report_local_day(t0, offset_min), report_local_day(t1, offset_min));
}
