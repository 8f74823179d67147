/* bench-register: durable registrations per second in process, through the same group commit
 * (app-batch.h) that POST /api/v1/complaints uses, without HTTP: first into a fresh SQLite
 * database with the manufacturing preset, then (with --copy-of) into a copy of a big generated
 * database, the original never opened (the copy is migrated to the current schema first).
 * 64 registrations are kept in flight, like 64 waiting clients; bodies vary like
 * bench/api/create.lua (products, defect texts, customers drawn a few often and most rarely)
 * and a third carry a batch number, so severity judgement, the repeat check and surge
 * detection all do their real work. Prints creates/s per database. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "app/app-batch.h"
#include "app/app.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define IN_FLIGHT 64

static const char usage[] =
    "usage: bench-register [--rows N] [--copy-of PATH [--copy-only]] [--work DIR]\n\n"
    "Registers N complaints (default 20000) into a fresh database made in DIR (default a new\n"
    "directory under /tmp, removed at the end) and, with --copy-of, N more into a copy of the\n"
    "database at PATH (e.g. one filled by bench-gen; PATH itself is only read). Prints the\n"
    "durable creates per second of each; --copy-only skips the fresh database (e.g. to profile\n"
    "the big one alone).\n";

static const struct {
    const char *product, *title, *description;
} texts[] = {
    {"pedal", "脚踏芯轴断裂", "客户来电反映，昨天到货的脚踏FP-802共500件，芯轴断了，不良12件。"},
    {"pedal", "反光片脱落", "客户微信留言：脚踏反光片掉了好几片，要求补发。"},
    {"bb", "中轴牙纹不良", "客户装配线反馈，碗件中轴BB-68螺纹不良，拧不进，不良30件。"},
    {"bb", "纸箱破损", "物流送到时外箱压坏，里面的碗件没有问题，请加强包装。"},
    {"pedal", "唛头写错", "外箱唛头写错型号，仓库无法入库，请确认后回复。"},
    {NULL, "交期延迟", "订单约定交期已过一周仍未到货，影响客户排产。"},
};

static uint64_t rng_state = 777;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct slot {
    struct app_reg_job job;
    struct complaint c;
};

/* The slots not in flight, a stack guarded by mu; done() puts a slot back. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct slot *free_slots[IN_FLIGHT];
static int n_free;
static int failed;
static char first_error[256];

static void done(void *arg)
{
    struct slot *s = arg;
    pthread_mutex_lock(&mu);
    if (s->job.rc < 0 && failed++ == 0)
        snprintf(first_error, sizeof first_error, "%s", s->job.err.message);
    free_slots[n_free++] = s;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static void fill(struct complaint *c, long i)
{
    size_t t = (size_t)(rnd() % (sizeof texts / sizeof texts[0]));
    double u = (double)(rnd() >> 11) / 9007199254740992.0;
    char s[512];

    complaint_release(c);
    complaint_init(c);
    c->channel = CH_API;
    snprintf(s, sizeof s, "C%05d", 1 + (int)(u * u * 5000));
    c->customer_code = xstrdup(s);
    snprintf(s, sizeof s, "138%08d", (int)(rnd() % 100000000));
    c->customer_phone = xstrdup(s);
    if (texts[t].product)
        c->product = xstrdup(texts[t].product);
    if (rnd() % 3 == 0) {
        snprintf(s, sizeof s, "B26%03d", (int)(rnd() % 400));
        c->batch_no = xstrdup(s);
    }
    snprintf(s, sizeof s, "BENCH-%ld", i);
    c->order_no = xstrdup(s);
    c->title = xstrdup(texts[t].title);
    snprintf(s, sizeof s, "%s（第%ld次）", texts[t].description, i);
    c->description = xstrdup(s);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The process's CPU time so far (user and system, every thread), in seconds. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Registers rows complaints into the database at path; returns creates/s, < 0 on failure, and
 * the CPU time spent per registration in *cpu_us_out (on a shared machine a steadier figure
 * than the rate, which also counts the time other programs held the cores). */
