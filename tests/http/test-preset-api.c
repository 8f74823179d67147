/* Preset versions over HTTP, black-box against a real `kesu serve` (tests/http/api-client.h):
 * validating a text (a summary, or the loader's error with its line and field), who may
 * validate and upload, If-Match against a version replaced since, a new keyword and survey
 * threshold used at once by classification and the survey, and the new version surviving both
 * `kesu init` re-run without --preset and a restart of the server. Also the refusals the UI
 * shows, in Chinese for a client that prefers it, with the same code and field as in English. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "harness/harness.h"
#include "http/api-client.h"

#define API "/api/v1"

static char *dir, *db, *pg_server, *pg_dbname;
static pid_t server;
static char base[64];
static char *admin, *leader, *handler;
static char *original; /* the preset text kesu init wrote */

static struct api_res call(const char *method, const char *path, const char *token,
                           const char *body, const char *header)
{
    const char *headers[] = {header, NULL};
    return api_call(base, method, path, token, body, 0, header ? headers : NULL);
}

/* method path as a Chinese (lang "zh-CN") or English client, with an optional extra header. */
static struct api_res call_lang(const char *lang, const char *method, const char *path,
                                const char *token, const char *body, const char *header)
{
    char al[64];
    const char *headers[] = {al, header, NULL};
    snprintf(al, sizeof al, "Accept-Language: %s", lang);
    return api_call(base, method, path, token, body, 0, headers);
}

static void expect(struct api_res *r, long status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: %ld %s", what, r->status, r->body ? r->body : "");
}

static char *login(const char *user, const char *password)
{
    char body[256];
    struct api_res r;
    char *t;

    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", user, password);
    r = call("POST", API "/sessions", NULL, body, NULL);
    expect(&r, 201, "login");
    t = strdup(api_str(&r, "token"));
    api_res_free(&r);
    return t;
}

static void add_user(const char *user, const char *role, const char *dept)
{
    char body[256];
    struct api_res r;

    snprintf(body, sizeof body,
             "{\"login\":\"%s\",\"name\":\"测试\",\"role\":\"%s\",\"department\":\"%s\","
             "\"password\":\"password-%s\"}",
             user, role, dept, user);
    r = call("POST", API "/users", admin, body, NULL);
    expect(&r, 201, "add user");
    api_res_free(&r);
}

/* {"yaml": text} (owned). */
static char *yaml_body(const char *text, const char *note)
{
    json_t *j = json_pack("{s:s, s:s?}", "yaml", text, "note", note);
    char *s = json_dumps(j, 0);
    json_decref(j);
    return s;
}

/* The category classify gives text (owned). */
static char *category_of(const char *text)
{
    char body[512];
    struct api_res r;
    char *cat;

    snprintf(body, sizeof body, "{\"description\":\"%s\"}", text);
    r = call("POST", API "/classify", handler, body, NULL);
    expect(&r, 200, "classify");
    cat = strdup(api_str(&r, "category"));
    api_res_free(&r);
    return cat;
}

static int start(void **state)
{
    char *init_argv[] = {"init", "--db", NULL, "--admin-password", "admin-secret", NULL};
    struct api_res r;
    (void)state;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    dir = th_mkdtemp();
    if (!(db = api_db_make(dir, "preset", &pg_server, &pg_dbname)))
        return -1;
    init_argv[2] = db;
    if (cmd_init(5, init_argv) != 0 || (server = api_serve(db, NULL, NULL, base, sizeof base)) < 0)
        return -1;
    admin = login("admin", "admin-secret");
    r = call("POST", API "/departments", admin, "{\"code\":\"qa\",\"name\":\"质量部\"}", NULL);
    expect(&r, 201, "department");
    api_res_free(&r);
    add_user("lead", "leader", "qa");
    add_user("han", "handler", "qa");
    leader = login("lead", "password-lead");
    handler = login("han", "password-han");
    r = call("GET", API "/presets/current", admin, NULL, NULL);
    expect(&r, 200, "current preset");
    original = strdup(api_str(&r, "yaml"));
    api_res_free(&r);
    return 0;
}

static int stop(void **state)
{
    bool clean = api_stop(server);
    (void)state;

    free(admin);
    free(leader);
    free(handler);
    free(original);
    api_db_drop(&pg_server, &pg_dbname);
    th_rmtree(dir);
    free(dir);
    free(db);
    curl_global_cleanup();
    return clean ? 0 : -1;
}

