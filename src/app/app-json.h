/* JSON views the CLI's --json and the HTTP API share: a complaint with its deadlines and
 * timeline, stage deadlines, and severity judgements. Ownership: every json_t * returned is a
 * new reference owned by the caller. */
#ifndef KS_APP_APP_JSON_H
#define KS_APP_APP_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"
#include "codec/json-writer.h"
#include "core/severity.h"

/* {"stage", "period", "rule", "started_at", "due_at", "met_at", "paused", "breached",
 * "extended"}; breached is computed at now for open clocks. */
json_t *deadline_to_json(const struct stage_deadline *d, int offset_min, int64_t now);
/* The complaint (flags as complaint_to_json) plus "deadlines" (each with its "explain"),
 * "whole_deadline", "emergency" and "events". */
json_t *app_view_to_json(const struct app *a, const struct app_view *v, int64_t now,
                         unsigned flags);
/* The same written into w (the one encoding; app_view_to_json() parses it). */
void app_view_write(struct jw *w, const struct app *a, const struct app_view *v, int64_t now,
                    unsigned flags);
/* [{"rule", "severity", "urgent", "words", "detail"}, ...] */
json_t *sev_reasons_to_json(const struct sev_result *r);
/* The whole judgement: severity, category, defect, urgent, response_level, quantities,
 * guidance and reasons. */
json_t *sev_result_to_json(const struct sev_result *r);

#endif
