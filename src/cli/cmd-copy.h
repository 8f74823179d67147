/* kesu copy: move a site from one store to another (SQLite to PostgreSQL) and prove nothing
 * was lost. */
#ifndef KS_CLI_CMD_COPY_H
#define KS_CLI_CMD_COPY_H

/* `kesu copy --from URL --to URL [--verify-only] [--batch N]`: copies settings, departments,
 * users, complaints with their events and stage deadlines, and the day counters of complaint
 * numbers through the store API into a migrated target without complaints, then compares
 * counts and SHA-256 checksums per table on both sides. Returns the process exit code: 65 when
 * a table differs or the target is not empty, 64 for usage errors, else per cli_exit_code(). */
int cmd_copy(int argc, char **argv);

#endif
