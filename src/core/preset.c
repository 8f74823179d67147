/* The preset model: release, lookups, the stage time-limit choice (most specific rule wins)
 * and the cross-reference check run after loading. See preset.h. */
#include "core/preset.h"

#include <stdlib.h>
#include <string.h>

#include "core/template.h"
#include "lib/banned.h"

void preset_init(struct preset *p)
{
    memset(p, 0, sizeof *p);
}

static void words_release(struct preset_words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
    w->v = NULL;
    w->n = 0;
}

static void defects_release(struct preset_defect *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].code);
        free(d[i].name);
        free(d[i].category);
        words_release(&d[i].phrases);
    }
    free(d);
}

void preset_release(struct preset *p)
{
    free(p->name);
    free(p->title);
    free(p->source);
    free(p->version);
    for (size_t i = 0; i < p->n_categories; i++) {
        struct preset_category *c = &p->categories[i];
        free(c->code);
        free(c->name);
        for (size_t k = 0; k < c->n_keywords; k++)
            free(c->keywords[k]);
        free(c->keywords);
    }
    free(p->categories);
    for (size_t i = 0; i < p->n_limits; i++) {
        free(p->limits[i].category);
        free(p->limits[i].label);
    }
    free(p->limits);
    free(p->whole_extended);
    free(p->default_category);
    for (size_t i = 0; i < p->n_products; i++) {
        struct preset_product *pr = &p->products[i];
        free(pr->code);
        free(pr->name);
        words_release(&pr->aliases);
        defects_release(pr->defects, pr->n_defects);
    }
    free(p->products);
    defects_release(p->defects, p->n_defects);
    words_release(&p->rules.batch);
    words_release(&p->rules.serious);
    words_release(&p->rules.urgent);
    words_release(&p->rules.negations);
    for (size_t i = 0; i < p->n_levels; i++) {
        free(p->levels[i].name);
        free(p->levels[i].notify);
        free(p->levels[i].actions);
        words_release(&p->levels[i].checklist);
    }
    free(p->levels);
    for (int s = 0; s < SEV__COUNT; s++)
        free(p->guidance[s]);
    for (size_t i = 0; i < p->n_escalation; i++)
        free(p->escalation[i].label);
    free(p->escalation);
    for (size_t i = 0; i < p->n_surge; i++)
        free(p->surge[i].name);
    free(p->surge);
    for (size_t i = 0; i < p->n_templates; i++) {
        free(p->templates[i].code);
        free(p->templates[i].subject);
        free(p->templates[i].body);
    }
    free(p->templates);
    for (size_t i = 0; i < p->n_channels; i++) {
        struct preset_channel *c = &p->channels[i];
        free(c->name);
        free(c->url);
        free(c->secret_env);
        free(c->from);
        free(c->user_env);
        free(c->password_env);
        words_release(&c->command);
    }
    free(p->channels);
    preset_init(p);
}

const struct preset_category *preset_category_find(const struct preset *p, const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < p->n_categories; i++)
        if (strcmp(p->categories[i].code, code) == 0)
            return &p->categories[i];
    return NULL;
}

const struct preset_product *preset_product_find(const struct preset *p, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < p->n_products; i++) {
        const struct preset_product *pr = &p->products[i];
        if (strcmp(pr->code, name) == 0 || (pr->name && strcmp(pr->name, name) == 0))
            return pr;
        for (size_t k = 0; k < pr->aliases.n; k++)
            if (strcmp(pr->aliases.v[k], name) == 0)
                return pr;
    }
    return NULL;
}

const struct preset_level *preset_level_find(const struct preset *p, int level)
{
    for (size_t i = 0; i < p->n_levels; i++)
        if (p->levels[i].level == level)
            return &p->levels[i];
    return NULL;
}

