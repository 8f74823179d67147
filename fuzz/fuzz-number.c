/* Fuzz target: complaint numbers ("KS20261128-0001") as they arrive in paths and fields. A
 * number that parses formats back to the same text. */
#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"
#include "fuzz.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_cursor cur = {data, size};
    struct ks_error err;
    struct ks_date day;
    int seq;
    char *s;

    if (size > 256)
        return -1;
    s = fz_take(&cur, cur.n, NULL);
    if (complaint_number_parse(s, &day, &seq, &err) == 0) {
        char out[COMPLAINT_NUMBER_MAX];
        complaint_number_format(day, seq, out);
        if (strcmp(out, s) != 0)
            abort();
    }
    (void)complaint_number_parse(s, NULL, NULL, &err);
    free(s);
    return 0;
}
