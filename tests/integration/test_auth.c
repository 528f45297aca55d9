/* Login, tokens, refresh rotation, logout, delays after failures, registration, joining a community. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "jwtforge.h"
#include "suites.h"
#include "support.h"

static const char *const demo_emails[] = {
    ANNA_COORDINATOR, ANNA_VOLUNTEER1, ANNA_VOLUNTEER2, ANNA_RESIDENT1, ANNA_RESIDENT2, PROFESSIONAL, TOT_COORDINATOR,
};

static void assert_token_pair(json_t *j) {
  ck_assert_msg(jstr(j, "access_token") && jstr(j, "refresh_token"), "no tokens");
  ck_assert_str_eq(jstr(j, "token_type"), "Bearer");
  long long exp = jint(j, "expires_in", -1);
  ck_assert_msg(exp > 0 && exp <= 900, "expires_in %lld", exp);
}

/* seed-demo's accounts (make run) log in with the documented password; the suites only read
 * the demo data, so this holds in any order. */
START_TEST(demo_accounts_log_in) {
  for (size_t i = 0; i < sizeof demo_emails / sizeof *demo_emails; i++) {
    struct http_response r;
    http_call(&r, "POST", "/v1/auth/login", NULL,
              json_pack("{s:s, s:s}", "email", demo_emails[i], "password", DEMO_PASSWORD));
    ck_assert_msg(r.status == 200, "%s: %ld %s", demo_emails[i], r.status, r.body);
    assert_token_pair(r.json);
    char *tok = strdup(jstr(r.json, "access_token"));
    http_response_free(&r);
    http_get(&r, "/v1/me", tok);
    assert_status(&r, 200);
    ck_assert_str_eq(jstr(r.json, "email"), demo_emails[i]);
    http_response_free(&r);
    free(tok);
  }
}
END_TEST

START_TEST(wrong_password_same_as_unknown_email) {
  struct http_response r0;
  char *coord = fixture_login(&fx.coordinator);
  struct person p;
  person_create(&p, coord, fx.anna.id, "resident");
  struct http_response a, b;
  http_call(&a, "POST", "/v1/auth/login", NULL,
            json_pack("{s:s, s:s}", "email", p.email, "password", "wrong-password-123"));
  char *unknown = unique_email("nobody");
  http_call(&b, "POST", "/v1/auth/login", NULL,
            json_pack("{s:s, s:s}", "email", unknown, "password", "wrong-password-123"));
  assert_problem(&a, 401, "unauthenticated");
  assert_problem(&b, 401, "unauthenticated");
  json_t *ja = json_deep_copy(a.json), *jb = json_deep_copy(b.json);
  ck_assert(ja && jb);
  ck_assert(json_object_del(ja, "request_id") == 0);
  ck_assert(json_object_del(jb, "request_id") == 0);
  ck_assert(json_object_del(ja, "instance") == 0);
  ck_assert(json_object_del(jb, "instance") == 0);
  ck_assert_msg(json_equal(ja, jb), "bodies differ:\n%s\n%s", a.body, b.body);
  const char *wa = http_header(&a, "www-authenticate"), *wb = http_header(&b, "www-authenticate");
  ck_assert_msg((wa == NULL) == (wb == NULL) && (!wa || strcmp(wa, wb) == 0), "WWW-Authenticate differs");
  json_decref(ja);
  json_decref(jb);
  http_response_free(&a);
  http_response_free(&b);
  /* the person can still log in with the right password */
  http_call(&r0, "POST", "/v1/auth/login", NULL, json_pack("{s:s, s:s}", "email", p.email, "password", TEST_PASSWORD));
  assert_status(&r0, 200);
  http_response_free(&r0);
  free(unknown);
  person_free(&p);
  free(coord);
}
END_TEST

