/* Persons and memberships. */
#include "members.h"

#include <orcania.h>
#include <string.h>

#include "precondition.h"

#define MEMBER_COLUMNS                                                                                                 \
  "m.person_id, p.display_name, p.email, array_to_string(m.roles, ','), api_ts(m.joined_at), "                         \
  "api_ts(m.updated_at), m.removed_at IS NOT NULL"

static const struct db_statement statements[] = {
    /* Both defined once, in sql/migrations/0008_request_roles.sql. */
    {MEMBERS_ROLES_STATEMENT, "SELECT app_member_roles()"},
    {MEMBERS_EXPECT_ROLES_STATEMENT, "SELECT app_expect_roles($1)"},
    /* GET /v1/me in one round trip: the person, then a row per active membership (NULLs if none). */
    {"me_with_memberships",
     "SELECT p.id, p.email, p.display_name, api_ts(p.created_at), c.id, c.slug, c.name, "
     "array_to_string(m.roles, ','), api_ts(m.joined_at) FROM persons p LEFT JOIN (memberships m JOIN communities c "
     "ON c.id = m.community_id) ON m.person_id = p.id AND m.removed_at IS NULL WHERE p.id = $1 ORDER BY c.slug"},
    {"me_membership",
     "SELECT c.id, c.slug, c.name, array_to_string(m.roles, ','), api_ts(m.joined_at) "
     "FROM memberships m JOIN communities c ON c.id = m.community_id "
     "WHERE m.person_id = $1 AND m.community_id = $2 AND m.removed_at IS NULL"},
    /* Keyset page over (updated_at, person_id); with $6 (an updated_since was given) removed members
     * come back as tombstones, without it they are left out. Fetches limit+1 rows to know about a
     * next page. */
    {"members_page", "SELECT " MEMBER_COLUMNS " FROM memberships m JOIN persons p ON p.id = m.person_id "
                     "WHERE m.community_id = $1 AND" PAGING_SQL_AFTER(
                         "m.updated_at", "m.person_id", "$2", "$3",
                         "$4") "AND (m.removed_at IS NULL OR $6::bool) ORDER BY m.updated_at, m.person_id LIMIT $5"},
    {"member_get", "SELECT " MEMBER_COLUMNS " FROM memberships m JOIN persons p ON p.id = m.person_id "
                   "WHERE m.community_id = $1 AND m.person_id = $2 AND m.removed_at IS NULL"},
    {"member_lock", "SELECT " MEMBER_COLUMNS " FROM memberships m JOIN persons p ON p.id = m.person_id "
                    "WHERE m.community_id = $1 AND m.person_id = $2 AND m.removed_at IS NULL FOR UPDATE OF m"},
    {"member_set_roles",
     "UPDATE memberships SET roles = $3::member_role[], updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND person_id = $2"},
    {"member_remove",
     "UPDATE memberships SET removed_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND person_id = $2"},
};

int members_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* Member JSON from a row of MEMBER_COLUMNS; a removed member becomes a tombstone. */
static json_t *member_from_row(const PGresult *res, int row) {
  int removed = strcmp(PQgetvalue(res, row, 6), "t") == 0;
  if (removed) {
    return json_pack("{s:s, s:n, s:n, s:[], s:n, s:s, s:b}", "person_id", PQgetvalue(res, row, 0), "display_name",
                     "email", "roles", "joined_at", "updated_at", PQgetvalue(res, row, 5), "deleted", 1);
  }
  return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:b}", "person_id", PQgetvalue(res, row, 0), "display_name",
                   PQgetvalue(res, row, 1), "email", PQgetvalue(res, row, 2), "roles",
                   roles_to_json(roles_parse(PQgetvalue(res, row, 3))), "joined_at", PQgetvalue(res, row, 4),
                   "updated_at", PQgetvalue(res, row, 5), "deleted", 0);
}

/* Membership JSON from five columns of a row, starting at column `col`. */
static json_t *membership_from_row(const PGresult *res, int row, int col) {
  return json_pack("{s:{s:s, s:s, s:s}, s:o, s:s}", "community", "id", PQgetvalue(res, row, col), "slug",
                   PQgetvalue(res, row, col + 1), "name", PQgetvalue(res, row, col + 2), "roles",
                   roles_to_json(roles_parse(PQgetvalue(res, row, col + 3))), "joined_at",
                   PQgetvalue(res, row, col + 4));
}

