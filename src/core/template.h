/* Customer message templates: text with {{placeholder}} fields filled from named values.
 * Values are inserted verbatim (no escaping, no re-expansion of braces inside a value), and
 * output is bounded by the caller's struct buf cap. Ownership: vars and tpl are borrowed for
 * the call; output goes into the caller's buffer. */
#ifndef KS_CORE_TEMPLATE_H
#define KS_CORE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

struct tpl_var {
    const char *name;  /* "number" */
    const char *value; /* NULL renders as nothing */
};

/* Appends tpl to out with every {{name}} (spaces inside the braces allowed) replaced by the
 * value of the var with that name. A placeholder not among vars is KS_EINVAL naming it
 * ("template: unknown placeholder '{{foo}}'"); "{{" without "}}" is KS_EINVAL; output past
 * out's cap is KS_ELIMIT. On failure out holds what it held before. Tested by
 * tests/unit/test-template.c. */
int tpl_render(const char *tpl, const struct tpl_var *vars, size_t n_vars, struct buf *out,
               struct ks_error *err);

/* The placeholders kesu fills in customer messages: number, customer_name, title,
 * received_at, due_at, status, reply, survey_url, org_name, incident. NULL-terminated. */
extern const char *const tpl_known_names[];

/* Checks that tpl uses only tpl_known_names and is well formed (for preset loading). */
int tpl_check(const char *tpl, struct ks_error *err);

#endif
