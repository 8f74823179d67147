/* Command dispatch, exit codes and error printing for the kesu command line. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/civil.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#ifndef KS_VERSION
#define KS_VERSION "0.1.0"
#endif

int cli_exit_code(enum ks_err code)
{
    switch (code) {
    case KS_OK:
        return 0;
    case KS_EINVAL:
    case KS_ECONFLICT:
    case KS_ELIMIT:
        return EXIT_DATAERR;
    case KS_ENOTFOUND:
        return EXIT_NOINPUT;
    case KS_ESTORE:
        return EXIT_UNAVAILABLE;
    case KS_EUNCERTAIN:
        return EXIT_TEMPFAIL;
    case KS_ECONFIG:
        return EXIT_CONFIG;
    case KS_EPERM:
    case KS_EAUTH:
        return EXIT_NOPERM;
    case KS_EINTERNAL:
        return EXIT_SOFTWARE;
    }
    return EXIT_SOFTWARE;
}

int cli_fail(const struct ks_error *err)
{
    fprintf(stderr, "kesu: %s\n", err->message[0] ? err->message : "failed");
    return cli_exit_code(err->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "kesu %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'kesu %s --help'.\n", cmd);
    return EXIT_USAGE;
}

static void usage(const struct cli_command *commands, FILE *out)
{
    fprintf(out, "usage: kesu COMMAND [OPTIONS]\n\n"
                 "kesu (客诉) registers customer complaints, judges their severity, drives them\n"
                 "through the procedure against working-day deadlines and reports on them.\n\n"
                 "Commands:\n");
    for (const struct cli_command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\nRun 'kesu COMMAND --help' for a command's options.\n\n"
                 "Exit codes: 0 ok, 64 usage, 65 invalid input or conflict, 66 not found,\n"
                 "69 storage unavailable, 70 internal error, 75 outcome uncertain (check before\n"
                 "retrying), 77 not permitted, 78 bad configuration or preset.\n");
}

int cli_main(const struct cli_command *commands, int argc, char **argv)
{
    if (argc < 2) {
        usage(commands, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(commands, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    for (const struct cli_command *c = commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "kesu: '%s' is not a kesu command. See 'kesu --help'.\n", argv[1]);
    return EXIT_USAGE;
}

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("kesu %s\n", KS_VERSION);
    return 0;
}

int cli_parse(const char *cmd, const struct cli_opt *opts, bool unknown_ok, int argc, char **argv,
              struct cli_parsed **out)
{
    struct cli_parsed *ps = xcalloc((size_t)argc + 1, sizeof(*ps));
    int n = 0;
    bool only_positional = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const struct cli_opt *o = NULL;
        char name[128];
        const char *eq;
        size_t len;

        if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
            ps[n++] = (struct cli_parsed){0, NULL, a};
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (strcmp(a, "-h") == 0)
            a = "--help";
        if (a[1] != '-') {
            free(ps);
            return -cli_usage_error(cmd, "unknown option '%s'", a);
        }
        a += 2;
        eq = strchr(a, '=');
        len = eq ? (size_t)(eq - a) : strlen(a);
        if (len >= sizeof(name)) {
            free(ps);
            return -cli_usage_error(cmd, "option '--%.40s...' is too long", a);
        }
        memcpy(name, a, len);
        name[len] = '\0';
        for (const struct cli_opt *p = opts; p->name; p++)
            if (strcmp(p->name, name) == 0)
                o = p;
        if (!o && !unknown_ok) {
            free(ps);
            return -cli_usage_error(cmd, "unknown option '--%s'", name);
        }
        ps[n].id = o ? o->id : -1;
        ps[n].name = argv[i] + 2;
        if (!o || o->arg == CLI_ARG) {
            if (eq) {
                ps[n].value = eq + 1;
            } else if (i + 1 < argc) {
                ps[n].value = argv[++i];
            } else {
                free(ps);
                return -cli_usage_error(cmd, "option '--%s' needs a value", name);
            }
        } else if (eq) {
            free(ps);
            return -cli_usage_error(cmd, "option '--%s' takes no value", name);
        }
        n++;
    }
    *out = ps;
    return n;
}

void cli_ctx_init(struct cli_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
}

bool cli_ctx_option(struct cli_ctx *ctx, const struct cli_parsed *p)
{
    switch (p->id) {
    case OPT_DB:
        ctx->db = p->value;
        return true;
    case OPT_AS:
        ctx->as = p->value;
        return true;
    case OPT_JSON:
        ctx->json = true;
        return true;
    case OPT_NOW:
        ctx->now_text = p->value;
        return true;
    default:
        return false;
    }
}

const char *cli_db(const struct cli_ctx *ctx)
{
    const char *env = getenv("KESU_DB");
    if (ctx->db && *ctx->db)
        return ctx->db;
    if (env && *env)
        return env;
    return "kesu.db";
}

int cli_now(const struct cli_ctx *ctx, int64_t *now_out, struct ks_error *err)
{
    const char *s = ctx->now_text ? ctx->now_text : getenv("KESU_NOW");
    if (s && *s)
        return ks_time_parse(s, 480, "now", now_out, err);
    *now_out = (int64_t)time(NULL);
    return 0;
}
