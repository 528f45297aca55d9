/* Desk: the lists the apps read: a volunteer's tasks, a resident's requests in every
 * community, the coordinator's queue views; pagination and updated_since. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

/* Items ordered by (updated_at, id) ascending, no duplicates. */
static void assert_sync_order(json_t *items) {
  size_t i;
  json_t *it;
  int64_t prev_t = INT64_MIN;
  const char *prev_id = "";
  json_array_foreach(items, i, it) {
    int64_t t;
    ck_assert(parse_rfc3339(jstr(it, "updated_at"), &t) == 0);
    const char *id = jstr(it, "id");
    ck_assert(id != NULL);
    ck_assert_msg(t > prev_t || (t == prev_t && strcmp(id, prev_id) > 0), "item %zu (%s) out of (updated_at, id) order",
                  i, id);
    prev_t = t;
    prev_id = id;
  }
}

START_TEST(volunteer_tasks) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_LISTS, 1.0, false);
  volunteer_create(&v, coord, &s);
  json_t *tasks = list_all("/v1/me/tasks", v.tokens.access, NULL);
  ck_assert_uint_eq(json_array_size(tasks), 0);
  json_decref(tasks);

  struct window w1, w2, w3;
  desk_window(&w1, 1, 1, 10, 12);
  desk_window(&w2, 2, 1, 10, 12);
  desk_window(&w3, 3, 1, 10, 12);
  char *a = request_create(res.tokens.access, request_body(shopping, &w1, SITE_LISTS, false), NULL);
  char *b = request_create(res.tokens.access, request_body(shopping, &w2, SITE_LISTS, false), NULL);
  char *c = request_create(res.tokens.access, request_body(shopping, &w3, SITE_LISTS, false), NULL);
  const char *ids[] = {v.id, NULL};
  request_action_ok(coord, a, "triage", NULL, "triaged");
  offer_to(coord, a, ids);
  match_via_offer(coord, b, &v);
  request_action_ok(coord, c, "triage", NULL, "triaged"); /* not offered: not a task */

  int pages = 0;
  tasks = list_walk("/v1/me/tasks", v.tokens.access, 1, NULL, &pages);
  ck_assert_uint_eq(json_array_size(tasks), 2);
  ck_assert_int_eq(pages, 2);
  assert_sync_order(tasks);
  json_t *ta = find_item(tasks, "id", a), *tb = find_item(tasks, "id", b);
  ck_assert_msg(ta && tb, "tasks lack the pending offer or the assignment");
  ck_assert(!list_has(tasks, c));
  ck_assert_str_eq(jstr(ta, "status"), "offered");
  ck_assert(json_is_null(json_object_get(ta, "place")));
  ck_assert_str_eq(jstr(tb, "status"), "matched");
  ck_assert_msg(jstr(tb, "place.address") != NULL, "assigned task without place");
  json_decref(tasks);

  /* done work and declined offers leave the list */
  struct http_response r;
  request_get(&r, v.tokens.access, b);
  json_t *bj = json_incref(r.json);
  http_response_free(&r);
  occurrence_begin(occurrence_id(bj, 0));
  occurrence_complete(&r, v.tokens.access, b, occurrence_id(bj, 0), 2);
  assert_status(&r, 200);
  http_response_free(&r);
  json_decref(bj);
  char *oa = offer_id(coord, a, v.id);
  offer_answer(&r, v.tokens.access, oa, "decline", NULL);
  assert_status(&r, 200);
  ck_assert(json_is_null(json_object_get(r.json, "reason")));
  http_response_free(&r);
  free(oa);
  tasks = list_all("/v1/me/tasks", v.tokens.access, NULL);
  ck_assert_msg(!list_has(tasks, b), "done task still listed");
  ck_assert_msg(!list_has(tasks, a), "declined offer still listed");
  json_decref(tasks);

  http_get(&r, "/v1/me/tasks?limit=0", v.tokens.access);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  http_get(&r, "/v1/me/tasks", NULL);
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);

  person_free(&v);
  person_free(&res);
  free(a);
  free(b);
  free(c);
  free(shopping);
  free(coord);
}
END_TEST

