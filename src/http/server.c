/* The HTTP server on libmicrohttpd: an epoll event loop per thread of a pool sized to the cores,
 * a per-request state that collects the body up to the route's limit, the router, and the
 * response with its headers. Registration suspends its connection while the group-commit
 * writer works and is resumed by it, so a few threads can hold hundreds of registrations in
 * flight and the writer can batch them. One access-log line per request goes to stderr.
 * Shutdown on SIGTERM/SIGINT: stop accepting, let requests in flight finish (up to 10 s), stop
 * the threads, then the writer; the caller closes the database after. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app-background.h"
#include "http/http.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

struct server {
    struct http_ctx ctx;
    atomic_int in_flight;
};

struct req_state {
    struct http_req req;
    struct http_resp resp;
    const struct http_route *route;
    bool path_known;
    struct buf body;
    bool too_big;
    bool too_many_headers;
    struct timespec t0;
    struct server *srv;
};

static void state_free(struct req_state *st)
{
    for (size_t i = 0; i < st->req.n_params; i++)
        free(st->req.params[i]);
    json_decref(st->req.json);
    user_release(&st->req.user);
    session_release(&st->req.session);
    resp_release(&st->resp);
    buf_release(&st->body);
    free(st);
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    (void)key;
    (void)value;
    (*(int *)cls)++;
    return MHD_YES;
}

static void add_header(struct MHD_Response *r, const char *name, const char *value)
{
    if (value && *value)
        MHD_add_response_header(r, name, value);
}

/* s fit for one line of the access log: control bytes (a decoded %0A in a path) as %XX, so a
 * request cannot start a forged line; cut to size. */
static void log_safe(const char *s, char *out, size_t size)
{
    size_t n = 0;

    for (; *s && n + 4 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(out + n, size - n, "%%%02X", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct req_state *st)
{
    struct http_resp *resp = &st->resp;
    struct MHD_Response *r;
    struct timespec t1;
    char *body = NULL, num[32], path[512];
    size_t len = 0;
    enum MHD_Result ret;
    int status = resp->status ? resp->status : 200;

    if (resp->json) {
        body = json_dumps(resp->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
        len = body ? strlen(body) : 0;
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    } else if (resp->text) {
        r = MHD_create_response_from_buffer(resp->text_len, resp->text, MHD_RESPMEM_MUST_FREE);
        len = resp->text_len;
        resp->text = NULL;
    } else if (resp->static_text) {
        len = resp->text_len;
        r = MHD_create_response_from_buffer(len, (void *)resp->static_text, MHD_RESPMEM_PERSISTENT);
    } else {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (status != 204)
        add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                   resp->content_type ? resp->content_type : "application/json; charset=utf-8");
    resp_add_security_headers(resp, r);
    add_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
    add_header(r, MHD_HTTP_HEADER_SET_COOKIE, resp->set_cookie);
    add_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
    add_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, resp->disposition);
    add_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    if (resp->retry_after > 0) {
        snprintf(num, sizeof(num), "%d", resp->retry_after);
        add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, num);
    }
    ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    log_safe(st->req.path, path, sizeof(path));
    fprintf(stderr, "%s %s %d %zu %.1fms %s\n", st->req.method, path, status, len,
            (double)(t1.tv_sec - st->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - st->t0.tv_nsec) / 1e6,
            st->req.authed ? st->req.user.login : "-");
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct server *srv = cls;
    struct req_state *st = *con_cls;
    struct ks_error err = {0};
    int rc;

    (void)version;
    if (!st) {
        const char *cl;
        int n_headers = 0;

        st = xcalloc(1, sizeof(*st));
        st->srv = srv;
        atomic_fetch_add(&srv->in_flight, 1);
        clock_gettime(CLOCK_MONOTONIC, &st->t0);
        st->req.ctx = &srv->ctx;
        st->req.conn = conn;
        st->req.method = method;
        st->req.path = url;
        st->req.now = (int64_t)time(NULL);
        user_init(&st->req.user);
        session_init(&st->req.session);
        st->req.lang = http_lang_of(
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
        router_match(&st->req, &st->route, &st->path_known);
        buf_init(&st->body, st->route ? st->route->max_body : 0);
        MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &n_headers);
        st->too_many_headers = n_headers > HTTP_MAX_HEADERS;
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (st->route && cl && strtoull(cl, NULL, 10) > st->route->max_body)
            st->too_big = true;
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!st->too_big && buf_add(&st->body, upload_data, *upload_data_size) < 0)
            st->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->req.resume) {
        rc = st->req.resume(&st->req, &st->resp, &err);
        st->req.resume = NULL;
        if (rc < 0)
            resp_problem(&st->req, &st->resp, &err);
        return send_response(conn, st);
    }
    if (st->too_many_headers) {
        st->resp.status = 431;
        ks_fail(&err, KS_ELIMIT, "headers", "headers: more than %d", HTTP_MAX_HEADERS);
        resp_problem(&st->req, &st->resp, &err);
    } else if (!st->route && st->path_known) {
        char allow[96];
        enum MHD_Result ret;

        router_allow(url, allow, sizeof(allow));
        st->resp.status = 405;
        ks_fail(&err, KS_EINVAL, "method", "%s is not allowed here; use %s", method, allow);
        resp_problem(&st->req, &st->resp, &err);
        st->resp.allow = allow; /* copied into the response by send_response() */
        ret = send_response(conn, st);
        st->resp.allow = NULL;
        return ret;
    } else if (!st->route) {
        ks_fail(&err, KS_ENOTFOUND, "path", "no such resource: %.200s", url);
        resp_problem(&st->req, &st->resp, &err);
    } else if (st->too_big) {
        st->resp.status = 413;
        ks_fail(&err, KS_ELIMIT, "body", "body: more than the %zu bytes allowed here",
                st->route->max_body);
        resp_problem(&st->req, &st->resp, &err);
    } else {
        st->req.body = buf_str(&st->body);
        st->req.body_len = st->body.len;
        if (router_dispatch(&st->req, st->route, &st->resp) == HTTP_SUSPENDED)
            return MHD_YES;
    }
    return send_response(conn, st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct req_state *st = *con_cls;

    (void)conn;
    (void)toe;
    if (!st)
        return;
    *con_cls = NULL;
    state_free(st);
    atomic_fetch_sub(&srv->in_flight, 1);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct ks_error *err)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    char *end;
    long port;

    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return ks_fail(err, KS_EINVAL, "listen", "listen: '%s' is not ADDR:PORT", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535)
        return ks_fail(err, KS_EINVAL, "listen", "listen: port '%s' is not 0..65535", colon + 1);
    if (inet_pton(AF_INET, *host ? host : "0.0.0.0", &sa->sin_addr) != 1)
        return ks_fail(err, KS_EINVAL, "listen", "listen: '%s' is not an IPv4 address", host);
    sa->sin_port = htons((uint16_t)port);
    return 0;
}

