/* The application layer: one place where an interface's request becomes core decisions
 * persisted by the store in one transaction. The CLI and the HTTP handlers both call it, so
 * registration, moves, edits and their events are written the same way everywhere.
 * Ownership: struct app is caller-owned storage opened by app_open() and closed by
 * app_close(); it owns the store, the calendar, the preset and the severity engine, all
 * read-only after opening and shared by threads, except that an administrator can put a new
 * preset version in force (app_preset_put() in app-admin.h): app_preset() gives the one in
 * force. Functions that fill a struct complaint expect it initialised (complaint_init) and
 * release its old contents. */
#ifndef KS_APP_APP_H
#define KS_APP_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/complaint.h"
#include "core/deadline.h"
#include "core/event.h"
#include "core/preset.h"
#include "core/severity.h"
#include "core/workflow.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "store/store.h"

#define APP_DEFAULT_TZ     "Asia/Shanghai"
#define APP_DEFAULT_PRESET "manufacturing"

struct app_conf {
    const char *db_url; /* path or URL; see store.h */
    int pool_size;      /* 0: store default */
};

/* One preset version with its severity engine. Versions put in force while the program runs
 * are kept (in `older` order) until app_close(), so a request that read one can finish with
 * it: uploads are rare administrator actions, and a few hundred KiB each is cheaper than
 * counting references on every request. */
struct app_preset_gen {
    const struct preset *preset; /* &app.preset for the version loaded at open, else &own */
    struct sev_engine *engine;
    int version; /* SETTING_PRESET_VERSION: 1 for the one `kesu init` wrote */
    struct preset own;
    struct app_preset_gen *older;
};

struct app {
    struct store *store;
    struct calendar cal;
    struct dl_zone zone;
    char *tz_name;
    /* The preset loaded at open. Code that must follow an uploaded version reads app_preset(). */
    struct preset preset;
    struct sev_engine *engine;
    _Atomic(struct app_preset_gen *) gen; /* the version in force */
    struct app_preset_gen first;          /* gen at open: preset and engine above */
    pthread_mutex_t preset_mu;            /* one upload at a time: database order = memory order */
    /* Builds the customer's survey link for complaint `number` into out, for the
     * {{survey_url}} template placeholder. The HTTP layer owns the link format and sets this;
     * NULL renders the placeholder empty. */
    int (*survey_url)(struct app *a, const char *number, struct buf *out, struct ks_error *err);
};

/* Settings written by `kesu init` and read by app_open. */
#define SETTING_PRESET         "preset"      /* preset name or path */
#define SETTING_PRESET_YAML    "preset_yaml" /* the preset text in force (kept in the database) */
#define SETTING_PRESET_VERSION "preset_version" /* 1, 2, ...: bumped by each new version */
#define SETTING_PRESET_LOG     "preset_log"     /* one line per version: "N\tat\tlogin\tnote" */
#define SETTING_PRESET_OLD     "preset_yaml."   /* + N: the text of replaced version N */
#define SETTING_TZ             "timezone"
#define SETTING_BUSINESS_CLOSE "business_close" /* "17:30" or "" */
#define SETTING_ORG_DAYS       "org_days" /* lines "2026-12-31 rest 年终盘点" / "... work 补班" */

/* Opens an existing, migrated database and loads what it names (preset, time zone,
 * calendar). KS_ENOTFOUND when the database does not exist. */
int app_open(struct app *a, const struct app_conf *conf, struct ks_error *err);
void app_close(struct app *a);

/* The preset version in force and its stored version number; borrowed until app_close(). */
const struct preset *app_preset(const struct app *a);
const struct app_preset_gen *app_preset_gen(const struct app *a);
/* Reads a setting (a SETTING_* key) into *value_out (caller frees), NULL when it is not set. */
int app_setting_get(struct store_tx *tx, const char *key, char **value_out, struct ks_error *err);

