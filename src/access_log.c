/* The access log: writing an entry, reading a case's or the community's. */
#include "access_log.h"
#include "documents.h"

#include <stdio.h>
#include <stdlib.h>

#include "fields.h"
#include "support/validate.h"

static const struct db_statement statements[] = {
    {"case_audit_insert",
     "INSERT INTO access_log (community_id, actor_id, actor_roles, actor_organisation, subject_id, case_id, resource, "
     "action, outcome, status, on_behalf_of, channel) VALUES ($1, $2, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)::member_role), NULLIF($4, ''), NULLIF($5, '')::uuid, "
     "NULLIF($6, '')::uuid, $7, $8, $9, $10, NULLIF($11, '')::uuid, NULLIF($12, ''))"},
    /* The subject of the case a refused request named, for its entry: read under the request's
     * own context (row-level security), so only a case of the path's community is found, and the
     * answer goes into the entry only, never to the caller. The primary key. */
    {"access_log_case_subject", "SELECT subject_id FROM cases WHERE community_id = $1 AND id = $2"},
    /* One case's access log ($2), or the community's ($2 NULL); from $3 on. */
    {"case_access_log_page",
     "SELECT d.* FROM access_log l, access_log_doc(l) d WHERE l.community_id = $1 AND l.case_id = $2 AND l.at >= $3::timestamptz "
     "AND (l.at, l.id) > ($4::timestamptz, $5::uuid) ORDER BY l.at, l.id LIMIT $6"},
    {"community_access_log_page",
     "SELECT d.* FROM access_log l, access_log_doc(l) d WHERE l.community_id = $1 AND $2::uuid IS NULL AND l.at >= $3::timestamptz "
     "AND (l.at, l.id) > ($4::timestamptz, $5::uuid) ORDER BY l.at, l.id LIMIT $6"},
};

int access_log_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* What the entry says happened: a 409 lost to the case's state or to someone quicker, not a
 * refusal of access; an allowed read cut down by consent is told apart from a full one. */
static const char *outcome_of(enum result result, const struct case_audit *audit) {
  if (result == RESULT_OK || result == RESULT_CREATED) return audit->restricted ? "restricted" : "allowed";
  return result == RESULT_CONFLICT ? "conflict" : "denied";
}

/* The subject of a case the request named but was refused before it was read (someone not a
 * member of the path's community): found under the request's context, written to the entry
 * only. `subject` is 37 bytes; "" when there is no such case here. */
static enum result named_case_subject(struct db_conn *conn, const struct actor *actor, const char *case_id,
                                      char subject[37], struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "access_log_case_subject", 2, (const char *[]){actor->community_id, case_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) == 1) snprintf(subject, 37, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return r;
}

enum result cases_audit_write(struct db_conn *conn, const struct actor *actor, const struct case_audit *audit,
                              const char *resource, const char *action, enum result result, int status,
                              struct result_info *info) {
  char status_text[8];
  char subject[37];
  snprintf(subject, sizeof subject, "%s", audit->subject_id);
  enum result r = RESULT_OK;
  if (subject[0] == '\0' && audit->case_id[0] != '\0' && actor->community_id != NULL)
    r = named_case_subject(conn, actor, audit->case_id, subject, info);
  if (r != RESULT_OK) return r;
  char *roles = roles_to_json_text(actor->roles);
  if (roles == NULL) return RESULT_ERROR;
  snprintf(status_text, sizeof status_text, "%d", status);
  const char *params[12] = {actor->community_id, actor->person_id, roles,  audit->organisation,       subject,
                            audit->case_id,      resource,         action, outcome_of(result, audit), status_text,
                            audit->on_behalf_of, audit->channel};
  r = result_from_db(db_exec(conn, "case_audit_insert", 12, params), info);
  free(roles);
  return r;
}

int cases_access_log_since(const char *since, struct result_info *info) {
  if (since == NULL || valid_rfc3339(since)) return 0;
  result_field_error(info, "since", "invalid", "an RFC 3339 date-time");
  return -1;
}

enum result cases_access_log(struct db_conn *conn, const struct actor *actor, const char *case_id, const char *since,
                             const struct page_request *page, json_t **out, struct case_audit *audit,
                             struct result_info *info) {
  *out = NULL;
  if (case_id != NULL) {
    struct case_access a;
    enum result r = cases_load_access(conn, actor, case_id, 0, &a, audit, info);
    if (r != RESULT_OK) return r;
    if (!case_caller_speaks_for_subject(actor, &a)) {
      info->detail = "the subject and their representative see who accessed the case";
      return RESULT_FORBIDDEN;
    }
  } else if (!(actor->roles & (ROLE_COORDINATOR | ROLE_ADMIN))) {
    return RESULT_FORBIDDEN;
  }
  const char *params[6] = {actor->community_id,
                           case_id,
                           since != NULL ? since : "-infinity",
                           paging_param_after_ts(page),
                           paging_param_after_id(page),
                           paging_param_fetch(page)};
  const char *statement = case_id != NULL ? "case_access_log_page" : "community_access_log_page";
  return documents_page(conn, statement, 6, params, page, "at", "id", out, info);
}
