/* Complaint handlers: registration (asynchronous, through the group-commit writer), listing
 * with filters and cursor pages, the single view with its ETag, edits guarded by If-Match,
 * moves, the timeline, comments and classification overrides. Each parses its input at the
 * edge, checks the caller may see the complaint, and calls the application layer.
 * Personal data (customer phone and e-mail) is masked in every answer by default, so reading a
 * complaint writes nothing. A single complaint asked for with ?reveal=personal shows it to
 * admins, leaders, its assignee and its first responder (never to a viewer; others get 403),
 * and such a view first appends an audit event (EV_AUDIT) to the complaint's timeline: no audit
 * record, no unmasked data. Audit events are left out of timelines except for an admin asking
 * ?audit=1. The rules are in docs/security.md. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-json.h"
#include "codec/complaint-json.h"
#include "http/h-web.h"
#include "http/http.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define STAFF_ROLES                                                                                \
    (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_LEADER) | ROLE_BIT(ROLE_HANDLER) | ROLE_BIT(ROLE_INTAKE))

/* Who may override a classification (app_override() checks it too). */
#define CLASSIFY_ROLES (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_LEADER) | ROLE_BIT(ROLE_HANDLER))

static int offset_of(const struct http_req *req)
{
    return req->ctx->app->zone.utc_offset_min;
}

static bool same_login(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The caller may see c's personal data unmasked (the single complaint only). */
static bool may_unmask(const struct http_req *req, const struct complaint *c)
{
    if (req->user.role == ROLE_VIEWER)
        return false;
    return auth_sees_all(req) || same_login(c->assignee, req->user.login) ||
           same_login(c->first_responder, req->user.login);
}

/* Appends the audit event of the caller seeing the personal fields of c. */
static int audit_view(struct http_req *req, const struct complaint *c, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    json_t *what = json_array(), *record;
    struct event ev;
    char *details;
    int rc;

    if (c->customer_phone && *c->customer_phone)
        json_array_append_new(what, json_string("customer_phone"));
    if (c->customer_email && *c->customer_email)
        json_array_append_new(what, json_string("customer_email"));
    if (json_array_size(what) == 0) {
        json_decref(what);
        return 0; /* nothing personal to see, nothing to record */
    }
    record = json_pack("{s:s, s:o, s:s, s:s}", "action", "viewed_personal_data", "fields", what,
                       "method", req->method, "path", req->path);
    details = json_dumps(record, JSON_COMPACT);
    json_decref(record);
    event_init(&ev);
    ev.complaint_id = c->id;
    ev.at = req->now;
    ev.actor = xstrdup(req->user.login);
    ev.kind = xstrdup(EV_AUDIT);
    ev.details = xstrdup(details);
    free(details);
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, err)) == 0 &&
        (rc = store_event_append(tx, &ev, err)) == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    event_release(&ev);
    return rc;
}

/* ?reveal=personal: the caller asks for the personal fields unmasked. */
static int query_reveal(const struct http_req *req, bool *out, struct ks_error *err)
{
    const char *v = req_query(req, "reveal");

    *out = false;
    if (!v)
        return 0;
    if (strcmp(v, "personal") != 0)
        return ks_fail(err, KS_EINVAL, "reveal", "reveal: '%.40s' is not one of personal", v);
    *out = true;
    return 0;
}

/* The complaint_to_json() flags for showing c: masked unless the caller asked to reveal the
 * personal fields, may see them (KS_EPERM otherwise) and the audit event of this view was
 * written. */
static int reveal(struct http_req *req, const struct complaint *c, bool asked, unsigned *flags_out,
                  struct ks_error *err)
{
    int rc;

    *flags_out = CJ_MASK_PERSONAL;
    if (!asked)
        return 0;
    if (!may_unmask(req, c))
        return ks_fail(err, KS_EPERM, "reveal",
                       "reveal: only an admin, a leader or the complaint's assignee or first "
                       "responder may see personal data");
    if ((rc = audit_view(req, c, err)) < 0)
        return rc;
    *flags_out = 0;
    return 0;
}

