/* Offline sync (issue 12 items 3, 5 and 8.4): every list that takes updated_since returns
 * tombstones {id, updated_at, deleted} for what left the caller's list since, and a sync_token to
 * pass back as updated_since; every list item carries the ETag its own GET sends, usable as
 * If-Match; one case action has a GET of its own; a created help request comes with its ETag;
 * /v1/me/actions?scope=led names the owners.
 *
 * Each app is tested from its own seat: the ids a test uses as the volunteer, the resident or
 * the professional come from that person's own responses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"
#include "test_desk.h"

/* GET path (with query, NULL for none) as tok, asserting 200 and a sync_token; returns the body
 * (new reference) and the token in *token (owned) when not NULL. */
static json_t *sync_get(const char *path, const char *query, const char *tok, char **token) {
  char url[512];
  snprintf(url, sizeof url, "%s%s%s", path, query != NULL ? (strchr(path, '?') ? "&" : "?") : "",
           query != NULL ? query : "");
  struct http_response r;
  http_get(&r, url, tok);
  assert_status(&r, 200);
  const char *t = jstr(r.json, "sync_token");
  ck_assert_msg(t != NULL, "%s without sync_token: %.300s", url, r.body);
  int64_t us = 0;
  ck_assert_msg(parse_rfc3339(t, &us) == 0 && strlen(t) == 27 && t[26] == 'Z', "sync_token %s", t);
  if (token != NULL) *token = strdup(t);
  json_t *body = json_incref(r.json);
  http_response_free(&r);
  return body;
}

/* GET path as tok, asserting 200; the body (new reference). */
static json_t *page_get(const char *path, const char *tok) {
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  json_t *body = json_incref(r.json);
  http_response_free(&r);
  return body;
}

/* "updated_since=<token>" into buf. */
static const char *since_query(char *buf, size_t len, const char *token) {
  char *enc = url_encode(token);
  snprintf(buf, len, "updated_since=%s", enc);
  free(enc);
  return buf;
}

/* The item of the page with this id (borrowed), or NULL. */
static json_t *item_of(json_t *body, const char *id) { return find_item(json_object_get(body, "items"), "id", id); }

static void assert_tombstone(json_t *body, const char *id) {
  json_t *t = item_of(body, id);
  ck_assert_msg(t != NULL, "no tombstone for %s in %.600s", id, json_dumps(body, 0));
  ck_assert_msg(json_is_true(json_object_get(t, "deleted")), "not a tombstone: %s", json_dumps(t, 0));
  ck_assert_msg(json_object_size(t) == 3 && jstr(t, "updated_at") != NULL, "tombstone shape: %s", json_dumps(t, 0));
}

static void assert_live(json_t *body, const char *id) {
  json_t *t = item_of(body, id);
  ck_assert_msg(t != NULL, "%s missing from %.600s", id, json_dumps(body, 0));
  ck_assert_msg(json_object_get(t, "deleted") == NULL || json_is_false(json_object_get(t, "deleted")), "%s deleted",
                id);
  ck_assert_msg(jstr(t, "etag") != NULL, "list item without etag: %s", json_dumps(t, 0));
}

/* A request of the resident that the coordinator boards, and the volunteer claims from her own
 * board. Returns the id as the volunteer's board gave it (owned). */
