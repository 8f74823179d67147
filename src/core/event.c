/* Timeline entries (struct event): their lifecycle, and the canonical encoding that chains
 * each event of a complaint to the one before it (event_chain_hash(), documented in event.h).
 * The hash is computed here, in one pure place, so the store that writes links and `kesu verify`
 * that checks them can never disagree about the bytes. */
#include "core/event.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/civil.h"

#include "lib/banned.h"

void event_init(struct event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->at = KS_TIME_NONE; /* not stamped yet */
    ev->from_state = -1;
    ev->to_state = -1;
}

void event_release(struct event *ev)
{
    free(ev->actor);
    free(ev->kind);
    free(ev->note);
    free(ev->details);
    event_init(ev);
}

void event_array_free(struct event **evs, size_t n)
{
    if (!*evs)
        return;
    for (size_t i = 0; i < n; i++)
        event_release(&(*evs)[i]);
    free(*evs);
    *evs = NULL;
}

static void feed(crypto_hash_sha256_state *st, const char *s, size_t n)
{
    crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

/* name=<len>:<value>\n, or name=-\n for NULL. */
static void feed_field(crypto_hash_sha256_state *st, const char *name, const char *value)
{
    char head[48];
    int n;

    if (!value) {
        n = snprintf(head, sizeof(head), "%s=-\n", name);
        feed(st, head, (size_t)n);
        return;
    }
    n = snprintf(head, sizeof(head), "%s=%zu:", name, strlen(value));
    feed(st, head, (size_t)n);
    feed(st, value, strlen(value));
    feed(st, "\n", 1);
}

static const char *state_code(int s)
{
    return s < 0 || s >= WF_STATE__COUNT ? NULL : wf_state_name((enum wf_state)s);
}

void event_chain_hash(const struct event *ev, const char *number, const char *prev,
                      char out[EVENT_HASH_HEX])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    char line[96]; /* "prev=" and 64 hex digits, or "at=" and an int64 */
    int n;

    crypto_hash_sha256_init(&st);
    feed(&st, "kesu-event-v1\n", 14);
    n = snprintf(line, sizeof(line), "prev=%.64s\n", prev ? prev : "-");
    feed(&st, line, (size_t)n);
    feed_field(&st, "number", number);
    n = snprintf(line, sizeof(line), "at=%" PRId64 "\n", ev->at);
    feed(&st, line, (size_t)n);
    feed_field(&st, "actor", ev->actor);
    feed_field(&st, "kind", ev->kind);
    feed_field(&st, "from", state_code(ev->from_state));
    feed_field(&st, "to", state_code(ev->to_state));
    feed_field(&st, "note", ev->note);
    feed_field(&st, "details", ev->details);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, EVENT_HASH_HEX, h, sizeof(h));
}