struct app_init {
    const char *preset;              /* name of an embedded preset or a .yaml path */
    const char *tz;                  /* "Asia/Shanghai", "UTC", "+08:00" */
    const char *business_close;      /* "17:30" or NULL */
    const char *admin_password_hash; /* argon2id string or NULL */
};
/* Creates (or migrates) the database at conf->db_url, records the settings and creates the
 * `admin` user when missing. Idempotent: an existing database keeps its data. */
int app_init_db(const struct app_conf *conf, const struct app_init *init, struct ks_error *err);

/* Adds (kind "rest" or "work") or removes (kind NULL) an organisation's own day in the
 * database and in a->cal. The date must lie in the years the official calendar covers; name
 * is one line of at most 100 bytes. */
int app_org_day_set(struct app *a, struct ks_date d, const char *kind, const char *name,
                    struct ks_error *err);

/* The UTC offset of a time-zone name: the China zones, "UTC", or "+08:00". */
int app_tz_offset(const char *name, int *offset_min_out, struct ks_error *err);

/* Registers c (filled from the interface; number, status and version are set here): checks
 * it, numbers it KS<local date>-<seq>, judges severity and category when not given, records
 * the first responder (actor), writes the `created` and `classified` events and starts the
 * first stage clock. On success c holds the stored record. */
int app_register(struct app *a, struct complaint *c, const struct wf_actor *actor, int64_t now,
                 struct ks_error *err);

/* Saves next, a changed copy of a stored complaint whose version is next->version, and
 * optionally moves it to state `to` (pass -1 for an edit without a move). Refuses a stale
 * version (KS_ECONFLICT, field "version"), changes to fixed fields, invalid records and
 * moves the workflow forbids. Writes edit/handover/transition events and stage clocks. On
 * success next holds the stored record (new version). */
int app_update(struct app *a, struct complaint *next, int to, const struct wf_actor *actor,
               const char *note, int64_t now, struct ks_error *err);

/* Adds a comment event to a complaint. */
int app_comment(struct app *a, const char *number, const struct wf_actor *actor, const char *text,
                int64_t now, struct ks_error *err);

/* A person corrects the judged severity and/or category (either may be SEV_NONE / NULL to
 * keep it) with a reason; writes an `override` event. Only leaders, handlers and admins. */
int app_override(struct app *a, const char *number, enum severity severity, const char *category,
                 const char *reason, const struct wf_actor *actor, int64_t now,
                 struct complaint *out, struct ks_error *err);

/* Everything about one complaint: the record, its timeline and its stage clocks. Any of
 * evs/dls may be NULL when not wanted. */
struct app_view {
    struct complaint c;
    struct event *evs;
    size_t n_evs;
    struct stage_deadline *dls;
    size_t n_dls;
    struct stage_deadline whole; /* the whole-complaint limit; whole.id == 0 when none */
};
void app_view_init(struct app_view *v);
void app_view_release(struct app_view *v);
/* Reads the complaint `number` with its timeline and stage clocks in one read transaction. */
int app_get(struct app *a, const char *number, struct app_view *out, struct ks_error *err);
/* The same inside tx, a transaction the caller holds (so a caller can check, in the same
 * snapshot, that the reader may see the complaint). */
int app_get_in(struct store_tx *tx, const char *number, struct app_view *out, struct ks_error *err);
/* Admins and leaders see every complaint. */
bool app_sees_all(const struct user *u);
/* Whether u may see complaint c: admins and leaders see all; others what they received or are
 * assigned and the complaints of their department's subtree (read in tx; with tx NULL a read
 * transaction of a's store is opened when the department tree must be read). KS_EPERM (field
 * "number") when not. */
int app_may_see(struct app *a, struct store_tx *tx, const struct user *u, const struct complaint *c,
                struct ks_error *err);
/* Drops the audit events (EV_AUDIT) from a loaded timeline: the audit trail is shown to admins
 * only, on request. */
void app_view_hide_audit(struct app_view *v);

/* Judges a text without saving (kesu classify, POST /classify, live intake suggestions). */
int app_classify(struct app *a, const struct complaint *c, int prior_in_month,
                 struct sev_result *out, struct ks_error *err);

#endif
