/* The declarative body reader: every type, required and optional, boundaries, unknown members,
 * several errors at once. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/fields.h"
#include "suites.h"

static const char *const colours[] = {"red", "green", NULL};

enum { F_NAME, F_TOKEN, F_ID, F_EMAIL, F_DAY, F_AT, F_FLAG, F_COUNT, F_HOURS, F_COLOUR, F_IDS, F_RULES };
static const struct field_rule rules[] = {
    [F_NAME] = {"name", FIELD_TEXT, FIELD_REQUIRED, 2, 4, NULL, NULL, NULL},
    [F_TOKEN] = {"token", FIELD_STRING, 0, 1, 3, NULL, "too_long", "at most 3 bytes"},
    [F_ID] = {"id", FIELD_UUID, 0, 0, 0, NULL, NULL, NULL},
    [F_EMAIL] = {"email", FIELD_EMAIL, FIELD_STRING_TYPE, 0, 0, NULL, NULL, "not an email address"},
    [F_DAY] = {"day", FIELD_DATE, 0, 0, 0, NULL, NULL, NULL},
    [F_AT] = {"at", FIELD_DATE_TIME, 0, 0, 0, NULL, NULL, NULL},
    [F_FLAG] = {"flag", FIELD_BOOLEAN, FIELD_ABSENT_INVALID, 0, 0, NULL, "type", "must be true or false"},
    [F_COUNT] = {"count", FIELD_INTEGER, 0, 1, 50, NULL, "out_of_range", NULL},
    [F_HOURS] = {"hours", FIELD_NUMBER, 0, 0.25, 24, NULL, "out_of_range", "hours from 0.25 to 24"},
    [F_COLOUR] = {"colour", FIELD_ENUM, 0, 0, 0, colours, NULL, "red or green"},
    [F_IDS] = {"ids", FIELD_UUID_LIST, 0, 1, 2, NULL, NULL, NULL},
    [F_RULES] = {NULL},
};

#define ID1 "123e4567-e89b-12d3-a456-426614174000"
#define ID2 "00000000-0000-0000-0000-00000000000f"

/* The smallest body that fits `rules`. */
static json_t *minimal(void) { return json_pack("{s:s, s:b}", "name", "ab", "flag", 0); }

/* Bodies read by read_body(), kept until the test ends: the values borrow from them. */
static json_t *kept;

static void keep_setup(void) { kept = json_array(); }
static void keep_teardown(void) { json_decref(kept); }

/* Read `body` (stolen, kept until the test ends) against the table into `values`; the errors, as
 * an array (owned). */
static json_t *read_body(json_t *body, struct field_value *values, int *rc) {
  struct result_info info = {0};
  ck_assert_ptr_nonnull(body);
  *rc = fields_read(body, rules, values, &info);
  json_array_append_new(kept, body);
  json_t *errors = info.errors != NULL ? json_incref(info.errors) : json_array();
  result_info_clear(&info);
  return errors;
}

/* Whether `errors` has {field, code} (and `message` when not NULL). */
static int has_error(json_t *errors, const char *field, const char *code, const char *message) {
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0 &&
        strcmp(json_string_value(json_object_get(e, "code")), code) == 0 &&
        (message == NULL || strcmp(json_string_value(json_object_get(e, "message")), message) == 0))
      return 1;
  }
  return 0;
}

/* The one error a body with `member` set to `value` (stolen) gets; NULL when it fits. The body
 * is otherwise minimal. Caller json_decref()s. */
static json_t *only_error(const char *member, json_t *value, struct field_value *values) {
  json_t *body = minimal();
  json_object_set_new(body, member, value);
  int rc;
  json_t *errors = read_body(body, values, &rc);
  ck_assert_int_eq(rc, json_array_size(errors) == 0 ? 0 : -1);
  ck_assert_uint_le(json_array_size(errors), 1);
  if (json_array_size(errors) == 0) {
    json_decref(errors);
    return NULL;
  }
  json_t *e = json_incref(json_array_get(errors, 0));
  json_decref(errors);
  ck_assert_str_eq(json_string_value(json_object_get(e, "field")), member);
  return e;
}

static void assert_fits(const char *member, json_t *value) {
  struct field_value values[F_RULES];
  json_t *e = only_error(member, value, values);
  ck_assert_msg(e == NULL, "%s refused: %s", member, json_string_value(json_object_get(e, "message")));
}

