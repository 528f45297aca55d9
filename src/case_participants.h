#ifndef NOABER_CASE_PARTICIPANTS_H
#define NOABER_CASE_PARTICIPANTS_H

#include "case_access.h"
#include "db/db.h"
#include "result.h"
#include "roles.h"

/* Who works on a case: inviting an outside professional, adding and removing participants, and
 * the one lead, handed over with a note and kept in a history. Changes are made by the lead or a
 * coordinator on the case.
 *
 * For every function here: *out (where there is one) is set to NULL first and on RESULT_OK or
 * RESULT_CREATED is a new reference the caller json_decref()s. `audit` is filled as
 * case_access.h says, `info` receives the detail and field errors of a refusal. */

/* Registers the participant and lead statements (case_participant_insert, case_lead_open,
 * case_lead_close, case_set_lead, case_participant_of, case_participant_role,
 * case_participant_delete, case_lead_history); src/cases.c and src/case_actions.c run some of
 * them too. 0, or -1 when out of memory. */
int case_participants_register_statements(void);

/* Invite a professional from outside the community to this case only (lead or coordinator on
 * the open case), valid `default_hours` unless the body asks otherwise (expires_in_hours,
 * INVITATION_HOURS_RULE). RESULT_CREATED with the invitation, its code included; *out stays
 * NULL otherwise. */
enum result cases_invite(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                         int default_hours, json_t **out, struct case_audit *audit, struct result_info *info);
/* Add a member of the community as a participant: RESULT_CREATED with the participant, and a
 * participant_added event on the timeline. When a later step fails (touching the case, the
 * timeline event), *out may already hold the participant: the caller json_decref()s *out
 * whatever the result. RESULT_CONFLICT when the person is already on the case. */
enum result cases_add_participant(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                  json_t **out, struct case_audit *audit, struct result_info *info);
/* Remove participant row `participant_id`; never the subject nor the lead (RESULT_CONFLICT). */
enum result cases_remove_participant(struct db_conn *conn, const struct actor *actor, const char *id,
                                     const char *participant_id, struct case_audit *audit, struct result_info *info);
/* Hand the lead to another participant (not the subject) with a note: RESULT_OK with the case,
 * and a lead_handed_over event on the timeline. When that event fails, *out may already hold the
 * case: the caller json_decref()s *out whatever the result. */
enum result cases_hand_over(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body, json_t **out,
                            struct case_audit *audit, struct result_info *info);
/* Who led the case when: RESULT_OK with {items}; *out stays NULL otherwise. */
enum result cases_lead_history(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                               struct case_audit *audit, struct result_info *info);

#endif
