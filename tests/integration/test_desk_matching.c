/* Desk: ranked suggestions (hard filters, ties, preference, distance, load spreading), offers
 * (first accept wins, decline, blocked helpers) and asking for someone else. Each test puts its
 * request and volunteers at its own site, so the volunteers of other tests are out of reach. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

static double num(json_t *j, const char *path) {
  json_t *v = jpath(j, path);
  ck_assert_msg(json_is_number(v), "%s is not a number", path);
  return json_number_value(v);
}

static json_t *suggestion_of(json_t *items, const char *volunteer_id) {
  int i = suggestion_index(items, volunteer_id);
  return i < 0 ? NULL : json_array_get(items, (size_t)i);
}

enum filter_case {
  F_OK,
  F_PAUSED,
  F_NOSKILL,
  F_NOCERT,
  F_OLDCERT,
  F_BLOCKED,
  F_NOAVAIL,
  F_HOLIDAY,
  F_NOCOC,
  F_FAR,
  F_OVERCAP,
  F_COUNT
};
static const char *const filter_names[F_COUNT] = {"eligible",
                                                  "paused",
                                                  "without the skill",
                                                  "without certificate",
                                                  "with an expired certificate",
                                                  "blocked by the resident",
                                                  "not available on Mondays",
                                                  "on holiday that day",
                                                  "without code of conduct",
                                                  "living too far",
                                                  "over capacity"};

START_TEST(suggestions_hard_filters) {
  char helpers[160], board_path[160];
  community_path(helpers, sizeof helpers, &fx.anna, "/helpers");
  community_path(board_path, sizeof board_path, &fx.anna, "/board");
  char *coord = fixture_login(&fx.coordinator);
  char *visit = category_id(coord, "visit");
  char *shopping = category_id(coord, "shopping");
  char *odd = category_id(coord, "odd_jobs");
  struct person res;
  person_create(&res, coord, fx.anna.id, "resident");
  struct window w;
  desk_window(&w, 1, 1, 10, 12);

  struct person v[F_COUNT];
  for (int k = 0; k < F_COUNT; k++) {
    struct vol_spec s = vol_default(visit, SITE_FILTERS, 1.0, true);
    s.skills[1] = shopping;
    switch (k) {
      case F_PAUSED:
        s.paused = true;
        break;
      case F_NOSKILL:
        s.skills[0] = odd;
        s.skills[1] = NULL;
        break;
      case F_NOCERT:
        s.certificate = false;
        break;
      case F_OLDCERT:
        s.certificate = false;
        break;
      case F_NOAVAIL:
        s.days = 0x3c;
        break; /* Tuesday-Friday */
      case F_HOLIDAY:
        s.unavailable_from = s.unavailable_to = w.date;
        break;
      case F_NOCOC:
        s.no_code_of_conduct = true;
        break;
      case F_FAR:
        site_north(SITE_FILTERS, 25, &s.lat, &s.lon);
        break;
      case F_OVERCAP:
        s.capacity = 1;
        break;
      default:
        break;
    }
    volunteer_create(&v[k], coord, &s);
  }
  char old[11], path[200];
  date_add(old, NULL, -1200);
  snprintf(path, sizeof path, "%s/volunteers/%s/certificate", fx.anna.path, v[F_OLDCERT].id);
  struct http_response r;
  http_call(&r, "POST", path, coord, json_pack("{s:s}", "issued_on", old));
  assert_status(&r, 200);
  http_response_free(&r);

  /* the resident blocks one of them */
  http_get(&r, helpers, res.tokens.access);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "preferred")), 0);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "blocked")), 0);
  http_response_free(&r);
  helpers_put(res.tokens.access, json_array(), json_pack("[s]", v[F_BLOCKED].id));
  http_get(&r, helpers, res.tokens.access);
  assert_status(&r, 200);
  ck_assert(jarray_has_string(json_object_get(r.json, "blocked"), v[F_BLOCKED].id));
  http_response_free(&r);

  /* in-home request: only the eligible one */
  json_t *b = request_body(visit, &w, SITE_FILTERS, true);
  json_object_set_new(b, "description", json_string("Koffie drinken en een praatje"));
  char *id = request_create(res.tokens.access, b, NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  json_t *items = suggestions(coord, id, 50);
  json_t *ok = suggestion_of(items, v[F_OK].id);
  ck_assert_msg(ok != NULL, "the eligible volunteer is not suggested");
  ck_assert_msg(num(ok, "distance_km") > 0.9 && num(ok, "distance_km") < 1.1,
                "distance_km %f for a volunteer 1 km away", num(ok, "distance_km"));
  ck_assert_str_eq(jstr(ok, "display_name"), "Test Persoon");
  for (int k = 1; k < F_COUNT; k++)
    ck_assert_msg(suggestion_index(items, v[k].id) < 0, "volunteer %s was suggested", filter_names[k]);
  ck_assert_uint_eq(json_array_size(items), 1);
  json_decref(items);

  /* offering someone who fails a filter: 409 naming them, nothing offered */
  const int refused[] = {F_BLOCKED, F_NOCERT, F_PAUSED};
  for (size_t k = 0; k < 3; k++) {
    request_action(&r, coord, id, "offer", json_pack("{s:[s, s]}", "volunteer_ids", v[F_OK].id, v[refused[k]].id));
    assert_problem(&r, 409, "conflict");
    json_t *errs = json_object_get(r.json, "errors");
    ck_assert_msg(json_array_size(errs) >= 1, "no errors[]: %s", r.body);
    ck_assert_msg(strstr(r.body, v[refused[k]].id) != NULL, "volunteer %s not named: %s", filter_names[refused[k]],
                  r.body);
    http_response_free(&r);
  }
  request_path(path, sizeof path, id, "/offers");
  http_get(&r, path, coord);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 0);
  http_response_free(&r);
  const char *ids[] = {v[F_OK].id, NULL};
  offer_to(coord, id, ids);

  /* not in the home: the certificate does not matter */
  desk_window(&w, 1, 1, 13, 15);
  char *id2 = request_create(res.tokens.access, request_body(shopping, &w, SITE_FILTERS, false), NULL);
  request_action_ok(coord, id2, "triage", NULL, "triaged");
  items = suggestions(coord, id2, 50);
  ck_assert(suggestion_index(items, v[F_OK].id) >= 0);
  ck_assert_msg(suggestion_index(items, v[F_NOCERT].id) >= 0, "certificate required out of home");
  ck_assert_msg(suggestion_index(items, v[F_OLDCERT].id) >= 0, "certificate required out of home");
  ck_assert(suggestion_index(items, v[F_BLOCKED].id) < 0);
  ck_assert(suggestion_index(items, v[F_PAUSED].id) < 0);
  ck_assert(suggestion_index(items, v[F_NOAVAIL].id) < 0);
  ck_assert(suggestion_index(items, v[F_NOSKILL].id) < 0);
  ck_assert_uint_eq(json_array_size(items), 3);
  json_decref(items);

  for (int k = 0; k < F_COUNT; k++) person_free(&v[k]);
  person_free(&res);
  free(id);
  free(id2);
  free(visit);
  free(shopping);
  free(odd);
  free(coord);
}
END_TEST

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

