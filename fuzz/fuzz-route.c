/* Fuzz target: request paths through the HTTP router's route matching. The first byte picks
 * the method; the rest is the path (as libmicrohttpd hands it over, without the query string).
 * The matched route's placeholders are copied into the request and freed as the server frees
 * them; the Allow list is built for the path; Accept-Language is read from the same bytes.
 * Query strings are split by libmicrohttpd, not by kesu, and are not fuzzed here. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/http.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD"};
    struct fz_cursor cur = {data, size};
    struct http_req req;
    const struct http_route *route;
    bool known;
    char allow[64];
    char *path;

    if (size > 4096)
        return -1;
    memset(&req, 0, sizeof(req));
    req.method = methods[fz_u8(&cur) % (sizeof(methods) / sizeof(methods[0]))];
    path = fz_take(&cur, cur.n, NULL);
    req.path = path;
    router_match(&req, &route, &known);
    if (route && !known)
        abort();
    if (req.n_params > HTTP_MAX_PARAMS)
        abort();
    for (size_t i = 0; i < req.n_params; i++) {
        if (!req.params[i] || !req.params[i][0])
            abort(); /* a placeholder matches one non-empty segment */
        free(req.params[i]);
    }
    router_allow(path, allow, sizeof(allow));
    (void)http_lang_of(path);
    free(path);
    return 0;
}
