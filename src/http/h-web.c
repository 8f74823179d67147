/* The browser UI from memory: the .html, .js, .css, .svg and .json files of web/ are embedded
 * in the binary at build time (lib/embed.h), so one binary serves everything and nothing is
 * fetched at run time. Names are looked up literally in the embedded table (no file system, so
 * no path traversal); each file gets its content type and an ETag from a hash of its bytes,
 * and a matching If-None-Match answers 304. The pages carry their own Content-Security-Policy
 * (default-src 'self') in a meta element; the server adds nosniff to every response. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http/h-web.h"
#include "lib/embed.h"
#include "lib/banned.h"

#define WEB_NAME_MAX 64

static const struct web_type {
    const char *ext;
    const char *type;
} web_types[] = {
    {".html", "text/html; charset=utf-8"},        {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},          {".svg", "image/svg+xml"},
    {".json", "application/json; charset=utf-8"},
};

static const char *type_of(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(web_types) / sizeof(web_types[0]); i++) {
        size_t e = strlen(web_types[i].ext);
        if (n > e && strcmp(name + n - e, web_types[i].ext) == 0)
            return web_types[i].type;
    }
    return NULL;
}

/* FNV-1a over the bytes: enough to tell one build's file from another's. */
static uint64_t content_hash(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int serve(struct http_req *req, struct http_resp *resp, const char *file,
                 struct ks_error *err)
{
    char name[WEB_NAME_MAX + 16];
    const struct embed_file *f;
    const char *type, *inm;

    /* Plain names only: letters, digits, '-', '_' and one extension. */
    for (const char *p = file; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return ks_fail(err, KS_ENOTFOUND, "path", "no such page: %.64s", file);
    if (strlen(file) > WEB_NAME_MAX || file[0] == '.')
        return ks_fail(err, KS_ENOTFOUND, "path", "no such page");
    snprintf(name, sizeof(name), "web/%s%s", file, strchr(file, '.') ? "" : ".html");
    type = type_of(name);
    f = type ? embed_find(name) : NULL;
    if (!f)
        return ks_fail(err, KS_ENOTFOUND, "path", "no such page: %.64s", file);
    snprintf(resp->etag, sizeof(resp->etag), "\"w%016llx\"",
             (unsigned long long)content_hash(f->data, f->size));
    inm = req_header(req, "If-None-Match");
    if (inm && strstr(inm, resp->etag)) {
        resp->status = 304;
        resp->content_type = type;
        return 0;
    }
    resp->status = 200;
    resp->content_type = type;
    resp->static_text = (const char *)f->data;
    resp->text_len = f->size;
    return 0;
}

int h_web_index(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    return serve(req, resp, "index.html", err);
}

int h_web_file(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    return serve(req, resp, req->params[0], err);
}
