/* Renderers of a finished struct report, and the SVG charts they and the web UI's report page
 * use. Every renderer only formats figures the report already holds; none computes. Ownership:
 * the report is borrowed; output goes to a caller-owned struct buf (appended) or, for XLSX, to
 * a file. Text that reaches markup (HTML, SVG) passes through report_xml_escape() and nothing
 * else. */
#ifndef KS_REPORT_RENDER_H
#define KS_REPORT_RENDER_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "report/report.h"

#define REPORT_OUT_MAX (256u << 20) /* the largest rendered report: 256 MiB */

/* Appends s with & < > " ' replaced by entities, and control characters other than tab and
 * newline dropped (XML 1.0 forbids them). KS_ELIMIT when out is full. */
int report_xml_escape(struct buf *out, const char *s);

enum report_json_flags {
    REPORT_JSON_CHARTS = 1 << 0, /* add "charts": every chart's SVG (report_chart_svg()) */
};
/* The JSON of GET /api/v1/reports/summary and `kesu report --format json` (docs/reports.md),
 * indented by two spaces, written straight into out. KS_ELIMIT when out is full, KS_EINVAL
 * when a text is not UTF-8. */
int report_render_json(const struct report *r, unsigned flags, struct buf *out,
                       struct ks_error *err);
/* One CSV file with sections (a title row, a header row, rows, a blank row), UTF-8 with a BOM
 * so that Excel opens Chinese correctly; RFC 4180 quoting; numbers as plain numbers. */
int report_render_csv(const struct report *r, struct buf *out, struct ks_error *err);
/* A self-contained HTML page for A4 printing, with embedded SVG charts. */
int report_render_html(const struct report *r, struct buf *out, struct ks_error *err);
/* An XLSX workbook at path: one sheet per section, numbers as numbers, native charts.
 * KS_ECONFIG when kesu was built without libxlsxwriter. */
int report_render_xlsx(const struct report *r, const char *path, struct ks_error *err);

enum chart_kind {
    CHART_BAR = 0, /* one series: vertical bars */
    CHART_STACKED, /* several series stacked per label */
    CHART_LINE,    /* a trend: one polyline per series */
    CHART_PARETO,  /* bars of series 0 sorted as given, with a cumulative-share line */
    CHART_PIE,     /* shares of series 0 */
};

struct chart_series {
    const char *name;
    const double *v; /* one value per label, >= 0 */
};

struct chart {
    enum chart_kind kind;
    const char *title;
    const char *const *labels;
    size_t n; /* labels */
    const struct chart_series *series;
    size_t n_series;
    int width, height; /* pixels; 0: 640 x 320 */
};

/* The charts of a report, as the HTML report and the UI's report page show them. */
enum report_chart {
    RC_TREND = 0,      /* received per day, or per month past two months (line) */
    RC_CATEGORY,       /* by category (bars) */
    RC_CHANNEL,        /* by channel (pie) */
    RC_PARETO_DEFECTS, /* Pareto of defects */
    RC_PARETO_CAUSES,  /* Pareto of root causes */
    RC_RESPONSIBILITY, /* responsibility split (pie) */
    RC_DEPARTMENTS,    /* closed and open per department of the top two levels (stacked) */
    RC__COUNT
};
/* The chart's code in JSON ("trend", "pareto_defects"). */
const char *report_chart_name(enum report_chart c);
/* Appends chart c of r as one standalone <svg> (chart_svg()); KS_ELIMIT when out is full. */
int report_chart_svg(const struct report *r, enum report_chart c, struct buf *out);

/* Appends one standalone <svg> element (xmlns, width, height, viewBox) drawing c, with a
 * CJK-capable font list; an empty chart draws its frame and "无数据". */
int chart_svg(const struct chart *c, struct buf *out);

#endif
