/* Black-box tests of the HTTP API: a real `kesu serve` on a free loopback port with a fresh
 * database, driven with libcurl. The server is $KESU when it knows `serve`; otherwise the same
 * cmd_serve() runs in a forked child (the library holds every command). The database is a new
 * SQLite file, or, for the PostgreSQL run (ctest test-api-pg), a new database created for this
 * run on the server whose URL is in the file $KS_API_PG_URL_FILE, or $KS_API_DB_URL as given
 * (it must be empty). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd-serve.h"
#include "harness/harness.h"
#include "http/api-client.h"

static char *dir, *db;
static char *pg_server, *pg_dbname; /* the server's URL and the database made for this run */
static pid_t server;
static char base[64];
static char *admin, *leader, *ha, *hb, *intake, *viewer;

static struct api_res call(const char *method, const char *path, const char *token,
                           const char *body)
{
    return api_call(base, method, path, token, body, 0, NULL);
}

/* Logs in and returns the bearer token (owned). */
static char *login(const char *user, const char *password)
{
    char body[256];
    struct api_res r;
    char *t;

    snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", user, password);
    r = call("POST", "/api/v1/sessions", NULL, body);
    assert_int_equal(r.status, 201);
    t = strdup(api_str(&r, "token"));
    api_res_free(&r);
    return t;
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

static void add_user(const char *user, const char *role, const char *dept)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"login\":\"%s\",\"name\":\"测试%s\",\"role\":\"%s\",\"department\":%s%s%s,"
             "\"password\":\"password-%s\"}",
             user, user, role, dept ? "\"" : "", dept ? dept : "null", dept ? "\"" : "", user);
    expect("POST", "/api/v1/users", admin, body, 201);
}

static char *login_as(const char *user)
{
    char pw[64];
    snprintf(pw, sizeof(pw), "password-%s", user);
    return login(user, pw);
}

static int start_server(void **state)
{
    char *init_argv[] = {"init", "--db", NULL, "--admin-password", "admin-secret", NULL};
    (void)state;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    dir = th_mkdtemp();
    if (!(db = api_db_make(dir, "api", &pg_server, &pg_dbname)))
        return -1;
    init_argv[2] = db;
    if (cmd_init(5, init_argv) != 0)
        return -1;
    if ((server = api_serve(db, NULL, NULL, base, sizeof(base))) < 0)
        return -1;

    admin = login("admin", "admin-secret");
    expect("POST", "/api/v1/departments", admin, "{\"code\":\"north\",\"name\":\"华北分行\"}", 201);
    expect("POST", "/api/v1/departments", admin,
           "{\"code\":\"north-bj\",\"name\":\"北京支行\",\"parent\":\"north\"}", 201);
    expect("POST", "/api/v1/departments", admin, "{\"code\":\"south\",\"name\":\"华南分行\"}", 201);
    add_user("lead", "leader", NULL);
    add_user("ha", "handler", "north");
    add_user("hb", "handler", "south");
    add_user("intk", "intake", "north");
    add_user("view", "viewer", "north");
    add_user("victim", "handler", "north");
    leader = login_as("lead");
    ha = login_as("ha");
    hb = login_as("hb");
    intake = login_as("intk");
    viewer = login_as("view");
    return 0;
}

static int stop_server(void **state)
{
    bool clean;
    (void)state;

    /* A clean shutdown is part of the contract. */
    clean = api_stop(server);
    free(admin);
    free(leader);
    free(ha);
    free(hb);
    free(intake);
    free(viewer);
    api_db_drop(&pg_server, &pg_dbname);
    th_rmtree(dir);
    free(dir);
    free(db);
    curl_global_cleanup();
    return clean ? 0 : -1;
}

/* Registers a complaint and returns its number (owned). */
static char *create(const char *token, const char *body)
{
    struct api_res r = call("POST", "/api/v1/complaints", token, body);
    char *n;
    if (r.status != 201)
        fprintf(stderr, "create: %ld %s\n", r.status, r.body ? r.body : "");
    assert_int_equal(r.status, 201);
    n = strdup(api_str(&r, "number"));
    api_res_free(&r);
    return n;
}

