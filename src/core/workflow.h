/* The complaint procedure as a transition table with guards. Pure: it decides whether a move
 * is legal for this actor and this record and where it leads; the caller persists. */
#ifndef KS_CORE_WORKFLOW_H
#define KS_CORE_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/complaint.h"
#include "core/types.h"
#include "lib/err.h"

enum wf_event {
    WF_EV_ACCEPT = 0,  /* new -> accepted */
    WF_EV_ASSIGN,      /* accepted -> assigned (needs assignee) */
    WF_EV_INVESTIGATE, /* assigned -> investigating */
    WF_EV_PROPOSE,     /* investigating -> proposed (needs responsibility.party and plan) */
    WF_EV_SEND_BACK,   /* proposed -> investigating (a leader sends the plan back; note) */
    WF_EV_APPROVE,     /* proposed -> resolving (a leader; records approval) */
    WF_EV_REPLY,       /* resolving -> replied (needs reply) */
    WF_EV_FOLLOW_UP,   /* replied -> follow_up */
    WF_EV_CLOSE,       /* follow_up -> closed (needs satisfaction score or waived reason) */
    WF_EV_REOPEN,      /* replied/closed -> investigating (customer dissatisfied; note) */
    WF_EV_REJECT,      /* new/accepted -> rejected (note = reason) */
    WF_EV_WITHDRAW,    /* any open state -> withdrawn (note) */
    WF_EV_MERGE,       /* any open state -> merged (needs duplicate_of) */
    WF_EV__COUNT
};

/* Who acts. is_system is kesu itself (the survey, the sweeper). */
struct wf_actor {
    const char *login;
    enum role role;
    bool is_system;
};

const char *wf_event_name(enum wf_event ev);
int wf_event_parse(const char *s, enum wf_event *out, struct ks_error *err);

/* The event that moves a complaint from `from` to `to` (the CLI and API name the target
 * state); KS_ECONFLICT when no transition leads there, naming both states. */
int wf_event_for(enum wf_state from, enum wf_state to, enum wf_event *out, struct ks_error *err);

/* Decides event ev for complaint c (the record as it will be after any edit that travels
 * with the move) by actor, with an optional note. On success *to_out is the new state.
 * KS_ECONFLICT: illegal from this state; KS_EPERM: role not allowed; KS_EINVAL: a required
 * field or the note is missing (err->field names it). Tested by tests/unit/test-workflow.c. */
int wf_apply(const struct complaint *c, enum wf_event ev, const struct wf_actor *actor,
             const char *note, enum wf_state *to_out, struct ks_error *err);

/* The events actor may try from c's state (guards on fields not checked), for showing only
 * the actions that make sense. Returns how many were written to out (at most max). */
size_t wf_allowed(const struct complaint *c, const struct wf_actor *actor, enum wf_event *out,
                  size_t max);

/* True for closed, rejected, withdrawn, merged. (closed can still be reopened.) */
bool wf_is_terminal(enum wf_state s);

#endif
