/* Incidents (应急事件, issue 5) over HTTP: list, declare, read one with its complaints and
 * timeline, attach a complaint, answer every linked complaint at once; and the clock of a
 * complaint's current stage (pause, resume, extend). Leaders and admins change incidents,
 * handlers may read them; app_incident_* and app_clock() check the roles again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-json.h"
#include "app/app-motion.h"
#include "codec/complaint-json.h"
#include "http/h-motion.h"
#include "lib/banned.h"

#define READ_ROLES  (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_LEADER) | ROLE_BIT(ROLE_HANDLER))
#define WRITE_ROLES (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_LEADER))
#define CLOCK_ROLES                                                                                \
    (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_LEADER) | ROLE_BIT(ROLE_HANDLER) | ROLE_BIT(ROLE_INTAKE))

static json_t *incident_json(const struct incident *inc, int off)
{
    char created[KS_TIME_STRLEN], closed[KS_TIME_STRLEN];

    ks_time_format(inc->created_at, off, created);
    if (inc->closed_at != KS_TIME_NONE)
        ks_time_format(inc->closed_at, off, closed);
    return json_pack("{s:s, s:s, s:i, s:s?, s:b, s:s?, s:s, s:s?}", "code", inc->code, "title",
                     inc->title ? inc->title : "", "level", inc->level, "owner", inc->owner,
                     "closed", inc->closed, "key", inc->key, "created_at", created, "closed_at",
                     inc->closed_at != KS_TIME_NONE ? closed : NULL);
}

/* The incident with its complaints and timeline, as GET returns it. */
static int incident_resp(struct http_req *req, struct http_resp *resp, int status, const char *code,
                         struct ks_error *err)
{
    int off = req->ctx->app->zone.utc_offset_min;
    struct app_incident_view v;
    json_t *j, *nums;
    int rc;

    app_incident_view_init(&v);
    if ((rc = app_incident_get(req->ctx->app, code, &v, err)) == 0) {
        j = incident_json(&v.inc, off);
        nums = json_array();
        for (size_t i = 0; i < v.n_numbers; i++)
            json_array_append_new(nums, json_string(v.numbers[i]));
        json_object_set_new(j, "complaints", nums);
        json_object_set_new(j, "events", events_to_json(v.evs, v.n_evs, off));
        resp_json(resp, status, j);
    }
    app_incident_view_release(&v);
    return rc;
}

int h_incident_list(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"all", NULL};
    const char *all = req_query(req, "all");
    struct store_tx *tx = NULL;
    struct incident *is = NULL;
    size_t n = 0;
    int rc;

    if ((rc = auth_need_role(req, READ_ROLES, err)) < 0 ||
        (rc = req_query_only(req, names, err)) < 0)
        return rc;
    if (all && strcmp(all, "true") != 0 && strcmp(all, "false") != 0)
        return ks_fail(err, KS_EINVAL, "all", "all: '%s' is not true or false", all);
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) == 0)
        rc = store_incident_list(tx, !(all && strcmp(all, "true") == 0), &is, &n, err);
    if (rc == 0) {
        json_t *items = json_array();
        for (size_t i = 0; rc == 0 && i < n; i++) {
            char **nums = NULL;
            size_t nn = 0;
            json_t *j;
            if ((rc = store_incident_numbers(tx, is[i].id, &nums, &nn, err)) < 0)
                break;
            j = incident_json(&is[i], req->ctx->app->zone.utc_offset_min);
            json_object_set_new(j, "complaints", json_integer((json_int_t)nn));
            json_array_append_new(items, j);
            for (size_t k = 0; k < nn; k++)
                free(nums[k]);
            free(nums);
        }
        if (rc == 0)
            resp_json(resp, 200, json_pack("{s:o}", "items", items));
        else
            json_decref(items);
    }
    store_tx_rollback(&tx);
    incident_array_free(&is, n);
    return rc;
}

