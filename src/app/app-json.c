/* JSON views shared by the CLI and the HTTP API (see app-json.h). */
#include "app/app-json.h"

#include "app/app-motion.h"
#include "codec/complaint-json.h"
#include "lib/banned.h"

/* One stage clock; with its explanation in words (which rule, which days were skipped and why)
 * when a is given. */
static void deadline_write(struct jw *w, const struct app *a, const struct stage_deadline *d,
                           int offset_min, int64_t now)
{
    char period[32];
    bool breached =
        d->breached || (d->clock.met_at == KS_TIME_NONE && stage_clock_is_breached(&d->clock, now));

    dl_period_format(d->clock.period, period, sizeof(period));
    jw_object(w);
    jw_key(w, "stage");
    jw_string(w, wf_state_name(d->stage));
    jw_key(w, "period");
    jw_string(w, period);
    jw_key(w, "rule");
    jw_string(w, d->rule);
    jw_key(w, "started_at");
    jw_time(w, d->clock.started_at, offset_min);
    jw_key(w, "due_at");
    jw_time(w, d->clock.due_at, offset_min);
    jw_key(w, "met_at");
    jw_time(w, d->clock.met_at, offset_min);
    jw_key(w, "paused");
    jw_bool(w, d->clock.paused_at != KS_TIME_NONE);
    jw_key(w, "breached");
    jw_bool(w, breached);
    jw_key(w, "extended");
    jw_bool(w, d->clock.extended);
    if (a) {
        struct buf b;
        buf_init(&b, 8192);
        if (app_deadline_explain(a, d, &b, NULL) == 0) {
            jw_key(w, "explain");
            jw_string(w, buf_str(&b));
        }
        buf_release(&b);
    }
    jw_object_end(w);
}

/* The jansson tree of a document written above (always valid). */
static json_t *tree_of(struct jw *w)
{
    json_t *j = json_loadb(w->b.data, w->b.len, 0, NULL);

    if (w->failed || !j)
        KS_BUG("a written view does not parse");
    jw_release(w);
    return j;
}

json_t *deadline_to_json(const struct stage_deadline *d, int offset_min, int64_t now)
{
    struct jw w;

    jw_init(&w, CJ_TREE_MAX);
    deadline_write(&w, NULL, d, offset_min, now);
    return tree_of(&w);
}

void app_view_write(struct jw *w, const struct app *a, const struct app_view *v, int64_t now,
                    unsigned flags)
{
    int off = a->zone.utc_offset_min;

    jw_object(w);
    complaint_members_write(w, &v->c, off, flags, 0);
    jw_key(w, "deadlines");
    jw_array(w);
    for (size_t i = 0; i < v->n_dls; i++)
        deadline_write(w, a, &v->dls[i], off, now);
    jw_array_end(w);
    jw_key(w, "whole_deadline");
    if (v->whole.id)
        deadline_write(w, a, &v->whole, off, now);
    else
        jw_null(w);
    /* Response level 1 or urgent: the emergency plan runs (issue 5). */
    jw_key(w, "emergency");
    jw_bool(w, v->c.urgent || v->c.response_level == 1);
    jw_key(w, "events");
    events_write(w, v->evs, v->n_evs, off);
    jw_object_end(w);
}

json_t *app_view_to_json(const struct app *a, const struct app_view *v, int64_t now, unsigned flags)
{
    struct jw w;

    jw_init(&w, CJ_TREE_MAX);
    app_view_write(&w, a, v, now, flags);
    return tree_of(&w);
}

json_t *sev_reasons_to_json(const struct sev_result *r)
{
    json_t *arr = json_array();
    for (int i = 0; i < r->n_reasons; i++) {
        const struct sev_reason *x = &r->reasons[i];
        json_array_append_new(
            arr, json_pack("{s:s, s:s?, s:b, s:s?, s:s}", "rule", sev_rule_name(x->rule),
                           "severity", x->severity ? severity_name(x->severity) : NULL, "urgent",
                           x->urgent, "words", x->words[0] ? x->words : NULL, "detail", x->detail));
    }
    return arr;
}

json_t *sev_result_to_json(const struct sev_result *r)
{
    return json_pack(
        "{s:s, s:s?, s:s?, s:s?, s:s?, s:b, s:i, s:o, s:o, s:o, s:s?, s:o}", "severity",
        severity_name(r->severity), "category", r->category, "defect", r->defect, "defect_name",
        r->defect_name, "product", r->product, "urgent", r->urgent, "response_level",
        r->response_level, "delivered",
        r->delivered == SEV_QTY_UNKNOWN ? json_null() : json_integer(r->delivered), "defective",
        r->defective == SEV_QTY_UNKNOWN ? json_null() : json_integer(r->defective), "ratio",
        r->ratio_permille < 0 ? json_null() : json_real(r->ratio_permille / 1000.0), "guidance",
        r->guidance, "reasons", sev_reasons_to_json(r));
}
