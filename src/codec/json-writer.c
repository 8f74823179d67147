/* JSON written straight into a buffer (see json-writer.h), and the check that lets a stored JSON
 * object be copied into an answer unparsed. The escapes are jansson's (dump.c, without
 * JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH): '"', '\\' and control characters, \b \f \n \r \t by
 * name and the rest as \u00XX. Tested by tests/unit/test-complaint-json.c, which compares the
 * output with json_dumps() of the same values. */
#include "codec/json-writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"
#include "lib/civil.h"
#include "lib/banned.h"

void jw_init(struct jw *w, size_t max)
{
    memset(w, 0, sizeof(*w));
    buf_init(&w->b, max);
}

void jw_release(struct jw *w)
{
    buf_release(&w->b);
}

int jw_finish(struct jw *w, char **text_out, size_t *len_out, struct ks_error *err)
{
    *text_out = NULL;
    *len_out = 0;
    if (w->failed || w->depth) {
        size_t max = w->b.max;
        jw_release(w);
        return ks_fail(err, KS_ELIMIT, NULL, "the answer is larger than %zu bytes", max);
    }
    *len_out = w->b.len;
    *text_out = buf_detach(&w->b);
    return 0;
}

static void put(struct jw *w, const char *s, size_t n)
{
    if (!w->failed && buf_add(&w->b, s, n) < 0)
        w->failed = true;
}

static void puts_(struct jw *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Before a value: the comma after the container's previous item, unless it follows a key. */
static void value_start(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth && (w->has_member & (UINT64_C(1) << w->depth)))
        put(w, ",", 1);
    if (w->depth)
        w->has_member |= UINT64_C(1) << w->depth;
}

static void open_(struct jw *w, char c)
{
    value_start(w);
    put(w, &c, 1);
    if (w->depth + 1 >= JW_DEPTH_MAX)
        KS_BUG("JSON nested deeper than %d", JW_DEPTH_MAX);
    w->depth++;
    w->has_member &= ~(UINT64_C(1) << w->depth);
}

static void close_(struct jw *w, char c)
{
    if (!w->depth)
        KS_BUG("closing a JSON container that is not open");
    w->depth--;
    put(w, &c, 1);
}

void jw_object(struct jw *w)
{
    open_(w, '{');
}

void jw_object_end(struct jw *w)
{
    close_(w, '}');
}

void jw_array(struct jw *w)
{
    open_(w, '[');
}

void jw_array_end(struct jw *w)
{
    close_(w, ']');
}

/* The kind of a byte in a JSON string: 1 for those that cannot stand as they are ('"', '\\' and
 * control characters), 2 for bytes outside ASCII (replaced only in text that is not UTF-8). */
static inline unsigned special(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\' ? 1 : c >= 0x80 ? 2 : 0;
}

/* s[0..n) as the body of a JSON string; bytes outside ASCII as '?' when ascii_only. */
static void escaped(struct jw *w, const char *s, size_t n, bool ascii_only)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned stop = ascii_only ? 3 : 1; /* the kinds of byte that are not copied as is */
    size_t from = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        char esc[8];
        const char *e;

        if (!(special(c) & stop))
            continue;
        put(w, s + from, i - from);
        from = i + 1;
        switch (c) {
        case '"':
            e = "\\\"";
            break;
        case '\\':
            e = "\\\\";
            break;
        case '\b':
            e = "\\b";
            break;
        case '\f':
            e = "\\f";
            break;
        case '\n':
            e = "\\n";
            break;
        case '\r':
            e = "\\r";
            break;
        case '\t':
            e = "\\t";
            break;
        default:
            if (c >= 0x80) {
                e = "?";
                break;
            }
            snprintf(esc, sizeof(esc), "\\u%04X", c);
            e = esc;
        }
        puts_(w, e);
    }
    put(w, s + from, n - from);
}

void jw_key(struct jw *w, const char *key)
{
    value_start(w);
    put(w, "\"", 1);
    puts_(w, key);
    put(w, "\":", 2);
    w->after_key = true;
}

void jw_stringn(struct jw *w, const char *s, size_t n)
{
    value_start(w);
    put(w, "\"", 1);
    escaped(w, s, n, !utf8_is_valid(s, n));
    put(w, "\"", 1);
}

void jw_string(struct jw *w, const char *s)
{
    if (!s)
        jw_null(w);
    else
        jw_stringn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
    char n[24];
    value_start(w);
    put(w, n, (size_t)snprintf(n, sizeof(n), "%" PRId64, v));
}

