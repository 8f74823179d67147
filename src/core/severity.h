/* The severity engine (客诉程度判定): judges a complaint's severity, category, urgency and
 * response level from its text and quantities against a preset, with the reasons a person
 * needs to check the decision. Ownership: struct sev_engine is a heap object built once per
 * preset by sev_engine_new() and freed by sev_engine_free(); it borrows the preset, which must
 * outlive it. It is read-only after building, so any number of threads may judge with one
 * engine at once. struct sev_result is caller-owned fixed-size storage; its const char *
 * members are borrowed from the preset. */
#ifndef KS_CORE_SEVERITY_H
#define KS_CORE_SEVERITY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/preset.h"
#include "core/types.h"
#include "lib/err.h"

struct sev_engine;

/* The rule that produced a reason. */
enum sev_rule {
    SEV_RULE_DEFECT = 0, /* a catalogue defect was named: its base severity */
    SEV_RULE_RATIO,      /* defective/delivered at or above the preset's threshold → batch */
    SEV_RULE_BATCH,      /* whole-delivery or line-stoppage words → batch */
    SEV_RULE_FUNCTION,   /* function or safety failure words → serious */
    SEV_RULE_REPEAT,     /* same problem, same customer, Nth time this month */
    SEV_RULE_URGENT,     /* personal-safety or property risk → urgent, response level 1 */
    SEV_RULE_DEFAULT,    /* nothing matched: general */
    SEV_RULE_CATEGORY,   /* why the category was chosen */
    SEV_RULE__COUNT
};

/* "defect", "ratio", "batch_words", "function", "repeat", "urgent", "default", "category". */
const char *sev_rule_name(enum sev_rule r);

#define SEV_QTY_UNKNOWN (-1)

struct sev_input {
    const char *product; /* family code, name or alias; NULL or "": find it in the text */
    const char *text;    /* title and description; may be NULL */
    size_t text_len;     /* bytes of text; SIZE_MAX: NUL-terminated */
    int64_t delivered;   /* SEV_QTY_UNKNOWN when not given */
    int64_t defective;   /* SEV_QTY_UNKNOWN when not given */
    int prior_in_month;  /* earlier complaints, same customer and defect, this calendar month */
};

/* Initialises in: no product, no text, quantities unknown, no prior complaints. */
void sev_input_init(struct sev_input *in);

#define SEV_REASONS_MAX 12
#define SEV_WORDS_MAX   96
#define SEV_DETAIL_MAX  256

struct sev_reason {
    enum sev_rule rule;
    enum severity severity;      /* outcome this reason supports (SEV_NONE for category) */
    bool urgent;                 /* this reason makes the complaint urgent */
    char words[SEV_WORDS_MAX];   /* matched words as normalised ("芯轴断裂"), "" when none */
    char detail[SEV_DETAIL_MAX]; /* Chinese explanation with the numbers */
};

struct sev_result {
    enum severity severity;
    const char *category;    /* category code; NULL when the preset has no categories */
    const char *defect;      /* defect code of the most severe defect named, or NULL */
    const char *defect_name; /* its Chinese name, or NULL */
    const char *product;     /* family code used (given or found in the text), or NULL */
    bool urgent;
    int response_level; /* 1 or 2 */
    int64_t delivered;  /* quantities used (from the fields or the text), or SEV_QTY_UNKNOWN */
    int64_t defective;
    int ratio_permille;   /* defective share used, or -1 when unknown */
    const char *guidance; /* handling the preset prescribes for this severity, or NULL */
    int n_reasons;
    bool reasons_truncated;
    struct sev_reason reasons[SEV_REASONS_MAX];
};

/* Builds the matcher for preset p (borrowed; must outlive the engine). KS_ECONFIG when a
 * word is empty after normalisation or the preset is inconsistent. */
int sev_engine_new(const struct preset *p, struct sev_engine **out, struct ks_error *err);
void sev_engine_free(struct sev_engine **e);

/* Judges one complaint. Pure and thread-safe; does not allocate for texts up to 4 KiB.
 * KS_EINVAL when a quantity is negative, defective exceeds delivered, prior_in_month is
 * negative or the text is not valid UTF-8 (field named). Tested by
 * tests/unit/test-severity.c. */
int severity_judge(const struct sev_engine *e, const struct sev_input *in, struct sev_result *out,
                   struct ks_error *err);

/* One line in Chinese for a reason list: "规则 词语：说明"; out gets at most size bytes. */
void sev_reason_format(const struct sev_reason *r, char *out, size_t size);

#endif
