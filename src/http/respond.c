/* Responses: JSON bodies and the one place errors become HTTP. Every error is an RFC 9457
 * problem (application/problem+json) with type, title, status and detail, plus kesu's machine
 * "code" and the "field" at fault. The title comes from a small table in English and Chinese
 * chosen by Accept-Language; the detail is the ks_error message as written by the layer that
 * refused (it names the field and the value), made valid UTF-8 first because it may quote a cut
 * piece of what the client sent. For a client preferring Chinese, the refusals people meet in
 * the UI (missing or malformed fields, workflow moves and their guards, roles, things not found,
 * stale versions, logins, the customer pages, preset mistakes) are rewritten from the English
 * message by the zh_msgs table below, so the layers that refuse keep writing one message and
 * `code` and `field` stay the same in both languages; a message the table does not know stays
 * English. Every response, errors included, also gets the security headers of
 * resp_add_security_headers(). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"
#include "core/types.h"
#include "http/http.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Status per error kind: STYLE.md §4, the only such table in the server. */
int http_status_of(enum ks_err code)
{
    switch (code) {
    case KS_OK:
        return 200;
    case KS_EINVAL:
        return 400;
    case KS_ENOTFOUND:
        return 404;
    case KS_ECONFLICT:
        return 409;
    case KS_ESTORE:
    case KS_EUNCERTAIN:
        return 503;
    case KS_EPERM:
        return 403;
    case KS_EAUTH:
        return 401;
    case KS_ELIMIT:
        return 413;
    case KS_ECONFIG:
    case KS_EINTERNAL:
        return 500;
    }
    return 500;
}

/* Machine code and titles of the statuses kesu answers with. */
static const struct problem_kind {
    int status;
    const char *code; /* NULL: ks_err_code_name() of the error */
    const char *en;
    const char *zh;
} kinds[] = {
    {400, NULL, "Invalid request", "请求无效"},
    {401, NULL, "Authentication required", "需要登录"},
    {403, NULL, "Not allowed", "无权操作"},
    {404, NULL, "Not found", "未找到"},
    {405, "method_not_allowed", "Method not allowed", "不支持该方法"},
    {409, NULL, "Conflict", "冲突"},
    {412, "precondition_failed", "Stale version", "版本已过期，请刷新后重试"},
    {413, NULL, "Too large", "内容过大"},
    {415, "unsupported_media_type", "Unsupported media type", "不支持的内容类型"},
    {422, "idempotency_mismatch", "Idempotency key reused", "幂等键已用于其他请求"},
    {428, "precondition_required", "If-Match required", "需要 If-Match 头"},
    {429, "too_many_requests", "Too many requests", "请求过于频繁，请稍后再试"},
    {431, "headers_too_large", "Too many headers", "请求头过多"},
    {500, NULL, "Internal error", "内部错误"},
    {503, NULL, "Service unavailable", "服务暂不可用"},
};

enum http_lang http_lang_of(const char *al)
{
    /* The first language listed wins; "zh", "zh-CN", "zh-Hans" ... are Chinese. */
    if (!al)
        return HTTP_LANG_EN;
    while (*al == ' ')
        al++;
    return (al[0] == 'z' || al[0] == 'Z') && (al[1] == 'h' || al[1] == 'H') ? HTTP_LANG_ZH
                                                                            : HTTP_LANG_EN;
}

void resp_json(struct http_resp *resp, int status, json_t *body)
{
    json_decref(resp->json);
    resp->status = status;
    resp->json = body;
}

void resp_text(struct http_resp *resp, int status, const char *content_type, char *text, size_t len)
{
    free(resp->text);
    resp->status = status;
    resp->content_type = content_type;
    resp->text = text;
    resp->text_len = len;
}

/* s with every byte that does not start a valid UTF-8 sequence replaced by '?' (owned). A
 * message quoting "%.60s" of a Chinese value can end inside a character, and a path may hold
 * any bytes; json_string() would refuse both and the client would get an empty body. */
static char *utf8_scrub(const char *s)
{
    char *out = xstrdup(s);
    size_t n = strlen(out);

    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)out[i];
        size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        if (len && i + len <= n && utf8_is_valid(out + i, len)) {
            i += len;
        } else {
            out[i] = '?';
            i++;
        }
    }
    return out;
}

