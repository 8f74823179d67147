/* The complaint record: the field table covers every member, every field round-trips through
 * complaint_set/complaint_get (with Chinese text), validation names the field at fault, edits
 * cannot change what never changes, and complaint numbers format and parse. */
#include "harness/harness.h"

#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"

#define CST (8 * 60) /* Asia/Shanghai, UTC+8 */

/* A canonical text value for every field, as complaint_get writes it back. */
static const struct {
    const char *field;
    const char *value;
} samples[] = {
    {"id", "42"},
    {"number", "KS20261128-0001"},
    {"received_at", "2026-11-28T09:30:00+08:00"},
    {"channel", "wechat"},
    {"customer_name", "张三"},
    {"customer_phone", "+86 138-0013-8000"},
    {"customer_email", "zhangsan@example.com"},
    {"customer_org", "杭州某某自行车有限公司"},
    {"customer_code", "C-1001"},
    {"product", "pedal"},
    {"model", "FP-920 脚踏"},
    {"batch_no", "B2026-11"},
    {"order_no", "PO-8848"},
    {"delivered", "1000"},
    {"defective", "350"},
    {"title", "脚踏芯轴断裂"},
    {"description", "客户反映：\n\t骑行中芯轴断裂，人员摔伤。"},
    {"category", "product"},
    {"defect", "spindle_break"},
    {"severity", "serious"},
    {"urgent", "true"},
    {"response_level", "1"},
    {"status", "investigating"},
    {"first_responder", "wangwu"},
    {"assignee", "lisi"},
    {"department", "quality"},
    {"responsibility.party", "我司"},
    {"responsibility.department", "生产部"},
    {"responsibility.root_cause", "热处理温度偏低，芯轴硬度不足。"},
    {"plan", "全批次召回并更换；赔偿医药费。"},
    {"approval.by", "zhaoliu"},
    {"approval.at", "2026-11-30T16:00:00+08:00"},
    {"approval.note", "同意，尽快执行"},
    {"reply", "已致电客户说明处理结果。"},
    {"compensation.amount", "2000.50"},
    {"compensation.kind", "damages"},
    {"compensation.agreement", "双方同意一次性赔偿 2000.50 元。"},
    {"satisfaction.score", "4"},
    {"satisfaction.comment", "处理及时"},
    {"satisfaction.waived_reason", "客户拒绝回访"},
    {"duplicate_of", "KS20261127-0012"},
    {"related", "KS20261101-0003,KS20261102-10001"},
    {"incident", "INC-2026-01"},
    {"created_at", "2026-11-28T09:31:00+08:00"},
    {"updated_at", "2026-11-30T16:00:05+08:00"},
    {"version", "7"},
};

#define N_SAMPLES (sizeof(samples) / sizeof(samples[0]))

static char *get_text(const struct complaint *c, const char *name)
{
    struct buf b;
    const struct cf_desc *f = complaint_field_find(name);
    assert_non_null(f);
    buf_init(&b, 20000);
    assert_int_equal(complaint_get(c, f, CST, &b), 0);
    return buf_detach(&b);
}

static void set_ok(struct complaint *c, const char *name, const char *value)
{
    struct ks_error err = {0};
    const struct cf_desc *f = complaint_field_find(name);
    assert_non_null(f);
    if (complaint_set(c, f, value, CST, true, &err) != 0)
        fail_msg("%s=%s: %s", name, value, err.message);
}

static void fill_all(struct complaint *c)
{
    for (size_t i = 0; i < N_SAMPLES; i++)
        set_ok(c, samples[i].field, samples[i].value);
}

/* A listing's projection mask has one bit per field, so the table must fit in 64 bits. */
static void field_bits_name_fields_and_refuse_unknown_ones(void **state)
{
    static const char *const ok[] = {"title", "compensation.amount", NULL};
    static const char *const bad[] = {"title", "titel", NULL};
    struct ks_error err = {0};
    uint64_t bits = 0;

    (void)state;
    assert_true(complaint_field_count <= 64);
    assert_int_equal(complaint_field_bits(ok, &bits, &err), 0);
    assert_int_equal(__builtin_popcountll(bits), 2);
    assert_true(bits & (UINT64_C(1) << (complaint_field_find("title") - complaint_fields)));
    assert_int_equal(complaint_field_bits(bad, &bits, &err), KS_EINVAL);
    assert_string_equal(err.field, "titel");
}

