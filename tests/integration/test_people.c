/* People without an app (issue 13, items 1 and 2): the desk registers a caller with phone and
 * address, finds her again by name, phone or street, keeps her details with If-Match, and an
 * invitation later gives that same person a login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

static char people_path[160], members_path[160];

static void people_setup(void) {
  community_path(people_path, sizeof people_path, &fx.anna, "/people");
  community_path(members_path, sizeof members_path, &fx.anna, "/members");
}

/* A CreatePersonRequest: a resident at an address in Sint Annaland (new reference). */
static json_t *person_body(const char *name, const char *phone, const char *street) {
  json_t *b =
      json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:[s]}", "display_name", name, "phone", phone, "address", "street",
                street, "house_number", "12a", "postcode", "3197 ab", "place", "Sint Annaland", "roles", "resident");
  ck_assert(b != NULL);
  return b;
}

/* POST /people as `tok` with `body` (stolen); asserts 201 and returns the id (owned), the document
 * in *out when not NULL (new reference). */
static char *person_create_ok(const char *tok, json_t *body, json_t **out) {
  struct http_response r;
  http_call(&r, "POST", people_path, tok, body);
  assert_status(&r, 201);
  char *id = strdup(jstr(r.json, "id"));
  ck_assert(id != NULL);
  if (out != NULL) *out = json_incref(r.json);
  http_response_free(&r);
  return id;
}

static void person_path(char *buf, size_t len, const char *id) { snprintf(buf, len, "%s/%s", people_path, id); }

/* PATCH the person with `body` (stolen) and If-Match `etag` (NULL: none). */
static void person_patch(struct http_response *r, const char *tok, const char *id, const char *etag, json_t *body) {
  char path[256], h[256];
  person_path(path, sizeof path, id);
  snprintf(h, sizeof h, "If-Match: %s", etag != NULL ? etag : "");
  const char *const headers[] = {h, NULL};
  http_call_h(r, "PATCH", path, tok, body, etag != NULL ? headers : NULL);
}

/* The person ids a search finds, walking every page of `limit` (new reference). */
static json_t *search(const char *tok, const char *q, int limit, int *pages) {
  char *encoded = url_encode(q);
  char query[256];
  snprintf(query, sizeof query, "q=%s", encoded);
  free(encoded);
  return list_walk(members_path, tok, limit, query, pages);
}

static void search_status(struct http_response *r, const char *tok, const char *q) {
  char *encoded = url_encode(q);
  char path[400];
  snprintf(path, sizeof path, "%s?q=%s", members_path, encoded);
  free(encoded);
  http_get(r, path, tok);
}

START_TEST(desk_registers_a_caller) {
  char *coord = fixture_login(&fx.coordinator);
  struct http_response r;
  http_call(&r, "POST", people_path, coord, person_body("José Verbeek", "06 1234 5678", "Kerkstraat"));
  assert_status(&r, 201);
  const char *id = jstr(r.json, "id");
  ck_assert(id != NULL);
  char expected[256];
  person_path(expected, sizeof expected, id);
  const char *location = http_header(&r, "Location");
  ck_assert_msg(location != NULL && strcmp(location, expected) == 0, "Location %s", location ? location : "-");
  const char *etag = http_header(&r, "ETag");
  ck_assert(etag != NULL);
  ck_assert_str_eq(jstr(r.json, "phone"), "+31612345678");
  ck_assert_str_eq(jstr(r.json, "address.postcode"), "3197AB");
  ck_assert_str_eq(jstr(r.json, "contact_channel"), "voice");
  ck_assert(json_is_false(json_object_get(r.json, "has_login")));
  ck_assert(json_is_null(json_object_get(r.json, "email")));
  ck_assert(jarray_has_string(json_object_get(r.json, "roles"), "resident"));

  /* the desk reads her back with the same version */
  struct http_response g;
  http_get(&g, location, coord);
  assert_status(&g, 200);
  ck_assert_str_eq(http_header(&g, "ETag"), etag);
  ck_assert_str_eq(jstr(g.json, "display_name"), "José Verbeek");
  http_response_free(&g);

  /* she is a member: in the desk's list, without an e-mail address */
  json_t *all = list_walk(members_path, coord, 100, NULL, NULL);
  json_t *m = find_item(all, "person_id", id);
  ck_assert_msg(m != NULL, "not in the member list");
  ck_assert(json_is_null(json_object_get(m, "email")));
  json_decref(all);
  http_response_free(&r);

  /* a postcode that is not Dutch is kept as typed; coordinates come together */
  json_t *b = person_body("Anna Peeters", "+32 470 12 34 56", "Meir");
  json_object_set_new(json_object_get(b, "address"), "postcode", json_string("2000"));
  json_object_set_new(json_object_get(b, "address"), "lat", json_real(51.2));
  http_call(&r, "POST", people_path, coord, b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "address.lon", "invalid"), "%s", r.body);
  http_response_free(&r);
  b = person_body("Anna Peeters", "+32 470 12 34 56", "Meir");
  json_object_set_new(json_object_get(b, "address"), "postcode", json_string("2000"));
  json_t *doc = NULL;
  free(person_create_ok(coord, b, &doc));
  ck_assert_str_eq(jstr(doc, "address.postcode"), "2000");
  json_decref(doc);
  free(coord);
}
END_TEST

