/* Password hashes and random tokens on libsodium: argon2id with the library's interactive
 * limits, which keeps a login under ~100 ms on a small server. The one global is the lock
 * that bounds concurrent password checks (memory, see below). */
#include "lib/secret.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "lib/banned.h"

/* Each argon2id hash or check holds 64 MiB (the interactive memory limit) while it runs;
 * doing one at a time keeps a burst of logins from multiplying that, at the price of queueing
 * them (~0.1 s each) behind one another. */
static pthread_mutex_t pwhash_lock = PTHREAD_MUTEX_INITIALIZER;

int secret_init(struct ks_error *err)
{
    if (sodium_init() < 0)
        return ks_fail(err, KS_EINTERNAL, NULL, "cannot initialise libsodium");
    return 0;
}

int secret_hash_password(const char *password, char out[SECRET_HASH_MAX], struct ks_error *err)
{
    size_t len = strlen(password);
    int rc;

    if (len < 8)
        return ks_fail(err, KS_EINVAL, "password", "password: needs at least 8 characters");
    if (len > 200)
        return ks_fail(err, KS_EINVAL, "password", "password: at most 200 bytes");
    if (secret_init(err) < 0)
        return KS_EINTERNAL;
    pthread_mutex_lock(&pwhash_lock);
    rc = crypto_pwhash_str(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
    pthread_mutex_unlock(&pwhash_lock);
    if (rc != 0)
        return ks_fail(err, KS_EINTERNAL, NULL, "password hashing ran out of memory");
    return 0;
}

bool secret_verify_password(const char *hash, const char *password)
{
    bool ok;

    if (!hash || !password || sodium_init() < 0)
        return false;
    pthread_mutex_lock(&pwhash_lock);
    ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    pthread_mutex_unlock(&pwhash_lock);
    return ok;
}

void secret_token(char out[SECRET_TOKEN_CHARS + 1])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[SECRET_TOKEN_CHARS];

    if (sodium_init() < 0)
        KS_BUG("libsodium failed to initialise");
    randombytes_buf(raw, sizeof(raw));
    for (size_t i = 0; i < SECRET_TOKEN_CHARS; i++)
        out[i] = alphabet[raw[i] & 63]; /* 64 symbols: no modulo bias */
    out[SECRET_TOKEN_CHARS] = '\0';
}
