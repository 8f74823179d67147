/* YAML presets (see preset-load.h). libyaml loads the whole document as a node graph with
 * line marks; a recursive walk then fills struct preset, checking each key against the keys
 * its mapping allows and each value against its type, so a mistake is reported with the line
 * it is on. Cross-references (categories named by defects and limits) are checked last by
 * preset_check(), which knows no lines, so those errors carry only the file name. */
#include "preset/preset-load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/template.h"
#include "lib/embed.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

struct ld {
    yaml_document_t *doc;
    const char *src;
    struct ks_error *err;
    char path[128]; /* the field being read: "limits[2].period" */
};

static yaml_node_t *node_at(struct ld *l, int i)
{
    return yaml_document_get_node(l->doc, i);
}

static int line_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

__attribute__((format(printf, 3, 4))) static int fail(struct ld *l, const yaml_node_t *n,
                                                      const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ks_fail(l->err, KS_ECONFIG, l->path, "%s:%d: %s: %s", l->src, line_of(n), l->path, msg);
}

/* Sets l->path to parent + suffix and returns the old length, for path_pop. */
__attribute__((format(printf, 2, 3))) static size_t path_push(struct ld *l, const char *fmt, ...)
{
    size_t old = strlen(l->path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->path + old, sizeof l->path - old, fmt, ap);
    va_end(ap);
    return old;
}

static void path_pop(struct ld *l, size_t old)
{
    l->path[old] = '\0';
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int get_str(struct ld *l, yaml_node_t *n, char **out)
{
    const char *s = scalar(n);
    if (!s)
        return fail(l, n, "expected text");
    if (!*s)
        return fail(l, n, "is empty");
    xstrset(out, s);
    return 0;
}

static int get_int(struct ld *l, yaml_node_t *n, int lo, int hi, int *out)
{
    const char *s = scalar(n);
    char *end;
    if (!s)
        return fail(l, n, "expected a number");
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return fail(l, n, "'%s' is not a whole number from %d to %d", s, lo, hi);
    *out = (int)v;
    return 0;
}

static int get_period(struct ld *l, yaml_node_t *n, struct dl_period *out)
{
    const char *s = scalar(n);
    if (!s)
        return fail(l, n, "expected a period like 3 workdays");
    if (dl_period_parse(s, out, NULL) < 0)
        return fail(l, n, "'%s' is not a period like 3 workdays", s);
    return 0;
}

static int get_severity(struct ld *l, yaml_node_t *n, enum severity *out)
{
    const char *s = scalar(n);
    if (!s || severity_parse(s, out, NULL) < 0 || *out == SEV_NONE)
        return fail(l, n, "'%s' is not a severity (general, batch, serious)", s ? s : "");
    return 0;
}

static int get_words(struct ld *l, yaml_node_t *n, struct preset_words *w)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return fail(l, n, "expected a list of words");
    yaml_node_item_t *it;
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        size_t old = path_push(l, "[%zu]", w->n);
        char *s = NULL;
        int rc = get_str(l, node_at(l, *it), &s);
        path_pop(l, old);
        if (rc < 0)
            return rc;
        w->v = xrealloc(w->v, (w->n + 1) * sizeof *w->v);
        w->v[w->n++] = s;
    }
    return 0;
}

/* Iterates a mapping: calls one(l, key, value, arg) per pair after checking the key is among
 * allowed (a NULL-terminated list). */
typedef int (*pair_fn)(struct ld *l, const char *key, yaml_node_t *val, void *arg);

