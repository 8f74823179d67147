/* The working-day calendar: every kind of day (table cases/calendar.tsv), organisation days
 * overriding the official ones, unknown years, and the loader's line-numbered errors. */
#include "harness/harness.h"

#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "lib/embed.h"

static struct ks_date date_of(const char *s)
{
    struct ks_date d = {0, 0, 0};
    struct ks_error err = {0};
    if (civil_parse_date(s, "date", &d, &err) < 0)
        fail_msg("%s", err.message);
    return d;
}

static void load_shared(struct calendar *cal)
{
    char *path = th_shared_path("data/cn-calendar.csv");
    size_t len;
    char *text = th_read_file(path, &len);
    struct ks_error err = {0};

    calendar_init(cal);
    if (calendar_load_csv(cal, text, len, "cn-calendar.csv", &err) < 0)
        fail_msg("%s", err.message);
    free(text);
    free(path);
}

static const char *reason_code(enum cal_reason r)
{
    static const char *const codes[] = {"weekday",  "weekend",  "holiday", "adjusted",
                                        "org-rest", "org-work", "unknown"};
    return codes[r];
}

static void every_kind_of_day_from_the_table(void **state)
{
    struct calendar cal;
    struct th_table t;
    char *path = th_src_path("tests/unit/cases/calendar.tsv");
    size_t c_date, c_kind, c_reason, c_name;

    load_shared(&cal);
    th_table_load(&t, path, '\t');
    c_date = th_table_col(&t, "date");
    c_kind = th_table_col(&t, "kind");
    c_reason = th_table_col(&t, "reason");
    c_name = th_table_col(&t, "name");
    assert_true(t.n_rows > 20);
    for (size_t r = 1; r < t.n_rows; r++) {
        enum cal_reason reason;
        const char *name = "sentinel";
        enum cal_kind k = calendar_day(&cal, date_of(t.cells[r][c_date]), &reason, &name);
        const char *want_name = t.cells[r][c_name];

        if (strcmp(cal_kind_name(k), t.cells[r][c_kind]) != 0 ||
            strcmp(reason_code(reason), t.cells[r][c_reason]) != 0 ||
            (strcmp(want_name, "-") == 0 ? name != NULL : !name || strcmp(name, want_name) != 0))
            fail_msg("calendar.tsv:%d: %s: got %s/%s/%s, want %s/%s/%s", t.line[r],
                     t.cells[r][c_date], cal_kind_name(k), reason_code(reason), name ? name : "-",
                     t.cells[r][c_kind], t.cells[r][c_reason], want_name);
    }
    th_table_free(&t);
    free(path);
    calendar_release(&cal);
}

static void covers_2020_to_2026(void **state)
{
    struct calendar cal;

    load_shared(&cal);
    assert_int_equal(cal.first_year, 2020);
    assert_int_equal(cal.last_year, 2026);
    for (size_t i = 1; i < cal.n_entries; i++)
        assert_true(civil_cmp(cal.entries[i - 1].date, cal.entries[i].date) < 0);
    calendar_release(&cal);
    assert_int_equal(cal.n_entries, 0);
    assert_null(cal.entries);
}

/* Every single day of the known years agrees with a direct reading of the CSV. */
static void every_day_matches_a_linear_scan(void **state)
{
    struct calendar cal;
    struct ks_date d = {2020, 1, 1};

    load_shared(&cal);
    for (; d.y <= 2026; d = civil_add_days(d, 1)) {
        enum cal_kind want = civil_weekday(d) >= 6 ? CAL_RESTDAY : CAL_WORKDAY;
        for (size_t i = 0; i < cal.n_entries; i++)
            if (civil_cmp(cal.entries[i].date, d) == 0)
                want = cal.entries[i].reason == CAL_R_HOLIDAY ? CAL_RESTDAY : CAL_WORKDAY;
        assert_int_equal(calendar_day(&cal, d, NULL, NULL), want);
    }
    calendar_release(&cal);
}

static void embedded_calendar_equals_the_shared_file(void **state)
{
    const struct embed_file *f = embed_find("data/cn-calendar.csv");
    struct calendar shared, embedded;
    char *path = th_shared_path("data/cn-calendar.csv");
    char *text = th_read_file(path, NULL);
    size_t lines = 0;
    struct ks_error err = {0};

    assert_non_null(f);
    calendar_init(&embedded);
    assert_int_equal(
        calendar_load_csv(&embedded, (const char *)f->data, f->size, "data/cn-calendar.csv", &err),
        0);
    load_shared(&shared);
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(embedded.n_entries, shared.n_entries);
    assert_int_equal(embedded.n_entries, lines - 1); /* minus the header */
    assert_int_equal(embedded.first_year, shared.first_year);
    assert_int_equal(embedded.last_year, shared.last_year);
    calendar_release(&embedded);
    calendar_release(&shared);
    free(text);
    free(path);
}