static char *claimed_from_board(const char *coord, const char *resident, const struct person *v, const char *category,
                                int weeks_ahead) {
  struct window w;
  desk_window(&w, 3, weeks_ahead, 10, 12);
  char *desk_id = request_create(resident, request_body(category, &w, SITE_BOARD, false), NULL);
  request_action_ok(coord, desk_id, "triage", NULL, "triaged");
  request_action_ok(coord, desk_id, "board", NULL, "triaged");
  char board[160];
  community_path(board, sizeof board, &fx.anna, "/board");
  json_t *items = list_all(board, v->tokens.access, NULL);
  ck_assert_msg(list_has(items, desk_id), "not on the volunteer's board");
  char *id = strdup(desk_id);
  json_decref(items);
  free(desk_id);
  char path[240];
  request_path(path, sizeof path, id, "/claim");
  struct http_response r;
  http_call(&r, "POST", path, v->tokens.access, NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  ck_assert_msg(http_header(&r, "etag") != NULL, "claim without ETag");
  http_response_free(&r);
  return id;
}

/* A completed task leaves /v1/me/tasks: a tombstone with updated_since, gone without it. */
START_TEST(task_done_tombstone) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_BOARD, 1.0, false);
  volunteer_create(&v, coord, &s);
  char *id = claimed_from_board(coord, res, &v, shopping, 2);

  char *token = NULL;
  json_t *tasks = sync_get("/v1/me/tasks", NULL, v.tokens.access, &token);
  assert_live(tasks, id);
  json_decref(tasks);

  /* the volunteer completes it, with the occurrence id of her own task list */
  tasks = sync_get("/v1/me/tasks", NULL, v.tokens.access, NULL);
  char *occ = strdup(occurrence_id(item_of(tasks, id), 0));
  json_decref(tasks);
  occurrence_begin(occ); /* it has begun: completing is allowed from then on */
  struct http_response r;
  occurrence_complete(&r, v.tokens.access, id, occ, 1.5);
  assert_status(&r, 200);
  http_response_free(&r);
  request_get(&r, coord, id);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  http_response_free(&r);
  free(occ);

  char q[160];
  tasks = sync_get("/v1/me/tasks", since_query(q, sizeof q, token), v.tokens.access, NULL);
  assert_tombstone(tasks, id);
  json_decref(tasks);
  tasks = sync_get("/v1/me/tasks", NULL, v.tokens.access, NULL);
  ck_assert_msg(item_of(tasks, id) == NULL, "a finished task stays in the list");
  json_decref(tasks);

  free(token);
  free(id);
  person_free(&v);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* "Someone else, please": the task leaves the helper's list; the pending offer of another volunteer
 * that the coordinator takes back leaves hers. */
START_TEST(task_handed_back_tombstone) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct person v;
  struct vol_spec s = vol_default(shopping, SITE_BOARD, 1.0, false);
  volunteer_create(&v, coord, &s);
  char *id = claimed_from_board(coord, res, &v, shopping, 3);
  char *token = NULL;
  json_decref(sync_get("/v1/me/tasks", NULL, v.tokens.access, &token));

  /* the resident asks for someone else, with the id from her own list */
  json_t *mine = sync_get("/v1/me/help-requests", NULL, res, NULL);
  assert_live(mine, id);
  json_decref(mine);
  request_action_ok(res, id, "ask-other", json_pack("{s:s}", "note", "Liever iemand anders"), "triaged");

  char q[160];
  json_t *tasks = sync_get("/v1/me/tasks", since_query(q, sizeof q, token), v.tokens.access, NULL);
  assert_tombstone(tasks, id);
  json_decref(tasks);
  free(token);
  free(id);
  person_free(&v);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* A professional taken off a case: the case and the action she owned come back as tombstones in
 * her lists with updated_since, and are gone from them without it. */
