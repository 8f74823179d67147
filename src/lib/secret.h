/* Secrets: password hashing (argon2id via libsodium) and random tokens. Ownership: outputs
 * are caller-provided buffers of the stated sizes. */
#ifndef KS_LIB_SECRET_H
#define KS_LIB_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define SECRET_HASH_MAX    128 /* crypto_pwhash_STRBYTES */
#define SECRET_TOKEN_CHARS 32

/* Initialises libsodium; safe to call many times. */
int secret_init(struct ks_error *err);
/* Hashes a password (8..200 bytes) into out. */
int secret_hash_password(const char *password, char out[SECRET_HASH_MAX], struct ks_error *err);
bool secret_verify_password(const char *hash, const char *password);
/* A random token of SECRET_TOKEN_CHARS URL-safe characters and a NUL. */
void secret_token(char out[SECRET_TOKEN_CHARS + 1]);

#endif
