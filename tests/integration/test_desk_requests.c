/* Desk: help requests entered by residents and at the desk, validation, policy refusals with
 * referral, the state machine from submitted to done, and every illegal step answering 409. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

/* The test's own help requests collection (fx.anna) into buf. */
static char *requests_path(char *buf, size_t len) { return community_path(buf, len, &fx.anna, "/help-requests"); }

static void post_request(struct http_response *r, const char *tok, json_t *body) {
  char path[160];
  http_call(r, "POST", requests_path(path, sizeof path), tok, body);
}

/* Shape and content shared by every freshly created one-off request. */
static void assert_new_request(json_t *j, const char *category, const struct window *w, const char *resident,
                               const char *entered_by) {
  ck_assert_msg(jstr(j, "id") != NULL, "id");
  ck_assert_str_eq(jstr(j, "community_id"), fx.anna.id);
  ck_assert_str_eq(jstr(j, "category_id"), category);
  ck_assert_str_eq(jstr(j, "resident_id"), resident);
  ck_assert_str_eq(jstr(j, "entered_by"), entered_by);
  ck_assert_msg(jstr(j, "resident_name") != NULL, "resident_name");
  ck_assert_str_eq(jstr(j, "status"), "submitted");
  ck_assert_str_eq(jstr(j, "urgency"), "normal");
  ck_assert_int_eq(epoch_of(jstr(j, "when.starts_at")), (int64_t)w->start);
  ck_assert_int_eq(epoch_of(jstr(j, "when.ends_at")), (int64_t)w->end);
  ck_assert(json_is_null(jpath(j, "when.needed_by")));
  ck_assert(json_is_null(json_object_get(j, "recurrence")));
  ck_assert(json_is_false(json_object_get(j, "on_board")));
  ck_assert(json_is_false(json_object_get(j, "resident_confirmed")));
  ck_assert(json_is_null(json_object_get(j, "matched_volunteer_id")));
  ck_assert(json_is_null(json_object_get(j, "referral")));
  ck_assert_msg(jstr(j, "place.address") != NULL, "the resident's own view shows the place");
  epoch_of(jstr(j, "created_at"));
  epoch_of(jstr(j, "updated_at"));
  json_t *occ = json_object_get(j, "occurrences");
  ck_assert_uint_eq(json_array_size(occ), 1);
  ck_assert_str_eq(jstr(occ, "0.status"), "open");
  ck_assert(json_is_null(jpath(occ, "0.volunteer_id")));
  ck_assert_int_eq(epoch_of(jstr(occ, "0.starts_at")), (int64_t)w->start);
  json_t *tr = json_object_get(j, "transitions");
  ck_assert_uint_eq(json_array_size(tr), 1);
  ck_assert(json_is_null(jpath(tr, "0.from")));
  ck_assert_str_eq(jstr(tr, "0.to"), "submitted");
  ck_assert_str_eq(jstr(tr, "0.actor_id"), entered_by);
}

