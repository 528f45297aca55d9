/* Desk hours and who handles a request (issue 13, item 5):
 *   - the community's desk hours, read by every member, set by the desk under If-Match, checked
 *     (days, times, opens before closes, no overlaps, at most 21 slots, dates each once);
 *   - a request entered while the desk is closed gets expected_answer_by, the next opening (a
 *     closed date skipped), and the resident reads when the desk will answer in her language;
 *     entered while the desk is open, or without desk hours, none;
 *   - the queue's three-day waiting clock starts at that opening, not at entry;
 *   - the handling coordinator: the desk member who enters a request, none for a resident's own;
 *     reassigned under If-Match (412 stale, 428 without), kept in handler_history; the queue
 *     filters on handler=me|none|<id>; nobody outside the desk reassigns (403).
 * "Outside hours" is made deterministic by one slot two days from today; "inside" by slots
 * around the clock on every day. Each seat uses the ids its own answers gave it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <libpq-fe.h>

#include "db.h"
#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

static const char *const day_names[] = {NULL,       "monday", "tuesday",  "wednesday",
                                        "thursday", "friday", "saturday", "sunday"};
static const char *const dutch_days[] = {NULL,        "maandag", "dinsdag",  "woensdag",
                                         "donderdag", "vrijdag", "zaterdag", "zondag"};
static const char *const english_days[] = {NULL,       "Monday", "Tuesday",  "Wednesday",
                                           "Thursday", "Friday", "Saturday", "Sunday"};

static void owner_run(const char *sql, const char *param) {
  PGconn *c = db_connect(env_required("NOABER_TEST_OWNER_DSN"));
  PQclear(db_exec(c, sql, 1, (const char *[]){param}));
  PQfinish(c);
}

static char *hours_path(char *buf, size_t len) { return community_path(buf, len, &fx.anna, "/desk-hours"); }

/* Today's ISO weekday in Amsterdam, and its hour and minute. */
static int today_local(int *hour, int *minute) {
  char now[32];
  utc_in(now, 0);
  int weekday;
  local_parts(now, &weekday, hour, minute);
  return weekday;
}

/* The ISO weekday `days` days after `weekday`. */
static int weekday_after(int weekday, int days) { return (weekday - 1 + days) % 7 + 1; }

/* PUT the desk hours (body stolen) with If-Match `etag` (NULL: none); the response in *r. */
static void hours_put(struct http_response *r, const char *tok, json_t *body, const char *etag) {
  char path[200], if_match[300];
  snprintf(if_match, sizeof if_match, "If-Match: %s", etag != NULL ? etag : "");
  const char *const headers[] = {if_match, NULL};
  http_call_h(r, "PUT", hours_path(path, sizeof path), tok, body, etag != NULL ? headers : NULL);
}

/* The current ETag of the desk hours, read by the coordinator (owned). */
static char *hours_etag(const char *coord) {
  struct http_response r;
  char path[200];
  http_get(&r, hours_path(path, sizeof path), coord);
  assert_status(&r, 200);
  char *etag = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  return etag;
}

/* Replace the desk hours with `slots` (stolen) and no closed dates, or `closed` (stolen, NULL: []). */
static void hours_set(const char *coord, json_t *slots, json_t *closed) {
  char *etag = hours_etag(coord);
  struct http_response r;
  hours_put(&r, coord, json_pack("{s:o, s:o}", "slots", slots, "closed_dates", closed != NULL ? closed : json_array()),
            etag);
  assert_status(&r, 200);
  http_response_free(&r);
  free(etag);
}

/* Slots around the clock on every day: the desk is open now, unless it is 23:59 (then wait). */
static json_t *always_open(void) {
  int hour, minute;
  today_local(&hour, &minute);
  if (hour == 23 && minute == 59) sleep_ms(61 * 1000);
  json_t *slots = json_array();
  for (int d = 1; d <= 7; d++)
    json_array_append_new(slots,
                          json_pack("{s:s, s:s, s:s}", "day", day_names[d], "opens", "00:00", "closes", "23:59"));
  return slots;
}

/* One slot, 09:00-12:00 two days from today: the desk is closed now. Its weekday. */
static int closed_now(const char *coord, json_t *closed) {
  int hour, minute;
  int day = weekday_after(today_local(&hour, &minute), 2);
  hours_set(coord, json_pack("[{s:s, s:s, s:s}]", "day", day_names[day], "opens", "09:00", "closes", "12:00"), closed);
  return day;
}