static void org_days_override_official_ones(void **state)
{
    struct calendar cal;
    enum cal_reason reason;
    const char *name;
    struct ks_error err = {0};
    size_t before;

    load_shared(&cal);
    before = cal.n_entries;
    /* A company outing on an ordinary tuesday. */
    assert_int_equal(calendar_add_org_day(&cal, date_of("2026-03-10"), false, "公司年会", &err), 0);
    assert_int_equal(calendar_day(&cal, date_of("2026-03-10"), &reason, &name), CAL_RESTDAY);
    assert_int_equal(reason, CAL_R_ORG_REST);
    assert_string_equal(name, "公司年会");
    /* Duty during the golden week: an official holiday becomes a working day. */
    assert_int_equal(calendar_add_org_day(&cal, date_of("2026-10-05"), true, "国庆值班", &err), 0);
    assert_int_equal(calendar_day(&cal, date_of("2026-10-05"), &reason, &name), CAL_WORKDAY);
    assert_int_equal(reason, CAL_R_ORG_WORK);
    assert_string_equal(name, "国庆值班");
    /* An adjusted working Saturday the organisation takes off. */
    assert_int_equal(calendar_add_org_day(&cal, date_of("2026-10-10"), false, NULL, &err), 0);
    assert_int_equal(calendar_day(&cal, date_of("2026-10-10"), &reason, &name), CAL_RESTDAY);
    assert_int_equal(reason, CAL_R_ORG_REST);
    assert_string_equal(name, "organisation rest day");
    /* A working Saturday of its own. */
    assert_int_equal(calendar_add_org_day(&cal, date_of("2026-03-14"), true, "盘点", &err), 0);
    assert_int_equal(calendar_day(&cal, date_of("2026-03-14"), &reason, NULL), CAL_WORKDAY);
    assert_int_equal(reason, CAL_R_ORG_WORK);
    /* The later org entry for a date wins. */
    assert_int_equal(calendar_add_org_day(&cal, date_of("2026-03-10"), true, "改期", &err), 0);
    assert_int_equal(calendar_day(&cal, date_of("2026-03-10"), &reason, &name), CAL_WORKDAY);
    assert_string_equal(name, "改期");

    /* Two new dates were inserted, the others replaced; neighbours are untouched. */
    assert_int_equal(cal.n_entries, before + 2);
    for (size_t i = 1; i < cal.n_entries; i++)
        assert_true(civil_cmp(cal.entries[i - 1].date, cal.entries[i].date) < 0);
    assert_int_equal(calendar_day(&cal, date_of("2026-10-04"), &reason, NULL), CAL_RESTDAY);
    assert_int_equal(reason, CAL_R_HOLIDAY);
    assert_int_equal(calendar_day(&cal, date_of("2026-10-06"), &reason, NULL), CAL_RESTDAY);
    assert_int_equal(calendar_day(&cal, date_of("2026-03-11"), &reason, NULL), CAL_WORKDAY);
    assert_int_equal(reason, CAL_R_WEEKDAY);
    calendar_release(&cal);
}

static void org_days_outside_the_known_years_are_refused(void **state)
{
    struct calendar cal;
    struct ks_error err = {0};
    struct ks_date bad = {2026, 2, 30};

    calendar_init(&cal);
    assert_int_equal(calendar_add_org_day(&cal, date_of("2026-03-10"), false, "x", &err),
                     KS_EINVAL);
    assert_non_null(strstr(err.message, "before the official calendar is loaded"));
    load_shared(&cal);
    assert_int_equal(calendar_add_org_day(&cal, date_of("2027-01-04"), false, "x", &err),
                     KS_EINVAL);
    assert_string_equal(err.message,
                        "date: '2027-01-04' is outside the known calendar (2020-2026)");
    assert_int_equal(calendar_add_org_day(&cal, date_of("2019-12-31"), true, "x", &err), KS_EINVAL);
    assert_int_equal(calendar_add_org_day(&cal, bad, true, "x", &err), KS_EINVAL);
    assert_non_null(strstr(err.message, "2026-02-30 is not a real calendar date"));
    assert_int_equal(calendar_day(&cal, date_of("2027-01-04"), NULL, NULL), CAL_UNKNOWN);
    calendar_release(&cal);
}

static void an_empty_calendar_knows_nothing(void **state)
{
    struct calendar cal;
    enum cal_reason reason = CAL_R_WEEKDAY;
    const char *name = "sentinel";

    calendar_init(&cal);
    assert_int_equal(calendar_day(&cal, date_of("2026-03-10"), &reason, &name), CAL_UNKNOWN);
    assert_int_equal(reason, CAL_R_UNKNOWN);
    assert_null(name);
    assert_string_equal(cal_kind_name(CAL_WORKDAY), "workday");
    assert_string_equal(cal_kind_name(CAL_RESTDAY), "restday");
    assert_string_equal(cal_kind_name(CAL_UNKNOWN), "unknown");
    calendar_release(&cal);
}

