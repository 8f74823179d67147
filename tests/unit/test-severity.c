/* The severity engine against the seed standard (shared/data/severity-cases.csv, every row),
 * the telecom categories (shared/data/category-cases.csv), our own paraphrased complaints
 * (tests/unit/cases/paraphrases.tsv), the adversarial ones built to trip the matcher
 * (tests/unit/cases/adversarial.tsv) and the behaviours a person checking a judgement relies
 * on: reasons, negation, quantities in words, thread-free reuse of one engine. */
#include <stdlib.h>
#include <string.h>

#include "harness/harness.h"
#include "core/severity.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

struct fixture {
    struct preset p;
    struct sev_engine *e;
};

static struct fixture *fixture_new(const char *name)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct ks_error err = {0};
    int rc = preset_load_named(name, &f->p, &err);
    if (rc != 0)
        fail_msg("preset %s: %s", name, err.message);
    rc = sev_engine_new(&f->p, &f->e, &err);
    if (rc != 0)
        fail_msg("engine %s: %s", name, err.message);
    return f;
}

static void fixture_free(struct fixture *f)
{
    sev_engine_free(&f->e);
    preset_release(&f->p);
    free(f);
}

static int64_t qty(const char *s)
{
    return s && *s ? strtoll(s, NULL, 10) : SEV_QTY_UNKNOWN;
}

static void judge(const struct fixture *f, const char *product, const char *text, int64_t delivered,
                  int64_t defective, int prior, struct sev_result *r)
{
    struct sev_input in;
    struct ks_error err = {0};
    sev_input_init(&in);
    in.product = product;
    in.text = text;
    in.delivered = delivered;
    in.defective = defective;
    in.prior_in_month = prior;
    int rc = severity_judge(f->e, &in, r, &err);
    if (rc != 0)
        fail_msg("judge '%s': %s", text, err.message);
}

static void dump(const struct sev_result *r)
{
    for (int i = 0; i < r->n_reasons; i++) {
        char line[400];
        sev_reason_format(&r->reasons[i], line, sizeof line);
        print_message("    %s\n", line);
    }
}

static void seed_standard_cases_all_pass(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("manufacturing");
    char *path = th_shared_path("data/severity-cases.csv");
    struct th_table t;
    th_table_load(&t, path, ',');
    size_t c_id = th_table_col(&t, "id"), c_prod = th_table_col(&t, "product"),
           c_text = th_table_col(&t, "text"), c_del = th_table_col(&t, "delivered"),
           c_def = th_table_col(&t, "defective"), c_prior = th_table_col(&t, "prior_in_month"),
           c_exp = th_table_col(&t, "expected");
    int bad = 0;
    for (size_t i = 1; i < t.n_rows; i++) {
        char **row = t.cells[i];
        struct sev_result r;
        judge(f, row[c_prod], row[c_text], qty(row[c_del]), qty(row[c_def]),
              (int)(qty(row[c_prior]) < 0 ? 0 : qty(row[c_prior])), &r);
        if (strcmp(severity_name(r.severity), row[c_exp]) != 0) {
            print_message("%s %s: got %s, want %s\n", row[c_id], row[c_text],
                          severity_name(r.severity), row[c_exp]);
            dump(&r);
            bad++;
        }
        if (!r.defect && strcmp(row[c_id], "V31") != 0) {
            print_message("%s %s: no defect named\n", row[c_id], row[c_text]);
            bad++;
        }
    }
    assert_true(t.n_rows > 40);
    assert_int_equal(bad, 0);
    th_table_free(&t);
    free(path);
    fixture_free(f);
}

