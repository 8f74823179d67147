/* kesu sweep (deadlines in motion, for cron and for replaying a moment with --now) and
 * kesu notify list|deliver (the outbox). */
#ifndef KS_CLI_CMD_SWEEP_H
#define KS_CLI_CMD_SWEEP_H

int cmd_sweep(int argc, char **argv);
int cmd_notify(int argc, char **argv);

#endif
