/* kesu add / list / show / move / edit / comment / override: the complaint commands. Each
 * parses its options, opens the deployment, calls the application layer and prints either
 * for people (Chinese labels) or, with --json, the API's JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "cli/cli-app.h"
#include "app/app-json.h"
#include "app/app-motion.h"
#include "codec/complaint-json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

enum {
    OPT_SET = 1,
    OPT_NOTE,
    OPT_STATUS,
    OPT_SEVERITY,
    OPT_CATEGORY,
    OPT_OVERDUE,
    OPT_TEXT,
    OPT_ASSIGNEE,
    OPT_LIMIT,
    OPT_ALL,
    OPT_REASON,
    OPT_CHANNEL,
    OPT_DEPARTMENT,
    OPT_VERSION,
};

/* Applies "FIELD=VALUE" (or a FIELD and VALUE pair) to c. */
static int set_field(struct complaint *c, const char *name, size_t name_len, const char *value,
                     int offset_min, struct ks_error *err)
{
    char key[64];
    const struct cf_desc *f;

    if (name_len >= sizeof(key))
        return ks_fail(err, KS_EINVAL, NULL, "'%.40s...' is not a complaint field", name);
    for (size_t i = 0; i < name_len; i++)
        key[i] = name[i] == '-' ? '_' : name[i];
    key[name_len] = '\0';
    f = complaint_field_find(key);
    if (!f || (f->flags & CF_INTERNAL))
        return ks_fail(err, KS_EINVAL, key,
                       "'%s' is not a complaint field; see 'kesu add --help' for the list", key);
    return complaint_set(c, f, value, offset_min, false, err);
}

static int set_assignment(struct complaint *c, const char *assignment, int offset_min,
                          struct ks_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return ks_fail(err, KS_EINVAL, NULL, "--set needs FIELD=VALUE, got '%s'", assignment);
    return set_field(c, assignment, (size_t)(eq - assignment), eq + 1, offset_min, err);
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | CJ_DUMP_FLAGS);
    if (s)
        puts(s);
    free(s);
    json_decref(j);
}

static const char add_usage[] =
    "usage: kesu add [--FIELD VALUE]... [--set FIELD=VALUE]... [--json] [--db PATH] [--as LOGIN]\n"
    "       kesu add [--json] < complaint.json\n\n"
    "Registers a complaint and prints its number (the whole record with --json). Fields are\n"
    "named as in the API (DESIGN.md); '-' may stand for '_'. Severity, category and defect are\n"
    "judged by the preset's standard when not given. Without field options and with stdin not\n"
    "a terminal, a JSON object is read from stdin.\n\n"
    "fields:\n";

static void print_add_usage(void)
{
    fputs(add_usage, stdout);
    for (size_t i = 0; i < complaint_field_count; i++)
        if (!(complaint_fields[i].flags & (CF_READONLY | CF_INTERNAL)))
            printf("  --%s\n", complaint_fields[i].name);
    puts("\nexample:\n  kesu add --channel phone --customer_name 王先生 --customer_phone "
         "13800138000 \\\n     --product pedal --title '脚踏芯轴断裂' --description "
         "'骑行中芯轴断裂，人摔倒受伤'");
}

static int read_stdin_json(json_t **out, struct ks_error *err)
{
    json_error_t je;
    *out = json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
    if (!*out)
        return ks_fail(err, KS_EINVAL, NULL, "stdin: invalid JSON at line %d: %s", je.line,
                       je.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return ks_fail(err, KS_EINVAL, NULL, "stdin: expected a JSON object");
    }
    return 0;
}

