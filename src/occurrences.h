#ifndef NOABER_OCCURRENCES_H
#define NOABER_OCCURRENCES_H

#include <jansson.h>

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* The occurrences of a help request (one, or one per week or fortnight of a recurring request):
 * the volunteer completes each, the resident gives feedback on it. The request is done when the
 * last one is finished. They are made with the request (hr_occurrences, help_requests.c).
 *
 * Both functions set *out to NULL first; on success *out is the occurrence, a new reference the
 * caller owns (json_decref); on failure it stays NULL. Strings are borrowed. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int occurrences_register_statements(void);

/* The matched volunteer completes an occurrence from the body {hours (0.25 to 24), note (at
 * most 500 characters, optional)}, borrowed: RESULT_INVALID with info->errors when it does not
 * fit, before anything else. RESULT_NOT_FOUND when the request or occurrence does not exist (or is hidden from the caller);
 * RESULT_FORBIDDEN with a static info->detail for anyone else who can see the request;
 * RESULT_CONFLICT with info->detail and current_state when it is not open for completion;
 * RESULT_UNPROCESSABLE with info->detail before a window starts (a deadline may be met early); or
 * a database failure as result_from_db() sets it. */
enum result help_requests_complete(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, json_t *body, json_t **out, struct result_info *info);

/* The matched volunteer steps back from an occurrence ("I can't come") with the body {reason (1
 * to 500 characters, required)}, checked first: the request goes back to the desk (status
 * triaged, every occurrence still theirs open again, their offer 'released' so they are not
 * suggested for it again), its stepped_back {at, reason} is set for the desk's needs_attention
 * queue and the resident, the transition "release" is recorded and the resident is told (outbox).
 * *out is the occurrence, open again. Only before the occurrence begins (a deadline before it
 * passes): RESULT_CONFLICT with current_state after. RESULT_CONFLICT (no current_state) for a
 * helper who already stepped back or was released; otherwise fails as help_requests_complete()
 * does. */
enum result help_requests_release(struct db_conn *conn, const struct actor *actor, const char *id,
                                  const char *occurrence_id, json_t *body, json_t **out, struct result_info *info);

/* The resident's feedback on a done occurrence from the body {positive (true or false), text (at
 * most 500 characters, optional)}, checked first as help_requests_complete() checks its body.
 * Fails as help_requests_complete() does: RESULT_FORBIDDEN for anyone but the resident,
 * RESULT_CONFLICT before the occurrence is done. */
enum result help_requests_feedback(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, json_t *body, json_t **out, struct result_info *info);

#endif
