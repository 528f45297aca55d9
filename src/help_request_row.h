#ifndef NOABER_HELP_REQUEST_ROW_H
#define NOABER_HELP_REQUEST_ROW_H

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* The help request row as the help request files share it (help_requests.c,
 * help_request_actions.c, offers.c, occurrences.c, matching.c): read or locked, its status moved
 * with the transition recorded, its updated_at touched; and the two refusals every action gives.
 * Private to those files; not for api/. The request is looked for in the actor's community. */

/* The columns of a request that decide who may do what. */
struct help_request_row {
  int status; /* enum help_status */
  char resident_id[37];
  char matched_volunteer_id[37]; /* "" when none */
  int on_board;
};

int help_request_row_register_statements(void);

/* Read the request row into *out, locked for this transaction when `lock` (changes take turns;
 * reads need not wait). RESULT_OK; RESULT_NOT_FOUND when it does not exist (or is not visible
 * under row-level security); a database failure as result_from_db() sets it in *info. *out is
 * filled only on RESULT_OK. */
enum result help_request_read(struct db_conn *conn, const struct actor *actor, const char *id, int lock,
                              struct help_request_row *out, struct result_info *info);

/* The two refusals, in the order every route checks them: first whether the caller may see the
 * request at all (help_requests_visible: the desk, the resident, the matched volunteer, a
 * volunteer with a pending or accepted offer, an eligible volunteer while it is on the board),
 * and only then what they may do with it. A caller who cannot see the request gets
 * RESULT_NOT_FOUND and nothing else (no detail, no current_state), as for a request that does
 * not exist: nobody learns that it exists or what state it is in. */

/* The caller may not do this: RESULT_FORBIDDEN with info->detail set to `detail` (static; NULL
 * leaves it) when they can see the request, else RESULT_NOT_FOUND; a database failure as
 * result_from_db() sets it in *info. */
enum result help_request_hidden_or_forbidden(struct db_conn *conn, const struct actor *actor, const char *id,
                                             const char *detail, struct result_info *info);

/* The action is not allowed in the current `status`: RESULT_CONFLICT, with info->detail (static)
 * and the current_state extension set. For callers known to see the request (the desk, the
 * resident); cannot fail otherwise. */
enum result help_request_not_now(struct result_info *info, int status);

/* help_request_not_now() for a caller who may not see the request: the conflict (with `detail`
 * instead of the generic one when not NULL) when they can see it, else RESULT_NOT_FOUND with
 * nothing set; a database failure as result_from_db() sets it in *info. */
enum result help_request_hidden_or_not_now(struct db_conn *conn, const struct actor *actor, const char *id, int status,
                                           const char *detail, struct result_info *info);

/* Set the status to `to` and record the transition from `from` (the action's name and the note,
 * may be NULL, as given). RESULT_OK or a database failure. */
enum result help_request_move(struct db_conn *conn, const struct actor *actor, const char *id, int from, int to,
                              const char *action, const char *note, struct result_info *info);

/* help_request_move() for triage and refer: the transition also records the track they chose
 * (a help_track_name(); NULL: none). */
enum result help_request_move_on_track(struct db_conn *conn, const struct actor *actor, const char *id, int from,
                                       int to, const char *action, const char *note, const char *track,
                                       struct result_info *info);

/* Record one transition in the request's history; `from`, `note` and `track` (the track a
 * triage or refer chose) may be NULL (the first one has no from). RESULT_OK or a database
 * failure. */
enum result help_request_record_transition(struct db_conn *conn, const struct actor *actor, const char *id,
                                           const char *from, const char *to, const char *action, const char *note,
                                           const char *track, struct result_info *info);

/* Bump the request's updated_at: a change to its offers or occurrences is a change to the
 * request. RESULT_OK or a database failure. */
enum result help_request_touch(struct db_conn *conn, const struct actor *actor, const char *id,
                               struct result_info *info);

#endif
