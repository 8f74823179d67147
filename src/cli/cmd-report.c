/* kesu report: reads the report of a period (report_read(): the period's complaints through the
 * builder, the comparison periods counted) and renders it. Progress goes to stderr every few
 * thousand rows: one line rewritten with \r on a terminal, plain lines otherwise (logs, CI). */
#include "cli/cmd-report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli-app.h"
#include "cli/cli.h"
#include "report/period.h"
#include "report/read.h"
#include "report/render.h"
#include "report/report.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

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
    bool shown; /* a line was written */
};

/* report_read()'s progress: one line rewritten with \r on a terminal, plain lines otherwise;
 * n < 0 ends it. */
static void progress(void *arg, int64_t n, int64_t total)
{
    struct progress *p = arg;

    if (n < 0) {
        if (p->tty && p->shown)
            fputc('\n', stderr);
        p->shown = false;
        return;
    }
    fprintf(stderr, "%skesu report: complaints %lld of %lld (%d%%)%s", p->tty ? "\r" : "",
            (long long)n, (long long)total, total > 0 ? (int)(n * 100 / total) : 100,
            p->tty ? "" : "\n");
    p->shown = true;
}

static int build(struct cli_app *ca, const struct report_period *p, const char *department,
                 size_t top_n, struct report *out, struct ks_error *err)
{
    struct progress pr = {isatty(fileno(stderr)) != 0, false};
    const struct report_source src = {
        .store = ca->app.store,
        .cal = &ca->app.cal,
        .zone = &ca->app.zone,
        .preset = app_preset(&ca->app),
        .as_of = ca->now,
        .top_n = top_n,
        .progress = progress,
        .progress_arg = &pr,
    };

    return report_read(&src, p, department, out, err);
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
        rc = report_render_json(r, 0, &b, err);
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
