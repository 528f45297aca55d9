/* A case's shared action list. */
#include "case_actions.h"
#include "documents.h"

#include <stdio.h>
#include <string.h>

#include "case_action_rules.h"
#include "fields.h"
#include "precondition.h"
#include "timeline.h"

static const struct db_statement statements[] = {
    /* $3 caller, $4 whether they see everything. */
    {"case_actions",
     "SELECT d.doc FROM case_actions a, case_action_doc(a) d WHERE a.community_id = $1 AND a.case_id = $2 "
     "AND ($4::bool OR a.owner_id = $3::uuid) ORDER BY a.due_on NULLS LAST, a.created_at, a.id"},
    /* One action, under the rule of case_actions: $3 caller, $4 whether they see everything. */
    {"case_action_get",
     "SELECT d.doc FROM case_actions a, case_action_doc(a) d WHERE a.community_id = $1 AND a.case_id = $2 "
     "AND a.id = $5 AND ($4::bool OR a.owner_id = $3::uuid)"},
    {"case_action_insert",
     "INSERT INTO case_actions (community_id, case_id, title, owner_id, due_on, created_by) "
     "VALUES ($1, $2, $3, $4, $5::date, $6) RETURNING id"},
    {"case_action_doc",
     "SELECT d.doc FROM case_actions a, case_action_doc(a) d WHERE a.community_id = $1 AND a.case_id = $2 "
     "AND a.id = $3"},
    /* The action as it is now, locked for a change: its document (for the ETag), status and owner. */
    {"case_action_lock",
     "SELECT d.doc, a.status, a.owner_id FROM case_actions a, case_action_doc(a) d WHERE a.community_id = $1 "
     "AND a.case_id = $2 AND a.id = $3 FOR UPDATE OF a"},
    {"case_action_set",
     "UPDATE case_actions SET title = $4, due_on = $5::date, status = $6::case_action_status, owner_id = $7, "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND case_id = $2 AND id = $3"},
    {"case_action_take",
     "UPDATE case_actions SET owner_id = $4, updated_at = clock_timestamp() WHERE community_id = $1 AND case_id = $2 "
     "AND id = $3 AND owner_id IS NULL AND status IN ('open', 'in_progress') RETURNING id"},
    /* /v1/me/actions: the person's ($1) own open actions on the cases she is still on, and the open
     * actions of the cases they lead; $2 overdue only / not overdue / both (NULL), keyset $3..$5,
     * $6 limit. Row-level security scopes them to the person's communities. With an updated_since
     * ($3 above -infinity), also the tombstones of the actions that left the list since
     * (sql/migrations/0015_sync_tombstones.sql), in the same keyset order. */
    {"case_my_actions_owned",
     "SELECT x.doc FROM ((SELECT d.doc, a.updated_at, a.id FROM case_actions_open($2::bool) a, case_action_doc(a) d "
     "WHERE a.owner_id = $1 AND a.updated_at > $3::timestamptz AND (a.updated_at, a.id) > ($4::timestamptz, $5::uuid) "
     "AND EXISTS (SELECT 1 FROM case_participants p WHERE p.community_id = a.community_id AND p.case_id = a.case_id "
     "AND p.person_id = $1) ORDER BY a.updated_at, a.id LIMIT $6) "
     "UNION ALL (SELECT sync_tombstone_doc(t.item_id, t.removed_at), t.removed_at, t.item_id FROM sync_tombstones t "
     "WHERE t.person_id = $1 AND t.kind = 'action_owned' AND $3::timestamptz > '-infinity'::timestamptz "
     "AND t.removed_at > $3::timestamptz AND (t.removed_at, t.item_id) > ($4::timestamptz, $5::uuid) "
     "ORDER BY t.removed_at, t.item_id LIMIT $6)) x ORDER BY x.updated_at, x.id LIMIT $6"},
    {"case_my_actions_led",
     "SELECT x.doc FROM ((SELECT d.doc, a.updated_at, a.id FROM cases c JOIN case_actions_open($2::bool) a "
     "ON a.community_id = c.community_id AND a.case_id = c.id, case_action_doc(a) d "
     "WHERE c.lead_person_id = $1 AND a.updated_at > $3::timestamptz AND (a.updated_at, a.id) > ($4::timestamptz, $5::uuid) "
     "ORDER BY a.updated_at, a.id LIMIT $6) "
     "UNION ALL (SELECT sync_tombstone_doc(t.item_id, t.removed_at), t.removed_at, t.item_id FROM sync_tombstones t "
     "WHERE t.person_id = $1 AND t.kind = 'action_led' AND $3::timestamptz > '-infinity'::timestamptz "
     "AND t.removed_at > $3::timestamptz AND (t.removed_at, t.item_id) > ($4::timestamptz, $5::uuid) "
     "ORDER BY t.removed_at, t.item_id LIMIT $6)) x ORDER BY x.updated_at, x.id LIMIT $6"},
};

int case_actions_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* The actions the caller may see, as a JSON array. */
enum result case_actions_visible(struct db_conn *conn, const struct actor *actor, const char *id,
                                 const struct case_access *a, json_t **items, struct result_info *info) {
  const char *params[4] = {actor->community_id, id, actor->person_id, a->sees_basic ? "true" : "false"};
  return documents_list(conn, "case_actions", 4, params, items, info);
}

enum result cases_actions(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                          struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  json_t *items = NULL;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  case_audit_consent_read(audit, &a, 0);
  r = case_actions_visible(conn, actor, id, &a, &items, info);
  if (r == RESULT_OK && (*out = json_pack("{s:o}", "items", items)) == NULL) r = RESULT_ERROR;
  return r;
}

enum result cases_action_get(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_id,
                             json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  case_audit_consent_read(audit, &a, 0);
  const char *params[5] = {actor->community_id, id, actor->person_id, a.sees_basic ? "true" : "false", action_id};
  return documents_one(conn, "case_action_get", 5, params, out, info);
}

/* A participant of this case (for owner_id), or a field error. */
static enum result require_participant(struct db_conn *conn, const struct actor *actor, const char *id,
                                       const char *person, struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "case_participant_role", 3, (const char *[]){actor->community_id, id, person}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    result_field_error(info, "owner_id", "not_a_participant", "the owner is a participant of the case");
    r = RESULT_UNPROCESSABLE;
  }
  PQclear(res);
  return r;
}

