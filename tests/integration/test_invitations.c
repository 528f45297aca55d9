/* Invitations: create, idempotency, list, ETag, revoke, access rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "suites.h"
#include "support.h"

/* The invitation lists of the test's two communities, set before each test after its
 * fixture. */
static char anna_invitations[128], tot_invitations[128];

static void invitation_lists_setup(void) {
  community_path(anna_invitations, sizeof anna_invitations, &fx.anna, "/invitations");
  community_path(tot_invitations, sizeof tot_invitations, &fx.tot, "/invitations");
}

static void invitation_path(char *buf, size_t len, const char *community, const char *id) {
  snprintf(buf, len, "/v1/communities/%s/invitations/%s", community, id);
}

static size_t count_invitations(const char *tok, const char *path) {
  json_t *all = list_walk(path, tok, 100, NULL, NULL);
  size_t n = json_array_size(all);
  json_decref(all);
  return n;
}

static void assert_invitation_shape(json_t *j, const char *community, const char *role) {
  ck_assert_msg(jstr(j, "id") != NULL, "id");
  ck_assert_str_eq(jstr(j, "community_id"), community);
  ck_assert_str_eq(jstr(j, "role"), role);
  const char *st = jstr(j, "status");
  ck_assert_msg(st && (strcmp(st, "pending") == 0 || strcmp(st, "accepted") == 0 || strcmp(st, "revoked") == 0 ||
                       strcmp(st, "expired") == 0),
                "status %s", st ? st : "(none)");
  ck_assert(jstr(j, "created_by") != NULL);
  int64_t t;
  ck_assert(parse_rfc3339(jstr(j, "expires_at"), &t) == 0);
  ck_assert(parse_rfc3339(jstr(j, "created_at"), &t) == 0);
  ck_assert(parse_rfc3339(jstr(j, "updated_at"), &t) == 0);
  json_t *email = json_object_get(j, "email");
  ck_assert(json_is_null(email) || json_is_string(email));
}

START_TEST(invitation_create_shape) {
  char *tok = fixture_login(&fx.coordinator);
  char *coord_id = me_id(tok);
  char *email = unique_email("invitee");
  struct http_response r;
  http_call(&r, "POST", anna_invitations, tok,
            json_pack("{s:s, s:s, s:i}", "role", "volunteer", "email", email, "expires_in_hours", 48));
  assert_status(&r, 201);
  assert_invitation_shape(r.json, fx.anna.id, "volunteer");
  ck_assert_str_eq(jstr(r.json, "status"), "pending");
  ck_assert_str_eq(jstr(r.json, "email"), email);
  ck_assert_str_eq(jstr(r.json, "created_by"), coord_id);
  ck_assert_msg(jstr(r.json, "code") && strlen(jstr(r.json, "code")) >= 8, "code: %s", r.body);
  int64_t exp_us;
  ck_assert(parse_rfc3339(jstr(r.json, "expires_at"), &exp_us) == 0);
  int64_t want = ((int64_t)time(NULL) + 48 * 3600) * 1000000;
  ck_assert_msg(llabs((long long)(exp_us - want)) < 120LL * 1000000, "expires_at %s", jstr(r.json, "expires_at"));
  char path[200];
  invitation_path(path, sizeof path, fx.anna.id, jstr(r.json, "id"));
  http_response_free(&r);

  /* default expiry 168 h; the code is not shown again */
  http_get(&r, path, tok);
  assert_status(&r, 200);
  assert_invitation_shape(r.json, fx.anna.id, "volunteer");
  ck_assert_ptr_null(json_object_get(r.json, "code"));
  http_response_free(&r);
  http_call(&r, "POST", anna_invitations, tok, json_pack("{s:s}", "role", "resident"));
  assert_status(&r, 201);
  ck_assert(json_is_null(json_object_get(r.json, "email")));
  ck_assert(parse_rfc3339(jstr(r.json, "expires_at"), &exp_us) == 0);
  want = ((int64_t)time(NULL) + 168 * 3600) * 1000000;
  ck_assert_msg(llabs((long long)(exp_us - want)) < 120LL * 1000000, "default expiry %s", jstr(r.json, "expires_at"));
  http_response_free(&r);
  free(email);
  free(coord_id);
  free(tok);
}
END_TEST

