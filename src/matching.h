#ifndef NOABER_MATCHING_H
#define NOABER_MATCHING_H

#include <jansson.h>

#include "db/db.h"
#include "desk_rules.h"
#include "result.h"
#include "roles.h"

/* Matching suggestions: the best volunteers for a help request, for the coordinator. Who may be
 * suggested at all is volunteer_candidates() and volunteer_room()
 * (sql/migrations/0009_lean_suggestions.sql); how one volunteer scores is match_rank()
 * (desk_rules.h); the search that asks about as few candidates as it can is here. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int matching_register_statements(void);

/* The best `limit_text` (the query parameter: 1..50, 10 when NULL) volunteers for request `id`,
 * as {items: [{volunteer_id, display_name, score, factors, distance_km, reason, penalty}]}, best first;
 * RESULT_INVALID with a field error for another limit (before anything else), coordinators and
 * admins only (RESULT_FORBIDDEN), RESULT_NOT_FOUND when there is no such request. Sets *out to NULL first;
 * on RESULT_OK *out is a new reference the caller owns (json_decref); on failure it stays NULL
 * (a database failure as result_from_db() sets it in *info, RESULT_ERROR when out of memory). */
enum result help_requests_suggestions(struct db_conn *conn, const struct actor *actor, const char *id,
                                      const char *limit_text, json_t **out, struct result_info *info);

/* ---- the search's pure steps (no database; unit-testable) ---- */

/* One candidate volunteer. */
struct suggestion {
  char volunteer_id[37];
  char capacity_hours[16]; /* as PostgreSQL wrote it (numeric(4,1)), handed back to volunteer_room */
  char *display_name;      /* owned; NULL until volunteer_room confirmed the candidate */
  struct match_input in;
  struct match_factors factors; /* before confirmation: the bound, with no recent hours */
};

/* s->factors from s->in by match_rank, the score rounded to four decimals so that ties stay ties
 * whatever the float noise. Cannot fail. */
void suggestion_rank(struct suggestion *s);

/* The most s can score whatever its recent hours: ranked with recent hours counted as none, the
 * most its load factor can be (match_rank's load factor falls as the hours grow; the unit test
 * no_recent_hours_bound_the_score holds it to that). Sets s->in.hours_28d to 0. Cannot fail. */
void suggestion_bound(struct suggestion *s);

/* qsort order of struct suggestion: best score first; equal scores by volunteer id. */
int suggestion_by_score(const void *a, const void *b);

/* Whether the search is over: every one of the `count` candidates (best bound first) was asked
 * about (`asked` of them so far), or `limit` confirmed ones (`confirmed`, best first) all score
 * higher than the bound of the next one not asked about, so that none not asked about could rank
 * among them. */
int suggestions_settled(const struct suggestion *confirmed, int confirmed_count, int limit,
                        const struct suggestion *candidates, int asked, int count);

#endif
