/* What logging in and registering must not give away or take away (issue 10): registration that
 * tells no one whether an email has an account, invitations sent to one address, throttled
 * registration, failed logins that slow strangers down without locking the owner out, and sessions
 * that end when the person says so. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "jwtforge.h"
#include "proc.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"

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

/* ---- failed logins: a delay that grows, and the owner still gets in ---- */

static json_t *login_body(const char *email, const char *password, const char *device_token) {
  return device_token != NULL
             ? json_pack("{s:s, s:s, s:s}", "email", email, "password", password, "device_token", device_token)
             : json_pack("{s:s, s:s}", "email", email, "password", password);
}

/* POST /v1/auth/login from `source` (NULL: the default address) to `base_url` (NULL: the runner's
 * server); the status, with the Retry-After of a 429 in *retry_after and the device token of a 200
 * in *device_token (owned), when those are not NULL. */
static long login_from(const char *base_url, const char *source, const char *email, const char *password,
                       const char *device_token, long *retry_after, char **device_out) {
  struct http_response r;
  send_from(&r, base_url, source, "/v1/auth/login", login_body(email, password, device_token));
  long status = r.status;
  if (status == 429) {
    assert_problem(&r, 429, "too-many-requests");
    const char *ra = http_header(&r, "retry-after");
    ck_assert_msg(ra && atol(ra) > 0, "Retry-After %s", ra ? ra : "(none)");
    if (retry_after != NULL) *retry_after = atol(ra);
  } else if (status == 200 && device_out != NULL) {
    const char *token = jstr(r.json, "device_token");
    ck_assert_msg(token != NULL, "no device_token: %s", r.body);
    *device_out = strdup(token);
  } else if (status != 200) {
    assert_problem(&r, 401, "unauthenticated");
  }
  http_response_free(&r);
  return status;
}

/* Five wrong passwords from elsewhere used to lock the account for 15 minutes, its owner too.
 * Now they slow down logins from places the account does not know; the owner gets in from the
 * address they registered and logged in from, and with the device token of an earlier login from
 * anywhere. */
START_TEST(strangers_do_not_lock_the_owner_out) {
  char *coord = fixture_login(&fx.coordinator);
  struct person p;
  person_create(&p, coord, fx.anna.id, "resident"); /* registered from the default address */
  char stranger[32], elsewhere[32];
  own_address(stranger, sizeof stranger);
  own_address(elsewhere, sizeof elsewhere);
  for (int i = 1; i <= 5; i++)
    ck_assert_int_eq(login_from(NULL, stranger, p.email, "not-the-password", NULL, NULL, NULL), 401);
  long retry_after = 0;
  ck_assert_int_eq(login_from(NULL, stranger, p.email, "not-the-password", NULL, &retry_after, NULL), 429);

  /* the owner, from the address they registered from */
  char *device = NULL;
  ck_assert_int_eq(login_from(NULL, NULL, p.email, TEST_PASSWORD, NULL, NULL, &device), 200);
  ck_assert_msg(retry_after <= 15, "the first delay is %ld s", retry_after);
  /* another place the account does not know waits, even with the right password */
  ck_assert_int_eq(login_from(NULL, elsewhere, p.email, TEST_PASSWORD, NULL, NULL, NULL), 429);
  /* but not the owner's device, from there */
  char *again = NULL;
  ck_assert_int_eq(login_from(NULL, elsewhere, p.email, TEST_PASSWORD, device, NULL, &again), 200);
  ck_assert_str_eq(again, device);
  /* a device token is the account's own: for another account it is no known device */
  ck_assert_int_eq(login_from(NULL, elsewhere, fx.volunteer1.email, "not-the-password", device, NULL, NULL), 401);
  free(again);
  free(device);
  person_free(&p);
  free(coord);
}
END_TEST

/* Failures from a place the account knows count for that place: the owner's own address is no way
 * around the delay for someone who shares it. */
START_TEST(known_place_failures_are_delayed_too) {
  char *coord = fixture_login(&fx.coordinator);
  struct person p;
  person_create(&p, coord, fx.anna.id, "resident");
  for (int i = 1; i <= 5; i++)
    ck_assert_int_eq(login_from(NULL, NULL, p.email, "not-the-password", NULL, NULL, NULL), 401);
  ck_assert_int_eq(login_from(NULL, NULL, p.email, TEST_PASSWORD, NULL, NULL, NULL), 429);
  person_free(&p);
  free(coord);
}
END_TEST

