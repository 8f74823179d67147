/* The report as an Excel workbook (libxlsxwriter): one sheet per section, every count, share
 * and amount written as a number with a number format (so Excel sums and sorts them), and
 * native Excel charts: columns by category, a pie of channels and of responsibility, and
 * Pareto columns with their cumulative share as a line chart beneath. Text is written as text
 * cells, never as formulas, whatever it starts with. Built only when the build links
 * libxlsxwriter (KS_HAVE_XLSXWRITER); otherwise the renderer says so. */
#include "report/render.h"

#ifdef KS_HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif

#include "core/types.h"
#include "lib/banned.h"

#ifdef KS_HAVE_XLSXWRITER

struct xl {
    lxw_workbook *wb;
    lxw_format *bold, *pct, *num, *money, *title;
};

static void s(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *v, lxw_format *f)
{
    worksheet_write_string(ws, r, c, v ? v : "", f);
}

static void n(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    worksheet_write_number(ws, r, c, v, f);
}

static void header(struct xl *x, lxw_worksheet *ws, lxw_row_t r, const char *const *cols)
{
    for (lxw_col_t c = 0; cols[c]; c++)
        s(ws, r, c, cols[c], x->bold);
}

static void when(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int64_t t, int off)
{
    char buf[KS_TIME_STRLEN];
    s(ws, r, c, t == KS_TIME_NONE ? "" : ks_time_format(t, off, buf), NULL);
}

/* Writes a distribution at row r (title, header, lines); returns the next free row. With a
 * chart kind >= 0 and at least one line, a native chart is placed at column chart_col. */
static lxw_row_t dist(struct xl *x, lxw_worksheet *ws, const char *sheet, lxw_row_t r,
                      const char *title, const struct report_dist *d, bool pareto, int kind,
                      lxw_col_t chart_col)
{
    static const char *const cols[] = {"代码", "项目", "数量", "占比", NULL};
    static const char *const pcols[] = {"代码", "项目", "数量", "占比", "累计", "累计占比", NULL};
    lxw_row_t first = r + 2;

    s(ws, r, 0, title, x->title);
    header(x, ws, r + 1, pareto ? pcols : cols);
    r += 2;
    for (size_t i = 0; i < d->n; i++, r++) {
        s(ws, r, 0, d->v[i].key, NULL);
        s(ws, r, 1, d->v[i].label, NULL);
        n(ws, r, 2, (double)d->v[i].n, x->num);
        n(ws, r, 3, report_share(d->v[i].n, d->total), x->pct);
        if (pareto) {
            n(ws, r, 4, (double)d->v[i].cum, x->num);
            n(ws, r, 5, report_share(d->v[i].cum, d->total), x->pct);
        }
    }
    if (kind >= 0 && d->n > 0) {
        lxw_chart *ch = workbook_add_chart(x->wb, (uint8_t)kind);
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(se, sheet, first, 1, r - 1, 1);
        chart_series_set_values(se, sheet, first, 2, r - 1, 2);
        chart_series_set_name(se, "数量");
        chart_title_set_name(ch, title);
        if (pareto) {
            /* Debian's libxlsxwriter 1.1.4 has no chart_combine() or secondary axis, so the
             * cumulative share is its own line chart (0-100 %) right under the columns. */
            lxw_chart *line = workbook_add_chart(x->wb, LXW_CHART_LINE);
            lxw_chart_series *cum = chart_add_series(line, NULL, NULL);
            chart_series_set_categories(cum, sheet, first, 1, r - 1, 1);
            chart_series_set_values(cum, sheet, first, 5, r - 1, 5);
            chart_series_set_name(cum, "累计占比");
            chart_title_set_name(line, "累计占比");
            chart_axis_set_max(line->y_axis, 1);
            chart_axis_set_num_format(line->y_axis, "0%");
            worksheet_insert_chart(ws, first + 14, chart_col, line);
        }
        worksheet_insert_chart(ws, first - 2, chart_col, ch);
    }
    return (r - first < (pareto ? 30u : 16u) && kind >= 0 ? first + (pareto ? 30 : 16) : r) + 1;
}