enum { CREATE_TITLE, CREATE_OWNER, CREATE_DUE, CREATE_FIELDS };
static const struct field_rule create_fields[] = {
    [CREATE_TITLE] = {"title", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL, NULL},
    [CREATE_OWNER] = {"owner_id", FIELD_UUID, 0, 0, 0, NULL, NULL, NULL},
    [CREATE_DUE] = {"due_on", FIELD_DATE, 0, 0, 0, NULL, NULL, NULL},
    [CREATE_FIELDS] = {NULL},
};

enum result cases_action_create(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  /* The body is read first; its errors are told after whether the case is there and open. */
  struct field_value v[CREATE_FIELDS];
  int fits = fields_read(body, create_fields, v, info) == 0;
  const char *title = v[CREATE_TITLE].text;
  const char *owner = v[CREATE_OWNER].text;
  const char *due = v[CREATE_DUE].text;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.open) return case_state_conflict(info, &a, "the case is closed");
  if (!fits) return RESULT_INVALID;
  if (owner != NULL) r = require_participant(conn, actor, id, owner, info);
  PGresult *res = NULL;
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "case_action_insert", 6,
                                (const char *[]){actor->community_id, id, title, owner, due, actor->person_id}, &res),
                       info);
  char action_id[37] = "";
  if (r == RESULT_OK) snprintf(action_id, sizeof action_id, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  if (r == RESULT_OK) r = case_touch(conn, actor, id, info);
  if (r == RESULT_OK)
    r = documents_one(conn, "case_action_doc", 3, (const char *[]){actor->community_id, id, action_id}, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

/* A change names only what changes. due_on and owner_id may be null (no date, no owner); title
 * and status may not. */
enum { CHANGE_TITLE, CHANGE_DUE, CHANGE_STATUS, CHANGE_OWNER, CHANGE_FIELDS };
static const struct field_rule change_fields[] = {
    [CHANGE_TITLE] = {"title", FIELD_TEXT, 0, 1, 200, NULL, NULL, NULL},
    [CHANGE_DUE] = {"due_on", FIELD_DATE, 0, 0, 0, NULL, NULL, "a date or null"},
    [CHANGE_STATUS] = {"status", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, case_action_status_names, NULL,
                       "open, in_progress, done or cancelled"},
    [CHANGE_OWNER] = {"owner_id", FIELD_UUID, 0, 0, 0, NULL, NULL, NULL},
    [CHANGE_FIELDS] = {NULL},
};

enum result cases_action_update(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_id,
                                json_t *body, const struct precondition *if_match, json_t **out,
                                struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  /* The body is read first; its errors are told after who may change the action and If-Match. */
  struct field_value v[CHANGE_FIELDS];
  int fits = fields_read(body, change_fields, v, info) == 0;
  if (v[CHANGE_TITLE].null) { /* told as missing: a title cannot be taken away */
    result_field_error(info, "title", "required", "this field is required");
    fits = 0;
  }
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "case_action_lock", 3, (const char *[]){actor->community_id, id, action_id}, &res),
                     info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  json_t *current = NULL;
  char status[16] = "", owner[37] = "";
  if (r == RESULT_OK) {
    current = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    snprintf(status, sizeof status, "%s", PQgetvalue(res, 0, 1));
    snprintf(owner, sizeof owner, "%s", PQgetvalue(res, 0, 2));
    if (current == NULL) r = RESULT_ERROR;
  }
  PQclear(res);
  if (r == RESULT_OK && !a.sees_basic && strcmp(owner, actor->person_id) != 0) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && strcmp(owner, actor->person_id) != 0 && !a.is_lead && !case_caller_is_coordinator(&a)) {
    info->detail = "the owner, the lead or a coordinator on the case changes an action";
    r = RESULT_FORBIDDEN;
  }
  if (r == RESULT_OK) r = precondition_check(if_match, current, 1);
  /* Start from the current values; the body replaces what it names. */
  const char *title = json_string_value(json_object_get(current, "title"));
  const char *due = json_string_value(json_object_get(current, "due_on"));
  const char *new_status = status;
  const char *new_owner = owner[0] ? owner : NULL;
  if (v[CHANGE_TITLE].present) title = v[CHANGE_TITLE].text;
  if (json_object_get(body, "due_on") != NULL) due = v[CHANGE_DUE].text; /* null: no date */
  if (v[CHANGE_STATUS].present) new_status = v[CHANGE_STATUS].text;
  if (json_object_get(body, "owner_id") != NULL) new_owner = v[CHANGE_OWNER].text; /* null: nobody */
  if (r == RESULT_OK && !fits) r = RESULT_INVALID;
  if (r == RESULT_OK && v[CHANGE_OWNER].present) r = require_participant(conn, actor, id, new_owner, info);
  int from = case_action_status_from_name(status), to = case_action_status_from_name(new_status);
  if (r == RESULT_OK && !case_action_move_allowed(from, to)) {
    info->detail = "done and cancelled actions are final";
    result_extension(info, "current_state", json_string(status));
    r = RESULT_CONFLICT;
  }
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "case_action_set", 7,
                               (const char *[]){actor->community_id, id, action_id, title, due, new_status, new_owner}),
                       info);
  if (r == RESULT_OK && to == CASE_ACTION_DONE && from != CASE_ACTION_DONE)
    r = timeline_event(conn, actor, id, "action_done", title, info);
  json_decref(current);
  if (r == RESULT_OK) r = case_touch(conn, actor, id, info);
  if (r == RESULT_OK)
    r = documents_one(conn, "case_action_doc", 3, (const char *[]){actor->community_id, id, action_id}, out, info);
  return r;
}

