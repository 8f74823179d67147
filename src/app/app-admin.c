/* Checks shared by every interface that creates accounts and departments. */
#include "app/app-admin.h"

#include <string.h>

#include "core/complaint.h"
#include "lib/banned.h"

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
