/* The volunteer app's journey from its own seat (issue 12: items 1, 8.2, 8.5, 8.6): a volunteer
 * finds her offers, and their ids, only in her own lists (/v1/me/offers, /v1/me/tasks) and
 * answers them; steps back from an occurrence she cannot make; completes help once it was given.
 * The desk's side: a released helper is not suggested again for that request and ranks lower for
 * the resident's other requests; capacity counts the week in question.
 *
 * Ids: the volunteer acts only on ids her own responses gave her. The coordinator offers and
 * reads suggestions and the queue, the resident asks and reads her request, as in the other desk
 * tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

/* ---------- the volunteer's own lists ---------- */

/* Every item of the caller's /v1/me/offers (new reference); `query` as list_walk takes it. */
static json_t *my_offers(const char *tok, const char *query) {
  return list_walk("/v1/me/offers", tok, 100, query, NULL);
}

static json_t *my_tasks(const char *tok) { return list_walk("/v1/me/tasks", tok, 100, NULL, NULL); }

/* The caller's only pending offer, from her own /v1/me/offers (new reference); fails unless
 * there is exactly one. */
static json_t *my_pending_offer(const char *tok) {
  json_t *all = my_offers(tok, NULL);
  json_t *found = NULL;
  size_t i, pending = 0;
  json_t *o;
  json_array_foreach(all, i, o) {
    if (strcmp(jstr(o, "status"), "pending") == 0) {
      found = o;
      pending++;
    }
  }
  ck_assert_msg(pending == 1, "%zu pending offers, expected one", pending);
  json_incref(found);
  json_decref(all);
  return found;
}

/* The volunteer accepts her only pending offer, its id read from her own /v1/me/offers, and
 * checks it was for request_id. */
static void accept_my_offer(const char *tok, const char *request_id) {
  json_t *offer = my_pending_offer(tok);
  ck_assert_str_eq(jstr(offer, "request_id"), request_id);
  struct http_response r;
  offer_answer(&r, tok, jstr(offer, "id"), "accept", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "accepted");
  http_response_free(&r);
  json_decref(offer);
}

/* Coordinator triages (when submitted) and offers the request to v; v accepts from her own list. */
static void match_from_my_list(const char *coord, const char *id, const struct person *v) {
  struct http_response r;
  request_get(&r, coord, id);
  assert_status(&r, 200);
  bool submitted = strcmp(jstr(r.json, "status"), "submitted") == 0;
  http_response_free(&r);
  if (submitted) request_action_ok(coord, id, "triage", NULL, "triaged");
  const char *ids[] = {v->id, NULL};
  offer_to(coord, id, ids);
  accept_my_offer(v->tokens.access, id);
}

/* The request as `tok` sees it (new reference); asserts 200. */
static json_t *request_as(const char *tok, const char *id) {
  struct http_response r;
  request_get(&r, tok, id);
  assert_status(&r, 200);
  json_t *j = json_incref(r.json);
  http_response_free(&r);
  return j;
}

/* POST .../occurrences/{occ}/{what} with body (stolen). */
static void occurrence_act(struct http_response *r, const char *tok, const char *id, const char *occ, const char *what,
                           json_t *body) {
  char suffix[160], path[300];
  snprintf(suffix, sizeof suffix, "/occurrences/%s/%s", occ, what);
  request_path(path, sizeof path, id, suffix);
  http_call(r, "POST", path, tok, body);
}

static void release(struct http_response *r, const char *tok, const char *id, const char *occ, const char *reason) {
  occurrence_act(r, tok, id, occ, "release", reason != NULL ? json_pack("{s:s}", "reason", reason) : json_object());
}

/* A volunteer who does everything: shopping, near the site, weekdays 9-17. */
static void volunteer_at(struct person *v, const char *coord, const char *shopping, enum site_id site,
                         double capacity) {
  struct vol_spec s = vol_default(shopping, site, 1.0, false);
  s.capacity = capacity;
  volunteer_create(v, coord, &s);
}

/* ---------- offers from the volunteer's own seat ---------- */

