/* Inside the HTTP server: the request and response every handler sees, the route table type,
 * and the helpers the router, the handlers and respond.c share. Ownership: struct http_req and
 * struct http_resp belong to the server for one request; handlers borrow the request and fill
 * the response (resp->json and the strings set with resp_* become owned by the response and
 * are freed after it is sent). */
#ifndef KS_HTTP_HTTP_H
#define KS_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app-batch.h"
#include "app/app.h"
#include "lib/err.h"
#include "store/store.h"

#define HTTP_API_PREFIX   "/api/v1"
#define HTTP_MAX_BODY     (1u << 20) /* the largest body any route takes */
#define HTTP_MAX_HEADERS  64
#define HTTP_MAX_PARAMS   2
#define HTTP_PAGE_DEFAULT 50
#define HTTP_PAGE_MAX     200
#define HTTP_SESSION_SECS (12 * 3600) /* a login's absolute lifetime unless KESU_SESSION_MAX */
#define HTTP_COOKIE       "kesu_session"
#define HTTP_LOGIN_WINDOW (15 * 60) /* failed logins counted over this many seconds */
#define HTTP_LOGIN_MAX    5         /* failures in the window before logins are refused */

/* What every request of one server shares (read-only after start, except inside app/store,
 * which are thread-safe). */
struct http_ctx {
    struct app *app;
    struct app_batcher *batcher;
};

enum http_lang { HTTP_LANG_EN = 0, HTTP_LANG_ZH };

struct http_resp;

struct http_req {
    struct http_ctx *ctx;
    void *conn; /* struct MHD_Connection */
    const char *method;
    const char *path;              /* without the query string */
    char *params[HTTP_MAX_PARAMS]; /* {placeholders} of the route, decoded; owned */
    size_t n_params;
    const char *body; /* NUL-terminated; borrowed from the server */
    size_t body_len;
    json_t *json; /* the parsed body of a JSON_BODY route; owned */
    enum http_lang lang;
    int64_t now;
    /* Set by the router for AUTH routes. */
    bool authed;
    bool via_cookie;
    struct user user;
    struct session session;
    struct wf_actor actor; /* borrows user.login */
    /* An asynchronous handler (registration) sets resume and returns HTTP_SUSPENDED; the
     * server calls resume on the same req/resp once async_done() ran. */
    int (*resume)(struct http_req *req, struct http_resp *resp, struct ks_error *err);
    void *async; /* the handler's state for resume; freed by it */
};

struct http_resp {
    int status;
    json_t *json;            /* body, owned; or text */
    char *text;              /* owned body text */
    const char *static_text; /* borrowed body (embedded files) */
    size_t text_len;
    const char *content_type; /* static string; NULL: application/json */
    char etag[32];            /* "\"3\"" or "" */
    char *set_cookie;         /* owned */
    char *location;           /* owned */
    char disposition[512];    /* Content-Disposition ("attachment; filename=...") or "" */
    int retry_after;          /* seconds, 0: none */
    const char *allow;        /* for 405 */
};

#define HTTP_SUSPENDED 1

typedef int (*http_handler)(struct http_req *req, struct http_resp *resp, struct ks_error *err);

enum http_route_flags {
    RF_AUTH = 1 << 0,      /* a session or a bearer token is required */
    RF_JSON_BODY = 1 << 1, /* the body must be a JSON object (Content-Type: application/json) */
};

struct http_route {
    const char *method;
    const char *pattern; /* "/api/v1/complaints/{number}" */
    http_handler handler;
    unsigned flags;
    size_t max_body; /* bytes; 0: no body allowed */
};

extern const struct http_route http_routes[];
extern const size_t http_route_count;

/* router.c */
/* The route for method and path: sets *route_out (NULL when none) and *path_known (some route
 * has this path with another method) and copies the placeholders into req->params. */
void router_match(struct http_req *req, const struct http_route **route_out, bool *path_known);
/* Allowed methods of a path, "GET, POST" (static buffer of the caller, size >= 64). */
void router_allow(const char *path, char *out, size_t size);
/* Runs every check of the route (auth, content type, body, JSON) and then the handler; on
 * failure fills resp with the problem. Returns HTTP_SUSPENDED when the handler went async. */
int router_dispatch(struct http_req *req, const struct http_route *route, struct http_resp *resp);
/* The value of a request header or query parameter, or NULL (borrowed from the server). */
const char *req_header(const struct http_req *req, const char *name);
const char *req_query(const struct http_req *req, const char *name);
/* Refuses query parameters not in names (NULL-terminated list). */
int req_query_only(const struct http_req *req, const char *const *names, struct ks_error *err);

/* respond.c */
void resp_json(struct http_resp *resp, int status, json_t *body);
void resp_text(struct http_resp *resp, int status, const char *content_type, char *text,
               size_t len);
/* Fills resp with the RFC 9457 problem for err in the request's language. */
void resp_problem(const struct http_req *req, struct http_resp *resp, const struct ks_error *err);
/* The HTTP status for an error kind. */
int http_status_of(enum ks_err code);
void resp_release(struct http_resp *resp);
struct MHD_Response;
/* Adds the headers every response carries whatever its status (server.c calls it once per
 * response): Content-Security-Policy with frame-ancestors 'none' (the pages' policy for HTML,
 * default-src 'none' for everything else), X-Content-Type-Options: nosniff, Referrer-Policy:
 * no-referrer, X-Frame-Options: DENY and Cache-Control: no-store. */