static int each_pair(struct ld *l, yaml_node_t *n, const char *const *allowed, pair_fn one,
                     void *arg)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(l, n, "expected a mapping (key: value lines)");
    yaml_node_pair_t *pr;
    for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = node_at(l, pr->key);
        const char *key = scalar(k);
        bool ok = false;
        for (size_t i = 0; key && allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                ok = true;
        if (!ok) {
            size_t old = path_push(l, "%s%s", l->path[0] ? "." : "", key ? key : "?");
            int rc = fail(l, k, "unknown key");
            path_pop(l, old);
            return rc;
        }
        /* libyaml accepts a key twice in one mapping; the second would silently replace
         * (and leak) the first. */
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < pr; q++) {
            const char *prev = scalar(node_at(l, q->key));
            if (prev && strcmp(prev, key) == 0) {
                size_t at = path_push(l, "%s%s", l->path[0] ? "." : "", key);
                int rc = fail(l, k, "duplicate key");
                path_pop(l, at);
                return rc;
            }
        }
        size_t old = path_push(l, "%s%s", l->path[0] ? "." : "", key);
        int rc = one(l, key, node_at(l, pr->value), arg);
        path_pop(l, old);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int each_item(struct ld *l, yaml_node_t *n, void **arr, size_t *count, size_t elem,
                     const char *const *allowed, pair_fn one,
                     int (*done)(struct ld *, yaml_node_t *, void *))
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return fail(l, n, "expected a list");
    size_t total = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    *arr = xcalloc(total ? total : 1, elem);
    *count = 0;
    for (size_t i = 0; i < total; i++) {
        yaml_node_t *item = node_at(l, n->data.sequence.items.start[i]);
        void *slot = (char *)*arr + i * elem;
        (*count)++;
        size_t old = path_push(l, "[%zu]", i);
        int rc = each_pair(l, item, allowed, one, slot);
        if (rc == 0 && done)
            rc = done(l, item, slot);
        path_pop(l, old);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- Categories ------------------------------------------------------------------------- */

static int category_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_category *c = arg;
    if (strcmp(key, "code") == 0)
        return get_str(l, v, &c->code);
    if (strcmp(key, "name") == 0)
        return get_str(l, v, &c->name);
    struct preset_words w = {c->keywords, c->n_keywords};
    int rc = get_words(l, v, &w);
    c->keywords = w.v;
    c->n_keywords = w.n;
    return rc;
}

static int need_code_name(struct ld *l, yaml_node_t *n, char *code, char *name)
{
    if (!code)
        return fail(l, n, "code is missing");
    if (!name)
        return fail(l, n, "name is missing");
    return 0;
}

static int category_done(struct ld *l, yaml_node_t *n, void *arg)
{
    struct preset_category *c = arg;
    return need_code_name(l, n, c->code, c->name);
}

/* ---- Defects and products --------------------------------------------------------------- */

static int defect_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_defect *d = arg;
    if (strcmp(key, "code") == 0)
        return get_str(l, v, &d->code);
    if (strcmp(key, "name") == 0)
        return get_str(l, v, &d->name);
    if (strcmp(key, "severity") == 0)
        return get_severity(l, v, &d->severity);
    if (strcmp(key, "category") == 0)
        return get_str(l, v, &d->category);
    return get_words(l, v, &d->phrases);
}

static int defect_done(struct ld *l, yaml_node_t *n, void *arg)
{
    struct preset_defect *d = arg;
    int rc = need_code_name(l, n, d->code, d->name);
    if (rc == 0 && d->severity == SEV_NONE)
        rc = fail(l, n, "severity is missing");
    return rc;
}

static const char *const defect_keys[] = {"code", "name", "severity", "category", "phrases", NULL};

static int product_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_product *p = arg;
    if (strcmp(key, "code") == 0)
        return get_str(l, v, &p->code);
    if (strcmp(key, "name") == 0)
        return get_str(l, v, &p->name);
    if (strcmp(key, "aliases") == 0)
        return get_words(l, v, &p->aliases);
    return each_item(l, v, (void **)&p->defects, &p->n_defects, sizeof *p->defects, defect_keys,
                     defect_pair, defect_done);
}

static int product_done(struct ld *l, yaml_node_t *n, void *arg)
{
    struct preset_product *p = arg;
    return need_code_name(l, n, p->code, p->name);
}

/* ---- Rules ------------------------------------------------------------------------------ */

static int get_ratio(struct ld *l, yaml_node_t *n, int *permille)
{
    const char *s = scalar(n);
    char *end;
    if (!s)
        return fail(l, n, "expected a share like 30%%");
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end == '%' && end[1] == '\0')
        v /= 100.0;
    else if (*end || v > 1.0)
        end = NULL;
    if (errno || end == NULL || end == s || v < 0.0 || v > 1.0)
        return fail(l, n, "'%s' is not a share like 30%%", s);
    *permille = (int)(v * 1000.0 + 0.5);
    return 0;
}

