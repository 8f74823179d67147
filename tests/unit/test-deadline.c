/* Deadlines: the Civil Code table (cases/deadline.tsv), explanations, period parsing, and stage
 * clocks that pause, resume, extend and breach. Every instant is fixed; nothing reads a clock. */
#include "harness/harness.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/deadline.h"
#include "lib/embed.h"

#define SHANGHAI 480

static const struct dl_zone zone_24 = {SHANGHAI, -1};
static const struct dl_zone zone_1730 = {SHANGHAI, 17 * 60 + 30};

static int setup_calendar(void **state)
{
    const struct embed_file *f = embed_find("data/cn-calendar.csv");
    struct calendar *cal = malloc(sizeof(*cal));
    struct ks_error err = {0};

    calendar_init(cal);
    if (!f || calendar_load_csv(cal, (const char *)f->data, f->size, f->name, &err) < 0)
        return -1;
    *state = cal;
    return 0;
}

static int teardown_calendar(void **state)
{
    calendar_release(*state);
    free(*state);
    return 0;
}

static int64_t at(const char *s)
{
    int64_t t;
    struct ks_error err = {0};
    if (ks_time_parse(s, SHANGHAI, "time", &t, &err) < 0)
        fail_msg("%s", err.message);
    return t;
}

static const char *show(int64_t t, char out[KS_TIME_STRLEN])
{
    return ks_time_format(t, SHANGHAI, out);
}

static struct ks_date date_of(const char *s)
{
    struct ks_date d = {0, 0, 0};
    assert_int_equal(civil_parse_date(s, "date", &d, NULL), 0);
    return d;
}

static void civil_code_table(void **state)
{
    const struct calendar *cal = *state;
    char *path = th_src_path("tests/unit/cases/deadline.tsv");
    struct th_table t;
    size_t c_from, c_unit, c_n, c_close, c_want;

    th_table_load(&t, path, '\t');
    c_from = th_table_col(&t, "from");
    c_unit = th_table_col(&t, "unit");
    c_n = th_table_col(&t, "n");
    c_close = th_table_col(&t, "business_close");
    c_want = th_table_col(&t, "expected");
    assert_true(t.n_rows > 30);
    for (size_t r = 1; r < t.n_rows; r++) {
        char **cell = t.cells[r];
        struct dl_zone zone = {SHANGHAI, -1};
        struct dl_period p;
        struct ks_error err = {0};
        char got[KS_TIME_STRLEN];
        int64_t due = 0;
        int rc;

        if (dl_unit_parse(cell[c_unit], &p.unit, &err) < 0)
            fail_msg("deadline.tsv:%d: %s", t.line[r], err.message);
        p.n = (int)strtol(cell[c_n], NULL, 10);
        if (strcmp(cell[c_close], "-") != 0) {
            int h = (int)strtol(cell[c_close], NULL, 10);
            int m = (int)strtol(cell[c_close] + 3, NULL, 10);
            zone.business_close_min = h * 60 + m;
        }
        rc = deadline_add(cal, &zone, at(cell[c_from]), p, &due, NULL, &err);
        if (rc == 0) {
            show(due, got);
            if (strcmp(got, cell[c_want]) != 0)
                fail_msg("deadline.tsv:%d: %s + %s %s: due %s, want %s", t.line[r], cell[c_from],
                         cell[c_n], cell[c_unit], got, cell[c_want]);
        } else {
            assert_int_equal(rc, KS_EINVAL);
            assert_int_equal(due, KS_TIME_NONE);
            if (!strstr(err.message, cell[c_want]))
                fail_msg("deadline.tsv:%d: %s + %s %s: error '%s', want '%s'", t.line[r],
                         cell[c_from], cell[c_n], cell[c_unit], err.message, cell[c_want]);
        }
    }
    th_table_free(&t);
    free(path);
}

