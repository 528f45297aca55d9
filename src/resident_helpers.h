#ifndef NOABER_RESIDENT_HELPERS_H
#define NOABER_RESIDENT_HELPERS_H

#include <jansson.h>

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* A resident's preferred and blocked helpers in a community. Matching reads them (the preferred
 * factor, and no blocked helper is ever eligible: sql/migrations); they are kept here.
 *
 * Both functions set *out to NULL first; on RESULT_OK *out is {preferred: [ids], blocked: [ids]},
 * a new reference the caller owns (json_decref); on failure it stays NULL. Residents only:
 * RESULT_FORBIDDEN for anyone else. A database failure as result_from_db() sets it in *info. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int resident_helpers_register_statements(void);

/* The lists of `resident_id` (the resident_id query parameter; NULL: the caller's own). Only the
 * desk reads another resident's (RESULT_FORBIDDEN otherwise), and she must be a resident of the
 * community: RESULT_UNPROCESSABLE with a field error `resident_id` when not. */
enum result help_requests_helpers_get(struct db_conn *conn, const struct actor *actor, const char *resident_id,
                                      json_t **out, struct result_info *info);

/* Replace the lists with the body's (borrowed): {preferred, blocked}, each at most 50 person ids
 * of members of the community, none in both; the caller's own, or with {on_behalf_of, channel}
 * the lists of that resident, kept by the desk on her behalf (on_behalf.h: recorded, refused as
 * it says). RESULT_INVALID with info->errors when it does not fit. */
enum result help_requests_helpers_put(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                      struct result_info *info);

#endif
