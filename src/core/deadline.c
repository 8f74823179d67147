/* Deadlines under the PRC Civil Code and the stage clocks built on them.
 *
 * Counting (arts. 201, 203): a period in hours is exact clock time from the instant. A period in
 * days or working days starts counting on the day after the day of receipt (the local date of
 * "from" at the deployment's UTC offset) and ends at 24:00 of its last day, or at the close of
 * business of that day when business hours are configured. Working days count only days the
 * calendar calls working days; calendar days count every day, but a last day that is a rest day
 * moves on to the next working day. 24:00 is written as 00:00 of the next local day, so the
 * three working days from 2026-09-30 end at "2026-10-11T00:00:00+08:00", i.e. 24:00 of the
 * adjusted working Saturday 2026-10-10. Every day that has to be examined must be known to the
 * calendar: an unknown day is an error, never a guess.
 *
 * Stage clocks keep the due instant current: a pause gives time back on resume, an extension
 * pushes the due instant further, and breach and usage are judged against it.
 *
 * Tested by tests/unit/test-deadline.c (table: tests/unit/cases/deadline.tsv). */
#include "core/deadline.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/banned.h"

#define DL_MAX_DAYS  3650
#define DL_MAX_HOURS 87600

static const char *const unit_names[] = {"hours", "days", "workdays"};

/* Every spelling a preset or a person may use for a unit, English (any case) and Chinese. */
static const struct {
    const char *word;
    enum dl_unit unit;
} unit_words[] = {
    {"h", DL_HOURS},
    {"hour", DL_HOURS},
    {"hours", DL_HOURS},
    {"hr", DL_HOURS},
    {"hrs", DL_HOURS},
    {"小时", DL_HOURS},
    {"个小时", DL_HOURS},
    {"d", DL_DAYS},
    {"day", DL_DAYS},
    {"days", DL_DAYS},
    {"日", DL_DAYS},
    {"天", DL_DAYS},
    {"wd", DL_WORKDAYS},
    {"workday", DL_WORKDAYS},
    {"workdays", DL_WORKDAYS},
    {"working day", DL_WORKDAYS},
    {"working days", DL_WORKDAYS},
    {"工作日", DL_WORKDAYS},
    {"个工作日", DL_WORKDAYS},
};

const char *dl_unit_name(enum dl_unit u)
{
    return (unsigned)u < sizeof(unit_names) / sizeof(unit_names[0]) ? unit_names[u] : "unknown";
}

static bool unit_lookup(const char *s, size_t len, enum dl_unit *out)
{
    for (size_t i = 0; i < sizeof(unit_words) / sizeof(unit_words[0]); i++) {
        if (strlen(unit_words[i].word) == len && strncasecmp(unit_words[i].word, s, len) == 0) {
            *out = unit_words[i].unit;
            return true;
        }
    }
    return false;
}

/* The length of the blank (ASCII space, tab or the ideographic space U+3000) at s, or 0. */
static size_t blank_len(const char *s)
{
    if (*s == ' ' || *s == '\t')
        return 1;
    if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
        return 3;
    return 0;
}

static const char *skip_blanks(const char *s)
{
    size_t n;
    while ((n = blank_len(s)) > 0)
        s += n;
    return s;
}

/* The length of s without its trailing blanks. */
static size_t trimmed_len(const char *s)
{
    size_t end = 0, i = 0;
    while (s[i]) {
        size_t n = blank_len(s + i);
        if (n == 0) {
            i++;
            end = i;
        } else {
            i += n;
        }
    }
    return end;
}

int dl_unit_parse(const char *s, enum dl_unit *out, struct ks_error *err)
{
    const char *p = s ? skip_blanks(s) : "";

    if (!unit_lookup(p, trimmed_len(p), out))
        return ks_fail(err, KS_EINVAL, "unit", "unit: '%s' is not hours, days or workdays",
                       s ? s : "");
    return 0;
}

static int check_period(struct dl_period p, const char *field, struct ks_error *err)
{
    int max = p.unit == DL_HOURS ? DL_MAX_HOURS : DL_MAX_DAYS;

    if ((unsigned)p.unit > DL_WORKDAYS)
        return ks_fail(err, KS_EINVAL, field, "%s: unit %d is not hours, days or workdays", field,
                       (int)p.unit);
    if (p.n < 1)
        return ks_fail(err, KS_EINVAL, field, "%s: %d %s must be at least 1", field, p.n,
                       dl_unit_name(p.unit));
    if (p.n > max)
        return ks_fail(err, KS_EINVAL, field, "%s: %d %s is more than %d %s", field, p.n,
                       dl_unit_name(p.unit), max, dl_unit_name(p.unit));
    return 0;
}