static void national_day_explains_the_skipped_holidays(void **state)
{
    struct dl_explain ex;
    struct dl_period p = {DL_WORKDAYS, 3};
    char s[KS_TIME_STRLEN];
    int64_t due;

    assert_int_equal(
        deadline_add(*state, &zone_24, at("2026-09-30T10:00:00+08:00"), p, &due, &ex, NULL), 0);
    assert_string_equal(show(due, s), "2026-10-11T00:00:00+08:00");
    assert_int_equal(civil_cmp(ex.start_date, date_of("2026-09-30")), 0);
    assert_int_equal(civil_cmp(ex.last_day, date_of("2026-10-10")), 0);
    assert_false(ex.moved_off_restday);
    assert_false(ex.business_close);
    assert_false(ex.skips_truncated);
    assert_int_equal(ex.n_skips, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(civil_cmp(ex.skips[i].date, civil_add_days(date_of("2026-10-01"), i)), 0);
        assert_int_equal(ex.skips[i].reason, CAL_R_HOLIDAY);
        assert_string_equal(ex.skips[i].name, "National Day");
    }
}

static void weekend_skips_have_no_name(void **state)
{
    struct dl_explain ex;
    struct dl_period p = {DL_WORKDAYS, 1};
    int64_t due;

    assert_int_equal(
        deadline_add(*state, &zone_1730, at("2026-03-13T15:00:00+08:00"), p, &due, &ex, NULL), 0);
    assert_true(ex.business_close);
    assert_int_equal(ex.n_skips, 2);
    assert_int_equal(ex.skips[0].reason, CAL_R_WEEKEND);
    assert_null(ex.skips[0].name);
    assert_int_equal(civil_cmp(ex.skips[1].date, date_of("2026-03-15")), 0);
}

static void calendar_days_move_off_a_holiday(void **state)
{
    struct dl_explain ex;
    struct dl_period p = {DL_DAYS, 15};
    int64_t due;

    assert_int_equal(
        deadline_add(*state, &zone_24, at("2026-09-20T10:00:00+08:00"), p, &due, &ex, NULL), 0);
    assert_true(ex.moved_off_restday);
    assert_int_equal(ex.n_skips, 3); /* 10-05, 10-06, 10-07 */
    assert_int_equal(civil_cmp(ex.skips[0].date, date_of("2026-10-05")), 0);
    assert_int_equal(civil_cmp(ex.last_day, date_of("2026-10-08")), 0);
    /* Holidays before the last day do not matter for calendar days. */
    p.n = 10;
    assert_int_equal(
        deadline_add(*state, &zone_24, at("2026-09-20T10:00:00+08:00"), p, &due, &ex, NULL), 0);
    assert_false(ex.moved_off_restday);
    assert_int_equal(ex.n_skips, 0);
}

static void long_periods_truncate_the_explanation(void **state)
{
    struct dl_explain ex;
    struct dl_period p = {DL_WORKDAYS, 200};
    int64_t due;

    assert_int_equal(
        deadline_add(*state, &zone_24, at("2026-01-05T10:00:00+08:00"), p, &due, &ex, NULL), 0);
    assert_int_equal(ex.n_skips, DL_EXPLAIN_MAX_SKIPS);
    assert_true(ex.skips_truncated);
}

static void unknown_year_is_an_error_not_a_guess(void **state)
{
    struct dl_period p = {DL_DAYS, 15};
    struct ks_error err = {0};
    int64_t due = 0;

    assert_int_equal(
        deadline_add(*state, &zone_24, at("2026-12-20T10:00:00+08:00"), p, &due, NULL, &err),
        KS_EINVAL);
    assert_string_equal(err.message, "2027-01-04 is outside the known calendar (2020-2026)");
    assert_int_equal(due, KS_TIME_NONE);
}

static void org_rest_day_delays_the_deadline(void **state)
{
    struct calendar cal;
    const struct embed_file *f = embed_find("data/cn-calendar.csv");
    struct dl_period p = {DL_WORKDAYS, 1};
    struct dl_explain ex;
    char s[KS_TIME_STRLEN];
    int64_t due;

    calendar_init(&cal);
    assert_int_equal(calendar_load_csv(&cal, (const char *)f->data, f->size, f->name, NULL), 0);
    assert_int_equal(calendar_add_org_day(&cal, date_of("2026-03-16"), false, "公司年会", NULL), 0);
    assert_int_equal(
        deadline_add(&cal, &zone_24, at("2026-03-13T15:00:00+08:00"), p, &due, &ex, NULL), 0);
    assert_string_equal(show(due, s), "2026-03-18T00:00:00+08:00");
    assert_int_equal(ex.n_skips, 3);
    assert_int_equal(ex.skips[2].reason, CAL_R_ORG_REST);
    assert_string_equal(ex.skips[2].name, "公司年会");
    /* An org working Saturday brings it forward again. */
    assert_int_equal(calendar_add_org_day(&cal, date_of("2026-03-14"), true, "盘点", NULL), 0);
    assert_int_equal(
        deadline_add(&cal, &zone_24, at("2026-03-13T15:00:00+08:00"), p, &due, NULL, NULL), 0);
    assert_string_equal(show(due, s), "2026-03-15T00:00:00+08:00");
    calendar_release(&cal);
}

