/* The router: finds the route of a request in http_routes[] and enforces everything the route
 * declares before its handler runs (the redis processCommand pattern): method (405 with Allow),
 * body size (413), content type (415), a well-formed JSON object in valid UTF-8 (400), and
 * authentication (401/403 from auth.c). Handlers can then trust req->json and req->user.
 * Patterns are literal segments and {placeholders}, which match one non-empty segment. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"
#include "http/http.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Matches path against pattern; on success copies placeholder values into params. */
static bool match(const char *pattern, const char *path, char **params, size_t *n_params)
{
    size_t n = 0;
    const char *p = pattern, *s = path;

    while (*p && *s) {
        if (*p == '{') {
            const char *pend = strchr(p, '}');
            const char *send = strchr(s, '/');
            size_t len = send ? (size_t)(send - s) : strlen(s);
            if (!pend || len == 0 || n >= HTTP_MAX_PARAMS)
                goto fail;
            if (params)
                params[n] = xstrndup(s, len);
            n++;
            p = pend + 1;
            s += len;
            continue;
        }
        if (*p != *s)
            goto fail;
        p++;
        s++;
    }
    if (*p || *s)
        goto fail;
    if (n_params)
        *n_params = n;
    return true;
fail:
    if (params)
        for (size_t i = 0; i < n; i++) {
            free(params[i]);
            params[i] = NULL;
        }
    return false;
}

void router_match(struct http_req *req, const struct http_route **route_out, bool *path_known)
{
    *route_out = NULL;
    *path_known = false;
    for (size_t i = 0; i < http_route_count; i++) {
        const struct http_route *r = &http_routes[i];
        if (!match(r->pattern, req->path, NULL, NULL))
            continue;
        *path_known = true;
        if (strcmp(r->method, req->method) == 0) {
            match(r->pattern, req->path, req->params, &req->n_params);
            *route_out = r;
            return;
        }
    }
}

void router_allow(const char *path, char *out, size_t size)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < http_route_count; i++)
        if (match(http_routes[i].pattern, path, NULL, NULL) && used + 16 < size)
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "",
                                     http_routes[i].method);
}

const char *req_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *req_query(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct query_check {
    const char *const *names;
    const char *bad;
};

static enum MHD_Result check_query_name(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    struct query_check *qc = cls;
    (void)kind;
    (void)value;
    for (const char *const *n = qc->names; *n; n++)
        if (strcmp(*n, key) == 0)
            return MHD_YES;
    qc->bad = key;
    return MHD_NO;
}

int req_query_only(const struct http_req *req, const char *const *names, struct ks_error *err)
{
    struct query_check qc = {names, NULL};

    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_query_name, &qc);
    if (qc.bad)
        return ks_fail(err, KS_EINVAL, qc.bad, "%.60s: unknown query parameter",
                       utf8_is_valid(qc.bad, strlen(qc.bad)) ? qc.bad : "?");
    return 0;
}

static enum MHD_Result check_query_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    const char **bad = cls;
    (void)kind;
    if (!utf8_is_valid(key, strlen(key)) || (value && !utf8_is_valid(value, strlen(value)))) {
        *bad = key;
        return MHD_NO;
    }
    return MHD_YES;
}

/* Content-Type is application/json, with or without parameters. */
static bool is_json_type(const char *ct)
{
    static const char json[] = "application/json";
    return ct && strncmp(ct, json, sizeof(json) - 1) == 0 &&
           (ct[sizeof(json) - 1] == '\0' || ct[sizeof(json) - 1] == ';' ||
            ct[sizeof(json) - 1] == ' ');
}

static int check_body(struct http_req *req, const struct http_route *route, struct http_resp *resp,
                      struct ks_error *err)
{
    json_error_t jerr;

    if (req->body_len > route->max_body) {
        resp->status = 413;
        return ks_fail(err, KS_ELIMIT, "body", "body: %zu bytes is more than the %zu allowed",
                       req->body_len, route->max_body);
    }
    if (!(route->flags & RF_JSON_BODY))
        return 0;
    if (!is_json_type(req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        resp->status = 415;
        return ks_fail(err, KS_EINVAL, "Content-Type", "Content-Type: send application/json");
    }
    if (!utf8_is_valid(req->body, req->body_len))
        return ks_fail(err, KS_EINVAL, "body", "body: not valid UTF-8");
    req->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req->json)
        return ks_fail(err, KS_EINVAL, "body", "body: invalid JSON at line %d column %d: %s",
                       jerr.line, jerr.column, jerr.text);
    if (!json_is_object(req->json))
        return ks_fail(err, KS_EINVAL, "body", "body: expected a JSON object");
    return 0;
}

int router_dispatch(struct http_req *req, const struct http_route *route, struct http_resp *resp)
{
    struct ks_error err = {0};
    const char *bad = NULL;
    int rc;

    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_query_utf8, &bad);
    if (bad)
        rc = ks_fail(&err, KS_EINVAL, "query", "query: parameters must be valid UTF-8");
    else
        rc = check_body(req, route, resp, &err);
    for (size_t i = 0; rc == 0 && i < req->n_params; i++)
        if (!utf8_is_valid(req->params[i], strlen(req->params[i])) || strlen(req->params[i]) > 200)
            rc = ks_fail(&err, KS_EINVAL, "path", "path: a segment is not valid UTF-8 or too long");
    if (rc == 0 && (route->flags & RF_AUTH))
        rc = auth_request(req, &err);
    if (rc == 0)
        rc = route->handler(req, resp, &err);
    if (rc == HTTP_SUSPENDED)
        return rc;
    if (rc < 0)
        resp_problem(req, resp, &err);
    return rc;
}
