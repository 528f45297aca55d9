#ifndef NOABER_CASES_H
#define NOABER_CASES_H

#include "db/db.h"
#include "paging.h"
#include "result.h"
#include "roles.h"

/* Shared casework: cases about one resident, participants, exactly one lead, a shared action
 * list, consent records and the access log. Only participants see a case; a professional sees
 * its basic facts only with the subject's consent. Every case operation fills `audit` so the
 * caller can write the access log entry, also for refusals. */

struct case_audit {
  char case_id[37];      /* "" when no case was named */
  char subject_id[37];   /* "" when the case does not exist */
  char organisation[101];
};

int cases_register_statements(void);

/* What the caller is on a case. */
struct case_access {
  int exists, participant, is_lead, sees_basic, representative, open;
  char role[16];
  char subject_id[37];
  char lead_id[37];
};

/* Read the caller's place on case `id` (the case row locked when `lock`) and note the case and
 * its subject in `audit`. RESULT_NOT_FOUND when the case does not exist or the caller is not on
 * it. */
enum result cases_load_access(struct db_conn *conn, const struct actor *actor, const char *id, int lock,
                              struct case_access *a, struct case_audit *audit, struct result_info *info);

enum result cases_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                         struct case_audit *audit, struct result_info *info);
enum result cases_list(struct db_conn *conn, const struct actor *actor, const char *status,
                       const struct page_request *page, json_t **out, struct result_info *info);
enum result cases_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                      struct case_audit *audit, struct result_info *info);
enum result cases_update(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                         const char *if_match, json_t **out, struct case_audit *audit, struct result_info *info);
/* close != 0: close with `outcome`; else reopen. */
enum result cases_set_open(struct db_conn *conn, const struct actor *actor, const char *id, int close,
                           const char *outcome, json_t **out, struct case_audit *audit, struct result_info *info);
enum result cases_overview(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                           struct case_audit *audit, struct result_info *info);
/* Invite a professional from outside the community to this case only (lead or coordinator on
 * the case), valid `default_hours` unless the body asks otherwise (invitations_lifetime_hours):
 * RESULT_CREATED with the invitation, its code included. */
enum result cases_invite(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body, int default_hours,
                         json_t **out, struct case_audit *audit, struct result_info *info);
enum result cases_add_participant(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                  json_t **out, struct case_audit *audit, struct result_info *info);
enum result cases_remove_participant(struct db_conn *conn, const struct actor *actor, const char *id,
                                     const char *participant_id, struct case_audit *audit, struct result_info *info);
enum result cases_hand_over(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                            json_t **out, struct case_audit *audit, struct result_info *info);
enum result cases_lead_history(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                               struct case_audit *audit, struct result_info *info);
enum result cases_actions(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                          struct case_audit *audit, struct result_info *info);
enum result cases_action_create(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                json_t **out, struct case_audit *audit, struct result_info *info);
enum result cases_action_update(struct db_conn *conn, const struct actor *actor, const char *id,
                                const char *action_id, json_t *body, const char *if_match, json_t **out,
                                struct case_audit *audit, struct result_info *info);
enum result cases_action_take(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_id,
                              json_t **out, struct case_audit *audit, struct result_info *info);
enum result cases_consents(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                           struct case_audit *audit, struct result_info *info);
enum result cases_consent_record(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                 json_t **out, struct case_audit *audit, struct result_info *info);
/* The access log of one case (subject or representative), or of the community (case_id NULL:
 * coordinator or admin; `since` may be NULL). */
enum result cases_access_log(struct db_conn *conn, const struct actor *actor, const char *case_id, const char *since,
                             const struct page_request *page, json_t **out, struct case_audit *audit,
                             struct result_info *info);
/* The caller's open and in-progress actions across communities (`led`: those of the cases they
 * lead instead). `overdue`: -1 all, 0/1 filter. */
enum result cases_my_actions(struct db_conn *conn, const char *person_id, int overdue, int led,
                             const struct page_request *page, json_t **out, struct result_info *info);

/* Append one access log entry in the current transaction. */
enum result cases_audit_write(struct db_conn *conn, const struct actor *actor, const struct case_audit *audit,
                              const char *resource, const char *action, int allowed, int status,
                              struct result_info *info);

#endif
