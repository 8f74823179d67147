/* Accounts and departments as both the CLI and the HTTP API create them: one set of checks
 * for codes and logins, departments that must exist, and department creation; and preset
 * versions: checking a preset text, storing it as the next version and putting it in force.
 * Ownership: records are caller-owned; functions borrow them for the call. */
#ifndef KS_APP_APP_ADMIN_H
#define KS_APP_APP_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/preset.h"
#include "core/severity.h"
#include "lib/err.h"
#include "store/store.h"

#define APP_PRESET_MAX (256 * 1024) /* the largest preset text accepted, in bytes */
#define APP_NOTE_MAX   200          /* a version note: one line of UTF-8 */

/* A login or department code: 1-64 of letters, digits, '-', '_' and '.'; field names it. */
int app_check_code(const char *field, const char *s, struct ks_error *err);

/* KS_EINVAL naming field when department `code` does not exist. */
int app_department_exists(struct store_tx *tx, const char *code, const char *field,
                          struct ks_error *err);

/* Checks and inserts a department: code shape, a name (1-100 bytes of UTF-8), an existing
 * parent and head user when given. KS_ECONFLICT when the code is taken. */
int app_department_add(struct store_tx *tx, struct department *d, struct ks_error *err);

/* Reads len bytes of yaml as a candidate preset with the preset loader (named "preset" in
 * messages, which are "preset:LINE: field: what is wrong"; KS_ECONFIG with err->field the
 * field) and builds its severity engine. On success the caller owns *out (preset_release())
 * and *engine_out (sev_engine_free()); on failure both are empty. */
int app_preset_check(const char *yaml, size_t len, struct preset *out,
                     struct sev_engine **engine_out, struct ks_error *err);

/* Writes yaml (a checked preset called name) as the next version in tx: the replaced text is
 * kept under SETTING_PRESET_OLD + its number, SETTING_PRESET_VERSION goes up by one (1 when
 * there was no preset) and a line "N<TAB>at<TAB>login<TAB>note" is added to
 * SETTING_PRESET_LOG. expected is the version the caller saw, -1 for any; another one is
 * KS_ECONFLICT with field "version". */
int app_preset_store(struct store_tx *tx, const char *yaml, const char *name, const char *login,
                     const char *note, int64_t now, int expected, int *version_out,
                     struct ks_error *err);

/* Checks yaml, stores it as the next version (see app_preset_store()) and puts it in force
 * for every request that starts afterwards; requests already running finish with the version
 * they read. note may be NULL (at most APP_NOTE_MAX bytes, one line). On success *gen_out is
 * the new version (borrowed until app_close()). Other processes on the same database put it
 * in force with app_preset_sync(), which `kesu serve` runs every few seconds. */
int app_preset_put(struct app *a, const char *yaml, size_t len, int expected, const char *login,
                   const char *note, int64_t now, const struct app_preset_gen **gen_out,
                   struct ks_error *err);

/* Puts the version stored in the database in force when it is newer than this process's (an
 * upload made by another `kesu serve` on the same database). One settings read when nothing
 * changed; a stored text that no longer loads is KS_ECONFIG and changes nothing. */
int app_preset_sync(struct app *a, struct ks_error *err);

#endif
