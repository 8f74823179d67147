/* Webhook and e-mail delivery through libcurl (see notify.h). One easy handle per send, with
 * connect and total timeouts, no signals (safe in threads) and no redirects (a gateway that
 * moves must be reconfigured, not followed blindly with a signed body). The outcome is
 * classified once, here, so the deliverer only stores and schedules. */
#include "notify/notify.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

__attribute__((format(printf, 4, 5))) static enum notify_result
outcome(struct notify_outcome *out, enum notify_result r, long status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    out->result = r;
    out->status = status;
    return r;
}

void notify_sign(const unsigned char *key, size_t key_len, const char *body, size_t len,
                 char out[NOTIFY_SIGNATURE_LEN])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}

/* Transport errors: those a later attempt may not meet are retryable, the rest permanent. */
static enum notify_result classify_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return NOTIFY_PERMANENT;
    default:
        return NOTIFY_RETRY;
    }
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static void set_common(CURL *h, const char *url, long timeout_ms, long dflt)
{
    long t = timeout_ms > 0 ? timeout_ms : dflt;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, t);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, t < 5000 ? t : 5000L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
}

enum notify_result notify_webhook_send(const struct notify_webhook *w, const char *body, size_t len,
                                       struct notify_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return outcome(out, NOTIFY_RETRY, 0, "webhook: libsodium failed to start");
    if (strncmp(w->url, "http://", 7) != 0 && strncmp(w->url, "https://", 8) != 0)
        return outcome(out, NOTIFY_PERMANENT, 0, "webhook: url '%s' is not http(s)", w->url);
    CURL *h = curl_easy_init();
    if (!h)
        return outcome(out, NOTIFY_RETRY, 0, "webhook: curl failed to start");
    char sig[NOTIFY_SIGNATURE_LEN], line[128 + NOTIFY_SIGNATURE_LEN];
    notify_sign(w->key, w->key_len, body, len, sig);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(line, sizeof line, "X-Kesu-Signature: %s", sig);
    hdrs = curl_slist_append(hdrs, line);
    if (w->delivery_id) {
        snprintf(line, sizeof line, "X-Kesu-Delivery: %s", w->delivery_id);
        hdrs = curl_slist_append(hdrs, line);
    }
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    set_common(h, w->url, w->timeout_ms, 10000L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "kesu-webhook/1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK)
        return outcome(out, classify_curl(rc), 0, "webhook: %s: %s", w->url,
                       curl_easy_strerror(rc));
    if (status >= 200 && status < 300)
        return outcome(out, NOTIFY_OK, status, "webhook: HTTP %ld", status);
    if (status == 408 || status == 429 || status >= 500)
        return outcome(out, NOTIFY_RETRY, status, "webhook: HTTP %ld from %s", status, w->url);
    return outcome(out, NOTIFY_PERMANENT, status, "webhook: HTTP %ld from %s", status, w->url);
}

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
            return false;
    return true;
}

/* Length of the longest prefix of s, at most max bytes, that ends on a UTF-8 boundary. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void add_b64(struct buf *b, const char *s, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *enc = xmalloc(cap);
    sodium_bin2base64(enc, cap, (const unsigned char *)s, len, sodium_base64_VARIANT_ORIGINAL);
    buf_adds(b, enc);
    free(enc);
}

/* RFC 2047: encoded words of at most 75 characters, each holding whole UTF-8 characters
 * (45 bytes of text make 60 base64 characters, plus the 12 of "=?UTF-8?B??="). */
static void add_subject(struct buf *b, const char *subject)
{
    buf_adds(b, "Subject: ");
    if (is_ascii(subject)) {
        buf_adds(b, subject);
        buf_adds(b, "\r\n");
        return;
    }
    size_t len = strlen(subject), off = 0;
    while (off < len) {
        size_t n = utf8_prefix(subject + off, len - off, 45);
        if (n == 0)
            n = len - off < 45 ? len - off : 45; /* invalid UTF-8: still make progress */
        buf_adds(b, off ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
        add_b64(b, subject + off, n);
        buf_adds(b, "?=");
        off += n;
    }
    buf_adds(b, "\r\n");
}

char *notify_mail_format(const char *from, const char *to, const char *subject, const char *body,
                         int64_t date)
{
    struct buf b;
    buf_init(&b, 16 * 1024 * 1024);
    char when[64];
    time_t t = (time_t)date;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_addf(&b, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\n", when, from, to);
    add_subject(&b, subject);
    buf_adds(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n");
    /* Base64 lines of 76 characters, 57 bytes of body each. */
    size_t len = strlen(body);
    for (size_t off = 0; off < len; off += 57) {
        add_b64(&b, body + off, len - off < 57 ? len - off : 57);
        buf_adds(&b, "\r\n");
    }
    return buf_detach(&b);
}

struct upload {
    const char *data;
    size_t len, off;
};

static size_t read_upload(char *dst, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t room = size * n, left = u->len - u->off;
    size_t k = left < room ? left : room;
    memcpy(dst, u->data + u->off, k);
    u->off += k;
    return k;
}

enum notify_result notify_smtp_send(const struct notify_smtp *s, const char *to,
                                    const char *subject, const char *body,
                                    struct notify_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return outcome(out, NOTIFY_RETRY, 0, "smtp: libsodium failed to start");
    if (strpbrk(to, "<>\r\n ") || !strchr(to, '@'))
        return outcome(out, NOTIFY_PERMANENT, 0, "smtp: '%s' is not an e-mail address", to);
    CURL *h = curl_easy_init();
    if (!h)
        return outcome(out, NOTIFY_RETRY, 0, "smtp: curl failed to start");
    char *msg = notify_mail_format(s->from, to, subject, body, (int64_t)time(NULL));
    struct upload u = {msg, strlen(msg), 0};
    char addr[320];
    snprintf(addr, sizeof addr, "<%s>", s->from);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    set_common(h, s->url, s->timeout_ms, 30000L);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
    if (s->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    if (strncmp(s->url, "smtp://", 7) == 0 && s->user)
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL); /* never a clear login */
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    free(msg);
    if (rc == CURLE_OK)
        return outcome(out, NOTIFY_OK, code, "smtp: sent to %s", to);
    enum notify_result r = classify_curl(rc);
    if (code >= 500 && code < 600)
        r = NOTIFY_PERMANENT;
    else if (code >= 400 && code < 500)
        r = NOTIFY_RETRY;
    return outcome(out, r, code, "smtp: %s: %s (reply %ld)", s->url, curl_easy_strerror(rc), code);
}
