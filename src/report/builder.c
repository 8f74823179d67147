/* The report builder: accumulates counts from complaint rows streamed to it (report_add) and
 * computes the derived figures once at the end (report_finish). Work per row is constant
 * (a few hash lookups, one per stage clock), so a year of a million complaints streams in
 * linear time; sorting happens once per breakdown and per late list. Severity and channel are
 * counted in arrays indexed by their enum; other breakdowns are string-keyed tallies in an
 * open-addressing hash table (a word-at-a-time hash, linear probing, at most half full, the
 * hash kept per key). The repeat problems (customer and defect) are counted by the pair of the
 * two tallies' indexes, so the ~100,000 pairs of a year cost no string of their own; the
 * department figures share the department breakdown's indexes. Durations are histograms of
 * whole working days, so medians and percentiles cost memory in the longest duration, not in
 * the number of stage clocks. */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "report/period.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define DEFAULT_TOP_N 20
#define WHOLE         WF_STATE__COUNT /* index of the whole complaint in per-stage arrays */
#define KEY_OTHER     "_other"
#define MAX_DAYS      (10 * 366) /* the daily trend of a report covers at most ten years */

struct tally {
    char **keys;    /* by insertion index */
    uint64_t *hash; /* key_hash() of keys[i] */
    int64_t *n;
    size_t len, cap;
    size_t *slots; /* index + 1; 0 is empty */
    size_t n_slots;
};

/* Counts by a pair of tally indexes (customer, defect), in open addressing with the key and the
 * count in the slot itself: a year has ~100,000 pairs, and a lookup that went from a slot to a
 * key array was two cache misses. */
struct pair_slot {
    uint64_t key; /* (hi << 32 | lo) + 1; 0: empty */
    int64_t n;
};
struct pair_tally {
    struct pair_slot *slots;
    size_t n_slots, len;
};

/* Working-day durations as a histogram: count[v] durations of v working days. Durations are
 * small whole numbers, so medians and percentiles come from a cumulative walk, in memory that
 * follows the longest duration instead of the number of clocks. */
struct durations {
    int64_t *count;
    size_t cap; /* values 0 .. cap-1 */
    int64_t n;
};

struct report_builder {
    struct report_conf conf;
    size_t top_n;
    struct wd_index wd;
    struct report r; /* plain counters accumulate here; lists are built in finish */
    struct tally dim[RD__COUNT];
    int64_t by_severity[SEV__COUNT], by_channel[CH__COUNT]; /* enum-valued dimensions */
    struct tally causes, resp;
    struct pair_tally repeats;       /* (dim[RD_CUSTOMER], dim[RD_DEFECT]) indexes */
    int64_t (*dept_fig)[RDF__COUNT]; /* parallel to dim[RD_DEPARTMENT].keys */
    size_t dept_fig_cap;
    struct durations dur[WF_STATE__COUNT + 1];
    int64_t judged[WF_STATE__COUNT + 1], within[WF_STATE__COUNT + 1];
    int64_t running[WF_STATE__COUNT + 1];
    struct report_overdue *overdue;
    size_t n_overdue, cap_overdue;
    struct report_case *dis;
    size_t n_dis, cap_dis;
    int64_t first_day; /* civil_to_days() of the period's first local day */
    int64_t *daily;
    size_t n_days;
    bool whole_day_valid; /* whole_due()'s one-entry cache */
    int64_t whole_day, whole_day_due;
};

/* Spreads every bit of x over the low bits that pick a slot (the murmur3 finaliser). */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* A hash of s taken eight bytes at a time (keys are codes and names of a few dozen bytes, and
 * a byte-serial hash was a tenth of a yearly report); *len_out receives strlen(s). */
static uint64_t key_hash(const char *s, size_t *len_out)
{
    size_t len = strlen(s), i = 0;
    uint64_t h = len, w;

    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    w = 0;
    memcpy(&w, s + i, len - i);
    *len_out = len;
    return mix64(h ^ w);
}

