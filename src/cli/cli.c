/* Command dispatch, exit codes and error printing for the kesu command line. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/banned.h"

#ifndef KS_VERSION
#define KS_VERSION "0.1.0"
#endif

int cli_exit_code(enum ks_err code)
{
    switch (code) {
    case KS_OK:
        return 0;
    case KS_EINVAL:
    case KS_ECONFLICT:
    case KS_ELIMIT:
        return EXIT_DATAERR;
    case KS_ENOTFOUND:
        return EXIT_NOINPUT;
    case KS_ESTORE:
        return EXIT_UNAVAILABLE;
    case KS_EUNCERTAIN:
        return EXIT_TEMPFAIL;
    case KS_ECONFIG:
        return EXIT_CONFIG;
    case KS_EPERM:
    case KS_EAUTH:
        return EXIT_NOPERM;
    case KS_EINTERNAL:
        return EXIT_SOFTWARE;
    }
    return EXIT_SOFTWARE;
}

int cli_fail(const struct ks_error *err)
{
    fprintf(stderr, "kesu: %s\n", err->message[0] ? err->message : "failed");
    return cli_exit_code(err->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kesu %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'kesu %s --help'.\n", cmd);
    return EXIT_USAGE;
}

static void usage(const struct cli_command *commands, FILE *out)
{
    fprintf(out, "usage: kesu COMMAND [OPTIONS]\n\n"
                 "kesu (客诉) registers customer complaints, judges their severity, drives them\n"
                 "through the procedure against working-day deadlines and reports on them.\n\n"
                 "Commands:\n");
    for (const struct cli_command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\nRun 'kesu COMMAND --help' for a command's options.\n\n"
                 "Exit codes: 0 ok, 64 usage, 65 invalid input or conflict, 66 not found,\n"
                 "69 storage unavailable, 70 internal error, 75 outcome uncertain (check before\n"
                 "retrying), 77 not permitted, 78 bad configuration or preset.\n");
}

int cli_main(const struct cli_command *commands, int argc, char **argv)
{
    if (argc < 2) {
        usage(commands, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(commands, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    for (const struct cli_command *c = commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "kesu: '%s' is not a kesu command. See 'kesu --help'.\n", argv[1]);
    return EXIT_USAGE;
}

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("kesu %s\n", KS_VERSION);
    return 0;
}
