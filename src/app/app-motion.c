/* Deadlines in motion in the application layer (see app-motion.h). Each write path is one
 * store transaction holding the core's decisions with everything they cause: events, in-app
 * notifications and outbox rows. The sweep reads only clocks whose next_action_at has come
 * (a partial index), so its cost follows the due work, not the open complaints; a swept clock
 * gets the instant of its next warning, breach or step, or INT64_MAX when its chain is done.
 * Delivery never holds a transaction while it talks to the network: it claims rows by moving
 * their next attempt a lease ahead, sends, then records the outcome, so a crash means a resend
 * with the same delivery id (at least once), never a loss. Tested by tests/unit/test-motion.c. */
#include "app/app-motion.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escalation.h"
#include "core/surge.h"
#include "core/template.h"
#include "lib/xalloc.h"
#include "notify/notify.h"
#include "lib/banned.h"

#define NEXT_NEVER     INT64_MAX /* nothing more can fall due: outside every due range */
#define DELIVER_LEASE  300       /* seconds a claimed message is hidden from other deliverers */
#define DELIVER_BATCH  100
#define MAX_RECIPIENTS 64
#define MESSAGE_MAX    (64 * 1024)

/* ---- events and recipients ----------------------------------------------------------- */

/* Appends an event to complaint_id (or to an incident when incident is true); details is a
 * JSON object and is stolen. */
static int put_event(struct store_tx *tx, bool incident, int64_t id, int64_t at, const char *actor,
                     const char *kind, const char *note, json_t *details, struct ks_error *err)
{
    struct event ev;
    int rc;

    event_init(&ev);
    ev.complaint_id = id;
    ev.at = at;
    ev.actor = xstrdup(actor ? actor : "system");
    ev.kind = xstrdup(kind);
    ev.note = note && *note ? xstrdup(note) : NULL;
    if (details) {
        char *s = json_dumps(details, JSON_COMPACT);
        ev.details = s ? xstrdup(s) : NULL;
        free(s);
        json_decref(details);
    }
    rc = incident ? store_incident_event_append(tx, &ev, err) : store_event_append(tx, &ev, err);
    event_release(&ev);
    return rc;
}

struct recipients {
    size_t n;
    char *login[MAX_RECIPIENTS];
    unsigned roles; /* 1 << role for each role already added: leader and deputy are one role */
};

static void rcpt_add(struct recipients *r, const char *login)
{
    if (!login || !*login || r->n >= MAX_RECIPIENTS)
        return;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->login[i], login) == 0)
            return;
    r->login[r->n++] = xstrdup(login);
}

static void rcpt_release(struct recipients *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->login[i]);
    r->n = 0;
    r->roles = 0;
}

/* Adds the people `to` names for complaint c (NULL: none, e.g. for an incident): the leader
 * and deputy are the users with role leader (组长/副组长 share the role), admin the admins. */
static int rcpt_resolve(struct store_tx *tx, const struct complaint *c, enum notify_to to,
                        struct recipients *r, struct ks_error *err)
{
    struct user *us = NULL;
    size_t n = 0;
    int rc = 0;

    switch (to) {
    case NOTIFY_TO_ASSIGNEE:
        if (c)
            rcpt_add(r, c->assignee ? c->assignee : c->first_responder);
        return 0;
    case NOTIFY_TO_FIRST_RESPONDER:
        if (c)
            rcpt_add(r, c->first_responder);
        return 0;
    case NOTIFY_TO_DEPT_HEAD:
        if (c && c->department) {
            struct department d;
            department_init(&d);
            rc = store_department_get(tx, c->department, &d, err);
            if (rc == KS_ENOTFOUND) {
                ks_error_clear(err);
                rc = 0;
            }
            if (rc == 0)
                rcpt_add(r, d.head);
            department_release(&d);
        }
        return rc;
    case NOTIFY_TO_LEADER:
    case NOTIFY_TO_DEPUTY:
    case NOTIFY_TO_ADMIN: {
        enum role role = to == NOTIFY_TO_ADMIN ? ROLE_ADMIN : ROLE_LEADER;
        if (r->roles & (1u << role))
            return 0;
        if ((rc = store_user_list(tx, &us, &n, err)) < 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            if (!us[i].disabled && us[i].role == role)
                rcpt_add(r, us[i].login);
        user_array_free(&us, n);
        r->roles |= 1u << role;
        return 0;
    }
    default:
        return 0;
    }
}

/* Queues one message over every preset channel that can reach the address: smtp needs an
 * e-mail address, webhook and command take the phone or login. */
static int queue(struct app *a, struct store_tx *tx, int64_t complaint_id, const char *tmpl,
                 const char *email, const char *other, const char *subject, const char *body,
                 json_t *payload, int64_t now, struct app_sweep_stats *st, json_t *ids,
                 struct ks_error *err)
{
    const struct preset *pr = app_preset(a); /* one version for the whole loop */
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < pr->n_channels; i++) {
        const struct preset_channel *ch = &pr->channels[i];
        const char *to = ch->kind == CHANNEL_SMTP ? email : other;
        struct outbox_msg m;
        char *p;

        if (!to || !*to)
            continue;
        outbox_msg_init(&m);
        json_object_set_new(payload, "channel", json_string(ch->name));
        json_object_set_new(payload, "recipient", json_string(to));
        p = json_dumps(payload, JSON_COMPACT);
        m.created_at = now;
        m.next_attempt_at = now;
        m.channel = xstrdup(ch->name);
        m.recipient = xstrdup(to);
        m.template = xstrdup(tmpl);
        m.subject = subject ? xstrdup(subject) : NULL;
        m.body = xstrdup(body);
        m.payload = p ? xstrdup(p) : NULL;
        free(p);
        m.complaint_id = complaint_id;
        rc = store_outbox_insert(tx, &m, err);
        if (rc == 0 && st)
            st->messages++;
        if (rc == 0 && ids)
            json_array_append_new(ids, json_integer(m.id));
        outbox_msg_release(&m);
    }
    return rc;
}

