/* The complaint record: the field table every layer walks (JSON, SQL columns, --set, CSV),
 * text conversion of single fields, whole-record validation, the edit guard, complaint
 * numbers and UTF-8 checking.
 *
 * Invariants: every member of struct complaint appears exactly once in complaint_fields[]
 * (tests/unit/test-complaint.c checks the count and offsets), so walking the table is enough to
 * copy, release, store or print a record. Unset values have one spelling each: NULL strings,
 * KS_TIME_NONE, KS_QTY_UNKNOWN, and 0 for money, level, score and the "none" enumerations. */
#include "core/complaint.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#include "lib/banned.h"

#define NAME_MAX_LEN  100
#define CODE_MAX_LEN  64
#define TITLE_MAX_LEN 200
#define DESC_MAX_LEN  10000
#define BLOCK_MAX_LEN 5000

/* The largest amount accepted, in fen (99 999 999 999.99 yuan): far beyond any compensation,
 * and 13 significant digits, so a double (JSON) carries every amount exactly. */
#define MONEY_MAX_FEN       9999999999999LL
#define MONEY_MAX_INTDIGITS 11

#define FIELD(nm, col, ty, member, mx, fl)                                                         \
    {                                                                                              \
        .name = nm, .column = col, .type = ty, .offset = offsetof(struct complaint, member),       \
        .max = mx, .flags = fl                                                                     \
    }

const struct cf_desc complaint_fields[] = {
    FIELD("id", "id", CF_ID, id, 0, CF_INTERNAL | CF_READONLY),
    FIELD("number", "number", CF_STR, number, COMPLAINT_NUMBER_MAX - 1, CF_READONLY),
    FIELD("received_at", "received_at", CF_TIME, received_at, 0, 0),
    FIELD("channel", "channel", CF_CHANNEL, channel, 0, 0),
    FIELD("customer_name", "customer_name", CF_STR, customer_name, NAME_MAX_LEN, 0),
    FIELD("customer_phone", "customer_phone", CF_STR, customer_phone, 40, CF_PERSONAL),
    FIELD("customer_email", "customer_email", CF_STR, customer_email, 254, CF_PERSONAL),
    FIELD("customer_org", "customer_org", CF_STR, customer_org, TITLE_MAX_LEN, 0),
    FIELD("customer_code", "customer_code", CF_STR, customer_code, CODE_MAX_LEN, 0),
    FIELD("product", "product", CF_STR, product, CODE_MAX_LEN, 0),
    FIELD("model", "model", CF_STR, model, NAME_MAX_LEN, 0),
    FIELD("batch_no", "batch_no", CF_STR, batch_no, CODE_MAX_LEN, 0),
    FIELD("order_no", "order_no", CF_STR, order_no, CODE_MAX_LEN, 0),
    FIELD("delivered", "delivered", CF_QTY, delivered, 0, 0),
    FIELD("defective", "defective", CF_QTY, defective, 0, 0),
    FIELD("title", "title", CF_STR, title, TITLE_MAX_LEN, 0),
    FIELD("description", "description", CF_TEXT, description, DESC_MAX_LEN, 0),
    FIELD("category", "category", CF_STR, category, CODE_MAX_LEN, 0),
    FIELD("defect", "defect", CF_STR, defect, CODE_MAX_LEN, 0),
    FIELD("severity", "severity", CF_SEVERITY, severity, 0, 0),
    FIELD("urgent", "urgent", CF_BOOL, urgent, 0, 0),
    FIELD("response_level", "response_level", CF_LEVEL, response_level, 0, 0),
    FIELD("status", "status", CF_STATUS, status, 0, CF_READONLY),
    FIELD("first_responder", "first_responder", CF_STR, first_responder, CODE_MAX_LEN, CF_READONLY),
    FIELD("assignee", "assignee", CF_STR, assignee, CODE_MAX_LEN, 0),
    FIELD("department", "department", CF_STR, department, CODE_MAX_LEN, 0),
    FIELD("responsibility.party", "responsibility_party", CF_STR, resp_party, NAME_MAX_LEN, 0),
    FIELD("responsibility.department", "responsibility_department", CF_STR, resp_department,
          NAME_MAX_LEN, 0),
    FIELD("responsibility.root_cause", "responsibility_root_cause", CF_TEXT, resp_root_cause,
          BLOCK_MAX_LEN, 0),
    FIELD("plan", "plan", CF_TEXT, plan, BLOCK_MAX_LEN, 0),
    FIELD("approval.by", "approval_by", CF_STR, approval_by, CODE_MAX_LEN, CF_READONLY),
    FIELD("approval.at", "approval_at", CF_TIME, approval_at, 0, CF_READONLY),
    FIELD("approval.note", "approval_note", CF_TEXT, approval_note, BLOCK_MAX_LEN, 0),
    FIELD("reply", "reply", CF_TEXT, reply, BLOCK_MAX_LEN, 0),
    FIELD("compensation.amount", "compensation_amount", CF_MONEY, comp_amount, 0, 0),
    FIELD("compensation.kind", "compensation_kind", CF_COMP_KIND, comp_kind, 0, 0),
    FIELD("compensation.agreement", "compensation_agreement", CF_TEXT, comp_agreement,
          BLOCK_MAX_LEN, 0),
    FIELD("satisfaction.score", "satisfaction_score", CF_SCORE, satisfaction_score, 0, 0),
    FIELD("satisfaction.comment", "satisfaction_comment", CF_TEXT, satisfaction_comment,
          BLOCK_MAX_LEN, 0),
    FIELD("satisfaction.waived_reason", "satisfaction_waived_reason", CF_TEXT,
          satisfaction_waived_reason, BLOCK_MAX_LEN, 0),
    FIELD("duplicate_of", "duplicate_of", CF_STR, duplicate_of, COMPLAINT_NUMBER_MAX - 1, 0),
    FIELD("related", "related", CF_STR, related, 1000, 0),
    FIELD("incident", "incident", CF_STR, incident, CODE_MAX_LEN, 0),
    FIELD("created_at", "created_at", CF_TIME, created_at, 0, CF_READONLY),
    FIELD("updated_at", "updated_at", CF_TIME, updated_at, 0, CF_READONLY),
    FIELD("version", "version", CF_INT, version, 0, CF_READONLY),
};

