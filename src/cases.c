/* Shared casework. Representations are built by PostgreSQL; what a person sees of a case is the SQL
 * function case_viewer (sql/migrations/0006_index_driven_rls.sql), so lists and single reads agree. */
#include "cases.h"

#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_action_rules.h"
#include "etag.h"
#include "fields.h"
#include "invitations.h"
#include "timeline.h"
#include "validate.h"
#include "volunteers.h"

/* $3 is the caller. */
#define CASE_DOC                                                                                                  \
  "json_build_object('id', c.id, 'community_id', c.community_id, 'status', c.status, 'restricted', NOT v.sees, " \
  "'title', CASE WHEN v.sees THEN c.title END, 'subject_id', CASE WHEN v.sees THEN c.subject_id END, "            \
  "'subject_name', CASE WHEN v.sees THEN (SELECT sp.display_name FROM persons sp WHERE sp.id = c.subject_id) END, " \
  "'lead', json_build_object('person_id', c.lead_person_id, 'display_name', (SELECT lp.display_name FROM persons " \
  "lp WHERE lp.id = c.lead_person_id), 'since', api_ts(c.lead_since)), "                                           \
  "'participants', CASE WHEN v.sees THEN (SELECT json_agg(json_build_object('id', p.id, 'person_id', p.person_id, " \
  "'display_name', pp.display_name, 'role', p.role, 'organisation', p.organisation, 'representative', "           \
  "p.representative, 'added_at', api_ts(p.added_at)) ORDER BY p.added_at, p.id) FROM case_participants p "         \
  "JOIN persons pp ON pp.id = p.person_id WHERE p.community_id = c.community_id AND p.case_id = c.id) END, "        \
  "'help_request_id', c.help_request_id, 'outcome', CASE WHEN v.sees THEN c.outcome END, "                         \
  "'created_at', api_ts(c.created_at), 'updated_at', api_ts(c.updated_at), 'closed_at', api_ts(c.closed_at))::text, " \
  "api_ts(c.updated_at), c.id"

/* v.sees: whether the caller ($3) sees the case's basic facts (false when not on the case). */
#define CASE_VIEWER                                                                                   \
  " CROSS JOIN LATERAL (SELECT COALESCE(bool_or(cv.sees_basic), false) AS sees "                      \
  "FROM case_viewer(c.community_id, c.id, $3::uuid) cv) v "
#define CASE_FROM " FROM cases c" CASE_VIEWER

/* The caller's ($3) view of one case ($1, $2), for cases_load_access. */
#define CASE_ACCESS                                                                                   \
  "SELECT c.subject_id, c.status, c.lead_person_id = $3::uuid, v.role, COALESCE(v.organisation, ''), " \
  "COALESCE(v.representative, false), COALESCE(v.sees_basic, false), c.lead_person_id FROM cases c "   \
  "LEFT JOIN LATERAL case_viewer(c.community_id, c.id, $3::uuid) v ON true WHERE c.community_id = $1 AND c.id = $2"

#define ACTION_DOC                                                                                               \
  "json_build_object('id', a.id, 'case_id', a.case_id, 'community_id', a.community_id, 'title', a.title, "       \
  "'owner_id', a.owner_id, 'owner_name', (SELECT op.display_name FROM persons op WHERE op.id = a.owner_id), "     \
  "'due_on', a.due_on, 'status', a.status, 'overdue', COALESCE(a.due_on < community_today() AND a.status IN "          \
  "('open', 'in_progress'), false), 'created_by', a.created_by, 'created_at', api_ts(a.created_at), "             \
  "'updated_at', api_ts(a.updated_at))::text"

#define ACCESS_DOC                                                                                         \
  "json_build_object('id', l.id, 'at', api_ts(l.at), 'actor_id', l.actor_id, 'actor_roles', "               \
  "to_json(l.actor_roles), 'actor_organisation', l.actor_organisation, 'subject_id', l.subject_id, 'case_id', " \
  "l.case_id, 'resource', l.resource, 'action', l.action, 'outcome', l.outcome, 'status', l.status)::text, "    \
  "api_ts(l.at), l.id"

/* /v1/me/actions: $1 the person, $2 overdue only / not overdue / both (NULL), keyset $3..$5, $6 limit.
 * Row-level security scopes them to the person's communities. */
#define MY_ACTIONS_FILTER                                                                                     \
  " AND a.status IN ('open', 'in_progress') AND ($2::bool IS NULL OR COALESCE(a.due_on < community_today(), false) = $2::bool) " \
  "AND" PAGING_SQL_AFTER("a.updated_at", "a.id", "$3", "$4", "$5") "ORDER BY a.updated_at, a.id LIMIT $6"