START_TEST(professional_removed_tombstones) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *desk_case = case_open(coord, fx.resident1.id, "Wijkteam tijdelijk", NULL);
  char *participant_id = participant_add(coord, desk_case, fx.professional.id, "professional", "wijkteam", false);
  free(action_create(coord, desk_case, "Indicatie aanvragen", fx.professional.id, NULL, NULL));

  char cases[160];
  community_path(cases, sizeof cases, &fx.anna, "/cases");
  char *token = NULL;
  json_t *list = sync_get(cases, NULL, prof, &token);
  ck_assert_uint_eq(json_array_size(json_object_get(list, "items")), 1);
  char *case_id = strdup(jstr(json_array_get(json_object_get(list, "items"), 0), "id"));
  assert_live(list, case_id);
  json_decref(list);
  json_t *actions = sync_get("/v1/me/actions", NULL, prof, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(actions, "items")), 1);
  char *action_id = strdup(jstr(json_array_get(json_object_get(actions, "items"), 0), "id"));
  json_decref(actions);

  /* the coordinator (the lead) takes her off the case, with the id of his own answer */
  char participant[240];
  case_path(participant, sizeof participant, desk_case, "/participants/");
  strncat(participant, participant_id, sizeof participant - strlen(participant) - 1);
  struct http_response r;
  http_call(&r, "DELETE", participant, coord, NULL);
  assert_status(&r, 204);
  http_response_free(&r);

  char q[160];
  since_query(q, sizeof q, token);
  list = sync_get(cases, q, prof, NULL);
  assert_tombstone(list, case_id);
  json_decref(list);
  actions = sync_get("/v1/me/actions", q, prof, NULL);
  assert_tombstone(actions, action_id);
  json_decref(actions);
  /* and without updated_since nothing of the case is left */
  list = sync_get(cases, NULL, prof, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(list, "items")), 0);
  json_decref(list);
  actions = sync_get("/v1/me/actions", NULL, prof, NULL);
  ck_assert_msg(item_of(actions, action_id) == NULL, "the action of a case she left is still hers to read");
  json_decref(actions);

  free(action_id);
  free(case_id);
  free(token);
  free(participant_id);
  free(desk_case);
  free(prof);
  free(coord);
}
END_TEST

/* Removed from the community: her requests leave /v1/me/help-requests (row-level security hides
 * them from now on), as tombstones with updated_since. */
START_TEST(member_removed_tombstones) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res;
  person_create(&res, coord, fx.anna.id, "resident");
  struct window w;
  desk_window(&w, 5, 1, 10, 11);
  free(request_create(res.tokens.access, request_body(shopping, &w, SITE_LISTS, false), NULL));
  char *token = NULL;
  json_t *mine = sync_get("/v1/me/help-requests", NULL, res.tokens.access, &token);
  ck_assert_uint_eq(json_array_size(json_object_get(mine, "items")), 1);
  char *id = strdup(jstr(json_array_get(json_object_get(mine, "items"), 0), "id"));
  json_decref(mine);

  char member[200];
  snprintf(member, sizeof member, "%s/members/%s", fx.anna.path, res.id);
  struct http_response r;
  http_call(&r, "DELETE", member, coord, NULL);
  assert_status(&r, 204);
  http_response_free(&r);

  char q[160];
  mine = sync_get("/v1/me/help-requests", since_query(q, sizeof q, token), res.tokens.access, NULL);
  assert_tombstone(mine, id);
  json_decref(mine);
  mine = sync_get("/v1/me/help-requests", NULL, res.tokens.access, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(mine, "items")), 0);
  json_decref(mine);
  free(id);
  free(token);
  person_free(&res);
  free(shopping);
  free(coord);
}
END_TEST

/* The desk's views of one status: a triaged request leaves the "submitted" list and the "new" queue
 * as a tombstone with updated_since. */