static void set_etag(struct http_resp *resp, int version)
{
    snprintf(resp->etag, sizeof(resp->etag), "\"%d\"", version);
}

/* Answers with the JSON document written into w (the read paths write their answers straight
 * into a buffer instead of building a jansson tree); w is released. */
static int resp_written(struct http_resp *resp, int status, struct jw *w, struct ks_error *err)
{
    char *text;
    size_t len;
    int rc;

    if ((rc = jw_finish(w, &text, &len, err)) < 0)
        return rc;
    resp_text(resp, status, NULL, text, len);
    return 0;
}

/* ---- registration ------------------------------------------------------------------------ */

struct create_state {
    struct complaint c;
    struct app_reg_job job;
    struct MHD_Connection *conn;
    char body_hash[65];
    char *key;
};

static void create_done(void *arg)
{
    struct create_state *st = arg;
    MHD_resume_connection(st->conn);
}

static int create_finish(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct create_state *st = req->async;
    int rc = st->job.rc;

    req->async = NULL;
    if (rc < 0) {
        *err = st->job.err;
        if (st->job.idem_mismatch)
            resp->status = 422;
    } else {
        resp_text(resp, st->job.status, NULL, st->job.response, strlen(st->job.response));
        st->job.response = NULL;
        if (st->job.replayed) {
            json_t *j = json_loads(resp->text, 0, NULL);
            json_t *n = json_object_get(j, "number");
            if (json_is_string(n))
                resp->location = xstrdup(json_string_value(n));
            json_decref(j);
        } else {
            resp->location = xstrdup(st->c.number);
            set_etag(resp, st->c.version);
        }
        if (resp->location) {
            char *loc = xmalloc(strlen(resp->location) + 32);
            memcpy(loc, HTTP_API_PREFIX "/complaints/", sizeof(HTTP_API_PREFIX "/complaints/"));
            memcpy(loc + sizeof(HTTP_API_PREFIX "/complaints/") - 1, resp->location,
                   strlen(resp->location) + 1);
            free(resp->location);
            resp->location = loc;
        }
    }
    complaint_release(&st->c);
    free(st->job.response);
    free(st->key);
    free(st);
    return rc;
}

int h_complaint_create(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    const char *key = req_header(req, "Idempotency-Key");
    struct create_state *st;
    int rc;

    if ((rc = auth_need_role(req, STAFF_ROLES, err)) < 0)
        return rc;
    if (key) {
        size_t n = strlen(key);
        if (n == 0 || n > 200)
            return ks_fail(err, KS_EINVAL, "Idempotency-Key",
                           "Idempotency-Key: 1 to 200 characters");
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
                return ks_fail(err, KS_EINVAL, "Idempotency-Key",
                               "Idempotency-Key: only visible ASCII characters");
    }
    st = xcalloc(1, sizeof(*st));
    complaint_init(&st->c);
    if ((rc = complaint_from_json(&st->c, req->json, offset_of(req), 0, err)) < 0) {
        complaint_release(&st->c);
        free(st);
        return rc;
    }
    st->conn = req->conn;
    st->job.c = &st->c;
    st->job.actor = &req->actor;
    st->job.now = req->now;
    if (key) {
        st->key = xstrdup(key);
        app_sha256_hex(req->body, req->body_len, st->body_hash);
        st->job.idem_key = st->key;
        st->job.body_hash = st->body_hash;
    }
    req->async = st;
    req->resume = create_finish;
    /* Suspend before handing over: the writer may finish and resume at once. */
    MHD_suspend_connection(req->conn);
    app_batcher_submit(req->ctx->batcher, &st->job, create_done, st);
    return HTTP_SUSPENDED;
}

/* ---- list -------------------------------------------------------------------------------- */

static int query_time(const struct http_req *req, const char *name, int64_t *out,
                      struct ks_error *err)
{
    const char *v = req_query(req, name);
    if (!v)
        return 0;
    return ks_time_parse(v, offset_of(req), name, out, err);
}

