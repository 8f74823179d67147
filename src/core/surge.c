/* Surge grouping (see surge.h). Per rule, every eligible complaint contributes its candidate
 * keys (the rule name and the compared field values; with words, one key per distinct
 * normalised word); candidates are then taken greedily, best first, and each taken candidate
 * consumes its complaints, so no complaint is linked twice in one decision run. Callers pass
 * one group's complaints of one window (registration reads only the groups of the new
 * complaint, see surge_groups()), hundreds at most, so plain arrays and linear lookups are
 * enough. */
#include "core/surge.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/textnorm.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define KEY_MAX 1024

struct cand {
    char *key;
    size_t *members;
    size_t n, cap;
};

struct cands {
    struct cand *v;
    size_t n, cap;
};

static void cand_add(struct cands *cs, const char *key, size_t item)
{
    struct cand *c = NULL;
    for (size_t i = 0; i < cs->n; i++)
        if (strcmp(cs->v[i].key, key) == 0)
            c = &cs->v[i];
    if (!c) {
        xgrow((void **)&cs->v, &cs->cap, cs->n + 1, sizeof *cs->v);
        c = &cs->v[cs->n++];
        memset(c, 0, sizeof *c);
        c->key = xstrdup(key);
    }
    if (c->n && c->members[c->n - 1] == item)
        return; /* the same word twice in one complaint */
    xgrow((void **)&c->members, &c->cap, c->n + 1, sizeof *c->members);
    c->members[c->n++] = item;
}

static void cands_release(struct cands *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->v[i].key);
        free(cs->v[i].members);
    }
    free(cs->v);
    memset(cs, 0, sizeof *cs);
}

/* The base key of item for rule: false when a compared field is missing or the key is too
 * long to be a sensible key. */
static bool base_key(const struct preset_surge *r, const struct surge_item *it, struct buf *b)
{
    static const struct {
        unsigned bit;
        const char *name;
        size_t off;
    } fields[] = {
        {SURGE_F_CATEGORY, "category", offsetof(struct surge_item, category)},
        {SURGE_F_DEFECT, "defect", offsetof(struct surge_item, defect)},
        {SURGE_F_PRODUCT, "product", offsetof(struct surge_item, product)},
        {SURGE_F_BATCH, "batch_no", offsetof(struct surge_item, batch_no)},
    };
    buf_reset(b);
    int bad = buf_adds(b, r->name);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!(r->match & fields[i].bit))
            continue;
        const char *v = *(const char *const *)((const char *)it + fields[i].off);
        if (!v || !*v)
            return false;
        bad |= buf_addf(b, "|%s=%s", fields[i].name, v);
    }
    return bad == 0;
}

static bool is_open(const char *key, const char *const *open_keys, size_t n_open)
{
    for (size_t i = 0; i < n_open; i++)
        if (strcmp(open_keys[i], key) == 0)
            return true;
    return false;
}

/* The key of base plus one word into key: false when the word normalises to nothing or the
 * key would be too long. */
static bool word_key(const char *base, const char *word, struct buf *key)
{
    char norm[256];
    size_t len = strlen(word);
    if (len >= sizeof norm)
        return false;
    textnorm(word, len, norm, sizeof norm);
    buf_reset(key);
    return norm[0] && buf_addf(key, "%s|words=%s", base, norm) == 0;
}

static void collect(const struct preset_surge *r, const struct surge_item *items, size_t n_items,
                    const bool *used, int64_t now, struct cands *cs)
{
    struct buf base, key;
    buf_init(&base, KEY_MAX);
    buf_init(&key, KEY_MAX);
    for (size_t i = 0; i < n_items; i++) {
        const struct surge_item *it = &items[i];
        if (used[i] || it->received_at > now || it->received_at <= now - r->window_secs)
            continue;
        if (!base_key(r, it, &base))
            continue;
        if (!(r->match & SURGE_F_WORDS)) {
            cand_add(cs, buf_str(&base), i);
            continue;
        }
        for (size_t w = 0; w < it->n_words; w++)
            if (word_key(buf_str(&base), it->words[w], &key))
                cand_add(cs, buf_str(&key), i);
    }
    buf_release(&base);
    buf_release(&key);
}

