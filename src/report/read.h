/* Reading a report from the store: the complaints received in a period (and a department
 * subtree) streamed through the builder with their stage clocks and closing times, plus the
 * received counts of the comparison periods. The one way `kesu report` and
 * GET /api/v1/reports/summary make a report. Ownership: struct report_source borrows
 * everything it points to for the call; the report is caller-owned storage (report_init()). */
#ifndef KS_REPORT_READ_H
#define KS_REPORT_READ_H

#include <stddef.h>
#include <stdint.h>

#include "report/period.h"
#include "report/report.h"

#define REPORT_PROGRESS_EVERY 5000 /* complaints between two progress calls */

struct report_source {
    struct store *store;
    const struct calendar *cal;
    const struct dl_zone *zone;
    const struct preset *preset; /* labels and the whole limit; may be NULL */
    int64_t as_of;               /* the moment the report is made */
    size_t top_n;                /* lines kept per breakdown; 0: 20 */
    /* Called every REPORT_PROGRESS_EVERY complaints with the count read so far and the
     * period's total, and once more with n = -1 when reading is done; may be NULL. */
    void (*progress)(void *arg, int64_t n, int64_t total);
    void *progress_arg;
};

/* Fills out (initialised by the caller; old contents released) with the report of the
 * complaints received in p in the subtree of department (NULL: the whole organisation).
 * KS_ENOTFOUND (field "department") when the department does not exist; store errors as
 * they come. */
int report_read(const struct report_source *src, const struct report_period *p,
                const char *department, struct report *out, struct ks_error *err);

#endif
