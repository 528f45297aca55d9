/* Profile and the resident's own request (issue 12, items 7, 2 and 8):
 *   - PATCH /v1/me with If-Match: display name, phone (E.164, Dutch numbers as typed), language,
 *     contact channel; registration takes phone and language;
 *   - the resident changes her request while it is submitted or triaged, not after;
 *   - once she confirmed the match, the resident sees her helper's first name and phone, and the
 *     matched volunteer the resident's phone she set herself;
 *   - recurring requests keep their local wall time in Europe/Amsterdam across the clock change;
 *   - feedback on an occurrence keeps every entry.
 * Every role uses only what its own answers give it: the resident her own requests, the volunteer
 * the board and the claim's answer, the desk its own list of requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

/* ---------- helpers ---------- */

/* GET /v1/me as tok: asserts 200 and an ETag; *etag gets a copy (owned). */
static void me_get(struct http_response *r, const char *tok, char **etag) {
  http_get(r, "/v1/me", tok);
  assert_status(r, 200);
  const char *tag = http_header(r, "ETag");
  ck_assert_msg(tag != NULL, "GET /v1/me has no ETag");
  *etag = strdup(tag);
  ck_assert(*etag != NULL);
}

/* PATCH path as tok with body (stolen) and If-Match: etag (NULL: none). */
static void patch_if_match(struct http_response *r, const char *path, const char *tok, const char *etag, json_t *body) {
  char if_match[160];
  snprintf(if_match, sizeof if_match, "If-Match: %s", etag != NULL ? etag : "");
  const char *headers[] = {if_match, NULL};
  http_call_h(r, "PATCH", path, tok, body, etag != NULL ? headers : NULL);
}

/* PATCH /v1/me with the current ETag; asserts 200 and returns nothing but the answer in *r. */
static void me_patch_ok(struct http_response *r, const char *tok, json_t *body) {
  struct http_response me;
  char *etag;
  me_get(&me, tok, &etag);
  http_response_free(&me);
  patch_if_match(r, "/v1/me", tok, etag, body);
  assert_status(r, 200);
  ck_assert_msg(http_header(r, "ETag") != NULL, "PATCH /v1/me answered without an ETag");
  free(etag);
}

/* The request with this description in the desk's own list (owned id): how the desk finds it. */
static char *desk_finds(const char *coord, const char *description) {
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/help-requests");
  json_t *all = list_all(path, coord, NULL);
  json_t *item = find_item(all, "description", description);
  ck_assert_msg(item != NULL, "the desk does not see \"%s\"", description);
  char *id = strdup(jstr(item, "id"));
  ck_assert(id != NULL);
  json_decref(all);
  return id;
}

/* The id of the only request on the volunteer's board (owned). */
static char *only_on_board(const char *tok) {
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/board");
  json_t *board = list_all(path, tok, NULL);
  ck_assert_msg(json_array_size(board) == 1, "expected one request on the board, got %zu", json_array_size(board));
  char *id = strdup(jstr(json_array_get(board, 0), "id"));
  ck_assert(id != NULL);
  json_decref(board);
  return id;
}

/* GET the request as tok: asserts 200; *etag gets its ETag (owned) when etag is not NULL. */
static void request_get_tagged(struct http_response *r, const char *tok, const char *id, char **etag) {
  request_get(r, tok, id);
  assert_status(r, 200);
  if (etag != NULL) {
    ck_assert_msg(http_header(r, "ETag") != NULL, "GET of a request has no ETag");
    *etag = strdup(http_header(r, "ETag"));
    ck_assert(*etag != NULL);
  }
}

static void request_patch(struct http_response *r, const char *tok, const char *id, const char *etag, json_t *body) {
  char path[200];
  request_path(path, sizeof path, id, NULL);
  patch_if_match(r, path, tok, etag, body);
}

/* A window `days_ago` days back, start_h:00 to end_h:00 in Europe/Amsterdam. */
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

/* ---------- PATCH /v1/me ---------- */

