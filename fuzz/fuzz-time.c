/* Fuzz target: times as people type them. The whole input is one string read as an RFC 3339
 * instant or local time (ks_time_parse) and as a date (civil_parse_date); what parses must
 * format and parse back to the same instant or date. */
#include <stdlib.h>

#include "fuzz.h"
#include "lib/civil.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_cursor cur = {data, size};
    int offset = (int)fz_range(&cur, -14 * 60, 14 * 60);
    char *s;
    struct ks_error err;
    struct ks_date d, back_d;
    int64_t t, back_t;

    if (size > 256)
        return -1;
    s = fz_take(&cur, cur.n, NULL);
    if (ks_time_parse(s, offset, "at", &t, &err) == 0) {
        char out[KS_TIME_STRLEN];
        ks_time_format(t, offset, out);
        if (ks_time_parse(out, 0, "at", &back_t, &err) != 0 || back_t != t)
            abort();
        (void)ks_time_local_date(t, offset);
        (void)ks_time_local_minute(t, offset);
    }
    if (civil_parse_date(s, "day", &d, &err) == 0) {
        char out[KS_DATE_STRLEN];
        civil_format_date(d, out);
        if (civil_parse_date(out, "day", &back_d, &err) != 0 || civil_cmp(d, back_d) != 0)
            abort();
        if (civil_cmp(civil_from_days(civil_to_days(d)), d) != 0)
            abort();
        (void)civil_weekday(d);
    }
    free(s);
    return 0;
}
