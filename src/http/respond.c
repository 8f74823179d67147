/* Responses: JSON bodies and the one place errors become HTTP. Every error is an RFC 9457
 * problem (application/problem+json) with type, title, status and detail, plus kesu's machine
 * "code" and the "field" at fault. The title comes from a small table in English and Chinese
 * chosen by Accept-Language; the detail is the ks_error message as written by the layer that
 * refused (it names the field and the value), made valid UTF-8 first because it may quote a cut
 * piece of what the client sent. Every response, errors included, also gets the security
 * headers of resp_add_security_headers(). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"
#include "http/http.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Status per error kind: STYLE.md §4, the only such table in the server. */
int http_status_of(enum ks_err code)
{
    switch (code) {
    case KS_OK:
        return 200;
    case KS_EINVAL:
        return 400;
    case KS_ENOTFOUND:
        return 404;
    case KS_ECONFLICT:
        return 409;
    case KS_ESTORE:
    case KS_EUNCERTAIN:
        return 503;
    case KS_EPERM:
        return 403;
    case KS_EAUTH:
        return 401;
    case KS_ELIMIT:
        return 413;
    case KS_ECONFIG:
    case KS_EINTERNAL:
        return 500;
    }
    return 500;
}

/* Machine code and titles of the statuses kesu answers with. */
static const struct problem_kind {
    int status;
    const char *code; /* NULL: ks_err_code_name() of the error */
    const char *en;
    const char *zh;
} kinds[] = {
    {400, NULL, "Invalid request", "请求无效"},
    {401, NULL, "Authentication required", "需要登录"},
    {403, NULL, "Not allowed", "无权操作"},
    {404, NULL, "Not found", "未找到"},
    {405, "method_not_allowed", "Method not allowed", "不支持该方法"},
    {409, NULL, "Conflict", "冲突"},
    {412, "precondition_failed", "Stale version", "版本已过期，请刷新后重试"},
    {413, NULL, "Too large", "内容过大"},
    {415, "unsupported_media_type", "Unsupported media type", "不支持的内容类型"},
    {422, "idempotency_mismatch", "Idempotency key reused", "幂等键已用于其他请求"},
    {428, "precondition_required", "If-Match required", "需要 If-Match 头"},
    {429, "too_many_requests", "Too many requests", "请求过于频繁，请稍后再试"},
    {431, "headers_too_large", "Too many headers", "请求头过多"},
    {500, NULL, "Internal error", "内部错误"},
    {503, NULL, "Service unavailable", "服务暂不可用"},
};

enum http_lang http_lang_of(const char *al)
{
    /* The first language listed wins; "zh", "zh-CN", "zh-Hans" ... are Chinese. */
    if (!al)
        return HTTP_LANG_EN;
    while (*al == ' ')
        al++;
    return (al[0] == 'z' || al[0] == 'Z') && (al[1] == 'h' || al[1] == 'H') ? HTTP_LANG_ZH
                                                                            : HTTP_LANG_EN;
}

void resp_json(struct http_resp *resp, int status, json_t *body)
{
    json_decref(resp->json);
    resp->status = status;
    resp->json = body;
}

void resp_text(struct http_resp *resp, int status, const char *content_type, char *text, size_t len)
{
    free(resp->text);
    resp->status = status;
    resp->content_type = content_type;
    resp->text = text;
    resp->text_len = len;
}

/* s with every byte that does not start a valid UTF-8 sequence replaced by '?' (owned). A
 * message quoting "%.60s" of a Chinese value can end inside a character, and a path may hold
 * any bytes; json_string() would refuse both and the client would get an empty body. */
static char *utf8_scrub(const char *s)
{
    char *out = xstrdup(s);
    size_t n = strlen(out);

    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)out[i];
        size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        if (len && i + len <= n && utf8_is_valid(out + i, len)) {
            i += len;
        } else {
            out[i] = '?';
            i++;
        }
    }
    return out;
}

void resp_problem(const struct http_req *req, struct http_resp *resp, const struct ks_error *err)
{
    enum ks_err code = err->code < 0 ? err->code : KS_EINTERNAL;
    int status = resp->status >= 400 ? resp->status : http_status_of(code);
    const struct problem_kind *k = NULL;
    const char *mcode;
    char type[96], *detail;
    json_t *p;

    if (code == KS_ELIMIT && status == 413 && strcmp(err->field, "login") == 0)
        status = 429;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].status == status)
            k = &kinds[i];
    mcode = k && k->code ? k->code : ks_err_code_name(code);
    snprintf(type, sizeof(type), "https://kesu.example/problems/%s", mcode);
    detail = utf8_scrub(err->message[0] ? err->message : mcode);
    p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title",
                  k ? (req && req->lang == HTTP_LANG_ZH ? k->zh : k->en) : "Error", "status",
                  status, "detail", detail, "code", mcode);
    free(detail);
    if (err->field[0]) {
        char *field = utf8_scrub(err->field);
        json_object_set_new(p, "field", json_string(field));
        free(field);
    } else {
        json_object_set_new(p, "field", json_null());
    }
    resp_json(resp, status, p);
    resp->content_type = "application/problem+json";
    free(resp->text);
    resp->text = NULL;
}

void resp_release(struct http_resp *resp)
{
    json_decref(resp->json);
    free(resp->text);
    free(resp->set_cookie);
    free(resp->location);
    memset(resp, 0, sizeof(*resp));
}

/* The pages' own policy (web/index.html states it in a meta element too, which cannot carry
 * frame-ancestors) and, for JSON, SVG and everything else, a policy that lets nothing load or
 * run should a browser ever render an API response as a document. */
#define CSP_PAGE                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "                 \
    "frame-ancestors 'none'"
#define CSP_DATA "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

void resp_add_security_headers(const struct http_resp *resp, struct MHD_Response *r)
{
    bool page = resp->content_type && strncmp(resp->content_type, "text/html", 9) == 0;

    MHD_add_response_header(r, "Content-Security-Policy", page ? CSP_PAGE : CSP_DATA);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}