const size_t complaint_field_count = sizeof(complaint_fields) / sizeof(complaint_fields[0]);

/* Typed views of a field inside a record. */
#define AT(c, f, T)  ((T *)(void *)((char *)(c) + (f)->offset))
#define CAT(c, f, T) ((const T *)(const void *)((const char *)(c) + (f)->offset))

static bool is_text(const struct cf_desc *f)
{
    return f->type == CF_STR || f->type == CF_TEXT;
}

const struct cf_desc *complaint_field_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < complaint_field_count; i++)
        if (strcmp(complaint_fields[i].name, name) == 0)
            return &complaint_fields[i];
    return NULL;
}

int complaint_field_bits(const char *const *names, uint64_t *out, struct ks_error *err)
{
    *out = 0;
    for (; *names; names++) {
        const struct cf_desc *f = complaint_field_find(*names);
        if (!f)
            return ks_fail(err, KS_EINVAL, *names, "'%s' is not a complaint field", *names);
        *out |= UINT64_C(1) << (f - complaint_fields);
    }
    return 0;
}

void complaint_init(struct complaint *c)
{
    memset(c, 0, sizeof(*c));
    c->received_at = KS_TIME_NONE;
    c->delivered = KS_QTY_UNKNOWN;
    c->defective = KS_QTY_UNKNOWN;
    c->approval_at = KS_TIME_NONE;
    c->created_at = KS_TIME_NONE;
    c->updated_at = KS_TIME_NONE;
    c->channel = CH_PHONE;
    c->severity = SEV_NONE;
    c->status = WF_STATE_NEW;
    c->comp_kind = COMP_NONE;
}

