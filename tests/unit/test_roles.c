/* Role names, role lists in text, PostgreSQL arrays and JSON. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/roles.h"
#include "suites.h"

#define ALL_ROLES (ROLE_RESIDENT | ROLE_VOLUNTEER | ROLE_COORDINATOR | ROLE_PROFESSIONAL | ROLE_ADMIN)

START_TEST(test_role_from_name) {
  ck_assert_uint_eq(role_from_name("resident"), ROLE_RESIDENT);
  ck_assert_uint_eq(role_from_name("volunteer"), ROLE_VOLUNTEER);
  ck_assert_uint_eq(role_from_name("coordinator"), ROLE_COORDINATOR);
  ck_assert_uint_eq(role_from_name("professional"), ROLE_PROFESSIONAL);
  ck_assert_uint_eq(role_from_name("admin"), ROLE_ADMIN);
  ck_assert_uint_eq(role_from_name("Admin"), 0);
  ck_assert_uint_eq(role_from_name("admins"), 0);
  ck_assert_uint_eq(role_from_name("admi"), 0);
  ck_assert_uint_eq(role_from_name(""), 0);
  ck_assert_uint_eq(role_from_name(NULL), 0);
}
END_TEST

START_TEST(test_roles_parse) {
  ck_assert_uint_eq(roles_parse("resident,volunteer"), ROLE_RESIDENT | ROLE_VOLUNTEER);
  ck_assert_uint_eq(roles_parse("{coordinator,admin}"), ROLE_COORDINATOR | ROLE_ADMIN);
  ck_assert_uint_eq(roles_parse("{professional}"), ROLE_PROFESSIONAL);
  ck_assert_uint_eq(roles_parse("admin"), ROLE_ADMIN);
  ck_assert_uint_eq(roles_parse("resident,bogus,admin"), ROLE_RESIDENT | ROLE_ADMIN);
  ck_assert_uint_eq(roles_parse("{bogus,volunteer}"), ROLE_VOLUNTEER);
  ck_assert_uint_eq(roles_parse("admin,admin"), ROLE_ADMIN);
  ck_assert_uint_eq(roles_parse("resident, volunteer"), ROLE_RESIDENT | ROLE_VOLUNTEER);
  ck_assert_uint_eq(roles_parse("residents,admi"), 0);
  ck_assert_uint_eq(roles_parse("{resident,volunteer,coordinator,professional,admin}"), ALL_ROLES);
  ck_assert_uint_eq(roles_parse("{}"), 0);
  ck_assert_uint_eq(roles_parse(",,"), 0);
  ck_assert_uint_eq(roles_parse(""), 0);
  ck_assert_uint_eq(roles_parse(NULL), 0);
}
END_TEST

START_TEST(test_roles_to_json_order) {
  json_t *all = roles_to_json(ALL_ROLES);
  json_t *two = roles_to_json(ROLE_ADMIN | ROLE_RESIDENT);
  json_t *none = roles_to_json(0);
  json_t *expect_all = json_pack("[sssss]", "resident", "volunteer", "coordinator", "professional", "admin");
  json_t *expect_two = json_pack("[ss]", "resident", "admin");
  ck_assert_ptr_nonnull(all);
  ck_assert_ptr_nonnull(two);
  ck_assert_ptr_nonnull(none);
  ck_assert(json_equal(all, expect_all));
  ck_assert(json_equal(two, expect_two));
  ck_assert(json_is_array(none));
  ck_assert_uint_eq(json_array_size(none), 0);
  json_decref(all);
  json_decref(two);
  json_decref(none);
  json_decref(expect_all);
  json_decref(expect_two);
}
END_TEST

START_TEST(test_roles_from_json) {
  json_t *names = json_pack("[s, s, i, n, s]", "admin", "bogus", 3, "volunteer");
  json_t *object = json_pack("{s:s}", "role", "admin");
  json_t *string = json_string("admin");
  json_t *empty = json_array();
  ck_assert_uint_eq(roles_from_json(names), ROLE_ADMIN | ROLE_VOLUNTEER);
  ck_assert_uint_eq(roles_from_json(object), 0);
  ck_assert_uint_eq(roles_from_json(string), 0);
  ck_assert_uint_eq(roles_from_json(empty), 0);
  ck_assert_uint_eq(roles_from_json(NULL), 0);
  json_decref(names);
  json_decref(object);
  json_decref(string);
  json_decref(empty);
}
END_TEST

START_TEST(test_roles_to_text) {
  char buf[80];
  char *text = roles_to_json_text(ROLE_COORDINATOR | ROLE_RESIDENT);
  ck_assert_str_eq(text, "[\"resident\",\"coordinator\"]");
  free(text);
  text = roles_to_json_text(0);
  ck_assert_str_eq(text, "[]");
  free(text);
  roles_to_list(ROLE_PROFESSIONAL | ROLE_VOLUNTEER, buf, sizeof buf);
  ck_assert_str_eq(buf, "volunteer,professional");
  roles_to_list(ROLE_RESIDENT, buf, sizeof buf);
  ck_assert_str_eq(buf, "resident");
  roles_to_list(0, buf, sizeof buf);
  ck_assert_str_eq(buf, "");
  roles_to_list(ALL_ROLES, buf, sizeof buf);
  ck_assert_str_eq(buf, "resident,volunteer,coordinator,professional,admin");
}
END_TEST

START_TEST(test_roles_to_text_small_buffer) {
  char buf[6];
  memset(buf, 'x', sizeof buf);
  roles_to_list(ALL_ROLES, buf, sizeof buf);
  ck_assert_ptr_nonnull(memchr(buf, '\0', sizeof buf));
}
END_TEST

START_TEST(test_round_trips) {
  for (unsigned roles = 0; roles <= ALL_ROLES; roles++) {
    char pg[96], list[80];
    roles_to_list(roles, list, sizeof list);
    snprintf(pg, sizeof pg, "{%s}", list); /* PostgreSQL's text of a member_role[] */
    json_t *json = roles_to_json(roles);
    char *text = roles_to_json_text(roles);
    json_t *parsed = json_loads(text, 0, NULL);
    ck_assert_uint_eq(roles_from_json(parsed), roles);
    json_decref(parsed);
    free(text);
    ck_assert_msg(roles_parse(pg) == roles, "pg array %s", pg);
    ck_assert_msg(roles_parse(list) == roles, "list %s", list);
    ck_assert_uint_eq(roles_from_json(json), roles);
    json_decref(json);
  }
}
END_TEST

Suite *roles_suite(void) {
  Suite *s = suite_create("roles");
  TCase *tc = tcase_create("roles");
  tcase_add_test(tc, test_role_from_name);
  tcase_add_test(tc, test_roles_parse);
  tcase_add_test(tc, test_roles_to_json_order);
  tcase_add_test(tc, test_roles_from_json);
  tcase_add_test(tc, test_roles_to_text);
  tcase_add_test(tc, test_roles_to_text_small_buffer);
  tcase_add_test(tc, test_round_trips);
  suite_add_tcase(s, tc);
  return s;
}
