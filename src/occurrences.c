/* Completing occurrences and the resident's feedback on them (see occurrences.h). */
#include "occurrences.h"
#include "documents.h"

#include <stdio.h>
#include <string.h>

#include "desk_rules.h"
#include "fields.h"
#include "help_request_row.h"

static const struct db_statement statements[] = {
    {"hr_occurrence_lock",
     "SELECT status, volunteer_id FROM occurrences WHERE community_id = $1 AND request_id = $2 AND id = $3 "
     "FOR UPDATE"},
    {"hr_complete",
     "UPDATE occurrences SET status = 'done', hours = $4::numeric, note = $5, completed_at = now(), "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND request_id = $2 AND id = $3"},
    {"hr_all_finished",
     "SELECT NOT EXISTS (SELECT 1 FROM occurrences WHERE community_id = $1 AND request_id = $2 "
     "AND status IN ('open', 'matched'))"},
    /* The occurrence keeps the latest feedback (matching reads it there); every entry is kept in
     * occurrence_feedback, by its author. */
    {"hr_feedback",
     "UPDATE occurrences SET feedback_positive = $4, feedback_text = $5, feedback_at = now(), "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND request_id = $2 AND id = $3"},
    {"hr_feedback_add",
     "INSERT INTO occurrence_feedback (community_id, request_id, occurrence_id, author_id, positive, text) "
     "VALUES ($1, $2, $3, $6, $4, COALESCE($5, ''))"},
    {"hr_occurrence_doc",
     "SELECT json_build_object('id', o.id, 'starts_at', api_ts(o.starts_at), 'ends_at', api_ts(o.ends_at), "
     "'needed_by', api_ts(o.needed_by), 'status', o.status, 'volunteer_id', o.volunteer_id, 'hours', o.hours, "
     "'note', o.note, 'completed_at', api_ts(o.completed_at), 'feedback', CASE WHEN o.feedback_at IS NULL THEN "
     "NULL ELSE json_build_object('positive', o.feedback_positive, 'text', COALESCE(o.feedback_text, ''), "
     "'at', api_ts(o.feedback_at)) END, 'feedback_history', (SELECT COALESCE(json_agg(json_build_object("
     "'positive', f.positive, 'text', f.text, 'author_id', f.author_id, 'at', api_ts(f.created_at)) "
     "ORDER BY f.created_at DESC, f.id), '[]') FROM occurrence_feedback f WHERE f.community_id = o.community_id "
     "AND f.occurrence_id = o.id))::text FROM occurrences o WHERE o.community_id = $1 AND o.request_id = $2 "
     "AND o.id = $3"},
};

int occurrences_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

static enum result occurrence_doc(struct db_conn *conn, const struct actor *actor, const char *id,
                                  const char *occurrence_id, json_t **out, struct result_info *info) {
  return documents_one(conn, "hr_occurrence_doc", 3, (const char *[]){actor->community_id, id, occurrence_id}, out,
                       info);
}

/* Lock one occurrence of a request; fills its status and volunteer ("" when none). */
static enum result lock_occurrence(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, char status[16], char volunteer[37],
                                   struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "hr_occurrence_lock", 3, (const char *[]){actor->community_id, id, occurrence_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK) {
    snprintf(status, 16, "%s", PQgetvalue(res, 0, 0));
    snprintf(volunteer, 37, "%s", PQgetvalue(res, 0, 1));
  }
  PQclear(res);
  return r;
}

enum { COMPLETE_HOURS, COMPLETE_NOTE, COMPLETE_FIELDS };
static const struct field_rule complete_fields[] = {
    [COMPLETE_HOURS] = {"hours", FIELD_NUMBER, FIELD_ABSENT_INVALID, 0.25, 24, NULL, "out_of_range",
                        "hours from 0.25 to 24"},
    [COMPLETE_NOTE] = {"note", FIELD_TEXT, FIELD_STRING_TYPE, 0, 500, NULL, "invalid", "at most 500 characters"},
    [COMPLETE_FIELDS] = {NULL},
};

enum { FEEDBACK_POSITIVE, FEEDBACK_TEXT, FEEDBACK_FIELDS };
static const struct field_rule feedback_fields[] = {
    [FEEDBACK_POSITIVE] = {"positive", FIELD_BOOLEAN, FIELD_ABSENT_INVALID, 0, 0, NULL, "type",
                           "must be true or false"},
    [FEEDBACK_TEXT] = {"text", FIELD_TEXT, FIELD_STRING_TYPE, 0, 500, NULL, "invalid", "at most 500 characters"},
    [FEEDBACK_FIELDS] = {NULL},
};

enum result help_requests_complete(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  struct field_value v[COMPLETE_FIELDS];
  if (fields_read(body, complete_fields, v, info) != 0) return RESULT_INVALID;
  double hours = v[COMPLETE_HOURS].number;
  const char *note = v[COMPLETE_NOTE].text;
  struct help_request_row req;
  char status[16], volunteer[37];
  enum result r = help_request_read(conn, actor, id, 1, &req, info);
  if (r == RESULT_OK) r = lock_occurrence(conn, actor, id, occurrence_id, status, volunteer, info);
  if (r != RESULT_OK) return r;
  /* Visible first, then who, then when (help_request_row.h): the volunteer of an occurrence
   * who was released from the request no longer sees it. */
  if (strcmp(volunteer, actor->person_id) != 0)
    return help_request_hidden_or_forbidden(conn, actor, id, "only the volunteer doing this task completes it", info);
  if (strcmp(status, "matched") != 0)
    return help_request_hidden_or_not_now(conn, actor, id, req.status, "this occurrence is not open for completion",
                                          info);
  char hours_text[16];
  snprintf(hours_text, sizeof hours_text, "%.2f", hours);
  const char *params[5] = {actor->community_id, id, occurrence_id, hours_text, note};
  r = result_from_db(db_exec(conn, "hr_complete", 5, params), info);
  PGresult *res = NULL;
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "hr_all_finished", 2, (const char *[]){actor->community_id, id}, &res), info);
  int finished = r == RESULT_OK && PQgetvalue(res, 0, 0)[0] == 't';
  PQclear(res);
  if (r == RESULT_OK && finished)
    r = help_request_move(conn, actor, id, req.status, HELP_DONE, "finish", NULL, info);
  else if (r == RESULT_OK)
    r = help_request_touch(conn, actor, id, info);
  if (r == RESULT_OK) r = occurrence_doc(conn, actor, id, occurrence_id, out, info);
  return r;
}

