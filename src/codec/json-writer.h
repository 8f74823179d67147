/* A JSON text written straight into a buffer, for the read paths that answer many requests (one
 * complaint with its timeline, list pages): they skip building a jansson tree only to dump it.
 * The output is what json_dumps(..., JSON_COMPACT | JSON_REAL_PRECISION(15)) writes for the same
 * values: the same string escapes, UTF-8 kept as it is, reals with a '.' or an exponent.
 * Commas between members and items are the writer's business; callers name keys and values.
 * Ownership: struct jw is caller-owned storage (jw_init / jw_release); jw_finish() hands the text
 * over. Once an append fails (the cap given to jw_init), every later one is skipped and
 * jw_finish() reports KS_ELIMIT, so a caller never sends a cut document. */
#ifndef KS_CODEC_JSON_WRITER_H
#define KS_CODEC_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"

#define JW_DEPTH_MAX 32

struct jw {
    struct buf b;
    unsigned depth;
    uint64_t has_member; /* bit d: the container at depth d holds a member or item already */
    bool after_key;
    bool failed;
};

void jw_init(struct jw *w, size_t max);
void jw_release(struct jw *w);
/* The text (NUL-terminated, owned by the caller) and its length; KS_ELIMIT when it outgrew the
 * cap, with w released either way. */
int jw_finish(struct jw *w, char **text_out, size_t *len_out, struct ks_error *err);

void jw_object(struct jw *w);
void jw_object_end(struct jw *w);
void jw_array(struct jw *w);
void jw_array_end(struct jw *w);
/* The key of the next member of the object being written (plain ASCII names). */
void jw_key(struct jw *w, const char *key);
/* A string; NULL writes null. Text that is not valid UTF-8 has its non-ASCII bytes written as
 * '?' (as the jansson codec did), so the document stays valid. */
void jw_string(struct jw *w, const char *s);
void jw_stringn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A real as jansson prints it with JSON_REAL_PRECISION(15). */
void jw_real(struct jw *w, double v);
/* An RFC 3339 time at offset_min, or null for KS_TIME_NONE. */
void jw_time(struct jw *w, int64_t t, int offset_min);
/* A value that is already JSON text (the caller checked it, e.g. with json_text_is_object()). */
void jw_json(struct jw *w, const char *json, size_t n);

/* Whether text[0..n) is one JSON object, valid UTF-8 throughout, nested at most JW_DEPTH_MAX
 * deep, with nothing but white space around it; a stored JSON document can then be copied into
 * an answer as it is, without parsing it into a tree. */
bool json_text_is_object(const char *text, size_t n);

#endif
