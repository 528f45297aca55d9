#ifndef NOABER_CASE_CONSENT_H
#define NOABER_CASE_CONSENT_H

#include "case_access.h"
#include "db/db.h"
#include "result.h"
#include "roles.h"

/* Consent records of a case: what the subject (or their representative) allows a participant or
 * an organisation to see. Records are added, never changed; the newest one for a grantee and kind
 * counts (the SQL function case_viewer reads them).
 *
 * `audit` is filled as case_access.h says, `info` receives the detail and field errors of a
 * refusal. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

/* Registers case_consents and case_consent_insert. 0, or -1 when out of memory. */
int case_consent_register_statements(void);

/* The consent records, newest first (the subject, their representative or a coordinator on the
 * case): RESULT_OK with {items}, a new reference the caller json_decref()s in *out; *out is NULL
 * on any other result. */
enum result cases_consents(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                           struct case_audit *audit, struct result_info *info);
/* Record consent granted or revoked (only the subject or their representative): RESULT_CREATED
 * with the record in *out, and a consent_changed event on the timeline. *out is set to NULL
 * first; when a step after the insert fails (touching the case, the timeline event) it may
 * already hold the record: the caller json_decref()s *out whatever the result. */
enum result cases_consent_record(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                 json_t **out, struct case_audit *audit, struct result_info *info);

#endif
