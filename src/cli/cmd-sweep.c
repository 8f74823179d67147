/* kesu sweep [--now INSTANT]: one sweep of the due stage clocks (warnings, breaches,
 * escalation steps, each once), printing what it did; kesu notify list [--status S] and
 * kesu notify deliver [--now INSTANT]: the outbox and one delivery round; kesu incident
 * list|show|declare|attach|reply: incidents (应急事件) opened by surges or by hand; kesu clock
 * NUMBER pause|resume|extend: the current stage clock of a complaint. */
#include "cli/cmd-sweep.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-motion.h"
#include "cli/cli-app.h"
#include "cli/cli.h"
#include "lib/banned.h"

enum {
    OPT_STATUS = 1,
    OPT_LIMIT,
    OPT_ALL,
    OPT_TITLE,
    OPT_LEVEL,
    OPT_OWNER,
    OPT_REPLY,
    OPT_TO,
    OPT_REASON
};

static const char sweep_usage[] =
    "usage: kesu sweep [--now INSTANT] [--db PATH] [--json]\n"
    "Warns about stage clocks nearing their due time, marks breaches and takes the preset's\n"
    "escalation steps, each once (a second sweep at the same instant does nothing). --now\n"
    "replays a moment (RFC 3339). Exit: 0 ok, 66 no database, 69/75 storage.\n";

int cmd_sweep(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS, {0}};
    struct app_sweep_stats st = {0};
    struct ks_error err = {0};
    struct cli_parsed *ps = NULL;
    struct cli_app ca;
    struct cli_ctx ctx;
    int n, rc;

    cli_ctx_init(&ctx);
    if ((n = cli_parse("sweep", opts, false, argc, argv, &ps)) < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            fputs(sweep_usage, stdout);
            return 0;
        }
        if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("sweep", "unexpected argument '%s'", ps[i].value);
        }
    }
    free(ps);
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0)
        return cli_fail(&err);
    rc = app_sweep(&ca.app, ca.now, 0, &st, &err);
    cli_app_close(&ca);
    if (rc < 0)
        return cli_fail(&err);
    if (ctx.json)
        printf("{\"looked\":%d,\"warned\":%d,\"breached\":%d,\"escalated\":%d,\"messages\":%d,"
               "\"notices\":%d}\n",
               st.looked, st.warned, st.breached, st.escalated, st.messages, st.notices);
    else
        printf("looked at %d clocks: %d warned, %d breached, %d escalation steps; %d messages, "
               "%d notifications\n",
               st.looked, st.warned, st.breached, st.escalated, st.messages, st.notices);
    return 0;
}

static const char notify_usage[] =
    "usage: kesu notify list [--status pending|sent|failed] [--limit N] [--json]\n"
    "       kesu notify deliver [--now INSTANT]\n"
    "list shows the outbox, newest first; deliver sends the due messages once over their\n"
    "preset channel and records each outcome (retries back off up to 8 attempts).\n";

static int notify_list(struct cli_app *ca, int status, int limit, bool json, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct outbox_msg *ms = NULL;
    size_t n = 0;
    int rc;

    if ((rc = store_tx_begin(ca->app.store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    rc = store_outbox_list(tx, status, limit, &ms, &n, err);
    store_tx_rollback(&tx);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char t[KS_TIME_STRLEN];
        ks_time_format(ms[i].created_at, ca->app.zone.utc_offset_min, t);
        if (json) {
            json_t *j =
                json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:i, s:s?}", "id", (json_int_t)ms[i].id,
                          "created_at", t, "channel", ms[i].channel, "recipient", ms[i].recipient,
                          "template", ms[i].template, "status", outbox_status_name(ms[i].status),
                          "attempts", ms[i].attempts, "last_error", ms[i].last_error);
            char *s = json_dumps(j, JSON_COMPACT);
            puts(s);
            free(s);
            json_decref(j);
        } else {
            printf("%lld\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", (long long)ms[i].id, t, ms[i].channel,
                   ms[i].recipient, ms[i].template ? ms[i].template : "",
                   outbox_status_name(ms[i].status), ms[i].attempts,
                   ms[i].last_error ? ms[i].last_error : "");
        }
    }
    outbox_msg_array_free(&ms, n);
    return rc;
}

