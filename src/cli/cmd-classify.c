/* kesu classify: loads a preset (embedded name or .yaml path), builds the severity engine
 * once and judges either one text (--text) or every row of a CSV (--csv FILE|-), writing a
 * Chinese explanation, CSV rows or JSON. Input CSV is RFC 4180 (quoted fields may hold
 * commas, quotes and newlines); columns are found by header name, extra ones are ignored. */
#include "cli/cmd-classify.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/severity.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

static const char usage_text[] =
    "usage: kesu classify --preset NAME --text TEXT [--product P] [--delivered N]\n"
    "                     [--defective N] [--prior N] [--json]\n"
    "       kesu classify --preset NAME --csv FILE|- [--json]\n\n"
    "Judges a complaint's severity (general 一般, batch 批量, serious 严重), category, urgency\n"
    "and response level with the preset's standard, and says why. NAME is an embedded preset\n"
    "(manufacturing, bank, telecom, transport, generic) or the path of a .yaml file.\n"
    "--prior is the number of earlier complaints of the same customer about the same problem\n"
    "this calendar month. --csv reads the columns id,product,text,delivered,defective,\n"
    "prior_in_month (a header row; all but id and text may be empty; other columns are\n"
    "ignored) and writes id,severity,category,urgent,response_level,reasons in the same order.\n"
    "--json writes JSON (one object per line with --csv).\n\n"
    "exit: 0 ok, 64 usage, 65 bad input, 66 no such preset or file, 78 bad preset\n\n"
    "examples:\n"
    "  kesu classify --preset manufacturing --product pedal --text '芯轴断了，骑手摔倒'\n"
    "  kesu classify --preset manufacturing --csv complaints.csv > judged.csv\n";

enum {
    OPT_PRESET = 1,
    OPT_TEXT,
    OPT_PRODUCT,
    OPT_DELIVERED,
    OPT_DEFECTIVE,
    OPT_PRIOR,
    OPT_CSV,
};

#define FIELD_MAX (64 * 1024)

static int parse_qty(const char *field, const char *s, int64_t *out, struct ks_error *err)
{
    char *end;
    if (!s || !*s) {
        *out = SEV_QTY_UNKNOWN;
        return 0;
    }
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s)
        return ks_fail(err, KS_EINVAL, field, "%s: '%s' is not a whole number", field, s);
    if (v < 0)
        return ks_fail(err, KS_EINVAL, field, "%s: '%s' is negative", field, s);
    *out = v;
    return 0;
}

static void reasons_join(const struct sev_result *r, struct buf *b)
{
    for (int i = 0; i < r->n_reasons; i++)
        buf_addf(b, "%s%s: %s", i ? "; " : "", sev_rule_name(r->reasons[i].rule),
                 r->reasons[i].detail);
}

static json_t *result_json(const char *id, const struct sev_result *r)
{
    json_t *o = json_object();
    if (id)
        json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "severity", json_string(severity_name(r->severity)));
    json_object_set_new(o, "category", r->category ? json_string(r->category) : json_null());
    json_object_set_new(o, "defect", r->defect ? json_string(r->defect) : json_null());
    json_object_set_new(o, "product", r->product ? json_string(r->product) : json_null());
    json_object_set_new(o, "urgent", json_boolean(r->urgent));
    json_object_set_new(o, "response_level", json_integer(r->response_level));
    json_object_set_new(o, "delivered",
                        r->delivered >= 0 ? json_integer(r->delivered) : json_null());
    json_object_set_new(o, "defective",
                        r->defective >= 0 ? json_integer(r->defective) : json_null());
    json_object_set_new(o, "ratio_permille",
                        r->ratio_permille >= 0 ? json_integer(r->ratio_permille) : json_null());
    json_t *rs = json_array();
    for (int i = 0; i < r->n_reasons; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "rule", json_string(sev_rule_name(r->reasons[i].rule)));
        json_object_set_new(x, "words", json_string(r->reasons[i].words));
        json_object_set_new(x, "detail", json_string(r->reasons[i].detail));
        json_array_append_new(rs, x);
    }
    json_object_set_new(o, "reasons", rs);
    json_object_set_new(o, "guidance", r->guidance ? json_string(r->guidance) : json_null());
    return o;
}