int preset_limit_for(const struct preset *p, enum wf_state stage, const struct complaint *c,
                     struct dl_period *out, const struct preset_limit **rule_out,
                     struct ks_error *err)
{
    const struct preset_limit *best = NULL;
    int best_score = -1;
    for (size_t i = 0; i < p->n_limits; i++) {
        const struct preset_limit *l = &p->limits[i];
        if (l->stage != stage)
            continue;
        int score = 0;
        if (l->severity != SEV_NONE) {
            if (l->severity != c->severity)
                continue;
            score++;
        }
        if (l->response_level != 0) {
            if (l->response_level != c->response_level)
                continue;
            score++;
        }
        if (l->category) {
            if (!c->category || strcmp(l->category, c->category) != 0)
                continue;
            score++;
        }
        if (score > best_score) { /* ties: the first in the preset wins */
            best = l;
            best_score = score;
        }
    }
    if (rule_out)
        *rule_out = best;
    if (!best) {
        memset(out, 0, sizeof *out);
        return ks_fail(err, KS_ENOTFOUND, "stage", "stage '%s' has no time limit in preset '%s'",
                       wf_state_name(stage), p->name ? p->name : "");
    }
    *out = best->period;
    return 0;
}

static const char *const notify_to_names[NOTIFY_TO__COUNT] = {
    "assignee", "first_responder", "department_head", "leader", "deputy", "admin",
};

const char *notify_to_name(enum notify_to t)
{
    return t >= 0 && t < NOTIFY_TO__COUNT ? notify_to_names[t] : "?";
}

int notify_to_parse(const char *s, enum notify_to *out, struct ks_error *err)
{
    for (int i = 0; i < NOTIFY_TO__COUNT; i++)
        if (strcmp(s, notify_to_names[i]) == 0) {
            *out = (enum notify_to)i;
            return 0;
        }
    /* The seed presets say "handler" for the person working the complaint. */
    if (strcmp(s, "handler") == 0) {
        *out = NOTIFY_TO_ASSIGNEE;
        return 0;
    }
    return ks_fail(err, KS_EINVAL, "notify",
                   "'%s' is not a recipient (assignee, first_responder, department_head, leader, "
                   "deputy, admin)",
                   s);
}

int preset_warn_percent(const struct preset *p)
{
    return p->warn_at_percent > 0 ? p->warn_at_percent : 75;
}

int preset_survey_dissatisfied_max(const struct preset *p)
{
    return p->survey_dissatisfied_max > 0 ? p->survey_dissatisfied_max : 2;
}

/* The defaults follow the seed plans' common shape: the handler is told at the breach, the
 * department head half a working day later, the group leader (组长) after a working day,
 * and the administrator after two. */
static const struct preset_esc_step default_escalation[] = {
    {NOTIFY_TO_ASSIGNEE, {DL_HOURS, 0}, NULL},
    {NOTIFY_TO_DEPT_HEAD, {DL_HOURS, 4}, NULL},
    {NOTIFY_TO_LEADER, {DL_WORKDAYS, 1}, NULL},
    {NOTIFY_TO_ADMIN, {DL_WORKDAYS, 2}, NULL},
};

void preset_escalation(const struct preset *p, const struct preset_esc_step **steps_out,
                       size_t *n_out)
{
    if (p->escalation_set) {
        *steps_out = p->escalation;
        *n_out = p->n_escalation;
        return;
    }
    *steps_out = default_escalation;
    *n_out = sizeof default_escalation / sizeof default_escalation[0];
}

static const struct preset_surge default_surge[] = {
    {"same_category_words", SURGE_F_CATEGORY | SURGE_F_WORDS, 2 * 3600, 5, 2},
};

void preset_surge_rules(const struct preset *p, const struct preset_surge **rules_out,
                        size_t *n_out)
{
    if (p->surge_set) {
        *rules_out = p->surge;
        *n_out = p->n_surge;
        return;
    }
    *rules_out = default_surge;
    *n_out = sizeof default_surge / sizeof default_surge[0];
}

static const struct preset_template default_templates[] = {
    {"ack", "您的投诉已受理（{{number}}）",
     "尊敬的{{customer_name}}：您的投诉已受理，编号{{number}}。我们将在{{due_at}}前答复您，"
     "可凭编号和手机尾号查询进度。"},
    {"progress", "投诉处理进度（{{number}}）",
     "尊敬的{{customer_name}}：您的投诉{{number}}目前状态为{{status}}，预计在{{due_at}}前"
     "完成。感谢您的耐心。"},
    {"reply", "投诉处理结果（{{number}}）",
     "尊敬的{{customer_name}}：您的投诉{{number}}已处理完毕。{{reply}}\n请对本次处理进行评价："
     "{{survey_url}}"},
};