START_TEST(desk_hours_read_and_set) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char path[200];
  hours_path(path, sizeof path);
  struct http_response r;

  /* none recorded yet: empty, for every member */
  http_get(&r, path, res);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(jpath(r.json, "slots")), 0);
  ck_assert(json_is_null(json_object_get(r.json, "updated_at")));
  ck_assert_str_eq(jstr(r.json, "time_zone"), "Europe/Amsterdam");
  http_response_free(&r);
  char *empty_etag = hours_etag(coord);

  /* only the desk sets them */
  json_t *body = json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}], s:[s, s]}", "slots", "day", "thursday", "opens",
                           "09:00", "closes", "12:00", "day", "tuesday", "opens", "09:00", "closes", "12:00",
                           "closed_dates", "2026-12-31", "2026-12-24");
  hours_put(&r, res, json_incref(body), NULL);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  /* the first time without If-Match; sorted by day and date */
  hours_put(&r, coord, json_incref(body), NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "slots.0.day"), "tuesday");
  ck_assert_str_eq(jstr(r.json, "slots.1.day"), "thursday");
  ck_assert_str_eq(jstr(r.json, "closed_dates.0"), "2026-12-24");
  ck_assert(jstr(r.json, "updated_at") != NULL);
  char *etag = strdup(http_header(&r, "etag"));
  http_response_free(&r);

  /* then only with the current ETag */
  hours_put(&r, coord, json_incref(body), NULL);
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);
  hours_put(&r, coord, json_incref(body), empty_etag);
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  http_get(&r, path, res);
  assert_status(&r, 200);
  ck_assert_str_eq(http_header(&r, "etag"), etag);
  ck_assert_uint_eq(json_array_size(jpath(r.json, "slots")), 2);
  http_response_free(&r);
  json_object_set_new(body, "closed_dates", json_array());
  hours_put(&r, coord, json_incref(body), etag);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(jpath(r.json, "closed_dates")), 0);
  free(etag);
  etag = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  char inm[300];
  snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
  http_call_h(&r, "GET", path, res, NULL, (const char *[]){inm, NULL});
  assert_status(&r, 304);
  http_response_free(&r);

  /* invalid hours: 400 naming the field, in Dutch */
  const char *bad_slots[] = {
      "[{\"day\": \"tuesday\", \"opens\": \"12:00\", \"closes\": \"09:00\"}]",
      "[{\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"09:00\"}]",
      "[{\"day\": \"dinsdag\", \"opens\": \"09:00\", \"closes\": \"12:00\"}]",
      "[{\"day\": \"tuesday\", \"opens\": \"25:00\", \"closes\": \"26:00\"}]",
      "[{\"day\": \"tuesday\", \"opens\": \"9:00\", \"closes\": \"12:00\"}]",
      "[{\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"12:00\", \"note\": \"x\"}]",
      "[{\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"12:00\"}, "
      "{\"day\": \"tuesday\", \"opens\": \"11:30\", \"closes\": \"13:00\"}]",
  };
  for (size_t i = 0; i < sizeof bad_slots / sizeof bad_slots[0]; i++) {
    json_t *slots = json_loads(bad_slots[i], 0, NULL);
    ck_assert(slots != NULL);
    hours_put(&r, coord, json_pack("{s:o, s:[]}", "slots", slots, "closed_dates"), etag);
    assert_problem(&r, 400, "validation");
    ck_assert_msg(problem_has_error(&r, "slots", NULL), "slots %zu accepted", i);
    ck_assert_str_eq(http_header(&r, "content-language"), "nl");
    http_response_free(&r);
  }
  json_t *many = json_array();
  for (int k = 0; k < 22; k++) {
    char opens[16], closes[16];
    snprintf(opens, sizeof opens, "%02d:00", k % 22);
    snprintf(closes, sizeof closes, "%02d:30", k % 22);
    json_array_append_new(many, json_pack("{s:s, s:s, s:s}", "day", "monday", "opens", opens, "closes", closes));
  }
  hours_put(&r, coord, json_pack("{s:o, s:[]}", "slots", many, "closed_dates"), etag);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "slots", NULL));
  http_response_free(&r);
  hours_put(&r, coord, json_pack("{s:[], s:[s, s]}", "slots", "closed_dates", "2026-12-24", "2026-12-24"), etag);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "closed_dates", NULL));
  http_response_free(&r);
  hours_put(&r, coord, json_pack("{s:[], s:[s]}", "slots", "closed_dates", "2026-02-30"), etag);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "closed_dates", NULL));
  http_response_free(&r);
  hours_put(&r, coord, json_pack("{s:[]}", "slots"), etag);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "closed_dates", NULL));
  http_response_free(&r);
  /* nothing of it was stored */
  http_get(&r, path, coord);
  ck_assert_str_eq(http_header(&r, "etag"), etag);
  http_response_free(&r);

  /* slots that touch do not overlap */
  hours_put(&r, coord,
            json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}], s:[]}", "slots", "day", "monday", "opens", "13:00",
                      "closes", "17:00", "day", "monday", "opens", "09:00", "closes", "13:00", "closed_dates"),
            etag);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "slots.0.opens"), "09:00");
  http_response_free(&r);

  json_decref(body);
  free(etag);
  free(empty_etag);
  free(res);
  free(coord);
}
END_TEST

