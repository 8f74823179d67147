/* Civil dates and instants (src/lib/civil.c): day numbers both ways, weekdays, RFC 3339 and
 * local-time parsing, refusal of impossible dates and times, and printing at an offset. */
#include "harness/harness.h"

#include <string.h>

#include "lib/civil.h"

static struct ks_date ymd(int y, int m, int d)
{
    struct ks_date r = {y, m, d};
    return r;
}

static void known_day_numbers(void **state)
{
    assert_int_equal(civil_to_days(ymd(1970, 1, 1)), 0);
    assert_int_equal(civil_to_days(ymd(1969, 12, 31)), -1);
    assert_int_equal(civil_to_days(ymd(2000, 3, 1)), 11017);
    assert_int_equal(civil_to_days(ymd(2026, 10, 11)), 20737);
    assert_int_equal(civil_to_days(ymd(1, 1, 1)), -719162);
    assert_int_equal(civil_to_days(ymd(9999, 12, 31)), 2932896);
}

/* Every day from year 1 to 9999 converts to its number and back, and consecutive days have
 * consecutive numbers. */
static void days_round_trip_over_the_whole_range(void **state)
{
    int64_t first = civil_to_days(ymd(1, 1, 1));
    int64_t last = civil_to_days(ymd(9999, 12, 31));
    struct ks_date prev = civil_from_days(first - 1);

    assert_true(prev.y == 0 && prev.m == 12 && prev.d == 31);
    for (int64_t z = first; z <= last; z++) {
        struct ks_date d = civil_from_days(z);
        if (!civil_is_valid(d) || civil_to_days(d) != z || civil_cmp(prev, d) >= 0)
            fail_msg("day %lld -> %04d-%02d-%02d", (long long)z, d.y, d.m, d.d);
        prev = d;
    }
}

static void validity_of_dates(void **state)
{
    assert_true(civil_is_valid(ymd(2024, 2, 29)));
    assert_true(civil_is_valid(ymd(2000, 2, 29)));
    assert_false(civil_is_valid(ymd(2026, 2, 29)));
    assert_false(civil_is_valid(ymd(2100, 2, 29)));
    assert_false(civil_is_valid(ymd(2026, 2, 30)));
    assert_false(civil_is_valid(ymd(2026, 4, 31)));
    assert_true(civil_is_valid(ymd(2026, 12, 31)));
    assert_false(civil_is_valid(ymd(2026, 13, 1)));
    assert_false(civil_is_valid(ymd(2026, 0, 1)));
    assert_false(civil_is_valid(ymd(2026, 1, 0)));
    assert_false(civil_is_valid(ymd(0, 1, 1)));
}

static void weekdays(void **state)
{
    assert_int_equal(civil_weekday(ymd(1970, 1, 1)), 4);   /* thursday */
    assert_int_equal(civil_weekday(ymd(1969, 12, 31)), 3); /* before the epoch */
    assert_int_equal(civil_weekday(ymd(1900, 1, 1)), 1);
    assert_int_equal(civil_weekday(ymd(2026, 10, 1)), 4);
    assert_int_equal(civil_weekday(ymd(2026, 10, 10)), 6); /* the adjusted working saturday */
    assert_int_equal(civil_weekday(ymd(2026, 10, 11)), 7);
    assert_int_equal(civil_weekday(ymd(2026, 10, 12)), 1);
    /* Seven days on is the same weekday, over the epoch and over leap days. */
    for (struct ks_date d = ymd(1960, 1, 1); d.y < 1980; d = civil_add_days(d, 1))
        assert_int_equal(civil_weekday(civil_add_days(d, 7)), civil_weekday(d));
}

static void adding_days_crosses_months_and_years(void **state)
{
    struct ks_date d = civil_add_days(ymd(2025, 12, 31), 1);
    assert_true(d.y == 2026 && d.m == 1 && d.d == 1);
    d = civil_add_days(ymd(2024, 2, 28), 1);
    assert_true(d.y == 2024 && d.m == 2 && d.d == 29);
    d = civil_add_days(ymd(2026, 3, 1), -1);
    assert_true(d.y == 2026 && d.m == 2 && d.d == 28);
    d = civil_add_days(ymd(2026, 9, 30), 10);
    assert_true(d.y == 2026 && d.m == 10 && d.d == 10);
    assert_int_equal(civil_cmp(ymd(2026, 1, 1), ymd(2025, 12, 31)), 1);
    assert_int_equal(civil_cmp(ymd(2025, 12, 31), ymd(2026, 1, 1)), -1);
    assert_int_equal(civil_cmp(ymd(2026, 1, 1), ymd(2026, 1, 1)), 0);
}

