/* The customer's own pages (no login) and the survey link staff send with the reply.
 *
 * Progress (进度查询): a complaint number and the last four digits of the customer's phone
 * give the status, the stage and the expected date of the next answer (the open stage
 * deadline), nothing personal. An unknown number and a wrong tail get the same answer, and
 * failed look-ups are counted per client address in the login-failure table (key
 * "public:<address>"), so guessing is refused with 429 after PUBLIC_MAX failures in
 * PUBLIC_WINDOW seconds. Behind a reverse proxy every customer shares the proxy's address.
 *
 * Survey (满意度调查): the link token is "<number>.<mac>", mac = base64url(HMAC-SHA256(secret,
 * number)) with a secret generated once and kept in the settings, so a token cannot be
 * guessed and needs no table. A survey is open while the complaint is replied (or in follow
 * up) and unanswered; an answer either records the satisfaction or, at the preset's
 * survey.dissatisfied_max (default 2) or below, reopens the complaint for a second look as kesu
 * itself (actor "system") with the score in the note, leaving the satisfaction empty so the next
 * reply gets a fresh survey. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/secret.h"
#include "http/h-web.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define SETTING_SURVEY_SECRET "survey_secret"
#define MAC_CHARS             43 /* base64url of 32 bytes, no padding */
#define TOKEN_MAX             (COMPLAINT_NUMBER_MAX + 1 + MAC_CHARS + 1)

/* ---- progress ---------------------------------------------------------------------------- */

static void client_address(const struct http_req *req, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

    snprintf(out, size, "unknown");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  (socklen_t)size);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out,
                  (socklen_t)size);
}

/* Does the phone end with these four digits (ignoring spaces, dashes and the like)? */
static bool phone_ends_with(const char *phone, const char *tail)
{
    char digits[4];
    size_t n = 0;

    if (!phone)
        return false;
    for (const char *p = phone + strlen(phone); p > phone && n < 4;) {
        p--;
        if (*p >= '0' && *p <= '9')
            digits[3 - n++] = *p;
    }
    return n == 4 && sodium_memcmp(digits, tail, 4) == 0;
}

static int failures_of(struct app *app, const char *key, int64_t now, int *n_out,
                       struct ks_error *err)
{
    struct store_tx *tx = NULL;
    int rc = store_tx_begin(app->store, STORE_TX_READ, &tx, err);
    if (rc == 0)
        rc = store_login_failures(tx, key, now - PUBLIC_WINDOW, n_out, err);
    store_tx_rollback(&tx);
    return rc;
}

static void count_failure(struct app *app, const char *key, int64_t now)
{
    struct store_tx *tx = NULL;
    if (store_tx_begin(app->store, STORE_TX_WRITE, &tx, NULL) == 0 &&
        store_login_failure_add(tx, key, now, NULL) == 0)
        store_tx_commit(&tx, NULL);
    store_tx_rollback(&tx);
}

/* The open stage clock's due time, or KS_TIME_NONE. */
static int64_t open_due(const struct app_view *v)
{
    for (size_t i = v->n_dls; i > 0; i--)
        if (v->dls[i - 1].clock.met_at == KS_TIME_NONE)
            return v->dls[i - 1].clock.due_at;
    return KS_TIME_NONE;
}

static json_t *time_or_null(int64_t t, int offset_min)
{
    char buf[KS_TIME_STRLEN];
    return t == KS_TIME_NONE ? json_null() : json_string(ks_time_format(t, offset_min, buf));
}

