/* The complaint record, its field table and its validation. Ownership: struct complaint is
 * caller-owned storage; every char * in it is owned by the record (heap, freed by
 * complaint_release()); NULL means "not given". complaint_init() must run before use.
 *
 * complaint_fields[] describes every field once (name as in DESIGN.md "Field names", type,
 * length limit, flags). The JSON codec, the store, the CLI's --set and CSV import all walk
 * it, so a field is added in one place. */
#ifndef KS_CORE_COMPLAINT_H
#define KS_CORE_COMPLAINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "lib/buf.h"
#include "lib/civil.h"
#include "lib/err.h"

#define COMPLAINT_NUMBER_MAX 32 /* "KS20261128-0001" is 15 bytes; room for 6-digit sequences */
#define KS_QTY_UNKNOWN       (-1)
/* The largest quantity accepted (10^12): far above any delivery, and small enough that the
 * severity engine's per-mille arithmetic cannot overflow. */
#define KS_QTY_MAX INT64_C(1000000000000)

struct complaint {
    int64_t id;   /* store row id; 0 until inserted */
    char *number; /* KS20261128-0001; set at registration, never changes */
    int64_t received_at;
    enum channel channel;
    char *customer_name;
    char *customer_phone;
    char *customer_email;
    char *customer_org;
    char *customer_code;
    char *product; /* product family code from the preset, e.g. "pedal" */
    char *model;
    char *batch_no;
    char *order_no;
    int64_t delivered; /* KS_QTY_UNKNOWN when not given */
    int64_t defective; /* KS_QTY_UNKNOWN when not given */
    char *title;
    char *description;
    char *category; /* preset category code */
    char *defect;   /* preset defect code, when the severity engine found one */
    enum severity severity;
    bool urgent;
    int response_level; /* 0 (none), 1 一级 or 2 二级 */
    enum wf_state status;
    char *first_responder; /* 首问责任人: login; set at registration, never changes */
    char *assignee;        /* login */
    char *department;      /* department code */
    char *resp_party;      /* responsibility.party: 我司, 客户, 物流, 供应商 ... */
    char *resp_department; /* responsibility.department */
    char *resp_root_cause; /* responsibility.root_cause */
    char *plan;
    char *approval_by; /* approval.by: the leader who approved the plan */
    int64_t approval_at;
    char *approval_note;
    char *reply;
    int64_t comp_amount; /* compensation.amount in fen (0.01 yuan); 0 none */
    enum comp_kind comp_kind;
    char *comp_agreement;   /* mediation agreement text */
    int satisfaction_score; /* 0 (not answered) or 1..5 */
    char *satisfaction_comment;
    char *satisfaction_waived_reason;
    char *duplicate_of; /* complaint number */
    char *related;      /* other complaint numbers, comma-separated */
    char *incident;     /* incident code */
    int64_t created_at;
    int64_t updated_at;
    int version; /* optimistic concurrency: 1 after insert, +1 on each update */
};

enum cf_type {
    CF_STR = 0, /* short single-line text */
    CF_TEXT,    /* long text, newlines allowed */
    CF_TIME,    /* int64_t instant, KS_TIME_NONE when unset */
    CF_QTY,     /* int64_t quantity >= 0, KS_QTY_UNKNOWN when unset */
    CF_MONEY,   /* int64_t fen, written as yuan with 2 decimals */
    CF_BOOL,
    CF_LEVEL, /* int response level 0/1/2 */
    CF_SCORE, /* int satisfaction 0/1..5 */
    CF_INT,   /* int (version) */
    CF_ID,    /* int64_t row id */
    CF_CHANNEL,
    CF_SEVERITY,
    CF_STATUS,
    CF_COMP_KIND,
};

enum cf_flags {
    CF_READONLY = 1 << 0, /* set by kesu, never by input (number, status, version ...) */
    CF_PERSONAL = 1 << 1, /* personal data: masked where the viewer may not see it */
    CF_INTERNAL = 1 << 2, /* not shown in JSON (row id) */
};

struct cf_desc {
    const char *name;   /* as in JSON; nested objects use a dot: "responsibility.party" */
    const char *column; /* SQL column name (the name with '.' replaced by '_') */
    enum cf_type type;
    size_t offset; /* into struct complaint */
    unsigned max;  /* longest value in bytes for text fields */
    unsigned flags;
};

extern const struct cf_desc complaint_fields[];
extern const size_t complaint_field_count;

/* The descriptor of a field by JSON name ("title", "compensation.amount"), or NULL. */
const struct cf_desc *complaint_field_find(const char *name);
/* The mask of struct complaint_filter.fields for the NULL-terminated JSON names: bit i is
 * complaint_fields[i]. An unknown name is KS_EINVAL naming it. */
int complaint_field_bits(const char *const *names, uint64_t *out, struct ks_error *err);

void complaint_init(struct complaint *c);
void complaint_release(struct complaint *c);
/* Deep copy: dst must be initialised; its old contents are released. */
void complaint_copy(struct complaint *dst, const struct complaint *src);

/* Sets one field from text, as typed on a command line or in a CSV cell: "" clears it;
 * quantities, money ("200", "200.50"), booleans (true/false/1/0/是/否), times (RFC 3339 or
 * local at offset_min), enumerations by code or Chinese label. Refuses CF_READONLY fields
 * unless allow_readonly. Errors name the field. */
int complaint_set(struct complaint *c, const struct cf_desc *f, const char *value, int offset_min,
                  bool allow_readonly, struct ks_error *err);
/* Appends the text form of one field to out (times as RFC 3339 at offset_min); appends
 * nothing for an unset value and returns 0, or KS_ELIMIT when out is full. */
int complaint_get(const struct complaint *c, const struct cf_desc *f, int offset_min,
                  struct buf *out);
/* True when the field holds a value (non-NULL string, set time, known quantity ...). */
bool complaint_has(const struct complaint *c, const struct cf_desc *f);

/* Checks a record as a whole: lengths, valid UTF-8 without control characters, formats
 * (phone, e-mail, number), ranges (defective <= delivered, score 1..5, amount >= 0) and what
 * registration needs (received_at, channel, a title or description, a way to reach the
 * customer or a customer code). The first problem is reported with its field. */
int complaint_validate(const struct complaint *c, struct ks_error *err);

/* Refuses an edit that changes what must never change: number, first_responder, received_at,
 * created_at, and status (which only the workflow changes). */
int complaint_check_edit(const struct complaint *before, const struct complaint *after,
                         struct ks_error *err);

/* "KS20261128-0001" from a local date and a sequence (1..999999); out has
 * COMPLAINT_NUMBER_MAX bytes. */
void complaint_number_format(struct ks_date day, int seq, char out[COMPLAINT_NUMBER_MAX]);
/* Checks the shape of a number and returns its date and sequence (either may be NULL). */
int complaint_number_parse(const char *s, struct ks_date *day_out, int *seq_out,
                           struct ks_error *err);

/* True when s is valid UTF-8 (no overlongs, no surrogates); len bytes. */
bool utf8_is_valid(const char *s, size_t len);

#endif
