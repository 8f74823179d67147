/* The complaint JSON codec: every field round-trips with Chinese text, the output has the
 * documented shape (nesting, null for unset, money in yuan, related as an array), personal
 * data is masked on request, and bad input is refused naming the member. */
#include "harness/harness.h"

#include <stdlib.h>
#include <string.h>

#include "codec/complaint-json.h"

#define CST (8 * 60)

static const char *const full_json =
    "{\"id\": 42, \"number\": \"KS20261128-0001\","
    " \"received_at\": \"2026-11-28T09:30:00+08:00\", \"channel\": \"wechat\","
    " \"customer_name\": \"张三\", \"customer_phone\": \"+86 138-1234-5678\","
    " \"customer_email\": \"zhangsan@example.com\", \"customer_org\": \"杭州某某自行车有限公司\","
    " \"customer_code\": \"C-1001\", \"product\": \"pedal\", \"model\": \"FP-920 脚踏\","
    " \"batch_no\": \"B2026-11\", \"order_no\": \"PO-8848\", \"delivered\": 1000,"
    " \"defective\": 350, \"title\": \"脚踏芯轴断裂\","
    " \"description\": \"客户反映：\\n\\t骑行中芯轴断裂，人员摔伤。\", \"category\": \"product\","
    " \"defect\": \"spindle_break\", \"severity\": \"serious\", \"urgent\": true,"
    " \"response_level\": 1, \"status\": \"investigating\", \"first_responder\": \"wangwu\","
    " \"assignee\": \"lisi\", \"department\": \"quality\","
    " \"responsibility\": {\"party\": \"我司\", \"department\": \"生产部\","
    "   \"root_cause\": \"热处理温度偏低\"},"
    " \"plan\": \"全批次召回并更换\","
    " \"approval\": {\"by\": \"zhaoliu\", \"at\": \"2026-11-30T16:00:00+08:00\","
    "   \"note\": \"同意\"},"
    " \"reply\": \"已致电客户\","
    " \"compensation\": {\"amount\": 19.99, \"kind\": \"damages\", \"agreement\": \"一次性赔偿\"},"
    " \"satisfaction\": {\"score\": 4, \"comment\": \"处理及时\", \"waived_reason\": \"无\"},"
    " \"duplicate_of\": \"KS20261127-0012\","
    " \"related\": [\"KS20261101-0003\", \"KS20261102-10001\"],"
    " \"incident\": \"INC-2026-01\", \"created_at\": \"2026-11-28T09:31:00+08:00\","
    " \"updated_at\": \"2026-11-30T16:00:05+08:00\", \"version\": 7}";

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_ALLOW_NUL, &jerr);
    if (!j)
        fail_msg("bad test JSON: %s at %d", jerr.text, jerr.position);
    return j;
}

static void load_full(struct complaint *c)
{
    json_t *in = parse(full_json);
    struct ks_error err = {0};

    complaint_init(c);
    if (complaint_from_json(c, in, CST, CJ_ALLOW_READONLY, &err) != 0)
        fail_msg("%s", err.message);
    json_decref(in);
}

static void every_field_round_trips_through_json(void **state)
{
    struct complaint c, back;
    json_t *in = parse(full_json);
    json_t *out;
    struct ks_error err = {0};

    load_full(&c);
    assert_int_equal(complaint_validate(&c, &err), 0);
    assert_string_equal(c.resp_party, "我司");
    assert_int_equal(c.comp_amount, 1999);
    assert_int_equal(c.status, WF_STATE_INVESTIGATING);
    assert_string_equal(c.related, "KS20261101-0003,KS20261102-10001");
    assert_string_equal(c.description, "客户反映：\n\t骑行中芯轴断裂，人员摔伤。");

    out = complaint_to_json(&c, CST, CJ_INTERNAL);
    if (!json_equal(in, out)) {
        char *s = json_dumps(out, CJ_DUMP_FLAGS | JSON_SORT_KEYS);
        fail_msg("round trip differs: %s", s);
    }

    complaint_init(&back);
    assert_int_equal(complaint_from_json(&back, out, CST, CJ_ALLOW_READONLY, &err), 0);
    for (size_t i = 0; i < complaint_field_count; i++) {
        struct buf a, b;
        buf_init(&a, 20000);
        buf_init(&b, 20000);
        complaint_get(&c, &complaint_fields[i], CST, &a);
        complaint_get(&back, &complaint_fields[i], CST, &b);
        assert_string_equal(buf_str(&a), buf_str(&b));
        buf_release(&a);
        buf_release(&b);
    }
    json_decref(in);
    json_decref(out);
    complaint_release(&c);
    complaint_release(&back);
}