START_TEST(request_by_resident_for_themselves) {
  char requests[160];
  requests_path(requests, sizeof requests);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  struct window w;
  desk_window(&w, 1, 0, 10, 12);
  json_t *j = NULL;
  char *id = request_create(res, request_body(shopping, &w, SITE_HOME, false), &j);
  assert_new_request(j, shopping, &w, fx.resident1.id, fx.resident1.id);
  ck_assert_str_eq(jstr(j, "resident_name"), "Inwoner Een");
  json_decref(j);

  struct http_response r;
  request_get(&r, res, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "id"), id);
  const char *etag = http_header(&r, "etag");
  ck_assert_msg(etag != NULL && etag[0] == '"', "no strong ETag");
  char inm[200];
  snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
  http_response_free(&r);
  char path[200];
  request_path(path, sizeof path, id, NULL);
  const char *const h[] = {inm, NULL};
  http_call_h(&r, "GET", path, res, NULL, h);
  assert_status(&r, 304);
  http_response_free(&r);

  /* another resident and another community do not see it */
  char *res2 = fixture_login(&fx.resident2);
  char *tot = fixture_login(&fx.tot_coordinator);
  request_get(&r, res2, id);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  request_get(&r, tot, id);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  json_t *mine = list_all(requests, res2, NULL);
  ck_assert(!list_has(mine, id));
  ck_assert_uint_eq(json_array_size(mine), 0);
  json_decref(mine);
  mine = list_all(requests, res, NULL);
  ck_assert(list_has(mine, id));
  ck_assert_uint_eq(json_array_size(mine), 1);
  size_t i;
  json_t *it;
  json_array_foreach(mine, i, it) ck_assert_str_eq(jstr(it, "resident_id"), fx.resident1.id);
  json_decref(mine);

  /* the coordinator finds it among the submitted ones */
  char *coord = fixture_login(&fx.coordinator);
  json_t *sub = list_all(requests, coord, "status=submitted");
  ck_assert(list_has(sub, id));
  ck_assert_uint_eq(json_array_size(sub), 1);
  json_array_foreach(sub, i, it) ck_assert_str_eq(jstr(it, "status"), "submitted");
  json_decref(sub);
  json_t *tri = list_all(requests, coord, "status=triaged");
  ck_assert(!list_has(tri, id));
  ck_assert_uint_eq(json_array_size(tri), 0);
  json_decref(tri);
  char waiting[200];
  snprintf(waiting, sizeof waiting, "%s?status=waiting", requests);
  http_get(&r, waiting, coord);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);

  free(coord);
  free(tot);
  free(res2);
  free(id);
  free(shopping);
  free(res);
}
END_TEST

START_TEST(request_entered_at_the_desk) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *transport = category_id(coord, "transport");
  struct window w;
  desk_window(&w, 2, 0, 9, 11);
  json_t *b = request_body(transport, &w, SITE_HOME, false);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  json_object_set_new(b, "urgency", json_string("high"));
  json_t *j = NULL;
  char *id = request_create(coord, b, &j);
  json_object_set_new(j, "urgency", json_string("normal"));
  assert_new_request(j, transport, &w, fx.resident1.id, fx.coordinator.id);
  json_decref(j);

  /* the resident sees the request entered for them */
  struct http_response r;
  request_get(&r, res, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "entered_by"), fx.coordinator.id);
  ck_assert_str_eq(jstr(r.json, "urgency"), "high");
  http_response_free(&r);

  /* resident_id is required for the desk, and must be a resident of the community */
  post_request(&r, coord, request_body(transport, &w, SITE_HOME, false));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "resident_id", NULL), "%s", r.body);
  http_response_free(&r);
  const char *not_residents[] = {fx.volunteer1.id, "00000000-0000-4000-8000-0000000beef1"};
  for (size_t k = 0; k < 2; k++) {
    b = request_body(transport, &w, SITE_HOME, false);
    json_object_set_new(b, "resident_id", json_string(not_residents[k]));
    post_request(&r, coord, b);
    assert_problem(&r, 400, "validation");
    ck_assert_msg(problem_has_error(&r, "resident_id", NULL), "%s", r.body);
    http_response_free(&r);
  }
  /* a volunteer cannot enter requests */
  char *vol = fixture_login(&fx.volunteer1);
  b = request_body(transport, &w, SITE_HOME, false);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  post_request(&r, vol, b);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  free(vol);
  free(id);
  free(transport);
  free(res);
  free(coord);
}
END_TEST