enum result members_me(struct db_conn *conn, const char *person_id, json_t **out, struct result_info *info) {
  *out = NULL;
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "me_with_memberships", 1, (const char *[]){person_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) < 1) r = RESULT_UNAUTHENTICATED; /* a token for a person who is gone */
  if (r == RESULT_OK) {
    json_t *list = json_array();
    for (int i = 0; list != NULL && i < PQntuples(res); i++) {
      if (!PQgetisnull(res, i, 4)) json_array_append_new(list, membership_from_row(res, i, 4));
    }
    *out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", PQgetvalue(res, 0, 0), "email", PQgetvalue(res, 0, 1),
                     "display_name", PQgetvalue(res, 0, 2), "created_at", PQgetvalue(res, 0, 3), "memberships", list);
    if (*out == NULL) r = RESULT_ERROR;
  }
  PQclear(res);
  return r;
}

enum result members_membership(struct db_conn *conn, const char *person_id, const char *community_id, json_t **out,
                               struct result_info *info) {
  *out = NULL;
  const char *params[2] = {person_id, community_id};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "me_membership", 2, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && (*out = membership_from_row(res, 0, 0)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  return r;
}

enum result members_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page, json_t **out,
                         struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  char limit[16];
  snprintf(limit, sizeof limit, "%d", page->limit + 1);
  const char *params[6] = {actor->community_id,
                           paging_param_since(page),
                           paging_param_after_ts(page),
                           paging_param_after_id(page),
                           limit,
                           page->updated_since != NULL ? "true" : "false"};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "members_page", 6, params, &res), info);
  if (r != RESULT_OK) return r;
  json_t *items = json_array();
  for (int i = 0; items != NULL && i < PQntuples(res); i++) json_array_append_new(items, member_from_row(res, i));
  PQclear(res);
  *out = paging_envelope(page, items, "updated_at", "person_id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

/* Load one live member, locked for update when `lock`. RESULT_NOT_FOUND when absent. */
static enum result load_member(struct db_conn *conn, const struct actor *actor, const char *person_id, int lock,
                               json_t **out, struct result_info *info) {
  const char *params[2] = {actor->community_id, person_id};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, lock ? "member_lock" : "member_get", 2, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && (*out = member_from_row(res, 0)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  return r;
}

enum result members_get(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t **out,
                        struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor) && strcmp(actor->person_id, person_id) != 0) return RESULT_FORBIDDEN;
  return load_member(conn, actor, person_id, 0, out, info);
}

/* Lock the member and check the caller's precondition. */
static enum result lock_with_precondition(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                          const struct precondition *if_match, json_t **current,
                                          struct result_info *info) {
  enum result r = load_member(conn, actor, person_id, 1, current, info);
  return r == RESULT_OK ? precondition_check(if_match, *current, 0) : r;
}

enum result members_update_roles(struct db_conn *conn, const struct actor *actor, const char *person_id, unsigned roles,
                                 const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  if (if_match == NULL || !if_match->given) return RESULT_PRECONDITION_REQUIRED;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  json_t *current = NULL;
  enum result r = lock_with_precondition(conn, actor, person_id, if_match, &current, info);
  if (r == RESULT_OK) {
    unsigned before = roles_from_json(json_object_get(current, "roles"));
    if (((before ^ roles) & ROLE_ADMIN) && !(actor->roles & ROLE_ADMIN)) {
      info->detail = "only an admin can grant or take away the admin role";
      r = RESULT_FORBIDDEN;
    }
  }
  json_decref(current);
  if (r != RESULT_OK) return r;
  char pg_roles[96];
  roles_to_pg_array(roles, pg_roles, sizeof pg_roles);
  const char *params[3] = {actor->community_id, person_id, pg_roles};
  r = result_from_db(db_exec(conn, "member_set_roles", 3, params), info);
  if (r != RESULT_OK) return r;
  return load_member(conn, actor, person_id, 0, out, info);
}

enum result members_remove(struct db_conn *conn, const struct actor *actor, const char *person_id,
                           const struct precondition *if_match, struct result_info *info) {
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  json_t *current = NULL;
  enum result r = lock_with_precondition(conn, actor, person_id, if_match, &current, info);
  if (r == RESULT_OK && (roles_from_json(json_object_get(current, "roles")) & ROLE_ADMIN) &&
      !(actor->roles & ROLE_ADMIN)) {
    info->detail = "only an admin can remove an admin";
    r = RESULT_FORBIDDEN;
  }
  json_decref(current);
  if (r != RESULT_OK) return r;
  const char *params[2] = {actor->community_id, person_id};
  return result_from_db(db_exec(conn, "member_remove", 2, params), info);
}
