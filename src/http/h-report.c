/* GET /api/v1/reports/summary: the report of one period and department subtree, made by
 * report_read() exactly as `kesu report` makes it, as JSON (the same JSON, optionally with the
 * charts as SVG and the long lists cut to their first `rows` entries, for the UI) or as a CSV,
 * HTML or XLSX file to download.
 * Scope: leaders and admins may ask for any department or the whole organisation; everyone
 * else (viewers included: a report only reads) gets their own department's subtree, and a
 * department outside it is 403. A report holds no personal data (no customer phone or e-mail,
 * docs/security.md), so nothing is masked and no audit event is written. */
#include "http/h-report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/read.h"
#include "report/render.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define TOP_MAX  1000
#define ROWS_MAX 100000

static const char *const params[] = {"period", "quarter", "year", "from", "to", "department",
                                     "format", "charts",  "top",  "rows", NULL};

/* The period the query names (exactly one way), or the current month when it names none. */
static int parse_period(const struct http_req *req, struct report_period *p, struct ks_error *err)
{
    const char *month = req_query(req, "period"), *quarter = req_query(req, "quarter");
    const char *year = req_query(req, "year"), *from = req_query(req, "from");
    const char *to = req_query(req, "to");
    int ways = !!month + !!quarter + !!year + !!(from || to);

    if (ways > 1)
        return ks_fail(err, KS_EINVAL, "period",
                       "period: name the period once: period, quarter, year or from and to");
    if (month)
        return report_period_month(month, p, err);
    if (quarter)
        return report_period_quarter(quarter, p, err);
    if (year)
        return report_period_year(year, p, err);
    if (from || to) {
        if (!from || !to)
            return ks_fail(err, KS_EINVAL, from ? "to" : "from", "%s: from and to go together",
                           from ? "to" : "from");
        return report_period_range(from, to, p, err);
    }
    {
        struct ks_date d = ks_time_local_date(req->now, req->ctx->app->zone.utc_offset_min);
        char s[KS_DATE_STRLEN];
        civil_format_date(d, s);
        s[7] = '\0'; /* "2026-11" */
        return report_period_month(s, p, err);
    }
}

/* The department the caller gets: the one asked for when in scope, else their own. */
static int scope(struct http_req *req, const char **department, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    bool within = false;
    int rc;

    if (*department && (!**department || strlen(*department) > 400))
        return ks_fail(err, KS_EINVAL, "department", "department: 1 to 400 bytes");
    if (auth_sees_all(req))
        return 0;
    if (!req->user.department)
        return ks_fail(err, KS_EPERM, "department",
                       "department: your account has no department, and a report covers one");
    if (!*department) {
        *department = req->user.department;
        return 0;
    }
    if ((rc = store_tx_begin(req->ctx->app->store, STORE_TX_READ, &tx, err)) < 0)
        return rc;
    rc = store_department_within(tx, req->user.department, *department, &within, err);
    store_tx_rollback(&tx);
    if (rc == 0 && !within)
        rc =
            ks_fail(err, KS_EPERM, "department", "department: '%s' is outside your department '%s'",
                    *department, req->user.department);
    return rc;
}

/* An optional count parameter of 1 to max; 0 when absent. */
static int parse_count(const struct http_req *req, const char *name, long max, size_t *out,
                       struct ks_error *err)
{
    const char *v = req_query(req, name);
    char *end;
    long n;

    *out = 0;
    if (!v)
        return 0;
    n = strtol(v, &end, 10);
    if (*end || end == v || n < 1 || n > max)
        return ks_fail(err, KS_EINVAL, name, "%s: '%.20s' is not 1 to %ld", name, v, max);
    *out = (size_t)n;
    return 0;
}

/* Renders r as an XLSX file in the temporary directory and reads it back: libxlsxwriter
 * writes only to files. */
static int xlsx_bytes(const struct report *r, char **out, size_t *len_out, struct ks_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    FILE *f = NULL;
    long size;
    int fd, rc;

    *out = NULL;
    *len_out = 0;
    snprintf(path, sizeof(path), "%s/kesu-report-XXXXXX.xlsx", dir && *dir ? dir : "/tmp");
    if ((fd = mkstemps(path, 5)) < 0)
        return ks_fail(err, KS_EINTERNAL, NULL, "report: no temporary file (%s)", strerror(errno));
    close(fd);
    if ((rc = report_render_xlsx(r, path, err)) == 0) {
        if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET) != 0)
            rc = ks_fail(err, KS_EINTERNAL, NULL, "report: cannot read the workbook back");
        else {
            *out = xmalloc((size_t)size + 1);
            *len_out = fread(*out, 1, (size_t)size, f);
            if (*len_out != (size_t)size)
                rc = ks_fail(err, KS_EINTERNAL, NULL, "report: cannot read the workbook back");
        }
    }
    if (f)
        fclose(f);
    unlink(path);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

static const char *content_type(const char *format)
{
    if (strcmp(format, "json") == 0)
        return "application/json; charset=utf-8";
    if (strcmp(format, "csv") == 0)
        return "text/csv; charset=utf-8";
    if (strcmp(format, "html") == 0)
        return "text/html; charset=utf-8";
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

/* Appends s to b as RFC 8187 value characters: attr-char as is, every other byte %XX. */
static void add_ext_value(struct buf *b, const char *s)
{
    static const char attr[] = "!#$&+-.^_`|~";

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr(attr, *p))
            buf_add(b, (const char *)p, 1);
        else
            buf_addf(b, "%%%02X", *p);
    }
}

