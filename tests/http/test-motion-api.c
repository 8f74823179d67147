/* Black-box tests of the issue 5 routes on a real `kesu serve` (fresh SQLite database, the
 * manufacturing preset, the background sweeper off so nothing moves behind the test's back):
 * incidents declared by a leader, attached, read and answered (one reply reaches every linked
 * complaint), an incident opened by a surge of one batch and joined by the next complaint;
 * in-app notifications, each user's own; the clock of a complaint's stage paused, resumed and
 * extended once by a leader. Every route also refuses the wrong role, a bad body and an unknown
 * code. Signed webhook delivery and retries are tested in tests/unit/test-motion.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd-serve.h"
#include "harness/harness.h"
#include "http/api-client.h"

static char *dir, *db;
static char *pg_server, *pg_dbname;
static pid_t server;
static char base[64];
static char *admin, *leader, *handler, *intake, *viewer;

static struct api_res call(const char *method, const char *path, const char *token,
                           const char *body)
{
    return api_call(base, method, path, token, body, 0, NULL);
}

static void expect(const char *method, const char *path, const char *token, const char *body,
                   long status)
{
    struct api_res r = call(method, path, token, body);
    if (r.status != status)
        fprintf(stderr, "%s %s: %ld %s\n", method, path, r.status, r.body ? r.body : "");
    assert_int_equal(r.status, status);
    api_res_free(&r);
}

/* Calls and checks the status; the caller frees the result. */
static struct api_res call_ok(const char *method, const char *path, const char *token,
                              const char *body, long status)
{
    struct api_res r = call(method, path, token, body);
    if (r.status != status)
        fprintf(stderr, "%s %s: %ld %s\n", method, path, r.status, r.body ? r.body : "");
    assert_int_equal(r.status, status);
    assert_non_null(r.json);
    return r;
}

static char *login(const char *user, const char *password)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", user, password);
    struct api_res r = call_ok("POST", "/api/v1/sessions", NULL, body, 201);
    char *t = strdup(api_str(&r, "token"));
    api_res_free(&r);
    return t;
}

static char *add_user(const char *user, const char *role)
{
    char body[256], pw[64];
    snprintf(pw, sizeof(pw), "password-%s", user);
    snprintf(body, sizeof(body),
             "{\"login\":\"%s\",\"name\":\"测试%s\",\"role\":\"%s\",\"department\":\"north\","
             "\"password\":\"%s\"}",
             user, user, role, pw);
    expect("POST", "/api/v1/users", admin, body, 201);
    return login(user, pw);
}

static int start_server(void **state)
{
    char *init_argv[] = {"init", "--db", NULL, "--admin-password", "admin-secret", NULL};
    static const char *const env[] = {"KESU_SWEEP_INTERVAL=0", NULL};
    (void)state;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    dir = th_mkdtemp();
    if (!(db = api_db_make(dir, "motion", &pg_server, &pg_dbname)))
        return -1;
    init_argv[2] = db;
    if (cmd_init(5, init_argv) != 0)
        return -1;
    if ((server = api_serve(db, NULL, env, base, sizeof(base))) < 0)
        return -1;
    admin = login("admin", "admin-secret");
    expect("POST", "/api/v1/departments", admin, "{\"code\":\"north\",\"name\":\"华北\"}", 201);
    leader = add_user("lead", "leader");
    handler = add_user("ha", "handler");
    intake = add_user("intk", "intake");
    viewer = add_user("view", "viewer");
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    bool clean = api_stop(server);
    free(admin);
    free(leader);
    free(handler);
    free(intake);
    free(viewer);
    api_db_drop(&pg_server, &pg_dbname);
    th_rmtree(dir);
    free(dir);
    free(db);
    curl_global_cleanup();
    return clean ? 0 : -1;
}

/* Registers a complaint in department north and returns its number (owned). */
static char *create(const char *title, const char *extra)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"customer_name\":\"王先生\",\"channel\":\"phone\",\"title\":\"%s\","
             "\"department\":\"north\"%s%s}",
             title, extra ? "," : "", extra ? extra : "");
    struct api_res r = call_ok("POST", "/api/v1/complaints", intake, body, 201);
    char *n = strdup(api_str(&r, "number"));
    api_res_free(&r);
    return n;
}

static const char *complaint_str(const char *number, const char *field, struct api_res *keep)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/complaints/%s", number);
    *keep = call_ok("GET", path, admin, NULL, 200);
    return api_str(keep, field);
}

