/* The handlers of deadlines in motion (issue 5): incidents and the complaint clock
 * (h-incident.c), in-app notifications (h-notify.c). Declared here, beside http.h, until
 * routes.c lists them. */
#ifndef KS_HTTP_H_MOTION_H
#define KS_HTTP_H_MOTION_H

#include "http/http.h"

int h_incident_list(struct http_req *, struct http_resp *, struct ks_error *);
int h_incident_create(struct http_req *, struct http_resp *, struct ks_error *);
int h_incident_get(struct http_req *, struct http_resp *, struct ks_error *);
int h_incident_attach(struct http_req *, struct http_resp *, struct ks_error *);
int h_incident_reply(struct http_req *, struct http_resp *, struct ks_error *);
int h_complaint_clock(struct http_req *, struct http_resp *, struct ks_error *);
int h_notification_list(struct http_req *, struct http_resp *, struct ks_error *);
int h_notification_read(struct http_req *, struct http_resp *, struct ks_error *);

#endif
