/* The shared enumerations: one table per enumeration holding its data code and Chinese label,
 * indexed by the enum value, and one parser that accepts either form. An out-of-range value
 * is a programmer error (KS_BUG); unknown text is bad input (KS_EINVAL naming the field). */
#include "core/types.h"

#include <stddef.h>
#include <string.h>

#include "lib/buf.h"

#include "lib/banned.h"

struct enum_entry {
    const char *name;
    const char *label;
};

static const struct enum_entry channel_tab[CH__COUNT] = {
    [CH_PHONE] = {"phone", "电话"},       [CH_EMAIL] = {"email", "邮件"},
    [CH_SMS] = {"sms", "短信"},           [CH_WECHAT] = {"wechat", "微信"},
    [CH_WEB] = {"web", "网站"},           [CH_LETTER] = {"letter", "信函"},
    [CH_ONSITE] = {"onsite", "现场"},     [CH_REGULATOR] = {"regulator", "监管转办"},
    [CH_SOCIAL] = {"social", "社交媒体"}, [CH_API] = {"api", "接口"},
};

/* SEV_NONE has an empty code so that "not judged" prints as nothing and parses from "". */
static const struct enum_entry severity_tab[SEV__COUNT] = {
    [SEV_NONE] = {"", ""},
    [SEV_GENERAL] = {"general", "一般"},
    [SEV_BATCH] = {"batch", "批量"},
    [SEV_SERIOUS] = {"serious", "严重"},
};

static const struct enum_entry wf_state_tab[WF_STATE__COUNT] = {
    [WF_STATE_NEW] = {"new", "待受理"},
    [WF_STATE_ACCEPTED] = {"accepted", "已受理"},
    [WF_STATE_ASSIGNED] = {"assigned", "已分派"},
    [WF_STATE_INVESTIGATING] = {"investigating", "调查中"},
    [WF_STATE_PROPOSED] = {"proposed", "方案待审批"},
    [WF_STATE_RESOLVING] = {"resolving", "处理中"},
    [WF_STATE_REPLIED] = {"replied", "已反馈"},
    [WF_STATE_FOLLOW_UP] = {"follow_up", "跟踪改进"},
    [WF_STATE_CLOSED] = {"closed", "已结案"},
    [WF_STATE_REJECTED] = {"rejected", "不予受理"},
    [WF_STATE_WITHDRAWN] = {"withdrawn", "撤诉"},
    [WF_STATE_MERGED] = {"merged", "已合并"},
};

static const struct enum_entry role_tab[ROLE__COUNT] = {
    [ROLE_ADMIN] = {"admin", "管理员"},     [ROLE_LEADER] = {"leader", "组长"},
    [ROLE_HANDLER] = {"handler", "处理人"}, [ROLE_INTAKE] = {"intake", "接待员"},
    [ROLE_VIEWER] = {"viewer", "只读"},
};

static const struct enum_entry comp_kind_tab[COMP__COUNT] = {
    [COMP_NONE] = {"", ""},
    [COMP_DAMAGES] = {"damages", "赔偿"},
    [COMP_GOODWILL] = {"goodwill", "补偿"},
};

static const struct enum_entry *entry(const struct enum_entry *tab, int n, int v, const char *what)
{
    if (v < 0 || v >= n)
        KS_BUG("%s value %d out of range", what, v);
    return &tab[v];
}

/* Finds s among codes, then among labels. Entries with an empty code (the "none" values) match
 * only the empty string. Stored values are codes and a listing parses several per row, so the
 * codes come first and a first byte that differs skips the strcmp; labels (Chinese, never a
 * code) are only looked at for what a person typed. The error lists the codes so the user sees
 * what would have worked. */
static int parse(const struct enum_entry *tab, int n, const char *field, const char *s, int *out,
                 struct ks_error *err)
{
    struct buf list;
    int rc;

    if (!s)
        s = "";
    for (int i = 0; i < n; i++) {
        if (tab[i].name[0] == s[0] && strcmp(s, tab[i].name) == 0) {
            *out = i;
            return 0;
        }
    }
    for (int i = 0; i < n; i++) {
        if (*tab[i].label && strcmp(s, tab[i].label) == 0) {
            *out = i;
            return 0;
        }
    }
    buf_init(&list, 512);
    for (int i = 0; i < n; i++) {
        if (!*tab[i].name)
            continue;
        if (list.len)
            buf_adds(&list, ", ");
        buf_adds(&list, tab[i].name);
    }
    rc = ks_fail(err, KS_EINVAL, field, "%s: '%s' is not one of %s", field, s, buf_str(&list));
    buf_release(&list);
    return rc;
}

const char *channel_name(enum channel c)
{
    return entry(channel_tab, CH__COUNT, (int)c, "channel")->name;
}

const char *channel_label(enum channel c)
{
    return entry(channel_tab, CH__COUNT, (int)c, "channel")->label;
}

int channel_parse(const char *s, enum channel *out, struct ks_error *err)
{
    int v = 0;
    int rc = parse(channel_tab, CH__COUNT, "channel", s, &v, err);
    if (rc == 0)
        *out = (enum channel)v;
    return rc;
}

const char *severity_name(enum severity s)
{
    return entry(severity_tab, SEV__COUNT, (int)s, "severity")->name;
}

const char *severity_label(enum severity s)
{
    return entry(severity_tab, SEV__COUNT, (int)s, "severity")->label;
}

int severity_parse(const char *s, enum severity *out, struct ks_error *err)
{
    int v = 0;
    int rc = parse(severity_tab, SEV__COUNT, "severity", s, &v, err);
    if (rc == 0)
        *out = (enum severity)v;
    return rc;
}

const char *wf_state_name(enum wf_state s)
{
    return entry(wf_state_tab, WF_STATE__COUNT, (int)s, "state")->name;
}

const char *wf_state_label(enum wf_state s)
{
    return entry(wf_state_tab, WF_STATE__COUNT, (int)s, "state")->label;
}

int wf_state_parse(const char *s, enum wf_state *out, struct ks_error *err)
{
    int v = 0;
    int rc = parse(wf_state_tab, WF_STATE__COUNT, "status", s, &v, err);
    if (rc == 0)
        *out = (enum wf_state)v;
    return rc;
}

const char *role_name(enum role r)
{
    return entry(role_tab, ROLE__COUNT, (int)r, "role")->name;
}

const char *role_label(enum role r)
{
    return entry(role_tab, ROLE__COUNT, (int)r, "role")->label;
}

int role_parse(const char *s, enum role *out, struct ks_error *err)
{
    int v = 0;
    int rc = parse(role_tab, ROLE__COUNT, "role", s, &v, err);
    if (rc == 0)
        *out = (enum role)v;
    return rc;
}

const char *comp_kind_name(enum comp_kind k)
{
    return entry(comp_kind_tab, COMP__COUNT, (int)k, "compensation kind")->name;
}

const char *comp_kind_label(enum comp_kind k)
{
    return entry(comp_kind_tab, COMP__COUNT, (int)k, "compensation kind")->label;
}

int comp_kind_parse(const char *s, enum comp_kind *out, struct ks_error *err)
{
    int v = 0;
    int rc = parse(comp_kind_tab, COMP__COUNT, "compensation.kind", s, &v, err);
    if (rc == 0)
        *out = (enum comp_kind)v;
    return rc;
}
