/* Fuzz target: the working-day calendar CSV (data/cn-calendar.csv's format, which an
 * organisation may also supply). A calendar that loads is queried on every day it covers and
 * given one organisation day. */
#include <stdlib.h>

#include "core/calendar.h"
#include "fuzz.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct calendar cal;
    struct ks_error err;

    if (size > FZ_MAX_INPUT)
        return -1;
    calendar_init(&cal);
    if (calendar_load_csv(&cal, (const char *)data, size, "fuzz.csv", &err) == 0 &&
        cal.last_year - cal.first_year < 50) {
        struct ks_date d = {cal.first_year, 1, 1};
        struct ks_date end = {cal.last_year, 12, 31};

        for (; civil_cmp(d, end) <= 0; d = civil_add_days(d, 1)) {
            enum cal_reason why;
            const char *name;
            if (calendar_day(&cal, d, &why, &name) == CAL_UNKNOWN)
                abort(); /* a covered year has no unknown day */
        }
        (void)calendar_add_org_day(&cal, (struct ks_date){cal.first_year, 6, 1}, false, "年会",
                                   &err);
    }
    calendar_release(&cal);
    return 0;
}
