/* kesu report: streams the period's complaints (with their stage clocks and timeline) from the
 * store through the report builder, counts the previous period and the same period last year
 * for comparison, and renders the result. Progress goes to stderr every few thousand rows: one
 * line rewritten with \r on a terminal, plain lines otherwise (logs, CI). */
#include "cli/cmd-report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli-app.h"
#include "cli/cli.h"
#include "report/period.h"
#include "report/render.h"
#include "report/report.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define PROGRESS_EVERY 5000

enum {
    OPT_PERIOD = 1,
    OPT_QUARTER,
    OPT_YEAR,
    OPT_FROM,
    OPT_TO,
    OPT_DEPARTMENT,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_TOP,
};

static const char usage[] =
    "usage: kesu report (--period YYYY-MM | --quarter YYYYQn | --year YYYY |\n"
    "                    --from YYYY-MM-DD --to YYYY-MM-DD) [--department CODE]\n"
    "                   [--format html|csv|xlsx|json] [-o FILE] [--top N] [--db PATH] [--now T]\n\n"
    "The report of the complaints received in a period (both --from and --to days included),\n"
    "for the whole organisation or one department and its subtree: volume and its change,\n"
    "timeliness per stage in working days, satisfaction, repeats, Pareto of defects and\n"
    "causes, compensation and the department roll-up. Status is as of now (--now, $KESU_NOW).\n"
    "--format defaults to the extension of -o, else json; xlsx needs -o. --top keeps the N\n"
    "largest lines of each breakdown (default 20). See docs/reports.md.\n\n"
    "exit: 0 ok, 64 usage, 65 bad value, 66 no database or department, 69 store unavailable,\n"
    "78 built without xlsx support.\n\n"
    "example:\n  kesu report --period 2026-11 --format xlsx -o 2026-11.xlsx\n";

struct progress {
    bool tty;
    long long n;
};

static void progress_step(struct progress *p, const char *what)
{
    if (++p->n % PROGRESS_EVERY != 0)
        return;
    if (p->tty)
        fprintf(stderr, "\rkesu report: %s %lld", what, p->n);
    else
        fprintf(stderr, "kesu report: %s %lld\n", what, p->n);
}

static void progress_end(struct progress *p)
{
    if (p->tty && p->n >= PROGRESS_EVERY)
        fputc('\n', stderr);
    p->n = 0;
}

static void filter_for(struct complaint_filter *f, const struct report_period *p, int off,
                       const char *department)
{
    complaint_filter_init(f);
    report_period_bounds(p, off, &f->received_from, &f->received_to);
    f->department = department;
    f->sort = CS_RECEIVED_ASC;
}

/* The period is read in slices of this many seconds: per slice one listing of its complaints
 * and one query each for their transitions and stage clocks (instead of two queries per
 * complaint), joined here by complaint id; a slice's rows bound the memory. */
#define SLICE_SECS (7 * 86400)

/* The first index in [0, n) whose complaint id is >= id, in arrays ordered by complaint id. */
#define LOWER_BOUND(arr, n, id, out)                                                               \
    do {                                                                                           \
        size_t lo_ = 0, hi_ = (n);                                                                 \
        while (lo_ < hi_) {                                                                        \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                                   \
            if ((arr)[mid_].complaint_id < (id))                                                   \
                lo_ = mid_ + 1;                                                                    \
            else                                                                                   \
                hi_ = mid_;                                                                        \
        }                                                                                          \
        (out) = lo_;                                                                               \
    } while (0)

/* Adds the complaints received in [from, to) to the builder. */
static int stream_slice(struct store_tx *tx, int64_t from, int64_t to, const char *department,
                        struct report_builder *b, struct progress *pr, struct ks_error *err)
{
    struct complaint_filter f;
    struct store_iter *it = NULL;
    struct complaint c;
    struct stage_deadline *dls = NULL;
    struct event *evs = NULL;
    size_t n_dls = 0, n_evs = 0;
    int rc;

