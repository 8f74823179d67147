/* kesu backup and kesu restore (SQLite). */
#ifndef KS_CLI_CMD_BACKUP_H
#define KS_CLI_CMD_BACKUP_H

int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
