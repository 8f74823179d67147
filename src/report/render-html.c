/* The report as one self-contained HTML page: no scripts, no external files; charts are inline
 * SVG (charts.c). It prints to A4 (@page, one section per page, table headers repeated, rows
 * never split) and reads on screen. All text from data goes through report_xml_escape(). */
#include "report/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/types.h"
#include "lib/banned.h"

static const char style[] =
    "@page{size:A4;margin:15mm}"
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif;"
    "font-size:10.5pt;color:#222;max-width:180mm;margin:0 auto}"
    "h1{font-size:18pt;margin:0 0 2mm}h2{font-size:14pt;border-bottom:2px solid #4e79a7}"
    "h3{font-size:11pt;margin:4mm 0 1mm}"
    "section{break-before:page;page-break-before:always}"
    "section.first{break-before:auto;page-break-before:auto}"
    "table{border-collapse:collapse;width:100%;margin:2mm 0 4mm}"
    "thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}"
    "th,td{border:1px solid #bbb;padding:1mm 2mm;text-align:left;vertical-align:top}"
    "th{background:#eef2f7}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "figure{margin:2mm 0;break-inside:avoid;page-break-inside:avoid}"
    "svg{max-width:100%;height:auto}.note{color:#666;font-size:9pt}";

struct html {
    struct buf *o;
    int rc;
};

static void raw(struct html *h, const char *s)
{
    if (h->rc == 0)
        h->rc = buf_adds(h->o, s);
}

static void esc(struct html *h, const char *s)
{
    if (h->rc == 0)
        h->rc = report_xml_escape(h->o, s ? s : "");
}

static void td(struct html *h, const char *s)
{
    raw(h, "<td>");
    esc(h, s);
    raw(h, "</td>");
}

static void tdn(struct html *h, int64_t v)
{
    if (h->rc == 0)
        h->rc = buf_addf(h->o, "<td class=\"n\">%lld</td>", (long long)v);
}

static void tdpct(struct html *h, int64_t num, int64_t den)
{
    if (h->rc == 0 && den <= 0)
        h->rc = buf_adds(h->o, "<td class=\"n\">–</td>");
    else if (h->rc == 0)
        h->rc = buf_addf(h->o, "<td class=\"n\">%.1f%%</td>", 100.0 * report_share(num, den));
}

static void tdwd(struct html *h, double v)
{
    if (h->rc == 0 && v < 0)
        h->rc = buf_adds(h->o, "<td class=\"n\">–</td>");
    else if (h->rc == 0)
        h->rc = buf_addf(h->o, "<td class=\"n\">%g</td>", v);
}

static void tdtime(struct html *h, int64_t t, int off)
{
    char s[KS_TIME_STRLEN];
    td(h, t == KS_TIME_NONE ? "未完成" : ks_time_format(t, off, s));
}

/* A header row from a NULL-terminated list. */
static void thead(struct html *h, const char *const *cols)
{
    raw(h, "<table><thead><tr>");
    for (; *cols; cols++) {
        raw(h, "<th>");
        esc(h, *cols);
        raw(h, "</th>");
    }
    raw(h, "</tr></thead><tbody>");
}

static void chart(struct html *h, enum report_chart c, const struct report *r)
{
    raw(h, "<figure>");
    if (h->rc == 0)
        h->rc = report_chart_svg(r, c, h->o);
    raw(h, "</figure>");
}

static void dist_table(struct html *h, const char *title, const struct report_dist *d, bool pareto)
{
    static const char *const cols[] = {"项目", "数量", "占比", NULL};
    static const char *const pcols[] = {"项目", "数量", "占比", "累计", "累计占比", NULL};

    raw(h, "<h3>");
    esc(h, title);
    raw(h, "</h3>");
    thead(h, pareto ? pcols : cols);
    for (size_t i = 0; i < d->n; i++) {
        raw(h, "<tr>");
        td(h, d->v[i].label);
        tdn(h, d->v[i].n);
        tdpct(h, d->v[i].n, d->total);
        if (pareto) {
            tdn(h, d->v[i].cum);
            tdpct(h, d->v[i].cum, d->total);
        }
        raw(h, "</tr>");
    }
    raw(h, "</tbody></table>");
}

static void change_row(struct html *h, const char *label, int64_t base, int64_t now)
{
    raw(h, "<tr>");
    td(h, label);
    tdn(h, base);
    if (h->rc == 0)
        h->rc = buf_addf(h->o, "<td class=\"n\">%+lld</td>", (long long)(now - base));
    tdpct(h, now - base, base);
    raw(h, "</tr>");
}

