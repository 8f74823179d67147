/* The storage contract on the SQLite backend (tests/store/shared-contract.c), each test on a
 * fresh database file in its own temporary directory, and what only a database file has: a
 * second writer waits for the busy timeout then reports busy while readers go on (WAL), the
 * writers of one process take turns, a
 * missing file is not created unless asked, and a file that is not a database is refused. */
#include "shared-contract.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void sqlite_fresh(struct ct_fx *fx)
{
    fx->dir = th_mkdtemp();
    fx->url = th_fmt("%s/kesu.db", fx->dir);
}

static void sqlite_exec(struct ct_fx *fx, const char *sql)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open(fx->url, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

const struct contract_backend contract_backend = {
    .name = "sqlite",
    .migrations_prefix = "src/store/sql/sqlite/",
    .fresh = sqlite_fresh,
    .exec = sqlite_exec,
};

static void second_writer_waits_then_reports_busy(void **state)
{
    struct ct_fx *fx = *state;
    struct store_conf conf = {.url = fx->url, .busy_timeout_ms = 100};
    struct store *other = NULL;
    struct store_tx *tx, *tx2 = NULL;
    struct ks_error err = {0};

    ct_check(store_open(&conf, &other, &err), &err);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    assert_int_equal(store_tx_begin(other, STORE_TX_WRITE, &tx2, &err), KS_ESTORE);
    assert_null(tx2);
    assert_non_null(strstr(err.message, "database is busy"));
    /* Readers are not blocked by a writer (WAL). */
    tx2 = ct_begin(other, STORE_TX_READ);
    store_tx_rollback(&tx2);
    store_tx_rollback(&tx);
    store_close(&other);
}

struct busy_writer {
    struct store *s;
    atomic_bool stop;
    atomic_int commits, failures;
};

static void *write_in_a_loop(void *arg)
{
    struct busy_writer *w = arg;

    while (!atomic_load(&w->stop)) {
        struct store_tx *tx = NULL;
        struct ks_error err = {0};
        /* A batch of registrations keeps the lock a few milliseconds. */
        if (store_tx_begin(w->s, STORE_TX_WRITE, &tx, &err) == 0 &&
            store_setting_set(tx, "loop", "x", &err) == 0 &&
            nanosleep(&(struct timespec){0, 5000000}, NULL) == 0 && store_tx_commit(&tx, &err) == 0)
            w->commits++;
        else
            w->failures++;
        store_tx_rollback(&tx);
    }
    return NULL;
}

/* One thread writing back to back (the group-commit writer under steady registrations) must
 * not keep another thread of the process from writing: they take turns instead of the other
 * one sleeping in SQLite's busy handler until its timeout. */
static void writers_of_one_process_take_turns(void **state)
{
    struct ct_fx *fx = *state;
    struct store_conf conf = {.url = fx->url, .busy_timeout_ms = 300};
    struct busy_writer w;
    struct ks_error open_err = {0};
    pthread_t th;

    ct_check(store_open(&conf, &w.s, &open_err), &open_err);
    atomic_init(&w.stop, false);
    atomic_init(&w.commits, 0);
    atomic_init(&w.failures, 0);
    assert_int_equal(pthread_create(&th, NULL, write_in_a_loop, &w), 0);
    while (atomic_load(&w.commits) == 0 && atomic_load(&w.failures) == 0)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    for (int i = 0; i < 40; i++) {
        struct store_tx *tx = NULL;
        struct ks_error err = {0};
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        if (store_tx_begin(w.s, STORE_TX_WRITE, &tx, &err) < 0 ||
            store_setting_set(tx, "turn", v, &err) < 0 || store_tx_commit(&tx, &err) < 0) {
            store_tx_rollback(&tx);
            atomic_store(&w.stop, true);
            pthread_join(th, NULL);
            fail_msg("write %d beside a busy writer: %s", i, err.message);
        }
        nanosleep(&(struct timespec){0, 2000000}, NULL); /* people edit now and then */
    }
    atomic_store(&w.stop, true);
    pthread_join(th, NULL);
    assert_int_equal(w.failures, 0);
    assert_true(w.commits > 0);
    store_close(&w.s);
}

static void missing_file_without_create_is_not_found(void **state)
{
    struct ct_fx *fx = *state;
    char *path = th_fmt("%s/nothing-here.db", fx->dir);
    struct store_conf conf = {.url = path};
    struct store *s = NULL;
    struct ks_error err = {0};

    assert_int_equal(store_open(&conf, &s, &err), KS_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err.message, "kesu init"));
    free(path);

    path = th_fmt("sqlite:%s/nothing-here.db", fx->dir);
    conf.url = path;
    assert_int_equal(store_open(&conf, &s, &err), KS_ENOTFOUND);
    free(path);

    conf.url = "postgres://kesu:secret@127.0.0.1:1/kesu";
    assert_int_equal(store_open(&conf, &s, &err), KS_ESTORE);
    assert_null(strstr(err.message, "secret"));
}

static void a_file_that_is_not_a_database_is_refused(void **state)
{
    struct ct_fx *fx = *state;
    char *path = th_fmt("%s/notes.txt", fx->dir);
    struct store_conf conf = {.url = path};
    struct store *s = NULL;
    struct ks_error err = {0};
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs("这不是数据库, just some text that is long enough to have a header page......\n", f);
    fclose(f);
    assert_true(store_open(&conf, &s, &err) < 0);
    assert_null(s);
    assert_non_null(strstr(err.message, "not a kesu database"));
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(second_writer_waits_then_reports_busy, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(writers_of_one_process_take_turns, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(missing_file_without_create_is_not_found, ct_setup_empty,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(a_file_that_is_not_a_database_is_refused, ct_setup_empty,
                                        ct_teardown),
    };
    int failed = contract_run();

    return failed + cmocka_run_group_tests_name("sqlite file", tests, NULL, NULL);
}
