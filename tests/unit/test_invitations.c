/* The invitation lifetime rule (INVITATION_HOURS_RULE), shared by community and case invitations. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>

#include "../../src/fields.h"
#include "../../src/invitations.h"
#include "suites.h"

/* The lifetime `json` (a body) asks for, default 168; `errors` gets how many field errors. */
static int lifetime(const char *json, int *errors) {
  json_t *body = json != NULL ? json_loads(json, 0, NULL) : NULL;
  if (json != NULL) ck_assert_ptr_nonnull(body);
  static const struct field_rule rules[] = {INVITATION_HOURS_RULE, {NULL}};
  struct field_value v[1];
  struct result_info info = {0};
  fields_read(body, rules, v, &info);
  int hours = v[0].present ? (int)v[0].integer : 168;
  *errors = (int)json_array_size(info.errors);
  if (*errors > 0) {
    json_t *e = json_array_get(info.errors, 0);
    ck_assert_str_eq(json_string_value(json_object_get(e, "field")), "expires_in_hours");
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "out_of_range");
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "a whole number of hours from 1 to 720");
  }
  result_info_clear(&info);
  json_decref(body);
  return hours;
}

START_TEST(lifetime_bounds) {
  int errors;
  ck_assert_int_eq(lifetime(NULL, &errors), 168);
  ck_assert_int_eq(errors, 0);
  ck_assert_int_eq(lifetime("{}", &errors), 168);
  ck_assert_int_eq(errors, 0);
  ck_assert_int_eq(lifetime("{\"expires_in_hours\": 1}", &errors), 1);
  ck_assert_int_eq(errors, 0);
  ck_assert_int_eq(lifetime("{\"expires_in_hours\": 720}", &errors), 720);
  ck_assert_int_eq(errors, 0);
  ck_assert_int_eq(lifetime("{\"expires_in_hours\": 48}", &errors), 48);
  ck_assert_int_eq(errors, 0);
  /* one hour to thirty days, whole hours only; otherwise the default and one field error */
  static const char *const refused[] = {"0", "721", "-1", "100000000000", "24.0", "\"24\"", "true", "null", "[]"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    char json[64];
    snprintf(json, sizeof json, "{\"expires_in_hours\": %s}", refused[i]);
    ck_assert_int_eq(lifetime(json, &errors), 168);
    ck_assert_msg(errors == 1, "%s: %d errors", refused[i], errors);
  }
  ck_assert_int_eq(INVITATION_MIN_HOURS, 1);
  ck_assert_int_eq(INVITATION_MAX_HOURS, 30 * 24);
}
END_TEST

Suite *invitations_suite(void) {
  Suite *s = suite_create("invitations");
  TCase *tc = tcase_create("lifetime");
  tcase_add_test(tc, lifetime_bounds);
  suite_add_tcase(s, tc);
  return s;
}
