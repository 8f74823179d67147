/* Group commit of registrations: one writer thread takes every registration waiting for it,
 * writes them all in one store transaction (each in its own savepoint, so one bad record does
 * not spoil the others) and commits once, so many concurrent registrations share one fsync.
 * A caller is answered only after the commit that holds its complaint is durable. An
 * Idempotency-Key is checked and recorded in the same transaction as the complaint, so a
 * retry never creates a second one, on this node or another sharing the database.
 * Ownership: struct app_batcher is opaque, created by app_batcher_start() and freed by
 * app_batcher_stop(); the struct app it borrows must outlive it. A job is caller-owned. */
#ifndef KS_APP_APP_BATCH_H
#define KS_APP_APP_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

struct app_batcher;

struct app_reg_job {
    /* In. */
    struct complaint *c;          /* borrowed; on success the stored record */
    const struct wf_actor *actor; /* borrowed */
    int64_t now;
    const char *idem_key;  /* Idempotency-Key or NULL */
    const char *body_hash; /* hex SHA-256 of the request body, with idem_key */
    /* Out. */
    int rc; /* 0 or a negative enum ks_err (err holds the detail) */
    struct ks_error err;
    bool idem_mismatch; /* the key was used before with a different body (rc KS_EINVAL) */
    bool replayed;      /* the key was used before with this body: response is the first one */
    int status;         /* HTTP status of response: 201, or the first one's when replayed */
    char *response;     /* owned (free()): the complaint as JSON, or the first response */
};

/* Starts the writer thread; max_batch bounds how many registrations share one commit. */
int app_batcher_start(struct app *a, int max_batch, struct app_batcher **out, struct ks_error *err);
/* Finishes the registrations already queued, then stops the thread and frees *b. */
void app_batcher_stop(struct app_batcher **b);
/* Hands job to the writer and waits until its batch committed (or failed); returns job->rc.
 * A commit whose outcome is unknown is KS_EUNCERTAIN for every job of the batch. */
int app_batcher_register(struct app_batcher *b, struct app_reg_job *job);

/* Hands job to the writer and returns at once; done(arg) runs on the writer thread when the
 * job's batch committed or failed (job is final then). job must stay valid until done. */
void app_batcher_submit(struct app_batcher *b, struct app_reg_job *job, void (*done)(void *arg),
                        void *arg);

/* The hex SHA-256 of len bytes at data (65 bytes with the NUL), for idempotency checks. */
void app_sha256_hex(const void *data, size_t len, char out[65]);

#endif