void resp_add_security_headers(const struct http_resp *resp, struct MHD_Response *r);
/* The request's language from Accept-Language. */
enum http_lang http_lang_of(const char *accept_language);

/* auth.c */
/* Authenticates req from "Authorization: Bearer" or the session cookie (with the CSRF check
 * for unsafe methods); KS_EAUTH when absent, unknown, expired or revoked. */
int auth_request(struct http_req *req, struct ks_error *err);
/* Logs in: checks throttling and the password, creates a session. token_out and csrf_out
 * receive SECRET_TOKEN_CHARS + 1 bytes. */
int auth_login(struct http_ctx *ctx, const char *login, const char *password, int64_t now,
               char *token_out, char *csrf_out, int64_t *expires_out, struct user *user_out,
               int *retry_after_out, struct ks_error *err);
/* KS_ECONFIG naming KESU_SESSION_IDLE or KESU_SESSION_MAX when one is set to something other
 * than a whole number of seconds in its range, else 0: `kesu serve` refuses to start then
 * (and every login and request answers 500 if a process runs with one anyway). */
int auth_conf_check(struct ks_error *err);
/* The absolute lifetime of a login session in seconds: $KESU_SESSION_MAX (a whole number from
 * 1 to 2592000, 30 days; see auth_conf_check()), HTTP_SESSION_SECS when unset. Applied at every
 * request, so lowering it ends older sessions too. */
int auth_session_max_secs(void);
/* Creates an API token for login (kind "api"; no expiry). */
int auth_token_create(struct app *app, const char *login, int64_t now, char *token_out,
                      struct ks_error *err);
void auth_logout(struct http_req *req, struct ks_error *err);
/* Leaders and admins see everything; others their department subtree and what they received
 * or are assigned (docs/security.md has the whole table). */
bool auth_sees_all(const struct http_req *req);
int auth_may_see(struct http_req *req, const struct complaint *c, struct ks_error *err);
/* KS_EPERM unless the user has one of the roles (a mask of 1 << role). */
int auth_need_role(const struct http_req *req, unsigned roles, struct ks_error *err);
#define ROLE_BIT(r) (1u << (r))

/* Handlers (h-*.c). */
int h_healthz(struct http_req *, struct http_resp *, struct ks_error *);
int h_readyz(struct http_req *, struct http_resp *, struct ks_error *);
int h_openapi(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_create(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_list(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_get(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_patch(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_transition(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_events(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_comment(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_classification(struct http_req *, struct http_resp *, struct ks_error *);
int h_classify(struct http_req *, struct http_resp *, struct ks_error *);
int h_preset_current(struct http_req *, struct http_resp *, struct ks_error *);
int h_calendar_check(struct http_req *, struct http_resp *, struct ks_error *);
int h_calendar_deadline(struct http_req *, struct http_resp *, struct ks_error *);
int h_user_create(struct http_req *, struct http_resp *, struct ks_error *);
int h_user_list(struct http_req *, struct http_resp *, struct ks_error *);
int h_user_get(struct http_req *, struct http_resp *, struct ks_error *);
int h_user_patch(struct http_req *, struct http_resp *, struct ks_error *);
int h_department_create(struct http_req *, struct http_resp *, struct ks_error *);
int h_department_list(struct http_req *, struct http_resp *, struct ks_error *);
int h_department_patch(struct http_req *, struct http_resp *, struct ks_error *);
int h_session_create(struct http_req *, struct http_resp *, struct ks_error *);
int h_session_delete(struct http_req *, struct http_resp *, struct ks_error *);
int h_me(struct http_req *, struct http_resp *, struct ks_error *);

/* json helpers for handlers (h-util.c) */
/* Reads optional members of an object with type checks: a string (NULL when absent or null;
 * max bytes; valid UTF-8), an integer. Unknown members are refused by json_only(). */
int json_str(const json_t *obj, const char *name, size_t max, const char **out,
             struct ks_error *err);
int json_only(const json_t *obj, const char *const *names, struct ks_error *err);
/* A user as JSON, never with the password hash. */
json_t *user_to_json(const struct user *u);
/* user_to_json() as req's caller may see it: phone and e-mail masked unless the caller is an
 * admin or the user. */
json_t *user_to_json_for(const struct http_req *req, const struct user *u);

/* server.c */
struct http_conf {
    const char *listen; /* "127.0.0.1:8080" (port 0: any free port) */
    int threads;        /* 0: the number of cores */
    struct app *app;
    /* Seconds between background sweeps (0..86400, 0: no sweeper); negative: the value of
     * $KESU_SWEEP_INTERVAL, else APP_SWEEP_INTERVAL_DEFAULT. */
    int sweep_interval;
    /* Called once listening with the bound port (prints it for tests). */
    void (*on_listen)(int port, void *arg);
    void *on_listen_arg;
};
/* Serves until SIGTERM or SIGINT; returns 0 after a clean shutdown. */
int http_serve(const struct http_conf *conf, struct ks_error *err);

#endif