static void volume(struct html *h, const struct report *r)
{
    static const char *const cols[] = {"指标", "数量", NULL};
    static const char *const ccols[] = {"对比", "受理", "增减", "变化率", NULL};
    const struct report_volume *v = &r->volume;
    const char *names[] = {"受理", "结案", "不予受理/撤诉/合并", "未结"};
    int64_t vals[] = {v->received, v->closed, v->ended, v->open};

    raw(h, "<section class=\"first\" id=\"volume\"><h2>一、投诉总量 Volume</h2>");
    thead(h, cols);
    for (int i = 0; i < 4; i++) {
        raw(h, "<tr>");
        td(h, names[i]);
        tdn(h, vals[i]);
        raw(h, "</tr>");
    }
    raw(h, "</tbody></table>");
    if (v->has_prev || v->has_yoy) {
        thead(h, ccols);
        if (v->has_prev)
            change_row(h, "环比（上期）", v->prev_received, v->received);
        if (v->has_yoy)
            change_row(h, "同比（去年同期）", v->yoy_received, v->received);
        raw(h, "</tbody></table>");
    }
    chart(h, RC_TREND, r);
    chart(h, RC_CATEGORY, r);
    chart(h, RC_CHANNEL, r);
    for (int d = 0; d < RD__COUNT; d++)
        dist_table(h, report_dim_label((enum report_dim)d), &v->by[d], false);
    raw(h, "</section>");
}

static void timeliness(struct html *h, const struct report *r)
{
    static const char *const cols[] = {"阶段",   "已判定",         "按时",        "及时率",
                                       "进行中", "中位数(工作日)", "P90(工作日)", NULL};
    static const char *const ocols[] = {"编号", "标题", "部门",         "阶段",
                                        "期限", "完成", "超时(工作日)", NULL};

    raw(h, "<section id=\"timeliness\"><h2>二、处理时效 Timeliness</h2>");
    thead(h, cols);
    for (size_t i = 0; i < r->n_timing; i++) {
        const struct report_timing *t = &r->timing[i];
        raw(h, "<tr>");
        td(h, t->stage < 0 ? "全流程" : wf_state_label(t->stage));
        tdn(h, t->judged);
        tdn(h, t->within);
        tdpct(h, t->within, t->judged);
        tdn(h, t->running);
        tdwd(h, t->median_wd);
        tdwd(h, t->p90_wd);
        raw(h, "</tr>");
    }
    raw(h, "</tbody></table><h3>超时清单</h3>");
    thead(h, ocols);
    for (size_t i = 0; i < r->n_overdue; i++) {
        const struct report_overdue *o = &r->overdue[i];
        raw(h, "<tr>");
        td(h, o->number);
        td(h, o->title);
        td(h, o->department);
        td(h, wf_state_label(o->stage));
        tdtime(h, o->due_at, r->utc_offset_min);
        tdtime(h, o->met_at, r->utc_offset_min);
        tdn(h, o->late_wd);
        raw(h, "</tr>");
    }
    raw(h, "</tbody></table></section>");
}