START_TEST(invitation_idempotent_replay) {
  char *tok = fixture_login(&fx.coordinator);
  size_t before = count_invitations(tok, anna_invitations);
  char key[100];
  snprintf(key, sizeof key, "Idempotency-Key: itest-%ld-%ld", (long)getpid(), (long)time(NULL));
  const char *const hdrs[] = {key, NULL};
  struct http_response a, b;
  http_call_h(&a, "POST", anna_invitations, tok, json_pack("{s:s}", "role", "resident"), hdrs);
  assert_status(&a, 201);
  ck_assert_ptr_null(http_header(&a, "idempotent-replayed"));
  http_call_h(&b, "POST", anna_invitations, tok, json_pack("{s:s}", "role", "resident"), hdrs);
  assert_status(&b, 201);
  const char *replayed = http_header(&b, "idempotent-replayed");
  ck_assert_msg(replayed && strcmp(replayed, "true") == 0, "Idempotent-Replayed: %s", replayed ? replayed : "(none)");
  ck_assert_msg(json_equal(a.json, b.json), "replay body differs:\n%s\n%s", a.body, b.body);
  size_t after = count_invitations(tok, anna_invitations);
  ck_assert_uint_eq(after, before + 1);
  http_response_free(&a);
  http_response_free(&b);
  free(tok);
}
END_TEST

START_TEST(invitation_idempotency_key_reused_422) {
  char *tok = fixture_login(&fx.coordinator);
  char key[100];
  snprintf(key, sizeof key, "Idempotency-Key: reuse-%ld-%ld", (long)getpid(), (long)time(NULL));
  const char *const hdrs[] = {key, NULL};
  struct http_response r;
  http_call_h(&r, "POST", anna_invitations, tok, json_pack("{s:s}", "role", "resident"), hdrs);
  assert_status(&r, 201);
  http_response_free(&r);
  size_t before = count_invitations(tok, anna_invitations);
  http_call_h(&r, "POST", anna_invitations, tok, json_pack("{s:s}", "role", "volunteer"), hdrs);
  assert_problem(&r, 422, "idempotency-key-reused");
  http_response_free(&r);
  ck_assert_uint_eq(count_invitations(tok, anna_invitations), before);
  free(tok);
}
END_TEST

START_TEST(invitation_bad_idempotency_key_400) {
  char *tok = fixture_login(&fx.coordinator);
  char longkey[300] = "Idempotency-Key: ";
  size_t l = strlen(longkey);
  memset(longkey + l, 'k', 256);
  longkey[l + 256] = '\0';
  const char *const hdrs[] = {longkey, NULL};
  struct http_response r;
  http_call_h(&r, "POST", anna_invitations, tok, json_pack("{s:s}", "role", "resident"), hdrs);
  assert_problem(&r, 400, NULL);
  http_response_free(&r);
  free(tok);
}
END_TEST

START_TEST(invitation_rules) {
  char *tok = fixture_login(&fx.coordinator);
  struct http_response r;
  http_call(&r, "POST", anna_invitations, tok, json_pack("{s:s}", "role", "admin"));
  assert_problem(&r, 403, "forbidden"); /* only an admin invites admins */
  http_response_free(&r);
  const char *coordinator_may[] = {"resident", "volunteer", "professional", "coordinator"};
  for (size_t i = 0; i < 4; i++) {
    http_call(&r, "POST", anna_invitations, tok, json_pack("{s:s}", "role", coordinator_may[i]));
    assert_status(&r, 201);
    ck_assert_str_eq(jstr(r.json, "role"), coordinator_may[i]);
    http_response_free(&r);
  }
  free(tok);
}
END_TEST

START_TEST(invitation_validation_400) {
  char *tok = fixture_login(&fx.coordinator);
  struct http_response r;
  http_call(&r, "POST", anna_invitations, tok, json_pack("{s:s}", "role", "wizard"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "role", NULL), "%s", r.body);
  http_response_free(&r);
  http_call(&r, "POST", anna_invitations, tok, json_object());
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "role", NULL), "%s", r.body);
  http_response_free(&r);
  const int hours[] = {0, 721, -5};
  for (size_t i = 0; i < 3; i++) {
    http_call(&r, "POST", anna_invitations, tok,
              json_pack("{s:s, s:i}", "role", "resident", "expires_in_hours", hours[i]));
    assert_problem(&r, 400, "validation");
    ck_assert_msg(problem_has_error(&r, "expires_in_hours", NULL), "%d: %s", hours[i], r.body);
    http_response_free(&r);
  }
  http_call(&r, "POST", anna_invitations, tok, json_pack("{s:s, s:s}", "role", "resident", "email", "not-an-email"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "email", NULL), "%s", r.body);
  http_response_free(&r);
  free(tok);
}
END_TEST

