/* The complaint procedure: every move allowed and refused (wrong role, missing field or note,
 * illegal state), table-driven from cases/workflow.tsv; plus the messages people read, the
 * target-state lookup the CLI uses, and the list of actions offered to a role. */
#include "harness/harness.h"

#include <stdlib.h>
#include <string.h>

#include "core/workflow.h"

/* The value a field gets when a case row names it without "=VALUE". */
static const char *default_value(const char *field)
{
    static const char *const defaults[][2] = {
        {"assignee", "lisi"},
        {"responsibility.party", "我司"},
        {"plan", "更换全部脚踏"},
        {"reply", "已电话告知客户处理结果"},
        {"satisfaction.score", "4"},
        {"satisfaction.waived_reason", "客户拒绝回访"},
        {"duplicate_of", "KS20261127-0012"},
    };
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        if (strcmp(defaults[i][0], field) == 0)
            return defaults[i][1];
    fail_msg("no default value for field '%s'", field);
    return NULL;
}

static void fill_fields(struct complaint *c, const char *list)
{
    char *copy, *item, *save = NULL;

    if (strcmp(list, "-") == 0)
        return;
    copy = strdup(list);
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        const char *value;
        const struct cf_desc *f;
        struct ks_error err = {0};
        if (eq)
            *eq = '\0';
        value = eq ? eq + 1 : default_value(item);
        f = complaint_field_find(item);
        assert_non_null(f);
        if (complaint_set(c, f, value, 480, true, &err) != 0)
            fail_msg("%s: %s", item, err.message);
    }
    free(copy);
}

static void every_move_in_the_case_table(void **state)
{
    char *path = th_src_path("tests/unit/cases/workflow.tsv");
    struct th_table t;
    size_t c_from, c_event, c_role, c_fields, c_note, c_expect;

    th_table_load(&t, path, '\t');
    c_from = th_table_col(&t, "from");
    c_event = th_table_col(&t, "event");
    c_role = th_table_col(&t, "role");
    c_fields = th_table_col(&t, "fields");
    c_note = th_table_col(&t, "note");
    c_expect = th_table_col(&t, "expect");
    assert_true(t.n_rows > 300);

    for (size_t r = 1; r < t.n_rows; r++) {
        char **row = t.cells[r];
        struct complaint c;
        struct wf_actor actor = {.login = "tester", .role = ROLE_VIEWER, .is_system = false};
        enum wf_event ev;
        enum wf_state to = WF_STATE__COUNT, want_state;
        struct ks_error err = {0};
        const char *expect = row[c_expect];
        const char *note = strcmp(row[c_note], "-") == 0 ? NULL : row[c_note];
        int rc;

        complaint_init(&c);
        fill_fields(&c, "number=KS20261128-0001");
        assert_int_equal(wf_state_parse(row[c_from], &c.status, NULL), 0);
        assert_int_equal(wf_event_parse(row[c_event], &ev, NULL), 0);
        if (strcmp(row[c_role], "system") == 0)
            actor.is_system = true;
        else
            assert_int_equal(role_parse(row[c_role], &actor.role, NULL), 0);
        fill_fields(&c, row[c_fields]);

        rc = wf_apply(&c, ev, &actor, note, &to, &err);
        if (strcmp(expect, "conflict") == 0) {
            if (rc != KS_ECONFLICT)
                fail_msg("line %d: want conflict, got %d (%s)", t.line[r], rc, err.message);
            assert_int_equal(to, c.status);
        } else if (strcmp(expect, "perm") == 0) {
            if (rc != KS_EPERM)
                fail_msg("line %d: want perm, got %d (%s)", t.line[r], rc, err.message);
        } else if (strncmp(expect, "invalid:", 8) == 0) {
            if (rc != KS_EINVAL || strcmp(err.field, expect + 8) != 0)
                fail_msg("line %d: want %s, got %d field '%s' (%s)", t.line[r], expect, rc,
                         err.field, err.message);
        } else {
            assert_int_equal(wf_state_parse(expect, &want_state, NULL), 0);
            if (rc != 0 || to != want_state)
                fail_msg("line %d: want %s, got %d (%s)", t.line[r], expect, rc, err.message);
        }
        complaint_release(&c);
    }
    th_table_free(&t);
    free(path);
}