static void a_good_text_is_summarised_with_the_version_it_would_replace(void **state)
{
    char *body = yaml_body(original, NULL);
    struct api_res r = call("POST", API "/presets/validate", leader, body, NULL);
    json_t *counts;
    (void)state;

    expect(&r, 200, "validate");
    assert_true(json_is_true(json_object_get(r.json, "valid")));
    assert_string_equal(api_str(&r, "name"), "manufacturing");
    assert_int_equal(json_integer_value(json_object_get(r.json, "current_version")), 1);
    assert_string_equal(r.etag, "\"1\"");
    counts = json_object_get(r.json, "counts");
    assert_true(json_integer_value(json_object_get(counts, "categories")) >= 4);
    assert_true(json_integer_value(json_object_get(counts, "defects")) > 10);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "survey"), "dissatisfied_max")),
        2);
    api_res_free(&r);
    free(body);
}

static void mistakes_come_back_with_line_and_field(void **state)
{
    static const struct {
        const char *yaml, *field, *detail;
        int line;
    } cases[] = {
        {"name: t\nlimits:\n  - stage: new\n    period: 3 weeks\n", "limits[0].period",
         "'3 weeks' is not a period", 4},
        {"name: t\ncolour: red\n", "colour", "unknown key", 2},
        {"name: t\nsurvey:\n  dissatisfied_max: 5\n", "survey.dissatisfied_max",
         "'5' is not a whole number from 1 to 4", 3},
        {"name: t\ncategories: [\n", NULL, "preset:", 0},
        {"title: 无名\n", "name", "name: is missing", 1},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = yaml_body(cases[i].yaml, NULL);
        struct api_res r = call("POST", API "/presets/validate", admin, body, NULL);
        json_t *line;

        expect(&r, 400, cases[i].yaml);
        assert_string_equal(r.content_type, "application/problem+json");
        assert_string_equal(api_str(&r, "code"), "invalid");
        if (!strstr(api_str(&r, "detail"), cases[i].detail))
            fail_msg("case %zu: detail '%s'", i, api_str(&r, "detail"));
        if (cases[i].field)
            assert_string_equal(api_str(&r, "field"), cases[i].field);
        line = json_object_get(r.json, "line");
        if (cases[i].line)
            assert_int_equal(json_integer_value(line), cases[i].line);
        else
            assert_true(json_is_integer(line) || json_is_null(line));
        api_res_free(&r);
        free(body);
    }
}

static void only_admins_upload_and_leaders_validate(void **state)
{
    char *body = yaml_body(original, NULL);
    struct api_res r;
    (void)state;

    r = call("POST", API "/presets/validate", handler, body, NULL);
    expect(&r, 403, "handler validates");
    api_res_free(&r);
    r = call("PUT", API "/presets/current", leader, body, "If-Match: \"1\"");
    expect(&r, 403, "leader uploads");
    api_res_free(&r);
    r = call("PUT", API "/presets/current", handler, body, "If-Match: \"1\"");
    expect(&r, 403, "handler uploads");
    api_res_free(&r);
    r = call("PUT", API "/presets/current", NULL, body, "If-Match: \"1\"");
    expect(&r, 401, "nobody uploads");
    api_res_free(&r);
    r = call("PUT", API "/presets/current", admin, body, NULL);
    expect(&r, 428, "upload without If-Match");
    assert_string_equal(api_str(&r, "field"), "If-Match");
    api_res_free(&r);
    free(body);
    body = yaml_body("name: t\ncolour: red\n", NULL);
    r = call("PUT", API "/presets/current", admin, body, "If-Match: \"1\"");
    expect(&r, 400, "upload of a bad text");
    assert_string_equal(api_str(&r, "field"), "colour");
    api_res_free(&r);
    free(body);
    body = yaml_body(original, "两行\n说明");
    r = call("PUT", API "/presets/current", admin, body, "If-Match: \"1\"");
    expect(&r, 400, "a note of two lines");
    assert_string_equal(api_str(&r, "field"), "note");
    api_res_free(&r);
    free(body);
}