static int query_bool(const struct http_req *req, const char *name, bool *out, struct ks_error *err)
{
    const char *v = req_query(req, name);
    if (!v)
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return ks_fail(err, KS_EINVAL, name, "%s: '%.40s' is not true or false", name, v);
    return 0;
}

static int query_short(const struct http_req *req, const char *name, const char **out,
                       struct ks_error *err)
{
    const char *v = req_query(req, name);
    if (v && (strlen(v) > 400 || !*v))
        return ks_fail(err, KS_EINVAL, name, "%s: 1 to 400 bytes", name);
    *out = v;
    return 0;
}

/* Narrows f to what the caller may see (the department tree read in the listing's tx). */
static int scope_filter(struct http_req *req, struct store_tx *tx, struct complaint_filter *f,
                        struct ks_error *err)
{
    bool within = false;
    int rc;

    if (auth_sees_all(req))
        return 0;
    if (!req->user.department) {
        if (f->assignee && strcmp(f->assignee, req->user.login) != 0)
            return ks_fail(err, KS_EPERM, "assignee", "you may list only your own complaints");
        f->assignee = req->user.login;
        return 0;
    }
    if (!f->department) {
        f->department = req->user.department;
        f->or_assignee = req->user.login;
        return 0;
    }
    rc = store_department_within(tx, req->user.department, f->department, &within, err);
    if (rc == 0 && !within)
        rc =
            ks_fail(err, KS_EPERM, "department", "department: '%s' is outside your department '%s'",
                    f->department, req->user.department);
    return rc;
}

/* fields=number,title,status: a list page asks for its columns only (a projection the store
 * reads too, so a page costs a few columns per row instead of every field). */
static int parse_fields(const char *v, uint64_t *out, struct ks_error *err)
{
    enum { NAMES_MAX = 64, NAME_MAX = 64 };
    char copy[NAMES_MAX * NAME_MAX];
    const char *names[NAMES_MAX + 1];
    size_t n = 0;
    int rc;

    if (strlen(v) >= sizeof(copy) || !*v)
        return ks_fail(err, KS_EINVAL, "fields", "fields: 1 to %zu bytes of comma-separated names",
                       sizeof(copy) - 1);
    memcpy(copy, v, strlen(v) + 1);
    for (char *p = copy, *comma; p; p = comma ? comma + 1 : NULL) {
        if ((comma = strchr(p, ',')))
            *comma = '\0';
        if (!*p)
            return ks_fail(err, KS_EINVAL, "fields", "fields: an empty name in '%.80s'", v);
        if (n == NAMES_MAX)
            return ks_fail(err, KS_EINVAL, "fields", "fields: more than %d names", NAMES_MAX);
        names[n++] = p;
    }
    names[n] = NULL;
    if ((rc = complaint_field_bits(names, out, err)) < 0) {
        char bad[NAME_MAX + 1];
        snprintf(bad, sizeof(bad), "%s", err->field);
        return ks_fail(err, KS_EINVAL, "fields", "fields: '%s' is not a complaint field", bad);
    }
    return 0;
}

static int parse_filter(struct http_req *req, struct store_tx *tx, struct complaint_filter *f,
                        struct ks_error *err)
{
    static const char *const names[] = {
        "status",   "severity", "category",      "channel",     "assignee", "department",
        "customer", "product",  "received_from", "received_to", "overdue",  "due_before",
        "q",        "sort",     "cursor",        "limit",       "open",     "fields",
        NULL,
    };
    const char *v;
    int rc;

