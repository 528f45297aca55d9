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
    /* A handover is one moment that ends one lead and starts the next: read once, from the clock,
     * by the statement that closes the current stretch. Handovers take turns on the case row's
     * lock, so the moment is read after the previous handover committed and comes after its
     * moment (the transaction's now() would not: a transaction that began before the previous
     * one committed has an earlier now(), and the history would be out of order). A case's first
     * stretch ($6 NULL) starts at the transaction's now(), as the case's lead_since does. */
    {"case_lead_open",
     "INSERT INTO case_lead_history (community_id, case_id, person_id, from_person_id, note, since) "
     "VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now()))"},
    {"case_lead_close",
     "UPDATE case_lead_history SET until = clock_timestamp() WHERE community_id = $1 AND case_id = $2 "
     "AND until IS NULL RETURNING until::text"},
    {"case_set_lead",
     "UPDATE cases SET lead_person_id = $3, lead_since = $4::timestamptz, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
    {"case_participant_of",
     "SELECT person_id, role FROM case_participants WHERE community_id = $1 AND case_id = $2 AND id = $3"},
    {"case_participant_role",
     "SELECT role FROM case_participants WHERE community_id = $1 AND case_id = $2 AND person_id = $3"},
    /* Whether the latest basic-consent record for person $3 grants it and was recorded by the
     * subject ($4) herself (case_consents_case_idx). */
    {"case_subject_consent",
     "SELECT granted AND recorded_by = $4::uuid FROM case_consents WHERE community_id = $1 AND case_id = $2 "
     "AND data_kind = 'basic' AND grantee_person_id = $3 ORDER BY recorded_at DESC, id DESC LIMIT 1"},
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

/* The email is text first (no control characters at all), then an address. */
enum { INVITE_ORGANISATION, INVITE_EMAIL, INVITE_HOURS, INVITE_FIELDS };
static const struct field_rule invite_fields[] = {
    [INVITE_ORGANISATION] = {"organisation", FIELD_TEXT, FIELD_REQUIRED, 1, 100, NULL, NULL, NULL},
    [INVITE_EMAIL] = {"email", FIELD_TEXT, 0, 3, 254, NULL, NULL, NULL},
    [INVITE_HOURS] = INVITATION_HOURS_RULE,
    [INVITE_FIELDS] = {NULL},
};

enum result cases_invite(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                         int default_hours, json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  /* The body is read first; its errors are told after who may invite, and whether the case is open. */
  struct field_value v[INVITE_FIELDS];
  int fits = fields_read(body, invite_fields, v, info) == 0;
  const char *organisation = v[INVITE_ORGANISATION].text;
  const char *email = v[INVITE_EMAIL].text;
  if (email != NULL && !valid_email(email)) {
    result_field_error(info, "email", "invalid", "not an email address");
    fits = 0;
  }
  int hours = v[INVITE_HOURS].present ? (int)v[INVITE_HOURS].integer : default_hours;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !case_caller_is_coordinator(&a)) {
    info->detail = "the lead or a coordinator on the case invites an outside professional";
    return RESULT_FORBIDDEN;
  }
  if (!a.open) return case_state_conflict(info, &a, "the case is closed");
  if (!fits) return RESULT_INVALID;
  return invitations_insert(conn, actor, ROLE_GUEST, email, hours, id, organisation, out, info);
}

/* The roles a participant is added with (the subject is on the case from the start), and the
 * community roles each needs: the case role decides what its holder sees (only a professional
 * waits for consent), so it must be the role the person has. An informal carer is someone of the
 * neighbourhood: a resident or a volunteer. */
enum { ADDED_INFORMAL_CARER, ADDED_VOLUNTEER, ADDED_COORDINATOR, ADDED_PROFESSIONAL };
static const char *const added_roles[] = {
    [ADDED_INFORMAL_CARER] = "informal_carer",
    [ADDED_VOLUNTEER] = "volunteer",
    [ADDED_COORDINATOR] = "coordinator",
    [ADDED_PROFESSIONAL] = "professional",
    NULL,
};
static const unsigned added_role_needs[] = {
    [ADDED_INFORMAL_CARER] = ROLE_RESIDENT | ROLE_VOLUNTEER,
    [ADDED_VOLUNTEER] = ROLE_VOLUNTEER,
    [ADDED_COORDINATOR] = ROLE_COORDINATOR,
    [ADDED_PROFESSIONAL] = ROLE_PROFESSIONAL,
};
static const char *const added_role_messages[] = {
    [ADDED_INFORMAL_CARER] = "an informal carer is a resident or volunteer of this community",
    [ADDED_VOLUNTEER] = "this person is not a volunteer of this community",
    [ADDED_COORDINATOR] = "this person is not a coordinator of this community",
    [ADDED_PROFESSIONAL] = "this person is not a professional of this community",
};

