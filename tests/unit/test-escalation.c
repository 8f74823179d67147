/* Escalation: a stage clock walks through warning, breach and every escalation step with a
 * fake clock (cases/escalation.tsv); re-running a sweep is a no-op; a late first sweep catches
 * up in order without a late warning; paused and met clocks never escalate; a preset's own
 * chain is used; registration at level 1 or urgent tells the leaders and attaches the
 * checklist; explanations name the skipped days. */
#include <stdlib.h>
#include <string.h>

#include "harness/harness.h"
#include "core/escalation.h"
#include "lib/embed.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

#define SHANGHAI 480

static const struct dl_zone zone = {SHANGHAI, -1};

static void load_calendar(struct calendar *cal)
{
    struct ks_error err = {0};
    calendar_init(cal);
    const struct embed_file *f = embed_find("data/cn-calendar.csv");
    assert_non_null(f);
    assert_int_equal(calendar_load_csv(cal, (const char *)f->data, f->size, f->name, &err), 0);
}

static int64_t at(const char *s)
{
    int64_t t;
    struct ks_error err = {0};
    if (ks_time_parse(s, SHANGHAI, "now", &t, &err) < 0)
        fail_msg("%s", err.message);
    return t;
}

static void start_clock(struct stage_clock *clk, const struct calendar *cal, const char *when,
                        struct dl_period period)
{
    struct ks_error err = {0};
    assert_int_equal(stage_clock_start(clk, cal, &zone, at(when), period, &err), 0);
}

/* "warn@<instant> breach step0:assignee" for the actions of one sweep; "-" when none. */
static void describe(const struct esc_sweep *sw, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sw->n; i++) {
        const struct esc_action *a = &sw->v[i];
        char t[KS_TIME_STRLEN];
        int n = 0;
        if (a->kind == ESC_WARN)
            n = snprintf(out + o, size - o, "%swarn@%s", o ? " " : "",
                         ks_time_format(a->due_at, SHANGHAI, t));
        else if (a->kind == ESC_BREACH)
            n = snprintf(out + o, size - o, "%sbreach", o ? " " : "");
        else
            n = snprintf(out + o, size - o, "%sstep%d:%s", o ? " " : "", a->step,
                         notify_to_name(a->to));
        o += (size_t)n;
    }
    if (o == 0)
        snprintf(out, size, "-");
}

static void complaint_walks_through_warning_breach_and_every_step(void **state)
{
    (void)state;
    struct calendar cal;
    load_calendar(&cal);
    struct preset p;
    preset_init(&p); /* no escalation key: the default chain and 75 % */
    struct stage_clock clk;
    start_clock(&clk, &cal, "2026-11-23T09:00:00+08:00", (struct dl_period){DL_WORKDAYS, 3});
    struct esc_state st = {0};
    char *path = th_src_path("tests/unit/cases/escalation.tsv");
    struct th_table t;
    th_table_load(&t, path, '\t');
    size_t c_now = th_table_col(&t, "now"), c_expect = th_table_col(&t, "expect");
    for (size_t r = 1; r < t.n_rows; r++) {
        struct esc_sweep sw;
        struct ks_error err = {0};
        if (esc_sweep_preset(&p, &clk, &st, &cal, &zone, at(t.cells[r][c_now]), &sw, &err) < 0)
            fail_msg("line %d: %s", t.line[r], err.message);
        char got[512];
        describe(&sw, got, sizeof got);
        if (strcmp(got, t.cells[r][c_expect]) != 0)
            fail_msg("escalation.tsv:%d: at %s expected '%s', got '%s'", t.line[r],
                     t.cells[r][c_now], t.cells[r][c_expect], got);
        st = sw.next; /* what the store keeps with the events */
    }
    assert_int_equal(st.escalated, 4);
    assert_true(st.breached);
    th_table_free(&t);
    free(path);
    preset_release(&p);
    calendar_release(&cal);
}

