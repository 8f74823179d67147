/* Complaints and events to and from JSON by walking complaint_fields[]: a field added to the
 * table appears here without code. Text conversion and range checks are complaint_set()'s,
 * so JSON input and --set/CSV input accept and refuse the same values; this file adds only
 * the JSON types, the nesting of dotted names and the masking of personal data.
 * Tested by tests/unit/test-complaint-json.c. */
#include "codec/complaint-json.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

#include "lib/banned.h"

#define CAT(c, f, T) ((const T *)(const void *)((const char *)(c) + (f)->offset))

/* The group part of a dotted name into out ("responsibility"), or false for a plain name. */
static bool split_group(const char *name, char *out, size_t outsz, const char **member_out)
{
    const char *dot = strchr(name, '.');
    size_t n;

    if (!dot)
        return false;
    n = (size_t)(dot - name);
    if (n >= outsz)
        KS_BUG("field group of '%s' too long", name);
    memcpy(out, name, n);
    out[n] = '\0';
    *member_out = dot + 1;
    return true;
}

char *cj_mask_phone(const char *phone)
{
    char digits[32];
    size_t n = 0;
    const char *d = digits;

    for (const char *p = phone ? phone : ""; *p; p++)
        if (isdigit((unsigned char)*p) && n + 1 < sizeof(digits))
            digits[n++] = *p;
    digits[n] = '\0';
    if (n == 13 && strncmp(digits, "86", 2) == 0) {
        d += 2; /* +86 country code */
        n -= 2;
    }
    if (n < 8)
        return xstrdup("****");
    return xstrdup((char[]){d[0], d[1], d[2], '*', '*', '*', '*', d[n - 4], d[n - 3], d[n - 2],
                            d[n - 1], '\0'});
}

char *cj_mask_email(const char *email)
{
    const char *at = email ? strchr(email, '@') : NULL;
    size_t first = 1;
    struct buf b;

    if (!at || at == email)
        return xstrdup("****");
    /* Keep one whole character, which may be several bytes of UTF-8. */
    while (email + first < at && ((unsigned char)email[first] & 0xc0) == 0x80)
        first++;
    buf_init(&b, strlen(email) + 8);
    buf_add(&b, email, first);
    buf_adds(&b, "***");
    buf_adds(&b, at);
    return buf_detach(&b);
}

/* `related` ("KS1, KS2") as ["KS1", "KS2"]. */
static void related_write(struct jw *w, const char *s)
{
    const char *p = s;

    jw_array(w);
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && *p == ' ') {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n) {
            if (utf8_is_valid(p, n))
                jw_stringn(w, p, n);
            else
                jw_string(w, "?");
        }
        if (!end)
            break;
        p = end + 1;
    }
    jw_array_end(w);
}

static void field_write(struct jw *w, const struct complaint *c, const struct cf_desc *f,
                        int offset_min, unsigned flags)
{
    if (!complaint_has(c, f)) {
        jw_null(w);
        return;
    }
    switch (f->type) {
    case CF_STR:
    case CF_TEXT: {
        const char *s = *CAT(c, f, char *);
        if ((flags & CJ_MASK_PERSONAL) && (f->flags & CF_PERSONAL)) {
            char *m = strchr(s, '@') ? cj_mask_email(s) : cj_mask_phone(s);
            jw_string(w, m);
            free(m);
        } else if (strcmp(f->name, "related") == 0) {
            related_write(w, s);
        } else {
            jw_string(w, s);
        }
        return;
    }
    case CF_TIME:
        jw_time(w, *CAT(c, f, int64_t), offset_min);
        return;
    case CF_QTY:
    case CF_ID:
        jw_int(w, *CAT(c, f, int64_t));
        return;
    case CF_MONEY:
        jw_real(w, (double)*CAT(c, f, int64_t) / 100.0);
        return;
    case CF_BOOL:
        jw_bool(w, *CAT(c, f, bool));
        return;
    case CF_LEVEL:
    case CF_SCORE:
    case CF_INT:
        jw_int(w, *CAT(c, f, int));
        return;
    case CF_CHANNEL:
        jw_string(w, channel_name(*CAT(c, f, enum channel)));
        return;
    case CF_SEVERITY:
        jw_string(w, severity_name(*CAT(c, f, enum severity)));
        return;
    case CF_STATUS:
        jw_string(w, wf_state_name(*CAT(c, f, enum wf_state)));
        return;
    case CF_COMP_KIND:
        jw_string(w, comp_kind_name(*CAT(c, f, enum comp_kind)));
        return;
    }
    KS_BUG("field '%s' has unknown type %d", f->name, (int)f->type);
}