/* The resident's own GET of the request: expected_answer_by's local weekday, and the label. */
static void assert_expected_answer(const char *tok, const char *id, int day, const char *language_header,
                                   const char *label) {
  char path[200];
  request_path(path, sizeof path, id, NULL);
  struct http_response r;
  http_call_h(&r, "GET", path, tok, NULL, (const char *[]){language_header, NULL});
  assert_status(&r, 200);
  const char *by = jstr(r.json, "expected_answer_by");
  ck_assert_msg(by != NULL, "no expected_answer_by");
  int weekday, hour, minute;
  local_parts(by, &weekday, &hour, &minute);
  ck_assert_int_eq(weekday, day);
  ck_assert_int_eq(hour, 9);
  ck_assert_int_eq(minute, 0);
  ck_assert_str_eq(jstr(r.json, "expected_answer_day"), day_names[day]);
  ck_assert_str_eq(jstr(r.json, "expected_answer_label"), label);
  http_response_free(&r);
}

START_TEST(expected_answer_outside_hours) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  struct window w;
  desk_window(&w, 1, 1, 10, 12);

  /* no desk hours: always open, no expected answer */
  json_t *j = NULL;
  char *plain = request_create(res, request_body(shopping, &w, SITE_HOME, false), &j);
  ck_assert(json_is_null(json_object_get(j, "expected_answer_by")));
  ck_assert(json_object_get(j, "expected_answer_label") == NULL);
  json_decref(j);

  /* closed now: the next opening, two days from today at 09:00 in Amsterdam */
  int day = closed_now(coord, NULL);
  char *later = request_create(res, request_body(shopping, &w, SITE_HOME, false), &j);
  ck_assert(epoch_of(jstr(j, "expected_answer_by")) > (int64_t)time(NULL));
  char label[100];
  snprintf(label, sizeof label, "We nemen %s contact met u op", dutch_days[day]);
  ck_assert_str_eq(jstr(j, "expected_answer_label"), label);
  json_decref(j);
  assert_expected_answer(res, later, day, "Accept-Language: nl", label);
  char english[100];
  snprintf(english, sizeof english, "We will contact you on %s", english_days[day]);
  assert_expected_answer(res, later, day, "Accept-Language: en", english);
  /* in her own list, too */
  json_t *mine = list_all("/v1/me/help-requests", res, NULL);
  json_t *item = find_item(mine, "id", later);
  ck_assert(item != NULL);
  ck_assert_str_eq(jstr(item, "expected_answer_label"), label);
  ck_assert(json_is_null(json_object_get(find_item(mine, "id", plain), "expected_answer_by")));
  json_decref(mine);
  /* once the desk looked at it, the label has done its work */
  request_action_ok(coord, later, "triage", NULL, "triaged");
  struct http_response r;
  request_get(&r, res, later);
  ck_assert(jstr(r.json, "expected_answer_by") != NULL);
  ck_assert(json_object_get(r.json, "expected_answer_label") == NULL);
  http_response_free(&r);

  /* that day a closed date: a week later */
  char today[11], that_day[11], week_later[11];
  date_add(today, NULL, 0);
  date_add(that_day, today, 2);
  date_add(week_later, today, 9);
  closed_now(coord, json_pack("[s]", that_day));
  char *skipped = request_create(res, request_body(shopping, &w, SITE_HOME, false), &j);
  const char *by = jstr(j, "expected_answer_by");
  ck_assert(by != NULL);
  int64_t days_ahead = (epoch_of(by) - (int64_t)time(NULL)) / 86400;
  ck_assert_msg(days_ahead >= 7 && days_ahead <= 9, "the closed date was not skipped: %s", by);
  json_decref(j);

  /* open now: none */
  hours_set(coord, always_open(), NULL);
  char *open = request_create(res, request_body(shopping, &w, SITE_HOME, false), &j);
  ck_assert(json_is_null(json_object_get(j, "expected_answer_by")));
  ck_assert(json_object_get(j, "expected_answer_label") == NULL);
  json_decref(j);

  free(open);
  free(skipped);
  free(later);
  free(plain);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* The requests of the queue view as `tok` sees them, with `query` added (all pages). */
