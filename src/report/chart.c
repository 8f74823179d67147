/* SVG charts drawn by kesu itself (bar, stacked bar, line trend, Pareto with a cumulative line
 * on a secondary axis, pie) and the one XML escaping function every piece of markup uses.
 * Charts are standalone <svg> elements with width, height and viewBox so that they scale in
 * the browser and print sharply; text uses a font list that has Chinese glyphs on Linux
 * (Noto Sans CJK, WenQuanYi), Windows (Microsoft YaHei) and elsewhere. Long labels are cut
 * at a character (never inside a UTF-8 sequence) and keep their full text in a <title>. */
#include "report/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/banned.h"

#define FONTS          "'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif"
#define LABEL_CHARS    8
#define LINE_LABEL_GAP 44.0 /* pixels between two x labels of a line chart: "10-01" and a gap */

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define N_PALETTE (sizeof(palette) / sizeof(palette[0]))

int report_xml_escape(struct buf *out, const char *s)
{
    int rc = 0;

    for (; s && *s && rc == 0; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '&':
            rc = buf_adds(out, "&amp;");
            break;
        case '<':
            rc = buf_adds(out, "&lt;");
            break;
        case '>':
            rc = buf_adds(out, "&gt;");
            break;
        case '"':
            rc = buf_adds(out, "&quot;");
            break;
        case '\'':
            rc = buf_adds(out, "&#39;");
            break;
        default:
            if (ch >= 0x20 || ch == '\t' || ch == '\n')
                rc = buf_addch(out, (char)ch);
            break;
        }
    }
    return rc;
}

/* Appends at most max characters of s (escaped), with "…" when cut. */
static int add_short(struct buf *out, const char *s, int max)
{
    char cut[256];
    size_t i = 0;
    int chars = 0;

    for (; s[i] && chars < max && i < sizeof(cut) - 8; chars++) {
        size_t k = 1;
        while (((unsigned char)s[i + k] & 0xC0) == 0x80)
            k++;
        i += k;
    }
    if (!s[i])
        return report_xml_escape(out, s);
    memcpy(cut, s, i);
    memcpy(cut + i, "…", sizeof("…"));
    return report_xml_escape(out, cut);
}

/* A round upper bound for an axis of four steps: each step is 1, 2, 2.5 or 5 times a power of
 * ten and at least 1, because charts show counts: whole-number gridlines (a largest value of 5
 * gives 0, 2, 4, 6, 8; of 2 gives 0, 1, 2, 3, 4). */
static double nice_max(double v)
{
    static const double steps[] = {1, 2, 2.5, 5, 10};
    double want = v / 4, p;

    if (want <= 1)
        return 4;
    p = pow(10, floor(log10(want)));
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (steps[i] * p >= want && (p >= 10 || steps[i] != 2.5))
            return 4 * steps[i] * p;
    return 40 * p;
}

static void fmt_num(char *out, size_t size, double v)
{
    if (fabs(v - round(v)) < 1e-9)
        snprintf(out, size, "%.0f", v);
    else
        snprintf(out, size, "%.1f", v);
}

struct frame {
    double x0, y0, w, h; /* plot area */
    double max;
};

static int axes(struct buf *o, const struct frame *f, bool right_pct)
{
    int rc = 0;
    char num[32];

    for (int i = 0; i <= 4 && rc == 0; i++) {
        double y = f->y0 + f->h - f->h * i / 4.0;
        fmt_num(num, sizeof(num), f->max * i / 4.0);
        rc = buf_addf(o,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>",
                      f->x0, y, f->x0 + f->w, y, f->x0 - 4, y + 4, num);
        if (rc == 0 && right_pct)
            rc = buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%d%%</text>",
                          f->x0 + f->w + 4, y + 4, 25 * i);
    }
    if (rc == 0)
        rc = buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>",
                      f->x0, f->y0 + f->h, f->x0 + f->w, f->y0 + f->h);
    return rc;
}