static bool array_has(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

static void incidents_are_declared_attached_read_and_answered(void **state)
{
    char path[160], body[256], code[32];
    struct api_res r, c;
    (void)state;

    /* Declaring: leaders and admins only, with a title and a level of 1 or 2. */
    expect("POST", "/api/v1/incidents", NULL, "{\"title\":\"门店停电\"}", 401);
    expect("POST", "/api/v1/incidents", handler, "{\"title\":\"门店停电\"}", 403);
    expect("POST", "/api/v1/incidents", intake, "{\"title\":\"门店停电\"}", 403);
    expect("POST", "/api/v1/incidents", leader, "{\"title\":\"\"}", 400);
    expect("POST", "/api/v1/incidents", leader, "{\"title\":\"门店停电\",\"level\":3}", 400);
    expect("POST", "/api/v1/incidents", leader, "{\"title\":\"门店停电\",\"level\":\"1\"}", 400);
    expect("POST", "/api/v1/incidents", leader, "{\"title\":\"门店停电\",\"colour\":\"red\"}", 400);
    expect("POST", "/api/v1/incidents", leader, "[1,2]", 400);
    r = call_ok("POST", "/api/v1/incidents", leader, "{\"title\":\"门店停电\",\"level\":1}", 201);
    snprintf(code, sizeof(code), "%s", api_str(&r, "code"));
    assert_true(strncmp(code, "INC", 3) == 0);
    assert_int_equal(json_integer_value(json_object_get(r.json, "level")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "complaints")), 0);
    api_res_free(&r);

    /* Attaching: a leader, a complaint that exists, an incident that exists. */
    char *a = create("门店停电无法结账", NULL), *b = create("停电导致冷柜商品变质", NULL);
    snprintf(path, sizeof(path), "/api/v1/incidents/%s/complaints", code);
    snprintf(body, sizeof(body), "{\"number\":\"%s\"}", a);
    expect("POST", path, handler, body, 403);
    expect("POST", path, leader, "{\"number\":\"KS20000101-0001\"}", 404);
    expect("POST", path, leader, "{}", 400);
    expect("POST", path, leader, "{\"number\":7}", 400);
    expect("POST", "/api/v1/incidents/INC20000101-01/complaints", leader, body, 404);
    r = call_ok("POST", path, leader, body, 200);
    api_res_free(&r);
    snprintf(body, sizeof(body), "{\"number\":\"%s\"}", b);
    r = call_ok("POST", path, admin, body, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "complaints")), 2);
    api_res_free(&r);
    assert_string_equal(complaint_str(a, "incident", &c), code);
    api_res_free(&c);

    /* Reading: handlers may, viewers and intake may not; unknown codes are 404. */
    snprintf(path, sizeof(path), "/api/v1/incidents/%s", code);
    expect("GET", path, viewer, NULL, 403);
    expect("GET", path, intake, NULL, 403);
    expect("GET", "/api/v1/incidents/INC20000101-01", handler, NULL, 404);
    r = call_ok("GET", path, handler, NULL, 200);
    assert_string_equal(api_str(&r, "title"), "门店停电");
    assert_true(array_has(json_object_get(r.json, "complaints"), a));
    assert_true(array_has(json_object_get(r.json, "complaints"), b));
    assert_true(json_array_size(json_object_get(r.json, "events")) >= 2); /* opened, attached */
    api_res_free(&r);
    expect("GET", "/api/v1/incidents?all=maybe", leader, NULL, 400);
    expect("GET", "/api/v1/incidents?colour=red", leader, NULL, 400);
    r = call_ok("GET", "/api/v1/incidents", handler, NULL, 200);
    bool listed = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r.json, "items"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "code")), code) == 0) {
            listed = true;
            assert_int_equal(json_integer_value(json_object_get(v, "complaints")), 2);
        }
    }
    assert_true(listed);
    api_res_free(&r);

    /* Answering the incident answers every linked complaint. */
    snprintf(path, sizeof(path), "/api/v1/incidents/%s/reply", code);
    expect("POST", path, handler, "{\"reply\":\"已恢复供电\"}", 403);
    expect("POST", path, leader, "{\"reply\":\"\"}", 400);
    expect("POST", path, leader, "{\"answer\":\"已恢复供电\"}", 400);
    expect("POST", "/api/v1/incidents/INC20000101-01/reply", leader, "{\"reply\":\"x\"}", 404);
    r = call_ok("POST", path, leader, "{\"reply\":\"已恢复供电，特此致歉\"}", 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "replied")), 2);
    api_res_free(&r);
    assert_string_equal(complaint_str(a, "reply", &c), "已恢复供电，特此致歉");
    api_res_free(&c);
    assert_string_equal(complaint_str(b, "reply", &c), "已恢复供电，特此致歉");
    api_res_free(&c);
    free(a);
    free(b);
}

