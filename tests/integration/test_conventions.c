/* Conventions every endpoint shares: problems, routing, bodies, framing, request ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "suites.h"
#include "support.h"

static void post_login_raw(struct http_response *r, const char *content_type, const char *body) {
  struct http_request req = {
      .method = "POST",
      .path = "/v1/auth/login",
      .body = body,
      .body_len = strlen(body),
      .content_type = content_type,
  };
  ck_assert_msg(http_send(&req, r) == 0, "%s", http_last_error());
}

/* A problem with status 400 and a 400 slug (validation or malformed-request). */
static void assert_400(const struct http_response *r) {
  assert_problem(r, 400, NULL);
  const char *type = jstr(r->json, "type");
  ck_assert_msg(strcmp(type, "/problems/validation") == 0 || strcmp(type, "/problems/malformed-request") == 0,
                "type %s for a 400", type);
}

START_TEST(unknown_route_404) {
  struct http_response r;
  http_call_unknown(&r, "GET", "/v1/does-not-exist", NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  http_call_unknown(&r, "GET", "/nothing-here", NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
}
END_TEST

START_TEST(unknown_route_under_community_404) {
  char *tok = fixture_login(&fx.coordinator);
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/no-such-thing");
  struct http_response r;
  http_call_unknown(&r, "GET", path, tok);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  http_call_unknown(&r, "GET", "/v1/me/whatever", tok);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  free(tok);
}
END_TEST

START_TEST(wrong_method_405) {
  struct http_response r;
  http_call_unknown(&r, "DELETE", "/healthz", NULL);
  assert_problem(&r, 405, "method-not-allowed");
  const char *allow = http_header(&r, "allow");
  ck_assert_msg(allow && strstr(allow, "GET"), "Allow: %s", allow ? allow : "(none)");
  http_response_free(&r);

  http_call_unknown(&r, "PUT", "/v1/auth/login", NULL);
  assert_problem(&r, 405, "method-not-allowed");
  allow = http_header(&r, "allow");
  ck_assert_msg(allow && strstr(allow, "POST") && !strstr(allow, "PUT"), "Allow: %s", allow ? allow : "(none)");
  http_response_free(&r);
}
END_TEST

START_TEST(wrong_method_on_templated_route_405) {
  char *tok = fixture_login(&fx.coordinator);
  char *id = me_id(tok);
  char path[200];
  snprintf(path, sizeof path, "/v1/communities/%s/members/%s", fx.anna.id, id);
  struct http_response r;
  http_call_unknown(&r, "PUT", path, tok);
  assert_problem(&r, 405, "method-not-allowed");
  const char *allow = http_header(&r, "allow");
  ck_assert_msg(allow && strstr(allow, "GET") && strstr(allow, "PATCH") && strstr(allow, "DELETE"), "Allow: %s",
                allow ? allow : "(none)");
  http_response_free(&r);
  free(id);
  free(tok);
}
END_TEST

START_TEST(unsupported_media_type_415) {
  struct http_response r;
  post_login_raw(&r, "text/plain", "{\"email\":\"x@test.example\",\"password\":\"abcdefghijkl\"}");
  assert_problem(&r, 415, "unsupported-media-type");
  http_response_free(&r);
  post_login_raw(&r, NULL, "{\"email\":\"x@test.example\",\"password\":\"abcdefghijkl\"}");
  assert_problem(&r, 415, "unsupported-media-type");
  http_response_free(&r);
}
END_TEST

START_TEST(malformed_json_400) {
  struct http_response r;
  post_login_raw(&r, "application/json", "{\"email\": \"x@test.example\", ");
  assert_problem(&r, 400, "malformed-request");
  http_response_free(&r);
}
END_TEST

START_TEST(body_not_object_400) {
  static const char *const bodies[] = {"[1,2]", "42", "\"text\"", "null"};
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    struct http_response r;
    post_login_raw(&r, "application/json", bodies[i]);
    assert_400(&r);
    http_response_free(&r);
  }
}
END_TEST

START_TEST(duplicate_keys_400) {
  char body[300];
  snprintf(body, sizeof body, "{\"email\":\"%s\",\"email\":\"x@test.example\",\"password\":\"%s\"}",
           fx.volunteer1.email, FIXTURE_PASSWORD);
  struct http_response r;
  post_login_raw(&r, "application/json", body);
  assert_400(&r);
  http_response_free(&r);
}
END_TEST

START_TEST(unknown_field_400) {
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/login", NULL,
            json_pack("{s:s, s:s, s:i}", "email", fx.volunteer1.email, "password", FIXTURE_PASSWORD, "remember_me", 1));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "remember_me", "unknown_field"), "errors[] lacks remember_me/unknown_field: %s",
                r.body);
  http_response_free(&r);
}
END_TEST