/* ---- Chinese details ------------------------------------------------------------------------
 * Each entry is an English message shape, '*' standing for one or more bytes, and its Chinese
 * form, where $N is the N-th '*' as sent and %N is its Chinese label (a field, state, role or
 * workflow phrase from zh_label(); as sent when it has none). A message "field: rest" whose
 * whole text matches no entry is tried as its rest, and the field's label is put in front. The
 * first match wins, so longer shapes come before shorter ones they contain. */
#define ZH_CAPS 5

static const struct {
    const char *en, *zh;
} zh_msgs[] = {
    /* The whole message. */
    {"cannot move from '*' to '*' (* is possible from *)",
     "不能从“%1”转到“%2”（只有处于 %4 时才能%3）"},
    {"cannot move from '*' to '*'", "不能从“%1”转到“%2”"},
    {"role '*' may not *", "角色“%1”无权%2"},
    {"complaint * is at version *, you had *; reload and retry",
     "投诉 $1 已被他人修改（当前第 $2 版，您的是第 $3 版），请刷新后重试"},
    {"complaint * was changed by someone else (version *, you had *); *",
     "投诉 $1 已被他人修改（当前第 $2 版，您的是第 $3 版），请刷新后重试"},
    {"complaint * belongs to another department than yours", "投诉 $1 属于其他部门，您无权查看"},
    {"complaint * does not exist", "投诉 $1 不存在"},
    {"department '*' does not exist", "部门“$1”不存在"},
    {"user '*' already exists", "用户“$1”已存在"},
    {"department '*' already exists", "部门“$1”已存在"},
    {"* * was changed by someone else (version *, you had *); reload and retry",
     "$2 已被他人修改（当前第 $3 版，您的是第 $4 版），请刷新后重试"},
    {"extending a deadline needs a leader's approval (role '*')", "延长期限需要组长批准"},
    {"*: database is busy; retry in a moment", "数据库正忙，请稍后重试"},
    {"database is busy: all * connections are in use; retry in a moment", "数据库正忙，请稍后重试"},
    {"you may list only your own complaints", "您只能查看自己的投诉"},
    {"only an admin may change another user", "只有管理员可以修改其他用户"},
    {"the login or the password is wrong", "用户名或密码错误"},
    {"the account is disabled", "该账号已停用"},
    {"the session has ended or the token is not valid; log in again", "登录已失效，请重新登录"},
    {"the token is not valid", "令牌无效"},
    {"log in first: *", "请先登录"},
    {"login: too many failed attempts for '*'; wait 15 minutes",
     "用户名：“$1”登录失败次数过多，请 15 分钟后再试"},
    {"no complaint matches this number and phone number ending",
     "没有与该编号和手机尾号相符的投诉"},
    {"this survey link is not valid", "调查链接无效"},
    {"this survey has already been answered", "此调查已经填写过了"},
    {"this survey is not open", "此调查暂未开放"},
    {"If-Match: send the ETag of the version you edited",
     "If-Match：请带上您修改的那个版本的 ETag"},
    {"If-Match: send the preset version your text is based on, *",
     "If-Match：请带上您的预案文本所依据的版本号，如 \"3\""},
    {"version: the preset in force is version *, not *; *",
     "版本：当前生效的是第 $1 版预案，不是第 $2 版；已有人更改，请重新载入后再校验"},
    {"preset:*: *: unknown key", "预案第 $1 行：$2：未知的键"},
    {"preset:*: *: duplicate key", "预案第 $1 行：$2：重复的键"},
    {"preset:*: *: is missing", "预案第 $1 行：$2：缺少此项"},
    {"preset:*: *: is empty", "预案第 $1 行：$2：不能为空"},
    {"preset:*: *: '*' is not a whole number from * to *",
     "预案第 $1 行：$2：“$3”不是 $4 到 $5 之间的整数"},
    {"preset:*: *: '*' is not a period like 3 workdays",
     "预案第 $1 行：$2：“$3”不是期限（如 3 workdays、24h）"},
    {"preset:*: *: '*' is not a severity (general, batch, serious)",
     "预案第 $1 行：$2：“$3”不是程度（general、batch、serious）"},
    {"preset:*: *: expected *", "预案第 $1 行：$2：格式不对（应为 $3）"},
    {"preset:*: *", "预案第 $1 行有误：$2"},
    /* The rest after "field: ". */
    {"required", "必须填写"},
    {"is required", "必须填写"},
    {"a value is required", "必须填写"},
    {"is missing", "必须填写"},
    {"* or * is required to move to '*'", "转到“%3”时必须填写%1或%2"},
    {"is required to move to '*'", "转到“%1”时必须填写"},
    {"a reason is required to *", "%1必须写明原因"},
    {"a customer name, phone or customer code is required", "必须填写客户姓名、电话或客户代码之一"},
    {"a title or a description is required", "必须填写标题或描述"},
    {"give a title or a description", "必须填写标题或描述"},
    {"the text of the reply is required", "必须填写答复内容"},
    {"a comment needs some text", "备注不能为空"},
    {"overriding a classification needs a reason", "修正判定必须写明原因"},
    {"* a deadline needs a reason", "调整期限必须写明原因"},
    {"name the state to move to", "请指定要转到的状态"},
    {"give the complaint number", "请填写投诉编号"},
    {"give the last 4 digits", "请填写手机号后 4 位"},
    {"choose 1 to 5", "请选择 1 到 5 分"},
    {"give the preset text", "请填写预案内容"},
    {"one line of UTF-8 text, at most * bytes", "只能是一行文字，最多 $1 字节"},
    {"is empty (leave it out instead)", "不能为空"},
    {"is empty (use null to clear it)", "不能为空"},
    {"is empty", "不能为空"},
    {"unknown field", "未知字段"},
    {"is not a complaint field", "不是投诉的字段"},
    {"is set by kesu and cannot be given", "由系统填写，不能指定"},
    {"expected *", "格式不对"},
    {"text is not valid UTF-8", "不是有效的 UTF-8 文本"},
    {"control character * is not allowed", "不能包含控制字符"},
    {"NUL character is not allowed", "不能包含 NUL 字符"},
    {"contains a NUL character", "不能包含 NUL 字符"},
    {"* bytes is longer than the limit of *", "超过了 $2 字节的上限"},
    {"longer than the limit of * bytes", "超过了 $1 字节的上限"},
    {"longer than * bytes", "超过了 $1 字节的上限"},
    {"1 to * characters", "须为 1 到 $1 个字符"},
    {"'*' is not a phone number (5 to 20 digits)", "“$1”不是电话号码（5 到 20 位数字）"},
    {"'*' is not an e-mail address", "“$1”不是电子邮件地址"},
    {"'*' is not a complaint number like *", "“$1”不是投诉编号（如 $2）"},
    {"'*' is not a category of preset '*'", "“$1”不是预案“$2”中的分类"},
    {"'*' is not one of *", "“$1”不是可选的值（$2）"},
    {"'*' is not a whole number", "“$1”不是整数"},
    {"'*' is negative", "“$1”不能是负数"},
    {"* is more than delivered (*)", "$1 多于交付数量 $2"},
    {"'*' is outside your department '*'", "“$1”不在您的部门“$2”范围内"},
    {"a complaint cannot be merged into itself ('*')", "投诉不能合并到它自己（$1）"},
    {"the first responder never changes", "首问责任人不能更改"},
    {"a complaint number never changes", "投诉编号不能更改"},
    {"the time of receipt never changes", "受理时间不能更改"},
    {"changes only by a workflow move (kesu move), not by an edit",
     "只能通过流转改变，不能直接编辑"},
    {"a complaint cannot be received in the future", "受理时间不能晚于现在"},
    {"no user '*'", "没有用户“$1”"},
    {"'*' may hold only letters, digits, '-', '_' and '.'", "“$1”只能包含字母、数字和 - _ ."},
    {"1 to * bytes of UTF-8 text", "须为 1 到 $1 字节的文字"},
    {"one line of valid UTF-8, at most * bytes", "只能是一行文字，最多 $1 字节"},
    {"'*' is not true or false", "“$1”不是 true 或 false"},
    {"* has more than two decimals (fen)", "$1 超过两位小数（分）"},
    {"'*' has more than two decimals (fen)", "“$1”超过两位小数（分）"},
    {"'*' is not an amount like 200.50", "“$1”不是金额（如 200.50）"},
    {"'*' is not a score from 1 to 5", "“$1”不是 1 到 5 的评分"},
    {"only an admin may read the audit trail", "只有管理员可以查看审计记录"},
    {"only an admin, a leader or the complaint's assignee or first responder may see personal data",
     "只有管理员、组长和该投诉的处理人或首问人可以查看明文"},
};

