/* Deadlines: adding a period (clock hours, calendar days or working days) to an instant
 * under the PRC Civil Code rules (arts. 201, 203), and stage clocks that pause and resume.
 * Pure: the instant "now" is always passed in. Ownership: all structs are caller-owned;
 * struct dl_explain holds fixed-size storage, nothing here allocates. */
#ifndef KS_CORE_DEADLINE_H
#define KS_CORE_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "lib/err.h"

enum dl_unit {
    DL_HOURS = 0, /* clock hours: "24 小时内" */
    DL_DAYS,      /* calendar days: "15 日内"; a last day that is a rest day moves on */
    DL_WORKDAYS,  /* working days: "3 个工作日内" */
};

/* Where and when a deployment works. */
struct dl_zone {
    int utc_offset_min;     /* +480 for Asia/Shanghai */
    int business_close_min; /* minute of day business ends, 1..1439 (1050 = 17:30); -1: 24:00 */
};

/* A period as a preset states it: 3 working days, 24 hours, 15 days. */
struct dl_period {
    enum dl_unit unit;
    int n; /* 1..3650 days or 1..87600 hours */
};

#define DL_EXPLAIN_MAX_SKIPS 64

/* Why a deadline is where it is: for people checking it ("which calendar days were skipped
 * and why"). */
struct dl_skip {
    struct ks_date date;
    enum cal_reason reason;
    const char *name; /* borrowed from the calendar; NULL for weekends */
};
struct dl_explain {
    struct ks_date start_date; /* local date of "from" (not counted for day periods) */
    struct ks_date last_day;   /* the last day of the period after any move */
    bool moved_off_restday;    /* DL_DAYS: the last day fell on a rest day */
    bool business_close;       /* ended at close of business rather than 24:00 */
    int n_skips;               /* rest days skipped (DL_WORKDAYS) or moved over (DL_DAYS) */
    bool skips_truncated;      /* more than DL_EXPLAIN_MAX_SKIPS */
    struct dl_skip skips[DL_EXPLAIN_MAX_SKIPS];
};

/* "hours", "days", "workdays" and back. */
const char *dl_unit_name(enum dl_unit u);
int dl_unit_parse(const char *s, enum dl_unit *out, struct ks_error *err);

/* Parses a period as written in presets and on the command line: "24h", "24 hours", "3wd",
 * "3 workdays", "15d", "15 days", and the Chinese "24小时", "3个工作日", "15日"/"15天". */
int dl_period_parse(const char *s, struct dl_period *out, struct ks_error *err);
/* Writes "3 workdays" style text into out (size >= 32). */
void dl_period_format(struct dl_period p, char *out, size_t size);

/* The deadline of a period starting at instant from. Hours: from + n hours exactly. Days and
 * working days: the day of from is not counted; the period ends at 24:00 (or close of business
 * when zone->business_close_min >= 0) of its last day; DL_WORKDAYS counts only working days,
 * DL_DAYS moves a rest last day to the next working day. A day the calendar does not know is
 * KS_EINVAL with a message naming the date ("2027-01-04 is outside the known calendar").
 * explain may be NULL. Tested by tests/unit/test-deadline.c. */
int deadline_add(const struct calendar *cal, const struct dl_zone *zone, int64_t from,
                 struct dl_period period, int64_t *due_out, struct dl_explain *explain,
                 struct ks_error *err);

/* A stage clock: the limit of one stage, which may pause while waiting for the customer and be
 * extended once. */
struct stage_clock {
    int64_t started_at; /* entered the stage */
    struct dl_period period;
    int64_t due_at;      /* current due instant (after pauses and extension) */
    int64_t paused_at;   /* KS_TIME_NONE when running */
    int64_t paused_secs; /* total time spent paused so far */
    bool extended;       /* the one extension has been used */
    int64_t met_at;      /* KS_TIME_NONE until the stage is left */
};

/* Starts a clock at now and computes its due time. */
int stage_clock_start(struct stage_clock *clk, const struct calendar *cal,
                      const struct dl_zone *zone, int64_t now, struct dl_period period,
                      struct ks_error *err);
/* Pauses a running clock (KS_ECONFLICT when already paused or stopped). */
int stage_clock_pause(struct stage_clock *clk, int64_t now, struct ks_error *err);
/* Resumes a paused clock: due moves later by the paused time, counted in the period's unit
 * (clock time for hours; for day units, by the working or calendar days the pause covered). */
int stage_clock_resume(struct stage_clock *clk, const struct calendar *cal,
                       const struct dl_zone *zone, int64_t now, struct ks_error *err);
/* Extends the clock once to a new total period (e.g. 5 -> 10 working days) counted from the
 * stage start plus pauses; KS_ECONFLICT when already extended, KS_EINVAL when not longer. */
int stage_clock_extend(struct stage_clock *clk, const struct calendar *cal,
                       const struct dl_zone *zone, struct dl_period longer, struct ks_error *err);
/* Stops the clock at now. */
void stage_clock_meet(struct stage_clock *clk, int64_t now);
/* True when the clock is past due at now. A paused clock cannot become breached while
 * paused; one paused after its due time stays breached; a met clock is breached when it was
 * met after its due time, and one met while paused is judged at its pause. */
bool stage_clock_is_breached(const struct stage_clock *clk, int64_t now);
/* Share of the period used at now, in per mille (0..1000+), for warnings at e.g. 75 %. */
int stage_clock_used_permille(const struct stage_clock *clk, int64_t now);

#endif
