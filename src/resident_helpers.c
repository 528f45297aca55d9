/* The resident's preferred and blocked helpers (see resident_helpers.h). */
#include "resident_helpers.h"

#include <orcania.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "on_behalf.h"

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

/* The lists of `resident` as the answer. */
static enum result lists_of(struct db_conn *conn, const struct actor *actor, const char *resident, json_t **out,
                            struct result_info *info) {
  PGresult *res = NULL;
  enum result r =
      result_from_db(db_query(conn, "hr_helpers", 2, (const char *[]){actor->community_id, resident}, &res), info);
  if (r == RESULT_OK) {
    *out = json_pack("{s:o, s:o}", "preferred", json_loads(PQgetvalue(res, 0, 0), 0, NULL), "blocked",
                     json_loads(PQgetvalue(res, 0, 1), 0, NULL));
    if (*out == NULL) r = RESULT_ERROR;
  }
  PQclear(res);
  return r;
}

/* Whether `person` is a resident of the community: the person the desk may keep the lists of. */
static enum result resident_or_null(struct db_conn *conn, const struct actor *actor, const char *person,
                                    const char **about, struct result_info *info) {
  int is_resident = 0;
  enum result r = on_behalf_member_has_role(conn, actor, person, "resident", &is_resident, info);
  *about = is_resident ? person : NULL;
  return r;
}

enum result help_requests_helpers_get(struct db_conn *conn, const struct actor *actor, const char *resident_id,
                                      json_t **out, struct result_info *info) {
  *out = NULL;
  if (resident_id == NULL || strcasecmp(resident_id, actor->person_id) == 0) {
    if (!(actor->roles & ROLE_RESIDENT)) return RESULT_FORBIDDEN;
    return lists_of(conn, actor, actor->person_id, out, info);
  }
  if (!actor_manages(actor)) {
    info->detail = "only the desk reads the helpers of another resident";
    return RESULT_FORBIDDEN;
  }
  const char *about = NULL;
  enum result r = resident_or_null(conn, actor, resident_id, &about, info);
  if (r == RESULT_OK && about == NULL) {
    result_field_error(info, "resident_id", "wrong_person", "must be a resident of this community");
    r = RESULT_UNPROCESSABLE;
  }
  return r == RESULT_OK ? lists_of(conn, actor, resident_id, out, info) : r;
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

enum result help_requests_helpers_put(struct db_conn *conn, const struct actor *caller, json_t *body, json_t **out,
                                      struct result_info *info) {
  *out = NULL;
  struct on_behalf ob;
  json_t *rest = NULL;
  int whom_fits = on_behalf_read(body, &ob, &rest, info) == 0;
  if (body != NULL && rest == NULL) return RESULT_ERROR;
  if (!whom_fits) { /* who the caller acts for decides who may: told first */
    json_decref(rest);
    return RESULT_INVALID;
  }
  if (ob.person_id == NULL && !(caller->roles & ROLE_RESIDENT)) {
    json_decref(rest);
    return RESULT_FORBIDDEN;
  }
  if (ob.person_id != NULL) {
    const char *about = NULL;
    enum result checked = resident_or_null(conn, caller, ob.person_id, &about, info);
    if (checked == RESULT_OK)
      checked = on_behalf_check(&ob, caller, about, "must be a resident of this community", info);
    if (checked != RESULT_OK) {
      json_decref(rest);
      return checked;
    }
  }
  const struct actor acting = on_behalf_actor(caller, &ob), *actor = &acting;
  const char *resident = on_behalf_person(&ob, caller);
  struct field_value v[HELPERS_FIELDS];
  fields_read(rest, helpers_fields, v, info);
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
    r = result_from_db(db_exec(conn, "hr_helpers_clear", 2, (const char *[]){actor->community_id, resident}), info);
  if (r == RESULT_OK)
    r = result_from_db(
        db_exec(conn, "hr_helpers_add", 4, (const char *[]){actor->community_id, resident, preferred, "preferred"}),
        info);
  if (r == RESULT_OK)
    r = result_from_db(
        db_exec(conn, "hr_helpers_add", 4, (const char *[]){actor->community_id, resident, blocked, "blocked"}), info);
  free(preferred);
  free(blocked);
  json_decref(rest); /* after the lists, which it shared with the body, were read */
  if (r == RESULT_OK) r = on_behalf_record(conn, actor, "helpers", resident, NULL, info);
  if (r == RESULT_OK) r = lists_of(conn, actor, resident, out, info);
  return r;
}
