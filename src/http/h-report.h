/* The report handler (issue 7): GET /reports/summary, the figures of one period and department
 * subtree as JSON (h-report.c). */
#ifndef KS_HTTP_H_REPORT_H
#define KS_HTTP_H_REPORT_H

#include "http/http.h"

int h_report_summary(struct http_req *, struct http_resp *, struct ks_error *);

#endif