enum {
  PARTICIPANT_PERSON,
  PARTICIPANT_ROLE,
  PARTICIPANT_ORGANISATION,
  PARTICIPANT_REPRESENTATIVE,
  PARTICIPANT_REASON,
  PARTICIPANT_FIELDS
};
static const struct field_rule participant_fields[] = {
    [PARTICIPANT_PERSON] = {"person_id", FIELD_UUID, FIELD_REQUIRED, 0, 0, NULL, NULL, NULL},
    [PARTICIPANT_ROLE] = {"role", FIELD_ENUM, FIELD_REQUIRED, 0, 0, added_roles, NULL,
                          "informal_carer, volunteer, coordinator or professional"},
    [PARTICIPANT_ORGANISATION] = {"organisation", FIELD_TEXT, 0, 1, 100, NULL, NULL, NULL},
    [PARTICIPANT_REPRESENTATIVE] = {"representative", FIELD_BOOLEAN, FIELD_NULL_INVALID, 0, 0, NULL, "type",
                                    "must be true or false"},
    /* 140: with a name (100) and the words around it, it fits an event's detail (300). */
    [PARTICIPANT_REASON] = {"reason", FIELD_TEXT, 0, 1, 140, NULL, NULL, NULL},
    [PARTICIPANT_FIELDS] = {NULL},
};

/* Whether the subject herself granted `person` basic consent on the case, in her latest record
 * for them (a representative's grant does not count: this is how she chooses who speaks for her). */
static enum result subject_consents(struct db_conn *conn, const struct actor *actor, const char *id,
                                    const struct case_access *a, const char *person, int *consents,
                                    struct result_info *info) {
  PGresult *res = NULL;
  *consents = 0;
  enum result r = result_from_db(
      db_query(conn, "case_subject_consent", 4, (const char *[]){actor->community_id, id, person, a->subject_id}, &res),
      info);
  if (r == RESULT_OK) *consents = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
  PQclear(res);
  return r;
}

/* The person's community roles must fit the case role (added_role_needs); a representative needs
 * the subject's consent or a coordinator's reason. RESULT_OK, or a refusal naming the field. */
static enum result participant_fits(struct db_conn *conn, const struct actor *actor, const char *id,
                                    const struct case_access *a, const struct field_value *v,
                                    struct result_info *info) {
  const char *person = v[PARTICIPANT_PERSON].text;
  PGresult *res = NULL;
  enum result r =
      result_from_db(db_query(conn, "case_member_roles", 2, (const char *[]){actor->community_id, person}, &res), info);
  unsigned roles = r == RESULT_OK && PQntuples(res) == 1 ? roles_parse(PQgetvalue(res, 0, 0)) : 0;
  int member = r == RESULT_OK && PQntuples(res) == 1;
  PQclear(res);
  if (r != RESULT_OK) return r;
  if (!member) {
    result_field_error(info, "person_id", "not_a_member", "participants are members of this community");
    return RESULT_UNPROCESSABLE;
  }
  int role = v[PARTICIPANT_ROLE].choice;
  if (!(roles & added_role_needs[role])) {
    result_field_error(info, "role", "role_mismatch", added_role_messages[role]);
    return RESULT_UNPROCESSABLE;
  }
  if (!v[PARTICIPANT_REPRESENTATIVE].boolean) return RESULT_OK;
  int consents = 0;
  r = subject_consents(conn, actor, id, a, person, &consents, info);
  if (r != RESULT_OK || consents) return r;
  if (!case_caller_is_coordinator(a)) {
    info->detail = "without the subject's consent only a coordinator on the case adds a representative";
    return RESULT_FORBIDDEN;
  }
  if (v[PARTICIPANT_REASON].text == NULL) {
    result_field_error(info, "reason", "required",
                       "without the subject's consent to this person, record why they represent the subject");
    return RESULT_UNPROCESSABLE;
  }
  return RESULT_OK;
}

/* The timeline tells everyone on the case, the subject first, who joined, and for a representative
 * on what ground. Returns a string the caller o_free()s, or NULL when out of memory. */
