/* Text normalisation for matching (see textnorm.h). One pass over the input, decoding UTF-8
 * by hand; each code point is either dropped (whitespace), mapped to a separator, mapped to
 * ASCII (full-width forms), mapped to a simplified character (a short table of traditional
 * characters common in complaint texts), or copied. Every mapping is to an equal or shorter
 * encoding, which is why the output never outgrows the input. */
#include "core/textnorm.h"

#include <stdint.h>
#include <string.h>

#include "lib/banned.h"

/* Traditional → simplified for characters customers in Hong Kong and Taiwan write in the
 * words presets and complaints use (parts, failures, packaging, quantities, injuries); both
 * sides are 3-byte UTF-8, sorted by traditional code point (simplify() bisects). */
static const struct {
    uint32_t from, to;
} trad_map[] = {
    {0x4F86, 0x6765}, /* 來 来 */
    {0x5009, 0x4ED3}, /* 倉 仓 */
    {0x500B, 0x4E2A}, /* 個 个 */
    {0x5011, 0x4EEC}, /* 們 们 */
    {0x50B7, 0x4F24}, /* 傷 伤 */
    {0x50F9, 0x4EF7}, /* 價 价 */
    {0x5169, 0x4E24}, /* 兩 两 */
    {0x5283, 0x5212}, /* 劃 划 */
    {0x52D5, 0x52A8}, /* 動 动 */
    {0x554F, 0x95EE}, /* 問 问 */
    {0x555F, 0x542F}, /* 啟 启 */
    {0x55AE, 0x5355}, /* 單 单 */
    {0x561C, 0x551B}, /* 嘜 唛 */
    {0x570D, 0x56F4}, /* 圍 围 */
    {0x5831, 0x62A5}, /* 報 报 */
    {0x584A, 0x5757}, /* 塊 块 */
    {0x58D3, 0x538B}, /* 壓 压 */
    {0x58DE, 0x574F}, /* 壞 坏 */
    {0x5920, 0x591F}, /* 夠 够 */
    {0x5C07, 0x5C06}, /* 將 将 */
    {0x5C0D, 0x5BF9}, /* 對 对 */
    {0x5C0E, 0x5BFC}, /* 導 导 */
    {0x5C64, 0x5C42}, /* 層 层 */
    {0x5E36, 0x5E26}, /* 帶 带 */
    {0x5EAB, 0x5E93}, /* 庫 库 */
    {0x5EE0, 0x5382}, /* 廠 厂 */
    {0x5F35, 0x5F20}, /* 張 张 */
    {0x5F8C, 0x540E}, /* 後 后 */
    {0x61C9, 0x5E94}, /* 應 应 */
    {0x6236, 0x6237}, /* 戶 户 */
    {0x639B, 0x6302}, /* 掛 挂 */
    {0x63DB, 0x6362}, /* 換 换 */
    {0x640D, 0x635F}, /* 損 损 */
    {0x64D4, 0x62C5}, /* 擔 担 */
    {0x64DA, 0x636E}, /* 據 据 */
    {0x64F0, 0x62E7}, /* 擰 拧 */
    {0x6578, 0x6570}, /* 數 数 */
    {0x65B7, 0x65AD}, /* 斷 断 */
    {0x65BC, 0x4E8E}, /* 於 于 */
    {0x6642, 0x65F6}, /* 時 时 */
    {0x6703, 0x4F1A}, /* 會 会 */
    {0x689D, 0x6761}, /* 條 条 */
    {0x6A19, 0x6807}, /* 標 标 */
    {0x6A23, 0x6837}, /* 樣 样 */
    {0x6AA2, 0x68C0}, /* 檢 检 */
    {0x6B72, 0x5C81}, /* 歲 岁 */
    {0x6BBC, 0x58F3}, /* 殼 壳 */
    {0x6C92, 0x6CA1}, /* 沒 没 */
    {0x6E2C, 0x6D4B}, /* 測 测 */
    {0x6EFE, 0x6EDA}, /* 滾 滚 */
    {0x7063, 0x6E7E}, /* 灣 湾 */
    {0x707D, 0x707E}, /* 災 灾 */
    {0x7121, 0x65E0}, /* 無 无 */
    {0x71D2, 0x70E7}, /* 燒 烧 */
    {0x73FE, 0x73B0}, /* 現 现 */
    {0x7522, 0x4EA7}, /* 產 产 */
    {0x7570, 0x5F02}, /* 異 异 */
    {0x767C, 0x53D1}, /* 發 发 */
    {0x78BC, 0x7801}, /* 碼 码 */
    {0x7A2E, 0x79CD}, /* 種 种 */
    {0x7BC4, 0x8303}, /* 範 范 */
    {0x7C64, 0x7B7E}, /* 籤 签 */
    {0x7D0B, 0x7EB9}, /* 紋 纹 */
    {0x7D19, 0x7EB8}, /* 紙 纸 */
    {0x7D1A, 0x7EA7}, /* 級 级 */
    {0x7D44, 0x7EC4}, /* 組 组 */
    {0x7D93, 0x7ECF}, /* 經 经 */
    {0x7DCA, 0x7D27}, /* 緊 紧 */
    {0x7DDA, 0x7EBF}, /* 線 线 */
    {0x7E2B, 0x7F1D}, /* 縫 缝 */
    {0x7E3D, 0x603B}, /* 總 总 */
    {0x812B, 0x8131}, /* 脫 脱 */
    {0x8173, 0x811A}, /* 腳 脚 */
    {0x842C, 0x4E07}, /* 萬 万 */
    {0x84CB, 0x76D6}, /* 蓋 盖 */
    {0x8655, 0x5904}, /* 處 处 */
    {0x865F, 0x53F7}, /* 號 号 */
    {0x88CF, 0x91CC}, /* 裏 里 */
    {0x88DD, 0x88C5}, /* 裝 装 */
    {0x88E1, 0x91CC}, /* 裡 里 */
    {0x898B, 0x89C1}, /* 見 见 */
    {0x89C0, 0x89C2}, /* 觀 观 */
    {0x89F8, 0x89E6}, /* 觸 触 */
    {0x8A66, 0x8BD5}, /* 試 试 */
    {0x8AAA, 0x8BF4}, /* 說 说 */
    {0x8B77, 0x62A4}, /* 護 护 */
    {0x8CA8, 0x8D27}, /* 貨 货 */
    {0x8CB7, 0x4E70}, /* 買 买 */
    {0x8CBB, 0x8D39}, /* 費 费 */
    {0x8CBC, 0x8D34}, /* 貼 贴 */
    {0x8CE3, 0x5356}, /* 賣 卖 */
    {0x8CEA, 0x8D28}, /* 質 质 */
    {0x8ECA, 0x8F66}, /* 車 车 */
    {0x8EF8, 0x8F74}, /* 軸 轴 */
    {0x8F38, 0x8F93}, /* 輸 输 */
    {0x8F49, 0x8F6C}, /* 轉 转 */
    {0x8FA6, 0x529E}, /* 辦 办 */
    {0x9019, 0x8FD9}, /* 這 这 */
    {0x9032, 0x8FDB}, /* 進 进 */
    {0x904B, 0x8FD0}, /* 運 运 */
    {0x904E, 0x8FC7}, /* 過 过 */
    {0x908A, 0x8FB9}, /* 邊 边 */
    {0x91AB, 0x533B}, /* 醫 医 */
    {0x925A, 0x94C6}, /* 鉚 铆 */
    {0x92B9, 0x9508}, /* 銹 锈 */
    {0x92FC, 0x94A2}, /* 鋼 钢 */
    {0x932F, 0x9519}, /* 錯 错 */
    {0x934D, 0x9540}, /* 鍍 镀 */
    {0x93FD, 0x9508}, /* 鏽 锈 */
    {0x9418, 0x949F}, /* 鐘 钟 */
    {0x9435, 0x94C1}, /* 鐵 铁 */
    {0x947D, 0x94BB}, /* 鑽 钻 */
    {0x9577, 0x957F}, /* 長 长 */
    {0x9580, 0x95E8}, /* 門 门 */
    {0x958B, 0x5F00}, /* 開 开 */
    {0x9663, 0x9635}, /* 陣 阵 */
    {0x96AA, 0x9669}, /* 險 险 */
    {0x96B1, 0x9690}, /* 隱 隐 */
    {0x96BB, 0x53EA}, /* 隻 只 */
    {0x96D9, 0x53CC}, /* 雙 双 */
    {0x96E2, 0x79BB}, /* 離 离 */
    {0x96FB, 0x7535}, /* 電 电 */
    {0x97FF, 0x54CD}, /* 響 响 */
    {0x982D, 0x5934}, /* 頭 头 */
    {0x9846, 0x9897}, /* 顆 颗 */
    {0x984C, 0x9898}, /* 題 题 */
    {0x984F, 0x989C}, /* 顏 颜 */
    {0x9918, 0x4F59}, /* 餘 余 */
    {0x9A0E, 0x9A91}, /* 騎 骑 */
    {0x9A57, 0x9A8C}, /* 驗 验 */
    {0x9AD4, 0x4F53}, /* 體 体 */
    {0x9B06, 0x677E}, /* 鬆 松 */
    {0x9EBC, 0x4E48}, /* 麼 么 */
    {0x9F4A, 0x9F50}, /* 齊 齐 */
};

