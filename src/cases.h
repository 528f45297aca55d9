#ifndef NOABER_CASES_H
#define NOABER_CASES_H

#include "case_access.h"
#include "db/db.h"
#include "paging.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* Shared casework about one resident: opening, reading, changing, closing and reopening a case,
 * and its overview. Participants and the lead are in case_participants.h, the action list in
 * case_actions.h, consent in case_consent.h, the access log in access_log.h, the timeline in
 * timeline.h; who is on a case in case_access.h.
 *
 * For every function here: *out is set to NULL first; on RESULT_OK or RESULT_CREATED it is a new
 * reference the caller json_decref()s, on any other result it stays NULL. `audit` is filled as
 * case_access.h says, `info` receives the detail and field errors of a refusal. */

/* Registers the statements of this file (case_page, case_member_roles, case_request_of,
 * case_insert, case_set_title, case_close, case_reopen). 0, or -1 when out of memory. */
int cases_register_statements(void);

/* Open a case about a resident (coordinator, admin or professional; not about oneself) with the
 * caller as its lead and first participant. RESULT_CREATED with the case. */
enum result cases_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                         struct case_audit *audit, struct result_info *info);
/* The status filter of a case list from its query parameter (may be NULL): "open" when NULL,
 * the name when it is open or closed (borrowed), NULL after adding a field error otherwise. */
const char *cases_status_filter(const char *status, struct result_info *info);
/* A page of the cases the caller is on with this status (from cases_status_filter()): RESULT_OK
 * with {items, next_cursor}. Writes no access log entry of its own. */
enum result cases_list(struct db_conn *conn, const struct actor *actor, const char *status,
                       const struct page_request *page, json_t **out, struct result_info *info);
/* The case as the caller sees it (restricted without consent). */
enum result cases_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                      struct case_audit *audit, struct result_info *info);
/* Change the title (the lead or a coordinator on the case), with `if_match` the case's ETag:
 * RESULT_PRECONDITION_REQUIRED when NULL, RESULT_PRECONDITION_FAILED when stale. */
enum result cases_update(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                         const struct precondition *if_match, json_t **out, struct case_audit *audit,
                         struct result_info *info);
/* close != 0: the lead closes the case with the body's {outcome}; else the lead or a
 * coordinator on the case reopens it (an empty body). RESULT_INVALID with info->errors for a
 * body that does not fit, before anything else; RESULT_CONFLICT with current_state when the
 * case already is closed or open. `body` is borrowed. */
enum result cases_set_open(struct db_conn *conn, const struct actor *actor, const char *id, int close, json_t *body,
                           json_t **out, struct case_audit *audit, struct result_info *info);
/* The case's status, lead, the actions the caller sees, the late ones and counts per status. */
enum result cases_overview(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                           struct case_audit *audit, struct result_info *info);

#endif
