/* Shared casework: opening, reading, changing and closing a case. Representations are built by
 * PostgreSQL; what a person sees of a case is the SQL function case_viewer
 * (sql/migrations/0006_index_driven_rls.sql), so lists and single reads agree. */
#include "cases.h"
#include "documents.h"

#include <stdio.h>
#include <string.h>

#include "case_action_rules.h"
#include "case_actions.h"
#include "fields.h"
#include "precondition.h"

static const struct db_statement statements[] = {
    /* The cases the caller is on, found through their participant rows. With an updated_since ($4
     * above -infinity) also tombstones, in the same keyset order: of the cases that changed to the
     * other status since (closed, or reopened), and of those she was taken off since
     * (sql/migrations/0015_sync_tombstones.sql). */
    {"case_page",
     "SELECT x.doc FROM ((SELECT CASE WHEN c.status = $2::case_status THEN d.doc "
     "ELSE sync_tombstone_doc(c.id, c.updated_at) END AS doc, c.updated_at, c.id "
     "FROM case_participants me JOIN cases c ON c.community_id = me.community_id AND c.id = me.case_id, "
     "case_doc(c, $3::uuid) d WHERE me.community_id = $1 AND me.person_id = $3::uuid "
     "AND (c.status = $2::case_status OR $4::timestamptz > '-infinity'::timestamptz) "
     "AND c.updated_at > $4::timestamptz AND (c.updated_at, c.id) > ($5::timestamptz, $6::uuid) "
     "ORDER BY c.updated_at, c.id LIMIT $7) "
     "UNION ALL (SELECT sync_tombstone_doc(t.item_id, t.removed_at), t.removed_at, t.item_id FROM sync_tombstones t "
     "WHERE t.person_id = $3::uuid AND t.kind = 'case' AND t.community_id = $1 "
     "AND $4::timestamptz > '-infinity'::timestamptz "
     "AND t.removed_at > $4::timestamptz AND (t.removed_at, t.item_id) > ($5::timestamptz, $6::uuid) "
     "ORDER BY t.removed_at, t.item_id LIMIT $7)) x ORDER BY x.updated_at, x.id LIMIT $7"},
    {"case_member_roles",
     "SELECT array_to_string(roles, ',') FROM memberships WHERE community_id = $1 AND person_id = $2 "
     "AND removed_at IS NULL"},
    {"case_request_of", "SELECT 1 FROM help_requests WHERE community_id = $1 AND id = $2 AND resident_id = $3"},
    {"case_insert",
     "INSERT INTO cases (community_id, subject_id, title, help_request_id, lead_person_id, created_by) "
     "VALUES ($1, $2, $3, $4, $5, $5) RETURNING id"},
    {"case_set_title",
     "UPDATE cases SET title = $3, updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"case_close",
     "UPDATE cases SET status = 'closed', outcome = $3, closed_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
    {"case_reopen",
     "UPDATE cases SET status = 'open', closed_at = NULL, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
};

int cases_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum { CREATE_SUBJECT, CREATE_TITLE, CREATE_REQUEST, CREATE_ORGANISATION, CREATE_FIELDS };
static const struct field_rule create_fields[] = {
    [CREATE_SUBJECT] = {"subject_id", FIELD_UUID, FIELD_REQUIRED, 0, 0, NULL, NULL, NULL},
    [CREATE_TITLE] = {"title", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL, NULL},
    [CREATE_REQUEST] = {"help_request_id", FIELD_UUID, 0, 0, 0, NULL, NULL, NULL},
    [CREATE_ORGANISATION] = {"organisation", FIELD_TEXT, 0, 1, 100, NULL, NULL, NULL},
    [CREATE_FIELDS] = {NULL},
};

enum result cases_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                         struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct field_value v[CREATE_FIELDS];
  if (fields_read(body, create_fields, v, info) != 0) return RESULT_INVALID;
  const char *subject = v[CREATE_SUBJECT].text;
  const char *title = v[CREATE_TITLE].text;
  const char *request = v[CREATE_REQUEST].text;
  const char *organisation = v[CREATE_ORGANISATION].text;
  int professional = (actor->roles & ROLE_PROFESSIONAL) && !(actor->roles & (ROLE_COORDINATOR | ROLE_ADMIN));
  if (!(actor->roles & (ROLE_COORDINATOR | ROLE_ADMIN | ROLE_PROFESSIONAL))) {
    info->detail = "a coordinator or a professional opens a case";
    return RESULT_FORBIDDEN;
  }
  snprintf(audit->subject_id, sizeof audit->subject_id, "%s", subject);
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "case_member_roles", 2, (const char *[]){actor->community_id, subject}, &res), info);
  if (r == RESULT_OK && (PQntuples(res) != 1 || !(roles_parse(PQgetvalue(res, 0, 0)) & ROLE_RESIDENT))) {
    result_field_error(info, "subject_id", "not_a_resident", "the subject is a resident of this community");
    r = RESULT_UNPROCESSABLE;
  }
  PQclear(res);
  if (r == RESULT_OK && strcmp(subject, actor->person_id) == 0) {
    result_field_error(info, "subject_id", "invalid", "you cannot open a case about yourself");
    r = RESULT_INVALID;
  }
  if (r == RESULT_OK && request != NULL) {
    r = result_from_db(
        db_query(conn, "case_request_of", 3, (const char *[]){actor->community_id, request, subject}, &res), info);
    if (r == RESULT_OK && PQntuples(res) != 1) {
      result_field_error(info, "help_request_id", "unknown", "a help request of this subject");
      r = RESULT_UNPROCESSABLE;
    }
    PQclear(res);
  }
  if (r != RESULT_OK) return r;
  const char *insert[5] = {actor->community_id, subject, title, request, actor->person_id};
  r = result_from_db(db_query(conn, "case_insert", 5, insert, &res), info);
  char id[37] = "";
  if (r == RESULT_OK) snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  snprintf(audit->case_id, sizeof audit->case_id, "%s", id);
  if (organisation != NULL) snprintf(audit->organisation, sizeof audit->organisation, "%s", organisation);
  const char *subject_row[6] = {actor->community_id, id, subject, "subject", NULL, "false"};
  const char *creator_row[6] = {
      actor->community_id, id, actor->person_id, professional ? "professional" : "coordinator", organisation, "false"};
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "case_participant_insert", 6, subject_row), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "case_participant_insert", 6, creator_row), info);
  const char *lead[6] = {actor->community_id, id, actor->person_id, NULL, NULL, NULL};
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "case_lead_open", 6, lead), info);
  if (r == RESULT_OK) r = case_doc(conn, actor, id, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

const char *cases_status_filter(const char *status, struct result_info *info) {
  static const char *const statuses[] = {"open", "closed", NULL};
  if (status == NULL) return "open";
  return fields_choice("status", status, statuses, "open or closed", info) >= 0 ? status : NULL;
}

enum result cases_list(struct db_conn *conn, const struct actor *actor, const char *status,
                       const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  const char *params[7] = {actor->community_id,
                           status,
                           actor->person_id,
                           paging_param_since(page),
                           paging_param_after_ts(page),
                           paging_param_after_id(page),
                           paging_param_fetch(page)};
  return documents_sync_page(conn, "case_page", 7, params, page, "updated_at", "id", out, info);
}

enum result cases_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                      struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  case_audit_consent_read(audit, &a, 0);
  return case_doc(conn, actor, id, out, info);
}

