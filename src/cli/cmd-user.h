/* kesu user (add, list, passwd, disable) and kesu token create. */
#ifndef KS_CLI_CMD_USER_H
#define KS_CLI_CMD_USER_H

int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif
