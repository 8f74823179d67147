/* Test helpers: paths from ctest's environment, file reading, temp dirs, table loading. */
#define _XOPEN_SOURCE 700
#include "harness/harness.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *env_path(const char *var, const char *fallback, const char *rel)
{
    const char *base = getenv(var);
    if (!base || !*base)
        base = fallback;
    return th_fmt("%s/%s", base, rel);
}

char *th_src_path(const char *rel)
{
    return env_path("KS_SRC_DIR", ".", rel);
}

char *th_shared_path(const char *rel)
{
    return env_path("KS_SHARED_DIR", "../shared", rel);
}

char *th_fmt(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *th_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long len;

    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)len + 1);
    assert_non_null(data);
    if (len > 0 && fread(data, 1, (size_t)len, f) != (size_t)len)
        fail_msg("cannot read %s", path);
    data[len] = '\0';
    fclose(f);
    if (len_out)
        *len_out = (size_t)len;
    return data;
}

char *th_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *templ = th_fmt("%s/kesu-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(templ))
        fail_msg("mkdtemp: %s", strerror(errno));
    return templ;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void th_rmtree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void add_cell(struct th_table *t, size_t row, const char *s, size_t len)
{
    size_t n = t->n_cols[row];
    t->cells[row] = realloc(t->cells[row], (n + 1) * sizeof(char *));
    t->cells[row][n] = strndup(s, len);
    t->n_cols[row] = n + 1;
}

void th_table_load(struct th_table *t, const char *path, char sep)
{
    char *data = th_read_file(path, NULL);
    char *p = data;
    int line = 0;

    memset(t, 0, sizeof(*t));
    while (*p) {
        char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        line++;
        if (len && p[len - 1] == '\r')
            len--;
        if (len && p[0] != '#') {
            size_t row = t->n_rows++;
            t->cells = realloc(t->cells, t->n_rows * sizeof(char **));
            t->n_cols = realloc(t->n_cols, t->n_rows * sizeof(size_t));
            t->line = realloc(t->line, t->n_rows * sizeof(int));
            t->cells[row] = NULL;
            t->n_cols[row] = 0;
            t->line[row] = line;
            size_t i = 0;
            while (i <= len) {
                if (sep == ',' && i < len && p[i] == '"') {
                    char *cell = malloc(len + 1);
                    size_t k = 0;
                    i++;
                    while (i < len) {
                        if (p[i] == '"' && i + 1 < len && p[i + 1] == '"') {
                            cell[k++] = '"';
                            i += 2;
                        } else if (p[i] == '"') {
                            i++;
                            break;
                        } else {
                            cell[k++] = p[i++];
                        }
                    }
                    add_cell(t, row, cell, k);
                    free(cell);
                    i++; /* the separator */
                } else {
                    size_t j = i;
                    while (j < len && p[j] != sep)
                        j++;
                    add_cell(t, row, p + i, j - i);
                    i = j + 1;
                }
            }
        }
        p += len;
        while (*p == '\r' || *p == '\n') {
            if (*p == '\n')
                break;
            p++;
        }
        if (*p == '\n')
            p++;
    }
    free(data);
}

void th_table_free(struct th_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols[r]; c++)
            free(t->cells[r][c]);
        free(t->cells[r]);
    }
    free(t->cells);
    free(t->n_cols);
    free(t->line);
    memset(t, 0, sizeof(*t));
}

size_t th_table_col(const struct th_table *t, const char *name)
{
    assert_true(t->n_rows > 0);
    for (size_t c = 0; c < t->n_cols[0]; c++)
        if (strcmp(t->cells[0][c], name) == 0)
            return c;
    fail_msg("no column '%s'", name);
    return 0;
}
