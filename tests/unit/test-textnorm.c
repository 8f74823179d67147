/* Text normalisation: the forms customers type (full-width letters and digits, spaces,
 * Chinese and ASCII punctuation, traditional characters) meet the preset's words in one form. */
#include <string.h>

#include "harness/harness.h"
#include "core/textnorm.h"
#include "lib/banned.h"

static void norm_is(const char *in, const char *want)
{
    char out[256];
    size_t n = textnorm(in, strlen(in), out, sizeof out);
    assert_int_equal(n, strlen(out));
    if (strcmp(out, want) != 0)
        fail_msg("textnorm(\"%s\") = \"%s\", want \"%s\"", in, out, want);
}

static void forms_people_type_become_one(void **state)
{
    (void)state;
    norm_is("ＰＥＤＡＬ 反光片 脱 落", "pedal反光片脱落");
    norm_is("送货１０００对，不良３２０对。", "送货1000对,不良320对");
    norm_is("比例约40.5%！", "比例约40.5%");
    norm_is("芯軸斷裂", "芯轴断裂");
    norm_is("  「唛头」写错……  ", "唛头,写错");
    norm_is("第一句。第二句，第三句", "第一句;第二句,第三句");
    norm_is("4G 信号", "4g信号");
    norm_is("no injury", "no injury");
    norm_is("1/3的货", "1/3的货");
    norm_is("a~b", "a,b");
    norm_is("，，。开头", "开头");
    norm_is("", "");
}

static void output_fits_and_stops_at_a_character(void **state)
{
    (void)state;
    const char *in = "芯轴断裂";
    char out[8];
    size_t n = textnorm(in, strlen(in), out, sizeof out);
    assert_int_equal(n, 6); /* two characters; a third would not fit with the NUL */
    assert_string_equal(out, "芯轴");
    char big[64];
    assert_int_equal(textnorm("\xff"
                              "ab",
                              3, big, sizeof big),
                     3); /* invalid byte kept */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forms_people_type_become_one),
        cmocka_unit_test(output_fits_and_stops_at_a_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
