/* The sweep decision, the registration decision and deadline explanations (see
 * escalation.h). The sweep is a pure function of (clock, stored counters, now): each kind of
 * action has a counter, an action is returned only when its counter says it has not been
 * done, and the returned next counters cover exactly the returned actions. Storing them with
 * the actions therefore makes any number of sweeps at any later instants act once per step. */
#include "core/escalation.h"

#include <stdio.h>
#include <string.h>

#include "lib/banned.h"

static void add_action(struct esc_sweep *out, enum esc_kind kind, int step, enum notify_to to,
                       int64_t due_at, const char *label)
{
    out->v[out->n++] = (struct esc_action){kind, step, to, due_at, label};
}

int esc_sweep(const struct stage_clock *clk, const struct esc_state *st, int warn_percent,
              const struct preset_esc_step *chain, size_t n_chain, const struct calendar *cal,
              const struct dl_zone *zone, int64_t now, struct esc_sweep *out, struct ks_error *err)
{
    memset(out, 0, sizeof *out);
    out->next = *st;
    if (n_chain > ESC_MAX_ACTIONS - 2)
        return ks_fail(err, KS_EINVAL, "escalation",
                       "escalation: %zu steps are more than the %d allowed", n_chain,
                       ESC_MAX_ACTIONS - 2);
    if (warn_percent < 1 || warn_percent > 99)
        return ks_fail(err, KS_EINVAL, "warn_at_percent",
                       "warn_at_percent: '%d' is not from 1 to 99", warn_percent);
    if (clk->met_at != KS_TIME_NONE || clk->paused_at != KS_TIME_NONE)
        return 0;
    bool breached = stage_clock_is_breached(clk, now);
    if (!breached) {
        if (st->warned == 0 && stage_clock_used_permille(clk, now) >= warn_percent * 10) {
            /* The warning is due when the share was reached, not when a sweep noticed it. */
            int64_t span = clk->due_at - clk->started_at - clk->paused_secs;
            int64_t at = clk->started_at + clk->paused_secs + span * warn_percent / 100;
            add_action(out, ESC_WARN, -1, NOTIFY_TO_ASSIGNEE, at, NULL);
            out->next.warned = 1;
        }
        return 0;
    }
    /* A warning after the fact helps nobody; count it as done so it never follows. */
    out->next.warned = st->warned ? st->warned : 1;
    if (!st->breached) {
        add_action(out, ESC_BREACH, -1, NOTIFY_TO_ASSIGNEE, clk->due_at, NULL);
        out->next.breached = true;
    }
    for (size_t k = (size_t)(st->escalated > 0 ? st->escalated : 0); k < n_chain; k++) {
        int64_t at = clk->due_at;
        if (chain[k].after.n > 0) {
            int rc = deadline_add(cal, zone, clk->due_at, chain[k].after, &at, NULL, err);
            if (rc < 0) {
                memset(out->v, 0, sizeof out->v);
                out->n = 0;
                out->next = *st;
                return rc;
            }
        }
        if (now < at)
            break; /* steps run in order: a later one never overtakes an earlier one */
        add_action(out, ESC_STEP, (int)k, chain[k].to, at, chain[k].label);
        out->next.escalated = (int)k + 1;
    }
    return 0;
}

int esc_sweep_preset(const struct preset *p, const struct stage_clock *clk,
                     const struct esc_state *st, const struct calendar *cal,
                     const struct dl_zone *zone, int64_t now, struct esc_sweep *out,
                     struct ks_error *err)
{
    const struct preset_esc_step *chain;
    size_t n;
    preset_escalation(p, &chain, &n);
    return esc_sweep(clk, st, preset_warn_percent(p), chain, n, cal, zone, now, out, err);
}

static void add_notify(struct esc_emergency *out, enum notify_to to)
{
    for (size_t i = 0; i < out->n_notify; i++)
        if (out->notify[i] == to)
            return;
    if (out->n_notify < ESC_MAX_NOTIFY)
        out->notify[out->n_notify++] = to;
}

