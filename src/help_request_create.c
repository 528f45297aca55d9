/* A new help request: its body read and checked, the category's policy applied, the request
 * and its occurrences written (see help_request_create.h). */
#include "help_request_create.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "categories.h"
#include "fields.h"
#include "help_request_actions.h"
#include "help_request_handler.h"
#include "help_request_row.h"
#include "help_requests.h"
#include "support/validate.h"

static const struct db_statement statements[] = {
    {"hr_resident_roles",
     "SELECT array_to_string(roles, ',') FROM memberships WHERE community_id = $1 AND person_id = $2 "
     "AND removed_at IS NULL"},
    {"hr_insert",
     "INSERT INTO help_requests (community_id, category_id, resident_id, entered_by, description, starts_at, "
     "ends_at, needed_by, recurrence, recurrence_until, place_address, place_lat, place_lon, in_home, urgency, "
     "status, referral_name, referral_contact, expected_answer_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
     "$9::recurrence_frequency, $10::date, $11, $12, $13, $14, $15::help_urgency, $16::help_status, $17, $18, "
     /* Entered while the desk is closed: when it opens next (sql/functions/desk_hours.sql). */
     "(SELECT desk_next_opening(d.slots, d.closed_dates, now()) FROM desk_hours d WHERE d.community_id = $1)) "
     "RETURNING id"},
    /* One occurrence, or one per interval from the first window up to the end date (at most 60),
     * each at the first one's wall time in the request's time zone: a weekly 10:00 visit stays at
     * 10:00 when the clocks change (sql/migrations/0016_profile.sql). */
    {"hr_occurrences",
     "INSERT INTO occurrences (community_id, request_id, seq, starts_at, ends_at, needed_by) "
     "SELECT h.community_id, h.id, g, "
     "((h.starts_at AT TIME ZONE h.time_zone) + make_interval(days => g * $3::int)) AT TIME ZONE h.time_zone, "
     "((h.ends_at AT TIME ZONE h.time_zone) + make_interval(days => g * $3::int)) AT TIME ZONE h.time_zone, "
     "((h.needed_by AT TIME ZONE h.time_zone) + make_interval(days => g * $3::int)) AT TIME ZONE h.time_zone "
     "FROM help_requests h, generate_series(0, CASE WHEN $3::int = 0 THEN 0 ELSE LEAST(59, "
     "((h.recurrence_until - (COALESCE(h.starts_at, h.needed_by) AT TIME ZONE h.time_zone)::date) "
     "/ $3::int)) END) g WHERE h.community_id = $1 AND h.id = $2"},
    /* A change before a helper is sought (help_requests_update): NULL keeps a column; $4 and $8
     * say that the time and the recurrence are replaced (either may become NULL). */
    {"hr_update",
     "UPDATE help_requests SET description = COALESCE($3, description), "
     "starts_at = CASE WHEN $4::bool THEN $5::timestamptz ELSE starts_at END, "
     "ends_at = CASE WHEN $4::bool THEN $6::timestamptz ELSE ends_at END, "
     "needed_by = CASE WHEN $4::bool THEN $7::timestamptz ELSE needed_by END, "
     "recurrence = CASE WHEN $8::bool THEN $9::recurrence_frequency ELSE recurrence END, "
     "recurrence_until = CASE WHEN $8::bool THEN $10::date ELSE recurrence_until END, "
     "place_address = COALESCE($11, place_address), place_lat = COALESCE($12::float8, place_lat), "
     "place_lon = COALESCE($13::float8, place_lon), in_home = COALESCE($14::bool, in_home), "
     "urgency = COALESCE($15::help_urgency, urgency), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
    /* Whether some date of the request was done already (a recurring request back in triage after
     * "someone else, please"): its time is then history, no longer to change. */
    {"hr_occurrences_done",
     "SELECT 1 FROM occurrences WHERE community_id = $1 AND request_id = $2 AND status = 'done' LIMIT 1"},
    /* The occurrences of a request no helper was sought for yet, made again after its time changed. */
    {"hr_occurrences_clear", "DELETE FROM occurrences WHERE community_id = $1 AND request_id = $2"},
};

int help_request_create_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

static const char *const urgencies[] = {"low", "normal", "high", NULL};
/* The tracks a request the desk records as referred at intake may count under. */
static const char *const intake_tracks[] = {"professional", "business", NULL};

/* The body of a new request; `when`, `recurrence` and `place` are objects with tables of their
 * own below. */
enum {
  NEW_CATEGORY,
  NEW_DESCRIPTION,
  NEW_RESIDENT,
  NEW_WHEN,
  NEW_RECURRENCE,
  NEW_PLACE,
  NEW_IN_HOME,
  NEW_URGENCY,
  NEW_RECORD_REFERRAL,
  NEW_HANDLER,
  NEW_TRACK,
  NEW_FIELDS
};
static const struct field_rule new_request_fields[] = {
    [NEW_CATEGORY] = {"category_id", FIELD_UUID, FIELD_REQUIRED, 0, 0, NULL, "invalid", "a category id"},
    [NEW_DESCRIPTION] = {"description", FIELD_TEXT, FIELD_REQUIRED, 1, 2000, NULL, NULL, NULL},
    [NEW_RESIDENT] = {"resident_id", FIELD_UUID, 0, 0, 0, NULL, "invalid", "a person id"},
    [NEW_WHEN] = {"when", FIELD_OBJECT, FIELD_ABSENT_INVALID, 0, FIELD_UNBOUNDED, NULL, "required",
                  "{starts_at, ends_at} or {needed_by}"},
    [NEW_RECURRENCE] = {"recurrence", FIELD_OBJECT, 0, 0, FIELD_UNBOUNDED, NULL, "invalid",
                        "{frequency: weekly|biweekly, until: date} or null"},
    [NEW_PLACE] = {"place", FIELD_OBJECT, FIELD_ABSENT_INVALID, 0, FIELD_UNBOUNDED, NULL, "invalid",
                   "{address (1-200 characters), lat, lon}"},
    [NEW_IN_HOME] = {"in_home", FIELD_BOOLEAN, FIELD_ABSENT_INVALID, 0, 0, NULL, "type", "must be true or false"},
    [NEW_URGENCY] = {"urgency", FIELD_ENUM, FIELD_REQUIRED, 0, 0, urgencies, "invalid", "low, normal or high"},
    [NEW_RECORD_REFERRAL] = {"record_referral", FIELD_BOOLEAN, FIELD_NULL_INVALID, 0, 0, NULL, "type",
                             "must be true or false"},
    [NEW_HANDLER] = {"handler_id", FIELD_UUID, FIELD_NULL_INVALID, 0, 0, NULL, "invalid", "a coordinator's person id"},
    [NEW_TRACK] = {"track", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, intake_tracks, "invalid", "professional or business"},
    [NEW_FIELDS] = {NULL},
};

/* `when`: a window ({starts_at, ends_at}) or a deadline ({needed_by}), told apart in read_when. */
enum { WHEN_STARTS, WHEN_ENDS, WHEN_NEEDED_BY, WHEN_FIELDS };
static const struct field_rule when_fields[] = {
    [WHEN_STARTS] = {"starts_at", FIELD_DATE_TIME, 0, 0, 0, NULL, NULL, NULL},
    [WHEN_ENDS] = {"ends_at", FIELD_DATE_TIME, 0, 0, 0, NULL, NULL, NULL},
    [WHEN_NEEDED_BY] = {"needed_by", FIELD_DATE_TIME, 0, 0, 0, NULL, NULL, NULL},
    [WHEN_FIELDS] = {NULL},
};

/* `recurrence`: every `recurrence_days` days up to a date. */
static const char *const frequencies[] = {"weekly", "biweekly", NULL};
static const int recurrence_days[] = {7, 14};
enum { RECUR_FREQUENCY, RECUR_UNTIL, RECUR_FIELDS };
static const struct field_rule recurrence_fields[] = {
    [RECUR_FREQUENCY] = {"frequency", FIELD_ENUM, FIELD_ABSENT_INVALID, 0, 0, frequencies, "invalid",
                         "weekly or biweekly"},
    [RECUR_UNTIL] = {"until", FIELD_DATE, FIELD_ABSENT_INVALID, 0, 0, NULL, NULL, NULL},
    [RECUR_FIELDS] = {NULL},
};

enum { PLACE_ADDRESS, PLACE_LAT, PLACE_LON, PLACE_FIELDS };
static const struct field_rule place_fields[] = {
    [PLACE_ADDRESS] = {"address", FIELD_TEXT, FIELD_ABSENT_INVALID, 1, 200, NULL, NULL, NULL},
    [PLACE_LAT] = {"lat", FIELD_NUMBER, FIELD_ABSENT_INVALID, -90, 90, NULL, NULL, NULL},
    [PLACE_LON] = {"lon", FIELD_NUMBER, FIELD_ABSENT_INVALID, -180, 180, NULL, NULL, NULL},
    [PLACE_FIELDS] = {NULL},
};

/* Seconds since the epoch of a validated RFC 3339 time. */
static long long epoch_of(const char *rfc3339) {
  long long seconds = 0;
  (void)rfc3339_seconds(rfc3339, &seconds); /* read_when's values are valid_rfc3339 already */
  return seconds;
}

/* Read the object `when` into v[WHEN_FIELDS]: exactly a window of at most 12 hours or a
 * deadline (a member given as null counts, so it is neither). The window's length in minutes into
 * *window_minutes, 0 for a deadline. Returns 0 when `when` is valid, -1 after adding errors. */
static int read_when(json_t *when, struct field_value *v, long *window_minutes, struct result_info *info) {
  *window_minutes = 0;
  if (fields_read_in("when", when, when_fields, v, info) != 0) return -1;
  size_t members = json_object_size(when);
  if (v[WHEN_NEEDED_BY].present && members == 1) return 0;
  if (!v[WHEN_STARTS].present || !v[WHEN_ENDS].present || members != 2) {
    result_field_error(info, "when", "invalid", "exactly {starts_at, ends_at} or {needed_by}, as RFC 3339 times");
    return -1;
  }
  *window_minutes = (long)((epoch_of(v[WHEN_ENDS].text) - epoch_of(v[WHEN_STARTS].text)) / 60);
  if (*window_minutes <= 0 || *window_minutes > 12 * 60) {
    result_field_error(info, "when", "invalid", "ends_at comes after starts_at, at most 12 hours later");
    return -1;
  }
  return 0;
}

/* How many days back the desk may record help after the fact (the number and its message). */
#define DESK_PAST_DAYS 30
#define DESK_PAST_MESSAGE "the desk records help given at most 30 days ago"
_Static_assert(DESK_PAST_DAYS == 30, "DESK_PAST_MESSAGE names the number of days");

/* When help may be asked for, judged on the end of the first window (`ends_at`) or the deadline
 * (`needed_by`): a resident asks for help still to come, so that end must be in the future (a
 * window already under way is fine: `starts_at` may have passed). The desk may also record help
 * given after the fact (a phone call about yesterday's errand, a paper list typed in later), up
 * to DESK_PAST_DAYS days back: older is a typing error, and too late to count in this month's
 * figures anyway. `when` is valid (read_when). Adds the error on the field and returns -1, or 0. */
static int check_when_not_past(const struct field_value *when, int desk, struct result_info *info) {
  int deadline = when[WHEN_NEEDED_BY].present;
  long long end = epoch_of(deadline ? when[WHEN_NEEDED_BY].text : when[WHEN_ENDS].text);
  long long earliest = (long long)time(NULL) - (desk ? DESK_PAST_DAYS * 86400LL : 0);
  if (end > earliest) return 0;
  const char *field = deadline ? "when.needed_by" : "when.ends_at";
  result_field_error(info, field, "in_the_past",
                     desk ? DESK_PAST_MESSAGE : "help is asked for a time still to come: this one has passed");
  return -1;
}

/* Read the object `recurrence` into v[RECUR_FIELDS], its end on or after `first` (the first date
 * of `when`, NULL when unknown). Its interval in days, 0 after adding an error. */
static int read_recurrence(json_t *recurrence, const char *first, struct field_value *v, struct result_info *info) {
  if (fields_read_in("recurrence", recurrence, recurrence_fields, v, info) != 0) return 0;
  if (first != NULL && strncmp(v[RECUR_UNTIL].text, first, 10) < 0) {
    result_field_error(info, "recurrence", "invalid", "until comes on or after the first date");
    return 0;
  }
  return recurrence_days[v[RECUR_FREQUENCY].choice];
}

enum result help_requests_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                 struct result_info *info) {
  *out = NULL;
  struct field_value v[NEW_FIELDS], when[WHEN_FIELDS] = {{0}}, recurrence[RECUR_FIELDS] = {{0}},
                                    place[PLACE_FIELDS] = {{0}};
  fields_read(body, new_request_fields, v, info);
  long window_minutes = 0;
  if (v[NEW_WHEN].present && read_when(v[NEW_WHEN].object, when, &window_minutes, info) == 0)
    check_when_not_past(when, actor_manages(actor), info);
  const char *starts_at = when[WHEN_STARTS].text, *ends_at = when[WHEN_ENDS].text;
  const char *needed_by = when[WHEN_NEEDED_BY].text;
  int interval = 0;
  if (v[NEW_RECURRENCE].present)
    interval = read_recurrence(v[NEW_RECURRENCE].object, starts_at != NULL ? starts_at : needed_by, recurrence, info);
  if (v[NEW_PLACE].present) fields_read_in("place", v[NEW_PLACE].object, place_fields, place, info);
  if (info->errors != NULL) return RESULT_INVALID;
  const char *category_id = v[NEW_CATEGORY].text, *description = v[NEW_DESCRIPTION].text;
  const char *resident_id = v[NEW_RESIDENT].text, *urgency = v[NEW_URGENCY].text;
  int record_referral = v[NEW_RECORD_REFERRAL].boolean;
  /* The track counts a referral at intake: it needs record_referral (the contract's
   * dependentRequired, told on the member that is missing). */
  if (v[NEW_TRACK].present && !record_referral) {
    result_field_error(info, "record_referral", "required", "true with a track: the track counts a referral");
    return RESULT_INVALID;
  }
  const char *intake_track = v[NEW_TRACK].present ? v[NEW_TRACK].text : "professional";

