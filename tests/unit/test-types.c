/* The shared enumerations: every code and Chinese label parses back to its value, and unknown
 * text is refused with a message listing what would have worked. */
#include "harness/harness.h"

#include <string.h>

#include "core/types.h"

static void channels_round_trip_by_code_and_label(void **state)
{
    for (int i = 0; i < CH__COUNT; i++) {
        enum channel c = CH__COUNT;
        assert_int_equal(channel_parse(channel_name((enum channel)i), &c, NULL), 0);
        assert_int_equal(c, i);
        c = CH__COUNT;
        assert_int_equal(channel_parse(channel_label((enum channel)i), &c, NULL), 0);
        assert_int_equal(c, i);
    }
    assert_string_equal(channel_name(CH_REGULATOR), "regulator");
    assert_string_equal(channel_label(CH_REGULATOR), "监管转办");
    assert_string_equal(channel_label(CH_SOCIAL), "社交媒体");
}

static void unknown_channel_lists_the_codes(void **state)
{
    struct ks_error err = {0};
    enum channel c = CH_PHONE;

    assert_int_equal(channel_parse("fax", &c, &err), KS_EINVAL);
    assert_string_equal(err.field, "channel");
    assert_string_equal(err.message, "channel: 'fax' is not one of phone, email, sms, wechat, "
                                     "web, letter, onsite, regulator, social, api");
    assert_int_equal(channel_parse("", &c, NULL), KS_EINVAL);
}

static void severity_codes_labels_and_none(void **state)
{
    enum severity s = SEV_GENERAL;
    struct ks_error err = {0};

    for (int i = SEV_GENERAL; i < SEV__COUNT; i++) {
        assert_int_equal(severity_parse(severity_name((enum severity)i), &s, NULL), 0);
        assert_int_equal(s, i);
        assert_int_equal(severity_parse(severity_label((enum severity)i), &s, NULL), 0);
        assert_int_equal(s, i);
    }
    assert_string_equal(severity_name(SEV_NONE), "");
    assert_int_equal(severity_parse("批量", &s, NULL), 0);
    assert_int_equal(s, SEV_BATCH);
    assert_int_equal(severity_parse("", &s, NULL), 0);
    assert_int_equal(s, SEV_NONE);
    assert_int_equal(severity_parse("critical", &s, &err), KS_EINVAL);
    assert_string_equal(err.field, "severity");
    assert_string_equal(err.message, "severity: 'critical' is not one of general, batch, serious");
}

static void states_round_trip(void **state)
{
    static const char *const labels[WF_STATE__COUNT] = {
        "待受理", "已受理",   "已分派", "调查中",   "方案待审批", "处理中",
        "已反馈", "跟踪改进", "已结案", "不予受理", "撤诉",       "已合并",
    };
    for (int i = 0; i < WF_STATE__COUNT; i++) {
        enum wf_state s = WF_STATE__COUNT;
        assert_string_equal(wf_state_label((enum wf_state)i), labels[i]);
        assert_int_equal(wf_state_parse(wf_state_name((enum wf_state)i), &s, NULL), 0);
        assert_int_equal(s, i);
        s = WF_STATE__COUNT;
        assert_int_equal(wf_state_parse(labels[i], &s, NULL), 0);
        assert_int_equal(s, i);
    }
    assert_string_equal(wf_state_name(WF_STATE_FOLLOW_UP), "follow_up");
    /* Only a whole code or label matches: a prefix, a longer word or another case does not. */
    static const char *const near[] = {"close", "closedx", "Closed", "re", "已结", "已结案了"};
    for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
        struct ks_error err;
        assert_int_equal(wf_state_parse(near[i], &(enum wf_state){0}, &err), KS_EINVAL);
        assert_string_equal(err.field, "status");
    }
}

static void roles_and_compensation_kinds(void **state)
{
    enum role r = ROLE_VIEWER;
    enum comp_kind k = COMP_NONE;
    struct ks_error err = {0};

    for (int i = 0; i < ROLE__COUNT; i++) {
        assert_int_equal(role_parse(role_name((enum role)i), &r, NULL), 0);
        assert_int_equal(r, i);
        assert_int_equal(role_parse(role_label((enum role)i), &r, NULL), 0);
        assert_int_equal(r, i);
    }
    assert_int_equal(role_parse("组长", &r, NULL), 0);
    assert_int_equal(r, ROLE_LEADER);
    assert_int_equal(role_parse("boss", &r, &err), KS_EINVAL);
    assert_string_equal(err.message, "role: 'boss' is not one of admin, leader, handler, intake, "
                                     "viewer");

    assert_int_equal(comp_kind_parse("赔偿", &k, NULL), 0);
    assert_int_equal(k, COMP_DAMAGES);
    assert_int_equal(comp_kind_parse("goodwill", &k, NULL), 0);
    assert_int_equal(k, COMP_GOODWILL);
    assert_string_equal(comp_kind_label(COMP_GOODWILL), "补偿");
    assert_int_equal(comp_kind_parse("refund", &k, &err), KS_EINVAL);
    assert_string_equal(err.field, "compensation.kind");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(channels_round_trip_by_code_and_label),
        cmocka_unit_test(unknown_channel_lists_the_codes),
        cmocka_unit_test(severity_codes_labels_and_none),
        cmocka_unit_test(states_round_trip),
        cmocka_unit_test(roles_and_compensation_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
