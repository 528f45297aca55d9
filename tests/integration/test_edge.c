/* The edge of the server (issue 10): headers every response carries, the /docs page's own
 * policy, access tokens that are not valid yet, requests libmicrohttpd refuses by itself (they
 * must still answer problem+json), paths with empty segments, a NUL byte in a query value, and
 * /metrics behind its own bearer token. Raw requests go to the loopback server only, with
 * bounded sizes and timeouts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <check.h>
#include <sodium.h>

#include "fixture.h"
#include "http.h"
#include "jwtforge.h"
#include "suites.h"
#include "support.h"

#define RAW_TIMEOUT_MS 5000

static void assert_header(const struct http_response *r, const char *name, const char *want) {
  const char *got = http_header(r, name);
  ck_assert_msg(got != NULL && strcmp(got, want) == 0, "%s %s: %s is %s, want %s", r->method, r->path, name,
                got ? got : "(absent)", want);
}

/* Every response: nosniff, and no-store unless it is one of the public documents. */
static void assert_edge_headers(const struct http_response *r, const char *cache_control) {
  assert_header(r, "x-content-type-options", "nosniff");
  assert_header(r, "cache-control", cache_control);
}

/* A problem document whose status, request id and type fit; the instance is not compared with
 * the path (libmicrohttpd's own refusals may not know it). */
static void assert_edge_problem(const struct http_response *r, long status, const char *slug) {
  ck_assert_msg(r->status == status, "status %ld, want %ld: %.300s", r->status, status, r->body ? r->body : "");
  const char *ct = http_header(r, "content-type");
  ck_assert_msg(ct != NULL && strcmp(ct, "application/problem+json") == 0, "content-type %s: %.200s",
                ct ? ct : "(absent)", r->body ? r->body : "");
  ck_assert_msg(json_is_object(r->json), "not a JSON problem: %.200s", r->body ? r->body : "");
  char type[96];
  snprintf(type, sizeof type, "/problems/%s", slug);
  ck_assert_str_eq(jstr(r->json, "type"), type);
  ck_assert_int_eq(jint(r->json, "status", 0), status);
  const char *instance = jstr(r->json, "instance");
  ck_assert_msg(instance != NULL && instance[0] == '/', "instance %s", instance ? instance : "(absent)");
  const char *rid = http_header(r, "x-request-id");
  ck_assert_msg(rid != NULL && jstr(r->json, "request_id") && strcmp(rid, jstr(r->json, "request_id")) == 0,
                "request_id does not match X-Request-Id");
  assert_edge_headers(r, "no-store");
}

/* Sends `req` on a connection of its own and expects an answer (fails the test otherwise). */
static void raw(struct http_response *r, const char *req, size_t len) {
  int rc = http_raw(NULL, req, len, RAW_TIMEOUT_MS, r);
  ck_assert_msg(rc == 0, "no answer: %s", http_last_error());
}

/* ---- item 6: headers ---- */

START_TEST(every_response_has_nosniff_and_no_store) {
  struct http_response r;
  http_get(&r, "/healthz", NULL);
  assert_status(&r, 200);
  assert_edge_headers(&r, "no-store");
  http_response_free(&r);

  struct tokens t;
  login(fx.volunteer1.email, FIXTURE_PASSWORD, &t); /* the token response itself is checked below */
  http_call(&r, "POST", "/v1/auth/login", NULL,
            json_pack("{s:s, s:s}", "email", fx.volunteer1.email, "password", FIXTURE_PASSWORD));
  assert_status(&r, 200);
  assert_edge_headers(&r, "no-store");
  http_response_free(&r);
  http_call(&r, "POST", "/v1/auth/refresh", NULL, json_pack("{s:s}", "refresh_token", t.refresh));
  assert_status(&r, 200);
  assert_edge_headers(&r, "no-store");
  http_response_free(&r);

  http_get(&r, "/v1/me", t.access);
  assert_status(&r, 200);
  assert_edge_headers(&r, "no-store");
  http_response_free(&r);
  http_get(&r, "/v1/me", NULL);
  assert_problem(&r, 401, "unauthenticated");
  assert_edge_headers(&r, "no-store");
  http_response_free(&r);
  http_call_unknown(&r, "GET", "/v1/no-such-thing", t.access);
  assert_problem(&r, 404, "not-found");
  assert_edge_headers(&r, "no-store");
  http_response_free(&r);

  /* The public documents may be kept, but revalidated. */
  http_get(&r, "/v1/openapi.json", NULL);
  assert_status(&r, 200);
  assert_edge_headers(&r, "no-cache");
  http_response_free(&r);
  tokens_free(&t);
}
END_TEST