static json_t *queue_of(const char *tok, const char *query) {
  char path[200];
  community_path(path, sizeof path, &fx.anna, "/queue");
  return list_all(path, tok, query);
}

START_TEST(waiting_clock_starts_at_opening) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  struct window w;
  desk_window(&w, 1, 2, 10, 12);

  hours_set(coord, always_open(), NULL);
  char *open = request_create(res, request_body(shopping, &w, SITE_HOME, false), NULL);
  closed_now(coord, NULL);
  char *closed = request_create(res, request_body(shopping, &w, SITE_HOME, false), NULL);
  request_action_ok(coord, open, "triage", NULL, "triaged");
  request_action_ok(coord, closed, "triage", NULL, "triaged");
  /* both triaged four days ago (the desk worked outside its hours for the second) */
  owner_run("UPDATE help_requests SET status_changed_at = now() - interval '4 days' WHERE id = $1", open);
  owner_run("UPDATE help_requests SET status_changed_at = now() - interval '4 days' WHERE id = $1", closed);
  json_t *q = queue_of(coord, "view=needs_attention");
  ck_assert_msg(list_has(q, open), "waiting four days, not in needs_attention");
  ck_assert_msg(!list_has(q, closed), "waits from the next opening, still days away, but needs attention");
  json_decref(q);
  /* four days after that opening, it does */
  owner_run("UPDATE help_requests SET expected_answer_by = now() - interval '4 days' WHERE id = $1", closed);
  q = queue_of(coord, "view=needs_attention");
  ck_assert(list_has(q, closed));
  json_decref(q);

  free(closed);
  free(open);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* POST .../handler {handler_id} as tok with If-Match `etag` (NULL: none). */
static void handler_post(struct http_response *r, const char *tok, const char *id, const char *handler_id,
                         const char *etag) {
  char path[200], if_match[300];
  request_path(path, sizeof path, id, "/handler");
  snprintf(if_match, sizeof if_match, "If-Match: %s", etag != NULL ? etag : "");
  const char *const headers[] = {if_match, NULL};
  json_t *body = json_pack("{s:o}", "handler_id", handler_id != NULL ? json_string(handler_id) : json_null());
  http_call_h(r, "POST", path, tok, body, etag != NULL ? headers : NULL);
}