START_TEST(request_validation) {
  char requests[160];
  requests_path(requests, sizeof requests);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  struct window w, longw;
  desk_window(&w, 3, 0, 10, 12);
  desk_window(&longw, 3, 0, 6, 19); /* 13 hours */
  struct http_response r;
  json_t *b;

  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(json_object_get(b, "when"), "needed_by", json_string(w.ends_at));
  post_request(&r, res, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "when"), "both forms: %s", r.body);
  http_response_free(&r);

  b = request_body(shopping, &longw, SITE_HOME, false);
  post_request(&r, res, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "when"), "13 h window: %s", r.body);
  http_response_free(&r);

  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "when", json_pack("{s:s, s:s}", "starts_at", w.ends_at, "ends_at", w.starts_at));
  post_request(&r, res, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "when"), "ends before start: %s", r.body);
  http_response_free(&r);

  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "description", json_string(""));
  post_request(&r, res, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "description", NULL), "%s", r.body);
  http_response_free(&r);

  b = request_body("00000000-0000-4000-8000-0000000dead2", &w, SITE_HOME, false);
  post_request(&r, res, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "category_id", NULL), "%s", r.body);
  http_response_free(&r);

  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "urgency", json_string("urgent"));
  post_request(&r, res, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "urgency", NULL), "%s", r.body);
  http_response_free(&r);

  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "colour", json_string("blue"));
  post_request(&r, res, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "colour", "unknown_field"), "%s", r.body);
  http_response_free(&r);

  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(json_object_get(b, "place"), "lat", json_real(91.0));
  post_request(&r, res, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "place"), "%s", r.body);
  http_response_free(&r);

  /* none of them was stored */
  json_t *mine = list_all(requests, res, NULL);
  size_t i;
  json_t *it;
  json_array_foreach(mine, i, it)
      ck_assert_msg(epoch_of(jstr(it, "when.starts_at") ? jstr(it, "when.starts_at") : jstr(it, "when.needed_by")) !=
                        (int64_t)longw.start,
                    "a refused request was stored");
  json_decref(mine);
  free(shopping);
  free(res);
}
END_TEST

START_TEST(request_idempotent_create) {
  char requests[160];
  requests_path(requests, sizeof requests);
  char *res = fixture_login(&fx.resident1);
  char *meals = category_id(res, "meals");
  struct window w;
  desk_window(&w, 4, 0, 11, 13);
  char key[100];
  snprintf(key, sizeof key, "Idempotency-Key: desk-%ld-%ld", (long)getpid(), (long)time(NULL));
  const char *const h[] = {key, NULL};
  struct http_response a, b;
  http_call_h(&a, "POST", requests, res, request_body(meals, &w, SITE_HOME, false), h);
  assert_status(&a, 201);
  http_call_h(&b, "POST", requests, res, request_body(meals, &w, SITE_HOME, false), h);
  assert_status(&b, 201);
  const char *rep = http_header(&b, "idempotent-replayed");
  ck_assert_msg(rep && strcmp(rep, "true") == 0, "Idempotent-Replayed: %s", rep ? rep : "-");
  ck_assert_str_eq(jstr(a.json, "id"), jstr(b.json, "id"));
  ck_assert_msg(json_equal(a.json, b.json), "replay differs");
  http_response_free(&b);
  json_t *other = request_body(meals, &w, SITE_HOME, false);
  json_object_set_new(other, "description", json_string("Iets anders"));
  http_call_h(&b, "POST", requests, res, other, h);
  assert_problem(&b, 422, "idempotency-key-reused");
  http_response_free(&b);
  json_t *mine = list_all(requests, res, NULL);
  size_t n = 0, i;
  json_t *it;
  json_array_foreach(mine, i, it) n += jstr(it, "when.starts_at") && epoch_of(jstr(it, "when.starts_at")) == w.start &&
                                       strcmp(jstr(it, "category_id"), meals) == 0;
  ck_assert_uint_eq(n, 1);
  json_decref(mine);
  http_response_free(&a);
  free(meals);
  free(res);
}
END_TEST

