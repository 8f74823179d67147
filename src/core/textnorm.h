/* Text normalisation for matching complaint texts against preset words: full-width ASCII
 * becomes half-width, Latin letters lowercase, whitespace disappears (except one space between
 * two Latin letters or digits), every punctuation mark becomes ',' (inside a sentence) or ';'
 * (between sentences), runs of them collapse, and common traditional characters become
 * simplified. Numbers stay as written ("三百" is read by the severity engine). The same
 * function normalises preset words and texts, so both meet in one form. Ownership: nothing is
 * allocated; the caller provides the output buffer. */
#ifndef KS_CORE_TEXTNORM_H
#define KS_CORE_TEXTNORM_H

#include <stdbool.h>
#include <stddef.h>

/* Separators in normalised text. */
#define TEXTNORM_COMMA ','
#define TEXTNORM_STOP  ';'

/* Normalises len bytes of UTF-8 at in into out (cap bytes, NUL-terminated) and returns the
 * bytes written without the NUL. The output is never longer than the input, so cap = len + 1
 * always suffices; with a smaller cap the output stops at a character boundary. Invalid
 * UTF-8 bytes are copied unchanged. Tested by tests/unit/test-textnorm.c. */
size_t textnorm(const char *in, size_t len, char *out, size_t cap);

/* True for the separators textnorm writes. */
static inline bool textnorm_is_sep(char c)
{
    return c == TEXTNORM_COMMA || c == TEXTNORM_STOP;
}

#endif