START_TEST(duplicate_phone_409_names_the_member) {
  char *coord = fixture_login(&fx.coordinator);
  char *first = person_create_ok(coord, person_body("Bep Jansen", "0113-123456", "Havenweg"), NULL);
  static const char *const same[] = {"+31 113 123456", "0031113123456", "(0113) 12 34 56"};
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
    struct http_response r;
    http_call(&r, "POST", people_path, coord, person_body("Bep Jansen-de Wit", same[i], "Havenweg"));
    assert_problem(&r, 409, "conflict");
    ck_assert_msg(jstr(r.json, "existing_person_id") && strcmp(jstr(r.json, "existing_person_id"), first) == 0,
                  "%s: %s", same[i], r.body);
    http_response_free(&r);
  }
  /* the database holds the rule too: a resident who sets that number on her own profile (which
   * the desk's check does not see) is refused by the unique index */
  char *res = fixture_login(&fx.resident1);
  struct http_response me;
  http_get(&me, "/v1/me", res);
  assert_status(&me, 200);
  char if_match[200];
  snprintf(if_match, sizeof if_match, "If-Match: %s", http_header(&me, "ETag"));
  http_response_free(&me);
  const char *const headers[] = {if_match, NULL};
  http_call_h(&me, "PATCH", "/v1/me", res, json_pack("{s:s}", "phone", "0113 123456"), headers);
  assert_problem(&me, 409, "conflict");
  http_response_free(&me);
  free(res);

  /* another community may have her too */
  char *tot = fixture_login(&fx.tot_coordinator);
  char tot_people[160];
  community_path(tot_people, sizeof tot_people, &fx.tot, "/people");
  struct http_response r;
  http_call(&r, "POST", tot_people, tot, person_body("Bep Jansen", "0113 123456", "Havenweg"));
  assert_status(&r, 201);
  http_response_free(&r);
  free(tot);
  free(first);
  free(coord);
}
END_TEST

START_TEST(only_the_desk_registers_people) {
  char *coord = fixture_login(&fx.coordinator);
  char *id = person_create_ok(coord, person_body("Kees Smit", "06 2222 3333", "Molenweg"), NULL);
  char path[256];
  person_path(path, sizeof path, id);
  const struct fixture_member *others[] = {&fx.volunteer1, &fx.resident1, &fx.professional};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    char *tok = fixture_login(others[i]);
    struct http_response r;
    http_call(&r, "POST", people_path, tok, person_body("Kees Smit", "06 4444 5555", "Molenweg"));
    assert_problem(&r, 403, "forbidden");
    http_response_free(&r);
    http_get(&r, path, tok);
    assert_problem(&r, 403, "forbidden");
    http_response_free(&r);
    free(tok);
  }
  /* another community's desk does not find her */
  char *tot = fixture_login(&fx.tot_coordinator);
  char tot_path[300];
  snprintf(tot_path, sizeof tot_path, "%s/people/%s", fx.tot.path, id);
  struct http_response r;
  http_get(&r, tot_path, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  free(tot);
  free(id);
  free(coord);
}
END_TEST

