/* problem+json documents, and how api_fail() answers each domain result. The status table of
 * api/http.c is not copied here: these are properties any correct table has, plus the few
 * mappings clients depend on, each asserted on its own with the reason. */
#include <check.h>
#include <orcania.h>
#include <stdio.h>
#include <string.h>

#include "../../api/http.h"
#include "suites.h"

static const char *str(const json_t *object, const char *key) {
  return json_string_value(json_object_get(object, key));
}

/* A status the table knows (api_status_title() answers "Error" for any other). */
static int known_status(int status) { return strcmp(api_status_title(status), "Error") != 0; }

/* A problem type slug: lower-case words joined by hyphens. */
static int well_formed_slug(const char *slug) {
  if (slug == NULL || slug[0] < 'a' || slug[0] > 'z') return 0;
  for (const char *p = slug; *p != '\0'; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p == '-' && p[1] != '\0' && p[1] != '-'))) return 0;
  return 1;
}

/* What api_fail() sent for one result: status, headers and the parsed body. */
struct answer {
  struct _u_request req;
  struct _u_response resp;
  struct api_request ar;
  json_t *body;
};

/* Answers `r` with api_fail() for a request to /v1/x with id "req-7"; `info` (may be NULL) is
 * moved into the request. Free with answer_free(). */
static void answer_fail(struct answer *a, enum result r, struct result_info *info) {
  memset(a, 0, sizeof *a);
  ck_assert_int_eq(ulfius_init_request(&a->req), U_OK);
  ck_assert_int_eq(ulfius_init_response(&a->resp), U_OK);
  o_free(a->req.url_path);
  a->req.url_path = o_strdup("/v1/x");
  a->ar.req = &a->req;
  a->ar.resp = &a->resp;
  snprintf(a->ar.request_id, sizeof a->ar.request_id, "req-7");
  if (info != NULL) {
    a->ar.info = *info;
    memset(info, 0, sizeof *info);
  }
  api_fail(&a->ar, r);
  a->body = json_loadb(a->resp.binary_body, a->resp.binary_body_length, 0, NULL);
  ck_assert_msg(json_is_object(a->body), "result %d: body is not a JSON object", (int)r);
}

static void answer_free(struct answer *a) {
  json_decref(a->body);
  result_info_clear(&a->ar.info);
  ulfius_clean_request(&a->req);
  ulfius_clean_response(&a->resp);
}

static const char *header(const struct answer *a, const char *name) { return u_map_get_case(a->resp.map_header, name); }

/* Every enum result (RESULT_OK .. RESULT_ERROR, the last one) gets a well-formed problem with
 * a status the table knows; results that are not failures are a bug of the caller: 500. */
START_TEST(test_every_result_answers_a_problem) {
  enum result r = (enum result)_i;
  struct answer a;
  answer_fail(&a, r, NULL);
  long status = a.resp.status;
  ck_assert_msg(status >= 400 && status <= 599, "result %d answered %ld", _i, status);
  ck_assert_msg(known_status((int)status), "result %d answered %ld, which has no title", _i, status);
  ck_assert_str_eq(header(&a, "Content-Type"), "application/problem+json");
  const char *type = str(a.body, "type");
  ck_assert_msg(type != NULL && strncmp(type, "/problems/", 10) == 0, "type %s", type ? type : "-");
  ck_assert_msg(well_formed_slug(type + 10), "problem type %s", type);
  ck_assert_int_eq(json_integer_value(json_object_get(a.body, "status")), status);
  ck_assert_msg(str(a.body, "title") && str(a.body, "title")[0], "no title");
  ck_assert_msg(str(a.body, "detail") && str(a.body, "detail")[0], "no detail");
  ck_assert_str_eq(str(a.body, "instance"), "/v1/x");
  ck_assert_str_eq(str(a.body, "request_id"), "req-7");
  ck_assert_int_eq(a.ar.status, status);
  if (r == RESULT_OK || r == RESULT_CREATED || r == RESULT_ERROR) {
    ck_assert_int_eq(status, 500);
    ck_assert_str_eq(type, "/problems/internal");
  } else {
    ck_assert_msg(status != 500, "result %d answered 500: a domain failure is the client's to handle", _i);
  }
  answer_free(&a);
}
END_TEST

