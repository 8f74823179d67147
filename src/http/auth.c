/* Authentication and scope. A client proves who it is with a random token, either as
 * "Authorization: Bearer <token>" (API clients; no CSRF risk, a browser never adds it by itself)
 * or as the HttpOnly SameSite=Strict session cookie set at login (the browser UI), in which case
 * every unsafe method must also carry X-CSRF-Token equal to the csrf_token returned at login.
 * The database keeps only the SHA-256 of a token, so a copy of it opens no session. Failed
 * logins are counted per login in the database (so throttling holds across nodes): after
 * HTTP_LOGIN_MAX failures in HTTP_LOGIN_WINDOW seconds, logins for it are refused with 429.
 * Password checks (argon2id, deliberately slow) run outside any transaction. A login session
 * lasts auth_session_max_secs() from login (checked against created_at at every request, so a
 * lowered limit ends older sessions too); API tokens last until revoked. A disabled account is
 * refused at its next request whatever session or token it holds. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "lib/secret.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static bool is_safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

/* Constant-time comparison of two NUL-terminated strings. */
static bool same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

int auth_session_max_secs(void)
{
    const char *v = getenv("KESU_SESSION_MAX");
    char *end;
    long n;

    if (!v || !*v)
        return HTTP_SESSION_SECS;
    n = strtol(v, &end, 10);
    return *end || n < 1 || n > 30L * 24 * 3600 ? HTTP_SESSION_SECS : (int)n;
}

/* A session has ended: revoked, past its stored expiry, or (a login) older than the lifetime
 * in force now. */
static bool has_ended(const struct session *s, int64_t now)
{
    bool login = s->kind && strcmp(s->kind, "session") == 0;
    return s->revoked || (s->expires_at != KS_TIME_NONE && s->expires_at <= now) ||
           (login && s->created_at + auth_session_max_secs() <= now);
}

int auth_request(struct http_req *req, struct ks_error *err)
{
    const char *authz = req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *token = NULL;
    struct store_tx *tx = NULL;
    char hash[65];
    int rc;

    if (authz && strncmp(authz, "Bearer ", 7) == 0) {
        token = authz + 7;
    } else if (authz) {
        return ks_fail(err, KS_EAUTH, "Authorization", "Authorization: use 'Bearer <token>'");
    } else {
        token = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, HTTP_COOKIE);
        req->via_cookie = token != NULL;
    }
    if (!token || !*token)
        return ks_fail(err, KS_EAUTH, NULL, "log in first: POST /api/v1/sessions");
    if (strlen(token) > 128)
        return ks_fail(err, KS_EAUTH, "Authorization", "the token is not valid");
    app_sha256_hex(token, strlen(token), hash);
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    rc = store_session_get(tx, hash, &req->session, err);
    if (rc == KS_ENOTFOUND || (rc == 0 && has_ended(&req->session, req->now)))
        rc = ks_fail(err, KS_EAUTH, "Authorization",
                     "the session has ended or the token is not valid; log in again");
    if (rc == 0) {
        rc = store_user_get(tx, req->session.login, &req->user, err);
        if (rc == KS_ENOTFOUND || (rc == 0 && req->user.disabled))
            rc = ks_fail(err, KS_EAUTH, "Authorization", "the account is disabled");
    }
    store_tx_rollback(&tx);
    if (rc < 0)
        return rc;
    if (req->via_cookie && !is_safe_method(req->method)) {
        const char *csrf = req_header(req, "X-CSRF-Token");
        if (!csrf || !req->session.csrf || !same_secret(csrf, req->session.csrf))
            return ks_fail(err, KS_EPERM, "X-CSRF-Token",
                           "X-CSRF-Token: a cookie session must send the csrf_token returned at "
                           "login");
    }
    req->authed = true;
    req->actor.login = req->user.login;
    req->actor.role = req->user.role;
    req->actor.is_system = false;
    return 0;
}

/* Records a failed login in its own transaction. */
static void count_failure(struct app *app, const char *login, int64_t now)
{
    struct store_tx *tx = NULL;
    if (store_tx_begin(app->store, STORE_TX_WRITE, &tx, NULL) == 0 &&
        store_login_failure_add(tx, login, now, NULL) == 0)
        store_tx_commit(&tx, NULL);
    store_tx_rollback(&tx);
}

