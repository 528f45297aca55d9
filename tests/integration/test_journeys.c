/* Journeys of the resident, coordinator and professional apps (issue 12 item 10), each told
 * from that app's seat, as test_volunteer_app.c does for the volunteer app.
 *
 * The rule: every id a seat uses comes from that seat's own responses (its login, /v1/me, its
 * lists, what it created). The exceptions, each marked where it happens:
 * - the invitation code a resident registers with comes on paper from the desk, so it is taken
 *   from the desk's create-invitation response;
 * - occurrence_begin() moves an occurrence into the past through the owner connection, because
 *   a test cannot wait days until the help was given;
 * - the shared helpers of test_desk.h / test_cases.h build paths in the fixture's fx.anna: each
 *   seat first reads its community from its own /v1/me and checks it is that one.
 * Each step is one the app can take from what its own answers gave it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"
#include "test_desk.h"

/* ---------- what every seat does ---------- */

/* GET path as tok with Accept-Language: lang; asserts 200 and Content-Language: lang. */
static void get_in(struct http_response *r, const char *path, const char *tok, const char *lang) {
  char h[64];
  snprintf(h, sizeof h, "Accept-Language: %s", lang);
  const char *headers[] = {h, NULL};
  http_call_h(r, "GET", path, tok, NULL, headers);
  assert_status(r, 200);
  const char *cl = http_header(r, "Content-Language");
  ck_assert_msg(cl != NULL && strcmp(cl, lang) == 0, "%s: Content-Language %s, asked %s", path, cl ? cl : "(none)",
                lang);
}

/* The community the caller is a member of by that name, from her own GET /v1/me (owned id).
 * Checks it is the fixture's fx.anna, whose paths the shared helpers build. */
static char *my_community(const char *tok, const char *name) {
  struct http_response r;
  http_get(&r, "/v1/me", tok);
  assert_status(&r, 200);
  json_t *ms = json_object_get(r.json, "memberships");
  char *id = NULL;
  size_t i;
  json_t *m;
  json_array_foreach(ms, i, m) {
    if (jstr(m, "community.name") != NULL && strcmp(jstr(m, "community.name"), name) == 0)
      id = strdup(jstr(m, "community.id"));
  }
  ck_assert_msg(id != NULL, "not a member of %s: %s", name, r.body);
  ck_assert_str_eq(id, fx.anna.id);
  http_response_free(&r);
  return id;
}

/* Her own person id from GET /v1/me (owned). */
static char *my_id(const char *tok) { return me_id(tok); }

/* "/v1/communities/<community><suffix>" into buf. */
static void in_community(char *buf, size_t len, const char *community, const char *suffix) {
  int n = snprintf(buf, len, "/v1/communities/%s%s", community, suffix);
  ck_assert(n > 0 && (size_t)n < len);
}

/* An Idempotency-Key header line unique to this run and `what`. */
static void idempotency_key(char *buf, size_t len, const char *what) {
  snprintf(buf, len, "Idempotency-Key: journey-%s-%ld-%ld", what, (long)getpid(), (long)time(NULL));
}

/* A volunteer for shopping, `km` north of the site, weekdays 9-17, 40 hours a week. She
 * registers and fills in her profile herself (volunteer_create). */
static void volunteer_near(struct person *v, const char *coord, const char *shopping, enum site_id site, double km) {
  struct vol_spec s = vol_default(shopping, site, km, false);
  volunteer_create(v, coord, &s);
}

/* ---------- the volunteer's seat: only her own lists ---------- */

/* She accepts her only pending offer, its id from her own /v1/me/offers. */
static void volunteer_accepts_her_offer(const char *tok) {
  json_t *offers = list_walk("/v1/me/offers", tok, 100, NULL, NULL);
  json_t *pending = NULL;
  size_t i, n = 0;
  json_t *o;
  json_array_foreach(offers, i, o) {
    if (strcmp(jstr(o, "status"), "pending") == 0) {
      pending = o;
      n++;
    }
  }
  ck_assert_msg(n == 1, "%zu pending offers, expected one", n);
  struct http_response r;
  offer_answer(&r, tok, jstr(pending, "id"), "accept", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "accepted");
  http_response_free(&r);
  json_decref(offers);
}

