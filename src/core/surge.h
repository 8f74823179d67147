/* Surge detection (应急事件): many complaints about the same thing in a short window open one
 * incident. Pure: surge_groups() names the groups one new complaint belongs to (what a caller
 * looks up: an open incident with that key, or the alike complaints of the window), and
 * surge_decide() takes recent complaints, the keys of the incidents already open and now and
 * says which incidents to open and which complaints to link to new or open incidents.
 * Ownership: items, rules and open_keys are borrowed for the call; the groups and decisions
 * arrays and everything in them are owned by the caller (surge_groups_free(),
 * surge_decisions_free()), except the borrowed rule and word pointers they hold. */
#ifndef KS_CORE_SURGE_H
#define KS_CORE_SURGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/preset.h"
#include "lib/err.h"

/* One recent complaint as surge detection sees it. Text fields may be NULL (unknown): a rule
 * that compares a field never matches a complaint without it. */
struct surge_item {
    const char *number; /* KS20261128-0001 */
    int64_t received_at;
    const char *category, *defect, *product, *batch_no;
    const char *const *words; /* words it matched (category keywords, defect phrases ...) */
    size_t n_words;
    const char *incident; /* key of the incident it is linked to already, or NULL */
};

struct surge_decision {
    char *key; /* owned: "same_batch|batch_no=B2611" or "...|words=手机银行" */
    const struct preset_surge *rule; /* borrowed from the rules passed in */
    int level;                       /* the rule's incident level */
    bool open;      /* true: open a new incident with key; false: the incident is open already */
    size_t *items;  /* owned: indices into items of the complaints to link, ascending */
    size_t n_items; /* >= rule->threshold when open */
};

/* Decides at now. For each rule in order, complaints received within (now - window, now]
 * and not linked to any incident are grouped by the fields the rule compares (with
 * SURGE_F_WORDS, one group per shared word after text normalisation). A group whose key is an
 * open incident's attaches its complaints whatever their number; any other group of at least
 * threshold complaints opens an incident. Each complaint joins at most one decision (open
 * incidents first, then larger groups, then earlier rules), so a burst opens one incident and
 * a later sweep that sees the incident open attaches instead of opening another. Tested by
 * tests/unit/test-surge.c. */
int surge_decide(const struct preset_surge *rules, size_t n_rules, const struct surge_item *items,
                 size_t n_items, const char *const *open_keys, size_t n_open, int64_t now,
                 struct surge_decision **out, size_t *n_out, struct ks_error *err);

void surge_decisions_free(struct surge_decision **d, size_t n);

/* One group a complaint belongs to under one rule: only complaints sharing it can be grouped
 * with it, so a caller deciding for one new complaint reads just these, not the whole window. */
struct surge_group {
    const struct preset_surge *rule; /* borrowed from the rules passed in */
    char *key;                       /* owned: the incident key surge_decide() would use */
    const char *word; /* borrowed from it->words: the shared word (SURGE_F_WORDS), else NULL */
};

/* The groups of `it`, rules in order and, within a words rule, its words in order (a word
 * that normalises like an earlier one only once); none for a rule whose compared field `it`
 * lacks. Incomplete rules are KS_EINVAL as in surge_decide(). Tested by
 * tests/unit/test-surge.c. */
int surge_groups(const struct preset_surge *rules, size_t n_rules, const struct surge_item *it,
                 struct surge_group **out, size_t *n_out, struct ks_error *err);

void surge_groups_free(struct surge_group **g, size_t n);

#endif
