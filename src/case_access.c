/* Who is on a case, and the small pieces every case file shares (see case_access.h). */
#include "case_access.h"
#include "documents.h"

#include <stdio.h>
#include <string.h>

/* The documents are built by SQL functions (sql/functions/cases.sql). */
static const struct db_statement statements[] = {
    /* The caller's ($3) place on one case ($1, $2). */
    {"case_access",
     "SELECT c.subject_id, c.status, c.lead_person_id = $3::uuid, v.role, COALESCE(v.organisation, ''), "
     "COALESCE(v.representative, false), COALESCE(v.sees_basic, false), c.lead_person_id, "
     "COALESCE(v.sees_notes, false), COALESCE(v.sees_health, false) FROM cases c "
     "LEFT JOIN LATERAL case_viewer(c.community_id, c.id, $3::uuid) v ON true WHERE c.community_id = $1 AND c.id = $2"},
    /* Changes to a case take turns: the case row is locked first. */
    {"case_lock", "SELECT 1 FROM cases WHERE community_id = $1 AND id = $2 FOR UPDATE"},
    {"case_doc", "SELECT d.* FROM cases c, case_doc(c, $3::uuid) d WHERE c.community_id = $1 AND c.id = $2"},
    {"case_touch", "UPDATE cases SET updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
};

int case_access_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result cases_load_access(struct db_conn *conn, const struct actor *actor, const char *id, int lock,
                              struct case_access *a, struct case_audit *audit, struct result_info *info) {
  memset(a, 0, sizeof *a);
  snprintf(audit->case_id, sizeof audit->case_id, "%s", id);
  const char *params[3] = {actor->community_id, id, actor->person_id};
  PGresult *res = NULL;
  enum result r = lock ? result_from_db(db_exec(conn, "case_lock", 2, params), info) : RESULT_OK;
  if (r == RESULT_OK) r = result_from_db(db_query(conn, "case_access", 3, params, &res), info);
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
    a->sees_notes = PQgetvalue(res, 0, 8)[0] == 't';
    a->sees_health = PQgetvalue(res, 0, 9)[0] == 't';
  }
  PQclear(res);
  if (r == RESULT_OK && !a->participant) {
    info->detail = "no such case, or you are not on it";
    r = RESULT_NOT_FOUND;
  }
  return r;
}

void case_audit_consent_read(struct case_audit *audit, const struct case_access *a, int with_notes) {
  audit->restricted = !a->sees_basic || (with_notes && (!a->sees_notes || !a->sees_health));
}

int case_caller_is_coordinator(const struct case_access *a) { return strcmp(a->role, "coordinator") == 0; }

int case_caller_speaks_for_subject(const struct actor *actor, const struct case_access *a) {
  return strcmp(a->subject_id, actor->person_id) == 0 || a->representative;
}

enum result case_state_conflict(struct result_info *info, const struct case_access *a, const char *detail) {
  info->detail = detail;
  result_extension(info, "current_state", json_string(a->open ? "open" : "closed"));
  return RESULT_CONFLICT;
}

/* A JSON document from the first column of a one-row result. */
enum result case_doc(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                     struct result_info *info) {
  const char *params[3] = {actor->community_id, id, actor->person_id};
  return documents_one(conn, "case_doc", 3, params, out, info);
}

enum result case_touch(struct db_conn *conn, const struct actor *actor, const char *id, struct result_info *info) {
  const char *params[2] = {actor->community_id, id};
  return result_from_db(db_exec(conn, "case_touch", 2, params), info);
}