static int x_label(struct buf *o, double x, double y, const char *label)
{
    int rc = buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"><title>", x, y);
    if (rc == 0)
        rc = report_xml_escape(o, label);
    if (rc == 0)
        rc = buf_adds(o, "</title>");
    if (rc == 0)
        rc = add_short(o, label, LABEL_CHARS);
    if (rc == 0)
        rc = buf_adds(o, "</text>");
    return rc;
}

static int legend(struct buf *o, const struct chart *c, double x, double y)
{
    int rc = 0;

    for (size_t s = 0; s < c->n_series && rc == 0; s++) {
        rc = buf_addf(o,
                      "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\">",
                      x, y - 9, palette[s % N_PALETTE], x + 14, y);
        if (rc == 0)
            rc = add_short(o, c->series[s].name ? c->series[s].name : "", 10);
        if (rc == 0)
            rc = buf_adds(o, "</text>");
        x += 110;
    }
    return rc;
}

static int bars(struct buf *o, const struct chart *c, const struct frame *f, double slot)
{
    int rc = 0;

    for (size_t i = 0; i < c->n && rc == 0; i++) {
        double base = f->y0 + f->h;
        size_t ns = c->kind == CHART_STACKED ? c->n_series : 1;
        for (size_t s = 0; s < ns && rc == 0; s++) {
            double v = c->series[s].v[i] > 0 ? c->series[s].v[i] : 0;
            double h = f->h * v / f->max;
            double bw = slot * 0.7 < 60 ? slot * 0.7 : 60;
            char num[32];
            fmt_num(num, sizeof(num), v);
            base -= h;
            rc = buf_addf(o,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"%s\"><title>%s</title></rect>",
                          f->x0 + slot * ((double)i + 0.5) - bw / 2, base, bw, h,
                          palette[(ns > 1 ? s : 0) % N_PALETTE], num);
        }
        if (rc == 0)
            rc = x_label(o, f->x0 + slot * ((double)i + 0.5), f->y0 + f->h + 16, c->labels[i]);
    }
    return rc;
}

static int lines(struct buf *o, const struct chart *c, const struct frame *f, double slot)
{
    size_t step;
    int rc = 0;

    for (size_t s = 0; s < c->n_series && rc == 0; s++) {
        rc = buf_addf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                      palette[s % N_PALETTE]);
        for (size_t i = 0; i < c->n && rc == 0; i++)
            rc = buf_addf(o, "%s%.1f,%.1f", i ? " " : "", f->x0 + slot * ((double)i + 0.5),
                          f->y0 + f->h - f->h * c->series[s].v[i] / f->max);
        if (rc == 0)
            rc = buf_adds(o, "\"/>");
    }
    /* A month of days would print 31 labels over each other: every step-th point is labelled,
     * at least LINE_LABEL_GAP pixels apart. */
    step = slot >= LINE_LABEL_GAP ? 1 : (size_t)ceil(LINE_LABEL_GAP / slot);
    for (size_t i = 0; i < c->n && rc == 0; i += step)
        rc = x_label(o, f->x0 + slot * ((double)i + 0.5), f->y0 + f->h + 16, c->labels[i]);
    return rc;
}

static int pareto_line(struct buf *o, const struct chart *c, const struct frame *f, double slot)
{
    double total = 0, cum = 0;
    int rc;

    for (size_t i = 0; i < c->n; i++)
        total += c->series[0].v[i];
    rc = buf_adds(o, "<polyline fill=\"none\" stroke=\"#e15759\" stroke-width=\"2\" points=\"");
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        cum += c->series[0].v[i];
        rc = buf_addf(o, "%s%.1f,%.1f", i ? " " : "", f->x0 + slot * ((double)i + 0.5),
                      f->y0 + f->h - f->h * (total > 0 ? cum / total : 0));
    }
    if (rc == 0)
        rc = buf_adds(o, "\"/>");
    cum = 0;
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        cum += c->series[0].v[i];
        rc = buf_addf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#e15759\"/>",
                      f->x0 + slot * ((double)i + 0.5),
                      f->y0 + f->h - f->h * (total > 0 ? cum / total : 0));
    }
    return rc;
}

