/* The outbox retry schedule (see notify.h): capped exponential back-off with "equal jitter"
 * (half fixed, half random), which spreads retries of many messages failing together without
 * ever retrying sooner than half the nominal delay. Pure. */
#include "notify/notify.h"

#include "lib/banned.h"

const char *notify_result_name(enum notify_result r)
{
    switch (r) {
    case NOTIFY_OK:
        return "ok";
    case NOTIFY_RETRY:
        return "retry";
    case NOTIFY_PERMANENT:
        return "permanent";
    }
    return "?";
}

bool notify_retry_next(const struct notify_retry *p, int attempts, uint32_t jitter,
                       int *delay_secs_out)
{
    *delay_secs_out = 0;
    if (attempts < 1 || attempts >= p->max_attempts)
        return false;
    int64_t d = p->base_secs > 0 ? p->base_secs : 1;
    for (int i = 1; i < attempts && d < p->cap_secs; i++)
        d *= 2;
    if (d > p->cap_secs)
        d = p->cap_secs;
    int64_t half = d / 2;
    *delay_secs_out = (int)(d - half + (int64_t)(jitter % (uint32_t)(half + 1)));
    return true;
}