static const struct db_statement statements[] = {
    {"case_access", CASE_ACCESS},
    {"case_access_lock", CASE_ACCESS " FOR UPDATE OF c"},
    {"case_doc", "SELECT " CASE_DOC CASE_FROM "WHERE c.community_id = $1 AND c.id = $2"},
    /* The cases the caller is on, found through their participant rows. */
    {"case_page",
     "SELECT " CASE_DOC " FROM case_participants me JOIN cases c ON c.community_id = me.community_id "
     "AND c.id = me.case_id" CASE_VIEWER "WHERE me.community_id = $1 AND me.person_id = $3::uuid "
     "AND c.status = $2::case_status AND" PAGING_SQL_AFTER("c.updated_at", "c.id", "$4", "$5", "$6")
     "ORDER BY c.updated_at, c.id LIMIT $7"},
    {"case_member_roles",
     "SELECT array_to_string(roles, ',') FROM memberships WHERE community_id = $1 AND person_id = $2 "
     "AND removed_at IS NULL"},
    {"case_request_of",
     "SELECT 1 FROM help_requests WHERE community_id = $1 AND id = $2 AND resident_id = $3"},
    {"case_insert",
     "INSERT INTO cases (community_id, subject_id, title, help_request_id, lead_person_id, created_by) "
     "VALUES ($1, $2, $3, $4, $5, $5) RETURNING id"},
    {"case_participant_insert",
     "INSERT INTO case_participants (community_id, case_id, person_id, role, organisation, representative) "
     "VALUES ($1, $2, $3, $4::case_role, $5, $6) ON CONFLICT (community_id, case_id, person_id) DO NOTHING "
     "RETURNING json_build_object('id', id, 'person_id', person_id, 'display_name', (SELECT display_name FROM "
     "persons WHERE id = person_id), 'role', role, 'organisation', organisation, 'representative', representative, "
     "'added_at', api_ts(added_at))::text"},
    {"case_lead_open",
     "INSERT INTO case_lead_history (community_id, case_id, person_id, from_person_id, note) "
     "VALUES ($1, $2, $3, $4, $5)"},
    {"case_lead_close",
     "UPDATE case_lead_history SET until = clock_timestamp() WHERE community_id = $1 AND case_id = $2 "
     "AND until IS NULL"},
    {"case_set_lead",
     "UPDATE cases SET lead_person_id = $3, lead_since = clock_timestamp(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
    {"case_set_title",
     "UPDATE cases SET title = $3, updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"case_close",
     "UPDATE cases SET status = 'closed', outcome = $3, closed_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
    {"case_reopen",
     "UPDATE cases SET status = 'open', closed_at = NULL, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
    {"case_participant_of",
     "SELECT person_id, role FROM case_participants WHERE community_id = $1 AND case_id = $2 AND id = $3"},
    {"case_participant_role",
     "SELECT role FROM case_participants WHERE community_id = $1 AND case_id = $2 AND person_id = $3"},
    {"case_participant_delete", "DELETE FROM case_participants WHERE community_id = $1 AND case_id = $2 AND id = $3"},
    {"case_touch", "UPDATE cases SET updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"case_lead_history",
     "SELECT COALESCE(json_agg(json_build_object('person_id', h.person_id, 'display_name', p.display_name, "
     "'from', h.from_person_id, 'note', h.note, 'since', api_ts(h.since), 'until', api_ts(h.until)) "
     "ORDER BY h.since, h.id), '[]')::text FROM case_lead_history h JOIN persons p ON p.id = h.person_id "
     "WHERE h.community_id = $1 AND h.case_id = $2"},
    /* $3 caller, $4 whether they see everything. */
    {"case_actions",
     "SELECT " ACTION_DOC " FROM case_actions a WHERE a.community_id = $1 AND a.case_id = $2 "
     "AND ($4::bool OR a.owner_id = $3::uuid) ORDER BY a.due_on NULLS LAST, a.created_at, a.id"},
    {"case_action_insert",
     "INSERT INTO case_actions (community_id, case_id, title, owner_id, due_on, created_by) "
     "VALUES ($1, $2, $3, $4, $5::date, $6) RETURNING id"},
    {"case_action_doc", "SELECT " ACTION_DOC " FROM case_actions a WHERE a.community_id = $1 AND a.case_id = $2 AND a.id = $3"},
    {"case_action_lock",
     "SELECT " ACTION_DOC ", a.status, a.owner_id FROM case_actions a WHERE a.community_id = $1 AND a.case_id = $2 "
     "AND a.id = $3 FOR UPDATE"},
    {"case_action_set",
     "UPDATE case_actions SET title = $4, due_on = $5::date, status = $6::case_action_status, owner_id = $7, "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND case_id = $2 AND id = $3"},
    {"case_action_take",
     "UPDATE case_actions SET owner_id = $4, updated_at = clock_timestamp() WHERE community_id = $1 AND case_id = $2 "
     "AND id = $3 AND owner_id IS NULL AND status IN ('open', 'in_progress') RETURNING id"},
    {"case_consents",
     "SELECT COALESCE(json_agg(json_build_object('id', id, 'grantee_person_id', grantee_person_id, "
     "'grantee_organisation', grantee_organisation, 'data_kind', data_kind, 'granted', granted, 'recorded_by', "
     "recorded_by, 'recorded_at', api_ts(recorded_at)) ORDER BY recorded_at DESC, id DESC), '[]')::text "
     "FROM case_consents WHERE community_id = $1 AND case_id = $2"},
    {"case_consent_insert",
     "INSERT INTO case_consents (community_id, case_id, grantee_person_id, grantee_organisation, data_kind, granted, "
     "recorded_by) VALUES ($1, $2, $3, $4, $5::consent_kind, $6, $7) RETURNING json_build_object('id', id, "
     "'grantee_person_id', grantee_person_id, 'grantee_organisation', grantee_organisation, 'data_kind', data_kind, "
     "'granted', granted, 'recorded_by', recorded_by, 'recorded_at', api_ts(recorded_at))::text"},
    {"case_audit_insert",
     "INSERT INTO access_log (community_id, actor_id, actor_roles, actor_organisation, subject_id, case_id, resource, "
     "action, outcome, status) VALUES ($1, $2, $3::member_role[], NULLIF($4, ''), NULLIF($5, '')::uuid, "
     "NULLIF($6, '')::uuid, $7, $8, $9, $10)"},
    /* One case's access log ($2), or the community's ($2 NULL); from $3 on. */
    {"case_access_log_page",
     "SELECT " ACCESS_DOC " FROM access_log l WHERE l.community_id = $1 AND l.case_id = $2 AND l.at >= $3::timestamptz "
     "AND (l.at, l.id) > ($4::timestamptz, $5::uuid) ORDER BY l.at, l.id LIMIT $6"},
    {"community_access_log_page",
     "SELECT " ACCESS_DOC " FROM access_log l WHERE l.community_id = $1 AND $2::uuid IS NULL AND l.at >= $3::timestamptz "
     "AND (l.at, l.id) > ($4::timestamptz, $5::uuid) ORDER BY l.at, l.id LIMIT $6"},
    /* The person's own open actions, and the open actions of the cases they lead. */
    {"case_my_actions_owned",
     "SELECT " ACTION_DOC ", api_ts(a.updated_at), a.id FROM case_actions a WHERE a.owner_id = $1" MY_ACTIONS_FILTER},
    {"case_my_actions_led",
     "SELECT " ACTION_DOC ", api_ts(a.updated_at), a.id FROM cases c JOIN case_actions a "
     "ON a.community_id = c.community_id AND a.case_id = c.id WHERE c.lead_person_id = $1"
     MY_ACTIONS_FILTER},
};

int cases_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result cases_load_access(struct db_conn *conn, const struct actor *actor, const char *id, int lock,
                               struct case_access *a, struct case_audit *audit, struct result_info *info) {
  memset(a, 0, sizeof *a);
  snprintf(audit->case_id, sizeof audit->case_id, "%s", id);
  const char *params[3] = {actor->community_id, id, actor->person_id};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, lock ? "case_access_lock" : "case_access", 3, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) == 1) {
    a->exists = 1;
    snprintf(a->subject_id, sizeof a->subject_id, "%s", PQgetvalue(res, 0, 0));
    snprintf(audit->subject_id, sizeof audit->subject_id, "%s", a->subject_id);
    a->open = strcmp(PQgetvalue(res, 0, 1), "open") == 0;
    a->is_lead = PQgetvalue(res, 0, 2)[0] == 't';
    a->participant = !PQgetisnull(res, 0, 3);
    snprintf(a->role, sizeof a->role, "%s", PQgetvalue(res, 0, 3));
    snprintf(audit->organisation, sizeof audit->organisation, "%s", PQgetvalue(res, 0, 4));
    a->representative = PQgetvalue(res, 0, 5)[0] == 't';
    a->sees_basic = PQgetvalue(res, 0, 6)[0] == 't';
    snprintf(a->lead_id, sizeof a->lead_id, "%s", PQgetvalue(res, 0, 7));
  }
  PQclear(res);
  if (r == RESULT_OK && !a->participant) {
    info->detail = "no such case, or you are not on it";
    r = RESULT_NOT_FOUND;
  }
  return r;
}

static int coordinator_on_case(const struct case_access *a) { return strcmp(a->role, "coordinator") == 0; }

static enum result case_state_conflict(struct result_info *info, const struct case_access *a, const char *detail) {
  info->detail = detail;
  result_extension(info, "current_state", json_string(a->open ? "open" : "closed"));
  return RESULT_CONFLICT;
}

/* A JSON document from the first column of a one-row result. */
static enum result one_doc(struct db_conn *conn, const char *statement, int n, const char *const *params,
                           json_t **out, struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, statement, n, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && (*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  return r;
}

static enum result case_doc(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                            struct result_info *info) {
  const char *params[3] = {actor->community_id, id, actor->person_id};
  return one_doc(conn, "case_doc", 3, params, out, info);
}

static enum result touch(struct db_conn *conn, const struct actor *actor, const char *id, struct result_info *info) {
  const char *params[2] = {actor->community_id, id};
  return result_from_db(db_exec(conn, "case_touch", 2, params), info);
}

/* ---- cases --------------------------------------------------------------------------------- */

enum result cases_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                         struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"subject_id", "title", "help_request_id", "organisation", NULL};
  fields_only(body, fields, info);
  const char *subject = fields_uuid(body, "subject_id", 1, info);
  const char *title = fields_text(body, "title", 1, 200, 1, info);
  const char *request = fields_uuid(body, "help_request_id", 0, info);
  const char *organisation = fields_text(body, "organisation", 1, 100, 0, info);
  if (info->errors != NULL) return RESULT_INVALID;
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
    r = RESULT_INVALID;
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
      r = RESULT_INVALID;
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
  const char *creator_row[6] = {actor->community_id, id, actor->person_id, professional ? "professional" : "coordinator",
                                organisation, "false"};
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "case_participant_insert", 6, subject_row), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "case_participant_insert", 6, creator_row), info);
  const char *lead[5] = {actor->community_id, id, actor->person_id, NULL, NULL};
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "case_lead_open", 5, lead), info);
  if (r == RESULT_OK) r = case_doc(conn, actor, id, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result cases_list(struct db_conn *conn, const struct actor *actor, const char *status,
                       const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  char limit[16];
  snprintf(limit, sizeof limit, "%d", page->limit + 1);
  const char *params[7] = {actor->community_id, status, actor->person_id, paging_param_since(page),
                           paging_param_after_ts(page), paging_param_after_id(page), limit};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "case_page", 7, params, &res), info);
  if (r != RESULT_OK) return r;
  json_t *items = fields_documents(res, 0);
  PQclear(res);
  *out = paging_envelope(page, items, "updated_at", "id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result cases_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                      struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r == RESULT_OK) r = case_doc(conn, actor, id, out, info);
  return r;
}