static int repeat_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_rules *r = arg;
    if (strcmp(key, "count") == 0)
        return get_int(l, v, 2, 100, &r->repeat_count);
    return get_severity(l, v, &r->repeat_severity);
}

static int rules_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    static const char *const repeat_keys[] = {"count", "severity", NULL};
    struct preset_rules *r = arg;
    if (strcmp(key, "batch_ratio") == 0)
        return get_ratio(l, v, &r->batch_ratio_permille);
    if (strcmp(key, "batch_words") == 0)
        return get_words(l, v, &r->batch);
    if (strcmp(key, "serious_words") == 0)
        return get_words(l, v, &r->serious);
    if (strcmp(key, "urgent_words") == 0)
        return get_words(l, v, &r->urgent);
    if (strcmp(key, "negations") == 0)
        return get_words(l, v, &r->negations);
    if (strcmp(key, "repeat") == 0) {
        r->repeat_severity = SEV_SERIOUS;
        return each_pair(l, v, repeat_keys, repeat_pair, r);
    }
    if (strcmp(key, "level1_severity") == 0)
        return get_severity(l, v, &r->level1_severity);
    return get_severity(l, v, &r->urgent_severity);
}

/* ---- Levels, limits, guidance ----------------------------------------------------------- */

static int get_recipient(struct ld *l, yaml_node_t *n, enum notify_to *out)
{
    const char *s = scalar(n);
    struct ks_error e;
    if (!s)
        return fail(l, n, "expected a recipient like leader");
    if (notify_to_parse(s, out, &e) < 0)
        return fail(l, n, "%s", e.message);
    return 0;
}

/* notify: "leader,handler" (the older form) or [leader, deputy]; kept as comma-separated
 * text of checked recipient codes. */
static int get_notify(struct ld *l, yaml_node_t *n, char **out)
{
    char joined[256] = "";
    size_t len = 0;
    if (n && n->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *it;
        for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            yaml_node_t *item = node_at(l, *it);
            enum notify_to to;
            int rc = get_recipient(l, item, &to);
            if (rc < 0)
                return rc;
            int w =
                snprintf(joined + len, sizeof joined - len, "%s%s", len ? "," : "", scalar(item));
            if (w < 0 || (size_t)w >= sizeof joined - len)
                return fail(l, n, "is too long");
            len += (size_t)w;
        }
        if (len == 0)
            return fail(l, n, "is empty");
        xstrset(out, joined);
        return 0;
    }
    int rc = get_str(l, n, out);
    if (rc < 0)
        return rc;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", *out);
    for (char *tok = copy, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        while (*tok == ' ')
            tok++;
        enum notify_to to;
        struct ks_error e;
        if (notify_to_parse(tok, &to, &e) < 0)
            return fail(l, n, "%s", e.message);
    }
    return 0;
}

/* A delay after an event: a period, or 0 ("0", "0h") for at once (n == 0). */
static int get_delay(struct ld *l, yaml_node_t *n, struct dl_period *out)
{
    const char *s = scalar(n);
    if (s && (strcmp(s, "0") == 0 || strcmp(s, "0h") == 0)) {
        *out = (struct dl_period){DL_HOURS, 0};
        return 0;
    }
    return get_period(l, n, out);
}

/* ---- Escalation, surge, templates, channels --------------------------------------------- */

static int esc_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_esc_step *st = arg;
    if (strcmp(key, "to") == 0)
        return get_recipient(l, v, &st->to);
    if (strcmp(key, "after") == 0)
        return get_delay(l, v, &st->after);
    return get_str(l, v, &st->label);
}

static int esc_done(struct ld *l, yaml_node_t *n, void *arg)
{
    (void)arg;
    /* to: is required; a mapping without it would silently mean the assignee. */
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++)
        if (scalar(node_at(l, pr->key)) && strcmp(scalar(node_at(l, pr->key)), "to") == 0)
            return 0;
    return fail(l, n, "to is missing");
}

