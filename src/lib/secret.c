/* Password hashes and random tokens on libsodium: argon2id with the library's interactive
 * limits, which keeps a login under ~100 ms on a small server. */
#include "lib/secret.h"

#include <sodium.h>
#include <string.h>

#include "lib/banned.h"

int secret_init(struct ks_error *err)
{
    if (sodium_init() < 0)
        return ks_fail(err, KS_EINTERNAL, NULL, "cannot initialise libsodium");
    return 0;
}

int secret_hash_password(const char *password, char out[SECRET_HASH_MAX], struct ks_error *err)
{
    size_t len = strlen(password);
    if (len < 8)
        return ks_fail(err, KS_EINVAL, "password", "password: needs at least 8 characters");
    if (len > 200)
        return ks_fail(err, KS_EINVAL, "password", "password: at most 200 bytes");
    if (secret_init(err) < 0)
        return KS_EINTERNAL;
    if (crypto_pwhash_str(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ks_fail(err, KS_EINTERNAL, NULL, "password hashing ran out of memory");
    return 0;
}

bool secret_verify_password(const char *hash, const char *password)
{
    if (!hash || !password || sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
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
