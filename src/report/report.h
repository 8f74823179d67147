/* Reports: the figures of one period and department scope (volume, timeliness, quality and the
 * department roll-up), built from complaint rows streamed to a builder, then rendered to JSON,
 * CSV, HTML, XLSX and SVG charts. Reports are data first: struct report holds every figure;
 * renderers only format it. Ownership: struct report is caller-owned storage filled by
 * report_finish() and freed by report_release(); it owns every string and array in it. The
 * builder is a heap object (report_builder_new / report_builder_free) that borrows its
 * configuration (calendar, zone, preset, departments) until it is freed.
 *
 * Counting rules (docs/reports.md says the same for users):
 * - The cohort is the complaints received in [from, to) in the department subtree; their
 *   status is taken as of `as_of` (the moment the report is made).
 * - closed: status closed; ended: rejected, withdrawn or merged; open: every other status.
 * - Durations are in working days: the days d with start < d <= end (local dates), counted on
 *   the working-day calendar, so the day something starts is not counted (Civil Code art. 201).
 * - A stage clock is judged when it was met or is already past due; it is within its limit when
 *   met on time. The whole complaint is judged when closed or past the preset's whole limit. */
#ifndef KS_REPORT_REPORT_H
#define KS_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/complaint.h"
#include "core/deadline.h"
#include "core/preset.h"
#include "core/types.h"
#include "lib/err.h"
#include "store/store.h"

/* Breakdowns of volume. */
enum report_dim {
    RD_CATEGORY = 0,
    RD_SEVERITY,
    RD_CHANNEL,
    RD_PRODUCT,
    RD_DEFECT,
    RD_CUSTOMER,
    RD_DEPARTMENT,
    RD__COUNT
};

/* One line of a breakdown or Pareto: key is the data code ("" for "not given", "_other" for
 * the lines folded together past the top N), label the Chinese name. */
struct report_entry {
    char *key;
    char *label;
    int64_t n;
    int64_t cum; /* Pareto only: n of this line and every line before it */
};

/* Entries sorted by n descending, then key ascending; total counts every row, folded or not. */
struct report_dist {
    struct report_entry *v;
    size_t n;
    int64_t total;
};

struct report_volume {
    int64_t received, closed, ended, open;
    bool has_prev, has_yoy;              /* comparisons supplied by report_compare() */
    int64_t prev_received, yoy_received; /* previous period, same period last year */
    struct report_dist by[RD__COUNT];
    int64_t *daily; /* received per local day from the first day of the period */
    size_t n_days;
};

/* Timeliness of one stage, or of the whole complaint (stage -1). */
struct report_timing {
    int stage;        /* enum wf_state, or -1 for the whole complaint */
    int64_t judged;   /* met, or past due while running */
    int64_t within;   /* met on time */
    int64_t running;  /* still running and not yet due */
    int64_t measured; /* met: durations known */
    double median_wd; /* working days; -1 when nothing was measured */
    double p90_wd;    /* nearest-rank 90th percentile; -1 when nothing was measured */
};

/* A late stage (met late or running past due). */
struct report_overdue {
    char *number;
    char *title;
    char *department; /* code, or NULL */
    int stage;        /* enum wf_state */
    int64_t due_at;
    int64_t met_at;  /* KS_TIME_NONE while running */
    int64_t late_wd; /* working days from due to met (or as_of) */
};

/* A survey answer of 1 or 2 (不满意). */
struct report_case {
    char *number;
    int score;
    char *comment;
};

/* The same customer with the same defect at least twice in the period. */
struct report_repeat {
    char *customer;
    char *defect; /* code */
    char *defect_label;
    int64_t n;
};