static void output_shape_for_a_new_record(void **state)
{
    struct complaint c;
    json_t *out;
    char *text;

    complaint_init(&c);
    c.comp_amount = 7;
    out = complaint_to_json(&c, CST, 0);
    assert_null(json_object_get(out, "id")); /* internal */
    assert_true(json_is_null(json_object_get(out, "number")));
    assert_true(json_is_null(json_object_get(out, "received_at")));
    assert_true(json_is_null(json_object_get(out, "delivered")));
    assert_true(json_is_null(json_object_get(out, "severity")));
    assert_true(json_is_null(json_object_get(out, "response_level")));
    assert_true(json_is_null(json_object_get(out, "related")));
    assert_true(json_is_false(json_object_get(out, "urgent")));
    assert_string_equal(json_string_value(json_object_get(out, "status")), "new");
    assert_string_equal(json_string_value(json_object_get(out, "channel")), "phone");
    assert_true(json_is_object(json_object_get(out, "responsibility")));
    assert_true(json_is_null(json_object_get(json_object_get(out, "satisfaction"), "score")));
    text = json_dumps(json_object_get(out, "compensation"), CJ_DUMP_FLAGS);
    assert_string_equal(text, "{\"amount\": 0.07, \"kind\": null, \"agreement\": null}");
    free(text);
    json_decref(out);
    complaint_release(&c);
}

