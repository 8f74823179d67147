/* Civil dates and instants, free of any time-zone database. Instants are int64 seconds since
 * 1970-01-01T00:00:00Z (UTC); a local time is an instant plus a fixed UTC offset in minutes
 * (China has had no daylight saving since 1991, so a fixed offset is exact for kesu's users).
 * Dates use the proleptic Gregorian calendar. Nothing here allocates or reads the clock. */
#ifndef KS_LIB_CIVIL_H
#define KS_LIB_CIVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define KS_TIME_NONE   INT64_MIN /* "no instant": unset fields, open-ended ranges */
#define KS_TIME_STRLEN 32        /* room for "2026-10-11T00:00:00+08:00" and a NUL */
#define KS_DATE_STRLEN 11        /* "2026-10-11" and a NUL */

struct ks_date {
    int y, m, d;
};

bool civil_is_valid(struct ks_date d);
/* Days since 1970-01-01 (negative before). */
int64_t civil_to_days(struct ks_date d);
struct ks_date civil_from_days(int64_t days);
struct ks_date civil_add_days(struct ks_date d, int64_t n);
/* ISO weekday: 1 Monday ... 7 Sunday. */
int civil_weekday(struct ks_date d);
/* -1, 0 or 1. */
int civil_cmp(struct ks_date a, struct ks_date b);

/* Reads exactly n decimal digits at s into *out; false when one is not a digit. */
bool civil_read_digits(const char *s, int n, int *out);

/* Parses exactly "YYYY-MM-DD" (a real date: 2026-02-30 is refused). field names the input. */
int civil_parse_date(const char *s, const char *field, struct ks_date *out, struct ks_error *err);
void civil_format_date(struct ks_date d, char out[KS_DATE_STRLEN]);

/* The local date and minute of day of instant t at the given UTC offset. */
struct ks_date ks_time_local_date(int64_t t, int offset_min);
int ks_time_local_minute(int64_t t, int offset_min);
/* The instant at local date d, minute of day min (0..1440; 1440 is 24:00 = next midnight). */
int64_t ks_time_from_local(struct ks_date d, int min, int offset_min);

/* Parses RFC 3339 ("2026-11-28T09:30:00+08:00", "...Z", fractional seconds dropped), or a
 * local "YYYY-MM-DD HH:MM[:SS]" / "YYYY-MM-DDTHH:MM[:SS]" / "YYYY-MM-DD" (midnight) read at
 * default_offset_min. field names the input in error messages. */
int ks_time_parse(const char *s, int default_offset_min, const char *field, int64_t *out,
                  struct ks_error *err);
/* Writes RFC 3339 with the given offset ("2026-10-11T00:00:00+08:00"); returns out. */
char *ks_time_format(int64_t t, int offset_min, char out[KS_TIME_STRLEN]);

#endif