int h_public_progress(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"number", "phone_tail", NULL};
    const char *number = NULL, *tail = NULL;
    struct app *app = req->ctx->app;
    int offset = app->zone.utc_offset_min;
    char addr[64], key[80];
    struct app_view v;
    int failures = 0, rc;

    if ((rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "number", COMPLAINT_NUMBER_MAX, &number, err)) < 0 ||
        (rc = json_str(req->json, "phone_tail", 8, &tail, err)) < 0)
        return rc;
    if (!number || !*number)
        return ks_fail(err, KS_EINVAL, "number", "number: give the complaint number");
    if (!tail || strlen(tail) != 4 || strspn(tail, "0123456789") != 4)
        return ks_fail(err, KS_EINVAL, "phone_tail", "phone_tail: give the last 4 digits");
    client_address(req, addr, sizeof(addr));
    snprintf(key, sizeof(key), "public:%s", addr);
    if ((rc = failures_of(app, key, req->now, &failures, err)) < 0)
        return rc;
    if (failures >= PUBLIC_MAX) {
        resp->status = 429;
        resp->retry_after = PUBLIC_WINDOW;
        return ks_fail(err, KS_ELIMIT, "phone_tail",
                       "too many look-ups that did not match; wait 15 minutes");
    }
    app_view_init(&v);
    rc = app_get(app, number, &v, err);
    if ((rc == 0 && !phone_ends_with(v.c.customer_phone, tail)) || rc == KS_ENOTFOUND ||
        rc == KS_EINVAL) {
        count_failure(app, key, req->now);
        rc = ks_fail(err, KS_ENOTFOUND, "number",
                     "no complaint matches this number and phone number ending");
    } else if (rc == 0) {
        resp_json(resp, 200,
                  json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "number", v.c.number, "status",
                            wf_state_name(v.c.status), "status_label", wf_state_label(v.c.status),
                            "received_at", time_or_null(v.c.received_at, offset), "expected_by",
                            time_or_null(wf_is_terminal(v.c.status) ? KS_TIME_NONE : open_due(&v),
                                         offset),
                            "updated_at", time_or_null(v.c.updated_at, offset)));
    }
    app_view_release(&v);
    return rc;
}

/* ---- survey ------------------------------------------------------------------------------ */

/* The deployment's survey secret, generated on first use (owned, free()). */
static int survey_secret(struct app *app, char **out, struct ks_error *err)
{
    struct store_tx *tx = NULL;
    char fresh[SECRET_TOKEN_CHARS + 1];
    int rc;

    *out = NULL;
    if ((rc = store_tx_begin(app->store, STORE_TX_READ, &tx, err)) == 0)
        rc = store_setting_get(tx, SETTING_SURVEY_SECRET, out, err);
    store_tx_rollback(&tx);
    if (rc != KS_ENOTFOUND)
        return rc;
    /* Two first uses may race: the write transaction reads again before it sets. */
    if ((rc = store_tx_begin(app->store, STORE_TX_WRITE, &tx, err)) < 0)
        return rc;
    rc = store_setting_get(tx, SETTING_SURVEY_SECRET, out, err);
    if (rc == KS_ENOTFOUND) {
        secret_token(fresh);
        if ((rc = store_setting_set(tx, SETTING_SURVEY_SECRET, fresh, err)) == 0 &&
            (rc = store_tx_commit(&tx, err)) == 0)
            *out = xstrdup(fresh);
        sodium_memzero(fresh, sizeof(fresh));
    }
    store_tx_rollback(&tx);
    return rc;
}

