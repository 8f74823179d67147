/* Deadlines in motion through the application layer on a SQLite store with a fake clock: a
 * complaint passes through the warning, the breach and every escalation step, each once; an
 * urgent complaint tells the leaders at once; a burst of alike complaints opens one incident;
 * the acknowledgement reaches a loopback webhook signed, after two failures, exactly once; a
 * webhook whose secret variable is unset sends nothing and says which variable is missing; a
 * preset version uploaded while running is the one registration follows. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/harness.h"
#include "app/app-admin.h"
#include "app/app-motion.h"
#include "lib/embed.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static const char hmac_key[] = "motion-test-key";

/* ---- a webhook receiver that fails the first requests ----------------------------------- */

struct receiver {
    struct MHD_Daemon *d;
    int port, fail_first, requests, accepted;
    bool signature_ok;
    char delivery[64];
};

struct conn_body {
    char data[8192];
    size_t len;
};

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct receiver *r = cls;
    struct conn_body *b = *con_cls;
    (void)url, (void)method, (void)version;
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
    unsigned status = r->requests <= r->fail_first ? 503 : 200;
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Kesu-Signature");
    const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Kesu-Delivery");
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    char want[80] = "sha256=";
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)hmac_key, sizeof hmac_key - 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)b->data, b->len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(want + 7, 65, mac, sizeof mac);
    if (status == 200) {
        r->accepted++;
        r->signature_ok = sig && strcmp(sig, want) == 0 && strstr(b->data, "\"ack\"");
        snprintf(r->delivery, sizeof r->delivery, "%s", id ? id : "");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static void receiver_start(struct receiver *r, int fail_first)
{
    struct sockaddr_in sa = {0};
    memset(r, 0, sizeof *r);
    r->fail_first = fail_first;
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_req, r,
                            MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                            MHD_OPTION_END);
    assert_non_null(r->d);
    r->port = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

/* ---- a deployment in a temporary directory ------------------------------------------------ */

struct fx {
    char *dir, *db;
    struct app a;
    struct ks_error err;
};

static void add_user(struct app *a, const char *login, enum role role)
{
    struct store_tx *tx = NULL;
    struct user u;
    user_init(&u);
    u.login = xstrdup(login);
    u.name = xstrdup(login);
    u.role = role;
    assert_int_equal(store_tx_begin(a->store, STORE_TX_WRITE, &tx, NULL), 0);
    assert_int_equal(store_user_insert(tx, &u, NULL), 0);
    assert_int_equal(store_tx_commit(&tx, NULL), 0);
    user_release(&u);
}

/* Opens a generic deployment; webhook_port > 0 adds an `sms` webhook channel to the preset. */
static void fx_open(struct fx *f, int webhook_port)
{
    struct app_conf conf = {0};
    struct app_init init = {.preset = "generic"};
    memset(f, 0, sizeof *f);
    f->dir = th_mkdtemp();
    f->db = th_fmt("%s/kesu.db", f->dir);
    conf.db_url = f->db;
    assert_int_equal(app_init_db(&conf, &init, &f->err), 0);
    if (webhook_port > 0) {
        const struct embed_file *e = embed_find("presets/generic.yaml");
        char *yaml = th_fmt("%.*s\nchannels:\n  - {name: sms, kind: webhook, url: "
                            "'http://127.0.0.1:%d/hook', secret_env: KS_MOTION_TEST_KEY}\n",
                            (int)e->size, (const char *)e->data, webhook_port);
        struct store_conf sc = {.url = f->db};
        struct store *s = NULL;
        struct store_tx *tx = NULL;
        assert_int_equal(store_open(&sc, &s, NULL), 0);
        assert_int_equal(store_tx_begin(s, STORE_TX_WRITE, &tx, NULL), 0);
        assert_int_equal(store_setting_set(tx, SETTING_PRESET_YAML, yaml, NULL), 0);
        assert_int_equal(store_tx_commit(&tx, NULL), 0);
        store_close(&s);
        free(yaml);
    }
    assert_int_equal(app_open(&f->a, &conf, &f->err), 0);
    add_user(&f->a, "zhang", ROLE_LEADER);
    add_user(&f->a, "li", ROLE_INTAKE);
}

static void fx_close(struct fx *f)
{
    app_close(&f->a);
    th_rmtree(f->dir);
    free(f->dir);
    free(f->db);
}

static const struct wf_actor intake = {"li", ROLE_INTAKE, false};

/* 2026-11-02 (a Monday) at hh:00 in Shanghai. */
static int64_t at(int day, int hour)
{
    return ks_time_from_local((struct ks_date){2026, 11, day}, hour * 60, 480);
}

static char *reg(struct fx *f, const char *title, const char *phone, int64_t now)
{
    struct complaint c;
    char *number;
    complaint_init(&c);
    c.channel = CH_PHONE;
    c.customer_name = xstrdup("王先生");
    c.customer_phone = phone ? xstrdup(phone) : NULL;
    c.title = xstrdup(title);
    c.description = xstrdup(title);
    assert_int_equal(app_register(&f->a, &c, &intake, now, &f->err), 0);
    number = xstrdup(c.number);
    complaint_release(&c);
    return number;
}

static int count_events(struct fx *f, const char *number, const char *kind)
{
    struct app_view v;
    int n = 0;
    app_view_init(&v);
    assert_int_equal(app_get(&f->a, number, &v, &f->err), 0);
    for (size_t i = 0; i < v.n_evs; i++)
        n += strcmp(v.evs[i].kind, kind) == 0;
    app_view_release(&v);
    return n;
}

static int count_notes(struct fx *f, const char *login, const char *kind)
{
    struct store_tx *tx = NULL;
    struct notification *ns = NULL;
    size_t n = 0;
    int k = 0;
    assert_int_equal(store_tx_begin(f->a.store, STORE_TX_READ, &tx, NULL), 0);
    assert_int_equal(store_notification_list(tx, login, false, 1000, &ns, &n, NULL), 0);
    store_tx_rollback(&tx);
    for (size_t i = 0; i < n; i++)
        k += strcmp(ns[i].kind, kind) == 0;
    notification_array_free(&ns, n);
    return k;
}

static void sweep_at(struct fx *f, int64_t now, struct app_sweep_stats *st)
{
    memset(st, 0, sizeof *st);
    assert_int_equal(app_sweep(&f->a, now, 0, st, &f->err), 0);
}

static void complaint_passes_warning_breach_and_every_step_once(void **state)
{
    struct app_sweep_stats st;
    struct fx f;
    char *number;
    (void)state;
    fx_open(&f, 0);
    number = reg(&f, "快递没收到，客服不回复", NULL, at(2, 9)); /* new: 24h, due Tue 09:00 */

    sweep_at(&f, at(2, 10), &st);
    assert_int_equal(st.looked, 0); /* nothing due: the index finds nothing */
    sweep_at(&f, at(3, 4), &st);    /* 19 h: past 75 % */
    assert_int_equal(st.warned, 1);
    sweep_at(&f, at(3, 4), &st);
    assert_int_equal(st.warned + st.breached + st.escalated, 0);
    sweep_at(&f, at(3, 10), &st); /* past due: breach and the step at once */
    assert_int_equal(st.breached, 1);
    assert_int_equal(st.escalated, 1);
    sweep_at(&f, at(3, 14), &st); /* 4 h later: department head */
    assert_int_equal(st.escalated, 1);
    sweep_at(&f, at(20, 9), &st); /* much later: leader and admin, in order */
    assert_int_equal(st.escalated, 2);
    sweep_at(&f, at(25, 9), &st);
    assert_int_equal(st.looked, 0);

    assert_int_equal(count_events(&f, number, EV_WARNING), 1);
    assert_int_equal(count_events(&f, number, EV_BREACH), 1);
    assert_int_equal(count_events(&f, number, EV_ESCALATED), 4);
    assert_int_equal(count_notes(&f, "li", "warning"), 1);
    assert_int_equal(count_notes(&f, "li", "breach"), 1);
    assert_int_equal(count_notes(&f, "zhang", "escalated"), 1);
    assert_int_equal(count_notes(&f, "admin", "escalated"), 1);
    free(number);
    fx_close(&f);
}

static void urgent_complaint_tells_the_leader_at_once(void **state)
{
    struct app_view v;
    struct fx f;
    char *number;
    (void)state;
    fx_open(&f, 0);
    number = reg(&f, "商场电梯夹伤顾客，顾客受伤流血", NULL, at(2, 9));
    assert_int_equal(count_events(&f, number, EV_EMERGENCY), 1);
    assert_int_equal(count_notes(&f, "zhang", "emergency"), 1);
    app_view_init(&v);
    assert_int_equal(app_get(&f.a, number, &v, &f.err), 0);
    assert_true(v.c.urgent || v.c.response_level == 1);
    app_view_release(&v);
    free(number);
    fx_close(&f);
}

static void burst_of_alike_complaints_opens_one_incident(void **state)
{
    struct store_tx *tx = NULL;
    struct incident *is = NULL;
    struct app_incident_view v;
    size_t n = 0;
    struct fx f;
    (void)state;
    fx_open(&f, 0);
    for (int i = 0; i < 7; i++)
        free(reg(&f, "工作人员服务态度很差", NULL, at(2, 9) + i * 300));
    assert_int_equal(store_tx_begin(f.a.store, STORE_TX_READ, &tx, NULL), 0);
    assert_int_equal(store_incident_list(tx, false, &is, &n, NULL), 0);
    store_tx_rollback(&tx);
    assert_int_equal(n, 1);
    app_incident_view_init(&v);
    assert_int_equal(app_incident_get(&f.a, is[0].code, &v, &f.err), 0);
    assert_int_equal(v.n_numbers, 7); /* five opened it, two more attached */
    assert_int_equal(count_notes(&f, "zhang", "incident"), 1);
    app_incident_view_release(&v);
    incident_array_free(&is, n);
    fx_close(&f);
}

static void an_uploaded_preset_without_surge_rules_opens_no_incident(void **state)
{
    const struct app_preset_gen *gen = NULL;
    const struct embed_file *e = embed_find("presets/generic.yaml");
    struct store_tx *tx = NULL;
    struct incident *is = NULL;
    size_t n = 0;
    struct fx f;
    (void)state;
    fx_open(&f, 0);
    char *yaml = th_fmt("%.*s\nsurge: []\n", (int)e->size, (const char *)e->data);
    assert_int_equal(app_preset_put(&f.a, yaml, strlen(yaml), app_preset_gen(&f.a)->version,
                                    "admin", NULL, at(2, 8), &gen, &f.err),
                     0);
    for (int i = 0; i < 7; i++)
        free(reg(&f, "工作人员服务态度很差", NULL, at(2, 9) + i * 300));
    assert_int_equal(store_tx_begin(f.a.store, STORE_TX_READ, &tx, NULL), 0);
    assert_int_equal(store_incident_list(tx, false, &is, &n, NULL), 0);
    store_tx_rollback(&tx);
    assert_int_equal(n, 0);
    incident_array_free(&is, n);
    free(yaml);
    fx_close(&f);
}

static void ack_reaches_a_failing_webhook_once_after_retries(void **state)
{
    struct app_deliver_stats st = {0};
    struct receiver r;
    struct fx f;
    char *number;
    (void)state;
    setenv("KS_MOTION_TEST_KEY", hmac_key, 1);
    receiver_start(&r, 2);
    fx_open(&f, r.port);
    number = reg(&f, "发票开错了", "13800000000", at(2, 9));
    assert_int_equal(count_events(&f, number, EV_MESSAGE), 1);

    assert_int_equal(app_deliver(&f.a, at(2, 9), 0, NULL, &st, &f.err), 0);
    assert_int_equal(st.retried, 1);
    assert_int_equal(app_deliver(&f.a, at(2, 9), 0, NULL, &st, &f.err), 0);
    assert_int_equal(r.requests, 1); /* not due again yet */
    assert_int_equal(app_deliver(&f.a, at(2, 12), 0, NULL, &st, &f.err), 0);
    assert_int_equal(st.retried, 2);
    assert_int_equal(app_deliver(&f.a, at(3, 12), 0, NULL, &st, &f.err), 0);
    assert_int_equal(st.sent, 1);
    assert_int_equal(app_deliver(&f.a, at(9, 12), 0, NULL, &st, &f.err), 0);
    assert_int_equal(r.requests, 3);
    assert_int_equal(r.accepted, 1);
    assert_true(r.signature_ok);
    assert_string_equal(r.delivery, "1");
    MHD_stop_daemon(r.d);
    free(number);
    fx_close(&f);
}

/* The pending messages (all of them, whenever due), oldest first. */
static struct outbox_msg *pending(struct fx *f, size_t *n)
{
    struct store_tx *tx = NULL;
    struct outbox_msg *ms = NULL;
    assert_int_equal(store_tx_begin(f->a.store, STORE_TX_WRITE, &tx, NULL), 0);
    assert_int_equal(store_outbox_due(tx, INT64_MAX - 1, 100, &ms, n, NULL), 0);
    store_tx_rollback(&tx);
    return ms;
}

static void webhook_without_its_secret_sends_nothing_and_names_the_variable(void **state)
{
    struct app_deliver_stats st = {0};
    struct receiver r;
    struct outbox_msg *ms;
    struct fx f;
    size_t n = 0;
    char *number;
    (void)state;
    unsetenv("KS_MOTION_TEST_KEY");
    receiver_start(&r, 0);
    fx_open(&f, r.port);
    number = reg(&f, "发票开错了", "13800000000", at(2, 9));
    assert_int_equal(app_deliver(&f.a, at(2, 9), 0, NULL, &st, &f.err), 0);
    assert_int_equal(r.requests, 0);
    assert_int_equal(st.retried, 1);
    ms = pending(&f, &n);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].attempts, 1);
    assert_non_null(ms[0].last_error);
    assert_non_null(strstr(ms[0].last_error, "KS_MOTION_TEST_KEY is not set"));
    outbox_msg_array_free(&ms, n);
    /* An empty value is no key either. */
    setenv("KS_MOTION_TEST_KEY", "", 1);
    assert_int_equal(app_deliver(&f.a, at(3, 12), 0, NULL, &st, &f.err), 0);
    assert_int_equal(r.requests, 0);
    /* Set, it goes out signed, once. */
    setenv("KS_MOTION_TEST_KEY", hmac_key, 1);
    assert_int_equal(app_deliver(&f.a, at(4, 12), 0, NULL, &st, &f.err), 0);
    assert_int_equal(app_deliver(&f.a, at(9, 12), 0, NULL, &st, &f.err), 0);
    assert_int_equal(r.requests, 1);
    assert_true(r.signature_ok);
    MHD_stop_daemon(r.d);
    free(number);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complaint_passes_warning_breach_and_every_step_once),
        cmocka_unit_test(urgent_complaint_tells_the_leader_at_once),
        cmocka_unit_test(burst_of_alike_complaints_opens_one_incident),
        cmocka_unit_test(an_uploaded_preset_without_surge_rules_opens_no_incident),
        cmocka_unit_test(ack_reaches_a_failing_webhook_once_after_retries),
        cmocka_unit_test(webhook_without_its_secret_sends_nothing_and_names_the_variable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
