#ifndef NOABER_OFFERS_H
#define NOABER_OFFERS_H

#include <jansson.h>

#include "db/db.h"
#include "paging.h"
#include "result.h"
#include "roles.h"

/* Offers of a help request to volunteers, and how a volunteer gets matched: by accepting an
 * offer or by claiming the request from the board. Who may be offered or claim is one rule,
 * eligible_volunteers() (sql/migrations), asked here for both.
 *
 * Every function here sets *out to NULL first; on success *out is a new reference the caller owns
 * (json_decref). Strings are borrowed. On failure info holds what the caller answers with:
 * field errors in info->errors for RESULT_INVALID, a static info->detail and extensions (such as
 * current_state) for refusals, and a database failure as result_from_db() sets it. */

int offers_register_statements(void);

/* The offers of a request, oldest first, as {items: [...]}; coordinators and admins only
 * (RESULT_FORBIDDEN), RESULT_NOT_FOUND when there is no such request. *out NULL on failure. */
enum result help_requests_offers(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                                 struct result_info *info);

/* GET /v1/me/offers: the person's own offers across her communities, every status, oldest change
 * first (updated_at, id), in the paging envelope (paging_envelope), each {id, community_id,
 * request_id, status, created_at, answered_at, updated_at, request}; `request` is what a
 * volunteer may see of the request (no resident, no place) while the offer is pending or accepted,
 * else null. Cannot be forbidden. */
enum result offers_mine(struct db_conn *conn, const char *person_id, const struct page_request *page, json_t **out,
                        struct result_info *info);

/* The volunteer answers an offer made to them: accept != 0 matches them (the request must allow
 * the match: RESULT_CONFLICT with current_state otherwise; the body is not read); else decline
 * with the body's {reason} (at most 500 characters, optional; borrowed; RESULT_INVALID with
 * info->errors when it does not fit, before anything else). *out is the offer. RESULT_NOT_FOUND for someone else's offer, RESULT_CONFLICT when it
 * was already answered, withdrawn or taken. On a failure after the offer was answered *out may
 * hold it: the caller json_decref()s *out whatever the result. */
enum result help_requests_answer_offer(struct db_conn *conn, const struct actor *actor, const char *offer_id,
                                       int accept, json_t *body, json_t **out, struct result_info *info);

/* A volunteer takes a request from the board; *out is the request as help_requests_get() shows
 * it. RESULT_FORBIDDEN for a non-volunteer or one who does not pass the matching rules,
 * RESULT_CONFLICT when it is not (or no longer) on the board. *out NULL on failure. */
enum result help_requests_claim(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                                struct result_info *info);

/* For help_requests_act's offer action: offer request `id` to `ids` (the body's volunteer_ids, a
 * JSON array of 1 to 10 person ids, borrowed) and tell them. RESULT_INVALID with field errors
 * for a bad list; RESULT_CONFLICT with a field error per volunteer who does not pass the matching
 * rules (the caller adds current_state). The caller has locked the request and checked that the
 * action is allowed. */
enum result offers_make(struct db_conn *conn, const struct actor *actor, const char *id, json_t *ids,
                        struct result_info *info);

#endif
