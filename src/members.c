/* Persons and memberships. The representations (a member, a membership, /v1/me) are built by
 * PostgreSQL (sql/functions/members.sql). */
#include "members.h"

#include <orcania.h>
#include <stdlib.h>
#include <string.h>

#include "documents.h"
#include "fields.h"
#include "people.h"
#include "phone.h"
#include "precondition.h"

static const struct db_statement statements[] = {
    /* Both defined once, in sql/migrations/0008_request_roles.sql. */
    {MEMBERS_ROLES_STATEMENT, "SELECT app_member_roles()"},
    {MEMBERS_EXPECT_ROLES_STATEMENT, "SELECT app_expect_roles($1)"},
    /* GET /v1/me in one round trip: the person with their memberships. */
    {"me_with_memberships", "SELECT d.doc FROM persons p, me_doc(p) d WHERE p.id = $1"},
    /* PATCH /v1/me: the person's row taken first, then read with me_with_memberships. $2..$5 NULL:
     * unchanged; $6 true: the phone is set to $3, which may be NULL (removed). */
    {"me_lock", "SELECT 1 FROM persons WHERE id = $1 FOR UPDATE"},
    {"me_update",
     "UPDATE persons SET display_name = COALESCE($2, display_name), phone = CASE WHEN $6::bool THEN $3 ELSE phone END, "
     "language = COALESCE($4, language), contact_channel = COALESCE($5, contact_channel), updated_at = now() "
     "WHERE id = $1"},
    {"me_membership",
     "SELECT d.doc FROM memberships m JOIN communities c ON c.id = m.community_id, membership_doc(m, c) d "
     "WHERE m.person_id = $1 AND m.community_id = $2 AND m.removed_at IS NULL"},
    /* Keyset page over (updated_at, person_id); with $6 (an updated_since was given) removed members
     * come back as tombstones, without it they are left out. Fetches limit+1 rows to know about a
     * next page. */
    {"members_page",
     "SELECT d.* FROM memberships m JOIN persons p ON p.id = m.person_id, member_doc(m, p) d "
     "WHERE m.community_id = $1 AND m.updated_at > $2::timestamptz "
     "AND (m.updated_at, m.person_id) > ($3::timestamptz, $4::uuid) AND (m.removed_at IS NULL OR $6::bool) "
     "ORDER BY m.updated_at, m.person_id LIMIT $5"},
    /* The desk's search (?q=): the LIKE pattern $2 (src/people.h) against the searchable copy, which
     * its trigram index serves (member_search_scope, sql/migrations/0019_people.sql), then each hit's
     * member by its id; the same keyset as members_page. The hits come first, materialized: joined
     * freely, the generic plan walked the community's memberships and probed the copy per member. */
    {"members_search",
     "WITH hits AS MATERIALIZED (SELECT person_id, updated_at FROM member_search_scope "
     "WHERE search_text LIKE search_fold($2) AND (updated_at, person_id) > ($3::timestamptz, $4::uuid) "
     "ORDER BY updated_at, person_id LIMIT $5) "
     "SELECT d.* FROM hits s JOIN memberships m ON m.community_id = $1 AND m.person_id = s.person_id "
     "JOIN persons p ON p.id = m.person_id, member_doc(m, p) d ORDER BY s.updated_at, s.person_id"},
    {"member_get",
     "SELECT d.* FROM memberships m JOIN persons p ON p.id = m.person_id, member_doc(m, p) d "
     "WHERE m.community_id = $1 AND m.person_id = $2 AND m.removed_at IS NULL"},
    /* A change to a membership takes its row first, then reads it with member_get. */
    {"member_lock", "SELECT 1 FROM memberships WHERE community_id = $1 AND person_id = $2 FOR UPDATE"},
    {"member_set_roles",
     "UPDATE memberships SET roles = ARRAY(SELECT jsonb_array_elements_text($3::jsonb)::member_role), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND person_id = $2"},
    {"member_remove",
     "UPDATE memberships SET removed_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND person_id = $2"},
};

int members_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result members_me(struct db_conn *conn, const char *person_id, json_t **out, struct result_info *info) {
  enum result r = documents_one(conn, "me_with_memberships", 1, (const char *[]){person_id}, out, info);
  return r == RESULT_NOT_FOUND ? RESULT_UNAUTHENTICATED : r; /* a token for a person who is gone */
}

/* The PATCH /v1/me body: every member optional; `phone` may be null (no phone). */
static const char *const languages[] = {"nl", "en", NULL};
const char *const members_contact_channels[] = {"app", "sms", "voice", "post", "via_desk", NULL};
enum { ME_NAME, ME_PHONE, ME_LANGUAGE, ME_CHANNEL, ME_FIELDS };
static const struct field_rule me_fields[] = {
    [ME_NAME] = {"display_name", FIELD_TEXT, FIELD_STRING_TYPE | FIELD_NULL_INVALID, 1, 100, NULL, "length",
                 "use 1 to 100 characters, no control characters"},
    [ME_PHONE] = {"phone", FIELD_STRING, FIELD_STRING_TYPE, 1, 40, NULL, "invalid", PHONE_MESSAGE},
    [ME_LANGUAGE] = {"language", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, languages, "invalid", "nl or en"},
    [ME_CHANNEL] = {"contact_channel", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, members_contact_channels, "invalid",
                    MEMBERS_CHANNEL_MESSAGE},
    [ME_FIELDS] = {NULL},
};

