/* Desk, issue 10: what a volunteer keeps of a resident once the match ends, what a request one
 * cannot see answers on every route, and the times a request may be asked for.
 *   - place and resident_phone: only while the match is active, and for the community's
 *     private_window after the last occurrence was done; never after a cancel or "someone else";
 *   - a request the caller cannot see answers 404 exactly like one that does not exist, before
 *     any 403 or 409 about what they may do with it;
 *   - dates and date-times outside the years 1900 to 2200 are refused, naming the field; a
 *     resident asks for help still to come, the desk may record help up to 30 days back.
 * Journeys use what each role's own answers give it (a volunteer finds a request on their board
 * and its occurrences in the claim's answer). The 404 probes use ids from the coordinator's view
 * on purpose: they play someone who got hold of an id they should not use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libpq-fe.h>

#include "db.h"
#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

#define NO_SUCH_REQUEST "00000000-0000-4000-8000-0000000dead1"

static void claim(struct http_response *r, const char *tok, const char *id) {
  char path[200];
  request_path(path, sizeof path, id, "/claim");
  http_call(r, "POST", path, tok, json_object());
}

static void occurrence_post(struct http_response *r, const char *tok, const char *id, const char *occ, const char *what,
                            json_t *body) {
  char suffix[160], path[300];
  snprintf(suffix, sizeof suffix, "/occurrences/%s/%s", occ, what);
  request_path(path, sizeof path, id, suffix);
  http_call(r, "POST", path, tok, body);
}

/* The id of the only request on the volunteer's board (owned): how a volunteer learns it. */
static char *only_on_board(const char *tok) {
  char board_path[160];
  community_path(board_path, sizeof board_path, &fx.anna, "/board");
  json_t *board = list_all(board_path, tok, NULL);
  ck_assert_msg(json_array_size(board) == 1, "expected one request on the board, got %zu", json_array_size(board));
  char *id = strdup(jstr(json_array_get(board, 0), "id"));
  ck_assert(id != NULL);
  json_decref(board);
  return id;
}

/* Asserts that the request document shows the private fields (or not). */
#define assert_private(doc, shown) assert_private_at(__FILE__, __LINE__, (doc), (shown))
static void assert_private_at(const char *file, int line, json_t *doc, bool shown) {
  json_t *place = json_object_get(doc, "place"), *phone = json_object_get(doc, "resident_phone");
  ck_assert_msg(place != NULL && phone != NULL, "%s:%d: place or resident_phone missing", file, line);
  if (shown)
    ck_assert_msg(jstr(doc, "place.address") != NULL && json_is_string(phone),
                  "%s:%d: expected the address and phone of status %s", file, line, jstr(doc, "status"));
  else
    ck_assert_msg(json_is_null(place) && json_is_null(phone), "%s:%d: address or phone shown in status %s: %s %s", file,
                  line, jstr(doc, "status"), jstr(doc, "place.address") ? jstr(doc, "place.address") : "-",
                  json_is_string(phone) ? json_string_value(phone) : "-");
}

/* GET the request as tok: 200, and whether it shows the private fields. */
#define assert_get_private(tok, id, shown) assert_get_private_at(__FILE__, __LINE__, (tok), (id), (shown))
static void assert_get_private_at(const char *file, int line, const char *tok, const char *id, bool shown) {
  struct http_response r;
  request_get(&r, tok, id);
  assert_status_at(file, line, &r, 200);
  assert_private_at(file, line, r.json, shown);
  http_response_free(&r);
}

/* The 404 of a request that does not exist, to compare with: a hidden request must answer the same. */
static char *missing_detail(const char *tok) {
  struct http_response r;
  request_get(&r, tok, NO_SUCH_REQUEST);
  assert_problem(&r, 404, "not-found");
  char *detail = strdup(jstr(r.json, "detail"));
  ck_assert(detail != NULL);
  http_response_free(&r);
  return detail;
}

#define assert_hidden(r, detail) assert_hidden_at(__FILE__, __LINE__, (r), (detail))
static void assert_hidden_at(const char *file, int line, const struct http_response *r, const char *detail) {
  assert_problem_at(file, line, r, 404, "not-found");
  ck_assert_msg(json_object_get(r->json, "current_state") == NULL, "%s:%d: %s %s tells the state: %s", file, line,
                r->method, r->path, r->body);
  ck_assert_msg(json_object_get(r->json, "errors") == NULL, "%s:%d: %s %s: %s", file, line, r->method, r->path,
                r->body);
  ck_assert_msg(strcmp(jstr(r->json, "detail"), detail) == 0,
                "%s:%d: %s %s answers otherwise than for a request that does not exist: %s", file, line, r->method,
                r->path, r->body);
}

