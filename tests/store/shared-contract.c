/* The storage contract, the same on every backend (see shared-contract.h): every complaint
 * field round-trips (Chinese text included), stale updates are refused without losing
 * anything, a full pool makes callers wait then report busy, threads share one store and
 * number without gaps, migrations run once and a newer schema is refused, numbers count per day
 * without gaps, every list filter (with 2- and 4-character Chinese full-text search) and cursor
 * pagination, events, stage deadlines, users, departments, settings, group commit, sessions,
 * login failures and idempotency keys. Each test gets a fresh database from the backend's
 * contract_backend.fresh(). */
#include "shared-contract.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/embed.h"
#include "report/read.h"
#include "lib/banned.h"

#define AT(c, f, T) ((T *)(void *)((char *)(c) + (f)->offset))

struct store *ct_open(const char *url, bool create)
{
    struct store_conf conf = {.url = url, .create = create};
    struct ks_error err = {0};
    struct store *s = NULL;

    if (store_open(&conf, &s, &err) < 0)
        fail_msg("store_open: %s", err.message);
    return s;
}

int ct_setup_empty(void **state)
{
    struct ct_fx *fx = calloc(1, sizeof(*fx));

    contract_backend.fresh(fx);
    fx->s = ct_open(fx->url, true);
    *state = fx;
    return 0;
}

int ct_setup(void **state)
{
    struct ct_fx *fx;
    struct ks_error err = {0};

    ct_setup_empty(state);
    fx = *state;
    if (store_migrate(fx->s, NULL, NULL, &err) < 0)
        fail_msg("migrate: %s", err.message);
    return 0;
}

int ct_teardown(void **state)
{
    struct ct_fx *fx = *state;

    if (!fx)
        return 0;
    store_close(&fx->s);
    if (fx->dir)
        th_rmtree(fx->dir);
    free(fx->dir);
    free(fx->url);
    free(fx);
    return 0;
}

struct store_tx *ct_begin(struct store *s, enum store_tx_mode mode)
{
    struct store_tx *tx = NULL;
    struct ks_error err = {0};

    if (store_tx_begin(s, mode, &tx, &err) < 0)
        fail_msg("begin: %s", err.message);
    return tx;
}

void ct_commit(struct store_tx **tx)
{
    struct ks_error err = {0};

    if (store_tx_commit(tx, &err) < 0)
        fail_msg("commit: %s", err.message);
    assert_null(*tx);
}

void ct_check(int rc, const struct ks_error *err)
{
    if (rc < 0)
        fail_msg("unexpected failure %d: %s", rc, err->message);
}

int ct_migrations_known(void)
{
    size_t len = strlen(contract_backend.migrations_prefix);
    int n = 0;

    for (const struct embed_file *f = embed_files; f->name; f++)
        if (strncmp(f->name, contract_backend.migrations_prefix, len) == 0)
            n++;
    return n;
}

void ct_insert(struct store *s, struct complaint *c)
{
    struct store_tx *tx = ct_begin(s, STORE_TX_WRITE);
    struct ks_error err = {0};

    ct_check(store_complaint_insert(tx, c, &err), &err);
    ct_commit(&tx);
}

void ct_get(struct store *s, const char *number, struct complaint *out)
{
    struct store_tx *tx = ct_begin(s, STORE_TX_READ);
    struct ks_error err = {0};

    ct_check(store_complaint_get(tx, number, out, &err), &err);
    ct_commit(&tx);
}

/* Gives complaint `number` a new title or description (NULL: kept), as an edit would. */
static void ct_set_text(struct store *s, const char *number, const char *title,
                        const char *description)
{
    struct store_tx *tx;
    struct ks_error err = {0};
    struct complaint c;

    complaint_init(&c);
    ct_get(s, number, &c);
    if (title) {
        free(c.title);
        c.title = strdup(title);
    }
    if (description) {
        free(c.description);
        c.description = strdup(description);
    }
    tx = ct_begin(s, STORE_TX_WRITE);
    ct_check(store_complaint_update(tx, &c, &err), &err);
    ct_commit(&tx);
    complaint_release(&c);
}

/* ---- round trip ------------------------------------------------------------------------ */

/* A distinct, non-default value for every field of the table; `salt` varies them. */
static void fill_every_field(struct complaint *c, int salt)
{
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        int v = (int)i + salt;
        switch (f->type) {
        case CF_STR:
            free(*AT(c, f, char *));
            *AT(c, f, char *) = th_fmt("%s-值%d-芯轴断裂 \"'%%_\\", f->name, v);
            break;
        case CF_TEXT:
            free(*AT(c, f, char *));
            *AT(c, f, char *) = th_fmt("%s：第%d行\n\t客户反映碗件中轴异响。", f->name, v);
            break;
        case CF_TIME:
            *AT(c, f, int64_t) = T0 + v * 61;
            break;
        case CF_QTY:
            *AT(c, f, int64_t) = 1000 + v;
            break;
        case CF_MONEY:
            *AT(c, f, int64_t) = 9999999999999LL - v;
            break;
        case CF_BOOL:
            *AT(c, f, bool) = !*AT(c, f, bool);
            break;
        case CF_LEVEL:
            *AT(c, f, int) = 1 + salt % 2;
            break;
        case CF_SCORE:
            *AT(c, f, int) = 1 + v % 5;
            break;
        case CF_INT:
        case CF_ID:
            break; /* version and id belong to the store */
        case CF_CHANNEL:
            *AT(c, f, enum channel) = (enum channel)(1 + v % (CH__COUNT - 1));
            break;
        case CF_SEVERITY:
            *AT(c, f, enum severity) = (enum severity)(1 + v % (SEV__COUNT - 1));
            break;
        case CF_STATUS:
            *AT(c, f, enum wf_state) = (enum wf_state)(1 + v % (WF_STATE__COUNT - 1));
            break;
        case CF_COMP_KIND:
            *AT(c, f, enum comp_kind) = (enum comp_kind)(1 + v % (COMP__COUNT - 1));
            break;
        }
    }
    free(c->number);
    c->number = th_fmt("KS20261128-%04d", salt);
}

static void assert_same_complaint(const struct complaint *a, const struct complaint *b)
{
    for (size_t i = 0; i < complaint_field_count; i++) {
        const struct cf_desc *f = &complaint_fields[i];
        struct buf x, y;
        buf_init(&x, 1 << 16);
        buf_init(&y, 1 << 16);
        assert_int_equal(complaint_get(a, f, 0, &x), 0);
        assert_int_equal(complaint_get(b, f, 0, &y), 0);
        if (strcmp(buf_str(&x), buf_str(&y)) != 0 || complaint_has(a, f) != complaint_has(b, f))
            fail_msg("field %s: stored '%s', read back '%s'", f->name, buf_str(&x), buf_str(&y));
        buf_release(&x);
        buf_release(&y);
    }
}

static void every_field_round_trips(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint c, back;
    struct store_tx *tx;
    struct ks_error err = {0};

    complaint_init(&c);
    complaint_init(&back);
    fill_every_field(&c, 1);
    ct_insert(fx->s, &c);
    assert_true(c.id > 0);
    assert_int_equal(c.version, 1);
    ct_get(fx->s, c.number, &back);
    assert_same_complaint(&c, &back);

    /* Every field changed and written back: the update writes them all. */
    fill_every_field(&back, 2);
    free(back.number);
    back.number = strdup(c.number);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    ct_check(store_complaint_update(tx, &back, &err), &err);
    ct_commit(&tx);
    assert_int_equal(back.version, 2);
    ct_get(fx->s, c.number, &c);
    assert_same_complaint(&back, &c);
    assert_string_equal(c.title, back.title);

    complaint_release(&c);
    complaint_release(&back);
}

static void unset_fields_round_trip_as_unset(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint c, back;

    complaint_init(&c);
    complaint_init(&back);
    c.number = strdup("KS20261128-0009");
    c.received_at = T0;
    ct_insert(fx->s, &c);
    ct_get(fx->s, "KS20261128-0009", &back);
    assert_same_complaint(&c, &back);
    assert_null(back.title);
    assert_int_equal(back.delivered, KS_QTY_UNKNOWN);
    assert_true(back.approval_at == KS_TIME_NONE);
    assert_int_equal(back.severity, SEV_NONE);
    assert_int_equal(back.comp_kind, COMP_NONE);
    assert_int_equal(back.response_level, 0);
    complaint_release(&c);
    complaint_release(&back);
}

static void missing_complaint_is_not_found(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_READ);
    struct complaint c;
    struct ks_error err = {0};

    complaint_init(&c);
    assert_int_equal(store_complaint_get(tx, "KS20261128-0404", &c, &err), KS_ENOTFOUND);
    assert_non_null(strstr(err.message, "KS20261128-0404"));
    store_tx_rollback(&tx);
    assert_null(tx);
}

/* ---- concurrency ----------------------------------------------------------------------- */

static void stale_update_is_a_conflict_and_nothing_is_lost(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint c, a, b, now;
    struct store_tx *tx;
    struct ks_error err = {0};

    complaint_init(&c);
    complaint_init(&a);
    complaint_init(&b);
    complaint_init(&now);
    c.number = strdup("KS20261128-0001");
    c.received_at = T0;
    c.title = strdup("脚踏断裂");
    ct_insert(fx->s, &c);

    /* Two people open the same complaint. */
    ct_get(fx->s, c.number, &a);
    ct_get(fx->s, c.number, &b);

    free(a.plan);
    a.plan = strdup("更换整批脚踏");
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    ct_check(store_complaint_update(tx, &a, &err), &err);
    ct_commit(&tx);
    assert_int_equal(a.version, 2);

    free(b.reply);
    b.reply = strdup("已致电客户");
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    assert_int_equal(store_complaint_update(tx, &b, &err), KS_ECONFLICT);
    store_tx_rollback(&tx);
    assert_string_equal(err.field, "version");
    assert_string_equal(err.message, "complaint KS20261128-0001 was changed by someone else "
                                     "(version 2, you had 1); reload and retry");
    assert_int_equal(b.version, 1);

    ct_get(fx->s, c.number, &now);
    assert_string_equal(now.plan, "更换整批脚踏");
    assert_null(now.reply);
    assert_int_equal(now.version, 2);

    complaint_release(&c);
    complaint_release(&a);
    complaint_release(&b);
    complaint_release(&now);
}

static void exhausted_pool_waits_then_reports_busy(void **state)
{
    struct ct_fx *fx = *state;
    struct store_conf conf = {.url = fx->url, .busy_timeout_ms = 50, .pool_size = 1};
    struct store *s = NULL;
    struct store_tx *tx, *tx2 = NULL;
    struct ks_error err = {0};

    ct_check(store_open(&conf, &s, &err), &err);
    tx = ct_begin(s, STORE_TX_READ);
    assert_int_equal(store_tx_begin(s, STORE_TX_READ, &tx2, &err), KS_ESTORE);
    assert_null(tx2);
    assert_non_null(strstr(err.message, "connections are in use"));
    ct_commit(&tx);
    /* The connection went back to the pool. */
    tx = ct_begin(s, STORE_TX_WRITE);
    ct_commit(&tx);
    store_close(&s);
}