/* Runs sql on the server's database beside it, as another program (another node) would. */
static void db_exec(const char *sql)
{
    if (strncmp(db, "postgres", 8) == 0) {
        PGconn *c = PQconnectdb(db);
        PGresult *res = PQexec(c, sql);
        assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
        PQclear(res);
        PQfinish(c);
    } else {
        sqlite3 *h;
        assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
        sqlite3_busy_timeout(h, 5000);
        assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(h);
    }
}

static void health_readiness_and_openapi(void **state)
{
    struct api_res r = call("GET", "/healthz", NULL, NULL);
    (void)state;
    assert_int_equal(r.status, 200);
    api_res_free(&r);
    r = call("GET", "/readyz", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "status"), "ready");
    api_res_free(&r);
    /* Another node migrated the database to a schema this binary does not know: this node is
     * not ready (the balancer drains it), and says what to do. */
    db_exec("INSERT INTO schema_version(version, applied_at) VALUES (999, 0)");
    r = call("GET", "/readyz", NULL, NULL);
    assert_int_equal(r.status, 503);
    assert_string_equal(api_str(&r, "field"), "schema_version");
    assert_non_null(strstr(api_str(&r, "detail"), "upgrade this node"));
    api_res_free(&r);
    db_exec("DELETE FROM schema_version WHERE version = 999");
    r = call("GET", "/readyz", NULL, NULL);
    assert_int_equal(r.status, 200);
    api_res_free(&r);
    r = call("GET", "/api/v1/openapi.json", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "openapi"), "3.1.0");
    assert_non_null(json_object_get(json_object_get(r.json, "paths"), "/complaints/{number}"));
    api_res_free(&r);
}

static void register_then_fetch_with_etag_and_timeline(void **state)
{
    char path[128], *number;
    struct api_res r;
    (void)state;

    r = call("POST", "/api/v1/complaints", intake,
             "{\"channel\":\"phone\",\"customer_name\":\"张三\","
             "\"customer_phone\":\"13812345678\","
             "\"title\":\"脚踏断裂\",\"description\":\"骑行时脚踏芯轴断裂，差点摔倒\","
             "\"department\":\"north\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(r.etag, "\"1\"");
    assert_string_equal(api_str(&r, "severity"), "serious");
    assert_non_null(strstr(r.location, "/api/v1/complaints/KS"));
    number = strdup(api_str(&r, "number"));
    api_res_free(&r);

    snprintf(path, sizeof(path), "/api/v1/complaints/%s", number);
    r = call("GET", path, ha, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"1\"");
    assert_string_equal(api_str(&r, "first_responder"), "intk");
    assert_true(json_array_size(json_object_get(r.json, "events")) >= 2);
    assert_true(json_array_size(json_object_get(r.json, "deadlines")) >= 1);
    api_res_free(&r);

    /* Personal data is masked unless asked for; the first responder may reveal it. */
    r = call("GET", path, intake, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "customer_phone"), "138****5678");
    api_res_free(&r);
    snprintf(path, sizeof(path), "/api/v1/complaints/%s?reveal=personal", number);
    r = call("GET", path, intake, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "customer_phone"), "13812345678");
    api_res_free(&r);
    /* A viewer reads, masked, may not reveal, and cannot register. */
    expect("GET", path, viewer, NULL, 403);
    snprintf(path, sizeof(path), "/api/v1/complaints/%s", number);
    r = call("GET", path, viewer, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "customer_phone"), "138****5678");
    api_res_free(&r);
    expect("POST", "/api/v1/complaints", viewer,
           "{\"customer_name\":\"李四\",\"channel\":\"web\",\"title\":\"只读\"}", 403);

    snprintf(path, sizeof(path), "/api/v1/complaints/%s/events", number);
    r = call("GET", path, ha, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "events"), 0), "kind")),
                        "created");
    api_res_free(&r);
    expect("GET", "/api/v1/complaints/KS20200101-0001", admin, NULL, 404);
    free(number);
}

