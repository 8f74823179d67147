/* Fuzz target: the classification text normaliser and the whole severity engine on the
 * embedded manufacturing preset (loaded once). The first bytes give the quantities and prior
 * complaints (sometimes unknown, sometimes impossible, which must be refused, not judged) and
 * the product; the rest is the complaint text, normalised with several output sizes and
 * judged. textnorm promises its output is never longer than its input. */
#include <stdlib.h>

#include "core/severity.h"
#include "core/textnorm.h"
#include "fuzz.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct sev_engine *engine(void)
{
    static struct preset p;
    static struct sev_engine *e;
    struct ks_error err;

    if (!e &&
        (preset_load_named("manufacturing", &p, &err) < 0 || sev_engine_new(&p, &e, &err) < 0))
        abort();
    return e;
}

/* A quantity: unknown, small, or anything (negative included). */
static int64_t quantity(struct fz_cursor *cur)
{
    uint8_t kind = fz_u8(cur);

    if (kind < 64)
        return SEV_QTY_UNKNOWN;
    if (kind < 192)
        return fz_range(cur, 0, 5000);
    return (int64_t)((uint64_t)fz_u32(cur) << 32 | fz_u32(cur));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const products[] = {NULL, "", "pedal", "脚踏", "bicycle", "nosuch"};
    struct fz_cursor cur = {data, size};
    struct sev_input in;
    struct sev_result r;
    struct ks_error err;
    size_t len, n, cap;
    char *text, *out;

    if (size > FZ_MAX_INPUT)
        return -1;
    sev_input_init(&in);
    in.delivered = quantity(&cur);
    in.defective = quantity(&cur);
    in.prior_in_month = (int)fz_range(&cur, -1, 40);
    in.product = products[fz_u8(&cur) % (sizeof(products) / sizeof(products[0]))];
    text = fz_take(&cur, cur.n, &len);

    cap = len + 1;
    out = xmalloc(cap);
    n = textnorm(text, len, out, cap);
    if (n > len || out[n] != '\0')
        abort();
    (void)textnorm(text, len, out, cap / 2 + 1);
    (void)textnorm(text, len, out, 1);
    free(out);

    in.text = text;
    in.text_len = len;
    (void)severity_judge(engine(), &in, &r, &err);
    in.text_len = SIZE_MAX;
    (void)severity_judge(engine(), &in, &r, &err);
    free(text);
    return 0;
}
