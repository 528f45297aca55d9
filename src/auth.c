/* Passwords, access tokens, refresh tokens and login throttling. */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <jwt.h>
#include <orcania.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "invitations.h"
#include "members.h"
#include "support/digest.h"
#include "support/validate.h"

/* Tokens may be issued a little before our clock says "now" on another replica. */
#define CLOCK_SKEW_S 60

/* A password has 12 to 256 code points. */
#define PASSWORD_MIN 12
#define PASSWORD_MAX 256

/* The login body. A password is text as registering made it, here of any length a password may
 * have; shorter or longer cannot be anyone's password and is told as such. The email is looked
 * up as given. */
enum { LOGIN_EMAIL, LOGIN_PASSWORD, LOGIN_FIELDS };
static const struct field_rule login_fields[] = {
    [LOGIN_EMAIL] = {"email", FIELD_STRING, FIELD_REQUIRED | FIELD_STRING_TYPE, 0, 254, NULL, "too_long",
                     "at most 254 characters"},
    [LOGIN_PASSWORD] = {"password", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, PASSWORD_MAX, NULL, "length",
                        "1 to 256 characters"},
    [LOGIN_FIELDS] = {NULL},
};

/* The refresh and logout body: an opaque token. */
static const struct field_rule refresh_fields[] = {
    {"refresh_token", FIELD_STRING, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 512, NULL, "invalid", "not a refresh token"},
    {NULL},
};

enum { REGISTER_CODE, REGISTER_EMAIL, REGISTER_PASSWORD, REGISTER_NAME, REGISTER_FIELDS };
static const struct field_rule register_fields[] = {
    [REGISTER_CODE] = INVITATION_CODE_RULE,
    [REGISTER_EMAIL] = {"email", FIELD_EMAIL, FIELD_REQUIRED | FIELD_STRING_TYPE, 0, 0, NULL, "invalid",
                        "not an email address"},
    [REGISTER_PASSWORD] = {"password", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, PASSWORD_MIN, PASSWORD_MAX, NULL,
                           "length", "use 12 to 256 characters"},
    [REGISTER_NAME] = {"display_name", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 100, NULL, "length",
                       "use 1 to 100 characters, no control characters"},
    [REGISTER_FIELDS] = {NULL},
};

static const struct config *config;
static char dummy_hash[crypto_pwhash_STRBYTES];

static const struct db_statement statements[] = {
    {"auth_throttle_blocked",
     "SELECT COALESCE(max(ceil(extract(epoch FROM blocked_until - now())))::int, 0) FROM login_throttle "
     "WHERE key_hash IN (decode($1, 'hex'), decode($2, 'hex')) AND blocked_until > now()"},
    /* Count a failure in the current window; block for a window once the limit is reached. */
    {"auth_throttle_fail",
     "INSERT INTO login_throttle AS t (key_hash, failures, window_start, blocked_until) "
     "VALUES (decode($1, 'hex'), 1, now(), CASE WHEN $2::int <= 1 THEN now() + make_interval(secs => $3::int) END) "
     "ON CONFLICT (key_hash) DO UPDATE SET "
     "failures = CASE WHEN t.window_start < now() - make_interval(secs => $3::int) THEN 1 ELSE t.failures + 1 END, "
     "window_start = CASE WHEN t.window_start < now() - make_interval(secs => $3::int) THEN now() "
     "ELSE t.window_start END, "
     "blocked_until = CASE WHEN (CASE WHEN t.window_start < now() - make_interval(secs => $3::int) THEN 1 "
     "ELSE t.failures + 1 END) >= $2::int THEN now() + make_interval(secs => $3::int) ELSE NULL END"},
    {"auth_throttle_clear", "DELETE FROM login_throttle WHERE key_hash = decode($1, 'hex')"},
    {"auth_person_by_email", "SELECT id, password_hash FROM persons WHERE email = $1"},
    {"auth_password_update", "UPDATE persons SET password_hash = $2, updated_at = now() WHERE id = $1"},
    /* No row when the email has an account: told without aborting the transaction. */
    {"auth_person_insert",
     "INSERT INTO persons (email, display_name, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING "
     "RETURNING id"},
    {"auth_refresh_insert",
     "INSERT INTO refresh_tokens (token_hash, family_id, person_id, expires_at) "
     "VALUES (decode($1, 'hex'), COALESCE($2::uuid, gen_random_uuid()), $3, now() + make_interval(secs => $4::int))"},
    {"auth_refresh_find",
     "SELECT person_id, family_id, used_at IS NOT NULL, revoked_at IS NOT NULL OR expires_at <= now() "
     "FROM refresh_tokens WHERE token_hash = decode($1, 'hex') FOR UPDATE"},
    {"auth_refresh_use", "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = decode($1, 'hex')"},
    {"auth_family_revoke", "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL"},
};