int esc_emergency(const struct preset *p, const struct complaint *c, struct esc_emergency *out,
                  struct ks_error *err)
{
    memset(out, 0, sizeof *out);
    out->emergency = c->urgent || c->response_level == 1;
    out->level = out->emergency ? 1 : c->response_level;
    out->rule = out->level ? preset_level_find(p, out->level) : NULL;
    if (out->rule) {
        char list[256];
        snprintf(list, sizeof list, "%s", out->rule->notify ? out->rule->notify : "");
        for (char *tok = list, *next; tok && *tok; tok = next) {
            next = strchr(tok, ',');
            if (next)
                *next++ = '\0';
            while (*tok == ' ')
                tok++;
            size_t len = strlen(tok);
            while (len && tok[len - 1] == ' ')
                tok[--len] = '\0';
            enum notify_to to;
            if (notify_to_parse(tok, &to, err) < 0) {
                memset(out, 0, sizeof *out);
                return ks_fail(err, KS_ECONFIG, "notify",
                               "levels[%d].notify: '%s' is not a "
                               "recipient",
                               c->response_level == 1 || c->urgent ? 1 : 2, tok);
            }
            add_notify(out, to);
        }
        out->within = out->rule->within;
        out->checklist = out->rule->checklist.n ? &out->rule->checklist : NULL;
    }
    if (out->emergency) {
        /* The seed plans all report major complaints to the group's leaders at once. */
        bool has_leader = false;
        for (size_t i = 0; i < out->n_notify; i++)
            has_leader |= out->notify[i] == NOTIFY_TO_LEADER || out->notify[i] == NOTIFY_TO_DEPUTY;
        if (!has_leader) {
            add_notify(out, NOTIFY_TO_LEADER);
            add_notify(out, NOTIFY_TO_DEPUTY);
        }
    }
    return 0;
}

static const char *skip_reason(enum cal_reason r)
{
    switch (r) {
    case CAL_R_WEEKEND:
        return "周末";
    case CAL_R_HOLIDAY:
        return "法定节假日";
    case CAL_R_ORG_REST:
        return "本单位休息日";
    default:
        return "休息日";
    }
}

static bool same_run(const struct dl_skip *a, const struct dl_skip *b)
{
    bool same_name =
        (!a->name && !b->name) || (a->name && b->name && strcmp(a->name, b->name) == 0);
    return a->reason == b->reason && same_name &&
           civil_to_days(b->date) == civil_to_days(a->date) + 1;
}

/* Written in Chinese for the people who check deadlines; consecutive skipped days of one
 * holiday collapse into one range ("2026-10-01 至 2026-10-07 国庆节（法定节假日）"). */
int esc_explain(const struct calendar *cal, const struct dl_zone *zone, int64_t from,
                struct dl_period period, const char *label, struct buf *out, struct ks_error *err)
{
    static const char *const unit_zh[] = {"小时", "日", "个工作日"};
    struct dl_explain ex;
    int64_t due;
    int rc = deadline_add(cal, zone, from, period, &due, &ex, err);
    if (rc < 0)
        return rc;
    char day[KS_DATE_STRLEN], day2[KS_DATE_STRLEN], at[KS_TIME_STRLEN];
    struct buf b;
    int bad = 0; /* any failed append: the whole explanation fails, never a cut-off one */
    buf_init(&b, out->max);
    /* A preset's label already states the period ("投诉调查：3个工作日"). */
    if (label)
        bad |= buf_addf(&b, "%s，", label);
    else
        bad |= buf_addf(&b, "%d%s，", period.n, unit_zh[period.unit]);
    if (period.unit == DL_HOURS) {
        bad |= buf_addf(&b, "自 %s 起", ks_time_format(from, zone->utc_offset_min, at));
    } else {
        civil_format_date(ex.start_date, day);
        bad |= buf_addf(&b, "自 %s 起算（当日不计入）", day);
        for (int i = 0; i < ex.n_skips;) {
            int k = i;
            while (k + 1 < ex.n_skips && same_run(&ex.skips[k], &ex.skips[k + 1]))
                k++;
            civil_format_date(ex.skips[i].date, day);
            civil_format_date(ex.skips[k].date, day2);
            bad |=
                buf_addf(&b, "%s%s%s%s%s%s（%s）",
                         i == 0 ? (period.unit == DL_WORKDAYS ? "；跳过 " : "；顺延经过 ") : "、",
                         day, k > i ? " 至 " : "", k > i ? day2 : "", ex.skips[i].name ? " " : "",
                         ex.skips[i].name ? calendar_name_zh(ex.skips[i].name) : "",
                         skip_reason(ex.skips[i].reason));
            i = k + 1;
        }
        if (ex.skips_truncated)
            bad |= buf_adds(&b, "等");
        if (ex.moved_off_restday)
            bad |= buf_adds(&b, "；最后一日逢休息日，顺延至下一个工作日");
        civil_format_date(ex.last_day, day);
        bad |= buf_addf(&b, "；最后一日 %s%s", day, ex.business_close ? "（下班时截止）" : "");
    }
    bad |= buf_addf(&b, "；截止 %s", ks_time_format(due, zone->utc_offset_min, at));
    rc = bad ? KS_ELIMIT : 0;
    if (rc == 0)
        rc = buf_add(out, b.data, b.len);
    buf_release(&b);
    if (rc < 0)
        return ks_fail(err, KS_ELIMIT, "explain", "explanation is longer than %zu bytes", out->max);
    return 0;
}
