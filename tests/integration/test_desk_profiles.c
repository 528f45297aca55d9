/* Desk: categories (labels by Accept-Language) and volunteer profiles (PUT with If-Match,
 * certificate, code of conduct, who may see and change what). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

static void categories_with_language(struct http_response *r, const char *tok, const char *accept_language) {
  char h[120];
  snprintf(h, sizeof h, "Accept-Language: %s", accept_language ? accept_language : "");
  const char *const hdrs[] = {h, NULL};
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/categories?limit=100");
  http_call_h(r, "GET", path, tok, NULL, accept_language ? hdrs : NULL);
  assert_status(r, 200);
}

/* Every item's label is labels.<lang>; Content-Language is lang and Vary names
 * Accept-Language. */
static void assert_labels_in(const struct http_response *r, const char *lang) {
  const char *cl = http_header(r, "content-language");
  ck_assert_msg(cl != NULL && strcmp(cl, lang) == 0, "Content-Language %s, expected %s", cl ? cl : "(none)", lang);
  const char *vary = http_header(r, "vary");
  ck_assert_msg(vary != NULL && strcasestr(vary, "accept-language") != NULL, "Vary: %s", vary ? vary : "(none)");
  json_t *items = json_object_get(r->json, "items");
  ck_assert_uint_eq(json_array_size(items), 7); /* the fixture's categories */
  size_t i;
  json_t *c;
  char key[16];
  snprintf(key, sizeof key, "labels.%s", lang);
  json_array_foreach(items, i, c) {
    const char *label = jstr(c, "label");
    const char *want = jstr(c, key);
    ck_assert_msg(label && want && strcmp(label, want) == 0, "%s: label %s, %s %s", jstr(c, "code"),
                  label ? label : "(none)", key, want ? want : "(none)");
  }
}

START_TEST(categories_labels_by_language) {
  char *tok = fixture_login(&fx.resident1);
  struct http_response r;
  categories_with_language(&r, tok, NULL);
  assert_labels_in(&r, "nl");
  json_t *items = json_object_get(r.json, "items");
  const char *codes[] = {"shopping", "transport", "odd_jobs", "garden", "visit", "paperwork", "meals"};
  for (size_t k = 0; k < 7; k++) {
    json_t *c = find_item(items, "code", codes[k]);
    ck_assert_msg(c != NULL, "category %s missing: %.300s", codes[k], r.body);
    ck_assert(jstr(c, "id") && jstr(c, "labels.nl") && jstr(c, "labels.en"));
    ck_assert(json_is_boolean(json_object_get(c, "in_home")));
    ck_assert(json_is_boolean(json_object_get(c, "may_recur")));
    epoch_of(jstr(c, "updated_at"));
  }
  json_t *garden = find_item(items, "code", "garden");
  ck_assert(json_is_false(json_object_get(garden, "may_recur")));
  ck_assert_str_eq(jstr(garden, "referral.name"), "Hoveniersbedrijf in de buurt");
  ck_assert(json_is_true(json_object_get(find_item(items, "code", "visit"), "in_home")));
  ck_assert(json_is_true(json_object_get(find_item(items, "code", "paperwork"), "in_home")));
  ck_assert(json_is_false(json_object_get(find_item(items, "code", "shopping"), "in_home")));
  /* the two languages really differ somewhere */
  size_t differ = 0, i;
  json_t *c;
  json_array_foreach(items, i, c) differ += strcmp(jstr(c, "labels.nl"), jstr(c, "labels.en")) != 0;
  ck_assert_uint_eq(differ, 7);
  http_response_free(&r);

  const char *en[] = {"en", "en-GB,en;q=0.9", "fr-FR, en;q=0.5, nl;q=0.3"};
  for (size_t k = 0; k < 3; k++) {
    categories_with_language(&r, tok, en[k]);
    assert_labels_in(&r, "en");
    http_response_free(&r);
  }
  const char *nl[] = {"nl", "nl-NL, en", "de", "*"};
  for (size_t k = 0; k < 4; k++) {
    categories_with_language(&r, tok, nl[k]);
    assert_labels_in(&r, "nl");
    http_response_free(&r);
  }
  free(tok);
}
END_TEST