/* Each kind of bad input is a 4xx problem naming the field. */
static void bad_input_is_refused_with_problem_json(void **state)
{
    static const char bad_utf8[] =
        "{\"customer_name\":\"李四\",\"channel\":\"web\",\"title\":\"\xff\xfe\"}";
    const char *const text_plain[] = {"Content-Type: text/plain", NULL};
    const char *const zh[] = {"Accept-Language: zh-CN,zh;q=0.9", NULL};
    struct api_res r;
    char *big;
    (void)state;

    r = call("POST", "/api/v1/complaints", admin, "{\"customer_name\":\"李四\",\"channel\":");
    assert_int_equal(r.status, 400);
    assert_string_equal(r.content_type, "application/problem+json");
    assert_string_equal(api_str(&r, "code"), "invalid");
    assert_int_equal(json_integer_value(json_object_get(r.json, "status")), 400);
    assert_non_null(json_object_get(r.json, "type"));
    api_res_free(&r);

    r = call("POST", "/api/v1/complaints", admin,
             "{\"customer_name\":\"李四\",\"channel\":\"web\",\"delivered\":\"many\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_str(&r, "field"), "delivered");
    api_res_free(&r);

    r = call("POST", "/api/v1/complaints", admin,
             "{\"customer_name\":\"李四\",\"channel\":\"web\",\"colour\":\"red\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_str(&r, "field"), "colour");
    api_res_free(&r);

    r = call("POST", "/api/v1/complaints", admin, "[1,2]");
    assert_int_equal(r.status, 400);
    api_res_free(&r);

    r = api_call(base, "POST", "/api/v1/complaints", admin, bad_utf8, sizeof(bad_utf8) - 1, NULL);
    assert_int_equal(r.status, 400);
    api_res_free(&r);

    r = api_call(base, "POST", "/api/v1/complaints", admin, "{}", 0, text_plain);
    assert_int_equal(r.status, 415);
    api_res_free(&r);

    big = malloc(300 * 1024 + 1);
    memset(big, 'a', 300 * 1024);
    big[300 * 1024] = '\0';
    r = call("POST", "/api/v1/complaints", admin, big);
    assert_int_equal(r.status, 413);
    api_res_free(&r);
    free(big);

    r = api_call(base, "DELETE", "/api/v1/complaints", admin, NULL, 0, zh);
    assert_int_equal(r.status, 405);
    assert_string_equal(api_str(&r, "title"), "不支持该方法");
    api_res_free(&r);

    expect("GET", "/api/v1/nothing-here", admin, NULL, 404);
    expect("GET", "/api/v1/complaints", NULL, NULL, 401);
    expect("GET", "/api/v1/complaints", "not-a-token", NULL, 401);
    expect("GET", "/api/v1/complaints?limit=0", admin, NULL, 400);
    expect("GET", "/api/v1/complaints?limit=1000", admin, NULL, 400);
    expect("GET", "/api/v1/complaints?status=flying", admin, NULL, 400);
    expect("GET", "/api/v1/complaints?colour=red", admin, NULL, 400);
    expect("GET", "/api/v1/complaints?q=%FF%FE", admin, NULL, 400);
    expect("POST", "/api/v1/users", admin, "{\"login\":\"x y\",\"role\":\"handler\"}", 400);
    expect("POST", "/api/v1/users", admin, "{\"login\":\"xy\",\"role\":\"boss\"}", 400);
}

static void idempotent_retry_returns_the_first_result(void **state)
{
    const char body[] = "{\"customer_name\":\"李四\",\"channel\":\"api\",\"title\":\"重复提交\","
                        "\"department\":\"north\"}";
    const char *const key[] = {"Idempotency-Key: order-42-complaint", NULL};
    struct api_res a, b, c, list;
    (void)state;

    a = api_call(base, "POST", "/api/v1/complaints", admin, body, 0, key);
    b = api_call(base, "POST", "/api/v1/complaints", admin, body, 0, key);
    assert_int_equal(a.status, 201);
    assert_int_equal(b.status, 201);
    assert_string_equal(api_str(&a, "number"), api_str(&b, "number"));
    c = api_call(base, "POST", "/api/v1/complaints", admin,
                 "{\"customer_name\":\"李四\",\"channel\":\"api\",\"title\":\"另一件事\"}", 0, key);
    assert_int_equal(c.status, 422);
    assert_string_equal(api_str(&c, "code"), "idempotency_mismatch");
    list = call("GET", "/api/v1/complaints?q=%E9%87%8D%E5%A4%8D%E6%8F%90%E4%BA%A4", admin, NULL);
    assert_int_equal(json_array_size(json_object_get(list.json, "items")), 1);
    api_res_free(&a);
    api_res_free(&b);
    api_res_free(&c);
    api_res_free(&list);
}

static void patch_needs_a_current_if_match(void **state)
{
    char *number = create(
        ha,
        "{\"customer_name\":\"李四\",\"channel\":\"email\",\"title\":\"开票错误\",\"department\":"
        "\"north\"}");
    const char *const stale[] = {"If-Match: \"7\"", NULL};
    const char *const v1[] = {"If-Match: \"1\"", NULL};
    char path[96];
    struct api_res r;
    (void)state;

    snprintf(path, sizeof(path), "/api/v1/complaints/%s", number);
    expect("PATCH", path, ha, "{\"model\":\"X1\"}", 428);
    r = api_call(base, "PATCH", path, ha, "{\"model\":\"X1\"}", 0, stale);
    assert_int_equal(r.status, 412);
    api_res_free(&r);
    r = api_call(base, "PATCH", path, ha, "{\"model\":\"X1\"}", 0, v1);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"2\"");
    assert_string_equal(api_str(&r, "model"), "X1");
    api_res_free(&r);
    /* The same If-Match again is now stale: the second writer never overwrites the first. */
    r = api_call(base, "PATCH", path, ha, "{\"model\":\"X2\"}", 0, v1);
    assert_int_equal(r.status, 412);
    api_res_free(&r);
    free(number);
}

static void handlers_see_only_their_department_subtree(void **state)
{
    char *north = create(
        admin,
        "{\"customer_name\":\"李四\",\"channel\":\"web\",\"title\":\"北京问题\",\"department\":"
        "\"north-bj\"}");
    char *south = create(
        admin,
        "{\"customer_name\":\"李四\",\"channel\":\"web\",\"title\":\"广州问题\",\"department\":"
        "\"south\"}");
    char path[96];
    struct api_res r;
    (void)state;

    snprintf(path, sizeof(path), "/api/v1/complaints/%s", north);
    expect("GET", path, ha, NULL, 200); /* north-bj is under north */
    expect("GET", path, hb, NULL, 403);
    expect("GET", path, leader, NULL, 200);
    snprintf(path, sizeof(path), "/api/v1/complaints/%s/comments", north);
    expect("POST", path, hb, "{\"note\":\"不该看到\"}", 403);
    expect("GET", "/api/v1/complaints?department=north", hb, NULL, 403);

    r = call("GET", "/api/v1/complaints?limit=200", hb, NULL);
    assert_int_equal(r.status, 200);
    for (size_t i = 0; i < json_array_size(json_object_get(r.json, "items")); i++) {
        json_t *it = json_array_get(json_object_get(r.json, "items"), i);
        assert_string_equal(json_string_value(json_object_get(it, "department")), "south");
    }
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
    api_res_free(&r);
    free(north);
    free(south);
}

static void transitions_follow_the_workflow_and_roles(void **state)
{
    char *n = create(
        intake,
        "{\"customer_name\":\"李四\",\"channel\":\"phone\",\"title\":\"中轴异响\",\"department\":"
        "\"north\"}");
    char path[128];
    struct api_res r;
    (void)state;

    snprintf(path, sizeof(path), "/api/v1/complaints/%s/transitions", n);
    expect("POST", path, intake, "{\"to\":\"accepted\",\"note\":\"已受理\"}", 200);
    expect("POST", path, intake, "{\"to\":\"closed\"}", 409);
    expect("POST", path, intake, "{\"to\":\"assigned\"}", 400); /* no assignee yet */
    expect("POST", path, intake, "{\"to\":\"assigned\",\"set\":{\"assignee\":\"ha\"}}", 200);
    expect("POST", path, ha, "{\"to\":\"investigating\"}", 200);
    expect("POST", path, ha,
           "{\"to\":\"proposed\",\"set\":{\"responsibility\":{\"party\":\"我司\"},"
           "\"plan\":\"更换中轴\"}}",
           200);
    r = call("POST", path, intake, "{\"to\":\"resolving\",\"note\":\"批准\"}");
    assert_int_equal(r.status, 403); /* intake cannot approve */
    api_res_free(&r);
    expect("POST", path, viewer, "{\"to\":\"resolving\"}", 403);
    r = call("POST", path, leader, "{\"to\":\"resolving\",\"note\":\"同意\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "status"), "resolving");
    api_res_free(&r);
    expect("POST", path, leader, "{\"to\":\"resolving\",\"extra\":1}", 400);
    expect("POST", path, leader, "{\"to\":42}", 400);

    snprintf(path, sizeof(path), "/api/v1/complaints/%s/comments", n);
    r = call("POST", path, ha, "{\"note\":\"已联系客户\"}");
    assert_int_equal(r.status, 201);
    api_res_free(&r);
    expect("POST", path, ha, "{\"note\":\"\"}", 400);
    snprintf(path, sizeof(path), "/api/v1/complaints/%s/classification", n);
    expect("POST", path, ha, "{\"severity\":\"batch\"}", 400); /* a reason is required */
    r = call("POST", path, ha, "{\"severity\":\"batch\",\"reason\":\"同批次多件\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "severity"), "batch");
    api_res_free(&r);
    expect("POST", path, intake, "{\"severity\":\"general\",\"reason\":\"x\"}", 403);
    free(n);
}

static void pages_are_stable_and_complete(void **state)
{
    char *numbers[7];
    char path[256], cursor[64] = "";
    size_t seen = 0;
    (void)state;

    for (int i = 0; i < 7; i++)
        numbers[i] = create(admin, "{\"customer_name\":\"李四\",\"channel\":\"sms\",\"title\":"
                                   "\"分页测试\",\"customer_code\":\"PAGER\"}");
    for (int page = 0; page < 5; page++) {
        struct api_res r;
        snprintf(path, sizeof(path), "/api/v1/complaints?customer=PAGER&limit=3%s%s",
                 cursor[0] ? "&cursor=" : "", cursor);
        r = call("GET", path, admin, NULL);
        assert_int_equal(r.status, 200);
        for (size_t i = 0; i < json_array_size(json_object_get(r.json, "items")); i++) {
            const char *num = json_string_value(
                json_object_get(json_array_get(json_object_get(r.json, "items"), i), "number"));
            /* newest first: the 7th created comes first */
            assert_string_equal(num, numbers[6 - seen]);
            seen++;
        }
        if (json_is_null(json_object_get(r.json, "next_cursor"))) {
            api_res_free(&r);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", api_str(&r, "next_cursor"));
        api_res_free(&r);
    }
    assert_int_equal(seen, 7);
    expect("GET", "/api/v1/complaints?cursor=KS19990101-0001", admin, NULL, 400);
    for (int i = 0; i < 7; i++)
        free(numbers[i]);
}

/* A list page asks for its columns only; phone numbers stay masked in a projection too. */
static void list_pages_can_ask_for_their_columns_only(void **state)
{
    struct api_res r;
    json_t *item;
    char *n =
        create(admin, "{\"customer_name\":\"赵六\",\"customer_phone\":\"13912345678\","
                      "\"channel\":\"phone\",\"title\":\"列投影\",\"customer_code\":\"PROJ\"}");
    (void)state;

    r = call("GET", "/api/v1/complaints?customer=PROJ&fields=title,status,customer_phone", admin,
             NULL);
    assert_int_equal(r.status, 200);
    item = json_array_get(json_object_get(r.json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "number")), n);
    assert_string_equal(json_string_value(json_object_get(item, "title")), "列投影");
    assert_string_equal(json_string_value(json_object_get(item, "status")), "new");
    assert_null(strstr(json_string_value(json_object_get(item, "customer_phone")), "12345678"));
    assert_null(json_object_get(item, "customer_name"));
    assert_null(json_object_get(item, "description"));
    assert_int_equal(json_object_size(item), 4);
    api_res_free(&r);
    r = call("GET", "/api/v1/complaints?fields=title,titel", admin, NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(api_str(&r, "field"), "fields");
    assert_non_null(strstr(api_str(&r, "detail"), "titel"));
    api_res_free(&r);
    expect("GET", "/api/v1/complaints?fields=title,,status", admin, NULL, 400);
    expect("GET", "/api/v1/complaints?fields=", admin, NULL, 400);
    free(n);
}

static void chinese_full_text_search(void **state)
{
    struct api_res r;
    char *n = create(
        admin,
        "{\"customer_name\":\"李四\",\"channel\":\"web\",\"title\":\"碗组松动\",\"description\":"
        "\"客户反映碗组安装后松动，骑行异响\"}");
    (void)state;

    r = call("GET", "/api/v1/complaints?q=%E5%AE%89%E8%A3%85%E5%90%8E%E6%9D%BE%E5%8A%A8", admin,
             NULL); /* 安装后松动 */
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "items"), 0), "number")),
                        n);
    api_res_free(&r);
    r = call("GET", "/api/v1/complaints?q=%E7%A2%97%E7%BB%84", admin, NULL); /* 碗组 (2 chars) */
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
    api_res_free(&r);
    r = call("GET", "/api/v1/complaints?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E8%AF%8D", admin,
             NULL); /* 不存在的词 */
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    api_res_free(&r);
    free(n);
}