START_TEST(resident_requests_everywhere) {
  char *coord = fixture_login(&fx.coordinator);
  char *tot = fixture_login(&fx.tot_coordinator);
  char *shopping = category_id(coord, "shopping");
  json_t *tot_cats = categories_all(tot, fx.tot.path);
  json_t *tot_shopping = find_item(tot_cats, "code", "shopping");
  ck_assert(tot_shopping != NULL);
  struct person res;
  person_create(&res, coord, fx.anna.id, "resident");
  /* the resident also joins Tot uw Dienst */
  char *code = create_invitation(tot, fx.tot.id, "resident", NULL);
  struct http_response r;
  http_call(&r, "POST", "/v1/me/memberships", res.tokens.access, json_pack("{s:s}", "invitation_code", code));
  assert_status(&r, 201);
  http_response_free(&r);
  free(code);

  struct window w;
  desk_window(&w, 2, 2, 9, 10);
  char *ids[4];
  for (int k = 0; k < 3; k++)
    ids[k] = request_create(res.tokens.access, request_body(shopping, &w, SITE_LISTS, false), NULL);
  char tot_requests[160];
  community_path(tot_requests, sizeof tot_requests, &fx.tot, "/help-requests");
  http_call(&r, "POST", tot_requests, res.tokens.access, request_body(jstr(tot_shopping, "id"), &w, SITE_LISTS, false));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "community_id"), fx.tot.id);
  ids[3] = strdup(jstr(r.json, "id"));
  http_response_free(&r);

  int pages = 0;
  json_t *mine = list_walk("/v1/me/help-requests", res.tokens.access, 1, NULL, &pages);
  ck_assert_uint_eq(json_array_size(mine), 4);
  ck_assert_int_eq(pages, 4);
  assert_sync_order(mine);
  for (int k = 0; k < 4; k++) ck_assert_msg(list_has(mine, ids[k]), "request %d missing", k);
  ck_assert_str_eq(jstr(find_item(mine, "id", ids[3]), "community_id"), fx.tot.id);
  ck_assert_str_eq(jstr(find_item(mine, "id", ids[0]), "community_id"), fx.anna.id);
  size_t i;
  json_t *it;
  json_array_foreach(mine, i, it) ck_assert_str_eq(jstr(it, "resident_id"), res.id);
  const char *last = jstr(json_array_get(mine, 3), "updated_at");
  char *enc = url_encode(last);
  int64_t last_us;
  ck_assert(parse_rfc3339(last, &last_us) == 0);
  json_decref(mine);

  /* only what changed since comes back */
  sleep_ms(20);
  request_action_ok(coord, ids[0], "triage", NULL, "triaged");
  char query[200];
  snprintf(query, sizeof query, "updated_since=%s", enc);
  free(enc);
  json_t *since = list_walk("/v1/me/help-requests", res.tokens.access, 1, query, NULL);
  ck_assert_msg(list_has(since, ids[0]), "the triaged request is not in the sync");
  ck_assert_str_eq(jstr(find_item(since, "id", ids[0]), "status"), "triaged");
  /* only the triaged one: updated_since is exclusive, and the newest sits on the boundary */
  ck_assert_uint_eq(json_array_size(since), 1);
  json_array_foreach(since, i, it) {
    int64_t t;
    ck_assert(parse_rfc3339(jstr(it, "updated_at"), &t) == 0);
    ck_assert_msg(t >= last_us, "item older than updated_since");
  }
  json_decref(since);

  /* nobody else's */
  char *res1 = fixture_login(&fx.resident1);
  json_t *other = list_all("/v1/me/help-requests", res1, NULL);
  for (int k = 0; k < 4; k++) ck_assert(!list_has(other, ids[k]));
  json_decref(other);
  http_get(&r, "/v1/me/help-requests?updated_since=gisteren", res.tokens.access);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "updated_since", NULL));
  http_response_free(&r);

  for (int k = 0; k < 4; k++) free(ids[k]);
  free(res1);
  person_free(&res);
  json_decref(tot_cats);
  free(shopping);
  free(tot);
  free(coord);
}
END_TEST

static json_t *queue_pages(const char *tok, const char *view, int limit, int *pages) {
  char query[64];
  snprintf(query, sizeof query, "view=%s", view);
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/queue");
  return list_walk(path, tok, limit, query, pages);
}

static json_t *queue(const char *tok, const char *view, int limit) { return queue_pages(tok, view, limit, NULL); }

