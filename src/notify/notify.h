/* Delivery of one notification over one channel: a signed webhook POST, an e-mail over SMTP,
 * or a local command; and the retry schedule for the outbox deliverer. Each send blocks for at
 * most its timeout and reports success, a failure worth retrying (network down, 5xx, 429,
 * timeout, EX_TEMPFAIL) or a permanent one (4xx, bad address, exit status), with a message.
 * Ownership: every argument is borrowed for the call; outcomes are caller-owned storage. Call
 * curl_global_init() once at start (kesu's main does) before sending from threads. */
#ifndef KS_NOTIFY_NOTIFY_H
#define KS_NOTIFY_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum notify_result {
    NOTIFY_OK = 0,
    NOTIFY_RETRY,     /* try again later */
    NOTIFY_PERMANENT, /* do not try again; record and tell an administrator */
};

struct notify_outcome {
    enum notify_result result;
    long status;       /* HTTP status, SMTP reply code or exit status; 0 when none */
    char message[256]; /* lowercase, what happened: "webhook: HTTP 503 from ..." */
};

/* "ok", "retry", "permanent". */
const char *notify_result_name(enum notify_result r);

struct notify_webhook {
    const char *url;
    const unsigned char *key; /* HMAC-SHA256 key (the value of the channel's secret_env) */
    size_t key_len;
    const char *delivery_id; /* X-Kesu-Delivery: the outbox id, the same on every retry */
    long timeout_ms;         /* whole request; 0: 10 s */
};

/* The X-Kesu-Signature value for body: "sha256=" and 64 lowercase hex digits of
 * HMAC-SHA256(key, body). out must hold NOTIFY_SIGNATURE_LEN bytes. */
#define NOTIFY_SIGNATURE_LEN (7 + 64 + 1)
void notify_sign(const unsigned char *key, size_t key_len, const char *body, size_t len,
                 char out[NOTIFY_SIGNATURE_LEN]);

/* POSTs body (JSON) to w->url with Content-Type application/json, X-Kesu-Signature and
 * X-Kesu-Delivery. 2xx is OK; 408, 429 and 5xx, connection failures and timeouts are RETRY;
 * other statuses and unusable URLs are PERMANENT. Tested by tests/unit/test-notify.c. */
enum notify_result notify_webhook_send(const struct notify_webhook *w, const char *body, size_t len,
                                       struct notify_outcome *out);

struct notify_smtp {
    const char *url;      /* smtp://host:port or smtps://host */
    const char *from;     /* sender address */
    const char *user;     /* NULL: no login */
    const char *password; /* with user */
    long timeout_ms;      /* 0: 30 s */
};

/* Builds the RFC 5322 message: From, To, Subject (UTF-8 as RFC 2047 base64 encoded words
 * when not plain ASCII), Date, MIME-Version, text/plain UTF-8 body in base64. Returns a new
 * string (free()). date is the instant for the Date header. */
char *notify_mail_format(const char *from, const char *to, const char *subject, const char *body,
                         int64_t date);

/* Sends one e-mail to `to`. SMTP 4xx and connection failures are RETRY; 5xx and a refused
 * login are PERMANENT. */
enum notify_result notify_smtp_send(const struct notify_smtp *s, const char *to,
                                    const char *subject, const char *body,
                                    struct notify_outcome *out);

/* Runs argv[0] (found on PATH when it has no '/') with argv, message on its standard input
 * and standard output discarded. Exit 0 is OK; exit 75 (EX_TEMPFAIL), a signal and running
 * past timeout_ms (then it is killed) are RETRY; any other exit status is PERMANENT, with the
 * first line of its standard error in the message. */
enum notify_result notify_command_run(const char *const *argv, const char *message, size_t len,
                                      long timeout_ms, struct notify_outcome *out);

/* The retry schedule: after `attempts` failed attempts (1 = the first one failed), whether to
 * try again and after how long. The delay doubles from base_secs up to cap_secs, and jitter
 * (any 32-bit random value, passed in so the schedule is testable) picks a point in the upper
 * half of it, so the delay lies in [d/2, d]. */
struct notify_retry {
    int max_attempts; /* give up after this many; 1..100 */
    int base_secs;    /* first delay, >= 1 */
    int cap_secs;     /* longest delay, >= base_secs */
};
#define NOTIFY_RETRY_DEFAULT                                                                       \
    {                                                                                              \
        8, 30, 6 * 3600                                                                            \
    }
bool notify_retry_next(const struct notify_retry *p, int attempts, uint32_t jitter,
                       int *delay_secs_out);

#endif
