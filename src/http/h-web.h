/* The handlers of the browser UI and of the customer's own pages (h-web.c, h-public.c), which
 * http.h does not list: routes.c includes this header beside it. Ownership as in http.h. */
#ifndef KS_HTTP_H_WEB_H
#define KS_HTTP_H_WEB_H

#include "http/http.h"

/* Failed progress look-ups per client address counted over this window before refusing. */
#define PUBLIC_WINDOW (15 * 60)
#define PUBLIC_MAX    10

/* h-web.c: GET / and GET /{file}: the embedded files of web/ with their content type and an
 * ETag (304 on If-None-Match). "/progress" and "/survey" name progress.html and survey.html. */
int h_web_index(struct http_req *, struct http_resp *, struct ks_error *);
int h_web_file(struct http_req *, struct http_resp *, struct ks_error *);

/* h-public.c: the customer's pages' API (no login) and the survey link for staff. */
int h_public_progress(struct http_req *, struct http_resp *, struct ks_error *);
int h_public_survey_get(struct http_req *, struct http_resp *, struct ks_error *);
int h_public_survey_post(struct http_req *, struct http_resp *, struct ks_error *);
int h_survey_link(struct http_req *, struct http_resp *, struct ks_error *);

/* h-util.c: the version in If-Match ("3", "\"3\"" or W/"3"), -1 when absent; KS_EINVAL
 * naming If-Match when it is not such a version. */
int req_if_match(const struct http_req *req, int *version_out, struct ks_error *err);

#endif
