/* kesu backup FILE and kesu restore FILE (SQLite; PostgreSQL has pg_dump and pg_basebackup).
 * A backup is online: it copies one consistent snapshot of the database while `kesu serve`
 * goes on serving, a slice at a time with progress on stderr, into FILE.partial, renamed to
 * FILE when complete, and checks the copy (PRAGMA integrity_check). A restore refuses while
 * another process has the database open, checks FILE first (a kesu database, a schema this
 * kesu knows, integrity), keeps the current database aside as DB.before-restore-<time>, then
 * replaces the database in one transaction and migrates it when the backup is older.
 * Tested by tests/cli/t-backup.sh. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cmd-backup.h"
#include "store/store.h"
#include "lib/banned.h"

#define PROGRESS_EVERY 1.0 /* seconds between progress lines */

static const char backup_usage[] =
    "usage: kesu backup FILE [--db DB]\n"
    "       kesu restore FILE [--db DB]\n\n"
    "backup copies the database (SQLite) into a new FILE while kesu serve keeps running, and\n"
    "checks the copy. restore puts FILE in place of the database: kesu serve must be stopped;\n"
    "FILE is checked first and the current database is kept as DB.before-restore-<time>.\n"
    "On PostgreSQL use pg_dump / pg_restore or pg_basebackup instead (docs/reliability.md).\n"
    "Exit status: 0 done; 64 usage; 65 FILE exists or is damaged; 66 FILE missing;\n"
    "69 the database is in use or unavailable; 78 FILE is not a kesu database of a known schema.\n";

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs a copy to its end, printing progress to stderr on long runs. */
static int run_copy(struct store_backup **b, const char *what, int *pages_out, struct ks_error *err)
{
    double last = seconds_now();
    int done = 0, total = 0, rc;

    while ((rc = store_backup_step(*b, &done, &total, err)) == 1) {
        double now = seconds_now();
        if (now - last >= PROGRESS_EVERY) {
            fprintf(stderr, "%s: %d of %d pages (%d %%)\n", what, done, total,
                    total ? (int)(100.0 * done / total) : 100);
            last = now;
        }
    }
    if (rc < 0) {
        store_backup_end(b, NULL);
        return rc;
    }
    *pages_out = total;
    return store_backup_end(b, err);
}

static int open_db(const char *url, bool create, struct store **s, struct ks_error *err)
{
    struct store_conf sc = {.url = url, .pool_size = 2, .create = create};
    return store_open(&sc, s, err);
}

static int do_backup(const char *db, const char *file, struct ks_error *err)
{
    struct store *s = NULL, *copy = NULL;
    struct store_backup *b = NULL;
    int pages = 0, rc;

    if ((rc = open_db(db, false, &s, err)) == 0 && (rc = store_backup_begin(s, file, &b, err)) == 0)
        rc = run_copy(&b, "backup", &pages, err);
    store_close(&s);
    if (rc < 0)
        return rc;
    if ((rc = open_db(file, false, &copy, err)) == 0)
        rc = store_integrity_check(copy, err);
    store_close(&copy);
    if (rc < 0)
        return rc;
    printf("backed up %s to %s (%d pages), integrity check ok\n", db, file, pages);
    return 0;
}

/* FILE must be a sound kesu database of a schema this kesu knows (opening refuses a newer one). */
static int check_backup(const char *file, int *version_out, struct ks_error *err)
{
    struct store *s = NULL;
    int rc;

    if ((rc = open_db(file, false, &s, err)) == 0 &&
        (rc = store_schema_version(s, version_out, err)) == 0 && *version_out < 1)
        rc = ks_fail(err, KS_ECONFIG, "file", "'%s' is not a kesu database (no schema)", file);
    if (rc == 0)
        rc = store_integrity_check(s, err);
    store_close(&s);
    if (rc == KS_ENOTFOUND)
        return ks_fail(err, KS_ENOTFOUND, "file", "backup '%s' does not exist", file);
    return rc;
}

static int do_restore(const char *db, const char *file, struct ks_error *err)
{
    struct store *s = NULL;
    struct store_backup *b = NULL;
    char aside[4096], stamp[32];
    int backup_version = 0, old_version = 0, from = 0, to = 0, pages = 0, rc;
    bool in_use = false;
    time_t now = time(NULL);
    struct tm tm;

    if ((rc = check_backup(file, &backup_version, err)) < 0)
        return rc;
    if ((rc = open_db(db, true, &s, err)) < 0)
        return rc;
    if ((rc = store_in_use_elsewhere(s, &in_use, err)) == 0 && in_use)
        rc = ks_fail(err, KS_ESTORE, "database",
                     "database '%s' is open in another process (a running kesu serve?); stop it "
                     "and retry",
                     db);
    if (rc == 0)
        rc = store_schema_version(s, &old_version, err);
    aside[0] = '\0';
    if (rc == 0 && old_version > 0) {
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
        snprintf(aside, sizeof(aside), "%s.before-restore-%s", db, stamp);
        if ((rc = store_backup_begin(s, aside, &b, err)) == 0)
            rc = run_copy(&b, "keeping the current database", &pages, err);
    }
    if (rc == 0 && (rc = store_restore_begin(s, file, &b, err)) == 0)
        rc = run_copy(&b, "restore", &pages, err);
    if (rc == 0)
        rc = store_integrity_check(s, err);
    if (rc == 0)
        rc = store_migrate(s, &from, &to, err);
    store_close(&s);
    if (rc < 0)
        return rc;
    printf("restored %s from %s (%d pages, schema %d", db, file, pages, backup_version);
    if (to > from)
        printf(", migrated to %d", to);
    printf("), integrity check ok\n");
    if (aside[0])
        printf("the previous database is kept as %s\n", aside);
    return 0;
}

static int run(const char *cmd, int argc, char **argv)
{
    static const struct cli_opt opts[] = {CLI_COMMON_OPTS, {0}};
    struct cli_parsed *ps = NULL;
    struct ks_error err = {0};
    const char *file = NULL;
    struct cli_ctx ctx;
    int n, rc;

    cli_ctx_init(&ctx);
    n = cli_parse(cmd, opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            fputs(backup_usage, stdout);
            return 0;
        }
        if (ps[i].id == 0 && !file) {
            file = ps[i].value;
        } else if (!cli_ctx_option(&ctx, &ps[i])) {
            const char *what = ps[i].value ? ps[i].value : ps[i].name;
            free(ps);
            return cli_usage_error(cmd, "unexpected argument '%s'", what);
        }
    }
    free(ps);
    if (!file || !*file)
        return cli_usage_error(cmd, "give the FILE to %s",
                               strcmp(cmd, "backup") == 0 ? "write the backup to" : "restore from");
    if (strcmp(cmd, "backup") == 0)
        rc = do_backup(cli_db(&ctx), file, &err);
    else
        rc = do_restore(cli_db(&ctx), file, &err);
    return rc < 0 ? cli_fail(&err) : 0;
}

int cmd_backup(int argc, char **argv)
{
    return run("backup", argc, argv);
}

int cmd_restore(int argc, char **argv)
{
    return run("restore", argc, argv);
}
