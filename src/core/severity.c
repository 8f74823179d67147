/* The severity engine (see severity.h).
 *
 * Building: every word of the preset (defect names and phrases, rule words, category keywords,
 * product aliases) and the engine's own small Chinese vocabulary (negation, contrast, cause,
 * quantity and month words) is normalised with textnorm() and split on '~' into parts; every
 * part becomes one Aho–Corasick pattern that remembers its phrase and its position in it.
 *
 * Judging, in one pass over the normalised text plus work proportional to the hits:
 *  1. scan: all pattern hits, in order of their end;
 *  2. phrases: a hit on a phrase's last part completes the phrase when its earlier parts were
 *     hit before it, in order, at most GAP_CHARS characters apart with no separator between;
 *  3. negation: a phrase is cancelled by a negation word ("没有", "未") before it in the same
 *     clause (at most NEG_CHARS characters back; a contrast word "但" or a later cause word
 *     "导致" ends the clause) or inside its gaps ("芯轴没断"); "无法", "有没有" and the
 *     questions "会不会", "是不是" are not negations;
 *  4. defects: of the product family (given, or named in the text). A gapped phrase is loose,
 *     so it loses its failure word to anything nearer that the catalogue knows: it is dropped
 *     when another defect's phrase starts inside one of its gaps ("脚踏[反光片]脱落" is a
 *     reflector that came off, not a pedal) or when a gap holds an object noun of a milder
 *     defect (a category keyword that begins such a defect's gapped phrase: 纸箱, 唛头, 吊卡),
 *     unless a coordinator joins the two ("芯轴和反光片都断了" breaks both). Of overlapping
 *     defect matches the more specific wins: more matched characters, then the tighter span
 *     ("反光片脱落" beats "脚踏~脱落"). The most severe remaining defect is the one reported;
 *  5. quantities: delivered/defective from the fields, else from the text (numbers in Arabic
 *     or Chinese numerals next to delivery and defect words, "300对里有100对", "40%",
 *     "三成", "三分之一", "一半以上");
 *  6. rules raise the severity: ratio, batch words, function words, repeat, urgent; the
 *     highest outcome wins and each rule that fired leaves a reason in Chinese.
 * Nothing is allocated while judging unless the text is longer than TEXT_STACK bytes. */
#include "core/severity.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/acmatch.h"
#include "core/complaint.h"
#include "core/textnorm.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define TEXT_STACK  4096
#define HITS_MAX    512
#define MATCHES_MAX 256
#define GAP_CHARS   8 /* characters between the parts of a phrase */
#define NEG_CHARS   6 /* characters from a negation to what it negates */
#define UTF8_MAX    4 /* bytes of the longest UTF-8 character: bounds a character count */
#define PARTS_MAX   3
#define NUMS_MAX    64
#define SEEN_WORDS  64 /* bitset of 4096 pattern ids */

enum kind {
    K_DEFECT = 0,
    K_BATCH,
    K_SERIOUS,
    K_URGENT,
    K_NEG,
    K_ANTINEG,  /* contains a negation character but is not one: 无法, 有没有 */
    K_CONTRAST, /* ends a negation's scope: 但是 */
    K_CAUSE,    /* ends a negation's scope unless right after it: 导致 */
    K_CATEGORY,
    K_PRODUCT,
    K_DELIVERED, /* 送货, 发货: a quantity after it is the delivery */
    K_DEFECTIVE, /* 不良, 坏: a quantity next to it is the defective count */
    K_CONTAIN,   /* 里, 其中: "300对里有100对" */
    K_RATIO,     /* 一半, 大部分: a share in per mille */
    K_MONTH,     /* 本月: the text speaks of this month */
    K_AND,       /* 和, 以及: joins two things, so a failure word after them is said of both */
};

/* The engine's own vocabulary: Chinese, not industry configuration. */
struct vocab {
    enum kind kind;
    int value;
    const char *word;
};
static const struct vocab vocab[] = {
    {K_NEG, 0, "没有"},
    {K_NEG, 0, "没"},
    {K_NEG, 0, "未"},
    {K_NEG, 0, "无"},
    {K_NEG, 0, "不是"},
    {K_NEG, 0, "并非"},
    {K_NEG, 0, "不存在"},
    {K_NEG, 0, "避免"},
    {K_NEG, 0, "防止"},
    {K_NEG, 0, "以免"},
    {K_NEG, 0, "排除"},
    {K_NEG, 0, "不会"},
    {K_NEG, 0, "no "},
    {K_NEG, 0, "not "},
    {K_ANTINEG, 0, "无法"},
    {K_ANTINEG, 0, "无论"},
    {K_ANTINEG, 0, "没法"},
    {K_ANTINEG, 0, "有没有"},
    {K_ANTINEG, 0, "没想到"},
    {K_ANTINEG, 0, "未来"},
    {K_ANTINEG, 0, "未能"},
    {K_ANTINEG, 0, "是否"},
    {K_ANTINEG, 0, "不会用"},
    {K_ANTINEG, 0, "会不会"},
    {K_ANTINEG, 0, "是不是"},
    {K_ANTINEG, 0, "能不能"},
    {K_CONTRAST, 0, "但"},
    {K_CONTRAST, 0, "却"},
    {K_CONTRAST, 0, "可是"},
    {K_CONTRAST, 0, "不过"},
    {K_CONTRAST, 0, "只是"},
    {K_CONTRAST, 0, "而是"},
    {K_CONTRAST, 0, "but"},
    {K_CAUSE, 0, "导致"},
    {K_CAUSE, 0, "造成"},
    {K_CAUSE, 0, "引起"},
    {K_CAUSE, 0, "使得"},
    {K_CAUSE, 0, "所以"},
    {K_CAUSE, 0, "结果"},
    {K_CAUSE, 0, "以致"},
    {K_DELIVERED, 0, "送货"},
    {K_DELIVERED, 0, "发货"},
    {K_DELIVERED, 0, "交货"},
    {K_DELIVERED, 0, "到货"},
    {K_DELIVERED, 0, "来货"},
    {K_DELIVERED, 0, "收货"},
    {K_DELIVERED, 0, "收到"},
    {K_DELIVERED, 0, "一共"},
    {K_DELIVERED, 0, "总共"},
    {K_DELIVERED, 0, "共计"},
    {K_DELIVERED, 0, "合计"},
    {K_DELIVERED, 0, "进货"},
    {K_DELIVERED, 0, "订了"},
    {K_DELIVERED, 0, "订购"},
    {K_DELIVERED, 0, "采购"},
    {K_DELIVERED, 0, "总数"},
    {K_DELIVERED, 0, "数量"},
    {K_DELIVERED, 0, "送了"},
    {K_DELIVERED, 0, "发了"},
    {K_DELIVERED, 0, "交了"},
    {K_DELIVERED, 0, "到了"},
    {K_DELIVERED, 0, "这批"},
    {K_DELIVERED, 0, "本批"},
    {K_DELIVERED, 0, "送来"},
    {K_DELIVERED, 0, "发来"},
    {K_DELIVERED, 0, "抽检"},
    {K_DELIVERED, 0, "抽查"},
    {K_DELIVERED, 0, "抽了"},
    {K_DELIVERED, 0, "检验"},
    {K_DELIVERED, 0, "检查了"},
    {K_DELIVERED, 0, "共"},
    {K_DEFECTIVE, 0, "不良"},
    {K_DEFECTIVE, 0, "坏"},
    {K_DEFECTIVE, 0, "有问题"},
    {K_DEFECTIVE, 0, "次品"},
    {K_DEFECTIVE, 0, "损坏"},
    {K_DEFECTIVE, 0, "故障"},
    {K_DEFECTIVE, 0, "异常"},
    {K_DEFECTIVE, 0, "报废"},
    {K_DEFECTIVE, 0, "不合格"},
    {K_DEFECTIVE, 0, "不能用"},
    {K_DEFECTIVE, 0, "用不了"},
    {K_DEFECTIVE, 0, "挑出"},
    {K_DEFECTIVE, 0, "有毛病"},
    {K_DEFECTIVE, 0, "出问题"},
    {K_DEFECTIVE, 0, "返工"},
    {K_DEFECTIVE, 0, "退回"},
    {K_DEFECTIVE, 0, "脱落"},
    {K_DEFECTIVE, 0, "破裂"},
    {K_DEFECTIVE, 0, "断"},
    {K_DEFECTIVE, 0, "错"},
    {K_DEFECTIVE, 0, "漏"},
    {K_DEFECTIVE, 0, "掉了"},
    {K_DEFECTIVE, 0, "卡死"},
    {K_DEFECTIVE, 0, "松"},
    {K_CONTAIN, 0, "里"},
    {K_CONTAIN, 0, "中"},
    {K_CONTAIN, 0, "其中"},
    {K_CONTAIN, 0, "里面"},
    {K_CONTAIN, 0, "当中"},
    {K_CONTAIN, 0, "之中"},
    {K_CONTAIN, 0, "内"},
    {K_CONTAIN, 0, "每"},
    {K_RATIO, 500, "一半"},
    {K_RATIO, 500, "半数"},
    {K_RATIO, 500, "过半"},
    {K_RATIO, 600, "大半"},
    {K_RATIO, 600, "大部分"},
    {K_RATIO, 600, "大多数"},
    {K_RATIO, 600, "多数"},
    {K_RATIO, 1000, "全部"},
    {K_RATIO, 1000, "全都"},
    {K_RATIO, 1000, "所有"},
    {K_RATIO, 1000, "统统"},
    {K_RATIO, 1000, "每一个都"},
    {K_RATIO, 1000, "每个都"},
    {K_RATIO, 1000, "百分百"},
    {K_MONTH, 0, "本月"},
    {K_MONTH, 0, "这个月"},
    {K_MONTH, 0, "当月"},
    {K_MONTH, 0, "这月"},
    {K_MONTH, 0, "同月"},
    {K_MONTH, 0, "月内"},
    {K_MONTH, 0, "一个月"},
    {K_MONTH, 0, "本月份"},
    {K_AND, 0, "和"},
    {K_AND, 0, "与"},
    {K_AND, 0, "跟"},
    {K_AND, 0, "及"},
    {K_AND, 0, "以及"},
    {K_AND, 0, "还有"},
    {K_AND, 0, "连同"},
    {K_AND, 0, "连"},
};

