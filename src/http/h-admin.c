/* Accounts: users (admins create and change them; everyone may change their own name, contact
 * and password; a colleague's phone and e-mail are masked for all but admins), departments as
 * a tree (分行 → 支行), sessions (login, logout) and /me. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-admin.h"
#include "http/http.h"
#include "lib/secret.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Applies the members of a user body to u; admin decides whether role, department and
 * disabled may change. */
static int apply_user(struct store_tx *tx, struct user *u, const json_t *body, bool admin,
                      struct ks_error *err)
{
    const char *name, *role, *dept, *phone, *email, *password;
    json_t *disabled = json_object_get(body, "disabled");
    char hash[SECRET_HASH_MAX];
    int rc;

    if ((rc = json_str(body, "name", 100, &name, err)) < 0 ||
        (rc = json_str(body, "role", 20, &role, err)) < 0 ||
        (rc = json_str(body, "department", 64, &dept, err)) < 0 ||
        (rc = json_str(body, "phone", 40, &phone, err)) < 0 ||
        (rc = json_str(body, "email", 200, &email, err)) < 0 ||
        (rc = json_str(body, "password", 200, &password, err)) < 0)
        return rc;
    if (disabled && !json_is_boolean(disabled))
        return ks_fail(err, KS_EINVAL, "disabled", "disabled: expected true or false");
    if (!admin && (role || json_object_get(body, "department") || disabled))
        return ks_fail(err, KS_EPERM,
                       role       ? "role"
                       : disabled ? "disabled"
                                  : "department",
                       "only an admin may change roles, departments or disable accounts");
    if (role && (rc = role_parse(role, &u->role, err)) < 0)
        return rc;
    if (dept && (rc = app_department_exists(tx, dept, "department", err)) < 0)
        return rc;
    if (json_object_get(body, "department"))
        xstrset(&u->department, dept);
    if (json_object_get(body, "name"))
        xstrset(&u->name, name);
    if (json_object_get(body, "phone"))
        xstrset(&u->phone, phone);
    if (json_object_get(body, "email"))
        xstrset(&u->email, email);
    if (disabled)
        u->disabled = json_is_true(disabled);
    if (password) {
        if ((rc = secret_hash_password(password, hash, err)) < 0)
            return rc;
        xstrset(&u->password_hash, hash);
    }
    return 0;
}

static const char *const user_fields[] = {"login", "name",     "role",     "department", "phone",
                                          "email", "password", "disabled", NULL};

int h_user_create(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    const char *login;
    struct user u;
    int rc;

    user_init(&u);
    if ((rc = auth_need_role(req, ROLE_BIT(ROLE_ADMIN), err)) < 0 ||
        (rc = json_only(req->json, user_fields, err)) < 0 ||
        (rc = json_str(req->json, "login", 64, &login, err)) < 0)
        goto out;
    if (!login || !json_object_get(req->json, "role")) {
        rc = ks_fail(err, KS_EINVAL, login ? "role" : "login", "%s: required",
                     login ? "role" : "login");
        goto out;
    }
    if ((rc = app_check_code("login", login, err)) < 0)
        goto out;
    u.login = xstrdup(login);
    u.created_at = req->now;
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, err)) < 0 ||
        (rc = apply_user(tx, &u, req->json, true, err)) < 0 ||
        (rc = store_user_insert(tx, &u, err)) < 0 || (rc = store_tx_commit(&tx, err)) < 0)
        goto out;
    resp_json(resp, 201, user_to_json(&u));
out:
    store_tx_rollback(&tx);
    user_release(&u);
    return rc;
}

int h_user_list(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct user *us = NULL;
    size_t n = 0;
    int rc;

    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) == 0)
        rc = store_user_list(tx, &us, &n, err);
    store_tx_rollback(&tx);
    if (rc == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, user_to_json_for(req, &us[i]));
        resp_json(resp, 200, json_pack("{s:o}", "items", arr));
    }
    user_array_free(&us, n);
    return rc;
}

int h_user_get(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct user u;
    int rc;

    user_init(&u);
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) == 0)
        rc = store_user_get(tx, req->params[0], &u, err);
    store_tx_rollback(&tx);
    if (rc == 0)
        resp_json(resp, 200, user_to_json_for(req, &u));
    user_release(&u);
    return rc;
}

int h_user_patch(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const fields[] = {"name",  "role",     "department", "phone",
                                         "email", "password", "disabled",   NULL};
    bool admin = req->user.role == ROLE_ADMIN;
    struct store_tx *tx = NULL;
    struct user u;
    int rc;

    user_init(&u);
    if (!admin && strcmp(req->params[0], req->user.login) != 0)
        return ks_fail(err, KS_EPERM, "login", "only an admin may change another user");
    if ((rc = json_only(req->json, fields, err)) < 0)
        goto out;
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, err)) < 0 ||
        (rc = store_user_get(tx, req->params[0], &u, err)) < 0 ||
        (rc = apply_user(tx, &u, req->json, admin, err)) < 0 ||
        (rc = store_user_update(tx, &u, err)) < 0 || (rc = store_tx_commit(&tx, err)) < 0)
        goto out;
    resp_json(resp, 200, user_to_json(&u));
out:
    store_tx_rollback(&tx);
    user_release(&u);
    return rc;
}

/* ---- departments ------------------------------------------------------------------------- */

static json_t *dept_to_json(const struct department *d)
{
    return json_pack("{s:s, s:s, s:s?, s:s?}", "code", d->code, "name", d->name, "parent",
                     d->parent, "head", d->head);
}

static const char *const dept_fields[] = {"code", "name", "parent", "head", NULL};

