/* Aborting allocators: out-of-memory is not a condition kesu can serve through. */
#include "lib/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

static _Noreturn void oom(size_t size)
{
    fprintf(stderr, "kesu: out of memory allocating %zu bytes\n", size);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        oom(size);
    return q;
}

void xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 8;
    if (need <= *cap)
        return;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            oom(SIZE_MAX);
        n *= 2;
    }
    *p = xrealloc(*p, n * elem);
    *cap = n;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void xstrset(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}
