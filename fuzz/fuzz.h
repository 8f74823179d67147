/* Helpers shared by the fuzz targets: a cursor that splits libFuzzer's bytes into small
 * numbers and a NUL-terminated rest, and the embedded official calendar loaded once per
 * process. Ownership: fz_take_str() returns a new string the caller frees; the calendar is a
 * process-wide object that lives until exit (LeakSanitizer does not count it: it stays
 * reachable through a static). */
#ifndef KS_FUZZ_FUZZ_H
#define KS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "lib/embed.h"
#include "lib/err.h"
#include "lib/xalloc.h"

/* Inputs larger than this teach nothing new and only slow the run down. */
#define FZ_MAX_INPUT (64 * 1024)

struct fz_cursor {
    const uint8_t *p;
    size_t n;
};

/* The next byte, or 0 when the input is used up (so short inputs still reach every path). */
static inline uint8_t fz_u8(struct fz_cursor *c)
{
    uint8_t b = 0;

    if (c->n) {
        b = c->p[0];
        c->p++;
        c->n--;
    }
    return b;
}

static inline uint32_t fz_u32(struct fz_cursor *c)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++)
        v = v << 8 | fz_u8(c);
    return v;
}

/* An integer in lo..hi (inclusive) from the next four bytes. */
static inline int64_t fz_range(struct fz_cursor *c, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(fz_u32(c) % (uint64_t)(hi - lo + 1));
}

/* The next n bytes (fewer at the end) as a new NUL-terminated string. Embedded NULs stay:
 * C callers see the text up to the first one, which is what they would see from a request. */
static inline char *fz_take(struct fz_cursor *c, size_t n, size_t *len_out)
{
    char *s;

    if (n > c->n)
        n = c->n;
    s = xmalloc(n + 1);
    memcpy(s, c->p, n);
    s[n] = '\0';
    c->p += n;
    c->n -= n;
    if (len_out)
        *len_out = n;
    return s;
}

/* A piece of the input up to the next 0xff byte (consumed, not included), or the rest: lets
 * one input carry several strings while staying readable in a corpus. */
static inline char *fz_take_field(struct fz_cursor *c, size_t *len_out)
{
    const uint8_t *end = memchr(c->p, 0xff, c->n);
    size_t n = end ? (size_t)(end - c->p) : c->n;
    char *s = fz_take(c, n, len_out);

    if (end) {
        c->p++;
        c->n--;
    }
    return s;
}

/* The official calendar embedded from data/cn-calendar.csv; aborts when it does not load,
 * since every deadline target would then only test the error path. */
static inline const struct calendar *fz_calendar(void)
{
    static struct calendar cal;
    static int loaded;

    if (!loaded) {
        const struct embed_file *f = embed_find("data/cn-calendar.csv");
        struct ks_error err;

        calendar_init(&cal);
        if (!f ||
            calendar_load_csv(&cal, (const char *)f->data, f->size, "cn-calendar.csv", &err) < 0)
            abort();
        loaded = 1;
    }
    return &cal;
}

#endif
