#ifndef NOABER_MATCHING_H
#define NOABER_MATCHING_H

#include <jansson.h>

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* Matching suggestions: the best volunteers for a help request, for the coordinator. Who may be
 * suggested at all is volunteer_candidates() and volunteer_room()
 * (sql/migrations/0009_lean_suggestions.sql); how one volunteer scores is match_rank()
 * (desk_rules.h); the search that asks about as few candidates as it can is here. */

int matching_register_statements(void);

/* The best `limit` (1..50) volunteers for request `id`, as {items: [{volunteer_id, display_name,
 * score, factors, distance_km, reason}]}, best first; coordinators and admins only
 * (RESULT_FORBIDDEN), RESULT_NOT_FOUND when there is no such request. Sets *out to NULL first;
 * on RESULT_OK *out is a new reference the caller owns (json_decref); on failure it stays NULL
 * (a database failure as result_from_db() sets it in *info, RESULT_ERROR when out of memory). */
enum result help_requests_suggestions(struct db_conn *conn, const struct actor *actor, const char *id, int limit,
                                      json_t **out, struct result_info *info);

#endif