static void late_first_sweep_catches_up_in_order_without_a_warning(void **state)
{
    (void)state;
    struct calendar cal;
    load_calendar(&cal);
    struct preset p;
    preset_init(&p);
    struct stage_clock clk;
    start_clock(&clk, &cal, "2026-11-23T09:00:00+08:00", (struct dl_period){DL_WORKDAYS, 3});
    struct esc_state st = {0};
    struct esc_sweep sw;
    char got[512];
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-12-01T08:00:00+08:00"), &sw, NULL),
        0);
    describe(&sw, got, sizeof got);
    assert_string_equal(got, "breach step0:assignee step1:department_head step2:leader");
    assert_int_equal(sw.next.warned, 1);
    /* The same sweep again, and an earlier replayed now, change nothing. */
    st = sw.next;
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-12-01T08:00:00+08:00"), &sw, NULL),
        0);
    assert_int_equal(sw.n, 0);
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-11-27T08:00:00+08:00"), &sw, NULL),
        0);
    assert_int_equal(sw.n, 0);
    assert_memory_equal(&sw.next, &st, sizeof st);
    preset_release(&p);
    calendar_release(&cal);
}

static void paused_and_met_clocks_do_not_escalate(void **state)
{
    (void)state;
    struct calendar cal;
    load_calendar(&cal);
    struct preset p;
    preset_init(&p);
    struct ks_error err = {0};
    struct stage_clock clk;
    struct esc_sweep sw;
    struct esc_state st = {0};
    start_clock(&clk, &cal, "2026-11-23T09:00:00+08:00", (struct dl_period){DL_HOURS, 24});
    /* Paused while waiting for the customer, before and after the due time. */
    assert_int_equal(stage_clock_pause(&clk, at("2026-11-23T20:00:00+08:00"), &err), 0);
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-11-30T00:00:00+08:00"), &sw, NULL),
        0);
    assert_int_equal(sw.n, 0);
    /* Resumed: 11 hours were used, 13 remain; the warning at 75 % (18 hours) comes 7 hours later.
     */
    assert_int_equal(stage_clock_resume(&clk, &cal, &zone, at("2026-11-30T09:00:00+08:00"), &err),
                     0);
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-11-30T15:59:00+08:00"), &sw, NULL),
        0);
    assert_int_equal(sw.n, 0);
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-11-30T16:00:00+08:00"), &sw, NULL),
        0);
    assert_int_equal(sw.n, 1);
    assert_int_equal(sw.v[0].kind, ESC_WARN);
    st = sw.next;
    /* Met before the due time: nothing more, ever. */
    stage_clock_meet(&clk, at("2026-11-30T17:00:00+08:00"));
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-12-30T00:00:00+08:00"), &sw, NULL),
        0);
    assert_int_equal(sw.n, 0);
    preset_release(&p);
    calendar_release(&cal);
}

static const char chain_yaml[] =
    "name: t\n"
    "warn_at_percent: 50\n"
    "escalation:\n"
    "  - {to: handler, after: 0h}\n"
    "  - {to: leader, after: 2h, label: 超时2小时上报组长}\n"
    "levels:\n"
    "  - level: 1\n"
    "    notify: [leader, deputy]\n"
    "    within: 1h\n"
    "    checklist: [立即上报组长, 保护现场, 安抚客户, 24小时内书面报告]\n"
    "  - {level: 2, notify: handler}\n";

static void a_presets_own_chain_and_warning_share_are_used(void **state)
{
    (void)state;
    struct calendar cal;
    load_calendar(&cal);
    struct preset p;
    struct ks_error err = {0};
    if (preset_load_buffer(chain_yaml, strlen(chain_yaml), "t.yaml", &p, &err) < 0)
        fail_msg("%s", err.message);
    assert_int_equal(preset_warn_percent(&p), 50);
    struct stage_clock clk;
    start_clock(&clk, &cal, "2026-11-23T09:00:00+08:00", (struct dl_period){DL_HOURS, 10});
    struct esc_state st = {0};
    struct esc_sweep sw;
    char got[512];
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-11-23T14:00:00+08:00"), &sw, NULL),
        0);
    describe(&sw, got, sizeof got);
    assert_string_equal(got, "warn@2026-11-23T14:00:00+08:00");
    st = sw.next;
    assert_int_equal(
        esc_sweep_preset(&p, &clk, &st, &cal, &zone, at("2026-11-23T21:00:00+08:00"), &sw, NULL),
        0);
    describe(&sw, got, sizeof got);
    assert_string_equal(got, "breach step0:assignee step1:leader");
    assert_string_equal(sw.v[2].label, "超时2小时上报组长");
    preset_release(&p);
    calendar_release(&cal);
}