int cmd_add(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS, {"set", CLI_ARG, OPT_SET}, {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cli_app ca;
    struct ks_error err = {0};
    struct complaint c;
    int n, rc, n_fields = 0;

    cli_ctx_init(&ctx);
    n = cli_parse("add", opts, true, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            print_add_usage();
            return 0;
        }
        if (ps[i].id == 0 && strcmp(ps[i].value, "-") != 0) {
            free(ps);
            return cli_usage_error("add", "unexpected argument '%s'", ps[i].value);
        }
        cli_ctx_option(&ctx, &ps[i]);
    }
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0) {
        free(ps);
        return cli_fail(&err);
    }
    complaint_init(&c);
    for (int i = 0; i < n && rc == 0; i++) {
        if (ps[i].id == OPT_SET) {
            rc = set_assignment(&c, ps[i].value, ca.app.zone.utc_offset_min, &err);
            n_fields++;
        } else if (ps[i].id == -1) {
            const char *eq = strchr(ps[i].name, '=');
            size_t len = eq ? (size_t)(eq - ps[i].name) : strlen(ps[i].name);
            rc = set_field(&c, ps[i].name, len, ps[i].value, ca.app.zone.utc_offset_min, &err);
            n_fields++;
        }
    }
    if (rc == 0 && n_fields == 0 && !isatty(STDIN_FILENO)) {
        json_t *in = NULL;
        rc = read_stdin_json(&in, &err);
        if (rc == 0)
            rc = complaint_from_json(&c, in, ca.app.zone.utc_offset_min, 0, &err);
        json_decref(in);
    } else if (rc == 0 && n_fields == 0) {
        rc = ks_fail(&err, KS_EINVAL, NULL,
                     "no fields given: use --FIELD VALUE options or pipe a JSON object");
    }
    free(ps);
    if (rc == 0)
        rc = app_register(&ca.app, &c, &ca.actor, ca.now, &err);
    if (rc == 0) {
        if (ctx.json)
            print_json(complaint_to_json(&c, ca.app.zone.utc_offset_min, 0));
        else
            printf("%s\n", c.number);
    }
    complaint_release(&c);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}

static const char list_usage[] =
    "usage: kesu list [--status S] [--severity S] [--category C] [--channel C]\n"
    "                 [--assignee LOGIN] [--department CODE] [--overdue] [--text WORDS]\n"
    "                 [--all] [--limit N] [--json] [--db PATH]\n\n"
    "Lists complaints, newest first. Open ones only unless --all or --status is given.\n"
    "--text searches title and description (Chinese works: --text 断裂).\n";

int cmd_list(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        CLI_COMMON_OPTS,
        {"status", CLI_ARG, OPT_STATUS},
        {"severity", CLI_ARG, OPT_SEVERITY},
        {"category", CLI_ARG, OPT_CATEGORY},
        {"channel", CLI_ARG, OPT_CHANNEL},
        {"assignee", CLI_ARG, OPT_ASSIGNEE},
        {"department", CLI_ARG, OPT_DEPARTMENT},
        {"overdue", CLI_NOARG, OPT_OVERDUE},
        {"text", CLI_ARG, OPT_TEXT},
        {"all", CLI_NOARG, OPT_ALL},
        {"limit", CLI_ARG, OPT_LIMIT},
        {0},
    };
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cli_app ca;
    struct ks_error err = {0};
    struct complaint_filter f;
    struct store_tx *tx = NULL;
    struct store_iter *it = NULL;
    struct complaint row;
    json_t *arr = NULL;
    bool all = false;
    int n, rc = 0, count = 0;

    cli_ctx_init(&ctx);
    complaint_filter_init(&f);
    f.open_only = true;
    n = cli_parse("list", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n && rc == 0; i++) {
        const char *v = ps[i].value;
        enum severity sev;
        enum wf_state st;
        enum channel ch;
        char *end;
        long lim;
        if (cli_ctx_option(&ctx, &ps[i]))
            continue;
        switch (ps[i].id) {
        case OPT_HELP:
            free(ps);
            fputs(list_usage, stdout);
            return 0;
        case OPT_STATUS:
            rc = wf_state_parse(v, &st, &err);
            f.status = (int)st;
            break;
        case OPT_SEVERITY:
            rc = severity_parse(v, &sev, &err);
            f.severity = (int)sev;
            break;
        case OPT_CHANNEL:
            rc = channel_parse(v, &ch, &err);
            f.channel = (int)ch;
            break;
        case OPT_CATEGORY:
            f.category = v;
            break;
        case OPT_ASSIGNEE:
            f.assignee = v;
            break;
        case OPT_DEPARTMENT:
            f.department = v;
            break;
        case OPT_OVERDUE:
            f.overdue = true;
            break;
        case OPT_TEXT:
            f.text = v;
            break;
        case OPT_ALL:
            all = true;
            break;
        case OPT_LIMIT:
            lim = strtol(v, &end, 10);
            if (*end || lim < 1 || lim > 100000)
                rc = ks_fail(&err, KS_EINVAL, "limit", "limit: '%s' is not a number 1-100000", v);
            f.limit = (int)lim;
            break;
        default:
            free(ps);
            return cli_usage_error("list", "unexpected argument '%s'", v);
        }
    }
    free(ps);
    if (rc < 0)
        return cli_fail(&err);
    if (all || f.status >= 0)
        f.open_only = false;
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0)
        return cli_fail(&err);
    f.now = ca.now;
    complaint_init(&row);
    if (ctx.json)
        arr = json_array();
    rc = store_tx_begin(ca.app.store, STORE_TX_READ, &tx, &err);
    if (rc == 0)
        rc = store_complaint_list(tx, &f, &it, &err);
    while (rc == 0 && (rc = store_complaint_next(it, &row, &err)) == 1) {
        rc = 0;
        count++;
        if (arr) {
            json_array_append_new(
                arr, complaint_to_json(&row, ca.app.zone.utc_offset_min, CJ_MASK_PERSONAL));
        } else {
            char t[KS_TIME_STRLEN];
            ks_time_format(row.received_at, ca.app.zone.utc_offset_min, t);
            t[16] = '\0';
            printf("%-16s %-6s %-4s %s %s  %s\n", row.number, wf_state_label(row.status),
                   row.severity ? severity_label(row.severity) : "-", t,
                   row.customer_name ? row.customer_name : "-",
                   row.title ? row.title : (row.description ? row.description : ""));
        }
    }
    store_iter_free(&it);
    store_tx_rollback(&tx);
    complaint_release(&row);
    if (rc == 0 && arr)
        print_json(json_incref(arr));
    else if (rc == 0 && isatty(STDOUT_FILENO))
        fprintf(stderr, "%d complaint(s)\n", count);
    json_decref(arr);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}

