/* Surge detection: a burst of alike complaints opens one incident, not one per complaint; a
 * later sweep attaches new complaints to the open incident; complaints outside the window or
 * about something else stay out; matching words meet after normalisation; the bank preset
 * rule turns a system-launch burst into one level-1 incident; a new complaint's groups (what
 * registration looks up) follow the rules and words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/harness.h"
#include "core/surge.h"
#include "lib/civil.h"
#include "lib/banned.h"

static int64_t at(const char *s)
{
    int64_t t;
    assert_int_equal(ks_time_parse(s, 480, "t", &t, NULL), 0);
    return t;
}

static const struct preset_surge batch_rule[] = {
    {"same_batch", SURGE_F_PRODUCT | SURGE_F_BATCH, 2 * 3600, 5, 1},
};

static void a_burst_opens_one_incident_and_a_later_sweep_attaches(void **state)
{
    (void)state;
    struct surge_item items[8];
    memset(items, 0, sizeof items);
    const char *batches[8] = {"B2611", "B2611", "B2611", "B2611",
                              "B2611", "B9999", "B2611", "B2611"};
    const char *times[8] = {"2026-11-28T08:30:00+08:00", "2026-11-28T09:00:00+08:00",
                            "2026-11-28T09:10:00+08:00", "2026-11-28T09:20:00+08:00",
                            "2026-11-28T09:40:00+08:00", "2026-11-28T09:45:00+08:00",
                            "2026-11-28T09:50:00+08:00", "2026-11-28T11:00:00+08:00"};
    for (int i = 0; i < 8; i++) {
        items[i].number = "KS";
        items[i].received_at = at(times[i]);
        items[i].product = "pedal";
        items[i].batch_no = batches[i];
    }
    struct surge_decision *d = NULL;
    size_t n = 0;
    /* At 09:40 five alike complaints fall within 2 hours (08:30 is outside at 10:35). */
    assert_int_equal(surge_decide(batch_rule, 1, items, 5, NULL, 0, at("2026-11-28T09:40:00+08:00"),
                                  &d, &n, NULL),
                     0);
    assert_int_equal(n, 1);
    assert_true(d[0].open);
    assert_int_equal(d[0].level, 1);
    assert_string_equal(d[0].key, "same_batch|product=pedal|batch_no=B2611");
    assert_int_equal(d[0].n_items, 5);
    char *key = strdup(d[0].key);
    surge_decisions_free(&d, n);
    /* Four are not a surge. */
    assert_int_equal(surge_decide(batch_rule, 1, items, 4, NULL, 0, at("2026-11-28T09:40:00+08:00"),
                                  &d, &n, NULL),
                     0);
    assert_int_equal(n, 0);
    assert_null(d);
    /* The store linked the five; the next sweep sees the incident open and attaches 09:50 and
     * 11:00 (outside the first window, still the same batch) but not the other batch. */
    for (int i = 0; i < 5; i++)
        items[i].incident = key;
    const char *open[] = {key};
    assert_int_equal(surge_decide(batch_rule, 1, items, 8, open, 1, at("2026-11-28T11:00:00+08:00"),
                                  &d, &n, NULL),
                     0);
    assert_int_equal(n, 1);
    assert_false(d[0].open);
    assert_string_equal(d[0].key, key);
    assert_int_equal(d[0].n_items, 2);
    assert_int_equal(d[0].items[0], 6);
    assert_int_equal(d[0].items[1], 7);
    surge_decisions_free(&d, n);
    /* Nothing new: nothing to do, however often the sweep runs. */
    items[6].incident = key;
    items[7].incident = key;
    assert_int_equal(surge_decide(batch_rule, 1, items, 8, open, 1, at("2026-11-28T11:00:00+08:00"),
                                  &d, &n, NULL),
                     0);
    assert_int_equal(n, 0);
    free(key);
}