static uint32_t simplify(uint32_t cp)
{
    size_t lo = 0, hi = sizeof trad_map / sizeof trad_map[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (trad_map[mid].from == cp)
            return trad_map[mid].to;
        if (trad_map[mid].from < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return cp;
}

/* Decodes one UTF-8 sequence at s (n bytes available); returns its length, or 0 when it is
 * not valid (the caller copies the byte). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t c;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return len;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

enum cls { C_DROP, C_SPACE, C_COMMA, C_STOP, C_KEEP };

static bool is_ascii_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

/* Classifies a code point that is already mapped to ASCII where it has an ASCII form. */
static enum cls classify(uint32_t c)
{
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 || c == 0x3000)
        return C_SPACE;
    if (c == '\n' || c == '!' || c == '?' || c == ';' || c == 0x3002 /* 。 */ ||
        c == 0xFF61 /* ｡ */)
        return C_STOP;
    if (c < 0x80) {
        if (is_ascii_alnum(c) || c == '%' || c == '.' || c == '/')
            return C_KEEP;
        if (c < 0x20 || c == 0x7F)
            return C_DROP;
        return C_COMMA;
    }
    if ((c >= 0x2010 && c <= 0x206F) || /* general punctuation: dashes, quotes, … */
        (c >= 0x3001 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011) ||
        (c >= 0x3014 && c <= 0x301F) || c == 0x00B7 || c == 0x30FB || c == 0xFE50 || c == 0xFE51 ||
        c == 0xFF64)
        return C_COMMA;
    if (c == 0x200B || c == 0xFEFF) /* zero-width space, BOM */
        return C_DROP;
    return C_KEEP;
}

size_t textnorm(const char *in, size_t len, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, i = 0;
    uint32_t prev = 0; /* last code point written, 0 at the start */
    bool space = false;
    if (cap == 0)
        return 0;
    while (i < len) {
        uint32_t c;
        size_t n = utf8_decode(s + i, len - i, &c);
        if (n == 0) { /* invalid byte: copy it so nothing is silently lost */
            if (o + 1 >= cap)
                break;
            out[o++] = (char)s[i++];
            prev = 0x80;
            space = false;
            continue;
        }
        i += n;
        if (c >= 0xFF01 && c <= 0xFF5E)
            c -= 0xFEE0;
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        enum cls k = classify(c);
        if (k == C_KEEP && c == '.') {
            /* A dot is a decimal point between digits and a full stop elsewhere. */
            bool next_digit = i < len && is_digit(s[i]);
            if (!(is_digit(prev) && next_digit))
                k = C_STOP;
        } else if (k == C_KEEP && c == '/') {
            bool next_digit = i < len && is_digit(s[i]);
            if (!(is_digit(prev) && next_digit))
                k = C_COMMA;
        }
        switch (k) {
        case C_DROP:
            continue;
        case C_SPACE:
            space = true;
            continue;
        case C_COMMA:
        case C_STOP: {
            char sep = k == C_STOP ? TEXTNORM_STOP : TEXTNORM_COMMA;
            space = false;
            if (o == 0)
                continue;
            if (textnorm_is_sep(out[o - 1])) {
                if (sep == TEXTNORM_STOP)
                    out[o - 1] = TEXTNORM_STOP;
                continue;
            }
            if (o + 1 >= cap)
                goto done;
            out[o++] = sep;
            prev = (uint32_t)sep;
            continue;
        }
        case C_KEEP:
            break;
        }
        c = simplify(c);
        char enc[4];
        size_t el = utf8_encode(c, enc);
        bool sp = space && is_ascii_alnum(prev) && is_ascii_alnum(c);
        if (o + el + (sp ? 1 : 0) >= cap)
            break;
        if (sp)
            out[o++] = ' ';
        memcpy(out + o, enc, el);
        o += el;
        prev = c;
        space = false;
    }
done:
    while (o > 0 && textnorm_is_sep(out[o - 1]))
        o--;
    out[o] = '\0';
    return o;
}