/* Tells each recipient: an in-app notification and a message over each channel. */
static int tell(struct app *a, struct store_tx *tx, const struct complaint *c, const char *code,
                const struct recipients *r, const char *kind, const char *title, const char *body,
                int64_t now, struct app_sweep_stats *st, struct ks_error *err)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < r->n; i++) {
        struct notification n;
        struct user u;
        json_t *payload;

        notification_init(&n);
        n.login = xstrdup(r->login[i]);
        n.created_at = now;
        n.kind = xstrdup(kind);
        n.title = xstrdup(title);
        n.body = body ? xstrdup(body) : NULL;
        n.complaint_id = c ? c->id : 0;
        n.number = xstrdup(c ? c->number : code);
        rc = store_notification_insert(tx, &n, err);
        notification_release(&n);
        if (rc < 0 || app_preset(a)->n_channels == 0)
            break;
        if (st)
            st->notices++;
        user_init(&u);
        if (store_user_get(tx, r->login[i], &u, NULL) < 0) {
            user_release(&u);
            continue;
        }
        payload = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s?}", "kind", kind, "login",
                            r->login[i], "phone", u.phone, "email", u.email, "title", title, "body",
                            body, "number", c ? c->number : code);
        rc = queue(a, tx, c ? c->id : 0, kind, u.email, u.phone ? u.phone : r->login[i], title,
                   body ? body : title, payload, now, st, NULL, err);
        json_decref(payload);
        user_release(&u);
    }
    return rc;
}

/* ---- templates and customer messages --------------------------------------------------- */

int app_render(struct app *a, const char *code, const struct complaint *c, int64_t due_at,
               const char *incident, struct buf *subject_out, struct buf *body_out,
               struct ks_error *err)
{
    const struct preset_template *t = preset_template_find(app_preset(a), code);
    char received[KS_TIME_STRLEN], due[KS_TIME_STRLEN];
    struct buf survey;
    int rc = 0;

    if (!t)
        return ks_fail(err, KS_EINVAL, "template", "template: '%s' is not ack, progress or reply",
                       code);
    buf_init(&survey, 2048);
    if (a->survey_url && (rc = a->survey_url(a, c->number, &survey, err)) < 0) {
        buf_release(&survey);
        return rc;
    }
    struct tpl_var vars[] = {
        {"number", c->number},
        {"customer_name", c->customer_name},
        {"title", c->title},
        {"received_at", ks_time_format(c->received_at, a->zone.utc_offset_min, received)},
        {"due_at",
         due_at == KS_TIME_NONE ? NULL : ks_time_format(due_at, a->zone.utc_offset_min, due)},
        {"status", wf_state_label(c->status)},
        {"reply", c->reply},
        {"survey_url", buf_str(&survey)},
        {"org_name", app_preset(a)->title},
        {"incident", incident ? incident : c->incident},
    };
    size_t nv = sizeof(vars) / sizeof(vars[0]);
    if (subject_out && t->subject)
        rc = tpl_render(t->subject, vars, nv, subject_out, err);
    if (rc == 0 && body_out)
        rc = tpl_render(t->body, vars, nv, body_out, err);
    buf_release(&survey);
    return rc;
}

/* The due instant of the first running stage clock of c, for {{due_at}}. */
static int64_t first_due(struct store_tx *tx, int64_t complaint_id)
{
    struct stage_deadline *ds = NULL;
    size_t n = 0;
    int64_t due = KS_TIME_NONE;

    if (store_deadline_list(tx, complaint_id, &ds, &n, NULL) < 0)
        return KS_TIME_NONE;
    for (size_t i = 0; i < n && due == KS_TIME_NONE; i++)
        if (!ds[i].whole && ds[i].clock.met_at == KS_TIME_NONE)
            due = ds[i].clock.due_at;
    stage_deadline_array_free(&ds, n);
    return due;
}

/* Queues the customer message `code` for c (when the customer can be reached) and records it
 * in the timeline with the outbox ids. */
static int customer_message(struct app *a, struct store_tx *tx, const struct complaint *c,
                            const char *code, int64_t now, struct ks_error *err)
{
    struct buf subject, body;
    json_t *ids, *payload;
    int rc;

    if (!c->customer_phone && !c->customer_email)
        return 0;
    buf_init(&subject, 1024);
    buf_init(&body, MESSAGE_MAX);
    rc = app_render(a, code, c, first_due(tx, c->id), NULL, &subject, &body, err);
    if (rc < 0) {
        buf_release(&subject);
        buf_release(&body);
        return rc;
    }
    ids = json_array();
    payload = json_pack("{s:s, s:s, s:s?, s:s}", "kind", code, "number", c->number, "subject",
                        subject.len ? buf_str(&subject) : NULL, "body", buf_str(&body));
    rc =
        queue(a, tx, c->id, code, c->customer_email, c->customer_phone,
              subject.len ? buf_str(&subject) : NULL, buf_str(&body), payload, now, NULL, ids, err);
    json_decref(payload);
    if (rc == 0)
        rc = put_event(tx, false, c->id, now, "system", EV_MESSAGE, buf_str(&body),
                       json_pack("{s:s, s:o}", "template", code, "outbox", ids), err);
    else
        json_decref(ids);
    buf_release(&subject);
    buf_release(&body);
    return rc;
}

/* ---- the sweep ------------------------------------------------------------------------- */

int app_next_action(const struct app *a, const struct stage_deadline *d, int64_t *out,
                    struct ks_error *err)
{
    const struct stage_clock *k = &d->clock;
    const struct preset_esc_step *chain;
    size_t n_chain;

