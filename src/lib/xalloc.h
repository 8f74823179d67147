/* Allocation that never returns NULL: on exhaustion it prints a message and aborts, so callers
 * need no NULL checks. Returned memory is owned by the caller and released with free(). */
#ifndef KS_LIB_XALLOC_H
#define KS_LIB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* Grows *p (holding *cap elements of elem bytes) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Replaces *dst (freed) with a copy of src, or NULL when src is NULL. */
void xstrset(char **dst, const char *src);

#endif
