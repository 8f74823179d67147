/* kesu verify: checks the hash chains of every complaint's history. */
#ifndef KS_CLI_CMD_VERIFY_H
#define KS_CLI_CMD_VERIFY_H

int cmd_verify(int argc, char **argv);

#endif