    *out = NEXT_NEVER;
    if (k->met_at != KS_TIME_NONE || k->paused_at != KS_TIME_NONE) {
        *out = KS_TIME_NONE;
        return 0;
    }
    if (!d->breached) {
        /* One second past the exact instant: esc_sweep compares used per mille and "past due"
         * strictly, so the action is surely due then. */
        if (d->warned == 0) {
            int64_t span = k->due_at - k->started_at - k->paused_secs;
            *out = k->started_at + k->paused_secs +
                   span * preset_warn_percent(app_preset(a)) / 100 + 1;
        } else {
            *out = k->due_at + 1;
        }
        return 0;
    }
    preset_escalation(app_preset(a), &chain, &n_chain);
    if (d->escalated < 0 || (size_t)d->escalated >= n_chain)
        return 0;
    *out = k->due_at;
    if (chain[d->escalated].after.n > 0)
        return deadline_add(&a->cal, &a->zone, k->due_at, chain[d->escalated].after, out, NULL,
                            err);
    return 0;
}

static const char *action_kind(enum esc_kind k)
{
    return k == ESC_WARN ? EV_WARNING : k == ESC_BREACH ? EV_BREACH : EV_ESCALATED;
}

/* Takes the actions due for one clock and stores its new counters and next instant. */
static int sweep_one(struct app *a, struct store_tx *tx, struct stage_deadline *d, int64_t now,
                     struct app_sweep_stats *st, struct ks_error *err)
{
    struct esc_state es = {d->warned, d->breached, d->escalated};
    struct esc_sweep out;
    struct complaint c;
    int64_t next;
    int rc;

    complaint_init(&c);
    if ((rc = store_complaint_get(tx, d->number, &c, err)) < 0 ||
        (rc = esc_sweep_preset(app_preset(a), &d->clock, &es, &a->cal, &a->zone, now, &out, err)) <
            0)
        goto out;
    for (size_t i = 0; rc == 0 && i < out.n; i++) {
        const struct esc_action *x = &out.v[i];
        struct recipients r = {0};
        char due[KS_TIME_STRLEN], title[512];
        const char *stage = d->whole ? "whole" : wf_state_name(d->stage);

        ks_time_format(x->due_at, a->zone.utc_offset_min, due);
        if (x->kind == ESC_WARN)
            snprintf(title, sizeof title, "%s %s: %d%% of the time used, due %s", c.number, stage,
                     preset_warn_percent(app_preset(a)),
                     ks_time_format(d->clock.due_at, a->zone.utc_offset_min, due));
        else if (x->kind == ESC_BREACH)
            snprintf(title, sizeof title, "%s %s: overdue since %s", c.number, stage, due);
        else
            snprintf(title, sizeof title, "%s %s: escalation %d to %s%s%s", c.number, stage,
                     x->step + 1, notify_to_name(x->to), x->label ? ": " : "",
                     x->label ? x->label : "");
        rc = put_event(tx, false, c.id, now, "system", action_kind(x->kind), title,
                       json_pack("{s:s, s:b, s:s, s:i, s:s, s:s?}", "stage",
                                 wf_state_name(d->stage), "whole", d->whole, "due_at", due, "step",
                                 x->step, "to", notify_to_name(x->to), "label", x->label),
                       err);
        if (rc == 0)
            rc = rcpt_resolve(tx, &c, x->to, &r, err);
        if (rc == 0)
            rc = tell(a, tx, &c, NULL, &r, action_kind(x->kind), title, d->rule, now, st, err);
        rcpt_release(&r);
        if (st)
            x->kind == ESC_WARN     ? st->warned++
            : x->kind == ESC_BREACH ? st->breached++
                                    : st->escalated++;
    }
    if (rc < 0)
        goto out;
    d->warned = out.next.warned;
    d->breached = out.next.breached;
    d->escalated = out.next.escalated;
    if ((rc = app_next_action(a, d, &next, err)) < 0)
        goto out;
    /* Never leave a running clock due at or before now: the sweep loop would take it again. */
    d->next_action_at = next != KS_TIME_NONE && next <= now ? now + 1 : next;
    rc = store_deadline_put(tx, d, err);
out:
    complaint_release(&c);
    return rc;
}

int app_sweep(struct app *a, int64_t now, int batch, struct app_sweep_stats *stats,
              struct ks_error *err)
{
    if (batch <= 0)
        batch = APP_SWEEP_BATCH;
    for (;;) {
        struct store_tx *tx = NULL;
        struct stage_deadline *ds = NULL;
        size_t n = 0;
        int rc;

        if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
            return rc;
        rc = store_deadline_due(tx, now, batch, &ds, &n, err);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            rc = sweep_one(a, tx, &ds[i], now, stats, err);
            if (stats)
                stats->looked++;
        }
        stage_deadline_array_free(&ds, n);
        if (rc == 0)
            rc = store_tx_commit(&tx, err);
        store_tx_rollback(&tx);
        if (rc < 0)
            return rc;
        if (n < (size_t)batch)
            return 0;
    }
}

/* ---- delivery -------------------------------------------------------------------------- */

/* The value of the environment variable `name` that channel ch names (NULL name: none
 * needed, *value_out NULL). A named variable that is unset or empty fails o, naming it: a
 * webhook must not go out signed with an empty key, nor mail without its login. It is a
 * failure worth retrying, because setting the variable and restarting is the fix (the default
 * schedule keeps trying for about an hour). */
static bool channel_env(const struct preset_channel *ch, const char *name, const char **value_out,
                        struct notify_outcome *o)
{
    const char *v = name ? getenv(name) : NULL;

    *value_out = v;
    if (!name || (v && *v))
        return true;
    o->result = NOTIFY_RETRY;
    snprintf(o->message, sizeof o->message,
             "channel '%s': environment variable %s is not set; nothing was sent", ch->name, name);
    return false;
}

