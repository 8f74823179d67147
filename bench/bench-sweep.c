/* bench-sweep: the deadline sweep (issue 5) over N open complaints (default 1,000,000) in a
 * fresh SQLite database with the manufacturing preset. Each complaint is written straight
 * through the store (no events, which the sweep never reads) with one running 24-hour stage
 * clock; clock i starts i seconds after clock 0, so its warning (75 %) falls i seconds after
 * clock 0's. Sweeps then run at instants chosen so that nothing, then 1,000, then 10,000 more
 * warnings are due: the time of each shows whether the sweep follows the due clocks or the
 * open ones. The database is made in a new directory under /tmp (or --work) and removed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app-motion.h"
#include "app/app.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define DAY_SECS 86400

static const char usage[] = "usage: bench-sweep [--rows N] [--work DIR]\n\n"
                            "Fills a fresh database in DIR (default a new directory under /tmp, "
                            "removed at the end) with N open\n"
                            "complaints (default 1000000), each with a running stage clock, and "
                            "times sweeps with 0,\n"
                            "1,000 and 10,000 clocks due.\n";

static double since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Complaint i, received on one of 250 days before clock 0 (4,000 a day: numbers stay within
 * four digits), assigned, with a running 24 h clock started at start0 + i. */
static int add_one(struct app *a, struct store_tx *tx, int64_t start0, long i, int64_t *next_out,
                   struct ks_error *err)
{
    static const char *const titles[] = {"脚踏芯轴断裂", "反光片脱落", "中轴牙纹不良", "纸箱破损",
                                         "唛头写错"};
    struct complaint c;
    struct stage_deadline d;
    char number[COMPLAINT_NUMBER_MAX], code[16];
    int seq, rc;

    complaint_init(&c);
    c.received_at = start0 - (1 + i % 250) * DAY_SECS;
    c.created_at = c.updated_at = c.received_at;
    c.channel = (enum channel)(i % CH__COUNT);
    snprintf(code, sizeof code, "C%05ld", i % 5000);
    c.customer_code = xstrdup(code);
    c.customer_name = xstrdup("客户");
    c.title = xstrdup(titles[i % 5]);
    c.description = xstrdup(titles[i % 5]);
    c.category = xstrdup(a->preset.default_category);
    c.severity = SEV_GENERAL;
    c.status = WF_STATE_ASSIGNED;
    c.first_responder = xstrdup("admin");
    c.assignee = xstrdup("admin");
    struct ks_date day = ks_time_local_date(c.received_at, a->zone.utc_offset_min);
    if ((rc = store_number_next(tx, day, &seq, err)) == 0) {
        complaint_number_format(day, seq, number);
        c.number = xstrdup(number);
        rc = store_complaint_insert(tx, &c, err);
    }
    stage_deadline_init(&d);
    d.complaint_id = c.id;
    d.stage = WF_STATE_ASSIGNED;
    d.rule = xstrdup("bench: 24 h");
    if (rc == 0)
        rc = stage_clock_start(&d.clock, &a->cal, &a->zone, start0 + i,
                               (struct dl_period){DL_HOURS, 24}, err);
    if (rc == 0)
        rc = app_next_action(a, &d, &d.next_action_at, err);
    if (rc == 0)
        rc = store_deadline_put(tx, &d, err);
    *next_out = d.next_action_at;
    stage_deadline_release(&d);
    complaint_release(&c);
    return rc;
}

static int sweep_at(struct app *a, const char *what, int64_t now, struct ks_error *err)
{
    struct app_sweep_stats st = {0};
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = app_sweep(a, now, 0, &st, err);
    double s = since(&t0);
    if (rc == 0)
        printf("bench-sweep: %-28s %6d clocks looked at, %6d warned: %9.1f ms\n", what, st.looked,
               st.warned, s * 1000);
    return rc;
}

int main(int argc, char **argv)
{
    long rows = 1000000;
    const char *work = NULL;
    char tmp[] = "/tmp/bench-sweep-XXXXXX", path[4096];
    struct ks_error err = {0};
    struct app a;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc)
            work = argv[++i];
        else {
            bool help = strcmp(argv[i], "--help") == 0;
            fputs(usage, help ? stdout : stderr);
            return help ? 0 : 64;
        }
    }
    if (rows < 11000) {
        fprintf(stderr, "bench-sweep: --rows must be at least 11000 (the largest sweep)\n");
        return 64;
    }
    if (!work && !(work = mkdtemp(tmp))) {
        fprintf(stderr, "bench-sweep: %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/sweep.db", work);
    struct app_conf conf = {.db_url = path};
    struct app_init init = {.preset = "manufacturing", .tz = APP_DEFAULT_TZ};
    if (app_init_db(&conf, &init, &err) < 0 || app_open(&a, &conf, &err) < 0) {
        fprintf(stderr, "bench-sweep: %s: %s\n", path, err.message);
        return 1;
    }
    /* Clock 0 starts on 2026-11-30 at 08:00 in Shanghai. */
    int64_t start0 = ks_time_from_local((struct ks_date){2026, 11, 30}, 8 * 60, 480);
    int64_t first = 0, next = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; rc == 0 && i < rows;) {
        struct store_tx *tx = NULL;
        if ((rc = store_tx_begin(a.store, STORE_TX_WRITE, &tx, &err)) < 0)
            break;
        for (long stop = i + 10000 < rows ? i + 10000 : rows; rc == 0 && i < stop; i++) {
            rc = add_one(&a, tx, start0, i, &next, &err);
            if (i == 0)
                first = next;
        }
        if (rc == 0)
            rc = store_tx_commit(&tx, &err);
        store_tx_rollback(&tx);
        fprintf(stderr, "\rbench-sweep: %ld/%ld open complaints written", i, rows);
    }
    fputc('\n', stderr);
    if (rc == 0) {
        printf("bench-sweep: %ld open complaints with running clocks written in %.1f s\n", rows,
               since(&t0));
        /* Clock i warns at first + i: nothing is due just before first; then 1,000 and 10,000
         * more. Swept clocks next look at their breach, six hours later, out of these sweeps. */
        rc = sweep_at(&a, "nothing due", first - 1, &err);
        if (rc == 0)
            rc = sweep_at(&a, "nothing due, again", first - 1, &err);
        if (rc == 0)
            rc = sweep_at(&a, "1,000 due", first + 999, &err);
        if (rc == 0)
            rc = sweep_at(&a, "10,000 due", first + 10999, &err);
        if (rc == 0)
            rc = sweep_at(&a, "nothing due after them", first + 10999, &err);
    }
    if (rc < 0)
        fprintf(stderr, "bench-sweep: %s\n", err.message);
    app_close(&a);
    if (work == tmp) {
        static const char *const files[] = {"sweep.db", "sweep.db-wal", "sweep.db-shm"};
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", tmp, files[i]);
            unlink(path);
        }
        rmdir(tmp);
    }
    return rc < 0 ? 1 : 0;
}