static void print_json(const char *id, const struct sev_result *r)
{
    json_t *o = result_json(id, r);
    char *s = json_dumps(o, JSON_COMPACT);
    puts(s);
    free(s);
    json_decref(o);
}

static void print_human(const struct preset *p, const struct sev_result *r)
{
    const struct preset_category *cat = preset_category_find(p, r->category);
    const struct preset_product *pr = preset_product_find(p, r->product);
    const struct preset_level *lv = preset_level_find(p, r->response_level);
    printf("程度：%s（%s）\n", severity_label(r->severity), severity_name(r->severity));
    if (cat)
        printf("分类：%s（%s）\n", cat->name, cat->code);
    if (r->defect)
        printf("不良项目：%s（%s%s%s）\n", r->defect_name, r->defect, pr ? "，" : "",
               pr ? pr->name : "");
    printf("紧急：%s\n", r->urgent ? "是，立即启动应急预案" : "否");
    printf("响应等级：%s\n",
           lv && lv->name ? lv->name : (r->response_level == 1 ? "一级" : "二级"));
    if (r->delivered >= 0 || r->defective >= 0 || r->ratio_permille >= 0) {
        printf("数量：");
        if (r->delivered >= 0)
            printf("送货 %" PRId64 "  ", r->delivered);
        if (r->defective >= 0)
            printf("不良 %" PRId64 "  ", r->defective);
        if (r->ratio_permille >= 0)
            printf("比例 %d.%d%%", r->ratio_permille / 10, r->ratio_permille % 10);
        printf("\n");
    }
    printf("理由：\n");
    for (int i = 0; i < r->n_reasons; i++) {
        char line[SEV_DETAIL_MAX + 64];
        sev_reason_format(&r->reasons[i], line, sizeof line);
        printf("  %d. %s\n", i + 1, line);
    }
    if (r->guidance)
        printf("处理建议：%s\n", r->guidance);
    if (lv && lv->actions)
        printf("响应要求：%s\n", lv->actions);
}

/* ---- CSV -------------------------------------------------------------------------------- */

struct csv_row {
    char **f;
    size_t n, cap;
};

static void row_clear(struct csv_row *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->f[i]);
    r->n = 0;
}

/* Reads one record; returns 1 for a row, 0 at end of input, KS_EINVAL for a broken quote or
 * an oversized field. */
static int csv_read(FILE *in, struct csv_row *row, long *line, struct ks_error *err)
{
    struct buf b;
    int c;
    bool quoted = false, any = false;
    long start = *line;
    row_clear(row);
    buf_init(&b, FIELD_MAX);
    for (;;) {
        c = fgetc(in);
        if (c == EOF) {
            if (quoted) {
                buf_release(&b);
                return ks_fail(err, KS_EINVAL, "csv", "line %ld: a quoted field never ends", start);
            }
            if (!any && b.len == 0 && row->n == 0) {
                buf_release(&b);
                return 0;
            }
            break;
        }
        any = true;
        if (quoted) {
            if (c == '"') {
                int d = fgetc(in);
                if (d == '"') {
                    buf_addch(&b, '"');
                    continue;
                }
                quoted = false;
                if (d == EOF)
                    continue;
                c = d;
            } else {
                if (c == '\n')
                    (*line)++;
                if (buf_addch(&b, (char)c) < 0) {
                    buf_release(&b);
                    return ks_fail(err, KS_ELIMIT, "csv", "line %ld: a field is too long", start);
                }
                continue;
            }
        }
        if (c == '"' && b.len == 0) {
            quoted = true;
            continue;
        }
        if (c == ',' || c == '\n') {
            xgrow((void **)&row->f, &row->cap, row->n + 1, sizeof *row->f);
            row->f[row->n++] = buf_detach(&b);
            if (c == '\n') {
                (*line)++;
                buf_release(&b);
                return 1;
            }
            continue;
        }
        if (c == '\r')
            continue;
        if (buf_addch(&b, (char)c) < 0) {
            buf_release(&b);
            return ks_fail(err, KS_ELIMIT, "csv", "line %ld: a field is too long", start);
        }
    }
    xgrow((void **)&row->f, &row->cap, row->n + 1, sizeof *row->f);
    row->f[row->n++] = buf_detach(&b);
    buf_release(&b);
    return 1;
}