static void bad_zone_and_start_are_refused(void **state)
{
    struct dl_period p = {DL_WORKDAYS, 1};
    struct dl_zone z = {SHANGHAI, 0};
    struct ks_error err = {0};
    int64_t due;

    assert_int_equal(deadline_add(*state, &z, at("2026-03-10T09:00:00+08:00"), p, &due, NULL, &err),
                     KS_EINVAL);
    assert_string_equal(err.field, "business_close_min");
    z.business_close_min = 1441;
    assert_int_equal(deadline_add(*state, &z, 0, p, &due, NULL, &err), KS_EINVAL);
    z.business_close_min = -1;
    z.utc_offset_min = 1440;
    assert_int_equal(deadline_add(*state, &z, 0, p, &due, NULL, &err), KS_EINVAL);
    assert_int_equal(deadline_add(*state, NULL, 0, p, &due, NULL, &err), KS_EINVAL);
    assert_int_equal(deadline_add(*state, &zone_24, KS_TIME_NONE, p, &due, NULL, &err), KS_EINVAL);
    assert_string_equal(err.field, "from");
}

static const struct {
    const char *text;
    enum dl_unit unit;
    int n;
} good_periods[] = {
    {"24h", DL_HOURS, 24},
    {"24 hours", DL_HOURS, 24},
    {"1 hour", DL_HOURS, 1},
    {"3wd", DL_WORKDAYS, 3},
    {"3 workdays", DL_WORKDAYS, 3},
    {"1 workday", DL_WORKDAYS, 1},
    {"15d", DL_DAYS, 15},
    {"15 days", DL_DAYS, 15},
    {"1 day", DL_DAYS, 1},
    {"24小时", DL_HOURS, 24},
    {"3个工作日", DL_WORKDAYS, 3},
    {"15日", DL_DAYS, 15},
    {"15天", DL_DAYS, 15},
    {"10 工作日", DL_WORKDAYS, 10},
    {"  5 WD  ", DL_WORKDAYS, 5},
    {"\t7\tDays\t", DL_DAYS, 7},
    {"10 working days", DL_WORKDAYS, 10},
    {"5　个工作日　", DL_WORKDAYS, 5}, /* ideographic spaces */
    {"87600h", DL_HOURS, 87600},
    {"3650 days", DL_DAYS, 3650},
    {"007d", DL_DAYS, 7},
};

static const struct {
    const char *text;
    const char *want;
} bad_periods[] = {
    {"0 days", "period: '0 days' must be at least 1"},
    {"0h", "must be at least 1"},
    {"-3 days", "period: '-3 days' is negative"},
    {"-1h", "is negative"},
    {"abc", "period: 'abc' is not a period like 24h, 3 workdays, 15 days"},
    {"", "is not a period like"},
    {"1.5 days", "is not a period like"},
    {"days 3", "is not a period like"},
    {"3", "period: '3' has no unit"},
    {"3 weeks", "period: '3 weeks' has an unknown unit"},
    {"3 wd x", "has an unknown unit"},
    {"3651 days", "period: '3651 days' is more than 3650 days"},
    {"3651 workdays", "is more than 3650 workdays"},
    {"87601 hours", "is more than 87600 hours"},
    {"99999999999999999999 days", "is more than 3650 days"},
};

static void periods_parse_in_english_and_chinese(void **state)
{
    for (size_t i = 0; i < sizeof(good_periods) / sizeof(good_periods[0]); i++) {
        struct dl_period p = {DL_HOURS, 0};
        struct ks_error err = {0};
        if (dl_period_parse(good_periods[i].text, &p, &err) < 0)
            fail_msg("'%s': %s", good_periods[i].text, err.message);
        if (p.unit != good_periods[i].unit || p.n != good_periods[i].n)
            fail_msg("'%s': got %d %s", good_periods[i].text, p.n, dl_unit_name(p.unit));
    }
}

