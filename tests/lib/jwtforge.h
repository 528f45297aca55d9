/* Reading and forging JWTs for the auth tests (libjwt).
 *
 * The server's keys come from env NOABER_TEST_JWT_KEYS, same format as NOABER_JWT_KEYS:
 * comma-separated "kid:base64secret", the first one signs.
 *
 * Ownership: jwt_forge() returns a malloc'd token (free()); token_claims() returns a new
 * json_t reference (json_decref) and malloc'd alg/kid strings (free()).
 */
#ifndef NOABER_TEST_JWTFORGE_H
#define NOABER_TEST_JWTFORGE_H

#include <stddef.h>

#include <jansson.h>
#include <jwt.h>

struct test_jwt_key {
  char kid[128];
  unsigned char secret[512];
  size_t len;
};

/* Parses NOABER_TEST_JWT_KEYS into keys[0..max); fails the test unless at least one parses.
 * Returns the number of keys. */
size_t test_jwt_keys(struct test_jwt_key *keys, size_t max);

/* Verifies `token` with `key` (HMAC) and returns its claims; NULL when it does not verify.
 * alg_out / kid_out (optional) receive the header's alg and kid (NULL when absent). */
json_t *token_claims(const char *token, const struct test_jwt_key *key, char **alg_out, char **kid_out);

/* Signs `claims` (borrowed) with `alg` and `key` (alg JWT_ALG_NONE: unsigned, key ignored),
 * adding a "kid" header when kid is not NULL. Fails the test on error. */
char *jwt_forge(json_t *claims, const char *kid, jwt_alg_t alg, const unsigned char *key, size_t key_len);

#endif
