/* Small helpers for handlers: typed optional JSON members with limits, a refusal of unknown
 * members, the public form of a user (with a colleague's phone and e-mail masked) and the
 * version an If-Match header names. */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "codec/complaint-json.h"
#include "core/complaint.h"
#include "http/h-web.h"
#include "http/http.h"
#include "lib/banned.h"

int json_str(const json_t *obj, const char *name, size_t max, const char **out,
             struct ks_error *err)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return ks_fail(err, KS_EINVAL, name, "%s: expected a string", name);
    if (json_string_length(v) > max)
        return ks_fail(err, KS_EINVAL, name, "%s: longer than %zu bytes", name, max);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return ks_fail(err, KS_EINVAL, name, "%s: contains a NUL character", name);
    *out = json_string_value(v);
    return 0;
}

int json_only(const json_t *obj, const char *const *names, struct ks_error *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        const char *const *n = names;
        while (*n && strcmp(*n, key) != 0)
            n++;
        if (!*n)
            return ks_fail(err, KS_EINVAL, key, "%.60s: unknown field", key);
    }
    return 0;
}

json_t *user_to_json(const struct user *u)
{
    return json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:b, s:i}", "login", u->login, "name",
                     u->name, "role", role_name(u->role), "department", u->department, "phone",
                     u->phone, "email", u->email, "disabled", u->disabled, "version", u->version);
}

json_t *user_to_json_for(const struct http_req *req, const struct user *u)
{
    json_t *j = user_to_json(u);
    char *m;

    if (req->user.role == ROLE_ADMIN || (req->user.login && strcmp(req->user.login, u->login) == 0))
        return j;
    if (u->phone) {
        m = cj_mask_phone(u->phone);
        json_object_set_new(j, "phone", json_string(m));
        free(m);
    }
    if (u->email) {
        m = cj_mask_email(u->email);
        json_object_set_new(j, "email", json_string(m));
        free(m);
    }
    return j;
}

int req_if_match(const struct http_req *req, int *version_out, struct ks_error *err)
{
    const char *v = req_header(req, MHD_HTTP_HEADER_IF_MATCH);
    char *end;
    long n;

    *version_out = -1;
    if (!v)
        return 0;
    if (strncmp(v, "W/", 2) == 0)
        v += 2;
    if (*v == '"')
        v++;
    n = strtol(v, &end, 10);
    if (end == v || n < 1 || n > 1000000000L || (*end && strcmp(end, "\"") != 0))
        return ks_fail(err, KS_EINVAL, "If-Match", "If-Match: expected the ETag, like \"3\"");
    *version_out = (int)n;
    return 0;
}
