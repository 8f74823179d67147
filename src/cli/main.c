/* The kesu command: the table of subcommands, global options, and the one mapping from
 * error kinds to exit codes (sysexits). Each subcommand lives in cmd-<name>.c. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/banned.h"

static const struct cli_command commands[] = {
    {"version", cmd_version, 0, "print the version"},
    {NULL, NULL, 0, NULL},
};

int main(int argc, char **argv)
{
    return cli_main(commands, argc, argv);
}