/* A client tells every domain failure apart by status and type. */
START_TEST(test_failures_are_told_apart) {
  char seen[RESULT_ERROR + 1][80];
  for (int r = RESULT_INVALID; r < RESULT_ERROR; r++) {
    struct answer a;
    answer_fail(&a, (enum result)r, NULL);
    snprintf(seen[r], sizeof seen[r], "%ld %s", a.resp.status, str(a.body, "type"));
    for (int earlier = RESULT_INVALID; earlier < r; earlier++)
      ck_assert_msg(strcmp(seen[r], seen[earlier]) != 0, "results %d and %d both answer %s", earlier, r, seen[r]);
    answer_free(&a);
  }
}
END_TEST

/* Answers r and checks its status and problem type slug. */
static void expect_answer(struct answer *a, enum result r, struct result_info *info, long status, const char *slug) {
  answer_fail(a, r, info);
  char type[64];
  snprintf(type, sizeof type, "/problems/%s", slug);
  ck_assert_msg(a->resp.status == status, "result %d: status %ld, expected %ld", (int)r, a->resp.status, status);
  ck_assert_str_eq(str(a->body, "type"), type);
}

START_TEST(test_critical_mappings) {
  struct answer a;
  struct result_info info = {0};

  /* 404, not 403, for what the caller may not see: an id of another community must not tell
   * that it exists */
  expect_answer(&a, RESULT_NOT_FOUND, NULL, 404, "not-found");
  answer_free(&a);
  expect_answer(&a, RESULT_FORBIDDEN, NULL, 403, "forbidden");
  answer_free(&a);

  /* 401 with a Bearer challenge, which OAuth clients need to refresh their token (RFC 6750) */
  expect_answer(&a, RESULT_UNAUTHENTICATED, NULL, 401, "unauthenticated");
  ck_assert_ptr_nonnull(header(&a, "WWW-Authenticate"));
  ck_assert_int_eq(strncmp(header(&a, "WWW-Authenticate"), "Bearer ", 7), 0);
  answer_free(&a);

  /* field errors reach the client unchanged: the apps show them next to the fields */
  result_field_error(&info, "email", "invalid", "email must be an address");
  json_t *errors = json_deep_copy(info.errors);
  expect_answer(&a, RESULT_INVALID, &info, 400, "validation");
  ck_assert(json_equal(json_object_get(a.body, "errors"), errors));
  json_decref(errors);
  answer_free(&a);

  /* a conflict names the current state (extensions), so the client can reload and retry */
  result_extension(&info, "current_state", json_string("matched"));
  expect_answer(&a, RESULT_CONFLICT, &info, 409, "conflict");
  ck_assert_str_eq(str(a.body, "current_state"), "matched");
  answer_free(&a);

  /* 428 asks for If-Match, 412 says the ETag is stale: the client reacts differently */
  expect_answer(&a, RESULT_PRECONDITION_REQUIRED, NULL, 428, "precondition-required");
  answer_free(&a);
  expect_answer(&a, RESULT_PRECONDITION_FAILED, NULL, 412, "precondition-failed");
  answer_free(&a);

  /* three different 422s, told apart by their type */
  expect_answer(&a, RESULT_IDEMPOTENCY_MISMATCH, NULL, 422, "idempotency-key-reused");
  answer_free(&a);
  expect_answer(&a, RESULT_POLICY_REFUSED, NULL, 422, "policy-refused");
  answer_free(&a);
  expect_answer(&a, RESULT_UNPROCESSABLE, NULL, 422, "unprocessable");
  answer_free(&a);

  /* 429 and 503 say when to come back */
  info.retry_after = 42;
  expect_answer(&a, RESULT_TOO_MANY, &info, 429, "too-many-requests");
  ck_assert_str_eq(header(&a, "Retry-After"), "42");
  answer_free(&a);
  expect_answer(&a, RESULT_UNAVAILABLE, NULL, 503, "unavailable");
  ck_assert_str_eq(header(&a, "Retry-After"), "1");
  answer_free(&a);

  /* 500 discloses nothing of what went wrong inside */
  info.detail = "connection to 10.0.0.7 refused";
  expect_answer(&a, RESULT_ERROR, &info, 500, "internal");
  ck_assert_ptr_null(strstr(str(a.body, "detail"), "10.0.0.7"));
  answer_free(&a);
}
END_TEST

