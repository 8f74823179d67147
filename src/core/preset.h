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

struct preset_category {
    char *code; /* "service" */
    char *name; /* "服务投诉" */
    char **keywords;
    size_t n_keywords;
};

/* A stage time limit: the clock a complaint gets on entering `stage`. The most specific rule
 * that matches wins (severity, response level and category each count as one point). */
struct preset_limit {
    enum wf_state stage;
    enum severity severity; /* SEV_NONE: any */
    int response_level;     /* 0: any */
    char *category;         /* NULL: any */
    struct dl_period period;
    char *label; /* "投诉调查：3个工作日" for explanations; may be NULL */
};

struct preset {
    char *name;   /* "generic" */
    char *title;  /* "通用客户投诉应急预案" */
    char *source; /* file or embedded name it was loaded from */
    struct preset_category *categories;
    size_t n_categories;
    struct preset_limit *limits;
    size_t n_limits;
    struct dl_period whole; /* the whole-complaint limit; n == 0 when none */
};

void preset_init(struct preset *p);
void preset_release(struct preset *p);

/* The category with this code, or NULL. */
const struct preset_category *preset_category_find(const struct preset *p, const char *code);

/* The time limit for complaint c entering stage; KS_ENOTFOUND when that stage has no clock.
 * rule_out (may be NULL) points at the chosen rule, borrowed from p. */
int preset_limit_for(const struct preset *p, enum wf_state stage, const struct complaint *c,
                     struct dl_period *out, const struct preset_limit **rule_out,
                     struct ks_error *err);

#endif
