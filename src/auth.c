/* Passwords, access tokens, refresh tokens, sessions and login throttling.
 *
 * A session is one login: a refresh family, whose id the access tokens carry as `sid`. Every
 * request checks its session with its context (db_context.session_id), so ending a session (logout,
 * a refresh token reused, signing out everywhere) stops its access tokens at once.
 *
 * Throttling slows failures down without locking the owner out (issue 10). Every key of
 * login_throttle allows some failures in a row, then makes each further attempt wait, longer after
 * every failure (login_delay(), sql/functions/auth.sql); a success forgets the account's failures
 * at its place.
 * Which keys a login is checked and counted under depends on where it comes from:
 *   - a place the account does not know: the client address and the account;
 *   - an address the account logged in from before: the address and the account at that address;
 *   - a device holding the device token of an earlier login to the account: that device only.
 * So a stranger who tries passwords from elsewhere slows down the account for places it does not
 * know, and the owner, at home or on their phone, still gets in. Registering counts under the
 * client address too. Only keyed hashes are stored (throttle_key), never an email or address. */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <jwt.h>
#include <orcania.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "documents.h"
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
enum { LOGIN_EMAIL, LOGIN_PASSWORD, LOGIN_DEVICE_TOKEN, LOGIN_DEVICE_NAME, LOGIN_FIELDS };
static const struct field_rule login_fields[] = {
    [LOGIN_EMAIL] = {"email", FIELD_STRING, FIELD_REQUIRED | FIELD_STRING_TYPE, 0, 254, NULL, "too_long",
                     "at most 254 characters"},
    [LOGIN_PASSWORD] = {"password", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, PASSWORD_MAX, NULL, "length",
                        "1 to 256 characters"},
    /* The device token an earlier login gave this device; one the account does not know is no
     * error, the device is just not known. */
    [LOGIN_DEVICE_TOKEN] = {"device_token", FIELD_STRING, FIELD_STRING_TYPE, 1, 512, NULL, "invalid",
                            "not a device token"},
    /* What the person calls the device, shown in their list of sessions. */
    [LOGIN_DEVICE_NAME] = {"device_name", FIELD_TEXT, FIELD_STRING_TYPE, 1, 100, NULL, "length",
                           "use 1 to 100 characters, no control characters"},
    [LOGIN_FIELDS] = {NULL},
};

/* The most sessions GET /v1/me/sessions lists, most recently used first. */
#define AUTH_SESSIONS_LISTED_TEXT "100"

/* How long a place stays known after the last successful login from it. */
#define KNOWN_PLACE_DAYS 180
/* A key's failures are forgotten after this long without one. */
#define THROTTLE_FORGET_S (24 * 3600)

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
    /* Count a failure in a row ($1 key, $2 failures allowed, $3 first delay, $4 longest delay,
     * $5 seconds after which earlier failures are forgotten) and set the key's delay. */
    {"auth_throttle_fail",
     "INSERT INTO login_throttle AS t (key_hash, failures, last_failure_at, blocked_until) "
     "VALUES (decode($1, 'hex'), 1, now(), now() + login_delay(1, $2::int, $3::int, $4::int)) "
     "ON CONFLICT (key_hash) DO UPDATE SET "
     "failures = CASE WHEN t.last_failure_at < now() - make_interval(secs => $5::int) THEN 1 ELSE t.failures + 1 END, "
     "last_failure_at = now(), "
     "blocked_until = now() + login_delay(CASE WHEN t.last_failure_at < now() - make_interval(secs => $5::int) "
     "THEN 1 ELSE t.failures + 1 END, $2::int, $3::int, $4::int)"},
    {"auth_throttle_clear", "DELETE FROM login_throttle WHERE key_hash = decode($1, 'hex')"},
    /* Which of the places ($1 the address, $2 the device; keys of the account) the account knows. */
    {"auth_known_places",
     "SELECT key_hash = decode($1, 'hex') FROM login_known "
     "WHERE key_hash IN (decode($1, 'hex'), decode($2, 'hex')) AND last_success_at > now() - make_interval(days => "
     "$3::int)"},
    {"auth_known_remember",
     "INSERT INTO login_known (key_hash) VALUES (decode($1, 'hex')) "
     "ON CONFLICT (key_hash) DO UPDATE SET last_success_at = now()"},
    {"auth_person_by_email", "SELECT id, password_hash FROM persons WHERE email = $1"},
    {"auth_password_update", "UPDATE persons SET password_hash = $2, updated_at = now() WHERE id = $1"},
    /* No row when the email has an account: told without aborting the transaction. */
    {"auth_person_insert",
     "INSERT INTO persons (email, display_name, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING "
     "RETURNING id"},
    {"auth_refresh_insert",
     "INSERT INTO refresh_tokens (token_hash, family_id, person_id, expires_at) "
     "VALUES (decode($1, 'hex'), $2::uuid, $3, now() + make_interval(secs => $4::int))"},
    /* A session is a refresh family: started by a login, used and extended by every refresh. */
    {"auth_session_insert",
     "INSERT INTO sessions (id, person_id, device_name, expires_at) "
     "VALUES (gen_random_uuid(), $1, $2, now() + make_interval(secs => $3::int)) RETURNING id"},
    {"auth_session_touch",
     "UPDATE sessions SET last_used_at = now(), expires_at = now() + make_interval(secs => $2::int) WHERE id = $1"},
    {"auth_session_revoke", "UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"},
    /* Sign out everywhere: every session of the person, and every refresh token still usable (a
     * used one that comes back is a reuse, which ends its session anyway). */
    {"auth_sessions_revoke_all", "UPDATE sessions SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL"},
    {"auth_refresh_revoke_all",
     "UPDATE refresh_tokens SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL AND used_at IS NULL"},
    /* The person's live sessions, most recently used first. */
    {"auth_sessions_list",
     "SELECT d.doc FROM sessions s, session_doc(s, $2::uuid) d "
     "WHERE s.person_id = $1 AND s.revoked_at IS NULL AND s.expires_at > now() "
     "ORDER BY s.last_used_at DESC, s.id LIMIT " AUTH_SESSIONS_LISTED_TEXT},
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

