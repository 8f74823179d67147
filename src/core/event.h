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
#define EV_AUDIT      "audit"      /* someone was shown unmasked personal data; details say what */

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

#define EVENT_HASH_HEX 65 /* 64 lowercase hex digits and the NUL */

/* The chain link of ev, an event of complaint `number`, after the link prev (the hash of the
 * complaint's previous event in append order; NULL for the first link): the hex SHA-256 of the
 * canonical encoding below, written to out. ev->id and ev->complaint_id are not part of it
 * (the number is). The store writes each link beside its event (events.hash) when the event is
 * appended; `kesu verify` recomputes them.
 *
 *     kesu-event-v1\n
 *     prev=<64 hex digits, or - for the first link>\n
 *     number=<n>:<number>\n
 *     at=<Unix seconds, decimal>\n
 *     actor=<n>:<actor>\n
 *     kind=<n>:<kind>\n
 *     from=<n>:<state code>\n      (- when the event has no from state)
 *     to=<n>:<state code>\n        (- when none)
 *     note=<n>:<note>\n            (- when NULL)
 *     details=<n>:<details>\n      (- when NULL; the JSON text byte for byte as stored)
 *
 * <n> is the byte length of the value that follows the colon (decimal), so no value can
 * imitate a field boundary. Documented in docs/reliability.md; tested by
 * tests/unit/test-event.c with a fixed vector. */
void event_chain_hash(const struct event *ev, const char *number, const char *prev,
                      char out[EVENT_HASH_HEX]);

#endif
