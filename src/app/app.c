/* Application layer: opening a deployment (store, settings, calendar, preset, engine) and the
 * write paths (register, update with an optional move, comment, override), each one store
 * transaction that persists the core's decisions together with the events they cause. */
#include "app/app.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app-admin.h"
#include "app/app-json.h"
#include "app/app-motion.h"
#include "lib/embed.h"
#include "lib/xalloc.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

#define CALENDAR_FILE "data/cn-calendar.csv"

int app_tz_offset(const char *name, int *offset_min_out, struct ks_error *err)
{
    static const struct {
        const char *name;
        int offset;
    } zones[] = {
        {"Asia/Shanghai", 480}, {"Asia/Chongqing", 480},
        {"Asia/Harbin", 480},   {"Asia/Hong_Kong", 480},
        {"Asia/Macau", 480},    {"Asia/Taipei", 480},
        {"PRC", 480},           {"UTC", 0},
        {"Etc/UTC", 0},
    };
    int h, m;
    char sign, end;

    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
        if (strcmp(name, zones[i].name) == 0) {
            *offset_min_out = zones[i].offset;
            return 0;
        }
    if (sscanf(name, "%c%2d:%2d%c", &sign, &h, &m, &end) == 3 && (sign == '+' || sign == '-') &&
        strlen(name) == 6 && h <= 14 && m < 60) {
        *offset_min_out = (sign == '-' ? -1 : 1) * (h * 60 + m);
        return 0;
    }
    return ks_fail(err, KS_ECONFIG, "timezone",
                   "timezone: '%s' is not supported; use Asia/Shanghai, UTC or an offset like "
                   "+08:00",
                   name);
}

static int parse_close(const char *s, int *min_out, struct ks_error *err)
{
    int h, m;
    char end;
    if (!s || !*s) {
        *min_out = -1;
        return 0;
    }
    if (sscanf(s, "%2d:%2d%c", &h, &m, &end) != 2 || h > 23 || m > 59 || h * 60 + m == 0)
        return ks_fail(err, KS_ECONFIG, "business_close",
                       "business_close: '%s' is not a time of day like 17:30", s);
    *min_out = h * 60 + m;
    return 0;
}

static int load_calendar(struct calendar *cal, struct ks_error *err)
{
    const struct embed_file *f = embed_find(CALENDAR_FILE);
    if (!f)
        return ks_fail(err, KS_EINTERNAL, NULL, "the official calendar is not in this build");
    return calendar_load_csv(cal, (const char *)f->data, f->size, CALENDAR_FILE, err);
}

/* Applies the stored organisation days ("YYYY-MM-DD rest|work name" per line) to cal. */
static int load_org_days(struct calendar *cal, const char *text, struct ks_error *err)
{
    int line = 0;

    while (text && *text) {
        const char *eol = strchr(text, '\n');
        size_t len = eol ? (size_t)(eol - text) : strlen(text);
        char row[256], date[KS_DATE_STRLEN], kind[8], *name;
        struct ks_date d;
        int rc;

        line++;
        if (len >= sizeof(row))
            return ks_fail(err, KS_ECONFIG, SETTING_ORG_DAYS, "org_days:%d: line too long", line);
        memcpy(row, text, len);
        row[len] = '\0';
        text += len + (eol ? 1 : 0);
        if (len == 0)
            continue;
        if (len < 16 || row[10] != ' ' || sscanf(row + 11, "%4s", kind) != 1)
            return ks_fail(err, KS_ECONFIG, SETTING_ORG_DAYS,
                           "org_days:%d: expected 'YYYY-MM-DD rest|work name'", line);
        memcpy(date, row, 10);
        date[10] = '\0';
        name = row + 11 + strlen(kind);
        while (*name == ' ')
            name++;
        if ((rc = civil_parse_date(date, "date", &d, err)) < 0 ||
            (rc = calendar_add_org_day(cal, d, strcmp(kind, "work") == 0, name, err)) < 0) {
            ks_error_prefix(err, "org_days:%d", line);
            return KS_ECONFIG;
        }
    }
    return 0;
}

