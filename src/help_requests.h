#ifndef NOABER_HELP_REQUESTS_H
#define NOABER_HELP_REQUESTS_H

#include <jansson.h>

#include "db/db.h"
#include "desk_rules.h"
#include "paging.h"
#include "result.h"
#include "roles.h"

/* Help requests: reading them. The rest of a request's life is in its own files: creating one
 * under its category's policy (help_request_create.h), the state actions (help_request_actions.h), offers and the
 * board (offers.h), occurrences (occurrences.h), suggestions (matching.h), the resident's helpers
 * (resident_helpers.h), and the events others hear about (outbox.h).
 *
 * Every function here sets *out to NULL first; on success *out is a new reference the caller
 * owns (json_decref); on failure it stays NULL. Arguments are borrowed. On failure info holds what
 * the caller answers with: RESULT_FORBIDDEN for a caller without the role; a database failure as
 * result_from_db() sets it (RESULT_UNAVAILABLE with retry_after, ...); RESULT_ERROR when out of
 * memory. */

int help_requests_register_statements(void);

/* The query parameters of the lists below: whether `status` (may be NULL: all) is a help request
 * status, whether `view` is new, needs_attention, unconfirmed or follow_up (a referral's follow-up date passed
 * while its outcome is open). 0, or -1 after adding a field
 * error. */
int help_requests_status_filter(const char *status, struct result_info *info);
int help_requests_queue_view(const char *view, struct result_info *info);
/* Whether the queue's `handler` filter (may be NULL: anyone's) is me, none or a person id. 0, or
 * -1 after adding a field error. */
int help_requests_queue_handler(const char *handler, struct result_info *info);
/* Whether `track` (may be NULL: all) is a track name (desk_rules.h). 0, or -1 after adding a field
 * error. */
int help_requests_track_filter(const char *track, struct result_info *info);
/* Pages of requests, each as help_requests_get() shows it, in the paging envelope
 * (paging_envelope, by updated_at and id).
 * help_requests_list: GET /help-requests; the desk sees every request, or those in `status`
 * (may be NULL; checked by help_requests_status_filter()) and on `track` (may be NULL; checked by
 * help_requests_track_filter(); RESULT_FORBIDDEN for anyone but the desk), anyone else what they
 * may see.
 * help_requests_board: what a volunteer may claim. help_requests_queue: the coordinator's queue
 * in `view` (checked by help_requests_queue_view()), of those `handler` handles (checked by
 * help_requests_queue_handler(): "me", "none" or a person id; NULL for anyone's). */
enum result help_requests_list(struct db_conn *conn, const struct actor *actor, const char *status, const char *track,
                               const struct page_request *page, json_t **out, struct result_info *info);
enum result help_requests_board(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                                json_t **out, struct result_info *info);
enum result help_requests_queue(struct db_conn *conn, const struct actor *actor, const char *view, const char *handler,
                                const struct page_request *page, json_t **out, struct result_info *info);
/* Across communities (row-level security scopes them to the person's): the resident's own
 * requests, and the volunteer's open tasks and offers. Cannot be forbidden. */
enum result help_requests_mine(struct db_conn *conn, const char *person_id, const struct page_request *page,
                               json_t **out, struct result_info *info);
enum result help_requests_my_tasks(struct db_conn *conn, const char *person_id, const struct page_request *page,
                                   json_t **out, struct result_info *info);

/* One request as the caller may see it (the place and phone only for the desk, the resident and
 * the matched volunteer). RESULT_NOT_FOUND when it does not exist or the caller may not see it. */
enum result help_requests_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                              struct result_info *info);

#endif