/* Start a session of `person_id` on the device called `device_name` (NULL: unnamed) whose newest
 * refresh token expires in `ttl` seconds; its id into session_id. */
static enum result start_session(struct db_conn *conn, const char *person_id, const char *device_name, const char *ttl,
                                 char session_id[37], struct result_info *info) {
  PGresult *started = NULL;
  const char *params[3] = {person_id, device_name, ttl};
  enum result r = result_from_db(db_query(conn, "auth_session_insert", 3, params, &started), info);
  if (r == RESULT_OK) snprintf(session_id, 37, "%s", PQgetvalue(started, 0, 0));
  PQclear(started);
  return r;
}

/* Start a session for `person_id` (named `device_name`, NULL for none) with its first token pair,
 * or continue `session_id` with a new pair (a refresh), and build the pair. The session's id is
 * the refresh family's and the access token's sid. */
static enum result issue_tokens(struct db_conn *conn, const char *person_id, const char *session_id,
                                const char *device_name, json_t **tokens, struct result_info *info) {
  char ttl[16], new_session[37] = "";
  snprintf(ttl, sizeof ttl, "%d", config->refresh_token_ttl_s);
  enum result r;
  if (session_id == NULL) {
    r = start_session(conn, person_id, device_name, ttl, new_session, info);
    session_id = new_session;
  } else {
    r = result_from_db(db_exec(conn, "auth_session_touch", 2, (const char *[]){session_id, ttl}), info);
  }
  if (r != RESULT_OK) return r;
  char *refresh = digest_new_secret();
  char *access = auth_issue_access_token(person_id, session_id);
  char hash[DIGEST_HEX_LEN];
  r = RESULT_ERROR;
  if (refresh == NULL || access == NULL) goto done;
  digest_sha256_hex(refresh, hash);
  const char *params[4] = {hash, session_id, person_id, ttl};
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

/* The key of `kind` for `value` (and `place`, when not NULL: a place of the account `value`). */
static void throttle_key(const char *kind, const char *value, const char *place, char out[DIGEST_HEX_LEN]) {
  char *text = place != NULL ? msprintf("%s:%s\n%s", kind, value, place) : msprintf("%s:%s", kind, value);
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

/* Count a failure under `key`, which allows `max_failures` in a row before delays. */
static enum result throttle_fail(struct db_conn *conn, const char *key, int max_failures, struct result_info *info) {
  char max[16], first[16], longest[16], forget[16];
  snprintf(max, sizeof max, "%d", max_failures);
  snprintf(first, sizeof first, "%d", config->login_delay_s);
  snprintf(longest, sizeof longest, "%d", config->login_window_s);
  snprintf(forget, sizeof forget, "%d", THROTTLE_FORGET_S);
  return result_from_db(db_exec(conn, "auth_throttle_fail", 5, (const char *[]){key, max, first, longest, forget}),
                        info);
}

/* Where a login comes from, and the keys it is checked and counted under. */
struct login_place {
  char address[DIGEST_HEX_LEN];       /* the client address, for every login and registration */
  char account[DIGEST_HEX_LEN];       /* the account, from places it does not know */
  char known_address[DIGEST_HEX_LEN]; /* the account at this address */
  char known_device[DIGEST_HEX_LEN];  /* the account on the device of the token sent; "" without one */
  int address_known, device_known;
};

static void login_place_keys(const char *email, const char *client_address, const char *device_token,
                             struct login_place *p) {
  const char *address = client_address != NULL ? client_address : "unknown";
  memset(p, 0, sizeof *p);
  throttle_key("address", address, NULL, p->address);
  throttle_key("email", email, NULL, p->account);
  throttle_key("known-address", email, address, p->known_address);
  if (device_token != NULL) throttle_key("known-device", email, device_token, p->known_device);
}

/* Learn which places of `p` the account knows (inside an open transaction). */
static enum result login_place_read(struct db_conn *conn, struct login_place *p, struct result_info *info) {
  char days[16];
  snprintf(days, sizeof days, "%d", KNOWN_PLACE_DAYS);
  const char *device = p->known_device[0] != '\0' ? p->known_device : NULL;
  PGresult *known = NULL;
  enum result r = result_from_db(
      db_query(conn, "auth_known_places", 3, (const char *[]){p->known_address, device, days}, &known), info);
  for (int i = 0; r == RESULT_OK && i < PQntuples(known); i++) {
    if (strcmp(PQgetvalue(known, i, 0), "t") == 0)
      p->address_known = 1;
    else
      p->device_known = 1;
  }
  PQclear(known);
  return r;
}

/* The keys a login from `p` is checked and counted under, with the failures each allows: a known
 * device its own key only, else the address and the account there or from anywhere unknown. */
static size_t login_place_counted(const struct login_place *p, const char *keys[2], int allowed[2]) {
  if (p->device_known) {
    keys[0] = p->known_device;
    allowed[0] = config->login_max_failures;
    return 1;
  }
  keys[0] = p->address;
  allowed[0] = config->login_ip_max_failures;
  keys[1] = p->address_known ? p->known_address : p->account;
  allowed[1] = config->login_max_failures;
  return 2;
}

/* After a successful login or registration of `email` from `p`: forget the account's failures
 * there, remember the address, and give the device a token (the one it sent, when the account
 * knows it). Adds `device_token` to `tokens`. */
static enum result login_place_remember(struct db_conn *conn, const char *email, const struct login_place *p,
                                        const char *device_token, json_t *tokens, struct result_info *info) {
  const char *keys[2];
  int allowed[2];
  size_t n = login_place_counted(p, keys, allowed);
  enum result r = result_from_db(db_exec(conn, "auth_throttle_clear", 1, (const char *[]){keys[n - 1]}), info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "auth_known_remember", 1, (const char *[]){p->known_address}), info);
  char *new_token = p->device_known ? NULL : digest_new_secret();
  const char *token = p->device_known ? device_token : new_token;
  char device_key[DIGEST_HEX_LEN];
  if (r == RESULT_OK && token == NULL) r = RESULT_ERROR;
  if (r == RESULT_OK) {
    throttle_key("known-device", email, token, device_key);
    r = result_from_db(db_exec(conn, "auth_known_remember", 1, (const char *[]){device_key}), info);
  }
  if (r == RESULT_OK && json_object_set_new(tokens, "device_token", json_string(token)) != 0) r = RESULT_ERROR;
  o_free(new_token);
  return r;
}

enum result auth_login(json_t *body, const char *client_address, json_t **tokens, struct result_info *info) {
  *tokens = NULL;
  struct field_value v[LOGIN_FIELDS];
  if (fields_read(body, login_fields, v, info) != 0) return RESULT_INVALID;
  const char *email = v[LOGIN_EMAIL].text, *password = v[LOGIN_PASSWORD].text;
  const char *device_token = v[LOGIN_DEVICE_TOKEN].text;
  char *email_lower = lowercase(email);
  if (email_lower == NULL) return RESULT_ERROR;
  struct login_place place;
  login_place_keys(email_lower, client_address, device_token, &place);
  const char *keys[2];
  int allowed[2];

  struct db_context none = {0};
  struct db_conn *conn = NULL;
  PGresult *person = NULL;
  char person_id[37] = "", stored_hash[crypto_pwhash_STRBYTES] = "";
  enum result r = result_from_db(db_transaction_start(&conn, &none, NULL, NULL), info);
  if (r == RESULT_OK) r = login_place_read(conn, &place, info);
  size_t counted = login_place_counted(&place, keys, allowed);
  if (r == RESULT_OK) r = throttle_check(conn, keys[0], keys[counted - 1], info);
  if (r == RESULT_OK) r = result_from_db(db_set_lookup(conn, "email", email_lower), info);
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "auth_person_by_email", 1, (const char *[]){email_lower}, &person), info);
  if (r == RESULT_OK && PQntuples(person) == 1) {
    snprintf(person_id, sizeof person_id, "%s", PQgetvalue(person, 0, 0));
    snprintf(stored_hash, sizeof stored_hash, "%s", PQgetvalue(person, 0, 1));
  }
  PQclear(person);
  db_transaction_end(conn, 0);
  if (r != RESULT_OK) {
    o_free(email_lower);
    return r;
  }

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
    for (size_t i = 0; i < counted && r == RESULT_OK; i++) r = throttle_fail(conn, keys[i], allowed[i], info);
    /* Issue 10, item 8: once a notification channel exists, the owner is to be told here when
     * failures from places the account does not know start its delay (the account key reaching
     * login_max_failures), without saying from where. Nothing is sent yet. */
    if (r == RESULT_OK) {
      info->detail = "the email address or the password is wrong";
      r = RESULT_UNAUTHENTICATED;
    }
  } else if (r == RESULT_OK) {
    if (rehash != NULL)
      r = result_from_db(db_exec(conn, "auth_password_update", 2, (const char *[]){person_id, rehash}), info);
    if (r == RESULT_OK) r = issue_tokens(conn, person_id, NULL, v[LOGIN_DEVICE_NAME].text, tokens, info);
    if (r == RESULT_OK) r = login_place_remember(conn, email_lower, &place, device_token, *tokens, info);
  }
  o_free(rehash);
  o_free(email_lower);
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