static const struct field_rule update_fields[] = {
    {"title", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL, NULL},
    {NULL},
};

enum result cases_update(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                         const struct precondition *if_match, json_t **out, struct case_audit *audit,
                         struct result_info *info) {
  *out = NULL;
  /* The body is read first; its errors are told after who may change the case. */
  struct field_value v[1];
  int fits = fields_read(body, update_fields, v, info) == 0;
  const char *title = v[0].text;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !case_caller_is_coordinator(&a)) {
    info->detail = "the lead or a coordinator on the case changes it";
    return RESULT_FORBIDDEN;
  }
  if (!fits) return RESULT_INVALID;
  if (if_match == NULL || !if_match->given) return RESULT_PRECONDITION_REQUIRED;
  json_t *current = NULL;
  r = case_doc(conn, actor, id, &current, info);
  if (r == RESULT_OK) r = precondition_check(if_match, current, 1);
  json_decref(current);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "case_set_title", 3, (const char *[]){actor->community_id, id, title}), info);
  if (r == RESULT_OK) r = case_doc(conn, actor, id, out, info);
  return r;
}

/* Closing takes an outcome; reopening takes nothing. */
static const struct field_rule close_fields[] = {
    {"outcome", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 500, NULL, "invalid", "1 to 500 characters"},
    {NULL},
};
static const struct field_rule reopen_fields[] = {{NULL}};

enum result cases_set_open(struct db_conn *conn, const struct actor *actor, const char *id, int close, json_t *body,
                           json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct field_value v[1];
  if (fields_read(body, close ? close_fields : reopen_fields, v, info) != 0) return RESULT_INVALID;
  const char *outcome = close ? v[0].text : NULL;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && (close || !case_caller_is_coordinator(&a))) {
    info->detail = close ? "the lead closes the case" : "the lead or a coordinator on the case reopens it";
    return RESULT_FORBIDDEN;
  }
  if (close && !a.open) return case_state_conflict(info, &a, "the case is already closed");
  if (!close && a.open) return case_state_conflict(info, &a, "the case is open");
  if (close)
    r = result_from_db(db_exec(conn, "case_close", 3, (const char *[]){actor->community_id, id, outcome}), info);
  else
    r = result_from_db(db_exec(conn, "case_reopen", 2, (const char *[]){actor->community_id, id}), info);
  if (r == RESULT_OK) r = case_doc(conn, actor, id, out, info);
  return r;
}

enum result cases_overview(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                           struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  json_t *doc = NULL, *actions = NULL;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  case_audit_consent_read(audit, &a, 0);
  r = case_doc(conn, actor, id, &doc, info);
  if (r == RESULT_OK) r = case_actions_visible(conn, actor, id, &a, &actions, info);
  if (r == RESULT_OK) {
    json_t *late = json_array();
    json_int_t counts[CASE_ACTION_STATUS_COUNT] = {0};
    size_t i;
    json_t *action;
    json_array_foreach(actions, i, action) {
      int status = case_action_status_from_name(json_string_value(json_object_get(action, "status")));
      if (status >= 0) counts[status]++;
      if (json_is_true(json_object_get(action, "overdue"))) json_array_append(late, action);
    }
    *out = json_pack("{s:O, s:O, s:O, s:O, s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "case_id", json_object_get(doc, "id"),
                     "status", json_object_get(doc, "status"), "lead", json_object_get(doc, "lead"), "actions", actions,
                     "late", late, "counts", "open", counts[CASE_ACTION_OPEN], "in_progress",
                     counts[CASE_ACTION_IN_PROGRESS], "done", counts[CASE_ACTION_DONE], "cancelled",
                     counts[CASE_ACTION_CANCELLED], "late", (json_int_t)json_array_size(late));
    if (*out == NULL) r = RESULT_ERROR;
  }
  json_decref(doc);
  json_decref(actions);
  return r;
}