void complaint_members_write(struct jw *w, const struct complaint *c, int offset_min,
                             unsigned flags, uint64_t fields)
{
    char open[64] = ""; /* the group whose object is open, "" when none */

    if (fields) /* a projection always carries the number */
        fields |= UINT64_C(1) << (complaint_field_find("number") - complaint_fields);
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        char group[64];
        const char *member = f->name;
        bool grouped;

        if ((f->flags & CF_INTERNAL) && !(flags & CJ_INTERNAL))
            continue;
        if (fields && !(fields & (UINT64_C(1) << i)))
            continue;
        grouped = split_group(f->name, group, sizeof(group), &member);
        if (*open && (!grouped || strcmp(group, open) != 0)) {
            jw_object_end(w);
            open[0] = '\0';
        }
        if (grouped && !*open) {
            /* The members of a group are next to each other in complaint_fields[]; were they
             * not, the group would appear twice and complaint_fields_to_json() would refuse
             * the document (tested). */
            jw_key(w, group);
            jw_object(w);
            memcpy(open, group, sizeof(open));
        }
        jw_key(w, member);
        field_write(w, c, f, offset_min, flags);
    }
    if (*open)
        jw_object_end(w);
}

void complaint_fields_write(struct jw *w, const struct complaint *c, int offset_min, unsigned flags,
                            uint64_t fields)
{
    jw_object(w);
    complaint_members_write(w, c, offset_min, flags, fields);
    jw_object_end(w);
}

/* The jansson tree of a document this file wrote; a document that does not parse is a bug
 * here. A complaint never repeats a key (JSON_REJECT_DUPLICATES); an event's stored details are
 * copied as they are and may. */
static json_t *tree_of(struct jw *w, size_t flags)
{
    json_error_t jerr;
    json_t *j;

    if (w->failed)
        KS_BUG("written JSON over %zu bytes", w->b.max);
    j = json_loadb(w->b.data, w->b.len, flags, &jerr);
    if (!j)
        KS_BUG("JSON written by the codec does not parse: %s", jerr.text);
    jw_release(w);
    return j;
}

json_t *complaint_to_json(const struct complaint *c, int offset_min, unsigned flags)
{
    return complaint_fields_to_json(c, offset_min, flags, 0);
}

json_t *complaint_fields_to_json(const struct complaint *c, int offset_min, unsigned flags,
                                 uint64_t fields)
{
    struct jw w;

    jw_init(&w, CJ_TREE_MAX);
    complaint_fields_write(&w, c, offset_min, flags, fields);
    return tree_of(&w, JSON_REJECT_DUPLICATES);
}

static const char *json_type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

static int wrong_type(const struct cf_desc *f, const char *want, const json_t *v,
                      struct ks_error *err)
{
    return ks_fail(err, KS_EINVAL, f->name, "%s: expected %s, not %s", f->name, want,
                   json_type_word(v));
}

/* ["KS1", "KS2"] back to "KS1,KS2"; complaint_set checks the length and the validation the
 * numbers. */