/* The one inline script of the docs page, as the browser hashes it for script-src. */
static char *inline_script_hash(const char *html) {
  const char *open = strstr(html, "<script>");
  ck_assert_msg(open != NULL, "the docs page has no inline <script>");
  open += strlen("<script>");
  const char *close = strstr(open, "</script>");
  ck_assert_ptr_nonnull(close);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)open, (unsigned long long)(close - open));
  size_t len = sodium_base64_ENCODED_LEN(sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  char *b64 = malloc(len);
  ck_assert_ptr_nonnull(b64);
  sodium_bin2base64(b64, len, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  char *source = malloc(len + 16);
  ck_assert_ptr_nonnull(source);
  snprintf(source, len + 16, "'sha256-%s'", b64);
  free(b64);
  return source;
}

START_TEST(docs_page_has_its_own_policy) {
  struct http_response r;
  http_get(&r, "/docs", NULL);
  assert_status(&r, 200);
  assert_edge_headers(&r, "no-cache");
  assert_header(&r, "x-frame-options", "DENY");
  const char *csp = http_header(&r, "content-security-policy");
  ck_assert_msg(csp != NULL, "/docs has no Content-Security-Policy header");
  const char *needed[] = {"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"};
  for (size_t i = 0; i < sizeof needed / sizeof *needed; i++)
    ck_assert_msg(strstr(csp, needed[i]) != NULL, "the policy lacks %s: %s", needed[i], csp);
  char *hash = inline_script_hash(r.body);
  ck_assert_msg(strstr(csp, hash) != NULL, "script-src does not allow the page's inline script %s: %s", hash, csp);
  free(hash);
  http_response_free(&r);

  /* The API's own responses are not framed either, but only the page needs a policy. */
  http_get(&r, "/docs/redoc.standalone.js", NULL);
  assert_status(&r, 200);
  assert_edge_headers(&r, "no-cache");
  http_response_free(&r);
}
END_TEST

/* A token made from the claims of a real one, with `nbf` set to `nbf` (NULL: removed). */
static char *token_with_nbf(json_t *nbf) {
  struct test_jwt_key keys[4];
  test_jwt_keys(keys, 4);
  char *real = fixture_login(&fx.coordinator);
  json_t *claims = token_claims(real, &keys[0], NULL, NULL);
  ck_assert_msg(claims != NULL, "the real token does not verify with the first key");
  if (nbf != NULL) ck_assert(json_object_set_new(claims, "nbf", nbf) == 0);
  char *forged = jwt_forge(claims, keys[0].kid, JWT_ALG_HS256, keys[0].secret, keys[0].len);
  json_decref(claims);
  free(real);
  return forged;
}

static void expect_me(json_t *nbf, long status) {
  char *token = token_with_nbf(nbf);
  struct http_response r;
  http_get(&r, "/v1/me", token);
  if (status == 401)
    assert_problem(&r, 401, "unauthenticated");
  else
    assert_status(&r, status);
  http_response_free(&r);
  free(token);
}

START_TEST(token_not_valid_yet_401) {
  long long now = (long long)time(NULL);
  expect_me(NULL, 200);                     /* control: re-signing keeps it valid */
  expect_me(json_integer(now - 5), 200);    /* valid since a moment ago */
  expect_me(json_integer(now + 20), 200);   /* within the clock skew allowed */
  expect_me(json_integer(now + 3600), 401); /* valid only in an hour */
  expect_me(json_integer(now + 86400 * 365), 401);
  expect_me(json_string("0"), 401); /* not a NumericDate */
  expect_me(json_real((double)now + 3600.5), 401);
}
END_TEST

/* ---- item 9: what libmicrohttpd refused by itself ---- */

START_TEST(bad_content_length_is_a_problem) {
  const char *values[] = {"-1", "+5", "abc", "0x10", "5 5", ""};
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
    char req[512];
    int n = snprintf(req, sizeof req,
                     "POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: %s\r\n\r\n{}",
                     values[i]);
    struct http_response r;
    raw(&r, req, (size_t)n);
    assert_edge_problem(&r, 400, "malformed-request");
    ck_assert_str_eq(jstr(r.json, "instance"), "/v1/auth/login");
    const char *conn = http_header(&r, "connection");
    ck_assert_msg(conn && strcasecmp(conn, "close") == 0, "Content-Length %s: Connection %s", values[i],
                  conn ? conn : "(absent)");
    ck_assert_msg(r.peer_closed, "Content-Length %s: the connection stayed open", values[i]);
    http_response_free(&r);
  }
}
END_TEST