/* Every status the table knows builds a consistent problem, and no two share a slug. */
START_TEST(test_known_statuses) {
  int known = 0;
  const char *slugs[100] = {0};
  for (int status = 100; status <= 599; status++) {
    if (!known_status(status)) {
      ck_assert_str_eq(api_status_slug(status), "internal");
      continue;
    }
    ck_assert_msg(status >= 400, "status %d in the problem table", status);
    const char *slug = api_status_slug(status);
    ck_assert_msg(well_formed_slug(slug), "status %d: slug %s", status, slug);
    ck_assert_msg(strcmp(slug, "internal") != 0 || status == 500, "status %d is internal", status);
    for (int k = 0; k < known; k++) ck_assert_msg(strcmp(slugs[k], slug) != 0, "slug %s twice", slug);
    ck_assert_int_lt(known, 100);
    slugs[known++] = slug;
    json_t *p = problem_new(status, NULL, "/v1/me", "req-1", NULL);
    ck_assert_ptr_nonnull(p);
    char type[64];
    snprintf(type, sizeof type, "/problems/%s", slug);
    ck_assert_str_eq(str(p, "type"), type);
    ck_assert_str_eq(str(p, "title"), api_status_title(status));
    ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), status);
    ck_assert_str_eq(str(p, "detail"), api_status_title(status));
    ck_assert_ptr_null(json_object_get(p, "errors"));
    json_decref(p);
  }
  /* the statuses the API documents for failures all have a type of their own */
  const int documented[] = {400, 401, 403, 404, 405, 409, 412, 413, 414, 415, 422, 428, 429, 431, 500, 503, 505};
  for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
    ck_assert_msg(known_status(documented[i]), "status %d has no problem type", documented[i]);
}
END_TEST

START_TEST(test_unknown_status) {
  ck_assert_str_eq(api_status_slug(418), "internal");
  ck_assert_str_eq(api_status_title(418), "Error");
  ck_assert_str_eq(api_status_slug(0), "internal");
  ck_assert_str_eq(api_status_title(-1), "Error");
}
END_TEST

START_TEST(test_problem_shape) {
  json_t *p = problem_new(404, "no such member", "/v1/communities/c/members/m", "req-42", NULL);
  ck_assert_ptr_nonnull(p);
  ck_assert_str_eq(str(p, "type"), "/problems/not-found");
  ck_assert_str_eq(str(p, "title"), "Not found");
  ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), 404);
  ck_assert(json_is_integer(json_object_get(p, "status")));
  ck_assert_str_eq(str(p, "detail"), "no such member");
  ck_assert_str_eq(str(p, "instance"), "/v1/communities/c/members/m");
  ck_assert_str_eq(str(p, "request_id"), "req-42");
  ck_assert_uint_eq(json_object_size(p), 6);
  json_decref(p);
}
END_TEST

START_TEST(test_problem_defaults) {
  json_t *p = problem_new(503, NULL, NULL, NULL, NULL);
  ck_assert_ptr_nonnull(p);
  ck_assert_str_eq(str(p, "detail"), "Service unavailable");
  ck_assert_str_eq(str(p, "instance"), "/");
  ck_assert_str_eq(str(p, "request_id"), "");
  json_decref(p);
}
END_TEST