static void level_one_and_urgent_tell_the_leaders_with_the_checklist(void **state)
{
    (void)state;
    struct preset p;
    struct ks_error err = {0};
    if (preset_load_buffer(chain_yaml, strlen(chain_yaml), "t.yaml", &p, &err) < 0)
        fail_msg("%s", err.message);
    struct complaint c;
    memset(&c, 0, sizeof c);
    struct esc_emergency em;
    c.response_level = 2;
    assert_int_equal(esc_emergency(&p, &c, &em, &err), 0);
    assert_false(em.emergency);
    assert_int_equal(em.n_notify, 1);
    assert_int_equal(em.notify[0], NOTIFY_TO_ASSIGNEE);
    assert_null(em.checklist);
    /* Urgent at level 2 is still an emergency at level 1. */
    c.urgent = true;
    assert_int_equal(esc_emergency(&p, &c, &em, &err), 0);
    assert_true(em.emergency);
    assert_int_equal(em.level, 1);
    assert_int_equal(em.n_notify, 2);
    assert_int_equal(em.notify[0], NOTIFY_TO_LEADER);
    assert_int_equal(em.notify[1], NOTIFY_TO_DEPUTY);
    assert_int_equal(em.within.unit, DL_HOURS);
    assert_int_equal(em.within.n, 1);
    assert_non_null(em.checklist);
    assert_int_equal(em.checklist->n, 4);
    assert_string_equal(em.checklist->v[1], "保护现场");
    preset_release(&p);
    /* Every repository preset: level 1 reaches a leader. */
    const char *names[] = {"bank", "telecom", "transport", "generic", "manufacturing"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_int_equal(preset_load_named(names[i], &p, &err), 0);
        c.urgent = false;
        c.response_level = 1;
        assert_int_equal(esc_emergency(&p, &c, &em, &err), 0);
        assert_true(em.emergency);
        bool leader = false;
        for (size_t k = 0; k < em.n_notify; k++)
            leader |= em.notify[k] == NOTIFY_TO_LEADER;
        assert_true(leader);
        preset_release(&p);
    }
}

static void explanation_names_the_skipped_holidays(void **state)
{
    (void)state;
    struct calendar cal;
    load_calendar(&cal);
    struct buf b;
    buf_init(&b, 4096);
    struct ks_error err = {0};
    assert_int_equal(esc_explain(&cal, &zone, at("2026-09-30T10:00:00+08:00"),
                                 (struct dl_period){DL_WORKDAYS, 3}, "投诉调查：3个工作日", &b,
                                 &err),
                     0);
    const char *s = buf_str(&b);
    assert_string_equal(s, "投诉调查：3个工作日，自 2026-09-30 起算（当日不计入）；"
                           "跳过 2026-10-01 至 2026-10-07 国庆节（法定节假日）；最后一日 "
                           "2026-10-10；截止 2026-10-11T00:00:00+08:00");
    /* A tiny cap is an error, not a cut-off explanation. */
    struct buf small;
    buf_init(&small, 16);
    assert_int_equal(esc_explain(&cal, &zone, at("2026-09-30T10:00:00+08:00"),
                                 (struct dl_period){DL_WORKDAYS, 3}, NULL, &small, &err),
                     KS_ELIMIT);
    assert_string_equal(buf_str(&small), "");
    buf_release(&small);
    buf_release(&b);
    calendar_release(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complaint_walks_through_warning_breach_and_every_step),
        cmocka_unit_test(late_first_sweep_catches_up_in_order_without_a_warning),
        cmocka_unit_test(paused_and_met_clocks_do_not_escalate),
        cmocka_unit_test(a_presets_own_chain_and_warning_share_are_used),
        cmocka_unit_test(level_one_and_urgent_tell_the_leaders_with_the_checklist),
        cmocka_unit_test(explanation_names_the_skipped_holidays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
