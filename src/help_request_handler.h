#ifndef NOABER_HELP_REQUEST_HANDLER_H
#define NOABER_HELP_REQUEST_HANDLER_H

#include <jansson.h>

#include "db/db.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* Who at the desk handles a help request (sql/migrations/0022_desk_hours.sql): set at intake,
 * reassigned by the desk, each change kept in help_request_handlers. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int help_request_handler_register_statements(void);

/* Whether `person_id` may handle requests of the caller's community: a current coordinator (or
 * admin). RESULT_OK; RESULT_INVALID with the error on `field`; or a database failure. */
enum result help_request_handler_check(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                       const char *field, struct result_info *info);

/* Record that request `id` is handled by `handler_id` (NULL: by the desk as a whole) from now:
 * the request's column and its history. Checks nothing. RESULT_OK or a database failure. */
enum result help_request_handler_record(struct db_conn *conn, const struct actor *actor, const char *id,
                                        const char *handler_id, struct result_info *info);

/* POST .../help-requests/{id}/handler with `body` {handler_id: id or null}: the desk hands the
 * request to a coordinator, or back to the desk. Coordinators and admins only, under If-Match
 * (the request's ETag). RESULT_OK with *out the request (a new reference); RESULT_NOT_FOUND
 * for a request the caller cannot see, before RESULT_FORBIDDEN for one she can; RESULT_INVALID with info->errors; RESULT_PRECONDITION_REQUIRED / _FAILED;
 * or a database failure. */
enum result help_request_handler_assign(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                        const struct precondition *if_match, json_t **out, struct result_info *info);

#endif
