/* Passwords, access tokens, refresh tokens and sessions.
 *
 * A session is one login: a refresh family, whose id the access tokens carry as `sid`. Every
 * request checks its session with its context (db_context.session_id), so ending a session (logout,
 * a refresh token reused, signing out everywhere) stops its access tokens at once.
 *
 * Failed logins and registrations are slowed down by login_guard.h. */
#include "auth.h"

#include <orcania.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "documents.h"
#include "fields.h"
#include "invitations.h"
#include "login_guard.h"
#include "members.h"
#include "support/digest.h"

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

/* The refresh and logout body: an opaque token. */
static const struct field_rule refresh_fields[] = {
    {"refresh_token", FIELD_STRING, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 512, NULL, "invalid", "not a refresh token"},
    {NULL},
};

enum {
  REGISTER_CODE,
  REGISTER_EMAIL,
  REGISTER_PASSWORD,
  REGISTER_NAME,
  REGISTER_PHONE,
  REGISTER_LANGUAGE,
  REGISTER_FIELDS
};
static const char *const register_languages[] = {"nl", "en", NULL};
static const struct field_rule register_fields[] = {
    [REGISTER_CODE] = INVITATION_CODE_RULE,
    [REGISTER_EMAIL] = {"email", FIELD_EMAIL, FIELD_REQUIRED | FIELD_STRING_TYPE, 0, 0, NULL, "invalid",
                        "not an email address"},
    [REGISTER_PASSWORD] = {"password", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, PASSWORD_MIN, PASSWORD_MAX, NULL,
                           "length", "use 12 to 256 characters"},
    [REGISTER_NAME] = {"display_name", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 100, NULL, "length",
                       "use 1 to 100 characters, no control characters"},
    /* Optional, as PATCH /v1/me takes them later (members.h). */
    [REGISTER_PHONE] = {"phone", FIELD_STRING, FIELD_STRING_TYPE, 1, 40, NULL, "invalid", PHONE_MESSAGE},
    [REGISTER_LANGUAGE] = {"language", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, register_languages, "invalid", "nl or en"},
    [REGISTER_FIELDS] = {NULL},
};

static const struct config *config;
static char dummy_hash[crypto_pwhash_STRBYTES];

static const struct db_statement statements[] = {
    /* A person the desk registered has no password: no account to log in to, told like an
     * unknown email (the dummy hash keeps the time the same). */
    {"auth_person_by_email", "SELECT id, password_hash FROM persons WHERE email = $1 AND password_hash IS NOT NULL"},
    /* Registering with an invitation made for a person the desk registered: that person gets the
     * login, never a second account. No row when someone attached one already. */
    {"auth_person_attach",
     "UPDATE persons SET email = $2, display_name = $3, password_hash = $4, phone = COALESCE($5, phone), "
     "language = COALESCE($6, language), updated_at = clock_timestamp() "
     "WHERE id = $1 AND password_hash IS NULL RETURNING id"},
    /* Whether the address belongs to a person the desk registered, who has no login yet. */
    {"auth_email_without_login", "SELECT 1 FROM persons WHERE email = $1 AND password_hash IS NULL"},
    {"auth_password_update", "UPDATE persons SET password_hash = $2, updated_at = now() WHERE id = $1"},
    /* No row when the email has an account: told without aborting the transaction. */
    {"auth_person_insert",
     "INSERT INTO persons (email, display_name, password_hash, phone, language) "
     "VALUES ($1, $2, $3, $4, COALESCE($5, 'nl')) ON CONFLICT (email) DO NOTHING RETURNING id"},
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
     "ORDER BY s.last_used_at DESC, s.id LIMIT 100"},
    {"auth_refresh_find",
     "SELECT person_id, family_id, used_at IS NOT NULL, revoked_at IS NOT NULL OR expires_at <= now() "
     "FROM refresh_tokens WHERE token_hash = decode($1, 'hex') FOR UPDATE"},
    {"auth_refresh_use", "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = decode($1, 'hex')"},
    {"auth_family_revoke", "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL"},
    /* Registration retried with its Idempotency-Key: which account the key made (kept a day). */
    {"auth_registration_key_find",
     "SELECT person_id, encode(request_hash, 'hex') FROM registration_keys "
     "WHERE key_hash = decode($1, 'hex') AND created_at > now() - interval '24 hours'"},
    {"auth_registration_key_insert",
     "INSERT INTO registration_keys (key_hash, person_id, request_hash) VALUES (decode($1, 'hex'), $2, decode($3, 'hex'))"},
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
  login_guard_init(cfg);
  access_tokens_init(cfg);
  char *random_password = digest_new_secret();
  char *hash = random_password != NULL ? auth_hash_password(random_password) : NULL;
  o_free(random_password);
  if (hash == NULL) return -1;
  snprintf(dummy_hash, sizeof dummy_hash, "%s", hash);
  o_free(hash);
  return 0;
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

/* End the transaction: commit when `save` (a success, or a failure that must be counted or a
 * family that must stay revoked even though the caller hears "no"), else roll back. */
