#ifndef NOABER_HELP_REQUEST_CREATE_H
#define NOABER_HELP_REQUEST_CREATE_H

#include <jansson.h>

#include "db/db.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* A new help request, asked by a resident or entered by the desk for one. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

/* Registers hr_resident_roles, hr_insert, hr_occurrences and the statements of a change. 0, or -1 when out of memory. */
int help_request_create_register_statements(void);

/* Create a request from a request body (validated here). RESULT_CREATED with *out the request as
 * help_requests_get() shows it. RESULT_INVALID with info->errors for a body that does not fit (a
 * member of when, recurrence or place named by its path, `place.lat`);
 * RESULT_FORBIDDEN (with a static info->detail) for a guest, or for someone other than the desk
 * entering it for someone else or recording a referral; RESULT_POLICY_REFUSED with the rule and
 * referral extensions when the category's policy does not allow it (unless the desk records it
 * as referred). */
enum result help_requests_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                 struct result_info *info);

/* Change a request while no helper is sought yet (submitted or triaged), by its resident or the
 * desk, when `if_match` names its current version (its ETag, the same in every language): `body`
 * holds any of description, when, recurrence (null: no longer recurring), place, in_home and urgency, checked as for a new
 * request, and the category's policy again when the time or recurrence changes (then the
 * occurrences are made again). RESULT_OK with *out the request as help_requests_get() shows it;
 * RESULT_INVALID with field errors; RESULT_PRECONDITION_REQUIRED or _FAILED; RESULT_NOT_FOUND when
 * the caller does not see it; RESULT_FORBIDDEN for anyone else who sees it; RESULT_CONFLICT with
 * current_state once a helper is sought or found, and for a change of the time once some date was
 * done; RESULT_POLICY_REFUSED as for a new request. */
enum result help_requests_update(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                 const struct precondition *if_match, json_t **out, struct result_info *info);

#endif