static void volume(struct xl *x, const struct report *r)
{
    static const char sheet[] = "总量";
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, sheet);
    const struct report_volume *v = &r->volume;
    lxw_row_t row = 0;

    worksheet_set_column(ws, 0, 1, 18, NULL);
    s(ws, row++, 0, "客诉统计报告", x->title);
    s(ws, row, 0, "期间", x->bold);
    s(ws, row++, 1, r->label, NULL);
    s(ws, row, 0, "部门", x->bold);
    s(ws, row++, 1, r->department_name ? r->department_name : "全部", NULL);
    s(ws, row, 0, "统计时点", x->bold);
    when(ws, row++, 1, r->as_of, r->utc_offset_min);
    row++;
    const char *names[] = {"受理", "结案", "不予受理/撤诉/合并", "未结"};
    int64_t vals[] = {v->received, v->closed, v->ended, v->open};
    for (int i = 0; i < 4; i++, row++) {
        s(ws, row, 0, names[i], x->bold);
        n(ws, row, 1, (double)vals[i], x->num);
    }
    if (v->has_prev) {
        s(ws, row, 0, "上期受理", x->bold);
        n(ws, row++, 1, (double)v->prev_received, x->num);
    }
    if (v->has_yoy) {
        s(ws, row, 0, "去年同期受理", x->bold);
        n(ws, row++, 1, (double)v->yoy_received, x->num);
    }
    row++;
    for (int d = 0; d < RD__COUNT; d++)
        row = dist(x, ws, sheet, row, report_dim_label((enum report_dim)d), &v->by[d], false,
                   d == RD_CATEGORY  ? LXW_CHART_COLUMN
                   : d == RD_CHANNEL ? LXW_CHART_PIE
                                     : -1,
                   6);
}

static void timeliness(struct xl *x, const struct report *r)
{
    static const char *const cols[] = {"阶段",   "已判定",         "按时",        "及时率",
                                       "进行中", "中位数(工作日)", "P90(工作日)", NULL};
    static const char *const ocols[] = {"编号", "标题", "部门",         "阶段",
                                        "期限", "完成", "超时(工作日)", NULL};
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "时效");
    lxw_worksheet *wo = workbook_add_worksheet(x->wb, "超时清单");

    worksheet_set_column(ws, 0, 6, 14, NULL);
    header(x, ws, 0, cols);
    for (size_t i = 0; i < r->n_timing; i++) {
        const struct report_timing *t = &r->timing[i];
        lxw_row_t row = (lxw_row_t)i + 1;
        s(ws, row, 0, t->stage < 0 ? "全流程" : wf_state_label(t->stage), NULL);
        n(ws, row, 1, (double)t->judged, x->num);
        n(ws, row, 2, (double)t->within, x->num);
        n(ws, row, 3, report_share(t->within, t->judged), x->pct);
        n(ws, row, 4, (double)t->running, x->num);
        if (t->median_wd >= 0) {
            n(ws, row, 5, t->median_wd, NULL);
            n(ws, row, 6, t->p90_wd, NULL);
        }
    }
    worksheet_set_column(wo, 0, 6, 18, NULL);
    header(x, wo, 0, ocols);
    for (size_t i = 0; i < r->n_overdue; i++) {
        const struct report_overdue *o = &r->overdue[i];
        lxw_row_t row = (lxw_row_t)i + 1;
        s(wo, row, 0, o->number, NULL);
        s(wo, row, 1, o->title, NULL);
        s(wo, row, 2, o->department, NULL);
        s(wo, row, 3, wf_state_label(o->stage), NULL);
        when(wo, row, 4, o->due_at, r->utc_offset_min);
        when(wo, row, 5, o->met_at, r->utc_offset_min);
        n(wo, row, 6, (double)o->late_wd, x->num);
    }
}