static json_t *weekly(json_t *body, const struct window *w, int days) {
  char until[11];
  date_add(until, w->date, days);
  json_object_set_new(body, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", until));
  return body;
}

START_TEST(policy_refused_then_referred) {
  char *res = fixture_login(&fx.resident1);
  char *coord = fixture_login(&fx.coordinator);
  char *garden = category_id(res, "garden");
  struct window w;
  desk_window(&w, 1, 0, 13, 15);
  struct http_response r;

  post_request(&r, res, weekly(request_body(garden, &w, SITE_HOME, false), &w, 28));
  assert_problem(&r, 422, "policy-refused");
  ck_assert_str_eq(jstr(r.json, "rule.code"), "not_recurring");
  ck_assert_msg(jstr(r.json, "rule.message") != NULL, "%s", r.body);
  ck_assert_str_eq(jstr(r.json, "referral.name"), "Hoveniersbedrijf in de buurt");
  http_response_free(&r);

  /* a resident may not record the referral themselves */
  json_t *b = weekly(request_body(garden, &w, SITE_HOME, false), &w, 28);
  json_object_set_new(b, "record_referral", json_true());
  post_request(&r, res, b);
  ck_assert_msg(r.status == 403 || r.status == 400, "resident record_referral: %ld %s", r.status, r.body);
  http_response_free(&r);

  /* the desk gets the same refusal, then records the referral */
  b = weekly(request_body(garden, &w, SITE_HOME, false), &w, 28);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  post_request(&r, coord, json_deep_copy(b));
  assert_problem(&r, 422, "policy-refused");
  ck_assert_str_eq(jstr(r.json, "rule.code"), "not_recurring");
  http_response_free(&r);
  /* a track means nothing without the referral it counts */
  json_t *tracked = json_deep_copy(b);
  json_object_set_new(tracked, "track", json_string("business"));
  post_request(&r, coord, tracked);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "record_referral", "required"));
  http_response_free(&r);
  json_object_set_new(b, "record_referral", json_true());
  json_object_set_new(b, "track", json_string("business")); /* the target is a paid firm */
  json_t *j = NULL;
  char *id = request_create(coord, b, &j);
  ck_assert_str_eq(jstr(j, "status"), "referred");
  ck_assert_str_eq(jstr(j, "referral.name"), "Hoveniersbedrijf in de buurt");
  ck_assert_str_eq(jstr(j, "resident_id"), fx.resident1.id);
  ck_assert_str_eq(jstr(j, "entered_by"), fx.coordinator.id);
  ck_assert_str_eq(jstr(j, "track"), "business");
  json_t *tr = json_object_get(j, "transitions");
  json_t *last = json_array_get(tr, json_array_size(tr) - 1);
  ck_assert_str_eq(jstr(last, "to"), "referred");
  ck_assert_str_eq(jstr(last, "track"), "business");
  json_decref(j);
  /* ... and a referral record to follow up, as after the refer action */
  char referrals[300];
  request_path(referrals, sizeof referrals, id, "/referrals");
  http_get(&r, referrals, coord);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 1);
  json_t *rec = json_array_get(json_object_get(r.json, "items"), 0);
  ck_assert_str_eq(jstr(rec, "receiver.name"), "Hoveniersbedrijf in de buurt");
  ck_assert_str_eq(jstr(rec, "outcome"), "sent");
  http_response_free(&r);
  /* referred is final */
  struct http_response x;
  request_action(&x, coord, id, "triage", NULL);
  assert_conflict_state(&x, "referred");
  http_response_free(&x);
  request_action(&x, res, id, "cancel", NULL);
  assert_conflict_state(&x, "referred");
  http_response_free(&x);

  /* record_referral on a request the policy allows is not a referral */
  char *shopping = category_id(res, "shopping");
  b = request_body(shopping, &w, SITE_HOME, false);
  json_object_set_new(b, "resident_id", json_string(fx.resident1.id));
  json_object_set_new(b, "record_referral", json_true());
  post_request(&r, coord, b);
  ck_assert_msg(r.status != 201 || strcmp(jstr(r.json, "status"), "referred") != 0,
                "an allowed request was referred: %s", r.body);
  http_response_free(&r);

  /* the other rules, where the categories (as the demo's) have such limits */
  json_t *cats = categories_all(res, fx.anna.path);
  size_t i;
  json_t *c;
  json_array_foreach(cats, i, c) {
    json_t *maxd = json_object_get(c, "max_duration_minutes");
    if (json_is_integer(maxd) && json_integer_value(maxd) < 12 * 60) {
      struct window lw;
      int hours = (int)(json_integer_value(maxd) / 60) + 1;
      desk_window(&lw, 2, 0, 9, 9 + hours);
      post_request(&r, res, request_body(jstr(c, "id"), &lw, SITE_HOME, false));
      assert_problem(&r, 422, "policy-refused");
      ck_assert_str_eq(jstr(r.json, "rule.code"), "too_long");
      http_response_free(&r);
    }
    json_t *maxm = json_object_get(c, "max_per_month");
    if (json_is_true(json_object_get(c, "may_recur")) && json_is_integer(maxm) &&
        (double)json_integer_value(maxm) < 4.3) { /* weekly is about 4.3 a month */
      post_request(&r, res, weekly(request_body(jstr(c, "id"), &w, SITE_HOME, false), &w, 28));
      assert_problem(&r, 422, "policy-refused");
      ck_assert_str_eq(jstr(r.json, "rule.code"), "too_frequent");
      http_response_free(&r);
    }
  }
  json_decref(cats);
  free(shopping);
  free(id);
  free(garden);
  free(coord);
  free(res);
}
END_TEST