static void csv_put(FILE *out, const char *s, bool last)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputc(last ? '\n' : ',', out);
}

static int col_of(const struct csv_row *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++) {
        const char *f = h->f[i];
        if (i == 0 && (unsigned char)f[0] == 0xEF && (unsigned char)f[1] == 0xBB &&
            (unsigned char)f[2] == 0xBF)
            f += 3; /* a UTF-8 BOM, as spreadsheet programs write */
        if (strcmp(f, name) == 0)
            return (int)i;
    }
    return -1;
}

static const char *cell(const struct csv_row *r, int col)
{
    return col >= 0 && (size_t)col < r->n ? r->f[col] : "";
}

static int classify_csv(const struct sev_engine *e, const char *path, bool json,
                        struct ks_error *err)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in)
        return ks_fail(err, KS_ENOTFOUND, "csv", "csv: cannot open '%s': %s", path,
                       strerror(errno));
    struct csv_row head = {0}, row = {0};
    long line = 1;
    int rc = csv_read(in, &head, &line, err);
    int c_id = -1, c_text = -1, c_prod = -1, c_del = -1, c_def = -1, c_prior = -1;
    if (rc == 0)
        rc = ks_fail(err, KS_EINVAL, "csv", "%s: no header row", path);
    if (rc > 0) {
        c_id = col_of(&head, "id");
        c_text = col_of(&head, "text");
        c_prod = col_of(&head, "product");
        c_del = col_of(&head, "delivered");
        c_def = col_of(&head, "defective");
        c_prior = col_of(&head, "prior_in_month");
        if (c_id < 0 || c_text < 0)
            rc = ks_fail(err, KS_EINVAL, "csv", "%s: the header needs the columns id and text",
                         path);
    }
    if (rc > 0 && !json)
        fputs("id,severity,category,urgent,response_level,reasons\n", stdout);
    while (rc > 0) {
        long at = line;
        rc = csv_read(in, &row, &line, err);
        if (rc <= 0)
            break;
        if (row.n == 1 && row.f[0][0] == '\0')
            continue; /* a blank line */
        struct sev_input sin;
        struct sev_result r;
        int64_t prior = 0;
        sev_input_init(&sin);
        sin.product = cell(&row, c_prod);
        sin.text = cell(&row, c_text);
        rc = parse_qty("delivered", cell(&row, c_del), &sin.delivered, err);
        if (rc == 0)
            rc = parse_qty("defective", cell(&row, c_def), &sin.defective, err);
        if (rc == 0)
            rc = parse_qty("prior_in_month", cell(&row, c_prior), &prior, err);
        if (rc == 0 && prior > 1000)
            rc = ks_fail(err, KS_EINVAL, "prior_in_month",
                         "prior_in_month: '%" PRId64 "' is too large", prior);
        sin.prior_in_month = prior < 0 ? 0 : (int)prior;
        if (rc == 0)
            rc = severity_judge(e, &sin, &r, err);
        if (rc < 0) {
            ks_error_prefix(err, "%s:%ld: id '%s'", path, at, cell(&row, c_id));
            break;
        }
        if (json) {
            print_json(cell(&row, c_id), &r);
        } else {
            struct buf b;
            char lvl[8];
            buf_init(&b, 8192);
            reasons_join(&r, &b);
            snprintf(lvl, sizeof lvl, "%d", r.response_level);
            csv_put(stdout, cell(&row, c_id), false);
            csv_put(stdout, severity_name(r.severity), false);
            csv_put(stdout, r.category ? r.category : "", false);
            csv_put(stdout, r.urgent ? "1" : "0", false);
            csv_put(stdout, lvl, false);
            csv_put(stdout, buf_str(&b), true);
            buf_release(&b);
        }
        rc = 1;
    }
    row_clear(&head);
    row_clear(&row);
    free(head.f);
    free(row.f);
    if (in != stdin)
        fclose(in);
    return rc < 0 ? rc : 0;
}

