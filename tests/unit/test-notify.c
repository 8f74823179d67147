/* Delivery: a webhook receiver on loopback (libmicrohttpd) gets exactly the signed body; a
 * receiver that fails twice is retried on the back-off schedule and then gets the message
 * once, under one delivery id; 4xx is permanent and a closed port retryable; a local command
 * gets the message on stdin and its exit status decides; the retry schedule doubles within
 * jitter bounds and gives up; e-mail subjects are RFC 2047 encoded and a fake SMTP server on
 * loopback receives the message. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/harness.h"
#include "notify/notify.h"
#include "lib/banned.h"

static const unsigned char key[] = "test-secret-key";

/* ---- A webhook receiver ----------------------------------------------------------------- */

struct receiver {
    struct MHD_Daemon *d;
    int port;
    int fail_first; /* answer 503 to this many requests, then 200 */
    int answer;     /* status after the failures */
    int requests;
    int accepted;
    bool signature_ok;
    char body[1024];
    char delivery[64];
};

struct conn_body {
    char data[1024];
    size_t len;
};

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct receiver *r = cls;
    struct conn_body *b = *con_cls;
    if (!b) {
        *con_cls = calloc(1, sizeof *b);
        return MHD_YES;
    }
    if (*upload_size) {
        size_t k =
            *upload_size < sizeof b->data - 1 - b->len ? *upload_size : sizeof b->data - 1 - b->len;
        memcpy(b->data + b->len, upload, k);
        b->len += k;
        *upload_size = 0;
        return MHD_YES;
    }
    r->requests++;
    int status = r->requests <= r->fail_first ? 503 : r->answer;
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Kesu-Signature");
    const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Kesu-Delivery");
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    char want[NOTIFY_SIGNATURE_LEN];
    /* The receiver's own check, written the way a gateway would: HMAC of the raw body. */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    /* The one-shot crypto_auth_hmacsha256() wants a 32-byte key; gateways use any length. */
    crypto_auth_hmacsha256_init(&st, key, sizeof key - 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)b->data, b->len);
    crypto_auth_hmacsha256_final(&st, mac);
    snprintf(want, 8, "sha256=");
    sodium_bin2hex(want + 7, 65, mac, sizeof mac);
    r->signature_ok = sig && strcmp(sig, want) == 0 && strcmp(method, "POST") == 0 && ct &&
                      strcmp(ct, "application/json") == 0;
    if (status == 200) {
        r->accepted++;
        memcpy(r->body, b->data, b->len + 1);
        snprintf(r->delivery, sizeof r->delivery, "%s", id ? id : "");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    free(*con_cls);
    *con_cls = NULL;
}

static void receiver_start(struct receiver *r, int fail_first, int answer)
{
    memset(r, 0, sizeof *r);
    r->fail_first = fail_first;
    r->answer = answer;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_req, r,
                            MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                            MHD_OPTION_END);
    assert_non_null(r->d);
    r->port = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void receiver_stop(struct receiver *r)
{
    MHD_stop_daemon(r->d);
}

static const char body[] = "{\"event\":\"escalated\",\"number\":\"KS20261128-0001\","
                           "\"to\":\"leader\",\"text\":\"投诉超时，已上报组长\"}";

