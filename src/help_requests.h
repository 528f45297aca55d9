#ifndef NOABER_HELP_REQUESTS_H
#define NOABER_HELP_REQUESTS_H

#include "db/db.h"
#include "desk_rules.h"
#include "paging.h"
#include "result.h"
#include "roles.h"

/* Help requests: creation under the category's policy, the state machine with its history,
 * occurrences, offers, the task board, matching suggestions, and residents' helper lists. */

int help_requests_register_statements(void);

/* Create a request from a request body (borrowed; validated here). RESULT_CREATED with *out. */
enum result help_requests_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                 struct result_info *info);

/* Lists. `status` (may be NULL) filters GET /help-requests; `view` is new, needs_attention or
 * unconfirmed for the coordinator's queue. */
enum result help_requests_list(struct db_conn *conn, const struct actor *actor, const char *status,
                               const struct page_request *page, json_t **out, struct result_info *info);
enum result help_requests_board(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                                json_t **out, struct result_info *info);
enum result help_requests_queue(struct db_conn *conn, const struct actor *actor, const char *view,
                                const struct page_request *page, json_t **out, struct result_info *info);
/* Across communities: the resident's own requests, and the volunteer's open tasks and offers. */
enum result help_requests_mine(struct db_conn *conn, const char *person_id, const struct page_request *page,
                               json_t **out, struct result_info *info);
enum result help_requests_my_tasks(struct db_conn *conn, const char *person_id, const struct page_request *page,
                                   json_t **out, struct result_info *info);

enum result help_requests_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                              struct result_info *info);

/* A state action by name (triage, refer, reject, cancel, offer, board, confirm, ask-other). */
enum result help_requests_act(struct db_conn *conn, const struct actor *actor, const char *id, const char *action,
                              json_t *body, json_t **out, struct result_info *info);

enum result help_requests_suggestions(struct db_conn *conn, const struct actor *actor, const char *id, int limit,
                                      json_t **out, struct result_info *info);
enum result help_requests_offers(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                                 struct result_info *info);
/* accept != 0: accept; else decline with `reason` (may be NULL). */
enum result help_requests_answer_offer(struct db_conn *conn, const struct actor *actor, const char *offer_id,
                                       int accept, const char *reason, json_t **out, struct result_info *info);
enum result help_requests_claim(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                                struct result_info *info);
enum result help_requests_complete(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, double hours, const char *note, json_t **out,
                                   struct result_info *info);
enum result help_requests_feedback(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, int positive, const char *text, json_t **out,
                                   struct result_info *info);

/* The resident's preferred and blocked helpers. */
enum result help_requests_helpers_get(struct db_conn *conn, const struct actor *actor, json_t **out,
                                      struct result_info *info);
enum result help_requests_helpers_put(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                      struct result_info *info);

#endif
