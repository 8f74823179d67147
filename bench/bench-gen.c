/* bench-gen: fills a database made by `kesu init` with N realistic complaints (default
 * 1,000,000) for the load benchmarks, written straight through the store API in transactions
 * of about 10,000 rows. The data is reproducible (a fixed seed) and varied the way a
 * manufacturer's complaint desk is: received over two years (2025-01-01 .. 2026-11-28, local
 * time at the deployment's offset) in business hours, every channel, the preset's products
 * and defect catalogue, Chinese titles and descriptions built from phrase pools (so full-text
 * search finds a realistic share), ~5,000 customers of which a few complain often, a small
 * department tree with handlers, and a life cycle that depends on age: old complaints are
 * mostly closed and surveyed, recent ones are spread over the open stages with running stage
 * clocks (some overdue, some due soon). Severity, category and defect come from the severity
 * engine, as registration would set them. Progress goes to stderr. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "store/store.h"
#include "lib/banned.h"

#define N_CUSTOMERS 5000
#define DAY_SECS    86400

static const char usage[] =
    "usage: bench-gen [--db PATH] [--rows N] [--seed N] [--batch N] [--now RFC3339]\n\n"
    "Adds N generated complaints (default 1000000) to a database made by `kesu init`\n"
    "(default $KESU_DB or ./kesu.db), with departments, handlers and customers. The same\n"
    "seed (default 20250101) gives the same data. --now (default 2026-11-29T00:00 local, the\n"
    "end of the data) decides which complaints are still open and which clocks are overdue.\n";

/* ---- random numbers: splitmix64, small and reproducible on every platform ------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint64_t rnd_below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

/* Uniform in [0, 1). */
static double rnd_unit(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

#define PICK(arr) ((arr)[rnd_below(sizeof(arr) / sizeof((arr)[0]))])

/* An index by weights (which need not sum to anything in particular). */
static size_t rnd_weighted(const int *w, size_t n)
{
    int total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    int r = (int)rnd_below((uint64_t)total);
    for (size_t i = 0; i < n; i++) {
        if (r < w[i])
            return i;
        r -= w[i];
    }
    return n - 1;
}

/* ---- the organisation: departments, people, customers --------------------------------- */

static const struct {
    const char *code, *name, *parent;
} depts[] = {
    {"kefu", "客服部", NULL},
    {"kefu-east", "华东客服组", "kefu"},
    {"kefu-south", "华南客服组", "kefu"},
    {"zhiliang", "质量部", NULL},
    {"zhiliang-pedal", "脚踏质量组", "zhiliang"},
    {"zhiliang-bb", "中轴质量组", "zhiliang"},
    {"shengchan", "生产部", NULL},
    {"shengchan-press", "冲压车间", "shengchan"},
    {"shengchan-assy", "装配车间", "shengchan"},
    {"wuliu", "物流仓储部", NULL},
    {"xiaoshou", "销售部", NULL},
};

/* Handlers per department (login "<dept>-NN"), intake staff in kefu. */
#define HANDLERS_PER_DEPT 6
#define N_INTAKE          12

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴",
                                       "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林",
                                       "罗", "高", "郑", "梁", "谢", "宋", "唐", "许"};
static const char *const given[] = {"伟",   "芳", "娜",   "敏",   "静",   "丽",   "强",   "磊",
                                    "军",   "洋", "勇",   "艳",   "杰",   "涛",   "明",   "超",
                                    "秀英", "华", "建国", "志强", "海燕", "晓东", "春梅", "国平"};
static const char *const cities[] = {"宁波", "天津", "昆山", "东莞", "深圳", "台州", "苏州",
                                     "厦门", "佛山", "杭州", "无锡", "常州", "青岛", "成都",
                                     "重庆", "武汉", "长沙", "郑州", "南京", "广州"};
static const char *const brands[] = {"永久",   "飞鸽",   "凤凰", "捷安",   "美利达", "喜德盛",
                                     "富士达", "千里达", "迪卡", "欧亚马", "宝岛",   "金狮",
                                     "五羊",   "绿源",   "雅迪", "新日",   "爱玛",   "台铃",
                                     "小刀",   "立马",   "速珂"};
