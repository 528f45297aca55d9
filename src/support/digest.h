#ifndef NOABER_DIGEST_H
#define NOABER_DIGEST_H

#include <stddef.h>

/* Hashes and random secrets, all through libsodium. */

#define DIGEST_HEX_LEN 65 /* 64 hex digits + NUL */
#define ETAG_LEN 35       /* quote + 32 hex digits + quote + NUL */

/* A new opaque secret: 32 random bytes as unpadded base64url (43 characters).
 * Returns a string the caller frees with o_free(), or NULL when out of memory. */
char *digest_new_secret(void);

/* SHA-256 of a string, as hex. Cannot fail. */
void digest_sha256_hex(const char *text, char out[DIGEST_HEX_LEN]);

/* Keyed BLAKE2b-256 of a string, as hex: equal inputs give equal outputs only for holders of
 * the key, so an email or address can be counted without being stored. Cannot fail. */
void digest_keyed_hex(const unsigned char *key, size_t key_len, const char *text, char out[DIGEST_HEX_LEN]);

/* A strong ETag ("..." with 32 hex digits) for a representation. Cannot fail. */
void digest_etag(const char *representation, size_t len, char out[ETAG_LEN]);

#endif