static void cookie_sessions_need_the_csrf_token(void **state)
{
    struct api_res login_r, r;
    char cookie[300], csrf[128];
    const char *hs[3];
    (void)state;

    login_r =
        call("POST", "/api/v1/sessions", NULL, "{\"login\":\"ha\",\"password\":\"password-ha\"}");
    assert_int_equal(login_r.status, 201);
    assert_non_null(strstr(login_r.cookie, "HttpOnly"));
    assert_non_null(strstr(login_r.cookie, "SameSite=Strict"));
    snprintf(cookie, sizeof(cookie), "Cookie: %.*s", (int)strcspn(login_r.cookie, ";"),
             login_r.cookie);
    snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", api_str(&login_r, "csrf_token"));
    hs[0] = cookie;
    hs[1] = NULL;
    r = api_call(base, "GET", "/api/v1/me", NULL, NULL, 0, hs);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "login"), "ha");
    api_res_free(&r);
    r = api_call(base, "POST", "/api/v1/complaints", NULL,
                 "{\"customer_name\":\"李四\",\"channel\":\"web\"}", 0, hs);
    assert_int_equal(r.status, 403);
    assert_string_equal(api_str(&r, "field"), "X-CSRF-Token");
    api_res_free(&r);
    hs[1] = csrf;
    hs[2] = NULL;
    r = api_call(base, "POST", "/api/v1/complaints", NULL,
                 "{\"customer_name\":\"李四\",\"channel\":\"web\",\"title\":\"网页登记\","
                 "\"department\":\"north\"}",
                 0, hs);
    assert_int_equal(r.status, 201);
    api_res_free(&r);
    r = api_call(base, "DELETE", "/api/v1/sessions/current", NULL, NULL, 0, hs);
    assert_int_equal(r.status, 204);
    api_res_free(&r);
    hs[1] = NULL;
    r = api_call(base, "GET", "/api/v1/me", NULL, NULL, 0, hs);
    assert_int_equal(r.status, 401);
    api_res_free(&r);
    api_res_free(&login_r);
}

