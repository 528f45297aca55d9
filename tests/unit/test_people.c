/* The desk's people: postcodes as stored and the search pattern (src/people.h). */
#include <check.h>
#include <orcania.h>
#include <string.h>

#include "../../src/people.h"
#include "suites.h"

static void assert_postcode(const char *typed, int dutch, const char *stored) {
  char out[PEOPLE_POSTCODE_SIZE];
  ck_assert_msg(people_postcode_normalise(typed, out) == dutch, "\"%s\": not read as %s", typed,
                dutch ? "Dutch" : "kept");
  ck_assert_msg(strcmp(out, stored) == 0, "\"%s\" gave \"%s\", not \"%s\"", typed, out, stored);
}

START_TEST(test_dutch_postcodes_normalised) {
  assert_postcode("3197 AB", 1, "3197AB");
  assert_postcode("3197ab", 1, "3197AB");
  assert_postcode("  3197   aB ", 1, "3197AB");
  assert_postcode("1011AA", 1, "1011AA");
}
END_TEST

START_TEST(test_other_postcodes_kept) {
  assert_postcode("2000", 0, "2000");       /* Belgium */
  assert_postcode(" 10115 ", 0, "10115");   /* Germany, trimmed */
  assert_postcode("0123 AB", 0, "0123 AB"); /* no Dutch postcode starts with 0 */
  assert_postcode("3197 A", 0, "3197 A");
  assert_postcode("3197 ABC", 0, "3197 ABC");
  assert_postcode("SW1A 1AA", 0, "SW1A 1AA");
}
END_TEST

START_TEST(test_postcode_refused) {
  char out[PEOPLE_POSTCODE_SIZE];
  ck_assert_int_eq(people_postcode_normalise("   ", out), -1);
  ck_assert_int_eq(people_postcode_normalise("", out), -1);
  ck_assert_int_eq(people_postcode_normalise("1234567890123", out), -1);
}
END_TEST

static void assert_pattern(const char *q, const char *expected) {
  char *pattern = people_search_pattern(q);
  ck_assert(pattern != NULL);
  ck_assert_msg(strcmp(pattern, expected) == 0, "\"%s\" gave %s, not %s", q, pattern, expected);
  o_free(pattern);
}

START_TEST(test_search_pattern) {
  /* a whole number in any notation: its E.164 form */
  assert_pattern("06 1234 5678", "%+31612345678%");
  assert_pattern("0612345678", "%+31612345678%");
  assert_pattern("+31 6 12345678", "%+31612345678%");
  /* a part of a number: its digits */
  assert_pattern("5678", "%5678%");
  assert_pattern("12-34", "%1234%");
  /* text as typed (PostgreSQL folds case and accents), LIKE's characters escaped */
  assert_pattern("José", "%José%");
  assert_pattern("50%_a\\b", "%50\\%\\_a\\\\b%");
  assert_pattern("--", "%--%");
}
END_TEST

Suite *people_suite(void) {
  Suite *s = suite_create("people");
  TCase *tc = tcase_create("rules");
  tcase_add_test(tc, test_dutch_postcodes_normalised);
  tcase_add_test(tc, test_other_postcodes_kept);
  tcase_add_test(tc, test_postcode_refused);
  tcase_add_test(tc, test_search_pattern);
  suite_add_tcase(s, tc);
  return s;
}
