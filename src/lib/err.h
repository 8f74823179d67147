/* Errors as values. Ownership: a struct ks_error is caller-owned storage (usually on the stack);
 * ks_fail() fills it and returns the code, so a failure is one line:
 *     return ks_fail(err, KS_EINVAL, "title", "title is empty");
 * Every function that can fail returns 0 or a negative enum ks_err and takes an optional
 * struct ks_error * (NULL means the caller does not want the detail). */
#ifndef KS_LIB_ERR_H
#define KS_LIB_ERR_H

#include <stdarg.h>

enum ks_err {
    KS_OK = 0,
    KS_EINVAL = -1,     /* bad input: HTTP 400, exit 65 */
    KS_ENOTFOUND = -2,  /* no such thing: 404, exit 66 */
    KS_ECONFLICT = -3,  /* illegal transition or stale version: 409, exit 65 */
    KS_ESTORE = -4,     /* storage unavailable: 503, exit 69 */
    KS_EUNCERTAIN = -5, /* commit outcome unknown, do not retry blindly: 503, exit 75 */
    KS_ECONFIG = -6,    /* bad configuration or preset: exit 78 */
    KS_EINTERNAL = -7,  /* a bug or an unexpected library failure: 500, exit 70 */
    KS_EPERM = -8,      /* authenticated but not allowed: 403, exit 77 */
    KS_EAUTH = -9,      /* not authenticated: 401, exit 77 */
    KS_ELIMIT = -10,    /* too large or too many: 413/429, exit 65 */
};

#define KS_ERR_FIELD_MAX 64
#define KS_ERR_MSG_MAX   512

struct ks_error {
    enum ks_err code;
    char field[KS_ERR_FIELD_MAX]; /* the input field at fault, "" when none */
    char message[KS_ERR_MSG_MAX]; /* lowercase, no full stop, says what failed first */
};

/* Fills err (when not NULL) and returns code. field may be NULL. */
int ks_fail(struct ks_error *err, enum ks_err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ks_vfail(struct ks_error *err, enum ks_err code, const char *field, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Prefixes err->message with "prefix: " (for "file:line: ..." style context). */
void ks_error_prefix(struct ks_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void ks_error_clear(struct ks_error *err);

/* The machine code of an error kind: "invalid", "not_found", "conflict", ... */
const char *ks_err_code_name(enum ks_err code);

/* Programmer errors only: prints file:line and the message, then aborts. */
#define KS_BUG(...) ks_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void ks_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
