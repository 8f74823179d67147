/* Handlers that save nothing: liveness and readiness, the OpenAPI document, judging a text,
 * and working-day questions (is a date a working day; when is a period
 * from an instant due). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-json.h"
#include "codec/complaint-json.h"
#include "http/http.h"
#include "lib/embed.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

int h_healthz(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    resp->status = 200;
    resp->static_text = ok;
    resp->text_len = sizeof(ok) - 1;
    return 0;
}

int h_readyz(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    int version = 0, known = store_schema_known(req->ctx->app->store);
    int rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err);

    store_tx_rollback(&tx);
    if (rc == 0)
        rc = store_schema_version(req->ctx->app->store, &version, err);
    /* During an upgrade the balancer must stop sending traffic to a node whose binary does not
     * match the database: an old one would write rows without the new columns. */
    if (rc == 0 && version != known)
        rc = ks_fail(err, KS_ESTORE, "schema_version",
                     "the database is at schema version %d and this kesu needs %d: %s", version,
                     known,
                     version < known ? "run `kesu migrate` with this binary"
                                     : "upgrade this node to the binary that migrated it");
    if (rc < 0) {
        resp->status = 503;
        return rc;
    }
    resp_json(resp, 200,
              json_pack("{s:s, s:s, s:i}", "status", "ready", "database",
                        store_backend_name(req->ctx->app->store), "schema_version", version));
    return 0;
}

int h_openapi(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    const struct embed_file *f = embed_find("web/openapi.json");
    if (!f)
        return ks_fail(err, KS_ENOTFOUND, NULL, "this build has no OpenAPI document");
    resp->status = 200;
    resp->static_text = (const char *)f->data;
    resp->text_len = f->size;
    return 0;
}

int h_classify(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct complaint c;
    struct sev_result r;
    int rc;

    complaint_init(&c);
    rc = complaint_from_json(&c, req->json, req->ctx->app->zone.utc_offset_min, 0, err);
    if (rc == 0 && !c.title && !c.description)
        rc = ks_fail(err, KS_EINVAL, "description", "description: give a title or a description");
    if (rc == 0)
        rc = app_classify(req->ctx->app, &c, 0, &r, err);
    if (rc == 0)
        resp_json(resp, 200, sev_result_to_json(&r));
    complaint_release(&c);
    return rc;
}

static const char *reason_name(enum cal_reason r)
{
    static const char *const names[] = {
        [CAL_R_WEEKDAY] = "weekday",   [CAL_R_WEEKEND] = "weekend",
        [CAL_R_HOLIDAY] = "holiday",   [CAL_R_ADJUSTED] = "adjusted_workday",
        [CAL_R_ORG_REST] = "org_rest", [CAL_R_ORG_WORK] = "org_work",
        [CAL_R_UNKNOWN] = "unknown",
    };
    return (unsigned)r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "unknown";
}

int h_calendar_check(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"date", NULL};
    const char *date = req_query(req, "date");
    enum cal_reason why;
    const char *name = NULL;
    enum cal_kind kind;
    struct ks_date d;
    int rc;

    if ((rc = req_query_only(req, names, err)) < 0)
        return rc;
    if (!date)
        return ks_fail(err, KS_EINVAL, "date", "date: required, like 2026-10-01");
    if ((rc = civil_parse_date(date, "date", &d, err)) < 0)
        return rc;
    kind = calendar_day(&req->ctx->app->cal, d, &why, &name);
    if (kind == CAL_UNKNOWN)
        return ks_fail(err, KS_EINVAL, "date", "date: %s is outside the known calendar", date);
    resp_json(resp, 200,
              json_pack("{s:s, s:s, s:b, s:s, s:s?}", "date", date, "kind", cal_kind_name(kind),
                        "workday", kind == CAL_WORKDAY, "reason", reason_name(why), "name", name));
    return 0;
}

int h_calendar_deadline(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"from", "workdays", "days", "hours", NULL};
    static const struct {
        const char *name;
        enum dl_unit unit;
    } units[] = {{"workdays", DL_WORKDAYS}, {"days", DL_DAYS}, {"hours", DL_HOURS}};
    const struct app *a = req->ctx->app;
    const char *from_s = req_query(req, "from");
    struct dl_period period = {DL_DAYS, 0};
    char due_s[KS_TIME_STRLEN], from_out[KS_TIME_STRLEN], pf[32];
    int64_t from, due;
    int given = 0, rc;

    if ((rc = req_query_only(req, names, err)) < 0)
        return rc;
    if (!from_s)
        return ks_fail(err, KS_EINVAL, "from", "from: required, like 2026-09-30T10:00:00+08:00");
    if ((rc = ks_time_parse(from_s, a->zone.utc_offset_min, "from", &from, err)) < 0)
        return rc;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        const char *v = req_query(req, units[i].name);
        char *end;
        long n;
        if (!v)
            continue;
        n = strtol(v, &end, 10);
        if (*end || end == v || n < 1 || n > (units[i].unit == DL_HOURS ? 87600 : 3650))
            return ks_fail(err, KS_EINVAL, units[i].name, "%s: '%.20s' is not a positive count",
                           units[i].name, v);
        period.unit = units[i].unit;
        period.n = (int)n;
        given++;
    }
    if (given != 1)
        return ks_fail(err, KS_EINVAL, "workdays", "give exactly one of workdays, days or hours");
    if ((rc = deadline_add(&a->cal, &a->zone, from, period, &due, NULL, err)) < 0)
        return rc;
    dl_period_format(period, pf, sizeof(pf));
    resp_json(resp, 200,
              json_pack("{s:s, s:s, s:s}", "from",
                        ks_time_format(from, a->zone.utc_offset_min, from_out), "period", pf,
                        "due_at", ks_time_format(due, a->zone.utc_offset_min, due_s)));
    return 0;
}