START_TEST(access_token_claims) {
  struct test_jwt_key keys[4];
  test_jwt_keys(keys, 4);
  char *tok = fixture_login(&fx.coordinator);
  char *alg = NULL, *kid = NULL;
  json_t *c = token_claims(tok, &keys[0], &alg, &kid);
  ck_assert_msg(c != NULL, "access token does not verify with the first key");
  ck_assert_str_eq(alg, "HS256");
  ck_assert_msg(kid && strcmp(kid, keys[0].kid) == 0, "kid %s, expected %s", kid ? kid : "", keys[0].kid);
  const char *iss = jstr(c, "iss");
  ck_assert_msg(iss && iss[0], "no iss");
  const char *want_iss = getenv("NOABER_TEST_JWT_ISSUER");
  if (want_iss && want_iss[0]) ck_assert_str_eq(iss, want_iss);
  json_t *aud = json_object_get(c, "aud");
  ck_assert_msg(json_is_string(aud) || json_is_array(aud), "no aud");
  const char *want_aud = getenv("NOABER_TEST_JWT_AUDIENCE");
  if (want_aud && want_aud[0])
    ck_assert_msg(
        json_is_string(aud) ? strcmp(json_string_value(aud), want_aud) == 0 : jarray_has_string(aud, want_aud),
        "aud does not name %s", want_aud);
  ck_assert_msg(jstr(c, "sub") != NULL, "no sub");
  long long iat = jint(c, "iat", -1), exp = jint(c, "exp", -1);
  long long now = (long long)time(NULL);
  ck_assert_msg(iat > 0 && exp > iat && exp - iat <= 900, "iat %lld exp %lld", iat, exp);
  ck_assert_msg(exp > now && iat <= now + 5, "token not current: iat %lld exp %lld now %lld", iat, exp, now);
  json_decref(c);
  free(alg);
  free(kid);
  free(tok);
}
END_TEST

/* ---- forged tokens: start from the claims of a real token and change one thing ---- */

struct forge_ctx {
  struct test_jwt_key keys[4];
  size_t n_keys;
  char *real;
  json_t *claims;
};

static void forge_begin(struct forge_ctx *f) {
  f->n_keys = test_jwt_keys(f->keys, 4);
  f->real = fixture_login(&fx.coordinator);
  f->claims = token_claims(f->real, &f->keys[0], NULL, NULL);
  ck_assert_msg(f->claims != NULL, "real token does not verify with the first key");
}

static void forge_end(struct forge_ctx *f) {
  json_decref(f->claims);
  free(f->real);
}

static void expect_me(const char *token, long status) {
  struct http_response r;
  http_get(&r, "/v1/me", token);
  if (status == 401) {
    assert_problem(&r, 401, "unauthenticated");
    const char *w = http_header(&r, "www-authenticate");
    ck_assert_msg(w && strncmp(w, "Bearer", 6) == 0, "WWW-Authenticate %s", w ? w : "");
  } else {
    assert_status(&r, status);
  }
  http_response_free(&r);
}

START_TEST(resigned_copy_accepted) {
  struct forge_ctx f;
  forge_begin(&f);
  char *t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 200); /* control: the forging itself is sound */
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(second_key_accepted) {
  struct forge_ctx f;
  forge_begin(&f);
  ck_assert_msg(f.n_keys >= 2, "NOABER_TEST_JWT_KEYS should hold two keys");
  char *t = jwt_forge(f.claims, f.keys[1].kid, JWT_ALG_HS256, f.keys[1].secret, f.keys[1].len);
  expect_me(t, 200);
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(forged_alg_none_401) {
  struct forge_ctx f;
  forge_begin(&f);
  char *t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_NONE, NULL, 0);
  expect_me(t, 401);
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(forged_other_key_401) {
  struct forge_ctx f;
  forge_begin(&f);
  unsigned char other[32];
  for (size_t i = 0; i < sizeof other; i++)
    other[i] = (unsigned char)(f.keys[0].secret[i % f.keys[0].len] ^ 0x5a ^ (unsigned)i);
  char *t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_HS256, other, sizeof other);
  expect_me(t, 401);
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(forged_kid_key_mismatch_401) {
  struct forge_ctx f;
  forge_begin(&f);
  ck_assert(f.n_keys >= 2);
  /* header names the second key, signature made with the first */
  char *t = jwt_forge(f.claims, f.keys[1].kid, JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401);
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(forged_wrong_audience_401) {
  struct forge_ctx f;
  forge_begin(&f);
  ck_assert(json_object_set_new(f.claims, "aud", json_string("some-other-service")) == 0);
  char *t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401);
  free(t);
  ck_assert(json_object_del(f.claims, "aud") == 0);
  t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401); /* missing aud */
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(forged_wrong_issuer_401) {
  struct forge_ctx f;
  forge_begin(&f);
  ck_assert(json_object_set_new(f.claims, "iss", json_string("https://evil.example")) == 0);
  char *t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401);
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(forged_expired_401) {
  struct forge_ctx f;
  forge_begin(&f);
  long long now = (long long)time(NULL);
  ck_assert(json_object_set_new(f.claims, "iat", json_integer(now - 1800)) == 0);
  ck_assert(json_object_set_new(f.claims, "exp", json_integer(now - 900)) == 0);
  char *t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401);
  free(t);
  ck_assert(json_object_del(f.claims, "exp") == 0);
  t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401); /* no exp at all */
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(forged_unknown_kid_401) {
  struct forge_ctx f;
  forge_begin(&f);
  char *t = jwt_forge(f.claims, "no-such-kid", JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401);
  free(t);
  t = jwt_forge(f.claims, NULL, JWT_ALG_HS256, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401); /* no kid */
  free(t);
  forge_end(&f);
}
END_TEST

