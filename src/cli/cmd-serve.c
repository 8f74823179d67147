/* kesu serve: opens the deployment and serves the HTTP API until SIGTERM or SIGINT. With
 * --listen ADDR:0 the kernel picks a free port; the chosen one is printed on stdout as
 * "listening on ADDR:PORT" (tests read it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli.h"
#include "cli/cmd-serve.h"
#include "http/http.h"
#include "lib/secret.h"
#include "lib/banned.h"

enum { OPT_LISTEN = 1, OPT_THREADS, OPT_SWEEP_INTERVAL };

static const char serve_usage[] =
    "usage: kesu serve [--db PATH] [--listen ADDR:PORT] [--threads N]\n"
    "                  [--sweep-interval SECONDS]\n\n"
    "Serves the HTTP JSON API under /api/v1 (default 127.0.0.1:8080; port 0 picks a free\n"
    "port) with a pool of N threads (default: one per core). Stops cleanly on SIGTERM or\n"
    "SIGINT. One access-log line per request goes to stderr.\n\n"
    "In the background it sweeps deadlines (warnings, breaches, escalation) every\n"
    "--sweep-interval seconds (0..86400; 0 turns the sweeper off, e.g. when cron runs\n"
    "`kesu sweep`; default $KESU_SWEEP_INTERVAL, else 60) and delivers the outbox.\n";

static void print_port(int port, void *arg)
{
    printf("listening on %s:%d\n", (const char *)arg, port);
    fflush(stdout);
}

int cmd_serve(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        CLI_COMMON_OPTS,
        {"listen", CLI_ARG, OPT_LISTEN},
        {"threads", CLI_ARG, OPT_THREADS},
        {"sweep-interval", CLI_ARG, OPT_SWEEP_INTERVAL},
        {0},
    };
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct http_conf hc = {.listen = "127.0.0.1:8080", .sweep_interval = -1};
    struct app_conf conf = {0};
    struct ks_error err = {0};
    struct app app;
    char host[64] = "127.0.0.1";
    int n, rc;

    cli_ctx_init(&ctx);
    n = cli_parse("serve", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        switch (ps[i].id) {
        case OPT_HELP:
            free(ps);
            fputs(serve_usage, stdout);
            return 0;
        case OPT_LISTEN:
            hc.listen = ps[i].value;
            break;
        case OPT_THREADS: {
            char *end;
            long t = strtol(ps[i].value, &end, 10);
            if (*end || t < 1 || t > 256) {
                rc = cli_usage_error("serve", "--threads: '%s' is not 1..256", ps[i].value);
                free(ps);
                return rc;
            }
            hc.threads = (int)t;
            break;
        }
        case OPT_SWEEP_INTERVAL: {
            char *end;
            long t = strtol(ps[i].value, &end, 10);
            if (!*ps[i].value || *end || t < 0 || t > 86400) {
                rc = cli_usage_error("serve", "--sweep-interval: '%s' is not 0..86400 seconds",
                                     ps[i].value);
                free(ps);
                return rc;
            }
            hc.sweep_interval = (int)t;
            break;
        }
        default:
            if (!cli_ctx_option(&ctx, &ps[i])) {
                rc = cli_usage_error("serve", "unexpected argument '%s'", ps[i].value);
                free(ps);
                return rc;
            }
        }
    }
    free(ps);
    {
        const char *colon = strrchr(hc.listen, ':');
        size_t len = colon ? (size_t)(colon - hc.listen) : 0;
        if (len > 0 && len < sizeof(host)) {
            memcpy(host, hc.listen, len);
            host[len] = '\0';
        }
    }
    if ((rc = secret_init(&err)) < 0)
        return cli_fail(&err);
    conf.db_url = cli_db(&ctx);
    /* Every pool thread may hold a connection, and the writer one more. */
    conf.pool_size = (hc.threads > 0 ? hc.threads : 8) + 4;
    if ((rc = app_open(&app, &conf, &err)) < 0)
        return cli_fail(&err);
    hc.app = &app;
    hc.on_listen = print_port;
    hc.on_listen_arg = host;
    rc = http_serve(&hc, &err);
    app_close(&app);
    if (rc < 0)
        return cli_fail(&err);
    return 0;
}