static void assert_refused(const char *member, json_t *value, const char *code, const char *message) {
  struct field_value values[F_RULES];
  json_t *e = only_error(member, value, values);
  ck_assert_msg(e != NULL, "%s accepted", member);
  ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
  if (message != NULL) ck_assert_str_eq(json_string_value(json_object_get(e, "message")), message);
  json_decref(e);
}

START_TEST(test_minimal_body_fills_values) {
  struct field_value values[F_RULES];
  int rc;
  json_t *errors = read_body(minimal(), values, &rc);
  ck_assert_int_eq(rc, 0);
  ck_assert_uint_eq(json_array_size(errors), 0);
  json_decref(errors);
  ck_assert_int_eq(values[F_NAME].present, 1);
  ck_assert_str_eq(values[F_NAME].text, "ab");
  ck_assert_int_eq(values[F_FLAG].present, 1);
  ck_assert_int_eq(values[F_FLAG].boolean, 0);
  for (int i = F_TOKEN; i < F_RULES; i++) {
    if (i == F_FLAG) continue;
    ck_assert_int_eq(values[i].present, 0);
    ck_assert_ptr_null(values[i].text);
  }
}
END_TEST

START_TEST(test_full_body_fills_values) {
  json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:f, s:s, s:[s,s]}", "name", "abcd", "token",
                           "xyz", "id", ID1, "email", "a@b.nl", "day", "2024-02-29", "at", "2024-06-30T12:00:00Z",
                           "flag", 1, "count", 50, "hours", 1.5, "colour", "green", "ids", ID1, ID2);
  struct field_value values[F_RULES];
  int rc;
  json_t *errors = read_body(json_incref(body), values, &rc);
  ck_assert_int_eq(rc, 0);
  ck_assert_uint_eq(json_array_size(errors), 0);
  json_decref(errors);
  for (int i = 0; i < F_RULES; i++) ck_assert_int_eq(values[i].present, 1);
  ck_assert_str_eq(values[F_TOKEN].text, "xyz");
  ck_assert_str_eq(values[F_ID].text, ID1);
  ck_assert_str_eq(values[F_EMAIL].text, "a@b.nl");
  ck_assert_str_eq(values[F_DAY].text, "2024-02-29");
  ck_assert_str_eq(values[F_AT].text, "2024-06-30T12:00:00Z");
  ck_assert_int_eq(values[F_FLAG].boolean, 1);
  ck_assert_int_eq(values[F_COUNT].integer, 50);
  ck_assert(values[F_COUNT].number == 50.0);
  ck_assert(values[F_HOURS].number == 1.5);
  ck_assert_str_eq(values[F_COLOUR].text, "green");
  ck_assert_int_eq(values[F_COLOUR].choice, 1);
  ck_assert_uint_eq(json_array_size(values[F_IDS].list), 2);
  json_decref(body);
}
END_TEST

START_TEST(test_required) {
  struct field_value values[F_RULES];
  int rc;
  json_t *errors = read_body(json_pack("{s:b}", "flag", 1), values, &rc);
  ck_assert_int_eq(rc, -1);
  ck_assert_uint_eq(json_array_size(errors), 1);
  ck_assert(has_error(errors, "name", "required", "this field is required"));
  json_decref(errors);
  /* null is as good as absent */
  assert_refused("name", json_null(), "required", "this field is required");
  /* optional members may be null */
  assert_fits("id", json_null());
  assert_fits("ids", json_null());
}
END_TEST

START_TEST(test_absent_told_as_invalid) {
  struct field_value values[F_RULES];
  int rc;
  json_t *errors = read_body(json_pack("{s:s}", "name", "abc"), values, &rc);
  ck_assert_int_eq(rc, -1);
  ck_assert_uint_eq(json_array_size(errors), 1);
  ck_assert(has_error(errors, "flag", "type", "must be true or false"));
  json_decref(errors);
  assert_refused("flag", json_null(), "type", "must be true or false");
}
END_TEST

START_TEST(test_text_bounds) {
  assert_refused("name", json_string("a"), "invalid", "text of 2 to 4 characters, no control characters");
  assert_fits("name", json_string("ab"));
  assert_fits("name", json_string("abcd"));
  assert_fits("name", json_string("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9")); /* four code points, eight bytes */
  assert_refused("name", json_string("abcde"), "invalid", NULL);
  assert_refused("name", json_string("a\tb"), "invalid", NULL);
  assert_refused("name", json_integer(12), "invalid", NULL); /* no FIELD_STRING_TYPE: the rule's error */
}
END_TEST