static int related_from_json(struct complaint *c, const struct cf_desc *f, const json_t *v,
                             int offset_min, unsigned flags, struct ks_error *err)
{
    struct buf b;
    size_t i;
    json_t *item;
    int rc;

    if (!json_is_array(v))
        return wrong_type(f, "an array of complaint numbers", v, err);
    buf_init(&b, f->max + 1);
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item)) {
            buf_release(&b);
            return ks_fail(err, KS_EINVAL, f->name,
                           "%s: item %zu: expected a complaint number, not %s", f->name, i,
                           json_type_word(item));
        }
        if ((i && buf_addch(&b, ',') < 0) || buf_adds(&b, json_string_value(item)) < 0) {
            buf_release(&b);
            return ks_fail(err, KS_EINVAL, f->name, "%s: longer than the limit of %u bytes",
                           f->name, f->max);
        }
    }
    rc = complaint_set(c, f, buf_str(&b), offset_min, (flags & CJ_ALLOW_READONLY) != 0, err);
    buf_release(&b);
    return rc;
}

static int field_from_json(struct complaint *c, const struct cf_desc *f, const json_t *v,
                           int offset_min, unsigned flags, struct ks_error *err)
{
    bool ro = (flags & CJ_ALLOW_READONLY) != 0;
    char text[64];

    if ((f->flags & CF_READONLY) && !ro)
        return ks_fail(err, KS_EINVAL, f->name, "%s: is set by kesu and cannot be given", f->name);
    if (json_is_null(v))
        return complaint_set(c, f, "", offset_min, ro, err);

    switch (f->type) {
    case CF_STR:
    case CF_TEXT:
        if (strcmp(f->name, "related") == 0)
            return related_from_json(c, f, v, offset_min, flags, err);
        if (!json_is_string(v))
            return wrong_type(f, "a string", v, err);
        if (strlen(json_string_value(v)) != json_string_length(v))
            return ks_fail(err, KS_EINVAL, f->name, "%s: NUL character is not allowed", f->name);
        return complaint_set(c, f, json_string_value(v), offset_min, ro, err);
    case CF_TIME:
    case CF_CHANNEL:
    case CF_SEVERITY:
    case CF_STATUS:
    case CF_COMP_KIND:
        if (!json_is_string(v))
            return wrong_type(f, "a string", v, err);
        if (!*json_string_value(v))
            return ks_fail(err, KS_EINVAL, f->name, "%s: is empty (use null to clear it)", f->name);
        return complaint_set(c, f, json_string_value(v), offset_min, ro, err);
    case CF_QTY:
    case CF_ID:
    case CF_LEVEL:
    case CF_SCORE:
    case CF_INT:
        if (!json_is_integer(v))
            return wrong_type(f, "a whole number", v, err);
        snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return complaint_set(c, f, text, offset_min, ro, err);
    case CF_MONEY: {
        double yuan;
        if (!json_is_number(v))
            return wrong_type(f, "a number", v, err);
        yuan = json_number_value(v);
        if (yuan >= 1e12 || yuan <= -1e12)
            return ks_fail(err, KS_EINVAL, f->name, "%s: %.17g is too large", f->name, yuan);
        /* An amount has whole fen: the two-decimal text must read back as the same double. */
        snprintf(text, sizeof(text), "%.2f", yuan);
        if (strtod(text, NULL) != yuan)
            return ks_fail(err, KS_EINVAL, f->name, "%s: %.17g has more than two decimals (fen)",
                           f->name, yuan);
        return complaint_set(c, f, text, offset_min, ro, err);
    }
    case CF_BOOL:
        if (!json_is_boolean(v))
            return wrong_type(f, "true or false", v, err);
        return complaint_set(c, f, json_is_true(v) ? "true" : "false", offset_min, ro, err);
    }
    KS_BUG("field '%s' has unknown type %d", f->name, (int)f->type);
}

static bool is_group(const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < complaint_field_count; i++)
        if (strncmp(complaint_fields[i].name, key, n) == 0 && complaint_fields[i].name[n] == '.')
            return true;
    return false;
}