int cmd_classify(int argc, char **argv)
{
    static const struct cli_opt opts[] = {
        {"preset", CLI_ARG, OPT_PRESET},
        {"text", CLI_ARG, OPT_TEXT},
        {"product", CLI_ARG, OPT_PRODUCT},
        {"delivered", CLI_ARG, OPT_DELIVERED},
        {"defective", CLI_ARG, OPT_DEFECTIVE},
        {"prior", CLI_ARG, OPT_PRIOR},
        {"prior_in_month", CLI_ARG, OPT_PRIOR},
        {"csv", CLI_ARG, OPT_CSV},
        {"json", CLI_NOARG, OPT_JSON},
        {"help", CLI_NOARG, OPT_HELP},
        {NULL, 0, 0},
    };
    struct cli_parsed *ps;
    int n = cli_parse("classify", opts, false, argc, argv, &ps);
    if (n < 0)
        return -n;
    const char *preset_name = NULL, *text = NULL, *product = NULL, *csv = NULL;
    const char *delivered = NULL, *defective = NULL, *prior = NULL;
    bool json = false;
    for (int i = 0; i < n; i++) {
        switch (ps[i].id) {
        case OPT_PRESET:
            preset_name = ps[i].value;
            break;
        case OPT_TEXT:
            text = ps[i].value;
            break;
        case OPT_PRODUCT:
            product = ps[i].value;
            break;
        case OPT_DELIVERED:
            delivered = ps[i].value;
            break;
        case OPT_DEFECTIVE:
            defective = ps[i].value;
            break;
        case OPT_PRIOR:
            prior = ps[i].value;
            break;
        case OPT_CSV:
            csv = ps[i].value;
            break;
        case OPT_JSON:
            json = true;
            break;
        case OPT_HELP:
            free(ps);
            fputs(usage_text, stdout);
            return 0;
        default:
            free(ps);
            return cli_usage_error("classify", "unexpected argument '%s'", ps[i].value);
        }
    }
    free(ps);
    if (!preset_name)
        return cli_usage_error("classify", "--preset is required");
    if (!text == !csv)
        return cli_usage_error("classify", "give exactly one of --text and --csv");
    if (csv && (product || delivered || defective || prior))
        return cli_usage_error("classify", "--csv takes the other values from its columns");

    struct ks_error err = {0};
    struct preset p;
    struct sev_engine *e = NULL;
    int rc = preset_load_named(preset_name, &p, &err);
    if (rc < 0)
        return cli_fail(&err);
    rc = sev_engine_new(&p, &e, &err);
    if (rc == 0 && csv) {
        rc = classify_csv(e, csv, json, &err);
    } else if (rc == 0) {
        struct sev_input in;
        struct sev_result r;
        int64_t pr = 0;
        sev_input_init(&in);
        in.text = text;
        in.product = product;
        rc = parse_qty("delivered", delivered, &in.delivered, &err);
        if (rc == 0)
            rc = parse_qty("defective", defective, &in.defective, &err);
        if (rc == 0)
            rc = parse_qty("prior", prior, &pr, &err);
        if (rc == 0 && pr > 1000)
            rc = ks_fail(&err, KS_EINVAL, "prior", "prior: '%s' is too large", prior);
        in.prior_in_month = (int)(pr < 0 ? 0 : pr);
        if (rc == 0)
            rc = severity_judge(e, &in, &r, &err);
        if (rc == 0 && json)
            print_json(NULL, &r);
        else if (rc == 0)
            print_human(&p, &r);
    }
    sev_engine_free(&e);
    preset_release(&p);
    if (fflush(stdout) != 0 && rc == 0)
        rc = ks_fail(&err, KS_EINTERNAL, NULL, "cannot write the output: %s", strerror(errno));
    return rc < 0 ? cli_fail(&err) : 0;
}