void complaint_release(struct complaint *c)
{
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (is_text(f)) {
            free(*AT(c, f, char *));
            *AT(c, f, char *) = NULL;
        }
    }
    complaint_init(c);
}

void complaint_copy(struct complaint *dst, const struct complaint *src)
{
    if (dst == src)
        return;
    complaint_release(dst);
    *dst = *src;
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (is_text(f) && *CAT(src, f, char *))
            *AT(dst, f, char *) = xstrdup(*CAT(src, f, char *));
    }
}

bool complaint_has(const struct complaint *c, const struct cf_desc *f)
{
    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        return *CAT(c, f, char *) != NULL;
    case CF_TIME:
        return *CAT(c, f, int64_t) != KS_TIME_NONE;
    case CF_QTY:
        return *CAT(c, f, int64_t) != KS_QTY_UNKNOWN;
    case CF_MONEY:
    case CF_ID:
        return *CAT(c, f, int64_t) != 0;
    case CF_LEVEL:
    case CF_SCORE:
        return *CAT(c, f, int) != 0;
    case CF_SEVERITY:
        return *CAT(c, f, enum severity) != SEV_NONE;
    case CF_COMP_KIND:
        return *CAT(c, f, enum comp_kind) != COMP_NONE;
    case CF_BOOL:
    case CF_INT:
    case CF_CHANNEL:
    case CF_STATUS:
        return true;
    }
    KS_BUG("field '%s' has unknown type %d", f->name, (int)f->type);
}

bool utf8_is_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned char b = p[i];
        size_t n;
        uint32_t cp;

        if (b < 0x80) {
            i++;
            continue;
        } else if (b >= 0xc2 && b <= 0xdf) {
            n = 1;
            cp = b & 0x1fu;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 2;
            cp = b & 0x0fu;
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 3;
            cp = b & 0x07u;
        } else {
            return false; /* continuation byte first, 0xc0/0xc1 overlong lead, or > U+10FFFF */
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

/* Length, encoding and control characters of one text value. CF_TEXT keeps line breaks and
 * tabs (descriptions, replies); single-line fields allow no control character at all. */
static int check_text(const struct cf_desc *f, const char *s, struct ks_error *err)
{
    size_t len = strlen(s);

    if (f->max && len > f->max)
        return ks_fail(err, KS_EINVAL, f->name, "%s: %zu bytes is longer than the limit of %u",
                       f->name, len, f->max);
    if (!utf8_is_valid(s, len))
        return ks_fail(err, KS_EINVAL, f->name, "%s: text is not valid UTF-8", f->name);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != 0x7f)
            continue;
        if (f->type == CF_TEXT && (ch == '\n' || ch == '\r' || ch == '\t'))
            continue;
        return ks_fail(err, KS_EINVAL, f->name, "%s: control character 0x%02x is not allowed",
                       f->name, ch);
    }
    return 0;
}

/* A whole decimal number >= 0 with no sign, spaces or trailing junk. */
static int parse_count(const struct cf_desc *f, const char *s, int64_t max, int64_t *out,
                       struct ks_error *err)
{
    char *end = NULL;
    long long v;

    if (s[0] == '-' && isdigit((unsigned char)s[1]))
        return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is negative", f->name, s);
    if (!isdigit((unsigned char)s[0]))
        return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is not a whole number", f->name, s);
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end != '\0')
        return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is not a whole number", f->name, s);
    if (errno == ERANGE || v > max)
        return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is larger than %lld", f->name, s,
                       (long long)max);
    *out = v;
    return 0;
}