static PGconn *owner(void) { return db_connect(env_required("NOABER_TEST_OWNER_DSN")); }

static void owner_run(const char *sql, const char *param) {
  PGconn *c = owner();
  PQclear(db_exec(c, sql, 1, (const char *[]){param}));
  PQfinish(c);
}

/* A window `days_ago` days back (0: today), start_h:00 to end_h:00 in Europe/Amsterdam. */
static void window_days_ago(struct window *w, int days_ago, int start_h, int end_h) {
  setenv("TZ", "Europe/Amsterdam", 1);
  tzset();
  time_t now = time(NULL);
  struct tm lt;
  localtime_r(&now, &lt);
  struct tm s = lt, e = lt;
  s.tm_mday -= days_ago;
  e.tm_mday -= days_ago;
  s.tm_hour = start_h;
  e.tm_hour = end_h;
  s.tm_min = s.tm_sec = e.tm_min = e.tm_sec = 0;
  s.tm_isdst = e.tm_isdst = -1;
  w->start = mktime(&s);
  w->end = mktime(&e);
  ck_assert(w->start != (time_t)-1 && w->end != (time_t)-1);
  struct tm g;
  gmtime_r(&w->start, &g);
  strftime(w->starts_at, sizeof w->starts_at, "%Y-%m-%dT%H:%M:%SZ", &g);
  gmtime_r(&w->end, &g);
  strftime(w->ends_at, sizeof w->ends_at, "%Y-%m-%dT%H:%M:%SZ", &g);
  strftime(w->date, sizeof w->date, "%Y-%m-%d", &s);
}

/* ---------- item 1: private fields end with the match ---------- */