START_TEST(desk_keeps_details_with_if_match) {
  char *coord = fixture_login(&fx.coordinator);
  json_t *doc = NULL;
  char *id = person_create_ok(coord, person_body("Truus Bakker", "06 1111 2222", "Kerkstraat"), &doc);
  json_decref(doc);
  char path[256];
  person_path(path, sizeof path, id);
  struct http_response r;
  http_get(&r, path, coord);
  char *etag = strdup(http_header(&r, "ETag"));
  http_response_free(&r);

  person_patch(&r, coord, id, NULL, json_pack("{s:s}", "contact_channel", "via_desk"));
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);

  person_patch(&r, coord, id, etag,
               json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:f, s:f}}", "contact_channel", "via_desk", "phone",
                         "06 1111 3333", "email", "Truus@Example.org", "address", "street", "Dorpsstraat",
                         "house_number", "3", "postcode", "3197ac", "place", "Sint Annaland", "lat", 51.6, "lon", 4.1));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "contact_channel"), "via_desk");
  ck_assert_str_eq(jstr(r.json, "phone"), "+31611113333");
  ck_assert_str_eq(jstr(r.json, "email"), "truus@example.org");
  ck_assert_str_eq(jstr(r.json, "address.postcode"), "3197AC");
  ck_assert_str_ne(http_header(&r, "ETag"), etag);
  http_response_free(&r);

  /* the version she had is stale now */
  person_patch(&r, coord, id, etag, json_pack("{s:s}", "display_name", "Truus de Bakker"));
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  free(etag);

  /* a phone another member has: 409 with that member */
  char *other = person_create_ok(coord, person_body("Piet Bakker", "06 9999 8888", "Kerkstraat"), NULL);
  http_get(&r, path, coord);
  etag = strdup(http_header(&r, "ETag"));
  http_response_free(&r);
  person_patch(&r, coord, id, etag, json_pack("{s:s}", "phone", "+31699998888"));
  assert_problem(&r, 409, "conflict");
  ck_assert_str_eq(jstr(r.json, "existing_person_id"), other);
  http_response_free(&r);
  free(etag);

  /* a person with a login keeps her own name; the desk changes her phone as she asks */
  person_path(path, sizeof path, fx.resident1.id);
  http_get(&r, path, coord);
  assert_status(&r, 200);
  ck_assert(json_is_true(json_object_get(r.json, "has_login")));
  etag = strdup(http_header(&r, "ETag"));
  http_response_free(&r);
  person_patch(&r, coord, fx.resident1.id, etag, json_pack("{s:s}", "display_name", "Iemand Anders"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  person_patch(&r, coord, fx.resident1.id, etag,
               json_pack("{s:s, s:s}", "phone", "06 5555 6666", "contact_channel", "voice"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "phone"), "+31655556666");
  http_response_free(&r);
  free(etag);
  free(other);
  free(id);
  free(coord);
}
END_TEST

START_TEST(desk_finds_the_caller) {
  char *coord = fixture_login(&fx.coordinator);
  char *jose = person_create_ok(coord, person_body("José Verbeek", "06 1234 5678", "Kerkstraat"), NULL);
  char *jan = person_create_ok(coord, person_body("Jan de Vries", "0113 987654", "Weststraat"), NULL);
  static const char *const finds_jose[] = {"Jose",         "jOSÉ",       "verbeek", "06 1234 5678",
                                           "+31612345678", "0612345678", "5678",    "12 34 56 78"};
  for (size_t i = 0; i < sizeof finds_jose / sizeof finds_jose[0]; i++) {
    json_t *items = search(coord, finds_jose[i], 100, NULL);
    ck_assert_msg(find_item(items, "person_id", jose) != NULL, "%s did not find José", finds_jose[i]);
    ck_assert_msg(find_item(items, "person_id", jan) == NULL, "%s found Jan", finds_jose[i]);
    json_decref(items);
  }
  /* by street, also written differently */
  json_t *items = search(coord, "WESTstr", 100, NULL);
  ck_assert(find_item(items, "person_id", jan) != NULL);
  ck_assert(find_item(items, "person_id", jose) == NULL);
  json_decref(items);
  /* another community's desk finds nobody of this one */
  char *tot = fixture_login(&fx.tot_coordinator);
  char tot_members[160], query[64];
  community_path(tot_members, sizeof tot_members, &fx.tot, "/members");
  snprintf(query, sizeof query, "q=%s", "verbeek");
  items = list_walk(tot_members, tot, 100, query, NULL);
  ck_assert_int_eq(json_array_size(items), 0);
  json_decref(items);
  free(tot);
  free(jan);
  items = search(coord, "nobody-by-this-name", 100, NULL);
  ck_assert_int_eq(json_array_size(items), 0);
  json_decref(items);
  free(jose);
  free(coord);
}
END_TEST

START_TEST(search_pages) {
  char *coord = fixture_login(&fx.coordinator);
  char phone[32];
  char *ids[5];
  for (int i = 0; i < 5; i++) {
    snprintf(phone, sizeof phone, "06 7777 000%d", i);
    ids[i] = person_create_ok(coord, person_body("Familie Österberg", phone, "Zandweg"), NULL);
  }
  int pages = 0;
  json_t *items = search(coord, "osterberg", 2, &pages);
  ck_assert_int_eq(json_array_size(items), 5);
  ck_assert_int_eq(pages, 3);
  for (int i = 0; i < 5; i++) {
    ck_assert(find_item(items, "person_id", ids[i]) != NULL);
    free(ids[i]);
  }
  json_decref(items);
  free(coord);
}
END_TEST

START_TEST(search_rules) {
  char *coord = fixture_login(&fx.coordinator);
  struct http_response r;
  search_status(&r, coord, "j");
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "q", "length"));
  http_response_free(&r);
  const struct fixture_member *others[] = {&fx.volunteer1, &fx.resident1};
  for (size_t i = 0; i < 2; i++) {
    char *tok = fixture_login(others[i]);
    search_status(&r, tok, "Jose");
    assert_problem(&r, 403, "forbidden");
    http_response_free(&r);
    free(tok);
  }
  /* LIKE's own characters are searched as typed */
  search_status(&r, coord, "%%");
  assert_status(&r, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
  http_response_free(&r);
  free(coord);
}
END_TEST