int app_org_day_set(struct app *a, struct ks_date d, const char *kind, const char *name,
                    struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct buf out;
    char *old = NULL, date[KS_DATE_STRLEN];
    const char *p;
    int rc;

    civil_format_date(d, date);
    if (kind && strcmp(kind, "rest") != 0 && strcmp(kind, "work") != 0)
        return ks_fail(err, KS_EINVAL, "kind", "kind: '%s' is not rest or work", kind);
    if (name && (strlen(name) > 100 || strchr(name, '\n') || !utf8_is_valid(name, strlen(name))))
        return ks_fail(err, KS_EINVAL, "name", "name: one line of valid UTF-8, at most 100 bytes");
    if (kind && (rc = calendar_add_org_day(&a->cal, d, strcmp(kind, "work") == 0, name, err)) < 0)
        return rc;
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = app_setting_get(tx, SETTING_ORG_DAYS, &old, err)) < 0)
        goto out;
    buf_init(&out, 1u << 20);
    for (p = old; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);
        if (len >= 10 && strncmp(p, date, 10) != 0)
            buf_add(&out, p, len);
        p += len;
    }
    if (out.len && out.data[out.len - 1] != '\n')
        buf_addch(&out, '\n');
    if (kind && buf_addf(&out, "%s %s %s\n", date, kind, name ? name : "") < 0)
        rc = ks_fail(err, KS_ELIMIT, SETTING_ORG_DAYS, "too many organisation days");
    if (rc == 0)
        rc = store_setting_set(tx, SETTING_ORG_DAYS, buf_str(&out), err);
    buf_release(&out);
    if (rc == 0)
        rc = store_tx_commit(&tx, err);
out:
    store_tx_rollback(&tx);
    free(old);
    return rc;
}

int app_setting_get(struct store_tx *tx, const char *key, char **value_out, struct ks_error *err)
{
    int rc = store_setting_get(tx, key, value_out, err);
    if (rc == KS_ENOTFOUND) {
        *value_out = NULL;
        ks_error_clear(err);
        return 0;
    }
    return rc;
}

int app_open(struct app *a, const struct app_conf *conf, struct ks_error *err)
{
    struct store_conf sc = {.url = conf->db_url, .pool_size = conf->pool_size};
    struct store_tx *tx = NULL;
    char *preset_name = NULL, *preset_yaml = NULL, *preset_version = NULL, *tz = NULL,
         *close = NULL, *org = NULL;
    int version = 0;
    int rc;

    memset(a, 0, sizeof(*a));
    calendar_init(&a->cal);
    preset_init(&a->preset);
    pthread_mutex_init(&a->preset_mu, NULL);
    a->first.preset = &a->preset;
    a->first.version = 1;
    atomic_init(&a->gen, &a->first);
    rc = store_open(&sc, &a->store, err);
    if (rc < 0)
        goto fail;
    rc = store_schema_version(a->store, &version, err);
    if (rc < 0)
        goto fail;
    if (version == 0) {
        rc = ks_fail(err, KS_ENOTFOUND, "db",
                     "database '%s' is not initialised; run 'kesu init --db %s'", conf->db_url,
                     conf->db_url);
        goto fail;
    }
    rc = store_tx_begin(a->store, STORE_TX_READ, &tx, err);
    if (rc < 0)
        goto fail;
    if ((rc = app_setting_get(tx, SETTING_PRESET, &preset_name, err)) < 0 ||
        (rc = app_setting_get(tx, SETTING_PRESET_YAML, &preset_yaml, err)) < 0 ||
        (rc = app_setting_get(tx, SETTING_PRESET_VERSION, &preset_version, err)) < 0 ||
        (rc = app_setting_get(tx, SETTING_TZ, &tz, err)) < 0 ||
        (rc = app_setting_get(tx, SETTING_BUSINESS_CLOSE, &close, err)) < 0 ||
        (rc = app_setting_get(tx, SETTING_ORG_DAYS, &org, err)) < 0)
        goto fail;
    store_tx_rollback(&tx);

    a->tz_name = xstrdup(tz ? tz : APP_DEFAULT_TZ);
    if ((rc = app_tz_offset(a->tz_name, &a->zone.utc_offset_min, err)) < 0 ||
        (rc = parse_close(close, &a->zone.business_close_min, err)) < 0 ||
        (rc = load_calendar(&a->cal, err)) < 0 || (rc = load_org_days(&a->cal, org, err)) < 0)
        goto fail;
    if (preset_yaml)
        rc = preset_load_buffer(preset_yaml, strlen(preset_yaml),
                                preset_name ? preset_name : "preset", &a->preset, err);
    else
        rc = preset_load_named(preset_name ? preset_name : APP_DEFAULT_PRESET, &a->preset, err);
    if (rc < 0)
        goto fail;
    rc = sev_engine_new(&a->preset, &a->engine, err);
    if (rc < 0)
        goto fail;
    a->first.engine = a->engine;
    if (preset_version)
        a->first.version = (int)strtol(preset_version, NULL, 10);
    free(preset_name);
    free(preset_yaml);
    free(preset_version);
    free(tz);
    free(close);
    free(org);
    return 0;
fail:
    store_tx_rollback(&tx);
    free(preset_name);
    free(preset_yaml);
    free(preset_version);
    free(tz);
    free(close);
    free(org);
    app_close(a);
    return rc;
}