struct phrase {
    enum kind kind;
    int n_parts;
    uint32_t part_ids[PARTS_MAX]; /* pattern id of each part */
    int target;                   /* defect (index into dref), category or product index */
    int value;  /* K_RATIO: per mille; K_CATEGORY: most severe defect whose gapped phrase
                   begins with this keyword (an object noun: 纸箱, 唛头), or -1 */
    size_t len; /* bytes of the normalised phrase without '~' (longer is more specific) */
};

struct part {
    uint32_t phrase;
    int index;
    uint32_t text_off, text_len; /* normalised text in sev_engine.text */
};

struct dref {
    const struct preset_defect *d;
    int product; /* index into p->products, -1: any family */
};

struct sev_engine {
    const struct preset *p;
    struct acm *acm;
    struct phrase *phrases;
    size_t n_phrases, cap_phrases;
    struct part *parts; /* by pattern id */
    size_t n_parts, cap_parts;
    char *text; /* every part's normalised text, back to back */
    size_t n_text, cap_text;
    struct dref *drefs;
    size_t n_drefs;
};

static const char *const rule_names[SEV_RULE__COUNT] = {
    "defect", "ratio", "batch_words", "function", "repeat", "urgent", "default", "category",
};

const char *sev_rule_name(enum sev_rule r)
{
    return (unsigned)r < SEV_RULE__COUNT ? rule_names[r] : "";
}

static const char *const rule_labels[SEV_RULE__COUNT] = {
    "不良项目", "不良比例", "批量字样", "功能安全", "重复投诉", "紧急", "默认", "分类",
};

void sev_input_init(struct sev_input *in)
{
    memset(in, 0, sizeof *in);
    in->text_len = SIZE_MAX;
    in->delivered = SEV_QTY_UNKNOWN;
    in->defective = SEV_QTY_UNKNOWN;
}

/* Adds one phrase ("a~b~c") of kind; KS_ECONFIG when a part is empty after normalisation. */
static int add_phrase(struct sev_engine *e, const char *word, enum kind kind, int target, int value,
                      struct ks_error *err)
{
    const char *parts[PARTS_MAX];
    size_t lens[PARTS_MAX];
    int n = 0;
    const char *s = word;
    for (;;) {
        const char *t = strchr(s, '~');
        if (n == PARTS_MAX)
            return ks_fail(err, KS_ECONFIG, "words", "'%s' has more than %d parts", word,
                           PARTS_MAX);
        parts[n] = s;
        lens[n] = t ? (size_t)(t - s) : strlen(s);
        n++;
        if (!t)
            break;
        s = t + 1;
    }
    xgrow((void **)&e->phrases, &e->cap_phrases, e->n_phrases + 1, sizeof *e->phrases);
    uint32_t pi = (uint32_t)e->n_phrases;
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        char buf[256];
        if (lens[i] >= sizeof buf)
            return ks_fail(err, KS_ECONFIG, "words", "'%s' is too long", word);
        size_t nl = textnorm(parts[i], lens[i], buf, sizeof buf);
        if (nl == 0 || strchr(buf, TEXTNORM_COMMA) || strchr(buf, TEXTNORM_STOP))
            return ks_fail(err, KS_ECONFIG, "words",
                           "'%s' is empty or has punctuation inside a part", word);
        uint32_t id = acm_add(e->acm, buf, nl);
        xgrow((void **)&e->parts, &e->cap_parts, (size_t)id + 1, sizeof *e->parts);
        xgrow((void **)&e->text, &e->cap_text, e->n_text + nl, 1);
        memcpy(e->text + e->n_text, buf, nl);
        e->parts[id].phrase = pi;
        e->parts[id].index = i;
        e->parts[id].text_off = (uint32_t)e->n_text;
        e->parts[id].text_len = (uint32_t)nl;
        e->n_text += nl;
        e->phrases[pi].part_ids[i] = id;
        e->n_parts = (size_t)id + 1;
        total += nl;
    }
    e->phrases[pi].kind = kind;
    e->phrases[pi].n_parts = n;
    e->phrases[pi].target = target;
    e->phrases[pi].value = value;
    e->phrases[pi].len = total;
    e->n_phrases++;
    return 0;
}

