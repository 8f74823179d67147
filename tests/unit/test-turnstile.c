/* The FIFO lock (src/lib/turnstile.c): waiters get it in the order they asked, a thread that
 * leaves cannot take it back past a waiter, and a waiter whose time runs out leaves the queue
 * without taking it. */
#include "harness/harness.h"

#include <pthread.h>
#include <sched.h>

#include "lib/turnstile.h"

struct seat {
    struct turnstile *t;
    int id;
    int *order, *n_order;
    pthread_mutex_t *order_mu;
    bool ok; /* it got the lock (cmocka's asserts belong to the main thread) */
};

static void *take_and_note(void *arg)
{
    struct seat *s = arg;

    if (!(s->ok = turnstile_enter(s->t, 10000)))
        return NULL;
    pthread_mutex_lock(s->order_mu);
    s->order[(*s->n_order)++] = s->id;
    pthread_mutex_unlock(s->order_mu);
    turnstile_leave(s->t);
    return NULL;
}

/* The last waiter in t's queue, read the way a waiter is added (under t->mu). */
static const struct turnstile_waiter *tail_of(struct turnstile *t)
{
    const struct turnstile_waiter *w;

    pthread_mutex_lock(&t->mu);
    w = t->tail;
    pthread_mutex_unlock(&t->mu);
    return w;
}

/* Waits until a thread has queued behind `before`. */
static void wait_queued(struct turnstile *t, const struct turnstile_waiter *before)
{
    while (tail_of(t) == before)
        sched_yield();
}

static void waiters_get_it_in_the_order_they_asked(void **state)
{
    struct turnstile t;
    pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
    struct seat seats[4];
    pthread_t th[4];
    int order[4], n_order = 0;
    (void)state;

    turnstile_init(&t);
    assert_true(turnstile_enter(&t, 0));
    for (int i = 0; i < 4; i++) {
        const struct turnstile_waiter *before = tail_of(&t);
        seats[i] = (struct seat){&t, i, order, &n_order, &order_mu, false};
        assert_int_equal(pthread_create(&th[i], NULL, take_and_note, &seats[i]), 0);
        wait_queued(&t, before);
    }
    turnstile_leave(&t);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_true(seats[i].ok);
    }
    assert_int_equal(n_order, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(order[i], i);
    assert_true(turnstile_enter(&t, 0));
    turnstile_leave(&t);
    turnstile_destroy(&t);
}

struct holder {
    struct turnstile *t;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done, got, may_leave; /* got: it holds the lock */
};

static void *hold_until_told(void *arg)
{
    struct holder *h = arg;

    bool got = turnstile_enter(h->t, 10000);

    pthread_mutex_lock(&h->mu);
    h->got = got;
    h->done = true;
    pthread_cond_signal(&h->cv);
    while (got && !h->may_leave)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    if (got)
        turnstile_leave(h->t);
    return NULL;
}

/* The group-commit writer's pattern: leave and enter again at once. The waiter comes first. */
static void leaving_hands_it_to_the_waiter(void **state)
{
    struct turnstile t;
    struct holder h = {.t = &t, .done = false, .got = false, .may_leave = false};
    pthread_t th;
    (void)state;

    turnstile_init(&t);
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    assert_true(turnstile_enter(&t, 0));
    assert_int_equal(pthread_create(&th, NULL, hold_until_told, &h), 0);
    wait_queued(&t, NULL);
    turnstile_leave(&t);
    assert_false(turnstile_enter(&t, 20));
    pthread_mutex_lock(&h.mu);
    while (!h.done)
        pthread_cond_wait(&h.cv, &h.mu);
    assert_true(h.got);
    h.may_leave = true;
    pthread_cond_signal(&h.cv);
    pthread_mutex_unlock(&h.mu);
    assert_true(turnstile_enter(&t, 10000));
    pthread_join(th, NULL);
    turnstile_leave(&t);
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.mu);
    turnstile_destroy(&t);
}

static void *give_up_soon(void *arg)
{
    return (void *)(intptr_t)turnstile_enter(arg, 30);
}

/* A waiter that gives up is out of the queue: the lock is free once its holder leaves. */
static void a_waiter_that_times_out_leaves_the_queue(void **state)
{
    struct turnstile t;
    pthread_t th;
    void *got;
    (void)state;

    turnstile_init(&t);
    assert_true(turnstile_enter(&t, 0));
    assert_int_equal(pthread_create(&th, NULL, give_up_soon, &t), 0);
    pthread_join(th, &got);
    assert_false((bool)(intptr_t)got);
    assert_null(tail_of(&t));
    turnstile_leave(&t);
    assert_true(turnstile_enter(&t, 0));
    turnstile_leave(&t);
    turnstile_destroy(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(waiters_get_it_in_the_order_they_asked),
        cmocka_unit_test(leaving_hands_it_to_the_waiter),
        cmocka_unit_test(a_waiter_that_times_out_leaves_the_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