enum result cases_action_take(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_id,
                              json_t *body, json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const struct field_rule none[] = {{NULL}};
  if (fields_read(body, none, NULL, info) != 0) return RESULT_INVALID;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  json_t *existing = NULL;
  r = documents_one(conn, "case_action_doc", 3, (const char *[]){actor->community_id, id, action_id}, &existing, info);
  json_decref(existing);
  if (r != RESULT_OK) return r;
  /* One UPDATE with the condition in it: of two concurrent takes, the second finds an owner. */
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "case_action_take", 4,
                              (const char *[]){actor->community_id, id, action_id, actor->person_id}, &res),
                     info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    info->detail = "someone already took this action, or it is finished";
    r = RESULT_CONFLICT;
  }
  PQclear(res);
  if (r == RESULT_OK) r = case_touch(conn, actor, id, info);
  if (r == RESULT_OK)
    r = documents_one(conn, "case_action_doc", 3, (const char *[]){actor->community_id, id, action_id}, out, info);
  return r;
}

int cases_my_actions_filter(const char *overdue, const char *scope, int *overdue_filter, int *led,
                            struct result_info *info) {
  static const char *const booleans[] = {"false", "true", NULL};
  static const char *const scopes[] = {"owned", "led", NULL};
  int ok = 1;
  *overdue_filter = overdue != NULL ? fields_choice("overdue", overdue, booleans, "true or false", info) : -1;
  if (overdue != NULL && *overdue_filter < 0) ok = 0;
  *led = scope != NULL ? fields_choice("scope", scope, scopes, "owned or led", info) : 0;
  if (*led < 0) {
    *led = 0;
    ok = 0;
  }
  return ok ? 0 : -1;
}

enum result cases_my_actions(struct db_conn *conn, const char *person_id, int overdue, int led,
                             const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  const char *overdue_param = overdue < 0 ? NULL : overdue ? "true" : "false";
  const char *params[6] = {person_id,
                           overdue_param,
                           paging_param_since(page),
                           paging_param_after_ts(page),
                           paging_param_after_id(page),
                           paging_param_fetch(page)};
  const char *statement = led ? "case_my_actions_led" : "case_my_actions_owned";
  return documents_sync_page(conn, statement, 6, params, page, "updated_at", "id", out, info);
}
