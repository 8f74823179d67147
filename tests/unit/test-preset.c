/* Presets: every preset in presets/ loads and builds an engine; the stage limits each seed
 * prescribes come out of preset_limit_for (most specific rule wins); mistakes in YAML are
 * reported with file:line and the field. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "harness/harness.h"
#include "core/complaint.h"
#include "core/severity.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

static void every_preset_in_the_repo_loads(void **state)
{
    (void)state;
    char *dir = th_src_path("presets");
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        char *path = th_fmt("%s/%s", dir, de->d_name);
        struct preset p;
        struct sev_engine *e = NULL;
        struct ks_error err = {0};
        if (preset_load_file(path, &p, &err) != 0)
            fail_msg("%s", err.message);
        if (sev_engine_new(&p, &e, &err) != 0)
            fail_msg("%s: %s", path, err.message);
        assert_non_null(p.title);
        assert_true(p.n_categories > 0);
        assert_true(p.n_limits > 0);
        assert_non_null(preset_level_find(&p, 1));
        assert_non_null(preset_level_find(&p, 2));
        for (int s = SEV_GENERAL; s < SEV__COUNT; s++)
            assert_non_null(p.guidance[s]);
        /* The embedded copy is the same preset. */
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(len - 5), de->d_name);
        struct preset q;
        if (preset_load_named(name, &q, &err) != 0)
            fail_msg("embedded %s: %s", name, err.message);
        assert_string_equal(q.name, p.name);
        preset_release(&q);
        sev_engine_free(&e);
        preset_release(&p);
        free(path);
        n++;
    }
    closedir(d);
    free(dir);
    assert_true(n >= 5);
}

static void manufacturing_lists_every_seed_defect(void **state)
{
    (void)state;
    struct preset p;
    struct ks_error err = {0};
    assert_int_equal(preset_load_named("manufacturing", &p, &err), 0);
    const struct preset_product *pedal = preset_product_find(&p, "脚踏");
    const struct preset_product *bb = preset_product_find(&p, "bb");
    assert_non_null(pedal);
    assert_non_null(bb);
    assert_ptr_equal(preset_product_find(&p, "踏板"), pedal);
    assert_true(pedal->n_defects >= 17);
    assert_true(bb->n_defects >= 20);
    assert_int_equal(p.rules.batch_ratio_permille, 300);
    assert_int_equal(p.rules.repeat_count, 3);
    preset_release(&p);
}

static enum wf_state st(const char *s)
{
    enum wf_state v;
    assert_int_equal(wf_state_parse(s, &v, NULL), 0);
    return v;
}