START_TEST(huge_content_length_413) {
  static const char req[] =
      "POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 99999999999999999999999\r\n\r\n";
  struct http_response r;
  raw(&r, req, sizeof req - 1);
  assert_edge_problem(&r, 413, "payload-too-large");
  ck_assert_msg(r.peer_closed, "the connection stayed open");
  http_response_free(&r);
}
END_TEST

/* A request of about 200 KB: `head`, then `fill` repeated, then `tail`. */
static char *big_request(const char *head, char fill, const char *tail, size_t *len) {
  size_t n = 200 * 1024, hl = strlen(head), tl = strlen(tail);
  char *req = malloc(hl + n + tl + 1);
  ck_assert_ptr_nonnull(req);
  memcpy(req, head, hl);
  memset(req + hl, fill, n);
  memcpy(req + hl + n, tail, tl + 1);
  *len = hl + n + tl;
  return req;
}

START_TEST(long_url_414) {
  size_t len;
  char *req = big_request("GET /healthz?padding=", 'a', " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", &len);
  struct http_response r;
  raw(&r, req, len);
  free(req);
  assert_edge_problem(&r, 414, "uri-too-long");
  http_response_free(&r);
}
END_TEST

START_TEST(huge_header_431) {
  size_t len;
  char *req = big_request("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ", 'a', "\r\n\r\n", &len);
  struct http_response r;
  raw(&r, req, len);
  free(req);
  assert_edge_problem(&r, 431, "request-header-fields-too-large");
  http_response_free(&r);
}
END_TEST

START_TEST(invalid_utf8_path_is_a_problem) {
  /* Raw bytes, not percent-encoded: the problem's instance must still be valid JSON. */
  static const char req[] = "GET /v1/communities/\xff\xfe/members HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  struct http_response r;
  raw(&r, req, sizeof req - 1);
  ck_assert_msg(r.body_len > 0, "empty body for status %ld", r.status);
  assert_edge_problem(&r, 401, "unauthenticated");
  ck_assert_str_eq(jstr(r.json, "instance"), "/v1/communities/%FF%FE/members");
  http_response_free(&r);
}
END_TEST

START_TEST(invalid_utf8_path_with_bad_framing_is_answered) {
  static const char req[] =
      "POST /v1/communities/\xff/help-requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}";
  struct http_response r;
  raw(&r, req, sizeof req - 1);
  assert_edge_problem(&r, 400, "malformed-request");
  ck_assert_str_eq(jstr(r.json, "instance"), "/v1/communities/%FF/help-requests");
  ck_assert_msg(r.peer_closed, "the connection stayed open");
  http_response_free(&r);

  static const char req2[] =
      "POST /v1/communities/\xc3/help-requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: abc\r\n\r\n{}";
  raw(&r, req2, sizeof req2 - 1);
  assert_edge_problem(&r, 400, "malformed-request");
  http_response_free(&r);
}
END_TEST

/* The one refusal libmicrohttpd 0.9.75 leaves unanswered: a request line without a space is a
 * "serious error" to it (connection.c, parse_initial_message_line), and it closes the
 * connection without making any response, so there is nothing to reshape. Pinned, so that a
 * library that starts answering it is noticed: then that answer must be a problem too. */
