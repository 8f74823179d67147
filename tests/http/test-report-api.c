/* GET /api/v1/reports/summary, black-box against a real `kesu serve` (tests/http/api-client.h):
 * complaints registered and moved at known instants with the CLI (one accepted only after
 * National Day, one left investigating past due, one closed, one in another branch), then the
 * report over HTTP: its figures, the department scope of each caller (a branch never sees
 * another's complaints, nor can it ask for them), refusals naming the field, every download
 * format, the charts for the UI, and the same figures as `kesu report`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd-report.h"
#include "harness/harness.h"
#include "http/api-client.h"

#define API     "/api/v1"
#define SUMMARY API "/reports/summary"
#define OCTOBER "from=2026-09-28&to=2026-10-31"

/* The complaints, numbered by the day they were received. */
#define C_HOLIDAY "KS20260930-0001" /* sub1: accepted after National Day, closed, score 2 */
#define C_LATE    "KS20261009-0001" /* sub2: still investigating past due */
#define C_CLOSED  "KS20261020-0001" /* br1: closed, score 5 */
#define C_EAST    "KS20261012-0001" /* east: never accepted */
#define PHONE     "13800138000"

static char *dir, *db, *pg_server, *pg_dbname;
static pid_t server;
static char base[64];
static char *admin, *leader, *h_br1, *h_east, *viewer_sub2, *nodept;

/* Runs a kesu command in this process (argv NULL-terminated). */
static int cli(int (*cmd)(int, char **), char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return cmd(argc, argv);
}

static int department(const char *code, const char *name, const char *parent)
{
    char *argv[] = {"department",   "add",  (char *)code, "--name",
                    (char *)name,   "--db", db,           parent ? "--parent" : NULL,
                    (char *)parent, NULL};
    return cli(cmd_department, argv);
}

static int add(const char *now, const char *dept, const char *title)
{
    char *argv[] = {"add",
                    "--db",
                    db,
                    "--now",
                    (char *)now,
                    "--channel",
                    "phone",
                    "--customer_name",
                    "王先生",
                    "--customer_code",
                    "CUST-A",
                    "--customer_phone",
                    PHONE,
                    "--product",
                    "pedal",
                    "--severity",
                    "general",
                    "--defect",
                    "spindle_broken",
                    "--department",
                    (char *)dept,
                    "--title",
                    (char *)title,
                    NULL};
    return cli(cmd_add, argv);
}

/* kesu move NUMBER TO --now NOW [--set FIELD=VALUE]... (sets NULL-terminated). */
static int move(const char *now, const char *number, const char *to, const char *const *sets)
{
    char *argv[16] = {"move", (char *)number, (char *)to, "--db", db, "--now", (char *)now};
    int argc = 7;

    for (; sets && *sets && argc < 14; sets++) {
        argv[argc++] = "--set";
        argv[argc++] = (char *)*sets;
    }
    argv[argc] = NULL;
    return cli(cmd_move, argv);
}
#define SETS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* accepted, assigned and investigating on day; then, when close_day is set, on to closed that
 * day with the survey score. */
static int work(const char *number, const char *day, const char *close_day, const char *score)
{
    static const char *const times[] = {"09:00", "09:10", "09:20", "10:00", "10:10", "10:20"};
    char t[6][40], s[40];
    int rc = 0;

    for (int i = 0; i < 6; i++)
        snprintf(t[i], sizeof t[i], "%sT%s:00+08:00", i < 3 || !close_day ? day : close_day,
                 times[i]);
    rc |= move(t[0], number, "accepted", NULL);
    rc |= move(t[1], number, "assigned", SETS("assignee=admin"));
    rc |= move(t[2], number, "investigating", NULL);
    if (!close_day)
        return rc;
    snprintf(s, sizeof s, "satisfaction.score=%s", score);
    rc |= move(t[3], number, "proposed",
               SETS("responsibility.party=我司", "responsibility.root_cause=装配扭矩不足",
                    "plan=更换芯轴"));
    rc |= move(t[4], number, "resolving", NULL);
    rc |= move(t[5], number, "replied", SETS("reply=已更换"));
    rc |= move(t[5], number, "follow_up", NULL);
    rc |= move(t[5], number, "closed", SETS(s, "satisfaction.comment=<script>alert(1)</script>"));
    return rc;
}

