/* Authentication and scope. A client proves who it is with a random token, either as
 * "Authorization: Bearer <token>" (API clients; no CSRF risk, a browser never adds it by itself)
 * or as the HttpOnly SameSite=Strict session cookie set at login (the browser UI), in which case
 * every unsafe method must also carry X-CSRF-Token equal to the csrf_token returned at login.
 * The database keeps only the SHA-256 of a token, so a copy of it opens no session. Failed
 * logins are counted per login in the database (so throttling holds across nodes): after
 * HTTP_LOGIN_MAX failures in HTTP_LOGIN_WINDOW seconds, logins for it are refused with 429.
 * Password checks (argon2id, deliberately slow) run outside any transaction. A login session
 * lasts auth_session_max_secs() from login (checked against created_at at every request, so a
 * lowered limit ends older sessions too) and ends after auth_session_idle_secs() without a
 * request (last_seen_at, written at most once a minute per session: TOUCH_EVERY); API tokens
 * last until revoked. Disabling an account revokes all its sessions and tokens (the store does
 * it with the update), and a disabled account is refused whatever it holds. The two limits come
 * from $KESU_SESSION_MAX and $KESU_SESSION_IDLE, read once; a bad value is refused by every
 * login and authenticated request, naming the variable.
 *
 * Validated sessions are cached in this process for at most CACHE_TTL_MS, keyed by token hash,
 * so most requests read no database at all. The bound: a session revoked, expired or disabled
 * elsewhere (another node, the CLI) still works here for at most CACHE_TTL_MS; a change
 * committed by this process (logout, PATCH /users, anything that bumps store_access_epoch())
 * empties the cache at once. The cache never lengthens a session: the absolute and idle limits
 * are checked at every request against the cached row, and a cached entry is only ever a copy
 * of a row that was valid when read. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

#define CACHE_SLOTS  1024 /* sessions cached; a colliding token replaces the slot's entry */
#define CACHE_TTL_MS 2000 /* how long a validated session is trusted without reading it again */
#define TOUCH_EVERY  60   /* seconds between two writes of a session's last_seen_at */
#define IDLE_DEFAULT (30 * 60)

struct cache_entry {
    const struct store *store; /* NULL: empty */
    char hash[65];
    uint64_t epoch;      /* store_access_epoch() when read */
    int64_t read_ms;     /* monotonic time when read from the database */
    struct session sess; /* owned copies */
    struct user user;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry cache[CACHE_SLOTS];

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void session_copy(struct session *to, const struct session *from)
{
    session_release(to);
    *to = *from;
    to->token_hash = dup_or_null(from->token_hash);
    to->csrf = dup_or_null(from->csrf);
    to->login = dup_or_null(from->login);
    to->kind = dup_or_null(from->kind);
}

static void user_copy(struct user *to, const struct user *from)
{
    user_release(to);
    *to = *from;
    to->login = dup_or_null(from->login);
    to->name = dup_or_null(from->name);
    to->department = dup_or_null(from->department);
    to->phone = dup_or_null(from->phone);
    to->email = dup_or_null(from->email);
    to->password_hash = NULL; /* never needed after login */
}

/* The slot of a token hash: its first hex digits (uniformly random, since it is a SHA-256). */
static struct cache_entry *cache_slot(const char *hash)
{
    unsigned v = 0;

    for (int i = 0; i < 4 && hash[i]; i++)
        v = v * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
    return &cache[v % CACHE_SLOTS];
}

static void cache_clear(struct cache_entry *e)
{
    session_release(&e->sess);
    user_release(&e->user);
    e->store = NULL;
}

/* Copies a fresh entry for hash into req; false when there is none. */
static bool cache_get(struct http_req *req, const char *hash)
{
    const struct store *store = req->ctx->app->store;
    struct cache_entry *e = cache_slot(hash);
    bool hit;

    pthread_mutex_lock(&cache_mu);
    hit = e->store == store && strcmp(e->hash, hash) == 0 &&
          e->epoch == store_access_epoch(store) && mono_ms() - e->read_ms < CACHE_TTL_MS;
    if (hit) {
        session_copy(&req->session, &e->sess);
        user_copy(&req->user, &e->user);
    } else if (e->store == store && strcmp(e->hash, hash) == 0) {
        cache_clear(e);
    }
    pthread_mutex_unlock(&cache_mu);
    return hit;
}

static void cache_put(const struct http_req *req, const char *hash, uint64_t epoch, int64_t read_ms)
{
    struct cache_entry *e = cache_slot(hash);

    pthread_mutex_lock(&cache_mu);
    cache_clear(e);
    e->store = req->ctx->app->store;
    snprintf(e->hash, sizeof(e->hash), "%s", hash);
    e->epoch = epoch;
    e->read_ms = read_ms;
    session_copy(&e->sess, &req->session);
    user_copy(&e->user, &req->user);
    pthread_mutex_unlock(&cache_mu);
}

/* Forgets hash at once (logout on this node). */
static void cache_forget(const char *hash)
{
    struct cache_entry *e = cache_slot(hash);

    pthread_mutex_lock(&cache_mu);
    if (e->store && strcmp(e->hash, hash) == 0)
        cache_clear(e);
    pthread_mutex_unlock(&cache_mu);
}

/* When the cached copy's last use is older than the touch interval, records this use. */
static void cache_note_touch(const char *hash, int64_t at)
{
    struct cache_entry *e = cache_slot(hash);

    pthread_mutex_lock(&cache_mu);
    if (e->store && strcmp(e->hash, hash) == 0)
        e->sess.last_seen_at = at;
    pthread_mutex_unlock(&cache_mu);
}

/* The session limits from the environment, read once per process: a bad value is refused
 * (every login and authenticated request fails with a message naming the variable) rather than
 * silently replaced by the default. */
static pthread_once_t limits_once = PTHREAD_ONCE_INIT;
static int limit_idle = IDLE_DEFAULT, limit_max = HTTP_SESSION_SECS;
static struct ks_error limits_err;

/* $name as a whole number of seconds from lo to hi into *out (left alone when unset or empty). */
static int env_secs(const char *name, int lo, int hi, int *out, struct ks_error *err)
{
    const char *v = getenv(name);
    char *end;
    long n;

    if (!v || !*v)
        return 0;
    n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi)
        return ks_fail(err, KS_ECONFIG, name,
                       "%s: '%.40s' is not a whole number of seconds from %d to %d", name, v, lo,
                       hi);
    *out = (int)n;
    return 0;
}