/* The survey threshold as the customer's survey page reports it for a fresh complaint. */
static long survey_threshold(void)
{
    struct api_res r = call("POST", API "/complaints", handler,
                            "{\"customer_name\":\"阈值客户\",\"channel\":\"phone\",\"title\":"
                            "\"踏板异响\",\"department\":\"qa\"}",
                            NULL);
    char path[256], token[256];
    long n;

    expect(&r, 201, "register");
    snprintf(path, sizeof path, API "/complaints/%s/survey-link", api_str(&r, "number"));
    api_res_free(&r);
    r = call("GET", path, handler, NULL, NULL);
    expect(&r, 200, "survey link");
    snprintf(token, sizeof token, "%s", api_str(&r, "token"));
    api_res_free(&r);
    snprintf(path, sizeof path, API "/public/survey/%s", token);
    r = call("GET", path, NULL, NULL, NULL);
    expect(&r, 200, "survey");
    n = (long)json_integer_value(json_object_get(r.json, "dissatisfied_max"));
    api_res_free(&r);
    return n;
}

static void a_new_version_is_used_at_once_and_after_a_restart(void **state)
{
    const char *anchor = "推诿, 没人管";
    char *text, *body, *cat, *at = strstr(original, anchor);
    char *init_argv[] = {"init", "--db", db, NULL};
    struct api_res r;
    (void)state;

    assert_non_null(at);
    cat = category_of("客服一直踢皮球");
    assert_string_not_equal(cat, "service");
    free(cat);
    assert_int_equal(survey_threshold(), 2);

    /* The manufacturing preset with one more service keyword and a survey threshold of 3. */
    text = th_fmt("%.*s%s, 踢皮球%s\nsurvey:\n  dissatisfied_max: 3\n", (int)(at - original),
                  original, anchor, at + strlen(anchor));
    body = yaml_body(text, "服务分类加“踢皮球”");
    r = call("PUT", API "/presets/current", admin, body, "If-Match: \"1\"");
    expect(&r, 200, "upload");
    assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 2);
    assert_string_equal(r.etag, "\"2\"");
    api_res_free(&r);
    cat = category_of("客服一直踢皮球");
    assert_string_equal(cat, "service");
    free(cat);
    assert_int_equal(survey_threshold(), 3);
    r = call("GET", API "/presets/current", handler, NULL, NULL);
    expect(&r, 200, "current after the upload");
    assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "survey"), "dissatisfied_max")),
        3);
    api_res_free(&r);

    /* A second admin still holding version 1 is refused, not silently applied. */
    r = call("PUT", API "/presets/current", admin, body, "If-Match: \"1\"");
    expect(&r, 412, "stale upload");
    assert_string_equal(api_str(&r, "code"), "precondition_failed");
    assert_string_equal(api_str(&r, "field"), "version");
    api_res_free(&r);

    /* kesu init without --preset keeps the uploaded version; so does a restart. */
    assert_true(api_stop(server));
    assert_int_equal(cmd_init(3, init_argv), 0);
    assert_true((server = api_serve(db, NULL, NULL, base, sizeof base)) > 0);
    cat = category_of("客服一直踢皮球");
    assert_string_equal(cat, "service");
    free(cat);
    r = call("GET", API "/presets/current", admin, NULL, NULL);
    expect(&r, 200, "current after restart");
    assert_non_null(strstr(api_str(&r, "yaml"), "踢皮球"));
    assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 2);
    assert_string_equal(r.etag, "\"2\"");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "survey"), "dissatisfied_max")),
        3);
    api_res_free(&r);
    r = call("POST", API "/presets/validate", admin, body, NULL);
    expect(&r, 200, "validate after restart");
    assert_int_equal(json_integer_value(json_object_get(r.json, "current_version")), 2);
    api_res_free(&r);
    free(body);
    free(text);
}

/* The same refusal in both languages: status, code and field equal, detail as expected. */
static void refusal(const char *method, const char *path, const char *token, const char *body,
                    const char *header, long status, const char *field, const char *en,
                    const char *zh)
{
    struct api_res e = call_lang("en", method, path, token, body, header);
    struct api_res z = call_lang("zh-CN,zh;q=0.9", method, path, token, body, header);

    expect(&e, status, en);
    expect(&z, status, zh);
    assert_string_equal(api_str(&e, "code"), api_str(&z, "code"));
    assert_string_equal(api_str(&z, "field"), field);
    assert_string_equal(api_str(&e, "field"), field);
    if (!strstr(api_str(&e, "detail"), en))
        fail_msg("English detail '%s', want '%s'", api_str(&e, "detail"), en);
    if (!strstr(api_str(&z, "detail"), zh))
        fail_msg("Chinese detail '%s', want '%s'", api_str(&z, "detail"), zh);
    api_res_free(&e);
    api_res_free(&z);
}