static int pie(struct buf *o, const struct chart *c, int h)
{
    double total = 0, a = -M_PI / 2;
    double r = (h - 60) / 2.0, cx = 20 + r, cy = 40 + r;
    int rc = 0;

    for (size_t i = 0; i < c->n; i++)
        total += c->series[0].v[i] > 0 ? c->series[0].v[i] : 0;
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        double v = c->series[0].v[i] > 0 ? c->series[0].v[i] : 0;
        double share = v / total, b = a + 2 * M_PI * share;
        char pct[32];
        snprintf(pct, sizeof(pct), "%.1f%%", 100 * share);
        if (share >= 0.9999)
            rc = buf_addf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", cx, cy, r,
                          palette[i % N_PALETTE]);
        else if (v > 0)
            rc = buf_addf(o,
                          "<path d=\"M%.1f,%.1f L%.1f,%.1f A%.1f,%.1f 0 %d 1 %.1f,%.1f Z\" "
                          "fill=\"%s\" stroke=\"#fff\"/>",
                          cx, cy, cx + r * cos(a), cy + r * sin(a), r, r, share > 0.5 ? 1 : 0,
                          cx + r * cos(b), cy + r * sin(b), palette[i % N_PALETTE]);
        a = b;
        if (rc == 0)
            rc = buf_addf(o,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\">",
                          cx + r + 30, 40 + 18.0 * (double)i, palette[i % N_PALETTE], cx + r + 46,
                          49 + 18.0 * (double)i);
        if (rc == 0)
            rc = add_short(o, c->labels[i], 12);
        if (rc == 0)
            rc = buf_addf(o, " %s</text>", pct);
    }
    return rc;
}

static bool is_empty(const struct chart *c)
{
    if (c->n == 0 || c->n_series == 0)
        return true;
    for (size_t s = 0; s < c->n_series; s++)
        for (size_t i = 0; i < c->n; i++)
            if (c->series[s].v[i] > 0)
                return false;
    return true;
}

int chart_svg(const struct chart *c, struct buf *o)
{
    int w = c->width > 0 ? c->width : 640, h = c->height > 0 ? c->height : 320;
    struct frame f = {56, 40, w - 56 - 48, h - 40 - 48, 1};
    double slot;
    int rc;

    rc = buf_addf(o,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                  "viewBox=\"0 0 %d %d\" font-family=\"" FONTS "\" font-size=\"12\" "
                  "role=\"img\"><title>",
                  w, h, w, h);
    if (rc == 0)
        rc = report_xml_escape(o, c->title ? c->title : "");
    if (rc == 0)
        rc = buf_addf(o,
                      "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                      "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" "
                      "font-weight=\"bold\">",
                      w, h, w / 2);
    if (rc == 0)
        rc = report_xml_escape(o, c->title ? c->title : "");
    if (rc == 0)
        rc = buf_adds(o, "</text>");
    if (rc == 0 && is_empty(c)) {
        rc = buf_addf(o,
                      "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#888\">无数据</text>",
                      w / 2, h / 2);
        return rc ? rc : buf_adds(o, "</svg>");
    }
    if (rc == 0 && c->kind == CHART_PIE)
        rc = pie(o, c, h);
    if (rc == 0 && c->kind != CHART_PIE) {
        double max = 0;
        for (size_t i = 0; i < c->n; i++) {
            double sum = 0;
            for (size_t s = 0; s < c->n_series; s++) {
                if (c->kind == CHART_STACKED)
                    sum += c->series[s].v[i];
                else if (c->kind == CHART_LINE || s == 0)
                    sum = c->series[s].v[i] > sum ? c->series[s].v[i] : sum;
            }
            max = sum > max ? sum : max;
        }
        f.max = nice_max(max);
        slot = f.w / (double)c->n;
        rc = axes(o, &f, c->kind == CHART_PARETO);
        if (rc == 0 && c->kind == CHART_LINE)
            rc = lines(o, c, &f, slot);
        else if (rc == 0)
            rc = bars(o, c, &f, slot);
        if (rc == 0 && c->kind == CHART_PARETO)
            rc = pareto_line(o, c, &f, slot);
        if (rc == 0 && c->n_series > 1)
            rc = legend(o, c, f.x0, (double)h - 8);
    }
    return rc ? rc : buf_adds(o, "</svg>");
}
