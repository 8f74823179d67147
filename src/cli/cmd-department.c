/* kesu department add|list: the department tree (省行 → 分行 → 支行) that decides who sees
 * which complaints and how reports roll up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-admin.h"
#include "cli/cli.h"
#include "lib/xalloc.h"
#include "store/store.h"
#include "lib/banned.h"

enum { OPT_NAME = 1, OPT_PARENT, OPT_HEAD };

static const char department_usage[] =
    "usage: kesu department add CODE --name NAME [--parent CODE] [--head LOGIN] [--db PATH]\n"
    "       kesu department list [--db PATH]\n\n"
    "Departments form a tree; a user sees the complaints of their department and everything\n"
    "below it, and reports roll up along it. Example:\n"
    "  kesu department add gd --name 广东省分行\n"
    "  kesu department add sz --name 深圳分行 --parent gd\n"
    "  kesu department add sz-futian --name 福田支行 --parent sz --head zhangwei\n";

static void print_tree(const struct department *ds, size_t n, const char *parent, int depth)
{
    for (size_t i = 0; i < n && depth < 32; i++) {
        bool child = parent ? ds[i].parent && strcmp(ds[i].parent, parent) == 0 : !ds[i].parent;
        if (!child)
            continue;
        printf("%*s%s  %s%s%s\n", depth * 2, "", ds[i].code, ds[i].name ? ds[i].name : "",
               ds[i].head ? "  负责人 " : "", ds[i].head ? ds[i].head : "");
        print_tree(ds, n, ds[i].code, depth + 1);
    }
}

int cmd_department(int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS,
                                          {"name", CLI_ARG, OPT_NAME},
                                          {"parent", CLI_ARG, OPT_PARENT},
                                          {"head", CLI_ARG, OPT_HEAD},
                                          {0}};
    struct cli_parsed *ps = NULL;
    struct cli_ctx ctx;
    struct ks_error err = {0};
    struct store_conf sc = {0};
    struct store *s = NULL;
    struct store_tx *tx = NULL;
    struct department d, *ds = NULL;
    const char *verb = NULL, *code = NULL;
    size_t nd = 0;
    int n, rc;

    cli_ctx_init(&ctx);
    department_init(&d);
    n = cli_parse("department", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        switch (ps[i].id) {
        case OPT_HELP:
            free(ps);
            fputs(department_usage, stdout);
            return 0;
        case 0:
            if (!verb)
                verb = ps[i].value;
            else if (!code)
                code = ps[i].value;
            else {
                free(ps);
                return cli_usage_error("department", "unexpected argument '%s'", ps[i].value);
            }
            break;
        case OPT_NAME:
            xstrset(&d.name, ps[i].value);
            break;
        case OPT_PARENT:
            xstrset(&d.parent, ps[i].value);
            break;
        case OPT_HEAD:
            xstrset(&d.head, ps[i].value);
            break;
        default:
            cli_ctx_option(&ctx, &ps[i]);
        }
    }
    free(ps);
    if (!verb || (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0) ||
        (strcmp(verb, "add") == 0 && !code)) {
        department_release(&d);
        return cli_usage_error("department", "use 'department add CODE --name NAME' or "
                                             "'department list'");
    }
    sc.url = cli_db(&ctx);
    rc = store_open(&sc, &s, &err);
    if (rc == 0 && strcmp(verb, "add") == 0) {
        d.code = xstrdup(code);
        if ((rc = store_tx_begin(s, STORE_TX_WRITE, &tx, &err)) == 0 &&
            (rc = app_department_add(tx, &d, &err)) == 0)
            rc = store_tx_commit(&tx, &err);
        if (rc == 0)
            printf("added department %s (%s)\n", d.code, d.name);
    } else if (rc == 0) {
        if ((rc = store_tx_begin(s, STORE_TX_READ, &tx, &err)) == 0 &&
            (rc = store_department_list(tx, &ds, &nd, &err)) == 0)
            print_tree(ds, nd, NULL, 0);
        department_array_free(&ds, nd);
    }
    store_tx_rollback(&tx);
    store_close(&s);
    department_release(&d);
    return rc < 0 ? cli_fail(&err) : 0;
}
