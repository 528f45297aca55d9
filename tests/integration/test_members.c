/* Members of a community: lists, pagination, sync, ETags, preconditions, roles, tenancy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "suites.h"
#include "support.h"

/* The member lists of the test's two communities, set before each test after its fixture. */
static char anna_members[128], tot_members[128];

static void member_lists_setup(void) {
  community_path(anna_members, sizeof anna_members, &fx.anna, "/members");
  community_path(tot_members, sizeof tot_members, &fx.tot, "/members");
}

static void member_path(char *buf, size_t len, const char *community, const char *person) {
  snprintf(buf, len, "/v1/communities/%s/members/%s", community, person);
}

/* Person id of a member with this e-mail in the coordinator's full list (owned). */
static char *member_id_by_email(const char *coord, const char *list_path, const char *email) {
  json_t *all = list_walk(list_path, coord, 100, NULL, NULL);
  json_t *m = find_item(all, "email", email);
  ck_assert_msg(m != NULL, "%s not in %s", email, list_path);
  char *id = strdup(jstr(m, "person_id"));
  json_decref(all);
  ck_assert(id != NULL);
  return id;
}

/* GETs a single member and returns its ETag (owned); asserts 200. */
static char *member_etag(const char *tok, const char *path) {
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  const char *e = http_header(&r, "etag");
  ck_assert_msg(e != NULL, "no ETag on %s", path);
  char *copy = strdup(e);
  http_response_free(&r);
  ck_assert(copy != NULL);
  return copy;
}

static void assert_member_shape(json_t *m) {
  ck_assert_msg(jstr(m, "person_id") != NULL, "person_id");
  ck_assert(json_is_array(json_object_get(m, "roles")));
  ck_assert(json_is_boolean(json_object_get(m, "deleted")));
  int64_t t;
  ck_assert_msg(parse_rfc3339(jstr(m, "updated_at"), &t) == 0, "updated_at %s", jstr(m, "updated_at"));
  if (!json_is_true(json_object_get(m, "deleted"))) {
    ck_assert(jstr(m, "email") != NULL);
    ck_assert(json_array_size(json_object_get(m, "roles")) >= 1);
    ck_assert(parse_rfc3339(jstr(m, "joined_at"), &t) == 0);
  }
}

START_TEST(members_list_shape) {
  char *tok = fixture_login(&fx.coordinator);
  struct http_response r;
  http_get(&r, anna_members, tok);
  assert_status(&r, 200);
  json_t *items = json_object_get(r.json, "items");
  ck_assert(json_is_array(items));
  ck_assert_ptr_nonnull(json_object_get(r.json, "next_cursor"));
  size_t i;
  json_t *m;
  json_array_foreach(items, i, m) {
    assert_member_shape(m);
    ck_assert(!json_is_true(json_object_get(m, "deleted")));
  }
  json_t *all = list_walk(anna_members, tok, 100, NULL, NULL);
  const char *expected[] = {fx.coordinator.email, fx.volunteer1.email, fx.volunteer2.email,
                            fx.resident1.email,   fx.resident2.email,  fx.professional.email};
  for (size_t k = 0; k < sizeof expected / sizeof *expected; k++)
    ck_assert_msg(find_item(all, "email", expected[k]) != NULL, "%s missing", expected[k]);
  ck_assert_ptr_null(find_item(all, "email", fx.tot_coordinator.email));
  json_t *coord = find_item(all, "email", fx.coordinator.email);
  ck_assert(jarray_has_string(json_object_get(coord, "roles"), "coordinator"));
  json_decref(all);
  http_response_free(&r);
  free(tok);
}
END_TEST

/* Items must be ordered by (updated_at, id) ascending with no duplicate ids. */
static void assert_ordered_unique(json_t *items, const char *id_key) {
  size_t i;
  json_t *it;
  int64_t prev_t = INT64_MIN;
  const char *prev_id = "";
  json_array_foreach(items, i, it) {
    int64_t t;
    ck_assert(parse_rfc3339(jstr(it, "updated_at"), &t) == 0);
    const char *id = jstr(it, id_key);
    ck_assert(id != NULL);
    ck_assert_msg(t > prev_t || (t == prev_t && strcmp(id, prev_id) > 0), "item %zu (%s) out of (updated_at, id) order",
                  i, id);
    for (size_t j = 0; j < i; j++)
      ck_assert_msg(strcmp(jstr(json_array_get(items, j), id_key), id) != 0, "duplicate %s", id);
    prev_t = t;
    prev_id = id;
  }
}

