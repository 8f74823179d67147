/* The enumerations every layer shares, with their data codes (lowercase English, used in SQL,
 * JSON, CLI and CSV) and Chinese labels (used by people). One name for one thing: see the
 * glossary in DESIGN.md. */
#ifndef KS_CORE_TYPES_H
#define KS_CORE_TYPES_H

#include <stdbool.h>

#include "lib/err.h"

enum channel {
    CH_PHONE = 0,
    CH_EMAIL,
    CH_SMS,
    CH_WECHAT,
    CH_WEB,
    CH_LETTER,
    CH_ONSITE,
    CH_REGULATOR,
    CH_SOCIAL,
    CH_API,
    CH__COUNT
};

/* Ordered: a higher value is more severe, so "the highest outcome wins" is a max(). */
enum severity {
    SEV_NONE = 0, /* not judged yet */
    SEV_GENERAL,  /* 一般 */
    SEV_BATCH,    /* 批量 */
    SEV_SERIOUS,  /* 严重 */
    SEV__COUNT
};

/* The procedure's states; see the table in core/workflow.c for the legal moves. */
enum wf_state {
    WF_STATE_NEW = 0,       /* 待受理 */
    WF_STATE_ACCEPTED,      /* 已受理 */
    WF_STATE_ASSIGNED,      /* 已分派 */
    WF_STATE_INVESTIGATING, /* 调查中 */
    WF_STATE_PROPOSED,      /* 方案待审批 */
    WF_STATE_RESOLVING,     /* 处理中 */
    WF_STATE_REPLIED,       /* 已反馈 */
    WF_STATE_FOLLOW_UP,     /* 跟踪改进 */
    WF_STATE_CLOSED,        /* 已结案 */
    WF_STATE_REJECTED,      /* 不予受理 */
    WF_STATE_WITHDRAWN,     /* 撤诉 */
    WF_STATE_MERGED,        /* 合并 */
    WF_STATE__COUNT
};

enum role {
    ROLE_ADMIN = 0, /* 管理员 */
    ROLE_LEADER,    /* 组长/副组长 */
    ROLE_HANDLER,   /* 处理人 */
    ROLE_INTAKE,    /* 接待员 */
    ROLE_VIEWER,    /* 只读 */
    ROLE__COUNT
};

/* Kind of money paid to a complainant. */
enum comp_kind {
    COMP_NONE = 0,
    COMP_DAMAGES,  /* 赔偿: liability for a loss */
    COMP_GOODWILL, /* 补偿: make-good without liability */
    COMP__COUNT
};

const char *channel_name(enum channel c);
const char *channel_label(enum channel c);
int channel_parse(const char *s, enum channel *out, struct ks_error *err);

/* "general", "batch", "serious" ("" for SEV_NONE). */
const char *severity_name(enum severity s);
const char *severity_label(enum severity s);
/* Accepts the code or the Chinese label; field "severity" in errors. */
int severity_parse(const char *s, enum severity *out, struct ks_error *err);

const char *wf_state_name(enum wf_state s);
const char *wf_state_label(enum wf_state s);
int wf_state_parse(const char *s, enum wf_state *out, struct ks_error *err);

const char *role_name(enum role r);
const char *role_label(enum role r);
int role_parse(const char *s, enum role *out, struct ks_error *err);

const char *comp_kind_name(enum comp_kind k);
const char *comp_kind_label(enum comp_kind k);
int comp_kind_parse(const char *s, enum comp_kind *out, struct ks_error *err);

#endif
