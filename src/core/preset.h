/* A preset (预案): everything an organisation configures without a programmer: categories,
 * product families and their defect catalogue, severity raising rules, response levels, stage
 * time limits and handling guidance. This header is the in-memory model and pure queries on
 * it; src/preset/ reads YAML into it. Ownership: struct preset is caller-owned storage and
 * owns every string and array in it; preset_release() frees them. Read-only once loaded. */
#ifndef KS_CORE_PRESET_H
#define KS_CORE_PRESET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/complaint.h"
#include "core/deadline.h"
#include "core/types.h"
#include "lib/err.h"

/* A list of words or phrases. A phrase may contain '~' between parts ("芯轴~断"): the parts
 * must appear in that order in one sentence, at most a few characters apart. */
struct preset_words {
    char **v;
    size_t n;
};

struct preset_category {
    char *code; /* "service" */
    char *name; /* "服务投诉" */
    char **keywords;
    size_t n_keywords;
};

/* One entry of the defect catalogue (不良项目). */
struct preset_defect {
    char *code;             /* "spindle_broken" */
    char *name;             /* "芯轴断裂": as the standard writes it; always a phrase too */
    enum severity severity; /* base severity */
    char *category;         /* category code it implies, or NULL */
    struct preset_words phrases; /* what customers write for it (besides name) */
};

/* A product family (产品类别) with its own defects. */
struct preset_product {
    char *code;                  /* "pedal" */
    char *name;                  /* "脚踏" */
    struct preset_words aliases; /* words in a text that name the family: 脚踏, 踏板 ... */
    struct preset_defect *defects;
    size_t n_defects;
};

/* The rules that raise severity above a defect's base. The highest outcome wins. */
struct preset_rules {
    int batch_ratio_permille;      /* defective/delivered at or above this is batch; 0: off */
    struct preset_words batch;     /* whole delivery / line stoppage words → batch */
    struct preset_words serious;   /* function or safety failure words → serious */
    struct preset_words urgent;    /* personal-safety or property risk → urgent, level 1 */
    struct preset_words negations; /* "没有", "未": cancel a following word in its clause */
    int repeat_count;              /* this complaint + earlier ones this month; 0: off */
    enum severity repeat_severity; /* what the repeat rule raises to */
    enum severity level1_severity; /* this severity or higher gets response level 1; NONE: never */
    enum severity urgent_severity; /* an urgent complaint is at least this severe; NONE: no raise */
};

/* A response level (应急响应等级) and what it triggers. */
struct preset_level {
    int level;    /* 1 or 2 */
    char *name;   /* "一级响应" */
    char *notify; /* who is told: role codes, comma-separated ("leader,handler") */
    struct dl_period first_response; /* how fast someone must act; n == 0 when not set */
    char *actions;                   /* what the plan prescribes, for people */
    /* What registration at this level starts (see core/escalation.h): who must be told within
     * `within` (n == 0: at once), and the emergency checklist attached to the complaint. */
    struct dl_period within;
    struct preset_words checklist; /* 立即上报组长, 保护现场, ... in order */
};

/* A stage time limit: the clock a complaint gets on entering `stage`. The most specific rule
 * that matches wins (severity, response level and category each count as one point). */
struct preset_limit {
    enum wf_state stage;
    enum severity severity; /* SEV_NONE: any */
    int response_level;     /* 0: any */
    char *category;         /* NULL: any */
    struct dl_period period;
    char *label;                /* "投诉调查：3个工作日" for explanations; may be NULL */
    struct dl_period extend_to; /* the one allowed extension (5 → 10 workdays); n == 0: none */
};

/* Who a notification or an escalation step goes to, relative to one complaint. */
enum notify_to {
    NOTIFY_TO_ASSIGNEE = 0,    /* the handler it is assigned to ("handler" in presets too) */
    NOTIFY_TO_FIRST_RESPONDER, /* 首问责任人 */
    NOTIFY_TO_DEPT_HEAD,       /* head of the complaint's department */
    NOTIFY_TO_LEADER,          /* 组长: users with role leader */
    NOTIFY_TO_DEPUTY,          /* 副组长 */
    NOTIFY_TO_ADMIN,           /* administrators */
    NOTIFY_TO__COUNT
};
const char *notify_to_name(enum notify_to t);
/* Reads "assignee" (or "handler"), "first_responder", "department_head", "leader", "deputy",
 * "admin"; KS_EINVAL naming the value otherwise. */
int notify_to_parse(const char *s, enum notify_to *out, struct ks_error *err);

/* One step of the escalation chain: `after` the breach of a stage deadline (n == 0: at the
 * breach itself), the step's recipient is told. Steps run in order, each once per breach. */
struct preset_esc_step {
    enum notify_to to;
    struct dl_period after;
    char *label; /* "超时4小时上报部门负责人"; may be NULL */
};

/* What a surge rule compares; a rule matches complaints equal on every field it names. */
enum surge_field {
    SURGE_F_CATEGORY = 1 << 0,
    SURGE_F_DEFECT = 1 << 1,
    SURGE_F_PRODUCT = 1 << 2,
    SURGE_F_BATCH = 1 << 3,
    SURGE_F_WORDS = 1 << 4, /* share one of the matched words (e.g. 手机银行, 无法登录) */
};

/* Surge detection (应急事件): `threshold` complaints alike within `window_secs` open an
 * incident of `level`. */
