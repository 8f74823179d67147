/* Deadlines in motion: what a sweep must do about one stage clock at `now` (warn once, mark
 * the breach once, take each escalation step once and in order), what registration at
 * response level 1 or as urgent starts, and a deadline's explanation in words. Pure: the
 * caller passes the clock, the counters it stored, the calendar and now, and persists the
 * new counters with the actions in one transaction, which is what makes a sweep idempotent.
 * Ownership: everything is caller-owned; results borrow from the preset where said. */
#ifndef KS_CORE_ESCALATION_H
#define KS_CORE_ESCALATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/complaint.h"
#include "core/deadline.h"
#include "core/preset.h"
#include "lib/buf.h"
#include "lib/err.h"

/* What the sweeper has already done for one stage deadline (the warned, breached and
 * escalated columns of struct stage_deadline in store/store.h). */
struct esc_state {
    int warned;    /* 0 or 1 */
    bool breached; /* the breach was marked */
    int escalated; /* escalation steps taken, 0..n_steps */
};

enum esc_kind {
    ESC_WARN = 0, /* warn_at_percent of the period is used */
    ESC_BREACH,   /* the due time has passed */
    ESC_STEP,     /* step `step` of the chain */
};

struct esc_action {
    enum esc_kind kind;
    int step;          /* ESC_STEP: 0-based index into the chain; else -1 */
    enum notify_to to; /* ESC_STEP: the step's recipient; ESC_WARN/BREACH: the assignee */
    int64_t due_at;    /* the instant this action became due (for the event and the message) */
    const char *label; /* the step's label, borrowed from the chain; may be NULL */
};

#define ESC_MAX_ACTIONS 34 /* warn + breach + up to 32 steps */

struct esc_sweep {
    size_t n;
    struct esc_action v[ESC_MAX_ACTIONS];
    struct esc_state next; /* the counters to store with the actions */
};

/* Decides the actions due at now for a clock with counters st. Nothing is due for a clock
 * that is met (met_at set) or paused: paused clocks do not warn or escalate. A clock swept
 * for the first time after its due time gets the breach but no late warning (next.warned is
 * still set so none follows). Escalation steps fall due at due_at plus each step's `after`
 * (working days counted on cal); every step whose time has come is returned in order, so a
 * sweep that missed hours catches up, and re-running at the same or a later now with the
 * stored counters returns nothing already done. warn_percent is 1..99; a chain longer than
 * 32 steps is KS_EINVAL. Tested by tests/unit/test-escalation.c. */
int esc_sweep(const struct stage_clock *clk, const struct esc_state *st, int warn_percent,
              const struct preset_esc_step *chain, size_t n_chain, const struct calendar *cal,
              const struct dl_zone *zone, int64_t now, struct esc_sweep *out, struct ks_error *err);

/* The same with the preset's warning share and chain (or their defaults). */
int esc_sweep_preset(const struct preset *p, const struct stage_clock *clk,
                     const struct esc_state *st, const struct calendar *cal,
                     const struct dl_zone *zone, int64_t now, struct esc_sweep *out,
                     struct ks_error *err);

#define ESC_MAX_NOTIFY 8

/* What registration starts. */
struct esc_emergency {
    bool emergency; /* response level 1 or urgent: shown as an emergency */
    int level;      /* the response level acted on (1 for urgent complaints without one) */
    const struct preset_level *rule; /* the preset's level entry, borrowed; may be NULL */
    size_t n_notify;
    enum notify_to notify[ESC_MAX_NOTIFY]; /* who is told, in the preset's order, no repeats */
    struct dl_period within;               /* how soon; n == 0: at once */
    const struct preset_words *checklist;  /* borrowed from p; NULL when the level has none */
};

/* Decides what registering c starts. Not an emergency (level 2, no urgency): out->emergency
 * is false and out->notify lists the level-2 recipients (or none). An emergency whose level
 * entry names nobody still tells the leader and the deputy. A notify entry the preset cannot
 * name is KS_ECONFIG. */
int esc_emergency(const struct preset *p, const struct complaint *c, struct esc_emergency *out,
                  struct ks_error *err);

/* Explains a deadline for people: the rule (label may be NULL), the period, the start, each
 * rest day skipped or moved over and why (weekend, holiday name, the organisation's day), the
 * last day and the due instant in the zone. One line, appended to out:
 * "投诉调查：3个工作日: 3 workdays from 2026-09-30 (not counted); skipped 2026-10-01 holiday
 * National Day, ...; last day 2026-10-10; due 2026-10-11T00:00:00+08:00". */
int esc_explain(const struct calendar *cal, const struct dl_zone *zone, int64_t from,
                struct dl_period period, const char *label, struct buf *out, struct ks_error *err);

#endif