    complaint_filter_init(f);
    f->now = req->now;
    f->limit = HTTP_PAGE_DEFAULT;
    if ((rc = req_query_only(req, names, err)) < 0)
        return rc;
    if ((v = req_query(req, "status"))) {
        enum wf_state s;
        if ((rc = wf_state_parse(v, &s, err)) < 0)
            return rc;
        f->status = (int)s;
    }
    if ((v = req_query(req, "severity"))) {
        enum severity s;
        if ((rc = severity_parse(v, &s, err)) < 0)
            return rc;
        f->severity = (int)s;
    }
    if ((v = req_query(req, "channel"))) {
        enum channel c;
        if ((rc = channel_parse(v, &c, err)) < 0)
            return rc;
        f->channel = (int)c;
    }
    if ((rc = query_short(req, "category", &f->category, err)) < 0 ||
        (rc = query_short(req, "assignee", &f->assignee, err)) < 0 ||
        (rc = query_short(req, "department", &f->department, err)) < 0 ||
        (rc = query_short(req, "customer", &f->customer, err)) < 0 ||
        (rc = query_short(req, "product", &f->product, err)) < 0 ||
        (rc = query_short(req, "q", &f->text, err)) < 0 ||
        (rc = query_short(req, "cursor", &f->after, err)) < 0 ||
        (rc = query_time(req, "received_from", &f->received_from, err)) < 0 ||
        (rc = query_time(req, "received_to", &f->received_to, err)) < 0 ||
        (rc = query_time(req, "due_before", &f->due_before, err)) < 0 ||
        (rc = query_bool(req, "overdue", &f->overdue, err)) < 0 ||
        (rc = query_bool(req, "open", &f->open_only, err)) < 0)
        return rc;
    if ((v = req_query(req, "sort"))) {
        if (strcmp(v, "received_desc") == 0 || strcmp(v, "-received_at") == 0)
            f->sort = CS_RECEIVED_DESC;
        else if (strcmp(v, "received_asc") == 0 || strcmp(v, "received_at") == 0)
            f->sort = CS_RECEIVED_ASC;
        else if (strcmp(v, "due_asc") == 0 || strcmp(v, "due_at") == 0)
            f->sort = CS_DUE_ASC;
        else
            return ks_fail(err, KS_EINVAL, "sort",
                           "sort: '%.40s' is not received_desc, received_asc or due_asc", v);
    }
    if ((v = req_query(req, "fields")) && (rc = parse_fields(v, &f->fields, err)) < 0)
        return rc;
    if ((v = req_query(req, "limit"))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || end == v || n < 1 || n > HTTP_PAGE_MAX)
            return ks_fail(err, KS_EINVAL, "limit", "limit: '%.20s' is not 1 to %d", v,
                           HTTP_PAGE_MAX);
        f->limit = (int)n;
    }
    return scope_filter(req, tx, f, err);
}

int h_complaint_list(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct complaint_filter f;
    struct store_tx *tx = NULL;
    struct store_iter *it = NULL;
    struct complaint row;
    struct jw w;
    char *last = NULL;
    int page, n = 0, rc;

    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    if ((rc = parse_filter(req, tx, &f, err)) < 0) {
        store_tx_rollback(&tx);
        return rc;
    }
    page = f.limit;
    f.limit = page + 1; /* one more tells whether there is a next page */
    complaint_init(&row);
    jw_init(&w, CJ_WRITE_MAX);
    jw_object(&w);
    jw_key(&w, "items");
    jw_array(&w);
    rc = store_complaint_list(tx, &f, &it, err);
    while (rc == 0) {
        int got = store_complaint_next(it, &row, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (n == page) {
            rc = 1; /* a row beyond the page: there is a next page */
            break;
        }
        complaint_fields_write(&w, &row, offset_of(req), CJ_MASK_PERSONAL, f.fields);
        xstrset(&last, row.number);
        n++;
    }
    store_iter_free(&it);
    store_tx_rollback(&tx);
    complaint_release(&row);
    if (rc >= 0) {
        jw_array_end(&w);
        jw_key(&w, "next_cursor");
        jw_string(&w, rc == 1 ? last : NULL);
        jw_key(&w, "count");
        jw_int(&w, n);
        jw_object_end(&w);
        rc = resp_written(resp, 200, &w, err);
    }
    jw_release(&w);
    free(last);
    return rc;
}

/* ---- one complaint ----------------------------------------------------------------------- */

/* Loads the complaint of the path and checks the caller may see it, in one read transaction. */
static int load_visible(struct http_req *req, struct app_view *v, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    int rc;

    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    if ((rc = app_get_in(tx, req->params[0], v, err)) == 0)
        rc = app_may_see(req->ctx->app, tx, &req->user, &v->c, err);
    store_tx_rollback(&tx);
    return rc;
}

int h_complaint_get(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"reveal", NULL};
    struct app_view v;
    unsigned flags;
    bool asked;
    int rc;

    if ((rc = req_query_only(req, names, err)) < 0 || (rc = query_reveal(req, &asked, err)) < 0)
        return rc;
    app_view_init(&v);
    if ((rc = load_visible(req, &v, err)) == 0 &&
        (rc = reveal(req, &v.c, asked, &flags, err)) == 0) {
        struct jw w;
        app_view_hide_audit(&v);
        jw_init(&w, CJ_WRITE_MAX);
        app_view_write(&w, req->ctx->app, &v, req->now, flags);
        if ((rc = resp_written(resp, 200, &w, err)) == 0)
            set_etag(resp, v.c.version);
    }
    app_view_release(&v);
    return rc;
}