static char *participant_added_detail(const json_t *participant, const char *role, int representative,
                                      const char *reason) {
  const char *name = json_string_value(json_object_get(participant, "display_name"));
  if (!representative) return msprintf("%s joined as %s", name, role);
  if (reason == NULL) return msprintf("%s joined as %s, representing the subject with their consent", name, role);
  return msprintf("%s joined as %s, representing the subject: %s", name, role, reason);
}

enum result cases_add_participant(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                  json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  /* The body is read first; its errors are told after who may add participants. */
  struct field_value v[PARTICIPANT_FIELDS];
  int fits = fields_read(body, participant_fields, v, info) == 0;
  const char *person = v[PARTICIPANT_PERSON].text;
  const char *role = v[PARTICIPANT_ROLE].text;
  const char *organisation = v[PARTICIPANT_ORGANISATION].text;
  int representative = v[PARTICIPANT_REPRESENTATIVE].boolean;
  if (representative && role != NULL && v[PARTICIPANT_ROLE].choice != ADDED_INFORMAL_CARER) {
    result_field_error(info, "representative", "invalid", "only an informal carer represents the subject");
    fits = 0;
  }
  if (v[PARTICIPANT_REASON].present && !representative) {
    result_field_error(info, "reason", "invalid", "a reason is recorded only for a representative");
    fits = 0;
  }
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !case_caller_is_coordinator(&a)) {
    info->detail = "the lead or a coordinator on the case adds participants";
    return RESULT_FORBIDDEN;
  }
  if (!fits) return RESULT_INVALID;
  r = participant_fits(conn, actor, id, &a, v, info);
  if (r != RESULT_OK) return r;
  /* The subject's consent makes a reason unnecessary; one given anyway is still recorded. */
  const char *reason = representative ? v[PARTICIPANT_REASON].text : NULL;
  PGresult *res = NULL;
  const char *params[6] = {actor->community_id, id, person, role, organisation, representative ? "true" : "false"};
  r = result_from_db(db_query(conn, "case_participant_insert", 6, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    info->detail = "this person is already on the case";
    r = RESULT_CONFLICT;
  }
  if (r == RESULT_OK && (*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  if (r == RESULT_OK) r = case_touch(conn, actor, id, info);
  if (r == RESULT_OK) {
    char *detail = participant_added_detail(*out, role, representative, reason);
    r = detail != NULL ? timeline_event(conn, actor, id, "participant_added", detail, info) : RESULT_ERROR;
    o_free(detail);
  }
  if (r != RESULT_OK) {
    json_decref(*out);
    *out = NULL;
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
  static const struct field_rule hand_over_fields[] = {
      {"person_id", FIELD_UUID, FIELD_REQUIRED, 0, 0, NULL, NULL, NULL},
      {"note", FIELD_TEXT, FIELD_REQUIRED, 1, 1000, NULL, NULL, NULL},
      {NULL},
  };
  /* The body is read first; its errors are told after who may hand the lead over. */
  struct field_value v[2];
  int fits = fields_read(body, hand_over_fields, v, info) == 0;
  const char *to = v[0].text;
  const char *note = v[1].text;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 1, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!a.is_lead && !case_caller_is_coordinator(&a)) {
    info->detail = "the lead or a coordinator on the case hands the lead over";
    return RESULT_FORBIDDEN;
  }
  if (!fits) return RESULT_INVALID;
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "case_participant_role", 3, (const char *[]){actor->community_id, id, to}, &res),
                     info);
  if (r == RESULT_OK && (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "subject") == 0)) {
    result_field_error(info, "person_id", "not_a_participant", "the new lead is a participant, not the subject");
    r = RESULT_UNPROCESSABLE;
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
  PGresult *closed = NULL;
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "case_lead_close", 2, (const char *[]){actor->community_id, id}, &closed), info);
  if (r == RESULT_OK && PQntuples(closed) != 1) r = RESULT_ERROR; /* a case always has a lead */
  const char *moment = r == RESULT_OK ? PQgetvalue(closed, 0, 0) : NULL;
  if (r == RESULT_OK)
    r = result_from_db(
        db_exec(conn, "case_lead_open", 6, (const char *[]){actor->community_id, id, to, from_id, note, moment}), info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "case_set_lead", 4, (const char *[]){actor->community_id, id, to, moment}), info);
  PQclear(closed);
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
