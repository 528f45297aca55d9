#ifndef NOABER_AUTH_H
#define NOABER_AUTH_H

#include "result.h"
#include "support/config.h"

/*
 * Authentication: argon2id passwords, short-lived HS256 access tokens (JWT, kid-selected key,
 * algorithm pinned, iss/aud/exp/iat checked), opaque rotating refresh tokens stored as hashes
 * with reuse detection per family, and throttling of failed logins per account and address.
 * These operations open their own short transactions so a slow password hash never holds a
 * pooled connection.
 */

/* Keep `cfg` (borrowed; must outlive auth) and prepare the dummy hash used for unknown emails.
 * Returns 0 or -1. */
int auth_init(const struct config *cfg);
int auth_register_statements(void);

/* argon2id hash at the configured cost; caller o_free()s; NULL on failure. */
char *auth_hash_password(const char *password);

/* A TokenPair JSON ({access_token, token_type, expires_in, refresh_token}) on success. */
enum result auth_login(const char *email, const char *password, const char *client_address, json_t **tokens,
                       struct result_info *info);
enum result auth_refresh(const char *refresh_token, json_t **tokens, struct result_info *info);
enum result auth_logout(const char *refresh_token, struct result_info *info);

/* Join with an invitation as a new person: {me, tokens} on RESULT_CREATED. */
enum result auth_register(const char *invitation_code, const char *email, const char *password,
                          const char *display_name, json_t **out, struct result_info *info);

/* Check a bearer access token. RESULT_OK with person_id (37 bytes) filled, or RESULT_UNAUTHENTICATED
 * with info->detail saying why in general terms. Pure: no database. */
enum result auth_verify_access_token(const char *token, char person_id[37], struct result_info *info);

/* Sign an access token for person_id (caller free()s it). NULL on failure. */
char *auth_issue_access_token(const char *person_id);

#endif
