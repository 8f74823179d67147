/* Checks shared by every interface that creates accounts and departments, and preset
 * versions. A new preset version is written in one transaction (text, number, the replaced
 * text, a log line) and then published by one atomic pointer store; app->preset_mu keeps two
 * uploads on this process from publishing in another order than they committed. */
#include "app/app-admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"
#include "lib/buf.h"
#include "lib/civil.h"
#include "lib/xalloc.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

/* Written first by every upload (the uploader's login), so uploads on several nodes take turns. */
#define SETTING_PRESET_CLAIM "preset_claim"

int app_check_code(const char *field, const char *s, struct ks_error *err)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return ks_fail(err, KS_EINVAL, field, "%s: 1 to 64 characters", field);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return ks_fail(err, KS_EINVAL, field,
                           "%s: '%.64s' may hold only letters, digits, '-', '_' and '.'", field, s);
    }
    return 0;
}

int app_department_exists(struct store_tx *tx, const char *code, const char *field,
                          struct ks_error *err)
{
    struct department d;
    int rc;

    department_init(&d);
    rc = store_department_get(tx, code, &d, err);
    department_release(&d);
    if (rc == KS_ENOTFOUND)
        return ks_fail(err, KS_EINVAL, field, "%s: department '%s' does not exist", field, code);
    return rc;
}

int app_department_add(struct store_tx *tx, struct department *d, struct ks_error *err)
{
    struct user head;
    int rc;

    if ((rc = app_check_code("code", d->code, err)) < 0)
        return rc;
    if (!d->name || !*d->name || strlen(d->name) > 100 || !utf8_is_valid(d->name, strlen(d->name)))
        return ks_fail(err, KS_EINVAL, "name", "name: 1 to 100 bytes of UTF-8 text");
    if (d->parent && (rc = app_department_exists(tx, d->parent, "parent", err)) < 0)
        return rc;
    if (d->head) {
        user_init(&head);
        rc = store_user_get(tx, d->head, &head, err);
        user_release(&head);
        if (rc == KS_ENOTFOUND)
            return ks_fail(err, KS_EINVAL, "head", "head: no user '%s'", d->head);
        if (rc < 0)
            return rc;
    }
    return store_department_insert(tx, d, err);
}

int app_preset_check(const char *yaml, size_t len, struct preset *out,
                     struct sev_engine **engine_out, struct ks_error *err)
{
    int rc;

    *engine_out = NULL;
    if (len > APP_PRESET_MAX)
        return ks_fail(err, KS_ELIMIT, "yaml", "yaml: the preset is larger than %d KiB",
                       APP_PRESET_MAX / 1024);
    if (!utf8_is_valid(yaml, len))
        return ks_fail(err, KS_ECONFIG, "yaml", "preset:1: yaml: not valid UTF-8 text");
    if ((rc = preset_load_buffer(yaml, len, "preset", out, err)) < 0)
        return rc;
    if ((rc = sev_engine_new(out, engine_out, err)) < 0)
        preset_release(out);
    return rc;
}

/* A setting as a number; dflt when absent. */
static int setting_int(struct store_tx *tx, const char *key, int dflt, int *out,
                       struct ks_error *err)
{
    char *v = NULL;
    int rc = app_setting_get(tx, key, &v, err);

    *out = dflt;
    if (rc == 0 && v)
        *out = (int)strtol(v, NULL, 10);
    free(v);
    return rc;
}

int app_preset_store(struct store_tx *tx, const char *yaml, const char *name, const char *login,
                     const char *note, int64_t now, int expected, int *version_out,
                     struct ks_error *err)
{
    char *old = NULL, *log = NULL, key[64], num[16], at[KS_TIME_STRLEN];
    struct buf b;
    int cur, rc;

