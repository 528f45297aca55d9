#ifndef NOABER_HELP_REQUEST_CREATE_H
#define NOABER_HELP_REQUEST_CREATE_H

#include <jansson.h>

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* A new help request, asked by a resident or entered by the desk for one. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

/* Registers hr_resident_roles, hr_insert and hr_occurrences. 0, or -1 when out of memory. */
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

#endif