void app_close(struct app *a)
{
    struct app_preset_gen *g = atomic_load(&a->gen);

    if (g) {
        while (g != &a->first) {
            struct app_preset_gen *older = g->older;
            sev_engine_free(&g->engine);
            preset_release(&g->own);
            free(g);
            g = older;
        }
        pthread_mutex_destroy(&a->preset_mu);
        atomic_store(&a->gen, NULL);
    }
    sev_engine_free(&a->engine);
    preset_release(&a->preset);
    calendar_release(&a->cal);
    store_close(&a->store);
    free(a->tz_name);
    a->tz_name = NULL;
}

const struct app_preset_gen *app_preset_gen(const struct app *a)
{
    return atomic_load_explicit(&a->gen, memory_order_acquire);
}

const struct preset *app_preset(const struct app *a)
{
    return app_preset_gen(a)->preset;
}

/* The preset's YAML text: an embedded preset by name, or a file. */
static int read_preset_text(const char *preset, char **text_out, struct ks_error *err)
{
    struct preset p;
    char path[256];
    const struct embed_file *f;
    int rc;

    *text_out = NULL;
    snprintf(path, sizeof(path), "presets/%s.yaml", preset);
    f = strchr(preset, '/') || strstr(preset, ".yaml") ? NULL : embed_find(path);
    if (f) {
        *text_out = xstrndup((const char *)f->data, f->size);
    } else {
        FILE *in = fopen(preset, "rb");
        struct buf b;
        char chunk[4096];
        size_t n;
        if (!in)
            return ks_fail(err, KS_ECONFIG, "preset",
                           "preset: '%s' is neither a preset shipped with kesu (bank, generic, "
                           "manufacturing, telecom, transport) nor a readable file",
                           preset);
        buf_init(&b, 4u << 20);
        while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
            if (buf_add(&b, chunk, n) < 0) {
                fclose(in);
                buf_release(&b);
                return ks_fail(err, KS_ECONFIG, "preset", "preset: '%s' is larger than 4 MiB",
                               preset);
            }
        fclose(in);
        *text_out = buf_detach(&b);
    }
    /* Refuse a bad preset before anything is written. */
    preset_init(&p);
    rc = preset_load_buffer(*text_out, strlen(*text_out), preset, &p, err);
    preset_release(&p);
    if (rc < 0) {
        free(*text_out);
        *text_out = NULL;
    }
    return rc;
}

/* The preset part of `kesu init`: the first preset becomes version 1; on an existing database
 * only a preset named on the command line replaces the one in force (as a new version), so
 * re-running init never undoes a version an administrator uploaded. */
static int init_preset(struct store_tx *tx, const char *named, const char *yaml,
                       struct ks_error *err)
{
    char *stored = NULL;
    int version, rc = app_setting_get(tx, SETTING_PRESET_YAML, &stored, err);

    if (rc == 0 && !(stored && (!named || strcmp(stored, yaml) == 0)))
        rc = app_preset_store(tx, yaml, named ? named : APP_DEFAULT_PRESET, "kesu init", NULL,
                              (int64_t)time(NULL), -1, &version, err);
    free(stored);
    return rc;
}

