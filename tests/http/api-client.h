/* A small libcurl client for the API tests: one call sends a request and returns status,
 * headers of interest and the body parsed as JSON; and a way to run a server of one's own
 * (api_db_make(), api_serve(), api_stop()). Header-only (static functions) because the build
 * compiles each tests/http/test-*.c on its own; the server helpers are static inline so a test
 * that starts its server another way does not warn. Ownership: api_res_free() releases a
 * result; strings returned by the server helpers are owned by the caller. */
#ifndef KS_TESTS_HTTP_API_CLIENT_H
#define KS_TESTS_HTTP_API_CLIENT_H

#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cmd-serve.h"
#include "harness/harness.h"

struct api_res {
    long status;
    char *body;
    size_t len;
    json_t *json;
    char etag[64];
    char location[128];
    char cookie[256];
    char content_type[96];
    char nosniff[32];      /* X-Content-Type-Options */
    char cache[64];        /* Cache-Control */
    char csp[400];         /* Content-Security-Policy */
    char referrer[64];     /* Referrer-Policy */
    char retry_after[16];  /* Retry-After */
    char disposition[512]; /* Content-Disposition */
};

static size_t api_on_body(char *p, size_t size, size_t n, void *arg)
{
    struct api_res *r = arg;
    r->body = realloc(r->body, r->len + size * n + 1);
    memcpy(r->body + r->len, p, size * n);
    r->len += size * n;
    r->body[r->len] = '\0';
    return size * n;
}

static void api_copy_header(const char *line, size_t len, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    if (len > nl + 2 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
        size_t v = nl + 1, end = len;
        while (v < len && line[v] == ' ')
            v++;
        while (end > v && (line[end - 1] == '\r' || line[end - 1] == '\n'))
            end--;
        if (end - v >= size)
            end = v + size - 1;
        memcpy(out, line + v, end - v);
        out[end - v] = '\0';
    }
}

static size_t api_on_header(char *p, size_t size, size_t n, void *arg)
{
    struct api_res *r = arg;
    api_copy_header(p, size * n, "ETag", r->etag, sizeof(r->etag));
    api_copy_header(p, size * n, "Location", r->location, sizeof(r->location));
    api_copy_header(p, size * n, "Set-Cookie", r->cookie, sizeof(r->cookie));
    api_copy_header(p, size * n, "Content-Type", r->content_type, sizeof(r->content_type));
    api_copy_header(p, size * n, "X-Content-Type-Options", r->nosniff, sizeof(r->nosniff));
    api_copy_header(p, size * n, "Cache-Control", r->cache, sizeof(r->cache));
    api_copy_header(p, size * n, "Content-Security-Policy", r->csp, sizeof(r->csp));
    api_copy_header(p, size * n, "Referrer-Policy", r->referrer, sizeof(r->referrer));
    api_copy_header(p, size * n, "Retry-After", r->retry_after, sizeof(r->retry_after));
    api_copy_header(p, size * n, "Content-Disposition", r->disposition, sizeof(r->disposition));
    return size * n;
}

/* Sends method path (under base) with an optional body of len bytes (len 0 and body set:
 * strlen), a bearer token (or NULL) and extra headers (NULL-terminated, may be NULL). */
static struct api_res api_call(const char *base, const char *method, const char *path,
                               const char *token, const char *body, size_t len,
                               const char *const *headers)
{
    struct api_res r = {0};
    struct curl_slist *hs = NULL;
    char url[1024], auth[256];
    CURL *c = curl_easy_init();

    snprintf(url, sizeof(url), "%s%s", base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, api_on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, api_on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (body) {
        bool typed = false;
        for (const char *const *h = headers; h && *h; h++)
            typed |= strncasecmp(*h, "Content-Type:", 13) == 0;
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(len ? len : strlen(body)));
        if (!typed)
            hs = curl_slist_append(hs, "Content-Type: application/json");
    }
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        hs = curl_slist_append(hs, auth);
    }
    for (const char *const *h = headers; h && *h; h++)
        hs = curl_slist_append(hs, *h);
    hs = curl_slist_append(hs, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    if (r.body)
        r.json = json_loads(r.body, 0, NULL);
    return r;
}