/* mac_out receives MAC_CHARS + 1 bytes. */
static void survey_mac(const char *secret, const char *number, char *mac_out)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)number, strlen(number));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(mac_out, MAC_CHARS + 1, mac, sizeof(mac),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Checks a token and loads its complaint; KS_ENOTFOUND for any bad token. */
static int survey_load(struct http_req *req, struct app_view *v, struct ks_error *err)
{
    const char *token = req->params[0];
    const char *dot = strrchr(token, '.');
    char number[COMPLAINT_NUMBER_MAX], mac[MAC_CHARS + 1];
    char *secret = NULL;
    size_t n = dot ? (size_t)(dot - token) : 0;
    int rc;

    if (!dot || n == 0 || n >= sizeof(number) || strlen(dot + 1) != MAC_CHARS)
        return ks_fail(err, KS_ENOTFOUND, "token", "this survey link is not valid");
    memcpy(number, token, n);
    number[n] = '\0';
    if ((rc = survey_secret(req->ctx->app, &secret, err)) < 0)
        return rc;
    survey_mac(secret, number, mac);
    free(secret);
    if (sodium_memcmp(mac, dot + 1, MAC_CHARS) != 0)
        return ks_fail(err, KS_ENOTFOUND, "token", "this survey link is not valid");
    rc = app_get(req->ctx->app, number, v, err);
    if (rc == KS_ENOTFOUND || rc == KS_EINVAL)
        rc = ks_fail(err, KS_ENOTFOUND, "token", "this survey link is not valid");
    return rc;
}

static bool survey_open(const struct complaint *c)
{
    return (c->status == WF_STATE_REPLIED || c->status == WF_STATE_FOLLOW_UP) &&
           c->satisfaction_score == 0 && !c->satisfaction_waived_reason;
}

int h_public_survey_get(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    struct app_view v;
    int rc;

    app_view_init(&v);
    if ((rc = survey_load(req, &v, err)) == 0)
        resp_json(resp, 200,
                  json_pack("{s:s, s:s, s:s, s:b, s:b, s:s?, s:s?, s:i}", "number", v.c.number,
                            "status", wf_state_name(v.c.status), "status_label",
                            wf_state_label(v.c.status), "open", survey_open(&v.c), "answered",
                            v.c.satisfaction_score > 0, "title", v.c.title, "reply", v.c.reply,
                            "dissatisfied_max",
                            preset_survey_dissatisfied_max(app_preset(req->ctx->app))));
    app_view_release(&v);
    return rc;
}

int h_public_survey_post(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    static const char *const names[] = {"score", "comment", NULL};
    const struct wf_actor sys = {.login = "system", .role = ROLE__COUNT, .is_system = true};
    const char *comment = NULL;
    json_t *score_j = json_object_get(req->json, "score");
    struct buf note;
    struct app_view v;
    bool reopened = false;
    int score, rc;

    app_view_init(&v);
    buf_init(&note, 6000);
    if ((rc = json_only(req->json, names, err)) < 0 ||
        (rc = json_str(req->json, "comment", 2000, &comment, err)) < 0)
        goto out;
    if (!json_is_integer(score_j) || json_integer_value(score_j) < 1 ||
        json_integer_value(score_j) > 5) {
        rc = ks_fail(err, KS_EINVAL, "score", "score: choose 1 to 5");
        goto out;
    }
    score = (int)json_integer_value(score_j);
    if ((rc = survey_load(req, &v, err)) < 0)
        goto out;
    if (!survey_open(&v.c)) {
        rc = ks_fail(err, KS_ECONFLICT, "token",
                     v.c.satisfaction_score > 0 ? "this survey has already been answered"
                                                : "this survey is not open");
        goto out;
    }
    if (score <= preset_survey_dissatisfied_max(app_preset(req->ctx->app))) {
        buf_addf(&note, "满意度调查：%d 分（不满意），重新调查", score);
        if (comment && *comment)
            buf_addf(&note, "。客户意见：%s", comment);
        rc = app_update(req->ctx->app, &v.c, WF_STATE_INVESTIGATING, &sys, buf_str(&note), req->now,
                        err);
        reopened = true;
    } else {
        v.c.satisfaction_score = score;
        if (comment && *comment)
            xstrset(&v.c.satisfaction_comment, comment);
        rc = app_update(req->ctx->app, &v.c, -1, &sys, NULL, req->now, err);
    }
    if (rc == 0)
        resp_json(resp, 200,
                  json_pack("{s:s, s:i, s:b}", "number", v.c.number, "score", score, "reopened",
                            reopened));
out:
    buf_release(&note);
    app_view_release(&v);
    return rc;
}

int h_survey_link(struct http_req *req, struct http_resp *resp, struct ks_error *err)
{
    char mac[MAC_CHARS + 1], token[TOKEN_MAX];
    char *secret = NULL, *url;
    struct app_view v;
    int rc;

    app_view_init(&v);
    if ((rc = auth_need_role(req,
                             ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_LEADER) | ROLE_BIT(ROLE_HANDLER),
                             err)) < 0 ||
        (rc = app_get(req->ctx->app, req->params[0], &v, err)) < 0 ||
        (rc = auth_may_see(req, &v.c, err)) < 0 ||
        (rc = survey_secret(req->ctx->app, &secret, err)) < 0)
        goto out;
    survey_mac(secret, v.c.number, mac);
    snprintf(token, sizeof(token), "%s.%s", v.c.number, mac);
    url = xmalloc(strlen(token) + 16);
    memcpy(url, "/survey#", 8);
    memcpy(url + 8, token, strlen(token) + 1);
    resp_json(resp, 200,
              json_pack("{s:s, s:s, s:s, s:b}", "number", v.c.number, "token", token, "path", url,
                        "open", survey_open(&v.c)));
    free(url);
out:
    free(secret);
    app_view_release(&v);
    return rc;
}
