/* Health, readiness, metrics, contract and docs endpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"

START_TEST(healthz_ok) {
  struct http_response r;
  http_get(&r, "/healthz", NULL);
  assert_status(&r, 200);
  ck_assert_ptr_nonnull(strstr(http_header(&r, "content-type"), "application/json"));
  ck_assert_str_eq(jstr(r.json, "status"), "ok");
  ck_assert_ptr_nonnull(http_header(&r, "x-request-id"));
  http_response_free(&r);
}
END_TEST

START_TEST(readyz_ok) {
  struct http_response r;
  http_get(&r, "/readyz", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "ready");
  http_response_free(&r);
}
END_TEST

/* Metric family names declared with "# TYPE <name> <kind>" whose name contains `part`. */
static bool has_family(const char *text, const char *kind, const char *part, char *name_out, size_t name_len) {
  const char *p = text;
  while ((p = strstr(p, "# TYPE ")) != NULL) {
    p += 7;
    char name[200], k[32];
    if (sscanf(p, "%199s %31s", name, k) == 2 && strcmp(k, kind) == 0 && strstr(name, part) != NULL) {
      if (name_out) snprintf(name_out, name_len, "%s", name);
      return true;
    }
  }
  return false;
}

/* Sum of the samples of request counters (counter families with "request" in the name)
 * whose labels contain both label values, e.g. "/readyz" and "200". */
static double request_count(const char *text, const char *route, const char *status) {
  char want_route[200], want_status[32];
  snprintf(want_route, sizeof want_route, "=\"%s\"", route);
  snprintf(want_status, sizeof want_status, "=\"%s\"", status);
  double sum = 0;
  const char *p = text;
  while ((p = strstr(p, "# TYPE ")) != NULL) {
    p += 7;
    char name[200], kind[32];
    if (sscanf(p, "%199s %31s", name, kind) != 2 || strcmp(kind, "counter") != 0 || strstr(name, "request") == NULL)
      continue;
    size_t nl = strlen(name);
    const char *line = text;
    while (line != NULL && *line != '\0') {
      const char *end = strchr(line, '\n');
      size_t ll = end ? (size_t)(end - line) : strlen(line);
      if (ll > nl && strncmp(line, name, nl) == 0 && line[nl] == '{') {
        char buf[1024];
        snprintf(buf, sizeof buf, "%.*s", (int)(ll < 1023 ? ll : 1023), line);
        char *close = strrchr(buf, '}');
        if (close != NULL) {
          *close = '\0';
          if (strstr(buf, want_route) && strstr(buf, want_status)) sum += strtod(close + 1, NULL);
        }
      }
      line = end ? end + 1 : NULL;
    }
  }
  return sum;
}

START_TEST(metrics_format) {
  struct http_response r;
  http_get(&r, "/metrics", env_required("NOABER_TEST_METRICS_TOKEN"));
  assert_status(&r, 200);
  const char *ct = http_header(&r, "content-type");
  ck_assert_msg(ct && strncmp(ct, "text/plain", 10) == 0 && strstr(ct, "version=0.0.4"), "content-type %s",
                ct ? ct : "(none)");
  char hist[200];
  ck_assert_msg(has_family(r.body, "histogram", "", hist, sizeof hist), "no histogram family in /metrics");
  char bucket[260];
  snprintf(bucket, sizeof bucket, "%s_bucket{", hist);
  ck_assert_msg(strstr(r.body, bucket) != NULL, "no %s lines", bucket);
  ck_assert_msg(strstr(r.body, "le=\"+Inf\"") != NULL, "no +Inf bucket");
  ck_assert_msg(has_family(r.body, "counter", "request", NULL, 0), "no request counter");
  ck_assert_msg(has_family(r.body, "gauge", "in_use", NULL, 0) || has_family(r.body, "gauge", "busy", NULL, 0),
                "no pool in-use gauge");
  ck_assert_msg(has_family(r.body, "gauge", "wait", NULL, 0), "no pool waiting gauge");
  http_response_free(&r);
}
END_TEST

START_TEST(metrics_count_my_request) {
  struct http_response r;
  http_get(&r, "/metrics", env_required("NOABER_TEST_METRICS_TOKEN"));
  assert_status(&r, 200);
  double before = request_count(r.body, "/readyz", "200");
  http_response_free(&r);
  for (int i = 0; i < 3; i++) {
    http_get(&r, "/readyz", NULL);
    assert_status(&r, 200);
    http_response_free(&r);
  }
  http_get(&r, "/metrics", env_required("NOABER_TEST_METRICS_TOKEN"));
  assert_status(&r, 200);
  double after = request_count(r.body, "/readyz", "200");
  ck_assert_msg(after - before == 3, "request counter for /readyz 200 went %g -> %g", before, after);
  http_response_free(&r);
}
END_TEST

START_TEST(openapi_json) {
  struct http_response r;
  http_get(&r, "/v1/openapi.json", NULL);
  assert_status(&r, 200);
  ck_assert_msg(json_is_object(r.json), "not JSON: %.100s", r.body);
  const char *v = jstr(r.json, "openapi");
  ck_assert_msg(v && strncmp(v, "3.1.", 4) == 0, "openapi %s", v ? v : "(missing)");
  json_t *paths = jpath(r.json, "paths");
  ck_assert(json_is_object(paths));
  ck_assert_ptr_nonnull(json_object_get(paths, "/v1/auth/login"));
  ck_assert_ptr_nonnull(json_object_get(paths, "/v1/communities/{communityId}/members"));
  http_response_free(&r);
}
END_TEST

START_TEST(docs_html) {
  struct http_response r;
  http_get(&r, "/docs", NULL);
  assert_status(&r, 200);
  const char *ct = http_header(&r, "content-type");
  ck_assert_msg(ct && strncmp(ct, "text/html", 9) == 0, "content-type %s", ct ? ct : "");
  ck_assert_msg(strcasestr(r.body, "<html") != NULL, "no <html in /docs");
  ck_assert_msg(strstr(r.body, "redoc") != NULL, "/docs does not load the renderer");
  http_response_free(&r);

  http_get(&r, "/docs/redoc.standalone.js", NULL);
  assert_status(&r, 200);
  ct = http_header(&r, "content-type");
  ck_assert_msg(ct && strncmp(ct, "application/javascript", 22) == 0, "content-type %s", ct ? ct : "");
  ck_assert_uint_gt(r.body_len, 10000);
  http_response_free(&r);
}
END_TEST

Suite *health_suite(void) {
  Suite *s = suite_create("health");
  TCase *tc = tcase_create("health");
  tcase_set_timeout(tc, TEST_TIMEOUT);
  tcase_add_test(tc, healthz_ok);
  tcase_add_test(tc, readyz_ok);
  tcase_add_test(tc, metrics_format);
  tcase_add_test(tc, metrics_count_my_request);
  tcase_add_test(tc, openapi_json);
  tcase_add_test(tc, docs_html);
  suite_add_tcase(s, tc);
  return s;
}
