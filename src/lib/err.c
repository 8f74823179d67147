/* Error values: filling struct ks_error, code names, and KS_BUG for programmer errors. */
#include "lib/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

int ks_vfail(struct ks_error *err, enum ks_err code, const char *field, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
    }
    return code;
}

int ks_fail(struct ks_error *err, enum ks_err code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ks_vfail(err, code, field, fmt, ap);
    va_end(ap);
    return code;
}

void ks_error_prefix(struct ks_error *err, const char *fmt, ...)
{
    char prefix[KS_ERR_MSG_MAX];
    char old[KS_ERR_MSG_MAX];
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof(old));
    snprintf(err->message, sizeof(err->message), "%s: %s", prefix, old);
}

void ks_error_clear(struct ks_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

const char *ks_err_code_name(enum ks_err code)
{
    switch (code) {
    case KS_OK:
        return "ok";
    case KS_EINVAL:
        return "invalid";
    case KS_ENOTFOUND:
        return "not_found";
    case KS_ECONFLICT:
        return "conflict";
    case KS_ESTORE:
        return "store_unavailable";
    case KS_EUNCERTAIN:
        return "outcome_uncertain";
    case KS_ECONFIG:
        return "bad_config";
    case KS_EINTERNAL:
        return "internal";
    case KS_EPERM:
        return "forbidden";
    case KS_EAUTH:
        return "unauthenticated";
    case KS_ELIMIT:
        return "too_large";
    }
    return "internal";
}

void ks_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "BUG: %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