START_TEST(missing_field_400) {
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/login", NULL, json_pack("{s:s}", "email", fx.volunteer1.email));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "password", NULL), "errors[] lacks password: %s", r.body);
  http_response_free(&r);
}
END_TEST

START_TEST(oversize_content_length_413) {
  /* Only the headers are sent: the server must answer without waiting for the body. */
  static const char req[] =
      "POST /v1/auth/login HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\n"
      "Content-Type: application/json\r\n"
      "Content-Length: 10485760\r\n"
      "\r\n";
  struct http_response r;
  int rc = http_raw(NULL, req, sizeof req - 1, 2000, &r);
  ck_assert_msg(rc == 0, "no answer to an oversize Content-Length: %s", http_last_error());
  assert_problem(&r, 413, "payload-too-large");
  const char *conn = http_header(&r, "connection");
  ck_assert_msg(conn && strcasecmp(conn, "close") == 0, "Connection: %s", conn ? conn : "");
  ck_assert_msg(r.peer_closed, "server kept the connection open after 413");
  http_response_free(&r);
}
END_TEST

START_TEST(body_limit_boundary) {
  /* One byte over 64 KiB, announced only: 413 without reading. */
  static const char req[] =
      "POST /v1/auth/login HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\n"
      "Content-Type: application/json\r\n"
      "Content-Length: 65537\r\n"
      "\r\n";
  struct http_response r;
  int rc = http_raw(NULL, req, sizeof req - 1, 2000, &r);
  ck_assert_msg(rc == 0, "no answer: %s", http_last_error());
  assert_problem(&r, 413, "payload-too-large");
  http_response_free(&r);

  /* Exactly 64 KiB is accepted as a body (and then fails validation: no fields). */
  size_t n = 64 * 1024;
  char *body = malloc(n + 1);
  ck_assert_ptr_nonnull(body);
  memset(body, ' ', n);
  body[0] = '{';
  body[n - 1] = '}';
  body[n] = '\0';
  struct http_request q = {
      .method = "POST",
      .path = "/v1/auth/login",
      .body = body,
      .body_len = n,
      .content_type = "application/json",
  };
  rc = http_send(&q, &r);
  free(body);
  ck_assert_msg(rc == 0, "%s", http_last_error());
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
}
END_TEST

START_TEST(duplicate_content_length_400) {
  static const char req[] =
      "POST /v1/auth/login HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\n"
      "Content-Type: application/json\r\n"
      "Content-Length: 2\r\n"
      "Content-Length: 3\r\n"
      "\r\n"
      "{}";
  struct http_response r;
  int rc = http_raw(NULL, req, sizeof req - 1, 2000, &r);
  ck_assert_msg(rc == 0, "no answer: %s", http_last_error());
  assert_problem(&r, 400, "malformed-request");
  const char *conn = http_header(&r, "connection");
  ck_assert_msg(conn && strcasecmp(conn, "close") == 0, "Connection: %s", conn ? conn : "");
  http_response_free(&r);
}
END_TEST

START_TEST(content_length_with_transfer_encoding_400) {
  static const char req[] =
      "POST /v1/auth/login HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\n"
      "Content-Type: application/json\r\n"
      "Content-Length: 2\r\n"
      "Transfer-Encoding: chunked\r\n"
      "\r\n"
      "2\r\n{}\r\n0\r\n\r\n";
  struct http_response r;
  int rc = http_raw(NULL, req, sizeof req - 1, 2000, &r);
  ck_assert_msg(rc == 0, "no answer: %s", http_last_error());
  assert_problem(&r, 400, "malformed-request");
  const char *conn = http_header(&r, "connection");
  ck_assert_msg(conn && strcasecmp(conn, "close") == 0, "Connection: %s", conn ? conn : "");
  http_response_free(&r);
}
END_TEST

