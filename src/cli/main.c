/* The kesu command: the table of subcommands. Each lives in cmd-<name>.c; dispatch, options
 * and the one mapping from error kinds to exit codes are in cli.c. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd-backup.h"
#include "cli/cmd-classify.h"
#include "cli/cmd-copy.h"
#include "cli/cmd-report.h"
#include "cli/cmd-serve.h"
#include "cli/cmd-sweep.h"
#include "cli/cmd-user.h"
#include "cli/cmd-verify.h"
#include "lib/banned.h"

static const struct cli_command commands[] = {
    {"serve", cmd_serve, 0, "serve the HTTP JSON API (and the browser UI)"},
    {"init", cmd_init, 0, "create or update a database with a preset and an admin user"},
    {"migrate", cmd_migrate, 0, "apply schema migrations"},
    {"add", cmd_add, 0, "register a complaint"},
    {"list", cmd_list, 0, "list complaints with filters and full-text search"},
    {"show", cmd_show, 0, "show a complaint: fields, deadlines and timeline"},
    {"move", cmd_move, 0, "move a complaint to another state of the procedure"},
    {"edit", cmd_edit, 0, "change fields of a complaint (a new assignee is a hand-over)"},
    {"comment", cmd_comment, 0, "add a note to a complaint's timeline"},
    {"override", cmd_override, 0, "correct a complaint's judged severity or category"},
    {"classify", cmd_classify, 0, "judge severity and category of a text by a preset"},
    {"sweep", cmd_sweep, 0,
     "warn, mark breaches and escalate due deadlines once (--now to replay)"},
    {"notify", cmd_notify, 0, "list the outbox or deliver due messages"},
    {"incident", cmd_incident, 0,
     "incidents: list, show, declare, attach complaints, reply to all"},
    {"clock", cmd_clock, 0, "pause, resume or extend the current stage clock of a complaint"},
    {"user", cmd_user, 0, "add, list, change password of, or disable users"},
    {"department", cmd_department, 0, "add or list departments (the tree 分行 → 支行)"},
    {"token", cmd_token, 0, "create an API token for a user"},
    {"copy", cmd_copy, 0, "copy a site to another database and verify (counts, checksums)"},
    {"verify", cmd_verify, 0, "check every complaint's history against its hash chain"},
    {"backup", cmd_backup, 0, "copy the database to a file while kesu serve runs (SQLite)"},
    {"restore", cmd_restore, 0, "put a backup in place of the database, keeping the old one"},
    {"report", cmd_report, 0, "reports: volume, timeliness, quality and departments of a period"},
    {"calendar", cmd_calendar, 0, "working days: check a date, compute a deadline"},
    {"version", cmd_version, 0, "print the version"},
    {NULL, NULL, 0, NULL},
};

int main(int argc, char **argv)
{
    int rc;

    /* libcurl's global state must be set up before any thread (the notification deliverer)
     * uses it, and only once per process. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("kesu: cannot initialise libcurl\n", stderr);
        return EXIT_SOFTWARE;
    }
    rc = cli_main(commands, argc, argv);
    curl_global_cleanup();
    return rc;
}