static const char *const org_kinds[] = {"车业有限公司",   "自行车有限公司",   "贸易有限公司",
                                        "电动车有限公司", "运动器材有限公司", "车料行"};

struct customer {
    char code[16];
    char name[96];
    char org[96];
    char phone[16];
};

static void customers_make(struct customer *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct customer *c = &cs[i];
        snprintf(c->code, sizeof(c->code), "C%05zu", i + 1);
        snprintf(c->org, sizeof(c->org), "%s%s%s", PICK(cities), PICK(brands), PICK(org_kinds));
        snprintf(c->name, sizeof(c->name), "%s%s", PICK(surnames), PICK(given));
        snprintf(c->phone, sizeof(c->phone), "1%d%09" PRIu64, 30 + (int)rnd_below(60),
                 rnd_below(1000000000));
    }
}

static int ensure_org(struct app *a, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    int rc = store_tx_begin(a->store, STORE_TX_WRITE, &tx, err);
    for (size_t i = 0; rc == 0 && i < sizeof(depts) / sizeof(depts[0]); i++) {
        struct department d;
        department_init(&d);
        rc = store_department_get(tx, depts[i].code, &d, err);
        if (rc == KS_ENOTFOUND) {
            ks_error_clear(err);
            d.code = xstrdup(depts[i].code);
            d.name = xstrdup(depts[i].name);
            d.parent = depts[i].parent ? xstrdup(depts[i].parent) : NULL;
            rc = store_department_insert(tx, &d, err);
        }
        department_release(&d);
        for (int k = 1; rc == 0 && k <= (i == 0 ? N_INTAKE : HANDLERS_PER_DEPT); k++) {
            struct user u;
            char login[48];
            snprintf(login, sizeof(login), "%s-%02d", depts[i].code, k);
            user_init(&u);
            rc = store_user_get(tx, login, &u, err);
            if (rc == KS_ENOTFOUND) {
                char name[32];
                ks_error_clear(err);
                snprintf(name, sizeof(name), "%s%s", PICK(surnames), PICK(given));
                u.login = xstrdup(login);
                u.name = xstrdup(name);
                u.role = i == 0 ? ROLE_INTAKE : k == 1 ? ROLE_LEADER : ROLE_HANDLER;
                u.department = xstrdup(depts[i].code);
                u.created_at = ks_time_from_local((struct ks_date){2024, 12, 1}, 9 * 60, 480);
                rc = store_user_insert(tx, &u, err);
            }
            user_release(&u);
        }
    }
    if (rc == 0)
        return store_tx_commit(&tx, err);
    store_tx_rollback(&tx);
    return rc;
}

/* ---- texts ---------------------------------------------------------------------------- */

static const char *const openers[] = {"客户来电反映：",
                                      "客户邮件反馈，",
                                      "采购部王经理称，",
                                      "客户微信留言：",
                                      "客户品质部通报：",
                                      "经销商反馈：",
                                      "",
                                      "客户投诉：",
                                      "客户装配线反馈，",
                                      "售后回访时客户提到，"};
static const char *const whens[] = {"上周",   "本周一", "昨天", "前天",     "本月初",
                                    "上月底", "3天前",  "近期", "今天上午", "月中"};
static const char *const fillers[] = {"", "", "都", "有些", "明显", "已经"};
static const char *const asks[] = {"要求尽快派人到现场处理。",
                                   "请24小时内给出原因分析和处理方案。",
                                   "要求退换货。",
                                   "要求提供8D报告。",
                                   "请确认后回复。",
                                   "希望下批货不要再出现类似问题。",
                                   "客户情绪激动，要求赔偿损失。",
                                   "要求全数检查后重新发货。",
                                   "请质量部跟进。",
                                   ""};
static const char *const models_pedal[] = {"FP-802", "FP-613", "PD-M520", "PD-R550",
                                           "MX-2",   "K-300",  "BMX-9",   "C-1"};
static const char *const models_bb[] = {"BB-68",   "BB-73", "BSA-110", "PF30",
                                        "BB-UN26", "T47",   "ITA-70"};
