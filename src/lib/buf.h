/* Growable byte buffers with a mandatory cap. Ownership: struct buf is caller-owned storage;
 * buf_init() sets the cap, buf_release() frees the bytes. The content is always NUL-terminated.
 * Appending past the cap fails with KS_ELIMIT and leaves the content as it was. */
#ifndef KS_LIB_BUF_H
#define KS_LIB_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/err.h"

struct buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* the most bytes (without the NUL) this buffer may ever hold */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The content, "" when empty; borrowed until the next change to b. */
const char *buf_str(const struct buf *b);
/* Hands the content (NUL-terminated, never NULL) to the caller and resets b. */
char *buf_detach(struct buf *b);

#endif