static int stale(struct http_resp *resp, const struct complaint *c, int had, struct ks_error *err)
{
    resp->status = 412;
    return ks_fail(err, KS_ECONFLICT, "version",
                   "complaint %s is at version %d, you had %d; reload and retry", c->number,
                   c->version, had);
}

/* Common end of an edit: the stored record as JSON, personal data masked (a client that needs
 * it asks GET ?reveal=personal), with its new ETag; a concurrent change found by the store is
 * a 412 as well. */
static int after_update(struct http_req *req, struct http_resp *resp, struct app_view *v, int rc)
{
    if (rc == 0) {
        struct app_view fresh;
        struct ks_error e2 = {0};
        app_view_init(&fresh);
        if (app_get(req->ctx->app, v->c.number, &fresh, &e2) == 0) {
            app_view_hide_audit(&fresh);
            resp_json(resp, 200,
                      app_view_to_json(req->ctx->app, &fresh, req->now, CJ_MASK_PERSONAL));
            set_etag(resp, fresh.c.version);
        } else {
            resp_json(resp, 200, complaint_to_json(&v->c, offset_of(req), CJ_MASK_PERSONAL));
            set_etag(resp, v->c.version);
        }
        app_view_release(&fresh);
    }
    return rc;
}

int h_complaint_patch(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct app_view v;
    int had, rc;

    app_view_init(&v);
    /* The role first, so a viewer learns nothing (not even a stale version) from a PATCH. */
    if ((rc = auth_need_role(req, STAFF_ROLES, err)) < 0 || (rc = req_if_match(req, &had, err)) < 0)
        goto out;
    if (had < 0) {
        resp->status = 428;
        rc = ks_fail(err, KS_EINVAL, "If-Match",
                     "If-Match: send the ETag of the version you edited");
        goto out;
    }
    if ((rc = load_visible(req, &v, err)) < 0)
        goto out;
    if (v.c.version != had) {
        rc = stale(resp, &v.c, had, err);
        goto out;
    }
    if ((rc = complaint_from_json(&v.c, req->json, offset_of(req), 0, err)) < 0)
        goto out;
    rc = app_update(req->ctx->app, &v.c, -1, &req->actor, NULL, req->now, err);
    if (rc == KS_ECONFLICT && strcmp(err->field, "version") == 0)
        resp->status = 412;
    rc = after_update(req, resp, &v, rc);
out:
    app_view_release(&v);
    return rc;
}