/* Complaints that name no defect: service, delivery, money. */
static const struct {
    const char *title, *text;
} plain[] = {
    {"客服回复慢", "客户反映上次投诉后三天没人联系，电话也联系不上，要求说明处理进度。"},
    {"交期延迟", "订单约定交期已过一周仍未到货，影响客户装配排产，要求明确送货日期。"},
    {"发票开错", "客户收到的增值税发票抬头与合同不一致，要求作废重开。"},
    {"报价有异议", "客户认为本次报价比上次高出较多，要求重新核价。"},
    {"业务员态度差", "客户反映业务员说话不耐烦、推诿，要求更换对接人员。"},
    {"物流破损", "货物在运输途中被压，外包装变形，客户要求物流公司赔偿。"},
    {"付款对账不符", "客户对账时发现金额差异，要求提供明细。"},
    {"送货单据缺失", "送货时没有随货同行单，仓库无法签收入库。"},
};

/* A customer's words for a defect: its name, or one of its phrases with each "~" gap
 * filled by a short word, as customers write them. */
static void defect_words(const struct preset_defect *d, struct buf *out)
{
    if (d->phrases.n == 0 || rnd_below(100) < 45) {
        buf_adds(out, d->name);
        return;
    }
    for (const char *p = d->phrases.v[rnd_below(d->phrases.n)]; *p; p++) {
        if (*p == '~')
            buf_adds(out, PICK(fillers));
        else
            buf_addch(out, *p);
    }
}

/* ---- the life cycle of one complaint --------------------------------------------------- */

struct gen {
    struct app *a;
    struct customer *customers;
    int64_t now;
    int64_t begin, end; /* received_at range */
    uint64_t rows, done;
    /* Counters for the summary. */
    uint64_t open, overdue, events, deadlines;
};

static const int channel_weights[CH__COUNT] = {
    [CH_PHONE] = 30, [CH_EMAIL] = 14, [CH_SMS] = 4,       [CH_WECHAT] = 16, [CH_WEB] = 12,
    [CH_LETTER] = 2, [CH_ONSITE] = 8, [CH_REGULATOR] = 2, [CH_SOCIAL] = 4,  [CH_API] = 8};

static const char *dept_for(const struct complaint *c)
{
    const char *cat = c->category ? c->category : "other";
    if (strcmp(cat, "quality") == 0)
        return rnd_below(10) < 2 ? (rnd_below(2) ? "shengchan-press" : "shengchan-assy")
               : c->product && strcmp(c->product, "bb") == 0 ? "zhiliang-bb"
                                                             : "zhiliang-pedal";
    if (strcmp(cat, "packaging") == 0)
        return rnd_below(2) ? "shengchan-assy" : "wuliu";
    if (strcmp(cat, "delivery") == 0)
        return "wuliu";
    if (strcmp(cat, "service") == 0)
        return rnd_below(2) ? "kefu-east" : "kefu-south";
    return "xiaoshou";
}

static char *handler_of(const char *dept)
{
    char login[48];
    snprintf(login, sizeof(login), "%s-%02d", dept, 1 + (int)rnd_below(HANDLERS_PER_DEPT));
    return xstrdup(login);
}

/* The status of a complaint received `age` seconds before now: past 45 days almost all are
 * finished; younger ones are spread over the stages by how far they have come. */
static enum wf_state status_for(int64_t age)
{
    static const enum wf_state stages[] = {
        WF_STATE_NEW,      WF_STATE_ACCEPTED,  WF_STATE_ASSIGNED, WF_STATE_INVESTIGATING,
        WF_STATE_PROPOSED, WF_STATE_RESOLVING, WF_STATE_REPLIED,  WF_STATE_FOLLOW_UP};
    uint64_t r = rnd_below(1000);
    if (r < 30)
        return WF_STATE_REJECTED;
    if (r < 55)
        return WF_STATE_WITHDRAWN;
    if (r < 65)
        return WF_STATE_MERGED;
    double frac = (double)age / (45.0 * DAY_SECS);
    if (frac >= 1.0)
        return r < 985 ? WF_STATE_CLOSED : PICK(stages); /* a few forgotten ones: overdue */
    double pos = frac * 9.0 + (rnd_unit() - 0.5) * 3.0;
    if (pos < 0)
        pos = 0;
    return pos >= 8.0 ? WF_STATE_CLOSED : stages[(int)pos];
}