static void send_one(struct app *a, const struct outbox_msg *m, struct notify_outcome *o)
{
    const struct preset_channel *ch = preset_channel_find(app_preset(a), m->channel);
    const char *msg = m->payload ? m->payload : m->body;
    long timeout = ch && ch->timeout_secs > 0 ? ch->timeout_secs * 1000L : 10000L;

    memset(o, 0, sizeof *o);
    if (!ch) {
        o->result = NOTIFY_PERMANENT;
        snprintf(o->message, sizeof o->message, "channel '%s' is not in the preset", m->channel);
        return;
    }
    switch (ch->kind) {
    case CHANNEL_WEBHOOK: {
        const char *key;
        char id[24];
        if (!ch->secret_env) { /* the preset loader refuses this; a hand-built preset too */
            o->result = NOTIFY_PERMANENT;
            snprintf(o->message, sizeof o->message, "channel '%s': a webhook needs secret_env",
                     ch->name);
            return;
        }
        if (!channel_env(ch, ch->secret_env, &key, o))
            return;
        snprintf(id, sizeof id, "%lld", (long long)m->id);
        struct notify_webhook w = {ch->url, (const unsigned char *)key, strlen(key), id, timeout};
        notify_webhook_send(&w, msg, strlen(msg), o);
        return;
    }
    case CHANNEL_SMTP: {
        const char *user, *password;
        if (!channel_env(ch, ch->user_env, &user, o) ||
            !channel_env(ch, ch->password_env, &password, o))
            return;
        struct notify_smtp s = {ch->url, ch->from, user, password, timeout};
        notify_smtp_send(&s, m->recipient, m->subject ? m->subject : "kesu", m->body, o);
        return;
    }
    case CHANNEL_COMMAND: {
        const char **argv = xcalloc(ch->command.n + 1, sizeof(*argv));
        for (size_t i = 0; i < ch->command.n; i++)
            argv[i] = ch->command.v[i];
        notify_command_run(argv, msg, strlen(msg), timeout, o);
        free(argv);
        return;
    }
    }
}

int app_deliver(struct app *a, int64_t now, int batch, uint32_t (*rand_fn)(void),
                struct app_deliver_stats *stats, struct ks_error *err)
{
    const struct notify_retry policy = NOTIFY_RETRY_DEFAULT;
    struct store_tx *tx = NULL;
    struct outbox_msg *ms = NULL;
    size_t n = 0;
    int rc;

    if (batch <= 0)
        batch = DELIVER_BATCH;
    /* Claim: hide the rows for a lease, so neither another node nor the next round takes them
     * while they are being sent. */
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    rc = store_outbox_due(tx, now, batch, &ms, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ms[i].next_attempt_at = now + DELIVER_LEASE;
        rc = store_outbox_update(tx, &ms[i], err);
    }
    if (rc == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct outbox_msg *m = &ms[i];
        struct notify_outcome o;
        int delay;

        send_one(a, m, &o);
        m->attempts++;
        xstrset(&m->last_error, o.result == NOTIFY_OK ? NULL : o.message);
        if (o.result == NOTIFY_OK) {
            m->status = OUTBOX_SENT;
            m->sent_at = now;
            if (stats)
                stats->sent++;
        } else if (o.result == NOTIFY_RETRY &&
                   notify_retry_next(&policy, m->attempts, rand_fn ? rand_fn() : 0x80000000u,
                                     &delay)) {
            m->next_attempt_at = now + delay;
            if (stats)
                stats->retried++;
        } else {
            m->status = OUTBOX_FAILED;
            if (stats)
                stats->failed++;
        }
        if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
            break;
        rc = store_outbox_update(tx, m, err);
        if (rc == 0)
            rc = store_tx_commit(&tx, err);
        store_tx_rollback(&tx);
    }
    outbox_msg_array_free(&ms, n);
    return rc;
}

/* ---- registration and moves ------------------------------------------------------------- */

/* Starts the whole-complaint limit beside the stage clocks. */
static int start_whole(struct app *a, struct store_tx *tx, const struct complaint *c, int64_t now,
                       struct ks_error *err)
{
    struct stage_deadline d;
    char per[32], label[96];
    int rc;

    if (app_preset(a)->whole.n <= 0)
        return 0;
    stage_deadline_init(&d);
    d.complaint_id = c->id;
    d.stage = WF_STATE_NEW;
    d.whole = true;
    dl_period_format(app_preset(a)->whole, per, sizeof per);
    snprintf(label, sizeof label, "whole complaint: %s", per);
    d.rule = xstrdup(label);
    rc = stage_clock_start(&d.clock, &a->cal, &a->zone, now, app_preset(a)->whole, err);
    if (rc == 0)
        rc = app_next_action(a, &d, &d.next_action_at, err);
    if (rc == 0)
        rc = store_deadline_put(tx, &d, err);
    if (rc == 0)
        rc =
            put_event(tx, false, c->id, now, "system", EV_DEADLINE, "started",
                      json_pack("{s:s, s:b, s:s}", "stage", "new", "whole", 1, "period", per), err);
    stage_deadline_release(&d);
    return rc;
}

static int emergency(struct app *a, struct store_tx *tx, const struct complaint *c, int64_t now,
                     struct ks_error *err)
{
    struct esc_emergency em;
    struct recipients r = {0};
    json_t *who;
    char title[512];
    int rc;

    if ((rc = esc_emergency(app_preset(a), c, &em, err)) < 0 || !em.emergency)
        return rc;
    who = json_array();
    for (size_t i = 0; rc == 0 && i < em.n_notify; i++) {
        json_array_append_new(who, json_string(notify_to_name(em.notify[i])));
        rc = rcpt_resolve(tx, c, em.notify[i], &r, err);
    }
    snprintf(title, sizeof title, "%s: emergency (response level %d)%s%s", c->number, em.level,
             c->title ? ": " : "", c->title ? c->title : "");
    if (rc == 0)
        rc = put_event(
            tx, false, c->id, now, "system", EV_EMERGENCY, title,
            json_pack("{s:i, s:b, s:o}", "level", em.level, "urgent", c->urgent, "notify", who),
            err);
    else
        json_decref(who);
    if (rc == 0)
        rc = tell(a, tx, c, NULL, &r, "emergency", title,
                  em.rule && em.rule->actions ? em.rule->actions : NULL, now, NULL, err);
    if (rc == 0 && em.checklist) {
        json_t *items = json_array();
        for (size_t i = 0; i < em.checklist->n; i++)
            json_array_append_new(items, json_string(em.checklist->v[i]));
        rc = put_event(tx, false, c->id, now, "system", EV_CHECKLIST, NULL,
                       json_pack("{s:i, s:o}", "level", em.level, "items", items), err);
    }
    rcpt_release(&r);
    return rc;
}