/* Yuan with at most two decimals ("200", "200.5", "200.50") to fen. */
static int parse_money(const struct cf_desc *f, const char *s, int64_t *out, struct ks_error *err)
{
    const char *p = s;
    int64_t fen = 0;
    int int_digits = 0, frac_digits = 0;

    if (*p == '-')
        return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is negative", f->name, s);
    for (; isdigit((unsigned char)*p); p++, int_digits++) {
        if (int_digits >= MONEY_MAX_INTDIGITS)
            return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is too large", f->name, s);
        fen = fen * 10 + (*p - '0');
    }
    fen *= 100;
    if (*p == '.') {
        p++;
        for (; isdigit((unsigned char)*p); p++, frac_digits++) {
            if (frac_digits >= 2)
                return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' has more than two decimals (fen)",
                               f->name, s);
            fen += (*p - '0') * (frac_digits == 0 ? 10 : 1);
        }
        if (frac_digits == 0)
            int_digits = 0; /* "200." is not an amount */
    }
    if (*p != '\0' || int_digits == 0)
        return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is not an amount like 200.50", f->name,
                       s);
    *out = fen;
    return 0;
}

static int parse_bool(const struct cf_desc *f, const char *s, bool *out, struct ks_error *err)
{
    static const char *const yes[] = {"true", "1", "yes", "是"};
    static const char *const no[] = {"false", "0", "no", "否"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is not one of true, false, 1, 0, 是, 否",
                   f->name, s);
}

static int parse_level(const struct cf_desc *f, const char *s, int *out, struct ks_error *err)
{
    if (strcmp(s, "0") == 0)
        *out = 0;
    else if (strcmp(s, "1") == 0 || strcmp(s, "一级") == 0)
        *out = 1;
    else if (strcmp(s, "2") == 0 || strcmp(s, "二级") == 0)
        *out = 2;
    else
        return ks_fail(err, KS_EINVAL, f->name, "%s: '%s' is not one of 1, 2, 一级, 二级", f->name,
                       s);
    return 0;
}

/* Clears a field to its one "unset" spelling. Channel and status have none. */
static int clear_field(struct complaint *c, const struct cf_desc *f, struct ks_error *err)
{
    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        xstrset(AT(c, f, char *), NULL);
        return 0;
    case CF_TIME:
        *AT(c, f, int64_t) = KS_TIME_NONE;
        return 0;
    case CF_QTY:
        *AT(c, f, int64_t) = KS_QTY_UNKNOWN;
        return 0;
    case CF_MONEY:
    case CF_ID:
        *AT(c, f, int64_t) = 0;
        return 0;
    case CF_BOOL:
        *AT(c, f, bool) = false;
        return 0;
    case CF_LEVEL:
    case CF_SCORE:
    case CF_INT:
        *AT(c, f, int) = 0;
        return 0;
    case CF_SEVERITY:
        *AT(c, f, enum severity) = SEV_NONE;
        return 0;
    case CF_COMP_KIND:
        *AT(c, f, enum comp_kind) = COMP_NONE;
        return 0;
    case CF_CHANNEL:
    case CF_STATUS:
        return ks_fail(err, KS_EINVAL, f->name, "%s: a value is required", f->name);
    }
    KS_BUG("field '%s' has unknown type %d", f->name, (int)f->type);
}

int complaint_set(struct complaint *c, const struct cf_desc *f, const char *value, int offset_min,
                  bool allow_readonly, struct ks_error *err)
{
    int rc = 0;

    if ((f->flags & CF_READONLY) && !allow_readonly)
        return ks_fail(err, KS_EINVAL, f->name, "%s: is set by kesu and cannot be given", f->name);
    if (!value || !*value)
        return clear_field(c, f, err);

    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        if ((rc = check_text(f, value, err)) < 0)
            return rc;
        xstrset(AT(c, f, char *), value);
        return 0;
    case CF_TIME: {
        int64_t t;
        if ((rc = ks_time_parse(value, offset_min, f->name, &t, err)) < 0)
            return rc;
        *AT(c, f, int64_t) = t;
        return 0;
    }
    case CF_QTY:
    case CF_ID: {
        int64_t v = 0;
        if ((rc = parse_count(f, value, f->type == CF_QTY ? KS_QTY_MAX : INT64_MAX, &v, err)) < 0)
            return rc;
        *AT(c, f, int64_t) = v;
        return 0;
    }
    case CF_MONEY: {
        int64_t fen = 0;
        if ((rc = parse_money(f, value, &fen, err)) < 0)
            return rc;
        *AT(c, f, int64_t) = fen;
        return 0;
    }
    case CF_BOOL:
        return parse_bool(f, value, AT(c, f, bool), err);
    case CF_LEVEL:
        return parse_level(f, value, AT(c, f, int), err);
    case CF_SCORE:
    case CF_INT: {
        int64_t v;
        int64_t max = f->type == CF_SCORE ? 5 : INT32_MAX;
        if ((rc = parse_count(f, value, max, &v, err)) < 0)
            return rc;
        *AT(c, f, int) = (int)v;
        return 0;
    }
    case CF_CHANNEL:
        return channel_parse(value, AT(c, f, enum channel), err);
    case CF_SEVERITY:
        return severity_parse(value, AT(c, f, enum severity), err);
    case CF_STATUS:
        return wf_state_parse(value, AT(c, f, enum wf_state), err);
    case CF_COMP_KIND:
        return comp_kind_parse(value, AT(c, f, enum comp_kind), err);
    }
    KS_BUG("field '%s' has unknown type %d", f->name, (int)f->type);
}