static struct api_res get(const char *token, const char *query)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s%s", SUMMARY, query && *query ? "?" : "", query ? query : "");
    return api_call(base, "GET", path, token, NULL, 0, NULL);
}

static void expect(const struct api_res *r, long status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: %ld %s", what, r->status, r->body ? r->body : "");
}

/* The integer at a path of keys ("volume", "received", NULL) of r's body. */
static long long num(const struct api_res *r, const char *const *keys)
{
    json_t *j = r->json;
    for (; *keys; keys++)
        j = json_object_get(j, *keys);
    if (!json_is_integer(j))
        fail_msg("no integer at %s in %s", keys[-1], r->body);
    return json_integer_value(j);
}
#define NUM(r, ...) num((r), (const char *const[]){__VA_ARGS__, NULL})

static char *login(const char *user, const char *password)
{
    char body[256];
    struct api_res r;
    char *t;

    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", user, password);
    r = api_call(base, "POST", API "/sessions", NULL, body, 0, NULL);
    expect(&r, 201, "login");
    t = strdup(api_str(&r, "token"));
    api_res_free(&r);
    return t;
}

static char *user(const char *name, const char *role, const char *dept)
{
    char body[256], password[64];
    struct api_res r;

    snprintf(password, sizeof password, "password-%s", name);
    snprintf(body, sizeof body,
             "{\"login\":\"%s\",\"name\":\"测试\",\"role\":\"%s\"%s%s%s,\"password\":\"%s\"}", name,
             role, dept ? ",\"department\":\"" : "", dept ? dept : "", dept ? "\"" : "", password);
    r = api_call(base, "POST", API "/users", admin, body, 0, NULL);
    expect(&r, 201, "add user");
    api_res_free(&r);
    return login(name, password);
}

static int start(void **state)
{
    char *init_argv[] = {
        "init",         "--db", NULL, "--preset", "manufacturing", "--admin-password",
        "admin-secret", NULL};
    int rc = 0;
    (void)state;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    dir = th_mkdtemp();
    if (!(db = api_db_make(dir, "report", &pg_server, &pg_dbname)))
        return -1;
    init_argv[2] = db;
    rc |= cli(cmd_init, init_argv);
    rc |= department("prov", "广东省分行", NULL);
    rc |= department("br1", "深圳分行", "prov");
    rc |= department("sub1", "福田支行", "br1");
    rc |= department("sub2", "南山支行", "br1");
    rc |= department("east", "华东分行", NULL);
    rc |= add("2026-09-30T10:00:00+08:00", "sub1", "脚踏芯轴断裂");
    rc |= work(C_HOLIDAY, "2026-10-08", "2026-10-09", "2");
    rc |= add("2026-10-09T08:00:00+08:00", "sub2", "曲柄松动");
    rc |= work(C_LATE, "2026-10-09", NULL, NULL);
    rc |= add("2026-10-12T08:00:00+08:00", "east", "华东投诉");
    rc |= add("2026-10-20T08:00:00+08:00", "br1", "踏板轴承卡滞");
    rc |= work(C_CLOSED, "2026-10-20", "2026-10-21", "5");
    if (rc != 0 || (server = api_serve(db, NULL, NULL, base, sizeof base)) < 0)
        return -1;
    admin = login("admin", "admin-secret");
    leader = user("lead", "leader", NULL);
    h_br1 = user("hbr", "handler", "br1");
    h_east = user("heast", "handler", "east");
    viewer_sub2 = user("vsub2", "viewer", "sub2");
    nodept = user("loose", "intake", NULL);
    return 0;
}

static int stop(void **state)
{
    (void)state;
    api_stop(server);
    api_db_drop(&pg_server, &pg_dbname);
    th_rmtree(dir);
    free(dir);
    free(db);
    free(admin);
    free(leader);
    free(h_br1);
    free(h_east);
    free(viewer_sub2);
    free(nodept);
    curl_global_cleanup();
    return 0;
}

static bool has(const struct api_res *r, const char *s)
{
    return r->body && strstr(r->body, s);
}

