/* Desk: recurring requests produce their occurrences; each is completed by the matched
 * volunteer and gets the resident's feedback; the request is done when all are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

/* A category that may recur weekly (may_recur, no monthly cap below 5), preferring shopping. */
static bool may_recur_weekly(json_t *c) {
  json_t *maxm = json_object_get(c, "max_per_month");
  return json_is_true(json_object_get(c, "may_recur")) && (json_is_null(maxm) || json_integer_value(maxm) >= 5) &&
         json_is_false(json_object_get(c, "in_home"));
}

static char *recurring_category(const char *tok) {
  json_t *all = categories_all(tok, fx.anna.path);
  json_t *pick = find_item(all, "code", "shopping");
  if (pick == NULL || !may_recur_weekly(pick)) {
    size_t i;
    json_t *c;
    pick = NULL;
    json_array_foreach(all, i, c) if (pick == NULL && may_recur_weekly(c)) pick = c;
  }
  ck_assert_msg(pick != NULL, "no category may recur weekly");
  char *id = strdup(jstr(pick, "id"));
  json_decref(all);
  ck_assert(id != NULL);
  return id;
}

static void occurrence_post(struct http_response *r, const char *tok, const char *id, const char *occ, const char *what,
                            json_t *body) {
  char suffix[160], path[300];
  snprintf(suffix, sizeof suffix, "/occurrences/%s/%s", occ, what);
  request_path(path, sizeof path, id, suffix);
  http_call(r, "POST", path, tok, body);
}

START_TEST(recurring_weekly_occurrences) {
  char *coord = fixture_login(&fx.coordinator);
  char *cat = recurring_category(coord);
  struct person res, v, other;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(cat, SITE_RECURRING, 1.0, false);
  volunteer_create(&v, coord, &s);
  volunteer_create(&other, coord, &s);

  struct window w;
  desk_window(&w, 1, 0, 10, 12);
  char until[11];
  date_add(until, w.date, 27); /* four Mondays, whether `until` counts or not */
  json_t *b = request_body(cat, &w, SITE_RECURRING, false);
  json_object_set_new(b, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", until));
  json_t *j = NULL;
  char *id = request_create(res.tokens.access, b, &j);
  ck_assert_str_eq(jstr(j, "recurrence.frequency"), "weekly");
  ck_assert_str_eq(jstr(j, "recurrence.until"), until);
  json_t *occ = json_object_get(j, "occurrences");
  ck_assert_msg(json_array_size(occ) == 4, "%zu occurrences", json_array_size(occ));
  for (size_t i = 0; i < 4; i++) {
    json_t *o = json_array_get(occ, i);
    ck_assert_str_eq(jstr(o, "status"), "open");
    int wd, h, m;
    local_parts(jstr(o, "starts_at"), &wd, &h, &m);
    ck_assert_msg(wd == 1 && abs(h * 60 + m - 600) <= 60, "occurrence %zu starts %s (local day %d %02d:%02d)", i,
                  jstr(o, "starts_at"), wd, h, m);
    ck_assert_int_eq(epoch_of(jstr(o, "ends_at")) - epoch_of(jstr(o, "starts_at")), 7200);
    int64_t since_first = epoch_of(jstr(o, "starts_at")) - (int64_t)w.start;
    ck_assert_msg(llabs((long long)(since_first - (int64_t)i * 7 * 86400)) <= 3600,
                  "occurrence %zu is %lld s after the first", i, (long long)since_first);
    ck_assert(json_is_null(json_object_get(o, "needed_by")));
    ck_assert(json_is_null(json_object_get(o, "feedback")));
  }
  char *occ_ids[4];
  for (size_t i = 0; i < 4; i++) {
    occ_ids[i] = strdup(occurrence_id(j, i));
    ck_assert(occ_ids[i] != NULL);
  }
  json_decref(j);

  match_via_offer(coord, id, &v);
  struct http_response r;
  request_get(&r, res.tokens.access, id);
  size_t i;
  json_t *o;
  json_array_foreach(json_object_get(r.json, "occurrences"), i, o) {
    ck_assert_str_eq(jstr(o, "status"), "matched");
    ck_assert_str_eq(jstr(o, "volunteer_id"), v.id);
  }
  http_response_free(&r);

  /* feedback needs a completed occurrence and the resident */
  occurrence_post(&r, other.tokens.access, id, occ_ids[0], "complete", json_pack("{s:f}", "hours", 2.0));
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  occurrence_post(&r, v.tokens.access, id, "00000000-0000-4000-8000-0000000dead3", "complete",
                  json_pack("{s:f}", "hours", 2.0));
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  occurrence_post(&r, v.tokens.access, id, occ_ids[0], "complete", json_pack("{s:f}", "hours", 25.0));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);

  for (size_t k = 0; k < 4; k++) {
    occurrence_begin(occ_ids[k]);
    occurrence_post(&r, v.tokens.access, id, occ_ids[k], "complete",
                    json_pack("{s:f, s:s}", "hours", k == 3 ? 0.25 : 2.0, "note", "Boodschappen gedaan"));
    assert_status(&r, 200);
    ck_assert_str_eq(jstr(r.json, "status"), "done");
    ck_assert_str_eq(jstr(r.json, "volunteer_id"), v.id);
    http_response_free(&r);
    request_get(&r, res.tokens.access, id);
    assert_status(&r, 200);
    ck_assert_str_eq(jstr(r.json, "status"), k < 3 ? "matched" : "done");
    size_t done = 0;
    json_array_foreach(json_object_get(r.json, "occurrences"), i, o) done += strcmp(jstr(o, "status"), "done") == 0;
    ck_assert_uint_eq(done, k + 1);
    http_response_free(&r);
  }

  occurrence_post(&r, res.tokens.access, id, occ_ids[1], "feedback",
                  json_pack("{s:b, s:s}", "positive", 0, "text", "Te laat gekomen"));
  assert_status(&r, 200);
  ck_assert(json_is_false(jpath(r.json, "feedback.positive")));
  ck_assert_str_eq(jstr(r.json, "feedback.text"), "Te laat gekomen");
  http_response_free(&r);
  occurrence_post(&r, res.tokens.access, id, occ_ids[2], "feedback", json_pack("{s:b}", "positive", 1));
  assert_status(&r, 200);
  ck_assert(json_is_true(jpath(r.json, "feedback.positive")));
  http_response_free(&r);
  char *res1 = fixture_login(&fx.resident1);
  occurrence_post(&r, res1, id, occ_ids[3], "feedback", json_pack("{s:b}", "positive", 1));
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  free(res1);
  char text[520];
  memset(text, 'x', 501);
  text[501] = '\0';
  occurrence_post(&r, res.tokens.access, id, occ_ids[3], "feedback",
                  json_pack("{s:b, s:s}", "positive", 1, "text", text));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);

  request_get(&r, coord, id);
  json_t *occs = json_object_get(r.json, "occurrences");
  ck_assert(json_number_value(jpath(occs, "3.hours")) == 0.25);
  ck_assert(json_is_false(jpath(occs, "1.feedback.positive")));
  ck_assert(json_is_null(jpath(occs, "3.feedback")));
  http_response_free(&r);

  for (size_t k = 0; k < 4; k++) free(occ_ids[k]);
  person_free(&v);
  person_free(&other);
  person_free(&res);
  free(id);
  free(cat);
  free(coord);
}
END_TEST