static double run(const char *path, long rows, double *cpu_us_out)
{
    struct app_conf conf = {.db_url = path};
    struct app a;
    struct app_batcher *b = NULL;
    struct ks_error err = {0};
    struct wf_actor actor = {.login = "admin", .role = ROLE_ADMIN};
    struct slot *slots = xcalloc(IN_FLIGHT, sizeof *slots);
    struct timespec t0;
    double secs, cpu0;

    if (app_open(&a, &conf, &err) < 0) {
        fprintf(stderr, "bench-register: %s: %s\n", path, err.message);
        free(slots);
        return -1;
    }
    if (app_batcher_start(&a, 0, &b, &err) < 0) {
        fprintf(stderr, "bench-register: %s\n", err.message);
        app_close(&a);
        free(slots);
        return -1;
    }
    failed = 0;
    n_free = 0;
    for (int k = 0; k < IN_FLIGHT; k++) {
        complaint_init(&slots[k].c);
        free_slots[n_free++] = &slots[k];
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cpu0 = cpu_seconds();
    for (long i = 0; i < rows; i++) {
        pthread_mutex_lock(&mu);
        while (n_free == 0)
            pthread_cond_wait(&cv, &mu);
        struct slot *s = free_slots[--n_free];
        pthread_mutex_unlock(&mu);
        free(s->job.response);
        memset(&s->job, 0, sizeof s->job);
        fill(&s->c, i);
        s->job.c = &s->c;
        s->job.actor = &actor;
        s->job.now = (int64_t)time(NULL);
        app_batcher_submit(b, &s->job, done, s);
    }
    pthread_mutex_lock(&mu);
    while (n_free < IN_FLIGHT)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    secs = seconds_since(&t0);
    *cpu_us_out = (cpu_seconds() - cpu0) * 1e6 / (double)rows;
    app_batcher_stop(&b);
    for (int k = 0; k < IN_FLIGHT; k++) {
        free(slots[k].job.response);
        complaint_release(&slots[k].c);
    }
    free(slots);
    app_close(&a);
    if (failed) {
        fprintf(stderr, "bench-register: %d registrations failed, the first: %s\n", failed,
                first_error);
        return -1;
    }
    return (double)rows / secs;
}

/* Removes the database name in directory dir with its -wal and -shm files, if any. */
static void remove_db(const char *dir, const char *name)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char path[4096];

    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s/%s%s", dir, name, suffixes[i]);
        unlink(path);
    }
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char *chunk = xmalloc(1 << 20);
    size_t n;
    int rc = in && out ? 0 : -1;

    while (rc == 0 && (n = fread(chunk, 1, 1 << 20, in)) > 0)
        if (fwrite(chunk, 1, n, out) != n)
            rc = -1;
    if (in && ferror(in))
        rc = -1;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    free(chunk);
    if (rc < 0)
        fprintf(stderr, "bench-register: copying %s to %s: %s\n", from, to, strerror(errno));
    return rc;
}

int main(int argc, char **argv)
{
    long rows = 20000;
    const char *copy_of = NULL, *work = NULL;
    bool copy_only = false;
    char tmp[] = "/tmp/bench-register-XXXXXX", path[4096];
    struct ks_error err = {0};
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--copy-of") == 0 && i + 1 < argc)
            copy_of = argv[++i];
        else if (strcmp(argv[i], "--copy-only") == 0)
            copy_only = true;
        else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc)
            work = argv[++i];
        else {
            fputs(usage, strcmp(argv[i], "--help") == 0 ? stdout : stderr);
            return strcmp(argv[i], "--help") == 0 ? 0 : 64;
        }
    }
    if (rows <= 0 || (copy_only && !copy_of)) {
        fputs(usage, stderr);
        return 64;
    }
    if (!work && !(work = mkdtemp(tmp))) {
        fprintf(stderr, "bench-register: %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    /* A fresh database each run: one left in --work by an earlier run would be measured with
     * its rows (and its planner statistics) instead. */
    remove_db(work, "fresh.db");
    snprintf(path, sizeof path, "%s/fresh.db", work);
    struct app_conf conf = {.db_url = path};
    struct app_init init = {.preset = "manufacturing", .tz = APP_DEFAULT_TZ};
    if (app_init_db(&conf, &init, &err) < 0) {
        fprintf(stderr, "bench-register: %s: %s\n", path, err.message);
        return 1;
    }
    double cpu_us = 0, fresh = copy_only ? 0 : run(path, rows, &cpu_us);
    if (fresh < 0)
        rc = 1;
    else if (!copy_only)
        printf("bench-register: fresh database, manufacturing preset: %ld registrations, "
               "%.0f durable creates/s (%d in flight), %.0f µs CPU each\n",
               rows, fresh, IN_FLIGHT, cpu_us);
    if (rc == 0 && copy_of) {
        snprintf(path, sizeof path, "%s/copy.db", work);
        /* The copy may predate the current schema: kesu init migrates and keeps the data. */
        conf.db_url = path;
        double big = -1;
        if (copy_file(copy_of, path) == 0 && app_init_db(&conf, &init, &err) < 0)
            fprintf(stderr, "bench-register: migrating %s: %s\n", path, err.message);
        else
            big = run(path, rows, &cpu_us);
        if (big < 0)
            rc = 1;
        else
            printf("bench-register: copy of %s: %ld registrations, %.0f durable creates/s "
                   "(%d in flight), %.0f µs CPU each\n",
                   copy_of, rows, big, IN_FLIGHT, cpu_us);
    }
    if (work == tmp) {
        remove_db(tmp, "fresh.db");
        remove_db(tmp, "copy.db");
        rmdir(tmp);
    }
    return rc;
}