START_TEST(forged_hs512_401) {
  struct forge_ctx f;
  forge_begin(&f);
  char *t = jwt_forge(f.claims, f.keys[0].kid, JWT_ALG_HS512, f.keys[0].secret, f.keys[0].len);
  expect_me(t, 401);
  free(t);
  forge_end(&f);
}
END_TEST

/* ---- refresh and logout ---- */

static long refresh(const char *token, struct tokens *out) {
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/refresh", NULL, json_pack("{s:s}", "refresh_token", token));
  long st = r.status;
  if (st == 200) {
    assert_token_pair(r.json);
    if (out) {
      out->access = strdup(jstr(r.json, "access_token"));
      out->refresh = strdup(jstr(r.json, "refresh_token"));
      ck_assert(out->access && out->refresh);
    }
  } else {
    assert_problem(&r, 401, "unauthenticated");
  }
  http_response_free(&r);
  return st;
}

START_TEST(refresh_rotates) {
  struct tokens t1, t2;
  login(fx.volunteer1.email, FIXTURE_PASSWORD, &t1);
  ck_assert_int_eq(refresh(t1.refresh, &t2), 200);
  ck_assert_str_ne(t1.refresh, t2.refresh);
  expect_me(t2.access, 200);
  struct tokens t3;
  ck_assert_int_eq(refresh(t2.refresh, &t3), 200); /* the new one rotates again */
  tokens_free(&t3);
  tokens_free(&t1);
  tokens_free(&t2);
}
END_TEST

START_TEST(refresh_reuse_revokes_family) {
  struct tokens t1, t2;
  login(fx.volunteer2.email, FIXTURE_PASSWORD, &t1);
  ck_assert_int_eq(refresh(t1.refresh, &t2), 200);
  ck_assert_int_eq(refresh(t1.refresh, NULL), 401); /* replay of a rotated token */
  ck_assert_int_eq(refresh(t2.refresh, NULL), 401); /* the whole family is gone */
  tokens_free(&t1);
  tokens_free(&t2);
}
END_TEST

START_TEST(refresh_garbage_401) { ck_assert_int_eq(refresh("definitely-not-a-refresh-token", NULL), 401); }
END_TEST

START_TEST(logout_revokes_refresh) {
  struct tokens t;
  login(fx.resident1.email, FIXTURE_PASSWORD, &t);
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/logout", NULL, json_pack("{s:s}", "refresh_token", t.refresh));
  assert_status(&r, 204);
  ck_assert_uint_eq(r.body_len, 0);
  http_response_free(&r);
  ck_assert_int_eq(refresh(t.refresh, NULL), 401);
  tokens_free(&t);
}
END_TEST

START_TEST(logout_unknown_token_204) {
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/logout", NULL, json_pack("{s:s}", "refresh_token", "unknown-refresh-token-value"));
  assert_status(&r, 204);
  http_response_free(&r);
}
END_TEST

/* Failures in a row make the next attempt wait (the rules: test_auth_guard.c). */
START_TEST(login_failures_delayed) {
  char *coord = fixture_login(&fx.coordinator);
  struct person p;
  person_create(&p, coord, fx.anna.id, "resident");
  for (int i = 1; i <= 5; i++) {
    struct http_response r;
    http_call(&r, "POST", "/v1/auth/login", NULL,
              json_pack("{s:s, s:s}", "email", p.email, "password", "not-the-password"));
    ck_assert_msg(r.status == 401, "failure %d: status %ld", i, r.status);
    http_response_free(&r);
  }
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/login", NULL,
            json_pack("{s:s, s:s}", "email", p.email, "password", "not-the-password"));
  assert_problem(&r, 429, "too-many-requests");
  const char *ra = http_header(&r, "retry-after");
  ck_assert_msg(ra && atol(ra) > 0, "Retry-After %s", ra ? ra : "(none)");
  http_response_free(&r);
  person_free(&p);
  free(coord);
}
END_TEST