static void limits_follow_each_seed(void **state)
{
    (void)state;
    static const struct {
        const char *preset, *stage;
        enum severity sev;
        int level;
        enum dl_unit unit;
        int n;
    } cases[] = {
        {"generic", "new", SEV_GENERAL, 2, DL_HOURS, 24},
        {"generic", "investigating", SEV_GENERAL, 2, DL_WORKDAYS, 3},
        {"generic", "investigating", SEV_SERIOUS, 1, DL_WORKDAYS, 1},
        {"generic", "resolving", SEV_GENERAL, 2, DL_WORKDAYS, 5},
        {"generic", "resolving", SEV_SERIOUS, 1, DL_WORKDAYS, 1},
        {"generic", "replied", SEV_GENERAL, 2, DL_WORKDAYS, 2},
        {"telecom", "new", SEV_GENERAL, 2, DL_WORKDAYS, 1},
        {"telecom", "investigating", SEV_GENERAL, 2, DL_WORKDAYS, 5},
        {"telecom", "investigating", SEV_SERIOUS, 1, DL_WORKDAYS, 3},
        {"transport", "new", SEV_GENERAL, 2, DL_WORKDAYS, 1},
        {"transport", "investigating", SEV_GENERAL, 2, DL_WORKDAYS, 5},
        {"transport", "proposed", SEV_GENERAL, 2, DL_WORKDAYS, 2},
        {"transport", "resolving", SEV_GENERAL, 2, DL_WORKDAYS, 2},
        {"transport", "follow_up", SEV_GENERAL, 2, DL_DAYS, 30},
        {"bank", "investigating", SEV_GENERAL, 2, DL_DAYS, 15},
        {"manufacturing", "new", SEV_BATCH, 2, DL_HOURS, 24},
        {"manufacturing", "investigating", SEV_BATCH, 2, DL_WORKDAYS, 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct preset p;
        struct complaint c;
        struct dl_period per;
        const struct preset_limit *rule = NULL;
        struct ks_error err = {0};
        assert_int_equal(preset_load_named(cases[i].preset, &p, &err), 0);
        complaint_init(&c);
        c.severity = cases[i].sev;
        c.response_level = cases[i].level;
        if (preset_limit_for(&p, st(cases[i].stage), &c, &per, &rule, &err) != 0)
            fail_msg("%s %s: %s", cases[i].preset, cases[i].stage, err.message);
        if (per.unit != cases[i].unit || per.n != cases[i].n)
            fail_msg("%s %s level %d: %d %s", cases[i].preset, cases[i].stage, cases[i].level,
                     per.n, dl_unit_name(per.unit));
        assert_non_null(rule);
        complaint_release(&c);
        preset_release(&p);
    }
}

static void bank_whole_limit_and_extensions(void **state)
{
    (void)state;
    struct preset p;
    struct ks_error err = {0};
    assert_int_equal(preset_load_named("bank", &p, &err), 0);
    assert_int_equal(p.whole.unit, DL_DAYS);
    assert_int_equal(p.whole.n, 15);
    assert_int_equal(p.n_whole_extended, 2);
    assert_int_equal(p.whole_extended[0].n, 30);
    assert_int_equal(p.whole_extended[1].n, 60);
    struct complaint c;
    struct dl_period per;
    complaint_init(&c);
    assert_int_equal(preset_limit_for(&p, WF_STATE_CLOSED, &c, &per, NULL, &err), KS_ENOTFOUND);
    complaint_release(&c);
    preset_release(&p);
    assert_int_equal(preset_load_named("transport", &p, &err), 0);
    bool ext = false;
    for (size_t i = 0; i < p.n_limits; i++)
        if (p.limits[i].stage == WF_STATE_INVESTIGATING && p.limits[i].extend_to.n == 10)
            ext = true;
    assert_true(ext);
    preset_release(&p);
}

static void mistakes_are_reported_with_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *message;
    } cases[] = {
        {"name: g\nlimits:\n  - {stage: new, period: 24h}\n  - {stage: new, period: 3 "
         "workdays}\n  - stage: replied\n    period: 3 weeks\n",
         "generic.yaml:6: limits[2].period: '3 weeks' is not a period like 3 workdays"},
        {"name: g\nlimits:\n  - {stage: later, period: 24h}\n",
         "generic.yaml:3: limits[0].stage: 'later' is not a stage"},
        {"name: g\ncolour: red\n", "generic.yaml:2: colour: unknown key"},
        {"name: g\nproducts:\n  - code: p\n    name: P\n    defects:\n      - {code: x, name: 坏, "
         "severity: awful}\n",
         "generic.yaml:6: products[0].defects[0].severity: 'awful' is not a severity"},
        {"name: g\nrules:\n  batch_ratio: 130%\n", "generic.yaml:3: rules.batch_ratio: '130%'"},
        {"name: g\ncategories: [\n", "generic.yaml:"},
        {"title: no name\n", "generic.yaml:1: name: is missing"},
        {"name: g\ndefault_category: nope\n", "default_category: 'nope' is not a category"},
        {"name: g\ncategories:\n- code: r\n  name: y\ncategories:\n-\n",
         "generic.yaml:5: categories: duplicate key"},
        {"name: g\nsurvey:\n  dissatisfied_max: 5\n",
         "generic.yaml:3: survey.dissatisfied_max: '5' is not a whole number from 1 to 4"},
        {"name: g\nsurvey:\n  dissatisfied_max: 0\n", "survey.dissatisfied_max: '0'"},
        {"name: g\nsurvey:\n  threshold: 2\n", "generic.yaml:3: survey.threshold: unknown key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct preset p;
        struct ks_error err = {0};
        int rc = preset_load_buffer(cases[i].yaml, strlen(cases[i].yaml), "generic.yaml", &p, &err);
        assert_int_equal(rc, KS_ECONFIG);
        if (!strstr(err.message, cases[i].message))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.message, cases[i].message);
        assert_null(p.name);
    }
}

/* The survey threshold: 2 when a preset does not say, the preset's value when it does. */
static void survey_threshold_defaults_to_two(void **state)
{
    static const char yaml[] = "name: g\nversion: 2026.2\nsurvey:\n  dissatisfied_max: 3\n";
    struct preset p;
    struct ks_error err = {0};
    (void)state;

    assert_int_equal(preset_load_named("generic", &p, &err), 0);
    assert_int_equal(preset_survey_dissatisfied_max(&p), 2);
    preset_release(&p);
    assert_int_equal(preset_load_buffer(yaml, strlen(yaml), "g.yaml", &p, &err), 0);
    assert_int_equal(preset_survey_dissatisfied_max(&p), 3);
    assert_string_equal(p.version, "2026.2");
    preset_release(&p);
}

static void unknown_preset_names_the_ones_that_exist(void **state)
{
    (void)state;
    struct preset p;
    struct ks_error err = {0};
    assert_int_equal(preset_load_named("nope", &p, &err), KS_ENOTFOUND);
    assert_non_null(strstr(err.message, "manufacturing"));
    assert_int_equal(preset_load_named("/nonexistent/x.yaml", &p, &err), KS_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_preset_in_the_repo_loads),
        cmocka_unit_test(manufacturing_lists_every_seed_defect),
        cmocka_unit_test(limits_follow_each_seed),
        cmocka_unit_test(bank_whole_limit_and_extensions),
        cmocka_unit_test(mistakes_are_reported_with_file_and_line),
        cmocka_unit_test(survey_threshold_defaults_to_two),
        cmocka_unit_test(unknown_preset_names_the_ones_that_exist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