int cmd_notify(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        CLI_COMMON_OPTS, {"status", CLI_ARG, OPT_STATUS}, {"limit", CLI_ARG, OPT_LIMIT}, {0}};
    struct ks_error err = {0};
    struct cli_parsed *ps = NULL;
    const char *verb = NULL;
    struct cli_app ca;
    struct cli_ctx ctx;
    int n, rc, status = -1, limit = 100;

    cli_ctx_init(&ctx);
    if ((n = cli_parse("notify", opts, false, argc, argv, &ps)) < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            fputs(notify_usage, stdout);
            return 0;
        } else if (ps[i].id == OPT_STATUS) {
            enum outbox_status s;
            if (outbox_status_parse(ps[i].value, &s, &err) < 0) {
                free(ps);
                return cli_usage_error("notify", "%s", err.message);
            }
            status = (int)s;
        } else if (ps[i].id == OPT_LIMIT) {
            char *end;
            long l = strtol(ps[i].value, &end, 10);
            if (*end || l < 1 || l > 10000) {
                free(ps);
                return cli_usage_error("notify", "--limit: '%s' is not 1..10000", ps[i].value);
            }
            limit = (int)l;
        } else if (ps[i].id == 0 && !verb) {
            verb = ps[i].value;
        } else if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("notify", "unexpected argument '%s'", ps[i].value);
        }
    }
    if (!verb || (strcmp(verb, "list") != 0 && strcmp(verb, "deliver") != 0)) {
        free(ps);
        return cli_usage_error("notify", "say list or deliver");
    }
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0) {
        free(ps);
        return cli_fail(&err);
    }
    if (strcmp(verb, "list") == 0) {
        rc = notify_list(&ca, status, limit, ctx.json, &err);
    } else {
        struct app_deliver_stats st = {0};
        rc = app_deliver(&ca.app, ca.now, 0, NULL, &st, &err);
        if (rc == 0)
            printf("%d sent, %d to retry, %d failed\n", st.sent, st.retried, st.failed);
    }
    free(ps);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}

static const char incident_usage[] =
    "usage: kesu incident list [--all] [--json]\n"
    "       kesu incident show CODE [--json]\n"
    "       kesu incident declare --title TEXT [--level 1|2] [--owner LOGIN]\n"
    "       kesu incident attach CODE NUMBER\n"
    "       kesu incident reply CODE --reply TEXT\n"
    "Incidents (应急事件) group complaints about one cause: a surge rule of the preset opens one\n"
    "by itself, a leader or admin may declare one, attach complaints and answer them all at\n"
    "once (reply writes the reply into every linked complaint that is not closed).\n"
    "list shows open incidents unless --all. Exit: 0 ok, 64 usage, 65 bad value, 66 unknown\n"
    "incident or complaint, 77 not allowed.\n";

static json_t *incident_json(const struct incident *inc, int offset_min)
{
    char t[KS_TIME_STRLEN];
    ks_time_format(inc->created_at, offset_min, t);
    return json_pack("{s:s, s:s, s:i, s:s?, s:b, s:s?, s:s}", "code", inc->code, "title",
                     inc->title ? inc->title : "", "level", inc->level, "owner", inc->owner,
                     "closed", inc->closed, "key", inc->key, "created_at", t);
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s)
        puts(s);
    free(s);
    json_decref(j);
}

