#ifndef NOABER_MEMBERS_H
#define NOABER_MEMBERS_H

#include "db/db.h"
#include "paging.h"
#include "phone.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* Persons, their memberships of communities, and the member lists coordinators keep. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int members_register_statements(void);

/* How a person would rather be reached (persons.contact_channel), NULL-terminated, and what a
 * body is told when it names another: PATCH /v1/me and the desk's people (people.h). */
extern const char *const members_contact_channels[];
#define MEMBERS_CHANNEL_MESSAGE "app, sms, voice, post or via_desk"

/* Registered statement that reads the caller's roles in the context's community as "a,b"
 * ('' when not a member). The first statement of every community route, unless a GET predicts
 * the roles (api/server.c). */
#define MEMBERS_ROLES_STATEMENT "membership_roles"
/* Registered statement for db_expect(): fails with SQLSTATE NB001 unless the caller's roles in
 * the context's community are still $1 (as MEMBERS_ROLES_STATEMENT printed them). */
#define MEMBERS_EXPECT_ROLES_STATEMENT "membership_roles_expected"

/* The signed-in person with their memberships (GET /v1/me). *out is a new reference. */
enum result members_me(struct db_conn *conn, const char *person_id, json_t **out, struct result_info *info);

/* Change the signed-in person's own settings (PATCH /v1/me), when `if_match` names the current
 * Me document (RESULT_PRECONDITION_REQUIRED without one, RESULT_PRECONDITION_FAILED when stale).
 * `body`: any of display_name, phone (as typed, stored in E.164; null removes it), language (nl,
 * en) and contact_channel (app, sms, voice, post, via_desk); RESULT_INVALID with field errors for a body
 * that breaks them. *out, the Me document after the change, is a new reference. */
enum result members_me_update(struct db_conn *conn, const char *person_id, json_t *body,
                              const struct precondition *if_match, json_t **out, struct result_info *info);

/* The message of a phone number that is not one, for the field error on `phone`. */
#define PHONE_MESSAGE "a phone number: a Dutch number (06 12345678, 020-1234567) or +country code and number"

/* Read a body's `phone` member (read as FIELD_STRING by the caller's rule) into e164: "" when
 * absent or null, else the number in E.164. Returns 0, or -1 after adding the field error on
 * `phone` when it is not a phone number. Shared by PATCH /v1/me and registration. */
struct field_value;
int members_phone_of_body(const struct field_value *phone, char e164[PHONE_E164_SIZE], struct result_info *info);

/* One membership of the signed-in person in a community, as in Me.memberships. */
enum result members_membership(struct db_conn *conn, const char *person_id, const char *community_id, json_t **out,
                               struct result_info *info);

/* A page of the community's members (coordinator, admin). */
enum result members_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page, json_t **out,
                         struct result_info *info);

/* A page of the community's live members whose name, phone (any notation, or a part of it) or
 * street holds `q` (2 to 100 bytes), insensitive to case and accents (coordinator, admin), in the
 * list's keyset order. RESULT_INVALID (field q) for a q too short or too long. */
enum result members_search(struct db_conn *conn, const struct actor *actor, const char *q,
                           const struct page_request *page, json_t **out, struct result_info *info);

/* One member (coordinator, admin, or the member themself). */
enum result members_get(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t **out,
                        struct result_info *info);

/* Replace a member's roles, `body` {"roles": [1 to 5 distinct names]} (guest comes only with a
 * case invitation), when `if_match` names the current representation. Only an admin grants or
 * takes away `admin`. RESULT_INVALID with field errors for a body that breaks those rules. */
enum result members_update_roles(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t *body,
                                 const struct precondition *if_match, json_t **out, struct result_info *info);

/* Remove a member (kept as a tombstone for sync). `if_match` may name no version (then no check). */
enum result members_remove(struct db_conn *conn, const struct actor *actor, const char *person_id,
                           const struct precondition *if_match, struct result_info *info);

#endif