START_TEST(invitation_list_walk) {
  char *tok = fixture_login(&fx.coordinator);
  for (int i = 0; i < 3; i++) free(create_invitation(tok, fx.anna.id, "resident", NULL));
  json_t *all = list_walk(anna_invitations, tok, 100, NULL, NULL);
  int pages = 0;
  json_t *paged = list_walk(anna_invitations, tok, 2, NULL, &pages);
  ck_assert_uint_eq(json_array_size(all), 3);
  ck_assert_uint_eq(json_array_size(paged), json_array_size(all));
  ck_assert_int_eq(pages, 2);
  for (size_t i = 0; i < json_array_size(all); i++) {
    json_t *it = json_array_get(paged, i);
    ck_assert_str_eq(jstr(it, "id"), jstr(json_array_get(all, i), "id"));
    ck_assert_str_eq(jstr(it, "community_id"), fx.anna.id);
    ck_assert_ptr_null(json_object_get(it, "code"));
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(jstr(json_array_get(paged, j), "id"), jstr(it, "id"));
  }
  json_decref(all);
  json_decref(paged);
  free(tok);
}
END_TEST

START_TEST(invitation_etag_304) {
  char *tok = fixture_login(&fx.coordinator);
  char *id = NULL;
  free(create_invitation(tok, fx.anna.id, "resident", &id));
  char path[200];
  invitation_path(path, sizeof path, fx.anna.id, id);
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  const char *etag = http_header(&r, "etag");
  ck_assert_msg(etag && etag[0] == '"', "ETag %s", etag ? etag : "(none)");
  char h[300];
  snprintf(h, sizeof h, "If-None-Match: %s", etag);
  http_response_free(&r);
  const char *const hdrs[] = {h, NULL};
  http_call_h(&r, "GET", path, tok, NULL, hdrs);
  assert_status(&r, 304);
  ck_assert_uint_eq(r.body_len, 0);
  http_response_free(&r);
  free(id);
  free(tok);
}
END_TEST

START_TEST(invitation_revoke) {
  char *tok = fixture_login(&fx.coordinator);
  char *id = NULL;
  char *code = create_invitation(tok, fx.anna.id, "resident", &id);
  char path[200];
  invitation_path(path, sizeof path, fx.anna.id, id);
  struct http_response r;
  http_call(&r, "DELETE", path, tok, NULL);
  assert_status(&r, 204);
  http_response_free(&r);
  http_get(&r, path, tok);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "revoked");
  http_response_free(&r);
  char *email = unique_email("revoked");
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                      "display_name", "Te Laat"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "invitation_code", "invalid"), "%s", r.body);
  http_response_free(&r);
  free(email);
  free(code);
  free(id);
  free(tok);
}
END_TEST

START_TEST(invitation_access_rules) {
  char *anna = fixture_login(&fx.coordinator);
  char *tot = fixture_login(&fx.tot_coordinator);
  char *vol = fixture_login(&fx.volunteer1);
  char *id = NULL;
  free(create_invitation(anna, fx.anna.id, "resident", &id));
  char path[200];
  invitation_path(path, sizeof path, fx.anna.id, id);
  struct http_response r;
  http_call(&r, "POST", anna_invitations, vol, json_pack("{s:s}", "role", "resident"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, anna_invitations, vol);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, anna_invitations, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  http_get(&r, path, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  http_call(&r, "DELETE", path, tot, NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  http_call(&r, "POST", anna_invitations, tot, json_pack("{s:s}", "role", "resident"));
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  invitation_path(path, sizeof path, fx.tot.id, id); /* anna's invitation under tot's id */
  http_get(&r, path, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  /* still pending for its own community */
  invitation_path(path, sizeof path, fx.anna.id, id);
  http_get(&r, path, anna);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "pending");
  http_response_free(&r);
  json_t *tot_list = list_walk(tot_invitations, tot, 100, NULL, NULL);
  ck_assert_ptr_null(find_item(tot_list, "id", id));
  ck_assert_uint_eq(json_array_size(tot_list), 0);
  json_decref(tot_list);
  free(id);
  free(vol);
  free(tot);
  free(anna);
}
END_TEST

Suite *invitations_suite(void) {
  Suite *s = suite_create("invitations");
  TCase *tc = fixture_tcase("invitations", TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, invitation_lists_setup, NULL);
  tcase_add_test(tc, invitation_create_shape);
  tcase_add_test(tc, invitation_idempotent_replay);
  tcase_add_test(tc, invitation_idempotency_key_reused_422);
  tcase_add_test(tc, invitation_bad_idempotency_key_400);
  tcase_add_test(tc, invitation_rules);
  tcase_add_test(tc, invitation_validation_400);
  tcase_add_test(tc, invitation_list_walk);
  tcase_add_test(tc, invitation_etag_304);
  tcase_add_test(tc, invitation_revoke);
  tcase_add_test(tc, invitation_access_rules);
  suite_add_tcase(s, tc);
  return s;
}
