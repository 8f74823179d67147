/* kesu calendar: is a date a working day, and when does a period starting now end. Works
 * without a database: the official calendar is built in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "core/calendar.h"
#include "core/deadline.h"
#include "lib/embed.h"
#include "lib/banned.h"

static const char usage_text[] =
    "usage: kesu calendar check DATE\n"
    "       kesu calendar add --from INSTANT (--hours N | --days N | --workdays N)\n"
    "                         [--timezone TZ] [--business-close HH:MM] [--explain] [--json]\n\n"
    "check prints workday, restday or unknown for DATE (YYYY-MM-DD) on the official\n"
    "mainland China calendar (weekends, public holidays and adjusted working days, 调休).\n"
    "add prints the deadline of a period starting at INSTANT under the Civil Code rules: the\n"
    "day of receipt is not counted and the period ends at 24:00 of its last day (printed as\n"
    "00:00 of the next day) or at --business-close; a calendar-day period ending on a rest day\n"
    "moves to the next working day. --explain lists the skipped days and why.\n\n"
    "examples:\n"
    "  kesu calendar check 2026-10-10\n"
    "  kesu calendar add --from 2026-09-30T10:00:00+08:00 --workdays 3 --explain\n";

enum { OPT_FROM = 1, OPT_HOURS, OPT_DAYS, OPT_WORKDAYS, OPT_TZ, OPT_CLOSE, OPT_EXPLAIN };

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
    struct calendar cal;
    struct ks_error err = {0};
    struct ks_date d;
    enum cal_reason why;
    const char *name = NULL;
    enum cal_kind kind;

    if (argc != 2)
        return cli_usage_error("calendar", "check needs exactly one DATE (YYYY-MM-DD)");
    calendar_init(&cal);
    if (civil_parse_date(argv[1], "date", &d, &err) < 0 || load_official(&cal, &err) < 0) {
        calendar_release(&cal);
        return cli_fail(&err);
    }
    kind = calendar_day(&cal, d, &why, &name);
    printf("%s\n", cal_kind_name(kind));
    if (isatty(fileno(stderr)))
        fprintf(stderr, "%s %s%s%s\n", argv[1], reason_label(why), name ? " " : "",
                name ? name : "");
    calendar_release(&cal);
    return 0;
}

static int calendar_add(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        {"help", CLI_NOARG, OPT_HELP},       {"json", CLI_NOARG, OPT_JSON},
        {"from", CLI_ARG, OPT_FROM},         {"hours", CLI_ARG, OPT_HOURS},
        {"days", CLI_ARG, OPT_DAYS},         {"workdays", CLI_ARG, OPT_WORKDAYS},
        {"timezone", CLI_ARG, OPT_TZ},       {"business-close", CLI_ARG, OPT_CLOSE},
        {"explain", CLI_NOARG, OPT_EXPLAIN}, {NULL, 0, 0},
    };
    struct cli_parsed *ps = NULL;
    struct ks_error err = {0};
    struct calendar cal;
    struct dl_zone zone = {480, -1};
    struct dl_period period = {DL_HOURS, 0};
    struct dl_explain ex;
    const char *from_text = NULL, *tz = "Asia/Shanghai", *close = NULL;
    bool explain = false, json = false;
    int n_units = 0, n, rc;
    int64_t from, due;
    char out[KS_TIME_STRLEN], buf[64];

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
        default:
            free(ps);
            return cli_usage_error("calendar add", "unexpected argument '%s'", v);
        }
    }
    free(ps);
    if (!from_text || n_units != 1)
        return cli_usage_error("calendar add",
                               "give --from and exactly one of --hours, --days, --workdays");
    if (app_tz_offset(tz, &zone.utc_offset_min, &err) < 0)
        return cli_fail(&err);
    if (close) {
        int h, m;
        char end;
        if (sscanf(close, "%2d:%2d%c", &h, &m, &end) != 2 || h > 23 || m > 59)
            return cli_usage_error("calendar add", "--business-close: '%s' is not like 17:30",
                                   close);
        zone.business_close_min = h * 60 + m;
    }
    if (ks_time_parse(from_text, zone.utc_offset_min, "from", &from, &err) < 0)
        return cli_fail(&err);
    calendar_init(&cal);
    rc = load_official(&cal, &err);
    if (rc == 0)
        rc = deadline_add(&cal, &zone, from, period, &due, &ex, &err);
    if (rc < 0) {
        calendar_release(&cal);
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
        char d[KS_DATE_STRLEN];
        civil_format_date(ex.start_date, d);
        printf("起算日 %s 不计入\n", d);
        for (int i = 0; i < ex.n_skips; i++) {
            civil_format_date(ex.skips[i].date, d);
            printf("跳过 %s %s%s%s\n", d, reason_label(ex.skips[i].reason),
                   ex.skips[i].name ? " " : "", ex.skips[i].name ? ex.skips[i].name : "");
        }
        civil_format_date(ex.last_day, d);
        printf("最后一日 %s%s，截止于%s\n", d, ex.moved_off_restday ? "（顺延至工作日）" : "",
               ex.business_close ? "下班时间" : "当日24:00");
    }
    calendar_release(&cal);
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
    return cli_usage_error("calendar", "unknown subcommand '%s' (check, add)", argv[1]);
}
