/* kesu classify: judges complaint texts against a preset without a database (one text from
 * the command line, or a CSV of many), printing the decision and its reasons. */
#ifndef KS_CLI_CMD_CLASSIFY_H
#define KS_CLI_CMD_CLASSIFY_H

/* argv[0] is "classify". Returns the process exit code (see `kesu classify --help`). */
int cmd_classify(int argc, char **argv);

#endif