static void money_prints_exactly(void **state)
{
    static const struct {
        int64_t fen;
        const char *text;
    } cases[] = {
        {1999, "19.99"}, {200050, "2000.5"}, {100, "1.0"}, {9999999999999, "99999999999.99"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct complaint c;
        json_t *out;
        char *text;
        complaint_init(&c);
        c.comp_amount = cases[i].fen;
        out = complaint_to_json(&c, CST, 0);
        text = json_dumps(json_object_get(json_object_get(out, "compensation"), "amount"),
                          CJ_DUMP_FLAGS | JSON_ENCODE_ANY);
        assert_string_equal(text, cases[i].text);
        free(text);
        json_decref(out);
        complaint_release(&c);
    }
}

static void personal_data_is_masked_on_request(void **state)
{
    struct complaint c;
    json_t *out;
    char *m;

    load_full(&c);
    out = complaint_to_json(&c, CST, CJ_MASK_PERSONAL);
    assert_string_equal(json_string_value(json_object_get(out, "customer_phone")), "138****5678");
    assert_string_equal(json_string_value(json_object_get(out, "customer_email")),
                        "z***@example.com");
    assert_string_equal(json_string_value(json_object_get(out, "customer_name")), "张三");
    json_decref(out);
    complaint_release(&c);

    m = cj_mask_phone("13812345678");
    assert_string_equal(m, "138****5678");
    free(m);
    m = cj_mask_phone("(0571) 8888-6666");
    assert_string_equal(m, "057****6666");
    free(m);
    m = cj_mask_phone("12345");
    assert_string_equal(m, "****");
    free(m);
    m = cj_mask_email("张三@example.cn");
    assert_string_equal(m, "张***@example.cn");
    free(m);
    m = cj_mask_email("nobody");
    assert_string_equal(m, "****");
    free(m);
}

static void patch_sets_clears_and_leaves_the_rest(void **state)
{
    struct complaint c;
    json_t *patch = parse("{\"title\": \"新标题\", \"model\": null,"
                          " \"responsibility\": {\"party\": \"供应商\"},"
                          " \"satisfaction\": null, \"received_at\": \"2026-12-01 08:00\"}");
    struct ks_error err = {0};

    load_full(&c);
    assert_int_equal(complaint_from_json(&c, patch, CST, 0, &err), 0);
    assert_string_equal(c.title, "新标题");
    assert_null(c.model);
    assert_string_equal(c.resp_party, "供应商");
    assert_string_equal(c.resp_department, "生产部"); /* untouched */
    assert_int_equal(c.satisfaction_score, 0);
    assert_null(c.satisfaction_comment);
    assert_null(c.satisfaction_waived_reason);
    assert_int_equal(c.received_at, 1796083200); /* 2026-12-01T00:00:00Z */
    assert_string_equal(c.customer_name, "张三");
    json_decref(patch);
    complaint_release(&c);
}

static void bad_input_is_refused_naming_the_member(void **state)
{
    static const struct {
        const char *json, *field, *message;
    } cases[] = {
        {"{\"colour\": \"red\"}", "colour", "colour: is not a complaint field"},
        {"{\"responsibility\": {\"who\": \"x\"}}", "responsibility.who",
         "responsibility.who: is not a complaint field"},
        {"{\"responsibility.party\": \"x\"}", "responsibility.party", NULL},
        {"{\"responsibility\": \"我司\"}", "responsibility", NULL},
        {"{\"id\": 5}", "id", NULL},
        {"{\"delivered\": \"12\"}", "delivered",
         "delivered: expected a whole number, not a string"},
        {"{\"delivered\": 2.5}", "delivered", NULL},
        {"{\"delivered\": -3}", "delivered", "delivered: '-3' is negative"},
        {"{\"title\": 5}", "title", "title: expected a string, not a number"},
        {"{\"urgent\": \"yes\"}", "urgent", "urgent: expected true or false, not a string"},
        {"{\"compensation\": {\"amount\": \"200\"}}", "compensation.amount", NULL},
        {"{\"compensation\": {\"amount\": 1.234}}", "compensation.amount", NULL},
        {"{\"compensation\": {\"amount\": -1}}", "compensation.amount", NULL},
        {"{\"compensation\": {\"amount\": 1e20}}", "compensation.amount", NULL},
        {"{\"related\": \"KS20261101-0003\"}", "related", NULL},
        {"{\"related\": [1]}", "related", NULL},
        {"{\"status\": \"closed\"}", "status", "status: is set by kesu and cannot be given"},
        {"{\"number\": \"KS20261128-0009\"}", "number", NULL},
        {"{\"version\": 3}", "version", NULL},
        {"{\"channel\": \"fax\"}", "channel", NULL},
        {"{\"channel\": null}", "channel", NULL},
        {"{\"received_at\": 1796169600}", "received_at", NULL},
        {"{\"received_at\": \"soon\"}", "received_at", NULL},
        {"{\"satisfaction\": {\"score\": 9}}", "satisfaction.score", NULL},
        {"{\"title\": \"a\\u0000b\"}", "title", NULL},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct complaint c;
        struct ks_error err = {0};
        json_t *in = parse(cases[i].json);

        load_full(&c);
        if (complaint_from_json(&c, in, CST, 0, &err) != KS_EINVAL)
            fail_msg("%s was accepted", cases[i].json);
        if (strcmp(err.field, cases[i].field) != 0)
            fail_msg("%s: field '%s' (%s)", cases[i].json, err.field, err.message);
        if (cases[i].message)
            assert_string_equal(err.message, cases[i].message);
        /* All or nothing: the record is as it was. */
        assert_string_equal(c.title, "脚踏芯轴断裂");
        assert_int_equal(c.delivered, 1000);
        json_decref(in);
        complaint_release(&c);
    }
}

static void a_failed_patch_changes_nothing(void **state)
{
    struct complaint c;
    json_t *in = parse("{\"title\": \"改了\", \"delivered\": \"oops\"}");
    json_t *arr = parse("[1, 2]");

    load_full(&c);
    assert_int_equal(complaint_from_json(&c, in, CST, 0, NULL), KS_EINVAL);
    assert_string_equal(c.title, "脚踏芯轴断裂");
    assert_int_equal(complaint_from_json(&c, arr, CST, 0, NULL), KS_EINVAL);
    assert_int_equal(complaint_from_json(&c, NULL, CST, 0, NULL), KS_EINVAL);
    json_decref(in);
    json_decref(arr);
    complaint_release(&c);
}

static void events_as_json(void **state)
{
    struct event *evs = calloc(3, sizeof(*evs));
    json_t *arr, *e;

    for (int i = 0; i < 3; i++)
        event_init(&evs[i]);
    evs[0].id = 1;
    evs[0].at = 1795829400;
    evs[0].actor = strdup("lisi");
    evs[0].kind = strdup(EV_TRANSITION);
    evs[0].from_state = WF_STATE_INVESTIGATING;
    evs[0].to_state = WF_STATE_PROPOSED;
    evs[0].note = strdup("方案已提交");
    evs[0].details = strdup("{\"fields\": [\"plan\"]}");
    evs[1].kind = strdup(EV_COMMENT);
    evs[1].details = strdup("not json");
    evs[2].kind = strdup(EV_EDIT);
    evs[2].details = strdup("[1, 2]");

    arr = events_to_json(evs, 3, CST);
    assert_int_equal(json_array_size(arr), 3);
    e = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(e, "at")), "2026-11-28T09:30:00+08:00");
    assert_string_equal(json_string_value(json_object_get(e, "from")), "investigating");
    assert_string_equal(json_string_value(json_object_get(e, "to")), "proposed");
    assert_string_equal(json_string_value(json_object_get(e, "note")), "方案已提交");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(e, "details"), "fields"), 0)),
                        "plan");
    e = json_array_get(arr, 1);
    assert_true(json_is_null(json_object_get(e, "at")));
    assert_true(json_is_null(json_object_get(e, "from")));
    assert_true(json_is_null(json_object_get(e, "actor")));
    assert_string_equal(json_string_value(json_object_get(e, "details")), "not json");
    e = json_array_get(arr, 2);
    assert_string_equal(json_string_value(json_object_get(e, "details")), "[1, 2]");
    json_decref(arr);
    event_array_free(&evs, 3);
    assert_null(evs);
}

