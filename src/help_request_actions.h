#ifndef NOABER_HELP_REQUEST_ACTIONS_H
#define NOABER_HELP_REQUEST_ACTIONS_H

#include <jansson.h>

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* The help request state machine's actions as clients call them; which action is allowed in
 * which status is help_transition() (desk_rules.h), who may call which is decided here. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int help_request_actions_register_statements(void);

/* A state action by name (triage, refer, reject, cancel, offer, board, confirm, ask-other) on
 * request `id`, with its body (borrowed; note, referral or volunteer_ids by action; triage needs a
 * track, refer means professional unless it says business: help_action_track()). Triage and refer
 * store the track on the request and in the transition, and make a referral record (referrals.h)
 * for a receiver. The desk runs the process; the resident may cancel, confirm and ask for someone
 * else.
 * RESULT_OK with *out the request after the action (a new reference the caller owns). On failure
 * *out is NULL and: RESULT_NOT_FOUND for an unknown action, or a request the caller cannot see;
 * RESULT_INVALID with info->errors; RESULT_FORBIDDEN; RESULT_CONFLICT with a static info->detail
 * and the current_state extension; or a database failure as result_from_db() sets it. */
enum result help_requests_act(struct db_conn *conn, const struct actor *actor, const char *id, const char *action,
                              json_t *body, json_t **out, struct result_info *info);

/* A request the desk recorded as referred when it entered it (help_request_create.c): its track
 * (`track`: professional or business) is stored and a referral record made to where the request
 * was referred, as the refer action does. RESULT_OK or a database failure. */
enum result help_request_referred_at_intake(struct db_conn *conn, const struct actor *actor, const char *id,
                                            const char *track, struct result_info *info);

#endif