static const char *event_label(const struct event *ev)
{
    static const struct {
        const char *kind, *label;
    } labels[] = {
        {EV_CREATED, "登记"},      {EV_TRANSITION, "流转"}, {EV_EDIT, "修改"},
        {EV_COMMENT, "备注"},      {EV_HANDOVER, "移交"},   {EV_CLASSIFIED, "程度判定"},
        {EV_OVERRIDE, "人工改判"}, {EV_DEADLINE, "期限"},
    };
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (strcmp(ev->kind, labels[i].kind) == 0)
            return labels[i].label;
    return ev->kind;
}

/* The part of an event's details a person wants to read in a terminal. */
static void print_event_details(const struct event *ev)
{
    json_t *d = ev->details ? json_loads(ev->details, 0, NULL) : NULL;
    const char *k, *stage = NULL, *due = NULL, *rule = NULL, *from = NULL, *to = NULL;
    const char *sev = NULL;
    json_t *v, *reasons = NULL;
    size_t i;

    if (!json_is_object(d)) {
        json_decref(d);
        return;
    }
    if (strcmp(ev->kind, EV_CLASSIFIED) == 0) {
        enum severity s = SEV_NONE;
        json_unpack(d, "{s?s, s?o}", "severity", &sev, "reasons", &reasons);
        if (sev)
            severity_parse(sev, &s, NULL);
        printf(" %s", severity_label(s));
        json_array_foreach(reasons, i, v)
        {
            const char *detail = json_string_value(json_object_get(v, "detail"));
            if (detail)
                printf("\n%38s· %s", "", detail);
        }
    } else if (strcmp(ev->kind, EV_DEADLINE) == 0) {
        static const struct {
            const char *op, *label;
        } ops[] = {{"paused", "暂停 "}, {"resumed", "恢复 "}, {"extended", "延期 "}};
        enum wf_state st = WF_STATE_NEW;
        const char *op = NULL, *period = NULL, *reason = NULL, *op_label = "";
        json_unpack(d, "{s?s, s?s, s?s, s?s, s?s, s?s}", "stage", &stage, "due_at", &due, "rule",
                    &rule, "op", &op, "period", &period, "reason", &reason);
        if (stage && wf_state_parse(stage, &st, NULL) == 0)
            stage = wf_state_label(st);
        if (ev->note && strcmp(ev->note, "started") == 0)
            op_label = "开始 ";
        for (size_t j = 0; op && j < sizeof ops / sizeof ops[0]; j++)
            if (strcmp(op, ops[j].op) == 0)
                op_label = ops[j].label;
        printf(" %s%s 截止 %s%s%s", op_label, stage ? stage : "", due ? due : "", rule ? "  " : "",
               rule ? rule : "");
        if (op && strcmp(op, "extended") == 0 && period)
            printf("  期限改为 %s", period);
        if (reason && *reason)
            printf("  原因：%s", reason);
    } else if (strcmp(ev->kind, EV_CHECKLIST) == 0) {
        json_int_t level = 0;
        json_t *items = NULL;
        json_unpack(d, "{s?I, s?o}", "level", &level, "items", &items);
        printf(" 应急处置清单%s", level == 1 ? "（一级响应）" : "");
        json_array_foreach(items, i, v)
        {
            if (json_is_string(v))
                printf("\n%38s· %s", "", json_string_value(v));
        }
    } else if (strcmp(ev->kind, EV_EDIT) == 0) {
        json_t *changed = json_object_get(d, "changed");
        json_object_foreach(changed, k, v)
        {
            const char *x = json_string_value(json_object_get(v, "to"));
            printf("\n%38s· %s → %s", "", k,
                   x                   ? x
                   : json_is_string(v) ? json_string_value(v)
                                       : "(空)");
        }
    } else if (strcmp(ev->kind, EV_HANDOVER) == 0) {
        json_unpack(d, "{s?s, s?s}", "from", &from, "to", &to);
        printf(" %s → %s", from ? from : "-", to ? to : "-");
    } else if (strcmp(ev->kind, EV_OVERRIDE) == 0) {
        json_unpack(d, "{s?s, s?s}", "severity_from", &from, "severity_to", &to);
        printf(" %s → %s", from ? from : "-", to ? to : "-");
    }
    json_decref(d);
}