/* A broken file, then the start of the error it must produce. */
static const struct {
    const char *csv;
    const char *want;
} bad_files[] = {
    {"2026-01-01,holiday,New Year's Day\n", "bad.csv:1: expected the header 'date,kind,name'"},
    {"date,kind,name\n2026-01-01,holiday,New Year\n2026-13-01,holiday,X\n",
     "bad.csv:3: date: '2026-13-01' is not a real calendar date"},
    {"date,kind,name\n\n2026-02-30,holiday,X\n",
     "bad.csv:3: date: '2026-02-30' is not a real calendar date"},
    {"date,kind,name\n26-1-1,holiday,X\n", "bad.csv:2: date: '26-1-1' is not a date like"},
    {"date,kind,name\n2026-01-01,holidy,New Year\n",
     "bad.csv:2: kind: 'holidy' is not holiday or workday"},
    {"date,kind,name\n2026-10-12,workday,National Day\n",
     "bad.csv:2: kind: workday on '2026-10-12', a monday; adjusted working days (调休) are "
     "saturdays or sundays"},
    {"date,kind,name\n2026-01-01,holiday\n",
     "bad.csv:2: expected 3 fields date,kind,name, found 2"},
    {"date,kind,name\n2026-01-01,holiday,a,b\n",
     "bad.csv:2: expected 3 fields date,kind,name, found 4"},
    {"date,kind,name\n2026-01-01,holiday,\n", "bad.csv:2: name: empty for '2026-01-01'"},
    {"date,kind,name\n2026-01-01,holiday,\"New Year\n", "bad.csv:2: unbalanced quotes"},
    {"date,kind,name\n2026-01-02,holiday,A\n2026-01-01,holiday,B\n",
     "bad.csv:3: date: '2026-01-01' is not after '2026-01-02' (dates must be sorted and unique)"},
    {"date,kind,name\n2026-01-01,holiday,A\n2026-01-01,holiday,A\n",
     "bad.csv:3: date: '2026-01-01' is not after '2026-01-01'"},
    {"date,kind,name\n", "bad.csv: no dates listed"},
    {"", "bad.csv: no dates listed"},
};

static void bad_lines_are_reported_with_line_numbers(void **state)
{
    for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
        struct calendar cal;
        struct ks_error err = {0};

        calendar_init(&cal);
        assert_int_equal(
            calendar_load_csv(&cal, bad_files[i].csv, strlen(bad_files[i].csv), "bad.csv", &err),
            KS_EINVAL);
        if (strncmp(err.message, bad_files[i].want, strlen(bad_files[i].want)) != 0)
            fail_msg("case %zu: got '%s', want '%s...'", i, err.message, bad_files[i].want);
        /* A failed load leaves the calendar empty, not half-filled. */
        assert_int_equal(cal.n_entries, 0);
        assert_int_equal(cal.first_year, 0);
        calendar_release(&cal);
    }
}

static void quoting_crlf_and_byte_order_mark_are_accepted(void **state)
{
    static const char csv[] = "\xEF\xBB\xBF"
                              "date,kind,name\r\n"
                              "2026-05-01,holiday,\"Labour Day, \"\"五一\"\"\"\r\n"
                              "  \r\n"
                              "2026-05-09 , workday , Labour Day \r\n";
    struct calendar cal;
    struct ks_error err = {0};
    const char *name;

    calendar_init(&cal);
    assert_int_equal(calendar_load_csv(&cal, csv, sizeof(csv) - 1, "crlf.csv", &err), 0);
    assert_int_equal(cal.n_entries, 2);
    assert_int_equal(cal.first_year, 2026);
    assert_int_equal(cal.last_year, 2026);
    assert_int_equal(calendar_day(&cal, date_of("2026-05-01"), NULL, &name), CAL_RESTDAY);
    assert_string_equal(name, "Labour Day, \"五一\"");
    assert_int_equal(calendar_day(&cal, date_of("2026-05-09"), NULL, &name), CAL_WORKDAY);
    assert_string_equal(name, "Labour Day");
    /* Loading twice would mix two sources of truth. */
    assert_int_equal(calendar_load_csv(&cal, csv, sizeof(csv) - 1, "crlf.csv", &err), KS_EINVAL);
    assert_non_null(strstr(err.message, "already loaded"));
    calendar_release(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_of_day_from_the_table),
        cmocka_unit_test(covers_2020_to_2026),
        cmocka_unit_test(every_day_matches_a_linear_scan),
        cmocka_unit_test(embedded_calendar_equals_the_shared_file),
        cmocka_unit_test(org_days_override_official_ones),
        cmocka_unit_test(org_days_outside_the_known_years_are_refused),
        cmocka_unit_test(an_empty_calendar_knows_nothing),
        cmocka_unit_test(bad_lines_are_reported_with_line_numbers),
        cmocka_unit_test(quoting_crlf_and_byte_order_mark_are_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