START_TEST(members_pagination_walk) {
  char *tok = fixture_login(&fx.coordinator);
  int pages_all = 0, pages_small = 0;
  json_t *all = list_walk(anna_members, tok, 100, NULL, &pages_all);
  json_t *paged = list_walk(anna_members, tok, 2, NULL, &pages_small);
  ck_assert_uint_eq(json_array_size(all), 6); /* the fixture's members of Anna Zorgt */
  ck_assert_int_eq(pages_small, 3);
  ck_assert_uint_eq(json_array_size(paged), json_array_size(all));
  assert_ordered_unique(paged, "person_id");
  for (size_t i = 0; i < json_array_size(all); i++)
    ck_assert_str_eq(jstr(json_array_get(paged, i), "person_id"), jstr(json_array_get(all, i), "person_id"));
  /* limit 1 also visits every member exactly once */
  json_t *ones = list_walk(anna_members, tok, 1, NULL, NULL);
  ck_assert_uint_eq(json_array_size(ones), json_array_size(all));
  assert_ordered_unique(ones, "person_id");
  json_decref(ones);
  json_decref(all);
  json_decref(paged);
  free(tok);
}
END_TEST

START_TEST(members_limit_invalid_400) {
  char *tok = fixture_login(&fx.coordinator);
  const char *bad[] = {"0", "101", "abc", "-1", "1.5", "99999999999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char path[200];
    snprintf(path, sizeof path, "%s?limit=%s", anna_members, bad[i]);
    struct http_response r;
    http_get(&r, path, tok);
    assert_problem(&r, 400, "validation");
    ck_assert_msg(problem_has_error(&r, "limit", NULL), "limit=%s: %s", bad[i], r.body);
    http_response_free(&r);
  }
  free(tok);
}
END_TEST

START_TEST(members_bad_cursor_400) {
  char *tok = fixture_login(&fx.coordinator);
  const char *bad[] = {"garbage", "AAAA", "eyJ4IjoxfQ"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char path[200];
    snprintf(path, sizeof path, "%s?cursor=%s", anna_members, bad[i]);
    struct http_response r;
    http_get(&r, path, tok);
    assert_problem(&r, 400, "validation");
    ck_assert_msg(problem_has_error(&r, "cursor", NULL), "cursor=%s: %s", bad[i], r.body);
    http_response_free(&r);
  }
  free(tok);
}
END_TEST

START_TEST(members_bad_updated_since_400) {
  char *tok = fixture_login(&fx.coordinator);
  struct http_response r;
  char path[200];
  snprintf(path, sizeof path, "%s?updated_since=yesterday", anna_members);
  http_get(&r, path, tok);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "updated_since", NULL), "%s", r.body);
  http_response_free(&r);
  free(tok);
}
END_TEST

