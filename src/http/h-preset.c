/* Preset validation and upload; being written (issue 6). */
#include "http/h-preset.h"
#include "lib/banned.h"

int h_preset_validate(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    (void)req, (void)resp;
    return ks_fail(err, KS_ENOTFOUND, NULL, "preset validation is not built yet");
}

int h_preset_put(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    (void)req, (void)resp;
    return ks_fail(err, KS_ENOTFOUND, NULL, "preset upload is not built yet");
}