int auth_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

char *auth_hash_password(const char *password) {
  char *hash = o_malloc(crypto_pwhash_STRBYTES);
  if (hash == NULL) return NULL;
  if (crypto_pwhash_str(hash, password, strlen(password), config->argon2_opslimit,
                        config->argon2_memlimit_kib * 1024) != 0) {
    o_free(hash);
    return NULL;
  }
  return hash;
}

int auth_init(const struct config *cfg) {
  config = cfg;
  char *random_password = digest_new_secret();
  char *hash = random_password != NULL ? auth_hash_password(random_password) : NULL;
  o_free(random_password);
  if (hash == NULL) return -1;
  snprintf(dummy_hash, sizeof dummy_hash, "%s", hash);
  o_free(hash);
  return 0;
}

char *auth_issue_access_token(const char *person_id) {
  const struct jwt_key *key = &config->jwt_keys[0];
  jwt_t *jwt = NULL;
  char *token = NULL;
  time_t now = time(NULL);
  if (jwt_new(&jwt) != 0) return NULL;
  if (jwt_set_alg(jwt, JWT_ALG_HS256, key->secret, (int)key->secret_len) == 0 &&
      jwt_add_header(jwt, "kid", key->kid) == 0 && jwt_add_grant(jwt, "iss", config->jwt_issuer) == 0 &&
      jwt_add_grant(jwt, "aud", config->jwt_audience) == 0 && jwt_add_grant(jwt, "sub", person_id) == 0 &&
      jwt_add_grant_int(jwt, "iat", (long)now) == 0 &&
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

enum result auth_verify_access_token(const char *token, char person_id[37], struct result_info *info) {
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
  long exp = 0, iat = 0;
  time_t now = time(NULL);
  if (iss == NULL || strcmp(iss, config->jwt_issuer) != 0) goto done;
  if (aud == NULL || strcmp(aud, config->jwt_audience) != 0) goto done;
  if (!valid_uuid(sub)) goto done;
  if (read_time_claim(jwt, "exp", &exp) != 0 || read_time_claim(jwt, "iat", &iat) != 0) goto done;
  if (exp <= now || iat > now + CLOCK_SKEW_S || exp - iat > config->access_token_ttl_s) goto done;
  snprintf(person_id, 37, "%s", sub);
  info->detail = NULL;
  r = RESULT_OK;
done:
  jwt_free(jwt);
  return r;
}

/* Insert a new refresh token (in `family_id`, or a new family when NULL) and build the pair. */
static enum result issue_tokens(struct db_conn *conn, const char *person_id, const char *family_id, json_t **tokens,
                                struct result_info *info) {
  char *refresh = digest_new_secret();
  char *access = auth_issue_access_token(person_id);
  char hash[DIGEST_HEX_LEN], ttl[16];
  enum result r = RESULT_ERROR;
  if (refresh == NULL || access == NULL) goto done;
  digest_sha256_hex(refresh, hash);
  snprintf(ttl, sizeof ttl, "%d", config->refresh_token_ttl_s);
  const char *params[4] = {hash, family_id, person_id, ttl};
  r = result_from_db(db_exec(conn, "auth_refresh_insert", 4, params), info);
  if (r != RESULT_OK) goto done;
  *tokens = json_pack("{s:s, s:s, s:i, s:s}", "access_token", access, "token_type", "Bearer", "expires_in",
                      config->access_token_ttl_s, "refresh_token", refresh);
  if (*tokens == NULL) r = RESULT_ERROR;
done:
  o_free(refresh);
  free(access); /* jwt_encode_str() allocates with malloc */
  return r;
}

static void throttle_key(const char *kind, const char *value, char out[DIGEST_HEX_LEN]) {
  char *text = msprintf("%s:%s", kind, value);
  const struct jwt_key *key = &config->jwt_keys[0];
  digest_keyed_hex(key->secret, key->secret_len, text != NULL ? text : kind, out);
  o_free(text);
}

static char *lowercase(const char *s) {
  char *copy = o_strdup(s);
  for (char *p = copy; p != NULL && *p; p++) *p = (char)tolower((unsigned char)*p);
  return copy;
}

/* End the transaction: commit when `save` (a success, or a failure that must be counted or a
 * family that must stay revoked even though the caller hears "no"), else roll back. */
static enum result finish(struct db_conn *conn, enum result r, int save, struct result_info *info) {
  enum db_status st = db_transaction_end(conn, save);
  if (save && st != DB_OK) return result_from_db(st, info); /* never RESULT_OK for a failed commit */
  return r;
}

/* RESULT_TOO_MANY with info->retry_after when either key is blocked, else RESULT_OK. */
static enum result throttle_check(struct db_conn *conn, const char *key1, const char *key2, struct result_info *info) {
  PGresult *blocked = NULL;
  enum result r =
      result_from_db(db_query(conn, "auth_throttle_blocked", 2, (const char *[]){key1, key2}, &blocked), info);
  if (r == RESULT_OK && (info->retry_after = atoi(PQgetvalue(blocked, 0, 0))) > 0) r = RESULT_TOO_MANY;
  PQclear(blocked);
  return r;
}

/* Count a failure under `key`, which allows `max_failures`. */
static enum result throttle_fail(struct db_conn *conn, const char *key, int max_failures, struct result_info *info) {
  char max[16], window[16];
  snprintf(max, sizeof max, "%d", max_failures);
  snprintf(window, sizeof window, "%d", config->login_window_s);
  return result_from_db(db_exec(conn, "auth_throttle_fail", 3, (const char *[]){key, max, window}), info);
}

enum result auth_login(json_t *body, const char *client_address, json_t **tokens, struct result_info *info) {
  *tokens = NULL;
  struct field_value v[LOGIN_FIELDS];
  if (fields_read(body, login_fields, v, info) != 0) return RESULT_INVALID;
  const char *email = v[LOGIN_EMAIL].text, *password = v[LOGIN_PASSWORD].text;
  char *email_key_src = lowercase(email);
  if (email_key_src == NULL) return RESULT_ERROR;
  char email_key[DIGEST_HEX_LEN], address_key[DIGEST_HEX_LEN];
  throttle_key("email", email_key_src, email_key);
  throttle_key("address", client_address != NULL ? client_address : "unknown", address_key);

  struct db_context none = {0};
  struct db_conn *conn = NULL;
  PGresult *person = NULL;
  char person_id[37] = "", stored_hash[crypto_pwhash_STRBYTES] = "";
  enum result r = result_from_db(db_transaction_start(&conn, &none, NULL, NULL), info);
  if (r == RESULT_OK) r = throttle_check(conn, email_key, address_key, info);
  if (r == RESULT_OK) r = result_from_db(db_set_lookup(conn, "email", email_key_src), info);
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "auth_person_by_email", 1, (const char *[]){email_key_src}, &person), info);
  if (r == RESULT_OK && PQntuples(person) == 1) {
    snprintf(person_id, sizeof person_id, "%s", PQgetvalue(person, 0, 0));
    snprintf(stored_hash, sizeof stored_hash, "%s", PQgetvalue(person, 0, 1));
  }
  PQclear(person);
  db_transaction_end(conn, 0);
  o_free(email_key_src);
  if (r != RESULT_OK) return r;

  /* Hash even for an unknown email, so the answer takes as long either way. */
  int verified = crypto_pwhash_str_verify(person_id[0] ? stored_hash : dummy_hash, password, strlen(password)) == 0 &&
                 person_id[0] != '\0';
  char *rehash = NULL;
  if (verified &&
      crypto_pwhash_str_needs_rehash(stored_hash, config->argon2_opslimit, config->argon2_memlimit_kib * 1024) != 0)
    rehash = auth_hash_password(password);

  struct db_context as_person = {.person_id = person_id};
  r = result_from_db(db_transaction_start(&conn, verified ? &as_person : &none, NULL, NULL), info);
  if (r == RESULT_OK && !verified) {
    r = throttle_fail(conn, email_key, config->login_max_failures, info);
    if (r == RESULT_OK) r = throttle_fail(conn, address_key, config->login_ip_max_failures, info);
    if (r == RESULT_OK) {
      info->detail = "the email address or the password is wrong";
      r = RESULT_UNAUTHENTICATED;
    }
  } else if (r == RESULT_OK) {
    r = result_from_db(db_exec(conn, "auth_throttle_clear", 1, (const char *[]){email_key}), info);
    if (r == RESULT_OK && rehash != NULL)
      r = result_from_db(db_exec(conn, "auth_password_update", 2, (const char *[]){person_id, rehash}), info);
    if (r == RESULT_OK) r = issue_tokens(conn, person_id, NULL, tokens, info);
  }
  o_free(rehash);
  sodium_memzero(stored_hash, sizeof stored_hash);
  r = finish(conn, r, r == RESULT_OK || r == RESULT_UNAUTHENTICATED, info);
  if (r != RESULT_OK) {
    json_decref(*tokens);
    *tokens = NULL;
  }
  return r;
}