static void refusals_say_what_and_who(void **state)
{
    struct complaint c;
    struct wf_actor intake = {.login = "xiaomei", .role = ROLE_INTAKE};
    struct wf_actor handler = {.login = "lisi", .role = ROLE_HANDLER};
    enum wf_state to;
    struct ks_error err = {0};

    complaint_init(&c);
    assert_int_equal(wf_apply(&c, WF_EV_CLOSE, &handler, NULL, &to, &err), KS_ECONFLICT);
    assert_string_equal(err.message,
                        "cannot move from 'new' to 'closed' (close is possible from follow_up)");
    assert_string_equal(err.field, "status");

    c.status = WF_STATE_PROPOSED;
    assert_int_equal(wf_apply(&c, WF_EV_APPROVE, &intake, NULL, &to, &err), KS_EPERM);
    assert_string_equal(err.message, "role 'intake' may not approve a plan");

    c.status = WF_STATE_INVESTIGATING;
    assert_int_equal(wf_apply(&c, WF_EV_PROPOSE, &handler, NULL, &to, &err), KS_EINVAL);
    assert_string_equal(err.field, "responsibility.party");
    assert_string_equal(err.message, "responsibility.party: is required to move to 'proposed'");

    c.status = WF_STATE_FOLLOW_UP;
    assert_int_equal(wf_apply(&c, WF_EV_CLOSE, &handler, NULL, &to, &err), KS_EINVAL);
    assert_string_equal(err.field, "satisfaction.score");
    assert_string_equal(err.message, "satisfaction.score: satisfaction.score or "
                                     "satisfaction.waived_reason is required to move to 'closed'");

    c.status = WF_STATE_CLOSED;
    assert_int_equal(wf_apply(&c, WF_EV_REOPEN, &handler, "", &to, &err), KS_EINVAL);
    assert_string_equal(err.message, "note: a reason is required to reopen a complaint");
    assert_int_equal(wf_apply(&c, WF_EV_REOPEN, &handler, "客户不满意", &to, &err), 0);
    assert_int_equal(to, WF_STATE_INVESTIGATING);
    complaint_release(&c);
}

static void target_state_names_the_event(void **state)
{
    static const struct {
        enum wf_state from, to;
        enum wf_event ev;
    } moves[] = {
        {WF_STATE_NEW, WF_STATE_ACCEPTED, WF_EV_ACCEPT},
        {WF_STATE_ACCEPTED, WF_STATE_ASSIGNED, WF_EV_ASSIGN},
        {WF_STATE_ASSIGNED, WF_STATE_INVESTIGATING, WF_EV_INVESTIGATE},
        {WF_STATE_INVESTIGATING, WF_STATE_PROPOSED, WF_EV_PROPOSE},
        {WF_STATE_PROPOSED, WF_STATE_INVESTIGATING, WF_EV_SEND_BACK},
        {WF_STATE_PROPOSED, WF_STATE_RESOLVING, WF_EV_APPROVE},
        {WF_STATE_RESOLVING, WF_STATE_REPLIED, WF_EV_REPLY},
        {WF_STATE_REPLIED, WF_STATE_FOLLOW_UP, WF_EV_FOLLOW_UP},
        {WF_STATE_FOLLOW_UP, WF_STATE_CLOSED, WF_EV_CLOSE},
        {WF_STATE_REPLIED, WF_STATE_INVESTIGATING, WF_EV_REOPEN},
        {WF_STATE_CLOSED, WF_STATE_INVESTIGATING, WF_EV_REOPEN},
        {WF_STATE_NEW, WF_STATE_REJECTED, WF_EV_REJECT},
        {WF_STATE_ACCEPTED, WF_STATE_REJECTED, WF_EV_REJECT},
        {WF_STATE_RESOLVING, WF_STATE_WITHDRAWN, WF_EV_WITHDRAW},
        {WF_STATE_FOLLOW_UP, WF_STATE_MERGED, WF_EV_MERGE},
    };
    enum wf_event ev;
    struct ks_error err = {0};

    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        assert_int_equal(wf_event_for(moves[i].from, moves[i].to, &ev, NULL), 0);
        assert_int_equal(ev, moves[i].ev);
    }
    assert_int_equal(wf_event_for(WF_STATE_NEW, WF_STATE_CLOSED, &ev, &err), KS_ECONFLICT);
    assert_string_equal(err.message, "cannot move from 'new' to 'closed'");
    assert_int_equal(wf_event_for(WF_STATE_CLOSED, WF_STATE_WITHDRAWN, &ev, NULL), KS_ECONFLICT);
    assert_int_equal(wf_event_for(WF_STATE_REJECTED, WF_STATE_NEW, &ev, NULL), KS_ECONFLICT);
}