/* The sweeper's interval in seconds: conf's (kesu serve --sweep-interval), else
 * $KESU_SWEEP_INTERVAL (0 turns it off), else APP_SWEEP_INTERVAL_DEFAULT. */
static int sweep_interval(const struct http_conf *conf, int *out, struct ks_error *err)
{
    const char *v = getenv("KESU_SWEEP_INTERVAL");
    char *end;
    long n;

    *out = APP_SWEEP_INTERVAL_DEFAULT;
    if (conf->sweep_interval >= 0) {
        if (conf->sweep_interval > 86400)
            return ks_fail(err, KS_ECONFIG, "sweep_interval",
                           "sweep_interval: %d is not 0..86400 seconds", conf->sweep_interval);
        *out = conf->sweep_interval;
        return 0;
    }
    if (!v || !*v)
        return 0;
    n = strtol(v, &end, 10);
    if (*end || n < 0 || n > 86400)
        return ks_fail(err, KS_ECONFIG, "sweep_interval",
                       "KESU_SWEEP_INTERVAL: '%s' is not 0..86400 seconds", v);
    *out = (int)n;
    return 0;
}

int http_serve(const struct http_conf *conf, struct ks_error *err)
{
    struct server srv = {.ctx = {.app = conf->app}};
    struct app_background *bg = NULL;
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t sigs, old;
    int threads = conf->threads > 0 ? conf->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    int sig = 0, sweep_secs = 0, rc;

    if (threads < 1)
        threads = 1;
    if ((rc = parse_listen(conf->listen ? conf->listen : "127.0.0.1:8080", &sa, err)) < 0 ||
        (rc = auth_conf_check(err)) < 0)
        return rc;
    /* Threads inherit the mask: only sigwait() below sees the signals. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    signal(SIGPIPE, SIG_IGN);
    if ((rc = app_batcher_start(conf->app, 0, &srv.ctx.batcher, err)) < 0)
        goto out;
    if ((rc = sweep_interval(conf, &sweep_secs, err)) < 0 ||
        (rc = app_background_start(conf->app, sweep_secs, true, &bg, err)) < 0) {
        app_batcher_stop(&srv.ctx.batcher);
        goto out;
    }
    d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, on_request, &srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
    if (!d) {
        rc = ks_fail(err, KS_ECONFIG, "listen", "listen: cannot serve on %s: %s",
                     conf->listen ? conf->listen : "127.0.0.1:8080", strerror(errno));
        app_background_stop(&bg);
        app_batcher_stop(&srv.ctx.batcher);
        goto out;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (conf->on_listen)
        conf->on_listen(info ? info->port : ntohs(sa.sin_port), conf->on_listen_arg);
    fprintf(stderr, "kesu: serving on port %d with %d threads\n",
            info ? info->port : ntohs(sa.sin_port), threads);
    sigwait(&sigs, &sig);
    fprintf(stderr, "kesu: %s received, finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    MHD_quiesce_daemon(d);
    for (int i = 0; i < 1000 && atomic_load(&srv.in_flight) > 0; i++) {
        struct timespec ms10 = {0, 10 * 1000 * 1000};
        nanosleep(&ms10, NULL);
    }
    MHD_stop_daemon(d);
    app_background_stop(&bg);
    app_batcher_stop(&srv.ctx.batcher);
    rc = 0;
out:
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