int complaint_get(const struct complaint *c, const struct cf_desc *f, int offset_min,
                  struct buf *out)
{
    if (!complaint_has(c, f))
        return 0;
    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        return buf_adds(out, *CAT(c, f, char *));
    case CF_TIME: {
        char t[KS_TIME_STRLEN];
        return buf_adds(out, ks_time_format(*CAT(c, f, int64_t), offset_min, t));
    }
    case CF_QTY:
    case CF_ID:
        return buf_addf(out, "%" PRId64, *CAT(c, f, int64_t));
    case CF_MONEY: {
        int64_t fen = *CAT(c, f, int64_t);
        const char *sign = fen < 0 ? "-" : "";
        uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
        return buf_addf(out, "%s%" PRIu64 ".%02" PRIu64, sign, a / 100, a % 100);
    }
    case CF_BOOL:
        return buf_adds(out, *CAT(c, f, bool) ? "true" : "false");
    case CF_LEVEL:
    case CF_SCORE:
    case CF_INT:
        return buf_addf(out, "%d", *CAT(c, f, int));
    case CF_CHANNEL:
        return buf_adds(out, channel_name(*CAT(c, f, enum channel)));
    case CF_SEVERITY:
        return buf_adds(out, severity_name(*CAT(c, f, enum severity)));
    case CF_STATUS:
        return buf_adds(out, wf_state_name(*CAT(c, f, enum wf_state)));
    case CF_COMP_KIND:
        return buf_adds(out, comp_kind_name(*CAT(c, f, enum comp_kind)));
    }
    KS_BUG("field '%s' has unknown type %d", f->name, (int)f->type);
}

/* Digits, spaces and + - ( ), with 5 to 20 digits: loose enough for "+86 138-0013-8000" and
 * "(0571) 8888 6666", strict enough to catch a name typed into the phone box. */
static bool is_phone(const char *s)
{
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr(" +-()", *p))
            return false;
    }
    return digits >= 5 && digits <= 20;
}

/* One '@' with something before it, and a dot inside the domain after it; no spaces. */
static bool is_email(const char *s)
{
    const char *at = strchr(s, '@');
    const char *dot;

    if (!at || at == s || strchr(at + 1, '@') || strpbrk(s, " \t"))
        return false;
    dot = strrchr(at + 1, '.');
    return dot && dot > at + 1 && dot[1] != '\0';
}

static int check_number_field(const char *field, const char *s, struct ks_error *err)
{
    if (complaint_number_parse(s, NULL, NULL, NULL) < 0)
        return ks_fail(err, KS_EINVAL, field, "%s: '%s' is not a complaint number like %s", field,
                       s, "KS20261128-0001");
    return 0;
}