/* Find a refresh token by its hash inside an open transaction. */
static enum result find_refresh(struct db_conn *conn, const char *hash, PGresult **found, struct result_info *info) {
  enum result r = result_from_db(db_set_lookup(conn, "refresh_token", hash), info);
  if (r == RESULT_OK) r = result_from_db(db_query(conn, "auth_refresh_find", 1, (const char *[]){hash}, found), info);
  if (r == RESULT_OK && PQntuples(*found) != 1) r = RESULT_UNAUTHENTICATED;
  return r;
}

static enum result revoke_family(struct db_conn *conn, const char *person_id, const char *family_id,
                                 struct result_info *info) {
  struct db_context ctx = {.person_id = person_id};
  enum result r = result_from_db(db_set_context(conn, &ctx), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "auth_family_revoke", 1, (const char *[]){family_id}), info);
  return r;
}

enum result auth_refresh(json_t *body, json_t **tokens, struct result_info *info) {
  *tokens = NULL;
  struct field_value v[1];
  if (fields_read(body, refresh_fields, v, info) != 0) return RESULT_INVALID;
  const char *refresh_token = v[0].text;
  char hash[DIGEST_HEX_LEN];
  digest_sha256_hex(refresh_token, hash);
  struct db_context none = {0};
  struct db_conn *conn = NULL;
  PGresult *found = NULL;
  enum result r = result_from_db(db_transaction_start(&conn, &none, NULL, NULL), info);
  if (r == RESULT_OK) r = find_refresh(conn, hash, &found, info);
  if (r == RESULT_OK) {
    char person_id[37], family_id[37];
    snprintf(person_id, sizeof person_id, "%s", PQgetvalue(found, 0, 0));
    snprintf(family_id, sizeof family_id, "%s", PQgetvalue(found, 0, 1));
    int used = strcmp(PQgetvalue(found, 0, 2), "t") == 0;
    int dead = strcmp(PQgetvalue(found, 0, 3), "t") == 0;
    if (used && !dead) {
      /* A rotated token came back: someone holds a copy. End the whole login. */
      r = revoke_family(conn, person_id, family_id, info);
      if (r == RESULT_OK) r = RESULT_UNAUTHENTICATED;
    } else if (used || dead) {
      r = RESULT_UNAUTHENTICATED;
    } else {
      struct db_context ctx = {.person_id = person_id};
      r = result_from_db(db_set_context(conn, &ctx), info);
      if (r == RESULT_OK) r = result_from_db(db_exec(conn, "auth_refresh_use", 1, (const char *[]){hash}), info);
      if (r == RESULT_OK) r = issue_tokens(conn, person_id, family_id, tokens, info);
    }
  }
  if (r == RESULT_UNAUTHENTICATED) info->detail = "the refresh token is invalid, expired or already used";
  PQclear(found);
  r = finish(conn, r, r == RESULT_OK || r == RESULT_UNAUTHENTICATED, info);
  if (r != RESULT_OK) {
    json_decref(*tokens);
    *tokens = NULL;
  }
  return r;
}

