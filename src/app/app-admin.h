/* Accounts and departments as both the CLI and the HTTP API create them: one set of checks
 * for codes and logins, departments that must exist, and department creation. Ownership:
 * records are caller-owned; functions borrow them for the call. */
#ifndef KS_APP_APP_ADMIN_H
#define KS_APP_APP_ADMIN_H

#include "lib/err.h"
#include "store/store.h"

/* A login or department code: 1-64 of letters, digits, '-', '_' and '.'; field names it. */
int app_check_code(const char *field, const char *s, struct ks_error *err);

/* KS_EINVAL naming field when department `code` does not exist. */
int app_department_exists(struct store_tx *tx, const char *code, const char *field,
                          struct ks_error *err);

/* Checks and inserts a department: code shape, a name (1-100 bytes of UTF-8), an existing
 * parent and head user when given. KS_ECONFLICT when the code is taken. */
int app_department_add(struct store_tx *tx, struct department *d, struct ks_error *err);

#endif