static void print_view(const struct app *a, const struct app_view *v, int64_t now)
{
    const struct complaint *c = &v->c;
    int off = a->zone.utc_offset_min;
    struct buf b;
    char t[KS_TIME_STRLEN];

    buf_init(&b, 64 * 1024);
    printf("%s  %s\n", c->number, c->title ? c->title : "");
    printf("状态 status      %s (%s)\n", wf_state_label(c->status), wf_state_name(c->status));
    printf("程度 severity    %s (%s)  紧急 urgent: %s  响应等级 response_level: %s\n",
           c->severity ? severity_label(c->severity) : "-", severity_name(c->severity),
           c->urgent ? "是" : "否",
           c->response_level == 1   ? "一级"
           : c->response_level == 2 ? "二级"
                                    : "-");
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if ((f->flags & CF_INTERNAL) || !strcmp(f->name, "number") || !strcmp(f->name, "title") ||
            !strcmp(f->name, "status") || !strcmp(f->name, "severity") ||
            !strcmp(f->name, "urgent") || !strcmp(f->name, "response_level") ||
            !complaint_has(c, f))
            continue;
        buf_reset(&b);
        complaint_get(c, f, off, &b);
        printf("  %-26s %s\n", f->name, buf_str(&b));
    }
    if (v->n_dls)
        printf("\n期限 deadlines\n");
    for (size_t i = 0; i < v->n_dls; i++) {
        const struct stage_deadline *d = &v->dls[i];
        const char *state;
        char met[KS_TIME_STRLEN] = "";
        if (d->clock.met_at != KS_TIME_NONE) {
            ks_time_format(d->clock.met_at, off, met);
            state = d->breached ? "超期完成 met late" : "按时完成 met";
        } else if (d->clock.paused_at != KS_TIME_NONE) {
            state = "暂停 paused";
        } else if (stage_clock_is_breached(&d->clock, now)) {
            state = "已超期 overdue";
        } else {
            state = "进行中 running";
        }
        ks_time_format(d->clock.due_at, off, t);
        printf("  %-8s %-24s 截止 due %s  %s %s\n", wf_state_label(d->stage),
               d->rule ? d->rule : "", t, state, met);
        buf_reset(&b);
        if (app_deadline_explain(a, d, &b, NULL) == 0 && b.len)
            printf("           %s\n", buf_str(&b));
    }
    printf("\n时间线 timeline\n");
    for (size_t i = 0; i < v->n_evs; i++) {
        const struct event *ev = &v->evs[i];
        ks_time_format(ev->at, off, t);
        printf("  %s  %-8s %s", t, ev->actor, event_label(ev));
        if (ev->from_state >= 0 && ev->to_state >= 0)
            printf(" %s → %s", wf_state_label((enum wf_state)ev->from_state),
                   wf_state_label((enum wf_state)ev->to_state));
        print_event_details(ev);
        if (ev->note && strcmp(ev->kind, EV_DEADLINE) != 0)
            printf("  “%s”", ev->note);
        putchar('\n');
    }
    buf_release(&b);
}