/* Her only task in /v1/me/tasks (new reference). */
static json_t *volunteer_only_task(const char *tok) {
  json_t *tasks = list_walk("/v1/me/tasks", tok, 100, NULL, NULL);
  ck_assert_uint_eq(json_array_size(tasks), 1);
  json_t *t = json_incref(json_array_get(tasks, 0));
  json_decref(tasks);
  return t;
}

/* ---------- the desk's seat: its queue, suggestions and member list ---------- */

/* The desk's queue view (all items, new reference). */
static json_t *desk_queue(const char *coord, const char *community, const char *view) {
  char path[160], query[64];
  in_community(path, sizeof path, community, "/queue");
  snprintf(query, sizeof query, "view=%s", view);
  return list_walk(path, coord, 100, query, NULL);
}

/* The only request in the desk's `new` queue (owned id); its resident's id into *resident_id
 * (owned) when not NULL. */
static char *desk_only_new_request(const char *coord, const char *community, char **resident_id) {
  json_t *q = desk_queue(coord, community, "new");
  ck_assert_uint_eq(json_array_size(q), 1);
  json_t *item = json_array_get(q, 0);
  ck_assert_str_eq(jstr(item, "status"), "submitted");
  char *id = strdup(jstr(item, "id"));
  if (resident_id != NULL) *resident_id = strdup(jstr(item, "resident_id"));
  json_decref(q);
  return id;
}

/* The desk's top suggestion for the request (owned volunteer id). */
static char *desk_top_suggestion(const char *coord, const char *request) {
  json_t *items = suggestions(coord, request, 10);
  ck_assert_msg(json_array_size(items) > 0, "no suggestions");
  char *v = strdup(jstr(json_array_get(items, 0), "volunteer_id"));
  json_decref(items);
  return v;
}

/* Person id of the member with this e-mail address in the desk's own member list (owned). */
static char *desk_member_by_email(const char *coord, const char *community, const char *email) {
  char path[160];
  in_community(path, sizeof path, community, "/members");
  json_t *all = list_walk(path, coord, 100, NULL, NULL);
  json_t *m = find_item(all, "email", email);
  ck_assert_msg(m != NULL, "%s is not in the member list", email);
  char *id = strdup(jstr(m, "person_id"));
  json_decref(all);
  return id;
}

/* ---------- the resident's seat ---------- */

/* Her request as "my requests" shows it in lang (new reference); asserts the texts an app
 * shows are there. */
static json_t *my_request(const char *tok, const char *id, const char *lang) {
  struct http_response r;
  get_in(&r, "/v1/me/help-requests", tok, lang);
  json_t *item = find_item(json_object_get(r.json, "items"), "id", id);
  ck_assert_msg(item != NULL, "her request is not in /v1/me/help-requests: %s", r.body);
  ck_assert_msg(jstr(item, "status_label") != NULL && jstr(item, "status_label")[0] != '\0', "%s", r.body);
  ck_assert_msg(jstr(item, "next_step") != NULL && jstr(item, "next_step")[0] != '\0', "%s", r.body);
  json_incref(item);
  http_response_free(&r);
  return item;
}

/* Her request's status, label and next step in Dutch and in English: both there, and not the
 * same text. */
static void assert_request_reads(const char *tok, const char *id, const char *status) {
  json_t *nl = my_request(tok, id, "nl");
  json_t *en = my_request(tok, id, "en");
  ck_assert_str_eq(jstr(nl, "status"), status);
  ck_assert_str_eq(jstr(en, "status"), status);
  ck_assert_str_ne(jstr(nl, "status_label"), jstr(en, "status_label"));
  ck_assert_str_ne(jstr(nl, "next_step"), jstr(en, "next_step"));
  json_decref(nl);
  json_decref(en);
}

/* ---------- resident ---------- */