static int surge_match(struct ld *l, yaml_node_t *n, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } fields[] = {{"category", SURGE_F_CATEGORY},
                  {"defect", SURGE_F_DEFECT},
                  {"product", SURGE_F_PRODUCT},
                  {"batch_no", SURGE_F_BATCH},
                  {"words", SURGE_F_WORDS}};
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return fail(l, n, "expected a list like [category, words]");
    *out = 0;
    yaml_node_item_t *it;
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = node_at(l, *it);
        const char *s = scalar(item);
        unsigned bit = 0;
        for (size_t i = 0; s && i < sizeof fields / sizeof fields[0]; i++)
            if (strcmp(fields[i].name, s) == 0)
                bit = fields[i].bit;
        if (!bit)
            return fail(l, item, "'%s' is not one of category, defect, product, batch_no, words",
                        s ? s : "");
        *out |= bit;
    }
    return 0;
}

static int surge_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_surge *r = arg;
    if (strcmp(key, "name") == 0)
        return get_str(l, v, &r->name);
    if (strcmp(key, "match") == 0)
        return surge_match(l, v, &r->match);
    if (strcmp(key, "threshold") == 0)
        return get_int(l, v, 2, 10000, &r->threshold);
    if (strcmp(key, "level") == 0)
        return get_int(l, v, 1, 2, &r->level);
    struct dl_period w;
    int rc = get_period(l, v, &w);
    if (rc < 0)
        return rc;
    if (w.unit != DL_HOURS || w.n > 720)
        return fail(l, v, "'%s' is not a window in hours from 1h to 720h", scalar(v));
    r->window_secs = w.n * 3600;
    return 0;
}

static int surge_done(struct ld *l, yaml_node_t *n, void *arg)
{
    struct preset_surge *r = arg;
    if (!r->name)
        return fail(l, n, "name is missing");
    if (!r->match)
        return fail(l, n, "match is missing");
    if (!r->window_secs)
        return fail(l, n, "window is missing");
    if (!r->threshold)
        return fail(l, n, "threshold is missing");
    if (!r->level)
        r->level = 2;
    return 0;
}

static int template_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_template *t = arg;
    if (strcmp(key, "code") == 0)
        return get_str(l, v, &t->code);
    if (strcmp(key, "subject") == 0)
        return get_str(l, v, &t->subject);
    return get_str(l, v, &t->body);
}

static int template_done(struct ld *l, yaml_node_t *n, void *arg)
{
    struct preset_template *t = arg;
    if (!t->code)
        return fail(l, n, "code is missing");
    if (!t->body)
        return fail(l, n, "body is missing");
    struct ks_error e;
    if (tpl_check(t->body, &e) < 0 || (t->subject && tpl_check(t->subject, &e) < 0))
        return fail(l, n, "%s", e.message);
    return 0;
}

/* An environment variable name: letters, digits and '_', not starting with a digit. A value
 * that looks like a secret itself is refused so it never sits in a preset. */
static int get_env_name(struct ld *l, yaml_node_t *n, char **out)
{
    const char *s = scalar(n);
    bool ok = s && *s && !(*s >= '0' && *s <= '9');
    for (const char *c = s; ok && *c; c++)
        ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
             *c == '_';
    if (!ok)
        return fail(l, n, "'%s' is not an environment variable name (secrets stay out of presets)",
                    s ? s : "");
    xstrset(out, s);
    return 0;
}

static int channel_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_channel *c = arg;
    if (strcmp(key, "name") == 0)
        return get_str(l, v, &c->name);
    if (strcmp(key, "kind") == 0) {
        const char *s = scalar(v);
        if (s && strcmp(s, "webhook") == 0)
            c->kind = CHANNEL_WEBHOOK;
        else if (s && strcmp(s, "smtp") == 0)
            c->kind = CHANNEL_SMTP;
        else if (s && strcmp(s, "command") == 0)
            c->kind = CHANNEL_COMMAND;
        else
            return fail(l, v, "'%s' is not webhook, smtp or command", s ? s : "");
        return 0;
    }
    if (strcmp(key, "url") == 0)
        return get_str(l, v, &c->url);
    if (strcmp(key, "secret_env") == 0)
        return get_env_name(l, v, &c->secret_env);
    if (strcmp(key, "from") == 0)
        return get_str(l, v, &c->from);
    if (strcmp(key, "user_env") == 0)
        return get_env_name(l, v, &c->user_env);
    if (strcmp(key, "password_env") == 0)
        return get_env_name(l, v, &c->password_env);
    if (strcmp(key, "timeout") == 0)
        return get_int(l, v, 1, 300, &c->timeout_secs);
    return get_words(l, v, &c->command);
}