START_TEST(test_problem_validation) {
  struct result_info info = {0};
  result_field_error(&info, "email", "invalid", "email must be an address");
  json_t *expect = json_deep_copy(info.errors);
  json_t *p = problem_new(400, "some fields are invalid", "/v1/auth/register", "r", info.errors); /* stolen */
  info.errors = NULL;
  ck_assert_ptr_nonnull(p);
  ck_assert_str_eq(str(p, "type"), "/problems/validation");
  ck_assert_str_eq(str(p, "title"), "Invalid request");
  ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), 400);
  ck_assert_str_eq(str(p, "detail"), "some fields are invalid");
  ck_assert(json_equal(json_object_get(p, "errors"), expect));
  ck_assert_uint_eq(json_object_size(p), 7);
  json_decref(p);
  json_decref(expect);
}
END_TEST

START_TEST(test_problem_400_without_errors) {
  json_t *p = problem_new(400, NULL, "/v1/x", "r", NULL);
  ck_assert_str_eq(str(p, "type"), "/problems/malformed-request");
  ck_assert_str_eq(str(p, "title"), "Bad request");
  ck_assert_str_eq(str(p, "detail"), "Bad request");
  json_decref(p);
}
END_TEST

START_TEST(test_problem_errors_on_other_status) {
  json_t *errors = json_pack("[{s:s}]", "field", "roles");
  json_t *p = problem_new(403, NULL, "/v1/x", "r", errors); /* stolen */
  ck_assert_str_eq(str(p, "type"), "/problems/forbidden");
  ck_assert_str_eq(str(p, "title"), "Forbidden");
  ck_assert_uint_eq(json_array_size(json_object_get(p, "errors")), 1);
  json_decref(p);
}
END_TEST

/* A path may hold any bytes: the instance is still JSON text, printable ASCII within the
 * contract's 2048 characters, and an escape is never cut in half. */
START_TEST(test_problem_instance_any_bytes) {
  json_t *p = problem_new(404, NULL, "/v1/\xff\xfe/\xc3\xa9 x\x01", "req-1", NULL);
  ck_assert_ptr_nonnull(p);
  ck_assert_str_eq(str(p, "instance"), "/v1/%FF%FE/%C3%A9%20x%01");
  json_decref(p);

  p = problem_new(404, NULL, NULL, "req-1", NULL);
  ck_assert_str_eq(str(p, "instance"), "/");
  json_decref(p);

  char path[4000];
  memset(path, 'a', sizeof path);
  path[0] = '/';
  path[2046] = '\xff'; /* its escape would end at 2049 */
  path[sizeof path - 1] = '\0';
  p = problem_new(404, NULL, path, "req-1", NULL);
  ck_assert_ptr_nonnull(p);
  const char *instance = str(p, "instance");
  ck_assert_uint_eq(strlen(instance), 2046);
  ck_assert_ptr_null(strchr(instance, '%'));
  json_decref(p);
}
END_TEST

Suite *http_suite(void) {
  Suite *s = suite_create("http");
  TCase *tc = tcase_create("problem");
  /* RESULT_ERROR is the last value of enum result */
  tcase_add_loop_test(tc, test_every_result_answers_a_problem, RESULT_OK, RESULT_ERROR + 1);
  tcase_add_test(tc, test_failures_are_told_apart);
  tcase_add_test(tc, test_critical_mappings);
  tcase_add_test(tc, test_known_statuses);
  tcase_add_test(tc, test_unknown_status);
  tcase_add_test(tc, test_problem_shape);
  tcase_add_test(tc, test_problem_defaults);
  tcase_add_test(tc, test_problem_validation);
  tcase_add_test(tc, test_problem_400_without_errors);
  tcase_add_test(tc, test_problem_errors_on_other_status);
  tcase_add_test(tc, test_problem_instance_any_bytes);
  suite_add_tcase(s, tc);
  return s;
}
