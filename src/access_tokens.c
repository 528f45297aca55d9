/* Access tokens: HS256 JWTs signed with the newest configured key, checked with the key their
 * `kid` names (algorithm pinned; iss, aud, exp, iat and nbf checked). */
#include "access_tokens.h"

#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/validate.h"

/* Tokens may be issued a little before our clock says "now" on another replica. */
#define CLOCK_SKEW_S 60

static const struct config *config;

void access_tokens_init(const struct config *cfg) { config = cfg; }

char *auth_issue_access_token(const char *person_id, const char *session_id) {
  const struct jwt_key *key = &config->jwt_keys[0];
  jwt_t *jwt = NULL;
  char *token = NULL;
  time_t now = time(NULL);
  if (jwt_new(&jwt) != 0) return NULL;
  if (jwt_set_alg(jwt, JWT_ALG_HS256, key->secret, (int)key->secret_len) == 0 &&
      jwt_add_header(jwt, "kid", key->kid) == 0 && jwt_add_grant(jwt, "iss", config->jwt_issuer) == 0 &&
      jwt_add_grant(jwt, "aud", config->jwt_audience) == 0 && jwt_add_grant(jwt, "sub", person_id) == 0 &&
      jwt_add_grant(jwt, "sid", session_id) == 0 && jwt_add_grant_int(jwt, "iat", (long)now) == 0 &&
      jwt_add_grant_int(jwt, "exp", (long)now + config->access_token_ttl_s) == 0) {
    token = jwt_encode_str(jwt);
  }
  jwt_free(jwt);
  return token;
}

/* The key named by the token's header, when the header asks for HS256; NULL otherwise.
 * libjwt would accept any algorithm the key fits, so the algorithm is pinned here first. */
static const struct jwt_key *key_for_token(const char *token) {
  const char *dot = strchr(token, '.');
  if (dot == NULL || dot == token || dot - token > 1024) return NULL;
  size_t len = (size_t)(dot - token);
  unsigned char header_text[1024];
  size_t header_len = 0;
  if (sodium_base642bin(header_text, sizeof header_text, token, len, NULL, &header_len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return NULL;
  json_t *header = json_loadb((const char *)header_text, header_len, JSON_REJECT_DUPLICATES, NULL);
  const char *alg = json_string_value(json_object_get(header, "alg"));
  const char *kid = json_string_value(json_object_get(header, "kid"));
  const struct jwt_key *found = NULL;
  if (alg != NULL && kid != NULL && strcmp(alg, "HS256") == 0) {
    for (size_t i = 0; i < config->jwt_key_count; i++)
      if (strcmp(config->jwt_keys[i].kid, kid) == 0) found = &config->jwt_keys[i];
  }
  json_decref(header);
  return found;
}

static int read_time_claim(jwt_t *jwt, const char *name, long *out) {
  errno = 0;
  *out = jwt_get_grant_int(jwt, name);
  return errno == 0 ? 0 : -1;
}

enum result auth_verify_access_token(const char *token, char person_id[37], char session_id[37],
                                     struct result_info *info) {
  info->detail = "the access token is missing, invalid or expired";
  if (token == NULL || strlen(token) > 4096) return RESULT_UNAUTHENTICATED;
  const struct jwt_key *key = key_for_token(token);
  if (key == NULL) return RESULT_UNAUTHENTICATED;
  jwt_t *jwt = NULL;
  enum result r = RESULT_UNAUTHENTICATED;
  if (jwt_decode(&jwt, token, key->secret, (int)key->secret_len) != 0 || jwt == NULL) goto done;
  if (jwt_get_alg(jwt) != JWT_ALG_HS256) goto done;
  const char *iss = jwt_get_grant(jwt, "iss");
  const char *aud = jwt_get_grant(jwt, "aud");
  const char *sub = jwt_get_grant(jwt, "sub");
  const char *sid = jwt_get_grant(jwt, "sid");
  long exp = 0, iat = 0;
  time_t now = time(NULL);
  if (iss == NULL || strcmp(iss, config->jwt_issuer) != 0) goto done;
  if (aud == NULL || strcmp(aud, config->jwt_audience) != 0) goto done;
  if (!valid_uuid(sub) || !valid_uuid(sid)) goto done;
  if (read_time_claim(jwt, "exp", &exp) != 0 || read_time_claim(jwt, "iat", &iat) != 0) goto done;
  if (exp <= now || iat > now + CLOCK_SKEW_S || exp - iat > config->access_token_ttl_s) goto done;
  /* nbf is optional (ours carry none); when present it is a whole number of seconds and not
   * in the future. libjwt reads any non-integer as 0, so check its JSON type. */
  char *nbf_text = jwt_get_grants_json(jwt, "nbf");
  if (nbf_text != NULL) {
    json_t *nbf = json_loads(nbf_text, JSON_DECODE_ANY, NULL);
    int not_yet = !json_is_integer(nbf) || json_integer_value(nbf) > (json_int_t)now + CLOCK_SKEW_S;
    json_decref(nbf);
    free(nbf_text); /* libjwt allocates with malloc */
    if (not_yet) goto done;
  }
  snprintf(person_id, 37, "%s", sub);
  snprintf(session_id, 37, "%s", sid);
  info->detail = NULL;
  r = RESULT_OK;
done:
  jwt_free(jwt);
  return r;
}
