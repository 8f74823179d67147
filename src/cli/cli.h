/* Shared pieces of the kesu command line: the command table type, the context every command
 * receives, and the exit-code mapping. */
#ifndef KS_CLI_CLI_H
#define KS_CLI_CLI_H

#include <stdbool.h>

#include "lib/err.h"

/* Exit codes (sysexits.h): documented in `kesu --help`. */
enum cli_exit {
    EXIT_OK_ = 0,
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,
    EXIT_NOINPUT = 66,
    EXIT_UNAVAILABLE = 69,
    EXIT_SOFTWARE = 70,
    EXIT_TEMPFAIL = 75,
    EXIT_NOPERM = 77,
    EXIT_CONFIG = 78,
};

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    unsigned flags;
    const char *summary;
};

/* Runs the command named by argv[1]; returns the process exit code. */
int cli_main(const struct cli_command *commands, int argc, char **argv);

/* The exit code for an error kind. */
int cli_exit_code(enum ks_err code);
/* Prints "kesu: <message>" (and the field) to stderr and returns the exit code for err. */
int cli_fail(const struct ks_error *err);
/* Prints a usage error to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_version(int argc, char **argv);

#endif
