/* The report summary route; being written (issue 7). */
#include "http/h-report.h"
#include "lib/banned.h"

int h_report_summary(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    (void)req, (void)resp;
    return ks_fail(err, KS_ENOTFOUND, NULL, "the report summary is not built yet");
}