    if ((rc = store_event_list_received(tx, from, to, EV_TRANSITION, &evs, &n_evs, err)) < 0)
        return rc;
    if ((rc = store_deadline_list_received(tx, from, to, &dls, &n_dls, err)) < 0)
        goto out;
    complaint_filter_init(&f);
    f.received_from = from;
    f.received_to = to;
    f.department = department;
    f.sort = CS_RECEIVED_ASC;
    if ((rc = store_complaint_list(tx, &f, &it, err)) < 0)
        goto out;
    complaint_init(&c);
    while ((rc = store_complaint_next(it, &c, err)) == 1) {
        struct report_item item = {.c = &c};
        size_t e0, e1, d0, d1;

        LOWER_BOUND(evs, n_evs, c.id, e0);
        for (e1 = e0; e1 < n_evs && evs[e1].complaint_id == c.id; e1++)
            ;
        LOWER_BOUND(dls, n_dls, c.id, d0);
        for (d1 = d0; d1 < n_dls && dls[d1].complaint_id == c.id; d1++)
            ;
        report_item_from_events(&item, evs + e0, e1 - e0);
        item.dls = dls + d0;
        item.n_dls = d1 - d0;
        if ((rc = report_add(b, &item, err)) < 0)
            break;
        progress_step(pr, "complaints");
    }
    complaint_release(&c);
    store_iter_free(&it);
out:
    stage_deadline_array_free(&dls, n_dls);
    event_array_free(&evs, n_evs);
    return rc < 0 ? rc : 0;
}

/* Streams every complaint of the period into the builder, in received order. */
static int stream(struct cli_app *ca, struct store_tx *tx, const struct report_period *p,
                  const char *department, struct report_builder *b, struct ks_error *err)
{
    struct progress pr = {isatty(fileno(stderr)) != 0, 0};
    int64_t from, to;
    int rc = 0;

    report_period_bounds(p, ca->app.zone.utc_offset_min, &from, &to);
    for (int64_t t = from; t < to && rc == 0; t += SLICE_SECS)
        rc =
            stream_slice(tx, t, to - t > SLICE_SECS ? t + SLICE_SECS : to, department, b, &pr, err);
    progress_end(&pr);
    return rc;
}

static int count(struct cli_app *ca, struct store_tx *tx, const struct report_period *p,
                 const char *department, int64_t *n_out, struct ks_error *err)
{
    struct complaint_filter f;

    filter_for(&f, p, ca->app.zone.utc_offset_min, department);
    return store_complaint_count(tx, &f, n_out, err);
}