/* The Chinese name of a code that appears in messages, or NULL. */
static const char *zh_label(const char *s)
{
    static const struct {
        const char *en, *zh;
    } labels[] = {
        {"title", "标题"},
        {"description", "描述"},
        {"customer_name", "客户姓名"},
        {"customer_phone", "客户电话"},
        {"customer_email", "客户电子邮件"},
        {"customer_org", "客户单位"},
        {"customer_code", "客户代码"},
        {"channel", "渠道"},
        {"product", "产品"},
        {"model", "型号"},
        {"batch_no", "批号"},
        {"order_no", "订单号"},
        {"delivered", "交付数量"},
        {"defective", "不良数量"},
        {"category", "分类"},
        {"severity", "程度"},
        {"urgent", "紧急"},
        {"response_level", "响应等级"},
        {"department", "部门"},
        {"assignee", "处理人"},
        {"responsibility", "责任"},
        {"responsibility.party", "责任方"},
        {"responsibility.department", "责任部门"},
        {"responsibility.root_cause", "根本原因"},
        {"plan", "处理方案"},
        {"approval", "审批意见"},
        {"reply", "答复"},
        {"compensation", "赔偿"},
        {"satisfaction", "满意度"},
        {"satisfaction.score", "满意度评分"},
        {"satisfaction.waived_reason", "免回访原因"},
        {"duplicate_of", "重复投诉编号"},
        {"received_at", "受理时间"},
        {"note", "说明"},
        {"reason", "原因"},
        {"score", "评分"},
        {"comment", "意见"},
        {"number", "编号"},
        {"phone_tail", "手机号后 4 位"},
        {"version", "版本"},
        {"login", "用户名"},
        {"password", "密码"},
        {"name", "名称"},
        {"code", "代码"},
        {"role", "角色"},
        {"parent", "上级部门"},
        {"head", "负责人"},
        {"phone", "电话"},
        {"email", "电子邮件"},
        {"yaml", "预案内容"},
        {"to", "目标状态"},
        {"reveal", "客户信息"},
        {"accept a complaint", "受理投诉"},
        {"assign a complaint", "分派投诉"},
        {"start an investigation", "开始调查"},
        {"propose a plan", "提交处理方案"},
        {"send a plan back", "退回方案"},
        {"approve a plan", "批准方案"},
        {"reply to the customer", "答复客户"},
        {"start the follow-up", "开始跟踪改进"},
        {"close a complaint", "结案"},
        {"reopen a complaint", "重新打开投诉"},
        {"reject a complaint", "不予受理"},
        {"record a withdrawal", "登记撤诉"},
        {"merge a complaint", "合并投诉"},
        {"change complaints", "修改投诉"},
        {"change deadlines", "调整期限"},
        {"override a classification", "修正判定"},
        {"do this", "执行此操作"},
        {"accept", "受理"},
        {"assign", "分派"},
        {"investigate", "调查"},
        {"propose", "提交方案"},
        {"send_back", "退回"},
        {"approve", "批准"},
        {"follow_up", "跟踪改进"},
        {"close", "结案"},
        {"reopen", "重新打开"},
        {"reject", "不予受理"},
        {"withdraw", "撤诉"},
        {"merge", "合并"},
    };
    enum wf_state st;
    enum role r;

    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].en, s) == 0)
            return labels[i].zh;
    if (wf_state_parse(s, &st, NULL) == 0)
        return wf_state_label(st);
    if (role_parse(s, &r, NULL) == 0)
        return role_label(r);
    return NULL;
}