int dl_period_parse(const char *s, struct dl_period *out, struct ks_error *err)
{
    const char *p = s ? skip_blanks(s) : "";
    const char *q = p;
    long long n = 0;
    struct dl_period r;
    int max;

    out->unit = DL_HOURS;
    out->n = 0;
    if (*p == '-')
        return ks_fail(err, KS_EINVAL, "period", "period: '%s' is negative", s);
    while (*q >= '0' && *q <= '9') {
        /* Stop growing past any sane size; the range check below reports it. */
        if (n <= 100000000)
            n = n * 10 + (*q - '0');
        q++;
    }
    if (q == p || *q == '.' || *q == ',')
        return ks_fail(err, KS_EINVAL, "period",
                       "period: '%s' is not a period like 24h, 3 workdays, 15 days, 24小时, "
                       "3个工作日 or 15日",
                       s ? s : "");
    q = skip_blanks(q);
    if (*q == '\0')
        return ks_fail(err, KS_EINVAL, "period",
                       "period: '%s' has no unit (hours, days or workdays)", s);
    if (!unit_lookup(q, trimmed_len(q), &r.unit))
        return ks_fail(err, KS_EINVAL, "period",
                       "period: '%s' has an unknown unit (use h/hours/小时, d/days/日/天 or "
                       "wd/workdays/工作日)",
                       s);
    max = r.unit == DL_HOURS ? DL_MAX_HOURS : DL_MAX_DAYS;
    if (n == 0)
        return ks_fail(err, KS_EINVAL, "period", "period: '%s' must be at least 1", s);
    if (n > max)
        return ks_fail(err, KS_EINVAL, "period", "period: '%s' is more than %d %s", s, max,
                       dl_unit_name(r.unit));
    r.n = (int)n;
    *out = r;
    return 0;
}

void dl_period_format(struct dl_period p, char *out, size_t size)
{
    const char *name = dl_unit_name(p.unit);
    /* "1 workday", not "1 workdays": drop the plural's final 's'. */
    int len = p.n == 1 ? (int)strlen(name) - 1 : (int)strlen(name);

    snprintf(out, size, "%d %.*s", p.n, len, name);
}

static int check_zone(const struct dl_zone *zone, struct ks_error *err)
{
    if (!zone)
        return ks_fail(err, KS_EINVAL, "zone", "zone: missing");
    if (zone->utc_offset_min <= -1440 || zone->utc_offset_min >= 1440)
        return ks_fail(err, KS_EINVAL, "utc_offset_min", "utc_offset_min: %d is not within a day",
                       zone->utc_offset_min);
    /* 0 would end a period at the very start of its last day: certainly a mistake. */
    if (zone->business_close_min != -1 &&
        (zone->business_close_min < 1 || zone->business_close_min > 1440))
        return ks_fail(err, KS_EINVAL, "business_close_min",
                       "business_close_min: %d is not -1 (24:00) or a minute 1..1440",
                       zone->business_close_min);
    return 0;
}

static int unknown_day(const struct calendar *cal, struct ks_date d, struct ks_error *err)
{
    char ds[KS_DATE_STRLEN];

    civil_format_date(d, ds);
    if (cal->first_year == 0)
        return ks_fail(err, KS_EINVAL, "calendar",
                       "%s is outside the known calendar (no calendar loaded)", ds);
    return ks_fail(err, KS_EINVAL, "calendar", "%s is outside the known calendar (%d-%d)", ds,
                   cal->first_year, cal->last_year);
}

/* Records a rest day in the explanation; n_skips never exceeds the array, and
 * skips_truncated says when more were left out. */
static void add_skip(struct dl_explain *ex, struct ks_date d, enum cal_reason reason,
                     const char *name)
{
    if (!ex)
        return;
    if (ex->n_skips == DL_EXPLAIN_MAX_SKIPS) {
        ex->skips_truncated = true;
        return;
    }
    ex->skips[ex->n_skips].date = d;
    ex->skips[ex->n_skips].reason = reason;
    ex->skips[ex->n_skips].name = name;
    ex->n_skips++;
}

int deadline_add(const struct calendar *cal, const struct dl_zone *zone, int64_t from,
                 struct dl_period period, int64_t *due_out, struct dl_explain *explain,
                 struct ks_error *err)
{
    struct ks_date start, d;
    enum cal_reason reason;
    const char *name;
    int rc;

    *due_out = KS_TIME_NONE;
    if (explain)
        memset(explain, 0, sizeof(*explain));
    if ((rc = check_zone(zone, err)) < 0 || (rc = check_period(period, "period", err)) < 0)
        return rc;
    if (from == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "from", "from: no start instant");
    start = ks_time_local_date(from, zone->utc_offset_min);
    if (explain)
        explain->start_date = start;