/* `to` values of the transitions, in order, must contain want[] as a subsequence. */
static void assert_transitions(json_t *request, const char *const *want) {
  json_t *tr = json_object_get(request, "transitions");
  size_t k = 0, i;
  json_t *t;
  int64_t prev = 0;
  json_array_foreach(tr, i, t) {
    int64_t at = epoch_of(jstr(t, "at"));
    ck_assert_msg(at >= prev, "transitions out of order");
    prev = at;
    ck_assert(jstr(t, "action") != NULL && jstr(t, "actor_id") != NULL);
    if (want[k] != NULL && strcmp(jstr(t, "to"), want[k]) == 0) k++;
  }
  ck_assert_msg(want[k] == NULL, "transition to %s missing", want[k]);
}

START_TEST(state_machine_full_flow) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *vol2 = fixture_login(&fx.volunteer2);
  /* a skill of volunteer1 that is not in-home */
  struct http_response r;
  char profile[200];
  snprintf(profile, sizeof profile, "%s/volunteers/%s", fx.anna.path, fx.volunteer1.id);
  http_get(&r, profile, vol1);
  assert_status(&r, 200);
  json_t *cats = categories_all(res, fx.anna.path);
  char *cat = NULL;
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(r.json, "skills"), i, s) {
    json_t *c = find_item(cats, "id", json_string_value(s));
    if (c && json_is_false(json_object_get(c, "in_home")) && cat == NULL) cat = strdup(json_string_value(s));
  }
  http_response_free(&r);
  json_decref(cats);
  ck_assert_msg(cat != NULL, "volunteer1 has no out-of-home skill");

  struct window w;
  desk_window(&w, 1, 3, 10, 11);
  char *id = request_create(res, request_body(cat, &w, SITE_HOME, false), NULL);

  request_action(&r, res, id, "confirm", NULL);
  assert_conflict_state(&r, "submitted");
  http_response_free(&r);
  request_action(&r, coord, id, "offer", json_pack("{s:[s]}", "volunteer_ids", fx.volunteer1.id));
  assert_conflict_state(&r, "submitted");
  http_response_free(&r);
  request_action(&r, coord, id, "board", NULL);
  assert_conflict_state(&r, "submitted");
  http_response_free(&r);
  /* only the coordinator triages */
  request_action(&r, res, id, "triage", NULL);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  json_t *triage = triage_body(NULL);
  json_object_set_new(triage, "note", json_string("Past bij vrijwilliger"));
  request_action(&r, coord, id, "triage", triage);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  http_response_free(&r);
  /* a re-triage chooses a track again (issue 13): still triaged */
  request_action_ok(coord, id, "triage", NULL, "triaged");
  request_action(&r, coord, id, "reject", NULL);
  assert_conflict_state(&r, "triaged");
  http_response_free(&r);
  request_action(&r, res, id, "confirm", NULL);
  assert_conflict_state(&r, "triaged");
  http_response_free(&r);
  request_action(&r, res, id, "ask-other", NULL);
  assert_conflict_state(&r, "triaged");
  http_response_free(&r);

  json_t *sug = suggestions(coord, id, 50);
  ck_assert_msg(suggestion_index(sug, fx.volunteer1.id) >= 0, "volunteer1 not suggested");
  json_decref(sug);
  const char *ids[] = {fx.volunteer1.id, NULL};
  offer_to(coord, id, ids);
  char *oid = offer_id(coord, id, fx.volunteer1.id);
  offer_answer(&r, vol1, oid, "accept", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "accepted");
  ck_assert_str_eq(jstr(r.json, "request_id"), id);
  ck_assert_str_eq(jstr(r.json, "volunteer_id"), fx.volunteer1.id);
  epoch_of(jstr(r.json, "answered_at"));
  http_response_free(&r);

  request_get(&r, coord, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  ck_assert_str_eq(jstr(r.json, "matched_volunteer_id"), fx.volunteer1.id);
  ck_assert(json_is_false(json_object_get(r.json, "resident_confirmed")));
  ck_assert_str_eq(jstr(r.json, "occurrences.0.status"), "matched");
  ck_assert_str_eq(jstr(r.json, "occurrences.0.volunteer_id"), fx.volunteer1.id);
  char *occ = strdup(occurrence_id(r.json, 0));
  http_response_free(&r);

  request_action(&r, coord, id, "triage", NULL);
  assert_conflict_state(&r, "matched");
  http_response_free(&r);
  request_action(&r, coord, id, "refer", NULL);
  assert_conflict_state(&r, "matched");
  http_response_free(&r);
  request_action(&r, coord, id, "reject", NULL);
  assert_conflict_state(&r, "matched");
  http_response_free(&r);

  request_action(&r, res, id, "confirm", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  ck_assert(json_is_true(json_object_get(r.json, "resident_confirmed")));
  http_response_free(&r);

  /* only the matched volunteer completes, once the help was given */
  occurrence_begin(occ);
  occurrence_complete(&r, vol2, id, occ, 1);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  occurrence_complete(&r, coord, id, occ, 1);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  occurrence_complete(&r, res, id, occ, 1);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  occurrence_complete(&r, vol1, id, occ, 0.1);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "hours", NULL), "%s", r.body);
  http_response_free(&r);

  char path[300], suffix[120];
  snprintf(suffix, sizeof suffix, "/occurrences/%s/complete", occ);
  request_path(path, sizeof path, id, suffix);
  http_call(&r, "POST", path, vol1, json_pack("{s:f, s:s}", "hours", 1.5, "note", "Gezellig"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "id"), occ);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  ck_assert(json_number_value(json_object_get(r.json, "hours")) == 1.5);
  ck_assert_str_eq(jstr(r.json, "note"), "Gezellig");
  epoch_of(jstr(r.json, "completed_at"));
  http_response_free(&r);
  occurrence_complete(&r, vol1, id, occ, 1.5);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);

  request_get(&r, res, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  const char *want[] = {"submitted", "triaged", "offered", "matched", "done", NULL};
  assert_transitions(r.json, want);
  json_t *tr = json_object_get(r.json, "transitions");
  ck_assert_str_eq(jstr(tr, "1.actor_id"), fx.coordinator.id);
  ck_assert_str_eq(jstr(tr, "1.note"), "Past bij vrijwilliger");
  http_response_free(&r);

  /* feedback by the resident only */
  snprintf(suffix, sizeof suffix, "/occurrences/%s/feedback", occ);
  request_path(path, sizeof path, id, suffix);
  http_call(&r, "POST", path, vol1, json_pack("{s:b}", "positive", 1));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "POST", path, res, json_pack("{s:b, s:s}", "positive", 1, "text", "Heel fijn geholpen"));
  assert_status(&r, 200);
  ck_assert(json_is_true(jpath(r.json, "feedback.positive")));
  ck_assert_str_eq(jstr(r.json, "feedback.text"), "Heel fijn geholpen");
  epoch_of(jstr(r.json, "feedback.at"));
  http_response_free(&r);

  request_action(&r, res, id, "cancel", NULL);
  assert_conflict_state(&r, "done");
  http_response_free(&r);
  request_action(&r, coord, id, "offer", json_pack("{s:[s]}", "volunteer_ids", fx.volunteer2.id));
  assert_conflict_state(&r, "done");
  http_response_free(&r);

  free(oid);
  free(occ);
  free(id);
  free(cat);
  free(vol1);
  free(vol2);
  free(res);
  free(coord);
}
END_TEST