void jw_bool(struct jw *w, bool v)
{
    value_start(w);
    puts_(w, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
    value_start(w);
    put(w, "null", 4);
}

void jw_real(struct jw *w, double v)
{
    char n[40];
    int len = snprintf(n, sizeof(n), "%.15g", v);

    /* As jansson: a real always shows a '.' or an exponent, so it reads back as a real. */
    if (!strchr(n, '.') && !strchr(n, 'e'))
        len += snprintf(n + len, sizeof(n) - (size_t)len, ".0");
    value_start(w);
    put(w, n, (size_t)len);
}

void jw_time(struct jw *w, int64_t t, int offset_min)
{
    char s[KS_TIME_STRLEN];

    if (t == KS_TIME_NONE) {
        jw_null(w);
        return;
    }
    ks_time_format(t, offset_min, s);
    value_start(w);
    put(w, "\"", 1);
    puts_(w, s);
    put(w, "\"", 1);
}

void jw_json(struct jw *w, const char *json, size_t n)
{
    value_start(w);
    put(w, json, n);
}

/* ---- the check ---------------------------------------------------------------------------- */

struct scan {
    const char *p, *end;
    int depth;
};

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool scan_string(struct scan *s)
{
    if (s->p >= s->end || *s->p != '"')
        return false;
    for (s->p++; s->p < s->end; s->p++) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c != '\\')
            continue;
        if (++s->p >= s->end)
            return false;
        if (*s->p == 'u') {
            /* \u0000 and surrogates are left to a parser (jansson refuses NUL and unpaired
             * halves): such text is not copied as it is. */
            const char *hex = s->p + 1;
            for (int i = 0; i < 4; i++)
                if (++s->p >= s->end || !is_hex(*s->p))
                    return false;
            if (memcmp(hex, "0000", 4) == 0 ||
                ((hex[0] == 'd' || hex[0] == 'D') && strchr("89abcdefABCDEF", hex[1]) && hex[1]))
                return false;
        } else if (!strchr("\"\\/bfnrt", *s->p) || !*s->p) {
            return false;
        }
    }
    return false;
}

static bool scan_number_syntax(struct scan *s, const char **exp_out);

static bool scan_digits(struct scan *s)
{
    const char *start = s->p;
    while (s->p < s->end && is_digit(*s->p))
        s->p++;
    return s->p > start;
}

/* A number that jansson reads back without overflow: an integer of at most 18 digits (it fits
 * json_int_t), a real with at most 20 digits and a 2-digit exponent. */
static bool scan_number(struct scan *s)
{
    const char *start = s->p, *exp = NULL;
    bool real = false;

    if (!scan_number_syntax(s, &exp))
        return false;
    for (const char *p = start; p < s->p; p++)
        real |= *p == '.' || *p == 'e' || *p == 'E';
    if (!real)
        return s->p - start <= 18 + (*start == '-');
    if (exp && (exp[1] == '+' || exp[1] == '-'))
        exp++;
    return (exp ? exp - start : s->p - start) <= 22 && (!exp || s->p - exp <= 3);
}

static bool scan_number_syntax(struct scan *s, const char **exp_out)
{
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (!scan_digits(s))
        return false;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!scan_digits(s))
            return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        *exp_out = s->p;
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!scan_digits(s))
            return false;
    }
    return true;
}

static bool scan_word(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return false;
    s->p += n;
    return true;
}

static bool scan_value(struct scan *s);

/* An object or an array, from its opening character. */
static bool scan_container(struct scan *s, char close)
{
    bool object = close == '}';

    if (++s->depth > JW_DEPTH_MAX)
        return false;
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        if (object) {
            if (!scan_string(s))
                return false;
            skip_ws(s);
            if (s->p >= s->end || *s->p != ':')
                return false;
            s->p++;
        }
        if (!scan_value(s))
            return false;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            skip_ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == close) {
            s->p++;
            s->depth--;
            return true;
        }
        return false;
    }
}

static bool scan_value(struct scan *s)
{
    skip_ws(s);
    if (s->p >= s->end)
        return false;
    switch (*s->p) {
    case '{':
        return scan_container(s, '}');
    case '[':
        return scan_container(s, ']');
    case '"':
        return scan_string(s);
    case 't':
        return scan_word(s, "true");
    case 'f':
        return scan_word(s, "false");
    case 'n':
        return scan_word(s, "null");
    default:
        return scan_number(s);
    }
}

bool json_text_is_object(const char *text, size_t n)
{
    struct scan s = {text, text + n, 0};

    if (!utf8_is_valid(text, n))
        return false;
    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{' || !scan_container(&s, '}'))
        return false;
    skip_ws(&s);
    return s.p == s.end;
}