static void bad_periods_are_refused_with_a_reason(void **state)
{
    for (size_t i = 0; i < sizeof(bad_periods) / sizeof(bad_periods[0]); i++) {
        struct dl_period p = {DL_DAYS, 9};
        struct ks_error err = {0};
        assert_int_equal(dl_period_parse(bad_periods[i].text, &p, &err), KS_EINVAL);
        assert_string_equal(err.field, "period");
        if (!strstr(err.message, bad_periods[i].want))
            fail_msg("'%s': got '%s', want '%s'", bad_periods[i].text, err.message,
                     bad_periods[i].want);
        assert_int_equal(p.n, 0);
    }
}

static void periods_format_and_parse_back(void **state)
{
    char s[32];
    struct dl_period back;
    enum dl_unit u;
    struct ks_error err = {0};

    dl_period_format((struct dl_period){DL_WORKDAYS, 3}, s, sizeof(s));
    assert_string_equal(s, "3 workdays");
    dl_period_format((struct dl_period){DL_HOURS, 1}, s, sizeof(s));
    assert_string_equal(s, "1 hour");
    dl_period_format((struct dl_period){DL_DAYS, 15}, s, sizeof(s));
    assert_string_equal(s, "15 days");
    for (int unit = DL_HOURS; unit <= DL_WORKDAYS; unit++) {
        for (int n = 1; n <= 3650; n += 73) {
            dl_period_format((struct dl_period){(enum dl_unit)unit, n}, s, sizeof(s));
            assert_int_equal(dl_period_parse(s, &back, NULL), 0);
            assert_int_equal(back.unit, unit);
            assert_int_equal(back.n, n);
        }
        assert_int_equal(dl_unit_parse(dl_unit_name((enum dl_unit)unit), &u, NULL), 0);
        assert_int_equal(u, unit);
    }
    assert_int_equal(dl_unit_parse("工作日", &u, NULL), 0);
    assert_int_equal(u, DL_WORKDAYS);
    assert_int_equal(dl_unit_parse("weeks", &u, &err), KS_EINVAL);
    assert_string_equal(err.message, "unit: 'weeks' is not hours, days or workdays");
}

/* Stage clocks. */

static struct stage_clock started(const struct calendar *cal, const char *now, enum dl_unit unit,
                                  int n)
{
    struct stage_clock clk;
    struct ks_error err = {0};
    struct dl_period p = {unit, n};
    if (stage_clock_start(&clk, cal, &zone_24, at(now), p, &err) < 0)
        fail_msg("%s", err.message);
    return clk;
}

static void expect_due(const struct stage_clock *clk, const char *want)
{
    char s[KS_TIME_STRLEN];
    assert_string_equal(show(clk->due_at, s), want);
}

static void clock_starts_with_the_deadline(void **state)
{
    struct stage_clock clk = started(*state, "2026-09-30T10:00:00+08:00", DL_WORKDAYS, 3);

    expect_due(&clk, "2026-10-11T00:00:00+08:00");
    assert_int_equal(clk.started_at, at("2026-09-30T10:00:00+08:00"));
    assert_int_equal(clk.paused_at, KS_TIME_NONE);
    assert_int_equal(clk.met_at, KS_TIME_NONE);
    assert_int_equal(clk.paused_secs, 0);
    assert_false(clk.extended);
}

static void hours_clock_gives_back_exact_paused_time(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-10T09:00:00+08:00", DL_HOURS, 24);
    struct ks_error err = {0};

    assert_int_equal(stage_clock_pause(&clk, at("2026-03-10T10:00:00+08:00"), &err), 0);
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-10T11:00:00+08:00"), &err), KS_ECONFLICT);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-10T13:30:00+08:00"), &err),
                     0);
    expect_due(&clk, "2026-03-11T12:30:00+08:00");
    assert_int_equal(clk.paused_secs, 3 * 3600 + 1800);
    assert_int_equal(clk.paused_at, KS_TIME_NONE);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-10T14:00:00+08:00"), &err),
                     KS_ECONFLICT);
    assert_string_equal(err.message, "clock: not paused");
}

static void workday_pause_within_one_day_moves_nothing(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-10T09:00:00+08:00", DL_WORKDAYS, 3);

    expect_due(&clk, "2026-03-14T00:00:00+08:00");
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-11T10:00:00+08:00"), NULL), 0);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-11T16:00:00+08:00"), NULL),
                     0);
    expect_due(&clk, "2026-03-14T00:00:00+08:00");
    assert_int_equal(clk.paused_secs, 6 * 3600);
}

