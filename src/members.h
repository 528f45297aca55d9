#ifndef NOABER_MEMBERS_H
#define NOABER_MEMBERS_H

#include "db/db.h"
#include "paging.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* Persons, their memberships of communities, and the member lists coordinators keep. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int members_register_statements(void);

/* Registered statement that reads the caller's roles in the context's community as "a,b"
 * ('' when not a member). The first statement of every community route, unless a GET predicts
 * the roles (api/server.c). */
#define MEMBERS_ROLES_STATEMENT "membership_roles"
/* Registered statement for db_expect(): fails with SQLSTATE NB001 unless the caller's roles in
 * the context's community are still $1 (as MEMBERS_ROLES_STATEMENT printed them). */
#define MEMBERS_EXPECT_ROLES_STATEMENT "membership_roles_expected"

/* The signed-in person with their memberships (GET /v1/me). *out is a new reference. */
enum result members_me(struct db_conn *conn, const char *person_id, json_t **out, struct result_info *info);

/* One membership of the signed-in person in a community, as in Me.memberships. */
enum result members_membership(struct db_conn *conn, const char *person_id, const char *community_id, json_t **out,
                               struct result_info *info);

/* A page of the community's members (coordinator, admin). */
enum result members_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page, json_t **out,
                         struct result_info *info);

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