START_TEST(resident_is_invited_asks_for_help_and_is_helped) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person near, far;
  volunteer_near(&near, coord, shopping, SITE_QUEUE, 1.0);
  volunteer_near(&far, coord, shopping, SITE_QUEUE, 4.0);

  /* Exception: the invitation code comes on paper from the desk. */
  char *code = create_invitation(coord, fx.anna.id, "resident", NULL);
  char *email = unique_email("bep");
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                      "display_name", "Bep de Vries"));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "me.display_name"), "Bep de Vries");
  http_response_free(&r);

  /* she logs in on her phone */
  struct tokens bep;
  login(email, TEST_PASSWORD, &bep);
  char *community = my_community(bep.access, fx.anna.name);

  /* the kinds of help, in Dutch; the form takes "shopping" */
  char path[200];
  in_community(path, sizeof path, community, "/categories");
  get_in(&r, path, bep.access, "nl");
  json_t *cat = find_item(json_object_get(r.json, "items"), "code", "shopping");
  ck_assert_msg(cat != NULL, "%s", r.body);
  char *category = strdup(jstr(cat, "id"));
  char *label_nl = strdup(jstr(cat, "label"));
  http_response_free(&r);
  get_in(&r, path, bep.access, "en");
  ck_assert_str_ne(jstr(find_item(json_object_get(r.json, "items"), "id", category), "label"), label_nl);
  http_response_free(&r);

  /* she asks for help; the answer gets lost and the app sends it again with the same key */
  struct window w;
  desk_window(&w, 3, 1, 10, 12);
  json_t *body = request_body(category, &w, SITE_QUEUE, false);
  char key[128];
  idempotency_key(key, sizeof key, "ask");
  const char *keyed[] = {key, "Accept-Language: nl", NULL};
  in_community(path, sizeof path, community, "/help-requests");
  http_call_h(&r, "POST", path, bep.access, json_deep_copy(body), keyed);
  assert_status(&r, 201);
  char *req = strdup(jstr(r.json, "id"));
  ck_assert_msg(http_header(&r, "Location") != NULL && strstr(http_header(&r, "Location"), req) != NULL,
                "Location of the new request");
  ck_assert_str_eq(jstr(r.json, "status"), "submitted");
  ck_assert_msg(jstr(r.json, "next_step") != NULL, "%s", r.body);
  char *created_etag = http_header(&r, "ETag") ? strdup(http_header(&r, "ETag")) : NULL;
  http_response_free(&r);
  http_call_h(&r, "POST", path, bep.access, body, keyed);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "id"), req);
  ck_assert_str_eq(http_header(&r, "Idempotent-Replayed"), "true");
  http_response_free(&r);

  /* "my requests": one, received, with what happens next, in her language */
  json_t *mine = list_walk("/v1/me/help-requests", bep.access, 100, NULL, NULL);
  ck_assert_uint_eq(json_array_size(mine), 1);
  json_decref(mine);
  assert_request_reads(bep.access, req, "submitted");
  /* the app reads it again only when it changed: the ETag of the 201, else of a GET */
  char one[240];
  in_community(one, sizeof one, community, "/help-requests/");
  strncat(one, req, sizeof one - strlen(one) - 1);
  ck_assert_msg(created_etag != NULL, "the 201 of her new request has no ETag");
  /* she changes it while no helper is sought yet, with the ETag of the 201 */
  char if_match[160];
  snprintf(if_match, sizeof if_match, "If-Match: %s", created_etag);
  http_call_h(&r, "PATCH", one, bep.access, json_pack("{s:s}", "description", "Boodschappen en de apotheek"),
              (const char *[]){if_match, NULL});
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "description"), "Boodschappen en de apotheek");
  ck_assert_msg(http_header(&r, "ETag") != NULL, "the change has no ETag");
  free(created_etag);
  created_etag = strdup(http_header(&r, "ETag"));
  http_response_free(&r);
  const char *unchanged[] = {NULL, NULL};
  char inm[160];
  snprintf(inm, sizeof inm, "If-None-Match: %s", created_etag);
  unchanged[0] = inm;
  http_call_h(&r, "GET", one, bep.access, NULL, unchanged);
  assert_status(&r, 304);
  http_response_free(&r);

  /* the desk triages it and offers it to its top suggestion; that volunteer says yes from her
   * own list of offers */
  char *desk_req = desk_only_new_request(coord, fx.anna.id, NULL);
  request_action_ok(coord, desk_req, "triage", NULL, "triaged");
  assert_request_reads(bep.access, req, "triaged");
  char *top = desk_top_suggestion(coord, desk_req);
  offer_to(coord, desk_req, (const char *[]){top, NULL});
  assert_request_reads(bep.access, req, "offered");
  volunteer_accepts_her_offer(near.tokens.access);

  /* she sees who is coming; she would rather have someone else */
  assert_request_reads(bep.access, req, "matched");
  json_t *now = my_request(bep.access, req, "nl");
  ck_assert_msg(jstr(now, "matched_volunteer_name") != NULL, "who is coming?");
  ck_assert(json_is_false(json_object_get(now, "resident_confirmed")));
  char *first_helper = strdup(jstr(now, "matched_volunteer_id"));
  json_decref(now);
  request_action(&r, bep.access, req, "ask-other", json_pack("{s:s}", "note", "Liever iemand anders"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  http_response_free(&r);

  /* the desk offers again, to its new top suggestion, who accepts from her own list */
  char *second = desk_top_suggestion(coord, desk_req);
  ck_assert_str_ne(second, top);
  offer_to(coord, desk_req, (const char *[]){second, NULL});
  volunteer_accepts_her_offer(far.tokens.access);

  /* she confirms the new helper */
  now = my_request(bep.access, req, "nl");
  ck_assert_str_eq(jstr(now, "status"), "matched");
  char *helper = strdup(jstr(now, "matched_volunteer_id"));
  ck_assert_str_ne(helper, first_helper);
  json_decref(now);
  request_action(&r, bep.access, req, "confirm", NULL);
  assert_status(&r, 200);
  ck_assert(json_is_true(json_object_get(r.json, "resident_confirmed")));
  http_response_free(&r);
  /* confirmed: what happens next changes, and she can call her helper */
  now = my_request(bep.access, req, "nl");
  ck_assert_msg(strstr(jstr(now, "next_step"), "afgesproken tijd") != NULL, "%s", jstr(now, "next_step"));
  ck_assert_msg(jstr(now, "helper.first_name") != NULL, "no helper's first name once confirmed");
  ck_assert(json_object_get(json_object_get(now, "helper"), "phone") != NULL);
  json_decref(now);

  /* the visit: it began (exception: occurrence_begin, see the top), the helper reports it
   * done with the occurrence of her own task */
  json_t *task = volunteer_only_task(far.tokens.access);
  char *task_occ = strdup(occurrence_id(task, 0));
  json_decref(task);
  occurrence_begin(task_occ);
  occurrence_complete(&r, far.tokens.access, req, task_occ, 2);
  assert_status(&r, 200);
  http_response_free(&r);

  /* she sees it done, and gives feedback on the visit her own request lists */
  assert_request_reads(bep.access, req, "done");
  now = my_request(bep.access, req, "nl");
  json_t *occ = json_array_get(json_object_get(now, "occurrences"), 0);
  ck_assert_str_eq(jstr(occ, "status"), "done");
  ck_assert(json_is_null(json_object_get(occ, "feedback")));
  char fb_path[300], fb_suffix[120];
  snprintf(fb_suffix, sizeof fb_suffix, "/help-requests/%s/occurrences/%s/feedback", req, jstr(occ, "id"));
  in_community(fb_path, sizeof fb_path, community, fb_suffix);
  json_decref(now);
  http_call(&r, "POST", fb_path, bep.access, json_pack("{s:b, s:s}", "positive", 1, "text", "Heel fijn geholpen"));
  assert_status(&r, 200);
  ck_assert(json_is_true(jpath(r.json, "feedback.positive")));
  http_response_free(&r);
  now = my_request(bep.access, req, "en");
  ck_assert(json_is_true(jpath(now, "occurrences.0.feedback.positive")));
  json_decref(now);

  /* her helpers: the one who came next time too, not the first one; both ids are from her own
   * request as it showed them */
  in_community(path, sizeof path, community, "/helpers");
  http_call(&r, "PUT", path, bep.access, json_pack("{s:[s], s:[s]}", "preferred", helper, "blocked", first_helper));
  assert_status(&r, 200);
  http_response_free(&r);
  http_get(&r, path, bep.access);
  assert_status(&r, 200);
  ck_assert(jarray_has_string(json_object_get(r.json, "preferred"), helper));
  ck_assert(jarray_has_string(json_object_get(r.json, "blocked"), first_helper));
  http_response_free(&r);

  /* the desk, for her next request: her helper first and marked preferred, the other never */
  desk_window(&w, 3, 2, 10, 12);
  free(request_create(bep.access, request_body(category, &w, SITE_QUEUE, false), NULL));
  char *next = desk_only_new_request(coord, fx.anna.id, NULL);
  request_action_ok(coord, next, "triage", NULL, "triaged");
  json_t *items = suggestions(coord, next, 10);
  int k = suggestion_index(items, second);
  ck_assert_int_eq(k, 0);
  ck_assert_double_eq(json_number_value(jpath(json_array_get(items, 0), "factors.preferred")), 1.0);
  ck_assert_int_lt(suggestion_index(items, top), 0);
  json_decref(items);

  free(next);
  free(task_occ);
  free(helper);
  free(second);
  free(first_helper);
  free(top);
  free(desk_req);
  free(created_etag);
  free(req);
  free(label_nl);
  free(category);
  free(community);
  tokens_free(&bep);
  free(email);
  free(code);
  free(shopping);
  free(coord);
  person_free(&near);
  person_free(&far);
}
END_TEST

/* ---------- coordinator ---------- */

/* Suggestions for the request in lang (items, new reference). */
static json_t *suggestions_in(const char *coord, const char *community, const char *request, const char *lang) {
  char path[300], suffix[120];
  snprintf(suffix, sizeof suffix, "/help-requests/%s/suggestions?limit=10", request);
  in_community(path, sizeof path, community, suffix);
  struct http_response r;
  get_in(&r, path, coord, lang);
  json_t *items = json_incref(json_object_get(r.json, "items"));
  http_response_free(&r);
  return items;
}

START_TEST(coordinator_triages_offers_and_offers_again_after_a_step_back) {
  char *shopping;
  struct person res, near, far;
  {
    char *setup = fixture_login(&fx.coordinator); /* makes the people of the story */
    shopping = category_id(setup, "shopping");
    person_create(&res, setup, fx.anna.id, "resident");
    volunteer_near(&near, setup, shopping, SITE_QUEUE, 1.0);
    volunteer_near(&far, setup, shopping, SITE_QUEUE, 4.0);
    free(setup);
  }
  /* the resident asks, from her seat */
  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  free(request_create(res.tokens.access, request_body(shopping, &w, SITE_QUEUE, false), NULL));

  /* the coordinator logs in and opens the queue of new requests */
  struct tokens desk;
  login(fx.coordinator.email, FIXTURE_PASSWORD, &desk);
  const char *coord = desk.access;
  char *community = my_community(coord, fx.anna.name);
  char *req = desk_only_new_request(coord, community, NULL);
  /* the queue reads in the coordinator's language */
  char queue[160];
  in_community(queue, sizeof queue, community, "/queue?view=new");
  const char *label[2];
  struct http_response ql[2];
  const char *langs[] = {"nl", "en"};
  for (size_t i = 0; i < 2; i++) {
    get_in(&ql[i], queue, coord, langs[i]);
    label[i] = jstr(find_item(json_object_get(ql[i].json, "items"), "id", req), "status_label");
    ck_assert_msg(label[i] != NULL, "%s", ql[i].body);
  }
  ck_assert_str_ne(label[0], label[1]);
  http_response_free(&ql[0]);
  http_response_free(&ql[1]);

  /* triage, with a note from the phone call */
  struct http_response r;
  json_t *triage = triage_body(NULL);
  json_object_set_new(triage, "note", json_string("Gebeld, het klopt"));
  request_action(&r, coord, req, "triage", triage);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  http_response_free(&r);
  json_t *q = desk_queue(coord, community, "new");
  ck_assert(!list_has(q, req));
  json_decref(q);

  /* suggestions: the same people in the same order, the reasons in the reader's language */
  json_t *nl = suggestions_in(coord, community, req, "nl");
  json_t *en = suggestions_in(coord, community, req, "en");
  ck_assert_uint_eq(json_array_size(nl), 2);
  ck_assert_uint_eq(json_array_size(en), 2);
  for (size_t i = 0; i < 2; i++) {
    json_t *a = json_array_get(nl, i), *b = json_array_get(en, i);
    ck_assert_str_eq(jstr(a, "volunteer_id"), jstr(b, "volunteer_id"));
    ck_assert_msg(strstr(jstr(b, "reason"), "km away") != NULL, "en: %s", jstr(b, "reason"));
    ck_assert_msg(strstr(jstr(a, "reason"), "km away") == NULL, "nl reason in English: %s", jstr(a, "reason"));
    ck_assert_msg(strstr(jstr(a, "reason"), "km") != NULL, "nl: %s", jstr(a, "reason"));
  }
  char *top = strdup(jstr(json_array_get(nl, 0), "volunteer_id"));
  char *runner_up = strdup(jstr(json_array_get(nl, 1), "volunteer_id"));
  json_decref(nl);
  json_decref(en);

  /* offers to the top suggestion; the volunteer says yes from her own list */
  offer_to(coord, req, (const char *[]){top, NULL});
  volunteer_accepts_her_offer(near.tokens.access);
  request_get(&r, coord, req);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  ck_assert_str_eq(jstr(r.json, "matched_volunteer_id"), top);
  http_response_free(&r);
  q = desk_queue(coord, community, "unconfirmed");
  ck_assert_msg(list_has(q, req), "matched, unconfirmed, not in the unconfirmed queue");
  json_decref(q);

  /* the volunteer cannot come: she steps back from the occurrence of her own task */
  json_t *task = volunteer_only_task(near.tokens.access);
  const char *reason = "Ik moet die dag werken";
  char suffix[200], path[300];
  snprintf(suffix, sizeof suffix, "/help-requests/%s/occurrences/%s/release", jstr(task, "id"), occurrence_id(task, 0));
  in_community(path, sizeof path, jstr(task, "community_id"), suffix);
  json_decref(task);
  char key[128];
  idempotency_key(key, sizeof key, "release");
  http_call_h(&r, "POST", path, near.tokens.access, json_pack("{s:s}", "reason", reason), (const char *[]){key, NULL});
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "open");
  ck_assert_msg(jstr(r.json, "status_label") != NULL, "the occurrence she gave back has no label: %s", r.body);
  http_response_free(&r);

  /* the coordinator finds it among the requests that need attention, with the reason */
  q = desk_queue(coord, community, "needs_attention");
  json_t *item = find_item(q, "id", req);
  ck_assert_msg(item != NULL, "a request whose helper stepped back is not in needs_attention");
  ck_assert_str_eq(jstr(item, "stepped_back.reason"), reason);
  ck_assert_str_eq(jstr(item, "status"), "triaged");
  json_decref(q);

  /* she offers again: the one who stepped back is not suggested, the other is the top now */
  json_t *again = suggestions(coord, req, 10);
  ck_assert_int_lt(suggestion_index(again, top), 0);
  ck_assert_str_eq(jstr(json_array_get(again, 0), "volunteer_id"), runner_up);
  json_decref(again);
  offer_to(coord, req, (const char *[]){runner_up, NULL});
  volunteer_accepts_her_offer(far.tokens.access);
  request_get(&r, coord, req);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  ck_assert_str_eq(jstr(r.json, "matched_volunteer_id"), runner_up);
  ck_assert(json_is_null(json_object_get(r.json, "stepped_back")));
  http_response_free(&r);
  q = desk_queue(coord, community, "needs_attention");
  ck_assert(!list_has(q, req));
  json_decref(q);

  free(top);
  free(runner_up);
  free(req);
  free(community);
  tokens_free(&desk);
  free(shopping);
  person_free(&res);
  person_free(&near);
  person_free(&far);
}
END_TEST