static int group_from_json(struct complaint *c, const char *group, const json_t *v, int offset_min,
                           unsigned flags, struct ks_error *err)
{
    const char *key;
    json_t *member;
    char name[128];
    int rc;

    if (json_is_null(v)) {
        size_t n = strlen(group);
        for (size_t i = 0; i < complaint_field_count; i++) {
            const struct cf_desc *f = &complaint_fields[i];
            if (strncmp(f->name, group, n) == 0 && f->name[n] == '.')
                if ((rc = field_from_json(c, f, v, offset_min, flags, err)) < 0)
                    return rc;
        }
        return 0;
    }
    if (!json_is_object(v))
        return ks_fail(err, KS_EINVAL, group, "%s: expected an object, not %s", group,
                       json_type_word(v));
    json_object_foreach((json_t *)v, key, member)
    {
        const struct cf_desc *f;
        snprintf(name, sizeof(name), "%s.%s", group, key);
        f = complaint_field_find(name);
        if (!f || ((f->flags & CF_INTERNAL) && !(flags & CJ_ALLOW_READONLY)))
            return ks_fail(err, KS_EINVAL, name, "%s: is not a complaint field", name);
        if ((rc = field_from_json(c, f, member, offset_min, flags, err)) < 0)
            return rc;
    }
    return 0;
}

static int apply_object(struct complaint *c, const json_t *obj, int offset_min, unsigned flags,
                        struct ks_error *err)
{
    const char *key;
    json_t *v;
    int rc;

    json_object_foreach((json_t *)obj, key, v)
    {
        const struct cf_desc *f = strchr(key, '.') ? NULL : complaint_field_find(key);
        if (f && (!(f->flags & CF_INTERNAL) || (flags & CJ_ALLOW_READONLY)))
            rc = field_from_json(c, f, v, offset_min, flags, err);
        else if (!f && !strchr(key, '.') && is_group(key))
            rc = group_from_json(c, key, v, offset_min, flags, err);
        else
            rc = ks_fail(err, KS_EINVAL, key, "%s: is not a complaint field", key);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int complaint_from_json(struct complaint *c, const json_t *obj, int offset_min, unsigned flags,
                        struct ks_error *err)
{
    struct complaint next;
    int rc;

    if (!json_is_object(obj))
        return ks_fail(err, KS_EINVAL, NULL, "complaint: expected a JSON object, not %s",
                       obj ? json_type_word(obj) : "nothing");
    complaint_init(&next);
    complaint_copy(&next, c);
    rc = apply_object(&next, obj, offset_min, flags, err);
    if (rc < 0) {
        complaint_release(&next);
        return rc;
    }
    complaint_release(c);
    *c = next; /* the strings move with the struct */
    return 0;
}

static void state_write(struct jw *w, int s)
{
    if (s < 0 || s >= WF_STATE__COUNT)
        jw_null(w);
    else
        jw_string(w, wf_state_name((enum wf_state)s));
}

void event_write(struct jw *w, const struct event *ev, int offset_min)
{
    jw_object(w);
    jw_key(w, "id");
    jw_int(w, ev->id);
    jw_key(w, "at");
    jw_time(w, ev->at, offset_min);
    jw_key(w, "actor");
    jw_string(w, ev->actor);
    jw_key(w, "kind");
    jw_string(w, ev->kind);
    jw_key(w, "from");
    state_write(w, ev->from_state);
    jw_key(w, "to");
    state_write(w, ev->to_state);
    jw_key(w, "note");
    jw_string(w, ev->note);
    jw_key(w, "details");
    /* Details are stored as JSON text: copied as they are when they hold an object. */
    if (ev->details && json_text_is_object(ev->details, strlen(ev->details)))
        jw_json(w, ev->details, strlen(ev->details));
    else
        jw_string(w, ev->details);
    jw_object_end(w);
}

void events_write(struct jw *w, const struct event *evs, size_t n, int offset_min)
{
    jw_array(w);
    for (size_t i = 0; i < n; i++)
        event_write(w, &evs[i], offset_min);
    jw_array_end(w);
}

json_t *event_to_json(const struct event *ev, int offset_min)
{
    struct jw w;

    jw_init(&w, CJ_TREE_MAX);
    event_write(&w, ev, offset_min);
    return tree_of(&w, 0);
}

json_t *events_to_json(const struct event *evs, size_t n, int offset_min)
{
    struct jw w;

    jw_init(&w, CJ_TREE_MAX);
    events_write(&w, evs, n, offset_min);
    return tree_of(&w, 0);
}
