/* kesu sweep [--now INSTANT]: one sweep of the due stage clocks (warnings, breaches,
 * escalation steps, each once), printing what it did; kesu notify list [--status S] and
 * kesu notify deliver [--now INSTANT]: the outbox and one delivery round. */
#include "cli/cmd-sweep.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-motion.h"
#include "cli/cli-app.h"
#include "cli/cli.h"
#include "lib/banned.h"

enum { OPT_STATUS = 1, OPT_LIMIT };

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
