/* The working-day calendar of mainland China: which civil dates are working days.
 *
 * Source: the State Council's yearly holiday notices (国务院办公厅关于部分节假日安排的通知),
 * transcribed into data/cn-calendar.csv as "date,kind,name" (embedded in the binary and loaded
 * with calendar_load_csv()), plus an organisation's own rest or working days added with
 * calendar_add_org_day().
 *
 * Algorithm: the calendar holds only the exceptions, one entry per date, sorted by date. The
 * kind of a date is found by binary search (O(log n); about 250 official entries for seven
 * years): an entry decides (holiday or org rest day = rest day; adjusted working day or org
 * working day = working day); without an entry Monday-Friday is a working day and
 * Saturday/Sunday a rest day. An org entry replaces the official entry of the same date, so
 * the organisation always wins.
 *
 * Edge cases:
 * - weekends: an unlisted Saturday or Sunday is a rest day (CAL_R_WEEKEND, no name);
 * - a holiday on a weekend (2026-10-03 National Day is a Saturday) is listed as a holiday and
 *   reported as one, so explanations name the festival rather than "weekend";
 * - an adjusted working Saturday or Sunday (调休上班, 2026-10-10) is a working day, and the
 *   loader refuses a "workday" entry on Monday-Friday, which would be a transcription error;
 * - the year boundary needs no special case: dates are compared as (y, m, d), so 2025-12-31 and
 *   2026-01-01 are neighbours like any other two days;
 * - an unknown year (before the first or after the last year listed) is CAL_UNKNOWN and never
 *   guessed: 2027-01-01 is a statutory holiday we cannot know before the notice is published.
 *
 * Tested by tests/unit/test-calendar.c. */
#include "core/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#include "lib/banned.h"

void calendar_init(struct calendar *cal)
{
    memset(cal, 0, sizeof(*cal));
}

void calendar_release(struct calendar *cal)
{
    for (size_t i = 0; i < cal->n_entries; i++)
        free(cal->entries[i].name);
    free(cal->entries);
    calendar_init(cal);
}