static void refusals_speak_chinese_to_a_chinese_client(void **state)
{
    struct api_res r = call("POST", API "/complaints", handler,
                            "{\"customer_name\":\"语言客户\",\"channel\":\"phone\",\"title\":"
                            "\"踏板断了\",\"department\":\"qa\"}",
                            NULL);
    char path[128], moves[160];
    (void)state;

    expect(&r, 201, "register");
    snprintf(path, sizeof path, API "/complaints/%s", api_str(&r, "number"));
    snprintf(moves, sizeof moves, "%s/transitions", path);
    api_res_free(&r);

    refusal("POST", API "/complaints", handler, "{\"channel\":\"phone\",\"title\":\"无名\"}", NULL,
            400, "customer_name", "a customer name, phone or customer code is required",
            "客户姓名：必须填写客户姓名、电话或客户代码之一");
    refusal("POST", API "/complaints", handler,
            "{\"customer_name\":\"甲\",\"customer_phone\":\"12\",\"title\":\"x\"}", NULL, 400,
            "customer_phone", "is not a phone number", "客户电话：“12”不是电话号码");
    refusal("POST", moves, handler, "{\"to\":\"closed\"}", NULL, 409, "status",
            "cannot move from 'new' to 'closed'", "不能从“待受理”转到“已结案”");
    refusal("POST", API "/users", handler, "{\"login\":\"x1\",\"role\":\"viewer\"}", NULL, 403,
            "role", "role 'handler' may not do this", "角色“处理人”无权执行此操作");
    refusal("GET", API "/complaints/KS20200101-0999", handler, NULL, NULL, 404, "number",
            "complaint KS20200101-0999 does not exist", "投诉 KS20200101-0999 不存在");
    refusal("PATCH", path, handler, "{\"model\":\"M1\"}", "If-Match: \"99\"", 412, "version",
            "reload and retry", "已被他人修改");
    refusal("POST", API "/presets/validate", admin, "{\"yaml\":\"name: t\\ncolour: red\\n\"}", NULL,
            400, "colour", "preset:2: colour: unknown key", "预案第 2 行：colour：未知的键");
    refusal("POST", API "/sessions", NULL, "{\"login\":\"han\",\"password\":\"wrong\"}", NULL, 401,
            "password", "the login or the password is wrong", "用户名或密码错误");
}

/* Another `kesu serve` on the same database takes up a version uploaded through this one when
 * an admin validates there, so its If-Match is the database's. */
static void a_second_server_catches_up(void **state)
{
    char other[64], *text, *body, *cat;
    const char *at = strstr(original, "推诿, 没人管");
    pid_t second;
    struct api_res r;
    (void)state;

    if (pg_dbname || getenv("KS_API_DB_URL"))
        skip(); /* one SQLite file shared by two processes is what this checks */
    assert_true((second = api_serve(db, NULL, NULL, other, sizeof other)) > 0);
    text = th_fmt("%.*s推诿, 没人管, 打太极%s", (int)(at - original), original,
                  at + strlen("推诿, 没人管"));
    body = yaml_body(text, NULL);
    r = call("PUT", API "/presets/current", admin, body, "If-Match: \"2\"");
    expect(&r, 200, "upload of version 3");
    api_res_free(&r);
    r = api_call(other, "POST", API "/presets/validate", admin, body, 0, NULL);
    expect(&r, 200, "validate on the second server");
    assert_int_equal(json_integer_value(json_object_get(r.json, "current_version")), 3);
    api_res_free(&r);
    r = api_call(other, "POST", API "/classify", handler, "{\"description\":\"部门之间打太极\"}", 0,
                 NULL);
    expect(&r, 200, "classify on the second server");
    cat = strdup(api_str(&r, "category"));
    api_res_free(&r);
    assert_string_equal(cat, "service");
    free(cat);
    assert_true(api_stop(second));
    free(body);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_text_is_summarised_with_the_version_it_would_replace),
        cmocka_unit_test(mistakes_come_back_with_line_and_field),
        cmocka_unit_test(only_admins_upload_and_leaders_validate),
        cmocka_unit_test(a_new_version_is_used_at_once_and_after_a_restart),
        cmocka_unit_test(refusals_speak_chinese_to_a_chinese_client),
        cmocka_unit_test(a_second_server_catches_up),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