void *ct_register_many(void *arg)
{
    struct ct_worker *w = arg;
    struct ks_date day = {2026, 11, 28};

    for (int i = 0; i < w->rounds; i++) {
        struct store_tx *tx = NULL;
        struct ks_error err = {0};
        struct complaint c;
        char number[COMPLAINT_NUMBER_MAX];
        int seq = 0;

        if (store_tx_begin(w->s, STORE_TX_WRITE, &tx, &err) < 0)
            return NULL;
        complaint_init(&c);
        if (store_number_next(tx, day, &seq, &err) == 0) {
            complaint_number_format(day, seq, number);
            c.number = strdup(number);
            c.received_at = T0 + seq;
            if (store_complaint_insert(tx, &c, &err) == 0 && store_tx_commit(&tx, &err) == 0)
                w->made++;
        }
        store_tx_rollback(&tx);
        complaint_release(&c);
    }
    return NULL;
}

void ct_expect_numbered(struct store *s, int n)
{
    struct complaint_filter f;
    struct store_iter *it = NULL;
    struct store_tx *tx;
    struct complaint row;
    struct ks_error err = {0};
    int rows = 0;

    complaint_filter_init(&f);
    f.sort = CS_RECEIVED_ASC;
    complaint_init(&row);
    tx = ct_begin(s, STORE_TX_READ);
    ct_check(store_complaint_list(tx, &f, &it, &err), &err);
    while (store_complaint_next(it, &row, &err) == 1) {
        char want[COMPLAINT_NUMBER_MAX];
        complaint_number_format((struct ks_date){2026, 11, 28}, ++rows, want);
        assert_string_equal(row.number, want);
    }
    store_iter_free(&it);
    ct_commit(&tx);
    complaint_release(&row);
    assert_int_equal(rows, n);
}

static void threads_share_one_store(void **state)
{
    struct ct_fx *fx = *state;
    struct ct_worker w[4];
    pthread_t th[4];
    int made = 0;

    for (int i = 0; i < 4; i++) {
        w[i] = (struct ct_worker){.s = fx->s, .rounds = 15};
        assert_int_equal(pthread_create(&th[i], NULL, ct_register_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        made += w[i].made;
    }
    assert_int_equal(made, 60);
    /* Numbered 1..60 without gaps or duplicates. */
    ct_expect_numbered(fx->s, 60);
}

/* ---- opening and migrations -------------------------------------------------------------- */

static void migrations_run_once_and_data_survives_reopen(void **state)
{
    struct ct_fx *fx = *state;
    struct ks_error err = {0};
    struct complaint c, back;
    int from = -1, to = -1, v = -1;

    ct_check(store_schema_version(fx->s, &v, &err), &err);
    assert_int_equal(v, 0);
    assert_true(ct_migrations_known() >= 1);
    ct_check(store_migrate(fx->s, &from, &to, &err), &err);
    assert_int_equal(from, 0);
    assert_int_equal(to, ct_migrations_known());
    ct_check(store_schema_version(fx->s, &v, &err), &err);
    assert_int_equal(v, ct_migrations_known());
    assert_string_equal(store_backend_name(fx->s), contract_backend.name);

    complaint_init(&c);
    complaint_init(&back);
    c.number = strdup("KS20261128-0001");
    c.received_at = T0;
    c.title = strdup("中轴异响");
    ct_insert(fx->s, &c);
    store_close(&fx->s);

    fx->s = ct_open(fx->url, false);
    ct_check(store_migrate(fx->s, &from, &to, &err), &err);
    assert_int_equal(from, ct_migrations_known());
    assert_int_equal(to, ct_migrations_known());
    ct_get(fx->s, "KS20261128-0001", &back);
    assert_string_equal(back.title, "中轴异响");
    complaint_release(&c);
    complaint_release(&back);
}

static void unmigrated_database_says_to_migrate(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_READ);
    struct complaint c;
    struct ks_error err = {0};

    complaint_init(&c);
    assert_int_equal(store_complaint_get(tx, "KS20261128-0001", &c, &err), KS_ECONFIG);
    assert_non_null(strstr(err.message, "kesu migrate"));
    assert_null(strstr(err.message, "SELECT"));
    store_tx_rollback(&tx);
}

static void newer_schema_is_refused(void **state)
{
    struct ct_fx *fx = *state;
    struct store_conf conf = {.url = fx->url};
    struct store *s = NULL;
    struct ks_error err = {0};
    char *sql = th_fmt("INSERT INTO schema_version VALUES (%d, 0)", ct_migrations_known() + 1);

    store_close(&fx->s);
    contract_backend.exec(fx, sql);
    free(sql);
    assert_int_equal(store_open(&conf, &s, &err), KS_ECONFIG);
    assert_null(s);
    assert_non_null(strstr(err.message, "newer than this kesu knows"));
}

/* ---- numbers --------------------------------------------------------------------------- */

static int next_number(struct store_tx *tx, struct ks_date day)
{
    struct ks_error err = {0};
    int seq = 0;

    ct_check(store_number_next(tx, day, &seq, &err), &err);
    return seq;
}

static void numbers_count_per_day_and_rollback_gives_back(void **state)
{
    struct ct_fx *fx = *state;
    struct ks_date d1 = {2026, 11, 28}, d2 = {2026, 11, 29};
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);

    assert_int_equal(next_number(tx, d1), 1);
    assert_int_equal(next_number(tx, d1), 2);
    ct_commit(&tx);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    assert_int_equal(next_number(tx, d1), 3);
    assert_int_equal(next_number(tx, d2), 1);
    ct_commit(&tx);

    tx = ct_begin(fx->s, STORE_TX_WRITE);
    assert_int_equal(next_number(tx, d1), 4);
    store_tx_rollback(&tx);

    tx = ct_begin(fx->s, STORE_TX_WRITE);
    assert_int_equal(next_number(tx, d1), 4);
    assert_int_equal(next_number(tx, d2), 2);
    ct_commit(&tx);
}

static void duplicate_number_is_a_conflict(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint c;
    struct store_tx *tx;
    struct ks_error err = {0};

    complaint_init(&c);
    c.number = strdup("KS20261128-0001");
    c.received_at = T0;
    ct_insert(fx->s, &c);
    c.id = 0;
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    assert_int_equal(store_complaint_insert(tx, &c, &err), KS_ECONFLICT);
    assert_string_equal(err.field, "number");
    assert_non_null(strstr(err.message, "KS20261128-0001"));
    store_tx_rollback(&tx);
    complaint_release(&c);
}

/* ---- listing --------------------------------------------------------------------------- */

static const struct seed {
    const char *number;
    int64_t received;
    enum wf_state status;
    enum severity severity;
    const char *category;
    enum channel channel;
    const char *assignee;
    const char *department;
    const char *customer;
    const char *product;
    const char *title;
    const char *description;
} seeds[] = {
    {"KS20261118-0001", T0 + 1 * HOUR, WF_STATE_NEW, SEV_GENERAL, "product", CH_PHONE, "li",
     "qa-line1", "C001", "pedal", "脚踏芯轴断裂", "客户反映脚踏芯轴在骑行中断裂，有安全隐患"},
    {"KS20261118-0002", T0 + 2 * HOUR, WF_STATE_INVESTIGATING, SEV_SERIOUS, "product", CH_WECHAT,
     "wang", "qa", "C002", "bb", "中轴异响", "碗件中轴转动时有异响"},
    {"KS20261118-0003", T0 + 3 * HOUR, WF_STATE_CLOSED, SEV_GENERAL, "service", CH_EMAIL, "li",
     "sales", "C001", "pedal", "发货延迟", "订单发货比约定晚了三天"},
    {"KS20261118-0004", T0 + 4 * HOUR, WF_STATE_ASSIGNED, SEV_BATCH, "product", CH_PHONE, "zhao",
     "hq", "C003", "pedal", "批量不良", "整批脚踏断裂比例超过30%"},
    {"KS20261118-0005", T0 + 5 * HOUR, WF_STATE_NEW, SEV_NONE, "billing", CH_WEB, NULL, NULL,
     "C004", NULL, "发票金额错误", "Invoice amount wrong: 100%_off"},
    {"KS20261118-0006", T0 + 5 * HOUR, WF_STATE_REPLIED, SEV_GENERAL, "service", CH_SMS, "wang",
     "qa-line2", "C002", "bb", "服务态度差", "客服电话无人接听"},
};

static const struct {
    const char *code, *name, *parent;
} depts[] = {
    {"hq", "总部", NULL},           {"qa", "质量部", "hq"},    {"qa-line1", "一线质检", "qa"},
    {"qa-line2", "二线质检", "qa"}, {"sales", "销售部", "hq"},
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int64_t seed_id(int n)
{
    return n; /* rows are inserted in order into an empty table */
}

static void put_deadline(struct store_tx *tx, int64_t complaint_id, enum wf_state stage,
                         int64_t due, int64_t paused, int64_t met)
{
    struct stage_deadline d;
    struct ks_error err = {0};

    stage_deadline_init(&d);
    d.complaint_id = complaint_id;
    d.stage = stage;
    d.clock.started_at = T0;
    d.clock.period = (struct dl_period){DL_HOURS, 24};
    d.clock.due_at = due;
    d.clock.paused_at = paused;
    d.clock.met_at = met;
    ct_check(store_deadline_put(tx, &d, &err), &err);
    stage_deadline_release(&d);
}

static int seed_listing(void **state)
{
    struct ct_fx *fx;
    struct store_tx *tx;
    struct ks_error err = {0};

    ct_setup(state);
    fx = *state;
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    for (size_t i = 0; i < sizeof(depts) / sizeof(depts[0]); i++) {
        struct department d = {0};
        d.code = strdup(depts[i].code);
        d.name = strdup(depts[i].name);
        d.parent = dup_or_null(depts[i].parent);
        ct_check(store_department_insert(tx, &d, &err), &err);
        department_release(&d);
    }
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        const struct seed *s = &seeds[i];
        struct complaint c;
        complaint_init(&c);
        c.number = strdup(s->number);
        c.received_at = s->received;
        c.status = s->status;
        c.severity = s->severity;
        c.category = dup_or_null(s->category);
        c.channel = s->channel;
        c.assignee = dup_or_null(s->assignee);
        c.department = dup_or_null(s->department);
        c.customer_code = dup_or_null(s->customer);
        c.customer_name = th_fmt("客户%zu", i);
        c.product = dup_or_null(s->product);
        c.defect = i % 2 == 0 ? strdup("crack") : NULL;
        c.batch_no = i == 1 || i == 2 ? strdup("B7") : NULL;
        c.title = strdup(s->title);
        c.description = strdup(s->description);
        ct_check(store_complaint_insert(tx, &c, &err), &err);
        assert_int_equal(c.id, seed_id((int)i + 1));
        complaint_release(&c);
    }
    /* 0001 runs to +10h; 0002 met one stage late and runs to +20h; 0004 was paused before its
     * due time (+8h), 0006 after it (+9h), so only 0006 stays overdue while paused. */
    put_deadline(tx, seed_id(1), WF_STATE_NEW, T0 + 10 * HOUR, KS_TIME_NONE, KS_TIME_NONE);
    put_deadline(tx, seed_id(2), WF_STATE_ACCEPTED, T0 + 5 * HOUR, KS_TIME_NONE, T0 + 6 * HOUR);
    put_deadline(tx, seed_id(2), WF_STATE_INVESTIGATING, T0 + 20 * HOUR, KS_TIME_NONE,
                 KS_TIME_NONE);
    put_deadline(tx, seed_id(4), WF_STATE_ASSIGNED, T0 + 8 * HOUR, T0 + 7 * HOUR, KS_TIME_NONE);
    put_deadline(tx, seed_id(6), WF_STATE_REPLIED, T0 + 9 * HOUR, T0 + 12 * HOUR, KS_TIME_NONE);
    ct_commit(&tx);
    return 0;
}