static void quality(struct html *h, const struct report *r)
{
    static const char *const cols[] = {"指标", "数值", NULL};
    static const char *const dcols[] = {"编号", "评分", "意见", NULL};
    static const char *const rcols[] = {"客户", "不良项目", "次数", NULL};
    static const char *const ccols[] = {"类别", "金额(元)", "笔数", NULL};
    const struct report_quality *q = &r->quality;
    char avg[32];

    raw(h, "<section id=\"quality\"><h2>三、服务质量 Quality</h2>");
    thead(h, cols);
    raw(h, "<tr>");
    td(h, "回访有效");
    tdn(h, q->answered);
    raw(h, "</tr><tr>");
    td(h, "满意度均分");
    snprintf(avg, sizeof(avg), "%.2f",
             q->answered ? round((double)q->score_sum * 100 / (double)q->answered) / 100 : 0);
    td(h, q->answered ? avg : "–");
    raw(h, "</tr><tr>");
    td(h, "满意率(4-5分)");
    tdpct(h, q->satisfied, q->answered);
    raw(h, "</tr><tr>");
    td(h, "重开率");
    tdpct(h, q->reopened, r->volume.received);
    raw(h, "</tr></tbody></table>");

    chart(h, RC_PARETO_DEFECTS, r);
    dist_table(h, "不良项目排列图", &q->pareto_defects, true);
    chart(h, RC_PARETO_CAUSES, r);
    dist_table(h, "原因排列图", &q->pareto_causes, true);
    chart(h, RC_RESPONSIBILITY, r);
    dist_table(h, "责任划分", &q->responsibility, false);

    raw(h, "<h3>赔偿与补偿</h3>");
    thead(h, ccols);
    for (int k = COMP_NONE + 1; k < COMP__COUNT; k++) {
        int64_t fen = q->comp_fen[k];
        raw(h, "<tr>");
        td(h, comp_kind_label((enum comp_kind)k));
        if (h->rc == 0)
            h->rc = buf_addf(h->o, "<td class=\"n\">%lld.%02lld</td>", (long long)(fen / 100),
                             (long long)llabs(fen % 100));
        tdn(h, q->comp_count[k]);
        raw(h, "</tr>");
    }
    raw(h, "</tbody></table><h3>重复问题（同一客户同一不良≥2次）</h3>");
    thead(h, rcols);
    for (size_t i = 0; i < q->n_repeats; i++) {
        raw(h, "<tr>");
        td(h, q->repeats[i].customer);
        td(h, q->repeats[i].defect_label);
        tdn(h, q->repeats[i].n);
        raw(h, "</tr>");
    }
    raw(h, "</tbody></table><h3>不满意案例</h3>");
    thead(h, dcols);
    for (size_t i = 0; i < q->n_dissatisfied; i++) {
        raw(h, "<tr>");
        td(h, q->dissatisfied[i].number);
        tdn(h, q->dissatisfied[i].score);
        td(h, q->dissatisfied[i].comment);
        raw(h, "</tr>");
    }
    raw(h, "</tbody></table></section>");
}

static void departments(struct html *h, const struct report *r)
{
    static const char *const cols[] = {"部门",       "受理",       "结案",       "未结",
                                       "超时",       "含下级受理", "含下级结案", "含下级未结",
                                       "含下级超时", NULL};

    raw(h, "<section id=\"departments\"><h2>四、部门汇总 Departments</h2>");
    thead(h, cols);
    for (size_t i = 0; i < r->n_depts; i++) {
        const struct report_dept *d = &r->depts[i];
        if (h->rc == 0)
            h->rc = buf_addf(h->o, "<tr><td style=\"padding-left:%dmm\">", 2 + 5 * d->depth);
        esc(h, d->name);
        raw(h, "</td>");
        for (int f = 0; f < RDF__COUNT; f++)
            tdn(h, d->own[f]);
        for (int f = 0; f < RDF__COUNT; f++)
            tdn(h, d->subtree[f]);
        raw(h, "</tr>");
    }
    raw(h, "</tbody></table>");
    chart(h, RC_DEPARTMENTS, r);
    raw(h, "</section>");
}

int report_render_html(const struct report *r, struct buf *out, struct ks_error *err)
{
    struct html h = {out, 0};
    char from[KS_TIME_STRLEN], to[KS_TIME_STRLEN], asof[KS_TIME_STRLEN];

    raw(&h, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width\"><title>客诉统计报告 ");
    esc(&h, r->label);
    raw(&h, "</title><style>");
    raw(&h, style);
    raw(&h, "</style></head><body><header><h1>客诉统计报告 ");
    esc(&h, r->label);
    raw(&h, "</h1><p>部门：");
    esc(&h, r->department_name ? r->department_name : "全部");
    raw(&h, "　期间：");
    esc(&h, ks_time_format(r->from, r->utc_offset_min, from));
    raw(&h, " — ");
    esc(&h, ks_time_format(r->to, r->utc_offset_min, to));
    raw(&h, "（不含）　统计时点：");
    esc(&h, ks_time_format(r->as_of, r->utc_offset_min, asof));
    raw(&h, "</p>");
    if (r->calendar_gap)
        raw(&h, "<p class=\"note\">注：部分日期超出节假日日历范围，按周一至周五计算工作日。</p>");
    raw(&h, "</header>");
    volume(&h, r);
    timeliness(&h, r);
    quality(&h, r);
    departments(&h, r);
    raw(&h, "</body></html>\n");
    if (h.rc < 0)
        return ks_fail(err, h.rc, NULL, "report: HTML larger than %zu bytes", out->max);
    return 0;
}
