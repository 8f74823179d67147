/* Aho–Corasick multi-pattern matching over bytes (UTF-8 text is matched byte-wise, so a
 * pattern matches only at character boundaries when both are valid UTF-8). Patterns are added,
 * then compiled once into a DFA over byte classes; scanning is then read-only, allocation-free
 * and safe from many threads. Ownership: struct acm is a heap object from acm_new(), freed by
 * acm_free(); it copies what it needs of each pattern. */
#ifndef KS_CORE_ACMATCH_H
#define KS_CORE_ACMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acm;

struct acm_hit {
    uint32_t id;    /* the pattern's id (the order it was added, from 0) */
    uint32_t start; /* byte offset of its first byte */
    uint32_t end;   /* byte offset just past its last byte */
};

struct acm *acm_new(void);
void acm_free(struct acm **m);

/* Adds a pattern (len >= 1 bytes) before acm_compile() and returns its id. Adding the same
 * bytes twice gives two ids that both report. */
uint32_t acm_add(struct acm *m, const char *pat, size_t len);

/* Builds the automaton; no acm_add() after it. */
void acm_compile(struct acm *m);

/* Number of patterns added. */
uint32_t acm_count(const struct acm *m);

/* Finds every occurrence of every pattern in text (overlapping ones too), in order of their
 * end offset, and writes at most max of them to hits. Returns the number written; sets
 * *truncated (may be NULL) when there were more. Texts are limited to 4 GiB. Tested by
 * tests/unit/test-acmatch.c. */
size_t acm_scan(const struct acm *m, const char *text, size_t len, struct acm_hit *hits, size_t max,
                bool *truncated);

#endif