/* The incidents whose key is key, and the complaints of the first. */
static int incidents_with_key(const char *key, long *complaints_out)
{
    struct api_res r = call_ok("GET", "/api/v1/incidents", leader, NULL, 200);
    int n = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r.json, "items"), i, v)
    {
        const char *k = json_string_value(json_object_get(v, "key"));
        if (k && strcmp(k, key) == 0 && n++ == 0)
            *complaints_out = (long)json_integer_value(json_object_get(v, "complaints"));
    }
    api_res_free(&r);
    return n;
}

static void a_surge_of_one_batch_opens_one_incident_and_the_next_joins_it(void **state)
{
    static const char key[] = "same_batch|product=pedal|batch_no=HT-2611";
    const char *extra = "\"product\":\"pedal\",\"batch_no\":\"HT-2611\"";
    long n = 0;
    char *num[4];
    struct api_res c;
    (void)state;

    num[0] = create("脚踏异响", extra);
    num[1] = create("脚踏转动不顺", extra);
    assert_int_equal(incidents_with_key(key, &n), 0); /* two are not a surge (threshold 3) */
    num[2] = create("脚踏有异响", extra);
    assert_int_equal(incidents_with_key(key, &n), 1);
    assert_int_equal(n, 3);
    num[3] = create("脚踏松动", extra);
    assert_int_equal(incidents_with_key(key, &n), 1);
    assert_int_equal(n, 4);
    char *code = strdup(complaint_str(num[0], "incident", &c));
    api_res_free(&c);
    assert_true(strncmp(code, "INC", 3) == 0);
    assert_string_equal(complaint_str(num[3], "incident", &c), code);
    api_res_free(&c);
    for (int i = 0; i < 4; i++)
        free(num[i]);
    free(code);
}

static json_int_t first_notification(const char *token, const char *kind, const char *number)
{
    struct api_res r = call_ok("GET", "/api/v1/notifications", token, NULL, 200);
    json_int_t id = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r.json, "items"), i, v)
    {
        const char *k = json_string_value(json_object_get(v, "kind"));
        const char *n = json_string_value(json_object_get(v, "number"));
        if (!id && k && strcmp(k, kind) == 0 && n && strcmp(n, number) == 0)
            id = json_integer_value(json_object_get(v, "id"));
    }
    api_res_free(&r);
    return id;
}

static void notifications_are_each_users_own(void **state)
{
    char path[96];
    struct api_res r;
    (void)state;

    /* Someone hurt: an emergency at registration; the leader is told at once. */
    char *n = create("店内顾客摔倒受伤", "\"description\":\"地面湿滑，顾客摔倒受伤，已送医\"");
    json_int_t id = first_notification(leader, "emergency", n);
    assert_true(id > 0);
    assert_int_equal(first_notification(handler, "emergency", n), 0);

    expect("GET", "/api/v1/notifications", NULL, NULL, 401);
    expect("GET", "/api/v1/notifications?unread=maybe", leader, NULL, 400);
    expect("GET", "/api/v1/notifications?limit=0", leader, NULL, 400);
    expect("GET", "/api/v1/notifications?limit=201", leader, NULL, 400);
    expect("GET", "/api/v1/notifications?limit=x", leader, NULL, 400);
    expect("GET", "/api/v1/notifications?login=ha", leader, NULL, 400);
    r = call_ok("GET", "/api/v1/notifications?unread=true&limit=200", leader, NULL, 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
    api_res_free(&r);

    /* Nobody marks another user's notification; the owner does, and it leaves the unread. */
    snprintf(path, sizeof(path), "/api/v1/notifications/%lld/read", (long long)id);
    expect("POST", path, handler, NULL, 404);
    expect("POST", "/api/v1/notifications/abc/read", leader, NULL, 400);
    expect("POST", "/api/v1/notifications/0/read", leader, NULL, 400);
    expect("POST", "/api/v1/notifications/999999/read", leader, NULL, 404);
    r = call_ok("POST", path, leader, NULL, 200);
    assert_true(json_is_true(json_object_get(r.json, "read")));
    api_res_free(&r);
    r = call_ok("GET", "/api/v1/notifications?unread=true&limit=200", leader, NULL, 200);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r.json, "items"), i, v)
    {
        assert_true(json_integer_value(json_object_get(v, "id")) != id);
    }
    api_res_free(&r);
    free(n);
}