static void tally_rehash(struct tally *t)
{
    size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
    size_t *slots = xcalloc(n_slots, sizeof(*slots));

    for (size_t i = 0; i < t->len; i++) {
        size_t s = (size_t)t->hash[i] & (n_slots - 1);
        while (slots[s])
            s = (s + 1) & (n_slots - 1);
        slots[s] = i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
}

/* The index of key, added with count 0 when new. The stored hash is compared first, so a
 * lookup costs one pass over the key plus, on a hit, one memcmp. */
static size_t tally_index(struct tally *t, const char *key)
{
    size_t len, s;
    uint64_t h = key_hash(key, &len);

    if (2 * (t->len + 1) > t->n_slots)
        tally_rehash(t);
    s = (size_t)h & (t->n_slots - 1);
    for (; t->slots[s]; s = (s + 1) & (t->n_slots - 1)) {
        size_t i = t->slots[s] - 1;
        if (t->hash[i] == h && memcmp(t->keys[i], key, len + 1) == 0)
            return i;
    }
    if (t->len == t->cap) {
        size_t cap = t->cap, hcap = t->cap;
        xgrow((void **)&t->keys, &cap, t->len + 1, sizeof(*t->keys));
        xgrow((void **)&t->hash, &hcap, t->len + 1, sizeof(*t->hash));
        xgrow((void **)&t->n, &t->cap, t->len + 1, sizeof(*t->n));
    }
    t->keys[t->len] = xstrndup(key, len);
    t->hash[t->len] = h;
    t->n[t->len] = 0;
    t->slots[s] = t->len + 1;
    return t->len++;
}

static void tally_add(struct tally *t, const char *key, int64_t n)
{
    size_t i = tally_index(t, key); /* may move t->n: index first */
    t->n[i] += n;
}

/* Counts one more of key; returns its index. */
static size_t tally_count(struct tally *t, const char *key)
{
    size_t i = tally_index(t, key);
    t->n[i]++;
    return i;
}

static void tally_release(struct tally *t)
{
    for (size_t i = 0; i < t->len; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->hash);
    free(t->n);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

/* The slot of key: where it is, or the empty slot where it goes. */
static struct pair_slot *pair_slot(struct pair_slot *slots, size_t n_slots, uint64_t key)
{
    size_t s = (size_t)mix64(key) & (n_slots - 1);

    while (slots[s].key && slots[s].key != key)
        s = (s + 1) & (n_slots - 1);
    return &slots[s];
}

/* Counts one more of the pair (hi, lo). */
static void pair_add(struct pair_tally *t, size_t hi, size_t lo)
{
    uint64_t key = ((uint64_t)hi << 32 | (uint32_t)lo) + 1;
    struct pair_slot *slot;

    if (2 * (t->len + 1) > t->n_slots) {
        size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
        struct pair_slot *slots = xcalloc(n_slots, sizeof(*slots));
        for (size_t i = 0; i < t->n_slots; i++)
            if (t->slots[i].key)
                *pair_slot(slots, n_slots, t->slots[i].key) = t->slots[i];
        free(t->slots);
        t->slots = slots;
        t->n_slots = n_slots;
    }
    slot = pair_slot(t->slots, t->n_slots, key);
    if (!slot->key) {
        slot->key = key;
        t->len++;
    }
    slot->n++;
}

static void pair_release(struct pair_tally *t)
{
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static void dur_push(struct durations *d, int64_t v)
{
    size_t i = v > 0 ? (size_t)v : 0;

    if (i >= d->cap) {
        size_t old = d->cap;
        xgrow((void **)&d->count, &d->cap, i + 1, sizeof(*d->count));
        memset(d->count + old, 0, (d->cap - old) * sizeof(*d->count));
    }
    d->count[i]++;
    d->n++;
}

/* The k-th smallest duration (k from 0), k < d->n. */
static int64_t dur_rank(const struct durations *d, int64_t k)
{
    int64_t seen = 0;
    size_t v = 0;

    for (; v < d->cap; v++) {
        seen += d->count[v];
        if (seen > k)
            break;
    }
    return (int64_t)v;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

struct report_builder *report_builder_new(const struct report_conf *conf)
{
    struct report_builder *b = xcalloc(1, sizeof(*b));
    int off = conf->zone ? conf->zone->utc_offset_min : 480;
    struct ks_date lo = ks_time_local_date(conf->from, off);
    struct ks_date hi = ks_time_local_date(conf->as_of > conf->to ? conf->as_of : conf->to, off);

    b->conf = *conf;
    b->top_n = conf->top_n ? conf->top_n : DEFAULT_TOP_N;
    b->first_day = civil_to_days(lo);
    b->n_days = (size_t)(civil_to_days(ks_time_local_date(conf->to - 1, off)) - b->first_day + 1);
    if (conf->to <= conf->from || b->n_days > MAX_DAYS)
        b->n_days = conf->to <= conf->from ? 0 : MAX_DAYS;
    b->daily = xcalloc(b->n_days ? b->n_days : 1, sizeof(*b->daily));
    /* Stages of complaints received in the period run on for weeks or months after it. */
    wd_index_init(&b->wd, conf->cal, lo, civil_add_days(hi, 400));
    report_init(&b->r);
    return b;
}

void report_builder_free(struct report_builder **bp)
{
    struct report_builder *b = *bp;

    if (!b)
        return;
    wd_index_release(&b->wd);
    report_release(&b->r);
    for (int i = 0; i < RD__COUNT; i++)
        tally_release(&b->dim[i]);
    tally_release(&b->causes);
    tally_release(&b->resp);
    pair_release(&b->repeats);
    free(b->dept_fig);
    free(b->daily);
    for (int i = 0; i <= WHOLE; i++)
        free(b->dur[i].count);
    for (size_t i = 0; i < b->n_overdue; i++) {
        free(b->overdue[i].number);
        free(b->overdue[i].title);
        free(b->overdue[i].department);
    }
    free(b->overdue);
    for (size_t i = 0; i < b->n_dis; i++) {
        free(b->dis[i].number);
        free(b->dis[i].comment);
    }
    free(b->dis);
    free(b);
    *bp = NULL;
}

static const char *customer_key(const struct complaint *c)
{
    if (c->customer_code && *c->customer_code)
        return c->customer_code;
    return nz(c->customer_name);
}

static void add_overdue(struct report_builder *b, const struct complaint *c,
                        const struct stage_deadline *d)
{
    int off = b->conf.zone ? b->conf.zone->utc_offset_min : 480;
    int64_t end = d->clock.met_at != KS_TIME_NONE ? d->clock.met_at : b->conf.as_of;
    struct report_overdue *o;

    xgrow((void **)&b->overdue, &b->cap_overdue, b->n_overdue + 1, sizeof(*b->overdue));
    o = &b->overdue[b->n_overdue++];
    o->number = xstrdup(nz(c->number));
    o->title = xstrdup(nz(c->title));
    o->department = c->department ? xstrdup(c->department) : NULL;
    o->stage = (int)d->stage;
    o->due_at = d->clock.due_at;
    o->met_at = d->clock.met_at;
    o->late_wd = wd_between_instants(&b->wd, d->clock.due_at, end, off);
}

/* Judges the stage clocks of one complaint; returns true when any was late. */
static bool add_stages(struct report_builder *b, const struct report_item *it)
{
    int off = b->conf.zone ? b->conf.zone->utc_offset_min : 480;
    bool late = false;

    for (size_t i = 0; i < it->n_dls; i++) {
        const struct stage_deadline *d = &it->dls[i];
        int s = (int)d->stage;
        bool met = d->clock.met_at != KS_TIME_NONE;
        bool breached = d->breached || stage_clock_is_breached(&d->clock, b->conf.as_of);

        if (s < 0 || s >= WF_STATE__COUNT)
            continue;
        if (met) {
            b->judged[s]++;
            b->within[s] += !breached;
            dur_push(&b->dur[s],
                     wd_between_instants(&b->wd, d->clock.started_at, d->clock.met_at, off));
        } else if (breached) {
            b->judged[s]++;
        } else {
            b->running[s]++;
        }
        if (breached) {
            add_overdue(b, it->c, d);
            late = true;
        }
    }
    return late;
}

/* The whole-complaint deadline of a complaint received at t, or KS_TIME_NONE outside the
 * calendar (then it is judged by its stages alone). Day periods depend only on the local date
 * of receipt and rows mostly come in date order, so the last answer is kept. */
static int64_t whole_due(struct report_builder *b, int64_t t)
{
    const struct dl_period whole = b->conf.preset->whole;
    int64_t day = report_local_day(t, b->conf.zone->utc_offset_min);
    int64_t due;

    if (whole.unit != DL_HOURS && b->whole_day_valid && b->whole_day == day)
        return b->whole_day_due;
    if (deadline_add(b->conf.cal, b->conf.zone, t, whole, &due, NULL, NULL) < 0)
        due = KS_TIME_NONE;
    b->whole_day_valid = true;
    b->whole_day = day;
    b->whole_day_due = due;
    return due;
}

static void add_whole(struct report_builder *b, const struct report_item *it, bool stage_late)
{
    const struct complaint *c = it->c;
    const struct preset *p = b->conf.preset;
    int off = b->conf.zone ? b->conf.zone->utc_offset_min : 480;
    int64_t due = KS_TIME_NONE;
    int64_t closed_at = it->closed_at != KS_TIME_NONE ? it->closed_at : c->updated_at;

    if (p && p->whole.n > 0 && b->conf.cal && b->conf.zone)
        due = whole_due(b, c->received_at);
    if (c->status == WF_STATE_CLOSED) {
        bool ok = due != KS_TIME_NONE ? closed_at <= due : !stage_late;
        b->judged[WHOLE]++;
        b->within[WHOLE] += ok;
        dur_push(&b->dur[WHOLE], wd_between_instants(&b->wd, c->received_at, closed_at, off));
    } else if (due != KS_TIME_NONE && b->conf.as_of > due) {
        b->judged[WHOLE]++;
    } else {
        b->running[WHOLE]++;
    }
}

/* cust and defect are the complaint's indexes in the customer and defect breakdowns. */
static void add_quality(struct report_builder *b, const struct report_item *it, size_t cust,
                        size_t defect)
{
    const struct complaint *c = it->c;
    struct report_quality *q = &b->r.quality;

    if (c->satisfaction_score > 0) {
        q->answered++;
        q->score_sum += c->satisfaction_score;
        q->satisfied += c->satisfaction_score >= 4;
        if (c->satisfaction_score <= 2) {
            xgrow((void **)&b->dis, &b->cap_dis, b->n_dis + 1, sizeof(*b->dis));
            b->dis[b->n_dis].number = xstrdup(nz(c->number));
            b->dis[b->n_dis].score = c->satisfaction_score;
            b->dis[b->n_dis].comment =
                c->satisfaction_comment ? xstrdup(c->satisfaction_comment) : NULL;
            b->n_dis++;
        }
    } else if (c->satisfaction_waived_reason && *c->satisfaction_waived_reason) {
        q->waived++;
    }
    q->reopened += it->reopened > 0;
    if (c->defect && *c->defect && *customer_key(c))
        pair_add(&b->repeats, cust, defect);
    if (c->resp_root_cause && *c->resp_root_cause)
        tally_add(&b->causes, c->resp_root_cause, 1);
    tally_add(&b->resp, nz(c->resp_party), 1);
    if (c->comp_amount > 0 && c->comp_kind >= 0 && c->comp_kind < COMP__COUNT) {
        q->comp_fen[c->comp_kind] += c->comp_amount;
        q->comp_count[c->comp_kind]++;
    }
}

int report_add(struct report_builder *b, const struct report_item *it, struct ks_error *err)
{
    const struct complaint *c = it->c;
    struct report_volume *v = &b->r.volume;
    size_t di, cust, defect;
    bool late;

    if (c->status < 0 || c->status >= WF_STATE__COUNT)
        return ks_fail(err, KS_EINVAL, "status", "complaint %s: status %d is unknown",
                       nz(c->number), (int)c->status);
    v->received++;
    int64_t day =
        report_local_day(c->received_at, b->conf.zone ? b->conf.zone->utc_offset_min : 480) -
        b->first_day;
    if (day >= 0 && (size_t)day < b->n_days)
        b->daily[day]++;
    tally_add(&b->dim[RD_CATEGORY], nz(c->category), 1);
    if (c->severity >= 0 && c->severity < SEV__COUNT)
        b->by_severity[c->severity]++;
    else
        tally_add(&b->dim[RD_SEVERITY], severity_name(c->severity), 1);
    if (c->channel >= 0 && c->channel < CH__COUNT)
        b->by_channel[c->channel]++;
    else
        tally_add(&b->dim[RD_CHANNEL], channel_name(c->channel), 1);
    tally_add(&b->dim[RD_PRODUCT], nz(c->product), 1);
    defect = tally_count(&b->dim[RD_DEFECT], nz(c->defect));
    cust = tally_count(&b->dim[RD_CUSTOMER], customer_key(c));
    di = tally_count(&b->dim[RD_DEPARTMENT], nz(c->department));

    late = add_stages(b, it);
    if (di >= b->dept_fig_cap) {
        size_t old = b->dept_fig_cap;
        xgrow((void **)&b->dept_fig, &b->dept_fig_cap, di + 1, sizeof(*b->dept_fig));
        memset(b->dept_fig + old, 0, (b->dept_fig_cap - old) * sizeof(*b->dept_fig));
    }
    b->dept_fig[di][RDF_RECEIVED]++;
    b->dept_fig[di][RDF_OVERDUE] += late;
    switch (c->status) {
    case WF_STATE_CLOSED:
        v->closed++;
        b->dept_fig[di][RDF_CLOSED]++;
        break;
    case WF_STATE_REJECTED:
    case WF_STATE_WITHDRAWN:
    case WF_STATE_MERGED:
        v->ended++;
        break;
    default:
        v->open++;
        b->dept_fig[di][RDF_OPEN]++;
        break;
    }
    if (c->status != WF_STATE_REJECTED && c->status != WF_STATE_WITHDRAWN &&
        c->status != WF_STATE_MERGED)
        add_whole(b, it, late);
    add_quality(b, it, cust, defect);
    return 0;
}

/* ---- finishing ---- */

static const struct department *dept_find(const struct report_conf *conf, const char *code)
{
    for (size_t i = 0; i < conf->n_depts; i++)
        if (conf->depts[i].code && strcmp(conf->depts[i].code, code) == 0)
            return &conf->depts[i];
    return NULL;
}

static const char *defect_label(const struct preset *p, const char *code)
{
    for (size_t i = 0; p && i < p->n_defects; i++)
        if (strcmp(p->defects[i].code, code) == 0)
            return p->defects[i].name;
    for (size_t i = 0; p && i < p->n_products; i++)
        for (size_t k = 0; k < p->products[i].n_defects; k++)
            if (strcmp(p->products[i].defects[k].code, code) == 0)
                return p->products[i].defects[k].name;
    return NULL;
}

/* The Chinese label of a key of dimension dim (-1: the key itself). */
static const char *label_of(const struct report_builder *b, int dim, const char *key)
{
    const struct preset *p = b->conf.preset;
    const char *l = NULL;

    if (!*key)
        return dim == RD_DEPARTMENT ? "未指定部门" : "未填写";
    switch (dim) {
    case RD_CATEGORY: {
        const struct preset_category *pc = p ? preset_category_find(p, key) : NULL;
        l = pc ? pc->name : NULL;
        break;
    }
    case RD_SEVERITY: {
        enum severity s;
        l = severity_parse(key, &s, NULL) == 0 ? severity_label(s) : NULL;
        break;
    }
    case RD_CHANNEL: {
        enum channel ch;
        l = channel_parse(key, &ch, NULL) == 0 ? channel_label(ch) : NULL;
        break;
    }
    case RD_PRODUCT: {
        const struct preset_product *pp = p ? preset_product_find(p, key) : NULL;
        l = pp ? pp->name : NULL;
        break;
    }
    case RD_DEFECT:
        l = defect_label(p, key);
        break;
    case RD_DEPARTMENT: {
        const struct department *d = dept_find(&b->conf, key);
        l = d ? d->name : NULL;
        break;
    }
    default:
        break;
    }
    return l ? l : key;
}

struct sort_ref {
    const char *key;
    int64_t n;
};

static int cmp_ref(const void *pa, const void *pb)
{
    const struct sort_ref *a = pa, *b = pb;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->key, b->key);
}

/* Sorts a tally into a distribution, folding lines past top_n into one "_other" line.
 * skip_empty leaves out the "" key (Pareto of known defects). */
static void make_dist(const struct report_builder *b, const struct tally *t, int dim,
                      bool skip_empty, bool cumulative, struct report_dist *out)
{
    struct sort_ref *refs = xcalloc(t->len ? t->len : 1, sizeof(*refs));
    size_t n = 0, keep;
    int64_t other = 0, cum = 0;

    for (size_t i = 0; i < t->len; i++)
        if (!skip_empty || *t->keys[i])
            refs[n++] = (struct sort_ref){t->keys[i], t->n[i]};
    qsort(refs, n, sizeof(*refs), cmp_ref);
    keep = n > b->top_n ? b->top_n : n;
    for (size_t i = keep; i < n; i++)
        other += refs[i].n;
    out->v = xcalloc(keep + 1, sizeof(*out->v));
    out->n = 0;
    out->total = 0;
    for (size_t i = 0; i < n; i++)
        out->total += refs[i].n;
    for (size_t i = 0; i < keep; i++) {
        struct report_entry *e = &out->v[out->n++];
        e->key = xstrdup(refs[i].key);
        e->label = xstrdup(label_of(b, dim, refs[i].key));
        e->n = refs[i].n;
    }
    if (other > 0) {
        struct report_entry *e = &out->v[out->n++];
        e->key = xstrdup(KEY_OTHER);
        e->label = xstrdup("其他");
        e->n = other;
    }
    for (size_t i = 0; i < out->n; i++) {
        cum += out->v[i].n;
        out->v[i].cum = cumulative ? cum : 0;
    }
    free(refs);
}

static void finish_timing(struct report_builder *b, struct report *r)
{
    r->timing = xcalloc(WF_STATE__COUNT + 1, sizeof(*r->timing));
    r->n_timing = 0;
    for (int s = 0; s <= WHOLE; s++) {
        const struct durations *d = &b->dur[s];
        struct report_timing *t;

        if (s != WHOLE && b->judged[s] + b->running[s] == 0)
            continue;
        t = &r->timing[r->n_timing++];
        t->stage = s == WHOLE ? -1 : s;
        t->judged = b->judged[s];
        t->within = b->within[s];
        t->running = b->running[s];
        t->measured = d->n;
        t->median_wd = t->p90_wd = -1;
        if (d->n == 0)
            continue;
        t->median_wd = d->n % 2 ? (double)dur_rank(d, d->n / 2)
                                : (double)(dur_rank(d, d->n / 2 - 1) + dur_rank(d, d->n / 2)) / 2.0;
        t->p90_wd = (double)dur_rank(d, (d->n * 9 + 9) / 10 - 1); /* nearest rank: ceil(0.9 n) */
    }
}

static int cmp_overdue(const void *pa, const void *pb)
{
    const struct report_overdue *a = pa, *b = pb;
    if (a->due_at != b->due_at)
        return a->due_at < b->due_at ? -1 : 1;
    int c = strcmp(a->number, b->number);
    return c ? c : a->stage - b->stage;
}

static int cmp_case(const void *pa, const void *pb)
{
    const struct report_case *a = pa, *b = pb;
    return strcmp(a->number, b->number);
}

/* A repeat pair while sorting: its count and the ranks of its customer and defect among their
 * breakdown's keys in strcmp order, so a year's ~86,000 pairs (most with a count of 2 or 3)
 * sort by integers instead of two strcmps per comparison; the order is the same. */
struct repeat_ref {
    int64_t n;
    size_t cust_rank, defect_rank;
    uint64_t pair; /* hi << 32 | lo of its struct pair_slot */
};

static int cmp_repeat(const void *pa, const void *pb)
{
    const struct repeat_ref *a = pa, *b = pb;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    if (a->cust_rank != b->cust_rank)
        return a->cust_rank < b->cust_rank ? -1 : 1;
    return a->defect_rank < b->defect_rank ? -1 : a->defect_rank > b->defect_rank;
}

struct key_ref {
    const char *key;
    size_t i;
};

static int cmp_key_ref(const void *pa, const void *pb)
{
    return strcmp(((const struct key_ref *)pa)->key, ((const struct key_ref *)pb)->key);
}

/* rank[i]: the place of t->keys[i] among t's keys in strcmp order (keys are distinct). */
static size_t *key_ranks(const struct tally *t)
{
    struct key_ref *order = xcalloc(t->len ? t->len : 1, sizeof(*order));
    size_t *rank = xcalloc(t->len ? t->len : 1, sizeof(*rank));

    for (size_t i = 0; i < t->len; i++)
        order[i] = (struct key_ref){t->keys[i], i};
    qsort(order, t->len, sizeof(*order), cmp_key_ref);
    for (size_t i = 0; i < t->len; i++)
        rank[order[i].i] = i;
    free(order);
    return rank;
}

static void finish_repeats(struct report_builder *b, struct report_quality *q)
{
    const struct pair_tally *t = &b->repeats;
    const struct tally *defects = &b->dim[RD_DEFECT];
    size_t *cust_rank = key_ranks(&b->dim[RD_CUSTOMER]);
    size_t *defect_rank = key_ranks(defects);
    /* A defect's label is a search of the preset: once per defect, not per pair. */
    const char **labels = xcalloc(defects->len ? defects->len : 1, sizeof(*labels));
    struct repeat_ref *refs = xcalloc(t->len ? t->len : 1, sizeof(*refs));
    size_t n = 0;

    for (size_t i = 0; i < defects->len; i++)
        labels[i] = label_of(b, RD_DEFECT, defects->keys[i]);
    for (size_t i = 0; i < t->n_slots; i++) {
        uint64_t key = t->slots[i].key - 1;
        if (t->slots[i].key && t->slots[i].n >= 2)
            refs[n++] = (struct repeat_ref){t->slots[i].n, cust_rank[key >> 32],
                                            defect_rank[key & UINT32_MAX], key};
    }
    qsort(refs, n, sizeof(*refs), cmp_repeat);
    q->repeats = xcalloc(n ? n : 1, sizeof(*q->repeats));
    for (size_t k = 0; k < n; k++) {
        uint64_t key = refs[k].pair;
        struct report_repeat *rp = &q->repeats[q->n_repeats++];
        rp->customer = xstrdup(b->dim[RD_CUSTOMER].keys[key >> 32]);
        rp->defect = xstrdup(defects->keys[key & UINT32_MAX]);
        rp->defect_label = xstrdup(labels[key & UINT32_MAX]);
        rp->n = refs[k].n;
    }
    free(labels);
    free(refs);
    free(cust_rank);
    free(defect_rank);
}

/* ---- department tree ---- */

struct tree {
    const struct report_conf *conf;
    struct report *r;
    size_t cap;
    bool *seen; /* per conf->depts entry: placed already (guards against cycles) */
};

static size_t tree_push(struct tree *t, const char *code, const char *name, int parent)
{
    struct report_dept *d;

    xgrow((void **)&t->r->depts, &t->cap, t->r->n_depts + 1, sizeof(*t->r->depts));
    d = &t->r->depts[t->r->n_depts];
    memset(d, 0, sizeof(*d));
    d->code = xstrdup(code);
    d->name = xstrdup(name);
    d->parent = parent;
    d->depth = parent < 0 ? 0 : t->r->depts[parent].depth + 1;
    return t->r->n_depts++;
}

static void tree_walk(struct tree *t, size_t di, int parent)
{
    const struct department *d = &t->conf->depts[di];
    size_t me;

    if (t->seen[di])
        return;
    t->seen[di] = true;
    me = tree_push(t, d->code, d->name ? d->name : d->code, parent);
    for (size_t i = 0; i < t->conf->n_depts; i++)
        if (t->conf->depts[i].parent && strcmp(t->conf->depts[i].parent, d->code) == 0)
            tree_walk(t, i, (int)me);
}

static void finish_depts(struct report_builder *b, struct report *r)
{
    const struct report_conf *conf = &b->conf;
    const struct tally *depts = &b->dim[RD_DEPARTMENT]; /* indexes dept_fig */
    struct tree t = {.conf = conf, .r = r, .cap = 0};

    t.seen = xcalloc(conf->n_depts ? conf->n_depts : 1, sizeof(*t.seen));
    if (conf->department) {
        for (size_t i = 0; i < conf->n_depts; i++)
            if (strcmp(conf->depts[i].code, conf->department) == 0)
                tree_walk(&t, i, -1);
    } else {
        for (size_t i = 0; i < conf->n_depts; i++)
            if (!conf->depts[i].parent || !dept_find(conf, conf->depts[i].parent))
                tree_walk(&t, i, -1);
    }
    /* Codes the tree does not hold (no department, an unknown code) become roots of their own;
     * the walk above is quadratic in the number of departments, which stays in the thousands. */
    for (size_t k = 0; k < depts->len; k++) {
        const char *code = depts->keys[k];
        bool found = false;
        for (size_t i = 0; i < r->n_depts && !found; i++)
            found = strcmp(r->depts[i].code, code) == 0;
        if (!found)
            tree_push(&t, code, label_of(b, RD_DEPARTMENT, code), -1);
    }
    for (size_t i = 0; i < r->n_depts; i++) {
        size_t k;
        for (k = 0; k < depts->len; k++)
            if (strcmp(depts->keys[k], r->depts[i].code) == 0)
                break;
        if (k < depts->len)
            memcpy(r->depts[i].own, b->dept_fig[k], sizeof(r->depts[i].own));
        memcpy(r->depts[i].subtree, r->depts[i].own, sizeof(r->depts[i].own));
    }
    /* Children come after their parent, so one backward pass sums every subtree. */
    for (size_t i = r->n_depts; i-- > 0;)
        if (r->depts[i].parent >= 0)
            for (int f = 0; f < RDF__COUNT; f++)
                r->depts[r->depts[i].parent].subtree[f] += r->depts[i].subtree[f];
    free(t.seen);
}

int report_finish(struct report_builder *b, struct report *out, struct ks_error *err)
{
    const struct report_conf *conf = &b->conf;
    struct report *r = out;
    struct report_quality *q;

    report_release(out);
    r->from = conf->from;
    r->to = conf->to;
    r->as_of = conf->as_of;
    r->utc_offset_min = conf->zone ? conf->zone->utc_offset_min : 480;
    r->label = xstrdup(conf->label ? conf->label : "");
    if (conf->department) {
        const struct department *d = dept_find(conf, conf->department);
        r->department = xstrdup(conf->department);
        r->department_name = xstrdup(d && d->name ? d->name : conf->department);
    }
    r->volume.received = b->r.volume.received;
    r->volume.closed = b->r.volume.closed;
    r->volume.ended = b->r.volume.ended;
    r->volume.open = b->r.volume.open;
    r->volume.daily = b->daily;
    r->volume.n_days = b->n_days;
    b->daily = NULL;
    b->n_days = 0;
    for (int i = 0; i < SEV__COUNT; i++)
        if (b->by_severity[i])
            tally_add(&b->dim[RD_SEVERITY], severity_name((enum severity)i), b->by_severity[i]);
    for (int i = 0; i < CH__COUNT; i++)
        if (b->by_channel[i])
            tally_add(&b->dim[RD_CHANNEL], channel_name((enum channel)i), b->by_channel[i]);
    for (int d = 0; d < RD__COUNT; d++)
        make_dist(b, &b->dim[d], d, false, false, &r->volume.by[d]);

    finish_timing(b, r);
    if (b->n_overdue)
        qsort(b->overdue, b->n_overdue, sizeof(*b->overdue), cmp_overdue);
    r->overdue = b->overdue;
    r->n_overdue = b->n_overdue;
    b->overdue = NULL;
    b->n_overdue = b->cap_overdue = 0;

    q = &r->quality;
    *q = b->r.quality;
    memset(&b->r.quality, 0, sizeof(b->r.quality));
    if (b->n_dis)
        qsort(b->dis, b->n_dis, sizeof(*b->dis), cmp_case);
    q->dissatisfied = b->dis;
    q->n_dissatisfied = b->n_dis;
    b->dis = NULL;
    b->n_dis = b->cap_dis = 0;
    finish_repeats(b, q);
    make_dist(b, &b->dim[RD_DEFECT], RD_DEFECT, true, true, &q->pareto_defects);
    make_dist(b, &b->causes, -1, true, true, &q->pareto_causes);
    make_dist(b, &b->resp, -1, false, false, &q->responsibility);

    finish_depts(b, r);
    r->calendar_gap = b->wd.gap;
    (void)err;
    return 0;
}