static int incident_list(struct cli_app *ca, bool all, bool json, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct incident *is = NULL;
    size_t n = 0;
    int rc;

    if ((rc = store_tx_begin(ca->app.store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    rc = store_incident_list(tx, !all, &is, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char **nums = NULL;
        size_t nn = 0;
        if ((rc = store_incident_numbers(tx, is[i].id, &nums, &nn, err)) < 0)
            break;
        if (json) {
            json_t *j = incident_json(&is[i], ca->app.zone.utc_offset_min);
            char *s;
            json_object_set_new(j, "complaints", json_integer((json_int_t)nn));
            s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
            puts(s);
            free(s);
            json_decref(j);
        } else {
            char t[KS_TIME_STRLEN];
            ks_time_format(is[i].created_at, ca->app.zone.utc_offset_min, t);
            printf("%s\t%s\t%d级\t%s\t%zu件\t%s\t%s\n", is[i].code, t, is[i].level,
                   is[i].closed ? "已关闭" : "处理中", nn, is[i].owner ? is[i].owner : "-",
                   is[i].title ? is[i].title : "");
        }
        for (size_t k = 0; k < nn; k++)
            free(nums[k]);
        free(nums);
    }
    store_tx_rollback(&tx);
    incident_array_free(&is, n);
    return rc;
}

static int incident_show(struct cli_app *ca, const char *code, bool json, struct ks_error *err)
{
    struct app_incident_view v;
    int off = ca->app.zone.utc_offset_min;
    int rc;

    app_incident_view_init(&v);
    if ((rc = app_incident_get(&ca->app, code, &v, err)) < 0) {
        app_incident_view_release(&v);
        return rc;
    }
    if (json) {
        json_t *j = incident_json(&v.inc, off), *nums = json_array(), *evs = json_array();
        for (size_t i = 0; i < v.n_numbers; i++)
            json_array_append_new(nums, json_string(v.numbers[i]));
        for (size_t i = 0; i < v.n_evs; i++) {
            char t[KS_TIME_STRLEN];
            ks_time_format(v.evs[i].at, off, t);
            json_array_append_new(evs, json_pack("{s:s, s:s, s:s, s:s?}", "at", t, "actor",
                                                 v.evs[i].actor, "kind", v.evs[i].kind, "note",
                                                 v.evs[i].note));
        }
        json_object_set_new(j, "complaints", nums);
        json_object_set_new(j, "events", evs);
        print_json(j);
    } else {
        printf("%s  %s\n级别 level   %d\n状态 status  %s\n负责人 owner %s\n", v.inc.code,
               v.inc.title ? v.inc.title : "", v.inc.level, v.inc.closed ? "已关闭" : "处理中",
               v.inc.owner ? v.inc.owner : "-");
        if (v.inc.key)
            printf("触发 surge   %s\n", v.inc.key);
        printf("\n投诉 complaints (%zu)\n", v.n_numbers);
        for (size_t i = 0; i < v.n_numbers; i++)
            printf("  %s\n", v.numbers[i]);
        printf("\n时间线 timeline\n");
        for (size_t i = 0; i < v.n_evs; i++) {
            char t[KS_TIME_STRLEN];
            ks_time_format(v.evs[i].at, off, t);
            printf("  %s  %-10s %-8s %s\n", t, v.evs[i].kind, v.evs[i].actor,
                   v.evs[i].note ? v.evs[i].note : "");
        }
    }
    app_incident_view_release(&v);
    return 0;
}

int cmd_incident(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS,
                                          {"all", CLI_NOARG, OPT_ALL},
                                          {"title", CLI_ARG, OPT_TITLE},
                                          {"level", CLI_ARG, OPT_LEVEL},
                                          {"owner", CLI_ARG, OPT_OWNER},
                                          {"reply", CLI_ARG, OPT_REPLY},
                                          {0}};
    struct ks_error err = {0};
    struct cli_parsed *ps = NULL;
    const char *pos[3] = {NULL, NULL, NULL};
    const char *title = NULL, *owner = NULL, *reply = NULL;
    struct cli_app ca;
    struct cli_ctx ctx;
    int n, rc, npos = 0, level = 2;
    bool all = false;

    cli_ctx_init(&ctx);
    if ((n = cli_parse("incident", opts, false, argc, argv, &ps)) < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            fputs(incident_usage, stdout);
            return 0;
        } else if (ps[i].id == OPT_ALL) {
            all = true;
        } else if (ps[i].id == OPT_TITLE) {
            title = ps[i].value;
        } else if (ps[i].id == OPT_OWNER) {
            owner = ps[i].value;
        } else if (ps[i].id == OPT_REPLY) {
            reply = ps[i].value;
        } else if (ps[i].id == OPT_LEVEL) {
            if (strcmp(ps[i].value, "1") != 0 && strcmp(ps[i].value, "2") != 0) {
                free(ps);
                return cli_usage_error("incident", "--level: '%s' is not 1 or 2", ps[i].value);
            }
            level = ps[i].value[0] - '0';
        } else if (ps[i].id == 0 && npos < 3) {
            pos[npos++] = ps[i].value;
        } else if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("incident", "unexpected argument '%s'", ps[i].value);
        }
    }
    const char *verb = pos[0] ? pos[0] : "";
    const char *need = NULL;
    if (strcmp(verb, "list") == 0)
        need = npos == 1 ? NULL : "list takes no argument";
    else if (strcmp(verb, "show") == 0)
        need = npos == 2 ? NULL : "show needs CODE";
    else if (strcmp(verb, "declare") == 0)
        need = npos == 1 && title && *title ? NULL : "declare needs --title";
    else if (strcmp(verb, "attach") == 0)
        need = npos == 3 ? NULL : "attach needs CODE NUMBER";
    else if (strcmp(verb, "reply") == 0)
        need = npos == 2 && reply && *reply ? NULL : "reply needs CODE and --reply";
    else
        need = "say list, show, declare, attach or reply";
    if (need) {
        free(ps);
        return cli_usage_error("incident", "%s", need);
    }
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0) {
        free(ps);
        return cli_fail(&err);
    }
    if (strcmp(verb, "list") == 0) {
        rc = incident_list(&ca, all, ctx.json, &err);
    } else if (strcmp(verb, "show") == 0) {
        rc = incident_show(&ca, pos[1], ctx.json, &err);
    } else if (strcmp(verb, "declare") == 0) {
        struct incident inc;
        incident_init(&inc);
        rc = app_incident_declare(&ca.app, title, level, owner, &ca.actor, ca.now, &inc, &err);
        if (rc == 0)
            puts(inc.code);
        incident_release(&inc);
    } else if (strcmp(verb, "attach") == 0) {
        rc = app_incident_attach(&ca.app, pos[1], pos[2], &ca.actor, ca.now, &err);
        if (rc == 0)
            printf("%s joined %s\n", pos[2], pos[1]);
    } else {
        int replied = 0;
        rc = app_incident_reply(&ca.app, pos[1], reply, &ca.actor, ca.now, &replied, &err);
        if (rc == 0)
            printf("replied to %d complaints of %s\n", replied, pos[1]);
    }
    free(ps);
    cli_app_close(&ca);
    return rc < 0 ? cli_fail(&err) : 0;
}

