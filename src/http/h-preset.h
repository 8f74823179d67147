/* The preset handlers (issue 6): the version in force (h_preset_current(), declared in
 * http.h), validate a preset text without using it, and make a new version the current one
 * (h-preset.c). */
#ifndef KS_HTTP_H_PRESET_H
#define KS_HTTP_H_PRESET_H

#include "http/http.h"

int h_preset_validate(struct http_req *, struct http_resp *, struct ks_error *);
int h_preset_put(struct http_req *, struct http_resp *, struct ks_error *);

#endif