/* After the failures allowed, every further failure makes the next attempt wait longer. */
START_TEST(the_delay_grows) {
  struct server s;
  const struct env_override ov[] = {
      {"NOABER_LOGIN_MAX_FAILURES", "2"}, {"NOABER_LOGIN_DELAY_S", "1"}, {"NOABER_LOGIN_WINDOW_S", "60"}};
  server_start(&s, ov, 3);
  char src[32];
  own_address(src, sizeof src);
  char *email = unique_email("tried");
  for (int i = 1; i <= 2; i++)
    ck_assert_int_eq(login_from(s.base_url, src, email, "not-the-password", NULL, NULL, NULL), 401);
  long previous = 0;
  for (int round = 0; round < 3; round++) {
    long wait = 0;
    ck_assert_int_eq(login_from(s.base_url, src, email, "not-the-password", NULL, &wait, NULL), 429);
    ck_assert_msg(round > 0 || wait <= 1, "the first delay is %ld s, not 1", wait);
    ck_assert_msg(wait > previous, "round %d: Retry-After %ld after %ld", round, wait, previous);
    previous = wait;
    sleep_ms(wait * 1000 + 200);
    ck_assert_int_eq(login_from(s.base_url, src, email, "not-the-password", NULL, NULL, NULL), 401);
  }
  ck_assert_msg(previous >= 4, "the delay after three more failures is %ld s", previous);
  free(email);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
}
END_TEST

/* ---- sessions: ended means ended, at once ---- */

static long me_status(const char *access) {
  struct http_response r;
  http_get(&r, "/v1/me", access);
  long status = r.status;
  if (status == 401) assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);
  return status;
}

static long get_status(const char *path, const char *access) {
  struct http_response r;
  http_get(&r, path, access);
  long status = r.status;
  if (status == 401) assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);
  return status;
}

static void login_named(const char *email, const char *device_name, struct tokens *out) {
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/login", NULL,
            json_pack("{s:s, s:s, s:s}", "email", email, "password", FIXTURE_PASSWORD, "device_name", device_name));
  assert_status(&r, 200);
  out->access = strdup(jstr(r.json, "access_token"));
  out->refresh = strdup(jstr(r.json, "refresh_token"));
  ck_assert(out->access && out->refresh);
  http_response_free(&r);
}

static long refresh_status(const char *refresh, struct tokens *out) {
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/refresh", NULL, json_pack("{s:s}", "refresh_token", refresh));
  long status = r.status;
  if (status == 200 && out != NULL) {
    out->access = strdup(jstr(r.json, "access_token"));
    out->refresh = strdup(jstr(r.json, "refresh_token"));
  }
  http_response_free(&r);
  return status;
}

/* An access token kept working for up to 15 minutes after its logout. Now the request that sets
 * its context finds the session ended: 401 on every kind of route. */
START_TEST(logout_ends_the_access_token_at_once) {
  struct tokens t;
  login(fx.volunteer1.email, FIXTURE_PASSWORD, &t);
  char categories[160];
  community_path(categories, sizeof categories, &fx.anna, "/categories");
  ck_assert_int_eq(me_status(t.access), 200);
  ck_assert_int_eq(get_status(categories, t.access), 200);
  ck_assert_int_eq(get_status(categories, t.access), 200); /* the roles are now remembered */
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/logout", NULL, json_pack("{s:s}", "refresh_token", t.refresh));
  assert_status(&r, 204);
  http_response_free(&r);

  ck_assert_int_eq(me_status(t.access), 401);
  ck_assert_int_eq(get_status(categories, t.access), 401);
  http_call(&r, "POST", "/v1/me/memberships", t.access, json_pack("{s:s}", "invitation_code", "NOT-A-REAL-CODE"));
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);
  tokens_free(&t);
}
END_TEST

/* The same on a case, whose routes write the access log, and for a coordinator's list. */
START_TEST(logout_ends_case_access_at_once) {
  struct tokens t;
  login(fx.coordinator.email, FIXTURE_PASSWORD, &t);
  char *case_id = case_open(t.access, fx.resident1.id, "Na het uitloggen", NULL);
  struct http_response r;
  case_get(&r, t.access, case_id);
  assert_status(&r, 200);
  http_response_free(&r);
  http_call(&r, "POST", "/v1/auth/logout", NULL, json_pack("{s:s}", "refresh_token", t.refresh));
  assert_status(&r, 204);
  http_response_free(&r);
  case_get(&r, t.access, case_id);
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);
  char members[160];
  ck_assert_int_eq(get_status(community_path(members, sizeof members, &fx.anna, "/members"), t.access), 401);
  free(case_id);
  tokens_free(&t);
}
END_TEST

/* A refresh token that comes back after it was rotated ends its whole family: its access tokens
 * too, at once. */
START_TEST(reuse_ends_the_access_tokens_at_once) {
  struct tokens t1, t2;
  login(fx.volunteer2.email, FIXTURE_PASSWORD, &t1);
  ck_assert_int_eq(refresh_status(t1.refresh, &t2), 200);
  ck_assert_int_eq(me_status(t2.access), 200);
  ck_assert_int_eq(refresh_status(t1.refresh, NULL), 401); /* someone holds a copy */
  ck_assert_int_eq(me_status(t2.access), 401);
  ck_assert_int_eq(me_status(t1.access), 401);
  tokens_free(&t1);
  tokens_free(&t2);
}
END_TEST

