/* The event chain's canonical encoding: fixed vectors computed outside kesu (the documented
 * bytes piped through sha256sum, see docs/reliability.md), and every field taking part. */
#include "harness/harness.h"

#include <stdlib.h>
#include <string.h>

#include "core/event.h"

/* printf 'kesu-event-v1\nprev=-\nnumber=15:KS20261129-0001\nat=1796000000\nactor=5:admin\n
 * kind=10:transition\nfrom=3:new\nto=8:accepted\nnote=6:受理\ndetails=-\n' | sha256sum */
#define FIRST_LINK "8351bd8ae604789a6a439f2e5f163b6758927047f083a4dfc8eadecac3bc25b4"
/* The audit event after it: prev=FIRST_LINK, at=1796000060, actor=6:system, kind=5:audit,
 * from=-, to=-, note=-, details=16:{"fields":["a"]} */
#define SECOND_LINK "bff57f883f757aca47028bd5fba280edbb94673ec09b344bac7e471668c64bef"

static void first_event(struct event *ev)
{
    event_init(ev);
    ev->at = 1796000000;
    ev->actor = strdup("admin");
    ev->kind = strdup(EV_TRANSITION);
    ev->from_state = WF_STATE_NEW;
    ev->to_state = WF_STATE_ACCEPTED;
    ev->note = strdup("受理");
}

static void chain_matches_the_documented_encoding(void **state)
{
    struct event a, b;
    char h1[EVENT_HASH_HEX], h2[EVENT_HASH_HEX];

    first_event(&a);
    event_chain_hash(&a, "KS20261129-0001", NULL, h1);
    assert_string_equal(h1, FIRST_LINK);

    event_init(&b);
    b.at = 1796000060;
    b.actor = strdup("system");
    b.kind = strdup(EV_AUDIT);
    b.details = strdup("{\"fields\":[\"a\"]}");
    event_chain_hash(&b, "KS20261129-0001", h1, h2);
    assert_string_equal(h2, SECOND_LINK);
    event_release(&a);
    event_release(&b);
}

/* Each field changes the link; the row ids do not. */
static void every_field_takes_part(void **state)
{
    struct event ev;
    char base[EVENT_HASH_HEX], h[EVENT_HASH_HEX];

    first_event(&ev);
    event_chain_hash(&ev, "KS20261129-0001", NULL, base);
    ev.id = 99;
    ev.complaint_id = 7;
    event_chain_hash(&ev, "KS20261129-0001", NULL, h);
    assert_string_equal(h, base);

    event_chain_hash(&ev, "KS20261129-0002", NULL, h);
    assert_string_not_equal(h, base);
    event_chain_hash(&ev, "KS20261129-0001", FIRST_LINK, h);
    assert_string_not_equal(h, base);
    ev.at++;
    event_chain_hash(&ev, "KS20261129-0001", NULL, h);
    assert_string_not_equal(h, base);
    ev.at--;
    ev.to_state = WF_STATE_REJECTED;
    event_chain_hash(&ev, "KS20261129-0001", NULL, h);
    assert_string_not_equal(h, base);
    ev.to_state = WF_STATE_ACCEPTED;
    free(ev.note);
    ev.note = NULL; /* NULL and "" differ */
    event_chain_hash(&ev, "KS20261129-0001", NULL, h);
    assert_string_not_equal(h, base);
    ev.note = strdup("");
    event_chain_hash(&ev, "KS20261129-0001", NULL, base);
    assert_string_not_equal(h, base);
    event_release(&ev);
}

/* A value cannot pose as a field boundary: moving bytes from the actor into the kind changes
 * the link even though the concatenation is the same. */
static void values_cannot_imitate_boundaries(void **state)
{
    struct event a, b;
    char ha[EVENT_HASH_HEX], hb[EVENT_HASH_HEX];

    first_event(&a);
    first_event(&b);
    free(a.actor);
    free(a.kind);
    free(b.actor);
    free(b.kind);
    a.actor = strdup("ad\nkind=5:min");
    a.kind = strdup("x");
    b.actor = strdup("ad");
    b.kind = strdup("min\nkind=5:x");
    event_chain_hash(&a, "KS1", NULL, ha);
    event_chain_hash(&b, "KS1", NULL, hb);
    assert_string_not_equal(ha, hb);
    event_release(&a);
    event_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chain_matches_the_documented_encoding),
        cmocka_unit_test(every_field_takes_part),
        cmocka_unit_test(values_cannot_imitate_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
