/* Preset versions over HTTP (docs/presets.md, "上传新版本"): GET /presets/current describes
 * the version in force (its number is the ETag) with its text; POST /presets/validate reads a
 * preset text with the real loader and the severity engine and answers with what it holds, or
 * with the loader's first error as a 400 problem carrying the line and the field; PUT
 * /presets/current (admins) stores it as the next version and puts it in force at once. The
 * version a client validated against travels as If-Match, so an upload made on top of a
 * version someone else has replaced since is refused (412) instead of silently undoing it.
 * Validation first catches up with a version another process on the same database put in
 * force, so the version it reports is the one an upload will be checked against. */
#include "http/h-preset.h"

#include <stdlib.h>
#include <string.h>

#include "app/app-admin.h"
#include "http/h-web.h"
#include "lib/banned.h"

static const char *const body_names[] = {"yaml", "note", NULL};

/* What a preset holds, for a person to check before putting it in force. */
static json_t *summary_json(const struct preset *p)
{
    size_t keywords = 0, defects = p->n_defects;

    for (size_t i = 0; i < p->n_categories; i++)
        keywords += p->categories[i].n_keywords;
    for (size_t i = 0; i < p->n_products; i++)
        defects += p->products[i].n_defects;
    return json_pack("{s:s, s:s?, s:s?, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}, "
                     "s:{s:i}}",
                     "name", p->name, "title", p->title, "preset_version", p->version, "counts",
                     "categories", (int)p->n_categories, "keywords", (int)keywords, "products",
                     (int)p->n_products, "defects", (int)defects, "limits", (int)p->n_limits,
                     "levels", (int)p->n_levels, "escalation", (int)p->n_escalation, "templates",
                     (int)p->n_templates, "channels", (int)p->n_channels, "survey",
                     "dissatisfied_max", preset_survey_dissatisfied_max(p));
}

static void set_etag(struct http_resp *resp, int version)
{
    snprintf(resp->etag, sizeof resp->etag, "\"%d\"", version);
}

/* The loader's refusal as a 400 problem with its line ("preset:14: limits[2].period: ..."; 0
 * when the error is about the whole preset), answered here because only this route adds a
 * line to the problem. */
static void preset_problem(struct http_req *req, struct http_resp *resp, struct ks_error *e)
{
    const char *m = e->message;
    long line = 0;

    if (strncmp(m, "preset:", 7) == 0)
        line = strtol(m + 7, NULL, 10);
    e->code = KS_EINVAL;
    resp->status = 400;
    resp_problem(req, resp, e);
    json_object_set_new(resp->json, "line", line > 0 ? json_integer(line) : json_null());
}

/* The preset text of the body. */
static int body_yaml(struct http_req *req, const char **yaml_out, const char **note_out,
                     struct ks_error *err)
{
    int rc;

    if ((rc = json_only(req->json, body_names, err)) < 0 ||
        (rc = json_str(req->json, "yaml", APP_PRESET_MAX, yaml_out, err)) < 0 ||
        (rc = json_str(req->json, "note", APP_NOTE_MAX, note_out, err)) < 0)
        return rc;
    if (!*yaml_out || !**yaml_out)
        return ks_fail(err, KS_EINVAL, "yaml", "yaml: give the preset text");
    return 0;
}

/* The text of version v: the one stored as in force, or a replaced one kept beside it. NULL
 * (no error) for a database from before versions were kept. */
static int version_yaml(struct store_tx *tx, int v, char **yaml_out, struct ks_error *err)
{
    char key[64], *stored = NULL;
    int rc;

    *yaml_out = NULL;
    if ((rc = app_setting_get(tx, SETTING_PRESET_VERSION, &stored, err)) < 0)
        return rc;
    if (stored && strtol(stored, NULL, 10) != v)
        snprintf(key, sizeof key, "%s%d", SETTING_PRESET_OLD, v);
    else
        snprintf(key, sizeof key, "%s", SETTING_PRESET_YAML);
    free(stored);
    return app_setting_get(tx, key, yaml_out, err);
}