enum result cases_update(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                         const char *if_match, json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"title", NULL};
  fields_only(body, fields, info);
  const char *title = fields_text(body, "title", 1, 200, 1, info);
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !coordinator_on_case(&a)) {
    info->detail = "the lead or a coordinator on the case changes it";
    return RESULT_FORBIDDEN;
  }
  if (info->errors != NULL) return RESULT_INVALID;
  if (if_match == NULL) return RESULT_PRECONDITION_REQUIRED;
  json_t *current = NULL;
  r = case_doc(conn, actor, id, &current, info);
  char etag[ETAG_LEN];
  if (r == RESULT_OK && etag_of_resource(current, etag) != 0) r = RESULT_ERROR;
  if (r == RESULT_OK && !etag_header_matches(if_match, etag, 0)) r = RESULT_PRECONDITION_FAILED;
  json_decref(current);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "case_set_title", 3, (const char *[]){actor->community_id, id, title}), info);
  if (r == RESULT_OK) r = case_doc(conn, actor, id, out, info);
  return r;
}

enum result cases_set_open(struct db_conn *conn, const struct actor *actor, const char *id, int close,
                           const char *outcome, json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && (close || !coordinator_on_case(&a))) {
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

/* The actions the caller may see, as a JSON array. */
static enum result action_list(struct db_conn *conn, const struct actor *actor, const char *id,
                               const struct case_access *a, json_t **items, struct result_info *info) {
  const char *params[4] = {actor->community_id, id, actor->person_id, a->sees_basic ? "true" : "false"};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "case_actions", 4, params, &res), info);
  if (r != RESULT_OK) return r;
  *items = fields_documents(res, 0);
  PQclear(res);
  return *items != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result cases_overview(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                           struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  json_t *doc = NULL, *actions = NULL;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r == RESULT_OK) r = case_doc(conn, actor, id, &doc, info);
  if (r == RESULT_OK) r = action_list(conn, actor, id, &a, &actions, info);
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
                     "status", json_object_get(doc, "status"), "lead", json_object_get(doc, "lead"), "actions",
                     actions, "late", late, "counts", "open", counts[CASE_ACTION_OPEN], "in_progress",
                     counts[CASE_ACTION_IN_PROGRESS], "done", counts[CASE_ACTION_DONE], "cancelled",
                     counts[CASE_ACTION_CANCELLED], "late", (json_int_t)json_array_size(late));
    if (*out == NULL) r = RESULT_ERROR;
  }
  json_decref(doc);
  json_decref(actions);
  return r;
}