static void telecom_category_cases_all_pass(void **state)
{
    (void)state;
    char *path = th_shared_path("data/category-cases.csv");
    struct th_table t;
    th_table_load(&t, path, ',');
    size_t c_id = th_table_col(&t, "id"), c_preset = th_table_col(&t, "preset"),
           c_text = th_table_col(&t, "text"), c_exp = th_table_col(&t, "expected");
    int bad = 0;
    for (size_t i = 1; i < t.n_rows; i++) {
        char **row = t.cells[i];
        struct fixture *f = fixture_new(row[c_preset]);
        struct sev_result r;
        judge(f, NULL, row[c_text], SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
        if (!r.category || strcmp(r.category, row[c_exp]) != 0) {
            print_message("%s %s: got %s, want %s\n", row[c_id], row[c_text],
                          r.category ? r.category : "(none)", row[c_exp]);
            bad++;
        }
        fixture_free(f);
    }
    assert_true(t.n_rows > 5);
    assert_int_equal(bad, 0);
    th_table_free(&t);
    free(path);
}

/* Judges every row of a cases file and counts disagreements. Columns: preset, product, text,
 * delivered, defective, prior, severity, urgent, and optionally the defect code the judgement
 * must name ("-": none; empty: not checked). Returns the number of rows judged. */
static int cases_check(const char *name, int *bad_out, int *missed_urgent_out)
{
    char *rel = th_fmt("tests/unit/cases/%s", name);
    char *path = th_src_path(rel);
    struct th_table t;
    th_table_load(&t, path, '\t');
    int bad = 0, n = 0, missed_urgent = 0;
    for (size_t i = 1; i < t.n_rows; i++) {
        char **row = t.cells[i];
        if (t.n_cols[i] < 8)
            fail_msg("%s:%d: expected 8 columns, got %zu", name, t.line[i], t.n_cols[i]);
        struct fixture *f = fixture_new(row[0]);
        struct sev_result r;
        judge(f, row[1][0] ? row[1] : NULL, row[2], qty(row[3]), qty(row[4]),
              row[5][0] ? (int)qty(row[5]) : 0, &r);
        bool urgent = strcmp(row[7], "1") == 0;
        const char *want_defect = t.n_cols[i] > 8 ? row[8] : "";
        const char *defect = r.defect ? r.defect : "-";
        if (strcmp(severity_name(r.severity), row[6]) != 0 || r.urgent != urgent ||
            (want_defect[0] && strcmp(defect, want_defect) != 0)) {
            print_message("%s:%d %s: got %s urgent=%d defect=%s, want %s urgent=%d defect=%s\n",
                          name, t.line[i], row[2], severity_name(r.severity), r.urgent, defect,
                          row[6], urgent, want_defect[0] ? want_defect : "(any)");
            dump(&r);
            bad++;
            if (urgent && !r.urgent)
                missed_urgent++;
        }
        n++;
        fixture_free(f);
    }
    print_message("%s: %d of %d agree\n", name, n - bad, n);
    th_table_free(&t);
    free(path);
    free(rel);
    *bad_out = bad;
    *missed_urgent_out = missed_urgent;
    return n;
}

static void paraphrases_pass(void **state)
{
    (void)state;
    int bad, missed_urgent;
    int n = cases_check("paraphrases.tsv", &bad, &missed_urgent);
    assert_true(n >= 80);
    assert_int_equal(missed_urgent, 0);
    assert_int_equal(bad, 0);
}

/* A general defect next to the words of a serious one, negations, questions, odd numbers,
 * typos and traditional characters: no false alarm, and the serious defect still wins when
 * it is really there. */
static void adversarial_cases_pass(void **state)
{
    (void)state;
    int bad, missed_urgent;
    int n = cases_check("adversarial.tsv", &bad, &missed_urgent);
    assert_true(n >= 40);
    assert_int_equal(missed_urgent, 0);
    assert_int_equal(bad, 0);
}

static void reasons_name_the_defect_words_and_numbers(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("manufacturing");
    struct sev_result r;
    judge(f, "pedal", "送货1000对，不良320对，反光片都掉了", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0,
          &r);
    assert_int_equal(r.severity, SEV_BATCH);
    assert_string_equal(r.defect, "reflector_off");
    assert_int_equal(r.delivered, 1000);
    assert_int_equal(r.defective, 320);
    assert_int_equal(r.ratio_permille, 320);
    assert_int_equal(r.response_level, 2);
    bool ratio = false;
    for (int i = 0; i < r.n_reasons; i++)
        if (r.reasons[i].rule == SEV_RULE_RATIO) {
            ratio = true;
            assert_non_null(strstr(r.reasons[i].detail, "320/1000"));
        }
    assert_true(ratio);
    assert_non_null(r.guidance);
    assert_string_equal(r.category, "quality");
    fixture_free(f);
}

static void quantities_in_words_and_shares(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("manufacturing");
    struct sev_result r;
    static const struct {
        const char *text;
        int permille;
    } cases[] = {
        {"同心度偏差，比例约40%", 400},
        {"同心度偏差，一半以上都这样", 500},
        {"300对里有100对同心度偏差", 333},
        {"送货三百套，其中九十套同心度偏差", 300},
        {"到货一千二百个，发现同心度偏差的有三百六十个", 300},
        {"同心度偏差大概有三成", 300},
        {"同心度偏差占百分之二十", 200},
        {"1000个中有50个同心度偏差", 50},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        judge(f, "bb", cases[i].text, SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
        if (r.ratio_permille != cases[i].permille) {
            dump(&r);
            fail_msg("%s: ratio %d, want %d", cases[i].text, r.ratio_permille, cases[i].permille);
        }
        assert_int_equal(r.severity, cases[i].permille >= 300 ? SEV_BATCH : SEV_GENERAL);
    }
    fixture_free(f);
}

static void negated_injury_is_not_urgent(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("manufacturing");
    struct sev_result r;
    judge(f, "pedal", "反光片脱落，幸好没有人受伤", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
    assert_false(r.urgent);
    assert_int_equal(r.severity, SEV_GENERAL);
    judge(f, "pedal", "没有造成人员受伤", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
    assert_false(r.urgent);
    judge(f, "pedal", "骑行时踏板断了，人摔倒受伤", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
    assert_true(r.urgent);
    assert_int_equal(r.response_level, 1);
    assert_int_equal(r.severity, SEV_SERIOUS);
    judge(f, "pedal", "无法骑行导致摔倒", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
    assert_true(r.urgent);
    judge(f, "pedal", "芯轴没有断，只是反光片掉了", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
    assert_int_equal(r.severity, SEV_GENERAL);
    assert_string_equal(r.defect, "reflector_off");
    fixture_free(f);
}

static void repeat_threshold_is_the_third_time(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("manufacturing");
    struct sev_result r;
    judge(f, "pedal", "唛头写错", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 1, &r);
    assert_int_equal(r.severity, SEV_GENERAL);
    judge(f, "pedal", "唛头写错", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 2, &r);
    assert_int_equal(r.severity, SEV_SERIOUS);
    judge(f, "pedal", "这个月第三次唛头写错了", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
    assert_int_equal(r.severity, SEV_SERIOUS);
    fixture_free(f);
}

static void product_found_in_text_and_unknown_product_refused(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("manufacturing");
    struct sev_result r;
    judge(f, NULL, "收到的中轴组高偏低装不上", SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
    assert_string_equal(r.product, "bb");
    assert_string_equal(r.defect, "height_low");
    struct sev_input in;
    struct ks_error err = {0};
    sev_input_init(&in);
    in.product = "saddle";
    in.text = "坏了";
    assert_int_equal(severity_judge(f->e, &in, &r, &err), KS_EINVAL);
    assert_string_equal(err.field, "product");
    in.product = "脚踏";
    in.delivered = 10;
    in.defective = 11;
    assert_int_equal(severity_judge(f->e, &in, &r, &err), KS_EINVAL);
    assert_string_equal(err.field, "defective");
    /* Found by fuzzing: a huge delivery overflowed the per-mille arithmetic. */
    in.delivered = INT64_C(7378586282456685158);
    in.defective = 1;
    assert_int_equal(severity_judge(f->e, &in, &r, &err), KS_EINVAL);
    assert_string_equal(err.field, "delivered");
    in.delivered = SEV_QTY_UNKNOWN;
    in.defective = SEV_QTY_UNKNOWN;
    in.text = "\xff\xfe";
    assert_int_equal(severity_judge(f->e, &in, &r, &err), KS_EINVAL);
    fixture_free(f);
}

static void long_text_is_judged(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("manufacturing");
    size_t n = 3000;
    char *text = malloc(n * 3 + 64);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(text + o, "好", 3);
        o += 3;
    }
    memcpy(text + o, "芯轴断裂", strlen("芯轴断裂") + 1);
    struct sev_result r;
    judge(f, "pedal", text, SEV_QTY_UNKNOWN, SEV_QTY_UNKNOWN, 0, &r);
    assert_int_equal(r.severity, SEV_SERIOUS);
    free(text);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_standard_cases_all_pass),
        cmocka_unit_test(telecom_category_cases_all_pass),
        cmocka_unit_test(reasons_name_the_defect_words_and_numbers),
        cmocka_unit_test(quantities_in_words_and_shares),
        cmocka_unit_test(negated_injury_is_not_urgent),
        cmocka_unit_test(repeat_threshold_is_the_third_time),
        cmocka_unit_test(product_found_in_text_and_unknown_product_refused),
        cmocka_unit_test(long_text_is_judged),
        cmocka_unit_test(paraphrases_pass),
        cmocka_unit_test(adversarial_cases_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