/* ---- registration and joining ---- */

static void register_call(struct http_response *r, const char *code, const char *email, const char *password,
                          const char *name) {
  http_call(r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", password,
                      "display_name", name));
}

static json_t *membership_in(json_t *me, const char *community_id) {
  json_t *ms = json_object_get(me, "memberships");
  size_t i;
  json_t *m;
  json_array_foreach(ms, i,
                     m) if (jstr(m, "community.id") && strcmp(jstr(m, "community.id"), community_id) == 0) return m;
  return NULL;
}

START_TEST(register_with_invitation) {
  char *coord = fixture_login(&fx.coordinator);
  char *inv_id = NULL;
  char *code = create_invitation(coord, fx.anna.id, "volunteer", &inv_id);
  char *email = unique_email("register");
  struct http_response r;
  register_call(&r, code, email, TEST_PASSWORD, "Nieuwe Vrijwilliger");
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "me.email"), email);
  ck_assert_str_eq(jstr(r.json, "me.display_name"), "Nieuwe Vrijwilliger");
  assert_token_pair(jpath(r.json, "tokens"));
  json_t *m = membership_in(jpath(r.json, "me"), fx.anna.id);
  ck_assert_msg(m != NULL, "no membership of %s: %s", fx.anna.slug, r.body);
  ck_assert_str_eq(jstr(m, "community.slug"), fx.anna.slug);
  ck_assert_msg(
      jarray_has_string(json_object_get(m, "roles"), "volunteer") && json_array_size(json_object_get(m, "roles")) == 1,
      "roles: %s", r.body);
  http_response_free(&r);

  /* the new person logs in and sees the membership */
  char *tok = login_access(email, TEST_PASSWORD);
  http_get(&r, "/v1/me", tok);
  assert_status(&r, 200);
  m = membership_in(r.json, fx.anna.id);
  ck_assert_msg(m && jarray_has_string(json_object_get(m, "roles"), "volunteer"), "me: %s", r.body);
  http_response_free(&r);

  /* the invitation is now accepted */
  char path[200];
  snprintf(path, sizeof path, "/v1/communities/%s/invitations/%s", fx.anna.id, inv_id);
  http_get(&r, path, coord);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "accepted");
  http_response_free(&r);
  free(tok);
  free(email);
  free(code);
  free(inv_id);
  free(coord);
}
END_TEST

START_TEST(register_invalid_code_400) {
  char *email = unique_email("badcode");
  struct http_response r;
  register_call(&r, "NO-SUCH-CODE-12345", email, TEST_PASSWORD, "Iemand");
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "invitation_code", "invalid"), "errors: %s", r.body);
  http_response_free(&r);
  free(email);
}
END_TEST

START_TEST(register_used_code_400) {
  char *coord = fixture_login(&fx.coordinator);
  char *code = create_invitation(coord, fx.anna.id, "resident", NULL);
  char *e1 = unique_email("first"), *e2 = unique_email("second");
  struct http_response r;
  register_call(&r, code, e1, TEST_PASSWORD, "Eerste");
  assert_status(&r, 201);
  http_response_free(&r);
  register_call(&r, code, e2, TEST_PASSWORD, "Tweede");
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "invitation_code", "invalid"), "errors: %s", r.body);
  http_response_free(&r);
  free(e1);
  free(e2);
  free(code);
  free(coord);
}
END_TEST

START_TEST(register_email_taken_409) {
  char *coord = fixture_login(&fx.coordinator);
  char *code = create_invitation(coord, fx.anna.id, "resident", NULL);
  struct http_response r;
  register_call(&r, code, fx.volunteer1.email, TEST_PASSWORD, "Dubbel");
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  free(code);
  free(coord);
}
END_TEST

