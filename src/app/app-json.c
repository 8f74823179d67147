/* JSON views shared by the CLI and the HTTP API (see app-json.h). */
#include "app/app-json.h"

#include "app/app-motion.h"
#include "codec/complaint-json.h"
#include "lib/banned.h"

static json_t *time_or_null(int64_t t, int offset_min)
{
    char s[KS_TIME_STRLEN];
    if (t == KS_TIME_NONE)
        return json_null();
    return json_string(ks_time_format(t, offset_min, s));
}

json_t *deadline_to_json(const struct stage_deadline *d, int offset_min, int64_t now)
{
    char period[32];
    bool breached =
        d->breached || (d->clock.met_at == KS_TIME_NONE && stage_clock_is_breached(&d->clock, now));

    dl_period_format(d->clock.period, period, sizeof(period));
    return json_pack("{s:s, s:s, s:s?, s:o, s:o, s:o, s:b, s:b, s:b}", "stage",
                     wf_state_name(d->stage), "period", period, "rule", d->rule, "started_at",
                     time_or_null(d->clock.started_at, offset_min), "due_at",
                     time_or_null(d->clock.due_at, offset_min), "met_at",
                     time_or_null(d->clock.met_at, offset_min), "paused",
                     d->clock.paused_at != KS_TIME_NONE, "breached", breached, "extended",
                     d->clock.extended);
}

/* A deadline with its explanation in words (which rule, which days were skipped and why). */
static json_t *deadline_explained(const struct app *a, const struct stage_deadline *d, int64_t now)
{
    json_t *j = deadline_to_json(d, a->zone.utc_offset_min, now);
    struct buf b;

    buf_init(&b, 8192);
    if (app_deadline_explain(a, d, &b, NULL) == 0)
        json_object_set_new(j, "explain", json_string(buf_str(&b)));
    buf_release(&b);
    return j;
}

json_t *app_view_to_json(const struct app *a, const struct app_view *v, int64_t now, unsigned flags)
{
    int off = a->zone.utc_offset_min;
    json_t *j = complaint_to_json(&v->c, off, flags);
    json_t *dls = json_array();

    for (size_t i = 0; i < v->n_dls; i++)
        json_array_append_new(dls, deadline_explained(a, &v->dls[i], now));
    json_object_set_new(j, "deadlines", dls);
    json_object_set_new(j, "whole_deadline",
                        v->whole.id ? deadline_explained(a, &v->whole, now) : json_null());
    /* Response level 1 or urgent: the emergency plan runs (issue 5). */
    json_object_set_new(j, "emergency", json_boolean(v->c.urgent || v->c.response_level == 1));
    json_object_set_new(j, "events", events_to_json(v->evs, v->n_evs, off));
    return j;
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
