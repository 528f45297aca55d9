/* Participants of a case and its lead. */
#include "case_participants.h"
#include "documents.h"

#include <orcania.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "invitations.h"
#include "support/validate.h"
#include "timeline.h"

static const struct db_statement statements[] = {
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
    {"case_participant_of",
     "SELECT person_id, role FROM case_participants WHERE community_id = $1 AND case_id = $2 AND id = $3"},
    {"case_participant_role",
     "SELECT role FROM case_participants WHERE community_id = $1 AND case_id = $2 AND person_id = $3"},
    {"case_participant_delete", "DELETE FROM case_participants WHERE community_id = $1 AND case_id = $2 AND id = $3"},
    {"case_lead_history",
     "SELECT COALESCE(json_agg(json_build_object('person_id', h.person_id, 'display_name', p.display_name, "
     "'from', h.from_person_id, 'note', h.note, 'since', api_ts(h.since), 'until', api_ts(h.until)) "
     "ORDER BY h.since, h.id), '[]')::text FROM case_lead_history h JOIN persons p ON p.id = h.person_id "
     "WHERE h.community_id = $1 AND h.case_id = $2"},
};

int case_participants_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result cases_invite(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                         int default_hours, json_t **out, struct case_audit *audit, struct result_info *info) {
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
  if (!a.is_lead && !case_caller_is_coordinator(&a)) {
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
  if (!a.is_lead && !case_caller_is_coordinator(&a)) {
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
  const char *params[6] = {
      actor->community_id, id, person, role, organisation, json_is_true(representative) ? "true" : "false"};
  r = result_from_db(db_query(conn, "case_participant_insert", 6, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    info->detail = "this person is already on the case";
    r = RESULT_CONFLICT;
  }
  if (r == RESULT_OK && (*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  if (r == RESULT_OK) r = case_touch(conn, actor, id, info);
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
  if (!a.is_lead && !case_caller_is_coordinator(&a)) {
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
  if (r == RESULT_OK) r = case_touch(conn, actor, id, info);
  return r;
}

enum result cases_hand_over(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body, json_t **out,
                            struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"person_id", "note", NULL};
  fields_only(body, fields, info);
  const char *to = fields_uuid(body, "person_id", 1, info);
  const char *note = fields_text(body, "note", 1, 1000, 1, info);
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !case_caller_is_coordinator(&a)) {
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
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "case_lead_close", 2, (const char *[]){actor->community_id, id}), info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "case_lead_open", 5, (const char *[]){actor->community_id, id, to, from_id, note}),
                       info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "case_set_lead", 3, (const char *[]){actor->community_id, id, to}), info);
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
  if (r == RESULT_OK)
    r = documents_one(conn, "case_lead_history", 2, (const char *[]){actor->community_id, id}, &items, info);
  if (r == RESULT_OK && (*out = json_pack("{s:o}", "items", items)) == NULL) r = RESULT_ERROR;
  return r;
}