START_TEST(members_updated_since_and_tombstones) {
  char *tok = fixture_login(&fx.coordinator);
  struct person p1, p2;
  person_create(&p1, tok, fx.anna.id, "resident");
  char path[200];
  member_path(path, sizeof path, fx.anna.id, p1.id);
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  char *t1 = strdup(jstr(r.json, "updated_at"));
  ck_assert(t1 != NULL);
  http_response_free(&r);
  int64_t t1_us;
  ck_assert(parse_rfc3339(t1, &t1_us) == 0);
  sleep_ms(20);
  person_create(&p2, tok, fx.anna.id, "resident");

  char *enc = url_encode(t1);
  char query[200];
  snprintf(query, sizeof query, "updated_since=%s", enc);
  free(enc);
  json_t *since = list_walk(anna_members, tok, 100, query, NULL);
  ck_assert_msg(find_item(since, "person_id", p2.id) != NULL, "new member not in sync");
  ck_assert_msg(find_item(since, "email", fx.volunteer1.email) == NULL, "an older member came back from updated_since");
  /* only p2: updated_since is exclusive, and p1 sits on the boundary */
  ck_assert_uint_eq(json_array_size(since), 1);
  size_t i;
  json_t *it;
  json_array_foreach(since, i, it) {
    int64_t t;
    ck_assert(parse_rfc3339(jstr(it, "updated_at"), &t) == 0);
    ck_assert_msg(t >= t1_us, "item updated at %s before %s", jstr(it, "updated_at"), t1);
  }
  json_decref(since);

  /* remove p2: a tombstone with updated_since, gone from the plain list */
  member_path(path, sizeof path, fx.anna.id, p2.id);
  http_call(&r, "DELETE", path, tok, NULL);
  assert_status(&r, 204);
  http_response_free(&r);
  http_get(&r, path, tok);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  since = list_walk(anna_members, tok, 100, query, NULL);
  json_t *tomb = find_item(since, "person_id", p2.id);
  ck_assert_msg(tomb != NULL, "no tombstone for the removed member");
  ck_assert(json_is_true(json_object_get(tomb, "deleted")));
  ck_assert(json_is_null(json_object_get(tomb, "display_name")));
  ck_assert(json_is_null(json_object_get(tomb, "email")));
  ck_assert(json_is_null(json_object_get(tomb, "joined_at")));
  ck_assert_uint_eq(json_array_size(json_object_get(tomb, "roles")), 0);
  ck_assert_uint_eq(json_array_size(since), 1);
  json_decref(since);

  json_t *plain = list_walk(anna_members, tok, 100, NULL, NULL);
  ck_assert_ptr_null(find_item(plain, "person_id", p2.id));
  ck_assert_ptr_nonnull(find_item(plain, "person_id", p1.id));
  ck_assert_uint_eq(json_array_size(plain), 7); /* the fixture's six and p1 */
  json_decref(plain);
  free(t1);
  person_free(&p1);
  person_free(&p2);
  free(tok);
}
END_TEST

START_TEST(member_etag_304) {
  char *tok = fixture_login(&fx.coordinator);
  char *id = member_id_by_email(tok, anna_members, fx.resident1.email);
  char path[200];
  member_path(path, sizeof path, fx.anna.id, id);
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  assert_member_shape(r.json);
  ck_assert_str_eq(jstr(r.json, "email"), fx.resident1.email);
  const char *etag = http_header(&r, "etag");
  ck_assert_msg(etag && etag[0] == '"' && etag[strlen(etag) - 1] == '"', "ETag %s is not a strong tag",
                etag ? etag : "(none)");
  char inm[300];
  snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
  http_response_free(&r);
  const char *const h304[] = {inm, NULL};
  http_call_h(&r, "GET", path, tok, NULL, h304);
  assert_status(&r, 304);
  ck_assert_uint_eq(r.body_len, 0);
  ck_assert_ptr_nonnull(http_header(&r, "etag"));
  http_response_free(&r);
  const char *const hother[] = {"If-None-Match: \"something-else\"", NULL};
  http_call_h(&r, "GET", path, tok, NULL, hother);
  assert_status(&r, 200);
  http_response_free(&r);
  free(id);
  free(tok);
}
END_TEST

static void patch_roles(struct http_response *r, const char *path, const char *tok, const char *if_match,
                        json_t *roles) {
  char h[300];
  snprintf(h, sizeof h, "If-Match: %s", if_match ? if_match : "");
  const char *const hdrs[] = {h, NULL};
  http_call_h(r, "PATCH", path, tok, json_pack("{s:o}", "roles", roles), if_match ? hdrs : NULL);
}

START_TEST(member_patch_preconditions) {
  char *tok = fixture_login(&fx.coordinator);
  struct person p;
  person_create(&p, tok, fx.anna.id, "volunteer");
  char path[200];
  member_path(path, sizeof path, fx.anna.id, p.id);
  char *e1 = member_etag(tok, path);
  struct http_response r;

  patch_roles(&r, path, tok, NULL, json_pack("[s,s]", "volunteer", "resident"));
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);

  patch_roles(&r, path, tok, "\"stale-etag\"", json_pack("[s,s]", "volunteer", "resident"));
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);

  patch_roles(&r, path, tok, e1, json_pack("[s,s]", "volunteer", "resident"));
  assert_status(&r, 200);
  json_t *roles = json_object_get(r.json, "roles");
  ck_assert_uint_eq(json_array_size(roles), 2);
  ck_assert(jarray_has_string(roles, "resident") && jarray_has_string(roles, "volunteer"));
  const char *e2 = http_header(&r, "etag");
  ck_assert_msg(e2 && strcmp(e1, e2) != 0, "ETag unchanged after PATCH");
  char *e2c = strdup(e2);
  http_response_free(&r);

  patch_roles(&r, path, tok, e1, json_pack("[s]", "resident"));
  assert_problem(&r, 412, "precondition-failed"); /* the old tag is stale now */
  http_response_free(&r);

  char *e3 = member_etag(tok, path);
  ck_assert_str_eq(e3, e2c);
  free(e3);
  free(e2c);
  free(e1);
  person_free(&p);
  free(tok);
}
END_TEST