int app_init_db(const struct app_conf *conf, const struct app_init *init, struct ks_error *err)
{
    struct store_conf sc = {.url = conf->db_url, .create = true};
    struct store *s = NULL;
    struct store_tx *tx = NULL;
    struct user admin;
    char *yaml = NULL;
    int offset, close, rc;

    user_init(&admin);
    if ((rc = app_tz_offset(init->tz ? init->tz : APP_DEFAULT_TZ, &offset, err)) < 0 ||
        (rc = parse_close(init->business_close, &close, err)) < 0)
        return rc;
    rc = read_preset_text(init->preset ? init->preset : APP_DEFAULT_PRESET, &yaml, err);
    if (rc < 0)
        return rc;
    if ((rc = store_open(&sc, &s, err)) < 0 || (rc = store_migrate(s, NULL, NULL, err)) < 0 ||
        (rc = store_tx_begin(s, STORE_TX_WRITE, &tx, err)) < 0)
        goto out;
    if ((rc = init_preset(tx, init->preset, yaml, err)) < 0 ||
        (rc = store_setting_set(tx, SETTING_TZ, init->tz ? init->tz : APP_DEFAULT_TZ, err)) < 0 ||
        (rc = store_setting_set(tx, SETTING_BUSINESS_CLOSE,
                                init->business_close ? init->business_close : "", err)) < 0)
        goto out;
    rc = store_user_get(tx, "admin", &admin, err);
    if (rc == KS_ENOTFOUND) {
        ks_error_clear(err);
        user_release(&admin);
        user_init(&admin);
        admin.login = xstrdup("admin");
        admin.name = xstrdup("管理员");
        admin.role = ROLE_ADMIN;
        admin.password_hash = init->admin_password_hash ? xstrdup(init->admin_password_hash) : NULL;
        rc = store_user_insert(tx, &admin, err);
    } else if (rc == 0 && init->admin_password_hash) {
        xstrset(&admin.password_hash, init->admin_password_hash);
        rc = store_user_update(tx, &admin, err);
    }
    if (rc < 0)
        goto out;
    rc = store_tx_commit(&tx, err);
out:
    store_tx_rollback(&tx);
    store_close(&s);
    user_release(&admin);
    free(yaml);
    return rc;
}

void app_view_init(struct app_view *v)
{
    memset(v, 0, sizeof(*v));
    complaint_init(&v->c);
    stage_deadline_init(&v->whole);
}

void app_view_release(struct app_view *v)
{
    complaint_release(&v->c);
    event_array_free(&v->evs, v->n_evs);
    stage_deadline_array_free(&v->dls, v->n_dls);
    stage_deadline_release(&v->whole);
    v->n_evs = 0;
    v->n_dls = 0;
}

int app_get_in(struct store_tx *tx, const char *number, struct app_view *out, struct ks_error *err)
{
    int rc;

    app_view_release(out);
    app_view_init(out);
    if ((rc = store_complaint_get(tx, number, &out->c, err)) < 0 ||
        (rc = store_event_list(tx, out->c.id, &out->evs, &out->n_evs, err)) < 0 ||
        (rc = store_deadline_list(tx, out->c.id, &out->dls, &out->n_dls, err)) < 0)
        return rc;
    if ((rc = store_deadline_whole(tx, out->c.id, &out->whole, err)) == KS_ENOTFOUND) {
        ks_error_clear(err);
        stage_deadline_init(&out->whole);
        rc = 0;
    }
    return rc;
}