static int add_words(struct sev_engine *e, const struct preset_words *w, enum kind kind, int target,
                     struct ks_error *err)
{
    for (size_t i = 0; i < w->n; i++) {
        int rc = add_phrase(e, w->v[i], kind, target, 0, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_defect(struct sev_engine *e, const struct preset_defect *d, int product,
                      struct ks_error *err)
{
    int di = (int)e->n_drefs++;
    e->drefs[di] = (struct dref){d, product};
    int rc = add_phrase(e, d->name, K_DEFECT, di, 0, err);
    if (rc == 0)
        rc = add_words(e, &d->phrases, K_DEFECT, di, err);
    if (rc < 0)
        ks_error_prefix(err, "defect '%s'", d->code);
    return rc;
}

static bool part_equal(const struct sev_engine *e, uint32_t a, uint32_t b)
{
    const struct part *x = &e->parts[a], *y = &e->parts[b];
    return x->text_len == y->text_len &&
           memcmp(e->text + x->text_off, e->text + y->text_off, x->text_len) == 0;
}

/* Finds the category keywords that name a thing a defect is about: those that begin a gapped
 * defect phrase ("纸箱~破"). Each remembers the most severe such defect, so that only a
 * thing of milder defects takes a failure word away from a loose phrase (step 4). */
static void mark_objects(struct sev_engine *e)
{
    for (size_t i = 0; i < e->n_phrases; i++) {
        struct phrase *kw = &e->phrases[i];
        if (kw->kind != K_CATEGORY)
            continue;
        kw->value = -1;
        if (kw->n_parts != 1)
            continue;
        for (size_t j = 0; j < e->n_phrases; j++) {
            const struct phrase *ph = &e->phrases[j];
            if (ph->kind != K_DEFECT || ph->n_parts < 2 ||
                !part_equal(e, kw->part_ids[0], ph->part_ids[0]))
                continue;
            int sev = (int)e->drefs[ph->target].d->severity;
            if (sev > kw->value)
                kw->value = sev;
        }
    }
}

int sev_engine_new(const struct preset *p, struct sev_engine **out, struct ks_error *err)
{
    *out = NULL;
    struct sev_engine *e = xcalloc(1, sizeof *e);
    e->p = p;
    e->acm = acm_new();
    size_t nd = p->n_defects;
    for (size_t i = 0; i < p->n_products; i++)
        nd += p->products[i].n_defects;
    e->drefs = xcalloc(nd ? nd : 1, sizeof *e->drefs);
    int rc = 0;
    for (size_t i = 0; i < sizeof vocab / sizeof vocab[0] && rc == 0; i++)
        rc = add_phrase(e, vocab[i].word, vocab[i].kind, 0, vocab[i].value, err);
    for (size_t i = 0; i < p->n_products && rc == 0; i++) {
        const struct preset_product *pr = &p->products[i];
        rc = add_phrase(e, pr->name, K_PRODUCT, (int)i, 0, err);
        if (rc == 0)
            rc = add_words(e, &pr->aliases, K_PRODUCT, (int)i, err);
        for (size_t j = 0; j < pr->n_defects && rc == 0; j++)
            rc = add_defect(e, &pr->defects[j], (int)i, err);
    }
    for (size_t j = 0; j < p->n_defects && rc == 0; j++)
        rc = add_defect(e, &p->defects[j], -1, err);
    const struct preset_rules *r = &p->rules;
    if (rc == 0)
        rc = add_words(e, &r->batch, K_BATCH, 0, err);
    if (rc == 0)
        rc = add_words(e, &r->serious, K_SERIOUS, 0, err);
    if (rc == 0)
        rc = add_words(e, &r->urgent, K_URGENT, 0, err);
    if (rc == 0)
        rc = add_words(e, &r->negations, K_NEG, 0, err);
    for (size_t i = 0; i < p->n_categories && rc == 0; i++) {
        const struct preset_category *c = &p->categories[i];
        for (size_t k = 0; k < c->n_keywords && rc == 0; k++)
            rc = add_phrase(e, c->keywords[k], K_CATEGORY, (int)i, 0, err);
    }
    if (rc < 0) {
        sev_engine_free(&e);
        return rc;
    }
    mark_objects(e);
    acm_compile(e->acm);
    *out = e;
    return 0;
}

void sev_engine_free(struct sev_engine **pe)
{
    struct sev_engine *e = *pe;
    if (!e)
        return;
    acm_free(&e->acm);
    free(e->phrases);
    free(e->parts);
    free(e->text);
    free(e->drefs);
    free(e);
    *pe = NULL;
}

/* ---- Judging ---------------------------------------------------------------------------- */

struct match {
    uint32_t phrase;
    uint32_t start, end;
    uint32_t gap_start[PARTS_MAX - 1], gap_end[PARTS_MAX - 1]; /* byte ranges between parts */
    int n_gaps;
    bool negated;
    bool dropped; /* inside a longer defect match */
};

struct num {
    uint32_t start, end; /* the number itself */
    uint32_t uend;       /* after a following unit (对, 个, pcs ...), or end */
    int64_t value;
    int permille; /* -1, or a share written as %, 成, 分之 */
};

struct ctx {
    const struct sev_engine *e;
    const char *t; /* normalised text */
    size_t len;
    struct acm_hit hits[HITS_MAX];
    size_t n_hits;
    struct match m[MATCHES_MAX];
    size_t n_m;
    struct num nums[NUMS_MAX];
    size_t n_nums;
};

static bool has_sep(const char *t, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (textnorm_is_sep(t[i]))
            return true;
    return false;
}

/* Characters (not bytes) in t[a, b): a gap of four Chinese characters is as loose as a gap of
 * four letters or digits. */
static size_t chars_between(const char *t, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        n += ((unsigned char)t[i] & 0xC0) != 0x80;
    return n;
}

static enum kind hit_kind(const struct ctx *c, const struct acm_hit *h)
{
    return c->e->phrases[c->e->parts[h->id].phrase].kind;
}

/* Finds earlier parts of phrase for a hit on part k that starts at `before`; fills the gaps
 * and returns the start of the whole match, or -1. */
static int64_t chain(const struct ctx *c, size_t hi, uint32_t phrase, int k, uint32_t before,
                     struct match *m)
{
    if (k < 0)
        return before;
    for (size_t j = hi; j-- > 0;) {
        const struct acm_hit *h = &c->hits[j];
        if (h->end + GAP_CHARS * UTF8_MAX < before)
            break; /* hits are ordered by end: nothing earlier can be close enough */
        const struct part *pt = &c->e->parts[h->id];
        if (pt->phrase != phrase || pt->index != k || h->end > before)
            continue;
        if (chars_between(c->t, h->end, before) > GAP_CHARS || has_sep(c->t, h->end, before))
            continue;
        int64_t s = chain(c, j, phrase, k - 1, h->start, m);
        if (s >= 0) {
            m->gap_start[k] = h->end;
            m->gap_end[k] = before;
            return s;
        }
    }
    return -1;
}

static void find_phrases(struct ctx *c)
{
    /* Which patterns were hit so far: a phrase is worth chaining only when the part before
     * its last one was seen (most last parts, like 断 or 错, end nothing). */
    uint64_t seen[SEEN_WORDS] = {0};
    bool filter = c->e->n_parts <= SEEN_WORDS * 64;
    for (size_t i = 0; i < c->n_hits && c->n_m < MATCHES_MAX; i++) {
        const struct acm_hit *h = &c->hits[i];
        const struct part *pt = &c->e->parts[h->id];
        const struct phrase *ph = &c->e->phrases[pt->phrase];
        if (filter)
            seen[h->id / 64] |= UINT64_C(1) << (h->id % 64);
        if (pt->index != ph->n_parts - 1)
            continue;
        if (filter && ph->n_parts > 1) {
            uint32_t prev = ph->part_ids[ph->n_parts - 2];
            if (!(seen[prev / 64] & (UINT64_C(1) << (prev % 64))))
                continue;
        }
        struct match *m = &c->m[c->n_m];
        memset(m, 0, sizeof *m);
        int64_t s = chain(c, i, pt->phrase, ph->n_parts - 2, h->start, m);
        if (s < 0)
            continue;
        m->phrase = pt->phrase;
        m->start = (uint32_t)s;
        m->end = h->end;
        m->n_gaps = ph->n_parts - 1;
        c->n_m++;
    }
}

static bool inside_kind(const struct ctx *c, const struct acm_hit *h, enum kind k)
{
    for (size_t i = 0; i < c->n_hits; i++) {
        const struct acm_hit *o = &c->hits[i];
        if (o->start <= h->start && o->end >= h->end && o != h && hit_kind(c, o) == k)
            return true;
    }
    return false;
}

/* True when a negation governs [start, ...): see the header comment, step 3. */
static bool is_negated(const struct ctx *c, const struct match *m)
{
    for (size_t i = 0; i < c->n_hits; i++) {
        const struct acm_hit *n = &c->hits[i];
        if (hit_kind(c, n) != K_NEG)
            continue;
        bool in_gap = false;
        for (int g = 0; g < m->n_gaps; g++)
            if (n->start >= m->gap_start[g] && n->end <= m->gap_end[g])
                in_gap = true;
        bool before = n->end <= m->start && m->start - n->end <= NEG_CHARS * UTF8_MAX &&
                      chars_between(c->t, n->end, m->start) <= NEG_CHARS &&
                      !has_sep(c->t, n->end, m->start);
        if (!in_gap && !before)
            continue;
        if (inside_kind(c, n, K_ANTINEG))
            continue;
        uint32_t upto = in_gap ? m->end : m->start;
        bool broken = false;
        for (size_t j = 0; j < c->n_hits && !broken; j++) {
            const struct acm_hit *b = &c->hits[j];
            enum kind bk = hit_kind(c, b);
            if (b->start < n->end || b->end > upto)
                continue;
            if (bk == K_CONTRAST || (bk == K_CAUSE && b->start > n->end))
                broken = true;
        }
        if (!broken)
            return true;
    }
    return false;
}

/* ---- Numbers ---------------------------------------------------------------------------- */

static int cn_digit(const char *s, size_t n)
{
    static const char *const d[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n < 3)
        return -1;
    for (int i = 0; i < 10; i++)
        if (memcmp(s, d[i], 3) == 0)
            return i;
    if (memcmp(s, "两", 3) == 0)
        return 2;
    if (memcmp(s, "〇", 3) == 0)
        return 0;
    return -1;
}

static int cn_unit(const char *s, size_t n)
{
    if (n < 3)
        return 0;
    if (memcmp(s, "十", 3) == 0)
        return 10;
    if (memcmp(s, "百", 3) == 0)
        return 100;
    if (memcmp(s, "千", 3) == 0)
        return 1000;
    if (memcmp(s, "万", 3) == 0)
        return 10000;
    return 0;
}

static bool starts(const char *t, size_t len, size_t at, const char *w)
{
    size_t n = strlen(w);
    return at + n <= len && memcmp(t + at, w, n) == 0;
}

/* Parses a Chinese numeral at t+i ("三百", "一千二", "十五", "两万"); returns bytes read or 0. */
static size_t parse_cn(const char *t, size_t len, size_t i, int64_t *v)
{
    int64_t total = 0, section = 0, digit = -1;
    int last_unit = 1;
    size_t p = i;
    bool any = false;
    while (p < len) {
        int d = cn_digit(t + p, len - p);
        if (d >= 0) {
            digit = d;
            p += 3;
            any = true;
            continue;
        }
        int u = cn_unit(t + p, len - p);
        if (u == 0)
            break;
        if (!any && u != 10)
            break; /* "万一", "百分之" start no number */
        if (u == 10000) {
            section += digit > 0 ? digit : 0;
            total = (total + section) * 10000;
            section = 0;
        } else {
            section += (digit >= 0 ? (digit == 0 ? 1 : digit) : 1) * u;
        }
        last_unit = u;
        digit = -1;
        p += 3;
        any = true;
        if (total > INT64_C(1000000000000))
            break;
    }
    if (!any)
        return 0;
    if (digit > 0) /* "一千二" is 1200, "三百五" is 350 */
        section += last_unit >= 100 ? digit * (last_unit / 10) : digit;
    *v = total + section;
    return p - i;
}

/* True when t[at..] is exactly three digits followed by no further digit: a thousands group. */
static bool is_group(const char *t, size_t len, size_t at)
{
    for (size_t k = 0; k < 3; k++)
        if (at + k >= len || t[at + k] < '0' || t[at + k] > '9')
            return false;
    return at + 3 >= len || t[at + 3] < '0' || t[at + 3] > '9';
}

static int64_t add_digit(int64_t x, char d)
{
    return x < INT64_C(100000000000) ? x * 10 + (d - '0') : x;
}

static size_t parse_arabic(const char *t, size_t len, size_t i, int64_t *v, int *permille_frac)
{
    int64_t x = 0;
    size_t p = i;
    while (p < len && t[p] >= '0' && t[p] <= '9')
        x = add_digit(x, t[p++]);
    /* "1,000" and "12,500,000": commas before groups of exactly three digits, after at most
     * three leading digits ("1000,320" stays two numbers). */
    if (p - i <= 3)
        while (p < len && t[p] == TEXTNORM_COMMA && is_group(t, len, p + 1)) {
            for (size_t k = 1; k <= 3; k++)
                x = add_digit(x, t[p + k]);
            p += 4;
        }
    int frac = 0; /* thousandths of one unit, for "40.5%" */
    if (p + 1 < len && t[p] == '.' && t[p + 1] >= '0' && t[p + 1] <= '9') {
        p++;
        int scale = 100;
        while (p < len && t[p] >= '0' && t[p] <= '9') {
            frac += (t[p] - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    *v = x;
    *permille_frac = frac;
    return p - i;
}

static const char *const units[] = {
    "对", "个", "只", "套",  "件", "支",  "箱",   "台", "片", "颗", "副", "根",
    "组", "双", "条", "pcs", "pc", "set", "sets", "枚", "粒", "把", "批",
};

static size_t skip_unit(const char *t, size_t len, size_t p)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (starts(t, len, p, units[i]))
            return p + strlen(units[i]);
    return p;
}

static void find_numbers(struct ctx *c)
{
    const char *t = c->t;
    size_t len = c->len;
    size_t i = 0;
    while (i < len && c->n_nums < NUMS_MAX) {
        struct num n = {0};
        n.permille = -1;
        if (starts(t, len, i, "百分之")) {
            int64_t v;
            int frac = 0;
            size_t k = parse_cn(t, len, i + 9, &v);
            if (k == 0)
                k = parse_arabic(t, len, i + 9, &v, &frac);
            if (k > 0) {
                n = (struct num){(uint32_t)i, (uint32_t)(i + 9 + k), (uint32_t)(i + 9 + k), v,
                                 (int)(v * 10 + frac / 100)};
                c->nums[c->n_nums++] = n;
                i += 9 + k;
                continue;
            }
        }
        int64_t v = 0;
        int frac = 0;
        size_t k = 0;
        if (t[i] >= '0' && t[i] <= '9')
            k = parse_arabic(t, len, i, &v, &frac);
        else if ((unsigned char)t[i] >= 0xE0)
            k = parse_cn(t, len, i, &v);
        if (k == 0) {
            i++;
            continue;
        }
        size_t p = i + k;
        if (p < len && t[p] >= '0' && t[p] <= '9') { /* "1千2" is not worth reading */
            i = p;
            continue;
        }
        int mult = cn_unit(t + p, len - p);
        if (mult >= 100 && (v > 0 || frac > 0) && (unsigned char)t[i] < 0x80) {
            v = v * mult + (int64_t)frac * mult / 1000; /* "1千", "2万", "1.5万" */
            p += 3;
        }
        n.start = (uint32_t)i;
        n.end = (uint32_t)p;
        n.value = v;
        if (p < len && t[p] == '%') {
            n.permille = (int)(v * 10 + frac / 100);
            p++;
            n.end = (uint32_t)p;
        } else if (starts(t, len, p, "成") && v >= 1 && v <= 10) {
            n.permille = (int)(v * 100);
            p += 3;
            n.end = (uint32_t)p;
        } else if (starts(t, len, p, "分之")) {
            int64_t m;
            int f2;
            size_t k2 = parse_cn(t, len, p + 6, &m);
            if (k2 == 0)
                k2 = parse_arabic(t, len, p + 6, &m, &f2);
            if (k2 > 0 && v > 0 && m <= v) {
                n.permille = (int)(m * 1000 / v);
                p += 6 + k2;
                n.end = (uint32_t)p;
            }
        }
        n.uend = (uint32_t)skip_unit(t, len, n.end);
        c->nums[c->n_nums++] = n;
        i = n.uend > n.end ? n.uend : n.end;
    }
}

/* The number starting within reach bytes after pos with no separator in between, or NULL. */
static const struct num *num_after(const struct ctx *c, uint32_t pos, uint32_t reach,
                                   const struct num * not )
{
    for (size_t i = 0; i < c->n_nums; i++) {
        const struct num *n = &c->nums[i];
        if (n == not || n->permille >= 0 || n->start < pos || n->start - pos > reach)
            continue;
        if (!has_sep(c->t, pos, n->start))
            return n;
    }
    return NULL;
}

/* The nearest number ending (with its unit) within reach bytes before pos, or NULL. */
static const struct num *num_before(const struct ctx *c, uint32_t pos, uint32_t reach,
                                    const struct num * not )
{
    const struct num *best = NULL;
    for (size_t i = 0; i < c->n_nums; i++) {
        const struct num *n = &c->nums[i];
        if (n == not || n->permille >= 0 || n->uend > pos || pos - n->uend > reach)
            continue;
        if (!has_sep(c->t, n->uend, pos))
            best = n;
    }
    return best;
}

struct qty {
    int64_t delivered, defective;
    int permille; /* share found as such in the text: %, 成, 分之, 一半, A里有B */
    char how[96]; /* the words it came from */
};

static void note_how(struct qty *q, const struct ctx *c, uint32_t a, uint32_t b)
{
    size_t n = b - a < sizeof q->how - 1 ? b - a : sizeof q->how - 1;
    while (n > 0 && ((unsigned char)c->t[a + n] & 0xC0) == 0x80)
        n--; /* cut at a character boundary */
    memcpy(q->how, c->t + a, n);
    q->how[n] = '\0';
}

/* True when the clause of h names a defect or a defect word: "所有型号都有货吗" is no share
 * of defective goods, "所有反光片都掉了" is (all of them). */
static bool speaks_of_defects(const struct ctx *c, const struct acm_hit *h)
{
    for (size_t i = 0; i < c->n_hits; i++) {
        const struct acm_hit *o = &c->hits[i];
        if (hit_kind(c, o) != K_DEFECTIVE)
            continue;
        uint32_t a = o->start < h->start ? o->end : h->end;
        uint32_t b = o->start < h->start ? h->start : o->start;
        if (a > b || !has_sep(c->t, a, b))
            return true;
    }
    for (size_t i = 0; i < c->n_m; i++) {
        const struct match *m = &c->m[i];
        if (c->e->phrases[m->phrase].kind != K_DEFECT || m->dropped || m->negated)
            continue;
        uint32_t a = m->start < h->start ? m->end : h->end;
        uint32_t b = m->start < h->start ? h->start : m->start;
        if (a > b || !has_sep(c->t, a, b))
            return true;
    }
    return false;
}

static void find_quantities(const struct ctx *c, struct qty *q)
{
    q->delivered = q->defective = SEV_QTY_UNKNOWN;
    q->permille = -1;
    q->how[0] = '\0';
    const struct num *deliv = NULL, *defect = NULL;
    for (size_t i = 0; i < c->n_hits; i++) {
        const struct acm_hit *h = &c->hits[i];
        enum kind k = hit_kind(c, h);
        if (k == K_DELIVERED && !deliv) {
            deliv = num_after(c, h->end, 12, NULL);
        } else if (k == K_CONTAIN) {
            /* "300对里有100对", "1000个中有300个", "每10个就有3个" */
            const struct num *whole = num_before(c, h->start, 3, NULL);
            bool every = starts(c->t, c->len, h->start, "每");
            if (every)
                whole = num_after(c, h->end, 3, NULL);
            if (!whole)
                continue;
            const struct num *part = num_after(c, every ? whole->uend : h->end, 15, whole);
            if (part && whole->value > 0 && part->value <= whole->value) {
                int pm = (int)(part->value * 1000 / whole->value);
                if (pm > q->permille) {
                    q->permille = pm;
                    note_how(q, c, every ? h->start : whole->start, part->uend);
                }
                if (!deliv && !every)
                    deliv = whole;
                if (!defect && !every)
                    defect = part;
            }
        } else if (k == K_RATIO) {
            int pm = c->e->phrases[c->e->parts[h->id].phrase].value;
            if (pm == 1000 && !speaks_of_defects(c, h))
                continue; /* 所有, 全部 quantify anything; 一半, 大部分 are shares */
            if (pm > q->permille) {
                q->permille = pm;
                note_how(q, c, h->start, h->end);
            }
        }
    }
    for (size_t i = 0; i < c->n_hits && !defect; i++) {
        const struct acm_hit *h = &c->hits[i];
        if (hit_kind(c, h) != K_DEFECTIVE)
            continue;
        const struct num *n = num_after(c, h->end, 6, deliv);
        if (!n)
            n = num_before(c, h->start, 9, deliv);
        if (n && n->value > 0)
            defect = n;
    }
    /* A number next to a named defect counts it: "九十套同心度偏差", "混装了50个". */
    for (size_t i = 0; i < c->n_m && !defect; i++) {
        const struct match *m = &c->m[i];
        if (c->e->phrases[m->phrase].kind != K_DEFECT || m->dropped || m->negated)
            continue;
        const struct num *n = num_before(c, m->start, 9, deliv);
        if (!n)
            n = num_after(c, m->end, 6, deliv);
        if (n && n->value > 0)
            defect = n;
    }
    for (size_t i = 0; i < c->n_nums; i++)
        if (c->nums[i].permille > q->permille && c->nums[i].permille <= 1000) {
            q->permille = c->nums[i].permille;
            note_how(q, c, c->nums[i].start, c->nums[i].end);
        }
    if (deliv)
        q->delivered = deliv->value;
    if (defect)
        q->defective = defect->value;
}

/* ---- Reasons ---------------------------------------------------------------------------- */

static struct sev_reason *reason_add(struct sev_result *out, enum sev_rule rule, enum severity sev)
{
    if (out->n_reasons == SEV_REASONS_MAX) {
        out->reasons_truncated = true;
        return NULL;
    }
    struct sev_reason *r = &out->reasons[out->n_reasons++];
    memset(r, 0, sizeof *r);
    r->rule = rule;
    r->severity = sev;
    return r;
}

/* Appends the text of m to words, separated by "、", when it fits whole. */
static void words_add(char *words, size_t size, const struct ctx *c, const struct match *m)
{
    size_t have = strlen(words);
    size_t n = m->end - m->start;
    size_t sep = have ? strlen("、") : 0;
    if (have + sep + n + 1 > size)
        return;
    if (sep)
        memcpy(words + have, "、", sep);
    memcpy(words + have + sep, c->t + m->start, n);
    words[have + sep + n] = '\0';
}

static void collect_words(char *words, size_t size, const struct ctx *c, enum kind k)
{
    for (size_t i = 0; i < c->n_m; i++) {
        const struct match *m = &c->m[i];
        if (!m->negated && c->e->phrases[m->phrase].kind == k)
            words_add(words, size, c, m);
    }
}

static bool any_match(const struct ctx *c, enum kind k)
{
    for (size_t i = 0; i < c->n_m; i++)
        if (!c->m[i].negated && c->e->phrases[c->m[i].phrase].kind == k)
            return true;
    return false;
}

/* Fills a reason's words with the matches of kind k and its detail from fmt (one %s: the
 * words). */
static void word_reason(struct sev_reason *r, const struct ctx *c, enum kind k, const char *fmt)
{
    char words[SEV_WORDS_MAX] = "";
    collect_words(words, sizeof words, c, k);
    memcpy(r->words, words, sizeof words);
    snprintf(r->detail, sizeof r->detail, fmt, words);
}

static enum severity max_sev(enum severity a, enum severity b)
{
    return a > b ? a : b;
}

/* ---- The judge -------------------------------------------------------------------------- */

static int resolve_product(const struct sev_engine *e, const struct sev_input *in,
                           const struct ctx *c, int *product, struct ks_error *err)
{
    const struct preset *p = e->p;
    *product = -1;
    if (p->n_products == 0)
        return 0;
    if (in->product && in->product[0]) {
        const struct preset_product *pr = preset_product_find(p, in->product);
        if (!pr)
            return ks_fail(err, KS_EINVAL, "product",
                           "product: '%s' is not a product family of preset '%s'", in->product,
                           p->name ? p->name : "");
        *product = (int)(pr - p->products);
        return 0;
    }
    for (size_t i = 0; i < c->n_m; i++) {
        const struct phrase *ph = &e->phrases[c->m[i].phrase];
        if (ph->kind != K_PRODUCT)
            continue;
        if (*product >= 0 && *product != ph->target) {
            *product = -1; /* the text names two families: judge against both */
            return 0;
        }
        *product = ph->target;
    }
    return 0;
}

static bool in_family(const struct sev_engine *e, const struct phrase *ph, int product)
{
    int fam = e->drefs[ph->target].product;
    return product < 0 || fam < 0 || fam == product;
}

/* True when a coordinator ("和", "以及") lies in t[a, b). */
static bool joined(const struct ctx *c, uint32_t a, uint32_t b)
{
    for (size_t i = 0; i < c->n_hits; i++) {
        const struct acm_hit *h = &c->hits[i];
        if (h->start >= a && h->end <= b && hit_kind(c, h) == K_AND)
            return true;
    }
    return false;
}

/* True when a gap of the loose match g holds something nearer its failure word than its own
 * object (see the header comment, step 4): another defect's phrase begins there, or an object
 * noun of milder defects only. Tested by tests/unit/cases/adversarial.tsv. */
static bool gap_claimed(const struct ctx *c, const struct match *g, int product)
{
    const struct sev_engine *e = c->e;
    const struct preset_defect *gd = e->drefs[e->phrases[g->phrase].target].d;
    for (int k = 0; k < g->n_gaps; k++) {
        uint32_t a = g->gap_start[k], b = g->gap_end[k];
        for (size_t j = 0; j < c->n_m; j++) {
            const struct match *o = &c->m[j];
            const struct phrase *oph = &e->phrases[o->phrase];
            if (o == g || o->negated || oph->kind != K_DEFECT || o->start < a || o->start >= b ||
                !in_family(e, oph, product) || strcmp(e->drefs[oph->target].d->code, gd->code) == 0)
                continue;
            if (!joined(c, a, o->start))
                return true;
        }
        for (size_t j = 0; j < c->n_hits; j++) {
            const struct acm_hit *h = &c->hits[j];
            if (h->start < a || h->end > b)
                continue;
            const struct phrase *kw = &e->phrases[e->parts[h->id].phrase];
            if (kw->kind == K_CATEGORY && kw->value >= 0 && kw->value < (int)gd->severity &&
                !joined(c, a, h->start))
                return true;
        }
    }
    return false;
}

/* True when o begins in a gap of m after a coordinator: "芯轴和反光片都断了" says 断 of both,
 * so the two share the failure word and neither outranks the other. */
static bool coordinated(const struct ctx *c, const struct match *m, const struct match *o)
{
    for (int k = 0; k < m->n_gaps; k++)
        if (o->start >= m->gap_start[k] && o->start < m->gap_end[k] &&
            joined(c, m->gap_start[k], o->start))
            return true;
    return false;
}

/* True when match a is more specific than b: more characters of the phrase itself (not of
 * its gaps), then the tighter span. */
static bool more_specific(const struct sev_engine *e, const struct match *a, const struct match *b)
{
    size_t la = e->phrases[a->phrase].len, lb = e->phrases[b->phrase].len;
    if (la != lb)
        return la > lb;
    return a->end - a->start < b->end - b->start;
}

/* Drops defect matches of another family, loose ones whose gap another thing claims, and those
 * overlapping a more specific defect match ("反光片破" wins over "破裂", "反光片脱落" over
 * "脚踏~脱落"), and returns the index of the most severe remaining one (most specific, then
 * first), or -1. */
static int pick_defect(struct ctx *c, int product)
{
    const struct sev_engine *e = c->e;
    int best = -1;
    for (size_t i = 0; i < c->n_m; i++) {
        struct match *m = &c->m[i];
        const struct phrase *ph = &e->phrases[m->phrase];
        if (ph->kind == K_DEFECT && (m->negated || !in_family(e, ph, product) ||
                                     (m->n_gaps > 0 && gap_claimed(c, m, product))))
            m->dropped = true;
    }
    /* Only matches that survived the first pass can outrank others: a loose phrase that lost
     * its gap cannot then take the tighter phrase inside it down with it. */
    bool outranked[MATCHES_MAX] = {false};
    for (size_t i = 0; i < c->n_m; i++) {
        const struct match *m = &c->m[i];
        if (e->phrases[m->phrase].kind != K_DEFECT || m->dropped)
            continue;
        for (size_t j = 0; j < c->n_m && !outranked[i]; j++) {
            const struct match *o = &c->m[j];
            if (j != i && !o->dropped && e->phrases[o->phrase].kind == K_DEFECT &&
                o->start < m->end && m->start < o->end && more_specific(e, o, m) &&
                !coordinated(c, m, o))
                outranked[i] = true;
        }
    }
    for (size_t i = 0; i < c->n_m; i++)
        c->m[i].dropped = c->m[i].dropped || outranked[i];
    for (size_t i = 0; i < c->n_m; i++) {
        const struct match *m = &c->m[i];
        const struct phrase *ph = &e->phrases[m->phrase];
        if (ph->kind != K_DEFECT || m->dropped)
            continue;
        if (best < 0) {
            best = (int)i;
            continue;
        }
        const struct match *b = &c->m[best];
        enum severity s = e->drefs[ph->target].d->severity;
        enum severity bs = e->drefs[e->phrases[b->phrase].target].d->severity;
        if (s > bs || (s == bs && more_specific(e, m, b)))
            best = (int)i;
    }
    return best;
}

/* A function-failure word inside a named, milder defect describes that defect ("反光片断裂"
 * is a broken reflector, not a broken pedal): the catalogue is more specific than the rule. */
static void drop_generic_words(struct ctx *c)
{
    const struct sev_engine *e = c->e;
    for (size_t i = 0; i < c->n_m; i++) {
        struct match *w = &c->m[i];
        if (e->phrases[w->phrase].kind != K_SERIOUS || w->negated)
            continue;
        for (size_t j = 0; j < c->n_m; j++) {
            const struct match *d = &c->m[j];
            const struct phrase *ph = &e->phrases[d->phrase];
            if (ph->kind != K_DEFECT || d->dropped || d->negated)
                continue;
            if (e->drefs[ph->target].d->severity < SEV_SERIOUS && d->start < w->end &&
                w->start < d->end && d->end - d->start > w->end - w->start)
                w->negated = true;
        }
    }
}

static void choose_category(const struct ctx *c, const struct preset_defect *d,
                            struct sev_result *out)
{
    const struct preset *p = c->e->p;
    int best = -1;
    size_t best_score = 0;
    char words[SEV_WORDS_MAX] = "";
    if (d && d->category) {
        const struct preset_category *cat = preset_category_find(p, d->category);
        if (cat) {
            out->category = cat->code;
            struct sev_reason *r = reason_add(out, SEV_RULE_CATEGORY, SEV_NONE);
            if (r) {
                snprintf(r->words, sizeof r->words, "%s", d->name);
                snprintf(r->detail, sizeof r->detail, "不良项目「%s」属于「%s」", d->name,
                         cat->name);
            }
            return;
        }
    }
    for (size_t i = 0; i < p->n_categories; i++) {
        size_t score = 0;
        for (size_t k = 0; k < c->n_m; k++) {
            const struct phrase *ph = &c->e->phrases[c->m[k].phrase];
            if (ph->kind == K_CATEGORY && ph->target == (int)i)
                score += ph->len;
        }
        if (score > best_score) {
            best_score = score;
            best = (int)i;
        }
    }
    if (best >= 0) {
        const struct preset_category *cat = &p->categories[best];
        out->category = cat->code;
        for (size_t k = 0; k < c->n_m; k++) {
            const struct phrase *ph = &c->e->phrases[c->m[k].phrase];
            if (ph->kind == K_CATEGORY && ph->target == best)
                words_add(words, sizeof words, c, &c->m[k]);
        }
        struct sev_reason *r = reason_add(out, SEV_RULE_CATEGORY, SEV_NONE);
        if (r) {
            snprintf(r->words, sizeof r->words, "%s", words);
            snprintf(r->detail, sizeof r->detail, "关键词「%s」：归为「%s」", words, cat->name);
        }
        return;
    }
    const struct preset_category *def =
        p->default_category ? preset_category_find(p, p->default_category) : NULL;
    if (def) {
        out->category = def->code;
        struct sev_reason *r = reason_add(out, SEV_RULE_CATEGORY, SEV_NONE);
        if (r)
            snprintf(r->detail, sizeof r->detail, "未见分类关键词：归为默认分类「%s」", def->name);
    }
}

static void fmt_permille(char *out, size_t size, int pm)
{
    snprintf(out, size, "%d.%d%%", pm / 10, pm % 10);
}

static int judge(struct ctx *c, const struct sev_input *in, struct sev_result *out,
                 struct ks_error *err)
{
    const struct sev_engine *e = c->e;
    const struct preset *p = e->p;
    const struct preset_rules *rules = &p->rules;
    bool trunc = false;
    c->n_hits = acm_scan(e->acm, c->t, c->len, c->hits, HITS_MAX, &trunc);
    find_phrases(c);
    for (size_t i = 0; i < c->n_m; i++) {
        enum kind k = e->phrases[c->m[i].phrase].kind;
        if (k == K_DEFECT || k == K_BATCH || k == K_SERIOUS || k == K_URGENT)
            c->m[i].negated = is_negated(c, &c->m[i]);
    }
    int product;
    int rc = resolve_product(e, in, c, &product, err);
    if (rc < 0)
        return rc;
    if (product >= 0)
        out->product = p->products[product].code;

    enum severity sev = SEV_GENERAL;
    int best = pick_defect(c, product);
    const struct preset_defect *d = NULL;
    if (best >= 0) {
        d = e->drefs[e->phrases[c->m[best].phrase].target].d;
        int fam = e->drefs[e->phrases[c->m[best].phrase].target].product;
        out->defect = d->code;
        out->defect_name = d->name;
        if (!out->product && fam >= 0)
            out->product = p->products[fam].code;
        sev = max_sev(sev, d->severity);
        struct sev_reason *r = reason_add(out, SEV_RULE_DEFECT, d->severity);
        if (r) {
            words_add(r->words, sizeof r->words, c, &c->m[best]);
            snprintf(r->detail, sizeof r->detail, "不良项目「%s」%s%s%s：标准判定为%s", d->name,
                     fam >= 0 ? "（" : "", fam >= 0 ? p->products[fam].name : "",
                     fam >= 0 ? "）" : "", severity_label(d->severity));
        }
    }

    /* Quantities: the fields win over the text, each on its own. */
    find_numbers(c);
    struct qty q;
    find_quantities(c, &q);
    int64_t deliv = in->delivered >= 0 ? in->delivered : q.delivered;
    int64_t defv = in->defective >= 0 ? in->defective : q.defective;
    bool from_fields = in->delivered >= 0 && in->defective >= 0;
    if (deliv >= 0 && defv > deliv && !from_fields) {
        deliv = SEV_QTY_UNKNOWN; /* the text's numbers did not pair up */
    }
    out->delivered = deliv;
    out->defective = defv;
    out->ratio_permille = -1;
    bool ratio_hit = false;
    char detail[SEV_DETAIL_MAX];
    detail[0] = '\0';
    if (deliv > 0 && defv >= 0 && defv <= deliv) {
        out->ratio_permille = (int)(defv * 1000 / deliv);
        ratio_hit = rules->batch_ratio_permille > 0 &&
                    defv * 1000 >= (int64_t)rules->batch_ratio_permille * deliv;
        char pm[24];
        fmt_permille(pm, sizeof pm, out->ratio_permille);
        snprintf(detail, sizeof detail, "%s不良 %" PRId64 "/%" PRId64 " = %s",
                 from_fields ? "" : "文中", defv, deliv, pm);
    }
    if (!from_fields && q.permille > out->ratio_permille) {
        out->ratio_permille = q.permille;
        ratio_hit = rules->batch_ratio_permille > 0 && q.permille >= rules->batch_ratio_permille;
        char pm[24];
        fmt_permille(pm, sizeof pm, q.permille);
        snprintf(detail, sizeof detail, "文中「%s」：不良比例约 %s", q.how, pm);
    }
    if (ratio_hit) {
        sev = max_sev(sev, SEV_BATCH);
        struct sev_reason *r = reason_add(out, SEV_RULE_RATIO, SEV_BATCH);
        if (r) {
            char thr[24];
            fmt_permille(thr, sizeof thr, rules->batch_ratio_permille);
            snprintf(r->words, sizeof r->words, "%s", q.how);
            snprintf(r->detail, sizeof r->detail, "%s，达到 %s 以上：判定为批量", detail, thr);
        }
    }

    drop_generic_words(c);
    if (any_match(c, K_BATCH)) {
        sev = max_sev(sev, SEV_BATCH);
        struct sev_reason *r = reason_add(out, SEV_RULE_BATCH, SEV_BATCH);
        if (r) {
            word_reason(r, c, K_BATCH, "「%s」：整批或批次性问题、无法正常上线入库：判定为批量");
        }
    }
    if (any_match(c, K_SERIOUS)) {
        sev = max_sev(sev, SEV_SERIOUS);
        struct sev_reason *r = reason_add(out, SEV_RULE_FUNCTION, SEV_SERIOUS);
        if (r) {
            word_reason(r, c, K_SERIOUS, "「%s」：功能或安全失效、影响后续订单：判定为严重");
        }
    }

    /* Repeat: the store's count, or the text's own "本月第三次". */
    int nth = in->prior_in_month + 1;
    const char *nth_from = "";
    if (any_match(c, K_MONTH)) {
        for (size_t i = 0; i < c->n_nums; i++) {
            const struct num *n = &c->nums[i];
            if (n->permille >= 0 || !starts(c->t, c->len, n->end, "次") ||
                starts(c->t, c->len, n->end, "次品"))
                continue;
            if (n->value > nth && n->value < 1000) {
                nth = (int)n->value;
                nth_from = "文中说明";
            }
        }
    }
    if (rules->repeat_count > 0 && nth >= rules->repeat_count) {
        sev = max_sev(sev, rules->repeat_severity);
        struct sev_reason *r = reason_add(out, SEV_RULE_REPEAT, rules->repeat_severity);
        if (r)
            snprintf(r->detail, sizeof r->detail,
                     "%s同一客户同一问题本月第 %d 次（此前 %d 次），达到 %d 次：判定为%s", nth_from,
                     nth, in->prior_in_month, rules->repeat_count,
                     severity_label(rules->repeat_severity));
    }

    if (any_match(c, K_URGENT)) {
        out->urgent = true;
        sev = max_sev(sev, rules->urgent_severity);
        struct sev_reason *r = reason_add(out, SEV_RULE_URGENT, rules->urgent_severity);
        if (r) {
            r->urgent = true;
            word_reason(r, c, K_URGENT, "「%s」：涉及人身或财产安全，立即启动应急预案，一级响应");
        }
    }

    if (out->n_reasons == 0) {
        struct sev_reason *r = reason_add(out, SEV_RULE_DEFAULT, SEV_GENERAL);
        if (r)
            snprintf(r->detail, sizeof r->detail,
                     "未识别到不良项目或升级规则：按一般处理，请人工确认");
    }
    out->severity = sev;
    out->response_level =
        out->urgent || (rules->level1_severity != SEV_NONE && sev >= rules->level1_severity) ? 1
                                                                                             : 2;
    out->guidance = p->guidance[sev];
    choose_category(c, d, out);
    return 0;
}

int severity_judge(const struct sev_engine *e, const struct sev_input *in, struct sev_result *out,
                   struct ks_error *err)
{
    memset(out, 0, sizeof *out);
    out->delivered = out->defective = SEV_QTY_UNKNOWN;
    out->ratio_permille = -1;
    if (in->delivered < SEV_QTY_UNKNOWN)
        return ks_fail(err, KS_EINVAL, "delivered", "delivered: '%" PRId64 "' is negative",
                       in->delivered);
    if (in->defective < SEV_QTY_UNKNOWN)
        return ks_fail(err, KS_EINVAL, "defective", "defective: '%" PRId64 "' is negative",
                       in->defective);
    if (in->delivered > KS_QTY_MAX || in->defective > KS_QTY_MAX)
        return ks_fail(err, KS_EINVAL, in->delivered > KS_QTY_MAX ? "delivered" : "defective",
                       "%s: '%" PRId64 "' is larger than %" PRId64,
                       in->delivered > KS_QTY_MAX ? "delivered" : "defective",
                       in->delivered > KS_QTY_MAX ? in->delivered : in->defective, KS_QTY_MAX);
    if (in->delivered >= 0 && in->defective > in->delivered)
        return ks_fail(err, KS_EINVAL, "defective",
                       "defective: '%" PRId64 "' is more than delivered '%" PRId64 "'",
                       in->defective, in->delivered);
    if (in->prior_in_month < 0)
        return ks_fail(err, KS_EINVAL, "prior_in_month", "prior_in_month: '%d' is negative",
                       in->prior_in_month);
    const char *text = in->text ? in->text : "";
    size_t len = in->text ? (in->text_len == SIZE_MAX ? strlen(text) : in->text_len) : 0;
    if (!utf8_is_valid(text, len))
        return ks_fail(err, KS_EINVAL, "text", "text: not valid UTF-8");
    if (len > UINT32_MAX / 2)
        return ks_fail(err, KS_ELIMIT, "text", "text: %zu bytes is too long", len);

    struct ctx ctx;
    struct ctx *c = &ctx;
    char stack[TEXT_STACK];
    char *norm = len < sizeof stack ? stack : xmalloc(len + 1);
    c->e = e;
    c->len = textnorm(text, len, norm, len + 1);
    c->t = norm;
    c->n_hits = c->n_m = c->n_nums = 0;
    int rc = judge(c, in, out, err);
    if (norm != stack)
        free(norm);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        out->delivered = out->defective = SEV_QTY_UNKNOWN;
        out->ratio_permille = -1;
    }
    return rc;
}

void sev_reason_format(const struct sev_reason *r, char *out, size_t size)
{
    const char *label = (unsigned)r->rule < SEV_RULE__COUNT ? rule_labels[r->rule] : "";
    snprintf(out, size, "%s：%s", label, r->detail);
}