static enum result finish(struct db_conn *conn, enum result r, int save, struct result_info *info) {
  enum db_status st = db_transaction_end(conn, save);
  if (save && st != DB_OK) return result_from_db(st, info); /* never RESULT_OK for a failed commit */
  return r;
}

enum result auth_login(json_t *body, const char *client_address, json_t **tokens, struct result_info *info) {
  *tokens = NULL;
  struct field_value v[LOGIN_FIELDS];
  if (fields_read(body, login_fields, v, info) != 0) return RESULT_INVALID;
  const char *email = v[LOGIN_EMAIL].text, *password = v[LOGIN_PASSWORD].text;
  const char *device_token = v[LOGIN_DEVICE_TOKEN].text;
  char *email_lower = login_email_lowercase(email);
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
  if (r == RESULT_OK) r = login_guard_check(conn, keys[0], keys[counted - 1], info);
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
    for (size_t i = 0; i < counted && r == RESULT_OK; i++) r = login_guard_fail(conn, keys[i], allowed[i], info);
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
  if (r == RESULT_OK) r = login_guard_check(conn, address_key, address_key, info);
  if (r == RESULT_OK) r = invitations_usable(conn, code, email, info);
  int counted = 0;
  if (r == RESULT_INVALID) {
    enum result c = login_guard_fail_address(conn, address_key, info);
    if (c != RESULT_OK) r = c;
    counted = c == RESULT_OK;
  }
  return finish(conn, r, counted, info);
}

/* What a registration's Idempotency-Key stands for: the request without its password, so that no
 * fast hash of a password is ever stored. */
static void registration_request_hash(json_t *body, char out[DIGEST_HEX_LEN]) {
  json_t *copy = json_copy(body);
  if (copy != NULL) json_object_del(copy, "password");
  char *text = copy != NULL ? json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  digest_sha256_hex(text != NULL ? text : "", out);
  free(text);
  json_decref(copy);
}

/* A registration sent again with its Idempotency-Key, after the first answer was lost: when the key
 * made an account (*found), the same request whose password opens that account gets that account
 * again, with a new session ({me, tokens}, RESULT_CREATED); another request with the key is
 * RESULT_IDEMPOTENCY_MISMATCH, and a wrong password counts as a failure of the address, as a
 * failed login does. *found = 0 and RESULT_OK when the key made nothing (yet). */
static enum result register_replay(const char *key_hash, const char *request_hash, const char *email_lower,
                                   const char *password, const char *address_key, json_t **out, int *found,
                                   struct result_info *info) {
  *found = 0;
  struct db_context none = {0};
  struct db_conn *conn = NULL;
  PGresult *res = NULL;
  char person_id[37] = "", account_id[37] = "", stored_hash[crypto_pwhash_STRBYTES] = "";
  int same_request = 0;
  enum result r = result_from_db(db_transaction_start(&conn, &none, NULL, NULL), info);
  if (r == RESULT_OK) r = login_guard_check(conn, address_key, address_key, info);
  if (r == RESULT_OK) r = result_from_db(db_set_lookup(conn, "registration_key", key_hash), info);
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "auth_registration_key_find", 1, (const char *[]){key_hash}, &res), info);
  if (r == RESULT_OK && PQntuples(res) == 1) {
    snprintf(person_id, sizeof person_id, "%s", PQgetvalue(res, 0, 0));
    same_request = strcmp(PQgetvalue(res, 0, 1), request_hash) == 0;
  }
  PQclear(res);
  res = NULL;
  if (r == RESULT_OK && person_id[0] != '\0') r = result_from_db(db_set_lookup(conn, "email", email_lower), info);
  if (r == RESULT_OK && person_id[0] != '\0')
    r = result_from_db(db_query(conn, "auth_person_by_email", 1, (const char *[]){email_lower}, &res), info);
  if (r == RESULT_OK && res != NULL && PQntuples(res) == 1) {
    snprintf(account_id, sizeof account_id, "%s", PQgetvalue(res, 0, 0));
    snprintf(stored_hash, sizeof stored_hash, "%s", PQgetvalue(res, 0, 1));
  }
  PQclear(res);
  db_transaction_end(conn, 0);
  if (r != RESULT_OK || person_id[0] == '\0') return r;
  *found = 1;
  int opens = same_request && strcmp(account_id, person_id) == 0 &&
              crypto_pwhash_str_verify(stored_hash, password, strlen(password)) == 0;
  sodium_memzero(stored_hash, sizeof stored_hash);

  struct db_context as_person = {.person_id = person_id};
  json_t *me = NULL, *tokens = NULL;
  r = result_from_db(db_transaction_start(&conn, opens ? &as_person : &none, NULL, NULL), info);
  if (r == RESULT_OK && !opens) {
    if (same_request) r = login_guard_fail_address(conn, address_key, info);
    if (r == RESULT_OK) r = RESULT_IDEMPOTENCY_MISMATCH;
  } else if (r == RESULT_OK) {
    r = members_me(conn, person_id, &me, info);
    if (r == RESULT_OK) r = issue_tokens(conn, person_id, NULL, NULL, &tokens, info);
    if (r == RESULT_OK && (*out = json_pack("{s:O, s:O}", "me", me, "tokens", tokens)) == NULL) r = RESULT_ERROR;
  }
  json_decref(me);
  json_decref(tokens);
  int save = r == RESULT_OK || r == RESULT_IDEMPOTENCY_MISMATCH;
  r = finish(conn, r, save, info);
  if (r != RESULT_OK) {
    json_decref(*out);
    *out = NULL;
    return r;
  }
  return RESULT_CREATED;
}

