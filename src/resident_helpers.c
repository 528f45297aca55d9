/* The resident's preferred and blocked helpers (see resident_helpers.h). */
#include "resident_helpers.h"

#include <orcania.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fields.h"

static const struct db_statement statements[] = {
    {"hr_helpers",
     "SELECT COALESCE(array_to_json(array_agg(helper_id ORDER BY helper_id) FILTER (WHERE kind = 'preferred')), "
     "'[]')::text, COALESCE(array_to_json(array_agg(helper_id ORDER BY helper_id) FILTER (WHERE kind = 'blocked')), "
     "'[]')::text FROM resident_helpers WHERE community_id = $1 AND resident_id = $2"},
    {"hr_helpers_clear", "DELETE FROM resident_helpers WHERE community_id = $1 AND resident_id = $2"},
    {"hr_helpers_add",
     "INSERT INTO resident_helpers (community_id, resident_id, helper_id, kind) "
     "SELECT $1, $2, h::uuid, $4::helper_kind FROM json_array_elements_text($3::json) h"},
    /* How many of the ids in $2 (a JSON array) are members of the community. */
    {"hr_members_among",
     "SELECT count(*) FROM memberships WHERE community_id = $1 "
     "AND person_id IN (SELECT p::uuid FROM json_array_elements_text($2::json) p) AND removed_at IS NULL"},
};

int resident_helpers_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result help_requests_helpers_get(struct db_conn *conn, const struct actor *actor, json_t **out,
                                      struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & ROLE_RESIDENT)) return RESULT_FORBIDDEN;
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "hr_helpers", 2, (const char *[]){actor->community_id, actor->person_id}, &res), info);
  if (r == RESULT_OK) {
    *out = json_pack("{s:o, s:o}", "preferred", json_loads(PQgetvalue(res, 0, 0), 0, NULL), "blocked",
                     json_loads(PQgetvalue(res, 0, 1), 0, NULL));
    if (*out == NULL) r = RESULT_ERROR;
  }
  PQclear(res);
  return r;
}

/* The helpers body: both lists, each of at most 50 person ids. */
enum { HELPERS_PREFERRED, HELPERS_BLOCKED, HELPERS_FIELDS };
static const struct field_rule helpers_fields[] = {
    [HELPERS_PREFERRED] = {"preferred", FIELD_UUID_LIST, FIELD_ABSENT_INVALID, 0, 50, NULL, "invalid",
                           "a list of at most 50 person ids (UUIDs)"},
    [HELPERS_BLOCKED] = {"blocked", FIELD_UUID_LIST, FIELD_ABSENT_INVALID, 0, 50, NULL, "invalid",
                         "a list of at most 50 person ids (UUIDs)"},
    [HELPERS_FIELDS] = {NULL},
};

enum result help_requests_helpers_put(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                      struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & ROLE_RESIDENT)) return RESULT_FORBIDDEN;
  struct field_value v[HELPERS_FIELDS];
  fields_read(body, helpers_fields, v, info);
  json_t *preferred_ids = v[HELPERS_PREFERRED].list, *blocked_ids = v[HELPERS_BLOCKED].list;
  /* the lists as the JSON text the statements take */
  char *preferred = preferred_ids != NULL ? json_dumps(preferred_ids, JSON_COMPACT) : NULL;
  char *blocked = blocked_ids != NULL ? json_dumps(blocked_ids, JSON_COMPACT) : NULL;
  size_t i, j;
  json_t *a, *b;
  if (preferred != NULL && blocked != NULL) {
    json_array_foreach(preferred_ids, i, a) {
      json_array_foreach(blocked_ids, j, b) {
        if (strcasecmp(json_string_value(a), json_string_value(b)) == 0)
          result_field_error(info, "blocked", "conflict", "a helper cannot be both preferred and blocked");
      }
    }
  }
  enum result r = info->errors != NULL || preferred == NULL || blocked == NULL ? RESULT_INVALID : RESULT_OK;
  PGresult *res = NULL;
  if (r == RESULT_OK) {
    /* Every id must be a member of this community. */
    size_t expected = json_array_size(preferred_ids) + json_array_size(blocked_ids);
    long found = 0;
    for (int k = 0; k < 2 && r == RESULT_OK; k++) {
      r = result_from_db(
          db_query(conn, "hr_members_among", 2, (const char *[]){actor->community_id, k ? blocked : preferred}, &res),
          info);
      if (r == RESULT_OK) found += atol(PQgetvalue(res, 0, 0));
      PQclear(res);
    }
    if (r == RESULT_OK && (size_t)found != expected) {
      result_field_error(info, "preferred", "unknown_person", "every helper must be a member of this community");
      r = RESULT_INVALID;
    }
  }
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "hr_helpers_clear", 2, (const char *[]){actor->community_id, actor->person_id}),
                       info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "hr_helpers_add", 4,
                               (const char *[]){actor->community_id, actor->person_id, preferred, "preferred"}),
                       info);
  if (r == RESULT_OK)
    r = result_from_db(
        db_exec(conn, "hr_helpers_add", 4, (const char *[]){actor->community_id, actor->person_id, blocked, "blocked"}),
        info);
  free(preferred);
  free(blocked);
  if (r == RESULT_OK) r = help_requests_helpers_get(conn, actor, out, info);
  return r;
}