static int add_event(struct store_tx *tx, struct gen *g, int64_t id, int64_t at, const char *actor,
                     const char *kind, int from, int to, const char *note, const char *details,
                     struct ks_error *err)
{
    struct event ev;
    event_init(&ev);
    ev.complaint_id = id;
    ev.at = at;
    ev.actor = xstrdup(actor);
    ev.kind = xstrdup(kind);
    ev.from_state = from;
    ev.to_state = to;
    ev.note = note ? xstrdup(note) : NULL;
    ev.details = details ? xstrdup(details) : NULL;
    int rc = store_event_append(tx, &ev, err);
    event_release(&ev);
    g->events++;
    return rc;
}

/* Puts the clock of `stage` started at `start`; met at `met` (KS_TIME_NONE: still running).
 * Stages the preset gives no limit are skipped. */
static int add_clock(struct store_tx *tx, struct gen *g, const struct complaint *c,
                     enum wf_state stage, int64_t start, int64_t met, struct ks_error *err)
{
    const struct preset_limit *rule = NULL;
    struct dl_period period;
    struct stage_deadline d;
    int rc = preset_limit_for(&g->a->preset, stage, c, &period, &rule, err);

    if (rc == KS_ENOTFOUND) {
        ks_error_clear(err);
        return 0;
    }
    if (rc < 0)
        return rc;
    stage_deadline_init(&d);
    d.complaint_id = c->id;
    d.stage = stage;
    if (stage_clock_start(&d.clock, &g->a->cal, &g->a->zone, start, period, err) < 0) {
        /* Past the calendar's last year: count clock hours instead. */
        ks_error_clear(err);
        period = (struct dl_period){DL_HOURS, 72};
        stage_clock_start(&d.clock, &g->a->cal, &g->a->zone, start, period, err);
    }
    if (met != KS_TIME_NONE) {
        stage_clock_meet(&d.clock, met);
        d.breached = stage_clock_is_breached(&d.clock, met);
    } else {
        d.breached = stage_clock_is_breached(&d.clock, g->now);
        g->overdue += d.breached;
    }
    d.rule = xstrdup(rule && rule->label ? rule->label : "");
    rc = store_deadline_put(tx, &d, err);
    stage_deadline_release(&d);
    g->deadlines++;
    return rc;
}

static void fill_text(struct complaint *c, const struct preset *p)
{
    struct buf t, d;
    buf_init(&t, 512);
    buf_init(&d, 2048);
    const struct preset_product *prod = &p->products[rnd_below(100) < 55 ? 0 : 1 % p->n_products];
    bool is_bb = strcmp(prod->code, "bb") == 0;
    const char *model = is_bb ? PICK(models_bb) : PICK(models_pedal);
    c->product = xstrdup(prod->code);
    c->model = xstrdup(model);
    if (rnd_below(100) < 12) {
        size_t k = rnd_below(sizeof(plain) / sizeof(plain[0]));
        buf_adds(&t, plain[k].title);
        buf_adds(&d, PICK(openers));
        buf_adds(&d, plain[k].text);
    } else {
        /* General defects are common, batch ones less, serious ones rare. */
        int w[64];
        size_t n = prod->n_defects < 64 ? prod->n_defects : 64;
        for (size_t i = 0; i < n; i++)
            w[i] = prod->defects[i].severity == SEV_SERIOUS ? 2
                   : prod->defects[i].severity == SEV_BATCH ? 4
                                                            : 12;
        const struct preset_defect *def = &prod->defects[rnd_weighted(w, n)];
        int64_t delivered = 50 * (int64_t)(4 + rnd_below(100));
        int64_t defective = rnd_below(100) < 7 ? delivered * (30 + (int64_t)rnd_below(50)) / 100
                                               : 1 + (int64_t)rnd_below((uint64_t)delivered / 15);
        switch (rnd_below(4)) {
        case 0:
            buf_addf(&t, "%s%s", prod->name, def->name);
            break;
        case 1:
            buf_addf(&t, "%s %s", model, def->name);
            break;
        case 2:
            buf_addf(&t, "关于%s%s的投诉", prod->name, def->name);
            break;
        default:
            buf_addf(&t, "%s：", prod->name);
            defect_words(def, &t);
            break;
        }
        buf_addf(&d, "%s%s到货的%s%s（批号%c%04d）共%" PRId64 "件，", PICK(openers), PICK(whens),
                 prod->name, model, 'A' + (int)rnd_below(26), (int)rnd_below(10000), delivered);
        defect_words(def, &d);
        buf_addf(&d, "，不良%" PRId64 "件。%s", defective, PICK(asks));
        if (rnd_below(2)) {
            c->delivered = delivered;
            c->defective = defective;
        }
        char batch[16];
        snprintf(batch, sizeof(batch), "L%06d", (int)rnd_below(1000000));
        c->batch_no = xstrdup(batch);
    }
    c->title = xstrdup(buf_str(&t));
    c->description = xstrdup(buf_str(&d));
    buf_release(&t);
    buf_release(&d);
}

