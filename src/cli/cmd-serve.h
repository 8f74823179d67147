/* kesu serve: the HTTP JSON API (src/http). */
#ifndef KS_CLI_CMD_SERVE_H
#define KS_CLI_CMD_SERVE_H

int cmd_serve(int argc, char **argv);

#endif