static void failed_logins_are_throttled(void **state)
{
    struct api_res r;
    (void)state;
    for (int i = 0; i < 5; i++)
        expect("POST", "/api/v1/sessions", NULL,
               "{\"login\":\"victim\",\"password\":\"wrong-password\"}", 401);
    /* Even the right password is refused for a while now. */
    r = call("POST", "/api/v1/sessions", NULL,
             "{\"login\":\"victim\",\"password\":\"password-victim\"}");
    assert_int_equal(r.status, 429);
    assert_string_equal(api_str(&r, "code"), "too_many_requests");
    api_res_free(&r);
}

static void users_departments_and_me(void **state)
{
    struct api_res r;
    (void)state;

    r = call("GET", "/api/v1/departments", ha, NULL);
    assert_int_equal(r.status, 200);
    {
        json_t *items = json_object_get(r.json, "items");
        json_t *north = json_array_get(items, 0);
        assert_string_equal(json_string_value(json_object_get(north, "code")), "north");
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(north, "children"), 0), "code")),
                            "north-bj");
    }
    api_res_free(&r);
    expect("POST", "/api/v1/departments", ha, "{\"code\":\"x\",\"name\":\"X\"}", 403);
    expect("POST", "/api/v1/departments", admin, "{\"code\":\"north\",\"name\":\"again\"}", 409);
    expect("PATCH", "/api/v1/departments/south", admin, "{\"name\":\"华南区\"}", 200);

    r = call("GET", "/api/v1/users", admin, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "argon2"));
    api_res_free(&r);
    expect("PATCH", "/api/v1/users/ha", ha, "{\"phone\":\"13900000000\"}", 200);
    expect("PATCH", "/api/v1/users/ha", ha, "{\"role\":\"admin\"}", 403);
    expect("PATCH", "/api/v1/users/hb", ha, "{\"name\":\"x\"}", 403);
    expect("PATCH", "/api/v1/users/view", admin, "{\"disabled\":\"yes\"}", 400);
    expect("GET", "/api/v1/users/nobody", admin, NULL, 404);
    r = call("GET", "/api/v1/me", leader, NULL);
    assert_string_equal(api_str(&r, "role"), "leader");
    api_res_free(&r);
}

static void classify_presets_and_calendar(void **state)
{
    struct api_res r;
    (void)state;

    r = call("POST", "/api/v1/classify", ha,
             "{\"description\":\"脚踏芯轴断裂，客户摔伤\",\"product\":\"pedal\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "severity"), "serious");
    api_res_free(&r);
    expect("POST", "/api/v1/classify", ha, "{}", 400);

    r = call("GET", "/api/v1/presets/current", viewer, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "name"), "manufacturing");
    api_res_free(&r);

    r = call("GET", "/api/v1/calendar/check?date=2026-10-01", viewer, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_str(&r, "kind"), "restday");
    api_res_free(&r);
    expect("GET", "/api/v1/calendar/check?date=2026-02-30", viewer, NULL, 400);
    expect("GET", "/api/v1/calendar/check", viewer, NULL, 400);

    /* 2026-09-30 + 3 working days skips the National Day holiday. */
    r = call("GET", "/api/v1/calendar/deadline?from=2026-09-30T10:00:00%2B08:00&workdays=3", viewer,
             NULL);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(api_str(&r, "due_at"), "2026-10-1", 9) == 0);
    api_res_free(&r);
    expect("GET", "/api/v1/calendar/deadline?from=2026-09-30&workdays=3&days=2", viewer, NULL, 400);
    expect("GET", "/api/v1/calendar/deadline?from=2026-09-30&hours=-1", viewer, NULL, 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(health_readiness_and_openapi),
        cmocka_unit_test(register_then_fetch_with_etag_and_timeline),
        cmocka_unit_test(bad_input_is_refused_with_problem_json),
        cmocka_unit_test(idempotent_retry_returns_the_first_result),
        cmocka_unit_test(patch_needs_a_current_if_match),
        cmocka_unit_test(handlers_see_only_their_department_subtree),
        cmocka_unit_test(transitions_follow_the_workflow_and_roles),
        cmocka_unit_test(pages_are_stable_and_complete),
        cmocka_unit_test(list_pages_can_ask_for_their_columns_only),
        cmocka_unit_test(chinese_full_text_search),
        cmocka_unit_test(cookie_sessions_need_the_csrf_token),
        cmocka_unit_test(failed_logins_are_throttled),
        cmocka_unit_test(users_departments_and_me),
        cmocka_unit_test(classify_presets_and_calendar),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