static void workday_pause_gives_back_the_working_days_it_covered(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-10T09:00:00+08:00", DL_WORKDAYS, 3);

    /* Paused wednesday, resumed the next monday: thu, fri and mon are given back (the weekend
     * was not working time anyway), so the end moves from friday 03-13 to wednesday 03-18. */
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-11T10:00:00+08:00"), NULL), 0);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-16T09:00:00+08:00"), NULL),
                     0);
    expect_due(&clk, "2026-03-19T00:00:00+08:00");
}

static void workday_pause_over_the_golden_week(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-09-28T09:00:00+08:00", DL_WORKDAYS, 5);

    /* Due: 09-29, 09-30, 10-08, 10-09, 10-10 -> 24:00 of 10-10. */
    expect_due(&clk, "2026-10-11T00:00:00+08:00");
    /* Paused 09-29, resumed 10-09: given back 09-30, 10-08, 10-09 (3 working days; the seven
     * holidays cost nothing). From 10-10: 10-12, 10-13, 10-14. */
    assert_int_equal(stage_clock_pause(&clk, at("2026-09-29T11:00:00+08:00"), NULL), 0);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-10-09T09:00:00+08:00"), NULL),
                     0);
    expect_due(&clk, "2026-10-15T00:00:00+08:00");
}

static void calendar_day_pause_gives_back_calendar_days(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-01T10:00:00+08:00", DL_DAYS, 15);

    expect_due(&clk, "2026-03-17T00:00:00+08:00");
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-05T10:00:00+08:00"), NULL), 0);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-07T10:00:00+08:00"), NULL),
                     0);
    /* Two days back: monday 03-16 -> wednesday 03-18. */
    expect_due(&clk, "2026-03-19T00:00:00+08:00");
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-08T10:00:00+08:00"), NULL), 0);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-11T10:00:00+08:00"), NULL),
                     0);
    /* Three days back: 03-18 + 3 = saturday 03-21, moved to monday 03-23. */
    expect_due(&clk, "2026-03-24T00:00:00+08:00");
}

static void business_close_survives_a_resume(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk;
    char s[KS_TIME_STRLEN];

    assert_int_equal(stage_clock_start(&clk, cal, &zone_1730, at("2026-03-10T09:00:00+08:00"),
                                       (struct dl_period){DL_WORKDAYS, 3}, NULL),
                     0);
    assert_string_equal(show(clk.due_at, s), "2026-03-13T17:30:00+08:00");
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-11T10:00:00+08:00"), NULL), 0);
    assert_int_equal(
        stage_clock_resume(&clk, cal, &zone_1730, at("2026-03-12T10:00:00+08:00"), NULL), 0);
    assert_string_equal(show(clk.due_at, s), "2026-03-16T17:30:00+08:00");
}

static void resume_into_an_unknown_year_keeps_the_clock_paused(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-12-21T09:00:00+08:00", DL_WORKDAYS, 3);
    struct stage_clock before;
    struct ks_error err = {0};

    expect_due(&clk, "2026-12-25T00:00:00+08:00");
    assert_int_equal(stage_clock_pause(&clk, at("2026-12-22T10:00:00+08:00"), NULL), 0);
    before = clk;
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-12-30T10:00:00+08:00"), &err),
                     KS_EINVAL);
    assert_string_equal(err.message, "2027-01-01 is outside the known calendar (2020-2026)");
    assert_memory_equal(&clk, &before, sizeof(clk));
}