struct report_quality {
    int64_t answered;  /* surveys with a score */
    int64_t score_sum; /* of the answered */
    int64_t satisfied; /* score >= 4 */
    int64_t waived;    /* survey waived with a reason */
    int64_t reopened;  /* complaints reopened at least once */
    struct report_case *dissatisfied;
    size_t n_dissatisfied;
    struct report_repeat *repeats; /* by n descending, then customer */
    size_t n_repeats;
    struct report_dist pareto_defects; /* complaints with a defect */
    struct report_dist pareto_causes;  /* complaints with a root cause */
    struct report_dist responsibility; /* responsibility.party; "" when not decided */
    int64_t comp_fen[COMP__COUNT];     /* compensation paid, in fen, by kind */
    int64_t comp_count[COMP__COUNT];
};

enum report_dept_figure { RDF_RECEIVED = 0, RDF_CLOSED, RDF_OPEN, RDF_OVERDUE, RDF__COUNT };

/* A node of the department tree, in depth-first order (a parent before its children). */
struct report_dept {
    char *code; /* "" for complaints without a department */
    char *name;
    int parent; /* index into depts, -1 for a root */
    int depth;  /* 0 for a root */
    int64_t own[RDF__COUNT];
    int64_t subtree[RDF__COUNT]; /* own plus every descendant's own */
};

struct report {
    int64_t from, to; /* [from, to) */
    int64_t as_of;
    int utc_offset_min;
    char *label;           /* "2026年11月" */
    char *department;      /* scope code, or NULL for the whole organisation */
    char *department_name; /* its name, or NULL */
    bool calendar_gap;     /* some day fell outside the calendar: counted Monday-Friday */
    struct report_volume volume;
    struct report_timing *timing; /* stages in procedure order, then the whole complaint */
    size_t n_timing;
    struct report_overdue *overdue; /* by due_at */
    size_t n_overdue;
    struct report_quality quality;
    struct report_dept *depts;
    size_t n_depts;
};

void report_init(struct report *r);
void report_release(struct report *r);

/* Keeps at most n entries of each long list (overdue, dissatisfied cases, repeats), freeing
 * the rest: a screen shows the first ones and the downloaded report has them all. */
void report_truncate_lists(struct report *r, size_t n);

/* Records the received counts of the previous period and of the same period last year. */
void report_compare(struct report *r, int64_t prev_received, int64_t yoy_received);

/* What a report is about and what it needs to compute. Everything is borrowed. */
struct report_conf {
    int64_t from, to, as_of;
    const char *label;
    const char *department; /* scope code or NULL; rows outside it are still counted */
    const struct calendar *cal;
    const struct dl_zone *zone;
    const struct preset *preset;    /* labels and the whole limit; may be NULL */
    const struct department *depts; /* the department tree; may be NULL */
    size_t n_depts;
    size_t top_n; /* lines kept per breakdown before folding into "_other"; 0: 20 */
};

/* One complaint as the builder needs it; everything is borrowed for the call. */
struct report_item {
    const struct complaint *c;
    const struct stage_deadline *dls; /* its stage clocks */
    size_t n_dls;
    int reopened;      /* times reopened (struct complaint_closing) */
    int64_t closed_at; /* when it was closed, KS_TIME_NONE when not closed */
};

struct report_builder;

struct report_builder *report_builder_new(const struct report_conf *conf);
void report_builder_free(struct report_builder **b);
/* Adds one complaint. O(stages) work plus hash lookups: safe to stream millions of rows. */
int report_add(struct report_builder *b, const struct report_item *it, struct ks_error *err);
/* Computes shares, medians, percentiles, Pareto and the roll-up and fills out (initialised by
 * the caller; old contents released). The builder may be freed afterwards. */
int report_finish(struct report_builder *b, struct report *out, struct ks_error *err);

/* Share num/den rounded to 4 decimals (0 when den is 0). */
double report_share(int64_t num, int64_t den);
/* The Chinese title of a dimension ("投诉分类") and its code ("category"). */
const char *report_dim_name(enum report_dim d);
const char *report_dim_label(enum report_dim d);
const char *report_dept_figure_name(enum report_dept_figure f);
const char *report_dept_figure_label(enum report_dept_figure f);

#endif
