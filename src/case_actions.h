#ifndef NOABER_CASE_ACTIONS_H
#define NOABER_CASE_ACTIONS_H

#include "case_access.h"
#include "db/db.h"
#include "paging.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* A case's shared action list: who does what by when. Which status moves are allowed is
 * case_action_rules.h. A participant without consent to see the case sees only the actions they
 * own.
 *
 * For every function here: *out is set to NULL first; on RESULT_OK or RESULT_CREATED it is a new
 * reference the caller json_decref()s, on any other result it stays NULL. `audit` is filled as
 * case_access.h says, `info` receives the detail, field errors and extensions of a refusal. */

/* Registers the action statements (case_actions, case_action_get, case_action_insert, case_action_doc,
 * case_action_lock, case_action_set, case_action_take, case_my_actions_owned,
 * case_my_actions_led). 0, or -1 when out of memory. */
int case_actions_register_statements(void);

/* The actions of case `id` the caller may see (`a` from cases_load_access) as a JSON array in
 * *items, a new reference the caller json_decref()s; *items is NULL or untouched on failure. */
enum result case_actions_visible(struct db_conn *conn, const struct actor *actor, const char *id,
                                 const struct case_access *a, json_t **items, struct result_info *info);

/* The actions the caller sees on the case: RESULT_OK with {items}. */
enum result cases_actions(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                          struct case_audit *audit, struct result_info *info);
/* One action of the case, under the rule of cases_actions (without consent to see the case, only
 * one the caller owns): RESULT_OK with the action, RESULT_NOT_FOUND when there is none she sees. */
enum result cases_action_get(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_id,
                             json_t **out, struct case_audit *audit, struct result_info *info);
/* Add an action to an open case (any participant; its owner, when given, is a participant):
 * RESULT_CREATED with the action. */
enum result cases_action_create(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                json_t **out, struct case_audit *audit, struct result_info *info);
/* Change an action (its owner, the lead or a coordinator on the case), with `if_match` its ETag:
 * RESULT_PRECONDITION_REQUIRED when NULL, RESULT_PRECONDITION_FAILED when stale; RESULT_CONFLICT
 * with current_state for a status move case_action_move_allowed() refuses. Moving to done adds
 * an action_done event to the timeline. */
enum result cases_action_update(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_id,
                                json_t *body, const struct precondition *if_match, json_t **out,
                                struct case_audit *audit, struct result_info *info);
/* Become the owner of an action nobody owns that is still open or in progress (an empty body,
 * borrowed: RESULT_INVALID with info->errors for any member, before anything else);
 * RESULT_CONFLICT when someone else took it first or it is finished. */
enum result cases_action_take(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_id,
                              json_t *body, json_t **out, struct case_audit *audit, struct result_info *info);
/* The filters of cases_my_actions() from the query parameters `overdue` (true or false) and
 * `scope` (owned or led), each may be NULL: *overdue_filter -1 (both), 0 or 1, *led 0 or 1.
 * Returns 0, or -1 after adding a field error for each value that is none of those. */
int cases_my_actions_filter(const char *overdue, const char *scope, int *overdue_filter, int *led,
                            struct result_info *info);
/* The caller's open and in-progress actions across communities (`led`: those of the cases they
 * lead instead). `overdue`: -1 all, 0/1 filter. RESULT_OK with {items, next_cursor}. */
enum result cases_my_actions(struct db_conn *conn, const char *person_id, int overdue, int led,
                             const struct page_request *page, json_t **out, struct result_info *info);

#endif
