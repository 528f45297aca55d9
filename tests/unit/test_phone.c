/* Phone numbers as people type them, to E.164 (src/phone.h). */
#include <check.h>
#include <string.h>

#include "../../src/phone.h"
#include "suites.h"

static void assert_normalised(const char *typed, const char *expected) {
  char out[PHONE_E164_SIZE];
  ck_assert_msg(phone_normalise(typed, out, sizeof out) == 0, "\"%s\" refused", typed);
  ck_assert_msg(strcmp(out, expected) == 0, "\"%s\" gave %s, not %s", typed, out, expected);
}

static void assert_refused(const char *typed) {
  char out[PHONE_E164_SIZE];
  ck_assert_msg(phone_normalise(typed, out, sizeof out) == -1, "\"%s\" accepted as %s", typed, out);
  ck_assert_str_eq(out, "");
}

START_TEST(test_dutch_mobile_as_typed) {
  assert_normalised("06 12345678", "+31612345678");
  assert_normalised("06-12345678", "+31612345678");
  assert_normalised("0612345678", "+31612345678");
  assert_normalised("+31 6 1234 5678", "+31612345678");
  assert_normalised("+31612345678", "+31612345678");
  assert_normalised("0031612345678", "+31612345678");
  assert_normalised("00 31 6 12 34 56 78", "+31612345678");
  assert_normalised("+31 (0)6 12345678", "+31612345678");
  assert_normalised("  06.12.34.56.78", "+31612345678");
}
END_TEST

START_TEST(test_dutch_landline_as_typed) {
  assert_normalised("020-1234567", "+31201234567");
  assert_normalised("(020) 123 4567", "+31201234567");
  assert_normalised("0113 123456", "+31113123456");
  assert_normalised("+31 20 123 4567", "+31201234567");
  assert_normalised("0201234567", "+31201234567");
}
END_TEST

START_TEST(test_other_countries_as_e164) {
  assert_normalised("+32 470 12 34 56", "+32470123456");
  assert_normalised("0049 30 1234567", "+49301234567");
  assert_normalised("+44 20 7946 0958", "+442079460958");
  assert_normalised("+123456789012345", "+123456789012345"); /* 15 digits: the most E.164 has */
}
END_TEST

START_TEST(test_not_a_number) {
  assert_refused("");
  assert_refused("   ");
  assert_refused("+");
  assert_refused("06 1234567");            /* one digit short */
  assert_refused("06 123456789");          /* one digit too many */
  assert_refused("6 12345678");            /* no trunk zero, no country */
  assert_refused("+31 6 1234 567");        /* Dutch, one digit short */
  assert_refused("+31 6 1234 56789");      /* Dutch, one too many */
  assert_refused("+31 0 12345678");        /* a zero where the area starts */
  assert_refused("+1234567");              /* 7 digits */
  assert_refused("+1234567890123456");     /* 16 digits */
  assert_refused("+0123456789");           /* no country starts with 0 */
  assert_refused("000031612345678");       /* 0000 */
  assert_refused("06-1234567a");           /* a letter */
  assert_refused("06 12345678 ext 12");    /* an extension */
  assert_refused("++31612345678");         /* a second + */
  assert_refused("06+12345678");           /* a + inside */
  assert_refused("0612345678\n");          /* a control character */
  assert_refused("061234567890123456789"); /* longer than any number */
}
END_TEST

START_TEST(test_small_buffer_refused) {
  char out[PHONE_E164_SIZE - 1];
  ck_assert_int_eq(phone_normalise("0612345678", out, sizeof out), -1);
}
END_TEST

Suite *phone_suite(void) {
  Suite *s = suite_create("phone");
  TCase *tc = tcase_create("normalise");
  tcase_add_test(tc, test_dutch_mobile_as_typed);
  tcase_add_test(tc, test_dutch_landline_as_typed);
  tcase_add_test(tc, test_other_countries_as_e164);
  tcase_add_test(tc, test_not_a_number);
  tcase_add_test(tc, test_small_buffer_refused);
  suite_add_tcase(s, tc);
  return s;
}
