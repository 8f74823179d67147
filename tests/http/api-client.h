/* A small libcurl client for the API tests: one call sends a request and returns status,
 * headers of interest and the body parsed as JSON. Header-only (static functions) because the
 * build compiles each tests/http/test-*.c on its own. Ownership: api_res_free() releases a
 * result. */
#ifndef KS_TESTS_HTTP_API_CLIENT_H
#define KS_TESTS_HTTP_API_CLIENT_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct api_res {
    long status;
    char *body;
    size_t len;
    json_t *json;
    char etag[64];
    char location[128];
    char cookie[256];
    char content_type[96];
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

#endif