START_TEST(me_profile_changes_with_if_match) {
  char *res = fixture_login(&fx.resident1);
  struct http_response r;
  char *etag;
  me_get(&r, res, &etag);
  ck_assert_str_eq(jstr(r.json, "language"), "nl");
  ck_assert_str_eq(jstr(r.json, "contact_channel"), "app");
  http_response_free(&r);

  /* no If-Match: 428, nothing changed */
  patch_if_match(&r, "/v1/me", res, NULL, json_pack("{s:s}", "language", "en"));
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);

  patch_if_match(&r, "/v1/me", res, etag,
                 json_pack("{s:s, s:s, s:s, s:s}", "display_name", "Els de Vries", "phone", "06-12345678", "language",
                           "en", "contact_channel", "voice"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "display_name"), "Els de Vries");
  ck_assert_str_eq(jstr(r.json, "phone"), "+31612345678");
  ck_assert_str_eq(jstr(r.json, "language"), "en");
  ck_assert_str_eq(jstr(r.json, "contact_channel"), "voice");
  ck_assert_str_eq(jstr(r.json, "id"), fx.resident1.id);
  const char *new_etag = http_header(&r, "ETag");
  ck_assert_msg(new_etag != NULL && strcmp(new_etag, etag) != 0, "the ETag did not change");
  char *after = strdup(new_etag);
  http_response_free(&r);

  /* what GET says now, with the ETag the change answered */
  char *got;
  me_get(&r, res, &got);
  ck_assert_str_eq(got, after);
  ck_assert_str_eq(jstr(r.json, "phone"), "+31612345678");
  ck_assert_str_eq(jstr(r.json, "language"), "en");
  http_response_free(&r);

  /* the version before the change is stale: 412, nothing changed */
  patch_if_match(&r, "/v1/me", res, etag, json_pack("{s:s}", "display_name", "Iemand Anders"));
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);

  /* only what is given changes; a null phone removes it */
  patch_if_match(&r, "/v1/me", res, after, json_pack("{s:n}", "phone"));
  assert_status(&r, 200);
  ck_assert(json_is_null(json_object_get(r.json, "phone")));
  ck_assert_str_eq(jstr(r.json, "display_name"), "Els de Vries");
  ck_assert_str_eq(jstr(r.json, "language"), "en");
  http_response_free(&r);

  free(got);
  free(after);
  free(etag);
  free(res);
}
END_TEST

START_TEST(me_phone_as_people_type_it) {
  char *res = fixture_login(&fx.resident1);
  static const struct {
    const char *typed, *stored;
  } numbers[] = {
      {"06 12345678", "+31612345678"},   {"06-12345678", "+31612345678"}, {"+31 6 1234 5678", "+31612345678"},
      {"0031612345678", "+31612345678"}, {"020-1234567", "+31201234567"}, {"+32 470 12 34 56", "+32470123456"},
  };
  struct http_response r;
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
    me_patch_ok(&r, res, json_pack("{s:s}", "phone", numbers[i].typed));
    ck_assert_msg(jstr(r.json, "phone") && strcmp(jstr(r.json, "phone"), numbers[i].stored) == 0, "%s gave %s",
                  numbers[i].typed, r.body);
    http_response_free(&r);
  }

  /* not a number, a bad language or channel: 400 on each field, nothing changed */
  char *etag;
  me_get(&r, res, &etag);
  http_response_free(&r);
  static const char *const not_numbers[] = {"12345", "06 1234567", "bel me maar", "+31 6 1234 567", "0612345678 ext 3"};
  for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++) {
    patch_if_match(&r, "/v1/me", res, etag, json_pack("{s:s}", "phone", not_numbers[i]));
    assert_problem(&r, 400, "validation");
    ck_assert_msg(problem_has_error(&r, "phone", "invalid"), "%s: %s", not_numbers[i], r.body);
    http_response_free(&r);
  }
  patch_if_match(&r, "/v1/me", res, etag,
                 json_pack("{s:s, s:s, s:s}", "language", "de", "contact_channel", "pigeon", "display_name", ""));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "language", "invalid"), "%s", r.body);
  ck_assert_msg(problem_has_error(&r, "contact_channel", "invalid"), "%s", r.body);
  ck_assert_msg(problem_has_error(&r, "display_name", "length"), "%s", r.body);
  http_response_free(&r);
  char *still;
  me_get(&r, res, &still);
  ck_assert_str_eq(still, etag);
  ck_assert_str_eq(jstr(r.json, "phone"), "+32470123456");
  http_response_free(&r);

  free(still);
  free(etag);
  free(res);
}
END_TEST