enum result auth_logout(json_t *body, struct result_info *info) {
  struct field_value v[1];
  if (fields_read(body, refresh_fields, v, info) != 0) return RESULT_INVALID;
  const char *refresh_token = v[0].text;
  char hash[DIGEST_HEX_LEN];
  digest_sha256_hex(refresh_token, hash);
  struct db_context none = {0};
  struct db_conn *conn = NULL;
  PGresult *found = NULL;
  enum result r = result_from_db(db_transaction_start(&conn, &none, NULL, NULL), info);
  if (r == RESULT_OK) r = find_refresh(conn, hash, &found, info);
  if (r == RESULT_OK) r = revoke_family(conn, PQgetvalue(found, 0, 0), PQgetvalue(found, 0, 1), info);
  PQclear(found);
  /* Logging out with an unknown token is not an error: the session is gone either way. */
  if (r == RESULT_UNAUTHENTICATED) r = RESULT_OK;
  return finish(conn, r, r == RESULT_OK, info);
}

/* Registration's first step, before any work on the password: is the invitation usable with this
 * email? A code that is not gets one answer whatever the email, and counts as a failure of the
 * client's address, as a failed login does. */
static enum result register_precheck(const char *code, const char *email, const char *address_key,
                                     struct result_info *info) {
  struct db_context none = {0};
  struct db_conn *conn = NULL;
  enum result r = result_from_db(db_transaction_start(&conn, &none, NULL, NULL), info);
  if (r == RESULT_OK) r = throttle_check(conn, address_key, address_key, info);
  if (r == RESULT_OK) r = invitations_usable(conn, code, email, info);
  int counted = 0;
  if (r == RESULT_INVALID) {
    enum result c = throttle_fail(conn, address_key, config->login_ip_max_failures, info);
    if (c != RESULT_OK) r = c;
    counted = c == RESULT_OK;
  }
  return finish(conn, r, counted, info);
}