START_TEST(register_validation_400) {
  char *coord = fixture_login(&fx.coordinator);
  char *code = create_invitation(coord, fx.anna.id, "resident", NULL);
  char *email = unique_email("short");
  struct http_response r;
  register_call(&r, code, email, "short-pw-11", "Kort");
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "password", NULL), "errors: %s", r.body);
  http_response_free(&r);
  register_call(&r, code, email, TEST_PASSWORD, "");
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "display_name", NULL), "errors: %s", r.body);
  http_response_free(&r);
  /* the code is still good after rejected attempts */
  register_call(&r, code, email, TEST_PASSWORD, "Kort Genoeg");
  assert_status(&r, 201);
  http_response_free(&r);
  free(email);
  free(code);
  free(coord);
}
END_TEST

START_TEST(join_second_community) {
  char *anna = fixture_login(&fx.coordinator);
  char *tot = fixture_login(&fx.tot_coordinator);
  struct person p;
  person_create(&p, anna, fx.anna.id, "volunteer");
  char *code = create_invitation(tot, fx.tot.id, "resident", NULL);
  struct http_response r;
  http_call(&r, "POST", "/v1/me/memberships", p.tokens.access, json_pack("{s:s}", "invitation_code", code));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "community.id"), fx.tot.id);
  ck_assert_str_eq(jstr(r.json, "community.slug"), fx.tot.slug);
  ck_assert_msg(jarray_has_string(json_object_get(r.json, "roles"), "resident"), "%s", r.body);
  http_response_free(&r);
  http_get(&r, "/v1/me", p.tokens.access);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "memberships")), 2);
  ck_assert_ptr_nonnull(membership_in(r.json, fx.anna.id));
  ck_assert_ptr_nonnull(membership_in(r.json, fx.tot.id));
  http_response_free(&r);

  /* a second invitation for the same community: already a member */
  char *code2 = create_invitation(tot, fx.tot.id, "volunteer", NULL);
  http_call(&r, "POST", "/v1/me/memberships", p.tokens.access, json_pack("{s:s}", "invitation_code", code2));
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  free(code2);
  free(code);
  person_free(&p);
  free(anna);
  free(tot);
}
END_TEST

START_TEST(join_invalid_code_400) {
  char *tok = fixture_login(&fx.resident1);
  struct http_response r;
  http_call(&r, "POST", "/v1/me/memberships", tok, json_pack("{s:s}", "invitation_code", "NOT-A-REAL-CODE"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "invitation_code", "invalid"), "errors: %s", r.body);
  http_response_free(&r);
  http_call(&r, "POST", "/v1/me/memberships", NULL, json_pack("{s:s}", "invitation_code", "NOT-A-REAL-CODE"));
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);
  free(tok);
}
END_TEST

Suite *auth_suite(void) {
  Suite *s = suite_create("auth");
  TCase *tc = tcase_create("demo");
  tcase_set_timeout(tc, TEST_TIMEOUT);
  tcase_add_test(tc, demo_accounts_log_in);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("login", TEST_TIMEOUT);
  tcase_add_test(tc, wrong_password_same_as_unknown_email);
  tcase_add_test(tc, access_token_claims);
  tcase_add_test(tc, login_failures_delayed);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("tokens", TEST_TIMEOUT);
  tcase_add_test(tc, resigned_copy_accepted);
  tcase_add_test(tc, second_key_accepted);
  tcase_add_test(tc, forged_alg_none_401);
  tcase_add_test(tc, forged_other_key_401);
  tcase_add_test(tc, forged_kid_key_mismatch_401);
  tcase_add_test(tc, forged_wrong_audience_401);
  tcase_add_test(tc, forged_wrong_issuer_401);
  tcase_add_test(tc, forged_expired_401);
  tcase_add_test(tc, forged_unknown_kid_401);
  tcase_add_test(tc, forged_hs512_401);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("refresh", TEST_TIMEOUT);
  tcase_add_test(tc, refresh_rotates);
  tcase_add_test(tc, refresh_reuse_revokes_family);
  tcase_add_test(tc, refresh_garbage_401);
  tcase_add_test(tc, logout_revokes_refresh);
  tcase_add_test(tc, logout_unknown_token_204);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("register", TEST_TIMEOUT);
  tcase_add_test(tc, register_with_invitation);
  tcase_add_test(tc, register_invalid_code_400);
  tcase_add_test(tc, register_used_code_400);
  tcase_add_test(tc, register_email_taken_409);
  tcase_add_test(tc, register_validation_400);
  tcase_add_test(tc, join_second_community);
  tcase_add_test(tc, join_invalid_code_400);
  suite_add_tcase(s, tc);
  return s;
}
