/* kesu user add|list|passwd|disable and kesu token create: accounts from the command line, for
 * the first users of a deployment and for scripts. Passwords come from --password or
 * $KESU_PASSWORD, or are generated and printed once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app-admin.h"
#include "app/app.h"
#include "cli/cli.h"
#include "cli/cmd-user.h"
#include "http/http.h"
#include "lib/secret.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

enum { OPT_NAME = 1, OPT_ROLE, OPT_DEPT, OPT_PASSWORD };

static const char user_usage[] =
    "usage: kesu user add LOGIN --name NAME --role ROLE [--department CODE] [--password PW]\n"
    "       kesu user list [--json]\n"
    "       kesu user passwd LOGIN [--password PW]\n"
    "       kesu user disable LOGIN\n"
    "       kesu token create LOGIN\n\n"
    "Roles: admin, leader (组长), handler (处理人), intake (接待员), viewer (只读).\n"
    "Without --password (or $KESU_PASSWORD) a password is generated and printed once.\n"
    "A token is for other systems: send it as 'Authorization: Bearer TOKEN'.\n";

struct user_args {
    const char *login, *name, *role, *dept, *password;
    struct cli_ctx ctx;
};

static int parse_args(const char *cmd, int argc, char **argv, struct user_args *a)
{
    static const struct cli_opt opts[] = {
        CLI_COMMON_OPTS,
        {"name", CLI_ARG, OPT_NAME},
        {"role", CLI_ARG, OPT_ROLE},
        {"department", CLI_ARG, OPT_DEPT},
        {"password", CLI_ARG, OPT_PASSWORD},
        {0},
    };
    struct cli_parsed *ps = NULL;
    int n;

    memset(a, 0, sizeof(*a));
    cli_ctx_init(&a->ctx);
    a->password = getenv("KESU_PASSWORD");
    n = cli_parse(cmd, opts, false, argc, argv, &ps);
    if (n < 0)
        return -EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        switch (ps[i].id) {
        case OPT_HELP:
            free(ps);
            fputs(user_usage, stdout);
            return 1;
        case OPT_NAME:
            a->name = ps[i].value;
            break;
        case OPT_ROLE:
            a->role = ps[i].value;
            break;
        case OPT_DEPT:
            a->dept = ps[i].value;
            break;
        case OPT_PASSWORD:
            a->password = ps[i].value;
            break;
        case 0:
            if (!a->login) {
                a->login = ps[i].value;
                break;
            }
            /* fall through */
        default:
            if (!cli_ctx_option(&a->ctx, &ps[i])) {
                free(ps);
                return -cli_usage_error(cmd, "unexpected argument '%s'", ps[i].value);
            }
        }
    }
    free(ps);
    return 0;
}

static int open_store(const struct user_args *a, struct store **s, struct ks_error *err)
{
    struct store_conf sc = {.url = cli_db(&a->ctx), .pool_size = 1};
    return store_open(&sc, s, err);
}

/* Hashes the given or a generated password; *shown is the generated one to print, or "". */
static int make_password(const char *given, char hash[SECRET_HASH_MAX],
                         char shown[SECRET_TOKEN_CHARS + 1], struct ks_error *err)
{
    shown[0] = '\0';
    if (!given) {
        secret_token(shown);
        shown[16] = '\0';
        given = shown;
    }
    return secret_hash_password(given, hash, err);
}

static int user_add(const struct user_args *a, struct ks_error *err)
{
    char hash[SECRET_HASH_MAX], shown[SECRET_TOKEN_CHARS + 1];
    struct store *s = NULL;
    struct store_tx *tx = NULL;
    struct user u;
    int rc;

    user_init(&u);
    if (!a->login || !a->role)
        return ks_fail(err, KS_EINVAL, a->login ? "role" : "login",
                       "user add: give a LOGIN and --role");
    if ((rc = app_check_code("login", a->login, err)) < 0 ||
        (rc = role_parse(a->role, &u.role, err)) < 0 ||
        (rc = make_password(a->password, hash, shown, err)) < 0)
        return rc;
    u.login = xstrdup(a->login);
    u.name = a->name ? xstrdup(a->name) : NULL;
    u.department = a->dept ? xstrdup(a->dept) : NULL;
    u.password_hash = xstrdup(hash);
    u.created_at = (int64_t)time(NULL);
    if ((rc = open_store(a, &s, err)) == 0 &&
        (rc = store_tx_begin(s, STORE_TX_WRITE, &tx, err)) == 0 &&
        (!a->dept || (rc = app_department_exists(tx, a->dept, "department", err)) == 0) &&
        (rc = store_user_insert(tx, &u, err)) == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    store_close(&s);
    if (rc == 0) {
        printf("added %s (%s)\n", u.login, role_name(u.role));
        if (shown[0])
            printf("password: %s  (shown once)\n", shown);
    }
    user_release(&u);
    return rc;
}

static int user_list(const struct user_args *a, struct ks_error *err)
{
    struct store *s = NULL;
    struct store_tx *tx = NULL;
    struct user *us = NULL;
    size_t n = 0;
    int rc;

    if ((rc = open_store(a, &s, err)) == 0 &&
        (rc = store_tx_begin(s, STORE_TX_READ, &tx, err)) == 0)
        rc = store_user_list(tx, &us, &n, err);
    store_tx_rollback(&tx);
    store_close(&s);
    if (rc == 0 && a->ctx.json) {
        json_t *arr = json_array();
        char *text;
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, user_to_json(&us[i]));
        text = json_dumps(arr, JSON_INDENT(2));
        puts(text ? text : "[]");
        free(text);
        json_decref(arr);
    } else if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%-16s %-8s %-16s %s%s\n", us[i].login, role_name(us[i].role),
                   us[i].department ? us[i].department : "-", us[i].name ? us[i].name : "",
                   us[i].disabled ? " (disabled)" : "");
    }
    user_array_free(&us, n);
    return rc;
}

