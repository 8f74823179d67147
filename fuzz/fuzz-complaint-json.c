/* Fuzz target: complaint JSON bodies as the API receives them. The first byte picks the
 * deployment's UTC offset and the codec flags; the rest is parsed the way the router parses a
 * body (json_loadb with duplicate members refused), applied to a fresh record, validated, and
 * written back out as JSON text. A record the codec accepted must also serialise. */
#include <jansson.h>
#include <stdlib.h>

#include "codec/complaint-json.h"
#include "core/complaint.h"
#include "fuzz.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int offsets[] = {480, 0, -300, 840, -720, 345, 480, 480};
    struct fz_cursor cur = {data, size};
    uint8_t ctl = fz_u8(&cur);
    int offset = offsets[ctl & 7];
    unsigned in_flags = ctl & 8 ? CJ_ALLOW_READONLY : 0;
    unsigned out_flags = (ctl & 16 ? CJ_MASK_PERSONAL : 0) | (ctl & 32 ? CJ_INTERNAL : 0);
    struct complaint c;
    struct ks_error err;
    json_error_t jerr;
    json_t *in, *out;
    char *text;

    if (size > FZ_MAX_INPUT)
        return -1;
    in = json_loadb((const char *)cur.p, cur.n, JSON_REJECT_DUPLICATES, &jerr);
    if (!in)
        return 0;
    complaint_init(&c);
    if (complaint_from_json(&c, in, offset, in_flags, &err) == 0) {
        (void)complaint_validate(&c, &err);
        out = complaint_to_json(&c, offset, out_flags);
        text = json_dumps(out, CJ_DUMP_FLAGS);
        if (!text)
            abort();
        free(text);
        json_decref(out);
    }
    complaint_release(&c);
    json_decref(in);
    return 0;
}
