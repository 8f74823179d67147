/* Group commit of registrations (see app-batch.h). The queue is a singly linked list guarded by
 * one mutex; the writer takes the whole list at once, so a burst of N requests costs one
 * BEGIN/COMMIT and the next burst forms while the fsync runs. Jobs are answered through one
 * condition variable: each job has a done flag the waiter checks. */
#include "app/app-batch.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/complaint-json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

struct job_node {
    struct app_reg_job *job;
    struct job_node *next;
    bool done;
    void (*cb)(void *arg); /* set for app_batcher_submit: the node is heap-allocated */
    void *cb_arg;
};

struct app_batcher {
    struct app *app;
    int max_batch;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work; /* the queue is not empty, or stopping */
    pthread_cond_t done; /* some jobs finished */
    struct job_node *head, *tail;
    bool stopping;
};

void app_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Checks the key, registers and records the response, all inside the job's savepoint. */
static void run_job(struct app *a, struct app_reg_job *job)
{
    struct store_tx *tx = NULL;
    struct idem_record rec;
    struct ks_error *err = &job->err;
    bool retried = false;
    int rc;

again:
    idem_record_init(&rec);
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        goto out;
    if (job->idem_key) {
        rc = store_idem_get(tx, job->actor->login, job->idem_key, &rec, err);
        if (rc == 0) {
            if (strcmp(rec.body_hash, job->body_hash) != 0) {
                job->idem_mismatch = true;
                rc = ks_fail(err, KS_EINVAL, "Idempotency-Key",
                             "Idempotency-Key: '%s' was used for a different request",
                             job->idem_key);
                goto out;
            }
            job->replayed = true;
            job->status = rec.status;
            job->response = rec.response;
            rec.response = NULL;
            rc = store_tx_commit(&tx, err);
            goto out;
        }
        if (rc != KS_ENOTFOUND)
            goto out;
        if (retried) {
            /* The key was taken and is gone again: job->c was changed by the first attempt,
             * so it must not be registered a second time. */
            rc = ks_fail(err, KS_ECONFLICT, "Idempotency-Key",
                         "Idempotency-Key: '%s' was used by another request at the same moment; "
                         "retry",
                         job->idem_key);
            goto out;
        }
        ks_error_clear(err);
    }
    if ((rc = app_register(a, job->c, job->actor, job->now, err)) < 0)
        goto out;
    {
        json_t *j = complaint_to_json(job->c, a->zone.utc_offset_min, 0);
        job->response = json_dumps(j, JSON_COMPACT | CJ_DUMP_FLAGS);
        json_decref(j);
    }
    job->status = 201;
    if (job->idem_key) {
        rec.login = xstrdup(job->actor->login);
        rec.key = xstrdup(job->idem_key);
        rec.body_hash = xstrdup(job->body_hash);
        rec.status = 201;
        rec.response = xstrdup(job->response);
        rec.created_at = job->now;
        rc = store_idem_put(tx, &rec, err);
        if (rc == KS_ECONFLICT && !retried) {
            /* Another node stored the key after our lookup (its transaction has committed:
             * the insert waited for it). Undo this registration and answer as it did. */
            store_tx_rollback(&tx);
            idem_record_release(&rec);
            free(job->response);
            job->response = NULL;
            ks_error_clear(err);
            retried = true;
            goto again;
        }
        if (rc < 0)
            goto out;
    }
    rc = store_tx_commit(&tx, err);
out:
    store_tx_rollback(&tx);
    idem_record_release(&rec);
    job->rc = rc;
    if (rc < 0) {
        free(job->response);
        job->response = NULL;
    }
}

/* True when job replayed the answer of another job of list, which this batch wrote (the same
 * login and key: a client's retry that arrived while its first try waited in the queue). */
static bool replays_batch(const struct app_reg_job *job, const struct job_node *list)
{
    if (!job->replayed)
        return false;
    for (const struct job_node *n = list; n; n = n->next) {
        const struct app_reg_job *o = n->job;
        if (o != job && !o->replayed && o->idem_key && strcmp(o->idem_key, job->idem_key) == 0 &&
            strcmp(o->actor->login, job->actor->login) == 0)
            return true;
    }
    return false;
}