START_TEST(suggestions_ranked_ties_by_id) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, trio[3], near, far;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_TIES, 1.0, false);
  for (int k = 0; k < 3; k++) volunteer_create(&trio[k], coord, &s);
  s = vol_default(shopping, SITE_TIES, 0.2, false);
  volunteer_create(&near, coord, &s);
  s = vol_default(shopping, SITE_TIES, 6.0, false);
  volunteer_create(&far, coord, &s);

  struct window w;
  desk_window(&w, 3, 1, 10, 12);
  char *id = request_create(res.tokens.access, request_body(shopping, &w, SITE_TIES, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  json_t *items = suggestions(coord, id, 50);
  ck_assert_uint_eq(json_array_size(items), 5);
  ck_assert_str_eq(jstr(items, "0.volunteer_id"), near.id);
  ck_assert_str_eq(jstr(items, "4.volunteer_id"), far.id);
  ck_assert_msg(num(items, "0.score") > num(items, "1.score"), "nearer is not better");
  ck_assert_msg(num(items, "3.score") > num(items, "4.score"), "farther is not worse");
  ck_assert(num(items, "0.factors.distance") > num(items, "1.factors.distance"));
  ck_assert(num(items, "3.factors.distance") > num(items, "4.factors.distance"));
  /* equal scores in the middle, ordered by volunteer id */
  const char *sorted[3] = {trio[0].id, trio[1].id, trio[2].id};
  qsort(sorted, 3, sizeof *sorted, cmp_str);
  for (size_t k = 0; k < 3; k++) {
    char p[32];
    snprintf(p, sizeof p, "%zu.volunteer_id", k + 1);
    ck_assert_str_eq(jstr(items, p), sorted[k]);
    snprintf(p, sizeof p, "%zu.score", k + 1);
    ck_assert_msg(num(items, p) == num(items, "1.score"), "equal profiles, unequal scores");
  }
  /* the same answer again, and a shorter page is its prefix */
  json_t *again = suggestions(coord, id, 50);
  ck_assert_msg(json_equal(items, again), "suggestions not deterministic");
  json_decref(again);
  json_t *two = suggestions(coord, id, 2);
  ck_assert_uint_eq(json_array_size(two), 2);
  ck_assert_str_eq(jstr(two, "0.volunteer_id"), jstr(items, "0.volunteer_id"));
  ck_assert_str_eq(jstr(two, "1.volunteer_id"), jstr(items, "1.volunteer_id"));
  json_decref(two);
  json_decref(items);

  /* the resident prefers the last of the three: it moves ahead of the other two */
  helpers_put(res.tokens.access, json_pack("[s]", sorted[2]), json_array());
  items = suggestions(coord, id, 50);
  int ip = suggestion_index(items, sorted[2]);
  int i0 = suggestion_index(items, sorted[0]);
  int i1 = suggestion_index(items, sorted[1]);
  ck_assert_msg(ip >= 0 && ip < i0 && ip < i1, "preferred helper not ahead (%d vs %d, %d)", ip, i0, i1);
  json_t *pref = json_array_get(items, (size_t)ip);
  json_t *other = json_array_get(items, (size_t)i0);
  ck_assert(num(pref, "factors.preferred") > num(other, "factors.preferred"));
  ck_assert(num(pref, "score") > num(other, "score"));
  json_decref(items);

  /* limits and roles */
  char path[240];
  const char *bad[] = {"0", "51", "x"};
  struct http_response r;
  for (size_t k = 0; k < 3; k++) {
    char suffix[64];
    snprintf(suffix, sizeof suffix, "/suggestions?limit=%s", bad[k]);
    request_path(path, sizeof path, id, suffix);
    http_get(&r, path, coord);
    assert_problem(&r, 400, "validation");
    ck_assert(problem_has_error(&r, "limit", NULL));
    http_response_free(&r);
  }
  request_path(path, sizeof path, id, "/suggestions");
  http_get(&r, path, coord);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 5); /* default 10 */
  http_response_free(&r);
  http_get(&r, path, res.tokens.access);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, path, near.tokens.access);
  ck_assert_msg(r.status == 403 || r.status == 404, "volunteer reads suggestions: %ld", r.status);
  http_response_free(&r);

  for (int k = 0; k < 3; k++) person_free(&trio[k]);
  person_free(&near);
  person_free(&far);
  person_free(&res);
  free(id);
  free(shopping);
  free(coord);
}
END_TEST