START_TEST(member_patch_rules) {
  char *tok = fixture_login(&fx.coordinator);
  struct person p;
  person_create(&p, tok, fx.anna.id, "resident");
  char path[200];
  member_path(path, sizeof path, fx.anna.id, p.id);
  char *etag = member_etag(tok, path);
  struct http_response r;

  patch_roles(&r, path, tok, etag, json_pack("[s]", "admin"));
  assert_problem(&r, 403, "forbidden"); /* only an admin grants admin */
  http_response_free(&r);

  json_t *bad[] = {
      json_array(), json_pack("[s]", "wizard"), json_pack("[s,s]", "volunteer", "volunteer"),
      json_pack("[s,s,s,s,s,s]", "resident", "volunteer", "coordinator", "professional", "admin", "resident")};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    patch_roles(&r, path, tok, etag, bad[i]);
    assert_problem(&r, 400, "validation");
    ck_assert_msg(problem_has_error(&r, "roles", NULL), "case %zu: %s", i, r.body);
    http_response_free(&r);
  }
  /* nothing changed */
  char *again = member_etag(tok, path);
  ck_assert_str_eq(again, etag);
  free(again);
  free(etag);
  person_free(&p);
  free(tok);
}
END_TEST

START_TEST(member_delete_if_match) {
  char *tok = fixture_login(&fx.coordinator);
  struct person p;
  person_create(&p, tok, fx.anna.id, "resident");
  char path[200];
  member_path(path, sizeof path, fx.anna.id, p.id);
  const char *const stale[] = {"If-Match: \"stale\"", NULL};
  struct http_response r;
  http_call_h(&r, "DELETE", path, tok, NULL, stale);
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  char *etag = member_etag(tok, path);
  char h[300];
  snprintf(h, sizeof h, "If-Match: %s", etag);
  const char *const good[] = {h, NULL};
  http_call_h(&r, "DELETE", path, tok, NULL, good);
  assert_status(&r, 204);
  http_response_free(&r);
  http_get(&r, path, tok);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  /* the removed person no longer acts as a member */
  http_get(&r, "/v1/me", p.tokens.access);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "memberships")), 0);
  http_response_free(&r);
  free(etag);
  person_free(&p);
  free(tok);
}
END_TEST

/* The server remembers a member's roles to save a round trip; a change must still hold from the
 * member's very next request (each read below follows a read that was answered with the old
 * roles). */
START_TEST(changed_roles_hold_from_the_next_request) {
  char *coord = fixture_login(&fx.coordinator);
  struct person p;
  person_create(&p, coord, fx.anna.id, "volunteer");
  char path[200];
  member_path(path, sizeof path, fx.anna.id, p.id);
  struct http_response r;
  for (int i = 0; i < 2; i++) {
    http_get(&r, anna_members, p.tokens.access);
    assert_problem(&r, 403, "forbidden");
    http_response_free(&r);
  }
  char *etag = member_etag(coord, path);
  patch_roles(&r, path, coord, etag, json_pack("[s]", "coordinator"));
  assert_status(&r, 200);
  http_response_free(&r);
  free(etag);
  for (int i = 0; i < 2; i++) {
    http_get(&r, anna_members, p.tokens.access);
    assert_status(&r, 200);
    http_response_free(&r);
  }
  etag = member_etag(coord, path);
  patch_roles(&r, path, coord, etag, json_pack("[s]", "volunteer"));
  assert_status(&r, 200);
  http_response_free(&r);
  free(etag);
  http_get(&r, anna_members, p.tokens.access);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, path, p.tokens.access); /* their own record: still a member */
  assert_status(&r, 200);
  http_response_free(&r);

  etag = member_etag(coord, path);
  char h[300];
  snprintf(h, sizeof h, "If-Match: %s", etag);
  const char *const good[] = {h, NULL};
  http_call_h(&r, "DELETE", path, coord, NULL, good);
  assert_status(&r, 204);
  http_response_free(&r);
  free(etag);
  http_get(&r, path, p.tokens.access);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  char board[160];
  http_get(&r, community_path(board, sizeof board, &fx.anna, "/board"), p.tokens.access);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  person_free(&p);
  free(coord);
}
END_TEST

