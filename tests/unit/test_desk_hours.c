/* The desk hours' slots: checked and sorted (src/desk_hours.c). When the desk next opens is SQL
 * (desk_next_opening), tested over HTTP in tests/integration/test_desk_hours.c. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../../src/desk_hours.h"
#include "suites.h"

/* desk_hours_check_slots on `text` (JSON): the sorted copy, or NULL with the error's code in `code`. */
static json_t *check(const char *text, char *code, size_t code_len) {
  json_t *slots = json_loads(text, 0, NULL);
  ck_assert_msg(slots != NULL, "bad test JSON: %s", text);
  struct result_info info = {0};
  json_t *out = desk_hours_check_slots(slots, &info);
  code[0] = '\0';
  if (info.errors != NULL) {
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(info.errors, 0), "field")), "slots");
    snprintf(code, code_len, "%s", json_string_value(json_object_get(json_array_get(info.errors, 0), "code")));
  }
  ck_assert((out == NULL) == (info.errors != NULL));
  result_info_clear(&info);
  json_decref(slots);
  return out;
}

START_TEST(sorted_by_day_and_opening) {
  char code[32];
  json_t *out = check(
      "[{\"day\": \"thursday\", \"opens\": \"09:00\", \"closes\": \"12:00\"},"
      " {\"day\": \"tuesday\", \"opens\": \"13:00\", \"closes\": \"16:00\"},"
      " {\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"13:00\"}]",
      code, sizeof code);
  ck_assert(out != NULL);
  ck_assert_uint_eq(json_array_size(out), 3);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 0), "opens")), "09:00");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 1), "day")), "tuesday");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 1), "opens")), "13:00");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 2), "day")), "thursday");
  json_decref(out);
  out = check("[]", code, sizeof code);
  ck_assert_uint_eq(json_array_size(out), 0);
  json_decref(out);
  /* the last minute of Sunday and the first of Monday are a week apart, not an overlap */
  out = check(
      "[{\"day\": \"sunday\", \"opens\": \"20:00\", \"closes\": \"23:59\"},"
      " {\"day\": \"monday\", \"opens\": \"00:00\", \"closes\": \"01:00\"}]",
      code, sizeof code);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 0), "day")), "monday");
  json_decref(out);
}
END_TEST

START_TEST(refused) {
  static const struct {
    const char *slots, *code;
  } cases[] = {
      {"[{\"day\": \"tuesday\", \"opens\": \"12:00\", \"closes\": \"09:00\"}]", "invalid"},
      {"[{\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"09:00\"}]", "invalid"},
      {"[{\"day\": \"Tuesday\", \"opens\": \"09:00\", \"closes\": \"12:00\"}]", "invalid"},
      {"[{\"day\": \"tuesday\", \"opens\": \"24:00\", \"closes\": \"24:30\"}]", "invalid"},
      {"[{\"day\": \"tuesday\", \"opens\": \"09:60\", \"closes\": \"10:00\"}]", "invalid"},
      {"[{\"day\": \"tuesday\", \"opens\": \"9:00\", \"closes\": \"12:00\"}]", "invalid"},
      {"[{\"day\": \"tuesday\", \"opens\": 900, \"closes\": \"12:00\"}]", "invalid"},
      {"[{\"day\": \"tuesday\", \"opens\": \"09:00\"}]", "invalid"},
      {"[{\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"12:00\", \"x\": 1}]", "invalid"},
      {"[\"tuesday 09:00-12:00\"]", "invalid"},
      {"[{\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"12:00\"},"
       " {\"day\": \"tuesday\", \"opens\": \"11:59\", \"closes\": \"13:00\"}]",
       "overlap"},
      {"[{\"day\": \"friday\", \"opens\": \"10:00\", \"closes\": \"11:00\"},"
       " {\"day\": \"friday\", \"opens\": \"09:00\", \"closes\": \"17:00\"}]",
       "overlap"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char code[32];
    json_t *out = check(cases[i].slots, code, sizeof code);
    ck_assert_msg(out == NULL, "accepted: %s", cases[i].slots);
    ck_assert_str_eq(code, cases[i].code);
  }
}
END_TEST

Suite *desk_hours_suite(void) {
  Suite *s = suite_create("desk_hours");
  TCase *tc = tcase_create("slots");
  tcase_add_test(tc, sorted_by_day_and_opening);
  tcase_add_test(tc, refused);
  suite_add_tcase(s, tc);
  return s;
}
