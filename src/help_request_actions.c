/* The help request state machine's client actions (see help_request_actions.h). */
#include "help_request_actions.h"

#include <stdio.h>
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
    /* The track triage or refer chose; a re-triage replaces the reason and the firm too. */
    {"hr_set_track",
     "UPDATE help_requests SET track = $3, track_reason = $4, business_partner = $5, business_rate_cents = $6::int, "
     "business_rate_per = $7, updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    /* A referral record: to the receiver given ($3, $4), or else to where refer sent the request
     * (hr_refer, above); none when neither names one. Followed up in 14 days unless $5 says. */
    {"hr_referral_add",
     "INSERT INTO referrals (community_id, request_id, receiver_name, receiver_contact, follow_up_on, note, created_by) "
     "SELECT h.community_id, h.id, COALESCE($3, h.referral_name), CASE WHEN $3::text IS NULL THEN h.referral_contact "
     "ELSE $4 END, COALESCE($5::date, community_today() + 14), $6, $7 FROM help_requests h "
     "WHERE h.community_id = $1 AND h.id = $2 AND COALESCE($3, h.referral_name) IS NOT NULL"},
    {"hr_cancel_rest",
     "WITH occ AS (UPDATE occurrences SET status = 'cancelled', updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status IN ('open', 'matched') RETURNING 1) "
     "UPDATE offers SET status = 'withdrawn', answered_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'pending'"},
};

int help_request_actions_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* The body of every action: a note; `referral` is read by refer and triage (below), `track`,
 * `reason` and `business` by triage and refer, and `volunteer_ids` only by offer (offers_make()
 * checks the ids). */
enum { ACT_NOTE, ACT_REFERRAL, ACT_VOLUNTEERS, ACT_TRACK, ACT_REASON, ACT_BUSINESS, ACT_FIELDS };
static const struct field_rule action_fields[] = {
    [ACT_NOTE] = {"note", FIELD_TEXT, 0, 0, 500, NULL, NULL, NULL},
    [ACT_REFERRAL] = {"referral", FIELD_OBJECT, FIELD_NULL_INVALID, 0, FIELD_UNBOUNDED, NULL, "invalid",
                      "{name, contact, follow_up_on}"},
    [ACT_VOLUNTEERS] = {"volunteer_ids", FIELD_LIST, 0, 0, FIELD_UNBOUNDED, NULL, "invalid", "1 to 10 volunteer ids"},
    [ACT_TRACK] = {"track", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, help_track_names, "invalid",
                   "informal, professional, business or wmo_avoided"},
    [ACT_REASON] = {"reason", FIELD_TEXT, 0, 1, 500, NULL, NULL, NULL},
    [ACT_BUSINESS] = {"business", FIELD_OBJECT, FIELD_NULL_INVALID, 0, FIELD_UNBOUNDED, NULL, "invalid",
                      "{partner, rate_cents, rate_per}"},
    [ACT_FIELDS] = {NULL},
};

/* Where refer sends the resident; without a contact, or without the whole referral, the
 * category's referral target is used. When to follow it up (default: in 14 days). */
enum { REFERRAL_NAME, REFERRAL_CONTACT, REFERRAL_FOLLOW_UP, REFERRAL_FIELDS };
static const struct field_rule referral_fields[] = {
    [REFERRAL_NAME] = {"name", FIELD_TEXT, FIELD_ABSENT_INVALID, 1, 200, NULL, NULL, NULL},
    [REFERRAL_CONTACT] = {"contact", FIELD_TEXT, 0, 0, 200, NULL, NULL, NULL},
    [REFERRAL_FOLLOW_UP] = {"follow_up_on", FIELD_DATE, FIELD_NULL_INVALID, 0, 0, NULL, NULL, NULL},
    [REFERRAL_FIELDS] = {NULL},
};

/* The paid firm of the business track: its name, and the agreed rate in euro cents per hour or
 * per job (both or neither). */
static const char *const rate_units[] = {"hour", "job", NULL};
enum { BUSINESS_PARTNER, BUSINESS_RATE, BUSINESS_RATE_PER, BUSINESS_FIELDS };
static const struct field_rule business_fields[] = {
    [BUSINESS_PARTNER] = {"partner", FIELD_TEXT, FIELD_NULL_INVALID, 1, 200, NULL, NULL, NULL},
    [BUSINESS_RATE] = {"rate_cents", FIELD_INTEGER, FIELD_NULL_INVALID, 0, 10000000, NULL, NULL, NULL},
    [BUSINESS_RATE_PER] = {"rate_per", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, rate_units, "invalid", "hour or job"},
    [BUSINESS_FIELDS] = {NULL},
};

/* What triage and refer record: the track, the reason, the firm. */
struct track_choice {
  int track; /* TRACK_NONE for the other actions */
  const char *reason;
  const char *partner;
  char rate_cents[24]; /* "" when not given */
  const char *rate_per;
};

/* The track `action` records, with the reason and the firm, from the body (v from
 * action_fields), into *choice. 0, or -1 after adding a field error: triage without a track, a
 * track the action does not take, a reason on another action, a firm on another track, a rate
 * without its unit (or the other way round), a receiver for a track that does not refer. */
