/* The store contract, written once and run on every backend: tests/store/shared-contract.c
 * holds the test bodies, and each tests/store/test-store*.c supplies the one thing that differs,
 * a struct contract_backend that makes a fresh, empty database, plus its backend's own tests.
 * Ownership: struct ct_fx is allocated by ct_setup*() and freed by ct_teardown(); the helpers
 * fail the running test (cmocka) instead of returning errors. */
#ifndef KS_TESTS_STORE_SHARED_CONTRACT_H
#define KS_TESTS_STORE_SHARED_CONTRACT_H

#include "harness/harness.h"

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define T0   1795000000LL /* 2026-11-18T23:06:40Z, an arbitrary fixed clock */
#define HOUR 3600LL

/* One test's database. */
struct ct_fx {
    char *url;       /* what store_open() is given (owned) */
    char *dir;       /* a temporary directory to remove afterwards, or NULL (owned) */
    struct store *s; /* open on url */
};

/* What the contract needs to know about the backend under test. */
struct contract_backend {
    const char *name;              /* store_backend_name(): "sqlite", "postgres" */
    const char *migrations_prefix; /* embedded migration files: "src/store/sql/sqlite/" */
    /* Makes a fresh, empty, unmigrated database for fx: sets fx->url (and fx->dir). */
    void (*fresh)(struct ct_fx *fx);
    /* Runs SQL on the database at fx->url through the backend's own client library, outside
     * the store (to put the database in states the store never makes). */
    void (*exec)(struct ct_fx *fx, const char *sql);
};

/* Defined by each test executable: the backend it runs the contract on. */
extern const struct contract_backend contract_backend;

/* Runs the contract's tests as one cmocka group named after the backend; returns the
 * number of failures. */
int contract_run(void);

/* Fixtures: a fresh empty database, the same migrated, and the end of either. */
int ct_setup_empty(void **state);
int ct_setup(void **state);
int ct_teardown(void **state);

/* Helpers that fail the test on error. */
struct store *ct_open(const char *url, bool create);
struct store_tx *ct_begin(struct store *s, enum store_tx_mode mode);
void ct_commit(struct store_tx **tx);
void ct_check(int rc, const struct ks_error *err);
void ct_insert(struct store *s, struct complaint *c);
void ct_get(struct store *s, const char *number, struct complaint *out);
/* Registers w->rounds complaints of 2026-11-28 on w->s, each in its own transaction numbered
 * by store_number_next(); w->made counts the committed ones. A pthread start routine. */
struct ct_worker {
    struct store *s;
    int rounds;
    int made;
};
void *ct_register_many(void *arg);
/* The store holds exactly the complaints KS20261128-0001 .. -n, in that order. */
void ct_expect_numbered(struct store *s, int n);
/* The number of embedded migrations of the backend: the schema version after migrating. */
int ct_migrations_known(void);

#endif