/* ---- participants and the lead ------------------------------------------------------------ */

enum result cases_invite(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body, int default_hours,
                         json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"organisation", "email", "expires_in_hours", NULL};
  fields_only(body, fields, info);
  const char *organisation = fields_text(body, "organisation", 1, 100, 1, info);
  const char *email = fields_text(body, "email", 3, 254, 0, info);
  if (email != NULL && !valid_email(email)) result_field_error(info, "email", "invalid", "not an email address");
  int hours = invitations_lifetime_hours(body, default_hours, info);
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !coordinator_on_case(&a)) {
    info->detail = "the lead or a coordinator on the case invites an outside professional";
    return RESULT_FORBIDDEN;
  }
  if (!a.open) return case_state_conflict(info, &a, "the case is closed");
  if (info->errors != NULL) return RESULT_INVALID;
  return invitations_insert(conn, actor, ROLE_GUEST, email, hours, id, organisation, out, info);
}

enum result cases_add_participant(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                  json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"person_id", "role", "organisation", "representative", NULL};
  fields_only(body, fields, info);
  const char *person = fields_uuid(body, "person_id", 1, info);
  const char *role = fields_text(body, "role", 1, 20, 1, info);
  const char *organisation = fields_text(body, "organisation", 1, 100, 0, info);
  json_t *representative = json_object_get(body, "representative");
  if (role != NULL && strcmp(role, "informal_carer") != 0 && strcmp(role, "volunteer") != 0 &&
      strcmp(role, "coordinator") != 0 && strcmp(role, "professional") != 0)
    result_field_error(info, "role", "invalid", "informal_carer, volunteer, coordinator or professional");
  if (representative != NULL && !json_is_boolean(representative))
    result_field_error(info, "representative", "type", "must be true or false");
  if (json_is_true(representative) && role != NULL && strcmp(role, "informal_carer") != 0)
    result_field_error(info, "representative", "invalid", "only an informal carer represents the subject");
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !coordinator_on_case(&a)) {
    info->detail = "the lead or a coordinator on the case adds participants";
    return RESULT_FORBIDDEN;
  }
  if (info->errors != NULL) return RESULT_INVALID;
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "case_member_roles", 2, (const char *[]){actor->community_id, person}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    result_field_error(info, "person_id", "not_a_member", "participants are members of this community");
    r = RESULT_INVALID;
  }
  PQclear(res);
  if (r != RESULT_OK) return r;
  const char *params[6] = {actor->community_id, id, person, role, organisation,
                           json_is_true(representative) ? "true" : "false"};
  r = result_from_db(db_query(conn, "case_participant_insert", 6, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    info->detail = "this person is already on the case";
    r = RESULT_CONFLICT;
  }
  if (r == RESULT_OK && (*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  if (r == RESULT_OK) r = touch(conn, actor, id, info);
  if (r == RESULT_OK) {
    char *detail = msprintf("%s joined as %s", json_string_value(json_object_get(*out, "display_name")), role);
    r = detail != NULL ? timeline_event(conn, actor, id, "participant_added", detail, info) : RESULT_ERROR;
    o_free(detail);
  }
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result cases_remove_participant(struct db_conn *conn, const struct actor *actor, const char *id,
                                     const char *participant_id, struct case_audit *audit, struct result_info *info) {
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !coordinator_on_case(&a)) {
    info->detail = "the lead or a coordinator on the case removes participants";
    return RESULT_FORBIDDEN;
  }
  PGresult *res = NULL;
  r = result_from_db(
      db_query(conn, "case_participant_of", 3, (const char *[]){actor->community_id, id, participant_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && strcmp(PQgetvalue(res, 0, 1), "subject") == 0) {
    info->detail = "the subject stays on their own case";
    r = RESULT_CONFLICT;
  }
  /* The database would refuse it too (the lead references a participant); say why first. */
  if (r == RESULT_OK && strcmp(PQgetvalue(res, 0, 0), a.lead_id) == 0) {
    info->detail = "hand the lead over before removing the lead";
    r = RESULT_CONFLICT;
  }
  PQclear(res);
  if (r != RESULT_OK) return r;
  r = result_from_db(
      db_exec(conn, "case_participant_delete", 3, (const char *[]){actor->community_id, id, participant_id}), info);
  if (r == RESULT_OK) r = touch(conn, actor, id, info);
  return r;
}

enum result cases_hand_over(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                            json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"person_id", "note", NULL};
  fields_only(body, fields, info);
  const char *to = fields_uuid(body, "person_id", 1, info);
  const char *note = fields_text(body, "note", 1, 1000, 1, info);
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !coordinator_on_case(&a)) {
    info->detail = "the lead or a coordinator on the case hands the lead over";
    return RESULT_FORBIDDEN;
  }
  if (info->errors != NULL) return RESULT_INVALID;
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "case_participant_role", 3, (const char *[]){actor->community_id, id, to}, &res),
                     info);
  if (r == RESULT_OK && (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "subject") == 0)) {
    result_field_error(info, "person_id", "not_a_participant", "the new lead is a participant, not the subject");
    r = RESULT_INVALID;
  }
  PQclear(res);
  if (r != RESULT_OK) return r;
  /* The case row is locked, so handovers take turns; the history keeps one open stretch. */
  json_t *current = NULL;
  r = case_doc(conn, actor, id, &current, info);
  const char *from = json_string_value(json_object_get(json_object_get(current, "lead"), "person_id"));
  char from_id[37] = "";
  if (from != NULL) snprintf(from_id, sizeof from_id, "%s", from);
  json_decref(current);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "case_lead_close", 2, (const char *[]){actor->community_id, id}), info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "case_lead_open", 5, (const char *[]){actor->community_id, id, to, from_id, note}),
                       info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "case_set_lead", 3, (const char *[]){actor->community_id, id, to}), info);
  if (r == RESULT_OK) r = case_doc(conn, actor, id, out, info);
  if (r == RESULT_OK)
    r = timeline_event(conn, actor, id, "lead_handed_over",
                       json_string_value(json_object_get(json_object_get(*out, "lead"), "display_name")), info);
  return r;
}

