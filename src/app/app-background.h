/* The background work of `kesu serve`: a sweeper thread that runs app_sweep() every interval
 * and a deliverer thread that runs app_deliver() every few seconds (first catching up with a
 * preset version another node uploaded, app_preset_sync()), both on the wall clock,
 * both stopped cleanly (the round in progress finishes). Safe on many nodes: the store hands
 * each due row to one node. Ownership: struct app_background is opaque, created by
 * app_background_start() and freed by app_background_stop(); the app must outlive it. */
#ifndef KS_APP_APP_BACKGROUND_H
#define KS_APP_APP_BACKGROUND_H

#include "app/app.h"

#define APP_SWEEP_INTERVAL_DEFAULT 60 /* seconds */
#define APP_DELIVER_INTERVAL       5  /* seconds between delivery rounds when idle */

struct app_background;

/* Starts the threads: the sweeper every sweep_secs (0: no sweeper) and the deliverer (off
 * when deliver is false). Failures of a round are logged to stderr and retried next round. */
int app_background_start(struct app *a, int sweep_secs, bool deliver, struct app_background **out,
                         struct ks_error *err);
/* Stops and joins the threads and frees *b; NULL is a no-op. */
void app_background_stop(struct app_background **b);

#endif
