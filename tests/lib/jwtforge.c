#include "jwtforge.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

/* Decodes standard or URL-safe base64 (padding optional). Returns length or -1. */
static long b64_decode(const char *in, size_t in_len, unsigned char *out, size_t out_cap) {
  unsigned acc = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < in_len; i++) {
    if (in[i] == '=') break;
    int v = b64_value(in[i]);
    if (v < 0) return -1;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= out_cap) return -1;
      out[n++] = (unsigned char)((acc >> bits) & 0xff);
    }
  }
  return (long)n;
}

size_t test_jwt_keys(struct test_jwt_key *keys, size_t max) {
  const char *env = getenv("NOABER_TEST_JWT_KEYS");
  ck_assert_msg(env != NULL && env[0] != '\0', "NOABER_TEST_JWT_KEYS is not set");
  size_t count = 0;
  const char *p = env;
  while (*p != '\0' && count < max) {
    size_t item = strcspn(p, ",");
    const char *colon = memchr(p, ':', item);
    ck_assert_msg(colon != NULL, "NOABER_TEST_JWT_KEYS item without ':'");
    size_t kid_len = (size_t)(colon - p);
    ck_assert(kid_len > 0 && kid_len < sizeof keys[count].kid);
    memcpy(keys[count].kid, p, kid_len);
    keys[count].kid[kid_len] = '\0';
    long n = b64_decode(colon + 1, item - kid_len - 1, keys[count].secret, sizeof keys[count].secret);
    ck_assert_msg(n > 0, "NOABER_TEST_JWT_KEYS: bad base64 for kid %s", keys[count].kid);
    keys[count].len = (size_t)n;
    count++;
    p += item;
    if (*p == ',') p++;
  }
  ck_assert(count > 0);
  return count;
}

json_t *token_claims(const char *token, const struct test_jwt_key *key, char **alg_out, char **kid_out) {
  jwt_t *jwt = NULL;
  if (alg_out) *alg_out = NULL;
  if (kid_out) *kid_out = NULL;
  if (jwt_decode(&jwt, token, key->secret, (int)key->len) != 0 || jwt == NULL) return NULL;
  char *grants = jwt_get_grants_json(jwt, NULL);
  json_t *claims = grants ? json_loads(grants, 0, NULL) : NULL;
  free(grants);
  if (alg_out) {
    *alg_out = strdup(jwt_alg_str(jwt_get_alg(jwt)));
  }
  if (kid_out) {
    const char *kid = jwt_get_header(jwt, "kid");
    *kid_out = kid ? strdup(kid) : NULL;
  }
  jwt_free(jwt);
  return claims;
}

char *jwt_forge(json_t *claims, const char *kid, jwt_alg_t alg, const unsigned char *key, size_t key_len) {
  jwt_t *jwt = NULL;
  ck_assert(jwt_new(&jwt) == 0 && jwt != NULL);
  char *text = json_dumps(claims, JSON_COMPACT);
  ck_assert(text != NULL);
  int rc = jwt_add_grants_json(jwt, text);
  free(text);
  ck_assert_msg(rc == 0, "jwt_add_grants_json failed");
  if (kid != NULL) ck_assert(jwt_add_header(jwt, "kid", kid) == 0);
  if (alg == JWT_ALG_NONE)
    rc = jwt_set_alg(jwt, JWT_ALG_NONE, NULL, 0);
  else
    rc = jwt_set_alg(jwt, alg, key, (int)key_len);
  ck_assert_msg(rc == 0, "jwt_set_alg failed");
  char *token = jwt_encode_str(jwt);
  jwt_free(jwt);
  ck_assert_msg(token != NULL, "jwt_encode_str failed");
  return token;
}
