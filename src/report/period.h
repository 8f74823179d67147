/* Report periods and working-day counting. A period is a half-open range of local dates
 * [first, end) with a label people read ("2026年11月", "2026年第4季度"); working days between
 * two dates are counted with a prefix-sum index over the calendar so that streaming millions
 * of rows costs two array reads per duration. Ownership: struct report_period is plain data;
 * struct wd_index is caller-owned storage (wd_index_init / wd_index_release) that borrows the
 * calendar until released. */
#ifndef KS_REPORT_PERIOD_H
#define KS_REPORT_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "lib/civil.h"
#include "lib/err.h"

enum report_period_kind { RP_MONTH = 0, RP_QUARTER, RP_YEAR, RP_RANGE };

struct report_period {
    enum report_period_kind kind;
    struct ks_date first; /* first day */
    struct ks_date end;   /* the day after the last day */
    char label[64]; /* "2026年11月", "2026年第4季度", "2026年", "2026-11-03 至 2026-11-20" */
};

/* "2026-11" (field "period"). */
int report_period_month(const char *s, struct report_period *out, struct ks_error *err);
/* "2026Q4" or "2026-Q4" (field "quarter"). */
int report_period_quarter(const char *s, struct report_period *out, struct ks_error *err);
/* "2026" (field "year"). */
int report_period_year(const char *s, struct report_period *out, struct ks_error *err);
/* Two dates "YYYY-MM-DD", both days included (fields "from", "to"). */
int report_period_range(const char *from, const char *to, struct report_period *out,
                        struct ks_error *err);
#define REPORT_SLUG_MAX 32
/* The period in file names, ASCII: "2026-11", "2026-Q4", "2026", "2026-11-03_2026-11-20"
 * (a range names its first and last day). */
void report_period_slug(const struct report_period *p, char out[REPORT_SLUG_MAX]);
/* The period just before p: the previous month, quarter or year, or for a range the same
 * number of days ending where p begins. */
void report_period_previous(const struct report_period *p, struct report_period *out);
/* The same period one year earlier (29 February becomes 28 February). */
void report_period_last_year(const struct report_period *p, struct report_period *out);
/* The instants of local midnight at first and end. */
void report_period_bounds(const struct report_period *p, int offset_min, int64_t *from_out,
                          int64_t *to_out);

/* Working days of a calendar between dates, with a precomputed prefix sum over [lo, hi]. */
struct wd_index {
    const struct calendar *cal;
    struct ks_date lo;
    int64_t lo_days; /* civil_to_days(lo) */
    int32_t *prefix; /* prefix[i]: working days among lo .. lo+i-1 */
    size_t n;        /* days indexed */
    bool gap;        /* a day outside the calendar was counted as Monday-Friday */
};
void wd_index_init(struct wd_index *w, const struct calendar *cal, struct ks_date lo,
                   struct ks_date hi);
void wd_index_release(struct wd_index *w);
/* True when d is a working day; days the calendar does not know count Monday-Friday and set
 * w->gap. */
bool wd_is_workday(struct wd_index *w, struct ks_date d);
/* The working days d with a < d <= b (0 when b <= a). Tested by tests/unit/test-report.c. */
int64_t wd_between(struct wd_index *w, struct ks_date a, struct ks_date b);
/* wd_between over the local dates of two instants. */
int64_t wd_between_instants(struct wd_index *w, int64_t t0, int64_t t1, int offset_min);
/* civil_to_days() of the local date of instant t, without making the date: a report takes the
 * local day of a few instants per complaint. */
int64_t report_local_day(int64_t t, int offset_min);

#endif
