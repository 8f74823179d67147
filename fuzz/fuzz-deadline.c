/* Fuzz target: deadline expressions and the arithmetic behind them. The input holds a zone
 * (UTC offset, close of business), a start instant between 2019 and 2028 (so both known and
 * unknown calendar years are reached) and then a period as written in presets ("3个工作日",
 * "24h"); a period that parses is added on the embedded official calendar, with and without
 * an explanation. A deadline is never before its start. */
#include <stdlib.h>

#include "core/deadline.h"
#include "fuzz.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 2019-01-01T00:00:00Z .. 2028-12-31T23:59:59Z */
    static const int64_t lo = 1546300800, hi = 1861919999;
    struct fz_cursor cur = {data, size};
    struct dl_zone zone;
    struct dl_period p;
    struct dl_explain ex;
    struct ks_error err;
    int64_t from, due;
    char *s;

    if (size > 256)
        return -1;
    zone.utc_offset_min = (int)fz_range(&cur, -14 * 60, 14 * 60);
    zone.business_close_min = (int)fz_range(&cur, 0, 1439);
    if (zone.business_close_min == 0)
        zone.business_close_min = -1;
    from = fz_range(&cur, lo, hi);
    s = fz_take(&cur, cur.n, NULL);
    if (dl_period_parse(s, &p, &err) == 0) {
        char text[32];
        struct dl_period back;

        dl_period_format(p, text, sizeof(text));
        if (dl_period_parse(text, &back, &err) != 0 || back.unit != p.unit || back.n != p.n)
            abort();
        if (deadline_add(fz_calendar(), &zone, from, p, &due, &ex, &err) == 0 && due < from)
            abort();
        (void)deadline_add(fz_calendar(), &zone, from, p, &due, NULL, &err);
    }
    free(s);
    return 0;
}
