/* Aho–Corasick: every occurrence of every pattern, overlapping and nested ones included, in
 * order of their end, compared against a naive search over many patterns. */
#include <stdlib.h>
#include <string.h>

#include "harness/harness.h"
#include "core/acmatch.h"
#include "lib/banned.h"

static void finds_overlapping_and_nested_patterns(void **state)
{
    (void)state;
    struct acm *m = acm_new();
    uint32_t he = acm_add(m, "he", 2), she = acm_add(m, "she", 3), hers = acm_add(m, "hers", 4);
    uint32_t his = acm_add(m, "his", 3);
    acm_compile(m);
    assert_int_equal(acm_count(m), 4);
    struct acm_hit hits[8];
    bool trunc = true;
    size_t n = acm_scan(m, "ushers", 6, hits, 8, &trunc);
    assert_false(trunc);
    assert_int_equal(n, 3);
    assert_int_equal(hits[0].id, she);
    assert_int_equal(hits[0].start, 1);
    assert_int_equal(hits[1].id, he);
    assert_int_equal(hits[1].start, 2);
    assert_int_equal(hits[2].id, hers);
    assert_int_equal(hits[2].end, 6);
    (void)his;
    n = acm_scan(m, "ushers", 6, hits, 2, &trunc);
    assert_int_equal(n, 2);
    assert_true(trunc);
    acm_free(&m);
    assert_null(m);
}

static void chinese_words_match_at_character_boundaries(void **state)
{
    (void)state;
    struct acm *m = acm_new();
    acm_add(m, "断裂", strlen("断裂"));
    acm_add(m, "芯轴断裂", strlen("芯轴断裂"));
    acm_compile(m);
    struct acm_hit hits[4];
    const char *t = "脚踏芯轴断裂了";
    size_t n = acm_scan(m, t, strlen(t), hits, 4, NULL);
    assert_int_equal(n, 2);
    assert_int_equal(hits[0].start, 6);
    assert_int_equal(hits[0].end, 18);
    assert_int_equal(hits[1].start, 12);
    acm_free(&m);
}

static void agrees_with_naive_search(void **state)
{
    (void)state;
    /* Patterns and text over a small alphabet, so that overlaps are common. */
    unsigned seed = 12345;
    char pats[200][6];
    size_t lens[200];
    struct acm *m = acm_new();
    for (int i = 0; i < 200; i++) {
        seed = seed * 1103515245 + 12345;
        lens[i] = 1 + (seed >> 16) % 5;
        for (size_t k = 0; k < lens[i]; k++) {
            seed = seed * 1103515245 + 12345;
            pats[i][k] = (char)('a' + (seed >> 16) % 3);
        }
        acm_add(m, pats[i], lens[i]);
    }
    acm_compile(m);
    char text[300];
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245 + 12345;
        text[i] = (char)('a' + (seed >> 16) % 3);
    }
    size_t max = 300 * 200;
    struct acm_hit *hits = malloc(max * sizeof *hits);
    size_t n = acm_scan(m, text, sizeof text, hits, max, NULL);
    size_t want = 0;
    for (size_t end = 1; end <= sizeof text; end++)
        for (int i = 0; i < 200; i++)
            if (lens[i] <= end && memcmp(text + end - lens[i], pats[i], lens[i]) == 0)
                want++;
    assert_int_equal(n, want);
    for (size_t i = 0; i < n; i++) {
        assert_memory_equal(text + hits[i].start, pats[hits[i].id], lens[hits[i].id]);
        if (i > 0)
            assert_true(hits[i].end >= hits[i - 1].end);
    }
    free(hits);
    acm_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_overlapping_and_nested_patterns),
        cmocka_unit_test(chinese_words_match_at_character_boundaries),
        cmocka_unit_test(agrees_with_naive_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