START_TEST(invitation_gives_the_same_person_a_login) {
  char *coord = fixture_login(&fx.coordinator);
  /* the desk knows an e-mail address of hers, but she has no login: nobody logs in with it */
  char *known = unique_email("caller");
  json_t *b = person_body("Greet Hoogland", "06 3333 4444", "Kerkstraat");
  json_object_set_new(b, "email", json_string(known));
  char *id = person_create_ok(coord, b, NULL);
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/login", NULL, json_pack("{s:s, s:s}", "email", known, "password", TEST_PASSWORD));
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);

  /* the desk enters a request for her */
  char *shopping = category_id(coord, "shopping");
  struct window w;
  desk_window(&w, 3, 2, 10, 11);
  json_t *body = request_body(shopping, &w, SITE_QUEUE, false);
  json_object_set_new(body, "resident_id", json_string(id));
  json_t *made = NULL;
  free(request_create(coord, body, &made));
  const char *description = jstr(made, "description");

  /* an invitation for anyone does not give her record away: registering with the address the
   * desk knows is refused, and says how to get a login for her */
  char *open_code = create_invitation(coord, fx.anna.id, "resident", NULL);
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", open_code, "email", known, "password", TEST_PASSWORD,
                      "display_name", "Greet Hoogland"));
  assert_problem(&r, 409, "conflict");
  ck_assert_msg(
      jstr(r.json, "detail") != NULL && strstr(jstr(r.json, "detail"), "uitnodiging op naam van die persoon") != NULL,
      "%s", r.body);
  http_response_free(&r);
  free(open_code);

  /* an invitation for someone who has a login is refused */
  char inv_path[160];
  community_path(inv_path, sizeof inv_path, &fx.anna, "/invitations");
  http_call(&r, "POST", inv_path, coord, json_pack("{s:s, s:s}", "role", "resident", "person_id", fx.resident1.id));
  assert_problem(&r, 422, NULL);
  ck_assert(problem_has_error(&r, "person_id", "invalid"));
  http_response_free(&r);

  http_call(&r, "POST", inv_path, coord, json_pack("{s:s, s:s}", "role", "resident", "person_id", id));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "person_id"), id);
  char *code = strdup(jstr(r.json, "code"));
  http_response_free(&r);

  /* she registers with the code: the same person, now with a login */
  char *email = unique_email("greet");
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                      "display_name", "Greet Hoogland"));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "me.id"), id);
  ck_assert_str_eq(jstr(r.json, "me.phone"), "+31633334444");
  http_response_free(&r);

  /* the code is used */
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", known, "password", TEST_PASSWORD,
                      "display_name", "Greet"));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);

  /* from her own seat: she logs in and sees the request the desk entered for her */
  char *res = login_access(email, TEST_PASSWORD);
  json_t *mine = list_all("/v1/me/help-requests", res, NULL);
  ck_assert_int_eq(json_array_size(mine), 1);
  ck_assert_str_eq(jstr(json_array_get(mine, 0), "description"), description);
  json_decref(mine);

  /* the desk sees one person, with a login now */
  char path[256];
  person_path(path, sizeof path, id);
  http_get(&r, path, coord);
  assert_status(&r, 200);
  ck_assert(json_is_true(json_object_get(r.json, "has_login")));
  ck_assert_str_eq(jstr(r.json, "email"), email);
  http_response_free(&r);
  json_t *found = search(coord, "Greet Hoogland", 100, NULL);
  ck_assert_int_eq(json_array_size(found), 1);
  json_decref(found);

  json_decref(made);
  free(res);
  free(email);
  free(code);
  free(shopping);
  free(id);
  free(known);
  free(coord);
}
END_TEST

Suite *people_suite(void) {
  Suite *s = suite_create("people");
  TCase *tc = fixture_tcase("register", TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, people_setup, NULL);
  tcase_add_test(tc, desk_registers_a_caller);
  tcase_add_test(tc, duplicate_phone_409_names_the_member);
  tcase_add_test(tc, only_the_desk_registers_people);
  tcase_add_test(tc, desk_keeps_details_with_if_match);
  tcase_add_test(tc, invitation_gives_the_same_person_a_login);
  suite_add_tcase(s, tc);
  tc = fixture_tcase("search", TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, people_setup, NULL);
  tcase_add_test(tc, desk_finds_the_caller);
  tcase_add_test(tc, search_pages);
  tcase_add_test(tc, search_rules);
  suite_add_tcase(s, tc);
  return s;
}