START_TEST(test_string_bounds_in_bytes) {
  assert_refused("token", json_string(""), "too_long", "at most 3 bytes");
  assert_fits("token", json_string("a"));
  assert_fits("token", json_string("a\tb")); /* no content check */
  assert_refused("token", json_string("abcd"), "too_long", NULL);
  assert_refused("token", json_string("\xc3\xa9\xc3\xa9"), "too_long", NULL); /* two code points, four bytes */
  assert_refused("token", json_true(), "too_long", NULL);
}
END_TEST

START_TEST(test_string_type) {
  assert_refused("email", json_integer(1), "type", "must be a string");
  assert_refused("email", json_pack("[s]", "a@b.nl"), "type", "must be a string");
  assert_refused("email", json_string("a.b.nl"), "invalid", "not an email address");
  assert_fits("email", json_string("a@b.nl"));
}
END_TEST

START_TEST(test_uuid_date_datetime) {
  assert_fits("id", json_string(ID1));
  assert_refused("id", json_string(ID1 "0"), "invalid", "an id (UUID)");
  assert_refused("id", json_integer(1), "invalid", "an id (UUID)");
  assert_fits("day", json_string("2024-02-29"));
  assert_refused("day", json_string("2023-02-29"), "invalid", "a date (YYYY-MM-DD) in the years 1900 to 2200");
  assert_refused("day", json_string("2024-02-29T00:00:00Z"), "invalid", NULL);
  assert_refused("day", json_string("1899-12-31"), "invalid", "a date (YYYY-MM-DD) in the years 1900 to 2200");
  assert_fits("at", json_string("2024-06-30T12:00:00+05:30"));
  assert_refused("at", json_string("2024-06-30T12:00:00"), "invalid",
                 "an RFC 3339 date-time in the years 1900 to 2200 (UTC)");
  assert_refused("at", json_string("9999-12-31T23:00:00-15:00"), "invalid",
                 "an RFC 3339 date-time in the years 1900 to 2200 (UTC)");
}
END_TEST

START_TEST(test_boolean) {
  assert_fits("flag", json_true());
  assert_fits("flag", json_false());
  assert_refused("flag", json_string("true"), "type", "must be true or false");
  assert_refused("flag", json_integer(1), "type", NULL);
}
END_TEST

START_TEST(test_integer_bounds) {
  assert_refused("count", json_integer(0), "out_of_range", "a whole number from 1 to 50");
  assert_fits("count", json_integer(1));
  assert_fits("count", json_integer(50));
  assert_refused("count", json_integer(51), "out_of_range", NULL);
  assert_refused("count", json_real(2.0), "out_of_range", NULL); /* a real is not an integer */
  assert_refused("count", json_string("2"), "out_of_range", NULL);
}
END_TEST

START_TEST(test_number_bounds) {
  assert_refused("hours", json_real(0.24), "out_of_range", "hours from 0.25 to 24");
  assert_fits("hours", json_real(0.25));
  assert_fits("hours", json_integer(24));
  assert_refused("hours", json_real(24.01), "out_of_range", NULL);
  assert_refused("hours", json_string("1"), "out_of_range", NULL);
}
END_TEST

START_TEST(test_enum) {
  struct field_value values[F_RULES];
  json_t *e = only_error("colour", json_string("red"), values);
  ck_assert_ptr_null(e);
  ck_assert_int_eq(values[F_COLOUR].choice, 0);
  assert_refused("colour", json_string("blue"), "invalid", "red or green");
  assert_refused("colour", json_string("Red"), "invalid", NULL);
  assert_refused("colour", json_integer(0), "invalid", NULL);
}
END_TEST

START_TEST(test_uuid_list_bounds) {
  assert_refused("ids", json_array(), "invalid", "a list of 1 to 2 ids (UUID)");
  assert_fits("ids", json_pack("[s]", ID1));
  assert_fits("ids", json_pack("[s,s]", ID1, ID2));
  assert_refused("ids", json_pack("[s,s,s]", ID1, ID2, ID1), "invalid", NULL);
  assert_refused("ids", json_pack("[s,s]", ID1, "nope"), "invalid", NULL);
  assert_refused("ids", json_pack("[s,i]", ID1, 1), "invalid", NULL);
  assert_refused("ids", json_string(ID1), "invalid", NULL);
}
END_TEST

/* A list and an object are checked for kind and size only; what is inside is read by the
 * caller, and fields_read_in() names an object's members by their path. */