    if (period.unit == DL_HOURS) {
        *due_out = from + (int64_t)period.n * 3600;
        if (explain)
            explain->last_day = ks_time_local_date(*due_out, zone->utc_offset_min);
        return 0;
    }

    d = start;
    if (period.unit == DL_WORKDAYS) {
        for (int counted = 0; counted < period.n;) {
            enum cal_kind k;
            d = civil_add_days(d, 1);
            k = calendar_day(cal, d, &reason, &name);
            if (k == CAL_UNKNOWN)
                return unknown_day(cal, d, err);
            if (k == CAL_WORKDAY)
                counted++;
            else
                add_skip(explain, d, reason, name);
        }
    } else {
        d = civil_add_days(start, period.n);
        for (;;) {
            enum cal_kind k = calendar_day(cal, d, &reason, &name);
            if (k == CAL_UNKNOWN)
                return unknown_day(cal, d, err);
            if (k == CAL_WORKDAY)
                break;
            add_skip(explain, d, reason, name);
            if (explain)
                explain->moved_off_restday = true;
            d = civil_add_days(d, 1);
        }
    }
    if (explain) {
        explain->last_day = d;
        explain->business_close = zone->business_close_min >= 0;
    }
    *due_out = ks_time_from_local(
        d, zone->business_close_min >= 0 ? zone->business_close_min : 1440, zone->utc_offset_min);
    return 0;
}

/* The local last day of a day-unit due instant: 24:00 is 00:00 of the next day, so step back
 * one second; a close of business (1..1440 minutes) lies inside its own day either way. */
static struct ks_date due_last_day(int64_t due, const struct dl_zone *zone)
{
    return ks_time_local_date(due - 1, zone->utc_offset_min);
}

/* The due instant k units (of clk's period) after clk->due_at. For day units the count starts
 * after the current last day, exactly as a new period would: k working days later, or k days
 * later moved off a rest day. */
static int push_due(const struct stage_clock *clk, const struct calendar *cal,
                    const struct dl_zone *zone, int64_t k, int64_t *due_out, struct ks_error *err)
{
    struct dl_period p = {clk->period.unit, 0};
    int max = p.unit == DL_HOURS ? DL_MAX_HOURS : DL_MAX_DAYS;
    struct ks_date last;

    if (k == 0) {
        *due_out = clk->due_at;
        return 0;
    }
    if (k > max)
        return ks_fail(err, KS_EINVAL, "period", "period: %lld %s more is more than %d",
                       (long long)k, dl_unit_name(p.unit), max);
    p.n = (int)k;
    if (p.unit == DL_HOURS) {
        *due_out = clk->due_at + k * 3600;
        return 0;
    }
    last = due_last_day(clk->due_at, zone);
    return deadline_add(cal, zone, ks_time_from_local(last, 0, zone->utc_offset_min), p, due_out,
                        NULL, err);
}

int stage_clock_start(struct stage_clock *clk, const struct calendar *cal,
                      const struct dl_zone *zone, int64_t now, struct dl_period period,
                      struct ks_error *err)
{
    int64_t due;
    int rc = deadline_add(cal, zone, now, period, &due, NULL, err);

    if (rc < 0)
        return rc;
    clk->started_at = now;
    clk->period = period;
    clk->due_at = due;
    clk->paused_at = KS_TIME_NONE;
    clk->paused_secs = 0;
    clk->extended = false;
    clk->met_at = KS_TIME_NONE;
    return 0;
}

int stage_clock_pause(struct stage_clock *clk, int64_t now, struct ks_error *err)
{
    if (clk->met_at != KS_TIME_NONE)
        return ks_fail(err, KS_ECONFLICT, "clock", "clock: already stopped, cannot pause");
    if (clk->paused_at != KS_TIME_NONE)
        return ks_fail(err, KS_ECONFLICT, "clock", "clock: already paused");
    if (now == KS_TIME_NONE || now < clk->started_at)
        return ks_fail(err, KS_EINVAL, "now", "now: before the clock started");
    clk->paused_at = now;
    return 0;
}

/* Resuming gives back the time the pause took, in the unit of the period:
 * - hours: exactly the paused clock time;
 * - working days: the working days d with pause date < d <= resume date; calendar days: every
 *   such day. The day the clock was paused counts as used, because the clock ran on it, and
 *   the day it resumes is given back, just as the day of receipt is not counted (art. 201):
 *   the remaining days run again from the day after the resumption. A pause within one day
 *   therefore moves nothing, and a pause from Tuesday to Wednesday gives back one working day.
 * The days are added after the current last day (and a calendar-day end is moved off a rest
 * day again), so a pause is never swallowed by a weekend the old end had already moved over.
 * On error (a day the calendar does not know) the clock stays paused and unchanged. */