START_TEST(handler_set_reassigned_filtered) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct person coord2;
  person_create(&coord2, coord, fx.anna.id, "coordinator");
  struct window w;
  desk_window(&w, 2, 1, 10, 12);

  /* the desk enters a request for a resident: she handles it */
  json_t *b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  json_t *j = NULL;
  char *entered = request_create(coord, b, &j);
  ck_assert_str_eq(jstr(j, "handler.id"), fx.coordinator.id);
  ck_assert_str_eq(jstr(j, "handler.display_name"), fx.coordinator.name);
  ck_assert_uint_eq(json_array_size(jpath(j, "handler_history")), 1);
  json_decref(j);
  /* or names another coordinator */
  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  json_object_set_new(b, "handler_id", json_string(coord2.id));
  char *named = request_create(coord, b, &j);
  ck_assert_str_eq(jstr(j, "handler.id"), coord2.id);
  json_decref(j);
  /* not a coordinator: 400 */
  struct http_response r;
  char path[200];
  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  json_object_set_new(b, "handler_id", json_string(fx.resident1.id));
  http_call(&r, "POST", community_path(path, sizeof path, &fx.anna, "/help-requests"), coord, b);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "handler_id", "not_a_coordinator"));
  http_response_free(&r);

  /* a resident's own request waits for the desk; she does not name a handler herself */
  char *own = request_create(res, request_body(shopping, &w, SITE_HOME, false), &j);
  ck_assert(json_is_null(json_object_get(j, "handler")));
  json_decref(j);
  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "handler_id", json_string(fx.coordinator.id));
  http_call(&r, "POST", path, res, b);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  /* the queue by handler */
  json_t *q = queue_of(coord, "view=new&handler=me");
  ck_assert(list_has(q, entered));
  ck_assert(!list_has(q, named));
  ck_assert(!list_has(q, own));
  json_decref(q);
  q = queue_of(coord, "view=new&handler=none");
  ck_assert(list_has(q, own));
  ck_assert(!list_has(q, entered));
  ck_assert_uint_eq(json_array_size(q), 1);
  json_decref(q);
  char query[100];
  snprintf(query, sizeof query, "view=new&handler=%s", coord2.id);
  q = queue_of(coord, query);
  ck_assert(list_has(q, named));
  ck_assert_uint_eq(json_array_size(q), 1);
  json_decref(q);
  q = queue_of(coord, "view=new");
  ck_assert_uint_eq(json_array_size(q), 3);
  json_decref(q);
  http_get(&r, community_path(path, sizeof path, &fx.anna, "/queue?view=new&handler=someone"), coord);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "handler", NULL));
  http_response_free(&r);

  /* the desk takes the resident's request: If-Match required, a stale one refused */
  request_get(&r, coord, own);
  char *etag = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  handler_post(&r, coord, own, coord2.id, NULL);
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);
  handler_post(&r, coord, own, fx.resident1.id, etag);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "handler_id", "not_a_coordinator"));
  http_response_free(&r);
  handler_post(&r, coord, own, coord2.id, etag);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "handler.id"), coord2.id);
  ck_assert_uint_eq(json_array_size(jpath(r.json, "handler_history")), 1);
  char *etag2 = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  handler_post(&r, coord, own, fx.coordinator.id, etag);
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  q = queue_of(coord2.tokens.access, "view=new&handler=me");
  ck_assert(list_has(q, own));
  ck_assert(list_has(q, named));
  json_decref(q);
  q = queue_of(coord, "view=new&handler=none");
  ck_assert_uint_eq(json_array_size(q), 0);
  json_decref(q);
  /* back to the desk as a whole: who handled it when stays readable */
  handler_post(&r, coord2.tokens.access, own, NULL, etag2);
  assert_status(&r, 200);
  ck_assert(json_is_null(json_object_get(r.json, "handler")));
  json_t *history = jpath(r.json, "handler_history");
  ck_assert_uint_eq(json_array_size(history), 2);
  ck_assert_str_eq(jstr(json_array_get(history, 0), "handler_id"), coord2.id);
  ck_assert_str_eq(jstr(json_array_get(history, 0), "actor_id"), fx.coordinator.id);
  ck_assert(json_is_null(json_object_get(json_array_get(history, 1), "handler_id")));
  ck_assert_str_eq(jstr(json_array_get(history, 1), "actor_id"), coord2.id);
  http_response_free(&r);

  /* the resident sees no handler; a volunteer (who is also a resident) cannot reassign her own request */
  request_get(&r, res, own);
  ck_assert(json_is_null(json_object_get(r.json, "handler")));
  ck_assert(json_is_null(json_object_get(r.json, "handler_history")));
  http_response_free(&r);
  char *vol = fixture_login(&fx.resident2);
  char *hers = request_create(vol, request_body(shopping, &w, SITE_HOME, false), NULL);
  request_get(&r, vol, hers);
  char *hers_etag = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  handler_post(&r, vol, hers, fx.resident2.id, hers_etag);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  /* someone who got hold of an id she cannot see: not found, as for the request's actions */
  handler_post(&r, res, hers, fx.coordinator.id, hers_etag);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  free(hers_etag);
  free(hers);
  free(vol);
  free(etag2);
  free(etag);
  free(own);
  free(named);
  free(entered);
  person_free(&coord2);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

Suite *desk_hours_suite(void) {
  Suite *s = suite_create("desk_hours");
  TCase *tc = desk_tcase("desk_hours");
  tcase_add_test(tc, desk_hours_read_and_set);
  tcase_add_test(tc, expected_answer_outside_hours);
  tcase_add_test(tc, waiting_clock_starts_at_opening);
  tcase_add_test(tc, handler_set_reassigned_filtered);
  suite_add_tcase(s, tc);
  return s;
}