  if (actor_guest_only(actor)) return RESULT_FORBIDDEN;
  /* For whom: a resident asks for themselves; the desk enters it for a resident. */
  if (resident_id == NULL) resident_id = actor->person_id;
  int on_behalf = strcmp(resident_id, actor->person_id) != 0;
  if (on_behalf && !actor_manages(actor)) {
    info->detail = "only the desk enters a request for someone else";
    return RESULT_FORBIDDEN;
  }
  if (record_referral && !actor_manages(actor)) {
    info->detail = "only a coordinator records a referral";
    return RESULT_FORBIDDEN;
  }
  /* Who handles it: the desk member who enters it, or the coordinator she names; a request the
   * resident enters herself waits for the desk to take it. */
  const char *handler_id = v[NEW_HANDLER].text;
  if (handler_id != NULL && !actor_manages(actor)) {
    info->detail = "only the desk decides who handles a request";
    return RESULT_FORBIDDEN;
  }
  if (handler_id == NULL && actor_manages(actor)) handler_id = actor->person_id;
  PGresult *res = NULL;
  const char *member[2] = {actor->community_id, resident_id};
  enum result r = result_from_db(db_query(conn, "hr_resident_roles", 2, member, &res), info);
  if (r == RESULT_OK && (PQntuples(res) != 1 || !(roles_parse(PQgetvalue(res, 0, 0)) & ROLE_RESIDENT))) {
    result_field_error(info, "resident_id", "not_a_resident", "the person is not a resident of this community");
    r = RESULT_INVALID;
  }
  PQclear(res);
  if (r == RESULT_OK && v[NEW_HANDLER].text != NULL)
    r = help_request_handler_check(conn, actor, handler_id, "handler_id", info);
  if (r != RESULT_OK) return r;