/* A file of the report is an attachment (RFC 6266) named after its period and department:
 * filename= "kesu-report-2026-10-qa.xlsx" in ASCII for every client, filename*= the name the
 * UI gives its downloads, "kesu-report-2026年10月-qa.xlsx" (UTF-8, RFC 8187), for the
 * browsers that read it. The HTML report is one too: it is a page to print or forward, and
 * shown inline it would be unstyled (the pages' policy refuses inline styles). Department
 * codes are ASCII letters, digits, '-', '_' and '.', safe in both. */
static void set_disposition(const struct report_period *p, const char *department,
                            const char *format, struct http_resp *resp)
{
    const char *dept_sep = department ? "-" : "", *dept = department ? department : "";
    char slug[REPORT_SLUG_MAX], label[sizeof(p->label)];
    size_t n = 0;
    struct buf b;

    report_period_slug(p, slug);
    /* Runs of ASCII other than letters, digits and '-' become one '_', as in the UI. */
    for (const unsigned char *s = (const unsigned char *)p->label; *s; s++) {
        bool keep = *s >= 0x80 || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                    (*s >= '0' && *s <= '9') || *s == '-';
        if (keep)
            label[n++] = (char)*s;
        else if (n == 0 || label[n - 1] != '_')
            label[n++] = '_';
    }
    label[n] = '\0';
    buf_init(&b, sizeof(resp->disposition));
    buf_addf(&b, "attachment; filename=\"kesu-report-%s%s%s.%s\"; filename*=UTF-8''kesu-report-",
             slug, dept_sep, dept, format);
    add_ext_value(&b, label);
    buf_addf(&b, "%s%s.%s", dept_sep, dept, format);
    snprintf(resp->disposition, sizeof(resp->disposition), "%s", buf_str(&b));
    buf_release(&b);
}

static int respond(const struct report *r, const char *format, bool charts, struct http_resp *resp,
                   struct ks_error *err)
{
    struct buf b;
    char *bytes;
    size_t len;
    int rc;

    if (strcmp(format, "xlsx") == 0) {
        if ((rc = xlsx_bytes(r, &bytes, &len, err)) < 0)
            return rc;
        resp_text(resp, 200, content_type(format), bytes, len);
        return 0;
    }
    buf_init(&b, REPORT_OUT_MAX);
    if (strcmp(format, "json") == 0)
        rc = report_render_json(r, charts ? REPORT_JSON_CHARTS : 0, &b, err);
    else if (strcmp(format, "csv") == 0)
        rc = report_render_csv(r, &b, err);
    else
        rc = report_render_html(r, &b, err);
    if (rc == 0) {
        len = b.len;
        bytes = buf_detach(&b);
        resp_text(resp, 200, content_type(format), bytes, len);
    }
    buf_release(&b);
    return rc;
}

int h_report_summary(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct app *app = req->ctx->app;
    const char *department = req_query(req, "department");
    const char *format = req_query(req, "format"), *charts_v = req_query(req, "charts");
    struct report_period period;
    struct report r;
    size_t top, rows;
    bool charts = false;
    int rc;

    if ((rc = req_query_only(req, params, err)) < 0 || (rc = scope(req, &department, err)) < 0 ||
        (rc = parse_period(req, &period, err)) < 0 ||
        (rc = parse_count(req, "top", TOP_MAX, &top, err)) < 0 ||
        (rc = parse_count(req, "rows", ROWS_MAX, &rows, err)) < 0)
        return rc;
    if (!format)
        format = "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 && strcmp(format, "html") != 0 &&
        strcmp(format, "xlsx") != 0)
        return ks_fail(err, KS_EINVAL, "format", "format: '%.20s' is not json, csv, html or xlsx",
                       format);
    if (charts_v) {
        if (strcmp(charts_v, "1") != 0 && strcmp(charts_v, "true") != 0 &&
            strcmp(charts_v, "0") != 0 && strcmp(charts_v, "false") != 0)
            return ks_fail(err, KS_EINVAL, "charts", "charts: '%.20s' is not true or false",
                           charts_v);
        charts = strcmp(charts_v, "1") == 0 || strcmp(charts_v, "true") == 0;
        if (charts && strcmp(format, "json") != 0)
            return ks_fail(err, KS_EINVAL, "charts", "charts: only with format=json");
    }
    report_init(&r);
    {
        const struct report_source src = {
            .store = app->store,
            .cal = &app->cal,
            .zone = &app->zone,
            .preset = app_preset(app),
            .as_of = req->now,
            .top_n = top,
        };
        rc = report_read(&src, &period, department, &r, err);
    }
    if (rc == 0 && rows)
        report_truncate_lists(&r, rows);
    if (rc == 0)
        rc = respond(&r, format, charts, resp, err);
    if (rc == 0 && strcmp(format, "json") != 0)
        set_disposition(&period, department, format, resp);
    report_release(&r);
    return rc;
}
