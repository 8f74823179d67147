/* Deadlines in motion (issue 5) in the application layer: the sweep that warns, marks breaches
 * and escalates; the deliverer that sends the outbox; what registration and moves start
 * (emergency notices, the checklist, the whole-complaint limit, customer messages, surge
 * incidents); pausing, resuming and extending the current stage clock; incidents declared by
 * hand, attached and answered; in-app notifications. Every decision comes from src/core
 * (escalation.h, surge.h, template.h) and is stored with the events and messages it causes in
 * one transaction, which is what makes each action happen once even with several sweepers.
 * Ownership: results are caller-owned storage; strings in them are owned and released by
 * the matching release function. */
#ifndef KS_APP_APP_MOTION_H
#define KS_APP_APP_MOTION_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "lib/buf.h"

#define EV_WARNING   "warning"   /* a stage clock reached warn_at_percent */
#define EV_BREACH    "breach"    /* a stage clock passed its due time */
#define EV_ESCALATED "escalated" /* one escalation step was taken */
#define EV_EMERGENCY "emergency" /* registration at response level 1 or urgent */
#define EV_CHECKLIST "checklist" /* the preset's emergency checklist, attached */
#define EV_MESSAGE   "message"   /* a customer message was queued */
#define EV_INCIDENT  "incident"  /* linked to an incident */
#define EV_CLOCK     "deadline"  /* pause/resume/extend use the deadline event kind */

#define APP_SWEEP_BATCH 500 /* rows per sweep transaction */

struct app_sweep_stats {
    int looked;    /* clocks looked at */
    int warned;    /* warnings */
    int breached;  /* breaches marked */
    int escalated; /* escalation steps */
    int messages;  /* outbox rows written */
    int notices;   /* in-app notifications written */
};

/* Sweeps at now: takes running clocks whose next action is due (batch rows per
 * transaction, 0: APP_SWEEP_BATCH), decides with esc_sweep_preset() and stores the new
 * counters, the events, the in-app notifications and the outbox rows together, then the
 * clock's next action instant. Repeating a sweep at the same or a later now never repeats an
 * action. stats (may be NULL) is added to. Tested by tests/unit/test-motion.c. */
int app_sweep(struct app *a, int64_t now, int batch, struct app_sweep_stats *stats,
              struct ks_error *err);

/* The instant the sweeper must next look at d (its warning, breach or next escalation step),
 * KS_TIME_NONE when nothing more can fall due (met, paused or chain done). */
int app_next_action(const struct app *a, const struct stage_deadline *d, int64_t *out,
                    struct ks_error *err);

struct app_deliver_stats {
    int sent;    /* delivered */
    int retried; /* failed, will be tried again */
    int failed;  /* failed for good */
};

/* Delivers due outbox messages at now over their preset channel: claims up to batch rows
 * (0: 100) in one transaction by moving their next attempt a lease into the future (so a
 * crash resends them later, and another node does not take them), sends each outside any
 * transaction, and records the outcome: sent, retried later per notify_retry_next() (jitter
 * from rand_fn, NULL: a fixed middle value), or failed with the last error. The webhook's
 * key comes from the channel's secret_env. */
int app_deliver(struct app *a, int64_t now, int batch, uint32_t (*rand_fn)(void),
                struct app_deliver_stats *stats, struct ks_error *err);

/* What registration starts, inside app_register's transaction once c is inserted: the
 * whole-complaint limit, the emergency notice and checklist (level 1 or urgent), the
 * acknowledgement to the customer and surge detection. Called by app_register. */
int app_motion_registered(struct app *a, struct store_tx *tx, struct complaint *c,
                          const char *actor, int64_t now, struct ks_error *err);

/* What a move starts, inside app_update's transaction: the reply message with the survey link
 * on entering `replied`, and the whole limit met on leaving the active states. */
int app_motion_moved(struct app *a, struct store_tx *tx, const struct complaint *c,
                     enum wf_state from, enum wf_state to, int64_t now, struct ks_error *err);

/* Renders the customer template `code` for c into subject_out/body_out (either may be NULL).
 * The {{survey_url}} placeholder is a->survey_url's (empty when not set). */
int app_render(struct app *a, const char *code, const struct complaint *c, int64_t due_at,
               const char *incident, struct buf *subject_out, struct buf *body_out,
               struct ks_error *err);

/* The current stage clock of complaint `number`: pause while waiting for the customer, resume,
 * or extend once to the rule's extend_to (or `to` when given). Extending needs a reason and a
 * leader or admin; pausing needs a reason. Each writes a deadline event. */
enum app_clock_op { APP_CLOCK_PAUSE = 0, APP_CLOCK_RESUME, APP_CLOCK_EXTEND };
int app_clock(struct app *a, const char *number, enum app_clock_op op, const struct dl_period *to,
              const char *reason, const struct wf_actor *actor, int64_t now, struct ks_error *err);

/* One explanation line per deadline of a view (esc_explain), appended to out as JSON-free
 * text; used by kesu show and the API. */
int app_deadline_explain(const struct app *a, const struct stage_deadline *d, struct buf *out,
                         struct ks_error *err);

/* ---- incidents ------------------------------------------------------------------------- */

struct app_incident_view {
    struct incident inc;
    char **numbers; /* linked complaints */
    size_t n_numbers;
    struct event *evs; /* its timeline */
    size_t n_evs;
};
void app_incident_view_init(struct app_incident_view *v);
void app_incident_view_release(struct app_incident_view *v);
int app_incident_get(struct app *a, const char *code, struct app_incident_view *out,
                     struct ks_error *err);
/* A leader or admin declares an incident (level 1 or 2); out->code is set. */
int app_incident_declare(struct app *a, const char *title, int level, const char *owner,
                         const struct wf_actor *actor, int64_t now, struct incident *out,
                         struct ks_error *err);
/* Attaches complaint `number` to incident `code` (leader or admin), with events on both. */
int app_incident_attach(struct app *a, const char *code, const char *number,
                        const struct wf_actor *actor, int64_t now, struct ks_error *err);
/* Replies to every linked complaint that is not closed: writes `reply` into it and queues the
 * reply message; *n_out (may be NULL) counts them. */
int app_incident_reply(struct app *a, const char *code, const char *reply,
                       const struct wf_actor *actor, int64_t now, int *n_out, struct ks_error *err);

#endif
