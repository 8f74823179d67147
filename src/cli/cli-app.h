/* Opening the deployment for a command: the database from --db/$KESU_DB, the acting user
 * from --as (default admin) with their role, and "now". Ownership: struct cli_app is
 * caller-owned; cli_app_close() releases what cli_app_open() acquired. */
#ifndef KS_CLI_CLI_APP_H
#define KS_CLI_CLI_APP_H

#include <stdint.h>

#include "app/app.h"
#include "cli/cli.h"
#include "core/workflow.h"
#include "store/store.h"

struct cli_app {
    struct app app;
    struct user user;
    struct wf_actor actor; /* borrows user.login */
    int64_t now;
};

/* KS_ENOTFOUND for a missing database or an unknown --as user; KS_EPERM for a disabled one. */
int cli_app_open(struct cli_app *ca, const struct cli_ctx *ctx, struct ks_error *err);
void cli_app_close(struct cli_app *ca);

#endif
