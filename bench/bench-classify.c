/* Benchmark: severity judgements per second on one core with the manufacturing preset, over
 * a realistic mix of complaint texts (short and long, with quantities, negations, urgent
 * words, a general defect next to the words of a serious one, and no match at all). Prints the
 * figure; the target is >= 200,000/s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/severity.h"
#include "preset/preset-load.h"
#include "lib/banned.h"

static const struct {
    const char *product, *text;
    int64_t delivered, defective;
    int prior;
} mix[] = {
    {"pedal", "反光片脱落", -1, -1, 0},
    {"pedal", "客户反馈：上周送货1000对，不良320对，主要是反光片装错颜色，要求尽快处理", -1, -1, 0},
    {"pedal", "骑车时踏板突然断裂，骑手摔倒受伤住院，家属情绪激动", -1, -1, 0},
    {"bb", "同心度偏差", 1000, 299, 0},
    {"bb", "这一批中轴因为零件问题都上不了线，要全数检查，请派人来现场", -1, -1, 0},
    {"", "脚踏的芯轴断了，幸好没人受伤", -1, -1, 0},
    {"pedal", "唛头写错了，这是本月第三次了", -1, -1, 0},
    {"bb", "300对里有100对发黑不良，颜色不均匀，另外纸箱也有破损", -1, -1, 1},
    {"pedal",
     "你好，我们是某某车业采购部，本次到货的脚踏外箱标签与订单不一致，仓库无法入库，"
     "麻烦尽快确认并重新贴标，谢谢。联系人王先生 13800000000",
     -1, -1, 0},
    {"bb", "客户说没什么大问题，只是希望下次发货前提前通知", -1, -1, 0},
    {"pedal", "脚踏反光片脱落", 1000, 320, 0},
    {"pedal", "脚踏包装破了，里面反光片也掉了两片，芯轴和本体没问题", -1, -1, 0},
};

int main(void)
{
    struct preset p;
    struct sev_engine *e = NULL;
    struct ks_error err = {0};
    if (preset_load_named("manufacturing", &p, &err) < 0 || sev_engine_new(&p, &e, &err) < 0) {
        fprintf(stderr, "bench-classify: %s\n", err.message);
        return 1;
    }
    size_t n_mix = sizeof mix / sizeof mix[0];
    struct sev_input in[sizeof mix / sizeof mix[0]];
    size_t bytes = 0;
    for (size_t i = 0; i < n_mix; i++) {
        sev_input_init(&in[i]);
        in[i].product = mix[i].product;
        in[i].text = mix[i].text;
        in[i].text_len = strlen(mix[i].text);
        in[i].delivered = mix[i].delivered;
        in[i].defective = mix[i].defective;
        in[i].prior_in_month = mix[i].prior;
        bytes += in[i].text_len;
    }
    struct timespec t0, t1;
    long long done = 0, serious = 0;
    double secs = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        for (int round = 0; round < 1000; round++)
            for (size_t i = 0; i < n_mix; i++) {
                struct sev_result r;
                if (severity_judge(e, &in[i], &r, &err) < 0) {
                    fprintf(stderr, "bench-classify: %s\n", err.message);
                    return 1;
                }
                serious += r.severity == SEV_SERIOUS;
                done++;
            }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    } while (secs < 2.0);
    printf("bench-classify: %lld judgements in %.2f s = %.0f/s on one core "
           "(manufacturing preset, %zu-text mix, %.0f bytes average; %lld serious)\n",
           done, secs, (double)done / secs, n_mix, (double)bytes / (double)n_mix, serious);
    sev_engine_free(&e);
    preset_release(&p);
    return 0;
}