START_TEST(offers_answered_with_ids_from_her_own_lists) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, va, vb, idle;
  person_create(&res, coord, fx.anna.id, "resident");
  volunteer_at(&va, coord, shopping, SITE_OFFERS, 40);
  volunteer_at(&vb, coord, shopping, SITE_OFFERS, 40);
  volunteer_at(&idle, coord, shopping, SITE_OFFERS, 40);
  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  char *a = request_create(res.tokens.access, request_body(shopping, &w, SITE_OFFERS, false), NULL);
  char *b = request_create(res.tokens.access, request_body(shopping, &w, SITE_OFFERS, false), NULL);

  /* nothing offered yet: empty lists */
  json_t *none = my_offers(va.tokens.access, NULL);
  ck_assert_uint_eq(json_array_size(none), 0);
  json_decref(none);

  request_action_ok(coord, a, "triage", NULL, "triaged");
  request_action_ok(coord, b, "triage", NULL, "triaged");
  offer_to(coord, a, (const char *[]){va.id, NULL});
  offer_to(coord, b, (const char *[]){vb.id, NULL});
  char before_answers[32];
  utc_in(before_answers, -1);

  /* va finds her offer in /v1/me/offers: its id, the request as the board shows it, no more */
  json_t *offer = my_pending_offer(va.tokens.access);
  const char *va_offer = jstr(offer, "id");
  ck_assert_ptr_nonnull(va_offer);
  ck_assert_str_eq(jstr(offer, "community_id"), fx.anna.id);
  ck_assert_str_eq(jstr(offer, "request_id"), a);
  ck_assert_str_eq(jstr(offer, "request.id"), a);
  ck_assert_str_eq(jstr(offer, "request.category_id"), shopping);
  ck_assert_str_eq(jstr(offer, "request.status"), "offered");
  ck_assert_int_eq(epoch_of(jstr(offer, "request.when.starts_at")), (int64_t)w.start);
  ck_assert_ptr_null(json_object_get(json_object_get(offer, "request"), "place"));
  ck_assert_ptr_null(json_object_get(json_object_get(offer, "request"), "resident_id"));
  ck_assert_ptr_null(json_object_get(json_object_get(offer, "request"), "resident_name"));
  ck_assert(json_is_null(json_object_get(offer, "answered_at")));

  /* ... and the same id on the task in /v1/me/tasks */
  json_t *tasks = my_tasks(va.tokens.access);
  json_t *task = find_item(tasks, "id", a);
  ck_assert_msg(task != NULL, "the offered request is not among her tasks");
  ck_assert_str_eq(jstr(task, "my_offer.id"), va_offer);
  ck_assert_str_eq(jstr(task, "my_offer.status"), "pending");
  ck_assert_msg(find_item(tasks, "id", b) == NULL, "someone else's offer among her tasks");
  json_decref(tasks);

  /* nobody else's offer shows up in her list; the idle volunteer has none */
  json_t *others = my_offers(idle.tokens.access, NULL);
  ck_assert_uint_eq(json_array_size(others), 0);
  json_decref(others);

  /* she accepts with the id her own list gave her */
  struct http_response r;
  offer_answer(&r, va.tokens.access, va_offer, "accept", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "accepted");
  http_response_free(&r);
  json_t *after = my_offers(va.tokens.access, NULL);
  json_t *accepted = find_item(after, "id", va_offer);
  ck_assert_msg(accepted != NULL, "the accepted offer left her list");
  ck_assert_str_eq(jstr(accepted, "status"), "accepted");
  ck_assert_str_eq(jstr(accepted, "request.status"), "matched");
  epoch_of(jstr(accepted, "answered_at"));
  json_decref(after);
  json_decref(offer);
  /* the task is now hers, with no offer left to answer */
  tasks = my_tasks(va.tokens.access);
  task = find_item(tasks, "id", a);
  ck_assert_msg(task != NULL, "the matched request is not among her tasks");
  ck_assert_str_eq(jstr(task, "status"), "matched");
  ck_assert(json_is_null(json_object_get(task, "my_offer")));
  json_decref(tasks);

  /* vb finds hers only through /v1/me/tasks and declines it */
  tasks = my_tasks(vb.tokens.access);
  ck_assert_uint_eq(json_array_size(tasks), 1);
  char *vb_offer = strdup(jstr(json_array_get(tasks, 0), "my_offer.id"));
  ck_assert_ptr_nonnull(vb_offer);
  json_decref(tasks);
  offer_answer(&r, vb.tokens.access, vb_offer, "decline", json_pack("{s:s}", "reason", "Ik ben die week weg"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "declined");
  http_response_free(&r);
  /* declined: still in her offers (for sync), without the request; gone from her tasks */
  json_t *vb_all = my_offers(vb.tokens.access, NULL);
  ck_assert_uint_eq(json_array_size(vb_all), 1);
  ck_assert_str_eq(jstr(json_array_get(vb_all, 0), "id"), vb_offer);
  ck_assert_str_eq(jstr(json_array_get(vb_all, 0), "status"), "declined");
  ck_assert(json_is_null(json_object_get(json_array_get(vb_all, 0), "request")));
  json_decref(vb_all);
  tasks = my_tasks(vb.tokens.access);
  ck_assert_uint_eq(json_array_size(tasks), 0);
  json_decref(tasks);

  /* updated_since brings the answered offer back, a time after it nothing */
  char *since = url_encode(before_answers);
  char query[128];
  snprintf(query, sizeof query, "updated_since=%s", since);
  json_t *changed = my_offers(vb.tokens.access, query);
  ck_assert_msg(find_item(changed, "id", vb_offer) != NULL, "the declined offer is not in updated_since");
  json_decref(changed);
  char later[32];
  utc_in(later, 5);
  free(since);
  since = url_encode(later);
  snprintf(query, sizeof query, "updated_since=%s", since);
  changed = my_offers(vb.tokens.access, query);
  ck_assert_uint_eq(json_array_size(changed), 0);
  json_decref(changed);

  free(since);
  free(vb_offer);
  free(a);
  free(b);
  free(shopping);
  free(coord);
  person_free(&res);
  person_free(&va);
  person_free(&vb);
  person_free(&idle);
}
END_TEST