START_TEST(cancel_reject_refer) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *res2 = fixture_login(&fx.resident2);
  char *odd = category_id(res, "odd_jobs");
  struct window w;
  desk_window(&w, 5, 1, 14, 16);
  struct http_response r;

  /* cancelled by the resident */
  char *a = request_create(res, request_body(odd, &w, SITE_HOME, false), NULL);
  request_action(&r, res2, a, "cancel", NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  request_action(&r, res, a, "cancel", json_pack("{s:s}", "note", "Al geregeld"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "cancelled");
  json_t *tr = json_object_get(r.json, "transitions");
  json_t *last = json_array_get(tr, json_array_size(tr) - 1);
  ck_assert_str_eq(jstr(last, "from"), "submitted");
  ck_assert_str_eq(jstr(last, "to"), "cancelled");
  ck_assert_str_eq(jstr(last, "actor_id"), fx.resident1.id);
  ck_assert_str_eq(jstr(last, "note"), "Al geregeld");
  http_response_free(&r);
  request_action(&r, res, a, "cancel", NULL);
  assert_conflict_state(&r, "cancelled");
  http_response_free(&r);
  request_action(&r, coord, a, "triage", NULL);
  assert_conflict_state(&r, "cancelled");
  http_response_free(&r);

  /* cancelled by the coordinator once triaged */
  char *b = request_create(res, request_body(odd, &w, SITE_HOME, false), NULL);
  request_action_ok(coord, b, "triage", NULL, "triaged");
  request_action_ok(coord, b, "cancel", NULL, "cancelled");

  /* rejected, then nothing more */
  char *c = request_create(res, request_body(odd, &w, SITE_HOME, false), NULL);
  request_action(&r, res, c, "reject", NULL);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  request_action_ok(coord, c, "reject", json_pack("{s:s}", "note", "Geen vraag voor ons"), "rejected");
  request_action(&r, res, c, "cancel", NULL);
  assert_conflict_state(&r, "rejected");
  http_response_free(&r);

  /* referred with a target from the body */
  char *d = request_create(res, request_body(odd, &w, SITE_HOME, false), NULL);
  request_action_ok(coord, d, "triage", NULL, "triaged");
  request_action(&r, coord, d, "refer",
                 json_pack("{s:s, s:{s:s, s:s}}", "note", "Wijkteam neemt het op", "referral", "name",
                           "Wijkteam Sint Annaland", "contact", "0166-123456"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "referred");
  ck_assert_str_eq(jstr(r.json, "referral.name"), "Wijkteam Sint Annaland");
  ck_assert_str_eq(jstr(r.json, "referral.contact"), "0166-123456");
  ck_assert_str_eq(jstr(r.json, "referral.note"), "Wijkteam neemt het op");
  http_response_free(&r);
  request_action(&r, coord, d, "cancel", NULL);
  assert_conflict_state(&r, "referred");
  http_response_free(&r);

  /* referred to the category's target when the body names none */
  char *garden = category_id(res, "garden");
  char *e = request_create(res, request_body(garden, &w, SITE_HOME, false), NULL);
  request_action(&r, coord, e, "refer", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "referral.name"), "Hoveniersbedrijf in de buurt");
  http_response_free(&r);

  free(a);
  free(b);
  free(c);
  free(d);
  free(e);
  free(garden);
  free(odd);
  free(res2);
  free(res);
  free(coord);
}
END_TEST

Suite *desk_requests_suite(void) {
  Suite *s = suite_create("desk_requests");
  TCase *tc = desk_tcase("create");
  tcase_add_test(tc, request_by_resident_for_themselves);
  tcase_add_test(tc, request_entered_at_the_desk);
  tcase_add_test(tc, request_validation);
  tcase_add_test(tc, request_idempotent_create);
  tcase_add_test(tc, policy_refused_then_referred);
  suite_add_tcase(s, tc);
  tc = desk_tcase("states");
  tcase_add_test(tc, state_machine_full_flow);
  tcase_add_test(tc, cancel_reject_refer);
  suite_add_tcase(s, tc);
  return s;
}
