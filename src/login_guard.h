#ifndef NOABER_LOGIN_GUARD_H
#define NOABER_LOGIN_GUARD_H

#include <stddef.h>

#include "db/db.h"
#include "result.h"
#include "support/config.h"
#include "support/digest.h"

/* Slowing down failed logins and registrations, per client address and per account at a place
 * (the rules are in login_guard.c). Used by auth.c only; every call runs inside the caller's open
 * transaction. Ownership as result.h says. */

/* Registers auth_throttle_blocked, auth_throttle_fail, auth_throttle_clear, auth_known_places and
 * auth_known_remember. 0, or -1 when out of memory. */
int login_guard_register_statements(void);
/* Keep `cfg` (borrowed; must outlive the guard): its limits and the key the hashes are made with. */
void login_guard_init(const struct config *cfg);

/* `s` in lower case: a new string the caller o_free()s, NULL when out of memory. */
char *login_email_lowercase(const char *s);

/* Where a login comes from, and the keys it is checked and counted under. */
struct login_place {
  char address[DIGEST_HEX_LEN];       /* the client address, for every login and registration */
  char account[DIGEST_HEX_LEN];       /* the account, from places it does not know */
  char known_address[DIGEST_HEX_LEN]; /* the account at this address */
  char known_device[DIGEST_HEX_LEN];  /* the account on the device of the token sent; "" without one */
  int address_known, device_known;
};

/* Fill `p` with the keys of a login of `email` from `client_address` (NULL: unknown) with the
 * device token `device_token` (NULL: none). */
void login_place_keys(const char *email, const char *client_address, const char *device_token, struct login_place *p);
/* Learn which places of `p` the account knows. */
enum result login_place_read(struct db_conn *conn, struct login_place *p, struct result_info *info);
/* The keys (1 or 2, into keys[]) a login from `p` is checked and counted under, with the failures
 * each allows before delays (into allowed[]). The keys are borrowed from `p`. */
size_t login_place_counted(const struct login_place *p, const char *keys[2], int allowed[2]);
/* After a successful login or registration of `email` from `p`: forget the account's failures
 * there, remember the address, and add a device token to `tokens` (the one the device sent,
 * `device_token`, when the account knows it; else a new one). */
enum result login_place_remember(struct db_conn *conn, const char *email, const struct login_place *p,
                                 const char *device_token, json_t *tokens, struct result_info *info);

/* RESULT_TOO_MANY with info->retry_after when key1 or key2 must still wait, else RESULT_OK. */
enum result login_guard_check(struct db_conn *conn, const char *key1, const char *key2, struct result_info *info);
/* Count a failure under `key`, which allows `max_failures` in a row before delays. */
enum result login_guard_fail(struct db_conn *conn, const char *key, int max_failures, struct result_info *info);
/* Count a failure under a client address key (a registration that failed). */
enum result login_guard_fail_address(struct db_conn *conn, const char *address_key, struct result_info *info);

#endif
