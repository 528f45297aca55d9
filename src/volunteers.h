#ifndef NOABER_VOLUNTEERS_H
#define NOABER_VOLUNTEERS_H

#include "db/db.h"
#include "paging.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* Volunteer profiles: skills, weekly availability, area, capacity, certificate of conduct. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int volunteers_register_statements(void);

/* How long a certificate of conduct stays valid (NOABER_CERTIFICATE_VALID_DAYS). */
void volunteers_configure(int certificate_valid_days);
int volunteers_certificate_days(void);

/* Coordinators and admins see every profile. */
enum result volunteers_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                            json_t **out, struct result_info *info);

/* One profile: coordinators, admins, or the volunteer themself. */
enum result volunteers_get(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t **out,
                           struct result_info *info);

/* Create or replace the caller's own profile from a validated request body (borrowed). When a
 * profile exists `if_match` must name it (RESULT_PRECONDITION_REQUIRED / _FAILED otherwise).
 * RESULT_CREATED for a new profile, RESULT_OK for a replaced one; RESULT_INVALID with field
 * errors for a body that does not fit. */
enum result volunteers_put(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t *body,
                           const struct precondition *if_match, json_t **out, struct result_info *info);

/* A coordinator records the certificate of conduct check from the body {issued_on: YYYY-MM-DD,
 * not in the future} (borrowed). RESULT_INVALID with info->errors for an unknown member or a
 * missing or non-string issued_on before anything else; for a date that is not one, after
 * RESULT_FORBIDDEN and RESULT_NOT_FOUND. */
enum result volunteers_record_certificate(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                          json_t *body, json_t **out, struct result_info *info);

/* The volunteer accepts the community's code of conduct (an empty body, borrowed: RESULT_INVALID
 * with info->errors for any member, before anything else). */
enum result volunteers_accept_code(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t *body,
                                   json_t **out, struct result_info *info);

#endif