/* Dates compared as (y, m, d): cheaper than converting both to day numbers. */
static int date_cmp(struct ks_date a, struct ks_date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

/* The index of the entry for d, or (when absent) the index where it would be inserted, with
 * *found telling which. */
static size_t find_entry(const struct calendar *cal, struct ks_date d, bool *found)
{
    size_t lo = 0, hi = cal->n_entries;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = date_cmp(cal->entries[mid].date, d);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static void free_entries(struct cal_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

static void trim(char **s)
{
    char *p = *s;
    size_t n;

    while (*p == ' ' || *p == '\t')
        p++;
    n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        p[--n] = '\0';
    *s = p;
}

/* Splits one CSV line in place into fields (RFC 4180 quoting, "" for a quote); unquoted fields
 * are trimmed of blanks. Stores at most max fields and returns how many the line has, or -1
 * for an unterminated or misplaced quote. */
static int split_csv(char *s, char **f, int max)
{
    int n = 0;
    char *r = s;
    bool more = true;

    while (more) {
        char *field = r;
        if (*r == '"') {
            char *w = r;
            for (r++;;) {
                if (*r == '\0')
                    return -1;
                if (r[0] == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
            if (*r != ',' && *r != '\0')
                return -1;
            more = *r == ',';
            *w = '\0';
        } else {
            while (*r != ',' && *r != '\0')
                r++;
            more = *r == ',';
            *r = '\0';
            trim(&field);
        }
        if (n < max)
            f[n] = field;
        n++;
        r++;
    }
    return n;
}

/* The reason for a "kind" column; a workday entry on Monday-Friday would be a transcription
 * error (those are working days anyway), so it is refused. */
static int parse_kind(const char *kind, struct ks_date d, enum cal_reason *out,
                      struct ks_error *err)
{
    static const char *const day_names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                            "friday", "saturday", "sunday"};
    int wd = civil_weekday(d);
    char ds[KS_DATE_STRLEN];

    if (strcmp(kind, "holiday") == 0) {
        *out = CAL_R_HOLIDAY;
        return 0;
    }
    if (strcmp(kind, "workday") != 0)
        return ks_fail(err, KS_EINVAL, "kind", "kind: '%s' is not holiday or workday", kind);
    if (wd < 6) {
        civil_format_date(d, ds);
        return ks_fail(err, KS_EINVAL, "kind",
                       "kind: workday on '%s', a %s; adjusted working days (调休) are saturdays "
                       "or sundays",
                       ds, day_names[wd - 1]);
    }
    *out = CAL_R_ADJUSTED;
    return 0;
}

/* Parses one data line "date,kind,name" into e (e->name owned on success). */
static int parse_line(const char *p, size_t len, struct cal_entry *e, struct ks_error *err)
{
    char *line = xstrndup(p, len);
    char *f[3];
    int n = split_csv(line, f, 3);
    int rc;

    if (n < 0)
        rc = ks_fail(err, KS_EINVAL, NULL, "unbalanced quotes in '%.*s'", (int)len, p);
    else if (n != 3)
        rc = ks_fail(err, KS_EINVAL, NULL, "expected 3 fields date,kind,name, found %d", n);
    else
        rc = civil_parse_date(f[0], "date", &e->date, err);
    if (rc == 0)
        rc = parse_kind(f[1], e->date, &e->reason, err);
    if (rc == 0 && f[2][0] == '\0')
        rc = ks_fail(err, KS_EINVAL, "name", "name: empty for '%s'", f[0]);
    if (rc == 0)
        e->name = xstrdup(f[2]);
    free(line);
    return rc;
}

static bool is_blank(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return false;
    return true;
}

int calendar_load_csv(struct calendar *cal, const char *text, size_t len, const char *source,
                      struct ks_error *err)
{
    static const char header[] = "date,kind,name";
    const char *src = source ? source : "calendar";
    struct cal_entry *v = NULL;
    size_t n = 0, cap = 0, pos = 0;
    bool seen_header = false;
    int line = 0;

    if (cal->n_entries > 0 || cal->first_year != 0)
        return ks_fail(err, KS_EINVAL, NULL,
                       "%s: the calendar is already loaded; load the official calendar once, "
                       "before any organisation days",
                       src);
    /* Spreadsheet programs like to save CSV with a UTF-8 byte order mark. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *p = text + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - p) : len - pos;
        struct cal_entry e = {{0, 0, 0}, CAL_R_HOLIDAY, NULL};
        int rc;

        pos += l + (nl ? 1 : 0);
        line++;
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (is_blank(p, l))
            continue;
        if (!seen_header) {
            if (l != sizeof(header) - 1 || memcmp(p, header, l) != 0) {
                free_entries(v, n);
                return ks_fail(err, KS_EINVAL, NULL, "%s:%d: expected the header '%s'", src, line,
                               header);
            }
            seen_header = true;
            continue;
        }
        rc = parse_line(p, l, &e, err);
        if (rc == 0 && n > 0 && date_cmp(e.date, v[n - 1].date) <= 0) {
            char a[KS_DATE_STRLEN], b[KS_DATE_STRLEN];
            civil_format_date(e.date, a);
            civil_format_date(v[n - 1].date, b);
            rc = ks_fail(err, KS_EINVAL, "date",
                         "date: '%s' is not after '%s' (dates must be sorted and unique)", a, b);
            free(e.name);
        }
        if (rc < 0) {
            free_entries(v, n);
            ks_error_prefix(err, "%s:%d", src, line);
            return rc;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            v = xrealloc(v, cap * sizeof(*v));
        }
        v[n++] = e;
    }
    if (n == 0)
        return ks_fail(err, KS_EINVAL, NULL, "%s: no dates listed", src);
    cal->entries = v;
    cal->n_entries = n;
    cal->cap_entries = cap;
    cal->first_year = v[0].date.y;
    cal->last_year = v[n - 1].date.y;
    return 0;
}

int calendar_add_org_day(struct calendar *cal, struct ks_date d, bool is_workday, const char *name,
                         struct ks_error *err)
{
    char ds[KS_DATE_STRLEN];
    bool found;
    size_t i;
    const char *label = name && *name ? name
                        : is_workday  ? "organisation working day"
                                      : "organisation rest day";

    if (!civil_is_valid(d))
        return ks_fail(err, KS_EINVAL, "date", "date: %04d-%02d-%02d is not a real calendar date",
                       d.y, d.m, d.d);
    civil_format_date(d, ds);
    if (cal->first_year == 0)
        return ks_fail(err, KS_EINVAL, "date",
                       "date: '%s' cannot be added before the official calendar is loaded", ds);
    if (d.y < cal->first_year || d.y > cal->last_year)
        return ks_fail(err, KS_EINVAL, "date", "date: '%s' is outside the known calendar (%d-%d)",
                       ds, cal->first_year, cal->last_year);
    i = find_entry(cal, d, &found);
    if (found) {
        xstrset(&cal->entries[i].name, label);
    } else {
        if (cal->n_entries == cal->cap_entries) {
            cal->cap_entries = cal->cap_entries ? cal->cap_entries * 2 : 16;
            cal->entries = xrealloc(cal->entries, cal->cap_entries * sizeof(*cal->entries));
        }
        memmove(cal->entries + i + 1, cal->entries + i,
                (cal->n_entries - i) * sizeof(*cal->entries));
        cal->n_entries++;
        cal->entries[i].date = d;
        cal->entries[i].name = xstrdup(label);
    }
    cal->entries[i].reason = is_workday ? CAL_R_ORG_WORK : CAL_R_ORG_REST;
    return 0;
}

enum cal_kind calendar_day(const struct calendar *cal, struct ks_date d,
                           enum cal_reason *reason_out, const char **name_out)
{
    enum cal_reason reason;
    const char *name = NULL;
    enum cal_kind kind;
    bool found;

    if (cal->first_year == 0 || !civil_is_valid(d) || d.y < cal->first_year ||
        d.y > cal->last_year) {
        kind = CAL_UNKNOWN;
        reason = CAL_R_UNKNOWN;
    } else {
        size_t i = find_entry(cal, d, &found);
        if (found) {
            reason = cal->entries[i].reason;
            name = cal->entries[i].name;
            kind = reason == CAL_R_ADJUSTED || reason == CAL_R_ORG_WORK ? CAL_WORKDAY : CAL_RESTDAY;
        } else if (civil_weekday(d) >= 6) {
            kind = CAL_RESTDAY;
            reason = CAL_R_WEEKEND;
        } else {
            kind = CAL_WORKDAY;
            reason = CAL_R_WEEKDAY;
        }
    }
    if (reason_out)
        *reason_out = reason;
    if (name_out)
        *name_out = name;
    return kind;
}

const char *cal_kind_name(enum cal_kind k)
{
    switch (k) {
    case CAL_WORKDAY:
        return "workday";
    case CAL_RESTDAY:
        return "restday";
    case CAL_UNKNOWN:
        return "unknown";
    }
    return "unknown";
}

const char *calendar_name_zh(const char *name)
{
    static const struct {
        const char *en, *zh;
    } names[] = {
        {"New Year's Day", "元旦"},
        {"Spring Festival", "春节"},
        {"Tomb-sweeping Day", "清明节"},
        {"Labour Day", "劳动节"},
        {"Dragon Boat Festival", "端午节"},
        {"Mid-autumn Festival", "中秋节"},
        {"National Day", "国庆节"},
        {"National Day/Mid-autumn Festival", "国庆节、中秋节"},
        {"Mid-autumn Festival/National Day", "中秋节、国庆节"},
    };
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i].en) == 0)
            return names[i].zh;
    return name;
}