int cmd_show(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS, {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cli_app ca;
    struct ks_error err = {0};
    struct app_view v;
    const char *number = NULL;
    int n, rc;

    cli_ctx_init(&ctx);
    n = cli_parse("show", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            puts("usage: kesu show NUMBER [--json] [--db PATH]\n\n"
                 "Prints a complaint: its fields, each stage's deadline and the full timeline.");
            return 0;
        }
        if (ps[i].id == 0 && !number)
            number = ps[i].value;
        else if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("show", "unexpected argument '%s'", ps[i].value);
        }
    }
    free(ps);
    if (!number)
        return cli_usage_error("show", "give a complaint NUMBER");
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0)
        return cli_fail(&err);
    app_view_init(&v);
    rc = app_get(&ca.app, number, &v, &err);
    if (rc == 0 && ctx.json)
        print_json(app_view_to_json(&ca.app, &v, ca.now, 0));
    else if (rc == 0)
        print_view(&ca.app, &v, ca.now);
    app_view_release(&v);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}

/* move and edit: load, apply --set, save (and move). */
static int update_command(const char *cmd, int argc, char **argv, bool is_move)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS,
                                          {"set", CLI_ARG, OPT_SET},
                                          {"note", CLI_ARG, OPT_NOTE},
                                          {"version", CLI_ARG, OPT_VERSION},
                                          {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cli_app ca;
    struct ks_error err = {0};
    struct app_view v;
    const char *number = NULL, *state = NULL, *note = NULL, *version = NULL;
    enum wf_state to = WF_STATE_NEW;
    int n, rc;

    cli_ctx_init(&ctx);
    n = cli_parse(cmd, opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            if (is_move)
                puts("usage: kesu move NUMBER STATE [--set FIELD=VALUE]... [--note TEXT]\n"
                     "                 [--version N] [--as LOGIN] [--json] [--db PATH]\n\n"
                     "Moves a complaint to STATE (accepted, assigned, investigating, proposed,\n"
                     "resolving, replied, follow_up, closed, rejected, withdrawn, merged; or the\n"
                     "Chinese name). Fields set with --set travel with the move, so a move that\n"
                     "needs a field can be done in one step:\n"
                     "  kesu move KS20261128-0001 assigned --set assignee=zhang\n"
                     "  kesu move KS20261128-0001 proposed --set responsibility.party=我司 "
                     "--set plan=补发芯轴并致歉\n"
                     "--version refuses the move when someone changed the complaint since.");
            else
                puts("usage: kesu edit NUMBER --set FIELD=VALUE... [--note TEXT] [--version N]\n"
                     "                 [--as LOGIN] [--json] [--db PATH]\n\n"
                     "Changes fields of a complaint. A new assignee is recorded as a hand-over\n"
                     "(移交). number, status, first_responder and received_at cannot change.");
            return 0;
        }
        if (ps[i].id == 0) {
            if (!number)
                number = ps[i].value;
            else if (is_move && !state)
                state = ps[i].value;
            else {
                free(ps);
                return cli_usage_error(cmd, "unexpected argument '%s'", ps[i].value);
            }
        } else if (ps[i].id == OPT_NOTE) {
            note = ps[i].value;
        } else if (ps[i].id == OPT_VERSION) {
            version = ps[i].value;
        } else {
            cli_ctx_option(&ctx, &ps[i]);
        }
    }
    if (!number || (is_move && !state)) {
        free(ps);
        return cli_usage_error(cmd, is_move ? "give a complaint NUMBER and a STATE"
                                            : "give a complaint NUMBER");
    }
    if (is_move && wf_state_parse(state, &to, &err) < 0) {
        free(ps);
        return cli_fail(&err);
    }
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0) {
        free(ps);
        return cli_fail(&err);
    }
    app_view_init(&v);
    rc = app_get(&ca.app, number, &v, &err);
    if (rc == 0 && version) {
        char *end;
        long want = strtol(version, &end, 10);
        if (*end || want != v.c.version)
            rc = ks_fail(&err, KS_ECONFLICT, "version",
                         "complaint %s is at version %d, not %s; reload and retry", number,
                         v.c.version, version);
    }
    for (int i = 0; i < n && rc == 0; i++)
        if (ps[i].id == OPT_SET)
            rc = set_assignment(&v.c, ps[i].value, ca.app.zone.utc_offset_min, &err);
    free(ps);
    if (rc == 0)
        rc = app_update(&ca.app, &v.c, is_move ? (int)to : -1, &ca.actor, note, ca.now, &err);
    if (rc == 0) {
        if (ctx.json)
            print_json(complaint_to_json(&v.c, ca.app.zone.utc_offset_min, 0));
        else
            printf("%s %s (%s) version %d\n", v.c.number, wf_state_label(v.c.status),
                   wf_state_name(v.c.status), v.c.version);
    }
    app_view_release(&v);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}