/* ---------- professional ---------- */

/* The only open case in the caller's own GET /cases (new reference). */
static json_t *my_only_case(const char *tok, const char *community) {
  char path[160];
  in_community(path, sizeof path, community, "/cases");
  json_t *all = list_walk(path, tok, 100, NULL, NULL);
  ck_assert_uint_eq(json_array_size(all), 1);
  json_t *c = json_incref(json_array_get(all, 0));
  json_decref(all);
  return c;
}

START_TEST(professional_joins_a_case_leads_it_and_answers_a_signal) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  volunteer_near(&v, coord, shopping, SITE_QUEUE, 1.0);
  struct window w;
  desk_window(&w, 4, 1, 10, 12);
  char *res_req = request_create(res.tokens.access, request_body(shopping, &w, SITE_QUEUE, false), NULL);

  /* the desk matches the request and opens a case about it, with the professional of the
   * wijkteam and the volunteer: every id from the desk's own queue, request and member list */
  char *resident_id = NULL;
  char *req = desk_only_new_request(coord, fx.anna.id, &resident_id);
  request_action_ok(coord, req, "triage", NULL, "triaged");
  char *vid = desk_top_suggestion(coord, req);
  offer_to(coord, req, (const char *[]){vid, NULL});
  volunteer_accepts_her_offer(v.tokens.access);
  char cases[160];
  in_community(cases, sizeof cases, fx.anna.id, "/cases");
  struct http_response r;
  http_call(
      &r, "POST", cases, coord,
      json_pack("{s:s, s:s, s:s}", "subject_id", resident_id, "title", "Thuis blijven wonen", "help_request_id", req));
  assert_status(&r, 201);
  char *desk_case = strdup(jstr(r.json, "id"));
  http_response_free(&r);
  char *prof_id = desk_member_by_email(coord, fx.anna.id, fx.professional.email);
  free(participant_add(coord, desk_case, prof_id, "professional", "wijkteam", false));
  free(participant_add(coord, desk_case, vid, "volunteer", NULL, false));

  /* the professional logs in and finds the case in her own list: restricted, no consent yet */
  struct tokens pro;
  login(fx.professional.email, FIXTURE_PASSWORD, &pro);
  char *me = my_id(pro.access);
  char *community = my_community(pro.access, fx.anna.name);
  json_t *c = my_only_case(pro.access, community);
  char *case_id = strdup(jstr(c, "id"));
  ck_assert(json_is_true(json_object_get(c, "restricted")));
  ck_assert(json_is_null(json_object_get(c, "title")));
  json_decref(c);

  /* the resident finds the case from her own request, and in her own list of cases */
  json_t *hers = my_request(res.tokens.access, res_req, "nl");
  char *res_case = strdup(jstr(hers, "case_id"));
  json_decref(hers);
  c = my_only_case(res.tokens.access, fx.anna.id);
  ck_assert_str_eq(jstr(c, "id"), res_case);
  json_decref(c);
  /* she sees who is on it and gives the professional consent for the case and for notes */
  case_get(&r, res.tokens.access, res_case);
  assert_status(&r, 200);
  json_t *p = find_item(json_object_get(r.json, "participants"), "role", "professional");
  ck_assert_msg(p != NULL, "%s", r.body);
  ck_assert_str_eq(jstr(p, "organisation"), "wijkteam");
  char *grantee = strdup(jstr(p, "person_id"));
  http_response_free(&r);
  consent_record(res.tokens.access, res_case, grantee, NULL, "basic", true);
  consent_record(res.tokens.access, res_case, grantee, NULL, "notes", true);

  /* the professional reads the whole case now, and again only when it changed */
  case_get(&r, pro.access, case_id);
  assert_status(&r, 200);
  ck_assert(json_is_false(json_object_get(r.json, "restricted")));
  ck_assert_str_eq(jstr(r.json, "title"), "Thuis blijven wonen");
  ck_assert_msg(jstr(r.json, "status_label") != NULL, "%s", r.body);
  char inm[160];
  snprintf(inm, sizeof inm, "If-None-Match: %s", http_header(&r, "ETag"));
  http_response_free(&r);
  char one[240];
  case_path(one, sizeof one, case_id, NULL);
  http_call_h(&r, "GET", one, pro.access, NULL, (const char *[]){inm, NULL});
  assert_status(&r, 304);
  http_response_free(&r);

  /* her app reads English: the case's label follows Accept-Language */
  http_call_h(&r, "GET", one, pro.access, NULL, (const char *[]){"Accept-Language: en", NULL});
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status_label"), "Ongoing");
  ck_assert_str_eq(http_header(&r, "Content-Language"), "en");
  http_response_free(&r);

  /* she takes over as lead: the lead (the desk) hands over to her, she cannot take it herself */
  lead_post(&r, pro.access, case_id, me, "Ik neem het over");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  lead_handover(coord, desk_case, prof_id, "Wijkteam neemt het over");
  case_get(&r, pro.access, case_id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "lead.person_id"), me);
  http_response_free(&r);

  /* an action for herself, moved on with the ETag of its 201, then of the 200 */
  char *etag = NULL;
  char *action = action_create(pro.access, case_id, "Wmo-aanvraag indienen", me, NULL, &etag);
  ck_assert_msg(etag != NULL, "no ETag on the new action");
  action_patch(&r, pro.access, case_id, action, json_pack("{s:s}", "status", "in_progress"), etag);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "in_progress");
  ck_assert_msg(jstr(r.json, "status_label") != NULL, "%s", r.body);
  char *etag2 = strdup(http_header(&r, "ETag"));
  ck_assert_str_ne(etag2, etag);
  http_response_free(&r);
  /* her actions across cases: the ones she owns, and the ones of the cases she leads */
  const char *scopes[] = {"scope=owned", "scope=led"};
  for (size_t i = 0; i < 2; i++) {
    json_t *mine = list_walk("/v1/me/actions", pro.access, 100, scopes[i], NULL);
    json_t *a = find_item(mine, "id", action);
    ck_assert_msg(a != NULL, "%s: her action is missing", scopes[i]);
    ck_assert_str_eq(jstr(a, "case_id"), case_id);
    ck_assert_str_eq(jstr(a, "community_id"), community);
    ck_assert_str_eq(jstr(a, "owner_id"), me);
    ck_assert_msg(jstr(a, "owner_name") != NULL, "%s: owner_name is null", scopes[i]);
    json_decref(mine);
  }
  /* the old ETag is stale now */
  action_patch(&r, pro.access, case_id, action, json_pack("{s:s}", "status", "done"), etag);
  assert_problem(&r, 412, NULL);
  http_response_free(&r);
  /* after a 412 her app reads the action again for its ETag */
  char action_one[300];
  snprintf(action_one, sizeof action_one, "%s/actions/%s", one, action);
  http_get(&r, action_one, pro.access);
  assert_status(&r, 200);
  ck_assert_str_eq(http_header(&r, "ETag"), etag2);
  http_response_free(&r);
  action_patch(&r, pro.access, case_id, action, json_pack("{s:s}", "status", "done"), etag2);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  http_response_free(&r);

  /* the volunteer finds the case in her own list and posts a signal */
  c = my_only_case(v.tokens.access, fx.anna.id);
  char signals[240];
  case_path(signals, sizeof signals, jstr(c, "id"), "/signals");
  json_decref(c);
  http_call(&r, "POST", signals, v.tokens.access,
            json_pack("{s:s}", "text", "Mevrouw was vandaag erg in de war en had niet gegeten"));
  assert_status(&r, 201);
  ck_assert(json_is_true(json_object_get(r.json, "needs_response")));
  http_response_free(&r);

  /* the professional, lead with notes consent, sees it among her signals and acknowledges it */
  json_t *sigs = list_walk("/v1/me/signals", pro.access, 100, NULL, NULL);
  json_t *s = find_item(sigs, "case_id", case_id);
  ck_assert_msg(s != NULL, "the volunteer's signal is not in the lead's /v1/me/signals");
  ck_assert_str_eq(jstr(s, "community_id"), community);
  char ack[300], ack_suffix[120];
  snprintf(ack_suffix, sizeof ack_suffix, "/timeline/%s/acknowledge", jstr(s, "id"));
  case_path(ack, sizeof ack, case_id, ack_suffix);
  json_decref(sigs);
  http_call(&r, "POST", ack, pro.access, json_object());
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "acknowledged_by"), me);
  ck_assert(json_is_false(json_object_get(r.json, "needs_response")));
  http_response_free(&r);
  sigs = list_walk("/v1/me/signals", pro.access, 100, NULL, NULL);
  ck_assert_msg(find_item(sigs, "case_id", case_id) == NULL, "an acknowledged signal is still waiting");
  json_decref(sigs);

  free(etag);
  free(etag2);
  free(action);
  free(grantee);
  free(res_case);
  free(case_id);
  free(community);
  free(me);
  tokens_free(&pro);
  free(prof_id);
  free(desk_case);
  free(vid);
  free(req);
  free(resident_id);
  free(res_req);
  free(shopping);
  free(coord);
  person_free(&res);
  person_free(&v);
}
END_TEST

Suite *journeys_suite(void) {
  Suite *s = suite_create("journeys");
  TCase *tc = desk_tcase("apps");
  tcase_add_test(tc, resident_is_invited_asks_for_help_and_is_helped);
  tcase_add_test(tc, coordinator_triages_offers_and_offers_again_after_a_step_back);
  tcase_add_test(tc, professional_joins_a_case_leads_it_and_answers_a_signal);
  suite_add_tcase(s, tc);
  return s;
}