static const char *const parties[] = {"我司", "我司", "我司", "供应商", "物流", "客户"};
static const char *const causes[] = {"铆压工位压力不足，首件检验未发现",
                                     "来料螺纹规检验漏检",
                                     "包装工未按作业指导书装箱",
                                     "物流途中堆码过高导致压损",
                                     "发货前未核对订单型号",
                                     "电镀槽液浓度偏低",
                                     "热处理炉温波动",
                                     "新员工培训不到位"};
static const char *const plans[] = {"退换不良品并全数复检在库产品", "补发短装数量并赔偿运费",
                                    "更换包装并加强出货检验", "派员到客户现场挑选返工",
                                    "按合同条款赔偿并提交8D报告"};
static const char *const replies[] = {"已向客户说明原因和整改措施，客户接受处理方案。",
                                      "已完成换货，客户确认收货。", "已电话回复客户并发送8D报告。"};

static int gen_one(struct store_tx *tx, struct gen *g, uint64_t i, struct ks_error *err)
{
    struct app *a = g->a;
    struct complaint c;
    struct sev_result r;
    char number[COMPLAINT_NUMBER_MAX], details[256];
    int seq, rc;

    complaint_init(&c);
    /* Row i lands on day i*days/N, at a time of day that grows with i within the day, in
     * business hours (07:30 .. 21:30). */
    int64_t days = (g->end - g->begin) / DAY_SECS;
    int64_t day = (int64_t)(i * (uint64_t)days / g->rows);
    uint64_t first = (uint64_t)((day * (int64_t)g->rows + days - 1) / days);
    uint64_t next = (uint64_t)(((day + 1) * (int64_t)g->rows + days - 1) / days);
    double slot = next > first ? ((double)(i - first) + rnd_unit()) / (double)(next - first) : 0.5;
    c.received_at = g->begin + day * DAY_SECS + 450 * 60 + (int64_t)(slot * 14 * 3600);
    c.channel = (enum channel)rnd_weighted(channel_weights, CH__COUNT);
    /* Squaring favours the first customers: a few complain often, most rarely. */
    double u = rnd_unit();
    const struct customer *cu = &g->customers[(size_t)(u * u * N_CUSTOMERS)];
    c.customer_code = xstrdup(cu->code);
    c.customer_name = xstrdup(cu->name);
    c.customer_org = xstrdup(cu->org);
    c.customer_phone = xstrdup(cu->phone);
    fill_text(&c, &a->preset);
    if ((rc = app_classify(a, &c, 0, &r, err)) < 0)
        goto out;
    c.severity = r.severity;
    c.category = xstrdup(r.category ? r.category : a->preset.default_category);
    c.defect = r.defect ? xstrdup(r.defect) : NULL;
    c.urgent = r.urgent;
    c.response_level = r.response_level;

    char intake[48];
    snprintf(intake, sizeof(intake), "kefu-%02d", 1 + (int)rnd_below(N_INTAKE));
    c.first_responder = xstrdup(intake);
    c.created_at = c.received_at + 60 * (int64_t)rnd_below(30);
    enum wf_state st = status_for(g->now - c.received_at);
    bool finished = wf_is_terminal(st);
    /* Times: accepted within hours, the current stage entered somewhere between then and now
     * (or the end, for finished ones: within 40 days). */
    int64_t accepted = c.created_at + 600 + (int64_t)rnd_below(30 * 3600);
    int64_t last = finished ? accepted + (int64_t)rnd_below(40 * DAY_SECS)
                            : accepted + (int64_t)(rnd_unit() * (double)(g->now - accepted));
    if (last > g->now)
        last = g->now - (int64_t)rnd_below(3600);
    if (accepted > last)
        accepted = last;
    c.status = st;
    c.updated_at = st == WF_STATE_NEW ? c.created_at : last;
    if (st != WF_STATE_NEW && st != WF_STATE_REJECTED) {
        c.department = xstrdup(dept_for(&c));
        if (st != WF_STATE_ACCEPTED)
            c.assignee = handler_of(c.department);
    }
    if (st >= WF_STATE_PROPOSED && st <= WF_STATE_CLOSED) {
        c.resp_party = xstrdup(PICK(parties));
        c.resp_root_cause = xstrdup(PICK(causes));
        c.resp_department = xstrdup(c.department);
        c.plan = xstrdup(PICK(plans));
    }
    if (st >= WF_STATE_RESOLVING && st <= WF_STATE_CLOSED) {
        char leader[48];
        snprintf(leader, sizeof(leader), "zhiliang-01");
        c.approval_by = xstrdup(leader);
        c.approval_at = accepted + (last - accepted) / 2;
    }
    if (st >= WF_STATE_REPLIED && st <= WF_STATE_CLOSED)
        c.reply = xstrdup(PICK(replies));
    if (st == WF_STATE_CLOSED) {
        static const int score_w[] = {5, 7, 13, 30, 45};
        if (rnd_below(100) < 6)
            c.satisfaction_waived_reason = xstrdup("客户多次联系不上");
        else
            c.satisfaction_score = 1 + (int)rnd_weighted(score_w, 5);
        if (c.severity >= SEV_BATCH && rnd_below(3) == 0) {
            c.comp_kind = rnd_below(2) ? COMP_DAMAGES : COMP_GOODWILL;
            c.comp_amount = 100 * (int64_t)(200 + rnd_below(20000));
        }
    }

    struct ks_date local = ks_time_local_date(c.received_at, a->zone.utc_offset_min);
    if ((rc = store_number_next(tx, local, &seq, err)) < 0)
        goto out;
    complaint_number_format(local, seq, number);
    c.number = xstrdup(number);
    if ((rc = store_complaint_insert(tx, &c, err)) < 0)
        goto out;
    snprintf(details, sizeof(details), "{\"channel\":\"%s\"}", channel_name(c.channel));
    if ((rc = add_event(tx, g, c.id, c.created_at, intake, EV_CREATED, -1, WF_STATE_NEW, NULL,
                        details, err)) < 0)
        goto out;
    snprintf(details, sizeof(details),
             "{\"severity\":\"%s\",\"category\":\"%s\",\"defect\":%s%s%s,\"urgent\":%s}",
             severity_name(c.severity), c.category, c.defect ? "\"" : "",
             c.defect ? c.defect : "null", c.defect ? "\"" : "", c.urgent ? "true" : "false");
    if ((rc = add_event(tx, g, c.id, c.created_at, "system", EV_CLASSIFIED, -1, -1, NULL, details,
                        err)) < 0)
        goto out;
    if ((rc = add_clock(tx, g, &c, WF_STATE_NEW, c.created_at,
                        st == WF_STATE_NEW ? KS_TIME_NONE : accepted, err)) < 0)
        goto out;
    if (st != WF_STATE_NEW &&
        (rc = add_event(tx, g, c.id, last, c.assignee ? c.assignee : intake, EV_TRANSITION,
                        WF_STATE_NEW, st, NULL, NULL, err)) < 0)
        goto out;
    if (!finished) {
        g->open++;
        if (st != WF_STATE_NEW && (rc = add_clock(tx, g, &c, st, last, KS_TIME_NONE, err)) < 0)
            goto out;
    }
out:
    complaint_release(&c);
    return rc;
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-') {
        fprintf(stderr, "bench-gen: %s: '%s' is not a whole number\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    const char *db = getenv("KESU_DB") ? getenv("KESU_DB") : "kesu.db";
    const char *now_text = NULL;
    uint64_t rows = 1000000, seed = 20250101, batch = 10000;
    struct ks_error err = {0};
    struct app a;
    struct app_conf conf = {0};
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "bench-gen: '%s' needs a value\n%s", argv[i], usage);
            return 2;
        }
        if (strcmp(argv[i], "--db") == 0)
            db = v;
        else if (strcmp(argv[i], "--now") == 0)
            now_text = v;
        else if ((strcmp(argv[i], "--rows") == 0 && parse_u64(argv[i], v, &rows) < 0) ||
                 (strcmp(argv[i], "--seed") == 0 && parse_u64(argv[i], v, &seed) < 0) ||
                 (strcmp(argv[i], "--batch") == 0 && parse_u64(argv[i], v, &batch) < 0))
            return 2;
        else if (strcmp(argv[i], "--rows") && strcmp(argv[i], "--seed") &&
                 strcmp(argv[i], "--batch")) {
            fprintf(stderr, "bench-gen: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        }
        i++;
    }
    if (rows == 0 || batch == 0) {
        fprintf(stderr, "bench-gen: --rows and --batch must be at least 1\n");
        return 2;
    }
    conf.db_url = db;
    if (app_open(&a, &conf, &err) < 0) {
        fprintf(stderr, "bench-gen: %s\n", err.message);
        return 1;
    }
    rng_state = seed;
    struct gen g = {.a = &a, .rows = rows};
    g.begin = ks_time_from_local((struct ks_date){2025, 1, 1}, 0, a.zone.utc_offset_min);
    g.end = ks_time_from_local((struct ks_date){2026, 11, 29}, 0, a.zone.utc_offset_min);
    g.now = g.end;
    if (now_text && ks_time_parse(now_text, a.zone.utc_offset_min, "--now", &g.now, &err) < 0) {
        fprintf(stderr, "bench-gen: %s\n", err.message);
        app_close(&a);
        return 2;
    }
    if (g.now < g.end) {
        fprintf(stderr, "bench-gen: --now: '%s' is before the last day generated (2026-11-28)\n",
                now_text);
        app_close(&a);
        return 2;
    }
    g.customers = xcalloc(N_CUSTOMERS, sizeof(*g.customers));
    customers_make(g.customers, N_CUSTOMERS);
    rc = ensure_org(&a, &err);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 0; rc == 0 && i < rows;) {
        struct store_tx *tx = NULL;
        if ((rc = store_tx_begin(a.store, STORE_TX_WRITE, &tx, &err)) < 0)
            break;
        uint64_t stop = i + batch < rows ? i + batch : rows;
        for (; rc == 0 && i < stop; i++)
            rc = gen_one(tx, &g, i, &err);
        if (rc < 0) {
            store_tx_rollback(&tx);
            break;
        }
        if ((rc = store_tx_commit(&tx, &err)) < 0)
            break;
        double s = since(&t0);
        fprintf(stderr, "\rbench-gen: %" PRIu64 "/%" PRIu64 " complaints, %.0f/s, %.0f s left   ",
                i, rows, (double)i / s, (double)(rows - i) * s / (double)i);
    }
    fputc('\n', stderr);
    if (rc < 0) {
        fprintf(stderr, "bench-gen: %s\n", err.message);
    } else {
        double s = since(&t0);
        fprintf(stderr,
                "bench-gen: %" PRIu64 " complaints (%" PRIu64 " open, %" PRIu64
                " overdue), %" PRIu64 " events, %" PRIu64 " stage clocks in %.1f s (%.0f/s)\n",
                rows, g.open, g.overdue, g.events, g.deadlines, s, (double)rows / s);
    }
    free(g.customers);
    app_close(&a);
    return rc < 0 ? 1 : 0;
}
