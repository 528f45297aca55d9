/* Categories are data per community: the desk adds them and changes their policy, and the
 * new policy applies to the next request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "suites.h"
#include "test_desk.h"

static json_t *category_input(const char *code, int may_recur) {
  json_t *b = json_pack("{s:{s:s, s:s}, s:b, s:b, s:n, s:i, s:{s:s, s:s}}", "labels", "nl", "Computerhulp", "en",
                        "Computer help", "in_home", 1, "may_recur", may_recur, "max_per_month", "max_duration_minutes",
                        120, "referral", "name", "Bibliotheek digicafé", "contact", "");
  ck_assert(b != NULL);
  if (code != NULL) json_object_set_new(b, "code", json_string(code));
  return b;
}

START_TEST(desk_manages_categories) {
  char categories[160], requests[160];
  community_path(categories, sizeof categories, &fx.anna, "/categories");
  community_path(requests, sizeof requests, &fx.anna, "/help-requests");
  char *coord = fixture_login(&fx.coordinator);
  char code[48];
  snprintf(code, sizeof code, "computer_%ld_%d", (long)time(NULL) % 100000, (int)getpid() % 1000);
  struct http_response r;
  const char *english[] = {"Accept-Language: en", NULL};
  http_call_h(&r, "POST", categories, coord, category_input(code, 1), english);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "label"), "Computer help");
  ck_assert_str_eq(http_header(&r, "content-language"), "en");
  ck_assert_ptr_nonnull(http_header(&r, "etag"));
  char *id = strdup(jstr(r.json, "id"));
  http_response_free(&r);

  /* the same code again: conflict; a bad code: a field error */
  http_call(&r, "POST", categories, coord, category_input(code, 1));
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  http_call(&r, "POST", categories, coord, category_input("Bad Code", 1));
  ck_assert(problem_has_error(&r, "code", "invalid"));
  http_response_free(&r);

  /* GET one, with its ETag, and 304 */
  char path[160];
  snprintf(path, sizeof path, "%s/categories/%s", fx.anna.path, id);
  http_get(&r, path, coord);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "label"), "Computerhulp");
  char *etag = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  const char *cached[] = {NULL, NULL};
  char if_none_match[96];
  snprintf(if_none_match, sizeof if_none_match, "If-None-Match: %s", etag);
  cached[0] = if_none_match;
  http_call_h(&r, "GET", path, coord, NULL, cached);
  assert_status(&r, 304);
  http_response_free(&r);

  /* PATCH: If-Match required, stale refused, then the policy changes */
  json_t *update = category_input(NULL, 0);
  http_call(&r, "PATCH", path, coord, json_incref(update));
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);
  const char *stale[] = {"If-Match: \"00000000000000000000000000000000\"", NULL};
  http_call_h(&r, "PATCH", path, coord, json_incref(update), stale);
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  char if_match[96];
  snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
  const char *fresh[] = {if_match, NULL};
  http_call_h(&r, "PATCH", path, coord, update, fresh);
  assert_status(&r, 200);
  ck_assert(json_is_false(json_object_get(r.json, "may_recur")));
  ck_assert_str_ne(http_header(&r, "etag"), etag);
  http_response_free(&r);

  /* the new policy applies to the next request: weekly is no longer allowed */
  char *resident = fixture_login(&fx.resident1);
  struct window w;
  desk_window(&w, 2, 1, 10, 11);
  json_t *body = request_body(id, &w, SITE_HOME, true);
  char until[11];
  date_add(until, w.date, 21);
  json_object_set_new(body, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", until));
  http_call(&r, "POST", requests, resident, body);
  assert_problem(&r, 422, "policy-refused");
  ck_assert_str_eq(jstr(r.json, "rule.code"), "not_recurring");
  ck_assert_str_eq(jstr(r.json, "referral.name"), "Bibliotheek digicafé");
  http_response_free(&r);

  /* only the desk manages categories */
  char *volunteer = fixture_login(&fx.volunteer1);
  http_call(&r, "POST", categories, volunteer, category_input("volunteer_made", 1));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, path, volunteer);
  assert_status(&r, 200); /* but every member may read them */
  http_response_free(&r);
  char *tot = fixture_login(&fx.tot_coordinator);
  http_get(&r, path, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  free(tot);
  free(volunteer);
  free(resident);
  free(etag);
  free(id);
  free(coord);
}
END_TEST

/* Statuses read in the caller's language. */
START_TEST(status_labels_follow_accept_language) {
  char *resident = fixture_login(&fx.resident1);
  char *shopping = category_id(resident, "shopping");
  struct window w;
  desk_window(&w, 4, 1, 10, 11);
  json_t *created = NULL;
  char *id = request_create(resident, request_body(shopping, &w, SITE_HOME, false), &created);
  ck_assert_str_eq(jstr(created, "status_label"), "Ontvangen"); /* Dutch unless asked otherwise */
  json_decref(created);
  char path[160];
  request_path(path, sizeof path, id, NULL);
  const char *english[] = {"Accept-Language: en-GB, nl;q=0.5", NULL};
  struct http_response r;
  http_call_h(&r, "GET", path, resident, NULL, english);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status_label"), "Received");
  ck_assert_str_eq(http_header(&r, "content-language"), "en");
  http_response_free(&r);
  http_call_h(&r, "GET", "/v1/me/help-requests", resident, NULL, english);
  assert_status(&r, 200);
  json_t *mine = find_item(json_object_get(r.json, "items"), "id", id);
  ck_assert_msg(mine != NULL, "the new request is not in /v1/me/help-requests");
  ck_assert_str_eq(jstr(mine, "status_label"), "Received");
  http_response_free(&r);
  free(id);
  free(shopping);
  free(resident);
}
END_TEST

Suite *desk_categories_suite(void) {
  Suite *s = suite_create("desk_categories");
  TCase *tc = desk_tcase("categories");
  tcase_add_test(tc, desk_manages_categories);
  tcase_add_test(tc, status_labels_follow_accept_language);
  suite_add_tcase(s, tc);
  return s;
}