/* The listed numbers' sequence parts, "0006,0005,...", read in pages of page_size rows (each
 * in its own transaction, resuming after the last number) or, for 0, as the filter says. */
static char *list_str(struct store *s, const struct complaint_filter *f0, int page_size)
{
    struct complaint_filter f = *f0;
    struct buf out;
    struct complaint row;
    char *last = NULL;
    int got;

    buf_init(&out, 4096);
    complaint_init(&row);
    if (page_size > 0)
        f.limit = page_size;
    do {
        struct store_tx *tx = ct_begin(s, STORE_TX_READ);
        struct store_iter *it = NULL;
        struct ks_error err = {0};
        int rc;

        f.after = last;
        ct_check(store_complaint_list(tx, &f, &it, &err), &err);
        got = 0;
        while ((rc = store_complaint_next(it, &row, &err)) == 1) {
            buf_addf(&out, "%s%s", out.len ? "," : "", row.number + 11);
            free(last);
            last = strdup(row.number);
            got++;
        }
        ct_check(rc, &err);
        store_iter_free(&it);
        ct_commit(&tx);
    } while (page_size > 0 && got == page_size);
    free(last);
    complaint_release(&row);
    return buf_detach(&out);
}

static void expect_list(struct store *s, const struct complaint_filter *f, const char *want)
{
    char *got = list_str(s, f, 0);
    if (strcmp(got, want) != 0)
        fail_msg("listed '%s', expected '%s'", got, want);
    free(got);
}

static void filters_each_select_their_rows(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint_filter f;

#define RESET() complaint_filter_init(&f)
    RESET();
    expect_list(fx->s, &f, "0006,0005,0004,0003,0002,0001");
    RESET(), f.status = WF_STATE_NEW;
    expect_list(fx->s, &f, "0005,0001");
    RESET(), f.open_only = true;
    expect_list(fx->s, &f, "0006,0005,0004,0002,0001");
    RESET(), f.severity = SEV_SERIOUS;
    expect_list(fx->s, &f, "0002");
    RESET(), f.severity = SEV_NONE;
    expect_list(fx->s, &f, "0005");
    RESET(), f.category = "product";
    expect_list(fx->s, &f, "0004,0002,0001");
    RESET(), f.channel = CH_PHONE;
    expect_list(fx->s, &f, "0004,0001");
    RESET(), f.assignee = "li";
    expect_list(fx->s, &f, "0003,0001");
    RESET(), f.customer = "C001";
    expect_list(fx->s, &f, "0003,0001");
    RESET(), f.customer = "客户4";
    expect_list(fx->s, &f, "0005");
    RESET(), f.product = "pedal";
    expect_list(fx->s, &f, "0004,0003,0001");
    RESET(), f.received_from = T0 + 2 * HOUR, f.received_to = T0 + 5 * HOUR;
    expect_list(fx->s, &f, "0004,0003,0002");
    RESET(), f.defect = "crack";
    expect_list(fx->s, &f, "0005,0003,0001");
    RESET(), f.batch_no = "B7";
    expect_list(fx->s, &f, "0003,0002");
    RESET(), f.defect = "crack", f.batch_no = "B7";
    expect_list(fx->s, &f, "0003");
    RESET(), f.category = "product", f.assignee = "li";
    expect_list(fx->s, &f, "0001");
}

/* A projection reads the fields asked for (and id, number) and leaves the rest unset. */
static void listing_reads_only_the_fields_asked_for(void **state)
{
    static const char *const names[] = {"category", "received_at", NULL};
    struct ct_fx *fx = *state;
    struct complaint_filter f;
    struct complaint c;
    struct store_iter *it = NULL;
    struct store_tx *tx;
    struct ks_error err = {0};

    complaint_filter_init(&f);
    ct_check(complaint_field_bits(names, &f.fields, &err), &err);
    f.sort = CS_RECEIVED_ASC;
    f.limit = 1;
    tx = ct_begin(fx->s, STORE_TX_READ);
    ct_check(store_complaint_list(tx, &f, &it, &err), &err);
    complaint_init(&c);
    assert_int_equal(store_complaint_next(it, &c, &err), 1);
    assert_string_equal(c.number, "KS20261118-0001");
    assert_int_equal(c.id, seed_id(1));
    assert_string_equal(c.category, "product");
    assert_int_equal(c.received_at, T0 + 1 * HOUR);
    assert_null(c.title);
    assert_null(c.assignee);
    assert_null(c.defect);
    complaint_release(&c);
    store_iter_free(&it);
    store_tx_rollback(&tx);
}

/* Text fields equal, NULL only as NULL. */
static void assert_same_text(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

/* One record refilled row after row (as a report reads a period) holds each row's own values:
 * text longer or shorter than the row before, or NULL after a value, and nothing of the fields
 * not asked for even when the record held a whole complaint before. */
static void a_reused_record_holds_each_rows_values(void **state)
{
    static const char *const names[] = {"title", "customer_code", "defect", "department", NULL};
    struct ct_fx *fx = *state;
    struct complaint_filter f;
    struct complaint full[6], row;
    struct store_iter *it = NULL;
    struct store_tx *tx;
    struct ks_error err = {0};
    int rc, n = 0;

    complaint_filter_init(&f);
    f.sort = CS_RECEIVED_ASC;
    complaint_init(&row);
    tx = ct_begin(fx->s, STORE_TX_READ);
    ct_check(store_complaint_list(tx, &f, &it, &err), &err);
    for (int i = 0; i < 6; i++) {
        complaint_init(&full[i]);
        assert_int_equal(store_complaint_next(it, &full[i], &err), 1);
    }
    assert_int_equal(store_complaint_next(it, &row, &err), 0);
    store_iter_free(&it);

    complaint_copy(&row, &full[5]);
    ct_check(complaint_field_bits(names, &f.fields, &err), &err);
    ct_check(store_complaint_list(tx, &f, &it, &err), &err);
    while ((rc = store_complaint_next(it, &row, &err)) == 1) {
        assert_true(n < 6);
        assert_string_equal(row.number, full[n].number);
        assert_same_text(row.title, full[n].title);
        assert_same_text(row.customer_code, full[n].customer_code);
        assert_same_text(row.defect, full[n].defect);
        assert_same_text(row.department, full[n].department);
        assert_null(row.description);
        assert_null(row.customer_name);
        assert_null(row.category);
        assert_int_equal(row.status, WF_STATE_NEW);
        n++;
    }
    ct_check(rc, &err);
    assert_int_equal(n, 6);
    assert_null(row.number);
    assert_null(row.title);
    store_iter_free(&it);
    store_tx_rollback(&tx);
    for (int i = 0; i < 6; i++)
        complaint_release(&full[i]);
}

/* report_read() (src/report/read.c) lists a period a week at a time on a reader thread, in
 * one read transaction of the store, while the calling thread builds; here on each backend.
 * Thirteen weeks are more slices than the reader may read ahead, and every complaint and stage
 * clock is counted once, in the first weeks read by their dense id range and in the later ones,
 * whose complaints were registered among many of another year, by their received times; a
 * stored value this kesu does not know, in a late week, fails the report naming the complaint
 * instead of leaving a thread waiting. */
static void report_reads_a_period_in_slices_on_a_reader_thread(void **state)
{
    static const struct dl_zone zone = {.utc_offset_min = 480, .business_close_min = -1};
    const int64_t june1 = 1780279200LL; /* 2026-06-01T10:00:00+08:00 */
    struct ct_fx *fx = *state;
    struct report_source src = {.store = fx->s, .zone = &zone, .as_of = T0};
    struct report_period p;
    struct report r;
    struct store_tx *tx;
    struct ks_error err = {0};
    int64_t days = 0, running = 0;

    tx = ct_begin(fx->s, STORE_TX_WRITE);
    for (int i = 0; i < 46; i++) {
        struct complaint c;
        complaint_init(&c);
        c.received_at = june1 + (int64_t)i * 2 * 86400;
        c.number = th_fmt("KS2026%04d-0001", 601 + i); /* unique; the date is not checked */
        c.title = strdup("脚踏异响");
        ct_check(store_complaint_insert(tx, &c, &err), &err);
        put_deadline(tx, c.id, WF_STATE_NEW, T0 + 24 * HOUR, KS_TIME_NONE, KS_TIME_NONE);
        complaint_release(&c);
        for (int k = 0; i >= 23 && k < 40; k++) {
            complaint_init(&c);
            c.received_at = june1 - 700 * 86400LL;
            c.number = th_fmt("KS2024%04d-%04d", i, k + 1);
            ct_check(store_complaint_insert(tx, &c, &err), &err);
            put_deadline(tx, c.id, WF_STATE_NEW, T0, KS_TIME_NONE, KS_TIME_NONE);
            complaint_release(&c);
        }
    }
    ct_commit(&tx);

    ct_check(report_period_range("2026-06-01", "2026-08-31", &p, &err), &err);
    report_init(&r);
    ct_check(report_read(&src, &p, NULL, &r, &err), &err);
    assert_int_equal(r.volume.received, 46);
    assert_int_equal(r.volume.n_days, 92);
    for (size_t i = 0; i < r.volume.n_days; i++) {
        assert_int_equal(r.volume.daily[i], i % 2 == 0);
        days += r.volume.daily[i];
    }
    assert_int_equal(days, 46);
    for (size_t i = 0; i < r.n_timing; i++)
        if (r.timing[i].stage == WF_STATE_NEW)
            running = r.timing[i].running;
    assert_int_equal(running, 46);
    assert_true(r.volume.has_prev && r.volume.has_yoy);
    assert_int_equal(r.volume.prev_received, 0);

    contract_backend.exec(fx, "UPDATE complaints SET channel = 'fax'"
                              " WHERE number = 'KS20260641-0001'");
    assert_int_equal(report_read(&src, &p, NULL, &r, &err), KS_EINTERNAL);
    assert_non_null(strstr(err.message, "KS20260641-0001"));
    assert_non_null(strstr(err.message, "fax"));
    report_release(&r);
}

static void department_filter_takes_the_subtree(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint_filter f;

    complaint_filter_init(&f);
    f.department = "qa";
    expect_list(fx->s, &f, "0006,0002,0001");
    f.department = "hq";
    expect_list(fx->s, &f, "0006,0004,0003,0002,0001");
    f.department = "qa-line1";
    expect_list(fx->s, &f, "0001");
    f.department = "nowhere";
    expect_list(fx->s, &f, "");
    /* A handler also sees what is assigned to them outside their department. */
    f.department = "qa-line1";
    f.or_assignee = "li";
    expect_list(fx->s, &f, "0003,0001");
    f.or_assignee = "nobody";
    expect_list(fx->s, &f, "0001");
}

static void chinese_text_search(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint_filter f;

    complaint_filter_init(&f);
    f.text = "断裂"; /* 2 characters: the trigrams that begin with it */
    expect_list(fx->s, &f, "0004,0001");
    f.text = "芯轴断裂"; /* 4 characters: trigram index */
    expect_list(fx->s, &f, "0001");
    f.text = "异响";
    expect_list(fx->s, &f, "0002");
    f.text = "脚踏 断裂"; /* every word must appear */
    expect_list(fx->s, &f, "0004,0001");
    f.text = "芯轴断裂\xe3\x80\x80安全"; /* ideographic space; a long and a short word */
    expect_list(fx->s, &f, "0001");
    f.text = "INVOICE";
    expect_list(fx->s, &f, "0005");
    f.text = "%_"; /* wildcards are literal */
    expect_list(fx->s, &f, "0005");
    f.text = "\"100%";
    expect_list(fx->s, &f, "");
    f.text = "退款";
    expect_list(fx->s, &f, "");
    f.text = "  ";
    expect_list(fx->s, &f, "0006,0005,0004,0003,0002,0001");
}

static void text_search_follows_edits(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint_filter f;

    ct_set_text(fx->s, "KS20261118-0003", NULL, "客户称链条断裂后发货延迟");

    complaint_filter_init(&f);
    f.text = "链条断裂";
    expect_list(fx->s, &f, "0003");
    f.text = "晚了三天";
    expect_list(fx->s, &f, "");
}

/* A search lists in registration order (the index's order), whatever received_at says, and
 * its pages concatenate to the whole list in every sort. */
static void text_search_pages_in_registration_order(void **state)
{
    struct ct_fx *fx = *state;
    const enum complaint_sort sorts[] = {CS_RECEIVED_DESC, CS_RECEIVED_ASC, CS_DUE_ASC};
    const char *texts[] = {"芯轴断裂", "断裂", "脚踏 断裂"};
    struct complaint_filter f;
    struct complaint c;
    struct store_tx *tx;
    struct ks_error err = {0};

    complaint_init(&c);
    c.number = strdup("KS20261118-0007");
    c.received_at = T0; /* registered last, received first */
    c.title = strdup("脚踏芯轴断裂返修");
    c.description = strdup("返修后再次断裂");
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    ct_check(store_complaint_insert(tx, &c, &err), &err);
    ct_commit(&tx);
    complaint_release(&c);

    complaint_filter_init(&f);
    f.text = "芯轴断裂";
    expect_list(fx->s, &f, "0007,0001");
    f.text = "断裂";
    expect_list(fx->s, &f, "0007,0004,0001");
    f.sort = CS_RECEIVED_ASC;
    expect_list(fx->s, &f, "0001,0004,0007");
    f.text = "芯轴断裂";
    expect_list(fx->s, &f, "0001,0007");
    f.sort = CS_DUE_ASC; /* 0007 has no open clock: last */
    expect_list(fx->s, &f, "0001,0007");
    f.text = NULL;
    f.sort = CS_RECEIVED_DESC; /* without a search, received_at orders */
    expect_list(fx->s, &f, "0006,0005,0004,0003,0002,0001,0007");

    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
        for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
            char *whole;
            complaint_filter_init(&f);
            f.sort = sorts[i];
            f.text = texts[t];
            whole = list_str(fx->s, &f, 0);
            for (int size = 1; size <= 4; size++) {
                char *paged = list_str(fx->s, &f, size);
                if (strcmp(paged, whole) != 0)
                    fail_msg("sort %d, text '%s', pages of %d: '%s', whole list '%s'",
                             (int)sorts[i], texts[t], size, paged, whole);
                free(paged);
            }
            free(whole);
        }
    }
}

