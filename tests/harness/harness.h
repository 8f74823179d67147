/* Shared helpers for the C test executables: where the source tree and shared/ are, reading
 * whole files, temporary directories, and a tiny TSV/CSV reader for table-driven cases.
 * Everything returned is owned by the caller (free()) unless said otherwise. */
#ifndef KS_TESTS_HARNESS_H
#define KS_TESTS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* "$KS_SRC_DIR/rel" (the repository root; set by ctest). */
char *th_src_path(const char *rel);
/* "$KS_SHARED_DIR/rel" (../shared beside the repository; set by ctest). */
char *th_shared_path(const char *rel);
/* The whole file, NUL-terminated; fails the test when unreadable. */
char *th_read_file(const char *path, size_t *len_out);
/* A new empty directory under $TMPDIR; remove with th_rmtree(). */
char *th_mkdtemp(void);
void th_rmtree(const char *dir);
/* printf into a new string. */
char *th_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A table of rows split on a separator ('\t' or ','); lines starting with '#' and empty lines
 * are skipped; CSV fields may be double-quoted. Row 0 is the header when the file has one. */
struct th_table {
    size_t n_rows;
    size_t *n_cols;
    char ***cells; /* cells[row][col] */
    int *line;     /* source line number of each row */
};
void th_table_load(struct th_table *t, const char *path, char sep);
void th_table_free(struct th_table *t);
/* The column index of a header name in row 0; fails the test when missing. */
size_t th_table_col(const struct th_table *t, const char *name);

#endif
