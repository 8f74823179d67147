/* Sweeper and deliverer threads (see app-background.h). Each waits on a condition variable
 * with a timeout, so stopping wakes it at once instead of after a whole interval. */
#include "app/app-background.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app-admin.h"
#include "app/app-motion.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

struct app_background {
    struct app *a;
    int sweep_secs;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    bool has_sweeper, has_deliverer;
    pthread_t sweeper, deliverer;
};

/* Sleeps up to secs; false when asked to stop. */
static bool nap(struct app_background *b, int secs)
{
    struct timespec until;
    bool go;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += secs;
    pthread_mutex_lock(&b->mu);
    while (!b->stopping && pthread_cond_timedwait(&b->wake, &b->mu, &until) != ETIMEDOUT)
        ;
    go = !b->stopping;
    pthread_mutex_unlock(&b->mu);
    return go;
}

static void *sweeper(void *arg)
{
    struct app_background *b = arg;

    do {
        struct app_sweep_stats st = {0};
        struct ks_error err = {0};
        if (app_sweep(b->a, (int64_t)time(NULL), 0, &st, &err) < 0)
            fprintf(stderr, "kesu: sweep: %s\n", err.message);
    } while (nap(b, b->sweep_secs));
    return NULL;
}

static uint32_t jitter(void)
{
    return (uint32_t)random();
}

/* Puts in force a preset version another node uploaded. A stored version this build cannot
 * load is said once, not every round. */
static void preset_sync(struct app_background *b, char *said, size_t size)
{
    struct ks_error err = {0};

    if (app_preset_sync(b->a, &err) == 0) {
        said[0] = '\0';
    } else if (strcmp(said, err.message) != 0) {
        fprintf(stderr, "kesu: preset: %s\n", err.message);
        snprintf(said, size, "%s", err.message);
    }
}

static void *deliverer(void *arg)
{
    struct app_background *b = arg;
    char said[KS_ERR_MSG_MAX] = "";

    do {
        struct app_deliver_stats st = {0};
        struct ks_error err = {0};
        preset_sync(b, said, sizeof said);
        if (app_deliver(b->a, (int64_t)time(NULL), 0, jitter, &st, &err) < 0)
            fprintf(stderr, "kesu: delivery: %s\n", err.message);
    } while (nap(b, APP_DELIVER_INTERVAL));
    return NULL;
}

int app_background_start(struct app *a, int sweep_secs, bool deliver, struct app_background **out,
                         struct ks_error *err)
{
    struct app_background *b = xcalloc(1, sizeof(*b));

    *out = NULL;
    if (sweep_secs < 0) {
        free(b);
        return ks_fail(err, KS_EINVAL, "sweep_interval", "sweep_interval: '%d' is negative",
                       sweep_secs);
    }
    b->a = a;
    b->sweep_secs = sweep_secs;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->wake, NULL);
    if (sweep_secs > 0)
        b->has_sweeper = pthread_create(&b->sweeper, NULL, sweeper, b) == 0;
    if (deliver)
        b->has_deliverer = pthread_create(&b->deliverer, NULL, deliverer, b) == 0;
    if ((sweep_secs > 0 && !b->has_sweeper) || (deliver && !b->has_deliverer)) {
        app_background_stop(&b);
        return ks_fail(err, KS_EINTERNAL, NULL, "cannot start the background threads");
    }
    *out = b;
    return 0;
}

void app_background_stop(struct app_background **bp)
{
    struct app_background *b = *bp;

    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stopping = true;
    pthread_cond_broadcast(&b->wake);
    pthread_mutex_unlock(&b->mu);
    if (b->has_sweeper)
        pthread_join(b->sweeper, NULL);
    if (b->has_deliverer)
        pthread_join(b->deliverer, NULL);
    pthread_cond_destroy(&b->wake);
    pthread_mutex_destroy(&b->mu);
    free(b);
    *bp = NULL;
}