/* A plain LIKE '%word%' over title or description: ASCII letters compare without case. */
static bool like_either(const char *title, const char *description, const char *word)
{
    const char *fields[] = {title, description};

    for (size_t i = 0; i < 2; i++) {
        size_t wl = strlen(word);
        for (const char *p = fields[i]; p && *p; p++) {
            size_t k = 0;
            while (k < wl && p[k] &&
                   (p[k] | (p[k] >= 'A' && p[k] <= 'Z' ? 0x20 : 0)) ==
                       (word[k] | (word[k] >= 'A' && word[k] <= 'Z' ? 0x20 : 0)))
                k++;
            if (k == wl)
                return true;
        }
    }
    return false;
}

/* A 2-character word is found at the start, in the middle and at the very end of a title or a
 * description (Chinese and ASCII, whatever the case of the letters), never across two fields or
 * a gap, lists the rows a plain LIKE lists, in the same order and pages, and follows edits. */
static void two_character_words_found_anywhere(void **state)
{
    static const char *const texts[][2] = {
        {"断裂在前", "说明"},
        {"芯轴断裂后返修", NULL},
        {"脚踏断裂", "无"},
        {"说明", "断裂"},
        {"说明", "客户称链条断裂"},
        {"断 裂", "断"},
        {"断", "裂"},
        {"Gear ab", "x"},
        {"ABC", "y"},
        {"x", "cabd"},
        {"a", "b"},
        {"价格涨1%", "说明"},
        {"价格涨1", "%说明"},
        {"say a\"", "z"},
        {"断裂断裂", "断裂"},
    };
    static const char *const words[] = {"断裂", "ab",   "AB",  "aB",   "1%", "a\"",
                                        "断",   "说明", "涨1", "裂后", "xx", "\"1"};
    struct ct_fx *fx = *state;
    size_t n = sizeof(texts) / sizeof(texts[0]);
    struct complaint_filter f;
    struct store_tx *tx;
    struct ks_error err = {0};
    struct complaint c;

    tx = ct_begin(fx->s, STORE_TX_WRITE);
    for (size_t i = 0; i < n; i++) {
        complaint_init(&c);
        c.number = th_fmt("KS20261118-%04zu", i + 1);
        c.received_at = T0 + (int64_t)i;
        c.title = strdup(texts[i][0]);
        c.description = texts[i][1] ? strdup(texts[i][1]) : NULL;
        ct_check(store_complaint_insert(tx, &c, &err), &err);
        complaint_release(&c);
    }
    ct_commit(&tx);

    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        const enum complaint_sort sorts[] = {CS_RECEIVED_DESC, CS_RECEIVED_ASC};
        for (size_t o = 0; o < 2; o++) {
            struct buf want;
            char *whole;

            buf_init(&want, 4096);
            for (size_t k = 0; k < n; k++) {
                size_t i = o == 0 ? n - 1 - k : k;
                if (like_either(texts[i][0], texts[i][1], words[w]))
                    buf_addf(&want, "%s%04zu", want.len ? "," : "", i + 1);
            }
            complaint_filter_init(&f);
            f.text = words[w];
            f.sort = sorts[o];
            whole = list_str(fx->s, &f, 0);
            if (strcmp(whole, buf_str(&want)) != 0)
                fail_msg("'%s': listed '%s', LIKE lists '%s'", words[w], whole, buf_str(&want));
            f.text_scan = true; /* surge detection's way: the same rows without the index */
            {
                char *scanned = list_str(fx->s, &f, 0);
                if (strcmp(scanned, whole) != 0)
                    fail_msg("'%s': scanned '%s', through the index '%s'", words[w], scanned,
                             whole);
                free(scanned);
            }
            f.text_scan = false;
            for (int size = 1; size <= 3; size++) {
                char *paged = list_str(fx->s, &f, size);
                if (strcmp(paged, whole) != 0)
                    fail_msg("'%s', pages of %d: '%s', whole list '%s'", words[w], size, paged,
                             whole);
                free(paged);
            }
            free(whole);
            buf_release(&want);
        }
    }
    complaint_filter_init(&f);
    f.text = "断裂 说明"; /* both words */
    expect_list(fx->s, &f, "0005,0004,0001");
    f.text = "芯轴断裂 后返"; /* a trigram word and a 2-character one */
    expect_list(fx->s, &f, "0002");

    /* The old text leaves the index, the new one is found at its end. */
    ct_set_text(fx->s, "KS20261118-0005", NULL, "已更正");
    f.text = "断裂";
    expect_list(fx->s, &f, "0015,0004,0003,0002,0001");
    f.text = "更正";
    expect_list(fx->s, &f, "0005");
    f.text = "链条";
    expect_list(fx->s, &f, "");

    /* A word followed by very many different characters is still found (by LIKE). */
    {
        struct buf title;
        buf_init(&title, 4096);
        for (int k = 0; k < 150; k++)
            buf_addf(&title, "断裂%c%c%c", 0xE4, 0xB8 + k / 64, 0x80 + k % 64);
        complaint_init(&c);
        c.number = strdup("KS20261118-0016");
        c.received_at = T0;
        c.title = buf_detach(&title);
        tx = ct_begin(fx->s, STORE_TX_WRITE);
        ct_check(store_complaint_insert(tx, &c, &err), &err);
        ct_commit(&tx);
        complaint_release(&c);
    }
    f.text = "断裂";
    expect_list(fx->s, &f, "0016,0015,0004,0003,0002,0001");
    f.text = "裂丁 断裂"; /* U+4E01 follows 断裂 there */
    expect_list(fx->s, &f, "0016");
}

static void insert_repeat(struct store_tx *tx, const char *number, const char *code,
                          const char *name, const char *defect, int64_t received,
                          enum wf_state status)
{
    struct complaint c;
    struct ks_error err = {0};

    complaint_init(&c);
    c.number = strdup(number);
    c.customer_code = dup_or_null(code);
    c.customer_name = strdup(name);
    c.defect = strdup(defect);
    c.received_at = received;
    c.status = status;
    c.title = strdup("t");
    c.description = strdup("d");
    ct_check(store_complaint_insert(tx, &c, &err), &err);
    complaint_release(&c);
}