static void admin_sees_every_branch_with_known_figures(void **state)
{
    struct api_res r = get(admin, OCTOBER);
    json_t *dis;
    (void)state;

    expect(&r, 200, "admin report");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "period"), "label")),
        "2026-09-28 至 2026-10-31");
    assert_true(json_is_null(json_object_get(r.json, "department")));
    assert_int_equal(NUM(&r, "volume", "received"), 4);
    assert_int_equal(NUM(&r, "volume", "closed"), 2);
    assert_int_equal(NUM(&r, "volume", "open"), 2);
    assert_int_equal(NUM(&r, "quality", "satisfaction", "answered"), 2);
    assert_int_equal(NUM(&r, "quality", "satisfaction", "satisfied"), 1);
    dis = json_object_get(json_object_get(json_object_get(r.json, "quality"), "satisfaction"),
                          "dissatisfied");
    assert_int_equal(json_array_size(dis), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(dis, 0), "number")),
                        C_HOLIDAY);
    /* The roll-up: 广东省分行 holds three complaints in its subtree, 华东分行 one. */
    {
        json_t *depts = json_object_get(r.json, "departments"), *d;
        size_t i;
        int found = 0;
        json_array_foreach(depts, i, d)
        {
            const char *code = json_string_value(json_object_get(d, "code"));
            long long sub =
                json_integer_value(json_object_get(json_object_get(d, "subtree"), "received"));
            if (strcmp(code, "prov") == 0 && ++found)
                assert_int_equal(sub, 3);
            if (strcmp(code, "east") == 0 && ++found)
                assert_int_equal(sub, 1);
        }
        assert_int_equal(found, 2);
    }
    assert_true(has(&r, C_EAST) && has(&r, C_LATE) && has(&r, C_HOLIDAY));
    /* No personal data in a report: the customers' phone never appears. */
    assert_false(has(&r, PHONE));
    assert_false(has(&r, "138****"));
    api_res_free(&r);
}

/* A handler of 深圳分行 gets its subtree without asking, and never 华东分行's complaint. */
static void a_branch_sees_only_its_subtree(void **state)
{
    struct api_res r = get(h_br1, OCTOBER);
    (void)state;

    expect(&r, 200, "br1 report");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "department"), "code")), "br1");
    assert_int_equal(NUM(&r, "volume", "received"), 3);
    assert_false(has(&r, C_EAST));
    assert_false(has(&r, "华东"));
    api_res_free(&r);

    r = get(h_br1, OCTOBER "&department=sub1");
    expect(&r, 200, "br1 asks for sub1");
    assert_int_equal(NUM(&r, "volume", "received"), 1);
    assert_true(has(&r, C_HOLIDAY));
    assert_false(has(&r, C_LATE));
    api_res_free(&r);

    r = get(h_east, OCTOBER);
    expect(&r, 200, "east report");
    assert_int_equal(NUM(&r, "volume", "received"), 1);
    assert_true(has(&r, C_EAST));
    assert_false(has(&r, C_HOLIDAY) || has(&r, C_LATE) || has(&r, C_CLOSED));
    api_res_free(&r);
}

static void a_department_outside_the_callers_is_refused(void **state)
{
    static const struct {
        char **who;
        const char *dept;
    } cases[] = {{&h_east, "prov"}, {&h_east, "sub1"},      {&h_br1, "east"},
                 {&h_br1, "prov"},  {&viewer_sub2, "sub1"}, {&h_br1, "nowhere"}};
    char q[128];
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct api_res r;
        snprintf(q, sizeof q, OCTOBER "&department=%s", cases[i].dept);
        r = get(*cases[i].who, q);
        expect(&r, 403, q);
        assert_string_equal(api_str(&r, "field"), "department");
        assert_false(has(&r, C_HOLIDAY));
        api_res_free(&r);
    }
    /* An account without a department has no subtree to report on. */
    {
        struct api_res r = get(nodept, OCTOBER);
        expect(&r, 403, "no department");
        api_res_free(&r);
    }
}

static void viewers_and_leaders_read_reports(void **state)
{
    struct api_res r = get(viewer_sub2, OCTOBER);
    (void)state;

    expect(&r, 200, "viewer report");
    assert_int_equal(NUM(&r, "volume", "received"), 1);
    assert_true(has(&r, C_LATE));
    api_res_free(&r);

    r = get(leader, OCTOBER "&department=east");
    expect(&r, 200, "leader report of east");
    assert_int_equal(NUM(&r, "volume", "received"), 1);
    api_res_free(&r);

    r = get(admin, OCTOBER "&department=nowhere");
    expect(&r, 404, "unknown department");
    assert_string_equal(api_str(&r, "field"), "department");
    api_res_free(&r);
}