START_TEST(categories_per_community) {
  char *anna = fixture_login(&fx.coordinator);
  char *tot = fixture_login(&fx.tot_coordinator);
  struct http_response r;
  char categories[160];
  http_get(&r, community_path(categories, sizeof categories, &fx.anna, "/categories"), tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  json_t *a = categories_all(anna, fx.anna.path);
  json_t *t = categories_all(tot, fx.tot.path);
  json_t *ta = find_item(t, "code", "shopping");
  ck_assert_msg(ta != NULL, "Tot uw Dienst has no shopping category");
  ck_assert_msg(find_item(a, "id", jstr(ta, "id")) == NULL, "category ids shared");
  /* volunteers see the categories too */
  char *vol = fixture_login(&fx.volunteer2);
  json_t *v = categories_all(vol, fx.anna.path);
  ck_assert_uint_eq(json_array_size(v), json_array_size(a));
  json_decref(v);
  json_decref(a);
  json_decref(t);
  free(vol);
  free(anna);
  free(tot);
}
END_TEST

static void put_profile(struct http_response *r, const char *tok, const char *person, json_t *body,
                        const char *if_match) {
  char path[200];
  snprintf(path, sizeof path, "%s/volunteers/%s", fx.anna.path, person);
  char h[300];
  snprintf(h, sizeof h, "If-Match: %s", if_match ? if_match : "");
  const char *const hdrs[] = {h, NULL};
  http_call_h(r, "PUT", path, tok, body, if_match ? hdrs : NULL);
}

static char *profile_etag(const char *tok, const char *person) {
  char path[200];
  snprintf(path, sizeof path, "%s/volunteers/%s", fx.anna.path, person);
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  const char *e = http_header(&r, "etag");
  ck_assert_msg(e != NULL && e[0] == '"', "no strong ETag on %s", path);
  char *copy = strdup(e);
  http_response_free(&r);
  ck_assert(copy != NULL);
  return copy;
}

START_TEST(profile_put_if_match_rules) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  char *transport = category_id(coord, "transport");
  struct person v;
  person_create(&v, coord, fx.anna.id, "volunteer");
  char path[200];
  snprintf(path, sizeof path, "%s/volunteers/%s", fx.anna.path, v.id);
  struct http_response r;
  http_get(&r, path, v.tokens.access);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  struct vol_spec s = vol_default(shopping, SITE_PROFILES, 1, false);
  put_profile(&r, v.tokens.access, v.id, profile_body(&s), NULL);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "person_id"), v.id);
  ck_assert_str_eq(jstr(r.json, "display_name"), "Test Persoon");
  ck_assert(jarray_has_string(json_object_get(r.json, "skills"), shopping));
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "availability")), 5);
  ck_assert_int_eq(jint(r.json, "availability.0.weekday", 0), 1);
  ck_assert_str_eq(jstr(r.json, "availability.0.start"), "09:00");
  ck_assert(json_is_null(json_object_get(r.json, "certificate")));
  ck_assert(json_is_false(json_object_get(r.json, "certificate_valid")));
  ck_assert(json_is_null(json_object_get(r.json, "code_of_conduct_accepted_at")));
  ck_assert(json_is_false(json_object_get(r.json, "paused")));
  http_response_free(&r);

  /* a profile exists now: If-Match is required, a stale one refused */
  put_profile(&r, v.tokens.access, v.id, profile_body(&s), NULL);
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);
  put_profile(&r, v.tokens.access, v.id, profile_body(&s), "\"stale-etag\"");
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);

  char *e1 = profile_etag(v.tokens.access, v.id);
  s.skills[1] = transport;
  s.travel_km = 7;
  s.paused = true;
  put_profile(&r, v.tokens.access, v.id, profile_body(&s), e1);
  assert_status(&r, 200);
  ck_assert(jarray_has_string(json_object_get(r.json, "skills"), transport));
  ck_assert(json_number_value(json_object_get(r.json, "travel_km")) == 7.0);
  ck_assert(json_is_true(json_object_get(r.json, "paused")));
  http_response_free(&r);
  put_profile(&r, v.tokens.access, v.id, profile_body(&s), e1);
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  char *e2 = profile_etag(v.tokens.access, v.id);
  ck_assert_str_ne(e1, e2);

  /* validation with a current ETag */
  s.skills[1] = "00000000-0000-4000-8000-0000000dead1";
  put_profile(&r, v.tokens.access, v.id, profile_body(&s), e2);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "skills"), "%s", r.body);
  http_response_free(&r);
  s.skills[1] = NULL;
  s.from = "17:00";
  s.to = "09:00";
  put_profile(&r, v.tokens.access, v.id, profile_body(&s), e2);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "availability"), "%s", r.body);
  http_response_free(&r);
  s.from = s.to = NULL;
  json_t *body = profile_body(&s);
  json_object_del(body, "paused");
  put_profile(&r, v.tokens.access, v.id, body, e2);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  body = profile_body(&s);
  json_object_set_new(body, "travel_km", json_integer(101));
  put_profile(&r, v.tokens.access, v.id, body, e2);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "travel_km"), "%s", r.body);
  http_response_free(&r);
  /* none of the refused bodies changed anything */
  char *e3 = profile_etag(v.tokens.access, v.id);
  ck_assert_str_eq(e2, e3);

  free(e1);
  free(e2);
  free(e3);
  person_free(&v);
  free(shopping);
  free(transport);
  free(coord);
}
END_TEST

