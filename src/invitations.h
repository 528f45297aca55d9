#ifndef NOABER_INVITATIONS_H
#define NOABER_INVITATIONS_H

#include "db/db.h"
#include "fields.h"
#include "paging.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* Invitations: a one-time code with which a person joins a community in a role. Only a hash
 * of the code is stored; the code itself is shown once, in the create response. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int invitations_register_statements(void);

/* How long an invitation can be valid: 1 hour to 30 days. Also bounds the configured default
 * (NOABER_INVITATION_DEFAULT_HOURS, src/config.c). */
#define INVITATION_MIN_HOURS 1
#define INVITATION_MAX_HOURS 720

/* Whether an invitation may live `hours` hours: 1 or 0. */
int invitations_lifetime_allowed(long long hours);

/* The rule for the lifetime an invitation body asks for, expires_in_hours: a whole number of hours
 * from INVITATION_MIN_HOURS to INVITATION_MAX_HOURS, never null. A fields_read() rule, shared by
 * community and case invitations. */
#define INVITATION_HOURS_RULE                                                                                          \
  {                                                                                                                    \
    "expires_in_hours", FIELD_INTEGER, FIELD_NULL_INVALID, INVITATION_MIN_HOURS, INVITATION_MAX_HOURS, NULL,           \
        "out_of_range", "a whole number of hours from 1 to 720"                                                        \
  }

/* Create an invitation (coordinator, admin; only an admin invites an admin) from `body`
 * {"role", "email"?, "expires_in_hours"?, "person_id"?: a member without a login, whom the code then
 * gives one (RESULT_UNPROCESSABLE for anyone else)} (a guest joins only through a case invitation);
 * `default_hours` is the lifetime when the body names none. *out (new reference) includes
 * `code`. RESULT_INVALID with field errors for a body that breaks those rules. */
enum result invitations_create(struct db_conn *conn, const struct actor *actor, json_t *body, int default_hours,
                               json_t **out, struct result_info *info);

/* Insert an invitation without checking who asks (callers do): for a case (`case_id` and
 * `organisation` set, role guest) or not (both NULL). RESULT_CREATED with *out including `code`. */
enum result invitations_insert(struct db_conn *conn, const struct actor *actor, unsigned role, const char *email,
                               int hours, const char *case_id, const char *organisation, json_t **out,
                               struct result_info *info);

enum result invitations_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                             json_t **out, struct result_info *info);

enum result invitations_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                            struct result_info *info);

/* Revoke a pending invitation; revoking a revoked one is fine, an accepted one is a conflict. */
enum result invitations_revoke(struct db_conn *conn, const struct actor *actor, const char *id,
                               const struct precondition *if_match, struct result_info *info);

/* What a code that cannot be used is told, whatever the reason: so the answer says nothing about
 * the code, nor about the email address it was tried with. */
#define INVITATION_CODE_INVALID                                                                                        \
  "the invitation code is unknown, used, revoked or expired, or was sent to another email address"

/* The rule for an invitation code in a request body (registering, joining): a code is 1 to 64
 * characters, and a bad one is told like an unknown one. A fields_read() rule. */
#define INVITATION_CODE_RULE                                                                                           \
  { "invitation_code", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 64, NULL, "invalid", INVITATION_CODE_INVALID }

/* Join a community for `person_id` with the invitation code of `body` {"invitation_code"}, as
 * invitations_redeem does with the person's own email address. RESULT_INVALID with field errors
 * for a body that breaks the rule. */
enum result invitations_join(struct db_conn *conn, json_t *body, const char *person_id, char community_id[37],
                             struct result_info *info);

/* Whether `code` can be redeemed by someone with `email` (inside the caller's open transaction,
 * whose context may be empty): RESULT_OK, or RESULT_INVALID (field invitation_code) as
 * invitations_redeem tells it. An invitation sent to an email address is for that address only;
 * one made without is open to anyone with the code. Locks the invitation until the transaction
 * ends. */
enum result invitations_usable(struct db_conn *conn, const char *code, const char *email, struct result_info *info);

/* The person an invitation usable by `email` was made for (invitations_create's person_id) into
 * person_id ("" when it is for anyone), inside the caller's open transaction; otherwise as
 * invitations_usable. */
enum result invitations_person(struct db_conn *conn, const char *code, const char *email, char person_id[37],
                               struct result_info *info);

/*
 * Redeem `code` for `person_id`, whose email address is `email`, inside the caller's open
 * transaction: checks the code as invitations_usable does, adds (or re-activates) the membership
 * with the invitation's role and marks the invitation accepted. Leaves the transaction's context
 * switched to the invitation's community and the person. On RESULT_OK, community_id (37 bytes)
 * holds the community joined. RESULT_INVALID (field invitation_code) for a code this person cannot
 * use (an invitation made for a person is theirs alone); RESULT_CONFLICT when the person is already
 * a member (not for an invitation made for them: they are).
 */
enum result invitations_redeem(struct db_conn *conn, const char *code, const char *person_id, const char *email,
                               char community_id[37], struct result_info *info);

#endif