static void periods_like_the_cli(void **state)
{
    struct api_res r;
    (void)state;

    r = get(admin, "period=2026-10");
    expect(&r, 200, "month");
    assert_int_equal(NUM(&r, "volume", "received"), 3);
    assert_int_equal(NUM(&r, "volume", "previous", "received"), 1);
    api_res_free(&r);

    r = get(admin, "quarter=2026Q4");
    expect(&r, 200, "quarter");
    assert_int_equal(NUM(&r, "volume", "received"), 3);
    api_res_free(&r);

    r = get(admin, "year=2025");
    expect(&r, 200, "empty year");
    assert_int_equal(NUM(&r, "volume", "received"), 0);
    api_res_free(&r);

    r = get(admin, "");
    expect(&r, 200, "no period: this month");
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(r.json, "period"), "label")), "月"));
    api_res_free(&r);
}

static void bad_input_names_the_field(void **state)
{
    static const struct {
        const char *query, *field;
    } cases[] = {
        {"period=2026-13", "period"},
        {"period=november", "period"},
        {"quarter=2026Q5", "quarter"},
        {"year=99999", "year"},
        {"from=2026-10-01", "to"},
        {"to=2026-10-01", "from"},
        {"from=2026-10-31&to=2026-10-01", "to"},
        {"period=2026-10&year=2026", "period"},
        {"period=2026-10&format=pdf", "format"},
        {"period=2026-10&top=0", "top"},
        {"period=2026-10&rows=0", "rows"},
        {"period=2026-10&rows=many", "rows"},
        {"period=2026-10&charts=maybe", "charts"},
        {"period=2026-10&format=csv&charts=1", "charts"},
        {"period=2026-10&department=", "department"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct api_res r = get(admin, cases[i].query);
        expect(&r, 400, cases[i].query);
        if (strcmp(api_str(&r, "field"), cases[i].field) != 0)
            fail_msg("%s: field '%s', want '%s'", cases[i].query, api_str(&r, "field"),
                     cases[i].field);
        api_res_free(&r);
    }
    {
        struct api_res r = get(admin, "period=2026-10&color=red");
        expect(&r, 400, "unknown parameter");
        api_res_free(&r);
    }
}

static void downloads_in_every_format(void **state)
{
    struct api_res r;
    (void)state;

    r = get(h_br1, OCTOBER "&format=csv");
    expect(&r, 200, "csv");
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    assert_memory_equal(r.body, "\xef\xbb\xbf", 3);
    assert_true(has(&r, "received,受理,3\r\n"));
    assert_false(has(&r, C_EAST));
    api_res_free(&r);

    r = get(admin, OCTOBER "&format=html");
    expect(&r, 200, "html");
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_true(has(&r, "<svg xmlns="));
    assert_true(has(&r, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_false(has(&r, "<script"));
    api_res_free(&r);

    r = get(admin, OCTOBER "&format=xlsx");
    expect(&r, 200, "xlsx");
    assert_string_equal(r.content_type,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_true(r.len > 1000);
    assert_memory_equal(r.body, "PK", 2);
    api_res_free(&r);
}

/* The Content-Disposition of GET summary?query as token, "" when there is none. */
static void disposition(const char *token, const char *query, char out[512])
{
    struct api_res r = get(token, query);

    expect(&r, 200, query);
    snprintf(out, 512, "%s", r.disposition);
    api_res_free(&r);
}

/* A link straight to a file saves it under the period's name (and the department's, when the
 * report covers one): an ASCII filename for every browser and the UI's name with the Chinese
 * period in filename*. JSON stays inline for the UI and other programs. */
static void downloads_are_attachments_named_after_the_period(void **state)
{
    char d[512];
    (void)state;

    disposition(admin, "period=2026-10&format=xlsx", d);
    assert_string_equal(d, "attachment; filename=\"kesu-report-2026-10.xlsx\"; "
                           "filename*=UTF-8''kesu-report-2026%E5%B9%B410%E6%9C%88.xlsx");
    disposition(h_br1, OCTOBER "&format=csv", d);
    assert_string_equal(d, "attachment; filename=\"kesu-report-2026-09-28_2026-10-31-br1.csv\"; "
                           "filename*=UTF-8''kesu-report-2026-09-28_%E8%87%B3_2026-10-31-br1.csv");
    disposition(leader, "quarter=2026Q4&department=sub2&format=html", d);
    assert_string_equal(d, "attachment; filename=\"kesu-report-2026-Q4-sub2.html\"; "
                           "filename*=UTF-8''kesu-report-2026%E5%B9%B4%E7%AC%AC4%E5%AD%A3%E5%BA%A6"
                           "-sub2.html");
    disposition(admin, "year=2026", d);
    assert_string_equal(d, "");
}

/* The UI's report page asks for kesu's own SVG charts with the figures. */
static void charts_for_the_ui(void **state)
{
    static const char *const names[] = {"trend",          "category",      "channel",
                                        "pareto_defects", "pareto_causes", "responsibility",
                                        "departments"};
    struct api_res r = get(h_br1, OCTOBER "&charts=1");
    json_t *charts;
    (void)state;

    expect(&r, 200, "charts");
    charts = json_object_get(r.json, "charts");
    assert_int_equal(json_object_size(charts), sizeof names / sizeof names[0]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *svg = json_string_value(json_object_get(charts, names[i]));
        assert_non_null(svg);
        assert_int_equal(strncmp(svg, "<svg xmlns=", 11), 0);
    }
    assert_non_null(strstr(json_string_value(json_object_get(charts, "departments")), "深圳分行"));
    api_res_free(&r);

    r = get(h_br1, OCTOBER);
    assert_null(json_object_get(r.json, "charts"));
    api_res_free(&r);
}

/* rows=N keeps the first N entries of the long lists (the UI asks for 100 of a year's
 * hundred thousand late stages); every other figure stays. */
static void rows_cuts_the_long_lists(void **state)
{
    struct api_res all = get(admin, OCTOBER), cut = get(admin, OCTOBER "&rows=1");
    json_t *od_all, *od_cut;
    (void)state;

    expect(&all, 200, "all rows");
    expect(&cut, 200, "rows=1");
    od_all = json_object_get(json_object_get(all.json, "timeliness"), "overdue");
    od_cut = json_object_get(json_object_get(cut.json, "timeliness"), "overdue");
    assert_true(json_array_size(od_all) >= 3);
    assert_int_equal(json_array_size(od_cut), 1);
    assert_true(json_equal(json_array_get(od_all, 0), json_array_get(od_cut, 0)));
    assert_int_equal(NUM(&cut, "volume", "received"), 4);
    assert_int_equal(NUM(&cut, "quality", "satisfaction", "answered"), 2);
    api_res_free(&all);
    api_res_free(&cut);
}

/* The route's JSON is the JSON of `kesu report` for the same period, scope and moment. */
static void the_same_report_as_the_cli(void **state)
{
    struct api_res r = get(admin, OCTOBER "&department=br1");
    char *out = th_fmt("%s/cli.json", dir);
    char *as_of;
    json_t *cli_json;
    (void)state;

    expect(&r, 200, "br1 report");
    as_of = strdup(json_string_value(json_object_get(r.json, "as_of")));
    {
        char *argv[] = {"report", "--db",       db,     "--now",      as_of,
                        "--from", "2026-09-28", "--to", "2026-10-31", "--department",
                        "br1",    "-o",         out,    NULL};
        assert_int_equal(cmd_report(13, argv), 0);
    }
    cli_json = json_load_file(out, 0, NULL);
    assert_non_null(cli_json);
    assert_true(json_equal(cli_json, r.json));
    json_decref(cli_json);
    free(as_of);
    free(out);
    api_res_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(admin_sees_every_branch_with_known_figures),
        cmocka_unit_test(a_branch_sees_only_its_subtree),
        cmocka_unit_test(a_department_outside_the_callers_is_refused),
        cmocka_unit_test(viewers_and_leaders_read_reports),
        cmocka_unit_test(periods_like_the_cli),
        cmocka_unit_test(bad_input_names_the_field),
        cmocka_unit_test(downloads_in_every_format),
        cmocka_unit_test(downloads_are_attachments_named_after_the_period),
        cmocka_unit_test(charts_for_the_ui),
        cmocka_unit_test(rows_cuts_the_long_lists),
        cmocka_unit_test(the_same_report_as_the_cli),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