int cmd_move(int argc, char **argv)
{
    return update_command("move", argc, argv, true);
}

int cmd_edit(int argc, char **argv)
{
    return update_command("edit", argc, argv, false);
}

int cmd_comment(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS, {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cli_app ca;
    struct ks_error err = {0};
    const char *number = NULL, *text = NULL;
    int n, rc;

    cli_ctx_init(&ctx);
    n = cli_parse("comment", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            puts("usage: kesu comment NUMBER TEXT [--as LOGIN] [--db PATH]\n\n"
                 "Adds a note to the complaint's timeline without changing it.");
            return 0;
        }
        if (ps[i].id == 0 && !number)
            number = ps[i].value;
        else if (ps[i].id == 0 && !text)
            text = ps[i].value;
        else if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("comment", "unexpected argument '%s'", ps[i].value);
        }
    }
    free(ps);
    if (!number || !text)
        return cli_usage_error("comment", "give a complaint NUMBER and the TEXT");
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0)
        return cli_fail(&err);
    rc = app_comment(&ca.app, number, &ca.actor, text, ca.now, &err);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}

int cmd_override(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS,
                                          {"severity", CLI_ARG, OPT_SEVERITY},
                                          {"category", CLI_ARG, OPT_CATEGORY},
                                          {"reason", CLI_ARG, OPT_REASON},
                                          {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct cli_app ca;
    struct ks_error err = {0};
    struct complaint c;
    const char *number = NULL, *category = NULL, *reason = NULL;
    enum severity sev = SEV_NONE;
    int n, rc = 0;

    cli_ctx_init(&ctx);
    n = cli_parse("override", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n && rc == 0; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            puts("usage: kesu override NUMBER [--severity S] [--category C] --reason TEXT\n"
                 "                     [--as LOGIN] [--json] [--db PATH]\n\n"
                 "Corrects the judged severity or category; the change and the reason are\n"
                 "recorded in the timeline (人工改判).");
            return 0;
        }
        if (ps[i].id == 0 && !number)
            number = ps[i].value;
        else if (ps[i].id == OPT_SEVERITY)
            rc = severity_parse(ps[i].value, &sev, &err);
        else if (ps[i].id == OPT_CATEGORY)
            category = ps[i].value;
        else if (ps[i].id == OPT_REASON)
            reason = ps[i].value;
        else if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("override", "unexpected argument '%s'", ps[i].value);
        }
    }
    free(ps);
    if (rc < 0)
        return cli_fail(&err);
    if (!number)
        return cli_usage_error("override", "give a complaint NUMBER");
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0)
        return cli_fail(&err);
    complaint_init(&c);
    rc = app_override(&ca.app, number, sev, category, reason, &ca.actor, ca.now, &c, &err);
    if (rc == 0 && ctx.json)
        print_json(complaint_to_json(&c, ca.app.zone.utc_offset_min, 0));
    else if (rc == 0)
        printf("%s %s %s\n", c.number, severity_label(c.severity), c.category ? c.category : "-");
    complaint_release(&c);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}