static int build(struct cli_app *ca, const struct report_period *p, const char *department,
                 size_t top_n, struct report *out, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct department *depts = NULL;
    size_t n_depts = 0;
    struct report_builder *b = NULL;
    struct report_period prev, yoy;
    int64_t n_prev = 0, n_yoy = 0;
    int rc;

    if ((rc = store_tx_begin(ca->app.store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    if (department) {
        struct department d;
        department_init(&d);
        rc = store_department_get(tx, department, &d, err);
        department_release(&d);
        if (rc == KS_ENOTFOUND)
            rc = ks_fail(err, KS_ENOTFOUND, "department", "department: no department '%s'",
                         department);
    }
    if (rc == 0)
        rc = store_department_list(tx, &depts, &n_depts, err);
    if (rc == 0) {
        struct report_conf conf = {
            .label = p->label,
            .as_of = ca->now,
            .department = department,
            .cal = &ca->app.cal,
            .zone = &ca->app.zone,
            .preset = &ca->app.preset,
            .depts = depts,
            .n_depts = n_depts,
            .top_n = top_n,
        };
        report_period_bounds(p, ca->app.zone.utc_offset_min, &conf.from, &conf.to);
        b = report_builder_new(&conf);
        rc = stream(ca, tx, p, department, b, err);
    }
    report_period_previous(p, &prev);
    report_period_last_year(p, &yoy);
    if (rc == 0)
        rc = count(ca, tx, &prev, department, &n_prev, err);
    if (rc == 0)
        rc = count(ca, tx, &yoy, department, &n_yoy, err);
    if (rc == 0)
        rc = report_finish(b, out, err);
    if (rc == 0)
        report_compare(out, n_prev, n_yoy);
    report_builder_free(&b);
    department_array_free(&depts, n_depts);
    store_tx_rollback(&tx);
    return rc;
}

static int write_out(const char *path, const struct buf *b, struct ks_error *err)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    bool ok;

    if (!f)
        return ks_fail(err, KS_EINVAL, "output", "output: cannot create '%s'", path);
    ok = fwrite(buf_str(b), 1, b->len, f) == b->len;
    ok = (path ? fclose(f) : fflush(f)) == 0 && ok;
    if (!ok)
        return ks_fail(err, KS_EINVAL, "output", "output: cannot write '%s'",
                       path ? path : "stdout");
    return 0;
}

static const char *format_of(const char *format, const char *output)
{
    const char *dot = output ? strrchr(output, '.') : NULL;

    if (format)
        return format;
    if (dot && (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0))
        return "html";
    if (dot && (strcmp(dot, ".csv") == 0 || strcmp(dot, ".xlsx") == 0))
        return dot + 1;
    return "json";
}

static int render(const struct report *r, const char *format, const char *output,
                  struct ks_error *err)
{
    struct buf b;
    int rc;

    if (strcmp(format, "xlsx") == 0)
        return report_render_xlsx(r, output, err);
    buf_init(&b, REPORT_OUT_MAX);
    if (strcmp(format, "html") == 0)
        rc = report_render_html(r, &b, err);
    else if (strcmp(format, "csv") == 0)
        rc = report_render_csv(r, &b, err);
    else
        rc = report_render_json(r, &b, err);
    if (rc == 0)
        rc = write_out(output, &b, err);
    buf_release(&b);
    return rc;
}

/* The period the options name; exactly one way of naming it. */
static int period_of(const char *const *v, struct report_period *p, struct ks_error *err)
{
    if (v[OPT_PERIOD])
        return report_period_month(v[OPT_PERIOD], p, err);
    if (v[OPT_QUARTER])
        return report_period_quarter(v[OPT_QUARTER], p, err);
    if (v[OPT_YEAR])
        return report_period_year(v[OPT_YEAR], p, err);
    return report_period_range(v[OPT_FROM], v[OPT_TO], p, err);
}

int cmd_report(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS,
                                          {"period", CLI_ARG, OPT_PERIOD},
                                          {"quarter", CLI_ARG, OPT_QUARTER},
                                          {"year", CLI_ARG, OPT_YEAR},
                                          {"from", CLI_ARG, OPT_FROM},
                                          {"to", CLI_ARG, OPT_TO},
                                          {"department", CLI_ARG, OPT_DEPARTMENT},
                                          {"format", CLI_ARG, OPT_FORMAT},
                                          {"output", CLI_ARG, OPT_OUTPUT},
                                          {"top", CLI_ARG, OPT_TOP},
                                          {0}};
    const char *v[OPT_TOP + 1] = {0};
    char **args = xcalloc((size_t)argc + 1, sizeof(*args));
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cli_app ca;
    struct report_period period;
    struct report r;
    struct ks_error err = {0};
    const char *format;
    int n, rc, ways;
    long top = 20;

    /* -o is the one short option, as in every tool that writes a file. */
    for (int i = 0; i < argc; i++)
        args[i] = strcmp(argv[i], "-o") == 0 ? "--output" : argv[i];
    cli_ctx_init(&ctx);
    n = cli_parse("report", opts, false, argc, args, &ps);
    free(args);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            fputs(usage, stdout);
            return 0;
        }
        if (ps[i].id == 0) {
            rc = cli_usage_error("report", "unexpected argument '%s'", ps[i].value);
            free(ps);
            return rc;
        }
        if (!cli_ctx_option(&ctx, &ps[i]))
            v[ps[i].id] = ps[i].value;
    }
    free(ps);
    ways = !!v[OPT_PERIOD] + !!v[OPT_QUARTER] + !!v[OPT_YEAR] + !!(v[OPT_FROM] || v[OPT_TO]);
    if (ways != 1)
        return cli_usage_error("report", "name the period once: --period, --quarter, --year "
                                         "or --from and --to");
    if ((v[OPT_FROM] || v[OPT_TO]) && !(v[OPT_FROM] && v[OPT_TO]))
        return cli_usage_error("report", "--from and --to go together");
    format = format_of(v[OPT_FORMAT], v[OPT_OUTPUT]);
    if (strcmp(format, "html") != 0 && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0 &&
        strcmp(format, "json") != 0)
        return cli_usage_error("report", "--format must be html, csv, xlsx or json, not '%s'",
                               format);
    if (strcmp(format, "xlsx") == 0 && !v[OPT_OUTPUT])
        return cli_usage_error("report", "xlsx needs -o FILE");
    if (v[OPT_TOP]) {
        char *end;
        top = strtol(v[OPT_TOP], &end, 10);
        if (*end || top < 1 || top > 1000)
            return cli_usage_error("report", "--top must be 1..1000, not '%s'", v[OPT_TOP]);
    }
    if ((rc = period_of(v, &period, &err)) < 0)
        return cli_fail(&err);
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0)
        return cli_fail(&err);
    report_init(&r);
    rc = build(&ca, &period, v[OPT_DEPARTMENT], (size_t)top, &r, &err);
    if (rc == 0)
        rc = render(&r, format, v[OPT_OUTPUT], &err);
    if (rc == 0 && v[OPT_OUTPUT])
        fprintf(stderr, "kesu report: %s, %lld complaints, written to %s\n", period.label,
                (long long)r.volume.received, v[OPT_OUTPUT]);
    report_release(&r);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}