int h_incident_create(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"title", "level", "owner", NULL};
    const char *title = NULL, *owner = NULL;
    json_t *level = json_object_get(req->json, "level");
    struct incident inc;
    int rc, lv = 2;

    if ((rc = auth_need_role(req, WRITE_ROLES, err)) < 0 ||
        (rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "title", 200, &title, err)) < 0 ||
        (rc = json_str(req->json, "owner", 64, &owner, err)) < 0)
        return rc;
    if (!title || !*title)
        return ks_fail(err, KS_EINVAL, "title", "title: required");
    if (level && !json_is_null(level)) {
        if (!json_is_integer(level) || json_integer_value(level) < 1 ||
            json_integer_value(level) > 2)
            return ks_fail(err, KS_EINVAL, "level", "level: expected 1 or 2");
        lv = (int)json_integer_value(level);
    }
    incident_init(&inc);
    rc = app_incident_declare(req->ctx->app, title, lv, owner, &req->actor, req->now, &inc, err);
    if (rc == 0)
        rc = incident_resp(req, resp, 201, inc.code, err);
    incident_release(&inc);
    return rc;
}

int h_incident_get(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    int rc = auth_need_role(req, READ_ROLES, err);
    return rc < 0 ? rc : incident_resp(req, resp, 200, req->params[0], err);
}

int h_incident_attach(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"number", NULL};
    const char *number = NULL;
    int rc;

    if ((rc = auth_need_role(req, WRITE_ROLES, err)) < 0 ||
        (rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "number", 40, &number, err)) < 0)
        return rc;
    if (!number)
        return ks_fail(err, KS_EINVAL, "number", "number: required");
    if ((rc = app_incident_attach(req->ctx->app, req->params[0], number, &req->actor, req->now,
                                  err)) < 0)
        return rc;
    return incident_resp(req, resp, 200, req->params[0], err);
}

int h_incident_reply(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"reply", NULL};
    const char *reply = NULL;
    int rc, n = 0;

    if ((rc = auth_need_role(req, WRITE_ROLES, err)) < 0 ||
        (rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "reply", 5000, &reply, err)) < 0)
        return rc;
    if (!reply || !*reply)
        return ks_fail(err, KS_EINVAL, "reply", "reply: required");
    if ((rc = app_incident_reply(req->ctx->app, req->params[0], reply, &req->actor, req->now, &n,
                                 err)) < 0)
        return rc;
    resp_json(resp, 200, json_pack("{s:s, s:i}", "code", req->params[0], "replied", n));
    return 0;
}

int h_complaint_clock(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"action", "to", "reason", NULL};
    const char *action = NULL, *to_text = NULL, *reason = NULL;
    struct dl_period to = {0};
    enum app_clock_op op;
    struct app_view v;
    int rc;

    if ((rc = auth_need_role(req, CLOCK_ROLES, err)) < 0 ||
        (rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "action", 20, &action, err)) < 0 ||
        (rc = json_str(req->json, "to", 40, &to_text, err)) < 0 ||
        (rc = json_str(req->json, "reason", 2000, &reason, err)) < 0)
        return rc;
    if (action && strcmp(action, "pause") == 0)
        op = APP_CLOCK_PAUSE;
    else if (action && strcmp(action, "resume") == 0)
        op = APP_CLOCK_RESUME;
    else if (action && strcmp(action, "extend") == 0)
        op = APP_CLOCK_EXTEND;
    else
        return ks_fail(err, KS_EINVAL, "action", "action: '%s' is not pause, resume or extend",
                       action ? action : "");
    if (to_text && op != APP_CLOCK_EXTEND)
        return ks_fail(err, KS_EINVAL, "to", "to: goes with extend only");
    if (to_text && (rc = dl_period_parse(to_text, &to, err)) < 0)
        return rc;
    /* The caller must be able to see the complaint before its clock is touched. */
    app_view_init(&v);
    if ((rc = app_get(req->ctx->app, req->params[0], &v, err)) == 0 &&
        (rc = auth_may_see(req, &v.c, err)) == 0)
        rc = app_clock(req->ctx->app, v.c.number, op, to_text ? &to : NULL, reason, &req->actor,
                       req->now, err);
    app_view_release(&v);
    if (rc < 0)
        return rc;
    app_view_init(&v);
    if ((rc = app_get(req->ctx->app, req->params[0], &v, err)) == 0) {
        app_view_hide_audit(&v);
        resp_json(resp, 200, app_view_to_json(req->ctx->app, &v, req->now, CJ_MASK_PERSONAL));
    }
    app_view_release(&v);
    return rc;
}
