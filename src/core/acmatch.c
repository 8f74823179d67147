/* Aho–Corasick matching (see acmatch.h). Building: a trie whose nodes keep their children in
 * a sibling list (cheap while adding); compiling: a breadth-first pass computes failure links
 * and fills a full DFA table over byte classes (bytes that occur in no pattern share class 0),
 * and each state's output list is its own pattern ids followed by its failure state's list,
 * flattened into one array. Scanning is then one table lookup per byte. */
#include "core/acmatch.h"

#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

struct trie_node {
    int32_t child;   /* first child, -1 none */
    int32_t sibling; /* next sibling, -1 none */
    int32_t own;     /* first pattern id ending here, -1 none (chained by pat_next) */
    unsigned char byte;
};

struct acm {
    /* Building. */
    struct trie_node *nodes;
    size_t n_nodes, cap_nodes;
    uint32_t *pat_len;
    int32_t *pat_next;
    size_t n_pats, cap_pats, cap_next;
    bool compiled;
    /* Compiled. */
    unsigned char cls[256];
    size_t n_cls;
    int32_t *delta;      /* n_nodes * n_cls */
    uint32_t *out_start; /* per state, into outs */
    uint32_t *out_count;
    uint32_t *outs;
};

static int32_t node_new(struct acm *m, unsigned char byte)
{
    xgrow((void **)&m->nodes, &m->cap_nodes, m->n_nodes + 1, sizeof *m->nodes);
    struct trie_node *n = &m->nodes[m->n_nodes];
    n->child = n->sibling = n->own = -1;
    n->byte = byte;
    return (int32_t)m->n_nodes++;
}

struct acm *acm_new(void)
{
    struct acm *m = xcalloc(1, sizeof *m);
    node_new(m, 0);
    return m;
}

void acm_free(struct acm **pm)
{
    struct acm *m = *pm;
    if (!m)
        return;
    free(m->nodes);
    free(m->pat_len);
    free(m->pat_next);
    free(m->delta);
    free(m->out_start);
    free(m->out_count);
    free(m->outs);
    free(m);
    *pm = NULL;
}

static int32_t child_of(const struct acm *m, int32_t node, unsigned char byte)
{
    for (int32_t c = m->nodes[node].child; c >= 0; c = m->nodes[c].sibling)
        if (m->nodes[c].byte == byte)
            return c;
    return -1;
}

uint32_t acm_add(struct acm *m, const char *pat, size_t len)
{
    if (m->compiled || len == 0)
        KS_BUG("acm_add: %s", m->compiled ? "already compiled" : "empty pattern");
    int32_t node = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)pat[i];
        int32_t c = child_of(m, node, b);
        if (c < 0) {
            c = node_new(m, b);
            m->nodes[c].sibling = m->nodes[node].child;
            m->nodes[node].child = c;
        }
        node = c;
    }
    xgrow((void **)&m->pat_len, &m->cap_pats, m->n_pats + 1, sizeof *m->pat_len);
    xgrow((void **)&m->pat_next, &m->cap_next, m->n_pats + 1, sizeof *m->pat_next);
    uint32_t id = (uint32_t)m->n_pats++;
    m->pat_len[id] = (uint32_t)len;
    m->pat_next[id] = m->nodes[node].own;
    m->nodes[node].own = (int32_t)id;
    return id;
}

uint32_t acm_count(const struct acm *m)
{
    return (uint32_t)m->n_pats;
}

void acm_compile(struct acm *m)
{
    if (m->compiled)
        KS_BUG("acm_compile: twice");
    m->compiled = true;

    /* Byte classes. */
    memset(m->cls, 0, sizeof m->cls);
    size_t n_cls = 1;
    for (size_t i = 1; i < m->n_nodes; i++) {
        unsigned char b = m->nodes[i].byte;
        if (m->cls[b] == 0)
            m->cls[b] = (unsigned char)n_cls++;
    }
    m->n_cls = n_cls;

    size_t n = m->n_nodes;
    m->delta = xcalloc(n * n_cls, sizeof *m->delta);
    int32_t *fail = xcalloc(n, sizeof *fail);
    int32_t *queue = xcalloc(n, sizeof *queue);
    size_t qh = 0, qt = 0;

    for (int32_t c = m->nodes[0].child; c >= 0; c = m->nodes[c].sibling) {
        m->delta[m->cls[m->nodes[c].byte]] = c;
        fail[c] = 0;
        queue[qt++] = c;
    }
    while (qh < qt) {
        int32_t s = queue[qh++];
        int32_t *row = &m->delta[(size_t)s * n_cls];
        const int32_t *frow = &m->delta[(size_t)fail[s] * n_cls];
        memcpy(row, frow, n_cls * sizeof *row);
        for (int32_t c = m->nodes[s].child; c >= 0; c = m->nodes[c].sibling) {
            size_t k = m->cls[m->nodes[c].byte];
            fail[c] = frow[k];
            row[k] = c;
            queue[qt++] = c;
        }
    }

    /* Outputs in BFS order, so a failure state's list is complete before it is copied. */
    m->out_start = xcalloc(n, sizeof *m->out_start);
    m->out_count = xcalloc(n, sizeof *m->out_count);
    size_t cap_outs = 0, n_outs = 0;
    for (size_t qi = 0; qi <= qt; qi++) {
        int32_t s = qi == 0 ? 0 : queue[qi - 1];
        size_t own = 0;
        for (int32_t id = m->nodes[s].own; id >= 0; id = m->pat_next[id])
            own++;
        size_t inherited = s == 0 ? 0 : m->out_count[fail[s]];
        xgrow((void **)&m->outs, &cap_outs, n_outs + own + inherited + 1, sizeof *m->outs);
        m->out_start[s] = (uint32_t)n_outs;
        for (int32_t id = m->nodes[s].own; id >= 0; id = m->pat_next[id])
            m->outs[n_outs++] = (uint32_t)id;
        if (inherited)
            memcpy(&m->outs[n_outs], &m->outs[m->out_start[fail[s]]], inherited * sizeof *m->outs);
        n_outs += inherited;
        m->out_count[s] = (uint32_t)(own + inherited);
    }
    free(fail);
    free(queue);
}

size_t acm_scan(const struct acm *m, const char *text, size_t len, struct acm_hit *hits, size_t max,
                bool *truncated)
{
    if (!m->compiled)
        KS_BUG("acm_scan: not compiled");
    size_t n = 0;
    bool more = false;
    int32_t s = 0;
    const unsigned char *t = (const unsigned char *)text;
    for (size_t i = 0; i < len; i++) {
        s = m->delta[(size_t)s * m->n_cls + m->cls[t[i]]];
        uint32_t cnt = m->out_count[s];
        if (cnt == 0)
            continue;
        const uint32_t *o = &m->outs[m->out_start[s]];
        for (uint32_t k = 0; k < cnt; k++) {
            if (n == max) {
                more = true;
                break;
            }
            hits[n].id = o[k];
            hits[n].end = (uint32_t)(i + 1);
            hits[n].start = (uint32_t)(i + 1 - m->pat_len[o[k]]);
            n++;
        }
    }
    if (truncated)
        *truncated = more;
    return n;
}
