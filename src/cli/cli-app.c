/* The deployment as a command sees it: app, acting user and the current instant. */
#include "cli/cli-app.h"

#include <string.h>

#include "lib/banned.h"

int cli_app_open(struct cli_app *ca, const struct cli_ctx *ctx, struct ks_error *err)
{
    struct app_conf conf = {.db_url = cli_db(ctx), .pool_size = 1};
    struct store_tx *tx = NULL;
    const char *login = ctx->as && *ctx->as ? ctx->as : "admin";
    int rc;

    memset(ca, 0, sizeof(*ca));
    user_init(&ca->user);
    if ((rc = cli_now(ctx, &ca->now, err)) < 0)
        return rc;
    if ((rc = app_open(&ca->app, &conf, err)) < 0)
        return rc;
    rc = store_tx_begin(ca->app.store, STORE_TX_READ, &tx, err);
    if (rc == 0)
        rc = store_user_get(tx, login, &ca->user, err);
    store_tx_rollback(&tx);
    if (rc == KS_ENOTFOUND)
        rc = ks_fail(err, KS_ENOTFOUND, "as",
                     "as: no user '%s' in this database; see 'kesu user list'", login);
    else if (rc == 0 && ca->user.disabled)
        rc = ks_fail(err, KS_EPERM, "as", "as: user '%s' is disabled", login);
    if (rc < 0) {
        cli_app_close(ca);
        return rc;
    }
    ca->actor.login = ca->user.login;
    ca->actor.role = ca->user.role;
    ca->actor.is_system = false;
    return 0;
}

void cli_app_close(struct cli_app *ca)
{
    user_release(&ca->user);
    app_close(&ca->app);
}
