/* kesu report: the report of a period (month, quarter, year or dates) for the whole
 * organisation or a department subtree, as HTML, CSV, XLSX or JSON. */
#ifndef KS_CLI_CMD_REPORT_H
#define KS_CLI_CMD_REPORT_H

/* argv[0] is "report". Returns the process exit code (see `kesu report --help`). */
int cmd_report(int argc, char **argv);

#endif