START_TEST(request_line_without_space_is_closed_unanswered) {
  static const char req[] = "GARBAGE\r\n\r\n";
  struct http_response r;
  int rc = http_raw(NULL, req, sizeof req - 1, RAW_TIMEOUT_MS, &r);
  long status = rc == 0 ? r.status : 0;
  if (rc == 0) http_response_free(&r);
  ck_assert_msg(rc != 0, "libmicrohttpd now answers a request line without a space (%ld)", status);
}
END_TEST

START_TEST(empty_path_segments_404) {
  char *tok = fixture_login(&fx.volunteer1);
  struct http_response r;
  const char *paths[] = {"//v1//me", "/v1//me", "//v1/me", "/v1/me//"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    http_call_unknown(&r, "GET", paths[i], tok);
    assert_problem(&r, 404, "not-found");
    http_response_free(&r);
  }
  http_get(&r, "/v1/me", tok); /* control */
  assert_status(&r, 200);
  http_response_free(&r);
  free(tok);
}
END_TEST

/* ---- item 10: a NUL byte in a query value ---- */

START_TEST(nul_in_query_value_400) {
  char *tok = fixture_login(&fx.coordinator);
  char path[256];
  struct http_response r;
  community_path(path, sizeof path, &fx.anna, "/help-requests?status=submitted");
  http_get(&r, path, tok); /* control */
  assert_status(&r, 200);
  http_response_free(&r);

  community_path(path, sizeof path, &fx.anna, "/help-requests?status=submitted%00x");
  http_get(&r, path, tok);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "status", "invalid"), "errors[] does not name status: %s", r.body);
  http_response_free(&r);

  community_path(path, sizeof path, &fx.anna, "/help-requests?limit=10%00&status=submitted");
  http_get(&r, path, tok);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "limit", "invalid"), "errors[] does not name limit: %s", r.body);
  http_response_free(&r);
  free(tok);
}
END_TEST

/* ---- item 12: /metrics needs its own token ---- */

START_TEST(metrics_need_their_token) {
  const char *token = env_required("NOABER_TEST_METRICS_TOKEN");
  struct http_response r;
  http_get(&r, "/metrics", NULL);
  assert_problem(&r, 401, "unauthenticated");
  const char *w = http_header(&r, "www-authenticate");
  ck_assert_msg(w && strncmp(w, "Bearer", 6) == 0, "WWW-Authenticate %s", w ? w : "(absent)");
  assert_edge_headers(&r, "no-store");
  http_response_free(&r);

  char wrong[256];
  snprintf(wrong, sizeof wrong, "%sx", token);
  http_get(&r, "/metrics", wrong);
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);
  http_get(&r, "/metrics", token + 1);
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);

  /* A person's access token is not a metrics token. */
  char *access = fixture_login(&fx.coordinator);
  http_get(&r, "/metrics", access);
  assert_problem(&r, 401, "unauthenticated");
  http_response_free(&r);
  free(access);

  http_get(&r, "/metrics", token);
  assert_status(&r, 200);
  assert_edge_headers(&r, "no-store");
  http_response_free(&r);
}
END_TEST

Suite *edge_suite(void) {
  Suite *s = suite_create("edge");
  TCase *tc = fixture_tcase("edge", TEST_TIMEOUT);
  tcase_add_test(tc, every_response_has_nosniff_and_no_store);
  tcase_add_test(tc, docs_page_has_its_own_policy);
  tcase_add_test(tc, token_not_valid_yet_401);
  tcase_add_test(tc, bad_content_length_is_a_problem);
  tcase_add_test(tc, huge_content_length_413);
  tcase_add_test(tc, long_url_414);
  tcase_add_test(tc, huge_header_431);
  tcase_add_test(tc, invalid_utf8_path_is_a_problem);
  tcase_add_test(tc, invalid_utf8_path_with_bad_framing_is_answered);
  tcase_add_test(tc, request_line_without_space_is_closed_unanswered);
  tcase_add_test(tc, empty_path_segments_404);
  tcase_add_test(tc, nul_in_query_value_400);
  tcase_add_test(tc, metrics_need_their_token);
  suite_add_tcase(s, tc);
  return s;
}
