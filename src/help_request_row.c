/* The help request row shared by the help request files: reading and locking it, moving its
 * status with the history, and the refusals (see help_request_row.h). */
#include "help_request_row.h"

#include <stdio.h>

#include "desk_rules.h"
#include "volunteers.h"

static const struct db_statement statements[] = {
    /* A change to a request takes its row first, then reads it with hr_read. */
    {"hr_lock", "SELECT 1 FROM help_requests WHERE community_id = $1 AND id = $2 FOR UPDATE"},
    {"hr_read",
     "SELECT status, resident_id, matched_volunteer_id, on_board FROM help_requests "
     "WHERE community_id = $1 AND id = $2"},
    {"hr_transition",
     "INSERT INTO help_request_transitions (community_id, request_id, from_status, to_status, action, actor_id, "
     "note, track, on_behalf_of, channel) VALUES ($1, $2, $3::help_status, $4::help_status, $5, $6, $7, $8, $9, $10)"},
    {"hr_set_status",
     "UPDATE help_requests SET status = $3::help_status, status_changed_at = CASE WHEN status = $3::help_status "
     "THEN status_changed_at ELSE now() END, updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_touch", "UPDATE help_requests SET updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    /* Whether the caller may see request $5 at all (sql/functions/help_requests.sql). */
    {"hr_visible", "SELECT 1 FROM help_requests_visible($1, $2, $3, $4) h WHERE h.id = $5"},
};

int help_request_row_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result help_request_read(struct db_conn *conn, const struct actor *actor, const char *id, int lock,
                              struct help_request_row *out, struct result_info *info) {
  const char *params[2] = {actor->community_id, id};
  PGresult *res = NULL;
  enum result r = lock ? result_from_db(db_exec(conn, "hr_lock", 2, params), info) : RESULT_OK;
  if (r == RESULT_OK) r = result_from_db(db_query(conn, "hr_read", 2, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK) {
    out->status = help_status_from_name(PQgetvalue(res, 0, 0));
    snprintf(out->resident_id, sizeof out->resident_id, "%s", PQgetvalue(res, 0, 1));
    snprintf(out->matched_volunteer_id, sizeof out->matched_volunteer_id, "%s", PQgetvalue(res, 0, 2));
    out->on_board = PQgetvalue(res, 0, 3)[0] == 't';
  }
  PQclear(res);
  return r;
}

/* Whether the caller may see request `id` at all (help_requests_visible), into *visible. The
 * desk sees every request of its community: no round trip. */
static enum result request_visible(struct db_conn *conn, const struct actor *actor, const char *id, int *visible,
                                   struct result_info *info) {
  *visible = 0;
  if (actor_manages(actor)) {
    *visible = 1;
    return RESULT_OK;
  }
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  const char *params[5] = {actor->community_id, "false", actor->person_id, days, id};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "hr_visible", 5, params, &res), info);
  if (r == RESULT_OK) *visible = PQntuples(res) == 1;
  PQclear(res);
  return r;
}

enum result help_request_hidden_or_forbidden(struct db_conn *conn, const struct actor *actor, const char *id,
                                             const char *detail, struct result_info *info) {
  int visible;
  enum result r = request_visible(conn, actor, id, &visible, info);
  if (r != RESULT_OK) return r;
  if (!visible) return RESULT_NOT_FOUND;
  if (detail != NULL) info->detail = detail;
  return RESULT_FORBIDDEN;
}

enum result help_request_not_now(struct result_info *info, int status) {
  info->detail = "this action is not allowed in the request's current state";
  result_extension(info, "current_state", json_string(help_status_name((enum help_status)status)));
  return RESULT_CONFLICT;
}

enum result help_request_hidden_or_not_now(struct db_conn *conn, const struct actor *actor, const char *id, int status,
                                           const char *detail, struct result_info *info) {
  int visible;
  enum result r = request_visible(conn, actor, id, &visible, info);
  if (r != RESULT_OK) return r;
  if (!visible) return RESULT_NOT_FOUND;
  r = help_request_not_now(info, status);
  if (detail != NULL) info->detail = detail;
  return r;
}

enum result help_request_record_transition(struct db_conn *conn, const struct actor *actor, const char *id,
                                           const char *from, const char *to, const char *action, const char *note,
                                           const char *track, struct result_info *info) {
  const char *params[10] = {
      actor->community_id, id, from, to, action, actor->person_id, note, track, actor->on_behalf_of, actor->channel};
  return result_from_db(db_exec(conn, "hr_transition", 10, params), info);
}

/* A move to the status it already has keeps status_changed_at (hr_set_status) but is recorded. */
enum result help_request_move(struct db_conn *conn, const struct actor *actor, const char *id, int from, int to,
                              const char *action, const char *note, struct result_info *info) {
  return help_request_move_on_track(conn, actor, id, from, to, action, note, NULL, info);
}

enum result help_request_move_on_track(struct db_conn *conn, const struct actor *actor, const char *id, int from,
                                       int to, const char *action, const char *note, const char *track,
                                       struct result_info *info) {
  const char *to_name = help_status_name((enum help_status)to);
  const char *params[3] = {actor->community_id, id, to_name};
  enum result r = result_from_db(db_exec(conn, "hr_set_status", 3, params), info);
  if (r == RESULT_OK) {
    const char *row[10] = {actor->community_id,
                           id,
                           help_status_name((enum help_status)from),
                           to_name,
                           action,
                           actor->person_id,
                           note,
                           track,
                           actor->on_behalf_of,
                           actor->channel};
    r = result_from_db(db_exec(conn, "hr_transition", 10, row), info);
  }
  return r;
}

enum result help_request_touch(struct db_conn *conn, const struct actor *actor, const char *id,
                               struct result_info *info) {
  return result_from_db(db_exec(conn, "hr_touch", 2, (const char *[]){actor->community_id, id}), info);
}