static void extension_once_and_only_longer(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-10T09:00:00+08:00", DL_WORKDAYS, 5);
    struct ks_error err = {0};
    int64_t direct;

    expect_due(&clk, "2026-03-18T00:00:00+08:00");
    assert_int_equal(
        stage_clock_extend(&clk, cal, &zone_24, (struct dl_period){DL_WORKDAYS, 5}, &err),
        KS_EINVAL);
    assert_string_equal(err.message, "period: '5 workdays' is not longer than '5 workdays'");
    assert_int_equal(stage_clock_extend(&clk, cal, &zone_24, (struct dl_period){DL_DAYS, 30}, &err),
                     KS_EINVAL);
    assert_non_null(strstr(err.message, "is not in the unit of the current '5 workdays'"));
    assert_int_equal(
        stage_clock_extend(&clk, cal, &zone_24, (struct dl_period){DL_WORKDAYS, 10}, &err), 0);
    assert_true(clk.extended);
    assert_int_equal(clk.period.n, 10);
    /* The same as a 10-working-day period from the start. */
    assert_int_equal(deadline_add(cal, &zone_24, clk.started_at,
                                  (struct dl_period){DL_WORKDAYS, 10}, &direct, NULL, NULL),
                     0);
    assert_int_equal(clk.due_at, direct);
    expect_due(&clk, "2026-03-25T00:00:00+08:00");
    assert_int_equal(
        stage_clock_extend(&clk, cal, &zone_24, (struct dl_period){DL_WORKDAYS, 20}, &err),
        KS_ECONFLICT);
    assert_string_equal(err.message, "clock: already extended once");
}

static void extension_keeps_the_days_a_pause_gave_back(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-10T09:00:00+08:00", DL_WORKDAYS, 5);

    /* Paused tuesday evening, resumed thursday: wed and thu given back, so the last day moves
     * from tuesday 03-17 to thursday 03-19. */
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-10T18:00:00+08:00"), NULL), 0);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-12T09:00:00+08:00"), NULL),
                     0);
    expect_due(&clk, "2026-03-20T00:00:00+08:00");
    assert_int_equal(
        stage_clock_extend(&clk, cal, &zone_24, (struct dl_period){DL_WORKDAYS, 10}, NULL), 0);
    /* Five more working days after thursday 03-19: 20, 23, 24, 25, 26. */
    expect_due(&clk, "2026-03-27T00:00:00+08:00");
    /* Hours clocks extend by clock time. */
    clk = started(cal, "2026-03-10T09:00:00+08:00", DL_HOURS, 24);
    assert_int_equal(
        stage_clock_extend(&clk, cal, &zone_24, (struct dl_period){DL_HOURS, 48}, NULL), 0);
    expect_due(&clk, "2026-03-12T09:00:00+08:00");
}

static void breach_is_judged_on_running_time(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-10T09:00:00+08:00", DL_HOURS, 24);

    assert_false(stage_clock_is_breached(&clk, at("2026-03-11T09:00:00+08:00")));
    assert_true(stage_clock_is_breached(&clk, at("2026-03-11T09:00:01+08:00")));
    /* Paused in time: it cannot run out while waiting for the customer. */
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-11T08:00:00+08:00"), NULL), 0);
    assert_false(stage_clock_is_breached(&clk, at("2026-03-20T00:00:00+08:00")));
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-12T08:00:00+08:00"), NULL),
                     0);
    assert_false(stage_clock_is_breached(&clk, at("2026-03-12T09:00:00+08:00")));
    assert_true(stage_clock_is_breached(&clk, at("2026-03-12T09:00:01+08:00")));

    /* Paused when already late: still late, pausing does not hide it. */
    clk = started(cal, "2026-03-10T09:00:00+08:00", DL_HOURS, 24);
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-11T10:00:00+08:00"), NULL), 0);
    assert_true(stage_clock_is_breached(&clk, at("2026-03-11T10:00:00+08:00")));

    /* Met in time stays met in time; met late stays late. */
    clk = started(cal, "2026-03-10T09:00:00+08:00", DL_HOURS, 24);
    stage_clock_meet(&clk, at("2026-03-11T08:59:59+08:00"));
    assert_false(stage_clock_is_breached(&clk, at("2026-12-31T00:00:00+08:00")));
    stage_clock_meet(&clk, at("2026-03-12T00:00:00+08:00")); /* a second meet changes nothing */
    assert_int_equal(clk.met_at, at("2026-03-11T08:59:59+08:00"));
    clk = started(cal, "2026-03-10T09:00:00+08:00", DL_HOURS, 24);
    stage_clock_meet(&clk, at("2026-03-11T10:00:00+08:00"));
    assert_true(stage_clock_is_breached(&clk, at("2026-03-11T10:00:00+08:00")));

    /* Met while paused (in time): the clock stopped when it paused. */
    clk = started(cal, "2026-03-10T09:00:00+08:00", DL_HOURS, 24);
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-10T12:00:00+08:00"), NULL), 0);
    stage_clock_meet(&clk, at("2026-03-15T12:00:00+08:00"));
    assert_false(stage_clock_is_breached(&clk, at("2026-03-15T12:00:00+08:00")));
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-20T00:00:00+08:00")), 125);
}