    *version_out = 0;
    /* Writing this row first makes a second upload on another node wait here until the first
     * commits; its reads below then see the new version, and If-Match refuses it instead of
     * both becoming version N+1 (on SQLite the write transaction already excludes it). */
    if ((rc = store_setting_set(tx, SETTING_PRESET_CLAIM, login, err)) < 0)
        return rc;
    if ((rc = app_setting_get(tx, SETTING_PRESET_YAML, &old, err)) < 0 ||
        (rc = setting_int(tx, SETTING_PRESET_VERSION, old ? 1 : 0, &cur, err)) < 0)
        goto out;
    if (expected >= 0 && expected != cur) {
        rc = ks_fail(err, KS_ECONFLICT, "version",
                     "version: the preset in force is version %d, not %d; someone changed it "
                     "since, reload it and check your text again",
                     cur, expected);
        goto out;
    }
    snprintf(key, sizeof key, "%s%d", SETTING_PRESET_OLD, cur);
    snprintf(num, sizeof num, "%d", cur + 1);
    if ((old && (rc = store_setting_set(tx, key, old, err)) < 0) ||
        (rc = store_setting_set(tx, SETTING_PRESET_YAML, yaml, err)) < 0 ||
        (rc = store_setting_set(tx, SETTING_PRESET, name, err)) < 0 ||
        (rc = store_setting_set(tx, SETTING_PRESET_VERSION, num, err)) < 0)
        goto out;
    if ((rc = app_setting_get(tx, SETTING_PRESET_LOG, &log, err)) < 0)
        goto out;
    buf_init(&b, 1u << 20);
    buf_adds(&b, log ? log : "");
    if (buf_addf(&b, "%d\t%s\t%s\t%s\n", cur + 1, ks_time_format(now, 0, at), login,
                 note ? note : "") < 0)
        rc = ks_fail(err, KS_ELIMIT, SETTING_PRESET_LOG, "the preset log is full");
    if (rc == 0)
        rc = store_setting_set(tx, SETTING_PRESET_LOG, buf_str(&b), err);
    buf_release(&b);
    if (rc == 0)
        *version_out = cur + 1;
out:
    free(old);
    free(log);
    return rc;
}

/* Makes g (checked, its version set) the version in force; app->preset_mu is held. */
static void publish(struct app *a, struct app_preset_gen *g)
{
    g->preset = &g->own;
    g->older = atomic_load(&a->gen);
    atomic_store_explicit(&a->gen, g, memory_order_release);
}

int app_preset_sync(struct app *a, struct ks_error *err)
{
    struct app_preset_gen *g = NULL;
    struct store_tx *tx = NULL;
    char *yaml = NULL;
    int version = 0, rc;

    pthread_mutex_lock(&a->preset_mu);
    if ((rc = store_tx_begin(a->store, STORE_TX_READ, &tx, err)) == 0 &&
        (rc = setting_int(tx, SETTING_PRESET_VERSION, 1, &version, err)) == 0 &&
        version > app_preset_gen(a)->version)
        rc = store_setting_get(tx, SETTING_PRESET_YAML, &yaml, err);
    store_tx_rollback(&tx);
    if (rc == 0 && yaml) {
        g = xcalloc(1, sizeof *g);
        if ((rc = app_preset_check(yaml, strlen(yaml), &g->own, &g->engine, err)) == 0) {
            g->version = version;
            publish(a, g);
        } else {
            free(g);
        }
    }
    pthread_mutex_unlock(&a->preset_mu);
    free(yaml);
    return rc;
}

int app_preset_put(struct app *a, const char *yaml, size_t len, int expected, const char *login,
                   const char *note, int64_t now, const struct app_preset_gen **gen_out,
                   struct ks_error *err)
{
    struct app_preset_gen *g;
    struct store_tx *tx = NULL;
    int rc;

    *gen_out = NULL;
    if (note && (strlen(note) > APP_NOTE_MAX || strpbrk(note, "\t\r\n") ||
                 !utf8_is_valid(note, strlen(note))))
        return ks_fail(err, KS_EINVAL, "note", "note: one line of UTF-8 text, at most %d bytes",
                       APP_NOTE_MAX);
    g = xcalloc(1, sizeof *g);
    if ((rc = app_preset_check(yaml, len, &g->own, &g->engine, err)) < 0) {
        free(g);
        return rc;
    }
    pthread_mutex_lock(&a->preset_mu);
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) == 0 &&
        (rc = app_preset_store(tx, yaml, g->own.name, login, note, now, expected, &g->version,
                               err)) == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    if (rc == 0) {
        publish(a, g);
        *gen_out = g;
    }
    pthread_mutex_unlock(&a->preset_mu);
    if (rc < 0) {
        sev_engine_free(&g->engine);
        preset_release(&g->own);
        free(g);
    }
    return rc;
}