/* Writes one batch in one transaction; every job's outcome is final when this returns. */
static void run_batch(struct app *a, struct job_node *list)
{
    struct store_tx *batch = NULL;
    struct ks_error err = {0};
    int rc = store_tx_begin(a->store, STORE_TX_WRITE, &batch, &err);

    if (rc == 0) {
        store_tx_batch_enter(batch);
        for (struct job_node *n = list; n; n = n->next)
            run_job(a, n->job);
        store_tx_batch_leave();
        rc = store_tx_commit(&batch, &err);
    }
    if (rc == 0)
        return;
    /* Nothing of this batch is known to be saved: every job that thought it was gets the
     * commit's error. A replayed answer stays true when it was committed before this batch,
     * not when it repeats a registration of this batch. */
    for (struct job_node *n = list; n; n = n->next) {
        struct app_reg_job *job = n->job;
        if (job->rc < 0 || (job->replayed && !replays_batch(job, list)))
            continue;
        job->rc = rc;
        job->err = err;
        free(job->response);
        job->response = NULL;
    }
}

static void *writer_main(void *arg)
{
    struct app_batcher *b = arg;

    pthread_mutex_lock(&b->mu);
    for (;;) {
        struct job_node *list, *last;
        int n = 0;

        while (!b->head && !b->stopping)
            pthread_cond_wait(&b->work, &b->mu);
        if (!b->head)
            break;
        list = last = b->head;
        for (n = 1; last->next && n < b->max_batch; n++)
            last = last->next;
        b->head = last->next;
        if (!b->head)
            b->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&b->mu);

        run_batch(b->app, list);

        /* Callbacks first, outside the lock; then the synchronous waiters. */
        for (struct job_node *x = list, *prev = NULL; x;) {
            struct job_node *next = x->next;
            if (x->cb) {
                if (prev)
                    prev->next = next;
                else
                    list = next;
                x->cb(x->cb_arg);
                free(x);
            } else {
                prev = x;
            }
            x = next;
        }
        pthread_mutex_lock(&b->mu);
        for (struct job_node *x = list; x;) {
            struct job_node *next = x->next;
            x->done = true; /* the waiter owns x again from here */
            x = next;
        }
        pthread_cond_broadcast(&b->done);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

int app_batcher_start(struct app *a, int max_batch, struct app_batcher **out, struct ks_error *err)
{
    struct app_batcher *b = xcalloc(1, sizeof(*b));
    int rc;

    *out = NULL;
    b->app = a;
    b->max_batch = max_batch > 0 ? max_batch : 512;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->work, NULL);
    pthread_cond_init(&b->done, NULL);
    if ((rc = pthread_create(&b->thread, NULL, writer_main, b)) != 0) {
        pthread_cond_destroy(&b->done);
        pthread_cond_destroy(&b->work);
        pthread_mutex_destroy(&b->mu);
        free(b);
        return ks_fail(err, KS_EINTERNAL, NULL, "cannot start the writer thread: %s", strerror(rc));
    }
    *out = b;
    return 0;
}

void app_batcher_stop(struct app_batcher **bp)
{
    struct app_batcher *b = *bp;

    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stopping = true;
    pthread_cond_signal(&b->work);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    pthread_cond_destroy(&b->done);
    pthread_cond_destroy(&b->work);
    pthread_mutex_destroy(&b->mu);
    free(b);
    *bp = NULL;
}

static void job_reset(struct app_reg_job *job)
{
    job->rc = 0;
    job->replayed = false;
    job->idem_mismatch = false;
    job->status = 0;
    job->response = NULL;
    ks_error_clear(&job->err);
}

/* Appends node to the queue; false when the writer is stopping. Called with b->mu held. */
static bool enqueue(struct app_batcher *b, struct job_node *node)
{
    if (b->stopping)
        return false;
    if (b->tail)
        b->tail->next = node;
    else
        b->head = node;
    b->tail = node;
    pthread_cond_signal(&b->work);
    return true;
}

void app_batcher_submit(struct app_batcher *b, struct app_reg_job *job, void (*done)(void *arg),
                        void *arg)
{
    struct job_node *node = xcalloc(1, sizeof(*node));
    bool queued;

    job_reset(job);
    node->job = job;
    node->cb = done;
    node->cb_arg = arg;
    pthread_mutex_lock(&b->mu);
    queued = enqueue(b, node);
    pthread_mutex_unlock(&b->mu);
    if (!queued) {
        free(node);
        job->rc = ks_fail(&job->err, KS_ESTORE, NULL, "the server is shutting down");
        done(arg);
    }
}

int app_batcher_register(struct app_batcher *b, struct app_reg_job *job)
{
    struct job_node node = {.job = job};

    job_reset(job);
    pthread_mutex_lock(&b->mu);
    if (!enqueue(b, &node)) {
        pthread_mutex_unlock(&b->mu);
        return job->rc = ks_fail(&job->err, KS_ESTORE, NULL, "the server is shutting down");
    }
    while (!node.done)
        pthread_cond_wait(&b->done, &b->mu);
    pthread_mutex_unlock(&b->mu);
    return job->rc;
}