/* ---------- stepping back ---------- */

START_TEST(volunteer_steps_back_before_the_start) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, v, other;
  person_create(&res, coord, fx.anna.id, "resident");
  volunteer_at(&v, coord, shopping, SITE_ASK_OTHER, 40);
  volunteer_at(&other, coord, shopping, SITE_ASK_OTHER, 40);
  struct window w;
  desk_window(&w, 3, 1, 10, 12);
  char *id = request_create(res.tokens.access, request_body(shopping, &w, SITE_ASK_OTHER, false), NULL);
  match_from_my_list(coord, id, &v);

  /* not in the desk's needs_attention queue while matched */
  char queue_path[160];
  community_path(queue_path, sizeof queue_path, &fx.anna, "/queue");
  json_t *q = list_walk(queue_path, coord, 100, "view=needs_attention", NULL);
  ck_assert(!list_has(q, id));
  json_decref(q);

  /* her occurrence, from her own view of her task */
  json_t *tasks = my_tasks(v.tokens.access);
  json_t *task = find_item(tasks, "id", id);
  ck_assert_msg(task != NULL, "the matched request is not among her tasks");
  char *occ = strdup(occurrence_id(task, 0));
  ck_assert_ptr_nonnull(occ);
  json_decref(tasks);

  struct http_response r;
  /* a reason is required, 1 to 500 characters */
  release(&r, v.tokens.access, id, occ, NULL);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "reason", NULL), "%s", r.body);
  http_response_free(&r);
  release(&r, v.tokens.access, id, occ, "");
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  char long_reason[502];
  memset(long_reason, 'x', 501);
  long_reason[501] = '\0';
  release(&r, v.tokens.access, id, occ, long_reason);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  /* only the helper: the resident sees the request (403), another volunteer does not (404) */
  release(&r, res.tokens.access, id, occ, "Ik wil iemand anders");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  release(&r, other.tokens.access, id, occ, "Ik kan ook niet");
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  const char *reason = "Mijn moeder is ziek, ik moet naar Groningen";
  release(&r, v.tokens.access, id, occ, reason);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "id"), occ);
  ck_assert_str_eq(jstr(r.json, "status"), "open");
  ck_assert(json_is_null(json_object_get(r.json, "volunteer_id")));
  http_response_free(&r);

  /* a second time: she is no longer the helper */
  release(&r, v.tokens.access, id, occ, reason);
  assert_problem(&r, 409, "conflict");
  ck_assert_msg(strstr(jstr(r.json, "detail"), "niet meer de helper") != NULL, "%s", r.body);
  http_response_free(&r);
  /* the task left her list; the request is no longer hers to see */
  tasks = my_tasks(v.tokens.access);
  ck_assert(!list_has(tasks, id));
  json_decref(tasks);
  request_get(&r, v.tokens.access, id);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* the resident sees that her helper stepped back, not why */
  json_t *mine = request_as(res.tokens.access, id);
  ck_assert_str_eq(jstr(mine, "status"), "triaged");
  ck_assert(json_is_null(json_object_get(mine, "matched_volunteer_id")));
  epoch_of(jstr(mine, "stepped_back.at"));
  ck_assert(json_is_null(jpath(mine, "stepped_back.reason")));
  json_t *transitions = json_object_get(mine, "transitions");
  json_t *last = json_array_get(transitions, json_array_size(transitions) - 1);
  ck_assert_str_eq(jstr(last, "action"), "release");
  ck_assert_str_eq(jstr(last, "from"), "matched");
  ck_assert_str_eq(jstr(last, "to"), "triaged");
  ck_assert_str_eq(jstr(last, "actor_id"), v.id);
  ck_assert_str_eq(jstr(json_array_get(json_object_get(mine, "occurrences"), 0), "status"), "open");
  json_decref(mine);

  /* the desk: in needs_attention with the reason; the released helper is not suggested again */
  q = list_walk(queue_path, coord, 100, "view=needs_attention", NULL);
  json_t *item = find_item(q, "id", id);
  ck_assert_msg(item != NULL, "the request is not in the needs_attention queue");
  ck_assert_str_eq(jstr(item, "stepped_back.reason"), reason);
  json_decref(q);
  json_t *items = suggestions(coord, id, 50);
  ck_assert_msg(suggestion_index(items, v.id) < 0, "the released helper is suggested again");
  ck_assert_msg(suggestion_index(items, other.id) >= 0, "the other volunteer is not suggested");
  json_decref(items);

  /* matched again: the step back is over, also for the queue */
  match_from_my_list(coord, id, &other);
  mine = request_as(res.tokens.access, id);
  ck_assert(json_is_null(json_object_get(mine, "stepped_back")));
  ck_assert_str_eq(jstr(mine, "matched_volunteer_id"), other.id);
  json_decref(mine);
  q = list_walk(queue_path, coord, 100, "view=needs_attention", NULL);
  ck_assert(!list_has(q, id));
  json_decref(q);

  /* once the occurrence has started, stepping back is the desk's business: 409 */
  occurrence_begin(occ);
  release(&r, other.tokens.access, id, occ, "Ik sta in de file");
  assert_conflict_state(&r, "matched");
  ck_assert_msg(strstr(jstr(r.json, "detail"), "al begonnen") != NULL, "%s", r.body);
  http_response_free(&r);

  free(occ);
  free(id);
  free(shopping);
  free(coord);
  person_free(&res);
  person_free(&v);
  person_free(&other);
}
END_TEST