static const char clock_usage[] =
    "usage: kesu clock NUMBER pause --reason TEXT\n"
    "       kesu clock NUMBER resume [--reason TEXT]\n"
    "       kesu clock NUMBER extend --reason TEXT [--to PERIOD]\n"
    "The current stage clock of a complaint: pause while waiting for the customer or an\n"
    "outside appraisal (the time does not count), resume, or extend once to the preset's\n"
    "extend_to (or --to, e.g. '10 workdays'); extending needs a leader or admin (--as).\n"
    "Each is written to the timeline. Exit: 0 ok, 64 usage, 65 refused, 66 unknown\n"
    "complaint, 77 not allowed.\n";

int cmd_clock(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        CLI_COMMON_OPTS, {"to", CLI_ARG, OPT_TO}, {"reason", CLI_ARG, OPT_REASON}, {0}};
    struct ks_error err = {0};
    struct cli_parsed *ps = NULL;
    const char *pos[2] = {NULL, NULL}, *to_text = NULL, *reason = NULL;
    struct dl_period to = {0};
    enum app_clock_op op;
    struct cli_app ca;
    struct cli_ctx ctx;
    int n, rc, npos = 0;

    cli_ctx_init(&ctx);
    if ((n = cli_parse("clock", opts, false, argc, argv, &ps)) < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            fputs(clock_usage, stdout);
            return 0;
        } else if (ps[i].id == OPT_TO) {
            to_text = ps[i].value;
        } else if (ps[i].id == OPT_REASON) {
            reason = ps[i].value;
        } else if (ps[i].id == 0 && npos < 2) {
            pos[npos++] = ps[i].value;
        } else if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("clock", "unexpected argument '%s'", ps[i].value);
        }
    }
    free(ps);
    if (npos != 2)
        return cli_usage_error("clock", "say NUMBER pause, resume or extend");
    if (strcmp(pos[1], "pause") == 0)
        op = APP_CLOCK_PAUSE;
    else if (strcmp(pos[1], "resume") == 0)
        op = APP_CLOCK_RESUME;
    else if (strcmp(pos[1], "extend") == 0)
        op = APP_CLOCK_EXTEND;
    else
        return cli_usage_error("clock", "'%s' is not pause, resume or extend", pos[1]);
    if (to_text && op != APP_CLOCK_EXTEND)
        return cli_usage_error("clock", "--to goes with extend only");
    if (to_text && dl_period_parse(to_text, &to, &err) < 0)
        return cli_usage_error("clock", "--to: %s", err.message);
    if ((rc = cli_app_open(&ca, &ctx, &err)) < 0)
        return cli_fail(&err);
    rc = app_clock(&ca.app, pos[0], op, to_text ? &to : NULL, reason, &ca.actor, ca.now, &err);
    cli_app_close(&ca);
    if (rc < 0)
        return cli_fail(&err);
    printf("%s: clock %s\n", pos[0],
           op == APP_CLOCK_PAUSE    ? "paused"
           : op == APP_CLOCK_RESUME ? "resumed"
                                    : "extended");
    return 0;
}
