/* What logging in and registering must not give away (issue 10): registration that tells no one
 * whether an email has an account, invitations sent to one address, and throttled registration. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "proc.h"
#include "suites.h"
#include "support.h"

/* ---- helpers ---- */

static json_t *register_body(const char *code, const char *email) {
  return json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                   "display_name", "Iemand Nieuw");
}

/* An invitation of `role` in Anna sent to `email` (NULL: an open one); the code (owned). */
static char *invite(const char *coord, const char *role, const char *email) {
  char path[160];
  struct http_response r;
  json_t *body =
      email != NULL ? json_pack("{s:s, s:s}", "role", role, "email", email) : json_pack("{s:s}", "role", role);
  http_call(&r, "POST", community_path(path, sizeof path, &fx.anna, "/invitations"), coord, body);
  assert_status(&r, 201);
  char *code = strdup(jstr(r.json, "code"));
  ck_assert_ptr_nonnull(code);
  http_response_free(&r);
  return code;
}

/* The problem body without what differs per request (request_id, instance). Owned. */
static json_t *problem_core(const struct http_response *r) {
  json_t *copy = json_deep_copy(r->json);
  ck_assert_ptr_nonnull(copy);
  json_object_del(copy, "request_id");
  json_object_del(copy, "instance");
  return copy;
}

/* A loopback source address of this test's own, so no other test's failures count with it. */
static void own_address(char *buf, size_t len) {
  static unsigned seeded;
  if (!seeded++) srand((unsigned)time(NULL) ^ (unsigned)getpid());
  snprintf(buf, len, "127.%d.%d.%d", 10 + rand() % 200, rand() % 250, 1 + rand() % 250);
}

static void send_from(struct http_response *r, const char *base_url, const char *source, const char *path,
                      json_t *body /* stolen */) {
  struct http_request req = {.method = "POST", .path = path, .base_url = base_url, .json = body, .source_ip = source};
  int rc = http_send(&req, r);
  json_decref(body);
  ck_assert_msg(rc == 0, "%s", http_last_error());
}

/* ---- registration: the invitation first, one answer ---- */

/* A made-up code answered 409 "an account with this email exists" for a known email and 400 for
 * an unknown one: anyone could tell who has an account. Now both get the invitation's 400. */
START_TEST(register_made_up_code_tells_nothing) {
  char *unknown = unique_email("nobody");
  struct http_response known_r, unknown_r;
  http_call(&known_r, "POST", "/v1/auth/register", NULL, register_body("MADE-UP-CODE-123456", fx.volunteer1.email));
  http_call(&unknown_r, "POST", "/v1/auth/register", NULL, register_body("MADE-UP-CODE-123456", unknown));
  assert_problem(&known_r, 400, "validation");
  assert_problem(&unknown_r, 400, "validation");
  ck_assert_msg(problem_has_error(&known_r, "invitation_code", "invalid"), "%s", known_r.body);
  json_t *a = problem_core(&known_r), *b = problem_core(&unknown_r);
  ck_assert_msg(json_equal(a, b), "the answers differ:\n%s\n%s", known_r.body, unknown_r.body);
  json_decref(a);
  json_decref(b);
  http_response_free(&known_r);
  http_response_free(&unknown_r);
  free(unknown);
}
END_TEST

/* With a usable open invitation, an email that has an account is still a 409 (log in and join):
 * only a holder of a real code hears it. */
START_TEST(register_open_invitation_known_email_409) {
  char *coord = fixture_login(&fx.coordinator);
  char *code = invite(coord, "resident", NULL);
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/register", NULL, register_body(code, fx.volunteer1.email));
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  /* the code was not used up */
  char *email = unique_email("open");
  http_call(&r, "POST", "/v1/auth/register", NULL, register_body(code, email));
  assert_status(&r, 201);
  http_response_free(&r);
  free(email);
  free(code);
  free(coord);
}
END_TEST