/* The repeat rule's count: by code or exact name, same defect, inside [from, to), not merged. */
static void repeats_are_counted_by_customer_defect_and_month(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx;
    struct ks_error err = {0};
    int n = -1;

    tx = ct_begin(fx->s, STORE_TX_WRITE);
    insert_repeat(tx, "KS20261118-0001", "C001", "甲公司", "芯轴断裂", T0, WF_STATE_NEW);
    insert_repeat(tx, "KS20261118-0002", NULL, "C001", "芯轴断裂", T0 + HOUR, WF_STATE_CLOSED);
    insert_repeat(tx, "KS20261118-0003", "C001", "甲公司", "芯轴断裂", T0, WF_STATE_MERGED);
    insert_repeat(tx, "KS20261118-0004", "C001", "甲公司", "异响", T0, WF_STATE_NEW);
    insert_repeat(tx, "KS20261118-0005", "C002", "乙公司", "芯轴断裂", T0, WF_STATE_NEW);
    insert_repeat(tx, "KS20261118-0006", "C001", "甲公司", "芯轴断裂", T0 + 30 * 24 * HOUR,
                  WF_STATE_NEW);
    ct_check(store_complaint_count_repeats(tx, "C001", "芯轴断裂", T0, T0 + 24 * HOUR, &n, &err),
             &err);
    assert_int_equal(n, 2);
    ct_check(store_complaint_count_repeats(tx, "甲公司", "芯轴断裂", T0, T0 + 24 * HOUR, &n, &err),
             &err);
    assert_int_equal(n, 1);
    ct_check(
        store_complaint_count_repeats(tx, "C001", "芯轴断裂", T0 + 1, T0 + 24 * HOUR, &n, &err),
        &err);
    assert_int_equal(n, 1);
    ct_check(store_complaint_count_repeats(tx, "C009", "芯轴断裂", T0, T0 + 24 * HOUR, &n, &err),
             &err);
    assert_int_equal(n, 0);
    ct_commit(&tx);
}

static int64_t count_of(struct store *s, const struct complaint_filter *f)
{
    struct store_tx *tx = ct_begin(s, STORE_TX_READ);
    struct ks_error err = {0};
    int64_t n = -1;

    ct_check(store_complaint_count(tx, f, &n, &err), &err);
    ct_commit(&tx);
    return n;
}

/* A count is the length of the listing it stands for, without reading the rows. */
static void counts_match_the_listings(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint_filter f;

    complaint_filter_init(&f);
    assert_int_equal(count_of(fx->s, &f), 6);
    f.status = WF_STATE_NEW;
    assert_int_equal(count_of(fx->s, &f), 2);
    complaint_filter_init(&f);
    f.department = "hq";
    assert_int_equal(count_of(fx->s, &f), 5);
    f.text = "断裂";
    assert_int_equal(count_of(fx->s, &f), 2);
    complaint_filter_init(&f);
    f.text = "芯轴断裂";
    assert_int_equal(count_of(fx->s, &f), 1);
    complaint_filter_init(&f);
    f.received_from = T0 + 2 * HOUR;
    f.received_to = T0 + 5 * HOUR;
    assert_int_equal(count_of(fx->s, &f), 3);
    f.limit = 2;
    assert_int_equal(count_of(fx->s, &f), 2);
}

static void overdue_and_due_before_use_open_clocks(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint_filter f;
    struct store_iter *it = NULL;
    struct store_tx *tx;
    struct ks_error err = {0};

    complaint_filter_init(&f);
    f.overdue = true;
    f.now = T0 + 15 * HOUR;
    expect_list(fx->s, &f, "0006,0001");
    f.now = T0 + 21 * HOUR;
    expect_list(fx->s, &f, "0006,0002,0001");
    f.now = T0 + 1 * HOUR;
    expect_list(fx->s, &f, "");

    complaint_filter_init(&f);
    f.due_before = T0 + 9 * HOUR + 1;
    expect_list(fx->s, &f, "0006,0004");

    /* overdue needs a clock */
    complaint_filter_init(&f);
    f.overdue = true;
    tx = ct_begin(fx->s, STORE_TX_READ);
    assert_int_equal(store_complaint_list(tx, &f, &it, &err), KS_EINVAL);
    assert_null(it);
    store_tx_rollback(&tx);
}

static void sort_orders_break_ties_by_id(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint_filter f;

    complaint_filter_init(&f);
    f.sort = CS_RECEIVED_ASC;
    expect_list(fx->s, &f, "0001,0002,0003,0004,0005,0006");
    f.sort = CS_DUE_ASC;
    expect_list(fx->s, &f, "0004,0006,0001,0002,0003,0005");
    f.sort = CS_RECEIVED_DESC;
    f.limit = 2;
    expect_list(fx->s, &f, "0006,0005");
}

static void pages_concatenate_to_the_full_list(void **state)
{
    struct ct_fx *fx = *state;
    const enum complaint_sort sorts[] = {CS_RECEIVED_DESC, CS_RECEIVED_ASC, CS_DUE_ASC};
    struct complaint_filter f;

    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
        for (int filtered = 0; filtered < 2; filtered++) {
            char *whole;
            complaint_filter_init(&f);
            f.sort = sorts[i];
            if (filtered)
                f.department = "hq";
            whole = list_str(fx->s, &f, 0);
            for (int size = 1; size <= 7; size++) {
                char *paged = list_str(fx->s, &f, size);
                if (strcmp(paged, whole) != 0)
                    fail_msg("sort %d, pages of %d: '%s', whole list '%s'", (int)sorts[i], size,
                             paged, whole);
                free(paged);
            }
            free(whole);
        }
    }
}

static void unknown_cursor_is_refused(void **state)
{
    struct ct_fx *fx = *state;
    struct complaint_filter f;
    struct store_iter *it = NULL;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_READ);
    struct ks_error err = {0};

    complaint_filter_init(&f);
    f.after = "KS20991231-9999";
    assert_int_equal(store_complaint_list(tx, &f, &it, &err), KS_EINVAL);
    assert_string_equal(err.field, "after");
    store_tx_rollback(&tx);
}

/* ---- events and deadlines -------------------------------------------------------------- */

static void events_append_and_list_in_order(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct event ev, *evs = NULL;
    struct ks_error err = {0};
    size_t n = 0;
    const struct {
        int64_t at;
        const char *kind;
        int from, to;
        const char *note, *details;
    } rows[] = {
        {T0, EV_CREATED, -1, WF_STATE_NEW, "登记", NULL},
        {T0 + 60, EV_TRANSITION, WF_STATE_NEW, WF_STATE_ACCEPTED, NULL, "{\"by\":\"李\"}"},
        {T0 + 60, EV_COMMENT, -1, -1, "已电话联系客户", NULL},
        {T0 + 120, EV_TRANSITION, WF_STATE_ACCEPTED, WF_STATE_ASSIGNED, NULL, "{}"},
    };

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        event_init(&ev);
        ev.complaint_id = seed_id(1);
        ev.at = rows[i].at;
        ev.actor = strdup("li");
        ev.kind = strdup(rows[i].kind);
        ev.from_state = rows[i].from;
        ev.to_state = rows[i].to;
        ev.note = dup_or_null(rows[i].note);
        ev.details = dup_or_null(rows[i].details);
        ct_check(store_event_append(tx, &ev, &err), &err);
        assert_true(ev.id > 0);
        event_release(&ev);
    }
    event_init(&ev);
    ev.complaint_id = seed_id(1);
    ev.at = T0;
    ev.actor = strdup("li");
    ev.kind = strdup(EV_EDIT);
    ev.details = strdup("{not json");
    assert_int_equal(store_event_append(tx, &ev, &err), KS_EINVAL);
    assert_string_equal(err.field, "details");
    ev.complaint_id = 999;
    free(ev.details);
    ev.details = NULL;
    assert_int_equal(store_event_append(tx, &ev, &err), KS_ENOTFOUND);
    event_release(&ev);
    ct_commit(&tx);

    tx = ct_begin(fx->s, STORE_TX_READ);
    ct_check(store_event_list(tx, seed_id(1), &evs, &n, &err), &err);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_true(evs[i].at == rows[i].at);
        assert_string_equal(evs[i].kind, rows[i].kind);
        assert_string_equal(evs[i].actor, "li");
        assert_int_equal(evs[i].from_state, rows[i].from);
        assert_int_equal(evs[i].to_state, rows[i].to);
        if (rows[i].note)
            assert_string_equal(evs[i].note, rows[i].note);
        else
            assert_null(evs[i].note);
        if (rows[i].details)
            assert_string_equal(evs[i].details, rows[i].details);
        else
            assert_null(evs[i].details);
    }
    event_array_free(&evs, n);
    assert_null(evs);
    ct_check(store_event_list(tx, seed_id(2), &evs, &n, &err), &err);
    assert_int_equal(n, 0);
    ct_commit(&tx);
}