/* The preset words of category `cat` that the complaint's text contains: what surge rules
 * with `words` compare. */
static size_t surge_words(const struct app *a, const struct complaint *c, const char **out,
                          size_t max)
{
    const struct preset_category *cat =
        c->category ? preset_category_find(app_preset(a), c->category) : NULL;
    size_t n = 0;

    for (size_t i = 0; cat && i < cat->n_keywords && n < max; i++)
        if ((c->title && strstr(c->title, cat->keywords[i])) ||
            (c->description && strstr(c->description, cat->keywords[i])))
            out[n++] = cat->keywords[i];
    return n;
}

/* The next incident code of now's local day: INC20261129-01. */
static int incident_code(struct app *a, struct store_tx *tx, int64_t now, char *out, size_t size,
                         struct ks_error *err)
{
    struct ks_date d = ks_time_local_date(now, a->zone.utc_offset_min);
    char prefix[32];
    int n, rc;

    snprintf(prefix, sizeof prefix, "INC%04d%02d%02d-", d.y, d.m, d.d);
    if ((rc = store_incident_count(tx, prefix, &n, err)) < 0)
        return rc;
    snprintf(out, size, "%s%02d", prefix, n + 1);
    return 0;
}

/* Links complaint id/number to inc with an event on each timeline. */
static int link(struct store_tx *tx, const struct incident *inc, int64_t id, const char *number,
                const char *actor, int64_t now, struct ks_error *err)
{
    int rc = store_incident_link(tx, inc, id, now, err);
    if (rc == 0)
        rc = put_event(tx, false, id, now, actor, EV_INCIDENT, inc->code,
                       json_pack("{s:s, s:i}", "incident", inc->code, "level", inc->level), err);
    if (rc == 0)
        rc = put_event(tx, true, inc->id, now, actor, "attached", number,
                       json_pack("{s:s}", "number", number), err);
    return rc;
}

/* Fills inc (id, code, level) from the open incident of key among open[n]; false when none. */
static bool open_by_key(const struct incident *open, size_t n, const char *key,
                        struct incident *inc)
{
    for (size_t i = 0; i < n; i++)
        if (open[i].key && strcmp(open[i].key, key) == 0) {
            inc->id = open[i].id;
            xstrset(&inc->code, open[i].code);
            inc->level = open[i].level;
            return true;
        }
    return false;
}

/* Re-reads the open incidents and fills inc from key's, which a concurrent transaction has
 * just committed. */
static int join_opened(struct store_tx *tx, const char *key, struct incident *inc,
                       struct ks_error *err)
{
    struct incident *open = NULL;
    size_t n_open = 0;
    int rc = store_incident_list(tx, true, &open, &n_open, err);

    if (rc == 0 && !open_by_key(open, n_open, key, inc))
        rc = ks_fail(err, KS_ECONFLICT, "incident", "surge: incident '%s' is taken but not open",
                     key);
    incident_array_free(&open, n_open);
    return rc;
}

/* Carries out surge decisions over rows: opens the incidents to open (with an event and a
 * notice to the leaders) and links each decided complaint; c->incident is set when c is
 * linked. */
static int surge_apply(struct app *a, struct store_tx *tx, struct complaint *c,
                       const struct complaint *rows, const struct surge_decision *dec, size_t n_dec,
                       const struct incident *open, size_t n_open, int64_t now,
                       struct ks_error *err)
{
    int rc = 0;

    for (size_t k = 0; rc == 0 && k < n_dec; k++) {
        struct incident inc;
        bool joined = false;
        char code[32];

        incident_init(&inc);
        if (dec[k].open) {
            struct recipients r = {0};
            char title[512];
            if ((rc = incident_code(a, tx, now, code, sizeof code, err)) < 0)
                break;
            inc.code = xstrdup(code);
            snprintf(title, sizeof title, "surge: %s", dec[k].key);
            inc.title = xstrdup(title);
            inc.level = dec[k].level == 1 ? 1 : 2;
            inc.key = xstrdup(dec[k].key);
            inc.created_at = now;
            rc = store_incident_insert(tx, &inc, err);
            if (rc == KS_ECONFLICT) {
                /* Another node opened this key's incident after we read the open ones (its
                 * commit is what let our code lock go): join it instead of failing. The
                 * other rows of the window it has linked itself; linking them again would
                 * put a second entry on their timelines. */
                ks_error_clear(err);
                rc = join_opened(tx, dec[k].key, &inc, err);
                joined = true;
            } else {
                if (rc == 0)
                    rc = put_event(tx, true, inc.id, now, "system", "opened", title,
                                   json_pack("{s:s, s:i}", "rule", dec[k].rule->name, "threshold",
                                             dec[k].rule->threshold),
                                   err);
                if (rc == 0)
                    rc = rcpt_resolve(tx, NULL, NOTIFY_TO_LEADER, &r, err);
                if (rc == 0)
                    rc = tell(a, tx, NULL, inc.code, &r, "incident", title, NULL, now, NULL, err);
            }
            rcpt_release(&r);
        } else if (!open_by_key(open, n_open, dec[k].key, &inc)) {
            rc = ks_fail(err, KS_EINTERNAL, "incident", "surge: no open incident '%s'", dec[k].key);
        }
        for (size_t j = 0; rc == 0 && j < dec[k].n_items; j++) {
            const struct complaint *row = &rows[dec[k].items[j]];
            if (joined && row->id != c->id)
                continue;
            rc = link(tx, &inc, row->id, row->number, "system", now, err);
            if (rc == 0 && row->id == c->id)
                xstrset(&c->incident, inc.code);
        }
        incident_release(&inc);
    }
    return rc;
}

