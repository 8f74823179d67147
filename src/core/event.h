/* One entry of a complaint's append-only history (timeline). Ownership: struct event is
 * caller-owned storage; its strings are owned by it and freed by event_release(). */
#ifndef KS_CORE_EVENT_H
#define KS_CORE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/types.h"

/* Kinds of event (the `kind` column and JSON field). */
#define EV_CREATED    "created"    /* registered */
#define EV_TRANSITION "transition" /* a workflow move: from_state -> to_state */
#define EV_EDIT       "edit"       /* fields changed; details lists them */
#define EV_COMMENT    "comment"    /* a note, no change */
#define EV_HANDOVER   "handover"   /* assignee changed */
#define EV_CLASSIFIED "classified" /* severity engine's judgement with reasons */
#define EV_OVERRIDE   "override"   /* a person corrected severity/category, with reason */
#define EV_DEADLINE   "deadline"   /* a stage clock started, paused, resumed, extended */

struct event {
    int64_t id;
    int64_t complaint_id;
    int64_t at;
    char *actor;    /* login, or "system" */
    char *kind;     /* one of EV_* */
    int from_state; /* enum wf_state, or -1 */
    int to_state;   /* enum wf_state, or -1 */
    char *note;
    char *details; /* JSON object as text, or NULL */
};

void event_init(struct event *ev);
void event_release(struct event *ev);
/* Releases n events and the array itself; sets *evs to NULL. */
void event_array_free(struct event **evs, size_t n);

#endif
