/* Lifecycle of timeline entries (struct event): initialise, release, free arrays. */
#include "core/event.h"

#include <stdlib.h>
#include <string.h>

#include "lib/civil.h"

#include "lib/banned.h"

void event_init(struct event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->at = KS_TIME_NONE; /* not stamped yet */
    ev->from_state = -1;
    ev->to_state = -1;
}

void event_release(struct event *ev)
{
    free(ev->actor);
    free(ev->kind);
    free(ev->note);
    free(ev->details);
    event_init(ev);
}

void event_array_free(struct event **evs, size_t n)
{
    if (!*evs)
        return;
    for (size_t i = 0; i < n; i++)
        event_release(&(*evs)[i]);
    free(*evs);
    *evs = NULL;
}