/* An invitation sent to an address is for that address only; told like an unknown code. */
START_TEST(register_addressed_invitation_other_email_400) {
  char *coord = fixture_login(&fx.coordinator);
  char *invited = unique_email("invited");
  char *other = unique_email("other");
  char *code = invite(coord, "volunteer", invited);
  struct http_response r, made_up;
  http_call(&r, "POST", "/v1/auth/register", NULL, register_body(code, other));
  http_call(&made_up, "POST", "/v1/auth/register", NULL, register_body("MADE-UP-CODE-123456", other));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "invitation_code", "invalid"), "%s", r.body);
  json_t *a = problem_core(&r), *b = problem_core(&made_up);
  ck_assert_msg(json_equal(a, b), "told apart from a made-up code:\n%s\n%s", r.body, made_up.body);
  json_decref(a);
  json_decref(b);
  http_response_free(&r);
  http_response_free(&made_up);
  /* an account that exists is no way around it either */
  http_call(&r, "POST", "/v1/auth/register", NULL, register_body(code, fx.volunteer2.email));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  /* the invited address, in any case of letters */
  for (char *p = invited; *p != '@'; p++)
    if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
  http_call(&r, "POST", "/v1/auth/register", NULL, register_body(code, invited));
  assert_status(&r, 201);
  http_response_free(&r);
  free(code);
  free(invited);
  free(other);
  free(coord);
}
END_TEST

/* Joining while logged in: the same rule, with the person's own address. */
START_TEST(join_addressed_invitation_needs_that_email) {
  char *coord = fixture_login(&fx.coordinator);
  char *tot = fixture_login(&fx.tot_coordinator);
  struct person p;
  person_create(&p, coord, fx.anna.id, "volunteer");
  char *someone = unique_email("someone");
  char path[160];
  snprintf(path, sizeof path, "/v1/communities/%s/invitations", fx.tot.id);
  struct http_response r;
  http_call(&r, "POST", path, tot, json_pack("{s:s, s:s}", "role", "resident", "email", someone));
  assert_status(&r, 201);
  char *not_theirs = strdup(jstr(r.json, "code"));
  http_response_free(&r);
  http_call(&r, "POST", "/v1/me/memberships", p.tokens.access, json_pack("{s:s}", "invitation_code", not_theirs));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "invitation_code", "invalid"), "%s", r.body);
  http_response_free(&r);

  http_call(&r, "POST", path, tot, json_pack("{s:s, s:s}", "role", "resident", "email", p.email));
  assert_status(&r, 201);
  char *theirs = strdup(jstr(r.json, "code"));
  http_response_free(&r);
  http_call(&r, "POST", "/v1/me/memberships", p.tokens.access, json_pack("{s:s}", "invitation_code", theirs));
  assert_status(&r, 201);
  http_response_free(&r);
  free(theirs);
  free(not_theirs);
  free(someone);
  person_free(&p);
  free(tot);
  free(coord);
}
END_TEST

/* Failed registrations count per client address, as failed logins do: trying codes (or, with an
 * open code, emails) from one address runs into 429 with Retry-After. */
START_TEST(register_throttled_per_address) {
  struct server s;
  const struct env_override ov[] = {{"NOABER_LOGIN_IP_MAX_FAILURES", "3"}};
  server_start(&s, ov, 1);
  char src[32];
  own_address(src, sizeof src);
  for (int i = 0; i <= 3; i++) {
    char *email = unique_email("guess");
    char code[32];
    snprintf(code, sizeof code, "GUESSED-CODE-%d", i);
    struct http_response r;
    send_from(&r, s.base_url, src, "/v1/auth/register", register_body(code, email));
    if (i < 3) {
      assert_problem(&r, 400, "validation");
    } else {
      assert_problem(&r, 429, "too-many-requests");
      const char *ra = http_header(&r, "retry-after");
      ck_assert_msg(ra && atol(ra) > 0, "Retry-After %s", ra ? ra : "(none)");
    }
    http_response_free(&r);
    free(email);
  }
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
}
END_TEST

Suite *auth_guard_suite(void) {
  Suite *s = suite_create("auth_guard");
  TCase *tc = fixture_tcase("registration", TEST_TIMEOUT);
  tcase_add_test(tc, register_made_up_code_tells_nothing);
  tcase_add_test(tc, register_open_invitation_known_email_409);
  tcase_add_test(tc, register_addressed_invitation_other_email_400);
  tcase_add_test(tc, join_addressed_invitation_needs_that_email);
  tcase_add_test(tc, register_throttled_per_address);
  suite_add_tcase(s, tc);
  return s;
}