  struct category_rules rules;
  r = categories_rules(conn, actor->community_id, category_id, &rules, info);
  if (r == RESULT_NOT_FOUND) {
    result_field_error(info, "category_id", "unknown", "no such category in this community");
    r = RESULT_INVALID;
  }
  if (r != RESULT_OK) return r;

  const char *status = "submitted";
  enum policy_rule rule = policy_check(&rules.policy, interval, window_minutes);
  if (rule != POLICY_OK && !record_referral) {
    result_extension(info, "rule",
                     json_pack("{s:s, s:s}", "code", policy_rule_code(rule), "message", policy_rule_message(rule)));
    result_extension(info, "referral", json_incref(rules.referral));
    json_decref(rules.referral);
    return RESULT_POLICY_REFUSED;
  }
  if (rule != POLICY_OK) status = "referred";

  char lat_text[32], lon_text[32], interval_text[8];
  snprintf(lat_text, sizeof lat_text, "%.7f", place[PLACE_LAT].number);
  snprintf(lon_text, sizeof lon_text, "%.7f", place[PLACE_LON].number);
  snprintf(interval_text, sizeof interval_text, "%d", interval);
  int referred = strcmp(status, "referred") == 0;
  const char *referral_name = referred ? json_string_value(json_object_get(rules.referral, "name")) : NULL;
  const char *referral_contact = referred ? json_string_value(json_object_get(rules.referral, "contact")) : NULL;
  const char *params[18] = {actor->community_id,
                            category_id,
                            resident_id,
                            actor->person_id,
                            description,
                            needed_by ? NULL : starts_at,
                            needed_by ? NULL : ends_at,
                            needed_by,
                            recurrence[RECUR_FREQUENCY].text,
                            recurrence[RECUR_UNTIL].text,
                            place[PLACE_ADDRESS].text,
                            lat_text,
                            lon_text,
                            v[NEW_IN_HOME].boolean || rules.in_home ? "true" : "false",
                            urgency,
                            status,
                            referral_name,
                            referral_contact};
  r = result_from_db(db_query(conn, "hr_insert", 18, params, &res), info);
  json_decref(rules.referral);
  char id[37] = "";
  if (r == RESULT_OK) snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  if (r == RESULT_OK) {
    const char *occ[3] = {actor->community_id, id, interval_text};
    r = result_from_db(db_exec(conn, "hr_occurrences", 3, occ), info);
  }
  if (r == RESULT_OK)
    r = help_request_record_transition(conn, actor, id, NULL, "submitted", on_behalf ? "entered_by_desk" : "submit",
                                       NULL, NULL, info);
  if (r == RESULT_OK && handler_id != NULL) r = help_request_handler_record(conn, actor, id, handler_id, info);
  if (r == RESULT_OK && referred)
    r = help_request_record_transition(conn, actor, id, "submitted", "referred", "refer", policy_rule_message(rule),
                                       intake_track, info);
  /* Referred at intake counts as a referral like the refer action's: on its track, followed up. */
  if (r == RESULT_OK && referred) r = help_request_referred_at_intake(conn, actor, id, intake_track, info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

/* A change to a request: what its resident gave when she asked, each member optional (`recurrence`
 * null: no longer recurring). The category stays: another kind of help is another request. */
enum { EDIT_DESCRIPTION, EDIT_WHEN, EDIT_RECURRENCE, EDIT_PLACE, EDIT_IN_HOME, EDIT_URGENCY, EDIT_FIELDS };
static const struct field_rule edit_request_fields[] = {
    [EDIT_DESCRIPTION] = {"description", FIELD_TEXT, FIELD_NULL_INVALID, 1, 2000, NULL, NULL, NULL},
    [EDIT_WHEN] = {"when", FIELD_OBJECT, FIELD_NULL_INVALID, 0, FIELD_UNBOUNDED, NULL, "invalid",
                   "{starts_at, ends_at} or {needed_by}"},
    [EDIT_RECURRENCE] = {"recurrence", FIELD_OBJECT, 0, 0, FIELD_UNBOUNDED, NULL, "invalid",
                         "{frequency: weekly|biweekly, until: date} or null"},
    [EDIT_PLACE] = {"place", FIELD_OBJECT, FIELD_NULL_INVALID, 0, FIELD_UNBOUNDED, NULL, "invalid",
                    "{address (1-200 characters), lat, lon}"},
    [EDIT_IN_HOME] = {"in_home", FIELD_BOOLEAN, FIELD_NULL_INVALID, 0, 0, NULL, "type", "must be true or false"},
    [EDIT_URGENCY] = {"urgency", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, urgencies, "invalid", "low, normal or high"},
    [EDIT_FIELDS] = {NULL},
};

/* The window of the request's time as it is now (its document's `when`), in minutes; 0 for a
 * deadline. */
static long current_window_minutes(const json_t *doc) {
  const char *starts = json_string_value(json_object_get(json_object_get(doc, "when"), "starts_at"));
  const char *ends = json_string_value(json_object_get(json_object_get(doc, "when"), "ends_at"));
  return starts != NULL && ends != NULL ? (long)((epoch_of(ends) - epoch_of(starts)) / 60) : 0;
}

/* The interval in days of the request's recurrence as it is now (its document's), 0 for none. */
static int current_interval(const json_t *doc) {
  const char *frequency = json_string_value(json_object_get(json_object_get(doc, "recurrence"), "frequency"));
  for (int i = 0; frequency != NULL && frequencies[i] != NULL; i++)
    if (strcmp(frequency, frequencies[i]) == 0) return recurrence_days[i];
  return 0;
}

enum result help_requests_update(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                 const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  struct field_value v[EDIT_FIELDS], when[WHEN_FIELDS] = {{0}}, recurrence[RECUR_FIELDS] = {{0}},
                                     place[PLACE_FIELDS] = {{0}};
  fields_read(body, edit_request_fields, v, info);
  long window_minutes = 0;
  if (v[EDIT_WHEN].present && read_when(v[EDIT_WHEN].object, when, &window_minutes, info) == 0)
    check_when_not_past(when, actor_manages(actor), info);
  if (v[EDIT_PLACE].present) fields_read_in("place", v[EDIT_PLACE].object, place_fields, place, info);
  if (info->errors != NULL) return RESULT_INVALID;
  if (if_match == NULL || !if_match->given) return RESULT_PRECONDITION_REQUIRED;

  struct help_request_row req;
  enum result r = help_request_read(conn, actor, id, 1, &req, info);
  if (r != RESULT_OK) return r;
  /* Visible first, then who, then when (help_request_row.h). */
  if (!actor_manages(actor) && strcmp(req.resident_id, actor->person_id) != 0)
    return help_request_hidden_or_forbidden(conn, actor, id,
                                            "only the resident who asked, or the desk, changes a request", info);
  if (req.status != HELP_SUBMITTED && req.status != HELP_TRIAGED) {
    r = help_request_not_now(info, req.status);
    info->detail = "the request can be changed only until a helper is sought: ask the desk to change it now";
    return r;
  }
  json_t *current = NULL;
  /* The ETag names the request as the domain returns it, before the edge adds labels in the
   * reader's language (api/http.c send_resource), so it is the same in every language. */
  r = help_requests_get(conn, actor, id, &current, info);
  if (r == RESULT_OK) r = precondition_check(if_match, current, 1);
  if (r != RESULT_OK) {
    json_decref(current);
    return r;
  }

  /* Nothing to change: the request as it is, without a new version. */
  if (json_object_size(body) == 0) {
    json_decref(current);
    return help_requests_get(conn, actor, id, out, info);
  }
  /* The time and recurrence the request will have: what the body gives, else what it has. */
  int retime = v[EDIT_WHEN].present || v[EDIT_RECURRENCE].present || v[EDIT_RECURRENCE].null;
  const char *first = when[WHEN_STARTS].text != NULL ? when[WHEN_STARTS].text : when[WHEN_NEEDED_BY].text;
  if (first == NULL) {
    json_t *now_when = json_object_get(current, "when");
    first = json_string_value(json_object_get(now_when, "starts_at"));
    if (first == NULL) first = json_string_value(json_object_get(now_when, "needed_by"));
  }
  if (!v[EDIT_WHEN].present) window_minutes = current_window_minutes(current);
  int interval = current_interval(current);
  if (v[EDIT_RECURRENCE].present) {
    interval = read_recurrence(v[EDIT_RECURRENCE].object, first, recurrence, info);
  } else if (v[EDIT_RECURRENCE].null) {
    interval = 0;
  } else if (interval != 0 && first != NULL) {
    const char *until = json_string_value(json_object_get(json_object_get(current, "recurrence"), "until"));
    if (until != NULL && strncmp(until, first, 10) < 0)
      result_field_error(info, "when", "invalid", "the request recurs until a date before this time: change it too");
  }
  char category_id[37];
  snprintf(category_id, sizeof category_id, "%s", json_string_value(json_object_get(current, "category_id")));
  json_decref(current);
  if (info->errors != NULL) return RESULT_INVALID;

  if (retime) {
    PGresult *res = NULL;
    r = result_from_db(db_query(conn, "hr_occurrences_done", 2, (const char *[]){actor->community_id, id}, &res), info);
    int started = r == RESULT_OK && PQntuples(res) > 0;
    PQclear(res);
    if (r != RESULT_OK) return r;
    if (started) {
      r = help_request_not_now(info, req.status);
      info->detail = "some dates of this request were done already: its time can no longer change, ask the desk";
      return r;
    }
  }
  struct category_rules rules;
  r = categories_rules(conn, actor->community_id, category_id, &rules, info);
  if (r != RESULT_OK) return r;
  enum policy_rule rule = retime ? policy_check(&rules.policy, interval, window_minutes) : POLICY_OK;
  if (rule != POLICY_OK) {
    result_extension(info, "rule",
                     json_pack("{s:s, s:s}", "code", policy_rule_code(rule), "message", policy_rule_message(rule)));
    result_extension(info, "referral", json_incref(rules.referral));
    json_decref(rules.referral);
    return RESULT_POLICY_REFUSED;
  }
  json_decref(rules.referral);

  char lat_text[32], lon_text[32], interval_text[8];
  snprintf(lat_text, sizeof lat_text, "%.7f", place[PLACE_LAT].number);
  snprintf(lon_text, sizeof lon_text, "%.7f", place[PLACE_LON].number);
  snprintf(interval_text, sizeof interval_text, "%d", interval);
  int placed = v[EDIT_PLACE].present, recurrence_given = v[EDIT_RECURRENCE].present || v[EDIT_RECURRENCE].null;
  const char *in_home = !v[EDIT_IN_HOME].present ? NULL : v[EDIT_IN_HOME].boolean || rules.in_home ? "true" : "false";
  int deadline = when[WHEN_NEEDED_BY].present;
  const char *params[15] = {actor->community_id,
                            id,
                            v[EDIT_DESCRIPTION].text,
                            v[EDIT_WHEN].present ? "true" : "false",
                            deadline ? NULL : when[WHEN_STARTS].text,
                            deadline ? NULL : when[WHEN_ENDS].text,
                            when[WHEN_NEEDED_BY].text,
                            recurrence_given ? "true" : "false",
                            recurrence[RECUR_FREQUENCY].text,
                            recurrence[RECUR_UNTIL].text,
                            placed ? place[PLACE_ADDRESS].text : NULL,
                            placed ? lat_text : NULL,
                            placed ? lon_text : NULL,
                            in_home,
                            v[EDIT_URGENCY].text};
  r = result_from_db(db_exec(conn, "hr_update", 15, params), info);
  const char *request[3] = {actor->community_id, id, interval_text};
  if (r == RESULT_OK && retime) r = result_from_db(db_exec(conn, "hr_occurrences_clear", 2, request), info);
  if (r == RESULT_OK && retime) r = result_from_db(db_exec(conn, "hr_occurrences", 3, request), info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r;
}