int app_get(struct app *a, const char *number, struct app_view *out, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    int rc;

    if ((rc = store_tx_begin(a->store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    rc = app_get_in(tx, number, out, err);
    store_tx_rollback(&tx);
    return rc;
}

bool app_sees_all(const struct user *u)
{
    return u->role == ROLE_ADMIN || u->role == ROLE_LEADER;
}

static bool same_login(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

int app_may_see(struct app *a, struct store_tx *tx, const struct user *u, const struct complaint *c,
                struct ks_error *err)
{
    struct store_tx *own = NULL;
    bool within = false;
    int rc = 0;

    if (app_sees_all(u) || same_login(c->assignee, u->login) ||
        same_login(c->first_responder, u->login))
        return 0;
    if (u->department && c->department) {
        if (!tx && (rc = store_tx_begin(a->store, STORE_TX_READ, &own, err)) < 0)
            return rc;
        rc = store_department_within(tx ? tx : own, u->department, c->department, &within, err);
        store_tx_rollback(&own);
        if (rc < 0)
            return rc;
    }
    if (!within)
        return ks_fail(err, KS_EPERM, "number",
                       "complaint %s belongs to another department than yours", c->number);
    return 0;
}

void app_view_hide_audit(struct app_view *v)
{
    size_t n = 0;

    for (size_t i = 0; i < v->n_evs; i++) {
        if (v->evs[i].kind && strcmp(v->evs[i].kind, EV_AUDIT) == 0) {
            event_release(&v->evs[i]);
            continue;
        }
        if (n != i)
            v->evs[n] = v->evs[i];
        n++;
    }
    v->n_evs = n;
}

/* Appends an event with optional details (a JSON object; stolen). */
static int add_event(struct store_tx *tx, int64_t complaint_id, int64_t at, const char *actor,
                     const char *kind, int from, int to, const char *note, json_t *details,
                     struct ks_error *err)
{
    struct event ev;
    int rc;

    event_init(&ev);
    ev.complaint_id = complaint_id;
    ev.at = at;
    ev.actor = xstrdup(actor ? actor : "system");
    ev.kind = xstrdup(kind);
    ev.from_state = from;
    ev.to_state = to;
    ev.note = note && *note ? xstrdup(note) : NULL;
    if (details) {
        char *s = json_dumps(details, JSON_COMPACT);
        ev.details = s ? xstrdup(s) : NULL;
        free(s);
        json_decref(details);
    }
    rc = store_event_append(tx, &ev, err);
    event_release(&ev);
    return rc;
}

static json_t *deadline_details(const struct stage_deadline *d, int offset_min)
{
    char due[KS_TIME_STRLEN], period[32];
    ks_time_format(d->clock.due_at, offset_min, due);
    dl_period_format(d->clock.period, period, sizeof(period));
    return json_pack("{s:s, s:s, s:s, s:s?}", "stage", wf_state_name(d->stage), "due_at", due,
                     "period", period, "rule", d->rule);
}

/* Starts the clock of stage for c when the preset gives that stage a limit. */
static int start_stage_clock(struct app *a, struct store_tx *tx, const struct complaint *c,
                             enum wf_state stage, int64_t now, const char *actor,
                             struct ks_error *err)
{
    const struct preset_limit *rule = NULL;
    struct dl_period period;
    struct stage_deadline d;
    int rc;

    rc = preset_limit_for(app_preset(a), stage, c, &period, &rule, err);
    if (rc == KS_ENOTFOUND) {
        ks_error_clear(err);
        return 0;
    }
    if (rc < 0)
        return rc;
    stage_deadline_init(&d);
    d.complaint_id = c->id;
    d.stage = stage;
    rc = stage_clock_start(&d.clock, &a->cal, &a->zone, now, period, err);
    if (rc == 0) {
        char label[64];
        dl_period_format(period, label, sizeof(label));
        d.rule = xstrdup(rule && rule->label ? rule->label : label);
        rc = app_next_action(a, &d, &d.next_action_at, err);
        if (rc == 0)
            rc = store_deadline_put(tx, &d, err);
    }
    if (rc == 0)
        rc = add_event(tx, c->id, now, actor, EV_DEADLINE, -1, -1, "started",
                       deadline_details(&d, a->zone.utc_offset_min), err);
    stage_deadline_release(&d);
    return rc;
}

/* Stops the open clock of `stage`, marking it breached when met late. */
static int meet_stage_clock(struct store_tx *tx, int64_t complaint_id, enum wf_state stage,
                            int64_t now, struct ks_error *err)
{
    struct stage_deadline *dls = NULL;
    size_t n = 0;
    int rc = store_deadline_list(tx, complaint_id, &dls, &n, err);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (dls[i].whole || dls[i].stage != stage || dls[i].clock.met_at != KS_TIME_NONE)
            continue;
        stage_clock_meet(&dls[i].clock, now);
        dls[i].breached = stage_clock_is_breached(&dls[i].clock, now);
        rc = store_deadline_put(tx, &dls[i], err);
    }
    stage_deadline_array_free(&dls, n);
    return rc;
}

/* The local-month bounds [from, to) of instant t. */
static void month_bounds(const struct app *a, int64_t t, int64_t *from, int64_t *to)
{
    struct ks_date d = ks_time_local_date(t, a->zone.utc_offset_min);
    struct ks_date first = {d.y, d.m, 1};
    struct ks_date next = {d.m == 12 ? d.y + 1 : d.y, d.m == 12 ? 1 : d.m + 1, 1};
    *from = ks_time_from_local(first, 0, a->zone.utc_offset_min);
    *to = ks_time_from_local(next, 0, a->zone.utc_offset_min);
}

/* Earlier complaints this calendar month from the same customer about the same defect: the
 * input of the seed's repeat rule (当月发生3次以上). */
static int count_repeats(struct app *a, struct store_tx *tx, const struct complaint *c,
                         const char *defect, int *n_out, struct ks_error *err)
{
    const char *customer = c->customer_code ? c->customer_code : c->customer_name;
    int64_t from, to;

    *n_out = 0;
    if (!defect || !customer)
        return 0;
    month_bounds(a, c->received_at, &from, &to);
    return store_complaint_count_repeats(tx, customer, defect, from, to, n_out, err);
}

static json_t *reasons_json(const struct sev_result *r)
{
    return json_pack("{s:s, s:s?, s:s?, s:b, s:i, s:o}", "severity", severity_name(r->severity),
                     "category", r->category, "defect", r->defect, "urgent", r->urgent,
                     "response_level", r->response_level, "reasons", sev_reasons_to_json(r));
}

int app_classify(struct app *a, const struct complaint *c, int prior_in_month,
                 struct sev_result *out, struct ks_error *err)
{
    struct sev_input in;
    struct buf text;
    int rc;

    buf_init(&text, 64 * 1024);
    if (c->title)
        buf_adds(&text, c->title);
    if (c->title && c->description)
        buf_addch(&text, '\n');
    if (c->description)
        buf_adds(&text, c->description);
    sev_input_init(&in);
    in.product = c->product;
    in.text = buf_str(&text);
    in.text_len = text.len;
    in.delivered = c->delivered;
    in.defective = c->defective;
    in.prior_in_month = prior_in_month;
    rc = severity_judge(app_preset_gen(a)->engine, &in, out, err);
    buf_release(&text);
    return rc;
}

/* Judges c at registration and applies the outcome: fields the intake person set by hand
 * (severity, category) are kept, and the judgement is recorded either way. */
static int judge(struct app *a, struct store_tx *tx, struct complaint *c, json_t **details_out,
                 struct ks_error *err)
{
    struct sev_result r;
    int prior = 0, rc;

    *details_out = NULL;
    if ((rc = app_classify(a, c, 0, &r, err)) < 0)
        return rc;
    if (r.defect) {
        if ((rc = count_repeats(a, tx, c, r.defect, &prior, err)) < 0)
            return rc;
        if (prior > 0 && (rc = app_classify(a, c, prior, &r, err)) < 0)
            return rc;
    }
    if (c->severity == SEV_NONE)
        c->severity = r.severity;
    if (!c->category && r.category)
        c->category = xstrdup(r.category);
    if (!c->defect && r.defect)
        c->defect = xstrdup(r.defect);
    if (r.urgent)
        c->urgent = true;
    if (c->response_level == 0 || (r.response_level > 0 && r.response_level < c->response_level))
        c->response_level = r.response_level;
    *details_out = reasons_json(&r);
    json_object_set_new(*details_out, "prior_in_month", json_integer(prior));
    return 0;
}

int app_register(struct app *a, struct complaint *c, const struct wf_actor *actor, int64_t now,
                 struct ks_error *err)
{
    struct store_tx *tx = NULL;
    json_t *judged = NULL;
    char number[COMPLAINT_NUMBER_MAX];
    int seq, rc;

    if (c->received_at == KS_TIME_NONE)
        c->received_at = now;
    if (c->received_at > now + 300)
        return ks_fail(err, KS_EINVAL, "received_at",
                       "received_at: a complaint cannot be received in the future");
    c->status = WF_STATE_NEW;
    c->version = 0;
    c->created_at = now;
    c->updated_at = now;
    xstrset(&c->first_responder, actor->login);
    xstrset(&c->number, NULL);
    if (c->delivered != KS_QTY_UNKNOWN && c->defective != KS_QTY_UNKNOWN &&
        c->defective > c->delivered)
        return ks_fail(err, KS_EINVAL, "defective", "defective: %lld is more than delivered (%lld)",
                       (long long)c->defective, (long long)c->delivered);
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = judge(a, tx, c, &judged, err)) < 0)
        goto fail;
    if (c->category && !preset_category_find(app_preset(a), c->category)) {
        rc = ks_fail(err, KS_EINVAL, "category", "category: '%s' is not a category of preset '%s'",
                     c->category, app_preset(a)->name);
        goto fail;
    }
    if ((rc = store_number_next(tx, ks_time_local_date(now, a->zone.utc_offset_min), &seq, err)) <
        0)
        goto fail;
    complaint_number_format(ks_time_local_date(now, a->zone.utc_offset_min), seq, number);
    c->number = xstrdup(number);
    if ((rc = complaint_validate(c, err)) < 0 || (rc = store_complaint_insert(tx, c, err)) < 0)
        goto fail;
    if ((rc = add_event(tx, c->id, now, actor->login, EV_CREATED, -1, WF_STATE_NEW, NULL,
                        json_pack("{s:s}", "channel", channel_name(c->channel)), err)) < 0)
        goto fail;
    rc = add_event(tx, c->id, now, "system", EV_CLASSIFIED, -1, -1, NULL, judged, err);
    judged = NULL;
    if (rc < 0 || (rc = start_stage_clock(a, tx, c, WF_STATE_NEW, now, "system", err)) < 0 ||
        (rc = app_motion_registered(a, tx, c, actor->login, now, err)) < 0)
        goto fail;
    return store_tx_commit(&tx, err);
fail:
    json_decref(judged);
    store_tx_rollback(&tx);
    xstrset(&c->number, NULL);
    c->id = 0;
    return rc;
}

/* The fields that differ between before and after, as {"field": {"from": .., "to": ..}};
 * NULL when nothing changed. Personal data is not copied into the history. */
static json_t *diff_fields(const struct complaint *before, const struct complaint *after,
                           int offset_min, bool skip_assignee)
{
    json_t *changed = json_object();
    struct buf x, y;

    buf_init(&x, 64 * 1024);
    buf_init(&y, 64 * 1024);
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        if (f->flags & (CF_READONLY | CF_INTERNAL))
            continue;
        if (skip_assignee && strcmp(f->name, "assignee") == 0)
            continue;
        buf_reset(&x);
        buf_reset(&y);
        complaint_get(before, f, offset_min, &x);
        complaint_get(after, f, offset_min, &y);
        if (strcmp(buf_str(&x), buf_str(&y)) == 0)
            continue;
        if (f->flags & CF_PERSONAL)
            json_object_set_new(changed, f->name, json_string("(changed)"));
        else
            json_object_set_new(changed, f->name,
                                json_pack("{s:s?, s:s?}", "from", x.len ? buf_str(&x) : NULL, "to",
                                          y.len ? buf_str(&y) : NULL));
    }
    buf_release(&x);
    buf_release(&y);
    if (json_object_size(changed) == 0) {
        json_decref(changed);
        return NULL;
    }
    return changed;
}

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int app_update(struct app *a, struct complaint *next, int to, const struct wf_actor *actor,
               const char *note, int64_t now, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct complaint cur;
    enum wf_event ev = WF_EV__COUNT;
    enum wf_state to_state;
    json_t *changed = NULL;
    bool handover;
    int rc;

    complaint_init(&cur);
    if (actor->role == ROLE_VIEWER)
        return ks_fail(err, KS_EPERM, NULL, "role 'viewer' may not change complaints");
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = store_complaint_get(tx, next->number, &cur, err)) < 0)
        goto out;
    if (cur.version != next->version) {
        rc = ks_fail(err, KS_ECONFLICT, "version",
                     "complaint %s was changed by someone else (version %d, you had %d); "
                     "reload and retry",
                     cur.number, cur.version, next->version);
        goto out;
    }
    if ((rc = complaint_check_edit(&cur, next, err)) < 0)
        goto out;
    to_state = cur.status;
    if (to >= 0) {
        if ((rc = wf_event_for(cur.status, (enum wf_state)to, &ev, err)) < 0)
            goto out;
        if (ev == WF_EV_APPROVE) {
            xstrset(&next->approval_by, actor->login);
            next->approval_at = now;
            if (!next->approval_note && note && *note)
                next->approval_note = xstrdup(note);
        }
        if ((rc = wf_apply(next, ev, actor, note, &to_state, err)) < 0)
            goto out;
    }
    if ((rc = complaint_validate(next, err)) < 0)
        goto out;
    handover = cur.assignee && !str_eq(cur.assignee, next->assignee);
    changed = diff_fields(&cur, next, a->zone.utc_offset_min, handover);
    if (!changed && to < 0 && !handover) {
        rc = ks_fail(err, KS_EINVAL, NULL, "nothing to change in %s", cur.number);
        goto out;
    }
    next->status = to_state;
    next->updated_at = now;
    next->id = cur.id;
    if ((rc = store_complaint_update(tx, next, err)) < 0)
        goto out;
    if (changed) {
        rc = add_event(tx, cur.id, now, actor->login, EV_EDIT, -1, -1, to < 0 ? note : NULL,
                       json_pack("{s:o}", "changed", changed), err);
        changed = NULL;
        if (rc < 0)
            goto out;
    }
    if (handover &&
        (rc = add_event(tx, cur.id, now, actor->login, EV_HANDOVER, -1, -1, to < 0 ? note : NULL,
                        json_pack("{s:s, s:s?}", "from", cur.assignee, "to", next->assignee),
                        err)) < 0)
        goto out;
    if (to >= 0) {
        if ((rc = add_event(tx, cur.id, now, actor->login, EV_TRANSITION, (int)cur.status,
                            (int)to_state, note, json_pack("{s:s}", "event", wf_event_name(ev)),
                            err)) < 0 ||
            (rc = meet_stage_clock(tx, cur.id, cur.status, now, err)) < 0)
            goto out;
        if (!wf_is_terminal(to_state) &&
            (rc = start_stage_clock(a, tx, next, to_state, now, "system", err)) < 0)
            goto out;
        if ((rc = app_motion_moved(a, tx, next, cur.status, to_state, now, err)) < 0)
            goto out;
    }
    rc = store_tx_commit(&tx, err);