static int channel_done(struct ld *l, yaml_node_t *n, void *arg)
{
    struct preset_channel *c = arg;
    if (!c->name)
        return fail(l, n, "name is missing");
    if (c->kind == CHANNEL_WEBHOOK && (!c->url || !c->secret_env))
        return fail(l, n, "a webhook needs url and secret_env");
    if (c->kind == CHANNEL_WEBHOOK && strncmp(c->url, "http://", 7) != 0 &&
        strncmp(c->url, "https://", 8) != 0)
        return fail(l, n, "url '%s' is not http:// or https://", c->url);
    if (c->kind == CHANNEL_SMTP && (!c->url || !c->from))
        return fail(l, n, "smtp needs url and from");
    if (c->kind == CHANNEL_SMTP && strncmp(c->url, "smtp://", 7) != 0 &&
        strncmp(c->url, "smtps://", 8) != 0)
        return fail(l, n, "url '%s' is not smtp:// or smtps://", c->url);
    if (c->kind == CHANNEL_COMMAND && c->command.n == 0)
        return fail(l, n, "a command channel needs command: [program, args...]");
    if (!c->timeout_secs)
        c->timeout_secs = 10;
    return 0;
}

static int level_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_level *lv = arg;
    if (strcmp(key, "level") == 0)
        return get_int(l, v, 1, 2, &lv->level);
    if (strcmp(key, "name") == 0)
        return get_str(l, v, &lv->name);
    if (strcmp(key, "notify") == 0)
        return get_notify(l, v, &lv->notify);
    if (strcmp(key, "first_response") == 0)
        return get_period(l, v, &lv->first_response);
    if (strcmp(key, "within") == 0)
        return get_delay(l, v, &lv->within);
    if (strcmp(key, "checklist") == 0)
        return get_words(l, v, &lv->checklist);
    return get_str(l, v, &lv->actions);
}

static int level_done(struct ld *l, yaml_node_t *n, void *arg)
{
    struct preset_level *lv = arg;
    if (lv->level == 0)
        return fail(l, n, "level is missing");
    return 0;
}

static int limit_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset_limit *lm = arg;
    if (strcmp(key, "stage") == 0) {
        const char *s = scalar(v);
        if (!s || wf_state_parse(s, &lm->stage, NULL) < 0)
            return fail(l, v,
                        "'%s' is not a stage (new, accepted, assigned, investigating, "
                        "proposed, resolving, replied, follow_up)",
                        s ? s : "");
        return 0;
    }
    if (strcmp(key, "severity") == 0)
        return get_severity(l, v, &lm->severity);
    if (strcmp(key, "response_level") == 0)
        return get_int(l, v, 1, 2, &lm->response_level);
    if (strcmp(key, "category") == 0)
        return get_str(l, v, &lm->category);
    if (strcmp(key, "period") == 0)
        return get_period(l, v, &lm->period);
    if (strcmp(key, "extend_to") == 0)
        return get_period(l, v, &lm->extend_to);
    return get_str(l, v, &lm->label);
}

static int limit_done(struct ld *l, yaml_node_t *n, void *arg)
{
    struct preset_limit *lm = arg;
    if (lm->period.n == 0)
        return fail(l, n, "period is missing");
    return 0;
}

static int guidance_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset *p = arg;
    enum severity s;
    if (severity_parse(key, &s, NULL) < 0 || s == SEV_NONE)
        return fail(l, v, "not a severity");
    return get_str(l, v, &p->guidance[s]);
}

/* A score of 5 can never mean dissatisfied, and 0 would make every answer a satisfied one
 * while the survey still looked active: both are refused. */
