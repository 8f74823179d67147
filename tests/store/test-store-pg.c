/* The storage contract (tests/store/shared-contract.c) on the PostgreSQL backend, against the
 * server named by $KS_PG_URL or in the file $KS_PG_URL_FILE (scripts/pg-test.sh starts a
 * throw-away server and writes one); without either, the run is one skipped test. Each test
 * starts from an empty schema. PostgreSQL's own cases: a writer waiting for a row lock gives up
 * after the busy timeout, two stores (as two nodes) numbering from 4 threads leave no gaps, an
 * unreachable server is named without the password, a connection killed while idle is
 * replaced, one killed inside a transaction is KS_ESTORE and one killed before COMMIT returns
 * is KS_EUNCERTAIN. */
#include "shared-contract.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Runs SQL of the test's own on a separate connection (resetting, breaking things). */
static void admin(const char *url, const char *sql)
{
    PGconn *pg = PQconnectdb(url);
    PGresult *res;

    if (PQstatus(pg) != CONNECTION_OK)
        fail_msg("connecting to $KS_PG_URL: %s", PQerrorMessage(pg));
    PQclear(PQexec(pg, "SET client_min_messages = warning"));
    res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
}

/* Ends every other connection of kesu to the database, as a server restart or fail-over
 * would. */
static void kill_connections(const char *url)
{
    admin(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
               " WHERE application_name = 'kesu' AND pid <> pg_backend_pid()");
}

/* $KS_PG_URL, or the first line of the file $KS_PG_URL_FILE (scripts/pg-test.sh writes DIR/url,
 * so a ctest fixture can start the server and this test find it); NULL when neither is set. */