int members_phone_of_body(const struct field_value *phone, char e164[PHONE_E164_SIZE], struct result_info *info) {
  e164[0] = '\0';
  if (!phone->present) return 0;
  if (phone_normalise(phone->text, e164, PHONE_E164_SIZE) == 0) return 0;
  result_field_error(info, "phone", "invalid", PHONE_MESSAGE);
  return -1;
}

enum result members_me_update(struct db_conn *conn, const char *person_id, json_t *body,
                              const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  struct field_value v[ME_FIELDS];
  char phone[PHONE_E164_SIZE];
  fields_read(body, me_fields, v, info);
  members_phone_of_body(&v[ME_PHONE], phone, info);
  if (info->errors != NULL) return RESULT_INVALID;
  if (if_match == NULL || !if_match->given) return RESULT_PRECONDITION_REQUIRED;
  json_t *current = NULL;
  enum result r = result_from_db(db_exec(conn, "me_lock", 1, (const char *[]){person_id}), info);
  if (r == RESULT_OK) r = members_me(conn, person_id, &current, info);
  if (r == RESULT_OK) r = precondition_check(if_match, current, 1);
  json_decref(current);
  if (r != RESULT_OK) return r;
  int phone_given = v[ME_PHONE].present || v[ME_PHONE].null;
  const char *params[6] = {person_id,           v[ME_NAME].text,    v[ME_PHONE].present ? phone : NULL,
                           v[ME_LANGUAGE].text, v[ME_CHANNEL].text, phone_given ? "true" : "false"};
  r = result_from_db(db_exec(conn, "me_update", 6, params), info);
  return r == RESULT_OK ? members_me(conn, person_id, out, info) : r;
}

enum result members_membership(struct db_conn *conn, const char *person_id, const char *community_id, json_t **out,
                               struct result_info *info) {
  const char *params[2] = {person_id, community_id};
  return documents_one(conn, "me_membership", 2, params, out, info);
}

enum result members_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page, json_t **out,
                         struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  const char *params[6] = {actor->community_id,         paging_param_since(page),
                           paging_param_after_ts(page), paging_param_after_id(page),
                           paging_param_fetch(page),    page->updated_since != NULL ? "true" : "false"};
  return documents_sync_page(conn, "members_page", 6, params, page, "updated_at", "person_id", out, info);
}

enum result members_search(struct db_conn *conn, const struct actor *actor, const char *q,
                           const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  if (strlen(q) < 2 || strlen(q) > 100) {
    result_field_error(info, "q", "length", "search with 2 to 100 characters");
    return RESULT_INVALID;
  }
  if (page->updated_since != NULL) {
    result_field_error(info, "updated_since", "invalid", "a search takes no updated_since");
    return RESULT_INVALID;
  }
  char *pattern = people_search_pattern(q);
  if (pattern == NULL) return RESULT_ERROR;
  const char *params[5] = {actor->community_id, pattern, paging_param_after_ts(page), paging_param_after_id(page),
                           paging_param_fetch(page)};
  enum result r = documents_sync_page(conn, "members_search", 5, params, page, "updated_at", "person_id", out, info);
  o_free(pattern);
  return r;
}

/* Load one live member, locked for update when `lock`. RESULT_NOT_FOUND when absent. */
static enum result load_member(struct db_conn *conn, const struct actor *actor, const char *person_id, int lock,
                               json_t **out, struct result_info *info) {
  const char *params[2] = {actor->community_id, person_id};
  *out = NULL;
  enum result r = lock ? result_from_db(db_exec(conn, "member_lock", 2, params), info) : RESULT_OK;
  return r == RESULT_OK ? documents_one(conn, "member_get", 2, params, out, info) : r;
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

/* A member-update body: a list of 1 to 5 roles, whose names roles_of_body checks. */
static const struct field_rule roles_fields[] = {
    {"roles", FIELD_LIST, FIELD_ABSENT_INVALID, 1, 5, NULL, "invalid", "give 1 to 5 roles"},
    {NULL},
};

/* The roles a member-update body names: 1 to 5 distinct role names, never guest (that comes only
 * with a case invitation). 0 after a field error. */
static unsigned roles_of_body(json_t *body, struct result_info *info) {
  struct field_value names;
  fields_read(body, roles_fields, &names, info);
  if (!names.present) return 0;
  unsigned roles = 0;
  size_t i;
  json_t *name;
  json_array_foreach(names.list, i, name) {
    unsigned role = role_from_name(json_string_value(name));
    if (role == 0 || role == ROLE_GUEST || (roles & role)) {
      result_field_error(info, "roles", "invalid",
                         "roles must be distinct names out of resident, volunteer, coordinator, professional, admin");
      return 0;
    }
    roles |= role;
  }
  return roles;
}

enum result members_update_roles(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t *body,
                                 const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  unsigned roles = roles_of_body(body, info);
  if (info->errors != NULL) return RESULT_INVALID;
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
  char *role_names = roles_to_json_text(roles);
  if (role_names == NULL) return RESULT_ERROR;
  const char *params[3] = {actor->community_id, person_id, role_names};
  r = result_from_db(db_exec(conn, "member_set_roles", 3, params), info);
  free(role_names);
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
