#ifndef NOABER_ACCESS_TOKENS_H
#define NOABER_ACCESS_TOKENS_H

#include "result.h"
#include "support/config.h"

/* Access tokens (auth.h issues them with a session; api/ checks them on every request). */

/* Keep `cfg` (borrowed; must outlive the tokens): its keys, issuer, audience and lifetime. */
void access_tokens_init(const struct config *cfg);

/* Check a bearer access token. RESULT_OK with person_id and session_id (37 bytes each: the
 * token's sub and sid) filled, or RESULT_UNAUTHENTICATED with info->detail saying why in general
 * terms. Pure: no database; whether the session is still live is checked with the request's
 * context (db_context.session_id). */
enum result auth_verify_access_token(const char *token, char person_id[37], char session_id[37],
                                     struct result_info *info);

/* Sign an access token for person_id in session_id (caller free()s it). NULL on failure. */
char *auth_issue_access_token(const char *person_id, const char *session_id);

#endif