enum result cases_lead_history(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                               struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  json_t *items = NULL;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r == RESULT_OK) r = one_doc(conn, "case_lead_history", 2, (const char *[]){actor->community_id, id}, &items, info);
  if (r == RESULT_OK && (*out = json_pack("{s:o}", "items", items)) == NULL) r = RESULT_ERROR;
  return r;
}

/* ---- actions ------------------------------------------------------------------------------- */

enum result cases_actions(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                          struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  json_t *items = NULL;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r == RESULT_OK) r = action_list(conn, actor, id, &a, &items, info);
  if (r == RESULT_OK && (*out = json_pack("{s:o}", "items", items)) == NULL) r = RESULT_ERROR;
  return r;
}

/* A participant of this case (for owner_id), or a field error. */
static enum result require_participant(struct db_conn *conn, const struct actor *actor, const char *id,
                                       const char *person, struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "case_participant_role", 3, (const char *[]){actor->community_id, id, person}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    result_field_error(info, "owner_id", "not_a_participant", "the owner is a participant of the case");
    r = RESULT_INVALID;
  }
  PQclear(res);
  return r;
}

enum result cases_action_create(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"title", "owner_id", "due_on", NULL};
  fields_only(body, fields, info);
  const char *title = fields_text(body, "title", 1, 200, 1, info);
  const char *owner = fields_uuid(body, "owner_id", 0, info);
  const char *due = fields_text(body, "due_on", 10, 10, 0, info);
  if (due != NULL && !valid_date(due)) result_field_error(info, "due_on", "invalid", "a date (YYYY-MM-DD)");
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.open) return case_state_conflict(info, &a, "the case is closed");
  if (info->errors != NULL) return RESULT_INVALID;
  if (owner != NULL) r = require_participant(conn, actor, id, owner, info);
  PGresult *res = NULL;
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "case_action_insert", 6,
                                (const char *[]){actor->community_id, id, title, owner, due, actor->person_id}, &res),
                       info);
  char action_id[37] = "";
  if (r == RESULT_OK) snprintf(action_id, sizeof action_id, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  if (r == RESULT_OK) r = touch(conn, actor, id, info);
  if (r == RESULT_OK)
    r = one_doc(conn, "case_action_doc", 3, (const char *[]){actor->community_id, id, action_id}, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result cases_action_update(struct db_conn *conn, const struct actor *actor, const char *id,
                                const char *action_id, json_t *body, const char *if_match, json_t **out,
                                struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"title", "due_on", "status", "owner_id", NULL};
  fields_only(body, fields, info);
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  PGresult *res = NULL;
  r = result_from_db(
      db_query(conn, "case_action_lock", 3, (const char *[]){actor->community_id, id, action_id}, &res), info);
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
  if (r == RESULT_OK && strcmp(owner, actor->person_id) != 0 && !a.is_lead && !coordinator_on_case(&a)) {
    info->detail = "the owner, the lead or a coordinator on the case changes an action";
    r = RESULT_FORBIDDEN;
  }
  if (r == RESULT_OK && if_match == NULL) r = RESULT_PRECONDITION_REQUIRED;
  char etag[ETAG_LEN];
  if (r == RESULT_OK && etag_of_resource(current, etag) != 0) r = RESULT_ERROR;
  if (r == RESULT_OK && !etag_header_matches(if_match, etag, 0)) r = RESULT_PRECONDITION_FAILED;
  /* Start from the current values; the body replaces what it names. */
  const char *title = json_string_value(json_object_get(current, "title"));
  const char *due = json_string_value(json_object_get(current, "due_on"));
  const char *new_status = status;
  const char *new_owner = owner[0] ? owner : NULL;
  json_t *value;
  if (r == RESULT_OK && (value = json_object_get(body, "title")) != NULL) title = fields_text(body, "title", 1, 200, 1, info);
  if (r == RESULT_OK && (value = json_object_get(body, "due_on")) != NULL) {
    due = json_is_null(value) ? NULL : json_string_value(value);
    if (!json_is_null(value) && !valid_date(due)) result_field_error(info, "due_on", "invalid", "a date or null");
  }
  if (r == RESULT_OK && (value = json_object_get(body, "status")) != NULL) {
    new_status = json_string_value(value);
    if (case_action_status_from_name(new_status) < 0) {
      result_field_error(info, "status", "invalid", "open, in_progress, done or cancelled");
      new_status = status;
    }
  }
  if (r == RESULT_OK && (value = json_object_get(body, "owner_id")) != NULL) {
    new_owner = json_is_null(value) ? NULL : fields_uuid(body, "owner_id", 1, info);
    if (new_owner != NULL && info->errors == NULL) r = require_participant(conn, actor, id, new_owner, info);
  }
  if (r == RESULT_OK && info->errors != NULL) r = RESULT_INVALID;
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
  if (r == RESULT_OK) r = touch(conn, actor, id, info);
  if (r == RESULT_OK)
    r = one_doc(conn, "case_action_doc", 3, (const char *[]){actor->community_id, id, action_id}, out, info);
  return r;
}

enum result cases_action_take(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_id,
                              json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  json_t *existing = NULL;
  r = one_doc(conn, "case_action_doc", 3, (const char *[]){actor->community_id, id, action_id}, &existing, info);
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
  if (r == RESULT_OK) r = touch(conn, actor, id, info);
  if (r == RESULT_OK)
    r = one_doc(conn, "case_action_doc", 3, (const char *[]){actor->community_id, id, action_id}, out, info);
  return r;
}

/* ---- consent ------------------------------------------------------------------------------- */

static int speaks_for_subject(const struct actor *actor, const struct case_access *a) {
  return strcmp(a->subject_id, actor->person_id) == 0 || a->representative;
}

enum result cases_consents(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                           struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  json_t *items = NULL;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!speaks_for_subject(actor, &a) && !coordinator_on_case(&a)) {
    info->detail = "the subject, their representative and the desk see the consent records";
    return RESULT_FORBIDDEN;
  }
  r = one_doc(conn, "case_consents", 2, (const char *[]){actor->community_id, id}, &items, info);
  if (r == RESULT_OK && (*out = json_pack("{s:o}", "items", items)) == NULL) r = RESULT_ERROR;
  return r;
}