/* The complaints of group g received within its rule's window (c among them): counted first,
 * and read (only the fields surge detection compares) and decided only when there are at
 * least threshold of them, which is rare, so a registration usually costs one indexed count
 * per group. */
static int surge_group(struct app *a, struct store_tx *tx, struct complaint *c,
                       const struct surge_group *g, const struct incident *open, size_t n_open,
                       const char *const *keys, int64_t now, struct ks_error *err)
{
    static const char *const cols[] = {"received_at", "category", "defect", "product",
                                       "batch_no",    "incident", NULL};
    const struct preset_surge *r = g->rule;
    struct complaint_filter f;
    struct complaint *rows = NULL;
    struct surge_item *items = NULL;
    struct surge_decision *dec = NULL;
    struct store_iter *it = NULL;
    size_t n = 0, cap = 0, n_dec = 0;
    int64_t count = 0;
    int rc;

    complaint_filter_init(&f);
    f.received_from = now - r->window_secs + 1;
    f.received_to = now + 1;
    f.category = r->match & SURGE_F_CATEGORY ? c->category : NULL;
    f.defect = r->match & SURGE_F_DEFECT ? c->defect : NULL;
    f.product = r->match & SURGE_F_PRODUCT ? c->product : NULL;
    f.batch_no = r->match & SURGE_F_BATCH ? c->batch_no : NULL;
    f.text = g->word;
    f.text_scan = true; /* a window of hours: its rows, not every complaint with the word */
    if ((rc = store_complaint_count(tx, &f, &count, err)) < 0 || count < r->threshold)
        return rc;
    if ((rc = complaint_field_bits(cols, &f.fields, err)) < 0 ||
        (rc = store_complaint_list(tx, &f, &it, err)) < 0)
        return rc;
    for (;;) {
        xgrow((void **)&rows, &cap, n + 1, sizeof(*rows));
        complaint_init(&rows[n]);
        if ((rc = store_complaint_next(it, &rows[n], err)) != 1)
            break;
        n++;
    }
    complaint_release(&rows[n]);
    store_iter_free(&it);
    if (rc < 0)
        goto out;
    /* Every row shares the group's fields and word (the filter chose them), so the decision
     * sees this one group only. */
    items = xcalloc(n ? n : 1, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        struct surge_item *x = &items[i];
        x->number = rows[i].number;
        x->received_at = rows[i].received_at;
        x->category = rows[i].category;
        x->defect = rows[i].defect;
        x->product = rows[i].product;
        x->batch_no = rows[i].batch_no;
        x->words = g->word ? &g->word : NULL;
        x->n_words = g->word ? 1 : 0;
        x->incident = rows[i].incident;
    }
    if ((rc = surge_decide(r, 1, items, n, keys, n_open, now, &dec, &n_dec, err)) == 0)
        rc = surge_apply(a, tx, c, rows, dec, n_dec, open, n_open, now, err);
out:
    surge_decisions_free(&dec, n_dec);
    free(items);
    for (size_t i = 0; i < n; i++)
        complaint_release(&rows[i]);
    free(rows);
    return rc;
}

/* Surge detection for the newly registered c. Only the groups c belongs to can change, so
 * rule by rule (in preset order): c joins an open incident that has one of its keys without
 * reading any other complaint; otherwise each of its groups is counted in the rule's window
 * and, at the threshold, opens an incident linking the group. The first rule that links c
 * ends the search: a complaint belongs to one incident. */
static int surge(struct app *a, struct store_tx *tx, struct complaint *c, int64_t now,
                 struct ks_error *err)
{
    const struct preset_surge *rules;
    const char *words[16];
    struct surge_item self = {0};
    struct surge_group *g = NULL;
    struct incident *open = NULL;
    const char **keys = NULL;
    size_t n_rules, n_g = 0, n_open = 0;
    int rc;

    preset_surge_rules(app_preset(a), &rules, &n_rules);
    if (n_rules == 0)
        return 0;
    self.number = c->number;
    self.received_at = c->received_at;
    self.category = c->category;
    self.defect = c->defect;
    self.product = c->product;
    self.batch_no = c->batch_no;
    self.n_words = surge_words(a, c, words, sizeof words / sizeof words[0]);
    self.words = words;
    if ((rc = surge_groups(rules, n_rules, &self, &g, &n_g, err)) < 0 || n_g == 0)
        return rc;
    if ((rc = store_incident_list(tx, true, &open, &n_open, err)) < 0)
        goto out;
    keys = xcalloc(n_open ? n_open : 1, sizeof(*keys));
    for (size_t i = 0; i < n_open; i++)
        keys[i] = open[i].key ? open[i].key : "";
    for (size_t i = 0, end; rc == 0 && !c->incident && i < n_g; i = end) {
        for (end = i; end < n_g && g[end].rule == g[i].rule; end++)
            ;
        for (size_t k = i; rc == 0 && !c->incident && k < end; k++)
            for (size_t o = 0; rc == 0 && o < n_open; o++)
                if (strcmp(keys[o], g[k].key) == 0) {
                    rc = link(tx, &open[o], c->id, c->number, "system", now, err);
                    if (rc == 0)
                        xstrset(&c->incident, open[o].code);
                    break;
                }
        for (size_t k = i; rc == 0 && !c->incident && k < end; k++)
            rc = surge_group(a, tx, c, &g[k], open, n_open, keys, now, err);
    }
out:
    free(keys);
    incident_array_free(&open, n_open);
    surge_groups_free(&g, n_g);
    return rc;
}