/* A person lists their sessions, named by the device, and signs out on all of them. */
START_TEST(sessions_listed_and_ended_everywhere) {
  struct tokens phone, laptop, other;
  login_named(fx.resident1.email, "Telefoon van Els", &phone);
  login_named(fx.resident1.email, "Laptop", &laptop);
  login(fx.resident2.email, FIXTURE_PASSWORD, &other); /* someone else's session */
  struct http_response r;
  http_get(&r, "/v1/me/sessions", phone.access);
  assert_status(&r, 200);
  json_t *items = json_object_get(r.json, "items");
  ck_assert_uint_eq(json_array_size(items), 2);
  json_t *first = json_array_get(items, 0), *second = json_array_get(items, 1);
  ck_assert_str_eq(jstr(first, "device_name"), "Laptop"); /* most recently used first */
  ck_assert_str_eq(jstr(second, "device_name"), "Telefoon van Els");
  ck_assert(json_is_false(json_object_get(first, "current")));
  ck_assert(json_is_true(json_object_get(second, "current")));
  char *phone_session = strdup(jstr(second, "id"));
  http_response_free(&r);

  /* a refresh is a use: the phone's session comes first, under the same id */
  struct tokens phone2;
  ck_assert_int_eq(refresh_status(phone.refresh, &phone2), 200);
  http_get(&r, "/v1/me/sessions", laptop.access);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "items.0.id"), phone_session);
  ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(r.json, "items"), 1), "current")));
  http_response_free(&r);

  /* a lost phone: sign out everywhere from the laptop */
  http_call(&r, "POST", "/v1/me/sessions/revoke-all", laptop.access, NULL);
  assert_status(&r, 204);
  ck_assert_uint_eq(r.body_len, 0);
  http_response_free(&r);
  ck_assert_int_eq(me_status(laptop.access), 401);
  ck_assert_int_eq(me_status(phone2.access), 401);
  ck_assert_int_eq(me_status(phone.access), 401);
  ck_assert_int_eq(refresh_status(phone2.refresh, NULL), 401);
  ck_assert_int_eq(refresh_status(laptop.refresh, NULL), 401);
  ck_assert_int_eq(me_status(other.access), 200); /* nobody else's */

  /* a new login is a new session, the only one */
  struct tokens again;
  login(fx.resident1.email, FIXTURE_PASSWORD, &again);
  http_get(&r, "/v1/me/sessions", again.access);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 1);
  ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "device_name")));
  http_response_free(&r);
  free(phone_session);
  tokens_free(&again);
  tokens_free(&phone2);
  tokens_free(&phone);
  tokens_free(&laptop);
  tokens_free(&other);
}
END_TEST

/* An access token names its session (sid); one without, signed with the right key, is refused. */
START_TEST(access_token_without_session_401) {
  struct test_jwt_key keys[4];
  test_jwt_keys(keys, 4);
  char *real = fixture_login(&fx.coordinator);
  json_t *claims = token_claims(real, &keys[0], NULL, NULL);
  ck_assert_ptr_nonnull(claims);
  ck_assert_msg(jstr(claims, "sid") != NULL, "no sid in the access token");
  ck_assert(json_object_del(claims, "sid") == 0);
  char *forged = jwt_forge(claims, keys[0].kid, JWT_ALG_HS256, keys[0].secret, keys[0].len);
  ck_assert_int_eq(me_status(forged), 401);
  /* a session that does not exist */
  ck_assert(json_object_set_new(claims, "sid", json_string("00000000-0000-4000-8000-00000000dead")) == 0);
  free(forged);
  forged = jwt_forge(claims, keys[0].kid, JWT_ALG_HS256, keys[0].secret, keys[0].len);
  ck_assert_int_eq(me_status(forged), 401);
  free(forged);
  json_decref(claims);
  free(real);
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

  tc = fixture_tcase("login_delay", TEST_TIMEOUT);
  tcase_add_test(tc, strangers_do_not_lock_the_owner_out);
  tcase_add_test(tc, known_place_failures_are_delayed_too);
  tcase_add_test(tc, the_delay_grows);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("sessions", TEST_TIMEOUT);
  tcase_add_test(tc, logout_ends_the_access_token_at_once);
  tcase_add_test(tc, logout_ends_case_access_at_once);
  tcase_add_test(tc, reuse_ends_the_access_tokens_at_once);
  tcase_add_test(tc, sessions_listed_and_ended_everywhere);
  tcase_add_test(tc, access_token_without_session_401);
  suite_add_tcase(s, tc);
  return s;
}