START_TEST(desk_views_tombstones) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(coord, "shopping");
  struct window w;
  desk_window(&w, 1, 2, 10, 11);
  free(request_create(res, request_body(shopping, &w, SITE_QUEUE, false), NULL));
  char submitted[200], queue[200];
  community_path(submitted, sizeof submitted, &fx.anna, "/help-requests?status=submitted");
  community_path(queue, sizeof queue, &fx.anna, "/queue?view=new");
  char *token = NULL;
  json_t *page = sync_get(submitted, NULL, coord, &token);
  ck_assert_uint_eq(json_array_size(json_object_get(page, "items")), 1);
  char *id = strdup(jstr(json_array_get(json_object_get(page, "items"), 0), "id"));
  assert_live(page, id);
  json_decref(page);
  page = sync_get(queue, NULL, coord, NULL);
  assert_live(page, id);
  json_decref(page);

  request_action_ok(coord, id, "triage", NULL, "triaged");
  char q[160];
  since_query(q, sizeof q, token);
  page = sync_get(submitted, q, coord, NULL);
  assert_tombstone(page, id);
  json_decref(page);
  page = sync_get(queue, q, coord, NULL);
  assert_tombstone(page, id);
  json_decref(page);
  page = sync_get(submitted, NULL, coord, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(page, "items")), 0);
  json_decref(page);
  /* the view it moved into lists it as it is */
  char triaged[200];
  community_path(triaged, sizeof triaged, &fx.anna, "/help-requests?status=triaged");
  page = sync_get(triaged, q, coord, NULL);
  assert_live(page, id);
  json_decref(page);
  free(id);
  free(token);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* A closed case leaves the open list; a finished action leaves its owner's and the lead's lists;
 * a handed-over lead loses the case's actions from her led list. */
START_TEST(case_closed_and_actions_finished) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *desk_case = case_with_participants(coord, "Afsluiten en afvinken");
  char *etag = NULL;
  free(action_create(coord, desk_case, "Formulier invullen", fx.professional.id, NULL, &etag));
  free(etag);
  free(action_create(coord, desk_case, "Buren vragen", fx.volunteer1.id, NULL, NULL));

  char *led_token = NULL;
  json_t *led = sync_get("/v1/me/actions?scope=led", NULL, coord, &led_token);
  ck_assert_uint_eq(json_array_size(json_object_get(led, "items")), 2);
  json_decref(led);
  char *own_token = NULL;
  json_t *own = sync_get("/v1/me/actions", NULL, prof, &own_token);
  json_t *item = json_array_get(json_object_get(own, "items"), 0);
  char *action_id = strdup(jstr(item, "id"));
  char *case_id = strdup(jstr(item, "case_id"));
  char *item_etag = strdup(jstr(item, "etag"));
  json_decref(own);

  /* done, with the list's etag as If-Match */
  struct http_response r;
  action_patch(&r, prof, case_id, action_id, json_pack("{s:s}", "status", "done"), item_etag);
  assert_status(&r, 200);
  http_response_free(&r);
  char q[160];
  own = sync_get("/v1/me/actions", since_query(q, sizeof q, own_token), prof, NULL);
  assert_tombstone(own, action_id);
  json_decref(own);
  led = sync_get("/v1/me/actions?scope=led", since_query(q, sizeof q, led_token), coord, NULL);
  assert_tombstone(led, action_id);
  json_decref(led);

  /* handing the lead over takes the other action from the former lead's list */
  free(led_token);
  led = sync_get("/v1/me/actions?scope=led", NULL, coord, &led_token);
  ck_assert_uint_eq(json_array_size(json_object_get(led, "items")), 1);
  char *other_id = strdup(jstr(json_array_get(json_object_get(led, "items"), 0), "id"));
  json_decref(led);
  char cases[160];
  community_path(cases, sizeof cases, &fx.anna, "/cases");
  char *case_token = NULL;
  json_decref(sync_get(cases, NULL, coord, &case_token));
  char *prof_case_token = NULL;
  json_decref(sync_get(cases, NULL, prof, &prof_case_token));
  lead_post(&r, coord, desk_case, fx.professional.id, "wijkteam neemt het over");
  assert_status(&r, 200);
  ck_assert_msg(http_header(&r, "etag") != NULL, "handover without ETag");
  http_response_free(&r);
  led = sync_get("/v1/me/actions?scope=led", since_query(q, sizeof q, led_token), coord, NULL);
  assert_tombstone(led, other_id);
  json_decref(led);
  led = sync_get("/v1/me/actions?scope=led", NULL, coord, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(led, "items")), 0);
  json_decref(led);
  /* the new lead hears of it through the case, now hers to lead, and reads her led list whole */
  json_t *open_cases = sync_get(cases, since_query(q, sizeof q, prof_case_token), prof, NULL);
  ck_assert_str_eq(jstr(item_of(open_cases, case_id), "lead.person_id"), fx.professional.id);
  json_decref(open_cases);
  json_t *new_led = sync_get("/v1/me/actions?scope=led", NULL, prof, NULL);
  assert_live(new_led, other_id);
  json_decref(new_led);
  free(prof_case_token);
  free(other_id);

  /* the new lead closes it: it leaves everyone's open list */
  char close[240];
  case_path(close, sizeof close, case_id, "/close");
  http_call(&r, "POST", close, prof, json_pack("{s:s}", "outcome", "geregeld"));
  assert_status(&r, 200);
  ck_assert_msg(http_header(&r, "etag") != NULL, "close without ETag");
  http_response_free(&r);
  json_t *open = sync_get(cases, since_query(q, sizeof q, case_token), coord, NULL);
  assert_tombstone(open, case_id);
  json_decref(open);
  open = sync_get(cases, NULL, coord, NULL);
  ck_assert_msg(item_of(open, case_id) == NULL, "a closed case in the open list");
  json_decref(open);

  free(case_token);
  free(item_etag);
  free(case_id);
  free(action_id);
  free(own_token);
  free(led_token);
  free(desk_case);
  free(prof);
  free(coord);
}
END_TEST