/* "KS1, KS2" → each item (spaces around commas allowed) must be a complaint number. */
static int check_related(const char *s, struct ks_error *err)
{
    const char *p = s;

    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char item[COMPLAINT_NUMBER_MAX];
        while (n && *p == ' ') {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n == 0 || n >= sizeof(item))
            return ks_fail(err, KS_EINVAL, "related",
                           "related: '%s' is not a comma-separated list of complaint numbers", s);
        memcpy(item, p, n);
        item[n] = '\0';
        if (check_number_field("related", item, err) < 0)
            return KS_EINVAL;
        if (!end)
            return 0;
        p = end + 1;
    }
}

/* Checks of one field on its own: text shape and ranges. */
static int validate_field(const struct complaint *c, const struct cf_desc *f, struct ks_error *err)
{
    int rc;

    switch (f->type) {
    case CF_STR:
    case CF_TEXT: {
        const char *s = *CAT(c, f, char *);
        if (!s)
            return 0;
        if (*s == '\0')
            return ks_fail(err, KS_EINVAL, f->name, "%s: is empty (leave it out instead)", f->name);
        return check_text(f, s, err);
    }
    case CF_TIME:
        return 0;
    case CF_QTY: {
        int64_t v = *CAT(c, f, int64_t);
        if (v < 0 && v != KS_QTY_UNKNOWN)
            return ks_fail(err, KS_EINVAL, f->name, "%s: '%" PRId64 "' is negative", f->name, v);
        return 0;
    }
    case CF_MONEY: {
        int64_t v = *CAT(c, f, int64_t);
        if (v < 0)
            return ks_fail(err, KS_EINVAL, f->name, "%s: amount is negative", f->name);
        if (v > MONEY_MAX_FEN)
            return ks_fail(err, KS_EINVAL, f->name, "%s: amount is too large", f->name);
        return 0;
    }
    case CF_ID:
    case CF_BOOL:
    case CF_INT:
        return 0;
    case CF_LEVEL: {
        int v = *CAT(c, f, int);
        if (v < 0 || v > 2)
            return ks_fail(err, KS_EINVAL, f->name, "%s: '%d' is not one of 1, 2", f->name, v);
        return 0;
    }
    case CF_SCORE: {
        int v = *CAT(c, f, int);
        if (v < 0 || v > 5)
            return ks_fail(err, KS_EINVAL, f->name, "%s: '%d' is not a score from 1 to 5", f->name,
                           v);
        return 0;
    }
    case CF_CHANNEL:
        rc = (int)*CAT(c, f, enum channel);
        return rc >= 0 && rc < CH__COUNT
                   ? 0
                   : ks_fail(err, KS_EINVAL, f->name, "%s: value %d is out of range", f->name, rc);
    case CF_SEVERITY:
        rc = (int)*CAT(c, f, enum severity);
        return rc >= 0 && rc < SEV__COUNT
                   ? 0
                   : ks_fail(err, KS_EINVAL, f->name, "%s: value %d is out of range", f->name, rc);
    case CF_STATUS:
        rc = (int)*CAT(c, f, enum wf_state);
        return rc >= 0 && rc < WF_STATE__COUNT
                   ? 0
                   : ks_fail(err, KS_EINVAL, f->name, "%s: value %d is out of range", f->name, rc);
    case CF_COMP_KIND:
        rc = (int)*CAT(c, f, enum comp_kind);
        return rc >= 0 && rc < COMP__COUNT
                   ? 0
                   : ks_fail(err, KS_EINVAL, f->name, "%s: value %d is out of range", f->name, rc);
    }
    KS_BUG("field '%s' has unknown type %d", f->name, (int)f->type);
}