static void field_table_covers_every_member(void **state)
{
    static const size_t offsets[] = {
        offsetof(struct complaint, id),
        offsetof(struct complaint, number),
        offsetof(struct complaint, received_at),
        offsetof(struct complaint, channel),
        offsetof(struct complaint, customer_name),
        offsetof(struct complaint, customer_phone),
        offsetof(struct complaint, customer_email),
        offsetof(struct complaint, customer_org),
        offsetof(struct complaint, customer_code),
        offsetof(struct complaint, product),
        offsetof(struct complaint, model),
        offsetof(struct complaint, batch_no),
        offsetof(struct complaint, order_no),
        offsetof(struct complaint, delivered),
        offsetof(struct complaint, defective),
        offsetof(struct complaint, title),
        offsetof(struct complaint, description),
        offsetof(struct complaint, category),
        offsetof(struct complaint, defect),
        offsetof(struct complaint, severity),
        offsetof(struct complaint, urgent),
        offsetof(struct complaint, response_level),
        offsetof(struct complaint, status),
        offsetof(struct complaint, first_responder),
        offsetof(struct complaint, assignee),
        offsetof(struct complaint, department),
        offsetof(struct complaint, resp_party),
        offsetof(struct complaint, resp_department),
        offsetof(struct complaint, resp_root_cause),
        offsetof(struct complaint, plan),
        offsetof(struct complaint, approval_by),
        offsetof(struct complaint, approval_at),
        offsetof(struct complaint, approval_note),
        offsetof(struct complaint, reply),
        offsetof(struct complaint, comp_amount),
        offsetof(struct complaint, comp_kind),
        offsetof(struct complaint, comp_agreement),
        offsetof(struct complaint, satisfaction_score),
        offsetof(struct complaint, satisfaction_comment),
        offsetof(struct complaint, satisfaction_waived_reason),
        offsetof(struct complaint, duplicate_of),
        offsetof(struct complaint, related),
        offsetof(struct complaint, incident),
        offsetof(struct complaint, created_at),
        offsetof(struct complaint, updated_at),
        offsetof(struct complaint, version),
    };
    size_t n = sizeof(offsets) / sizeof(offsets[0]);

    assert_int_equal(complaint_field_count, n);
    assert_int_equal(N_SAMPLES, n);
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t j = 0; j < complaint_field_count; j++)
            seen += complaint_fields[j].offset == offsets[i];
        assert_int_equal(seen, 1);
    }
    for (size_t j = 0; j < complaint_field_count; j++) {
        const struct cf_desc *f = &complaint_fields[j];
        char col[64];
        size_t k;
        for (k = 0; f->name[k] && k + 1 < sizeof(col); k++)
            col[k] = f->name[k] == '.' ? '_' : f->name[k];
        col[k] = '\0';
        assert_string_equal(f->column, col);
        assert_ptr_equal(complaint_field_find(f->name), f);
        if (f->type == CF_STR || f->type == CF_TEXT)
            assert_true(f->max > 0);
    }
    assert_null(complaint_field_find("responsibility_party"));
    assert_true(complaint_field_find("id")->flags & CF_INTERNAL);
    assert_true(complaint_field_find("customer_phone")->flags & CF_PERSONAL);
    assert_true(complaint_field_find("status")->flags & CF_READONLY);
    assert_false(complaint_field_find("title")->flags & CF_READONLY);
}

static void every_field_round_trips_as_text(void **state)
{
    struct complaint c, copy;

    complaint_init(&c);
    complaint_init(&copy);
    fill_all(&c);
    complaint_copy(&copy, &c);
    complaint_release(&c);
    for (size_t i = 0; i < N_SAMPLES; i++) {
        char *got = get_text(&copy, samples[i].field);
        assert_true(complaint_has(&copy, complaint_field_find(samples[i].field)));
        if (strcmp(got, samples[i].value) != 0)
            fail_msg("%s: got '%s', want '%s'", samples[i].field, got, samples[i].value);
        free(got);
    }
    assert_int_equal(copy.comp_amount, 200050);
    assert_int_equal(copy.severity, SEV_SERIOUS);
    complaint_release(&copy);
}

static void empty_text_clears_every_field_but_channel_and_status(void **state)
{
    struct complaint c;
    struct ks_error err = {0};

    complaint_init(&c);
    fill_all(&c);
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        int rc = complaint_set(&c, f, "", CST, true, &err);
        if (f->type == CF_CHANNEL || f->type == CF_STATUS) {
            assert_int_equal(rc, KS_EINVAL);
            assert_string_equal(err.field, f->name);
            continue;
        }
        assert_int_equal(rc, 0);
        if (f->type != CF_BOOL && f->type != CF_INT)
            assert_false(complaint_has(&c, f));
    }
    assert_int_equal(c.delivered, KS_QTY_UNKNOWN);
    assert_int_equal(c.received_at, KS_TIME_NONE);
    complaint_release(&c);
}