START_TEST(profile_access_rules) {
  char volunteers[160], profile1[200], profile2[200];
  community_path(volunteers, sizeof volunteers, &fx.anna, "/volunteers");
  snprintf(profile1, sizeof profile1, "%s/%s", volunteers, fx.volunteer1.id);
  snprintf(profile2, sizeof profile2, "%s/%s", volunteers, fx.volunteer2.id);
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *vol2 = fixture_login(&fx.volunteer2);
  char *tot = fixture_login(&fx.tot_coordinator);
  char *shopping = category_id(coord, "shopping");
  struct vol_spec s = vol_default(shopping, SITE_HOME, 0.5, false);
  struct http_response r;

  /* only that volunteer may PUT */
  put_profile(&r, res, fx.volunteer1.id, profile_body(&s), "\"x\"");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  put_profile(&r, vol2, fx.volunteer1.id, profile_body(&s), "\"x\"");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  put_profile(&r, coord, fx.volunteer1.id, profile_body(&s), "\"x\"");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  /* a resident without the volunteer role cannot have a profile */
  put_profile(&r, res, fx.resident1.id, profile_body(&s), NULL);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  put_profile(&r, tot, fx.volunteer1.id, profile_body(&s), "\"x\"");
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* reading */
  http_get(&r, profile1, vol1);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "person_id"), fx.volunteer1.id);
  ck_assert(jstr(r.json, "code_of_conduct_accepted_at") != NULL);
  ck_assert(json_is_true(json_object_get(r.json, "certificate_valid")));
  http_response_free(&r);
  http_get(&r, profile2, vol1);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, profile1, res);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, volunteers, vol1);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, volunteers, res);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, volunteers, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  http_get(&r, profile1, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* the coordinator sees every profile, the fixture's as the demo's */
  int pages = 0;
  json_t *all = list_walk(volunteers, coord, 1, NULL, &pages);
  ck_assert_int_eq(pages, 3);
  ck_assert_uint_eq(json_array_size(all), 3);
  json_t *p1 = find_item(all, "person_id", fx.volunteer1.id);
  json_t *p2 = find_item(all, "person_id", fx.volunteer2.id);
  json_t *p3 = find_item(all, "person_id", fx.resident2.id);
  ck_assert_msg(p1 && p2 && p3, "fixture profiles missing from /volunteers");
  ck_assert(json_is_true(json_object_get(p1, "certificate_valid")));
  ck_assert(json_is_false(json_object_get(p2, "certificate_valid")));
  ck_assert(json_is_null(json_object_get(p2, "certificate")));
  ck_assert(jstr(p2, "code_of_conduct_accepted_at") != NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(p1, "skills")), 7);
  ck_assert(json_number_value(json_object_get(p1, "travel_km")) == 10.0);
  ck_assert(json_number_value(json_object_get(p1, "capacity_hours_per_week")) == 4.0);
  ck_assert_int_eq(jint(p1, "availability.0.weekday", 0), 1);
  ck_assert_str_eq(jstr(p1, "availability.0.start"), "09:00");
  ck_assert_str_eq(jstr(p1, "availability.0.end"), "17:00");
  ck_assert(jstr(all, "0.updated_at") != NULL);
  json_decref(all);

  free(shopping);
  free(coord);
  free(res);
  free(vol1);
  free(vol2);
  free(tot);
}
END_TEST