START_TEST(volunteer_forbidden_403) {
  char *coord = fixture_login(&fx.coordinator);
  char *coord_id = me_id(coord);
  char *tok = fixture_login(&fx.volunteer1);
  char *own = me_id(tok);
  struct http_response r;
  http_get(&r, anna_members, tok);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  char path[200];
  member_path(path, sizeof path, fx.anna.id, coord_id);
  http_get(&r, path, tok);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  member_path(path, sizeof path, fx.anna.id, own);
  http_get(&r, path, tok); /* one's own record is readable */
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "person_id"), own);
  http_response_free(&r);
  const char *const im[] = {"If-Match: \"x\"", NULL};
  http_call_h(&r, "PATCH", path, tok, json_pack("{s:[s]}", "roles", "coordinator"), im);
  ck_assert_msg(r.status == 403 || r.status == 412, "volunteer PATCH own roles: %ld", r.status);
  assert_problem(&r, r.status, NULL);
  http_response_free(&r);
  free(own);
  free(tok);
  free(coord_id);
  free(coord);
}
END_TEST

START_TEST(professional_forbidden_in_both_403) {
  char *tok = fixture_login(&fx.professional);
  struct http_response r;
  http_get(&r, anna_members, tok);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, tot_members, tok);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  free(tok);
}
END_TEST

START_TEST(other_community_404) {
  char *anna = fixture_login(&fx.coordinator);
  char *anna_id = me_id(anna);
  char *tot = fixture_login(&fx.tot_coordinator);
  struct person victim;
  person_create(&victim, anna, fx.anna.id, "resident");
  struct http_response r;
  http_get(&r, anna_members, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  char path[200];
  member_path(path, sizeof path, fx.anna.id, anna_id);
  http_get(&r, path, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  member_path(path, sizeof path, fx.tot.id, anna_id); /* anna's coordinator is not in tot */
  http_get(&r, path, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  member_path(path, sizeof path, fx.anna.id, victim.id);
  http_call(&r, "DELETE", path, tot, NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  member_path(path, sizeof path, fx.tot.id, victim.id);
  http_call(&r, "DELETE", path, tot, NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  /* the victim is untouched */
  member_path(path, sizeof path, fx.anna.id, victim.id);
  http_get(&r, path, anna);
  assert_status(&r, 200);
  http_response_free(&r);
  person_free(&victim);
  free(tot);
  free(anna_id);
  free(anna);
}
END_TEST

START_TEST(unknown_ids_404) {
  char *tok = fixture_login(&fx.coordinator);
  struct http_response r;
  http_get(&r, "/v1/communities/5a0e9a4c-1111-4222-8333-444455556666/members", tok);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  char path[200];
  snprintf(path, sizeof path, "%s/5a0e9a4c-1111-4222-8333-444455556666", anna_members);
  http_get(&r, path, tok);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  free(tok);
}
END_TEST

Suite *members_suite(void) {
  Suite *s = suite_create("members");
  TCase *tc = fixture_tcase("lists", TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, member_lists_setup, NULL);
  tcase_add_test(tc, members_list_shape);
  tcase_add_test(tc, members_pagination_walk);
  tcase_add_test(tc, members_limit_invalid_400);
  tcase_add_test(tc, members_bad_cursor_400);
  tcase_add_test(tc, members_bad_updated_since_400);
  tcase_add_test(tc, members_updated_since_and_tombstones);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("single", TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, member_lists_setup, NULL);
  tcase_add_test(tc, member_etag_304);
  tcase_add_test(tc, member_patch_preconditions);
  tcase_add_test(tc, member_patch_rules);
  tcase_add_test(tc, member_delete_if_match);
  tcase_add_test(tc, changed_roles_hold_from_the_next_request);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("access", TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, member_lists_setup, NULL);
  tcase_add_test(tc, volunteer_forbidden_403);
  tcase_add_test(tc, professional_forbidden_in_both_403);
  tcase_add_test(tc, other_community_404);
  tcase_add_test(tc, unknown_ids_404);
  suite_add_tcase(s, tc);
  return s;
}
