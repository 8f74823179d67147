/* The complaint procedure: one table of legal moves with their guards (who may move, which
 * fields must be filled, whether a note is required), and the functions that consult it.
 * Pure: the caller passes the record as it will be after any edit travelling with the move,
 * and persists the outcome (status, event, approval.by/at) itself.
 * Tested by tests/unit/test-workflow.c (table-driven from tests/unit/cases/workflow.tsv). */
#include "core/workflow.h"

#include <string.h>

#include "lib/buf.h"

#include "lib/banned.h"

#define R(role) (1u << (role))
#define STAFF   (R(ROLE_HANDLER) | R(ROLE_LEADER) | R(ROLE_ADMIN))
#define LEADERS (R(ROLE_LEADER) | R(ROLE_ADMIN))
#define ANYONE  (R(ROLE_INTAKE) | STAFF)

/* A required field: the first name, or failing that the second (an "either" pair). */
struct wf_need {
    const char *field;
    const char *or_field;
};

struct wf_transition {
    enum wf_state from;
    enum wf_event event;
    enum wf_state to;
    unsigned roles; /* mask of R(role) that may take the move */
    bool system;    /* kesu itself (survey, sweeper) may take it whatever its role */
    bool note;      /* a non-blank note is required (the reason goes into the event) */
    struct wf_need needs[2];
};

/* What a role's refusal says: "role 'intake' may not approve a plan". */
static const struct {
    const char *name;
    const char *phrase;
} event_tab[WF_EV__COUNT] = {
    [WF_EV_ACCEPT] = {"accept", "accept a complaint"},
    [WF_EV_ASSIGN] = {"assign", "assign a complaint"},
    [WF_EV_INVESTIGATE] = {"investigate", "start an investigation"},
    [WF_EV_PROPOSE] = {"propose", "propose a plan"},
    [WF_EV_SEND_BACK] = {"send_back", "send a plan back"},
    [WF_EV_APPROVE] = {"approve", "approve a plan"},
    [WF_EV_REPLY] = {"reply", "reply to the customer"},
    [WF_EV_FOLLOW_UP] = {"follow_up", "start the follow-up"},
    [WF_EV_CLOSE] = {"close", "close a complaint"},
    [WF_EV_REOPEN] = {"reopen", "reopen a complaint"},
    [WF_EV_REJECT] = {"reject", "reject a complaint"},
    [WF_EV_WITHDRAW] = {"withdraw", "record a withdrawal"},
    [WF_EV_MERGE] = {"merge", "merge a complaint"},
};

/*
 * State            legal events (-> next state)
 * new           待受理     accept (-> accepted), reject, withdraw, merge
 * accepted      已受理     assign (-> assigned; needs assignee), reject, withdraw, merge
 * assigned      已分派     investigate (-> investigating), withdraw, merge
 * investigating 调查中     propose (-> proposed; needs responsibility.party and plan),
 *                          withdraw, merge
 * proposed      方案待审批 approve (-> resolving; leaders only), send_back (-> investigating;
 *                          leaders only, note), withdraw, merge
 * resolving     处理中     reply (-> replied; needs reply), withdraw, merge
 * replied       已反馈     follow_up (-> follow_up), reopen (-> investigating; note),
 *                          withdraw, merge
 * follow_up     跟踪改进   close (-> closed; needs satisfaction.score or
 *                          satisfaction.waived_reason), withdraw, merge
 * closed        已结案     reopen (-> investigating; note)
 * rejected      不予受理   none
 * withdrawn     撤诉       none
 * merged        已合并     none
 *
 * reject (-> rejected) needs a note and is for intake, leaders and admins; withdraw
 * (-> withdrawn) needs a note; merge (-> merged) needs duplicate_of naming another complaint.
 * reopen is also open to kesu itself (a dissatisfied survey answer). viewer moves nothing.
 */