START_TEST(coordinator_queue_views) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_QUEUE, 1.0, false);
  volunteer_create(&v, coord, &s);

  struct window w;
  desk_window(&w, 4, 1, 10, 12);
  char *x = request_create(res.tokens.access, request_body(shopping, &w, SITE_QUEUE, false), NULL);
  /* two more new ones, so that view=new takes two pages of two */
  for (int k = 0; k < 2; k++)
    free(request_create(res.tokens.access, request_body(shopping, &w, SITE_QUEUE, false), NULL));
  json_t *q = queue(coord, "new", 100);
  ck_assert_msg(list_has(q, x), "a submitted request is not in view=new");
  ck_assert_uint_eq(json_array_size(q), 3);
  size_t i;
  json_t *it;
  json_array_foreach(q, i, it) ck_assert_str_eq(jstr(it, "status"), "submitted");
  int pages = 0;
  json_t *paged = queue_pages(coord, "new", 2, &pages);
  ck_assert_int_eq(pages, 2);
  ck_assert_uint_eq(json_array_size(paged), json_array_size(q));
  assert_sync_order(paged);
  for (i = 0; i < json_array_size(q); i++)
    ck_assert_str_eq(jstr(json_array_get(paged, i), "id"), jstr(json_array_get(q, i), "id"));
  json_decref(paged);
  json_decref(q);
  q = queue(coord, "needs_attention", 100);
  ck_assert_msg(!list_has(q, x), "a request days away needs attention");
  ck_assert_uint_eq(json_array_size(q), 0);
  json_decref(q);
  request_action_ok(coord, x, "triage", NULL, "triaged");
  q = queue(coord, "new", 100);
  ck_assert_msg(!list_has(q, x), "a triaged request is still new");
  ck_assert_uint_eq(json_array_size(q), 2);
  json_decref(q);

  /* needed within 24 hours and not matched */
  char soon[32], later[32];
  utc_in(soon, 6 * 3600);
  utc_in(later, 40 * 3600);
  json_t *b = request_body(shopping, &w, SITE_QUEUE, false);
  json_object_set_new(b, "when", json_pack("{s:s}", "needed_by", soon));
  json_t *j = NULL;
  char *y = request_create(res.tokens.access, b, &j);
  ck_assert(json_is_null(jpath(j, "when.starts_at")));
  ck_assert_int_eq(epoch_of(jstr(j, "when.needed_by")), epoch_of(soon));
  ck_assert_int_eq(epoch_of(jstr(j, "occurrences.0.needed_by")), epoch_of(soon));
  json_decref(j);
  b = request_body(shopping, &w, SITE_QUEUE, false);
  json_object_set_new(b, "when", json_pack("{s:s}", "needed_by", later));
  char *y2 = request_create(res.tokens.access, b, NULL);
  request_action_ok(coord, y, "triage", NULL, "triaged");
  request_action_ok(coord, y2, "triage", NULL, "triaged");
  q = queue(coord, "needs_attention", 100);
  ck_assert_msg(list_has(q, y), "needed within 6 h, not matched, not in needs_attention");
  ck_assert_msg(!list_has(q, y2), "needed in 40 h, already in needs_attention");
  ck_assert(!list_has(q, x));
  ck_assert_uint_eq(json_array_size(q), 1);
  json_decref(q);

  /* matched without the resident's confirmation */
  char *z = request_matched(coord, res.tokens.access, shopping, &w, SITE_QUEUE, &v);
  q = queue(coord, "unconfirmed", 100);
  ck_assert_msg(list_has(q, z), "matched, unconfirmed request not in view=unconfirmed");
  ck_assert_uint_eq(json_array_size(q), 1);
  json_array_foreach(q, i, it) {
    ck_assert_str_eq(jstr(it, "status"), "matched");
    ck_assert(json_is_false(json_object_get(it, "resident_confirmed")));
  }
  json_decref(q);
  request_action_ok(res.tokens.access, z, "confirm", NULL, "matched");
  struct http_response r;
  request_get(&r, coord, z);
  ck_assert(json_is_true(json_object_get(r.json, "resident_confirmed")));
  http_response_free(&r);
  q = queue(coord, "unconfirmed", 100);
  ck_assert_msg(!list_has(q, z), "confirmed request still unconfirmed");
  ck_assert_uint_eq(json_array_size(q), 0);
  json_decref(q);

  /* views and roles */
  char path[200];
  http_get(&r, community_path(path, sizeof path, &fx.anna, "/queue?view=everything"), coord);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "view", NULL));
  http_response_free(&r);
  community_path(path, sizeof path, &fx.anna, "/queue?view=new");
  http_get(&r, path, res.tokens.access);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, path, v.tokens.access);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  char *tot = fixture_login(&fx.tot_coordinator);
  http_get(&r, path, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  q = list_walk(community_path(path, sizeof path, &fx.tot, "/queue"), tot, 100, "view=new", NULL);
  ck_assert(!list_has(q, x));
  ck_assert_uint_eq(json_array_size(q), 0);
  json_decref(q);
  free(tot);

  person_free(&v);
  person_free(&res);
  free(x);
  free(y);
  free(y2);
  free(z);
  free(shopping);
  free(coord);
}
END_TEST

Suite *desk_lists_suite(void) {
  Suite *s = suite_create("desk_lists");
  TCase *tc = desk_tcase("lists");
  tcase_add_test(tc, volunteer_tasks);
  tcase_add_test(tc, resident_requests_everywhere);
  tcase_add_test(tc, coordinator_queue_views);
  suite_add_tcase(s, tc);
  return s;
}