int app_motion_registered(struct app *a, struct store_tx *tx, struct complaint *c,
                          const char *actor, int64_t now, struct ks_error *err)
{
    int rc;

    (void)actor;
    if ((rc = start_whole(a, tx, c, now, err)) < 0 || (rc = emergency(a, tx, c, now, err)) < 0 ||
        (rc = customer_message(a, tx, c, "ack", now, err)) < 0)
        return rc;
    return surge(a, tx, c, now, err);
}

int app_motion_moved(struct app *a, struct store_tx *tx, const struct complaint *c,
                     enum wf_state from, enum wf_state to, int64_t now, struct ks_error *err)
{
    int rc = 0;

    (void)from;
    if (to == WF_STATE_REPLIED || wf_is_terminal(to)) {
        struct stage_deadline w;
        stage_deadline_init(&w);
        rc = store_deadline_whole(tx, c->id, &w, err);
        if (rc == KS_ENOTFOUND) {
            ks_error_clear(err);
            rc = 0;
        } else if (rc == 0 && w.clock.met_at == KS_TIME_NONE) {
            stage_clock_meet(&w.clock, now);
            w.breached = stage_clock_is_breached(&w.clock, now);
            rc = store_deadline_put(tx, &w, err);
        }
        stage_deadline_release(&w);
    }
    if (rc == 0 && to == WF_STATE_REPLIED)
        rc = customer_message(a, tx, c, "reply", now, err);
    return rc;
}

/* ---- pause, resume, extend --------------------------------------------------------------- */

int app_clock(struct app *a, const char *number, enum app_clock_op op, const struct dl_period *to,
              const char *reason, const struct wf_actor *actor, int64_t now, struct ks_error *err)
{
    static const char *const names[] = {"paused", "resumed", "extended"};
    struct store_tx *tx = NULL;
    struct stage_deadline *ds = NULL, *d = NULL;
    struct complaint c;
    size_t n = 0;
    char per[32] = "";
    int rc;

    if (actor->role == ROLE_VIEWER)
        return ks_fail(err, KS_EPERM, NULL, "role 'viewer' may not change deadlines");
    if (op == APP_CLOCK_EXTEND && actor->role != ROLE_LEADER && actor->role != ROLE_ADMIN)
        return ks_fail(err, KS_EPERM, NULL,
                       "extending a deadline needs a leader's approval (role '%s')",
                       role_name(actor->role));
    if (op != APP_CLOCK_RESUME && (!reason || !*reason))
        return ks_fail(err, KS_EINVAL, "reason", "reason: %s a deadline needs a reason",
                       op == APP_CLOCK_PAUSE ? "pausing" : "extending");
    complaint_init(&c);
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = store_complaint_get(tx, number, &c, err)) < 0 ||
        (rc = store_deadline_list(tx, c.id, &ds, &n, err)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (!ds[i].whole && ds[i].stage == c.status && ds[i].clock.met_at == KS_TIME_NONE)
            d = &ds[i];
    if (!d) {
        rc = ks_fail(err, KS_ECONFLICT, "deadlines", "%s: stage %s has no running clock", number,
                     wf_state_name(c.status));
        goto out;
    }
    if (op == APP_CLOCK_PAUSE) {
        rc = stage_clock_pause(&d->clock, now, err);
    } else if (op == APP_CLOCK_RESUME) {
        rc = stage_clock_resume(&d->clock, &a->cal, &a->zone, now, err);
    } else {
        struct dl_period longer = {DL_HOURS, 0};
        const struct preset_limit *rule = NULL;
        struct dl_period cur;
        if (to) {
            longer = *to;
        } else if (preset_limit_for(app_preset(a), c.status, &c, &cur, &rule, NULL) == 0 && rule) {
            longer = rule->extend_to;
        }
        if (longer.n <= 0)
            rc = ks_fail(err, KS_EINVAL, "period",
                         "period: the preset allows no extension of stage %s; give one",
                         wf_state_name(c.status));
        else
            rc = stage_clock_extend(&d->clock, &a->cal, &a->zone, longer, err);
    }
    if (rc < 0)
        goto out;
    dl_period_format(d->clock.period, per, sizeof per);
    if ((rc = app_next_action(a, d, &d->next_action_at, err)) < 0 ||
        (rc = store_deadline_put(tx, d, err)) < 0)
        goto out;
    {
        char due[KS_TIME_STRLEN];
        rc = put_event(tx, false, c.id, now, actor->login, EV_DEADLINE, names[op],
                       json_pack("{s:s, s:s, s:s, s:s, s:s?}", "stage", wf_state_name(d->stage),
                                 "op", names[op], "period", per, "due_at",
                                 ks_time_format(d->clock.due_at, a->zone.utc_offset_min, due),
                                 "reason", reason),
                       err);
    }
    if (rc == 0)
        rc = store_tx_commit(&tx, err);
out:
    store_tx_rollback(&tx);
    stage_deadline_array_free(&ds, n);
    complaint_release(&c);
    return rc;
}

int app_deadline_explain(const struct app *a, const struct stage_deadline *d, struct buf *out,
                         struct ks_error *err)
{
    int64_t p = d->clock.paused_secs;
    char due[KS_TIME_STRLEN];
    int bad = 0;
    int rc =
        esc_explain(&a->cal, &a->zone, d->clock.started_at, d->clock.period, d->rule, out, err);