enum result cases_consent_record(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                 json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"grantee_person_id", "grantee_organisation", "data_kind", "granted", NULL};
  fields_only(body, fields, info);
  const char *person = fields_uuid(body, "grantee_person_id", 0, info);
  const char *organisation = fields_text(body, "grantee_organisation", 1, 100, 0, info);
  const char *kind = fields_text(body, "data_kind", 1, 10, 1, info);
  json_t *granted = json_object_get(body, "granted");
  if ((person == NULL) == (organisation == NULL))
    result_field_error(info, "grantee_person_id", "invalid", "give exactly one of grantee_person_id, grantee_organisation");
  if (kind != NULL && strcmp(kind, "basic") != 0 && strcmp(kind, "notes") != 0 && strcmp(kind, "health") != 0)
    result_field_error(info, "data_kind", "invalid", "basic, notes or health");
  if (!json_is_boolean(granted)) result_field_error(info, "granted", "type", "must be true or false");
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!speaks_for_subject(actor, &a)) {
    info->detail = "only the subject or their representative decides about consent";
    return RESULT_FORBIDDEN;
  }
  if (info->errors != NULL) return RESULT_INVALID;
  const char *params[7] = {actor->community_id, id, person, organisation, kind, json_is_true(granted) ? "true" : "false",
                           actor->person_id};
  r = one_doc(conn, "case_consent_insert", 7, params, out, info);
  if (r == RESULT_OK) r = touch(conn, actor, id, info);
  if (r == RESULT_OK) {
    char *detail = msprintf("%s consent %s for %s", kind, json_is_true(granted) ? "granted" : "revoked",
                            person != NULL ? "a participant" : organisation);
    r = detail != NULL ? timeline_event(conn, actor, id, "consent_changed", detail, info) : RESULT_ERROR;
    o_free(detail);
  }
  return r == RESULT_OK ? RESULT_CREATED : r;
}