static void dates_parse_and_print(void **state)
{
    struct ks_date d = {0, 0, 0};
    struct ks_error err = {0};
    char s[KS_DATE_STRLEN];

    assert_int_equal(civil_parse_date("2026-10-11", "date", &d, &err), 0);
    assert_true(d.y == 2026 && d.m == 10 && d.d == 11);
    civil_format_date(d, s);
    assert_string_equal(s, "2026-10-11");
    civil_format_date(ymd(5, 1, 2), s);
    assert_string_equal(s, "0005-01-02");

    assert_int_equal(civil_parse_date("2026-02-30", "received_on", &d, &err), KS_EINVAL);
    assert_string_equal(err.field, "received_on");
    assert_string_equal(err.message, "received_on: '2026-02-30' is not a real calendar date");
    assert_int_equal(civil_parse_date("2026-2-3", "date", &d, &err), KS_EINVAL);
    assert_string_equal(err.message, "date: '2026-2-3' is not a date like 2026-11-28");
    assert_int_equal(civil_parse_date("2026-10-11x", "date", &d, &err), KS_EINVAL);
    assert_int_equal(civil_parse_date("2026/10/11", "date", &d, &err), KS_EINVAL);
    assert_int_equal(civil_parse_date("", "date", &d, &err), KS_EINVAL);
    assert_int_equal(civil_parse_date(NULL, NULL, &d, &err), KS_EINVAL);
}

/* 2026-11-28T09:30:00+08:00 = 2026-11-28T01:30:00Z. */
#define T0 INT64_C(1795829400)

static const struct {
    const char *text;
    int default_offset;
    int64_t want;
} good_times[] = {
    {"2026-11-28T09:30:00+08:00", 0, T0},
    {"2026-11-28T01:30:00Z", 480, T0},
    {"2026-11-28t01:30:00z", 480, T0},
    {"2026-11-28T01:30:00.123456Z", 480, T0},
    {"2026-11-28T09:30:00.5+08:00", 0, T0},
    {"2026-11-27T20:30:00-05:00", 480, T0},
    {"2026-11-28T07:15:00+05:45", 480, T0},
    {"2026-11-28 09:30", 480, T0},
    {"2026-11-28 09:30:00", 480, T0},
    {"2026-11-28T09:30", 480, T0},
    {"2026-11-28T09:30:00", 480, T0},
    {"2026-11-28 01:30", 0, T0},
    {"2026-11-28", 480, INT64_C(1795795200)},           /* local midnight: 16:00Z the day before */
    {"2026-12-31T23:59:60Z", 480, INT64_C(1798761599)}, /* a leap second reads as :59 */
    {"1970-01-01T00:00:00Z", 480, 0},
    {"1969-12-31T23:59:59Z", 480, -1},
};

static const struct {
    const char *text;
    const char *want;
} bad_times[] = {
    /* Found by fuzzing: one second before year 10000 cannot be printed at +08:00. */
    {"9999-12-31T23:59:59Z", "is outside the years 0002-9998"},
    {"2026-02-30T10:00:00+08:00", "received_at: '2026-02-30T10:00:00+08:00' is not a real "
                                  "calendar date"},
    {"2026-11-28T25:00:00+08:00", "received_at: '2026-11-28T25:00:00+08:00' has an impossible "
                                  "time of day"},
    {"2026-11-28 24:00", "has an impossible time of day"},
    {"2026-11-28T09:60:00Z", "has an impossible time of day"},
    {"2026-11-28T09:30:61Z", "has an impossible time of day"},
    {"2026-11-28T09:30:00+0800", "is not a time like 2026-11-28T09:30:00+08:00"},
    {"2026-11-28T09:30:00+24:00", "is not a time like"},
    {"2026-11-28T09:30:00.Z", "is not a time like"},
    {"2026-11-28T9:30", "is not a time like"},
    {"2026-11-28T", "is not a time like"},
    {"2026-11-28Z", "is not a time like"},
    {"2026-11-28T09:30:00Z trailing", "is not a time like"},
    {"28/11/2026", "is not a time like"},
    {"", "is not a time like"},
};

