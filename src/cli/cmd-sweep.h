/* kesu sweep (deadlines in motion, for cron and for replaying a moment with --now),
 * kesu notify list|deliver (the outbox), kesu incident list|show|declare|attach|reply
 * (应急事件) and kesu clock NUMBER pause|resume|extend (the current stage clock). */
#ifndef KS_CLI_CMD_SWEEP_H
#define KS_CLI_CMD_SWEEP_H

int cmd_sweep(int argc, char **argv);
int cmd_notify(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_clock(int argc, char **argv);

#endif