int complaint_validate(const struct complaint *c, struct ks_error *err)
{
    int rc;

    for (size_t i = 0; i < complaint_field_count; i++)
        if ((rc = validate_field(c, &complaint_fields[i], err)) < 0)
            return rc;

    if (c->customer_phone && !is_phone(c->customer_phone))
        return ks_fail(err, KS_EINVAL, "customer_phone",
                       "customer_phone: '%s' is not a phone number (5 to 20 digits)",
                       c->customer_phone);
    if (c->customer_email && !is_email(c->customer_email))
        return ks_fail(err, KS_EINVAL, "customer_email",
                       "customer_email: '%s' is not an e-mail address", c->customer_email);
    if (c->number && (rc = check_number_field("number", c->number, err)) < 0)
        return rc;
    if (c->duplicate_of) {
        if ((rc = check_number_field("duplicate_of", c->duplicate_of, err)) < 0)
            return rc;
        if (c->number && strcmp(c->number, c->duplicate_of) == 0)
            return ks_fail(err, KS_EINVAL, "duplicate_of",
                           "duplicate_of: '%s' is this complaint itself", c->duplicate_of);
    }
    if (c->related && (rc = check_related(c->related, err)) < 0)
        return rc;
    if (c->delivered != KS_QTY_UNKNOWN && c->defective != KS_QTY_UNKNOWN &&
        c->defective > c->delivered)
        return ks_fail(err, KS_EINVAL, "defective",
                       "defective: %" PRId64 " is more than the %" PRId64 " delivered",
                       c->defective, c->delivered);

    if (c->received_at == KS_TIME_NONE)
        return ks_fail(err, KS_EINVAL, "received_at", "received_at: is required");
    if (!c->title && !c->description)
        return ks_fail(err, KS_EINVAL, "title", "title: a title or a description is required");
    if (!c->customer_name && !c->customer_phone && !c->customer_code)
        return ks_fail(err, KS_EINVAL, "customer_name",
                       "customer_name: a customer name, phone or customer code is required");
    return 0;
}

static bool str_differs(const char *a, const char *b)
{
    if (!a || !b)
        return a != b;
    return strcmp(a, b) != 0;
}

int complaint_check_edit(const struct complaint *before, const struct complaint *after,
                         struct ks_error *err)
{
    if (str_differs(before->number, after->number))
        return ks_fail(err, KS_EINVAL, "number", "number: a complaint number never changes");
    if (str_differs(before->first_responder, after->first_responder))
        return ks_fail(err, KS_EINVAL, "first_responder",
                       "first_responder: the first responder never changes");
    if (before->received_at != after->received_at)
        return ks_fail(err, KS_EINVAL, "received_at",
                       "received_at: the time of receipt never changes");
    if (before->created_at != after->created_at)
        return ks_fail(err, KS_EINVAL, "created_at", "created_at: is set by kesu");
    if (before->status != after->status)
        return ks_fail(err, KS_EINVAL, "status",
                       "status: changes only by a workflow move (kesu move), not by an edit");
    return 0;
}

void complaint_number_format(struct ks_date day, int seq, char out[COMPLAINT_NUMBER_MAX])
{
    if (seq < 1 || seq > 999999 || day.y < 0 || day.y > 9999)
        KS_BUG("complaint number out of range: %d-%d-%d #%d", day.y, day.m, day.d, seq);
    snprintf(out, COMPLAINT_NUMBER_MAX, "KS%04d%02d%02d-%04d", day.y, day.m, day.d, seq);
}

int complaint_number_parse(const char *s, struct ks_date *day_out, int *seq_out,
                           struct ks_error *err)
{
    struct ks_date d = {0, 0, 0};
    int seq = 0;
    size_t n;

    if (!s || strncmp(s, "KS", 2) != 0 || !civil_read_digits(s + 2, 4, &d.y) ||
        !civil_read_digits(s + 6, 2, &d.m) || !civil_read_digits(s + 8, 2, &d.d) || s[10] != '-')
        goto bad;
    n = strlen(s + 11);
    /* Four digits, zero-padded; above 9999 the number grows, so exactly one spelling each. */
    if (n < 4 || n > 6 || (n > 4 && s[11] == '0') || !civil_read_digits(s + 11, (int)n, &seq) ||
        seq < 1 || !civil_is_valid(d))
        goto bad;
    if (day_out)
        *day_out = d;
    if (seq_out)
        *seq_out = seq;
    return 0;
bad:
    return ks_fail(err, KS_EINVAL, "number", "number: '%s' is not a complaint number like %s",
                   s ? s : "", "KS20261128-0001");
}
