/* kesu calendar: is a date a working day, and when does a period starting now end. Works
 * without a database: the official calendar is built in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli-app.h"
#include "cli/cli.h"
#include "core/calendar.h"
#include "core/deadline.h"
#include "core/escalation.h"
#include "lib/embed.h"
#include "lib/banned.h"

static const char usage_text[] =
    "usage: kesu calendar check DATE [--db PATH]\n"
    "       kesu calendar add --from INSTANT (--hours N | --days N | --workdays N)\n"
    "                         [--timezone TZ] [--business-close HH:MM] [--explain] [--json]\n"
    "                         [--db PATH]\n"
    "       kesu calendar day add DATE (--rest | --work) [--name NAME] [--db PATH]\n"
    "       kesu calendar day remove DATE [--db PATH]\n"
    "       kesu calendar day list [--db PATH]\n\n"
    "check prints workday, restday or unknown for DATE (YYYY-MM-DD) on the official\n"
    "mainland China calendar (weekends, public holidays and adjusted working days, 调休).\n"
    "add prints the deadline of a period starting at INSTANT under the Civil Code rules: the\n"
    "day of receipt is not counted and the period ends at 24:00 of its last day (printed as\n"
    "00:00 of the next day) or at --business-close; a calendar-day period ending on a rest day\n"
    "moves to the next working day. --explain lists the skipped days and why.\n"
    "With --db (or $KESU_DB) the database's time zone, business hours and the organisation's\n"
    "own rest and working days apply. 'day' keeps those days (e.g. 年终盘点 as a rest day).\n\n"
    "examples:\n"
    "  kesu calendar check 2026-10-10\n"
    "  kesu calendar add --from 2026-09-30T10:00:00+08:00 --workdays 3 --explain\n"
    "  kesu calendar day add 2026-12-31 --rest --name 年终盘点\n";

enum {
    OPT_FROM = 1,
    OPT_HOURS,
    OPT_DAYS,
    OPT_WORKDAYS,
    OPT_TZ,
    OPT_CLOSE,
    OPT_EXPLAIN,
    OPT_REST,
    OPT_WORK,
    OPT_NAME
};

/* The calendar and zone in force: the database's when one is named (--db or $KESU_DB),
 * otherwise the official calendar at Asia/Shanghai. */
struct cal_src {
    bool has_app;
    struct cli_app ca;
    struct calendar official;
    const struct calendar *cal;
    struct dl_zone zone;
};

static int load_official(struct calendar *cal, struct ks_error *err);

static int cal_src_open(struct cal_src *src, const struct cli_ctx *ctx, struct ks_error *err)
{
    const char *env = getenv("KESU_DB");
    memset(src, 0, sizeof(*src));
    calendar_init(&src->official);
    if ((ctx->db && *ctx->db) || (env && *env)) {
        int rc = cli_app_open(&src->ca, ctx, err);
        if (rc < 0)
            return rc;
        src->has_app = true;
        src->cal = &src->ca.app.cal;
        src->zone = src->ca.app.zone;
        return 0;
    }
    src->cal = &src->official;
    src->zone.utc_offset_min = 480;
    src->zone.business_close_min = -1;
    return load_official(&src->official, err);
}

static void cal_src_close(struct cal_src *src)
{
    if (src->has_app)
        cli_app_close(&src->ca);
    calendar_release(&src->official);
}

static const char *reason_label(enum cal_reason r)
{
    switch (r) {
    case CAL_R_WEEKDAY:
        return "工作日";
    case CAL_R_WEEKEND:
        return "周末";
    case CAL_R_HOLIDAY:
        return "法定节假日";
    case CAL_R_ADJUSTED:
        return "调休上班";
    case CAL_R_ORG_REST:
        return "本单位休息日";
    case CAL_R_ORG_WORK:
        return "本单位工作日";
    case CAL_R_UNKNOWN:
        return "未知";
    }
    return "";
}

static int load_official(struct calendar *cal, struct ks_error *err)
{
    const struct embed_file *f = embed_find("data/cn-calendar.csv");
    if (!f)
        return ks_fail(err, KS_EINTERNAL, NULL, "the official calendar is not in this build");
    return calendar_load_csv(cal, (const char *)f->data, f->size, "data/cn-calendar.csv", err);
}