static int apply_dept(struct store_tx *tx, struct department *d, const json_t *body,
                      struct ks_error *err)
{
    const char *name, *parent, *head;
    int rc;

    if ((rc = json_str(body, "name", 100, &name, err)) < 0 ||
        (rc = json_str(body, "parent", 64, &parent, err)) < 0 ||
        (rc = json_str(body, "head", 64, &head, err)) < 0)
        return rc;
    if (parent && (rc = app_department_exists(tx, parent, "parent", err)) < 0)
        return rc;
    if (json_object_get(body, "name"))
        xstrset(&d->name, name);
    if (json_object_get(body, "parent"))
        xstrset(&d->parent, parent);
    if (json_object_get(body, "head"))
        xstrset(&d->head, head);
    return 0;
}

int h_department_create(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct department d;
    const char *code;
    int rc;

    department_init(&d);
    if ((rc = auth_need_role(req, ROLE_BIT(ROLE_ADMIN), err)) < 0 ||
        (rc = json_only(req->json, dept_fields, err)) < 0 ||
        (rc = json_str(req->json, "code", 64, &code, err)) < 0)
        goto out;
    if (!code) {
        rc = ks_fail(err, KS_EINVAL, "code", "code: required");
        goto out;
    }
    if ((rc = app_check_code("code", code, err)) < 0)
        goto out;
    d.code = xstrdup(code);
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, err)) < 0 ||
        (rc = apply_dept(tx, &d, req->json, err)) < 0 ||
        (rc = app_department_add(tx, &d, err)) < 0 || (rc = store_tx_commit(&tx, err)) < 0)
        goto out;
    resp_json(resp, 201, dept_to_json(&d));
out:
    store_tx_rollback(&tx);
    department_release(&d);
    return rc;
}

/* Appends the children of parent (NULL: the roots) to arr, recursively. Depth is bounded by
 * the store, which refuses cycles. */
static void add_children(json_t *arr, const struct department *ds, size_t n, const char *parent,
                         int depth)
{
    for (size_t i = 0; i < n && depth < 32; i++) {
        const struct department *d = &ds[i];
        bool child = parent ? d->parent && strcmp(d->parent, parent) == 0 : !d->parent;
        if (!child)
            continue;
        json_t *j = dept_to_json(d);
        json_t *kids = json_array();
        add_children(kids, ds, n, d->code, depth + 1);
        json_object_set_new(j, "children", kids);
        json_array_append_new(arr, j);
    }
}

int h_department_list(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct department *ds = NULL;
    size_t n = 0;
    int rc;

    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) == 0)
        rc = store_department_list(tx, &ds, &n, err);
    store_tx_rollback(&tx);
    if (rc == 0) {
        json_t *tree = json_array();
        add_children(tree, ds, n, NULL, 0);
        resp_json(resp, 200, json_pack("{s:o}", "items", tree));
    }
    department_array_free(&ds, n);
    return rc;
}

int h_department_patch(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const fields[] = {"name", "parent", "head", NULL};
    struct store_tx *tx = NULL;
    struct department d;
    int rc;

    department_init(&d);
    if ((rc = auth_need_role(req, ROLE_BIT(ROLE_ADMIN), err)) < 0 ||
        (rc = json_only(req->json, fields, err)) < 0)
        goto out;
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, err)) < 0 ||
        (rc = store_department_get(tx, req->params[0], &d, err)) < 0 ||
        (rc = apply_dept(tx, &d, req->json, err)) < 0 ||
        (rc = store_department_update(tx, &d, err)) < 0 || (rc = store_tx_commit(&tx, err)) < 0)
        goto out;
    resp_json(resp, 200, dept_to_json(&d));
out:
    store_tx_rollback(&tx);
    department_release(&d);
    return rc;
}

/* ---- sessions ---------------------------------------------------------------------------- */

int h_session_create(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const fields[] = {"login", "password", NULL};
    char token[SECRET_TOKEN_CHARS + 1], csrf[SECRET_TOKEN_CHARS + 1];
    char expires[KS_TIME_STRLEN], cookie[256];
    const char *login, *password;
    int64_t until = 0;
    struct user u;
    int retry = 0, rc;

    user_init(&u);
    if ((rc = json_only(req->json, fields, err)) < 0 ||
        (rc = json_str(req->json, "login", 64, &login, err)) < 0 ||
        (rc = json_str(req->json, "password", 200, &password, err)) < 0)
        goto out;
    if (!login || !password) {
        rc = ks_fail(err, KS_EINVAL, login ? "password" : "login", "%s: required",
                     login ? "password" : "login");
        goto out;
    }
    rc = auth_login(req->ctx, login, password, req->now, token, csrf, &until, &u, &retry, err);
    resp->retry_after = retry;
    if (rc < 0)
        goto out;
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
             HTTP_COOKIE, token, auth_session_max_secs());
    resp->set_cookie = xstrdup(cookie);
    resp_json(resp, 201,
              json_pack("{s:s, s:s, s:s, s:o}", "token", token, "csrf_token", csrf, "expires_at",
                        ks_time_format(until, req->ctx->app->zone.utc_offset_min, expires), "user",
                        user_to_json(&u)));
out:
    user_release(&u);
    return rc;
}

int h_session_delete(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct ks_error e = {0};
    char cookie[128];

    auth_logout(req, &e);
    if (e.code < 0) {
        *err = e;
        return e.code;
    }
    snprintf(cookie, sizeof(cookie), "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
             HTTP_COOKIE);
    resp->set_cookie = xstrdup(cookie);
    resp->status = 204;
    return 0;
}

int h_me(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    json_t *j = user_to_json(&req->user);
    json_object_set_new(j, "session", json_string(req->session.kind));
    resp_json(resp, 200, j);
    return 0;
}