START_TEST(profile_certificate_recorded) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct vol_spec s = vol_default(shopping, SITE_PROFILES, 2, false);
  struct person v;
  volunteer_create(&v, coord, &s);
  char path[200];
  snprintf(path, sizeof path, "%s/volunteers/%s/certificate", fx.anna.path, v.id);
  char today[11], future[11], old[11], want[11];
  date_add(today, NULL, 0);
  date_add(future, NULL, 2);
  date_add(old, NULL, -1200);
  struct http_response r;

  http_call(&r, "POST", path, v.tokens.access, json_pack("{s:s}", "issued_on", today));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "POST", path, coord, json_pack("{s:s}", "issued_on", future));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_error_prefix(&r, "issued_on"), "%s", r.body);
  http_response_free(&r);

  http_call(&r, "POST", path, coord, json_pack("{s:s}", "issued_on", old));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "certificate.issued_on"), old);
  ck_assert(json_is_false(json_object_get(r.json, "certificate_valid")));
  http_response_free(&r);

  http_call(&r, "POST", path, coord, json_pack("{s:s}", "issued_on", today));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "person_id"), v.id);
  ck_assert_str_eq(jstr(r.json, "certificate.issued_on"), today);
  date_add(want, today, 1095);
  ck_assert_str_eq(jstr(r.json, "certificate.valid_until"), want);
  ck_assert_str_eq(jstr(r.json, "certificate.checked_by"), fx.coordinator.id);
  int64_t checked = epoch_of(jstr(r.json, "certificate.checked_at"));
  ck_assert_msg(llabs((long long)(checked - time(NULL))) < 120, "checked_at %s",
                jstr(r.json, "certificate.checked_at"));
  ck_assert(json_is_true(json_object_get(r.json, "certificate_valid")));
  http_response_free(&r);

  /* the volunteer sees it on their own profile */
  snprintf(path, sizeof path, "%s/volunteers/%s", fx.anna.path, v.id);
  http_get(&r, path, v.tokens.access);
  assert_status(&r, 200);
  ck_assert(json_is_true(json_object_get(r.json, "certificate_valid")));
  http_response_free(&r);
  /* not for a stranger: another community's coordinator */
  char *tot = fixture_login(&fx.tot_coordinator);
  snprintf(path, sizeof path, "%s/volunteers/%s/certificate", fx.anna.path, v.id);
  http_call(&r, "POST", path, tot, json_pack("{s:s}", "issued_on", today));
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  free(tot);
  person_free(&v);
  free(shopping);
  free(coord);
}
END_TEST

START_TEST(profile_code_of_conduct) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person v;
  person_create(&v, coord, fx.anna.id, "volunteer");
  char path[200];
  snprintf(path, sizeof path, "%s/volunteers/%s/code-of-conduct", fx.anna.path, v.id);
  struct http_response r;
  http_call(&r, "POST", path, v.tokens.access, json_object());
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  struct vol_spec s = vol_default(shopping, SITE_PROFILES, 3, false);
  put_profile(&r, v.tokens.access, v.id, profile_body(&s), NULL);
  assert_status(&r, 201);
  http_response_free(&r);
  http_call(&r, "POST", path, coord, json_object());
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "POST", path, v.tokens.access, json_object());
  assert_status(&r, 200);
  const char *at = jstr(r.json, "code_of_conduct_accepted_at");
  ck_assert_msg(at != NULL, "%s", r.body);
  ck_assert_msg(llabs((long long)(epoch_of(at) - time(NULL))) < 120, "accepted at %s", at);
  http_response_free(&r);
  http_call(&r, "POST", path, v.tokens.access, json_pack("{s:b}", "accepted", 1));
  assert_problem(&r, 400, NULL);
  http_response_free(&r);
  person_free(&v);
  free(shopping);
  free(coord);
}
END_TEST

Suite *desk_profiles_suite(void) {
  Suite *s = suite_create("desk_profiles");
  TCase *tc = desk_tcase("categories");
  tcase_add_test(tc, categories_labels_by_language);
  tcase_add_test(tc, categories_per_community);
  suite_add_tcase(s, tc);
  tc = desk_tcase("profiles");
  tcase_add_test(tc, profile_put_if_match_rules);
  tcase_add_test(tc, profile_access_rules);
  tcase_add_test(tc, profile_certificate_recorded);
  tcase_add_test(tc, profile_code_of_conduct);
  suite_add_tcase(s, tc);
  return s;
}