static int calendar_check(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS, {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cal_src src;
    struct ks_error err = {0};
    struct ks_date d;
    enum cal_reason why;
    const char *name = NULL, *date = NULL;
    enum cal_kind kind;
    int n;

    cli_ctx_init(&ctx);
    n = cli_parse("calendar check", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            fputs(usage_text, stdout);
            return 0;
        }
        if (ps[i].id == 0 && !date)
            date = ps[i].value;
        else if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("calendar", "unexpected argument '%s'", ps[i].value);
        }
    }
    free(ps);
    if (!date)
        return cli_usage_error("calendar", "check needs exactly one DATE (YYYY-MM-DD)");
    if (civil_parse_date(date, "date", &d, &err) < 0)
        return cli_fail(&err);
    if (cal_src_open(&src, &ctx, &err) < 0) {
        cal_src_close(&src);
        return cli_fail(&err);
    }
    kind = calendar_day(src.cal, d, &why, &name);
    printf("%s\n", cal_kind_name(kind));
    if (isatty(fileno(stderr)))
        fprintf(stderr, "%s %s%s%s\n", date, reason_label(why), name ? " " : "",
                name ? calendar_name_zh(name) : "");
    cal_src_close(&src);
    return 0;
}

static int calendar_day_cmd(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS,
                                          {"rest", CLI_NOARG, OPT_REST},
                                          {"work", CLI_NOARG, OPT_WORK},
                                          {"name", CLI_ARG, OPT_NAME},
                                          {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cli_app ca;
    struct ks_error err = {0};
    const char *verb = NULL, *date = NULL, *kind = NULL, *name = NULL;
    struct ks_date d;
    int n, rc;

    cli_ctx_init(&ctx);
    n = cli_parse("calendar day", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        switch (ps[i].id) {
        case OPT_HELP:
            free(ps);
            fputs(usage_text, stdout);
            return 0;
        case 0:
            if (!verb)
                verb = ps[i].value;
            else if (!date)
                date = ps[i].value;
            else {
                free(ps);
                return cli_usage_error("calendar day", "unexpected argument '%s'", ps[i].value);
            }
            break;
        case OPT_REST:
            kind = "rest";
            break;
        case OPT_WORK:
            kind = "work";
            break;
        case OPT_NAME:
            name = ps[i].value;
            break;
        default:
            cli_ctx_option(&ctx, &ps[i]);
        }
    }
    free(ps);
    if (!verb || (strcmp(verb, "list") != 0 && !date))
        return cli_usage_error("calendar day", "use: day add DATE --rest|--work, day remove "
                                               "DATE, day list");
    if (strcmp(verb, "add") == 0 && !kind)
        return cli_usage_error("calendar day", "day add needs --rest or --work");
    if (strcmp(verb, "add") != 0 && strcmp(verb, "remove") != 0 && strcmp(verb, "list") != 0)
        return cli_usage_error("calendar day", "unknown action '%s' (add, remove, list)", verb);
    if (date && civil_parse_date(date, "date", &d, &err) < 0)
        return cli_fail(&err);
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0)
        return cli_fail(&err);
    if (strcmp(verb, "list") == 0) {
        const struct calendar *cal = &ca.app.cal;
        for (size_t i = 0; i < cal->n_entries; i++) {
            char ds[KS_DATE_STRLEN];
            if (cal->entries[i].reason != CAL_R_ORG_REST &&
                cal->entries[i].reason != CAL_R_ORG_WORK)
                continue;
            civil_format_date(cal->entries[i].date, ds);
            printf("%s %s %s\n", ds, cal->entries[i].reason == CAL_R_ORG_REST ? "rest" : "work",
                   cal->entries[i].name ? cal->entries[i].name : "");
        }
    } else {
        rc = app_org_day_set(&ca.app, d, strcmp(verb, "add") == 0 ? kind : NULL, name, &err);
    }
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}