static void offered_actions_follow_the_role(void **state)
{
    struct complaint c;
    struct wf_actor leader = {.login = "zhao", .role = ROLE_LEADER};
    struct wf_actor handler = {.login = "lisi", .role = ROLE_HANDLER};
    struct wf_actor viewer = {.login = "guest", .role = ROLE_VIEWER};
    struct wf_actor intake = {.login = "mei", .role = ROLE_INTAKE};
    enum wf_event out[WF_EV__COUNT];
    size_t n;

    complaint_init(&c);
    c.status = WF_STATE_PROPOSED;
    n = wf_allowed(&c, &leader, out, WF_EV__COUNT);
    assert_int_equal(n, 4);
    assert_int_equal(out[0], WF_EV_SEND_BACK);
    assert_int_equal(out[1], WF_EV_APPROVE);
    assert_int_equal(out[2], WF_EV_WITHDRAW);
    assert_int_equal(out[3], WF_EV_MERGE);
    n = wf_allowed(&c, &handler, out, WF_EV__COUNT);
    assert_int_equal(n, 2); /* withdraw, merge: not approve */
    assert_int_equal(out[0], WF_EV_WITHDRAW);
    assert_int_equal(wf_allowed(&c, &viewer, out, WF_EV__COUNT), 0);
    assert_int_equal(wf_allowed(&c, &leader, out, 1), 1);

    c.status = WF_STATE_NEW;
    n = wf_allowed(&c, &intake, out, WF_EV__COUNT);
    assert_int_equal(n, 3); /* accept, reject, withdraw */
    c.status = WF_STATE_MERGED;
    assert_int_equal(wf_allowed(&c, &leader, out, WF_EV__COUNT), 0);
    complaint_release(&c);
}

static void terminal_states_and_event_names(void **state)
{
    enum wf_event ev;
    struct ks_error err = {0};

    assert_true(wf_is_terminal(WF_STATE_CLOSED));
    assert_true(wf_is_terminal(WF_STATE_REJECTED));
    assert_true(wf_is_terminal(WF_STATE_WITHDRAWN));
    assert_true(wf_is_terminal(WF_STATE_MERGED));
    assert_false(wf_is_terminal(WF_STATE_NEW));
    assert_false(wf_is_terminal(WF_STATE_FOLLOW_UP));
    for (int i = 0; i < WF_EV__COUNT; i++) {
        assert_int_equal(wf_event_parse(wf_event_name((enum wf_event)i), &ev, NULL), 0);
        assert_int_equal(ev, i);
    }
    assert_string_equal(wf_event_name(WF_EV_SEND_BACK), "send_back");
    assert_int_equal(wf_event_parse("escalate", &ev, &err), KS_EINVAL);
    assert_string_equal(err.field, "event");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_move_in_the_case_table),
        cmocka_unit_test(refusals_say_what_and_who),
        cmocka_unit_test(target_state_names_the_event),
        cmocka_unit_test(offered_actions_follow_the_role),
        cmocka_unit_test(terminal_states_and_event_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