enum result auth_register(json_t *body, const char *client_address, const char *idempotency_key, json_t **out,
                          int *replayed, struct result_info *info) {
  *out = NULL;
  *replayed = 0;
  struct field_value v[REGISTER_FIELDS];
  char phone[PHONE_E164_SIZE];
  fields_read(body, register_fields, v, info);
  members_phone_of_body(&v[REGISTER_PHONE], phone, info);
  if (info->errors != NULL) return RESULT_INVALID;
  const char *invitation_code = v[REGISTER_CODE].text, *email = v[REGISTER_EMAIL].text;
  const char *password = v[REGISTER_PASSWORD].text, *display_name = v[REGISTER_NAME].text;
  char *email_lower = login_email_lowercase(email);
  if (email_lower == NULL) return RESULT_ERROR;
  struct login_place place; /* a new account knows no place: counted under the address */
  login_place_keys(email_lower, client_address, NULL, &place);
  const char *address_key = place.address;
  char key_hash[DIGEST_HEX_LEN] = "", request_hash[DIGEST_HEX_LEN] = "";
  enum result r = RESULT_OK;
  if (idempotency_key != NULL) {
    digest_sha256_hex(idempotency_key, key_hash);
    registration_request_hash(body, request_hash);
    r = register_replay(key_hash, request_hash, email_lower, password, address_key, out, replayed, info);
    if (r != RESULT_OK || *replayed) {
      o_free(email_lower);
      return r;
    }
  }
  r = register_precheck(invitation_code, email_lower, address_key, info);
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
  char invited[37] = "";
  if (r == RESULT_OK) r = invitations_person(conn, invitation_code, email_lower, invited, info);
  if (r == RESULT_OK && invited[0] != '\0') {
    /* The invitation names the person: the statement runs as that person, whose row it changes. */
    struct db_context as_invited = {.person_id = invited};
    r = result_from_db(db_set_context(conn, &as_invited), info);
    if (r == RESULT_OK)
      r = result_from_db(db_query(conn, "auth_person_attach", 6,
                                  (const char *[]){invited, email_lower, display_name, hash,
                                                   phone[0] != '\0' ? phone : NULL, v[REGISTER_LANGUAGE].text},
                                  &inserted),
                         info);
    if (r == RESULT_CONFLICT) {
      info->detail = "an account with this email address exists: log in and accept the invitation";
    }
  }
  if (r == RESULT_OK && invited[0] == '\0') r = result_from_db(db_set_lookup(conn, "email", email_lower), info);
  if (r == RESULT_OK && invited[0] == '\0')
    r = result_from_db(db_query(conn, "auth_person_insert", 5,
                                (const char *[]){email_lower, display_name, hash, phone[0] != '\0' ? phone : NULL,
                                                 v[REGISTER_LANGUAGE].text},
                                &inserted),
                       info);
  if (r == RESULT_OK && PQntuples(inserted) != 1) {
    /* Only someone with a usable invitation for this address hears this, and it counts as a
     * failure: an open invitation's holder cannot try emails freely. */
    info->detail = "an account with this email address exists: log in and accept the invitation";
    /* Nobody logs in as a person the desk registered: only an invitation in her name attaches a
     * login to her (a code for anyone could otherwise take over her record). */
    PGresult *desk_only = NULL;
    r = result_from_db(db_query(conn, "auth_email_without_login", 1, (const char *[]){email_lower}, &desk_only), info);
    if (r == RESULT_OK && PQntuples(desk_only) == 1)
      info->detail =
          "the desk registered this email address for someone without a login: ask the desk for an "
          "invitation in that person's name";
    PQclear(desk_only);
    if (r == RESULT_OK) r = login_guard_fail_address(conn, address_key, info);
    save = r == RESULT_OK;
    if (r == RESULT_OK) r = RESULT_CONFLICT;
  } else if (r == RESULT_OK) {
    char person_id[37];
    snprintf(person_id, sizeof person_id, "%s", PQgetvalue(inserted, 0, 0));
    r = invitations_redeem(conn, invitation_code, person_id, email_lower, community_id, info);
    if (r == RESULT_OK && key_hash[0] != '\0')
      r = result_from_db(db_set_lookup(conn, "registration_key", key_hash), info);
    if (r == RESULT_OK && key_hash[0] != '\0')
      r = result_from_db(
          db_exec(conn, "auth_registration_key_insert", 3, (const char *[]){key_hash, person_id, request_hash}), info);
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
