/* Who at the desk handles a help request (see help_request_handler.h). */
#include "help_request_handler.h"

#include "fields.h"
#include "help_request_row.h"
#include "help_requests.h"

static const struct db_statement statements[] = {
    {"hr_handler_roles",
     "SELECT array_to_string(roles, ',') FROM memberships WHERE community_id = $1 AND person_id = $2 "
     "AND removed_at IS NULL"},
    {"hr_set_handler",
     "UPDATE help_requests SET handler_id = $3, updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_handler_history",
     "INSERT INTO help_request_handlers (community_id, request_id, handler_id, actor_id) VALUES ($1, $2, $3, $4)"},
};

int help_request_handler_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result help_request_handler_check(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                       const char *field, struct result_info *info) {
  PGresult *res = NULL;
  const char *params[2] = {actor->community_id, person_id};
  enum result r = result_from_db(db_query(conn, "hr_handler_roles", 2, params, &res), info);
  if (r == RESULT_OK &&
      (PQntuples(res) != 1 || !(roles_parse(PQgetvalue(res, 0, 0)) & (ROLE_COORDINATOR | ROLE_ADMIN)))) {
    result_field_error(info, field, "not_a_coordinator", "this person is not a coordinator of this community");
    r = RESULT_INVALID;
  }
  PQclear(res);
  return r;
}

enum result help_request_handler_record(struct db_conn *conn, const struct actor *actor, const char *id,
                                        const char *handler_id, struct result_info *info) {
  const char *set[3] = {actor->community_id, id, handler_id};
  enum result r = result_from_db(db_exec(conn, "hr_set_handler", 3, set), info);
  const char *history[4] = {actor->community_id, id, handler_id, actor->person_id};
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_handler_history", 4, history), info);
  return r;
}

enum { A_HANDLER, A_FIELDS };
static const struct field_rule assign_fields[] = {
    [A_HANDLER] = {"handler_id", FIELD_UUID, FIELD_NULLABLE, 0, 0, NULL, "invalid",
                   "a coordinator's person id, or null for the desk"},
    [A_FIELDS] = {NULL},
};

enum result help_request_handler_assign(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                        const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  /* Like the request's actions: a request the caller cannot see is not found, before any refusal. */
  if (!actor_manages(actor))
    return help_request_hidden_or_forbidden(conn, actor, id, "only the desk decides who handles a request", info);
  struct field_value v[A_FIELDS];
  fields_read(body, assign_fields, v, info);
  if (info->errors != NULL) return RESULT_INVALID;
  if (if_match == NULL || !if_match->given) return RESULT_PRECONDITION_REQUIRED;
  const char *handler_id = v[A_HANDLER].present ? v[A_HANDLER].text : NULL;
  struct help_request_row req;
  enum result r = help_request_read(conn, actor, id, 1, &req, info);
  if (r == RESULT_OK && handler_id != NULL) r = help_request_handler_check(conn, actor, handler_id, "handler_id", info);
  json_t *current = NULL;
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, &current, info);
  if (r == RESULT_OK) r = precondition_check(if_match, current, 1);
  json_decref(current);
  if (r == RESULT_OK) r = help_request_handler_record(conn, actor, id, handler_id, info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r;
}