START_TEST(suggestions_spread_the_load) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, other_res, a, b;
  person_create(&res, coord, fx.anna.id, "resident");
  person_create(&other_res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_LOAD, 1.0, false);
  volunteer_create(&a, coord, &s);
  volunteer_create(&b, coord, &s);
  /* the busy one has the smaller id, so only the load can put it second */
  struct person *busy = strcmp(a.id, b.id) < 0 ? &a : &b;
  struct person *idle = busy == &a ? &b : &a;

  /* busy helps someone else for three hours */
  struct window w1;
  desk_window(&w1, 1, 1, 9, 12);
  json_t *j = NULL;
  char *first = request_matched(coord, other_res.tokens.access, shopping, &w1, SITE_LOAD, busy);
  struct http_response r;
  request_get(&r, coord, first);
  j = json_incref(r.json);
  http_response_free(&r);
  occurrence_begin(occurrence_id(j, 0));
  occurrence_complete(&r, busy->tokens.access, first, occurrence_id(j, 0), 3);
  assert_status(&r, 200);
  http_response_free(&r);
  json_decref(j);

  struct window w2;
  desk_window(&w2, 3, 1, 10, 12);
  char *id = request_create(res.tokens.access, request_body(shopping, &w2, SITE_LOAD, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  json_t *items = suggestions(coord, id, 50);
  ck_assert_uint_eq(json_array_size(items), 2);
  ck_assert_msg(strcmp(jstr(items, "0.volunteer_id"), idle->id) == 0,
                "the volunteer with more recent hours is not ranked lower: %s first", jstr(items, "0.volunteer_id"));
  json_t *si = suggestion_of(items, idle->id), *sb = suggestion_of(items, busy->id);
  ck_assert(num(si, "score") > num(sb, "score"));
  ck_assert(num(si, "factors.load") != num(sb, "factors.load"));
  ck_assert(num(si, "factors.distance") == num(sb, "factors.distance"));
  json_decref(items);

  person_free(&a);
  person_free(&b);
  person_free(&res);
  person_free(&other_res);
  free(first);
  free(id);
  free(shopping);
  free(coord);
}
END_TEST

static void assert_offer(json_t *o, const char *request, const char *volunteer, const char *status) {
  ck_assert_msg(jstr(o, "id") != NULL, "offer id");
  ck_assert_str_eq(jstr(o, "request_id"), request);
  ck_assert_str_eq(jstr(o, "volunteer_id"), volunteer);
  ck_assert_str_eq(jstr(o, "status"), status);
  epoch_of(jstr(o, "created_at"));
  json_t *ans = json_object_get(o, "answered_at");
  ck_assert(strcmp(status, "pending") == 0 ? json_is_null(ans) : json_is_string(ans));
}

static json_t *offers_of(const char *coord, const char *id) {
  char path[200];
  request_path(path, sizeof path, id, "/offers");
  struct http_response r;
  http_get(&r, path, coord);
  assert_status(&r, 200);
  json_t *items = json_incref(json_object_get(r.json, "items"));
  http_response_free(&r);
  ck_assert(json_is_array(items));
  return items;
}

START_TEST(offers_first_accept_wins) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, a, b;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_OFFERS, 1.0, false);
  volunteer_create(&a, coord, &s);
  volunteer_create(&b, coord, &s);
  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  char *id = request_create(res.tokens.access, request_body(shopping, &w, SITE_OFFERS, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  struct http_response r;
  request_action(&r, coord, id, "offer", json_pack("{s:[]}", "volunteer_ids"));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  const char *both[] = {a.id, b.id, NULL};
  offer_to(coord, id, both);
  json_t *offers = offers_of(coord, id);
  ck_assert_uint_eq(json_array_size(offers), 2);
  assert_offer(find_item(offers, "volunteer_id", a.id), id, a.id, "pending");
  assert_offer(find_item(offers, "volunteer_id", b.id), id, b.id, "pending");
  json_decref(offers);
  char *oa = offer_id(coord, id, a.id), *ob = offer_id(coord, id, b.id);

  /* nobody answers someone else's offer */
  offer_answer(&r, b.tokens.access, oa, "accept", NULL);
  ck_assert_msg(r.status == 403 || r.status == 404, "accepting another's offer: %ld", r.status);
  http_response_free(&r);
  offer_answer(&r, res.tokens.access, oa, "accept", NULL);
  ck_assert_msg(r.status == 403 || r.status == 404, "resident accepts: %ld", r.status);
  http_response_free(&r);

  offer_answer(&r, a.tokens.access, oa, "accept", NULL);
  assert_status(&r, 200);
  assert_offer(r.json, id, a.id, "accepted");
  http_response_free(&r);
  /* b's offer is withdrawn and b no longer sees the request: 404 (issue 10); a sees it matched */
  offer_answer(&r, b.tokens.access, ob, "accept", NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  /* the winner's retry (the first answer lost on the way) hears what the first one said */
  offer_answer(&r, a.tokens.access, oa, "accept", NULL);
  assert_status(&r, 200);
  assert_offer(r.json, id, a.id, "accepted");
  http_response_free(&r);
  /* once accepted it cannot be declined */
  offer_answer(&r, a.tokens.access, oa, "decline", NULL);
  assert_conflict_state(&r, "matched");
  http_response_free(&r);

  request_get(&r, coord, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  ck_assert_str_eq(jstr(r.json, "matched_volunteer_id"), a.id);
  http_response_free(&r);
  offers = offers_of(coord, id);
  assert_offer(find_item(offers, "volunteer_id", a.id), id, a.id, "accepted");
  ck_assert_str_eq(jstr(find_item(offers, "volunteer_id", b.id), "status"), "withdrawn");
  json_decref(offers);
  request_action(&r, coord, id, "offer", json_pack("{s:[s]}", "volunteer_ids", b.id));
  assert_conflict_state(&r, "matched");
  http_response_free(&r);
  free(oa);
  free(ob);

  /* decline with a reason; the request stays offered for the other */
  char *id2 = request_create(res.tokens.access, request_body(shopping, &w, SITE_OFFERS, false), NULL);
  request_action_ok(coord, id2, "triage", NULL, "triaged");
  offer_to(coord, id2, both);
  oa = offer_id(coord, id2, a.id);
  ob = offer_id(coord, id2, b.id);
  offer_answer(&r, b.tokens.access, ob, "decline", json_pack("{s:s}", "reason", "Ik ben die dag op vakantie"));
  assert_status(&r, 200);
  assert_offer(r.json, id2, b.id, "declined");
  ck_assert_str_eq(jstr(r.json, "reason"), "Ik ben die dag op vakantie");
  http_response_free(&r);
  /* declining again (a retry): the first answer, reason and all */
  offer_answer(&r, b.tokens.access, ob, "decline", json_pack("{s:s}", "reason", "Ik ben die dag op vakantie"));
  assert_status(&r, 200);
  assert_offer(r.json, id2, b.id, "declined");
  ck_assert_str_eq(jstr(r.json, "reason"), "Ik ben die dag op vakantie");
  http_response_free(&r);
  offer_answer(&r, b.tokens.access, ob, "accept", NULL); /* declined: no longer b's to see */
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  request_get(&r, coord, id2);
  ck_assert_str_eq(jstr(r.json, "status"), "offered");
  http_response_free(&r);
  offer_answer(&r, a.tokens.access, oa, "accept", NULL);
  assert_status(&r, 200);
  http_response_free(&r);
  offers = offers_of(coord, id2);
  ck_assert_str_eq(jstr(find_item(offers, "volunteer_id", b.id), "status"), "declined");
  json_decref(offers);

  free(oa);
  free(ob);
  free(id2);
  person_free(&a);
  person_free(&b);
  person_free(&res);
  free(id);
  free(shopping);
  free(coord);
}
END_TEST

START_TEST(blocked_helper_never_offered) {
  char helpers[160], board_path[160];
  community_path(helpers, sizeof helpers, &fx.anna, "/helpers");
  community_path(board_path, sizeof board_path, &fx.anna, "/board");
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, ok, blocked;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_BLOCKED, 1.0, false);
  volunteer_create(&ok, coord, &s);
  volunteer_create(&blocked, coord, &s);
  struct http_response r;

  /* /helpers rules */
  http_call(&r, "PUT", helpers, res.tokens.access,
            json_pack("{s:[s], s:[s]}", "preferred", blocked.id, "blocked", blocked.id));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  http_get(&r, helpers, coord);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "PUT", helpers, ok.tokens.access, json_pack("{s:[], s:[s]}", "preferred", "blocked", blocked.id));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  helpers_put(res.tokens.access, json_pack("[s]", ok.id), json_pack("[s]", blocked.id));
  http_get(&r, helpers, res.tokens.access);
  assert_status(&r, 200);
  ck_assert(jarray_has_string(json_object_get(r.json, "preferred"), ok.id));
  ck_assert(jarray_has_string(json_object_get(r.json, "blocked"), blocked.id));
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "blocked")), 1);
  http_response_free(&r);

  struct window w;
  desk_window(&w, 4, 1, 10, 12);
  char *id = request_create(res.tokens.access, request_body(shopping, &w, SITE_BLOCKED, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  request_action(&r, coord, id, "offer", json_pack("{s:[s]}", "volunteer_ids", blocked.id));
  assert_problem(&r, 409, "conflict");
  ck_assert_msg(strstr(r.body, blocked.id) != NULL, "blocked volunteer not named: %s", r.body);
  http_response_free(&r);
  request_get(&r, coord, id);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  http_response_free(&r);
  json_t *offers = offers_of(coord, id);
  ck_assert_uint_eq(json_array_size(offers), 0);
  json_decref(offers);

  /* on the board it is not theirs to claim */
  request_action(&r, coord, id, "board", NULL);
  assert_status(&r, 200);
  ck_assert(json_is_true(json_object_get(r.json, "on_board")));
  http_response_free(&r);
  json_t *board = list_all(board_path, blocked.tokens.access, NULL);
  ck_assert_msg(!list_has(board, id), "blocked helper sees the request on the board");
  ck_assert_uint_eq(json_array_size(board), 0);
  json_decref(board);
  board = list_all(board_path, ok.tokens.access, NULL);
  ck_assert(list_has(board, id));
  ck_assert_uint_eq(json_array_size(board), 1);
  json_decref(board);
  char path[200];
  request_path(path, sizeof path, id, "/claim");
  http_call(&r, "POST", path, blocked.tokens.access, json_object());
  assert_problem(&r, 404, "not-found"); /* not on the blocked helper's board */
  http_response_free(&r);
  request_get(&r, coord, id);
  ck_assert(json_is_null(json_object_get(r.json, "matched_volunteer_id")));
  http_response_free(&r);

  person_free(&ok);
  person_free(&blocked);
  person_free(&res);
  free(id);
  free(shopping);
  free(coord);
}
END_TEST

START_TEST(ask_other_releases_the_volunteer) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, a, b;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_ASK_OTHER, 1.0, false);
  volunteer_create(&a, coord, &s);
  volunteer_create(&b, coord, &s);
  struct window w;
  desk_window(&w, 5, 1, 10, 12);
  char *id = request_matched(coord, res.tokens.access, shopping, &w, SITE_ASK_OTHER, &a);

  struct http_response r;
  request_action(&r, a.tokens.access, id, "ask-other", NULL);
  ck_assert_msg(r.status == 403, "the volunteer asks for someone else: %ld", r.status);
  http_response_free(&r);
  request_action(&r, res.tokens.access, id, "ask-other", json_pack("{s:s}", "note", "Liever iemand anders"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  ck_assert(json_is_null(json_object_get(r.json, "matched_volunteer_id")));
  ck_assert(json_is_false(json_object_get(r.json, "resident_confirmed")));
  ck_assert_str_eq(jstr(r.json, "occurrences.0.status"), "open");
  ck_assert(json_is_null(jpath(r.json, "occurrences.0.volunteer_id")));
  http_response_free(&r);
  json_t *offers = offers_of(coord, id);
  ck_assert_str_eq(jstr(find_item(offers, "volunteer_id", a.id), "status"), "released");
  json_decref(offers);

  json_t *items = suggestions(coord, id, 50);
  ck_assert_msg(suggestion_index(items, a.id) < 0, "released volunteer suggested again");
  ck_assert(suggestion_index(items, b.id) >= 0);
  json_decref(items);
  request_action(&r, coord, id, "offer", json_pack("{s:[s]}", "volunteer_ids", a.id));
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  /* the released volunteer no longer sees where or whom */
  request_get(&r, a.tokens.access, id);
  ck_assert_msg(r.status == 404 || (r.status == 200 && json_is_null(json_object_get(r.json, "place"))),
                "released volunteer still sees the place: %ld %.300s", r.status, r.body);
  http_response_free(&r);

  match_via_offer(coord, id, &b);
  request_action(&r, coord, id, "confirm", NULL);
  assert_status(&r, 200);
  ck_assert(json_is_true(json_object_get(r.json, "resident_confirmed")));
  http_response_free(&r);

  person_free(&a);
  person_free(&b);
  person_free(&res);
  free(id);
  free(shopping);
  free(coord);
}
END_TEST

Suite *desk_matching_suite(void) {
  Suite *s = suite_create("desk_matching");
  TCase *tc = desk_tcase("suggestions");
  tcase_add_test(tc, suggestions_hard_filters);
  tcase_add_test(tc, suggestions_ranked_ties_by_id);
  tcase_add_test(tc, suggestions_spread_the_load);
  suite_add_tcase(s, tc);
  tc = desk_tcase("offers");
  tcase_add_test(tc, offers_first_accept_wins);
  tcase_add_test(tc, blocked_helper_never_offered);
  tcase_add_test(tc, ask_other_releases_the_volunteer);
  suite_add_tcase(s, tc);
  return s;
}