const struct preset_template *preset_template_find(const struct preset *p, const char *code)
{
    for (size_t i = 0; i < p->n_templates; i++)
        if (strcmp(p->templates[i].code, code) == 0)
            return &p->templates[i];
    for (size_t i = 0; i < sizeof default_templates / sizeof default_templates[0]; i++)
        if (strcmp(default_templates[i].code, code) == 0)
            return &default_templates[i];
    return NULL;
}

const struct preset_channel *preset_channel_find(const struct preset *p, const char *name)
{
    for (size_t i = 0; i < p->n_channels; i++)
        if (strcmp(p->channels[i].name, name) == 0)
            return &p->channels[i];
    return NULL;
}

static int check_motion(const struct preset *p, struct ks_error *err)
{
    for (size_t i = 0; i < p->n_templates; i++) {
        const struct preset_template *t = &p->templates[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->code, p->templates[j].code) == 0)
                return ks_fail(err, KS_ECONFIG, "templates", "template '%s' is defined twice",
                               t->code);
        int rc = tpl_check(t->body, err);
        if (rc == 0 && t->subject)
            rc = tpl_check(t->subject, err);
        if (rc < 0) {
            if (err)
                err->code = KS_ECONFIG;
            ks_error_prefix(err, "templates.%s", t->code);
            return KS_ECONFIG;
        }
    }
    for (size_t i = 0; i < p->n_surge; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->surge[i].name, p->surge[j].name) == 0)
                return ks_fail(err, KS_ECONFIG, "surge", "surge rule '%s' is defined twice",
                               p->surge[i].name);
    for (size_t i = 0; i < p->n_channels; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->channels[i].name, p->channels[j].name) == 0)
                return ks_fail(err, KS_ECONFIG, "channels", "channel '%s' is defined twice",
                               p->channels[i].name);
    return 0;
}

static int check_words(const struct preset_words *w, const char *what, struct ks_error *err)
{
    for (size_t i = 0; i < w->n; i++)
        if (!w->v[i] || !w->v[i][0])
            return ks_fail(err, KS_ECONFIG, what, "%s[%zu] is empty", what, i);
    return 0;
}

static int check_defects(const struct preset *p, const struct preset_defect *d, size_t n,
                         const char *where, struct ks_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i].severity <= SEV_NONE || d[i].severity >= SEV__COUNT)
            return ks_fail(err, KS_ECONFIG, "severity", "%s defect '%s' has no severity", where,
                           d[i].code);
        if (d[i].category && !preset_category_find(p, d[i].category))
            return ks_fail(err, KS_ECONFIG, "category",
                           "%s defect '%s': category '%s' is not defined", where, d[i].code,
                           d[i].category);
        for (size_t j = 0; j < i; j++)
            if (strcmp(d[i].code, d[j].code) == 0)
                return ks_fail(err, KS_ECONFIG, "defects", "%s defect '%s' is defined twice", where,
                               d[i].code);
        int rc = check_words(&d[i].phrases, "phrases", err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int preset_check(const struct preset *p, struct ks_error *err)
{
    for (size_t i = 0; i < p->n_categories; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->categories[i].code, p->categories[j].code) == 0)
                return ks_fail(err, KS_ECONFIG, "categories", "category '%s' is defined twice",
                               p->categories[i].code);
    if (p->default_category && !preset_category_find(p, p->default_category))
        return ks_fail(err, KS_ECONFIG, "default_category",
                       "default_category: '%s' is not a category", p->default_category);
    for (size_t i = 0; i < p->n_products; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->products[i].code, p->products[j].code) == 0)
                return ks_fail(err, KS_ECONFIG, "products", "product '%s' is defined twice",
                               p->products[i].code);
        int rc = check_defects(p, p->products[i].defects, p->products[i].n_defects,
                               p->products[i].code, err);
        if (rc < 0)
            return rc;
    }
    int rc = check_defects(p, p->defects, p->n_defects, "common", err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < p->n_limits; i++)
        if (p->limits[i].category && !preset_category_find(p, p->limits[i].category))
            return ks_fail(err, KS_ECONFIG, "limits",
                           "limits[%zu].category: '%s' is not a category", i,
                           p->limits[i].category);
    const struct preset_words *lists[] = {&p->rules.batch, &p->rules.serious, &p->rules.urgent,
                                          &p->rules.negations};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        rc = check_words(lists[i], "rules", err);
        if (rc < 0)
            return rc;
    }
    return check_motion(p, err);
}