static void instants_parse_from_rfc3339_and_local_forms(void **state)
{
    for (size_t i = 0; i < sizeof(good_times) / sizeof(good_times[0]); i++) {
        int64_t t = 0;
        struct ks_error err = {0};
        if (ks_time_parse(good_times[i].text, good_times[i].default_offset, "received_at", &t,
                          &err) < 0)
            fail_msg("'%s': %s", good_times[i].text, err.message);
        if (t != good_times[i].want)
            fail_msg("'%s': %lld, want %lld", good_times[i].text, (long long)t,
                     (long long)good_times[i].want);
    }
}

static void impossible_instants_are_refused(void **state)
{
    for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
        int64_t t = 0;
        struct ks_error err = {0};
        assert_int_equal(ks_time_parse(bad_times[i].text, 480, "received_at", &t, &err), KS_EINVAL);
        assert_int_equal(t, KS_TIME_NONE);
        assert_string_equal(err.field, "received_at");
        if (!strstr(err.message, bad_times[i].want))
            fail_msg("'%s': got '%s', want '%s'", bad_times[i].text, err.message,
                     bad_times[i].want);
    }
}

static void instants_print_at_an_offset(void **state)
{
    char s[KS_TIME_STRLEN];
    /* 24:00 of 2026-10-10 in Shanghai, the end of a working-day period. */
    int64_t t = ks_time_from_local(ymd(2026, 10, 10), 1440, 480);

    assert_int_equal(t, INT64_C(1791648000));
    assert_int_equal(t, ks_time_from_local(ymd(2026, 10, 11), 0, 480));
    assert_string_equal(ks_time_format(t, 480, s), "2026-10-11T00:00:00+08:00");
    assert_string_equal(ks_time_format(t, 0, s), "2026-10-10T16:00:00Z");
    assert_string_equal(ks_time_format(t, -300, s), "2026-10-10T11:00:00-05:00");
    assert_string_equal(ks_time_format(t, 345, s), "2026-10-10T21:45:00+05:45");
    assert_string_equal(ks_time_format(T0 + 59, 480, s), "2026-11-28T09:30:59+08:00");
    assert_string_equal(ks_time_format(-1, 0, s), "1969-12-31T23:59:59Z");
}

static void local_date_and_minute(void **state)
{
    int64_t t;

    /* Thursday 16:30 UTC is already friday 00:30 in Shanghai. */
    assert_int_equal(ks_time_parse("2026-03-05T16:30:00Z", 0, NULL, &t, NULL), 0);
    assert_int_equal(civil_cmp(ks_time_local_date(t, 480), ymd(2026, 3, 6)), 0);
    assert_int_equal(ks_time_local_minute(t, 480), 30);
    assert_int_equal(civil_cmp(ks_time_local_date(t, 0), ymd(2026, 3, 5)), 0);
    assert_int_equal(ks_time_local_minute(t, 0), 16 * 60 + 30);
    assert_int_equal(civil_cmp(ks_time_local_date(-1, 0), ymd(1969, 12, 31)), 0);
    assert_int_equal(ks_time_local_minute(-1, 0), 1439);
    assert_int_equal(civil_cmp(ks_time_local_date(0, -1), ymd(1969, 12, 31)), 0);
}

/* Printing then parsing gives the same instant, at several offsets, for a spread of instants. */
static void format_parse_round_trip(void **state)
{
    static const int offsets[] = {0, 480, -300, 345, -720, 840};
    for (int64_t t = -INT64_C(2000000000); t < INT64_C(4000000000); t += INT64_C(7777777)) {
        for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
            char s[KS_TIME_STRLEN];
            int64_t back = 0;
            ks_time_format(t, offsets[i], s);
            assert_int_equal(ks_time_parse(s, 0, "t", &back, NULL), 0);
            assert_int_equal(back, t);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_day_numbers),
        cmocka_unit_test(days_round_trip_over_the_whole_range),
        cmocka_unit_test(validity_of_dates),
        cmocka_unit_test(weekdays),
        cmocka_unit_test(adding_days_crosses_months_and_years),
        cmocka_unit_test(dates_parse_and_print),
        cmocka_unit_test(instants_parse_from_rfc3339_and_local_forms),
        cmocka_unit_test(impossible_instants_are_refused),
        cmocka_unit_test(instants_print_at_an_offset),
        cmocka_unit_test(local_date_and_minute),
        cmocka_unit_test(format_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