START_TEST(private_fields_end_with_a_cancel) {
  char requests[160];
  community_path(requests, sizeof requests, &fx.anna, "/help-requests");
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1); /* the fixture's resident1 has a phone number */
  char *shopping = category_id(coord, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_VISIBILITY, 1.0, false);
  volunteer_create(&v, coord, &s);

  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  char *id = request_create(res, request_body(shopping, &w, SITE_VISIBILITY, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  request_action_ok(coord, id, "board", NULL, "triaged");

  /* the volunteer finds it on the board (no address yet), claims it and gets the address */
  char *seen = only_on_board(v.tokens.access);
  ck_assert_str_eq(seen, id);
  assert_get_private(v.tokens.access, seen, false);
  struct http_response r;
  claim(&r, v.tokens.access, seen);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  assert_private(r.json, true);
  http_response_free(&r);
  json_t *tasks = list_all("/v1/me/tasks", v.tokens.access, NULL);
  ck_assert_msg(list_has(tasks, seen), "the match is not among the volunteer's tasks");
  assert_private(find_item(tasks, "id", seen), true);
  json_decref(tasks);

  /* the resident cancels: the volunteer still sees that it was cancelled, no longer where or whom */
  request_action(&r, res, id, "cancel", json_pack("{s:s}", "note", "Mijn dochter komt toch"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "cancelled");
  http_response_free(&r);
  request_get(&r, v.tokens.access, seen);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "cancelled");
  assert_private(r.json, false);
  http_response_free(&r);
  json_t *list = list_all(requests, v.tokens.access, NULL);
  json_t *item = find_item(list, "id", seen);
  ck_assert_msg(item != NULL, "the volunteer's list no longer has the cancelled request");
  assert_private(item, false);
  json_decref(list);
  tasks = list_all("/v1/me/tasks", v.tokens.access, NULL);
  item = find_item(tasks, "id", seen);
  if (item != NULL) assert_private(item, false);
  json_decref(tasks);

  /* the desk and the resident keep seeing it all */
  assert_get_private(coord, id, true);
  assert_get_private(res, id, true);

  person_free(&v);
  free(seen);
  free(id);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

START_TEST(private_fields_for_a_window_after_done) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_VISIBILITY, 1.0, false);
  s.days = 0xfe; /* every day, all day: the help was yesterday */
  s.from = "00:00";
  s.to = "23:59";
  volunteer_create(&v, coord, &s);

  /* the desk records yesterday's errand after the fact, then a volunteer takes it from the board */
  struct window w;
  window_days_ago(&w, 1, 10, 11);
  json_t *body = request_body(shopping, &w, SITE_VISIBILITY, false);
  json_object_set_new(body, "resident_id", json_string(fx.resident1.id));
  char *id = request_create(coord, body, NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  request_action_ok(coord, id, "board", NULL, "triaged");
  char *seen = only_on_board(v.tokens.access);
  struct http_response r;
  claim(&r, v.tokens.access, seen);
  assert_status(&r, 200);
  assert_private(r.json, true);
  char *occ = strdup(occurrence_id(r.json, 0));
  ck_assert(occ != NULL);
  http_response_free(&r);
  occurrence_post(&r, v.tokens.access, seen, occ, "complete", json_pack("{s:f}", "hours", 1.0));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  http_response_free(&r);

  /* done: the address and phone stay for the community's window (24 hours by default) */
  request_get(&r, v.tokens.access, seen);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  assert_private(r.json, true);
  http_response_free(&r);
  json_t *tasks = list_all("/v1/me/tasks", v.tokens.access, NULL);
  ck_assert_msg(!list_has(tasks, seen), "a done request is still a task");
  json_decref(tasks);

  /* 25 hours later, no more */
  owner_run("UPDATE help_requests SET status_changed_at = now() - interval '25 hours' WHERE id = $1", id);
  assert_get_private(v.tokens.access, seen, false);
  assert_get_private(coord, id, true);
  assert_get_private(res, id, true);
  /* the community chooses its window: two days, then none at all */
  owner_run("UPDATE communities SET private_window = interval '2 days' WHERE id = $1", fx.anna.id);
  assert_get_private(v.tokens.access, seen, true);
  owner_run("UPDATE communities SET private_window = interval '0' WHERE id = $1", fx.anna.id);
  assert_get_private(v.tokens.access, seen, false);
  /* at most a week */
  PGconn *c = owner();
  PGresult *too_long = PQexecParams(c, "UPDATE communities SET private_window = interval '8 days' WHERE id = $1", 1,
                                    NULL, (const char *[]){fx.anna.id}, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(too_long) == PGRES_FATAL_ERROR, "a window of 8 days was accepted");
  PQclear(too_long);
  PQfinish(c);

  person_free(&v);
  free(occ);
  free(seen);
  free(id);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

START_TEST(private_fields_end_with_someone_else) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_VISIBILITY, 1.0, false);
  volunteer_create(&v, coord, &s);
  struct window w;
  desk_window(&w, 3, 1, 10, 12);
  char *id = request_create(res, request_body(shopping, &w, SITE_VISIBILITY, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  request_action_ok(coord, id, "board", NULL, "triaged");
  char *seen = only_on_board(v.tokens.access);
  struct http_response r;
  claim(&r, v.tokens.access, seen);
  assert_status(&r, 200);
  assert_private(r.json, true);
  http_response_free(&r);
  request_action_ok(res, id, "ask-other", NULL, "triaged");
  /* released: the request is gone from the volunteer's view altogether */
  char *missing = missing_detail(v.tokens.access);
  request_get(&r, v.tokens.access, seen);
  assert_hidden(&r, missing);
  http_response_free(&r);
  json_t *tasks = list_all("/v1/me/tasks", v.tokens.access, NULL);
  ck_assert(!list_has(tasks, seen));
  json_decref(tasks);

  person_free(&v);
  free(missing);
  free(seen);
  free(id);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* ---------- item 4: what one cannot see answers 404 on every route ---------- */

START_TEST(hidden_requests_answer_404) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  char *odd = category_id(coord, "odd_jobs");
  struct person a, b, c;
  struct vol_spec s = vol_default(shopping, SITE_STATE, 1.0, false);
  volunteer_create(&a, coord, &s);
  volunteer_create(&b, coord, &s);
  s.skills[0] = odd;
  volunteer_create(&c, coord, &s);
  char *missing = missing_detail(b.tokens.access);

  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  char *id = request_create(res, request_body(shopping, &w, SITE_STATE, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  const char *both[] = {a.id, b.id, NULL};
  offer_to(coord, id, both);
  request_action_ok(coord, id, "board", NULL, "offered");
  char *oa = offer_id(coord, id, a.id), *ob = offer_id(coord, id, b.id);
  struct http_response r;

  /* on the board, but not for a volunteer without the skill */
  claim(&r, c.tokens.access, id);
  assert_hidden(&r, missing);
  http_response_free(&r);

  /* a accepts; b, whose offer is withdrawn, no longer sees the request: claiming it, or answering
   * the offer, tells b nothing about it */
  offer_answer(&r, a.tokens.access, oa, "accept", NULL);
  assert_status(&r, 200);
  http_response_free(&r);
  claim(&r, b.tokens.access, id);
  assert_hidden(&r, missing);
  http_response_free(&r);
  offer_answer(&r, b.tokens.access, ob, "accept", NULL);
  assert_hidden(&r, missing);
  http_response_free(&r);
  offer_answer(&r, b.tokens.access, ob, "decline", NULL);
  assert_hidden(&r, missing);
  http_response_free(&r);
  request_action(&r, b.tokens.access, id, "cancel", NULL);
  assert_hidden(&r, missing);
  http_response_free(&r);
  request_get(&r, coord, id);
  assert_status(&r, 200);
  char *occ = strdup(occurrence_id(r.json, 0));
  ck_assert(occ != NULL);
  http_response_free(&r);
  occurrence_post(&r, b.tokens.access, id, occ, "complete", json_pack("{s:f}", "hours", 1.0));
  assert_hidden(&r, missing);
  http_response_free(&r);
  occurrence_post(&r, b.tokens.access, id, occ, "feedback", json_pack("{s:b}", "positive", 1));
  assert_hidden(&r, missing);
  http_response_free(&r);

  /* a, who sees it, hears why not: the state, and who may do what; a's own retries of the claim
   * or the accept are told a has it (issue 12: the winner's retry never hears it lost) */
  claim(&r, a.tokens.access, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "matched_volunteer_id"), a.id);
  http_response_free(&r);
  offer_answer(&r, a.tokens.access, oa, "accept", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "accepted");
  http_response_free(&r);
  offer_answer(&r, a.tokens.access, oa, "decline", NULL);
  assert_conflict_state(&r, "matched");
  http_response_free(&r);
  occurrence_post(&r, a.tokens.access, id, occ, "feedback", json_pack("{s:b}", "positive", 1));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  /* a request still at the desk, never on anyone's board */
  char *id2 = request_create(res, request_body(shopping, &w, SITE_STATE, false), NULL);
  claim(&r, b.tokens.access, id2);
  assert_hidden(&r, missing);
  http_response_free(&r);
  request_action(&r, b.tokens.access, id2, "triage", NULL);
  assert_hidden(&r, missing);
  http_response_free(&r);

  person_free(&a);
  person_free(&b);
  person_free(&c);
  free(occ);
  free(oa);
  free(ob);
  free(id2);
  free(id);
  free(missing);
  free(odd);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* A volunteer released from a recurring request keeps the id of the occurrence they did: it
 * answers 404 now, not the request's new state. */
START_TEST(released_volunteer_learns_nothing) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_STATE, 1.0, false);
  volunteer_create(&v, coord, &s);
  char *missing = missing_detail(v.tokens.access);
  struct window w;
  desk_window(&w, 1, 0, 10, 12);
  char until[11];
  date_add(until, w.date, 7);
  json_t *body = request_body(shopping, &w, SITE_STATE, false);
  json_object_set_new(body, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", until));
  char *id = request_create(res, body, NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  request_action_ok(coord, id, "board", NULL, "triaged");
  char *seen = only_on_board(v.tokens.access);
  struct http_response r;
  claim(&r, v.tokens.access, seen);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "occurrences")), 2);
  char *first = strdup(occurrence_id(r.json, 0));
  ck_assert(first != NULL);
  http_response_free(&r);
  occurrence_begin(first);
  occurrence_post(&r, v.tokens.access, seen, first, "complete", json_pack("{s:f}", "hours", 2.0));
  assert_status(&r, 200);
  http_response_free(&r);
  occurrence_post(&r, v.tokens.access, seen, first, "complete", json_pack("{s:f}", "hours", 2.0));
  assert_conflict_state(&r, "matched"); /* still theirs: told why */
  http_response_free(&r);

  request_action_ok(res, id, "ask-other", NULL, "triaged");
  occurrence_post(&r, v.tokens.access, seen, first, "complete", json_pack("{s:f}", "hours", 2.0));
  assert_hidden(&r, missing);
  http_response_free(&r);
  claim(&r, v.tokens.access, seen);
  assert_hidden(&r, missing);
  http_response_free(&r);

  person_free(&v);
  free(first);
  free(seen);
  free(id);
  free(missing);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* ---------- item 10: dates in a sane range, and when help may be asked for ---------- */

static json_t *request_at(const char *category, const char *starts_at, const char *ends_at, const char *needed_by) {
  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  json_t *b = request_body(category, &w, SITE_STATE, false);
  json_t *when = needed_by != NULL ? json_pack("{s:s}", "needed_by", needed_by)
                                   : json_pack("{s:s, s:s}", "starts_at", starts_at, "ends_at", ends_at);
  json_object_set_new(b, "when", when);
  return b;
}

static void create_refused(const char *tok, json_t *body, const char *field, const char *code) {
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/help-requests");
  struct http_response r;
  http_call(&r, "POST", path, tok, body);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, field, code), "no error %s on %s: %s", code ? code : "", field, r.body);
  http_response_free(&r);
}

