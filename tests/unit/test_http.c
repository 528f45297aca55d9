/* problem+json documents and the status table behind them. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../../api/http.h"
#include "suites.h"

static const struct {
  int status;
  const char *slug;
  const char *title;
} statuses[] = {
    {400, "malformed-request", "Bad request"},
    {401, "unauthenticated", "Authentication required"},
    {403, "forbidden", "Forbidden"},
    {404, "not-found", "Not found"},
    {405, "method-not-allowed", "Method not allowed"},
    {409, "conflict", "Conflict"},
    {412, "precondition-failed", "Precondition failed"},
    {413, "payload-too-large", "Payload too large"},
    {415, "unsupported-media-type", "Unsupported media type"},
    {422, "idempotency-key-reused", "Idempotency key reused"},
    {428, "precondition-required", "Precondition required"},
    {429, "too-many-requests", "Too many requests"},
    {500, "internal", "Internal server error"},
    {503, "unavailable", "Service unavailable"},
};
#define STATUS_COUNT ((int)(sizeof statuses / sizeof statuses[0]))

static const char *str(const json_t *object, const char *key) {
  return json_string_value(json_object_get(object, key));
}

START_TEST(test_status_table) {
  ck_assert_str_eq(api_status_slug(statuses[_i].status), statuses[_i].slug);
  ck_assert_str_eq(api_status_title(statuses[_i].status), statuses[_i].title);
}
END_TEST

START_TEST(test_problem_for_each_status) {
  char type[64];
  int status = statuses[_i].status;
  json_t *p = problem_new(status, NULL, "/v1/me", "req-1", NULL);
  ck_assert_ptr_nonnull(p);
  snprintf(type, sizeof type, "/problems/%s", statuses[_i].slug);
  ck_assert_str_eq(str(p, "type"), type);
  ck_assert_str_eq(str(p, "title"), statuses[_i].title);
  ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), status);
  ck_assert_str_eq(str(p, "detail"), statuses[_i].title);
  ck_assert_ptr_null(json_object_get(p, "errors"));
  json_decref(p);
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

Suite *http_suite(void) {
  Suite *s = suite_create("http");
  TCase *tc = tcase_create("problem");
  tcase_add_loop_test(tc, test_status_table, 0, STATUS_COUNT);
  tcase_add_loop_test(tc, test_problem_for_each_status, 0, STATUS_COUNT);
  tcase_add_test(tc, test_unknown_status);
  tcase_add_test(tc, test_problem_shape);
  tcase_add_test(tc, test_problem_defaults);
  tcase_add_test(tc, test_problem_validation);
  tcase_add_test(tc, test_problem_400_without_errors);
  tcase_add_test(tc, test_problem_errors_on_other_status);
  suite_add_tcase(s, tc);
  return s;
}
