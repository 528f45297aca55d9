/* Completing occurrences and the resident's feedback on them (see occurrences.h). */
#include "occurrences.h"
#include "documents.h"

#include <stdio.h>
#include <string.h>

#include "desk_rules.h"
#include "fields.h"
#include "help_request_row.h"
#include "on_behalf.h"
#include "outbox.h"

static const struct db_statement statements[] = {
    /* Also whether it has not started yet (a window still to come; a deadline never "starts") and
     * whether it is under way or past (a window that began, a deadline that passed). */
    {"hr_occurrence_lock",
     "SELECT status, volunteer_id, COALESCE(starts_at > now(), false), COALESCE(starts_at, needed_by) <= now() "
     "FROM occurrences WHERE community_id = $1 AND request_id = $2 AND id = $3 FOR UPDATE"},
    /* The caller's offer of the request (one probe of its unique key): 'released' once they
     * stepped back or the resident asked for someone else. */
    {"hr_my_offer_status",
     "SELECT status FROM offers WHERE community_id = $1 AND request_id = $2 AND volunteer_id = $3"},
    {"hr_stepped_back",
     "UPDATE help_requests SET stepped_back_at = now(), stepped_back_reason = $3, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
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

/* One occurrence as lock_occurrence() reads it. */
struct occurrence_row {
  char status[16];
  char volunteer[37]; /* "" when none */
  int not_started;    /* a window that has not begun; never for a deadline */
  int begun;          /* a window that began or a deadline that passed */
};

/* Lock one occurrence of a request into *o. */
static enum result lock_occurrence(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, struct occurrence_row *o, struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "hr_occurrence_lock", 3, (const char *[]){actor->community_id, id, occurrence_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK) {
    snprintf(o->status, sizeof o->status, "%s", PQgetvalue(res, 0, 0));
    snprintf(o->volunteer, sizeof o->volunteer, "%s", PQgetvalue(res, 0, 1));
    o->not_started = PQgetvalue(res, 0, 2)[0] == 't';
    o->begun = PQgetvalue(res, 0, 3)[0] == 't';
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

/* Check who the caller acts for (on_behalf.h) once the person the action is about (`about`) is
 * known: RESULT_OK, or the refusal, a 403 told as 404 to someone who cannot see the request. */
static enum result check_on_behalf(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const struct on_behalf *ob, const char *about, const char *who,
                                   struct result_info *info) {
  enum result r = on_behalf_check(ob, actor, about, who, info);
  if (r == RESULT_FORBIDDEN) return help_request_hidden_or_forbidden(conn, actor, id, info->detail, info);
  return r;
}

enum result help_requests_complete(struct db_conn *conn, const struct actor *caller, const char *id,
                                   const char *occurrence_id, json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  struct on_behalf ob;
  json_t *rest = NULL;
  int fits = on_behalf_read(body, &ob, &rest, info) == 0;
  if (body != NULL && rest == NULL) return RESULT_ERROR;
  struct field_value v[COMPLETE_FIELDS];
  if (fields_read(rest, complete_fields, v, info) != 0) fits = 0;
  double hours = v[COMPLETE_HOURS].number;
  const char *note = v[COMPLETE_NOTE].text; /* borrowed from the body, as `rest` shares its values */
  json_decref(rest);
  if (!fits) return RESULT_INVALID;
  struct help_request_row req;
  struct occurrence_row occ;
  enum result r = help_request_read(conn, caller, id, 1, &req, info);
  if (r == RESULT_OK) r = lock_occurrence(conn, caller, id, occurrence_id, &occ, info);
  /* The desk records the hours a helper phoned in: for the occurrence's volunteer only. */
  if (r == RESULT_OK)
    r = check_on_behalf(conn, caller, id, &ob, occ.volunteer, "must be the volunteer doing this task", info);
  if (r != RESULT_OK) return r;
  const struct actor acting = on_behalf_actor(caller, &ob), *actor = &acting;
  /* Visible first, then who, then when (help_request_row.h): the volunteer of an occurrence
   * who was released from the request no longer sees it. */
  if (strcmp(occ.volunteer, on_behalf_person(&ob, caller)) != 0)
    return help_request_hidden_or_forbidden(conn, actor, id, "only the volunteer doing this task completes it", info);
  if (strcmp(occ.status, "matched") != 0)
    return help_request_hidden_or_not_now(conn, actor, id, req.status, "this occurrence is not open for completion",
                                          info);
  /* Help is recorded once it was given: not days before the visit. */
  if (occ.not_started) {
    info->detail = "this occurrence has not started yet: complete it once the help was given";
    return RESULT_UNPROCESSABLE;
  }
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
  if (r == RESULT_OK) r = on_behalf_record(conn, actor, "complete", id, note, info);
  if (r == RESULT_OK) r = occurrence_doc(conn, actor, id, occurrence_id, out, info);
  return r;
}

enum result help_requests_feedback(struct db_conn *conn, const struct actor *caller, const char *id,
                                   const char *occurrence_id, json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  struct on_behalf ob;
  json_t *rest = NULL;
  int fits = on_behalf_read(body, &ob, &rest, info) == 0;
  if (body != NULL && rest == NULL) return RESULT_ERROR;
  struct field_value v[FEEDBACK_FIELDS];
  if (fields_read(rest, feedback_fields, v, info) != 0) fits = 0;
  int positive = v[FEEDBACK_POSITIVE].boolean;
  const char *text = v[FEEDBACK_TEXT].text; /* borrowed from the body, as `rest` shares its values */
  json_decref(rest);
  if (!fits) return RESULT_INVALID;
  struct help_request_row req;
  struct occurrence_row occ;
  enum result r = help_request_read(conn, caller, id, 1, &req, info);
  if (r == RESULT_OK) r = lock_occurrence(conn, caller, id, occurrence_id, &occ, info);
  /* The desk records the feedback a resident phoned in ("het klikt niet"): hers only. */
  if (r == RESULT_OK)
    r = check_on_behalf(conn, caller, id, &ob, req.resident_id, "must be the resident of this request", info);
  if (r != RESULT_OK) return r;
  const struct actor acting = on_behalf_actor(caller, &ob), *actor = &acting;
  if (strcmp(req.resident_id, on_behalf_person(&ob, caller)) != 0)
    return help_request_hidden_or_forbidden(conn, actor, id, "only the resident gives feedback", info);
  /* The resident sees their own request: the state is theirs to know. */
  if (strcmp(occ.status, "done") != 0) {
    enum result conflict = help_request_not_now(info, req.status);
    info->detail = "feedback comes after the task is done";
    return conflict;
  }
  const char *params[6] = {actor->community_id, id, occurrence_id, positive ? "true" : "false", text, actor->person_id};
  r = result_from_db(db_exec(conn, "hr_feedback", 5, params), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_feedback_add", 6, params), info);
  if (r == RESULT_OK) r = help_request_touch(conn, actor, id, info);
  if (r == RESULT_OK) r = on_behalf_record(conn, actor, "feedback", id, text, info);
  if (r == RESULT_OK) r = occurrence_doc(conn, actor, id, occurrence_id, out, info);
  return r;
}

enum { RELEASE_REASON, RELEASE_FIELDS };
static const struct field_rule release_fields[] = {
    [RELEASE_REASON] = {"reason", FIELD_TEXT, FIELD_REQUIRED, 1, 500, NULL, NULL, NULL},
    [RELEASE_FIELDS] = {NULL},
};

/* Whether the caller's offer of the request says they are no longer its helper (released). */
static enum result stepped_back_before(struct db_conn *conn, const struct actor *actor, const char *id, int *released,
                                       struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "hr_my_offer_status", 3, (const char *[]){actor->community_id, id, actor->person_id}, &res), info);
  *released = r == RESULT_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "released") == 0;
  PQclear(res);
  return r;
}

/* The resident as outbox_notify() takes recipients. Caller free()s; NULL when out of memory. */
static char *recipient_json(const char *person_id) {
  json_t *list = json_pack("[s]", person_id);
  char *text = list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
  json_decref(list);
  return text;
}

enum result help_requests_release(struct db_conn *conn, const struct actor *actor, const char *id,
                                  const char *occurrence_id, json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  struct field_value v[RELEASE_FIELDS];
  if (fields_read(body, release_fields, v, info) != 0) return RESULT_INVALID;
  const char *reason = v[RELEASE_REASON].text;
  struct help_request_row req;
  struct occurrence_row occ;
  enum result r = help_request_read(conn, actor, id, 1, &req, info);
  if (r == RESULT_OK) r = lock_occurrence(conn, actor, id, occurrence_id, &occ, info);
  if (r != RESULT_OK) return r;
  if (strcmp(occ.volunteer, actor->person_id) != 0) {
    /* A helper who already stepped back (or whom the resident released) knows the request: told
     * so, rather than that it is not there. Anyone else as every action refuses them. */
    int released = 0;
    r = stepped_back_before(conn, actor, id, &released, info);
    if (r != RESULT_OK) return r;
    if (released) {
      info->detail = "you are no longer the helper of this request";
      return RESULT_CONFLICT;
    }
    return help_request_hidden_or_forbidden(conn, actor, id, "only the volunteer doing this task can step back", info);
  }
  int next = help_transition((enum help_status)req.status, ACTION_RELEASE);
  if (strcmp(occ.status, "matched") != 0 || next < 0)
    return help_request_hidden_or_not_now(conn, actor, id, req.status, "this occurrence is not open to step back from",
                                          info);
  if (occ.begun) {
    enum result conflict = help_request_not_now(info, req.status);
    info->detail = "this occurrence has already started: call the desk to step back now";
    return conflict;
  }
  /* Stepping back gives the request back to the desk: every occurrence still the helper's reopens
   * and the offer becomes 'released' (as when the resident asks for someone else: hr_release), so
   * the helper is not suggested or offered this request again. */
  r = result_from_db(db_exec(conn, "hr_release", 3, (const char *[]){actor->community_id, id, actor->person_id}), info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "hr_stepped_back", 3, (const char *[]){actor->community_id, id, reason}), info);
  if (r == RESULT_OK) r = help_request_move(conn, actor, id, req.status, next, "release", NULL, info);
  char *resident = r == RESULT_OK ? recipient_json(req.resident_id) : NULL;
  if (r == RESULT_OK && resident == NULL) r = RESULT_ERROR;
  if (r == RESULT_OK) r = outbox_notify(conn, actor, "help_request.released", id, resident, info);
  free(resident);
  if (r == RESULT_OK) r = occurrence_doc(conn, actor, id, occurrence_id, out, info);
  return r;
}
