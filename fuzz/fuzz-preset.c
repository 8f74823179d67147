/* Fuzz target: YAML presets, the one configuration an organisation writes itself. The input
 * up to the first 0xff byte is the YAML; a preset that loads builds a severity engine, and
 * each further 0xff-separated piece of the input is judged as a complaint text with it. */
#include <stdlib.h>

#include "core/severity.h"
#include "fuzz.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_cursor cur = {data, size};
    struct preset p;
    struct sev_engine *e = NULL;
    struct ks_error err;
    size_t len;
    char *yaml;

    if (size > FZ_MAX_INPUT)
        return -1;
    yaml = fz_take_field(&cur, &len);
    if (preset_load_buffer(yaml, len, "fuzz.yaml", &p, &err) == 0) {
        if (sev_engine_new(&p, &e, &err) == 0) {
            for (int i = 0; i < 4 && cur.n; i++) {
                struct sev_input in;
                struct sev_result r;
                char *text = fz_take_field(&cur, &len);

                sev_input_init(&in);
                in.text = text;
                in.text_len = len;
                (void)severity_judge(e, &in, &r, &err);
                free(text);
            }
            sev_engine_free(&e);
        }
        preset_release(&p);
    }
    free(yaml);
    return 0;
}