static void api_res_free(struct api_res *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

/* The string member name of r's JSON body, or "". */
static const char *api_str(const struct api_res *r, const char *name)
{
    const char *s = json_string_value(json_object_get(r->json, name));
    return s ? s : "";
}

/* ---- a server of the test's own ---------------------------------------------------------- */

/* Runs one statement on the PostgreSQL database named by url, outside kesu. */
static inline int api_pg_exec(const char *url, const char *sql)
{
    PGconn *pg = PQconnectdb(url);
    PGresult *res = NULL;
    int rc = -1;

    if (PQstatus(pg) == CONNECTION_OK) {
        res = PQexec(pg, sql);
        rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    }
    if (rc < 0)
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
    return rc;
}

/* A database for a test server: $KS_API_DB_URL as given (it must be empty); else, when
 * $KS_API_PG_URL_FILE names a file holding a PostgreSQL server's URL, a new database
 * "kesu_<prefix>_<pid>" on it (*pg_server_out and *pg_db_out are set so api_db_drop() can drop
 * it); else a new SQLite file in dir. NULL after printing why. */
static inline char *api_db_make(const char *dir, const char *prefix, char **pg_server_out,
                                char **pg_db_out)
{
    const char *url = getenv("KS_API_DB_URL");
    const char *file = getenv("KS_API_PG_URL_FILE");
    const char *auth, *path, *query;
    char line[1024] = "", *sql, *out;
    FILE *f;

    *pg_server_out = *pg_db_out = NULL;
    if (url && *url)
        return strdup(url);
    if (!file || !*file)
        return th_fmt("%s/kesu.db", dir);
    if (!(f = fopen(file, "r")) || !fgets(line, sizeof(line), f)) {
        fprintf(stderr, "cannot read the PostgreSQL URL from %s\n", file);
        if (f)
            fclose(f);
        return NULL;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    *pg_db_out = th_fmt("kesu_%s_%ld", prefix, (long)getpid());
    sql = th_fmt("CREATE DATABASE %s", *pg_db_out);
    if (api_pg_exec(line, sql) < 0) {
        free(sql);
        free(*pg_db_out);
        *pg_db_out = NULL;
        return NULL;
    }
    free(sql);
    *pg_server_out = strdup(line);
    auth = strstr(line, "://");
    auth = auth ? auth + 3 : line;
    path = auth + strcspn(auth, "/?");
    query = path + strcspn(path, "?");
    out = th_fmt("%.*s/%s%s", (int)(path - line), line, *pg_db_out, query);
    return out;
}

/* Drops what api_db_make() created on PostgreSQL (after every server stopped) and frees both. */
static inline void api_db_drop(char **pg_server, char **pg_db)
{
    if (*pg_db) {
        char *sql = th_fmt("DROP DATABASE IF EXISTS %s", *pg_db);
        api_pg_exec(*pg_server, sql);
        free(sql);
    }
    free(*pg_server);
    free(*pg_db);
    *pg_server = *pg_db = NULL;
}

/* Starts `kesu serve` on db at a free loopback port: $KESU when it knows `serve`, else
 * cmd_serve() in a forked child. env ("NAME=value", NULL-terminated, may be NULL) is set in the
 * child only; its stderr (the access log) is appended to log when log is not NULL. Writes
 * "http://127.0.0.1:PORT" to base; returns the child's pid, or -1. */
static inline pid_t api_serve(const char *db, const char *log, const char *const *env, char *base,
                              size_t base_size)
{
    const char *kesu = getenv("KESU");
    char *probe, line[128] = "";
    bool use_binary;
    int fds[2];
    pid_t pid;
    FILE *out;

    probe = th_fmt("'%s' serve --help >/dev/null 2>&1", kesu ? kesu : "/nonexistent");
    use_binary = kesu && system(probe) == 0;
    free(probe);
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        char *argv[] = {"serve",       "--db",      (char *)db, "--listen",
                        "127.0.0.1:0", "--threads", "2",        NULL};
        for (const char *const *e = env; e && *e; e++)
            putenv(strdup(*e));
        if (log) {
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (fd >= 0) {
                dup2(fd, 2);
                close(fd);
            }
        }
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (use_binary)
            execl(kesu, "kesu", "serve", "--db", db, "--listen", "127.0.0.1:0", "--threads", "2",
                  (char *)NULL);
        _exit(cmd_serve(7, argv));
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    out = fdopen(fds[0], "r");
    if (!fgets(line, sizeof(line), out) || strncmp(line, "listening on ", 13) != 0) {
        fclose(out);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    fclose(out);
    line[strcspn(line, "\n")] = '\0';
    snprintf(base, base_size, "http://%s", line + 13);
    return pid;
}

/* Stops a server with SIGTERM; true when it shut down cleanly (exit status 0). */
static inline bool api_stop(pid_t pid)
{
    int status = 0;
    if (pid <= 0)
        return true;
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#endif
