/* GET /v1/me: the caller and their memberships, for the fixture's members, and the demo
 * accounts as seed-demo made them. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "suites.h"
#include "support.h"

/* Fetches /v1/me after logging in with email and password; caller frees the response. */
static void me_of_login(struct http_response *r, const char *email, const char *password) {
  char *tok = login_access(email, password);
  http_get(r, "/v1/me", tok);
  free(tok);
  assert_status(r, 200);
  ck_assert_str_eq(jstr(r->json, "email"), email);
  ck_assert_msg(jstr(r->json, "id") && jstr(r->json, "display_name") && jstr(r->json, "created_at"),
                "Me lacks fields: %s", r->body);
  int64_t t;
  ck_assert_msg(parse_rfc3339(jstr(r->json, "created_at"), &t) == 0, "created_at %s", jstr(r->json, "created_at"));
}

/* /v1/me of a fixture member; also checks the id and display name. */
static void me_of(struct http_response *r, const struct fixture_member *m) {
  me_of_login(r, m->email, FIXTURE_PASSWORD);
  ck_assert_str_eq(jstr(r->json, "id"), m->id);
  ck_assert_str_eq(jstr(r->json, "display_name"), m->name);
}

static json_t *membership(json_t *me, const char *slug) {
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(me, "memberships"), i,
                     m) if (jstr(m, "community.slug") && strcmp(jstr(m, "community.slug"), slug) == 0) return m;
  return NULL;
}

START_TEST(me_coordinator) {
  struct http_response r;
  me_of(&r, &fx.coordinator);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "memberships")), 1);
  json_t *m = membership(r.json, fx.anna.slug);
  ck_assert_msg(m != NULL, "%s", r.body);
  ck_assert_str_eq(jstr(m, "community.id"), fx.anna.id);
  ck_assert_str_eq(jstr(m, "community.name"), "Anna Zorgt");
  ck_assert(jarray_has_string(json_object_get(m, "roles"), "coordinator"));
  int64_t t;
  ck_assert_msg(parse_rfc3339(jstr(m, "joined_at"), &t) == 0, "joined_at");
  http_response_free(&r);
}
END_TEST

START_TEST(me_professional_in_both) {
  struct http_response r;
  me_of(&r, &fx.professional);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "memberships")), 2);
  json_t *a = membership(r.json, fx.anna.slug), *b = membership(r.json, fx.tot.slug);
  ck_assert_msg(a && b, "%s", r.body);
  ck_assert(jarray_has_string(json_object_get(a, "roles"), "professional"));
  ck_assert(jarray_has_string(json_object_get(b, "roles"), "professional"));
  ck_assert_str_eq(jstr(b, "community.id"), fx.tot.id);
  ck_assert_str_eq(jstr(b, "community.name"), "Tot uw Dienst");
  http_response_free(&r);
}
END_TEST

START_TEST(me_resident_and_volunteer) {
  struct http_response r;
  me_of(&r, &fx.resident2);
  json_t *m = membership(r.json, fx.anna.slug);
  ck_assert_msg(m != NULL, "%s", r.body);
  json_t *roles = json_object_get(m, "roles");
  ck_assert_uint_eq(json_array_size(roles), 2);
  ck_assert(jarray_has_string(roles, "resident"));
  ck_assert(jarray_has_string(roles, "volunteer"));
  http_response_free(&r);
}
END_TEST

START_TEST(me_tot_coordinator_only_tot) {
  struct http_response r;
  me_of(&r, &fx.tot_coordinator);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "memberships")), 1);
  json_t *m = membership(r.json, fx.tot.slug);
  ck_assert_msg(m && jarray_has_string(json_object_get(m, "roles"), "coordinator"), "%s", r.body);
  ck_assert_ptr_null(membership(r.json, fx.anna.slug));
  http_response_free(&r);
}
END_TEST

START_TEST(me_volunteer_roles) {
  struct http_response r;
  me_of(&r, &fx.volunteer1);
  json_t *m = membership(r.json, fx.anna.slug);
  ck_assert_msg(m != NULL, "%s", r.body);
  json_t *roles = json_object_get(m, "roles");
  ck_assert_uint_eq(json_array_size(roles), 1);
  ck_assert(jarray_has_string(roles, "volunteer"));
  http_response_free(&r);
}
END_TEST

/* seed-demo's accounts (make run) have the memberships README.md promises. The suites only read
 * the demo communities, so this holds in any order. */
START_TEST(me_demo_accounts) {
  struct http_response r;
  me_of_login(&r, ANNA_COORDINATOR, DEMO_PASSWORD);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "memberships")), 1);
  json_t *m = membership(r.json, "anna-zorgt");
  ck_assert_msg(m != NULL, "%s", r.body);
  ck_assert_str_eq(jstr(m, "community.id"), ANNA_ID);
  ck_assert_str_eq(jstr(m, "community.name"), "Anna Zorgt");
  ck_assert(jarray_has_string(json_object_get(m, "roles"), "coordinator"));
  http_response_free(&r);

  me_of_login(&r, PROFESSIONAL, DEMO_PASSWORD);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "memberships")), 2);
  json_t *a = membership(r.json, "anna-zorgt"), *b = membership(r.json, "tot-uw-dienst");
  ck_assert_msg(a && b, "%s", r.body);
  ck_assert(jarray_has_string(json_object_get(a, "roles"), "professional"));
  ck_assert(jarray_has_string(json_object_get(b, "roles"), "professional"));
  ck_assert_str_eq(jstr(b, "community.id"), TOT_ID);
  ck_assert_str_eq(jstr(b, "community.name"), "Tot uw Dienst");
  http_response_free(&r);

  me_of_login(&r, ANNA_RESIDENT2, DEMO_PASSWORD);
  m = membership(r.json, "anna-zorgt");
  ck_assert_msg(m != NULL, "%s", r.body);
  json_t *roles = json_object_get(m, "roles");
  ck_assert_uint_eq(json_array_size(roles), 2);
  ck_assert(jarray_has_string(roles, "resident") && jarray_has_string(roles, "volunteer"));
  http_response_free(&r);

  me_of_login(&r, TOT_COORDINATOR, DEMO_PASSWORD);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "memberships")), 1);
  m = membership(r.json, "tot-uw-dienst");
  ck_assert_msg(m && jarray_has_string(json_object_get(m, "roles"), "coordinator"), "%s", r.body);
  http_response_free(&r);

  me_of_login(&r, ANNA_VOLUNTEER1, DEMO_PASSWORD);
  m = membership(r.json, "anna-zorgt");
  ck_assert_msg(m != NULL, "%s", r.body);
  roles = json_object_get(m, "roles");
  ck_assert_uint_eq(json_array_size(roles), 1);
  ck_assert(jarray_has_string(roles, "volunteer"));
  http_response_free(&r);
}
END_TEST

Suite *me_suite(void) {
  Suite *s = suite_create("me");
  TCase *tc = fixture_tcase("me", TEST_TIMEOUT);
  tcase_add_test(tc, me_coordinator);
  tcase_add_test(tc, me_professional_in_both);
  tcase_add_test(tc, me_resident_and_volunteer);
  tcase_add_test(tc, me_tot_coordinator_only_tot);
  tcase_add_test(tc, me_volunteer_roles);
  suite_add_tcase(s, tc);
  tc = tcase_create("demo");
  tcase_set_timeout(tc, TEST_TIMEOUT);
  tcase_add_test(tc, me_demo_accounts);
  suite_add_tcase(s, tc);
  return s;
}