static void limits_load(void)
{
    if (env_secs("KESU_SESSION_IDLE", 0, 30 * 24 * 3600, &limit_idle, &limits_err) < 0 ||
        env_secs("KESU_SESSION_MAX", 1, 30 * 24 * 3600, &limit_max, &limits_err) < 0) {
        limit_idle = IDLE_DEFAULT;
        limit_max = HTTP_SESSION_SECS;
    }
}

int auth_conf_check(struct ks_error *err)
{
    pthread_once(&limits_once, limits_load);
    if (limits_err.code == 0)
        return 0;
    *err = limits_err;
    return limits_err.code;
}

/* The idle limit of a login session in seconds: $KESU_SESSION_IDLE, from 0 (no idle limit) to
 * 2592000, else 30 minutes. Applied at every request. */
static int auth_session_idle_secs(void)
{
    pthread_once(&limits_once, limits_load);
    return limit_idle;
}

int auth_session_max_secs(void)
{
    pthread_once(&limits_once, limits_load);
    return limit_max;
}

/* The last request that used s as far as the database knows (its login when none since). */
static int64_t last_use(const struct session *s)
{
    return s->last_seen_at != KS_TIME_NONE ? s->last_seen_at : s->created_at;
}

/* A session has ended: revoked, past its stored expiry, or (a login) older than the lifetime
 * in force now, or idle for longer than the idle limit in force now. */
static bool has_ended(const struct session *s, int64_t now)
{
    bool login = s->kind && strcmp(s->kind, "session") == 0;
    int idle = auth_session_idle_secs();
    return s->revoked || (s->expires_at != KS_TIME_NONE && s->expires_at <= now) ||
           (login && s->created_at + auth_session_max_secs() <= now) ||
           (login && idle > 0 && last_use(s) + idle <= now);
}

/* The touch interval: a minute, or less under a very short idle limit (tests, kiosks), so an
 * active session is never mistaken for an idle one. */
static int touch_every(void)
{
    int idle = auth_session_idle_secs();
    return idle > 0 && idle / 4 < TOUCH_EVERY ? (idle / 4 > 0 ? idle / 4 : 1) : TOUCH_EVERY;
}

/* Records this use of a login session when the last recorded one is older than touch_every().
 * A failure (a full disk) is not the request's: reads go on, and the session may then end a
 * little early. */
static void touch(struct http_req *req, const char *hash)
{
    struct store_tx *tx = NULL;

    if (!req->session.kind || strcmp(req->session.kind, "session") != 0 ||
        req->now - last_use(&req->session) < touch_every())
        return;
    if (store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, NULL) == 0 &&
        store_session_touch(tx, hash, req->now, NULL) == 0 && store_tx_commit(&tx, NULL) == 0) {
        req->session.last_seen_at = req->now;
        cache_note_touch(hash, req->now);
    }
    store_tx_rollback(&tx);
}

/* Reads and checks the session and its user from the database into req. */
static int load_session(struct http_req *req, const char *hash, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    int rc;

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
    return rc;
}

int auth_request(struct http_req *req, struct ks_error *err)
{
    const char *authz = req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *token = NULL;
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
    if ((rc = auth_conf_check(err)) < 0)
        return rc;
    if (!token || !*token)
        return ks_fail(err, KS_EAUTH, NULL, "log in first: POST /api/v1/sessions");
    if (strlen(token) > 128)
        return ks_fail(err, KS_EAUTH, "Authorization", "the token is not valid");
    app_sha256_hex(token, strlen(token), hash);
    /* A cached copy is used only while its limits still hold now; otherwise the database
     * decides (another node may have used the session more recently). */
    if (!cache_get(req, hash) || has_ended(&req->session, req->now)) {
        uint64_t epoch = store_access_epoch(req->ctx->app->store);
        int64_t read_ms = mono_ms();
        if ((rc = load_session(req, hash, err)) < 0)
            return rc;
        cache_put(req, hash, epoch, read_ms);
    }
    touch(req, hash);
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
    if ((rc = auth_conf_check(err)) < 0 ||
        (rc = store_tx_begin(app->store, STORE_TX_READ, &tx, err)) < 0)
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

    if (req->session.token_hash)
        cache_forget(req->session.token_hash);
    if (store_tx_begin(req->ctx->app->store, STORE_TX_WRITE, &tx, err) == 0 &&
        store_session_revoke(tx, req->session.token_hash, err) == 0)
        store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
}

bool auth_sees_all(const struct http_req *req)
{
    return app_sees_all(&req->user);
}

int auth_may_see(struct http_req *req, const struct complaint *c, struct ks_error *err)
{
    return app_may_see(req->ctx->app, NULL, &req->user, c, err);
}

int auth_need_role(const struct http_req *req, unsigned roles, struct ks_error *err)
{
    if (roles & ROLE_BIT(req->user.role))
        return 0;
    return ks_fail(err, KS_EPERM, "role", "role '%s' may not do this", role_name(req->user.role));
}
