/* Templates: placeholders are filled verbatim (a value with braces is not expanded again),
 * spaces inside braces are allowed, an unknown placeholder is an error naming it, output is
 * bounded, and every preset's templates (or the built-in ones) render with the known names. */
#include <string.h>

#include "harness/harness.h"
#include "core/template.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

static void placeholders_are_filled_verbatim(void **state)
{
    (void)state;
    struct tpl_var vars[] = {
        {"number", "KS20261128-0001"}, {"customer_name", "张三{{number}}"}, {"due_at", NULL}};
    struct buf b;
    buf_init(&b, 1024);
    struct ks_error err = {0};
    assert_int_equal(tpl_render("尊敬的{{customer_name}}：编号{{ number }}，{{due_at}}前答复。",
                                vars, 3, &b, &err),
                     0);
    assert_string_equal(buf_str(&b), "尊敬的张三{{number}}：编号KS20261128-0001，前答复。");
    buf_release(&b);
}

static void mistakes_are_errors_and_leave_the_output_alone(void **state)
{
    (void)state;
    struct tpl_var vars[] = {{"number", "KS20261128-0001"}};
    struct buf b;
    buf_init(&b, 20);
    buf_adds(&b, "x");
    struct ks_error err = {0};
    assert_int_equal(tpl_render("编号{{numbr}}", vars, 1, &b, &err), KS_EINVAL);
    assert_string_equal(err.message, "template: unknown placeholder '{{numbr}}'");
    assert_int_equal(tpl_render("编号{{number", vars, 1, &b, &err), KS_EINVAL);
    assert_non_null(strstr(err.message, "not closed"));
    assert_int_equal(tpl_render("{{number}}{{number}}", vars, 1, &b, &err), KS_ELIMIT);
    assert_string_equal(buf_str(&b), "x");
    assert_int_equal(tpl_check("{{survey_url}} {{due_at}}", &err), 0);
    assert_int_equal(tpl_check("{{password}}", &err), KS_EINVAL);
    buf_release(&b);
}

static void every_preset_has_the_three_customer_messages(void **state)
{
    (void)state;
    const char *names[] = {"bank", "telecom", "transport", "generic", "manufacturing"};
    const char *codes[] = {"ack", "progress", "reply"};
    struct tpl_var vars[] = {
        {"number", "KS20261128-0001"},  {"customer_name", "李四"},
        {"due_at", "2026-11-29 09:30"}, {"survey_url", "https://kesu.example/s/abc"},
        {"status", "调查中"},           {"reply", "已更换。"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct preset p;
        struct ks_error err = {0};
        assert_int_equal(preset_load_named(names[i], &p, &err), 0);
        for (size_t k = 0; k < 3; k++) {
            const struct preset_template *t = preset_template_find(&p, codes[k]);
            assert_non_null(t);
            struct buf b;
            buf_init(&b, 4096);
            if (tpl_render(t->body, vars, 6, &b, &err) < 0)
                fail_msg("%s %s: %s", names[i], codes[k], err.message);
            assert_non_null(strstr(buf_str(&b), "KS20261128-0001"));
            if (k == 2)
                assert_non_null(strstr(buf_str(&b), "https://kesu.example/s/abc"));
            buf_release(&b);
        }
        assert_null(preset_template_find(&p, "nope"));
        preset_release(&p);
    }
}

static void preset_templates_are_checked_when_loaded(void **state)
{
    (void)state;
    static const char good[] =
        "name: t\ntemplates:\n"
        "  - {code: ack, subject: '受理 {{number}}', body: '您好{{customer_name}}'}\n";
    static const char bad[] = "name: t\ntemplates:\n"
                              "  - {code: ack, body: '您好{{name}}'}\n";
    struct preset p;
    struct ks_error err = {0};
    assert_int_equal(preset_load_buffer(good, strlen(good), "t.yaml", &p, &err), 0);
    assert_string_equal(preset_template_find(&p, "ack")->body, "您好{{customer_name}}");
    assert_non_null(preset_template_find(&p, "reply")); /* the built-in one */
    preset_release(&p);
    assert_int_equal(preset_load_buffer(bad, strlen(bad), "t.yaml", &p, &err), KS_ECONFIG);
    assert_non_null(strstr(err.message, "t.yaml:3"));
    assert_non_null(strstr(err.message, "'{{name}}'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(placeholders_are_filled_verbatim),
        cmocka_unit_test(mistakes_are_errors_and_leave_the_output_alone),
        cmocka_unit_test(every_preset_has_the_three_customer_messages),
        cmocka_unit_test(preset_templates_are_checked_when_loaded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