/* Whether s matches pat ('*': one or more bytes, shortest first), filling the captures. */
static bool zh_match(const char *pat, const char *s, const char **cap, size_t *cap_len, int n)
{
    if (*pat == '\0')
        return *s == '\0';
    if (*pat == '*') {
        if (n >= ZH_CAPS)
            return false;
        for (size_t len = 1; s[len - 1]; len++) {
            cap[n] = s;
            cap_len[n] = len;
            if (zh_match(pat + 1, s + len, cap, cap_len, n + 1))
                return true;
        }
        return false;
    }
    return *pat == *s && zh_match(pat + 1, s + 1, cap, cap_len, n);
}

/* Appends the Chinese form of msg to out; false when no entry matches. */
static bool zh_render(const char *msg, struct buf *out)
{
    const char *cap[ZH_CAPS];
    size_t cap_len[ZH_CAPS];

    for (size_t i = 0; i < sizeof zh_msgs / sizeof zh_msgs[0]; i++) {
        if (!zh_match(zh_msgs[i].en, msg, cap, cap_len, 0))
            continue;
        for (const char *t = zh_msgs[i].zh; *t; t++) {
            if ((*t == '$' || *t == '%') && t[1] >= '1' && t[1] < '1' + ZH_CAPS) {
                int k = t[1] - '1';
                char piece[KS_ERR_MSG_MAX];
                const char *label;
                snprintf(piece, sizeof piece, "%.*s", (int)cap_len[k], cap[k]);
                label = *t == '%' ? zh_label(piece) : NULL;
                buf_adds(out, label ? label : piece);
                t++;
            } else {
                buf_addch(out, *t);
            }
        }
        return true;
    }
    return false;
}