/* The text of w (released). */
static char *written(struct jw *w)
{
    struct ks_error err = {0};
    char *text;
    size_t len;

    if (jw_finish(w, &text, &len, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(strlen(text), len);
    return text;
}

/* The writer's strings and reals are byte for byte what json_dumps() writes for the same value,
 * so answers written without jansson read the same as before. */
static void the_writer_prints_what_jansson_prints(void **state)
{
    static const char *const strings[] = {
        "",
        "plain",
        "脚踏芯轴断裂，客户“摔伤”",
        "quote \" back \\ slash / solidus",
        "\b\f\n\r\t\x01\x1f\x7f",
        "emoji 🚲 and U+2028 \xe2\x80\xa8",
    };
    static const double reals[] = {19.99, 200.0, 0.01, -5.5, 99999999999.99, 0.0, 1234.5};
    (void)state;

    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        json_t *j = json_string(strings[i]);
        char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY), *got;
        struct jw w;
        jw_init(&w, 1024);
        jw_string(&w, strings[i]);
        got = written(&w);
        assert_string_equal(got, want);
        free(got);
        free(want);
        json_decref(j);
    }
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
        json_t *j = json_real(reals[i]);
        char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | CJ_DUMP_FLAGS), *got;
        struct jw w;
        jw_init(&w, 1024);
        jw_real(&w, reals[i]);
        got = written(&w);
        assert_string_equal(got, want);
        free(got);
        free(want);
        json_decref(j);
    }
    {
        /* Not UTF-8 (validation keeps it out of records): non-ASCII bytes become '?'. */
        struct jw w;
        char *got;
        jw_init(&w, 1024);
        jw_array(&w);
        jw_string(&w, "bad \xff\xfe end");
        jw_null(&w);
        jw_object(&w);
        jw_key(&w, "a");
        jw_int(&w, -7);
        jw_key(&w, "b");
        jw_bool(&w, true);
        jw_object_end(&w);
        jw_array_end(&w);
        got = written(&w);
        assert_string_equal(got, "[\"bad ?? end\",null,{\"a\":-7,\"b\":true}]");
        free(got);
    }
}

/* A whole complaint written by the writer is the document complaint_to_json() gives (which
 * parses it), and a projection keeps the groups whole. */
