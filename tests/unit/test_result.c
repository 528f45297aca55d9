/* Database statuses as domain results, and field errors. */
#include <check.h>

#include "../../src/result.h"
#include "suites.h"

START_TEST(test_from_db) {
  struct result_info info = {0};
  ck_assert_int_eq(result_from_db(DB_OK, &info), RESULT_OK);
  ck_assert_int_eq(info.retry_after, 0);
  ck_assert_int_eq(result_from_db(DB_UNIQUE, &info), RESULT_CONFLICT);
  ck_assert_int_eq(info.retry_after, 0);
  /* a value a CHECK refused, or a row named that does not exist, is the client's to fix, never a 500 */
  ck_assert_int_eq(result_from_db(DB_CONSTRAINT, &info), RESULT_UNPROCESSABLE);
  ck_assert_ptr_nonnull(info.detail);
  info.detail = NULL;
  ck_assert_int_eq(result_from_db(DB_FOREIGN_KEY, &info), RESULT_UNPROCESSABLE);
  ck_assert_ptr_nonnull(info.detail);
  info.detail = NULL;
  ck_assert_int_eq(result_from_db(DB_ERROR, &info), RESULT_ERROR);
  ck_assert_int_eq(info.retry_after, 0);
  ck_assert_ptr_null(info.errors);
}
END_TEST

START_TEST(test_from_db_busy_and_down) {
  struct result_info busy = {0}, down = {0};
  ck_assert_int_eq(result_from_db(DB_BUSY, &busy), RESULT_UNAVAILABLE);
  ck_assert_int_ge(busy.retry_after, 1);
  ck_assert_int_eq(result_from_db(DB_DOWN, &down), RESULT_UNAVAILABLE);
  ck_assert_int_ge(down.retry_after, 1);
  /* a database that is down takes longer to come back than a busy pool frees up */
  ck_assert_int_ge(down.retry_after, busy.retry_after);
}
END_TEST

START_TEST(test_field_errors) {
  struct result_info info = {0};
  result_field_error(&info, "email", "invalid", "email must be an address");
  ck_assert_ptr_nonnull(info.errors);
  ck_assert_uint_eq(json_array_size(info.errors), 1);
  result_field_error(&info, "name", "required", "name is required");
  ck_assert_uint_eq(json_array_size(info.errors), 2);
  json_t *expect =
      json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "field", "email", "code", "invalid", "message",
                "email must be an address", "field", "name", "code", "required", "message", "name is required");
  ck_assert(json_equal(info.errors, expect));
  json_decref(expect);
  info.retry_after = 3;
  info.detail = "x";
  result_info_clear(&info);
  ck_assert_ptr_null(info.errors);
  ck_assert_int_eq(info.retry_after, 0);
  ck_assert_ptr_null(info.detail);
  result_info_clear(&info); /* twice is harmless */
  ck_assert_ptr_null(info.errors);
}
END_TEST

Suite *result_suite(void) {
  Suite *s = suite_create("result");
  TCase *tc = tcase_create("result");
  tcase_add_test(tc, test_from_db);
  tcase_add_test(tc, test_from_db_busy_and_down);
  tcase_add_test(tc, test_field_errors);
  suite_add_tcase(s, tc);
  return s;
}