static int read_track(enum help_action action, const struct field_value *v, struct track_choice *choice,
                      struct result_info *info) {
  memset(choice, 0, sizeof *choice);
  int given = v[ACT_TRACK].present ? v[ACT_TRACK].choice : TRACK_NONE;
  switch (help_action_track(action, given, &choice->track)) {
    case TRACK_MISSING:
      result_field_error(info, "track", "required", "this field is required");
      return -1;
    case TRACK_NOT_ALLOWED:
      result_field_error(info, "track", "invalid",
                         action == ACTION_REFER ? "professional or business" : "only with triage or refer");
      return -1;
    case TRACK_OK:
    default:
      break;
  }
  if (v[ACT_REASON].present && choice->track == TRACK_NONE) {
    result_field_error(info, "reason", "invalid", "only with triage or refer");
    return -1;
  }
  choice->reason = v[ACT_REASON].text;
  if (action == ACTION_TRIAGE && v[ACT_REFERRAL].present && !help_track_refers(choice->track)) {
    result_field_error(info, "referral", "invalid", "only with the professional or business track");
    return -1;
  }
  if (!v[ACT_BUSINESS].present) return 0;
  if (choice->track != TRACK_BUSINESS) {
    result_field_error(info, "business", "invalid", "only with the business track");
    return -1;
  }
  struct field_value b[BUSINESS_FIELDS];
  if (fields_read_in("business", v[ACT_BUSINESS].object, business_fields, b, info) != 0) return -1;
  if (b[BUSINESS_RATE].present != b[BUSINESS_RATE_PER].present) {
    result_field_error(info, b[BUSINESS_RATE].present ? "business.rate_per" : "business.rate_cents", "required",
                       "this field is required");
    return -1;
  }
  choice->partner = b[BUSINESS_PARTNER].text;
  if (b[BUSINESS_RATE].present)
    snprintf(choice->rate_cents, sizeof choice->rate_cents, "%lld", (long long)b[BUSINESS_RATE].integer);
  choice->rate_per = b[BUSINESS_RATE_PER].text;
  return 0;
}

/* Store the track of `choice` on the request. */
static enum result set_track(struct db_conn *conn, const struct actor *actor, const char *id,
                             const struct track_choice *choice, struct result_info *info) {
  const char *params[7] = {actor->community_id,
                           id,
                           help_track_name(choice->track),
                           choice->reason,
                           choice->partner,
                           choice->rate_cents[0] ? choice->rate_cents : NULL,
                           choice->rate_per};
  return result_from_db(db_exec(conn, "hr_set_track", 7, params), info);
}

/* A referral record for the request: to `referral` when given, else (name NULL) where hr_refer
 * sent it. */
static enum result add_referral(struct db_conn *conn, const struct actor *actor, const char *id,
                                const struct field_value *referral, const char *note, struct result_info *info) {
  const char *params[7] = {actor->community_id,
                           id,
                           referral[REFERRAL_NAME].text,
                           referral[REFERRAL_CONTACT].text,
                           referral[REFERRAL_FOLLOW_UP].text,
                           note,
                           actor->person_id};
  return result_from_db(db_exec(conn, "hr_referral_add", 7, params), info);
}

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
  /* What belongs to one action is checked once the action may happen, as the referral always was. */
  struct track_choice choice;
  if (read_track((enum help_action)action, v, &choice, info) != 0) return RESULT_INVALID;

  switch (action) {
    case ACTION_TRIAGE: {
      struct field_value referral[REFERRAL_FIELDS];
      if (read_referral(v, referral, info) != 0) return RESULT_INVALID;
      r = set_track(conn, actor, id, &choice, info);
      if (r == RESULT_OK && v[ACT_REFERRAL].present) r = add_referral(conn, actor, id, referral, note, info);
      break;
    }
    case ACTION_REFER: {
      struct field_value referral[REFERRAL_FIELDS];
      if (read_referral(v, referral, info) != 0) return RESULT_INVALID;
      const char *params[5] = {actor->community_id, id, referral[REFERRAL_NAME].text, referral[REFERRAL_CONTACT].text,
                               note};
      r = result_from_db(db_exec(conn, "hr_refer", 5, params), info);
      if (r == RESULT_OK) r = set_track(conn, actor, id, &choice, info);
      /* The record names where hr_refer sent it: the given receiver or the category's target. */
      if (r == RESULT_OK) {
        referral[REFERRAL_NAME].text = NULL;
        referral[REFERRAL_CONTACT].text = NULL;
        r = add_referral(conn, actor, id, referral, note, info);
      }
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
  if (r == RESULT_OK)
    r = help_request_move_on_track(conn, actor, id, req.status, next, action_name, note, help_track_name(choice.track),
                                   info);
  if (r == RESULT_OK) r = on_behalf_record(conn, actor, action_name, id, note, info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r;
}

enum result help_request_referred_at_intake(struct db_conn *conn, const struct actor *actor, const char *id,
                                            const char *track, struct result_info *info) {
  struct track_choice choice = {.track = help_track_from_name(track)};
  struct field_value to_the_category[REFERRAL_FIELDS] = {{0}};
  enum result r = set_track(conn, actor, id, &choice, info);
  if (r == RESULT_OK) r = add_referral(conn, actor, id, to_the_category, NULL, info);
  return r;
}
