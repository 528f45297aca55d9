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

Suite *edge_suite(void) {
  Suite *s = suite_create("edge");
  TCase *tc = fixture_tcase("edge", TEST_TIMEOUT);
  tcase_add_test(tc, every_response_has_nosniff_and_no_store);
  tcase_add_test(tc, docs_page_has_its_own_policy);
  tcase_add_test(tc, token_not_valid_yet_401);
  suite_add_tcase(s, tc);
  return s;
}
