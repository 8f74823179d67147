/* Template rendering (see template.h). One left-to-right pass: text up to "{{" is copied, the
 * name inside the braces is trimmed and looked up, and its value copied as is, so a value
 * containing "{{" is never expanded again. Work happens in a scratch buffer that is appended
 * to the caller's only when the whole template rendered, so a failure leaves out unchanged. */
#include "core/template.h"

#include <string.h>

#include "lib/banned.h"

const char *const tpl_known_names[] = {
    "number", "customer_name", "title",    "received_at", "due_at", "status",
    "reply",  "survey_url",    "org_name", "incident",    NULL,
};

static const struct tpl_var *find_var(const struct tpl_var *vars, size_t n, const char *name,
                                      size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
            return &vars[i];
    return NULL;
}

int tpl_render(const char *tpl, const struct tpl_var *vars, size_t n_vars, struct buf *out,
               struct ks_error *err)
{
    struct buf tmp;
    buf_init(&tmp, out->max >= out->len ? out->max - out->len : 0);
    const char *p = tpl;
    int rc = 0;
    while (rc == 0 && *p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            rc = buf_adds(&tmp, p);
            break;
        }
        rc = buf_add(&tmp, p, (size_t)(open - p));
        const char *close = strstr(open + 2, "}}");
        if (rc < 0)
            break;
        if (!close) {
            rc = ks_fail(err, KS_EINVAL, "template", "template: '{{' at byte %zu is not closed",
                         (size_t)(open - tpl));
            break;
        }
        const char *name = open + 2, *end = close;
        while (name < end && *name == ' ')
            name++;
        while (end > name && end[-1] == ' ')
            end--;
        const struct tpl_var *v = find_var(vars, n_vars, name, (size_t)(end - name));
        if (!v) {
            rc = ks_fail(err, KS_EINVAL, "template", "template: unknown placeholder '{{%.*s}}'",
                         (int)(end - name), name);
            break;
        }
        if (v->value)
            rc = buf_adds(&tmp, v->value);
        p = close + 2;
    }
    if (rc == KS_ELIMIT)
        rc = ks_fail(err, KS_ELIMIT, "template", "template: output is longer than %zu bytes",
                     out->max);
    if (rc == 0)
        rc = buf_add(out, tmp.data ? tmp.data : "", tmp.len);
    buf_release(&tmp);
    return rc;
}

int tpl_check(const char *tpl, struct ks_error *err)
{
    struct tpl_var vars[16];
    size_t n = 0;
    for (; tpl_known_names[n]; n++)
        vars[n] = (struct tpl_var){tpl_known_names[n], NULL};
    struct buf b;
    buf_init(&b, strlen(tpl) + 1);
    int rc = tpl_render(tpl, vars, n, &b, err);
    buf_release(&b);
    return rc;
}