int h_preset_current(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct app *a = req->ctx->app;
    const struct app_preset_gen *cur;
    const struct preset *p;
    struct store_tx *tx = NULL;
    json_t *j, *cats;
    char *yaml = NULL;
    int rc;

    /* Another node may have uploaded since this one last looked; a stored version this build
     * cannot load leaves the one in force, which is what this answer describes. */
    if (app_preset_sync(a, err) < 0)
        ks_error_clear(err);
    cur = app_preset_gen(a);
    p = cur->preset;
    if ((rc = store_tx_begin(a->store, STORE_TX_READ, &tx, err)) == 0)
        rc = version_yaml(tx, cur->version, &yaml, err);
    store_tx_rollback(&tx);
    if (rc < 0)
        return rc;
    cats = json_array();
    for (size_t i = 0; i < p->n_categories; i++)
        json_array_append_new(cats, json_pack("{s:s, s:s?}", "code", p->categories[i].code, "name",
                                              p->categories[i].name));
    j = summary_json(p);
    json_object_set_new(j, "version", json_integer(cur->version));
    json_object_set_new(j, "timezone", json_string(a->tz_name));
    json_object_set_new(j, "categories", cats);
    json_object_set_new(j, "yaml", yaml ? json_string(yaml) : json_null());
    free(yaml);
    resp_json(resp, 200, j);
    set_etag(resp, cur->version);
    return 0;
}

int h_preset_validate(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    const struct app_preset_gen *cur;
    struct sev_engine *engine = NULL;
    const char *yaml, *note;
    struct preset p;
    json_t *j;
    int rc;

    if ((rc = auth_need_role(req, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_LEADER), err)) < 0 ||
        (rc = body_yaml(req, &yaml, &note, err)) < 0)
        return rc;
    /* A stored version this build cannot load must not stop anyone from checking a fix. */
    if (app_preset_sync(req->ctx->app, err) < 0)
        ks_error_clear(err);
    cur = app_preset_gen(req->ctx->app);
    preset_init(&p);
    rc = app_preset_check(yaml, strlen(yaml), &p, &engine, err);
    if (rc == KS_ECONFIG) {
        preset_problem(req, resp, err);
        return 0;
    }
    if (rc < 0)
        return rc;
    j = summary_json(&p);
    json_object_set_new(j, "valid", json_true());
    json_object_set_new(j, "current_version", json_integer(cur->version));
    resp_json(resp, 200, j);
    set_etag(resp, cur->version);
    sev_engine_free(&engine);
    preset_release(&p);
    return 0;
}

int h_preset_put(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct app *a = req->ctx->app;
    const char *yaml, *note;
    json_t *j;
    const struct app_preset_gen *g;
    int expected, rc;

    if ((rc = auth_need_role(req, ROLE_BIT(ROLE_ADMIN), err)) < 0 ||
        (rc = body_yaml(req, &yaml, &note, err)) < 0 ||
        (rc = req_if_match(req, &expected, err)) < 0)
        return rc;
    if (expected < 0) {
        resp->status = 428;
        return ks_fail(err, KS_EINVAL, "If-Match",
                       "If-Match: send the preset version your text is based on, like \"3\" (the "
                       "ETag of POST /presets/validate)");
    }
    rc = app_preset_put(a, yaml, strlen(yaml), expected, req->user.login, note, req->now, &g, err);
    if (rc == KS_ECONFIG) {
        preset_problem(req, resp, err);
        return 0;
    }
    if (rc == KS_ECONFLICT)
        resp->status = 412;
    if (rc < 0)
        return rc;
    j = summary_json(g->preset);
    json_object_set_new(j, "version", json_integer(g->version));
    resp_json(resp, 200, j);
    set_etag(resp, g->version);
    return 0;
}