START_TEST(repeated_query_parameter_400) {
  char *tok = fixture_login(&fx.coordinator);
  char path[200];
  community_path(path, sizeof path, &fx.anna, "/members?limit=10&limit=100");
  struct http_response r;
  http_get(&r, path, tok);
  assert_problem(&r, 400, "malformed-request");
  http_response_free(&r);
  free(tok);
}
END_TEST

static bool valid_request_id(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n < 1 || n > 128) return false;
  return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

START_TEST(request_id_echoed) {
  const char *const hdrs[] = {"X-Request-Id: itest.echo_1-A", NULL};
  struct http_response r;
  http_call_h(&r, "GET", "/healthz", NULL, NULL, hdrs);
  assert_status(&r, 200);
  ck_assert_str_eq(http_header(&r, "x-request-id"), "itest.echo_1-A");
  http_response_free(&r);
  /* also in an error body */
  http_call_h(&r, "GET", "/v1/me", NULL, NULL, hdrs);
  assert_problem(&r, 401, "unauthenticated");
  ck_assert_str_eq(jstr(r.json, "request_id"), "itest.echo_1-A");
  http_response_free(&r);
}
END_TEST

START_TEST(request_id_generated) {
  struct http_response a, b;
  http_get(&a, "/healthz", NULL);
  http_get(&b, "/healthz", NULL);
  const char *ia = http_header(&a, "x-request-id");
  const char *ib = http_header(&b, "x-request-id");
  ck_assert_msg(valid_request_id(ia), "generated id %s", ia ? ia : "(none)");
  ck_assert_msg(valid_request_id(ib), "generated id %s", ib ? ib : "(none)");
  ck_assert_str_ne(ia, ib);
  http_response_free(&a);
  http_response_free(&b);
}
END_TEST

START_TEST(request_id_invalid_replaced) {
  char long_id[160];
  memset(long_id, 'a', 129);
  long_id[129] = '\0';
  char h_long[200];
  snprintf(h_long, sizeof h_long, "X-Request-Id: %s", long_id);
  const char *bad[] = {"X-Request-Id: has space", "X-Request-Id: <script>", h_long};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    const char *const hdrs[] = {bad[i], NULL};
    struct http_response r;
    http_call_h(&r, "GET", "/v1/me", NULL, NULL, hdrs);
    assert_problem(&r, 401, "unauthenticated");
    const char *id = http_header(&r, "x-request-id");
    ck_assert_msg(valid_request_id(id), "replacement id %s", id ? id : "(none)");
    ck_assert_msg(strcmp(id, bad[i] + 14) != 0, "invalid id echoed");
    http_response_free(&r);
  }
}
END_TEST

START_TEST(no_token_401) {
  struct http_response r;
  http_get(&r, "/v1/me", NULL);
  assert_problem(&r, 401, "unauthenticated");
  const char *w = http_header(&r, "www-authenticate");
  ck_assert_msg(w && strncmp(w, "Bearer", 6) == 0, "WWW-Authenticate %s", w ? w : "(none)");
  http_response_free(&r);
  http_get(&r, "/v1/me", "not-a-jwt");
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);
}
END_TEST

Suite *conventions_suite(void) {
  Suite *s = suite_create("conventions");
  TCase *tc = fixture_tcase("conventions", TEST_TIMEOUT);
  tcase_add_test(tc, unknown_route_404);
  tcase_add_test(tc, unknown_route_under_community_404);
  tcase_add_test(tc, wrong_method_405);
  tcase_add_test(tc, wrong_method_on_templated_route_405);
  tcase_add_test(tc, unsupported_media_type_415);
  tcase_add_test(tc, malformed_json_400);
  tcase_add_test(tc, body_not_object_400);
  tcase_add_test(tc, duplicate_keys_400);
  tcase_add_test(tc, unknown_field_400);
  tcase_add_test(tc, missing_field_400);
  tcase_add_test(tc, oversize_content_length_413);
  tcase_add_test(tc, body_limit_boundary);
  tcase_add_test(tc, duplicate_content_length_400);
  tcase_add_test(tc, content_length_with_transfer_encoding_400);
  tcase_add_test(tc, repeated_query_parameter_400);
  tcase_add_test(tc, request_id_echoed);
  tcase_add_test(tc, request_id_generated);
  tcase_add_test(tc, request_id_invalid_replaced);
  tcase_add_test(tc, no_token_401);
  suite_add_tcase(s, tc);
  return s;
}