static void deadlines_put_and_list(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct stage_deadline d, *ds = NULL;
    struct ks_error err = {0};
    size_t n = 0;

    ct_check(store_deadline_list(tx, seed_id(2), &ds, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_int_equal(ds[0].stage, WF_STATE_ACCEPTED);
    assert_int_equal(ds[1].stage, WF_STATE_INVESTIGATING);
    assert_true(ds[1].clock.met_at == KS_TIME_NONE);

    /* Meet the open clock and record the sweeper's marks. */
    d = ds[1];
    d.rule = strdup("调查 5 个工作日");
    d.clock.met_at = T0 + 30 * HOUR;
    d.clock.period = (struct dl_period){DL_WORKDAYS, 10};
    d.clock.extended = true;
    d.clock.paused_secs = 7200;
    d.breached = true;
    d.warned = 2;
    d.escalated = 1;
    ds[1].rule = NULL; /* moved to d */
    ct_check(store_deadline_put(tx, &d, &err), &err);
    stage_deadline_release(&d);
    stage_deadline_array_free(&ds, n);

    stage_deadline_init(&d);
    d.id = 999;
    d.complaint_id = seed_id(2);
    d.clock.started_at = T0;
    d.clock.due_at = T0;
    assert_int_equal(store_deadline_put(tx, &d, &err), KS_ENOTFOUND);
    ct_commit(&tx);

    tx = ct_begin(fx->s, STORE_TX_READ);
    ct_check(store_deadline_list(tx, seed_id(2), &ds, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_true(ds[1].clock.met_at == T0 + 30 * HOUR);
    assert_true(ds[1].clock.due_at == T0 + 20 * HOUR);
    assert_true(ds[1].clock.started_at == T0);
    assert_true(ds[1].clock.paused_at == KS_TIME_NONE);
    assert_true(ds[1].clock.paused_secs == 7200);
    assert_int_equal(ds[1].clock.period.unit, DL_WORKDAYS);
    assert_int_equal(ds[1].clock.period.n, 10);
    assert_true(ds[1].clock.extended);
    assert_true(ds[1].breached);
    assert_int_equal(ds[1].warned, 2);
    assert_int_equal(ds[1].escalated, 1);
    assert_string_equal(ds[1].rule, "调查 5 个工作日");
    stage_deadline_array_free(&ds, n);
    ct_commit(&tx);

    /* A met clock no longer counts as overdue. */
    {
        struct complaint_filter f;
        complaint_filter_init(&f);
        f.overdue = true;
        f.now = T0 + 40 * HOUR;
        expect_list(fx->s, &f, "0006,0001");
    }
}

/* ---- users, departments, settings -------------------------------------------------------- */

static void add_event(struct store_tx *tx, int64_t complaint_id, int64_t at, const char *kind,
                      int from, int to)
{
    struct event ev;
    struct ks_error err = {0};

    event_init(&ev);
    ev.complaint_id = complaint_id;
    ev.at = at;
    ev.actor = strdup("li");
    ev.kind = strdup(kind);
    ev.from_state = from;
    ev.to_state = to;
    ev.details = strdup("{}");
    ct_check(store_event_append(tx, &ev, &err), &err);
    event_release(&ev);
}

/* The report's set-based read of stage clocks: those of every complaint received in the
 * range, ordered by complaint, with what a report judges (the rest left unset). */
static void period_reads_cover_the_received_range(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_READ);
    struct stage_deadline *dls = NULL;
    struct ks_error err = {0};
    size_t n = 0;

    /* 0001 and 0002 are received at T0 + 1h and + 2h; 0004 at + 4h is outside. */
    ct_check(store_deadline_list_received(tx, T0, T0 + 3 * HOUR, &dls, &n, &err), &err);
    assert_int_equal(n, 3);
    assert_int_equal(dls[0].complaint_id, seed_id(1));
    assert_int_equal(dls[1].complaint_id, seed_id(2));
    assert_int_equal(dls[1].stage, WF_STATE_ACCEPTED);
    assert_true(dls[1].clock.started_at == T0);
    assert_true(dls[1].clock.due_at == T0 + 5 * HOUR);
    assert_true(dls[1].clock.met_at == T0 + 6 * HOUR);
    assert_true(dls[1].clock.paused_at == KS_TIME_NONE);
    assert_false(dls[1].breached);
    assert_null(dls[1].rule);
    assert_int_equal(dls[2].stage, WF_STATE_INVESTIGATING);
    assert_true(dls[2].clock.met_at == KS_TIME_NONE);
    stage_deadline_array_free(&dls, n);
    ct_check(store_deadline_list_received(tx, T0 + 5 * HOUR, T0 + 6 * HOUR, &dls, &n, &err), &err);
    assert_int_equal(n, 1); /* 0006; 0005 has no clock */
    assert_int_equal(dls[0].complaint_id, seed_id(6));
    assert_true(dls[0].clock.paused_at == T0 + 12 * HOUR);
    stage_deadline_array_free(&dls, n);
    ct_commit(&tx);
}

/* By a range of complaint ids: the same clocks, in the same order and with the same columns, as
 * by the received times of the same complaints; the whole-complaint limit is not among them. */
static void clocks_by_id_range_match_the_received_read(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct stage_deadline whole, *a = NULL, *b = NULL;
    struct ks_error err = {0};
    size_t na = 0, nb = 0;

    stage_deadline_init(&whole);
    whole.complaint_id = seed_id(2);
    whole.stage = WF_STATE_NEW;
    whole.whole = true;
    whole.clock.started_at = T0;
    whole.clock.period = (struct dl_period){DL_WORKDAYS, 30};
    whole.clock.due_at = T0 + 900 * HOUR;
    ct_check(store_deadline_put(tx, &whole, &err), &err);
    stage_deadline_release(&whole);
    ct_commit(&tx);

    tx = ct_begin(fx->s, STORE_TX_READ);
    ct_check(store_deadline_list_received(tx, T0, T0 + 3 * HOUR, &a, &na, &err), &err);
    ct_check(store_deadline_list_ids(tx, seed_id(1), seed_id(2), &b, &nb, &err), &err);
    assert_int_equal(na, 3);
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(b[i].complaint_id, a[i].complaint_id);
        assert_int_equal(b[i].stage, a[i].stage);
        assert_true(b[i].clock.started_at == a[i].clock.started_at);
        assert_true(b[i].clock.due_at == a[i].clock.due_at);
        assert_true(b[i].clock.paused_at == a[i].clock.paused_at);
        assert_true(b[i].clock.met_at == a[i].clock.met_at);
        assert_int_equal(b[i].breached, a[i].breached);
        assert_false(b[i].whole);
    }
    stage_deadline_array_free(&a, na);
    stage_deadline_array_free(&b, nb);
    ct_check(store_deadline_list_ids(tx, seed_id(5), seed_id(6), &b, &nb, &err), &err);
    assert_int_equal(nb, 1);
    assert_int_equal(b[0].complaint_id, seed_id(6));
    stage_deadline_array_free(&b, nb);
    ct_check(store_deadline_list_ids(tx, seed_id(6) + 1, seed_id(6) + 100, &b, &nb, &err), &err);
    assert_int_equal(nb, 0);
    assert_null(b);
    ct_commit(&tx);
}

/* 0003 (closed) was closed, reopened and closed again; 0002 (investigating) was reopened
 * after a reply; 0006 only has a comment. */
static void append_closing_timeline(struct store *s)
{
    struct store_tx *tx = ct_begin(s, STORE_TX_WRITE);

    add_event(tx, seed_id(3), T0 + 10 * HOUR, EV_TRANSITION, WF_STATE_REPLIED, WF_STATE_CLOSED);
    add_event(tx, seed_id(2), T0 + 10 * HOUR, EV_TRANSITION, WF_STATE_NEW, WF_STATE_ACCEPTED);
    add_event(tx, seed_id(3), T0 + 11 * HOUR, EV_TRANSITION, WF_STATE_CLOSED,
              WF_STATE_INVESTIGATING);
    add_event(tx, seed_id(2), T0 + 11 * HOUR, EV_TRANSITION, WF_STATE_REPLIED,
              WF_STATE_INVESTIGATING);
    add_event(tx, seed_id(3), T0 + 12 * HOUR, EV_TRANSITION, WF_STATE_FOLLOW_UP, WF_STATE_CLOSED);
    add_event(tx, seed_id(3), T0 + 13 * HOUR, EV_COMMENT, -1, -1);
    add_event(tx, seed_id(6), T0 + 13 * HOUR, EV_COMMENT, -1, -1);
    ct_commit(&tx);
}

/* Lists every seed with its closing (fields: a complaint_field_bits() list, NULL for all) and
 * checks what append_closing_timeline() left. */
static void expect_closing(struct store *s, const char *const *fields)
{
    struct store_tx *tx = ct_begin(s, STORE_TX_READ);
    struct complaint_filter f;
    struct complaint_closing cl;
    struct store_iter *it = NULL;
    struct ks_error err = {0};
    struct complaint c;
    int n = 0, rc;

    complaint_filter_init(&f);
    f.closing = true;
    f.sort = CS_RECEIVED_ASC;
    if (fields)
        ct_check(complaint_field_bits(fields, &f.fields, &err), &err);
    ct_check(store_complaint_list(tx, &f, &it, &err), &err);
    complaint_init(&c);
    while ((rc = store_complaint_next_closing(it, &c, &cl, &err)) == 1) {
        n++;
        if (c.id == seed_id(3)) {
            assert_int_equal(c.status, WF_STATE_CLOSED);
            assert_true(cl.closed_at == T0 + 12 * HOUR);
            assert_int_equal(cl.reopened, 1);
        } else if (c.id == seed_id(2)) {
            assert_true(cl.closed_at == KS_TIME_NONE);
            assert_int_equal(cl.reopened, 1);
        } else {
            assert_true(cl.closed_at == KS_TIME_NONE);
            assert_int_equal(cl.reopened, 0);
        }
    }
    ct_check(rc, &err);
    assert_int_equal(n, 6);
    complaint_release(&c);
    store_iter_free(&it);
    ct_commit(&tx);
}

/* The store keeps closed_at and the reopen count as transitions are appended: set when
 * closed, cleared and counted when reopened, set again at the second close; edits of the
 * complaint leave them alone. */
static void transitions_keep_the_closing_time_and_reopens(void **state)
{
    static const char *const status_only[] = {"status", NULL};
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct complaint_filter f;
    struct complaint_closing cl;
    struct store_iter *it = NULL;
    struct ks_error err = {0};
    struct complaint c;

    add_event(tx, seed_id(3), T0 + 10 * HOUR, EV_TRANSITION, WF_STATE_REPLIED, WF_STATE_CLOSED);
    ct_commit(&tx);
    tx = ct_begin(fx->s, STORE_TX_READ);
    complaint_filter_init(&f);
    f.closing = true;
    f.customer = "C001";
    f.sort = CS_RECEIVED_ASC;
    ct_check(store_complaint_list(tx, &f, &it, &err), &err);
    complaint_init(&c);
    assert_int_equal(store_complaint_next_closing(it, &c, &cl, &err), 1); /* 0001 */
    assert_true(cl.closed_at == KS_TIME_NONE);
    assert_int_equal(store_complaint_next_closing(it, &c, &cl, &err), 1); /* 0003 */
    assert_string_equal(c.number, "KS20261118-0003");
    assert_true(cl.closed_at == T0 + 10 * HOUR);
    assert_int_equal(cl.reopened, 0);
    assert_int_equal(store_complaint_next_closing(it, &c, &cl, &err), 0);
    store_iter_free(&it);
    ct_commit(&tx);

    complaint_release(&c);
    ct_set_text(fx->s, "KS20261118-0003", "发货延迟（已结案）", NULL);

    /* Without the first close (already appended) the rest of the timeline. */
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    add_event(tx, seed_id(2), T0 + 10 * HOUR, EV_TRANSITION, WF_STATE_NEW, WF_STATE_ACCEPTED);
    add_event(tx, seed_id(3), T0 + 11 * HOUR, EV_TRANSITION, WF_STATE_CLOSED,
              WF_STATE_INVESTIGATING);
    add_event(tx, seed_id(2), T0 + 11 * HOUR, EV_TRANSITION, WF_STATE_REPLIED,
              WF_STATE_INVESTIGATING);
    ct_commit(&tx);
    tx = ct_begin(fx->s, STORE_TX_READ);
    f.customer = NULL;
    ct_check(store_complaint_list(tx, &f, &it, &err), &err);
    while (store_complaint_next_closing(it, &c, &cl, &err) == 1)
        if (c.id == seed_id(3)) {
            assert_true(cl.closed_at == KS_TIME_NONE); /* reopened: not closed */
            assert_int_equal(cl.reopened, 1);
        }
    complaint_release(&c);
    store_iter_free(&it);
    ct_commit(&tx);

    tx = ct_begin(fx->s, STORE_TX_WRITE);
    add_event(tx, seed_id(3), T0 + 12 * HOUR, EV_TRANSITION, WF_STATE_FOLLOW_UP, WF_STATE_CLOSED);
    add_event(tx, seed_id(3), T0 + 13 * HOUR, EV_COMMENT, -1, -1);
    add_event(tx, seed_id(6), T0 + 13 * HOUR, EV_COMMENT, -1, -1);
    ct_commit(&tx);
    expect_closing(fx->s, NULL);
    expect_closing(fx->s, status_only);
}

/* A database made before schema 6 gets closed_at and the reopen counts from its timeline when
 * it is migrated: the migration's answer is the one the store keeps while appending. */
static void migration_fills_the_closing_from_the_timeline(void **state)
{
    struct ct_fx *fx = *state;
    struct ks_error err = {0};
    int from = 0, to = 0;

    append_closing_timeline(fx->s);
    expect_closing(fx->s, NULL);
    store_close(&fx->s);
    /* Back to schema 5 with the timeline kept. */
    contract_backend.exec(fx, "DROP INDEX complaints_product_batch");
    contract_backend.exec(fx, "DROP INDEX complaints_product_defect");
    contract_backend.exec(fx, "ALTER TABLE complaints DROP COLUMN closed_at");
    contract_backend.exec(fx, "ALTER TABLE complaints DROP COLUMN reopened");
    contract_backend.exec(fx, "DROP TABLE IF EXISTS complaints_fts_terms"); /* SQLite's 8 */
    contract_backend.exec(fx, "DELETE FROM schema_version WHERE version >= 6");
    fx->s = ct_open(fx->url, false);
    ct_check(store_migrate(fx->s, &from, &to, &err), &err);
    assert_int_equal(from, 5);
    assert_int_equal(to, ct_migrations_known());
    expect_closing(fx->s, NULL);
}

static void users_crud(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct user u, v, *us = NULL;
    struct ks_error err = {0};
    size_t n = 0;

    user_init(&u);
    u.login = strdup("zhang");
    u.name = strdup("张三");
    u.role = ROLE_LEADER;
    u.department = strdup("qa");
    u.phone = strdup("13800138000");
    u.email = strdup("zhang@example.com");
    u.password_hash = strdup("$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
    u.created_at = T0;
    ct_check(store_user_insert(tx, &u, &err), &err);
    assert_true(u.id > 0);
    assert_int_equal(u.version, 1);
    user_release(&u);
    user_init(&u);
    u.login = strdup("admin");
    u.role = ROLE_ADMIN;
    ct_check(store_user_insert(tx, &u, &err), &err);
    u.id = 0;
    assert_int_equal(store_user_insert(tx, &u, &err), KS_ECONFLICT);
    assert_string_equal(err.field, "login");
    user_release(&u);
    ct_commit(&tx);

    user_init(&u);
    user_init(&v);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    ct_check(store_user_get(tx, "zhang", &u, &err), &err);
    assert_string_equal(u.name, "张三");
    assert_int_equal(u.role, ROLE_LEADER);
    assert_string_equal(u.department, "qa");
    assert_string_equal(u.password_hash, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
    assert_true(u.created_at == T0);
    assert_false(u.disabled);
    ct_check(store_user_get(tx, "zhang", &v, &err), &err);
    u.disabled = true;
    ct_check(store_user_update(tx, &u, &err), &err);
    assert_int_equal(u.version, 2);
    assert_int_equal(store_user_update(tx, &v, &err), KS_ECONFLICT);
    assert_string_equal(err.field, "version");
    assert_int_equal(store_user_get(tx, "nobody", &v, &err), KS_ENOTFOUND);
    ct_check(store_user_list(tx, &us, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(us[0].login, "admin");
    assert_string_equal(us[1].login, "zhang");
    assert_true(us[1].disabled);
    assert_null(us[0].password_hash);
    user_array_free(&us, n);
    ct_commit(&tx);
    user_release(&u);
    user_release(&v);
}

static void departments_crud(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct department d, *ds = NULL;
    struct ks_error err = {0};
    size_t n = 0;

    department_init(&d);
    d.code = strdup("qa-line3");
    d.name = strdup("三线质检");
    d.parent = strdup("nowhere");
    assert_int_equal(store_department_insert(tx, &d, &err), KS_EINVAL);
    assert_string_equal(err.field, "parent");
    free(d.parent);
    d.parent = strdup("qa");
    d.head = strdup("zhang");
    ct_check(store_department_insert(tx, &d, &err), &err);
    d.id = 0;
    assert_int_equal(store_department_insert(tx, &d, &err), KS_ECONFLICT);
    department_release(&d);

    ct_check(store_department_get(tx, "qa", &d, &err), &err);
    assert_string_equal(d.name, "质量部");
    assert_string_equal(d.parent, "hq");
    assert_null(d.head);
    free(d.name);
    d.name = strdup("品质保证部");
    ct_check(store_department_update(tx, &d, &err), &err);
    /* qa cannot move under its own line */
    free(d.parent);
    d.parent = strdup("qa-line3");
    assert_int_equal(store_department_update(tx, &d, &err), KS_EINVAL);
    assert_string_equal(err.field, "parent");
    department_release(&d);
    assert_int_equal(store_department_get(tx, "nowhere", &d, &err), KS_ENOTFOUND);

    ct_check(store_department_list(tx, &ds, &n, &err), &err);
    assert_int_equal(n, 6);
    assert_string_equal(ds[0].code, "hq");
    assert_string_equal(ds[1].code, "qa");
    assert_string_equal(ds[1].name, "品质保证部");
    assert_string_equal(ds[4].code, "qa-line3");
    assert_string_equal(ds[4].head, "zhang");
    department_array_free(&ds, n);
    ct_commit(&tx);
}

static void settings_get_and_set(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct ks_error err = {0};
    char *v = NULL;

    assert_int_equal(store_setting_get(tx, "timezone", &v, &err), KS_ENOTFOUND);
    assert_null(v);
    ct_check(store_setting_set(tx, "timezone", "Asia/Shanghai", &err), &err);
    ct_check(store_setting_set(tx, "preset", "制造业", &err), &err);
    ct_check(store_setting_set(tx, "timezone", "UTC", &err), &err);
    ct_commit(&tx);
    tx = ct_begin(fx->s, STORE_TX_READ);
    ct_check(store_setting_get(tx, "timezone", &v, &err), &err);
    assert_string_equal(v, "UTC");
    free(v);
    ct_check(store_setting_get(tx, "preset", &v, &err), &err);
    assert_string_equal(v, "制造业");
    free(v);
    ct_commit(&tx);
}

/* Group commit: nested transactions of the batch thread are savepoints; a rolled-back one
 * leaves no trace, the kept ones become visible only when the batch commits. */
static void batch_nests_savepoints_and_commits_once(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *batch = ct_begin(fx->s, STORE_TX_WRITE), *tx;
    struct ks_error err = {0};
    char *v = NULL;

    store_tx_batch_enter(batch);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    ct_check(store_setting_set(tx, "kept", "1", &err), &err);
    ct_commit(&tx);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    ct_check(store_setting_set(tx, "undone", "1", &err), &err);
    store_tx_rollback(&tx);
    store_tx_batch_leave();
    ct_commit(&batch);
    tx = ct_begin(fx->s, STORE_TX_READ);
    ct_check(store_setting_get(tx, "kept", &v, &err), &err);
    assert_string_equal(v, "1");
    free(v);
    assert_int_equal(store_setting_get(tx, "undone", &v, &err), KS_ENOTFOUND);
    ct_commit(&tx);
}

static void insert_titled(struct store *s, const char *number, const char *title, bool keep)
{
    struct store_tx *tx = ct_begin(s, STORE_TX_WRITE);
    struct ks_error err = {0};
    struct complaint c;

    complaint_init(&c);
    c.number = strdup(number);
    c.received_at = T0;
    c.title = strdup(title);
    c.description = strdup("说明");
    ct_check(store_complaint_insert(tx, &c, &err), &err);
    if (keep) {
        /* Updated in the same savepoint, after a search ran in it. */
        struct complaint_filter f;
        struct store_iter *it = NULL;
        complaint_filter_init(&f);
        f.text = title;
        ct_check(store_complaint_list(tx, &f, &it, &err), &err);
        store_iter_free(&it);
        free(c.description);
        c.description = strdup("说明已更正");
        ct_check(store_complaint_update(tx, &c, &err), &err);
        ct_commit(&tx);
    } else {
        store_tx_rollback(&tx);
    }
    complaint_release(&c);
}

/* Complaints registered in a batch's savepoints are found by search once the batch commits,
 * those of undone savepoints are not, and an update after a search in the same savepoint keeps
 * the index right. */
static void batch_savepoints_keep_the_search_index(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *batch = ct_begin(fx->s, STORE_TX_WRITE);
    struct complaint_filter f;

    store_tx_batch_enter(batch);
    insert_titled(fx->s, "KS20261118-0001", "齿轮磨损严重", false);
    insert_titled(fx->s, "KS20261118-0002", "齿轮磨损异常", true);
    insert_titled(fx->s, "KS20261118-0003", "齿轮磨损开裂", false);
    insert_titled(fx->s, "KS20261118-0004", "齿轮磨损过快", true);
    insert_titled(fx->s, "KS20261118-0005", "齿轮磨损发热", false);
    store_tx_batch_leave();
    ct_commit(&batch);

    complaint_filter_init(&f);
    f.text = "齿轮磨损";
    expect_list(fx->s, &f, "0004,0002");
    f.text = "已更正";
    expect_list(fx->s, &f, "0004,0002");
    f.text = "异常";
    expect_list(fx->s, &f, "0002");
    f.text = "开裂";
    expect_list(fx->s, &f, "");
}

/* The chain of c read back holds n events (at times ats, when given), each with the link
 * event_chain_hash() gives for c's number and the previous link. */
static void expect_chain(struct store_tx *tx, const struct complaint *c, const int64_t *ats,
                         size_t n_want)
{
    struct ks_error err = {0};
    struct event *evs = NULL;
    char *links = NULL, want[EVENT_HASH_HEX];
    const char *prev = NULL;
    size_t n = 0;

    ct_check(store_event_chain(tx, c->id, &evs, &links, &n, &err), &err);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++) {
        if (ats)
            assert_true(evs[i].at == ats[i]);
        event_chain_hash(&evs[i], c->number, prev, want);
        assert_string_equal(links + i * EVENT_HASH_HEX, want);
        prev = links + i * EVENT_HASH_HEX;
    }
    event_array_free(&evs, n);
    free(links);
}

/* Every appended event carries the link event_chain_hash() gives for its complaint's number
 * and the previous link of that complaint, in append order even when times go backwards. */
static void events_are_chained_per_complaint(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct ks_error err = {0};
    struct complaint c;
    struct event ev;
    const int64_t ats[] = {T0 + 60, T0, T0 + 120}; /* the second is back-dated */

    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < 3; i++) {
            event_init(&ev);
            ev.complaint_id = seed_id(k + 1);
            ev.at = ats[i];
            ev.actor = strdup("li");
            ev.kind = strdup(i == 0 ? EV_CREATED : EV_AUDIT);
            ev.to_state = i == 0 ? WF_STATE_NEW : -1;
            ev.details = i == 2 ? strdup("{\"fields\":[\"customer_phone\"]}") : NULL;
            ct_check(store_event_append(tx, &ev, &err), &err);
            event_release(&ev);
        }
    ct_commit(&tx);

    complaint_init(&c);
    tx = ct_begin(fx->s, STORE_TX_READ);
    for (int k = 0; k < 2; k++) {
        ct_check(store_complaint_get(tx, k ? "KS20261118-0002" : "KS20261118-0001", &c, &err),
                 &err);
        assert_true(c.id == seed_id(k + 1));
        expect_chain(tx, &c, ats, 3);
    }
    ct_commit(&tx);
    complaint_release(&c);
}

/* Appends an event of kind to complaint id in tx. */
static void append_event(struct store_tx *tx, int64_t id, const char *kind)
{
    struct ks_error err = {0};
    struct event ev;

    event_init(&ev);
    ev.complaint_id = id;
    ev.at = T0;
    ev.actor = strdup("li");
    ev.kind = strdup(kind);
    ct_check(store_event_append(tx, &ev, &err), &err);
    event_release(&ev);
}

/* A registration undone in its savepoint takes its events along, and the next one (which may
 * get the same complaint id) chains from its own number and first event, not the undone ones. */
static void undone_savepoint_leaves_no_link_behind(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *batch = ct_begin(fx->s, STORE_TX_WRITE), *tx;
    struct ks_error err = {0};
    struct complaint c;

    store_tx_batch_enter(batch);
    for (int k = 0; k < 2; k++) {
        tx = ct_begin(fx->s, STORE_TX_WRITE);
        complaint_init(&c);
        c.number = strdup(k ? "KS20261118-0002" : "KS20261118-0001");
        c.received_at = T0;
        c.title = strdup("芯轴断裂");
        ct_check(store_complaint_insert(tx, &c, &err), &err);
        append_event(tx, c.id, EV_CREATED);
        append_event(tx, c.id, EV_CLASSIFIED);
        if (k)
            ct_commit(&tx);
        else
            store_tx_rollback(&tx);
        complaint_release(&c);
    }
    store_tx_batch_leave();
    ct_commit(&batch);

    complaint_init(&c);
    tx = ct_begin(fx->s, STORE_TX_READ);
    assert_int_equal(store_complaint_get(tx, "KS20261118-0001", &c, &err), KS_ENOTFOUND);
    ks_error_clear(&err);
    ct_check(store_complaint_get(tx, "KS20261118-0002", &c, &err), &err);
    expect_chain(tx, &c, NULL, 2);
    ct_commit(&tx);
    complaint_release(&c);
}

static void put_session(struct store_tx *tx, const char *hash, const char *login, const char *kind)
{
    struct ks_error err = {0};
    struct session s;

    session_init(&s);
    s.token_hash = strdup(hash);
    s.login = strdup(login);
    s.kind = strdup(kind);
    s.created_at = 100;
    ct_check(store_session_insert(tx, &s, &err), &err);
    session_release(&s);
}

static bool is_revoked(struct store_tx *tx, const char *hash)
{
    struct ks_error err = {0};
    struct session got;
    bool revoked;

    session_init(&got);
    ct_check(store_session_get(tx, hash, &got, &err), &err);
    revoked = got.revoked;
    session_release(&got);
    return revoked;
}

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HASH_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* Disabling a user ends all its sessions and tokens, and only its; re-enabling does not bring
 * them back. A touch never moves the last use back. Changes bump the access epoch when they
 * commit. */
static void disabling_a_user_revokes_its_sessions(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct ks_error err = {0};
    struct session got;
    struct user u;
    uint64_t epoch;
    int n = -1;

    user_init(&u);
    u.login = strdup("wang");
    u.role = ROLE_HANDLER;
    ct_check(store_user_insert(tx, &u, &err), &err);
    put_session(tx, HASH_A, "wang", "session");
    put_session(tx, HASH_B, "wang", "api");
    put_session(tx, HASH_C, "li", "session");
    ct_check(store_session_touch(tx, HASH_A, 1000, &err), &err);
    ct_check(store_session_touch(tx, HASH_A, 999, &err), &err);
    session_init(&got);
    ct_check(store_session_get(tx, HASH_A, &got, &err), &err);
    assert_int_equal(got.last_seen_at, 1000);
    ct_check(store_session_touch(tx, HASH_A, 1060, &err), &err);
    ct_check(store_session_get(tx, HASH_A, &got, &err), &err);
    assert_int_equal(got.last_seen_at, 1060);
    ct_check(store_session_get(tx, HASH_C, &got, &err), &err);
    assert_int_equal(got.last_seen_at, KS_TIME_NONE);
    session_release(&got);
    ct_commit(&tx);

    epoch = store_access_epoch(fx->s);
    tx = ct_begin(fx->s, STORE_TX_WRITE);
    u.disabled = true;
    ct_check(store_user_update(tx, &u, &err), &err);
    assert_true(is_revoked(tx, HASH_A));
    assert_true(is_revoked(tx, HASH_B));
    assert_false(is_revoked(tx, HASH_C));
    u.disabled = false;
    ct_check(store_user_update(tx, &u, &err), &err);
    assert_true(is_revoked(tx, HASH_A));
    ct_check(store_session_revoke_login(tx, "li", &n, &err), &err);
    assert_int_equal(n, 1);
    ct_check(store_session_revoke_login(tx, "li", &n, &err), &err);
    assert_int_equal(n, 0);
    assert_true(store_access_epoch(fx->s) == epoch);
    ct_commit(&tx);
    assert_true(store_access_epoch(fx->s) > epoch);
    user_release(&u);
}

static void sessions_failures_and_idempotency_keys(void **state)
{
    struct ct_fx *fx = *state;
    struct store_tx *tx = ct_begin(fx->s, STORE_TX_WRITE);
    struct ks_error err = {0};
    struct session s, got;
    struct idem_record r, rg;
    int n = 0;

    session_init(&s);
    session_init(&got);
    s.token_hash = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    s.login = strdup("张工");
    s.kind = strdup("session");
    s.csrf = strdup("csrf");
    s.created_at = 100;
    s.expires_at = 200;
    ct_check(store_session_insert(tx, &s, &err), &err);
    assert_int_equal(store_session_insert(tx, &s, &err), KS_ECONFLICT);
    ct_check(store_session_get(tx, s.token_hash, &got, &err), &err);
    assert_string_equal(got.login, "张工");
    assert_int_equal(got.expires_at, 200);
    assert_false(got.revoked);
    ct_check(store_session_revoke(tx, s.token_hash, &err), &err);
    ct_check(store_session_get(tx, s.token_hash, &got, &err), &err);
    assert_true(got.revoked);
    assert_int_equal(store_session_get(tx, "00", &got, &err), KS_ENOTFOUND);

    ct_check(store_login_failure_add(tx, "x", 10, &err), &err);
    ct_check(store_login_failure_add(tx, "x", 20, &err), &err);
    ct_check(store_login_failures(tx, "x", 15, &n, &err), &err);
    assert_int_equal(n, 1);
    ct_check(store_login_failures_clear(tx, "x", &err), &err);
    ct_check(store_login_failures(tx, "x", 0, &n, &err), &err);
    assert_int_equal(n, 0);

    idem_record_init(&r);
    idem_record_init(&rg);
    r.login = strdup("api");
    r.key = strdup("k1");
    r.body_hash = strdup("h");
    r.status = 201;
    r.response = strdup("{\"number\":\"KS20261128-0001\"}");
    ct_check(store_idem_put(tx, &r, &err), &err);
    assert_int_equal(store_idem_put(tx, &r, &err), KS_ECONFLICT);
    ct_check(store_idem_get(tx, "api", "k1", &rg, &err), &err);
    assert_int_equal(rg.status, 201);
    assert_string_equal(rg.response, r.response);
    assert_int_equal(store_idem_get(tx, "other", "k1", &rg, &err), KS_ENOTFOUND);
    ct_commit(&tx);
    idem_record_release(&r);
    idem_record_release(&rg);
    session_release(&s);
    session_release(&got);
}

int contract_run(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_field_round_trips, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(unset_fields_round_trip_as_unset, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(missing_complaint_is_not_found, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(stale_update_is_a_conflict_and_nothing_is_lost, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(exhausted_pool_waits_then_reports_busy, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(threads_share_one_store, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(migrations_run_once_and_data_survives_reopen,
                                        ct_setup_empty, ct_teardown),
        cmocka_unit_test_setup_teardown(unmigrated_database_says_to_migrate, ct_setup_empty,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(newer_schema_is_refused, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(numbers_count_per_day_and_rollback_gives_back, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(duplicate_number_is_a_conflict, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(filters_each_select_their_rows, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(department_filter_takes_the_subtree, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(listing_reads_only_the_fields_asked_for, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(a_reused_record_holds_each_rows_values, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(report_reads_a_period_in_slices_on_a_reader_thread,
                                        ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(chinese_text_search, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(text_search_follows_edits, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(two_character_words_found_anywhere, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(text_search_pages_in_registration_order, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(repeats_are_counted_by_customer_defect_and_month, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(overdue_and_due_before_use_open_clocks, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(sort_orders_break_ties_by_id, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(pages_concatenate_to_the_full_list, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(unknown_cursor_is_refused, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(events_append_and_list_in_order, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(deadlines_put_and_list, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(counts_match_the_listings, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(period_reads_cover_the_received_range, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(clocks_by_id_range_match_the_received_read, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(transitions_keep_the_closing_time_and_reopens, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(migration_fills_the_closing_from_the_timeline, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(users_crud, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(departments_crud, seed_listing, ct_teardown),
        cmocka_unit_test_setup_teardown(settings_get_and_set, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(batch_nests_savepoints_and_commits_once, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(batch_savepoints_keep_the_search_index, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(sessions_failures_and_idempotency_keys, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(events_are_chained_per_complaint, seed_listing,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(undone_savepoint_leaves_no_link_behind, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(disabling_a_user_revokes_its_sessions, ct_setup,
                                        ct_teardown),
    };
    return cmocka_run_group_tests_name(contract_backend.name, tests, NULL, NULL);
}
