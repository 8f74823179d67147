/* A lock that threads take in the order they asked for it, with a time limit. SQLite's own
 * busy handler polls with growing sleeps, so a thread that writes in a tight loop (the group
 * commit writer, a long sweep) takes the database lock again before a sleeping thread wakes:
 * under steady registrations an edit or a login waited out the whole busy timeout and failed.
 * Threads of one process queue here first instead and get the lock handed over in turn.
 * Ownership: struct turnstile is caller-owned storage, turnstile_init() before use and
 * turnstile_destroy() when no thread uses it. */
#ifndef KS_LIB_TURNSTILE_H
#define KS_LIB_TURNSTILE_H

#include <pthread.h>
#include <stdbool.h>

struct turnstile_waiter;

struct turnstile {
    pthread_mutex_t mu;
    bool held;
    struct turnstile_waiter *head, *tail; /* waiting, first come first */
};

void turnstile_init(struct turnstile *t);
void turnstile_destroy(struct turnstile *t);
/* Takes t, waiting behind the threads that asked before; false when timeout_ms passed first
 * (the caller then does not hold it). */
bool turnstile_enter(struct turnstile *t, int timeout_ms);
/* Hands t to the longest waiting thread, or frees it when none waits. */
void turnstile_leave(struct turnstile *t);

#endif