static void set_accepts_the_forms_people_type(void **state)
{
    struct complaint c;

    complaint_init(&c);
    set_ok(&c, "compensation.amount", "200");
    assert_int_equal(c.comp_amount, 20000);
    set_ok(&c, "compensation.amount", "200.5");
    assert_int_equal(c.comp_amount, 20050);
    set_ok(&c, "compensation.amount", "0.07");
    assert_int_equal(c.comp_amount, 7);
    set_ok(&c, "urgent", "是");
    assert_true(c.urgent);
    set_ok(&c, "urgent", "否");
    assert_false(c.urgent);
    set_ok(&c, "urgent", "1");
    assert_true(c.urgent);
    set_ok(&c, "response_level", "二级");
    assert_int_equal(c.response_level, 2);
    set_ok(&c, "channel", "监管转办");
    assert_int_equal(c.channel, CH_REGULATOR);
    set_ok(&c, "severity", "批量");
    assert_int_equal(c.severity, SEV_BATCH);
    set_ok(&c, "compensation.kind", "补偿");
    assert_int_equal(c.comp_kind, COMP_GOODWILL);
    /* A local time is read at the deployment's offset and stored as UTC. */
    set_ok(&c, "received_at", "2026-11-28 09:30");
    assert_int_equal(c.received_at, 1795829400);
    set_ok(&c, "received_at", "2026-11-28T01:30:00Z");
    assert_int_equal(c.received_at, 1795829400);
    complaint_release(&c);
}

static void set_refusals_name_the_field(void **state)
{
    static const struct {
        const char *field, *value, *message;
    } cases[] = {
        {"delivered", "-3", "delivered: '-3' is negative"},
        {"delivered", "12a", "delivered: '12a' is not a whole number"},
        {"delivered", "1000000000001", "delivered: '1000000000001' is larger than 1000000000000"},
        {"delivered", "", NULL},
        {"compensation.amount", "-1", "compensation.amount: '-1' is negative"},
        {"compensation.amount", "1.234",
         "compensation.amount: '1.234' has more than two decimals (fen)"},
        {"compensation.amount", "1e5", "compensation.amount: '1e5' is not an amount like 200.50"},
        {"compensation.amount", "200.", "compensation.amount: '200.' is not an amount like 200.50"},
        {"urgent", "maybe", "urgent: 'maybe' is not one of true, false, 1, 0, 是, 否"},
        {"response_level", "3", "response_level: '3' is not one of 1, 2, 一级, 二级"},
        {"satisfaction.score", "6", "satisfaction.score: '6' is larger than 5"},
        {"received_at", "yesterday", NULL},
        {"title",
         "a\x01"
         "b",
         "title: control character 0x01 is not allowed"},
        {"title", "line\nbreak", "title: control character 0x0a is not allowed"},
        {"description", "bad \xff byte", "description: text is not valid UTF-8"},
        {"status", "closed", "status: is set by kesu and cannot be given"},
        {"number", "KS20261128-0001", "number: is set by kesu and cannot be given"},
    };
    struct complaint c;

    complaint_init(&c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ks_error err = {0};
        const struct cf_desc *f = complaint_field_find(cases[i].field);
        int rc = complaint_set(&c, f, cases[i].value, CST, false, &err);
        if (!cases[i].message && !*cases[i].value) {
            assert_int_equal(rc, 0);
            continue;
        }
        assert_int_equal(rc, KS_EINVAL);
        assert_string_equal(err.field, cases[i].field);
        if (cases[i].message)
            assert_string_equal(err.message, cases[i].message);
    }
    complaint_release(&c);
}

static void text_limits_count_bytes(void **state)
{
    struct complaint c;
    struct ks_error err = {0};
    char title[202];

    complaint_init(&c);
    memset(title, 'x', 200);
    title[200] = '\0';
    assert_int_equal(complaint_set(&c, complaint_field_find("title"), title, CST, false, &err), 0);
    title[200] = 'x';
    title[201] = '\0';
    assert_int_equal(complaint_set(&c, complaint_field_find("title"), title, CST, false, &err),
                     KS_EINVAL);
    assert_string_equal(err.message, "title: 201 bytes is longer than the limit of 200");
    assert_int_equal(strlen(c.title), 200); /* the old value stays */
    complaint_release(&c);
}