struct preset_surge {
    char *name;      /* "same_batch": names the rule in incident keys and explanations */
    unsigned match;  /* enum surge_field bits, at least one */
    int window_secs; /* 1 minute .. 30 days, written as hours ("2h") */
    int threshold;   /* 2 .. 10000 */
    int level;       /* incident response level, 1 or 2 */
};

/* A customer message template (see core/template.h for the {{placeholders}}). */
struct preset_template {
    char *code;    /* "ack", "progress", "reply" */
    char *subject; /* for e-mail; may be NULL */
    char *body;
};

enum channel_kind {
    CHANNEL_WEBHOOK = 0, /* JSON POST signed with HMAC-SHA256 */
    CHANNEL_SMTP,        /* e-mail through an SMTP server */
    CHANNEL_COMMAND,     /* a local program, message on stdin */
};

/* A delivery channel. Secrets never live in a preset: only the names of the environment
 * variables that hold them. */
struct preset_channel {
    char *name; /* "sms_gateway" */
    enum channel_kind kind;
    char *url;                   /* webhook: https://...; smtp: smtp://host:587 or smtps://host */
    char *secret_env;            /* webhook: variable holding the HMAC key */
    char *from;                  /* smtp: sender address */
    char *user_env;              /* smtp: variable holding the login; may be NULL */
    char *password_env;          /* smtp: variable holding the password; may be NULL */
    struct preset_words command; /* command: argv, command.v[0] the program */
    int timeout_secs;            /* 1..300; 0: 10 */
};

struct preset {
    char *name;    /* "generic" */
    char *title;   /* "通用客户投诉应急预案" */
    char *source;  /* file or embedded name it was loaded from */
    char *version; /* the preset's own version text ("2026.1"), for people; may be NULL */
    struct preset_category *categories;
    size_t n_categories;
    struct preset_limit *limits;
    size_t n_limits;
    struct dl_period whole; /* the whole-complaint limit; n == 0 when none */
    /* Longer whole limits allowed with approval, in order (bank: 30 days, then 60 days). */
    struct dl_period *whole_extended;
    size_t n_whole_extended;
    char *default_category; /* category when no keyword or defect says otherwise; may be NULL */
    struct preset_product *products;
    size_t n_products;
    struct preset_defect *defects; /* defects of any product family */
    size_t n_defects;
    struct preset_rules rules;
    struct preset_level *levels;
    size_t n_levels;
    char *guidance[SEV__COUNT]; /* handling the standard prescribes per severity; may be NULL */
    /* Deadlines in motion. Each part is optional in YAML; the accessors below give the
     * documented default when the preset does not say (docs/deadlines.md). */
    int warn_at_percent; /* warn when this share of a stage period is used; 0: not set (75) */
    struct preset_esc_step *escalation;
    size_t n_escalation;
    bool escalation_set; /* the preset has an escalation key (an empty list: never escalate) */
    struct preset_surge *surge;
    size_t n_surge;
    bool surge_set; /* the preset has a surge key (an empty list: no surge detection) */
    struct preset_template *templates;
    size_t n_templates;
    struct preset_channel *channels;
    size_t n_channels;
    /* Satisfaction survey: a score at or below this (1..4) reopens the complaint for a second
     * look; 0: not set (2). */
    int survey_dissatisfied_max;
};

void preset_init(struct preset *p);
void preset_release(struct preset *p);

/* The category with this code, or NULL. */
const struct preset_category *preset_category_find(const struct preset *p, const char *code);

/* The product family with this code, Chinese name or alias, or NULL. */
const struct preset_product *preset_product_find(const struct preset *p, const char *name);

/* The response level entry for level (1 or 2), or NULL. */
const struct preset_level *preset_level_find(const struct preset *p, int level);

/* The time limit for complaint c entering stage; KS_ENOTFOUND when that stage has no clock.
 * rule_out (may be NULL) points at the chosen rule, borrowed from p. */
int preset_limit_for(const struct preset *p, enum wf_state stage, const struct complaint *c,
                     struct dl_period *out, const struct preset_limit **rule_out,
                     struct ks_error *err);

/* The warning share in percent: the preset's warn_at_percent, or 75. */
int preset_warn_percent(const struct preset *p);

/* The survey score at or below which a customer is dissatisfied: the preset's, or 2. */
int preset_survey_dissatisfied_max(const struct preset *p);

/* The escalation chain: the preset's, or the default assignee at breach → department_head
 * 4h later → leader 1 workday later → admin 2 workdays later. *steps_out is borrowed from p
 * or static storage. */
void preset_escalation(const struct preset *p, const struct preset_esc_step **steps_out,
                       size_t *n_out);

/* The surge rules: the preset's, or the default (5 complaints within 2h with the same
 * category and a shared word, level 2). Borrowed like preset_escalation(). */
void preset_surge_rules(const struct preset *p, const struct preset_surge **rules_out,
                        size_t *n_out);

/* The template with this code ("ack", "progress", "reply"): the preset's, or the built-in
 * Chinese default; NULL for any other code. Borrowed from p or static storage. */
const struct preset_template *preset_template_find(const struct preset *p, const char *code);

/* The channel with this name, or NULL. */
const struct preset_channel *preset_channel_find(const struct preset *p, const char *name);

/* Checks the cross-references of a loaded preset: categories named by defects, limits and
 * default_category exist, codes are unique, words are not empty. KS_ECONFIG naming the part. */
int preset_check(const struct preset *p, struct ks_error *err);

#endif
