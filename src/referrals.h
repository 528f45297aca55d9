#ifndef NOABER_REFERRALS_H
#define NOABER_REFERRALS_H

#include <jansson.h>

#include "db/db.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* Referrals as records (issue 13): where the desk referred a help request to, when to follow it
 * up and what came of it (sent, accepted, arranged, failed). They are made by the refer action
 * and by a triage to the professional or business track that names a receiver
 * (help_request_actions.c); here they are read and followed up. The desk's only: anyone else
 * who can see the request gets RESULT_FORBIDDEN, anyone who cannot RESULT_NOT_FOUND.
 * Ownership as result.h says: inputs borrowed, *out a new reference the caller owns on
 * RESULT_OK only (NULL otherwise). */

int referrals_register_statements(void);

/* The referrals of request `request_id`, oldest first, as {items}. */
enum result referrals_list(struct db_conn *conn, const struct actor *actor, const char *request_id, json_t **out,
                           struct result_info *info);

/* Change referral `id` of request `request_id`: `outcome`, `follow_up_on`, `note` from `body`,
 * under `if_match` (required). RESULT_INVALID with info->errors, RESULT_PRECONDITION_REQUIRED or
 * _FAILED, RESULT_NOT_FOUND, RESULT_FORBIDDEN, or a database failure as result_from_db() sets it. */
enum result referrals_update(struct db_conn *conn, const struct actor *actor, const char *request_id, const char *id,
                             json_t *body, const struct precondition *if_match, json_t **out, struct result_info *info);

#endif
