/* The FIFO lock of turnstile.h: each waiter waits on a condition variable of its own in a
 * queue, and leaving hands the lock straight to the first of them, so a thread that leaves and
 * enters again at once goes behind the others instead of barging past them. */
#include "lib/turnstile.h"

#include <errno.h>
#include <time.h>

#include "lib/banned.h"

struct turnstile_waiter {
    pthread_cond_t wake;
    bool granted;
    struct turnstile_waiter *next;
};

void turnstile_init(struct turnstile *t)
{
    pthread_mutex_init(&t->mu, NULL);
    t->held = false;
    t->head = t->tail = NULL;
}

void turnstile_destroy(struct turnstile *t)
{
    pthread_mutex_destroy(&t->mu);
}

/* Takes w out of t's queue (t->mu held). */
static void unlink_waiter(struct turnstile *t, struct turnstile_waiter *w)
{
    struct turnstile_waiter **p = &t->head, *prev = NULL;

    while (*p && *p != w) {
        prev = *p;
        p = &(*p)->next;
    }
    if (!*p)
        return;
    *p = w->next;
    if (t->tail == w)
        t->tail = prev;
}

bool turnstile_enter(struct turnstile *t, int timeout_ms)
{
    struct turnstile_waiter w = {.granted = false, .next = NULL};
    pthread_condattr_t attr;
    struct timespec until;
    bool got;

    pthread_mutex_lock(&t->mu);
    if (!t->held && !t->head) {
        t->held = true;
        pthread_mutex_unlock(&t->mu);
        return true;
    }
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w.wake, &attr);
    pthread_condattr_destroy(&attr);
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (t->tail)
        t->tail->next = &w;
    else
        t->head = &w;
    t->tail = &w;
    while (!w.granted && pthread_cond_timedwait(&w.wake, &t->mu, &until) != ETIMEDOUT)
        ;
    got = w.granted;
    if (!got)
        unlink_waiter(t, &w);
    pthread_mutex_unlock(&t->mu);
    pthread_cond_destroy(&w.wake);
    return got;
}

void turnstile_leave(struct turnstile *t)
{
    struct turnstile_waiter *w;

    pthread_mutex_lock(&t->mu);
    w = t->head;
    if (w) {
        t->head = w->next;
        if (!t->head)
            t->tail = NULL;
        w->granted = true; /* t->held stays true: the lock passes to w */
        pthread_cond_signal(&w->wake);
    } else {
        t->held = false;
    }
    pthread_mutex_unlock(&t->mu);
}
