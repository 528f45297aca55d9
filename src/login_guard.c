/* Failed logins and registrations slow down; they never lock an account (see login_guard.h).
 *
 * Every key of
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
#include "login_guard.h"

#include <ctype.h>
#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/digest.h"

/* How long a place stays known after the last successful login from it. */
#define KNOWN_PLACE_DAYS 180
/* A key's failures are forgotten after this long without one. */
#define THROTTLE_FORGET_S (24 * 3600)

static const struct config *config;

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
};

int login_guard_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

void login_guard_init(const struct config *cfg) { config = cfg; }

char *login_email_lowercase(const char *s) {
  char *copy = o_strdup(s);
  for (char *p = copy; p != NULL && *p; p++) *p = (char)tolower((unsigned char)*p);
  return copy;
}

/* The key of `kind` for `value` (and `place`, when not NULL: a place of the account `value`). */
static void throttle_key(const char *kind, const char *value, const char *place, char out[DIGEST_HEX_LEN]) {
  char *text = place != NULL ? msprintf("%s:%s\n%s", kind, value, place) : msprintf("%s:%s", kind, value);
  const struct jwt_key *key = &config->jwt_keys[0];
  digest_keyed_hex(key->secret, key->secret_len, text != NULL ? text : kind, out);
  o_free(text);
}

/* RESULT_TOO_MANY with info->retry_after when either key is blocked, else RESULT_OK. */
enum result login_guard_check(struct db_conn *conn, const char *key1, const char *key2, struct result_info *info) {
  PGresult *blocked = NULL;
  enum result r =
      result_from_db(db_query(conn, "auth_throttle_blocked", 2, (const char *[]){key1, key2}, &blocked), info);
  if (r == RESULT_OK && (info->retry_after = atoi(PQgetvalue(blocked, 0, 0))) > 0) r = RESULT_TOO_MANY;
  PQclear(blocked);
  return r;
}

/* Count a failure under `key`, which allows `max_failures` in a row before delays. */
enum result login_guard_fail(struct db_conn *conn, const char *key, int max_failures, struct result_info *info) {
  char max[16], first[16], longest[16], forget[16];
  snprintf(max, sizeof max, "%d", max_failures);
  snprintf(first, sizeof first, "%d", config->login_delay_s);
  snprintf(longest, sizeof longest, "%d", config->login_window_s);
  snprintf(forget, sizeof forget, "%d", THROTTLE_FORGET_S);
  return result_from_db(db_exec(conn, "auth_throttle_fail", 5, (const char *[]){key, max, first, longest, forget}),
                        info);
}

void login_place_keys(const char *email, const char *client_address, const char *device_token, struct login_place *p) {
  const char *address = client_address != NULL ? client_address : "unknown";
  memset(p, 0, sizeof *p);
  throttle_key("address", address, NULL, p->address);
  throttle_key("email", email, NULL, p->account);
  throttle_key("known-address", email, address, p->known_address);
  if (device_token != NULL) throttle_key("known-device", email, device_token, p->known_device);
}

/* Learn which places of `p` the account knows (inside an open transaction). */
enum result login_place_read(struct db_conn *conn, struct login_place *p, struct result_info *info) {
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
size_t login_place_counted(const struct login_place *p, const char *keys[2], int allowed[2]) {
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
enum result login_place_remember(struct db_conn *conn, const char *email, const struct login_place *p,
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

enum result login_guard_fail_address(struct db_conn *conn, const char *address_key, struct result_info *info) {
  return login_guard_fail(conn, address_key, config->login_ip_max_failures, info);
}