static const struct field_rule outer_rules[] = {
    {"slots", FIELD_LIST, 0, 0, 2, NULL, NULL, NULL},
    {"home", FIELD_OBJECT, FIELD_REQUIRED, 2, 2, NULL, NULL, "{lat, lon}"},
    {NULL},
};
static const struct field_rule home_rules[] = {
    {"lat", FIELD_NUMBER, FIELD_REQUIRED, -90, 90, NULL, "out_of_range", NULL},
    {"lon", FIELD_NUMBER, FIELD_REQUIRED, -180, 180, NULL, "out_of_range", NULL},
    {NULL},
};

START_TEST(test_list_and_object) {
  struct field_value v[2], home[2];
  struct result_info info = {0};
  json_t *body = json_pack("{s:[i,s], s:{s:f, s:i}}", "slots", 1, "x", "home", "lat", 52.1, "lon", 5);
  ck_assert_int_eq(fields_read(body, outer_rules, v, &info), 0);
  ck_assert_ptr_eq(v[0].list, json_object_get(body, "slots"));
  ck_assert_ptr_eq(v[1].object, json_object_get(body, "home"));
  ck_assert_int_eq(fields_read_in("home", v[1].object, home_rules, home, &info), 0);
  ck_assert_ptr_null(info.errors);
  ck_assert(home[0].number > 52.09 && home[0].number < 52.11);
  ck_assert(home[1].number == 5);
  json_decref(body);

  body = json_pack("{s:[i,i,i], s:{s:i}}", "slots", 1, 2, 3, "home", "lat", 1);
  ck_assert_int_eq(fields_read(body, outer_rules, v, &info), -1);
  ck_assert_ptr_null(v[1].object);
  ck_assert(has_error(info.errors, "slots", "invalid", "a list of 0 to 2 items"));
  ck_assert(has_error(info.errors, "home", "invalid", "{lat, lon}"));
  json_decref(body);
  result_info_clear(&info);

  body = json_pack("{s:s}", "home", "here");
  ck_assert_int_eq(fields_read(body, outer_rules, v, &info), -1);
  ck_assert(has_error(info.errors, "home", "invalid", "{lat, lon}"));
  ck_assert_uint_eq(json_array_size(info.errors), 1);
  json_decref(body);
  result_info_clear(&info);
}
END_TEST

START_TEST(test_nested_errors_name_the_path) {
  struct field_value home[2];
  struct result_info info = {0};
  json_t *home_body = json_pack("{s:i, s:b}", "lat", 91, "alt", 1);
  ck_assert_int_eq(fields_read_in("home", home_body, home_rules, home, &info), -1);
  ck_assert_uint_eq(json_array_size(info.errors), 3);
  ck_assert(has_error(info.errors, "home.alt", "unknown_field", NULL));
  ck_assert(has_error(info.errors, "home.lat", "out_of_range", "a number from -90 to 90"));
  ck_assert(has_error(info.errors, "home.lon", "required", NULL));
  json_decref(home_body);
  result_info_clear(&info);
}
END_TEST

/* Null as its own case: refused by a rule that allows no null, a value for one that must be
 * there but may be "none". */
START_TEST(test_null_flags) {
  static const struct field_rule null_rules[] = {
      {"hours", FIELD_INTEGER, FIELD_NULL_INVALID, 1, 720, NULL, "out_of_range", "1 to 720"},
      {"cap", FIELD_INTEGER, FIELD_NULLABLE, 1, 100, NULL, "out_of_range", NULL},
      {NULL},
  };
  struct field_value v[2];
  struct result_info info = {0};
  json_t *body = json_pack("{s:n, s:n}", "hours", "cap");
  ck_assert_int_eq(fields_read(body, null_rules, v, &info), -1);
  ck_assert_uint_eq(json_array_size(info.errors), 1);
  ck_assert(has_error(info.errors, "hours", "out_of_range", "1 to 720"));
  ck_assert_int_eq(v[1].present, 0);
  ck_assert_int_eq(v[1].null, 1);
  json_decref(body);
  result_info_clear(&info);

  body = json_object(); /* hours may be absent, cap may not */
  ck_assert_int_eq(fields_read(body, null_rules, v, &info), -1);
  ck_assert_uint_eq(json_array_size(info.errors), 1);
  ck_assert(has_error(info.errors, "cap", "required", NULL));
  ck_assert_int_eq(v[0].null, 0);
  json_decref(body);
  result_info_clear(&info);

  body = json_pack("{s:i, s:i}", "hours", 5, "cap", 7);
  ck_assert_int_eq(fields_read(body, null_rules, v, &info), 0);
  ck_assert(v[0].present && v[0].integer == 5 && v[1].present && v[1].integer == 7 && !v[1].null);
  json_decref(body);
}
END_TEST