START_TEST(register_takes_phone_and_language) {
  char *coord = fixture_login(&fx.coordinator);
  char *code = create_invitation(coord, fx.anna.id, "resident", NULL);
  char *email = unique_email("profile");
  struct http_response r;
  /* a phone that is no number: 400 on the field, no account */
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                      "display_name", "Nieuwe Bewoner", "phone", "bel maar"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "phone", "invalid"), "%s", r.body);
  http_response_free(&r);

  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password",
                      TEST_PASSWORD, "display_name", "Nieuwe Bewoner", "phone", "06 87654321", "language", "en"));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "me.phone"), "+31687654321");
  ck_assert_str_eq(jstr(r.json, "me.language"), "en");
  ck_assert_str_eq(jstr(r.json, "me.contact_channel"), "app");
  http_response_free(&r);

  free(email);
  free(code);
  free(coord);
}
END_TEST

/* ---------- the resident changes her own request ---------- */

START_TEST(resident_edits_request_until_matched) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *other = fixture_login(&fx.resident2);
  char *shopping = category_id(res, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_STATE, 1.0, false);
  s.days = 0xfe;
  volunteer_create(&v, coord, &s);

  struct window w, later;
  desk_window(&w, 2, 1, 10, 12);
  desk_window(&later, 3, 1, 14, 16);
  char *id = request_create(res, request_body(shopping, &w, SITE_STATE, false), NULL);
  struct http_response r;
  char *etag;
  request_get_tagged(&r, res, id, &etag);
  http_response_free(&r);

  /* without If-Match 428; someone who cannot see it 404 */
  request_patch(&r, res, id, NULL, json_pack("{s:s}", "description", "Ook brood"));
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);
  request_patch(&r, other, id, etag, json_pack("{s:s}", "description", "Ook brood"));
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* submitted: the description and the time change, and its date with it */
  request_patch(&r, res, id, etag,
                json_pack("{s:s, s:{s:s, s:s}, s:s}", "description", "Boodschappen, ook brood", "when", "starts_at",
                          later.starts_at, "ends_at", later.ends_at, "urgency", "high"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "description"), "Boodschappen, ook brood");
  ck_assert_str_eq(jstr(r.json, "urgency"), "high");
  ck_assert_int_eq(epoch_of(jstr(r.json, "when.starts_at")), later.start);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "occurrences")), 1);
  ck_assert_int_eq(epoch_of(jstr(r.json, "occurrences.0.starts_at")), later.start);
  ck_assert_int_eq(epoch_of(jstr(r.json, "occurrences.0.ends_at")), later.end);
  const char *tag = http_header(&r, "ETag");
  ck_assert_msg(tag != NULL && strcmp(tag, etag) != 0, "no new ETag");
  char *etag2 = strdup(tag);
  http_response_free(&r);

  /* the version before is stale */
  request_patch(&r, res, id, etag, json_pack("{s:s}", "description", "Alleen melk"));
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  /* a time in the past is refused as when asking */
  request_patch(&r, res, id, etag2, json_pack("{s:{s:s}}", "when", "needed_by", "2020-01-01T10:00:00Z"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "when.needed_by", "in_the_past"), "%s", r.body);
  http_response_free(&r);

  /* the version the change answered is the one to change next */
  request_patch(&r, res, id, etag2, json_pack("{s:s}", "urgency", "normal"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "urgency"), "normal");
  ck_assert_str_eq(jstr(r.json, "description"), "Boodschappen, ook brood");
  http_response_free(&r);

  /* triaged by the desk (from its own list): still hers to change, weekly now */
  char *desk_id = desk_finds(coord, "Boodschappen, ook brood");
  request_action_ok(coord, desk_id, "triage", NULL, "triaged");
  char *etag3;
  request_get_tagged(&r, res, id, &etag3);
  http_response_free(&r);
  char until[11];
  date_add(until, later.date, 14);
  request_patch(&r, res, id, etag3, json_pack("{s:{s:s, s:s}}", "recurrence", "frequency", "weekly", "until", until));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  ck_assert_str_eq(jstr(r.json, "recurrence.frequency"), "weekly");
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "occurrences")), 3);
  http_response_free(&r);

  /* a volunteer claims it from the board: matched, and no longer hers to change */
  request_action_ok(coord, desk_id, "board", NULL, "triaged");
  char *seen = only_on_board(v.tokens.access);
  char path[200];
  request_path(path, sizeof path, seen, "/claim");
  http_call(&r, "POST", path, v.tokens.access, json_object());
  assert_status(&r, 200);
  http_response_free(&r);
  char *etag4;
  request_get_tagged(&r, res, id, &etag4);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  http_response_free(&r);
  request_patch(&r, res, id, etag4, json_pack("{s:s}", "description", "Toch iets anders"));
  assert_conflict_state(&r, "matched");
  http_response_free(&r);
  /* the volunteer sees it but may not change it */
  request_patch(&r, v.tokens.access, seen, etag4, json_pack("{s:s}", "description", "Iets anders"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  free(etag4);
  free(seen);
  free(etag3);
  free(desk_id);
  free(etag2);
  free(etag);
  free(id);
  person_free(&v);
  free(shopping);
  free(other);
  free(res);
  free(coord);
}
END_TEST

START_TEST(done_dates_keep_their_time) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_LISTS, 1.0, false);
  s.days = 0xfe; /* every day, all day: the first date was yesterday */
  s.from = "00:00";
  s.to = "23:59";
  volunteer_create(&v, coord, &s);

  /* the desk records a weekly errand that began yesterday; a volunteer takes it and did the first */
  struct window w;
  window_days_ago(&w, 1, 10, 11);
  char until[11];
  date_add(until, w.date, 14);
  json_t *body = request_body(shopping, &w, SITE_LISTS, false);
  json_object_set_new(body, "resident_id", json_string(fx.resident1.id));
  json_object_set_new(body, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", until));
  char *desk_id = request_create(coord, body, NULL);
  request_action_ok(coord, desk_id, "triage", NULL, "triaged");
  request_action_ok(coord, desk_id, "board", NULL, "triaged");
  char *seen = only_on_board(v.tokens.access);
  char path[200];
  request_path(path, sizeof path, seen, "/claim");
  struct http_response r;
  http_call(&r, "POST", path, v.tokens.access, json_object());
  assert_status(&r, 200);
  char *first = strdup(occurrence_id(r.json, 0));
  ck_assert(first != NULL);
  http_response_free(&r);
  occurrence_complete(&r, v.tokens.access, seen, first, 1.0);
  assert_status(&r, 200);
  http_response_free(&r);

  /* the resident asks for someone else: back in triage, but the first date was done */
  json_t *own = list_all("/v1/me/help-requests", res, NULL);
  ck_assert_uint_eq(json_array_size(own), 1);
  char *id = strdup(jstr(json_array_get(own, 0), "id"));
  ck_assert(id != NULL);
  json_decref(own);
  request_action_ok(res, id, "ask-other", NULL, "triaged");
  char *etag;
  request_get_tagged(&r, res, id, &etag);
  ck_assert_str_eq(jstr(r.json, "occurrences.0.status"), "done");
  http_response_free(&r);
  struct window later;
  desk_window(&later, 4, 0, 14, 15); /* within the recurrence: only the done date stands in the way */
  request_patch(&r, res, id, etag,
                json_pack("{s:{s:s, s:s}}", "when", "starts_at", later.starts_at, "ends_at", later.ends_at));
  assert_conflict_state(&r, "triaged");
  http_response_free(&r);
  request_patch(&r, res, id, etag, json_pack("{s:n}", "recurrence"));
  assert_conflict_state(&r, "triaged");
  http_response_free(&r);
  /* what the helper is to do may still change; the done date stays as it was */
  request_patch(&r, res, id, etag, json_pack("{s:s}", "description", "Boodschappen, voortaan ook de apotheek"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "occurrences.0.id"), first);
  ck_assert_str_eq(jstr(r.json, "occurrences.0.status"), "done");
  ck_assert_int_eq(epoch_of(jstr(r.json, "occurrences.0.starts_at")), w.start);
  http_response_free(&r);

  free(etag);
  free(id);
  free(first);
  free(seen);
  free(desk_id);
  person_free(&v);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* ---------- the helper's name and phone, the resident's phone ---------- */

START_TEST(helper_and_resident_phone_once_confirmed) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_VISIBILITY, 1.0, false);
  volunteer_create(&v, coord, &s);

  /* each sets their own name and phone */
  struct http_response r;
  me_patch_ok(&r, res, json_pack("{s:s}", "phone", "06 11112222"));
  http_response_free(&r);
  me_patch_ok(&r, v.tokens.access, json_pack("{s:s, s:s}", "display_name", "Jan de Boer", "phone", "020-1234567"));
  http_response_free(&r);

  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  json_t *mine = NULL;
  char *id = request_create(res, request_body(shopping, &w, SITE_VISIBILITY, false), &mine);
  ck_assert_msg(json_is_null(json_object_get(mine, "helper")), "a helper before any match: %s", json_dumps(mine, 0));
  char *desk_id = desk_finds(coord, jstr(mine, "description"));
  json_decref(mine);
  request_action_ok(coord, desk_id, "triage", NULL, "triaged");
  request_action_ok(coord, desk_id, "board", NULL, "triaged");

  /* the volunteer claims it: the resident's phone as she set it */
  char *seen = only_on_board(v.tokens.access);
  char path[200];
  request_path(path, sizeof path, seen, "/claim");
  http_call(&r, "POST", path, v.tokens.access, json_object());
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "resident_phone"), "+31611112222");
  ck_assert(json_is_null(json_object_get(r.json, "helper")));
  http_response_free(&r);

  /* matched but not confirmed: the resident sees who, not yet the phone */
  request_get(&r, res, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  ck_assert_msg(json_is_null(json_object_get(r.json, "helper")), "helper before confirming: %s", r.body);
  http_response_free(&r);

  request_action_ok(res, id, "confirm", NULL, "matched");
  request_get(&r, res, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "helper.first_name"), "Jan");
  ck_assert_str_eq(jstr(r.json, "helper.phone"), "+31201234567");
  http_response_free(&r);
  json_t *own = list_all("/v1/me/help-requests", res, NULL);
  json_t *item = find_item(own, "id", id);
  ck_assert_msg(item != NULL, "not among the resident's requests");
  ck_assert_str_eq(jstr(item, "helper.first_name"), "Jan");
  ck_assert_str_eq(jstr(item, "helper.phone"), "+31201234567");
  json_decref(own);

  /* nobody else gets the helper object */
  request_get(&r, v.tokens.access, seen);
  assert_status(&r, 200);
  ck_assert(json_is_null(json_object_get(r.json, "helper")));
  ck_assert_str_eq(jstr(r.json, "resident_phone"), "+31611112222");
  http_response_free(&r);
  request_get(&r, coord, desk_id);
  assert_status(&r, 200);
  ck_assert(json_is_null(json_object_get(r.json, "helper")));
  http_response_free(&r);

  free(seen);
  free(desk_id);
  free(id);
  person_free(&v);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* ---------- recurrence in local time ---------- */