/* ---------- completing ---------- */

START_TEST(complete_only_once_started) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  volunteer_at(&v, coord, shopping, SITE_STATE, 40);
  struct window w;
  desk_window(&w, 4, 1, 10, 12);
  char *id = request_create(res.tokens.access, request_body(shopping, &w, SITE_STATE, false), NULL);
  match_from_my_list(coord, id, &v);
  json_t *task = request_as(v.tokens.access, id);
  char *occ = strdup(occurrence_id(task, 0));
  json_decref(task);

  struct http_response r;
  occurrence_complete(&r, v.tokens.access, id, occ, 2);
  assert_problem(&r, 422, "unprocessable");
  ck_assert_msg(strstr(jstr(r.json, "detail"), "nog niet begonnen") != NULL, "%s", r.body);
  http_response_free(&r);
  task = request_as(v.tokens.access, id);
  ck_assert_str_eq(jstr(json_array_get(json_object_get(task, "occurrences"), 0), "status"), "matched");
  json_decref(task);

  occurrence_begin(occ);
  occurrence_complete(&r, v.tokens.access, id, occ, 2);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  http_response_free(&r);

  free(occ);
  free(id);
  free(shopping);
  free(coord);
  person_free(&res);
  person_free(&v);
}
END_TEST

/* ---------- capacity per week ---------- */

