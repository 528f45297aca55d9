/* The help request state machine's client actions (see help_request_actions.h). */
#include "help_request_actions.h"

#include <string.h>

#include "desk_rules.h"
#include "fields.h"
#include "help_request_row.h"
#include "help_requests.h"
#include "offers.h"
#include "on_behalf.h"

static const struct db_statement statements[] = {
    {"hr_refer",
     "UPDATE help_requests h SET referral_name = COALESCE($3, c.referral_name), "
     "referral_contact = COALESCE($4, c.referral_contact), referral_note = $5 FROM categories c "
     "WHERE h.community_id = $1 AND h.id = $2 AND c.community_id = h.community_id AND c.id = h.category_id"},
    {"hr_board_on",
     "UPDATE help_requests SET on_board = true, updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_confirm",
     "UPDATE help_requests SET resident_confirmed = true, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
    {"hr_release",
     "WITH released AS (UPDATE offers SET status = 'released', updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND volunteer_id = $3 RETURNING 1), "
     "claimed AS (INSERT INTO offers (community_id, request_id, volunteer_id, status, created_by) "
     "SELECT $1, $2, $3, 'released', $3 WHERE NOT EXISTS (SELECT 1 FROM released) RETURNING 1), "
     "occ AS (UPDATE occurrences SET status = 'open', volunteer_id = NULL, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'matched' RETURNING 1) "
     "UPDATE help_requests SET matched_volunteer_id = NULL, resident_confirmed = false, "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_cancel_rest",
     "WITH occ AS (UPDATE occurrences SET status = 'cancelled', updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status IN ('open', 'matched') RETURNING 1) "
     "UPDATE offers SET status = 'withdrawn', answered_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'pending'"},
};

int help_request_actions_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* The body of every action: a note; `referral` is read only by refer (below) and `volunteer_ids`
 * only by offer (offers_make() checks the ids). */
enum { ACT_NOTE, ACT_REFERRAL, ACT_VOLUNTEERS, ACT_FIELDS };
static const struct field_rule action_fields[] = {
    [ACT_NOTE] = {"note", FIELD_TEXT, 0, 0, 500, NULL, NULL, NULL},
    [ACT_REFERRAL] = {"referral", FIELD_OBJECT, FIELD_NULL_INVALID, 0, FIELD_UNBOUNDED, NULL, "invalid",
                      "{name, contact}"},
    [ACT_VOLUNTEERS] = {"volunteer_ids", FIELD_LIST, 0, 0, FIELD_UNBOUNDED, NULL, "invalid", "1 to 10 volunteer ids"},
    [ACT_FIELDS] = {NULL},
};

/* Where refer sends the resident; without a contact, or without the whole referral, the
 * category's referral target is used. */
enum { REFERRAL_NAME, REFERRAL_CONTACT, REFERRAL_FIELDS };
static const struct field_rule referral_fields[] = {
    [REFERRAL_NAME] = {"name", FIELD_TEXT, FIELD_ABSENT_INVALID, 1, 200, NULL, NULL, NULL},
    [REFERRAL_CONTACT] = {"contact", FIELD_TEXT, 0, 0, 200, NULL, NULL, NULL},
    [REFERRAL_FIELDS] = {NULL},
};

/* The referral of a refer action's body (v from action_fields) into `referral`: absent, or an
 * object (the contract allows no null). 0, or -1 after adding an error. */
static int read_referral(const struct field_value *v, struct field_value *referral, struct result_info *info) {
  memset(referral, 0, REFERRAL_FIELDS * sizeof *referral);
  if (!v[ACT_REFERRAL].present) return 0;
  return fields_read_in("referral", v[ACT_REFERRAL].object, referral_fields, referral, info);
}

/* The resident's own actions, which the desk may also take on her behalf (on_behalf.h). */
static int residents_action(int action) {
  return action == ACTION_CANCEL || action == ACTION_CONFIRM || action == ACTION_ASK_OTHER;
}

enum result help_requests_act(struct db_conn *conn, const struct actor *caller, const char *id, const char *action_name,
                              json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  int action = help_action_from_name(action_name);
  if (action < 0) return RESULT_NOT_FOUND;
  struct on_behalf ob;
  json_t *rest = NULL;
  int fits = on_behalf_read(body, &ob, &rest, info) == 0;
  if (body != NULL && rest == NULL) return RESULT_ERROR;
  struct field_value v[ACT_FIELDS];
  if (fields_read(rest, action_fields, v, info) != 0) fits = 0;
  json_decref(rest); /* v's strings and lists are the body's: `rest` only shared them */
  if (!fits) return RESULT_INVALID;
  const char *note = v[ACT_NOTE].text;

  struct help_request_row req;
  enum result r = help_request_read(conn, caller, id, 1, &req, info);
  if (r != RESULT_OK) return r;
  /* Only the resident's own actions are taken on her behalf; the desk's own need no one named. */
  if (ob.person_id != NULL && !residents_action(action) && actor_manages(caller)) {
    result_field_error(info, "on_behalf_of", "invalid",
                       "only confirm, ask-other and cancel are done on behalf of the resident");
    return RESULT_INVALID;
  }
  r = on_behalf_check(&ob, caller, req.resident_id, "must be the resident of this request", info);
  if (r == RESULT_FORBIDDEN) return help_request_hidden_or_forbidden(conn, caller, id, info->detail, info);
  if (r != RESULT_OK) return r;
  const struct actor acting = on_behalf_actor(caller, &ob), *actor = &acting;
  int is_resident = strcmp(req.resident_id, on_behalf_person(&ob, caller)) == 0;
  /* Who may do what: the desk runs the process; the resident cancels, confirms and asks for
   * someone else. Anyone else who cannot see the request learns nothing about it. */
  int allowed = actor_manages(actor) || (is_resident && residents_action(action));
  if (!allowed) return help_request_hidden_or_forbidden(conn, actor, id, NULL, info);
  int next = help_transition((enum help_status)req.status, (enum help_action)action);
  if (next < 0) return help_request_not_now(info, req.status);

  switch (action) {
    case ACTION_REFER: {
      struct field_value referral[REFERRAL_FIELDS];
      if (read_referral(v, referral, info) != 0) return RESULT_INVALID;
      const char *params[5] = {actor->community_id, id, referral[REFERRAL_NAME].text, referral[REFERRAL_CONTACT].text,
                               note};
      r = result_from_db(db_exec(conn, "hr_refer", 5, params), info);
      break;
    }
    case ACTION_OFFER:
      r = offers_make(conn, actor, id, v[ACT_VOLUNTEERS].list, info);
      if (r == RESULT_CONFLICT) result_extension(info, "current_state", json_string(help_status_name(req.status)));
      break;
    case ACTION_BOARD:
      r = result_from_db(db_exec(conn, "hr_board_on", 2, (const char *[]){actor->community_id, id}), info);
      break;
    case ACTION_CONFIRM:
      r = result_from_db(db_exec(conn, "hr_confirm", 2, (const char *[]){actor->community_id, id}), info);
      break;
    case ACTION_ASK_OTHER:
      r = result_from_db(
          db_exec(conn, "hr_release", 3, (const char *[]){actor->community_id, id, req.matched_volunteer_id}), info);
      break;
    case ACTION_CANCEL:
      r = result_from_db(db_exec(conn, "hr_cancel_rest", 2, (const char *[]){actor->community_id, id}), info);
      break;
    default:
      break;
  }
  if (r == RESULT_OK) r = help_request_move(conn, actor, id, req.status, next, action_name, note, info);
  if (r == RESULT_OK) r = on_behalf_record(conn, actor, action_name, id, note, info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r;
}