START_TEST(test_unknown_members_first) {
  struct field_value values[F_RULES];
  int rc;
  json_t *body = minimal();
  json_object_set_new(body, "remember_me", json_true());
  json_t *errors = read_body(body, values, &rc);
  ck_assert_int_eq(rc, -1);
  ck_assert_uint_eq(json_array_size(errors), 1);
  ck_assert(has_error(errors, "remember_me", "unknown_field", "this field is not part of the request"));
  json_decref(errors);
  /* the known members are still read */
  ck_assert_str_eq(values[F_NAME].text, "ab");
}
END_TEST

START_TEST(test_every_error_at_once) {
  struct field_value values[F_RULES];
  int rc;
  json_t *errors = read_body(
      json_pack("{s:s, s:i, s:s, s:i, s:s}", "extra", "x", "count", 0, "colour", "blue", "hours", 99, "email", "no"),
      values, &rc);
  ck_assert_int_eq(rc, -1);
  ck_assert_uint_eq(json_array_size(errors), 7);
  /* unknown members first, then the table's order */
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "extra");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 1), "field")), "name");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 2), "field")), "email");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 3), "field")), "flag");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 4), "field")), "count");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 5), "field")), "hours");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 6), "field")), "colour");
  json_decref(errors);
  for (int i = 0; i < F_RULES; i++) ck_assert_int_eq(values[i].present, 0);
}
END_TEST

START_TEST(test_empty_table_and_no_body) {
  static const struct field_rule none[] = {{NULL}};
  struct result_info info = {0};
  ck_assert_int_eq(fields_read(NULL, none, NULL, &info), 0);
  json_t *empty = json_object();
  ck_assert_int_eq(fields_read(empty, none, NULL, &info), 0);
  ck_assert_ptr_null(info.errors);
  json_object_set_new(empty, "a", json_true());
  ck_assert_int_eq(fields_read(empty, none, NULL, &info), -1);
  ck_assert_uint_eq(json_array_size(info.errors), 1);
  json_decref(empty);
  result_info_clear(&info);
  /* no body at all: a required member is missing */
  struct field_value values[F_RULES];
  ck_assert_int_eq(fields_read(NULL, rules, values, &info), -1);
  ck_assert_uint_eq(json_array_size(info.errors), 2); /* name, flag */
  result_info_clear(&info);
}
END_TEST

START_TEST(test_choice) {
  static const char *const views[] = {"new", "needs_attention", NULL};
  struct result_info info = {0};
  ck_assert_int_eq(fields_choice("view", "new", views, "new or needs_attention", &info), 0);
  ck_assert_int_eq(fields_choice("view", "needs_attention", views, "new or needs_attention", &info), 1);
  ck_assert_ptr_null(info.errors);
  ck_assert_int_eq(fields_choice("view", "old", views, "new or needs_attention", &info), -1);
  ck_assert_int_eq(fields_choice("view", NULL, views, "new or needs_attention", &info), -1);
  ck_assert_uint_eq(json_array_size(info.errors), 2);
  ck_assert(has_error(info.errors, "view", "invalid", "new or needs_attention"));
  result_info_clear(&info);
}
END_TEST

Suite *fields_suite(void) {
  Suite *s = suite_create("fields");
  TCase *tc = tcase_create("reader");
  tcase_add_checked_fixture(tc, keep_setup, keep_teardown);
  tcase_add_test(tc, test_minimal_body_fills_values);
  tcase_add_test(tc, test_list_and_object);
  tcase_add_test(tc, test_null_flags);
  tcase_add_test(tc, test_nested_errors_name_the_path);
  tcase_add_test(tc, test_full_body_fills_values);
  tcase_add_test(tc, test_required);
  tcase_add_test(tc, test_absent_told_as_invalid);
  tcase_add_test(tc, test_text_bounds);
  tcase_add_test(tc, test_string_bounds_in_bytes);
  tcase_add_test(tc, test_string_type);
  tcase_add_test(tc, test_uuid_date_datetime);
  tcase_add_test(tc, test_boolean);
  tcase_add_test(tc, test_integer_bounds);
  tcase_add_test(tc, test_number_bounds);
  tcase_add_test(tc, test_enum);
  tcase_add_test(tc, test_uuid_list_bounds);
  tcase_add_test(tc, test_unknown_members_first);
  tcase_add_test(tc, test_every_error_at_once);
  tcase_add_test(tc, test_empty_table_and_no_body);
  tcase_add_test(tc, test_choice);
  suite_add_tcase(s, tc);
  return s;
}
