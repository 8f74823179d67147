/* Fuzz target: the command-line option parser every kesu command shares. The first byte says
 * whether unknown options are allowed (as for field names in `kesu add --title ...`); the rest
 * is split at NUL bytes into argv[1..]. Usage errors print to stderr by design, so stderr is
 * pointed at /dev/null once; libFuzzer and the sanitizers keep reporting on file descriptor 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fuzz.h"
#include "lib/banned.h"

#define MAX_ARGS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    FILE *null = fopen("/dev/null", "w");

    if (null)
        stderr = null;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct cli_opt opts[] = {
        CLI_COMMON_OPTS,      {"title", CLI_ARG, 1}, {"urgent", CLI_NOARG, 2}, {"set", CLI_ARG, 3},
        {"from", CLI_ARG, 4}, {"all", CLI_NOARG, 5}, {NULL, CLI_NOARG, 0},
    };
    struct fz_cursor cur = {data, size};
    bool unknown_ok = fz_u8(&cur) & 1;
    char *argv[MAX_ARGS + 1];
    struct cli_parsed *ps = NULL;
    char *text;
    size_t len;
    int argc = 1, n;

    if (size > 4096)
        return -1;
    text = fz_take(&cur, cur.n, &len);
    argv[0] = "fuzz";
    for (size_t i = 0; i <= len && argc < MAX_ARGS; i += strlen(text + i) + 1)
        argv[argc++] = text + i;
    argv[argc] = NULL;
    n = cli_parse("fuzz", opts, unknown_ok, argc, argv, &ps);
    if (n >= 0) {
        for (int i = 0; i < n; i++)
            if (ps[i].id == 0 && !ps[i].value)
                abort(); /* a positional argument always has its text */
        free(ps);
    } else if (n != -EXIT_USAGE) {
        abort();
    }
    free(text);
    return 0;
}