int stage_clock_resume(struct stage_clock *clk, const struct calendar *cal,
                       const struct dl_zone *zone, int64_t now, struct ks_error *err)
{
    int64_t back, due;
    int rc;

    if (clk->paused_at == KS_TIME_NONE)
        return ks_fail(err, KS_ECONFLICT, "clock", "clock: not paused");
    if (clk->met_at != KS_TIME_NONE)
        return ks_fail(err, KS_ECONFLICT, "clock", "clock: already stopped, cannot resume");
    if (now == KS_TIME_NONE || now < clk->paused_at)
        return ks_fail(err, KS_EINVAL, "now", "now: before the clock was paused");
    if ((rc = check_zone(zone, err)) < 0)
        return rc;

    if (clk->period.unit == DL_HOURS) {
        due = clk->due_at + (now - clk->paused_at);
    } else {
        struct ks_date d = ks_time_local_date(clk->paused_at, zone->utc_offset_min);
        struct ks_date end = ks_time_local_date(now, zone->utc_offset_min);
        int64_t span = civil_to_days(end) - civil_to_days(d);

        if (span > 2 * DL_MAX_DAYS)
            return ks_fail(err, KS_EINVAL, "now", "now: a pause of %lld days is beyond reason",
                           (long long)span);
        back = 0;
        if (clk->period.unit == DL_DAYS) {
            back = span;
        } else {
            while (civil_cmp(d, end) < 0) {
                enum cal_kind k;
                d = civil_add_days(d, 1);
                k = calendar_day(cal, d, NULL, NULL);
                if (k == CAL_UNKNOWN)
                    return unknown_day(cal, d, err);
                back += k == CAL_WORKDAY;
            }
        }
        if ((rc = push_due(clk, cal, zone, back, &due, err)) < 0)
            return rc;
    }
    clk->due_at = due;
    clk->paused_secs += now - clk->paused_at;
    clk->paused_at = KS_TIME_NONE;
    return 0;
}

int stage_clock_extend(struct stage_clock *clk, const struct calendar *cal,
                       const struct dl_zone *zone, struct dl_period longer, struct ks_error *err)
{
    char have[32], want[32];
    int64_t due;
    int rc;

    if (clk->extended)
        return ks_fail(err, KS_ECONFLICT, "clock", "clock: already extended once");
    if (clk->met_at != KS_TIME_NONE)
        return ks_fail(err, KS_ECONFLICT, "clock", "clock: already stopped, cannot extend");
    if ((rc = check_zone(zone, err)) < 0 || (rc = check_period(longer, "period", err)) < 0)
        return rc;
    dl_period_format(clk->period, have, sizeof(have));
    dl_period_format(longer, want, sizeof(want));
    if (longer.unit != clk->period.unit)
        return ks_fail(err, KS_EINVAL, "period",
                       "period: '%s' is not in the unit of the current '%s'", want, have);
    if (longer.n <= clk->period.n)
        return ks_fail(err, KS_EINVAL, "period", "period: '%s' is not longer than '%s'", want,
                       have);
    /* The due instant already includes the stage start and every pause given back; the extra
     * units continue from it exactly as the original period would have. */
    if ((rc = push_due(clk, cal, zone, longer.n - clk->period.n, &due, err)) < 0)
        return rc;
    clk->due_at = due;
    clk->period = longer;
    clk->extended = true;
    return 0;
}

/* Meeting a paused clock keeps paused_at: the clock stopped running when it was paused, and
 * breach and usage are judged at that instant. */
void stage_clock_meet(struct stage_clock *clk, int64_t now)
{
    if (clk->met_at == KS_TIME_NONE)
        clk->met_at = now;
}

/* The instant up to which the clock has run: now while running, else when it paused or met. */
static int64_t run_until(const struct stage_clock *clk, int64_t now)
{
    if (clk->paused_at != KS_TIME_NONE)
        return clk->paused_at;
    if (clk->met_at != KS_TIME_NONE)
        return clk->met_at;
    return now;
}

/* A paused clock cannot run out while paused, but one paused after its due instant had
 * already passed stays breached: pausing must not hide a late stage from the overdue list. */
bool stage_clock_is_breached(const struct stage_clock *clk, int64_t now)
{
    return run_until(clk, now) > clk->due_at;
}

int stage_clock_used_permille(const struct stage_clock *clk, int64_t now)
{
    int64_t used = run_until(clk, now) - clk->started_at - clk->paused_secs;
    int64_t total = clk->due_at - clk->started_at - clk->paused_secs;
    double pm;

    if (used <= 0)
        return 0;
    if (total <= 0)
        return INT_MAX;
    /* In double so a clock left running for ages cannot overflow; exact for whole results. */
    pm = (double)used * 1000.0 / (double)total;
    return pm >= (double)INT_MAX ? INT_MAX : (int)pm;
}