static void shared_words_meet_after_normalisation_and_each_complaint_joins_once(void **state)
{
    (void)state;
    static const struct preset_surge rules[] = {
        {"launch", SURGE_F_CATEGORY | SURGE_F_WORDS, 2 * 3600, 3, 1},
        {"any_system", SURGE_F_CATEGORY, 2 * 3600, 3, 2},
    };
    const char *w_app[] = {"手机银行", "无法登录"};
    const char *w_app_wide[] = {"ＡＴＭ", "手机银行"}; /* full-width ATM */
    const char *w_atm[] = {"atm"};
    const char *w_none[] = {"排队"};
    struct surge_item items[] = {
        {"KS1", 0, "system", NULL, NULL, NULL, w_app, 2, NULL},
        {"KS2", 0, "system", NULL, NULL, NULL, w_app_wide, 2, NULL},
        {"KS3", 0, "system", NULL, NULL, NULL, w_atm, 1, NULL},
        {"KS4", 0, "system", NULL, NULL, NULL, w_app, 2, NULL},
        {"KS5", 0, "service", NULL, NULL, NULL, w_none, 1, NULL},
        {"KS6", 0, NULL, NULL, NULL, NULL, w_app, 2, NULL},
    };
    int64_t now = at("2026-11-28T10:00:00+08:00");
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        items[i].received_at = now - (int64_t)i * 60;
    struct surge_decision *d = NULL;
    size_t n = 0;
    assert_int_equal(surge_decide(rules, 2, items, 6, NULL, 0, now, &d, &n, NULL), 0);
    /* KS1, KS2, KS4 share 手机银行 (one incident, not one per word); KS3 alone is left for the
     * second rule, which needs three (ＡＴＭ and atm meet, but two are too few); KS6 has no
     * category. */
    assert_int_equal(n, 1);
    assert_string_equal(d[0].key, "launch|category=system|words=手机银行");
    assert_int_equal(d[0].n_items, 3);
    assert_int_equal(d[0].items[0], 0);
    assert_int_equal(d[0].items[1], 1);
    assert_int_equal(d[0].items[2], 3);
    surge_decisions_free(&d, n);
}

static void incomplete_rules_are_refused(void **state)
{
    (void)state;
    static const struct preset_surge bad[] = {{"x", 0, 3600, 5, 2}};
    struct surge_decision *d = NULL;
    size_t n = 0;
    struct ks_error err = {0};
    assert_int_equal(surge_decide(bad, 1, NULL, 0, NULL, 0, 0, &d, &n, &err), KS_EINVAL);
    assert_non_null(strstr(err.message, "'x'"));
}

/* The groups one complaint belongs to, one row per case: rules in order, words in order, a
 * word that normalises like an earlier one once, nothing for a rule whose field is missing. */
static void a_complaint_belongs_to_the_groups_of_its_fields_and_words(void **state)
{
    (void)state;
    static const struct preset_surge rules[] = {
        {"same_batch", SURGE_F_PRODUCT | SURGE_F_BATCH, 72 * 3600, 3, 1},
        {"same_defect", SURGE_F_PRODUCT | SURGE_F_DEFECT, 168 * 3600, 3, 2},
        {"launch", SURGE_F_CATEGORY | SURGE_F_WORDS, 2 * 3600, 3, 1},
    };
    static const char *const w_two[] = {"手机银行", "ＡＴＭ", "atm"};
    static const struct {
        const char *category, *defect, *product, *batch_no;
        const char *const *words;
        size_t n_words;
        const char *want[4]; /* "key@word", word "-" for none; NULL ends */
    } cases[] = {
        {NULL,
         "芯轴断裂",
         "pedal",
         "B2611",
         NULL,
         0,
         {"same_batch|product=pedal|batch_no=B2611@-",
          "same_defect|defect=芯轴断裂|product=pedal@-"}},
        {NULL, "芯轴断裂", "pedal", NULL, NULL, 0, {"same_defect|defect=芯轴断裂|product=pedal@-"}},
        {NULL, NULL, "pedal", "", NULL, 0, {NULL}},
        {"system",
         NULL,
         NULL,
         NULL,
         w_two,
         3,
         {"launch|category=system|words=手机银行@手机银行",
          "launch|category=system|words=atm@ＡＴＭ"}},
        {NULL, NULL, NULL, NULL, w_two, 3, {NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct surge_item it = {"KS1",
                                0,
                                cases[i].category,
                                cases[i].defect,
                                cases[i].product,
                                cases[i].batch_no,
                                cases[i].words,
                                cases[i].n_words,
                                NULL};
        struct surge_group *g = NULL;
        size_t n = 0, want = 0;
        assert_int_equal(surge_groups(rules, 3, &it, &g, &n, NULL), 0);
        while (want < 4 && cases[i].want[want])
            want++;
        assert_int_equal(n, want);
        for (size_t k = 0; k < n; k++) {
            char got[512];
            snprintf(got, sizeof got, "%s@%s", g[k].key, g[k].word ? g[k].word : "-");
            assert_string_equal(got, cases[i].want[k]);
        }
        surge_groups_free(&g, n);
        assert_null(g);
    }
    static const struct preset_surge bad[] = {{"x", 0, 3600, 5, 2}};
    struct surge_item it = {0};
    struct surge_group *g = NULL;
    size_t n = 0;
    assert_int_equal(surge_groups(bad, 1, &it, &g, &n, NULL), KS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_burst_opens_one_incident_and_a_later_sweep_attaches),
        cmocka_unit_test(shared_words_meet_after_normalisation_and_each_complaint_joins_once),
        cmocka_unit_test(incomplete_rules_are_refused),
        cmocka_unit_test(a_complaint_belongs_to_the_groups_of_its_fields_and_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