static void webhook_receiver_gets_exactly_the_signed_body(void **state)
{
    (void)state;
    struct receiver r;
    receiver_start(&r, 0, 200);
    char *url = th_fmt("http://127.0.0.1:%d/hook", r.port);
    struct notify_webhook w = {url, key, sizeof key - 1, "outbox-17", 5000};
    struct notify_outcome out;
    assert_int_equal(notify_webhook_send(&w, body, strlen(body), &out), NOTIFY_OK);
    assert_int_equal(out.status, 200);
    receiver_stop(&r);
    assert_int_equal(r.requests, 1);
    assert_true(r.signature_ok);
    assert_string_equal(r.body, body);
    assert_string_equal(r.delivery, "outbox-17");
    /* The signature is the documented one for a known key and body. */
    char sig[NOTIFY_SIGNATURE_LEN];
    notify_sign((const unsigned char *)"key", 3, "The quick brown fox jumps over the lazy dog", 43,
                sig);
    assert_string_equal(sig,
                        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    free(url);
}

static void failing_receiver_is_retried_then_gets_it_once(void **state)
{
    (void)state;
    struct receiver r;
    receiver_start(&r, 2, 200);
    char *url = th_fmt("http://127.0.0.1:%d/hook", r.port);
    struct notify_webhook w = {url, key, sizeof key - 1, "outbox-18", 5000};
    struct notify_retry policy = {5, 30, 3600};
    struct notify_outcome out;
    int attempts = 0, delays[8], n_delays = 0;
    for (;;) {
        attempts++;
        if (notify_webhook_send(&w, body, strlen(body), &out) != NOTIFY_RETRY)
            break;
        int d;
        assert_true(notify_retry_next(&policy, attempts, 12345u, &d));
        delays[n_delays++] = d; /* the deliverer would wait d seconds: the fake clock moves */
    }
    receiver_stop(&r);
    assert_int_equal(out.result, NOTIFY_OK);
    assert_int_equal(attempts, 3);
    assert_int_equal(n_delays, 2);
    assert_in_range(delays[0], 15, 30);
    assert_in_range(delays[1], 30, 60);
    assert_int_equal(r.requests, 3);
    assert_int_equal(r.accepted, 1);
    assert_string_equal(r.delivery, "outbox-18");
    free(url);
}

static void client_errors_are_permanent_and_a_closed_port_is_retryable(void **state)
{
    (void)state;
    struct receiver r;
    receiver_start(&r, 0, 400);
    int port = r.port;
    char *url = th_fmt("http://127.0.0.1:%d/hook", port);
    struct notify_webhook w = {url, key, sizeof key - 1, NULL, 5000};
    struct notify_outcome out;
    assert_int_equal(notify_webhook_send(&w, body, strlen(body), &out), NOTIFY_PERMANENT);
    assert_int_equal(out.status, 400);
    assert_non_null(strstr(out.message, "HTTP 400"));
    receiver_stop(&r);
    assert_int_equal(notify_webhook_send(&w, body, strlen(body), &out), NOTIFY_RETRY);
    w.url = "ftp://example.com/";
    assert_int_equal(notify_webhook_send(&w, body, strlen(body), &out), NOTIFY_PERMANENT);
    free(url);
}

/* ---- Commands --------------------------------------------------------------------------- */

static void command_gets_the_message_and_its_exit_status_decides(void **state)
{
    (void)state;
    char *dir = th_mkdtemp();
    char *file = th_fmt("%s/msg", dir);
    char *script = th_fmt("cat > '%s'", file);
    const char *ok[] = {"sh", "-c", script, NULL};
    struct notify_outcome out;
    assert_int_equal(notify_command_run(ok, body, strlen(body), 5000, &out), NOTIFY_OK);
    char *got = th_read_file(file, NULL);
    assert_string_equal(got, body);
    free(got);
    const char *bad[] = {"sh", "-c", "echo 'no such recipient' >&2; exit 3", NULL};
    assert_int_equal(notify_command_run(bad, body, strlen(body), 5000, &out), NOTIFY_PERMANENT);
    assert_int_equal(out.status, 3);
    assert_non_null(strstr(out.message, "exit status 3: no such recipient"));
    const char *later[] = {"sh", "-c", "exit 75", NULL};
    assert_int_equal(notify_command_run(later, body, strlen(body), 5000, &out), NOTIFY_RETRY);
    /* Ignores its input and hangs: killed at the timeout, to be retried. */
    const char *hang[] = {"sleep", "30", NULL};
    assert_int_equal(notify_command_run(hang, body, strlen(body), 300, &out), NOTIFY_RETRY);
    assert_non_null(strstr(out.message, "killed after 300 ms"));
    const char *missing[] = {"/nonexistent/kesu-notify", NULL};
    assert_int_equal(notify_command_run(missing, "x", 1, 5000, &out), NOTIFY_PERMANENT);
    assert_int_equal(out.status, 127);
    free(script);
    free(file);
    th_rmtree(dir);
    free(dir);
}

static void retry_schedule_doubles_within_bounds_and_gives_up(void **state)
{
    (void)state;
    struct notify_retry p = {6, 30, 300};
    int d;
    for (uint32_t jitter = 0; jitter < 1000; jitter += 37) {
        int nominal = 30;
        for (int a = 1; a < 6; a++) {
            assert_true(notify_retry_next(&p, a, jitter * 2654435761u, &d));
            assert_in_range(d, nominal / 2, nominal);
            nominal = nominal * 2 < 300 ? nominal * 2 : 300;
        }
        assert_false(notify_retry_next(&p, 6, jitter, &d));
    }
    assert_true(notify_retry_next(&p, 5, 0, &d));
    assert_int_equal(d, 150); /* capped at 300, lower bound */
}

/* ---- E-mail ----------------------------------------------------------------------------- */

static void utf8_subjects_are_encoded_words(void **state)
{
    (void)state;
    char *m =
        notify_mail_format("kesu@example.com", "li@example.com", "投诉处理结果（KS20261128-0001）",
                           "尊敬的李四：您的投诉已处理完毕。", 0);
    assert_non_null(strstr(m, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
    assert_non_null(strstr(m, "Subject: =?UTF-8?B?"));
    assert_non_null(strstr(m, "Content-Type: text/plain; charset=UTF-8\r\n"));
    /* Decode the encoded words back: they hold whole characters and join to the subject. */
    char *s = strstr(m, "Subject: ") + 9, joined[256] = "";
    size_t jl = 0;
    while (strncmp(s, "=?UTF-8?B?", 10) == 0) {
        char *end = strstr(s + 10, "?=");
        assert_true(end - s <= 75);
        unsigned char dec[128];
        size_t dl;
        assert_int_equal(sodium_base642bin(dec, sizeof dec, s + 10, (size_t)(end - s - 10), NULL,
                                           &dl, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        memcpy(joined + jl, dec, dl);
        jl += dl;
        s = end + 2;
        if (strncmp(s, "\r\n ", 3) == 0)
            s += 3;
    }
    joined[jl] = '\0';
    assert_string_equal(joined, "投诉处理结果（KS20261128-0001）");
    free(m);
    m = notify_mail_format("a@example.com", "b@example.com", "Plain", "x", 0);
    assert_non_null(strstr(m, "Subject: Plain\r\n"));
    free(m);
}

struct fake_smtp {
    int fd, port;
    char data[8192];
    size_t len;
    char rcpt[128];
};

static void say(int fd, const char *s)
{
    ssize_t n = write(fd, s, strlen(s));
    (void)n;
}

/* Reads one CRLF line into line (without CRLF); false on EOF. */
static bool read_line(int fd, char *line, size_t size)
{
    size_t n = 0;
    char c;
    while (read(fd, &c, 1) == 1) {
        if (c == '\n') {
            if (n && line[n - 1] == '\r')
                n--;
            line[n] = '\0';
            return true;
        }
        if (n + 1 < size)
            line[n++] = c;
    }
    return false;
}

static void *smtp_thread(void *arg)
{
    struct fake_smtp *f = arg;
    int c = accept(f->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char line[1024];
    say(c, "220 fake ESMTP\r\n");
    bool in_data = false;
    while (read_line(c, line, sizeof line)) {
        if (in_data) {
            if (strcmp(line, ".") == 0) {
                in_data = false;
                say(c, "250 queued\r\n");
                continue;
            }
            size_t k = strlen(line);
            if (f->len + k + 2 < sizeof f->data) {
                memcpy(f->data + f->len, line, k);
                memcpy(f->data + f->len + k, "\r\n", 2);
                f->len += k + 2;
                f->data[f->len] = '\0';
            }
        } else if (strncmp(line, "EHLO", 4) == 0 || strncmp(line, "HELO", 4) == 0) {
            say(c, "250 fake\r\n");
        } else if (strncmp(line, "RCPT TO:", 8) == 0) {
            snprintf(f->rcpt, sizeof f->rcpt, "%s", line + 8);
            say(c, "250 ok\r\n");
        } else if (strcmp(line, "DATA") == 0) {
            in_data = true;
            say(c, "354 go on\r\n");
        } else if (strcmp(line, "QUIT") == 0) {
            say(c, "221 bye\r\n");
            break;
        } else {
            say(c, "250 ok\r\n");
        }
    }
    close(c);
    return NULL;
}

static void fake_smtp_server_receives_the_mail(void **state)
{
    (void)state;
    struct fake_smtp f;
    memset(&f, 0, sizeof f);
    f.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(f.fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(f.fd, 1), 0);
    socklen_t sl = sizeof sa;
    getsockname(f.fd, (struct sockaddr *)&sa, &sl);
    f.port = ntohs(sa.sin_port);
    pthread_t t;
    pthread_create(&t, NULL, smtp_thread, &f);
    char *url = th_fmt("smtp://127.0.0.1:%d", f.port);
    struct notify_smtp s = {url, "kesu@example.com", NULL, NULL, 5000};
    struct notify_outcome out;
    enum notify_result r = notify_smtp_send(&s, "li@example.com", "投诉已受理", "您好", &out);
    pthread_join(t, NULL);
    close(f.fd);
    if (r != NOTIFY_OK)
        fail_msg("%s", out.message);
    assert_string_equal(f.rcpt, "<li@example.com>");
    assert_non_null(strstr(f.data, "To: <li@example.com>\r\n"));
    assert_non_null(strstr(f.data, "Subject: =?UTF-8?B?5oqV6K+J5bey5Y+X55CG?=\r\n"));
    assert_non_null(strstr(f.data, "\r\n\r\n5oKo5aW9\r\n"));
    assert_int_equal(notify_smtp_send(&s, "not an address", "x", "y", &out), NOTIFY_PERMANENT);
    free(url);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(webhook_receiver_gets_exactly_the_signed_body),
        cmocka_unit_test(failing_receiver_is_retried_then_gets_it_once),
        cmocka_unit_test(client_errors_are_permanent_and_a_closed_port_is_retryable),
        cmocka_unit_test(command_gets_the_message_and_its_exit_status_decides),
        cmocka_unit_test(retry_schedule_doubles_within_bounds_and_gives_up),
        cmocka_unit_test(utf8_subjects_are_encoded_words),
        cmocka_unit_test(fake_smtp_server_receives_the_mail),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