    if (rc < 0)
        return rc;
    /* esc_explain counts the period from the start; pauses move the due instant later by the
     * time paused, and the one extension is already in d's period. */
    if (d->clock.extended)
        bad |= buf_adds(out, "（已延期一次，按延期后的期限计）");
    if (p > 0 || d->clock.paused_at != KS_TIME_NONE) {
        if (p % 3600 == 0)
            bad |= buf_addf(out, "；暂停共 %lld 小时", (long long)(p / 3600));
        else if (p % 60 == 0)
            bad |= buf_addf(out, "；暂停共 %lld 分钟", (long long)(p / 60));
        else
            bad |= buf_addf(out, "；暂停共 %lld 秒", (long long)p);
        if (d->clock.paused_at != KS_TIME_NONE)
            bad |= buf_adds(out, "，现仍暂停，截止时间待恢复后再算");
        else
            bad |= buf_addf(out, "，截止顺延至 %s",
                            ks_time_format(d->clock.due_at, a->zone.utc_offset_min, due));
    }
    return bad ? ks_fail(err, KS_ELIMIT, "explain", "explanation too long") : 0;
}

/* ---- incidents ------------------------------------------------------------------------- */

void app_incident_view_init(struct app_incident_view *v)
{
    memset(v, 0, sizeof(*v));
    incident_init(&v->inc);
}

void app_incident_view_release(struct app_incident_view *v)
{
    incident_release(&v->inc);
    for (size_t i = 0; i < v->n_numbers; i++)
        free(v->numbers[i]);
    free(v->numbers);
    event_array_free(&v->evs, v->n_evs);
    app_incident_view_init(v);
}

int app_incident_get(struct app *a, const char *code, struct app_incident_view *out,
                     struct ks_error *err)
{
    struct store_tx *tx = NULL;
    int rc;

    app_incident_view_release(out);
    if ((rc = store_tx_begin(a->store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    if ((rc = store_incident_get(tx, code, &out->inc, err)) == 0 &&
        (rc = store_incident_numbers(tx, out->inc.id, &out->numbers, &out->n_numbers, err)) == 0)
        rc = store_incident_event_list(tx, out->inc.id, &out->evs, &out->n_evs, err);
    store_tx_rollback(&tx);
    return rc;
}

static int need_leader(const struct wf_actor *actor, const char *what, struct ks_error *err)
{
    if (actor->role != ROLE_LEADER && actor->role != ROLE_ADMIN)
        return ks_fail(err, KS_EPERM, NULL, "role '%s' may not %s", role_name(actor->role), what);
    return 0;
}

int app_incident_declare(struct app *a, const char *title, int level, const char *owner,
                         const struct wf_actor *actor, int64_t now, struct incident *out,
                         struct ks_error *err)
{
    struct store_tx *tx = NULL;
    char code[32];
    int rc;

    incident_release(out);
    if ((rc = need_leader(actor, "declare an incident", err)) < 0)
        return rc;
    if (!title || !*title || strlen(title) > 500)
        return ks_fail(err, KS_EINVAL, "title", "title: an incident needs a title (1-500 bytes)");
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = incident_code(a, tx, now, code, sizeof code, err)) < 0)
        goto out;
    out->code = xstrdup(code);
    out->title = xstrdup(title);
    out->level = level;
    out->owner = xstrdup(owner ? owner : actor->login);
    out->created_at = now;
    if ((rc = store_incident_insert(tx, out, err)) == 0 &&
        (rc = put_event(tx, true, out->id, now, actor->login, "declared", title,
                        json_pack("{s:i}", "level", level), err)) == 0)
        rc = store_tx_commit(&tx, err);
out:
    store_tx_rollback(&tx);
    if (rc < 0)
        incident_release(out);
    return rc;
}

int app_incident_attach(struct app *a, const char *code, const char *number,
                        const struct wf_actor *actor, int64_t now, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct incident inc;
    struct complaint c;
    int rc;

    if ((rc = need_leader(actor, "attach complaints to an incident", err)) < 0)
        return rc;
    incident_init(&inc);
    complaint_init(&c);
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = store_incident_get(tx, code, &inc, err)) == 0 &&
        (rc = store_complaint_get(tx, number, &c, err)) == 0) {
        if (c.incident && strcmp(c.incident, inc.code) != 0)
            rc = ks_fail(err, KS_ECONFLICT, "incident", "%s belongs to incident %s already", number,
                         c.incident);
        else if (!c.incident)
            rc = link(tx, &inc, c.id, c.number, actor->login, now, err);
    }
    if (rc == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    incident_release(&inc);
    complaint_release(&c);
    return rc;
}

int app_incident_reply(struct app *a, const char *code, const char *reply,
                       const struct wf_actor *actor, int64_t now, int *n_out, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct incident inc;
    char **numbers = NULL;
    size_t n = 0;
    int done = 0, rc;

    if (n_out)
        *n_out = 0;
    if ((rc = need_leader(actor, "reply for an incident", err)) < 0)
        return rc;
    if (!reply || !*reply)
        return ks_fail(err, KS_EINVAL, "reply", "reply: the text of the reply is required");
    incident_init(&inc);
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = store_incident_get(tx, code, &inc, err)) == 0)
        rc = store_incident_numbers(tx, inc.id, &numbers, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct complaint c;
        complaint_init(&c);
        if ((rc = store_complaint_get(tx, numbers[i], &c, err)) == 0 && !wf_is_terminal(c.status)) {
            xstrset(&c.reply, reply);
            c.updated_at = now;
            if ((rc = store_complaint_update(tx, &c, err)) == 0 &&
                (rc = put_event(tx, false, c.id, now, actor->login, EV_COMMENT, reply,
                                json_pack("{s:s}", "incident_reply", inc.code), err)) == 0 &&
                (rc = customer_message(a, tx, &c, "reply", now, err)) == 0)
                done++;
        }
        complaint_release(&c);
    }
    if (rc == 0)
        rc = put_event(tx, true, inc.id, now, actor->login, "replied", reply,
                       json_pack("{s:i}", "complaints", done), err);
    if (rc == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    for (size_t i = 0; i < n; i++)
        free(numbers[i]);
    free(numbers);
    incident_release(&inc);
    if (rc == 0 && n_out)
        *n_out = done;
    return rc;
}