/* The current stage's deadline object of a clock response. */
static json_t *current_deadline(const struct api_res *r)
{
    json_t *dls = json_object_get(r->json, "deadlines"), *v, *found = NULL;
    size_t i;
    json_array_foreach(dls, i, v)
    {
        if (json_is_null(json_object_get(v, "met_at")) &&
            !json_is_true(json_object_get(v, "whole")))
            found = v;
    }
    assert_non_null(found);
    return found;
}

static void a_stage_clock_pauses_resumes_and_is_extended_once_by_a_leader(void **state)
{
    char path[128];
    struct api_res r;
    (void)state;

    char *n = create("发票抬头开错", "\"description\":\"发票抬头写错了，要求重开\"");
    snprintf(path, sizeof(path), "/api/v1/complaints/%s/clock", n);
    expect("POST", path, viewer, "{\"action\":\"pause\",\"reason\":\"等客户\"}", 403);
    expect("POST", path, handler, "{\"action\":\"stop\",\"reason\":\"等客户\"}", 400);
    expect("POST", path, handler, "{\"reason\":\"等客户\"}", 400);
    expect("POST", path, handler, "{\"action\":\"pause\"}", 400); /* a pause needs a reason */
    expect("POST", path, handler, "{\"action\":\"pause\",\"to\":\"48h\",\"reason\":\"x\"}", 400);
    expect("POST", path, handler, "{\"action\":\"pause\",\"why\":\"x\"}", 400);
    expect("POST", "/api/v1/complaints/KS20000101-0001/clock", handler,
           "{\"action\":\"pause\",\"reason\":\"等客户\"}", 404);

    r = call_ok("POST", path, handler, "{\"action\":\"pause\",\"reason\":\"等待客户提供发票原件\"}",
                200);
    assert_true(json_is_true(json_object_get(current_deadline(&r), "paused")));
    api_res_free(&r);
    expect("POST", path, handler, "{\"action\":\"pause\",\"reason\":\"again\"}", 409);
    r = call_ok("POST", path, handler, "{\"action\":\"resume\"}", 200);
    assert_false(json_is_true(json_object_get(current_deadline(&r), "paused")));
    api_res_free(&r);

    /* Extending: a leader's decision, with a reason, once. */
    expect("POST", path, handler,
           "{\"action\":\"extend\",\"to\":\"48h\",\"reason\":\"供应商确认\"}", 403);
    expect("POST", path, leader, "{\"action\":\"extend\",\"to\":\"48h\"}", 400);
    expect("POST", path, leader, "{\"action\":\"extend\",\"to\":\"soon\",\"reason\":\"x\"}", 400);
    r = call_ok("POST", path, leader,
                "{\"action\":\"extend\",\"to\":\"48h\",\"reason\":\"需要供应商确认\"}", 200);
    json_t *d = current_deadline(&r);
    assert_true(json_is_true(json_object_get(d, "extended")));
    const char *explain = json_string_value(json_object_get(d, "explain"));
    assert_non_null(explain);
    assert_non_null(strstr(explain, "已延期一次"));
    /* The timeline holds each operation with its reason. */
    int paused = 0, resumed = 0, extended = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r.json, "events"), i, v)
    {
        json_t *det = json_object_get(v, "details");
        const char *op = json_string_value(json_object_get(det, "op"));
        const char *reason = json_string_value(json_object_get(det, "reason"));
        if (!op)
            continue;
        paused += strcmp(op, "paused") == 0 && reason && !strcmp(reason, "等待客户提供发票原件");
        resumed += strcmp(op, "resumed") == 0;
        extended += strcmp(op, "extended") == 0 && reason && !strcmp(reason, "需要供应商确认");
    }
    assert_int_equal(paused, 1);
    assert_int_equal(resumed, 1);
    assert_int_equal(extended, 1);
    api_res_free(&r);
    expect("POST", path, admin, "{\"action\":\"extend\",\"to\":\"72h\",\"reason\":\"再延\"}", 409);
    free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(incidents_are_declared_attached_read_and_answered),
        cmocka_unit_test(a_surge_of_one_batch_opens_one_incident_and_the_next_joins_it),
        cmocka_unit_test(notifications_are_each_users_own),
        cmocka_unit_test(a_stage_clock_pauses_resumes_and_is_extended_once_by_a_leader),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
