#ifndef NOABER_CASE_ACCESS_H
#define NOABER_CASE_ACCESS_H

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* Who is on a case and as what, read once per case operation, and the small pieces every case
 * file needs (src/cases.c, case_participants.c, case_actions.c, case_consent.c, access_log.c,
 * timeline.c). Only participants see a case; a professional sees its basic facts only with the
 * subject's consent (the SQL function case_viewer, sql/migrations/0006_index_driven_rls.sql).
 *
 * Every case operation takes a `struct case_audit` that it fills as it learns which case and
 * subject the request touched, also when it refuses; the caller writes the access log entry from
 * it (cases_audit_write, src/access_log.h). Unless a function says otherwise, `info` receives the
 * detail, field errors and extensions of a result other than RESULT_OK. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

struct case_audit {
  char case_id[37];    /* "" when no case was named */
  char subject_id[37]; /* "" when the case does not exist */
  char organisation[101];
  int restricted; /* an allowed read whose answer the subject's consent cut down */
  /* The person the desk acted for and the channel (src/on_behalf.h); "" when it acted for none. */
  char on_behalf_of[37];
  char channel[16];
};

/* What the caller is on a case. */
struct case_access {
  int exists, participant, is_lead, sees_basic, sees_notes, sees_health, representative, open;
  char role[16];
  char subject_id[37];
  char lead_id[37];
};

/* Registers case_access, case_access_lock, case_doc and case_touch. 0, or -1 when out of memory. */
int case_access_register_statements(void);

/* Read the caller's place on case `id` (the case row locked FOR UPDATE when `lock`) into `a`,
 * which is always cleared first, and note the case and its subject in `audit`. RESULT_OK;
 * RESULT_NOT_FOUND (info->detail set) when the case does not exist or the caller is not on it;
 * a database failure as result_from_db() maps it. Nothing to free. */
enum result cases_load_access(struct db_conn *conn, const struct actor *actor, const char *id, int lock,
                              struct case_access *a, struct case_audit *audit, struct result_info *info);

/* Note in `audit` that consent cut this read down (the access log says `restricted`): the caller
 * lacks consent for the case's basic facts, or, when `with_notes`, for notes or health notes too.
 * Cannot fail. */
void case_audit_consent_read(struct case_audit *audit, const struct case_access *a, int with_notes);

/* Whether the caller is on the case as a coordinator (1) or not (0). Cannot fail. */
int case_caller_is_coordinator(const struct case_access *a);

/* Whether the caller is the case's subject or their representative (1) or not (0). Cannot fail. */
int case_caller_speaks_for_subject(const struct actor *actor, const struct case_access *a);

/* Refuse because of the case's state: sets info->detail to `detail` (a static string) and the
 * extension current_state ("open" or "closed"), returns RESULT_CONFLICT. */
enum result case_state_conflict(struct result_info *info, const struct case_access *a, const char *detail);

/* The case as the caller sees it (statement case_doc), into *out as documents_one() does. */
enum result case_doc(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                     struct result_info *info);

/* Mark case `id` as changed now (its updated_at, hence its ETag and list position). RESULT_OK or
 * a database failure. */
enum result case_touch(struct db_conn *conn, const struct actor *actor, const char *id, struct result_info *info);

#endif
