/* kesu init and kesu migrate: create or upgrade a database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/app.h"
#include "cli/cli.h"
#include "lib/secret.h"
#include "store/store.h"
#include "lib/banned.h"

enum { OPT_PRESET = 1, OPT_TZ, OPT_CLOSE, OPT_ADMIN_PASSWORD };

static const char init_usage[] =
    "usage: kesu init [--db PATH] [--preset NAME|FILE.yaml] [--timezone TZ]\n"
    "                 [--business-close HH:MM] [--admin-password PW]\n\n"
    "Creates the database (default ./kesu.db, or $KESU_DB) with the chosen preset (预案):\n"
    "manufacturing (default), generic, bank, telecom, transport, or your own YAML file, and\n"
    "an 'admin' user. The admin password comes from --admin-password, $KESU_ADMIN_PASSWORD,\n"
    "or is generated and printed once. Running init again on an existing database keeps\n"
    "its data, applies new migrations and updates the settings given.\n";

/* Whether the database already holds a kesu schema: a file that exists, or a server
 * database with migrations applied (whose admin must not get a new generated password). */
static bool is_initialised(const char *url)
{
    struct store_conf sc = {.url = url};
    struct store *s = NULL;
    struct stat st;
    int version = 0;

    if (!strstr(url, "://"))
        return stat(url, &st) == 0;
    if (store_open(&sc, &s, NULL) == 0)
        store_schema_version(s, &version, NULL);
    store_close(&s);
    return version > 0;
}

/* A URL may hold a password: messages name a server database without it. */
static const char *shown_db(const char *url)
{
    return strstr(url, "://") ? "the database" : url;
}

/* Says what init left in force: on an existing database without --preset that is the version
 * an administrator uploaded, not the default the command line implies. */
static int say_done(const struct app_conf *conf, bool existed, struct ks_error *err)
{
    struct app a;
    const struct app_preset_gen *g;
    int rc = app_open(&a, conf, err);

    if (rc < 0)
        return rc;
    g = app_preset_gen(&a);
    printf("%s %s (preset %s, version %d)\n", existed ? "updated" : "initialised",
           shown_db(conf->db_url), g->preset->name, g->version);
    app_close(&a);
    return 0;
}

int cmd_init(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        CLI_COMMON_OPTS,
        {"preset", CLI_ARG, OPT_PRESET},
        {"timezone", CLI_ARG, OPT_TZ},
        {"business-close", CLI_ARG, OPT_CLOSE},
        {"admin-password", CLI_ARG, OPT_ADMIN_PASSWORD},
        {0},
    };
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct app_init init = {0};
    struct app_conf conf = {0};
    struct ks_error err = {0};
    const char *password = getenv("KESU_ADMIN_PASSWORD");
    char generated[SECRET_TOKEN_CHARS + 1] = "";
    char hash[SECRET_HASH_MAX];
    bool existed;
    int n, rc;

    cli_ctx_init(&ctx);
    n = cli_parse("init", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        switch (ps[i].id) {
        case OPT_HELP:
            free(ps);
            fputs(init_usage, stdout);
            return 0;
        case OPT_PRESET:
            init.preset = ps[i].value;
            break;
        case OPT_TZ:
            init.tz = ps[i].value;
            break;
        case OPT_CLOSE:
            init.business_close = ps[i].value;
            break;
        case OPT_ADMIN_PASSWORD:
            password = ps[i].value;
            break;
        default:
            if (!cli_ctx_option(&ctx, &ps[i])) {
                free(ps);
                return cli_usage_error("init", "unexpected argument '%s'", ps[i].value);
            }
        }
    }
    free(ps);
    conf.db_url = cli_db(&ctx);
    existed = is_initialised(conf.db_url);
    if (!password && !existed) {
        secret_token(generated);
        generated[16] = '\0';
        password = generated;
    }
    if (password && password[0]) {
        if (secret_hash_password(password, hash, &err) < 0)
            return cli_fail(&err);
        init.admin_password_hash = hash;
    }
    rc = app_init_db(&conf, &init, &err);
    if (rc < 0 || (rc = say_done(&conf, existed, &err)) < 0)
        return cli_fail(&err);
    if (generated[0])
        printf("admin password: %s  (shown once; change it with 'kesu user passwd admin')\n",
               generated);
    return 0;
}

int cmd_migrate(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS, {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct store_conf sc = {0};
    struct store *s = NULL;
    struct ks_error err = {0};
    int n, from = 0, to = 0, rc;

    cli_ctx_init(&ctx);
    n = cli_parse("migrate", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            puts("usage: kesu migrate [--db PATH]\n\nApplies the schema migrations this "
                 "version of kesu has and the database lacks.");
            return 0;
        }
        if (!cli_ctx_option(&ctx, &ps[i])) {
            free(ps);
            return cli_usage_error("migrate", "unexpected argument '%s'", ps[i].value);
        }
    }
    free(ps);
    sc.url = cli_db(&ctx);
    if ((rc = store_open(&sc, &s, &err)) == 0)
        rc = store_migrate(s, &from, &to, &err);
    store_close(&s);
    if (rc < 0)
        return cli_fail(&err);
    if (from == to)
        printf("%s is up to date (schema version %d)\n", shown_db(sc.url), to);
    else
        printf("%s migrated from schema version %d to %d\n", shown_db(sc.url), from, to);
    return 0;
}