static void quality(struct xl *x, const struct report *r)
{
    static const char sheet[] = "质量", psheet[] = "排列图";
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, sheet);
    lxw_worksheet *wp = workbook_add_worksheet(x->wb, psheet);
    const struct report_quality *q = &r->quality;
    lxw_row_t row = 0;

    worksheet_set_column(ws, 0, 3, 18, NULL);
    s(ws, row, 0, "回访有效", x->bold);
    n(ws, row++, 1, (double)q->answered, x->num);
    s(ws, row, 0, "满意度均分", x->bold);
    if (q->answered)
        n(ws, row, 1, (double)q->score_sum / (double)q->answered, x->money);
    row++;
    s(ws, row, 0, "满意率(4-5分)", x->bold);
    n(ws, row++, 1, report_share(q->satisfied, q->answered), x->pct);
    s(ws, row, 0, "重开率", x->bold);
    n(ws, row++, 1, report_share(q->reopened, r->volume.received), x->pct);
    row++;
    s(ws, row++, 0, "赔偿与补偿(元)", x->title);
    for (int k = COMP_NONE + 1; k < COMP__COUNT; k++, row++) {
        s(ws, row, 0, comp_kind_label((enum comp_kind)k), x->bold);
        n(ws, row, 1, (double)q->comp_fen[k] / 100.0, x->money);
        n(ws, row, 2, (double)q->comp_count[k], x->num);
    }
    row++;
    s(ws, row++, 0, "重复问题", x->title);
    for (size_t i = 0; i < q->n_repeats; i++, row++) {
        s(ws, row, 0, q->repeats[i].customer, NULL);
        s(ws, row, 1, q->repeats[i].defect_label, NULL);
        n(ws, row, 2, (double)q->repeats[i].n, x->num);
    }
    row++;
    s(ws, row++, 0, "不满意案例", x->title);
    for (size_t i = 0; i < q->n_dissatisfied; i++, row++) {
        s(ws, row, 0, q->dissatisfied[i].number, NULL);
        n(ws, row, 1, q->dissatisfied[i].score, x->num);
        s(ws, row, 2, q->dissatisfied[i].comment, NULL);
    }
    row++;
    dist(x, ws, sheet, row, "责任划分", &q->responsibility, false, LXW_CHART_PIE, 6);

    worksheet_set_column(wp, 0, 1, 18, NULL);
    row = dist(x, wp, psheet, 0, "不良项目排列图", &q->pareto_defects, true, LXW_CHART_COLUMN, 7);
    dist(x, wp, psheet, row, "原因排列图", &q->pareto_causes, true, LXW_CHART_COLUMN, 7);
}

static void departments(struct xl *x, const struct report *r)
{
    static const char *const cols[] = {"代码",       "部门",       "上级",       "受理",
                                       "结案",       "未结",       "超时",       "含下级受理",
                                       "含下级结案", "含下级未结", "含下级超时", NULL};
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "部门");

    worksheet_set_column(ws, 0, 2, 16, NULL);
    header(x, ws, 0, cols);
    for (size_t i = 0; i < r->n_depts; i++) {
        const struct report_dept *d = &r->depts[i];
        lxw_row_t row = (lxw_row_t)i + 1;
        s(ws, row, 0, d->code, NULL);
        s(ws, row, 1, d->name, NULL);
        s(ws, row, 2, d->parent < 0 ? "" : r->depts[d->parent].code, NULL);
        for (int f = 0; f < RDF__COUNT; f++) {
            n(ws, row, (lxw_col_t)(3 + f), (double)d->own[f], x->num);
            n(ws, row, (lxw_col_t)(7 + f), (double)d->subtree[f], x->num);
        }
    }
}

int report_render_xlsx(const struct report *r, const char *path, struct ks_error *err)
{
    struct xl x = {0};
    lxw_error rc;

    x.wb = workbook_new(path);
    if (!x.wb)
        return ks_fail(err, KS_EINVAL, "output", "output: cannot create '%s'", path);
    x.bold = workbook_add_format(x.wb);
    format_set_bold(x.bold);
    x.title = workbook_add_format(x.wb);
    format_set_bold(x.title);
    format_set_font_size(x.title, 13);
    x.pct = workbook_add_format(x.wb);
    format_set_num_format(x.pct, "0.0%");
    x.num = workbook_add_format(x.wb);
    format_set_num_format(x.num, "#,##0");
    x.money = workbook_add_format(x.wb);
    format_set_num_format(x.money, "#,##0.00");
    volume(&x, r);
    timeliness(&x, r);
    quality(&x, r);
    departments(&x, r);
    rc = workbook_close(x.wb);
    if (rc != LXW_NO_ERROR)
        return ks_fail(err, KS_EINVAL, "output", "output: cannot write '%s': %s", path,
                       lxw_strerror(rc));
    return 0;
}

#else

int report_render_xlsx(const struct report *r, const char *path, struct ks_error *err)
{
    (void)r;
    return ks_fail(err, KS_ECONFIG, "format",
                   "format: xlsx needs libxlsxwriter, which this kesu was built without ('%s' "
                   "not written)",
                   path);
}

#endif