/* Loads a user, lets change() alter it, and saves it. */
static int user_change(const struct user_args *a, const char *hash, bool disable,
                       struct ks_error *err)
{
    struct store *s = NULL;
    struct store_tx *tx = NULL;
    struct user u;
    int rc;

    user_init(&u);
    if (!a->login)
        return ks_fail(err, KS_EINVAL, "login", "give a LOGIN");
    if ((rc = open_store(a, &s, err)) == 0 &&
        (rc = store_tx_begin(s, STORE_TX_WRITE, &tx, err)) == 0 &&
        (rc = store_user_get(tx, a->login, &u, err)) == 0) {
        if (hash)
            xstrset(&u.password_hash, hash);
        if (disable)
            u.disabled = true;
        if ((rc = store_user_update(tx, &u, err)) == 0)
            rc = store_tx_commit(&tx, err);
    }
    store_tx_rollback(&tx);
    store_close(&s);
    user_release(&u);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    char hash[SECRET_HASH_MAX], shown[SECRET_TOKEN_CHARS + 1];
    struct ks_error err = {0};
    struct user_args a;
    const char *sub = argc > 1 ? argv[1] : NULL;
    int rc;

    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(user_usage, sub ? stdout : stderr);
        return sub ? 0 : EXIT_USAGE;
    }
    rc = parse_args("user", argc - 1, argv + 1, &a);
    if (rc != 0)
        return rc > 0 ? 0 : -rc;
    if ((rc = secret_init(&err)) < 0)
        return cli_fail(&err);
    if (strcmp(sub, "add") == 0) {
        rc = user_add(&a, &err);
    } else if (strcmp(sub, "list") == 0) {
        rc = user_list(&a, &err);
    } else if (strcmp(sub, "passwd") == 0) {
        if ((rc = make_password(a.password, hash, shown, &err)) == 0 &&
            (rc = user_change(&a, hash, false, &err)) == 0) {
            printf("password of %s changed\n", a.login);
            if (shown[0])
                printf("password: %s  (shown once)\n", shown);
        }
    } else if (strcmp(sub, "disable") == 0) {
        if ((rc = user_change(&a, NULL, true, &err)) == 0)
            printf("%s disabled; all its sessions and API tokens have ended\n", a.login);
    } else {
        return cli_usage_error("user", "unknown subcommand '%s'", sub);
    }
    return rc < 0 ? cli_fail(&err) : 0;
}

int cmd_token(int argc, char **argv)
{
    char token[SECRET_TOKEN_CHARS + 1];
    struct ks_error err = {0};
    struct app_conf conf = {0};
    struct user_args a;
    struct app app;
    int rc;

    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        fputs(user_usage, stderr);
        return EXIT_USAGE;
    }
    rc = parse_args("token", argc - 1, argv + 1, &a);
    if (rc != 0)
        return rc > 0 ? 0 : -rc;
    if (!a.login)
        return cli_usage_error("token", "give a LOGIN");
    if ((rc = secret_init(&err)) < 0)
        return cli_fail(&err);
    conf.db_url = cli_db(&a.ctx);
    conf.pool_size = 1;
    if ((rc = app_open(&app, &conf, &err)) < 0)
        return cli_fail(&err);
    rc = auth_token_create(&app, a.login, (int64_t)time(NULL), token, &err);
    app_close(&app);
    if (rc < 0)
        return cli_fail(&err);
    printf("%s\n", token);
    return 0;
}