static void get_refused(const char *tok, const char *path, const char *field) {
  struct http_response r;
  http_get(&r, path, tok);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, field, NULL), "no error on %s: %s", field, r.body);
  http_response_free(&r);
}

START_TEST(dates_outside_1900_to_2200_refused) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");

  /* year 10000 in UTC (9999 at -15:00) would come back as `10000-01-01T...`, not RFC 3339 */
  create_refused(res, request_at(shopping, NULL, NULL, "9999-12-31T23:00:00-15:00"), "when.needed_by", "invalid");
  create_refused(coord, request_at(shopping, "1899-12-31T10:00:00Z", "1899-12-31T11:00:00Z", NULL), "when.starts_at",
                 "invalid");
  create_refused(coord, request_at(shopping, "2201-01-01T10:00:00Z", "2201-01-01T11:00:00Z", NULL), "when.ends_at",
                 "invalid");
  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  json_t *b = request_body(shopping, &w, SITE_STATE, false);
  json_object_set_new(b, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", "2201-01-01"));
  create_refused(res, b, "recurrence.until", "invalid");

  /* query parameters too */
  char path[240];
  community_path(path, sizeof path, &fx.anna, "/help-requests?updated_since=1899-12-31T23%3A59%3A59Z");
  get_refused(coord, path, "updated_since");
  get_refused(res, "/v1/me/help-requests?updated_since=2201-01-01T00%3A00%3A00Z", "updated_since");
  community_path(path, sizeof path, &fx.anna, "/help-requests?updated_since=1900-01-01T00%3A00%3A00Z");
  struct http_response r;
  http_get(&r, path, coord);
  assert_status(&r, 200);
  http_response_free(&r);

  /* and other bodies that take a date: a certificate of conduct */
  char cert[200];
  snprintf(cert, sizeof cert, "%s/volunteers/%s/certificate", fx.anna.path, fx.volunteer1.id);
  http_call(&r, "POST", cert, coord, json_pack("{s:s}", "issued_on", "1899-12-31"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "issued_on", NULL), "%s", r.body);
  http_response_free(&r);

  free(shopping);
  free(res);
  free(coord);
}
END_TEST

