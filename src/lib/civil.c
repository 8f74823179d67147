/* Civil-date arithmetic (Howard Hinnant's days_from_civil / civil_from_days, exact for all
 * int32 years) and RFC 3339 parsing and printing at a fixed UTC offset. */
#include "lib/civil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/banned.h"

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool civil_is_valid(struct ks_date d)
{
    return d.y >= 1 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
           d.d <= month_days(d.y, d.m);
}

int64_t civil_to_days(struct ks_date d)
{
    int64_t y = d.m <= 2 ? d.y - 1 : d.y;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (d.m > 2 ? d.m - 3 : d.m + 9) + 2) / 5 + d.d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct ks_date civil_from_days(int64_t z)
{
    struct ks_date r;
    int64_t era, doe, yoe, doy, mp, y;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.y = (int)(r.m <= 2 ? y + 1 : y);
    return r;
}

struct ks_date civil_add_days(struct ks_date d, int64_t n)
{
    return civil_from_days(civil_to_days(d) + n);
}

int civil_weekday(struct ks_date d)
{
    int64_t z = civil_to_days(d);
    /* 1970-01-01 was a Thursday (ISO 4). */
    int64_t w = (z % 7 + 7 + 3) % 7;
    return (int)w + 1;
}

int civil_cmp(struct ks_date a, struct ks_date b)
{
    int64_t x = civil_to_days(a), y = civil_to_days(b);
    return x < y ? -1 : x > y;
}

bool civil_read_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool parse_date_prefix(const char *s, struct ks_date *d)
{
    return civil_read_digits(s, 4, &d->y) && s[4] == '-' && civil_read_digits(s + 5, 2, &d->m) &&
           s[7] == '-' && civil_read_digits(s + 8, 2, &d->d);
}

int civil_parse_date(const char *s, const char *field, struct ks_date *out, struct ks_error *err)
{
    struct ks_date d = {0, 0, 0};
    if (!s || strlen(s) != 10 || !parse_date_prefix(s, &d))
        return ks_fail(err, KS_EINVAL, field, "%s: '%s' is not a date like 2026-11-28",
                       field ? field : "date", s ? s : "");
    if (!civil_is_valid(d))
        return ks_fail(err, KS_EINVAL, field, "%s: '%s' is not a real calendar date",
                       field ? field : "date", s);
    *out = d;
    return 0;
}

void civil_format_date(struct ks_date d, char out[KS_DATE_STRLEN])
{
    snprintf(out, KS_DATE_STRLEN, "%04u-%02u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u,
             (unsigned)d.d % 100u);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct ks_date ks_time_local_date(int64_t t, int offset_min)
{
    return civil_from_days(floor_div(t + (int64_t)offset_min * 60, 86400));
}

int ks_time_local_minute(int64_t t, int offset_min)
{
    int64_t local = t + (int64_t)offset_min * 60;
    return (int)((local - floor_div(local, 86400) * 86400) / 60);
}

int64_t ks_time_from_local(struct ks_date d, int min, int offset_min)
{
    return civil_to_days(d) * 86400 + (int64_t)min * 60 - (int64_t)offset_min * 60;
}

int ks_time_parse(const char *s, int default_offset_min, const char *field, int64_t *out,
                  struct ks_error *err)
{
    struct ks_date d = {0, 0, 0};
    int hh = 0, mm = 0, ss = 0, off = default_offset_min;
    const char *p;
    const char *name = field ? field : "time";

    *out = KS_TIME_NONE;
    if (!s || strlen(s) < 10 || !parse_date_prefix(s, &d))
        goto bad;
    if (!civil_is_valid(d))
        return ks_fail(err, KS_EINVAL, field, "%s: '%s' is not a real calendar date", name, s);
    /* An offset can move an instant into the neighbouring year; keep every instant printable
     * as a four-digit year at any offset (found by fuzzing: 9999-12-31T23:59:59Z at +08:00). */
    if (d.y < 2 || d.y > 9998)
        return ks_fail(err, KS_EINVAL, field, "%s: '%s' is outside the years 0002-9998", name, s);
    p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (!civil_read_digits(p + 1, 2, &hh) || p[3] != ':' || !civil_read_digits(p + 4, 2, &mm))
            goto bad;
        p += 6;
        if (*p == ':') {
            if (!civil_read_digits(p + 1, 2, &ss))
                goto bad;
            p += 3;
            if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                    goto bad;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (hh > 23 || mm > 59 || ss > 60)
            return ks_fail(err, KS_EINVAL, field, "%s: '%s' has an impossible time of day", name,
                           s);
        if (ss == 60)
            ss = 59;
        if (*p == 'Z' || *p == 'z') {
            off = 0;
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (!civil_read_digits(p + 1, 2, &oh) || p[3] != ':' ||
                !civil_read_digits(p + 4, 2, &om) || oh > 23 || om > 59)
                goto bad;
            off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
            p += 6;
        }
    }
    if (*p != '\0')
        goto bad;
    *out = ks_time_from_local(d, hh * 60 + mm, off) + ss;
    return 0;
bad:
    return ks_fail(err, KS_EINVAL, field,
                   "%s: '%s' is not a time like 2026-11-28T09:30:00+08:00 or 2026-11-28 09:30",
                   name, s ? s : "");
}

static char *two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

char *ks_time_format(int64_t t, int offset_min, char out[KS_TIME_STRLEN])
{
    struct ks_date d = ks_time_local_date(t, offset_min);
    int64_t local = t + (int64_t)offset_min * 60;
    unsigned sod = (unsigned)(local - floor_div(local, 86400) * 86400);
    unsigned aoff = (unsigned)(offset_min < 0 ? -offset_min : offset_min) % 1440u;
    unsigned y = (unsigned)d.y % 10000u;
    char *p = out;

    p = two(p, y / 100);
    p = two(p, y % 100);
    *p++ = '-';
    p = two(p, (unsigned)d.m);
    *p++ = '-';
    p = two(p, (unsigned)d.d);
    *p++ = 'T';
    p = two(p, sod / 3600 % 24);
    *p++ = ':';
    p = two(p, sod / 60 % 60);
    *p++ = ':';
    p = two(p, sod % 60);
    if (offset_min == 0) {
        *p++ = 'Z';
    } else {
        *p++ = offset_min < 0 ? '-' : '+';
        p = two(p, aoff / 60);
        *p++ = ':';
        p = two(p, aoff % 60);
    }
    *p = '\0';
    return out;
}