static int calendar_add(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        {"help", CLI_NOARG, OPT_HELP},
        {"json", CLI_NOARG, OPT_JSON},
        {"from", CLI_ARG, OPT_FROM},
        {"hours", CLI_ARG, OPT_HOURS},
        {"days", CLI_ARG, OPT_DAYS},
        {"workdays", CLI_ARG, OPT_WORKDAYS},
        {"timezone", CLI_ARG, OPT_TZ},
        {"business-close", CLI_ARG, OPT_CLOSE},
        {"explain", CLI_NOARG, OPT_EXPLAIN},
        {"db", CLI_ARG, OPT_DB},
        {NULL, 0, 0},
    };
    struct cli_parsed *ps = NULL;
    struct ks_error err = {0};
    struct cli_ctx ctx;
    struct cal_src src;
    struct dl_zone zone = {480, -1};
    struct dl_period period = {DL_HOURS, 0};
    struct dl_explain ex;
    const char *from_text = NULL, *tz = NULL, *close = NULL;
    bool explain = false, json = false;
    int n_units = 0, n, rc;
    int64_t from, due;
    char out[KS_TIME_STRLEN], buf[64];

    cli_ctx_init(&ctx);
    n = cli_parse("calendar add", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        const char *v = ps[i].value;
        switch (ps[i].id) {
        case OPT_HELP:
            fputs(usage_text, stdout);
            free(ps);
            return 0;
        case OPT_JSON:
            json = true;
            break;
        case OPT_FROM:
            from_text = v;
            break;
        case OPT_HOURS:
        case OPT_DAYS:
        case OPT_WORKDAYS:
            n_units++;
            snprintf(buf, sizeof(buf), "%s%s", v,
                     ps[i].id == OPT_HOURS  ? "h"
                     : ps[i].id == OPT_DAYS ? "d"
                                            : "wd");
            if (dl_period_parse(buf, &period, &err) < 0) {
                free(ps);
                return cli_fail(&err);
            }
            break;
        case OPT_TZ:
            tz = v;
            break;
        case OPT_CLOSE:
            close = v;
            break;
        case OPT_EXPLAIN:
            explain = true;
            break;
        case OPT_DB:
            ctx.db = v;
            break;
        default:
            free(ps);
            return cli_usage_error("calendar add", "unexpected argument '%s'", v);
        }
    }
    free(ps);
    if (!from_text || n_units != 1)
        return cli_usage_error("calendar add",
                               "give --from and exactly one of --hours, --days, --workdays");
    if (cal_src_open(&src, &ctx, &err) < 0) {
        cal_src_close(&src);
        return cli_fail(&err);
    }
    zone = src.zone;
    if (tz && app_tz_offset(tz, &zone.utc_offset_min, &err) < 0) {
        cal_src_close(&src);
        return cli_fail(&err);
    }
    if (close) {
        int h, m;
        char end;
        if (sscanf(close, "%2d:%2d%c", &h, &m, &end) != 2 || h > 23 || m > 59 || h * 60 + m == 0) {
            cal_src_close(&src);
            return cli_usage_error("calendar add", "--business-close: '%s' is not like 17:30",
                                   close);
        }
        zone.business_close_min = h * 60 + m;
    }
    rc = ks_time_parse(from_text, zone.utc_offset_min, "from", &from, &err);
    if (rc == 0)
        rc = deadline_add(src.cal, &zone, from, period, &due, &ex, &err);
    if (rc < 0) {
        cal_src_close(&src);
        return cli_fail(&err);
    }
    ks_time_format(due, zone.utc_offset_min, out);
    if (json) {
        dl_period_format(period, buf, sizeof(buf));
        printf("{\"from\":\"%s\",\"period\":\"%s\",\"due_at\":\"%s\",\"skipped\":[", from_text, buf,
               out);
        for (int i = 0; i < ex.n_skips; i++) {
            char d[KS_DATE_STRLEN];
            civil_format_date(ex.skips[i].date, d);
            printf("%s{\"date\":\"%s\",\"reason\":\"%s\"}", i ? "," : "", d,
                   ex.skips[i].name ? ex.skips[i].name : reason_label(ex.skips[i].reason));
        }
        printf("]}\n");
    } else {
        printf("%s\n", out);
    }
    if (explain && !json) {
        struct buf text;
        buf_init(&text, 8192);
        if (esc_explain(src.cal, &zone, from, period, NULL, &text, &err) == 0)
            printf("%s\n", buf_str(&text));
        buf_release(&text);
    }
    cal_src_close(&src);
    return 0;
}

int cmd_calendar(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "check") == 0)
        return calendar_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "add") == 0)
        return calendar_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "day") == 0)
        return calendar_day_cmd(argc - 1, argv + 1);
    return cli_usage_error("calendar", "unknown subcommand '%s' (check, add)", argv[1]);
}
