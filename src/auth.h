#ifndef NOABER_AUTH_H
#define NOABER_AUTH_H

#include "access_tokens.h"
#include "result.h"
#include "support/config.h"

/*
 * Authentication: argon2id passwords, short-lived HS256 access tokens (JWT, kid-selected key,
 * algorithm pinned, iss/aud/exp/iat checked), opaque rotating refresh tokens stored as hashes
 * with reuse detection per family, and throttling of failed logins per account and address.
 * These operations open their own short transactions so a slow password hash never holds a
 * pooled connection.
 */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

/* Keep `cfg` (borrowed; must outlive auth) and prepare the dummy hash used for unknown emails.
 * Returns 0 or -1. */
int auth_init(const struct config *cfg);
int auth_register_statements(void);

/* argon2id hash at the configured cost; caller o_free()s; NULL on failure. */
char *auth_hash_password(const char *password);

/* The operations below take the request body (a JSON object, borrowed) and check it first:
 * RESULT_INVALID with every problem in info->errors when it does not fit, before anything else. */

/* Log in with {email, password, device_token?, device_name?}: a TokenPair JSON ({access_token,
 * token_type, expires_in, refresh_token, device_token}) of a new session in *tokens (the caller's)
 * on RESULT_OK; RESULT_UNAUTHENTICATED for a wrong email or password, RESULT_TOO_MANY
 * (info->retry_after) when throttled. */
enum result auth_login(json_t *body, const char *client_address, json_t **tokens, struct result_info *info);
/* Trade {refresh_token} for a new TokenPair, as auth_login(). */
enum result auth_refresh(json_t *body, json_t **tokens, struct result_info *info);
/* End the login of {refresh_token}; RESULT_OK also for an unknown token. */
enum result auth_logout(json_t *body, struct result_info *info);

/* Join with an invitation as a new person, from {invitation_code, email, password,
 * display_name}, from `client_address` (borrowed; NULL when unknown): {me, tokens} (the caller's)
 * on RESULT_CREATED. The invitation is checked first, and a code that cannot be used with this
 * email (unknown, used, revoked, expired, or sent to another address) is RESULT_INVALID (field
 * invitation_code) whether or not the email has an account; RESULT_CONFLICT when the invitation
 * is usable and the email has an account. Both count as failures of the client's address, as
 * failed logins do: RESULT_TOO_MANY (info->retry_after) when the address is throttled.
 * With an `idempotency_key` (may be NULL), a retry of a registration that succeeded answers again
 * with that account and a new session (*replayed = 1) when the request is the same and its
 * password opens the account; the key with another request is RESULT_IDEMPOTENCY_MISMATCH. */
enum result auth_register(json_t *body, const char *client_address, const char *idempotency_key, json_t **out,
                          int *replayed, struct result_info *info);

/* The live sessions of `person_id` (inside the request's transaction, as that person):
 * {items: [Session]} in *out, most recently used first, at most 100; `current_session` is marked
 * `current`. */
enum result auth_sessions_list(struct db_conn *conn, const char *person_id, const char *current_session, json_t **out,
                               struct result_info *info);

/* Sign out everywhere: end every session of `person_id` (inside the request's transaction, as
 * that person), the request's own included. Their access tokens stop working at once. */
enum result auth_sessions_revoke_all(struct db_conn *conn, const char *person_id, struct result_info *info);

#endif