static void stopped_clocks_refuse_changes(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-10T09:00:00+08:00", DL_WORKDAYS, 3);
    struct ks_error err = {0};

    assert_int_equal(stage_clock_pause(&clk, at("2026-03-10T08:00:00+08:00"), &err), KS_EINVAL);
    stage_clock_meet(&clk, at("2026-03-11T09:00:00+08:00"));
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-11T10:00:00+08:00"), &err), KS_ECONFLICT);
    assert_string_equal(err.message, "clock: already stopped, cannot pause");
    assert_int_equal(
        stage_clock_extend(&clk, cal, &zone_24, (struct dl_period){DL_WORKDAYS, 5}, &err),
        KS_ECONFLICT);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-11T10:00:00+08:00"), &err),
                     KS_ECONFLICT);
    /* A clock that cannot start (unknown year) is an error, not a guess. */
    assert_int_equal(stage_clock_start(&clk, cal, &zone_24, at("2026-12-31T10:00:00+08:00"),
                                       (struct dl_period){DL_WORKDAYS, 1}, &err),
                     KS_EINVAL);
}

static void used_permille_counts_running_time(void **state)
{
    const struct calendar *cal = *state;
    struct stage_clock clk = started(cal, "2026-03-10T09:00:00+08:00", DL_HOURS, 24);

    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-10T08:00:00+08:00")), 0);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-10T09:00:00+08:00")), 0);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-10T15:00:00+08:00")), 250);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-11T03:00:00+08:00")), 750);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-11T09:00:00+08:00")), 1000);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-11T21:00:00+08:00")), 1500);
    /* Frozen while paused, and the pause does not count after resuming. */
    assert_int_equal(stage_clock_pause(&clk, at("2026-03-10T15:00:00+08:00"), NULL), 0);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-10T17:00:00+08:00")), 250);
    assert_int_equal(stage_clock_resume(&clk, cal, &zone_24, at("2026-03-10T18:00:00+08:00"), NULL),
                     0);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-10T18:00:00+08:00")), 250);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-11T00:00:00+08:00")), 500);
    /* Working-day clocks: half way through the window, about 500. */
    clk = started(cal, "2026-03-10T00:00:00+08:00", DL_WORKDAYS, 1);
    assert_int_equal(stage_clock_used_permille(&clk, at("2026-03-11T00:00:00+08:00")), 500);
    assert_true(stage_clock_used_permille(&clk, INT64_MAX / 2) > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(civil_code_table),
        cmocka_unit_test(national_day_explains_the_skipped_holidays),
        cmocka_unit_test(weekend_skips_have_no_name),
        cmocka_unit_test(calendar_days_move_off_a_holiday),
        cmocka_unit_test(long_periods_truncate_the_explanation),
        cmocka_unit_test(unknown_year_is_an_error_not_a_guess),
        cmocka_unit_test(org_rest_day_delays_the_deadline),
        cmocka_unit_test(bad_zone_and_start_are_refused),
        cmocka_unit_test(periods_parse_in_english_and_chinese),
        cmocka_unit_test(bad_periods_are_refused_with_a_reason),
        cmocka_unit_test(periods_format_and_parse_back),
        cmocka_unit_test(clock_starts_with_the_deadline),
        cmocka_unit_test(hours_clock_gives_back_exact_paused_time),
        cmocka_unit_test(workday_pause_within_one_day_moves_nothing),
        cmocka_unit_test(workday_pause_gives_back_the_working_days_it_covered),
        cmocka_unit_test(workday_pause_over_the_golden_week),
        cmocka_unit_test(calendar_day_pause_gives_back_calendar_days),
        cmocka_unit_test(business_close_survives_a_resume),
        cmocka_unit_test(resume_into_an_unknown_year_keeps_the_clock_paused),
        cmocka_unit_test(extension_once_and_only_longer),
        cmocka_unit_test(extension_keeps_the_days_a_pause_gave_back),
        cmocka_unit_test(breach_is_judged_on_running_time),
        cmocka_unit_test(stopped_clocks_refuse_changes),
        cmocka_unit_test(used_permille_counts_running_time),
    };
    return cmocka_run_group_tests(tests, setup_calendar, teardown_calendar);
}
