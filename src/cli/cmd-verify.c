/* kesu verify: checks every complaint's event chain (tamper evidence, docs/reliability.md). Each
 * event's stored link must equal event_chain_hash() of the complaint number, the event's fields
 * and the previous event's stored link, in append order. Events written before schema 5 carry
 * no link ("unchained"); a complaint's chain starts at its first linked event, and an event
 * without a link written after the chain began (its id above the setting event_chain_after) is
 * a broken link. The first broken link of each complaint is reported with what differs; the
 * exit status is 65 when any link is broken. Progress goes to stderr on long runs. Reads only,
 * in one read transaction, so it can run beside `kesu serve`.
 *
 * A chain shows edits made behind kesu's back, but someone who can write the database could
 * recompute a chain from the edit on. --heads FILE writes each complaint's last link (number,
 * event id, hash) so it can be kept outside the database; --against FILE later checks that each
 * of those events still carries that link, which no recomputation can fake. Tested by
 * tests/cli/t-verify.sh. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cmd-verify.h"
#include "store/store.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define REPORT_MAX     20 /* broken complaints printed in full; the rest are counted */
#define HEAD_LINE_MAX  256
#define PROGRESS_AFTER 2 /* seconds before the first progress line, and between lines */

static const char verify_usage[] =
    "usage: kesu verify [--db FILE] [--heads OUT] [--against HEADS]\n\n"
    "Checks the hash chain of every complaint's history and reports the first broken link of\n"
    "each complaint (number, event id, stored and computed hash, what that means).\n"
    "  --heads OUT      also write each complaint's last link to OUT (keep it elsewhere)\n"
    "  --against HEADS  also check that every link in HEADS (an earlier --heads) is unchanged\n"
    "Exit status: 0 every chain holds; 65 a link is broken or changed; 66 HEADS is missing;\n"
    "69 the database is unavailable.\n";

enum { OPT_HEADS = 1, OPT_AGAINST };

/* One line of a heads file: "<number> <event id> <hash>". */
struct head {
    char number[64];
    int64_t id;
    char hash[EVENT_HASH_HEX];
};

struct tally {
    int64_t complaints, events, chained, unchained, broken;
    struct head *heads; /* --against, sorted by number */
    size_t n_heads;
    size_t heads_seen;
    FILE *heads_out; /* --heads */
};

static int head_cmp(const void *a, const void *b)
{
    return strcmp(((const struct head *)a)->number, ((const struct head *)b)->number);
}

static int load_heads(const char *path, struct tally *t, struct ks_error *err)
{
    char line[HEAD_LINE_MAX];
    size_t cap = 0, lineno = 0;
    FILE *f = fopen(path, "r");

    if (!f)
        return ks_fail(err, KS_ENOTFOUND, "against", "heads file '%s': %s", path, strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        struct head h;
        char tail;
        lineno++;
        if (sscanf(line, "%63s %" SCNd64 " %64s %c", h.number, &h.id, h.hash, &tail) != 3 ||
            strlen(h.hash) != 64) {
            fclose(f);
            return ks_fail(err, KS_EINVAL, "against",
                           "%s:%zu: expected '<number> <event id> <64 hex digits>'", path, lineno);
        }
        xgrow((void **)&t->heads, &cap, t->n_heads + 1, sizeof(*t->heads));
        t->heads[t->n_heads++] = h;
    }
    fclose(f);
    if (t->n_heads)
        qsort(t->heads, t->n_heads, sizeof(*t->heads), head_cmp);
    return 0;
}