START_TEST(recurring_biweekly_and_cancel) {
  char *coord = fixture_login(&fx.coordinator);
  char *cat = recurring_category(coord);
  struct person res;
  person_create(&res, coord, fx.anna.id, "resident");
  struct window w;
  desk_window(&w, 4, 0, 14, 15);
  char until[11];
  date_add(until, w.date, 41); /* 0, 14 and 28 days in; 42 is past until */
  json_t *b = request_body(cat, &w, SITE_RECURRING, false);
  json_object_set_new(b, "recurrence", json_pack("{s:s, s:s}", "frequency", "biweekly", "until", until));
  json_t *j = NULL;
  char *id = request_create(res.tokens.access, b, &j);
  json_t *occ = json_object_get(j, "occurrences");
  ck_assert_uint_eq(json_array_size(occ), 3);
  for (size_t i = 0; i < 3; i++) {
    char key[32];
    snprintf(key, sizeof key, "%zu.starts_at", i);
    int64_t d = epoch_of(jstr(occ, key)) - (int64_t)w.start;
    ck_assert_msg(llabs((long long)(d - (int64_t)i * 14 * 86400)) <= 3600, "biweekly occurrence %zu at +%lld s", i,
                  (long long)d);
  }
  json_decref(j);

  /* until before the first window is refused */
  char before[11];
  date_add(before, w.date, -1);
  b = request_body(cat, &w, SITE_RECURRING, false);
  json_object_set_new(b, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", before));
  struct http_response r;
  char requests[160];
  community_path(requests, sizeof requests, &fx.anna, "/help-requests");
  http_call(&r, "POST", requests, res.tokens.access, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "recurrence"), "%s", r.body);
  http_response_free(&r);

  /* cancelling the request cancels what is left of it */
  request_action(&r, res.tokens.access, id, "cancel", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "cancelled");
  size_t i;
  json_t *o;
  json_array_foreach(json_object_get(r.json, "occurrences"), i, o) ck_assert_str_eq(jstr(o, "status"), "cancelled");
  http_response_free(&r);

  person_free(&res);
  free(id);
  free(cat);
  free(coord);
}
END_TEST

Suite *desk_occurrences_suite(void) {
  Suite *s = suite_create("desk_occurrences");
  TCase *tc = desk_tcase("occurrences");
  tcase_add_test(tc, recurring_weekly_occurrences);
  tcase_add_test(tc, recurring_biweekly_and_cancel);
  suite_add_tcase(s, tc);
  return s;
}