int h_complaint_transition(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"to", "note", "set", NULL};
    const char *to_name = NULL, *note = NULL;
    json_t *set = json_object_get(req->json, "set");
    enum wf_state to;
    struct app_view v;
    int had, rc;

    app_view_init(&v);
    if ((rc = auth_need_role(req, STAFF_ROLES, err)) < 0 ||
        (rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "to", 40, &to_name, err)) < 0 ||
        (rc = json_str(req->json, "note", 5000, &note, err)) < 0 ||
        (rc = req_if_match(req, &had, err)) < 0)
        goto out;
    if (!to_name) {
        rc = ks_fail(err, KS_EINVAL, "to", "to: name the state to move to");
        goto out;
    }
    if ((rc = wf_state_parse(to_name, &to, err)) < 0)
        goto out;
    if (set && !json_is_object(set) && !json_is_null(set)) {
        rc = ks_fail(err, KS_EINVAL, "set", "set: expected an object of fields");
        goto out;
    }
    if ((rc = load_visible(req, &v, err)) < 0)
        goto out;
    if (had >= 0 && v.c.version != had) {
        rc = stale(resp, &v.c, had, err);
        goto out;
    }
    if (json_is_object(set) && (rc = complaint_from_json(&v.c, set, offset_of(req), 0, err)) < 0) {
        char field[KS_ERR_FIELD_MAX];
        snprintf(field, sizeof(field), "set.%s", err->field);
        memcpy(err->field, field, sizeof(field));
        goto out;
    }
    rc = app_update(req->ctx->app, &v.c, (int)to, &req->actor, note, req->now, err);
    if (rc == KS_ECONFLICT && strcmp(err->field, "version") == 0)
        resp->status = 412;
    rc = after_update(req, resp, &v, rc);
out:
    app_view_release(&v);
    return rc;
}

int h_complaint_events(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"audit", NULL};
    struct app_view v;
    bool audit = false;
    int rc;

    if ((rc = req_query_only(req, names, err)) < 0 ||
        (rc = query_bool(req, "audit", &audit, err)) < 0)
        return rc;
    if (audit && req->user.role != ROLE_ADMIN)
        return ks_fail(err, KS_EPERM, "audit", "audit: only an admin may read the audit trail");
    app_view_init(&v);
    if ((rc = load_visible(req, &v, err)) == 0 && !audit)
        app_view_hide_audit(&v);
    if (rc == 0)
        resp_json(resp, 200,
                  json_pack("{s:s, s:o}", "number", v.c.number, "events",
                            events_to_json(v.evs, v.n_evs, offset_of(req))));
    app_view_release(&v);
    return rc;
}

int h_complaint_comment(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"note", NULL};
    const char *note = NULL;
    struct app_view v;
    int rc;

    app_view_init(&v);
    if ((rc = auth_need_role(req, STAFF_ROLES, err)) < 0 ||
        (rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "note", 5000, &note, err)) < 0 ||
        (rc = load_visible(req, &v, err)) < 0 ||
        (rc = app_comment(req->ctx->app, v.c.number, &req->actor, note, req->now, err)) < 0)
        goto out;
    app_view_release(&v);
    app_view_init(&v);
    if ((rc = app_get(req->ctx->app, req->params[0], &v, err)) == 0)
        app_view_hide_audit(&v);
    if (rc == 0)
        resp_json(resp, 201,
                  json_pack("{s:s, s:o}", "number", v.c.number, "events",
                            events_to_json(v.evs, v.n_evs, offset_of(req))));
out:
    app_view_release(&v);
    return rc;
}

int h_complaint_classification(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"severity", "category", "reason", NULL};
    const char *sev_name = NULL, *category = NULL, *reason = NULL;
    enum severity sev = SEV_NONE;
    struct complaint out;
    struct app_view v;
    int rc;

    app_view_init(&v);
    complaint_init(&out);
    if ((rc = auth_need_role(req, CLASSIFY_ROLES, err)) < 0 ||
        (rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "severity", 20, &sev_name, err)) < 0 ||
        (rc = json_str(req->json, "category", 100, &category, err)) < 0 ||
        (rc = json_str(req->json, "reason", 2000, &reason, err)) < 0)
        goto out;
    if (sev_name && (rc = severity_parse(sev_name, &sev, err)) < 0)
        goto out;
    if ((rc = load_visible(req, &v, err)) < 0)
        goto out;
    rc = app_override(req->ctx->app, v.c.number, sev, category, reason, &req->actor, req->now, &out,
                      err);
    if (rc == 0) {
        resp_json(resp, 200, complaint_to_json(&out, offset_of(req), CJ_MASK_PERSONAL));
        set_etag(resp, out.version);
    }
out:
    complaint_release(&out);
    app_view_release(&v);
    return rc;
}