/* A complaint that is fit to register. */
static void minimal(struct complaint *c)
{
    complaint_init(c);
    set_ok(c, "received_at", "2026-11-28 09:30");
    set_ok(c, "channel", "phone");
    set_ok(c, "customer_name", "张三");
    set_ok(c, "title", "脚踏异响");
}

static void validate_accepts_full_and_minimal_records(void **state)
{
    struct complaint c;
    struct ks_error err = {0};

    minimal(&c);
    assert_int_equal(complaint_validate(&c, &err), 0);
    complaint_release(&c);

    complaint_init(&c);
    fill_all(&c);
    if (complaint_validate(&c, &err) != 0)
        fail_msg("%s", err.message);
    complaint_release(&c);
}

static void validate_refusals_name_the_field(void **state)
{
    static const struct {
        const char *field, *value, *want_field;
    } cases[] = {
        {"customer_phone", "call me", "customer_phone"},
        {"customer_phone", "1234", "customer_phone"},
        {"customer_phone", "123456789012345678901", "customer_phone"},
        {"customer_email", "zhangsan", "customer_email"},
        {"customer_email", "a@b@c.com", "customer_email"},
        {"customer_email", "a@localhost", "customer_email"},
        {"customer_email", "@example.com", "customer_email"},
        {"duplicate_of", "KS2026-1", "duplicate_of"},
        {"related", "KS20261128-0002,,KS20261128-0003", "related"},
        {"related", "KS20261128-0002, nope", "related"},
        {"number", "KS20261128-1", "number"},
        {"received_at", "", "received_at"},
        {"title", "", "title"}, /* with the description also cleared, below */
        {"customer_name", "", "customer_name"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct complaint c;
        struct ks_error err = {0};
        minimal(&c);
        set_ok(&c, cases[i].field, cases[i].value);
        if (complaint_validate(&c, &err) != KS_EINVAL)
            fail_msg("%s=%s was accepted", cases[i].field, cases[i].value);
        assert_string_equal(err.field, cases[i].want_field);
        complaint_release(&c);
    }
}

static void validate_checks_ranges_and_pairs(void **state)
{
    struct complaint c;
    struct ks_error err = {0};

    minimal(&c);
    c.delivered = 100;
    c.defective = 101;
    assert_int_equal(complaint_validate(&c, &err), KS_EINVAL);
    assert_string_equal(err.field, "defective");
    assert_string_equal(err.message, "defective: 101 is more than the 100 delivered");
    c.defective = 100;
    assert_int_equal(complaint_validate(&c, NULL), 0);
    c.delivered = KS_QTY_UNKNOWN; /* unknown delivery: nothing to compare */
    assert_int_equal(complaint_validate(&c, NULL), 0);
    c.delivered = -5;
    assert_int_equal(complaint_validate(&c, &err), KS_EINVAL);
    assert_string_equal(err.field, "delivered");
    c.delivered = 100;

    c.satisfaction_score = 6;
    assert_int_equal(complaint_validate(&c, &err), KS_EINVAL);
    assert_string_equal(err.field, "satisfaction.score");
    c.satisfaction_score = 0;
    c.comp_amount = -1;
    assert_int_equal(complaint_validate(&c, &err), KS_EINVAL);
    assert_string_equal(err.field, "compensation.amount");
    c.comp_amount = 0;

    /* A description alone is enough; so is a phone or a customer code alone. */
    set_ok(&c, "title", "");
    assert_int_equal(complaint_validate(&c, &err), KS_EINVAL);
    set_ok(&c, "description", "只有描述");
    assert_int_equal(complaint_validate(&c, NULL), 0);
    set_ok(&c, "customer_name", "");
    set_ok(&c, "customer_code", "C-9");
    assert_int_equal(complaint_validate(&c, NULL), 0);
    set_ok(&c, "customer_code", "");
    set_ok(&c, "customer_phone", "13800138000");
    assert_int_equal(complaint_validate(&c, NULL), 0);

    set_ok(&c, "number", "KS20261128-0001");
    set_ok(&c, "duplicate_of", "KS20261128-0001");
    assert_int_equal(complaint_validate(&c, &err), KS_EINVAL);
    assert_string_equal(err.field, "duplicate_of");

    /* An empty string is not the same as "not given". */
    set_ok(&c, "duplicate_of", "");
    free(c.model);
    c.model = calloc(1, 1);
    assert_int_equal(complaint_validate(&c, &err), KS_EINVAL);
    assert_string_equal(err.field, "model");
    complaint_release(&c);
}

static void edits_cannot_change_what_never_changes(void **state)
{
    static const char *const frozen[][2] = {
        {"number", "KS20261128-0002"},
        {"first_responder", "someone"},
        {"received_at", "2026-11-29 10:00"},
        {"created_at", "2026-11-29 10:00"},
        {"status", "closed"},
    };
    struct complaint before, after;
    struct ks_error err = {0};

    complaint_init(&before);
    complaint_init(&after);
    fill_all(&before);
    complaint_copy(&after, &before);
    set_ok(&after, "title", "改过的标题");
    set_ok(&after, "assignee", "someone_else");
    assert_int_equal(complaint_check_edit(&before, &after, &err), 0);
    for (size_t i = 0; i < sizeof(frozen) / sizeof(frozen[0]); i++) {
        complaint_copy(&after, &before);
        set_ok(&after, frozen[i][0], frozen[i][1]);
        assert_int_equal(complaint_check_edit(&before, &after, &err), KS_EINVAL);
        assert_string_equal(err.field, frozen[i][0]);
    }
    complaint_release(&before);
    complaint_release(&after);
}

static void numbers_format_and_parse(void **state)
{
    char out[COMPLAINT_NUMBER_MAX];
    struct ks_date d;
    int seq = 0;
    struct ks_error err = {0};
    static const char *const bad[] = {
        "",
        "KS20261128-001",
        "KS20261128-00001",
        "KS20261128-0000",
        "KS20260230-0001",
        "ks20261128-0001",
        "KS2026112-0001",
        "KS20261128_0001",
        "KS20261128-1234567",
        "KS20261128-0001 ",
    };

    complaint_number_format((struct ks_date){2026, 11, 28}, 1, out);
    assert_string_equal(out, "KS20261128-0001");
    complaint_number_format((struct ks_date){2027, 1, 5}, 12345, out);
    assert_string_equal(out, "KS20270105-12345");

    assert_int_equal(complaint_number_parse("KS20261128-0042", &d, &seq, NULL), 0);
    assert_int_equal(d.y, 2026);
    assert_int_equal(d.m, 11);
    assert_int_equal(d.d, 28);
    assert_int_equal(seq, 42);
    assert_int_equal(complaint_number_parse("KS20270105-12345", NULL, &seq, NULL), 0);
    assert_int_equal(seq, 12345);
    assert_int_equal(complaint_number_parse("KS20261128-999999", NULL, &seq, NULL), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (complaint_number_parse(bad[i], NULL, NULL, &err) != KS_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
        assert_string_equal(err.field, "number");
    }
    assert_int_equal(complaint_number_parse(NULL, NULL, NULL, NULL), KS_EINVAL);
}

static void utf8_checks(void **state)
{
    assert_true(utf8_is_valid("", 0));
    assert_true(utf8_is_valid("客诉 ok", strlen("客诉 ok")));
    assert_true(utf8_is_valid("\xf0\x9f\x98\x80", 4));  /* emoji */
    assert_false(utf8_is_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(utf8_is_valid("\xe0\x80\xaf", 3));     /* overlong */
    assert_false(utf8_is_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(utf8_is_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_false(utf8_is_valid("\xe5\xae", 2));         /* truncated */
    assert_false(utf8_is_valid("\x80", 1));
    assert_true(utf8_is_valid("a\0b", 3)); /* length, not NUL, ends the text */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(field_table_covers_every_member),
        cmocka_unit_test(field_bits_name_fields_and_refuse_unknown_ones),
        cmocka_unit_test(every_field_round_trips_as_text),
        cmocka_unit_test(empty_text_clears_every_field_but_channel_and_status),
        cmocka_unit_test(set_accepts_the_forms_people_type),
        cmocka_unit_test(set_refusals_name_the_field),
        cmocka_unit_test(text_limits_count_bytes),
        cmocka_unit_test(validate_accepts_full_and_minimal_records),
        cmocka_unit_test(validate_refusals_name_the_field),
        cmocka_unit_test(validate_checks_ranges_and_pairs),
        cmocka_unit_test(edits_cannot_change_what_never_changes),
        cmocka_unit_test(numbers_format_and_parse),
        cmocka_unit_test(utf8_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