/* The token of one read, passed back as updated_since, brings what changed after it. */
START_TEST(sync_token_round_trip) {
  char *res = fixture_login(&fx.resident1);
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  char *token = NULL;
  struct http_response r;
  http_get(&r, "/v1/me", res);
  assert_status(&r, 200);
  http_response_free(&r);
  json_t *mine = sync_get("/v1/me/help-requests", NULL, res, &token);
  ck_assert_uint_eq(json_array_size(json_object_get(mine, "items")), 0);
  json_decref(mine);
  struct window w;
  desk_window(&w, 2, 1, 10, 11);
  char *id = request_create(res, request_body(shopping, &w, SITE_LISTS, false), NULL);
  char q[160];
  char *next = NULL;
  mine = sync_get("/v1/me/help-requests", since_query(q, sizeof q, token), res, &next);
  assert_live(mine, id);
  json_decref(mine);
  /* the token is the server's time as of the read, never ahead of it */
  int64_t t1 = 0, t2 = 0;
  ck_assert(parse_rfc3339(token, &t1) == 0 && parse_rfc3339(next, &t2) == 0);
  ck_assert_msg(t1 <= t2, "tokens go back: %s then %s", token, next);
  /* the token is accepted as updated_since everywhere, also on a desk list */
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/help-requests");
  json_t *desk = sync_get(path, since_query(q, sizeof q, token), coord, NULL);
  assert_live(desk, id);
  json_decref(desk);
  free(next);
  free(id);
  free(token);
  free(shopping);
  free(coord);
  free(res);
}
END_TEST