/* A request of `res` for the window (2 hours); triaged by the desk. Returns the id (owned). */
static char *triaged_request(const char *coord, const char *res, const char *category, const struct window *w,
                             enum site_id site) {
  char *id = request_create(res, request_body(category, w, site, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  return id;
}

static bool suggested(const char *coord, const char *id, const char *volunteer) {
  json_t *items = suggestions(coord, id, 50);
  bool found = suggestion_index(items, volunteer) >= 0;
  json_decref(items);
  return found;
}

START_TEST(capacity_counts_the_week_in_question) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  volunteer_at(&v, coord, shopping, SITE_LOAD, 2); /* two hours a week */
  /* Mondays: each in a week of its own */
  struct window mon0, mon1, mon1_pm, mon2, mon3;
  desk_window(&mon0, 1, 0, 9, 11);
  desk_window(&mon1, 1, 1, 9, 11);
  desk_window(&mon1_pm, 1, 1, 13, 15);
  desk_window(&mon2, 1, 2, 9, 11);
  desk_window(&mon3, 1, 3, 9, 11);

  /* full the week after next... */
  char *a = triaged_request(coord, res.tokens.access, shopping, &mon1, SITE_LOAD);
  ck_assert(suggested(coord, a, v.id));
  match_from_my_list(coord, a, &v);
  /* ...still suggested for the week before it, not for another request that same week */
  char *b = triaged_request(coord, res.tokens.access, shopping, &mon0, SITE_LOAD);
  ck_assert_msg(suggested(coord, b, v.id), "a volunteer full in a later week is not suggested for this one");
  char *c = triaged_request(coord, res.tokens.access, shopping, &mon1_pm, SITE_LOAD);
  ck_assert_msg(!suggested(coord, c, v.id), "a volunteer full that week is suggested");

  /* and the other way round: full in the earlier week, still suggested later */
  match_from_my_list(coord, b, &v);
  char *d = triaged_request(coord, res.tokens.access, shopping, &mon3, SITE_LOAD);
  ck_assert_msg(suggested(coord, d, v.id), "a volunteer full in an earlier week is not suggested for a later one");

  /* a needed_by request counts in the week of its deadline (one hour) */
  json_t *body = request_body(shopping, &mon2, SITE_LOAD, false);
  json_object_set_new(body, "when", json_pack("{s:s}", "needed_by", mon2.ends_at));
  char *e = request_create(res.tokens.access, body, NULL);
  request_action_ok(coord, e, "triage", NULL, "triaged");
  char *f = triaged_request(coord, res.tokens.access, shopping, &mon2, SITE_LOAD);
  ck_assert(suggested(coord, f, v.id));
  match_from_my_list(coord, e, &v);
  ck_assert_msg(!suggested(coord, f, v.id), "a needed_by task in that week does not count");
  ck_assert(suggested(coord, d, v.id));

  free(a);
  free(b);
  free(c);
  free(d);
  free(e);
  free(f);
  free(shopping);
  free(coord);
  person_free(&res);
  person_free(&v);
}
END_TEST

/* ---------- a penalty for helpers who declined or gave back ---------- */

static json_t *suggestion_of_volunteer(json_t *items, const char *volunteer) {
  int k = suggestion_index(items, volunteer);
  ck_assert_msg(k >= 0, "%s is not suggested", volunteer);
  return json_array_get(items, (size_t)k);
}

START_TEST(released_and_declined_helpers_rank_lower_for_that_resident) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, other_res, decliner, leaver, fresh;
  person_create(&res, coord, fx.anna.id, "resident");
  person_create(&other_res, coord, fx.anna.id, "resident");
  volunteer_at(&decliner, coord, shopping, SITE_BLOCKED, 40);
  volunteer_at(&leaver, coord, shopping, SITE_BLOCKED, 40);
  volunteer_at(&fresh, coord, shopping, SITE_BLOCKED, 40);
  struct window w1, w2;
  desk_window(&w1, 2, 1, 10, 12);
  desk_window(&w2, 2, 2, 10, 12);

  /* the first request: one declines her offer, the other accepts and steps back */
  char *first = triaged_request(coord, res.tokens.access, shopping, &w1, SITE_BLOCKED);
  offer_to(coord, first, (const char *[]){decliner.id, NULL});
  json_t *offer = my_pending_offer(decliner.tokens.access);
  struct http_response r;
  offer_answer(&r, decliner.tokens.access, jstr(offer, "id"), "decline", NULL);
  assert_status(&r, 200);
  http_response_free(&r);
  json_decref(offer);
  match_from_my_list(coord, first, &leaver);
  json_t *task = request_as(leaver.tokens.access, first);
  release(&r, leaver.tokens.access, first, occurrence_id(task, 0), "Ik kan toch niet");
  assert_status(&r, 200);
  http_response_free(&r);
  json_decref(task);

  /* her next request: both still suggested, lower, each with the reason and factor */
  char *next = triaged_request(coord, res.tokens.access, shopping, &w2, SITE_BLOCKED);
  json_t *items = suggestions(coord, next, 50);
  json_t *d = suggestion_of_volunteer(items, decliner.id);
  json_t *l = suggestion_of_volunteer(items, leaver.id);
  json_t *f = suggestion_of_volunteer(items, fresh.id);
  ck_assert_str_eq(jstr(d, "penalty.reason"), "declined");
  ck_assert_str_eq(jstr(l, "penalty.reason"), "released");
  ck_assert(json_is_null(json_object_get(f, "penalty")));
  double fd = json_number_value(jpath(d, "penalty.factor")), fl = json_number_value(jpath(l, "penalty.factor"));
  ck_assert_msg(fd > 0 && fd < 1 && fl > 0 && fl < fd, "factors declined %f, released %f", fd, fl);
  double sd = json_number_value(json_object_get(d, "score")), sl = json_number_value(json_object_get(l, "score")),
         sf = json_number_value(json_object_get(f, "score"));
  ck_assert_msg(sf > sd && sd > sl, "scores fresh %f, declined %f, released %f", sf, sd, sl);
  ck_assert_double_eq_tol(sd, sf * fd, 0.001);
  ck_assert_double_eq_tol(sl, sf * fl, 0.001);
  ck_assert_int_lt(suggestion_index(items, fresh.id), suggestion_index(items, decliner.id));
  ck_assert_int_lt(suggestion_index(items, decliner.id), suggestion_index(items, leaver.id));
  ck_assert_msg(strstr(jstr(l, "reason"), "terug") != NULL, "%s", jstr(l, "reason"));
  json_decref(items);

  /* another resident's request: nothing counts against them */
  char *theirs = triaged_request(coord, other_res.tokens.access, shopping, &w2, SITE_BLOCKED);
  items = suggestions(coord, theirs, 50);
  ck_assert(json_is_null(json_object_get(suggestion_of_volunteer(items, decliner.id), "penalty")));
  ck_assert(json_is_null(json_object_get(suggestion_of_volunteer(items, leaver.id), "penalty")));
  json_decref(items);

  free(first);
  free(next);
  free(theirs);
  free(shopping);
  free(coord);
  person_free(&res);
  person_free(&other_res);
  person_free(&decliner);
  person_free(&leaver);
  person_free(&fresh);
}
END_TEST

Suite *volunteer_app_suite(void) {
  Suite *s = suite_create("volunteer_app");
  TCase *tc = desk_tcase("journey");
  tcase_add_test(tc, offers_answered_with_ids_from_her_own_lists);
  tcase_add_test(tc, volunteer_steps_back_before_the_start);
  tcase_add_test(tc, complete_only_once_started);
  tcase_add_test(tc, capacity_counts_the_week_in_question);
  tcase_add_test(tc, released_and_declined_helpers_rank_lower_for_that_resident);
  suite_add_tcase(s, tc);
  return s;
}