int auth_login(struct http_ctx *ctx, const char *login, const char *password, int64_t now,
               char *token_out, char *csrf_out, int64_t *expires_out, struct user *user_out,
               int *retry_after_out, struct ks_error *err)
{
    struct app *app = ctx->app;
    struct store_tx *tx = NULL;
    struct session s;
    char hash[65];
    int failures = 0, rc;
    bool ok;

    *retry_after_out = 0;
    if ((rc = store_tx_begin(app->store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    rc = store_login_failures(tx, login, now - HTTP_LOGIN_WINDOW, &failures, err);
    if (rc == 0)
        rc = store_user_get(tx, login, user_out, err);
    store_tx_rollback(&tx);
    if (rc < 0 && rc != KS_ENOTFOUND)
        return rc;
    if (failures >= HTTP_LOGIN_MAX) {
        *retry_after_out = HTTP_LOGIN_WINDOW;
        return ks_fail(err, KS_ELIMIT, "login",
                       "login: too many failed attempts for '%s'; wait 15 minutes", login);
    }
    ok = rc == 0 && !user_out->disabled && user_out->password_hash &&
         secret_verify_password(user_out->password_hash, password);
    if (!ok) {
        count_failure(app, login, now);
        return ks_fail(err, KS_EAUTH, "password", "the login or the password is wrong");
    }
    secret_token(token_out);
    secret_token(csrf_out);
    session_init(&s);
    app_sha256_hex(token_out, strlen(token_out), hash);
    s.token_hash = xstrdup(hash);
    s.csrf = xstrdup(csrf_out);
    s.login = xstrdup(login);
    s.kind = xstrdup("session");
    s.created_at = now;
    s.expires_at = now + auth_session_max_secs();
    *expires_out = s.expires_at;
    if ((rc = store_tx_begin(app->store, STORE_TX_WRITE, &tx, err)) == 0 &&
        (rc = store_session_insert(tx, &s, err)) == 0 &&
        (rc = store_login_failures_clear(tx, login, err)) == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    session_release(&s);
    return rc;
}

int auth_token_create(struct app *app, const char *login, int64_t now, char *token_out,
                      struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct session s;
    struct user u;
    char hash[65];
    int rc;

    user_init(&u);
    session_init(&s);
    secret_token(token_out);
    app_sha256_hex(token_out, strlen(token_out), hash);
    s.token_hash = xstrdup(hash);
    s.login = xstrdup(login);
    s.kind = xstrdup("api");
    s.created_at = now;
    if ((rc = store_tx_begin(app->store, STORE_TX_WRITE, &tx, err)) == 0 &&
        (rc = store_user_get(tx, login, &u, err)) == 0 &&
        (rc = store_session_insert(tx, &s, err)) == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    session_release(&s);
    user_release(&u);
    return rc;
}

void auth_logout(struct http_req *req, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    if (store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, err) == 0 &&
        store_session_revoke(tx, req->session.token_hash, err) == 0)
        store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
}

bool auth_sees_all(const struct http_req *req)
{
    return req->user.role == ROLE_ADMIN || req->user.role == ROLE_LEADER;
}

static bool same_login(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

int auth_may_see(struct http_req *req, const struct complaint *c, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    bool within = false;
    int rc;

    if (auth_sees_all(req) || same_login(c->assignee, req->user.login) ||
        same_login(c->first_responder, req->user.login))
        return 0;
    if (req->user.department && c->department) {
        if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) < 0)
            return rc;
        rc = store_department_within(tx, req->user.department, c->department, &within, err);
        store_tx_rollback(&tx);
        if (rc < 0)
            return rc;
    }
    if (!within)
        return ks_fail(err, KS_EPERM, "number",
                       "complaint %s belongs to another department than yours", c->number);
    return 0;
}

int auth_need_role(const struct http_req *req, unsigned roles, struct ks_error *err)
{
    if (roles & ROLE_BIT(req->user.role))
        return 0;
    return ks_fail(err, KS_EPERM, "role", "role '%s' may not do this", role_name(req->user.role));
}