/* Every list item's etag is the ETag its own GET sends; the 201 of a request sends it too. */
START_TEST(list_etag_is_get_etag) {
  char *res = fixture_login(&fx.resident1);
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *shopping = category_id(coord, "shopping");
  struct window w;
  desk_window(&w, 4, 1, 10, 11);
  char path[240];
  community_path(path, sizeof path, &fx.anna, "/help-requests");
  struct http_response r;
  http_call(&r, "POST", path, res, request_body(shopping, &w, SITE_LISTS, false));
  assert_status(&r, 201);
  ck_assert_msg(http_header(&r, "etag") != NULL, "201 of a help request without ETag");
  char *created_etag = strdup(http_header(&r, "etag"));
  http_response_free(&r);

  json_t *mine = sync_get("/v1/me/help-requests", NULL, res, NULL);
  json_t *item = json_array_get(json_object_get(mine, "items"), 0);
  char *id = strdup(jstr(item, "id"));
  request_get(&r, res, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(item, "etag"), http_header(&r, "etag"));
  ck_assert_str_eq(created_etag, http_header(&r, "etag"));
  http_response_free(&r);
  json_decref(mine);

  /* members and categories: the etag is the If-Match of a change */
  char members[160];
  community_path(members, sizeof members, &fx.anna, "/members");
  json_t *page = sync_get(members, NULL, coord, NULL);
  json_t *member = find_item(json_object_get(page, "items"), "person_id", fx.volunteer2.id);
  ck_assert_ptr_nonnull(member);
  char member_path[240];
  snprintf(member_path, sizeof member_path, "%s/%s", members, fx.volunteer2.id);
  http_get(&r, member_path, coord);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(member, "etag"), http_header(&r, "etag"));
  http_response_free(&r);
  json_decref(page);

  /* cases: the professional's list etag matches her GET and is good for If-Match by the lead */
  char *desk_case = case_with_participants(coord, "ETags");
  char cases[160];
  community_path(cases, sizeof cases, &fx.anna, "/cases");
  page = sync_get(cases, NULL, coord, NULL);
  json_t *c = item_of(page, desk_case);
  ck_assert_ptr_nonnull(c);
  char *etag = case_etag(coord, desk_case);
  ck_assert_str_eq(jstr(c, "etag"), etag);
  char case_url[240];
  case_path(case_url, sizeof case_url, desk_case, NULL);
  char if_match_line[200];
  snprintf(if_match_line, sizeof if_match_line, "If-Match: %s", jstr(c, "etag"));
  const char *if_match[] = {if_match_line, NULL};
  http_call_h(&r, "PATCH", case_url, coord, json_pack("{s:s}", "title", "ETags kloppen"), if_match);
  assert_status(&r, 200);
  http_response_free(&r);
  json_decref(page);
  free(etag);

  /* a case action: its own GET, the same ETag as in both lists, and If-Match with it */
  char *action_etag = NULL;
  char *action = action_create(coord, desk_case, "Zorgplan maken", fx.professional.id, NULL, &action_etag);
  json_t *own = sync_get("/v1/me/actions", NULL, prof, NULL);
  json_t *a = json_array_get(json_object_get(own, "items"), 0);
  ck_assert_str_eq(jstr(a, "id"), action);
  char action_url[240];
  action_path(action_url, sizeof action_url, jstr(a, "case_id"), jstr(a, "id"), false);
  http_get(&r, action_url, prof);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "id"), action);
  ck_assert_str_eq(jstr(r.json, "owner_name"), fx.professional.name);
  ck_assert_str_eq(jstr(a, "etag"), http_header(&r, "etag"));
  ck_assert_str_eq(action_etag, http_header(&r, "etag"));
  http_response_free(&r);
  json_t *listed = actions_list(coord, desk_case);
  ck_assert_str_eq(jstr(find_item(listed, "id", action), "etag"), action_etag);
  json_decref(listed);
  action_patch(&r, prof, jstr(a, "case_id"), action, json_pack("{s:s}", "status", "in_progress"), jstr(a, "etag"));
  assert_status(&r, 200);
  http_response_free(&r);
  json_decref(own);

  free(action);
  free(action_etag);
  free(desk_case);
  free(id);
  free(created_etag);
  free(shopping);
  free(prof);
  free(coord);
  free(res);
}
END_TEST

