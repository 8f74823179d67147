/* Text normalisation for matching (see textnorm.h). One pass over the input, decoding UTF-8
 * by hand; each code point is either dropped (whitespace), mapped to a separator, mapped to
 * ASCII (full-width forms), mapped to a simplified character (a short table of traditional
 * characters common in complaint texts), or copied. Every mapping is to an equal or shorter
 * encoding, which is why the output never outgrows the input. */
#include "core/textnorm.h"

#include <stdint.h>
#include <string.h>

#include "lib/banned.h"

/* Traditional → simplified for characters customers in Hong Kong and Taiwan write in the
 * words presets use; both sides are 3-byte UTF-8, sorted by traditional code point. */
static const struct {
    uint32_t from, to;
} trad_map[] = {
    {0x50B7, 0x4F24}, /* 傷 伤 */
    {0x554F, 0x95EE}, /* 問 问 */
    {0x58DE, 0x574F}, /* 壞 坏 */
    {0x5C0D, 0x5BF9}, /* 對 对 */
    {0x640D, 0x635F}, /* 損 损 */
    {0x6578, 0x6570}, /* 數 数 */
    {0x65B7, 0x65AD}, /* 斷 断 */
    {0x7063, 0x6E7E}, /* 灣 湾 */
    {0x7D19, 0x7EB8}, /* 紙 纸 */
    {0x7D93, 0x7ECF}, /* 經 经 */
    {0x8173, 0x811A}, /* 腳 脚 */
    {0x8CA8, 0x8D27}, /* 貨 货 */
    {0x8CEA, 0x8D28}, /* 質 质 */
    {0x8ECA, 0x8F66}, /* 車 车 */
    {0x8EF8, 0x8F74}, /* 軸 轴 */
    {0x932F, 0x9519}, /* 錯 错 */
    {0x9418, 0x949F}, /* 鐘 钟 */
    {0x9580, 0x95E8}, /* 門 门 */
    {0x984C, 0x9898}, /* 題 题 */
    {0x9AD4, 0x4F53}, /* 體 体 */
};

static uint32_t simplify(uint32_t cp)
{
    size_t lo = 0, hi = sizeof trad_map / sizeof trad_map[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (trad_map[mid].from == cp)
            return trad_map[mid].to;
        if (trad_map[mid].from < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return cp;
}

/* Decodes one UTF-8 sequence at s (n bytes available); returns its length, or 0 when it is
 * not valid (the caller copies the byte). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t c;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return len;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

enum cls { C_DROP, C_SPACE, C_COMMA, C_STOP, C_KEEP };

static bool is_ascii_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

/* Classifies a code point that is already mapped to ASCII where it has an ASCII form. */
static enum cls classify(uint32_t c)
{
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 || c == 0x3000)
        return C_SPACE;
    if (c == '\n' || c == '!' || c == '?' || c == ';' || c == 0x3002 /* 。 */ ||
        c == 0xFF61 /* ｡ */)
        return C_STOP;
    if (c < 0x80) {
        if (is_ascii_alnum(c) || c == '%' || c == '.' || c == '/')
            return C_KEEP;
        if (c < 0x20 || c == 0x7F)
            return C_DROP;
        return C_COMMA;
    }
    if ((c >= 0x2010 && c <= 0x206F) || /* general punctuation: dashes, quotes, … */
        (c >= 0x3001 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011) ||
        (c >= 0x3014 && c <= 0x301F) || c == 0x00B7 || c == 0x30FB || c == 0xFE50 || c == 0xFE51 ||
        c == 0xFF64)
        return C_COMMA;
    if (c == 0x200B || c == 0xFEFF) /* zero-width space, BOM */
        return C_DROP;
    return C_KEEP;
}

size_t textnorm(const char *in, size_t len, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, i = 0;
    uint32_t prev = 0; /* last code point written, 0 at the start */
    bool space = false;
    if (cap == 0)
        return 0;
    while (i < len) {
        uint32_t c;
        size_t n = utf8_decode(s + i, len - i, &c);
        if (n == 0) { /* invalid byte: copy it so nothing is silently lost */
            if (o + 1 >= cap)
                break;
            out[o++] = (char)s[i++];
            prev = 0x80;
            space = false;
            continue;
        }
        i += n;
        if (c >= 0xFF01 && c <= 0xFF5E)
            c -= 0xFEE0;
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        enum cls k = classify(c);
        if (k == C_KEEP && c == '.') {
            /* A dot is a decimal point between digits and a full stop elsewhere. */
            bool next_digit = i < len && is_digit(s[i]);
            if (!(is_digit(prev) && next_digit))
                k = C_STOP;
        } else if (k == C_KEEP && c == '/') {
            bool next_digit = i < len && is_digit(s[i]);
            if (!(is_digit(prev) && next_digit))
                k = C_COMMA;
        }
        switch (k) {
        case C_DROP:
            continue;
        case C_SPACE:
            space = true;
            continue;
        case C_COMMA:
        case C_STOP: {
            char sep = k == C_STOP ? TEXTNORM_STOP : TEXTNORM_COMMA;
            space = false;
            if (o == 0)
                continue;
            if (textnorm_is_sep(out[o - 1])) {
                if (sep == TEXTNORM_STOP)
                    out[o - 1] = TEXTNORM_STOP;
                continue;
            }
            if (o + 1 >= cap)
                goto done;
            out[o++] = sep;
            prev = (uint32_t)sep;
            continue;
        }
        case C_KEEP:
            break;
        }
        c = simplify(c);
        char enc[4];
        size_t el = utf8_encode(c, enc);
        bool sp = space && is_ascii_alnum(prev) && is_ascii_alnum(c);
        if (o + el + (sp ? 1 : 0) >= cap)
            break;
        if (sp)
            out[o++] = ' ';
        memcpy(out + o, enc, el);
        o += el;
        prev = c;
        space = false;
    }
done:
    while (o > 0 && textnorm_is_sep(out[o - 1]))
        o--;
    out[o] = '\0';
    return o;
}