out:
    json_decref(changed);
    store_tx_rollback(&tx);
    complaint_release(&cur);
    return rc;
}

int app_comment(struct app *a, const char *number, const struct wf_actor *actor, const char *text,
                int64_t now, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    struct complaint c;
    int rc;

    if (!text || !*text)
        return ks_fail(err, KS_EINVAL, "note", "note: a comment needs some text");
    if (strlen(text) > 5000 || !utf8_is_valid(text, strlen(text)))
        return ks_fail(err, KS_EINVAL, "note", "note: must be valid UTF-8 of at most 5000 bytes");
    complaint_init(&c);
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = store_complaint_get(tx, number, &c, err)) == 0 &&
        (rc = add_event(tx, c.id, now, actor->login, EV_COMMENT, -1, -1, text, NULL, err)) == 0)
        rc = store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    complaint_release(&c);
    return rc;
}

int app_override(struct app *a, const char *number, enum severity severity, const char *category,
                 const char *reason, const struct wf_actor *actor, int64_t now,
                 struct complaint *out, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    json_t *details;
    int rc;

    if (actor->role != ROLE_ADMIN && actor->role != ROLE_LEADER && actor->role != ROLE_HANDLER)
        return ks_fail(err, KS_EPERM, NULL, "role '%s' may not override a classification",
                       role_name(actor->role));
    if (!reason || !*reason)
        return ks_fail(err, KS_EINVAL, "reason",
                       "reason: overriding a classification needs a reason");
    if (severity == SEV_NONE && !category)
        return ks_fail(err, KS_EINVAL, "severity", "give a severity or a category to set");
    if (category && !preset_category_find(app_preset(a), category))
        return ks_fail(err, KS_EINVAL, "category",
                       "category: '%s' is not a category of preset '%s'", category,
                       app_preset(a)->name);
    complaint_release(out);
    complaint_init(out);
    if ((rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    if ((rc = store_complaint_get(tx, number, out, err)) < 0)
        goto out;
    details = json_pack("{s:s, s:s?}", "severity_from", severity_name(out->severity),
                        "category_from", out->category);
    if (severity != SEV_NONE)
        out->severity = severity;
    if (category)
        xstrset(&out->category, category);
    json_object_set_new(details, "severity_to", json_string(severity_name(out->severity)));
    json_object_set_new(details, "category_to",
                        out->category ? json_string(out->category) : json_null());
    out->updated_at = now;
    if ((rc = store_complaint_update(tx, out, err)) < 0) {
        json_decref(details);
        goto out;
    }
    if ((rc = add_event(tx, out->id, now, actor->login, EV_OVERRIDE, -1, -1, reason, details,
                        err)) < 0)
        goto out;
    rc = store_tx_commit(&tx, err);
out:
    store_tx_rollback(&tx);
    return rc;
}
