/* In-app notifications (issue 5) over HTTP: the caller's own list, newest first
 * (?unread=true for unread only, ?limit=1..200), and marking one read. Nobody reads another
 * user's notifications: the login always comes from the authenticated caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/h-motion.h"
#include "lib/banned.h"

int h_notification_list(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"unread", "limit", NULL};
    const char *unread = req_query(req, "unread"), *limit_text = req_query(req, "limit");
    int off = req->ctx->app->zone.utc_offset_min;
    struct notification *ns = NULL;
    struct store_tx *tx = NULL;
    long limit = HTTP_PAGE_DEFAULT;
    size_t n = 0;
    int rc;

    if ((rc = req_query_only(req, names, err)) < 0)
        return rc;
    if (unread && strcmp(unread, "true") != 0 && strcmp(unread, "false") != 0)
        return ks_fail(err, KS_EINVAL, "unread", "unread: '%s' is not true or false", unread);
    if (limit_text) {
        char *end;
        limit = strtol(limit_text, &end, 10);
        if (*end || end == limit_text || limit < 1 || limit > HTTP_PAGE_MAX)
            return ks_fail(err, KS_EINVAL, "limit", "limit: '%s' is not 1..%d", limit_text,
                           HTTP_PAGE_MAX);
    }
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) == 0)
        rc = store_notification_list(tx, req->user.login, unread && strcmp(unread, "true") == 0,
                                     (int)limit, &ns, &n, err);
    store_tx_rollback(&tx);
    if (rc == 0) {
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
            char t[KS_TIME_STRLEN];
            ks_time_format(ns[i].created_at, off, t);
            json_array_append_new(items,
                                  json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:b}", "id",
                                            (json_int_t)ns[i].id, "created_at", t, "kind",
                                            ns[i].kind, "title", ns[i].title, "body", ns[i].body,
                                            "number", ns[i].number, "read", ns[i].read));
        }
        resp_json(resp, 200, json_pack("{s:o}", "items", items));
    }
    notification_array_free(&ns, n);
    return rc;
}

int h_notification_read(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    const char *s = req->params[0];
    char *end;
    long long id = strtoll(s, &end, 10);
    int rc;

    if (*end || end == s || id < 1)
        return ks_fail(err, KS_EINVAL, "id", "id: '%s' is not a notification id", s);
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, err)) == 0 &&
        (rc = store_notification_read(tx, (int64_t)id, req->user.login, err)) == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    if (rc == 0)
        resp_json(resp, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "read", 1));
    return rc;
}