static int survey_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    struct preset *p = arg;
    (void)key;
    return get_int(l, v, 1, 4, &p->survey_dissatisfied_max);
}

/* ---- Top level -------------------------------------------------------------------------- */

static const char *const top_keys[] = {
    "name",    "title",          "default_category", "categories",      "products",
    "defects", "rules",          "levels",           "guidance",        "limits",
    "whole",   "whole_extended", "version",          "warn_at_percent", "escalation",
    "surge",   "templates",      "channels",         "survey",          NULL,
};

static int top_pair(struct ld *l, const char *key, yaml_node_t *v, void *arg)
{
    static const char *const cat_keys[] = {"code", "name", "keywords", NULL};
    static const char *const prod_keys[] = {"code", "name", "aliases", "defects", NULL};
    static const char *const rules_keys[] = {
        "batch_ratio", "batch_words",     "serious_words",   "urgent_words", "negations",
        "repeat",      "level1_severity", "urgent_severity", NULL,
    };
    static const char *const level_keys[] = {
        "level", "name", "notify", "first_response", "actions", "within", "checklist", NULL,
    };
    static const char *const esc_keys[] = {"to", "after", "label", NULL};
    static const char *const surge_keys[] = {"name", "match", "window", "threshold", "level", NULL};
    static const char *const tpl_keys[] = {"code", "subject", "body", NULL};
    static const char *const chan_keys[] = {"name",         "kind",     "url",     "secret_env",
                                            "from",         "user_env", "timeout", "command",
                                            "password_env", NULL};
    static const char *const limit_keys[] = {"stage",  "severity",  "response_level", "category",
                                             "period", "extend_to", "label",          NULL};
    static const char *const sev_keys[] = {"general", "batch", "serious", NULL};
    static const char *const survey_keys[] = {"dissatisfied_max", NULL};
    struct preset *p = arg;
    if (strcmp(key, "name") == 0)
        return get_str(l, v, &p->name);
    if (strcmp(key, "title") == 0)
        return get_str(l, v, &p->title);
    if (strcmp(key, "version") == 0)
        return get_str(l, v, &p->version);
    if (strcmp(key, "survey") == 0)
        return each_pair(l, v, survey_keys, survey_pair, p);
    if (strcmp(key, "default_category") == 0)
        return get_str(l, v, &p->default_category);
    if (strcmp(key, "categories") == 0)
        return each_item(l, v, (void **)&p->categories, &p->n_categories, sizeof *p->categories,
                         cat_keys, category_pair, category_done);
    if (strcmp(key, "products") == 0)
        return each_item(l, v, (void **)&p->products, &p->n_products, sizeof *p->products,
                         prod_keys, product_pair, product_done);
    if (strcmp(key, "defects") == 0)
        return each_item(l, v, (void **)&p->defects, &p->n_defects, sizeof *p->defects, defect_keys,
                         defect_pair, defect_done);
    if (strcmp(key, "rules") == 0)
        return each_pair(l, v, rules_keys, rules_pair, &p->rules);
    if (strcmp(key, "levels") == 0)
        return each_item(l, v, (void **)&p->levels, &p->n_levels, sizeof *p->levels, level_keys,
                         level_pair, level_done);
    if (strcmp(key, "guidance") == 0)
        return each_pair(l, v, sev_keys, guidance_pair, p);
    if (strcmp(key, "limits") == 0)
        return each_item(l, v, (void **)&p->limits, &p->n_limits, sizeof *p->limits, limit_keys,
                         limit_pair, limit_done);
    if (strcmp(key, "whole") == 0)
        return get_period(l, v, &p->whole);
    if (strcmp(key, "warn_at_percent") == 0)
        return get_int(l, v, 1, 99, &p->warn_at_percent);
    if (strcmp(key, "escalation") == 0) {
        p->escalation_set = true;
        return each_item(l, v, (void **)&p->escalation, &p->n_escalation, sizeof *p->escalation,
                         esc_keys, esc_pair, esc_done);
    }
    if (strcmp(key, "surge") == 0) {
        p->surge_set = true;
        return each_item(l, v, (void **)&p->surge, &p->n_surge, sizeof *p->surge, surge_keys,
                         surge_pair, surge_done);
    }
    if (strcmp(key, "templates") == 0)
        return each_item(l, v, (void **)&p->templates, &p->n_templates, sizeof *p->templates,
                         tpl_keys, template_pair, template_done);
    if (strcmp(key, "channels") == 0)
        return each_item(l, v, (void **)&p->channels, &p->n_channels, sizeof *p->channels,
                         chan_keys, channel_pair, channel_done);
    if (!v || v->type != YAML_SEQUENCE_NODE)
        return fail(l, v, "expected a list of periods");
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    p->whole_extended = xcalloc(n ? n : 1, sizeof *p->whole_extended);
    for (size_t i = 0; i < n; i++) {
        size_t old = path_push(l, "[%zu]", i);
        int rc = get_period(l, node_at(l, v->data.sequence.items.start[i]), &p->whole_extended[i]);
        path_pop(l, old);
        if (rc < 0)
            return rc;
        p->n_whole_extended++;
    }
    return 0;
}