enum result help_requests_feedback(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  struct field_value v[FEEDBACK_FIELDS];
  if (fields_read(body, feedback_fields, v, info) != 0) return RESULT_INVALID;
  int positive = v[FEEDBACK_POSITIVE].boolean;
  const char *text = v[FEEDBACK_TEXT].text;
  struct help_request_row req;
  char status[16], volunteer[37];
  enum result r = help_request_read(conn, actor, id, 1, &req, info);
  if (r == RESULT_OK) r = lock_occurrence(conn, actor, id, occurrence_id, status, volunteer, info);
  if (r != RESULT_OK) return r;
  if (strcmp(req.resident_id, actor->person_id) != 0)
    return help_request_hidden_or_forbidden(conn, actor, id, "only the resident gives feedback", info);
  /* The resident sees their own request: the state is theirs to know. */
  if (strcmp(status, "done") != 0) {
    enum result conflict = help_request_not_now(info, req.status);
    info->detail = "feedback comes after the task is done";
    return conflict;
  }
  const char *params[6] = {actor->community_id, id, occurrence_id, positive ? "true" : "false", text, actor->person_id};
  r = result_from_db(db_exec(conn, "hr_feedback", 5, params), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_feedback_add", 6, params), info);
  if (r == RESULT_OK) r = help_request_touch(conn, actor, id, info);
  if (r == RESULT_OK) r = occurrence_doc(conn, actor, id, occurrence_id, out, info);
  return r;
}