static const char *pg_url(void)
{
    static char line[1024];
    const char *url = getenv("KS_PG_URL");
    const char *file = getenv("KS_PG_URL_FILE");
    FILE *f;

    if (url && *url)
        return url;
    if (!file || !*file || !(f = fopen(file, "r")))
        return NULL;
    if (!fgets(line, sizeof(line), f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    return line[0] ? line : NULL;
}

/* The one database of the server, emptied: the tests run one after another. */
static void pg_fresh(struct ct_fx *fx)
{
    fx->url = strdup(pg_url());
    admin(fx->url, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
}

static void pg_exec(struct ct_fx *fx, const char *sql)
{
    admin(fx->url, sql);
}

const struct contract_backend contract_backend = {
    .name = "postgres",
    .migrations_prefix = "src/store/sql/pg/",
    .fresh = pg_fresh,
    .exec = pg_exec,
};

static void writer_waiting_for_a_row_lock_reports_busy(void **state)
{
    struct ct_fx *fx = *state;
    struct store_conf conf = {.url = fx->url, .busy_timeout_ms = 100};
    struct ks_date day = {2026, 11, 28};
    struct store *other = NULL;
    struct store_tx *tx, *tx2;
    struct ks_error err = {0};
    int seq = 0;

    ct_check(store_open(&conf, &other, &err), &err);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    ct_check(store_number_next(tx, day, &seq, &err), &err);
    /* Another node's writer starts at once but waits for the day's row, then gives up. */
    tx2 = ct_begin(other, STORE_TX_WRITE);
    assert_int_equal(store_number_next(tx2, day, &seq, &err), KS_ESTORE);
    assert_non_null(strstr(err.message, "database is busy"));
    store_tx_rollback(&tx2);
    /* Readers are not blocked by a writer. */
    tx2 = ct_begin(other, STORE_TX_READ);
    store_tx_rollback(&tx2);
    ct_commit(&tx);
    tx2 = ct_begin(other, STORE_TX_WRITE);
    ct_check(store_number_next(tx2, day, &seq, &err), &err);
    assert_int_equal(seq, 2);
    ct_commit(&tx2);
    store_close(&other);
}

static void threads_on_two_nodes_number_without_gaps(void **state)
{
    struct ct_fx *fx = *state;
    struct store *node2 = ct_open(fx->url, false);
    struct ct_worker w[4];
    pthread_t th[4];
    int made = 0;

    for (int i = 0; i < 4; i++) {
        w[i] = (struct ct_worker){.s = i % 2 ? node2 : fx->s, .rounds = 50};
        assert_int_equal(pthread_create(&th[i], NULL, ct_register_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        made += w[i].made;
    }
    store_close(&node2);
    assert_int_equal(made, 200);
    /* Numbered 1..200 without gaps or duplicates. */
    ct_expect_numbered(fx->s, 200);
}

static void unreachable_server_is_named_without_the_password(void **state)
{
    struct store_conf conf = {.url = "postgres://kesu:s3cret@127.0.0.1:1/kesu"};
    struct store *s = NULL;
    struct ks_error err = {0};

    (void)state;
    assert_int_equal(store_open(&conf, &s, &err), KS_ESTORE);
    assert_null(s);
    assert_string_equal(err.field, "database");
    assert_non_null(strstr(err.message, "cannot connect to PostgreSQL at 127.0.0.1:1: "));
    assert_null(strstr(err.message, "s3cret"));

    conf.url = "postgresql://kesu:s3cret@[::1/kesu";
    assert_int_equal(store_open(&conf, &s, &err), KS_ECONFIG);
    assert_null(strstr(err.message, "s3cret"));
}

static void connection_killed_while_idle_is_replaced(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint c;
    struct store_tx *tx;

    complaint_init(&c);
    c.number = strdup("KS20261128-0001");
    c.received_at = T0;
    ct_insert(fx->s, &c); /* leaves a pooled connection */
    kill_connections(fx->url);
    ct_get(fx->s, "KS20261128-0001", &c);
    assert_int_equal(c.received_at, T0);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    ct_commit(&tx);
    complaint_release(&c);
}

static void connection_killed_inside_a_transaction_is_a_store_error(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_READ);
    struct ks_error err = {0};
    struct complaint c;

    complaint_init(&c);
    kill_connections(fx->url);
    assert_int_equal(store_complaint_get(tx, "KS20261128-0001", &c, &err), KS_ESTORE);
    assert_non_null(strstr(err.message, "lost the connection"));
    store_tx_rollback(&tx);
    /* The next transaction gets a new connection. */
    tx = ct_begin(fx->s, STORE_TX_READ);
    assert_int_equal(store_complaint_get(tx, "KS20261128-0001", &c, &err), KS_ENOTFOUND);
    store_tx_rollback(&tx);
}

static void connection_lost_at_commit_is_uncertain(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct ks_error err = {0};
    struct complaint c;

    complaint_init(&c);
    c.number = strdup("KS20261128-0001");
    c.received_at = T0;
    ct_check(store_complaint_insert(tx, &c, &err), &err);
    kill_connections(fx->url);
    assert_int_equal(store_tx_commit(&tx, &err), KS_EUNCERTAIN);
    assert_null(tx);
    assert_non_null(strstr(err.message, "check whether the change was saved"));
    complaint_release(&c);
}

static void postgres_is_not_configured(void **state)
{
    (void)state;
    print_message(
        "neither KS_PG_URL nor KS_PG_URL_FILE is set: skipping the PostgreSQL store tests "
        "(`scripts/pg-test.sh start DIR` starts a server and prints a URL)\n");
    skip();
}

int main(void)
{
    const char *url = pg_url();
    const struct CMUnitTest unconfigured[] = {
        cmocka_unit_test(postgres_is_not_configured),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(writer_waiting_for_a_row_lock_reports_busy, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(threads_on_two_nodes_number_without_gaps, ct_setup,
                                        ct_teardown),
        cmocka_unit_test(unreachable_server_is_named_without_the_password),
        cmocka_unit_test_setup_teardown(connection_killed_while_idle_is_replaced, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(connection_killed_inside_a_transaction_is_a_store_error,
                                        ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(connection_lost_at_commit_is_uncertain, ct_setup,
                                        ct_teardown),
    };
    int failed;

    if (!url || !*url)
        return cmocka_run_group_tests(unconfigured, NULL, NULL);
    failed = contract_run();
    return failed + cmocka_run_group_tests_name("postgres server", tests, NULL, NULL);
}
