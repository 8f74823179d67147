/* Shared pieces of the kesu command line: the command table type, the context every command
 * receives, and the exit-code mapping. */
#ifndef KS_CLI_CLI_H
#define KS_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

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
/* Prints a usage error to stderr and returns EXIT_USAGE. cli_parse() returns its negation. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Options: a tiny parser shared by every command so that "--name value", "--name=value" and
 * positional arguments behave the same everywhere. Long option names equal config keys and
 * JSON field names. */
enum cli_arg { CLI_NOARG = 0, CLI_ARG = 1 };
struct cli_opt {
    const char *name; /* without the leading "--" */
    enum cli_arg arg;
    int id;
};
/* Options every command that touches a database understands. */
enum cli_common_id {
    OPT_HELP = 1000,
    OPT_DB,
    OPT_AS,
    OPT_JSON,
    OPT_NOW,
};
#define CLI_COMMON_OPTS                                                                            \
    {"help", CLI_NOARG, OPT_HELP}, {"db", CLI_ARG, OPT_DB}, {"as", CLI_ARG, OPT_AS},               \
        {"json", CLI_NOARG, OPT_JSON},                                                             \
    {                                                                                              \
        "now", CLI_ARG, OPT_NOW                                                                    \
    }

struct cli_parsed {
    int id;            /* the option's id, or 0 for a positional argument */
    const char *name;  /* the option name as typed (for unknown ones) */
    const char *value; /* the argument, or NULL */
};

/* Splits argv[1..] into options and positionals. Unknown options are errors unless
 * unknown_ok, in which case they come back with id -1 (commands that accept field names as
 * options). Returns the number of entries in out (allocated; free()), or -EXIT_USAGE after
 * printing why (out untouched). */
int cli_parse(const char *cmd, const struct cli_opt *opts, bool unknown_ok, int argc, char **argv,
              struct cli_parsed **out);

struct app;
/* What a command that works on the database shares: where it is, who acts, output form,
 * and the time ("now" comes from --now or $KESU_NOW for replay and tests, else the clock). */
struct cli_ctx {
    const char *db;
    const char *as;
    bool json;
    const char *now_text;
};
void cli_ctx_init(struct cli_ctx *ctx);
/* Handles a common option; returns true when it was one. */
bool cli_ctx_option(struct cli_ctx *ctx, const struct cli_parsed *p);
/* The database path: --db, else $KESU_DB, else ./kesu.db. */
const char *cli_db(const struct cli_ctx *ctx);
/* The current instant (see struct cli_ctx). */
int cli_now(const struct cli_ctx *ctx, int64_t *now_out, struct ks_error *err);

int cmd_version(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_move(int argc, char **argv);
int cmd_edit(int argc, char **argv);
int cmd_comment(int argc, char **argv);
int cmd_override(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_department(int argc, char **argv);

#endif