/* The Chinese detail of err (owned), or NULL when its message is not in the table. */
static char *zh_detail(const struct ks_error *err)
{
    const char *m = err->message, *colon = strstr(m, ": ");
    struct buf out;

    buf_init(&out, 2 * KS_ERR_MSG_MAX);
    if (zh_render(m, &out))
        return buf_detach(&out);
    if (colon && colon > m && colon - m < KS_ERR_FIELD_MAX &&
        !memchr(m, ' ', (size_t)(colon - m))) {
        char field[KS_ERR_FIELD_MAX];
        const char *label;
        snprintf(field, sizeof field, "%.*s", (int)(colon - m), m);
        label = zh_label(field);
        buf_adds(&out, label ? label : field);
        buf_adds(&out, "：");
        if (zh_render(colon + 2, &out))
            return buf_detach(&out);
    }
    buf_release(&out);
    return NULL;
}

void resp_problem(const struct http_req *req, struct http_resp *resp, const struct ks_error *err)
{
    enum ks_err code = err->code < 0 ? err->code : KS_EINTERNAL;
    int status = resp->status >= 400 ? resp->status : http_status_of(code);
    const struct problem_kind *k = NULL;
    const char *mcode;
    char type[96], *detail, *zh;
    json_t *p;

    if (code == KS_ELIMIT && status == 413 && strcmp(err->field, "login") == 0)
        status = 429;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].status == status)
            k = &kinds[i];
    mcode = k && k->code ? k->code : ks_err_code_name(code);
    snprintf(type, sizeof(type), "https://kesu.example/problems/%s", mcode);
    zh = req && req->lang == HTTP_LANG_ZH && err->message[0] ? zh_detail(err) : NULL;
    detail = utf8_scrub(zh ? zh : err->message[0] ? err->message : mcode);
    free(zh);
    p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title",
                  k ? (req && req->lang == HTTP_LANG_ZH ? k->zh : k->en) : "Error", "status",
                  status, "detail", detail, "code", mcode);
    free(detail);
    if (err->field[0]) {
        char *field = utf8_scrub(err->field);
        json_object_set_new(p, "field", json_string(field));
        free(field);
    } else {
        json_object_set_new(p, "field", json_null());
    }
    resp_json(resp, status, p);
    resp->content_type = "application/problem+json";
    free(resp->text);
    resp->text = NULL;
}

void resp_release(struct http_resp *resp)
{
    json_decref(resp->json);
    free(resp->text);
    free(resp->set_cookie);
    free(resp->location);
    memset(resp, 0, sizeof(*resp));
}

/* The pages' own policy (web/index.html states it in a meta element too, which cannot carry
 * frame-ancestors) and, for JSON, SVG and everything else, a policy that lets nothing load or
 * run should a browser ever render an API response as a document. */
#define CSP_PAGE                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "                 \
    "frame-ancestors 'none'"
#define CSP_DATA "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

void resp_add_security_headers(const struct http_resp *resp, struct MHD_Response *r)
{
    bool page = resp->content_type && strncmp(resp->content_type, "text/html", 9) == 0;

    MHD_add_response_header(r, "Content-Security-Policy", page ? CSP_PAGE : CSP_DATA);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}