int preset_load_buffer(const char *text, size_t len, const char *source_name, struct preset *out,
                       struct ks_error *err)
{
    preset_init(out);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return ks_fail(err, KS_EINTERNAL, NULL, "%s: cannot start the YAML parser", source_name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        int rc = ks_fail(err, KS_ECONFIG, NULL, "%s:%d: %s", source_name,
                         (int)parser.problem_mark.line + 1,
                         parser.problem ? parser.problem : "not valid YAML");
        yaml_parser_delete(&parser);
        return rc;
    }
    yaml_parser_delete(&parser);
    struct ld l = {&doc, source_name, err, ""};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc;
    if (!root)
        rc = ks_fail(err, KS_ECONFIG, NULL, "%s:1: the preset is empty", source_name);
    else
        rc = each_pair(&l, root, top_keys, top_pair, out);
    if (rc == 0 && !out->name)
        rc = ks_fail(err, KS_ECONFIG, "name", "%s:1: name: is missing", source_name);
    if (rc == 0) {
        rc = preset_check(out, err);
        if (rc < 0)
            ks_error_prefix(err, "%s", source_name);
    }
    yaml_document_delete(&doc);
    if (rc < 0) {
        preset_release(out);
        return rc;
    }
    xstrset(&out->source, source_name);
    return 0;
}

int preset_load_file(const char *path, struct preset *out, struct ks_error *err)
{
    preset_init(out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ks_fail(err, KS_ENOTFOUND, "preset", "preset: cannot open '%s': %s", path,
                       strerror(errno));
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        xgrow((void **)&data, &cap, len + 4096, 1);
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len > 4 * 1024 * 1024) {
            fclose(f);
            free(data);
            return ks_fail(err, KS_ELIMIT, "preset", "preset: '%s' is larger than 4 MiB", path);
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        return ks_fail(err, KS_ENOTFOUND, "preset", "preset: cannot read '%s'", path);
    }
    int rc = preset_load_buffer(data, len, path, out, err);
    free(data);
    return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

void preset_embedded_names(char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (const struct embed_file *f = embed_files; f->name; f++) {
        if (strncmp(f->name, "presets/", 8) != 0 || !ends_with(f->name, ".yaml"))
            continue;
        int n = snprintf(out + o, size - o, "%s%.*s", o ? ", " : "", (int)(strlen(f->name) - 8 - 5),
                         f->name + 8);
        if (n < 0 || (size_t)n >= size - o)
            break;
        o += (size_t)n;
    }
}

int preset_load_named(const char *name, struct preset *out, struct ks_error *err)
{
    preset_init(out);
    if (strchr(name, '/') || ends_with(name, ".yaml") || ends_with(name, ".yml"))
        return preset_load_file(name, out, err);
    char path[160];
    snprintf(path, sizeof path, "presets/%s.yaml", name);
    const struct embed_file *f = embed_find(path);
    if (!f) {
        char names[256];
        preset_embedded_names(names, sizeof names);
        return ks_fail(err, KS_ENOTFOUND, "preset", "preset: '%s' is not one of: %s", name, names);
    }
    return preset_load_buffer((const char *)f->data, f->size, path, out, err);
}
