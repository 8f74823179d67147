/* Complaints and events as JSON (jansson), the shape the HTTP API and `--json` output show:
 * the names of complaint_fields[], dotted names nested into objects ("responsibility.party"
 * becomes {"responsibility": {"party": ...}}), times as RFC 3339 at the deployment's offset,
 * money in yuan as a JSON number exact to the fen, unset values as null, `related` as an array
 * of complaint numbers. Ownership: every json_t * returned is a new reference owned by the
 * caller (json_decref); inputs are borrowed for the duration of the call. */
#ifndef KS_CODEC_COMPLAINT_JSON_H
#define KS_CODEC_COMPLAINT_JSON_H

#include <jansson.h>

#include "codec/json-writer.h"
#include "core/complaint.h"
#include "core/event.h"
#include "lib/err.h"

enum cj_flags {
    CJ_MASK_PERSONAL = 1 << 0,  /* to_json: phone as 138****5678, e-mail as z***@example.com */
    CJ_INTERNAL = 1 << 1,       /* to_json: include CF_INTERNAL fields (the row id) */
    CJ_ALLOW_READONLY = 1 << 2, /* from_json: accept CF_READONLY fields (import, restore) */
};

/* Flags for json_dumps() of anything holding money: 15 significant digits print amounts
 * (at most 99 999 999 999.99 yuan) exactly, as 19.99 rather than 19.989999999999998. */
#define CJ_DUMP_FLAGS JSON_REAL_PRECISION(15)

/* The cap of one answer the HTTP handlers write (a complaint with its timeline of comments):
 * beyond it they refuse with KS_ELIMIT rather than hold more in memory. */
#define CJ_WRITE_MAX (64u << 20)
/* No cap: the documents the *_to_json() functions write and parse back, as the jansson trees
 * they replace had none (only memory bounds them). */
#define CJ_TREE_MAX (SIZE_MAX / 2)

/* Writes the complaint as a JSON object into w, with only the fields of a complaint_field_bits()
 * mask (0: all) and the number; the one encoding of a complaint, which the functions below
 * parse into jansson trees for callers that want one. */
void complaint_fields_write(struct jw *w, const struct complaint *c, int offset_min, unsigned flags,
                            uint64_t fields);
/* The same members into the object being written (a view that adds members of its own). */
void complaint_members_write(struct jw *w, const struct complaint *c, int offset_min,
                             unsigned flags, uint64_t fields);
/* The complaint as a JSON object (flags: CJ_MASK_PERSONAL, CJ_INTERNAL). Never NULL. */
json_t *complaint_to_json(const struct complaint *c, int offset_min, unsigned flags);
/* The same with only the fields of a complaint_field_bits() mask (0: all) and the number. */
json_t *complaint_fields_to_json(const struct complaint *c, int offset_min, unsigned flags,
                                 uint64_t fields);

/* Applies a JSON object to c: a registration body onto an initialised record, or a PATCH
 * onto a stored one. Members present are set, null clears, absent members are untouched;
 * nested objects ("responsibility", "approval", "compensation", "satisfaction") take their
 * members the same way and null clears the whole group. Times are RFC 3339 or local time at
 * offset_min. Refuses, with err->field naming the member: anything but an object, unknown
 * members, wrong JSON types ("delivered: expected a whole number"), CF_READONLY members
 * unless CJ_ALLOW_READONLY, and any value complaint_set() refuses. All or nothing: on failure
 * c is unchanged. Whole-record checks stay with complaint_validate(). */
int complaint_from_json(struct complaint *c, const json_t *obj, int offset_min, unsigned flags,
                        struct ks_error *err);

/* One timeline entry: {"id", "at", "actor", "kind", "from", "to", "note", "details"} with
 * state names (null when the event is not a move) and details parsed back into JSON when
 * the stored text is a JSON object (kept as a string otherwise). Never NULL. */
json_t *event_to_json(const struct event *ev, int offset_min);
/* The same written into w: one event, and an array of n events. Details that are a JSON object
 * (json_text_is_object()) are copied as stored, without parsing them. */
void event_write(struct jw *w, const struct event *ev, int offset_min);
void events_write(struct jw *w, const struct event *evs, size_t n, int offset_min);
/* A JSON array of n events, in order. Never NULL. */
json_t *events_to_json(const struct event *evs, size_t n, int offset_min);

/* Masked forms for people who may not see personal data; new strings (free()). Phone: the
 * first 3 and last 4 digits ("138****5678", a leading +86 dropped); e-mail: the first
 * character of the local part ("z***@example.com"). Short or odd values become "****". */
char *cj_mask_phone(const char *phone);
char *cj_mask_email(const char *email);

#endif