/* ---- access log ---------------------------------------------------------------------------- */

enum result cases_audit_write(struct db_conn *conn, const struct actor *actor, const struct case_audit *audit,
                              const char *resource, const char *action, int allowed, int status,
                              struct result_info *info) {
  char roles[96], status_text[8];
  roles_to_pg_array(actor->roles, roles, sizeof roles);
  snprintf(status_text, sizeof status_text, "%d", status);
  const char *params[10] = {actor->community_id, actor->person_id, roles, audit->organisation, audit->subject_id,
                            audit->case_id, resource, action, allowed ? "allowed" : "denied", status_text};
  return result_from_db(db_exec(conn, "case_audit_insert", 10, params), info);
}

enum result cases_access_log(struct db_conn *conn, const struct actor *actor, const char *case_id, const char *since,
                             const struct page_request *page, json_t **out, struct case_audit *audit,
                             struct result_info *info) {
  *out = NULL;
  if (case_id != NULL) {
    struct case_access a;
    enum result r = cases_load_access(conn, actor, case_id, 0, &a, audit, info);
    if (r != RESULT_OK) return r;
    if (!speaks_for_subject(actor, &a)) {
      info->detail = "the subject and their representative see who accessed the case";
      return RESULT_FORBIDDEN;
    }
  } else if (!(actor->roles & (ROLE_COORDINATOR | ROLE_ADMIN))) {
    return RESULT_FORBIDDEN;
  }
  char limit[16];
  snprintf(limit, sizeof limit, "%d", page->limit + 1);
  const char *params[6] = {actor->community_id, case_id, since != NULL ? since : "-infinity",
                           paging_param_after_ts(page), paging_param_after_id(page), limit};
  PGresult *res = NULL;
  const char *statement = case_id != NULL ? "case_access_log_page" : "community_access_log_page";
  enum result r = result_from_db(db_query(conn, statement, 6, params, &res), info);
  if (r != RESULT_OK) return r;
  json_t *items = fields_documents(res, 0);
  PQclear(res);
  *out = paging_envelope(page, items, "at", "id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result cases_my_actions(struct db_conn *conn, const char *person_id, int overdue, int led,
                             const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  char limit[16];
  snprintf(limit, sizeof limit, "%d", page->limit + 1);
  const char *params[6] = {person_id, overdue < 0 ? NULL : overdue ? "true" : "false", paging_param_since(page),
                           paging_param_after_ts(page), paging_param_after_id(page), limit};
  PGresult *res = NULL;
  const char *statement = led ? "case_my_actions_led" : "case_my_actions_owned";
  enum result r = result_from_db(db_query(conn, statement, 6, params, &res), info);
  if (r != RESULT_OK) return r;
  json_t *items = fields_documents(res, 0);
  PQclear(res);
  *out = paging_envelope(page, items, "updated_at", "id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}