static int check_rules(const struct preset_surge *rules, size_t n_rules, struct ks_error *err)
{
    for (size_t r = 0; r < n_rules; r++)
        if (!rules[r].name || !rules[r].match || rules[r].window_secs <= 0 ||
            rules[r].threshold < 2)
            return ks_fail(err, KS_EINVAL, "surge", "surge rule %zu: '%s' is incomplete", r,
                           rules[r].name ? rules[r].name : "");
    return 0;
}

static size_t live_count(const struct cand *c, const bool *used)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += !used[c->members[i]];
    return n;
}

int surge_decide(const struct preset_surge *rules, size_t n_rules, const struct surge_item *items,
                 size_t n_items, const char *const *open_keys, size_t n_open, int64_t now,
                 struct surge_decision **out, size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    int rc = check_rules(rules, n_rules, err);
    if (rc < 0)
        return rc;
    bool *used = xcalloc(n_items ? n_items : 1, sizeof *used);
    for (size_t i = 0; i < n_items; i++)
        used[i] = items[i].incident != NULL;
    struct surge_decision *d = NULL;
    size_t n = 0, cap = 0;
    for (size_t r = 0; r < n_rules; r++) {
        struct cands cs = {0};
        collect(&rules[r], items, n_items, used, now, &cs);
        for (;;) {
            struct cand *best = NULL;
            size_t best_live = 0;
            bool best_open = false;
            for (size_t c = 0; c < cs.n; c++) {
                size_t live = live_count(&cs.v[c], used);
                bool open = is_open(cs.v[c].key, open_keys, n_open);
                if (live == 0 || (!open && live < (size_t)rules[r].threshold))
                    continue;
                if (!best || (open && !best_open) || (open == best_open && live > best_live)) {
                    best = &cs.v[c];
                    best_live = live;
                    best_open = open;
                }
            }
            if (!best)
                break;
            xgrow((void **)&d, &cap, n + 1, sizeof *d);
            struct surge_decision *dec = &d[n++];
            dec->key = xstrdup(best->key);
            dec->rule = &rules[r];
            dec->level = rules[r].level;
            dec->open = !best_open;
            dec->items = xcalloc(best_live, sizeof *dec->items);
            dec->n_items = 0;
            for (size_t m = 0; m < best->n; m++)
                if (!used[best->members[m]]) {
                    dec->items[dec->n_items++] = best->members[m];
                    used[best->members[m]] = true;
                }
        }
        cands_release(&cs);
    }
    free(used);
    *out = d;
    *n_out = n;
    return 0;
}

void surge_decisions_free(struct surge_decision **d, size_t n)
{
    if (!*d)
        return;
    for (size_t i = 0; i < n; i++) {
        free((*d)[i].key);
        free((*d)[i].items);
    }
    free(*d);
    *d = NULL;
}

static bool group_seen(const struct surge_group *g, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(g[i].key, key) == 0)
            return true;
    return false;
}

int surge_groups(const struct preset_surge *rules, size_t n_rules, const struct surge_item *it,
                 struct surge_group **out, size_t *n_out, struct ks_error *err)
{
    *out = NULL;
    *n_out = 0;
    int rc = check_rules(rules, n_rules, err);
    if (rc < 0)
        return rc;
    struct surge_group *g = NULL;
    size_t n = 0, cap = 0;
    struct buf base, key;
    buf_init(&base, KEY_MAX);
    buf_init(&key, KEY_MAX);
    for (size_t r = 0; r < n_rules; r++) {
        if (!base_key(&rules[r], it, &base))
            continue;
        bool words = rules[r].match & SURGE_F_WORDS;
        for (size_t w = 0; w < (words ? it->n_words : 1); w++) {
            if (words && !word_key(buf_str(&base), it->words[w], &key))
                continue;
            const char *k = words ? buf_str(&key) : buf_str(&base);
            if (group_seen(g, n, k))
                continue;
            xgrow((void **)&g, &cap, n + 1, sizeof *g);
            g[n].rule = &rules[r];
            g[n].key = xstrdup(k);
            g[n].word = words ? it->words[w] : NULL;
            n++;
        }
    }
    buf_release(&base);
    buf_release(&key);
    *out = g;
    *n_out = n;
    return 0;
}

void surge_groups_free(struct surge_group **g, size_t n)
{
    if (!*g)
        return;
    for (size_t i = 0; i < n; i++)
        free((*g)[i].key);
    free(*g);
    *g = NULL;
}