enum result auth_register(json_t *body, const char *client_address, json_t **out, struct result_info *info) {
  *out = NULL;
  struct field_value v[REGISTER_FIELDS];
  if (fields_read(body, register_fields, v, info) != 0) return RESULT_INVALID;
  const char *invitation_code = v[REGISTER_CODE].text, *email = v[REGISTER_EMAIL].text;
  const char *password = v[REGISTER_PASSWORD].text, *display_name = v[REGISTER_NAME].text;
  char address_key[DIGEST_HEX_LEN];
  throttle_key("address", client_address != NULL ? client_address : "unknown", address_key);
  char *email_lower = lowercase(email);
  if (email_lower == NULL) return RESULT_ERROR;
  enum result r = register_precheck(invitation_code, email_lower, address_key, info);
  if (r != RESULT_OK) {
    o_free(email_lower);
    return r;
  }

  char *hash = auth_hash_password(password);
  struct db_context none = {0};
  struct db_conn *conn = NULL;
  PGresult *inserted = NULL;
  json_t *me = NULL, *tokens = NULL;
  char community_id[37];
  int save = 0;
  r = hash != NULL ? RESULT_OK : RESULT_ERROR;
  if (r == RESULT_OK) r = result_from_db(db_transaction_start(&conn, &none, NULL, NULL), info);
  if (r == RESULT_OK) r = result_from_db(db_set_lookup(conn, "email", email_lower), info);
  if (r == RESULT_OK)
    r = result_from_db(
        db_query(conn, "auth_person_insert", 3, (const char *[]){email_lower, display_name, hash}, &inserted), info);
  if (r == RESULT_OK && PQntuples(inserted) != 1) {
    /* Only someone with a usable invitation for this address hears this, and it counts as a
     * failure: an open invitation's holder cannot try emails freely. */
    info->detail = "an account with this email address exists: log in and accept the invitation";
    r = throttle_fail(conn, address_key, config->login_ip_max_failures, info);
    save = r == RESULT_OK;
    if (r == RESULT_OK) r = RESULT_CONFLICT;
  } else if (r == RESULT_OK) {
    char person_id[37];
    snprintf(person_id, sizeof person_id, "%s", PQgetvalue(inserted, 0, 0));
    r = invitations_redeem(conn, invitation_code, person_id, email_lower, community_id, info);
    if (r == RESULT_OK) r = members_me(conn, person_id, &me, info);
    if (r == RESULT_OK) r = issue_tokens(conn, person_id, NULL, &tokens, info);
  }
  PQclear(inserted);
  o_free(email_lower);
  o_free(hash);
  if (r == RESULT_OK && (*out = json_pack("{s:O, s:O}", "me", me, "tokens", tokens)) == NULL) r = RESULT_ERROR;
  json_decref(me);
  json_decref(tokens);
  if (r == RESULT_OK) {
    r = RESULT_CREATED;
    save = 1;
  }
  r = finish(conn, r, save, info);
  if (r != RESULT_CREATED) {
    json_decref(*out);
    *out = NULL;
  }
  return r;
}