START_TEST(weekly_visit_keeps_local_time_over_clock_change) {
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  /* Tuesdays 10:00-11:00 in Amsterdam around the last Sunday of October 2027 (the 31st): 08:00Z
   * in summer time, 09:00Z in winter time. */
  struct window w = {.starts_at = "2027-10-26T08:00:00Z", .ends_at = "2027-10-26T09:00:00Z", .date = "2027-10-26"};
  json_t *body = request_body(shopping, &w, SITE_RECURRING, false);
  json_object_set_new(body, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", "2027-11-09"));
  json_t *doc = NULL;
  char *id = request_create(res, body, &doc);
  json_t *occurrences = json_object_get(doc, "occurrences");
  ck_assert_uint_eq(json_array_size(occurrences), 3);
  static const char *const starts[] = {"2027-10-26T08:00:00Z", "2027-11-02T09:00:00Z", "2027-11-09T09:00:00Z"};
  for (size_t i = 0; i < 3; i++) {
    json_t *o = json_array_get(occurrences, i);
    int weekday, hour, minute;
    local_parts(jstr(o, "starts_at"), &weekday, &hour, &minute);
    ck_assert_msg(weekday == 2 && hour == 10 && minute == 0, "occurrence %zu starts at %s", i, jstr(o, "starts_at"));
    local_parts(jstr(o, "ends_at"), &weekday, &hour, &minute);
    ck_assert_msg(hour == 11 && minute == 0, "occurrence %zu ends at %s", i, jstr(o, "ends_at"));
    ck_assert_int_eq(epoch_of(jstr(o, "starts_at")), epoch_of(starts[i]));
  }
  json_decref(doc);
  free(id);
  free(shopping);
  free(res);
}
END_TEST

/* ---------- feedback history ---------- */

START_TEST(feedback_keeps_every_entry) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_QUEUE, 1.0, false);
  s.days = 0xfe; /* every day, all day: the help was yesterday */
  s.from = "00:00";
  s.to = "23:59";
  volunteer_create(&v, coord, &s);

  /* the desk records yesterday's errand for resident1; a volunteer takes it and completes it */
  struct window w;
  window_days_ago(&w, 1, 10, 11);
  json_t *body = request_body(shopping, &w, SITE_QUEUE, false);
  json_object_set_new(body, "resident_id", json_string(fx.resident1.id));
  char *desk_id = request_create(coord, body, NULL);
  request_action_ok(coord, desk_id, "triage", NULL, "triaged");
  request_action_ok(coord, desk_id, "board", NULL, "triaged");
  char *seen = only_on_board(v.tokens.access);
  char path[300];
  request_path(path, sizeof path, seen, "/claim");
  struct http_response r;
  http_call(&r, "POST", path, v.tokens.access, json_object());
  assert_status(&r, 200);
  char *occ = strdup(occurrence_id(r.json, 0));
  ck_assert(occ != NULL);
  http_response_free(&r);
  occurrence_complete(&r, v.tokens.access, seen, occ, 1.0);
  assert_status(&r, 200);
  http_response_free(&r);
  free(occ);

  /* the resident finds it among her own, and gives feedback twice */
  char *me = me_id(res);
  json_t *own = list_all("/v1/me/help-requests", res, NULL);
  ck_assert_uint_eq(json_array_size(own), 1);
  char *id = strdup(jstr(json_array_get(own, 0), "id"));
  char *my_occ = strdup(jstr(json_array_get(own, 0), "occurrences.0.id"));
  ck_assert(id != NULL && my_occ != NULL);
  json_decref(own);
  char suffix[160];
  snprintf(suffix, sizeof suffix, "/occurrences/%s/feedback", my_occ);
  request_path(path, sizeof path, id, suffix);
  http_call(&r, "POST", path, res, json_pack("{s:b, s:s}", "positive", 1, "text", "Fijn geholpen"));
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "feedback_history")), 1);
  http_response_free(&r);
  http_call(&r, "POST", path, res, json_pack("{s:b, s:s}", "positive", 0, "text", "Achteraf: boodschap vergeten"));
  assert_status(&r, 200);
  json_t *history = json_object_get(r.json, "feedback_history");
  ck_assert_uint_eq(json_array_size(history), 2);
  ck_assert_str_eq(jstr(json_array_get(history, 0), "text"), "Achteraf: boodschap vergeten");
  ck_assert(json_is_false(json_object_get(json_array_get(history, 0), "positive")));
  ck_assert_str_eq(jstr(json_array_get(history, 1), "text"), "Fijn geholpen");
  ck_assert_str_eq(jstr(json_array_get(history, 1), "author_id"), me);
  ck_assert_str_eq(jstr(r.json, "feedback.text"), "Achteraf: boodschap vergeten");
  http_response_free(&r);

  /* where feedback is read: the request, latest first */
  request_get(&r, res, id);
  assert_status(&r, 200);
  history = jpath(r.json, "occurrences.0.feedback_history");
  ck_assert_uint_eq(json_array_size(history), 2);
  ck_assert_str_eq(jstr(json_array_get(history, 0), "text"), "Achteraf: boodschap vergeten");
  ck_assert_str_eq(jstr(json_array_get(history, 1), "text"), "Fijn geholpen");
  http_response_free(&r);

  free(my_occ);
  free(id);
  free(me);
  free(seen);
  free(desk_id);
  person_free(&v);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

Suite *profile_suite(void) {
  Suite *s = suite_create("profile");
  TCase *tc = desk_tcase("me");
  tcase_add_test(tc, me_profile_changes_with_if_match);
  tcase_add_test(tc, me_phone_as_people_type_it);
  tcase_add_test(tc, register_takes_phone_and_language);
  suite_add_tcase(s, tc);
  tc = desk_tcase("requests");
  tcase_add_test(tc, resident_edits_request_until_matched);
  tcase_add_test(tc, done_dates_keep_their_time);
  tcase_add_test(tc, helper_and_resident_phone_once_confirmed);
  tcase_add_test(tc, weekly_visit_keeps_local_time_over_clock_change);
  tcase_add_test(tc, feedback_keeps_every_entry);
  suite_add_tcase(s, tc);
  return s;
}