/* GET one case action: the same rule as the list (without consent only what one owns). */
START_TEST(case_action_get_access) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol2 = fixture_login(&fx.volunteer2);
  char *desk_case = case_with_participants(coord, "Eén actie");
  char *theirs = action_create(coord, desk_case, "Van de vrijwilliger", fx.volunteer1.id, NULL, NULL);
  char *hers = action_create(coord, desk_case, "Van het wijkteam", fx.professional.id, NULL, NULL);
  char url[240];
  struct http_response r;
  /* the professional has no consent: she reads her own action, not the volunteer's */
  action_path(url, sizeof url, desk_case, hers, false);
  http_get(&r, url, prof);
  assert_status(&r, 200);
  http_response_free(&r);
  action_path(url, sizeof url, desk_case, theirs, false);
  http_get(&r, url, prof);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  /* the lead reads every action; someone not on the case none */
  http_get(&r, url, coord);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "owner_id"), fx.volunteer1.id);
  http_response_free(&r);
  http_get(&r, url, vol2);
  ck_assert_msg(r.status == 403 || r.status == 404, "not on the case: %ld", r.status);
  http_response_free(&r);
  /* an action of another case is not found under this one */
  char *other = case_with_participants(coord, "Andere zaak");
  action_path(url, sizeof url, other, hers, false);
  http_get(&r, url, coord);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  free(other);
  free(hers);
  free(theirs);
  free(desk_case);
  free(vol2);
  free(prof);
  free(coord);
}
END_TEST

/* /v1/me/actions?scope=led names the owner of each action (it was null), also for a professional
 * who took the lead over, and the owned scope names the caller. */
START_TEST(led_actions_owner_name) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol = fixture_login(&fx.volunteer1);
  char *desk_case = case_with_participants(coord, "Wie doet wat");
  free(action_create(coord, desk_case, "Vervoer regelen", fx.volunteer1.id, NULL, NULL));
  json_t *led = page_get("/v1/me/actions?scope=led", coord);
  json_t *a = json_array_get(json_object_get(led, "items"), 0);
  ck_assert_ptr_nonnull(a);
  ck_assert_str_eq(jstr(a, "owner_id"), fx.volunteer1.id);
  ck_assert_msg(jstr(a, "owner_name") != NULL, "owner_name is null: %s", json_dumps(a, 0));
  ck_assert_str_eq(jstr(a, "owner_name"), fx.volunteer1.name);
  json_decref(led);

  char *res = fixture_login(&fx.resident1);
  consent_record(res, desk_case, fx.professional.id, NULL, "basic", true);
  free(res);
  lead_handover(coord, desk_case, fx.professional.id, "wijkteam neemt het over");
  led = page_get("/v1/me/actions?scope=led", prof);
  a = json_array_get(json_object_get(led, "items"), 0);
  ck_assert_ptr_nonnull(a);
  ck_assert_msg(jstr(a, "owner_name") != NULL, "owner_name is null for the new lead: %s", json_dumps(a, 0));
  ck_assert_str_eq(jstr(a, "owner_name"), fx.volunteer1.name);
  json_decref(led);
  json_t *own = page_get("/v1/me/actions", vol);
  a = json_array_get(json_object_get(own, "items"), 0);
  ck_assert_ptr_nonnull(a);
  ck_assert_str_eq(jstr(a, "owner_name"), fx.volunteer1.name);
  json_decref(own);
  free(desk_case);
  free(vol);
  free(prof);
  free(coord);
}
END_TEST

Suite *sync_suite(void) {
  Suite *s = suite_create("sync");
  TCase *tc = desk_tcase("tombstones");
  tcase_add_test(tc, task_done_tombstone);
  tcase_add_test(tc, task_handed_back_tombstone);
  tcase_add_test(tc, professional_removed_tombstones);
  tcase_add_test(tc, member_removed_tombstones);
  tcase_add_test(tc, desk_views_tombstones);
  tcase_add_test(tc, case_closed_and_actions_finished);
  suite_add_tcase(s, tc);
  tc = desk_tcase("tokens_and_etags");
  tcase_add_test(tc, sync_token_round_trip);
  tcase_add_test(tc, list_etag_is_get_etag);
  tcase_add_test(tc, case_action_get_access);
  tcase_add_test(tc, led_actions_owner_name);
  suite_add_tcase(s, tc);
  return s;
}