/* End the session of a refresh family: its refresh tokens, and its access tokens at once. */
static enum result revoke_family(struct db_conn *conn, const char *person_id, const char *family_id,
                                 struct result_info *info) {
  struct db_context ctx = {.person_id = person_id};
  enum result r = result_from_db(db_set_context(conn, &ctx), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "auth_family_revoke", 1, (const char *[]){family_id}), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "auth_session_revoke", 1, (const char *[]){family_id}), info);
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
      if (r == RESULT_OK) r = issue_tokens(conn, person_id, family_id, NULL, tokens, info);
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
  char *email_lower = lowercase(email);
  if (email_lower == NULL) return RESULT_ERROR;
  struct login_place place; /* a new account knows no place: counted under the address */
  login_place_keys(email_lower, client_address, NULL, &place);
  const char *address_key = place.address;
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
    if (r == RESULT_OK) r = issue_tokens(conn, person_id, NULL, NULL, &tokens, info);
    if (r == RESULT_OK) r = login_place_remember(conn, email_lower, &place, NULL, tokens, info);
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

enum result auth_sessions_list(struct db_conn *conn, const char *person_id, const char *current_session, json_t **out,
                               struct result_info *info) {
  *out = NULL;
  json_t *items = NULL;
  enum result r =
      documents_list(conn, "auth_sessions_list", 2, (const char *[]){person_id, current_session}, &items, info);
  if (r == RESULT_OK && (*out = json_pack("{s:o}", "items", items)) == NULL) r = RESULT_ERROR;
  return r;
}

enum result auth_sessions_revoke_all(struct db_conn *conn, const char *person_id, struct result_info *info) {
  enum result r = result_from_db(db_exec(conn, "auth_sessions_revoke_all", 1, (const char *[]){person_id}), info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "auth_refresh_revoke_all", 1, (const char *[]){person_id}), info);
  return r;
}