START_TEST(past_windows_by_who_asks) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  char hour_ago[32], two_hours_ago[32], half_hour_ago[32], in_90_min[32], days_40_ago[32], days_40_ago_end[32];
  utc_in(two_hours_ago, -2 * 3600);
  utc_in(hour_ago, -3600);
  utc_in(half_hour_ago, -1800);
  utc_in(in_90_min, 90 * 60);
  utc_in(days_40_ago, -40L * 86400);
  utc_in(days_40_ago_end, -40L * 86400 + 3600);

  /* a resident asks for help still to come: not for a window or a deadline that has passed */
  create_refused(res, request_at(shopping, two_hours_ago, hour_ago, NULL), "when.ends_at", "in_the_past");
  create_refused(res, request_at(shopping, NULL, NULL, hour_ago), "when.needed_by", "in_the_past");
  /* a window under way is still to come */
  char *id = request_create(res, request_at(shopping, half_hour_ago, in_90_min, NULL), NULL);
  free(id);

  /* the desk records help given after the fact, up to 30 days back */
  json_t *b = request_at(shopping, two_hours_ago, hour_ago, NULL);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  id = request_create(coord, b, NULL);
  free(id);
  b = request_at(shopping, days_40_ago, days_40_ago_end, NULL);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  create_refused(coord, b, "when.ends_at", "in_the_past");
  b = request_at(shopping, NULL, NULL, days_40_ago);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  create_refused(coord, b, "when.needed_by", "in_the_past");

  free(shopping);
  free(res);
  free(coord);
}
END_TEST

Suite *desk_privacy_suite(void) {
  Suite *s = suite_create("desk_privacy");
  TCase *tc = desk_tcase("private_fields");
  tcase_add_test(tc, private_fields_end_with_a_cancel);
  tcase_add_test(tc, private_fields_for_a_window_after_done);
  tcase_add_test(tc, private_fields_end_with_someone_else);
  suite_add_tcase(s, tc);
  tc = desk_tcase("hidden");
  tcase_add_test(tc, hidden_requests_answer_404);
  tcase_add_test(tc, released_volunteer_learns_nothing);
  suite_add_tcase(s, tc);
  tc = desk_tcase("times");
  tcase_add_test(tc, dates_outside_1900_to_2200_refused);
  tcase_add_test(tc, past_windows_by_who_asks);
  suite_add_tcase(s, tc);
  return s;
}