/* Is the anchored link of this complaint (if any) still the stored link of its event? */
static bool anchor_holds(const char *number, const struct event *evs, const char *links, size_t n,
                         bool print, struct tally *t)
{
    struct head key, *h;

    if (!t->n_heads)
        return true;
    snprintf(key.number, sizeof(key.number), "%s", number);
    h = bsearch(&key, t->heads, t->n_heads, sizeof(*t->heads), head_cmp);
    if (!h)
        return true;
    t->heads_seen++;
    for (size_t i = 0; i < n; i++) {
        if (evs[i].id != h->id)
            continue;
        if (strcmp(links + i * EVENT_HASH_HEX, h->hash) == 0)
            return true;
        if (print)
            printf("CHANGED %s event #%" PRId64 ": the heads file has %s, the database %s: the "
                   "chain was recomputed after that head was taken\n",
                   number, h->id, h->hash,
                   *(links + i * EVENT_HASH_HEX) ? links + i * EVENT_HASH_HEX : "(none)");
        return false;
    }
    if (print)
        printf("MISSING %s event #%" PRId64 " (anchored with %s) is no longer in the history\n",
               number, h->id, h->hash);
    return false;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Does event i's stored link follow from its fields and prev? */
static bool link_holds(const struct event *ev, const char *number, const char *prev,
                       const char *stored)
{
    char want[EVENT_HASH_HEX];
    event_chain_hash(ev, number, prev, want);
    return strcmp(want, stored) == 0;
}

static void report_broken(const char *number, const struct event *evs, const char *links, size_t n,
                          size_t i, const char *prev, const char *why)
{
    const struct event *ev = &evs[i];
    const char *stored = links + i * EVENT_HASH_HEX;
    char want[EVENT_HASH_HEX];

    event_chain_hash(ev, number, prev, want);
    printf("BROKEN %s event #%" PRId64 " (%s by %s at %" PRId64 ", %zu of %zu)\n", number, ev->id,
           ev->kind ? ev->kind : "?", ev->actor ? ev->actor : "?", ev->at, i + 1, n);
    printf("  stored hash:   %s\n", *stored ? stored : "(none)");
    printf("  computed hash: %s\n", want);
    printf("  previous link: %s\n", prev ? prev : "(none: first of the chain)");
    printf("  %s\n", why);
}

/* Checks one complaint's chain; returns true when it holds and prints its first broken link
 * otherwise (when print). */
static bool check_chain(const char *number, const struct event *evs, const char *links, size_t n,
                        int64_t chain_after, bool print, struct tally *t)
{
    const char *prev = NULL;

    for (size_t i = 0; i < n; i++) {
        const char *stored = links + i * EVENT_HASH_HEX;
        const char *next = i + 1 < n ? links + (i + 1) * EVENT_HASH_HEX : NULL;
        t->events++;
        if (!*stored) {
            if (!prev && evs[i].id <= chain_after) {
                t->unchained++;
                continue;
            }
            if (print)
                report_broken(number, evs, links, n, i, prev,
                              "the event has no hash although it was written after the chain "
                              "began: its hash was removed");
            return false;
        }
        if (!link_holds(&evs[i], number, prev, stored)) {
            const char *why;
            if (next && *next && link_holds(&evs[i + 1], number, stored, next))
                why = "the event's fields no longer match its hash while the next event still "
                      "follows it: this event was changed after it was written, or an event "
                      "just before it was removed";
            else if (next)
                why = "neither this event nor the next one follows its stored hash: this "
                      "event's hash was rewritten, or the event was inserted or replaced";
            else
                why = "the last event's fields no longer match its hash: it was changed, or "
                      "an event just before it was removed";
            if (print)
                report_broken(number, evs, links, n, i, prev, why);
            return false;
        }
        t->chained++;
        prev = stored;
    }
    return true;
}

static int verify(struct store *s, struct tally *t, struct ks_error *err)
{
    static const char *const number_only[] = {"number", NULL};
    struct complaint_filter f;
    struct store_iter *it = NULL;
    struct store_tx *tx = NULL;
    struct complaint c;
    char *after_text = NULL;
    int64_t total = 0, chain_after;
    double started = seconds_now(), last = started;
    int rc;

    if ((rc = store_tx_begin(s, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    rc = store_setting_get(tx, "event_chain_after", &after_text, err);
    if (rc == KS_ENOTFOUND)
        rc = ks_fail(err, KS_ECONFIG, NULL,
                     "the database has no event chain yet (schema older than 5); run `kesu "
                     "migrate` first");
    if (rc < 0) {
        store_tx_rollback(&tx);
        return rc;
    }
    chain_after = strtoll(after_text, NULL, 10);
    free(after_text);
    complaint_filter_init(&f);
    f.sort = CS_RECEIVED_ASC;
    if ((rc = complaint_field_bits(number_only, &f.fields, err)) < 0 ||
        (rc = store_complaint_count(tx, &f, &total, err)) < 0 ||
        (rc = store_complaint_list(tx, &f, &it, err)) < 0) {
        store_tx_rollback(&tx);
        return rc;
    }
    complaint_init(&c);
    while ((rc = store_complaint_next(it, &c, err)) == 1) {
        struct event *evs = NULL;
        char *links = NULL;
        size_t n = 0;
        double now;

        if ((rc = store_event_chain(tx, c.id, &evs, &links, &n, err)) < 0)
            break;
        t->complaints++;
        if (!check_chain(c.number, evs, links, n, chain_after, t->broken < REPORT_MAX, t) ||
            !anchor_holds(c.number, evs, links, n, t->broken < REPORT_MAX, t))
            t->broken++;
        if (t->heads_out && n && links[(n - 1) * EVENT_HASH_HEX])
            fprintf(t->heads_out, "%s %" PRId64 " %s\n", c.number, evs[n - 1].id,
                    links + (n - 1) * EVENT_HASH_HEX);
        event_array_free(&evs, n);
        free(links);
        now = seconds_now();
        if (now - last >= PROGRESS_AFTER) {
            fprintf(stderr, "verify: %" PRId64 " of %" PRId64 " complaints checked (%.0f s)\n",
                    t->complaints, total, now - started);
            last = now;
        }
    }
    complaint_release(&c);
    store_iter_free(&it);
    store_tx_rollback(&tx);
    return rc < 0 ? rc : 0;
}

int cmd_verify(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        CLI_COMMON_OPTS, {"heads", CLI_ARG, OPT_HEADS}, {"against", CLI_ARG, OPT_AGAINST}, {0}};
    struct cli_parsed *ps = NULL;
    struct ks_error err = {0};
    struct store *s = NULL;
    struct tally t = {0};
    struct cli_ctx ctx;
    struct store_conf sc = {0};
    const char *heads = NULL, *against = NULL;
    int n, rc;

    cli_ctx_init(&ctx);
    n = cli_parse("verify", opts, false, argc, argv, &ps);
    if (n < 0)
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        if (ps[i].id == OPT_HELP) {
            free(ps);
            fputs(verify_usage, stdout);
            return 0;
        }
        if (ps[i].id == OPT_HEADS) {
            heads = ps[i].value;
        } else if (ps[i].id == OPT_AGAINST) {
            against = ps[i].value;
        } else if (ps[i].id == 0 || !cli_ctx_option(&ctx, &ps[i])) {
            const char *what = ps[i].value ? ps[i].value : ps[i].name;
            free(ps);
            return cli_usage_error("verify", "unexpected argument '%s'", what);
        }
    }
    free(ps);
    sc.url = cli_db(&ctx);
    sc.pool_size = 1;
    rc = against ? load_heads(against, &t, &err) : 0;
    if (rc == 0 && heads && !(t.heads_out = fopen(heads, "w")))
        rc = ks_fail(&err, KS_EINVAL, "heads", "heads file '%s': %s", heads, strerror(errno));
    if (rc == 0 && (rc = store_open(&sc, &s, &err)) == 0)
        rc = verify(s, &t, &err);
    store_close(&s);
    if (t.heads_out && fclose(t.heads_out) != 0 && rc == 0)
        rc = ks_fail(&err, KS_ESTORE, "heads", "heads file '%s': %s", heads, strerror(errno));
    free(t.heads);
    if (rc < 0)
        return cli_fail(&err);
    if (t.heads_seen < t.n_heads) {
        printf("MISSING %zu complaints of the heads file are no longer in the database\n",
               t.n_heads - t.heads_seen);
        t.broken += (int64_t)(t.n_heads - t.heads_seen);
    }
    if (t.broken > REPORT_MAX)
        printf("... and %" PRId64 " more complaints with a broken link\n", t.broken - REPORT_MAX);
    printf("%s: %" PRId64 " complaints, %" PRId64 " events: %" PRId64 " chained, %" PRId64
           " unchained (written before the chain began), %" PRId64 " complaints with a broken "
           "link\n",
           t.broken ? "verify FAILED" : "verify ok", t.complaints, t.events, t.chained, t.unchained,
           t.broken);
    return t.broken ? EXIT_DATAERR : 0;
}