#define WITHDRAW(st)                                                                               \
    {                                                                                              \
        st, WF_EV_WITHDRAW, WF_STATE_WITHDRAWN, ANYONE, false, true,                               \
        {                                                                                          \
            {                                                                                      \
                0                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }
#define MERGE(st)                                                                                  \
    {                                                                                              \
        st, WF_EV_MERGE, WF_STATE_MERGED, STAFF, false, false,                                     \
        {                                                                                          \
            {                                                                                      \
                "duplicate_of", NULL                                                               \
            }                                                                                      \
        }                                                                                          \
    }

static const struct wf_transition wf_table[] = {
    {WF_STATE_NEW, WF_EV_ACCEPT, WF_STATE_ACCEPTED, ANYONE, false, false, {{0}}},
    {WF_STATE_ACCEPTED,
     WF_EV_ASSIGN,
     WF_STATE_ASSIGNED,
     ANYONE,
     false,
     false,
     {{"assignee", NULL}}},
    {WF_STATE_ASSIGNED, WF_EV_INVESTIGATE, WF_STATE_INVESTIGATING, STAFF, false, false, {{0}}},
    {WF_STATE_INVESTIGATING,
     WF_EV_PROPOSE,
     WF_STATE_PROPOSED,
     STAFF,
     false,
     false,
     {{"responsibility.party", NULL}, {"plan", NULL}}},
    {WF_STATE_PROPOSED, WF_EV_SEND_BACK, WF_STATE_INVESTIGATING, LEADERS, false, true, {{0}}},
    {WF_STATE_PROPOSED, WF_EV_APPROVE, WF_STATE_RESOLVING, LEADERS, false, false, {{0}}},
    {WF_STATE_RESOLVING, WF_EV_REPLY, WF_STATE_REPLIED, STAFF, false, false, {{"reply", NULL}}},
    {WF_STATE_REPLIED, WF_EV_FOLLOW_UP, WF_STATE_FOLLOW_UP, STAFF, false, false, {{0}}},
    {WF_STATE_FOLLOW_UP,
     WF_EV_CLOSE,
     WF_STATE_CLOSED,
     STAFF,
     false,
     false,
     {{"satisfaction.score", "satisfaction.waived_reason"}}},
    {WF_STATE_REPLIED, WF_EV_REOPEN, WF_STATE_INVESTIGATING, STAFF, true, true, {{0}}},
    {WF_STATE_CLOSED, WF_EV_REOPEN, WF_STATE_INVESTIGATING, STAFF, true, true, {{0}}},
    {WF_STATE_NEW, WF_EV_REJECT, WF_STATE_REJECTED, R(ROLE_INTAKE) | LEADERS, false, true, {{0}}},
    {WF_STATE_ACCEPTED,
     WF_EV_REJECT,
     WF_STATE_REJECTED,
     R(ROLE_INTAKE) | LEADERS,
     false,
     true,
     {{0}}},
    WITHDRAW(WF_STATE_NEW),
    WITHDRAW(WF_STATE_ACCEPTED),
    WITHDRAW(WF_STATE_ASSIGNED),
    WITHDRAW(WF_STATE_INVESTIGATING),
    WITHDRAW(WF_STATE_PROPOSED),
    WITHDRAW(WF_STATE_RESOLVING),
    WITHDRAW(WF_STATE_REPLIED),
    WITHDRAW(WF_STATE_FOLLOW_UP),
    MERGE(WF_STATE_NEW),
    MERGE(WF_STATE_ACCEPTED),
    MERGE(WF_STATE_ASSIGNED),
    MERGE(WF_STATE_INVESTIGATING),
    MERGE(WF_STATE_PROPOSED),
    MERGE(WF_STATE_RESOLVING),
    MERGE(WF_STATE_REPLIED),
    MERGE(WF_STATE_FOLLOW_UP),
};

#define WF_TABLE_LEN (sizeof(wf_table) / sizeof(wf_table[0]))

static void check_state(enum wf_state s)
{
    if ((int)s < 0 || (int)s >= WF_STATE__COUNT)
        KS_BUG("impossible workflow state %d", (int)s);
}

static void check_event(enum wf_event ev)
{
    if ((int)ev < 0 || (int)ev >= WF_EV__COUNT)
        KS_BUG("impossible workflow event %d", (int)ev);
}

const char *wf_event_name(enum wf_event ev)
{
    check_event(ev);
    return event_tab[ev].name;
}

int wf_event_parse(const char *s, enum wf_event *out, struct ks_error *err)
{
    struct buf list;
    int rc;

    for (int i = 0; i < WF_EV__COUNT; i++) {
        if (s && strcmp(s, event_tab[i].name) == 0) {
            *out = (enum wf_event)i;
            return 0;
        }
    }
    buf_init(&list, 512);
    for (int i = 0; i < WF_EV__COUNT; i++)
        buf_addf(&list, "%s%s", i ? ", " : "", event_tab[i].name);
    rc = ks_fail(err, KS_EINVAL, "event", "event: '%s' is not one of %s", s ? s : "",
                 buf_str(&list));
    buf_release(&list);
    return rc;
}

bool wf_is_terminal(enum wf_state s)
{
    check_state(s);
    return s == WF_STATE_CLOSED || s == WF_STATE_REJECTED || s == WF_STATE_WITHDRAWN ||
           s == WF_STATE_MERGED;
}

int wf_event_for(enum wf_state from, enum wf_state to, enum wf_event *out, struct ks_error *err)
{
    check_state(from);
    check_state(to);
    for (size_t i = 0; i < WF_TABLE_LEN; i++) {
        if (wf_table[i].from == from && wf_table[i].to == to) {
            *out = wf_table[i].event;
            return 0;
        }
    }
    return ks_fail(err, KS_ECONFLICT, "status", "cannot move from '%s' to '%s'",
                   wf_state_name(from), wf_state_name(to));
}

static bool role_may(const struct wf_transition *t, const struct wf_actor *actor)
{
    if (actor->is_system && t->system)
        return true;
    if ((int)actor->role < 0 || (int)actor->role >= ROLE__COUNT)
        return false;
    return (t->roles & R(actor->role)) != 0;
}

static bool is_blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static bool has_field(const struct complaint *c, const char *name)
{
    const struct cf_desc *f = complaint_field_find(name);
    if (!f)
        KS_BUG("workflow table names unknown field '%s'", name);
    return complaint_has(c, f);
}

/* "cannot move from 'new' to 'closed' (close is possible from follow_up)". */
static int illegal(enum wf_state from, enum wf_event ev, struct ks_error *err)
{
    struct buf froms;
    enum wf_state to = WF_STATE__COUNT;
    int rc;

    buf_init(&froms, 512);
    for (size_t i = 0; i < WF_TABLE_LEN; i++) {
        if (wf_table[i].event != ev)
            continue;
        to = wf_table[i].to;
        buf_addf(&froms, "%s%s", froms.len ? ", " : "", wf_state_name(wf_table[i].from));
    }
    if (to == WF_STATE__COUNT)
        KS_BUG("workflow event %d has no transition", (int)ev);
    rc = ks_fail(err, KS_ECONFLICT, "status",
                 "cannot move from '%s' to '%s' (%s is possible from %s)", wf_state_name(from),
                 wf_state_name(to), event_tab[ev].name, buf_str(&froms));
    buf_release(&froms);
    return rc;
}

int wf_apply(const struct complaint *c, enum wf_event ev, const struct wf_actor *actor,
             const char *note, enum wf_state *to_out, struct ks_error *err)
{
    const struct wf_transition *t = NULL;

    check_state(c->status);
    check_event(ev);
    *to_out = c->status; /* no move unless every guard passes */
    for (size_t i = 0; i < WF_TABLE_LEN && !t; i++)
        if (wf_table[i].from == c->status && wf_table[i].event == ev)
            t = &wf_table[i];
    if (!t)
        return illegal(c->status, ev, err);

    if (!role_may(t, actor)) {
        const char *rn =
            (int)actor->role >= 0 && (int)actor->role < ROLE__COUNT ? role_name(actor->role) : "?";
        return ks_fail(err, KS_EPERM, NULL, "role '%s' may not %s", rn, event_tab[ev].phrase);
    }

    for (size_t i = 0; i < sizeof(t->needs) / sizeof(t->needs[0]); i++) {
        const struct wf_need *n = &t->needs[i];
        if (!n->field || has_field(c, n->field) || (n->or_field && has_field(c, n->or_field)))
            continue;
        if (n->or_field)
            return ks_fail(err, KS_EINVAL, n->field, "%s: %s or %s is required to move to '%s'",
                           n->field, n->field, n->or_field, wf_state_name(t->to));
        return ks_fail(err, KS_EINVAL, n->field, "%s: is required to move to '%s'", n->field,
                       wf_state_name(t->to));
    }
    if (ev == WF_EV_MERGE && c->number && strcmp(c->number, c->duplicate_of) == 0)
        return ks_fail(err, KS_EINVAL, "duplicate_of",
                       "duplicate_of: a complaint cannot be merged into itself ('%s')",
                       c->duplicate_of);
    if (t->note && is_blank(note))
        return ks_fail(err, KS_EINVAL, "note", "note: a reason is required to %s",
                       event_tab[ev].phrase);

    *to_out = t->to;
    return 0;
}

size_t wf_allowed(const struct complaint *c, const struct wf_actor *actor, enum wf_event *out,
                  size_t max)
{
    size_t n = 0;

    check_state(c->status);
    for (size_t i = 0; i < WF_TABLE_LEN && n < max; i++)
        if (wf_table[i].from == c->status && role_may(&wf_table[i], actor))
            out[n++] = wf_table[i].event;
    return n;
}