static void a_written_complaint_is_the_codec_document(void **state)
{
    struct complaint c;
    uint64_t bits;
    struct ks_error err = {0};
    const char *names[] = {"title", "responsibility.party", "compensation.amount", NULL};
    json_t *j;
    char *want, *got;
    struct jw w;
    (void)state;

    load_full(&c);
    j = complaint_to_json(&c, CST, CJ_MASK_PERSONAL);
    want = json_dumps(j, JSON_COMPACT | CJ_DUMP_FLAGS);
    json_decref(j);
    jw_init(&w, 1 << 20);
    complaint_fields_write(&w, &c, CST, CJ_MASK_PERSONAL, 0);
    got = written(&w);
    assert_string_equal(got, want);
    assert_non_null(strstr(got, "\"compensation\":{\"amount\":19.99,"));
    assert_null(strstr(got, "13812345678"));
    free(got);
    free(want);
    assert_int_equal(complaint_field_bits(names, &bits, &err), 0);
    jw_init(&w, 1 << 20);
    complaint_fields_write(&w, &c, CST, 0, bits);
    got = written(&w);
    assert_string_equal(got, "{\"number\":\"KS20261128-0001\",\"title\":\"脚踏芯轴断裂\","
                             "\"responsibility\":{\"party\":\"我司\"},"
                             "\"compensation\":{\"amount\":19.99}}");
    free(got);
    /* Over the cap: refused as a whole, never a cut document. */
    jw_init(&w, 100);
    complaint_fields_write(&w, &c, CST, 0, 0);
    {
        char *text = NULL;
        size_t len = 1;
        assert_int_equal(jw_finish(&w, &text, &len, &err), KS_ELIMIT);
        assert_null(text);
        assert_int_equal(len, 0);
    }
    complaint_release(&c);
}

/* Stored event details are copied into answers unparsed only when they are one JSON object that
 * jansson reads back the same; anything else is shown as a string, as before. */
static void stored_details_are_copied_only_when_they_are_an_object(void **state)
{
    static const struct {
        const char *text;
        bool object;
    } cases[] = {
        {"{}", true},
        {" {\"a\": [1, -2.5e3, true, false, null, {\"b\": \"中文 \\u4e2d \\n\"}]} ", true},
        {"{\"n\": 123456789012345678}", true},
        {"{\"a\":1,\"a\":2}", true},
        {"[1, 2]", false},
        {"\"text\"", false},
        {"not json", false},
        {"{\"a\": 1", false},
        {"{\"a\": 1}}", false},
        {"{\"a\": 01}", false},
        {"{\"a\": 1.}", false},
        {"{\"a\": \"\\x\"}", false},
        {"{\"a\": \"\\u0000\"}", false},
        {"{\"a\": \"\\ud83d\"}", false},
        {"{\"a\": 1234567890123456789}", false},
        {"{\"a\": 1e400}", false},
        {"{\"a\": \"tab\there\"}", false},
        {"{\"a\": \"\xff\"}", false},
        {"{'a': 1}", false},
        {"{\"a\" 1}", false},
        {"{\"a\": [1,]}", false},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = json_text_is_object(cases[i].text, strlen(cases[i].text));
        json_t *j = json_loads(cases[i].text, 0, NULL);
        if (got != cases[i].object)
            fail_msg("case %zu '%s': %d", i, cases[i].text, got);
        /* What is copied, jansson reads as an object. */
        if (got && !json_is_object(j))
            fail_msg("case %zu '%s': jansson does not read it", i, cases[i].text);
        json_decref(j);
    }
    {
        struct buf deep;
        buf_init(&deep, 1024);
        for (int i = 0; i < 40; i++)
            buf_adds(&deep, "{\"a\":");
        buf_addch(&deep, '1');
        for (int i = 0; i < 40; i++)
            buf_addch(&deep, '}');
        assert_false(json_text_is_object(deep.data, deep.len));
        buf_release(&deep);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_field_round_trips_through_json),
        cmocka_unit_test(output_shape_for_a_new_record),
        cmocka_unit_test(money_prints_exactly),
        cmocka_unit_test(personal_data_is_masked_on_request),
        cmocka_unit_test(patch_sets_clears_and_leaves_the_rest),
        cmocka_unit_test(bad_input_is_refused_naming_the_member),
        cmocka_unit_test(a_failed_patch_changes_nothing),
        cmocka_unit_test(events_as_json),
        cmocka_unit_test(the_writer_prints_what_jansson_prints),
        cmocka_unit_test(a_written_complaint_is_the_codec_document),
        cmocka_unit_test(stored_details_are_copied_only_when_they_are_an_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
