/* Fuzz target: complaint_set(), the path every --set option and CSV import cell takes. The
 * first byte picks the field (every field of complaint_fields[], read-only ones allowed on odd
 * bytes as import does); the rest, up to the next 0xff byte, is the value, and each further
 * 0xff-separated piece sets the next field, so one input can build up a whole record. The
 * record is then validated, and every field is read back as text and set again on a second
 * record (what kesu writes out it must read back), which is then replaced by a copy. */
#include <stdlib.h>

#include "core/complaint.h"
#include "fuzz.h"
#include "lib/buf.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_cursor cur = {data, size};
    struct complaint c, copy;
    struct ks_error err;

    if (size > FZ_MAX_INPUT)
        return -1;
    complaint_init(&c);
    while (cur.n) {
        uint8_t pick = fz_u8(&cur);
        const struct cf_desc *f = &complaint_fields[(pick >> 1) % complaint_field_count];
        char *value = fz_take_field(&cur, NULL);

        (void)complaint_set(&c, f, value, 480, pick & 1, &err);
        free(value);
    }
    (void)complaint_validate(&c, &err);
    complaint_init(&copy);
    for (size_t i = 0; i < complaint_field_count; i++) {
        struct buf b;

        buf_init(&b, 1 << 20);
        if (complaint_has(&c, &complaint_fields[i]) &&
            complaint_get(&c, &complaint_fields[i], 480, &b) == 0 &&
            complaint_set(&copy, &complaint_fields[i], buf_str(&b), 480, true, &err) != 0)
            abort(); /* what kesu writes out (CSV export, --json) it must read back */
        buf_release(&b);
    }
    complaint_copy(&copy, &c);
    (void)complaint_check_edit(&c, &copy, &err);
    complaint_release(&copy);
    complaint_release(&c);
    return 0;
}
