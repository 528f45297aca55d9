/* Who may act for whom (src/on_behalf.h): the pair rule, the desk only, the right person only;
 * and reading the pair out of a body, leaving the action's own members. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/on_behalf.h"
#include "suites.h"

#define DESK "00000000-0000-4000-8000-000000000101"
#define HER "00000000-0000-4000-8000-000000000104"
#define OTHER "00000000-0000-4000-8000-000000000102"

START_TEST(test_judge) {
  /* neither: she acts for herself, whoever she is */
  ck_assert_int_eq(on_behalf_judge(NULL, NULL, 0, HER, HER), ON_BEHALF_SELF);
  ck_assert_int_eq(on_behalf_judge(NULL, NULL, 1, DESK, HER), ON_BEHALF_SELF);
  /* one without the other */
  ck_assert_int_eq(on_behalf_judge(HER, NULL, 1, DESK, HER), ON_BEHALF_INCOMPLETE);
  ck_assert_int_eq(on_behalf_judge(NULL, "phone", 1, DESK, HER), ON_BEHALF_INCOMPLETE);
  /* the desk for the person the action is about, in any letter case */
  ck_assert_int_eq(on_behalf_judge(HER, "phone", 1, DESK, HER), ON_BEHALF_DESK);
  ck_assert_int_eq(
      on_behalf_judge("00000000-0000-4000-8000-00000000010A", "paper", 1, DESK, "00000000-0000-4000-8000-00000000010a"),
      ON_BEHALF_DESK);
  /* the desk for someone else, or for an action about nobody it may name */
  ck_assert_int_eq(on_behalf_judge(OTHER, "phone", 1, DESK, HER), ON_BEHALF_WRONG_PERSON);
  ck_assert_int_eq(on_behalf_judge(OTHER, "phone", 1, DESK, NULL), ON_BEHALF_WRONG_PERSON);
  /* anyone else naming someone: refused before whether it is the right person */
  ck_assert_int_eq(on_behalf_judge(HER, "phone", 0, OTHER, HER), ON_BEHALF_NOT_DESK);
  ck_assert_int_eq(on_behalf_judge(DESK, "phone", 0, OTHER, HER), ON_BEHALF_NOT_DESK);
  /* naming oneself */
  ck_assert_int_eq(on_behalf_judge(HER, "phone", 0, HER, HER), ON_BEHALF_SELF_NAMED);
  ck_assert_int_eq(on_behalf_judge(DESK, "phone", 1, DESK, HER), ON_BEHALF_SELF_NAMED);
}
END_TEST

START_TEST(test_read) {
  struct result_info info = {0};
  struct on_behalf ob;
  json_t *rest = NULL;
  json_t *body = json_pack("{s:s, s:s, s:b}", "on_behalf_of", HER, "channel", "in_person", "positive", 1);
  ck_assert_int_eq(on_behalf_read(body, &ob, &rest, &info), 0);
  ck_assert_str_eq(ob.person_id, HER);
  ck_assert_str_eq(ob.channel, "in_person");
  /* the action reads the rest; the body itself is left as it was */
  ck_assert_uint_eq(json_object_size(rest), 1);
  ck_assert_ptr_nonnull(json_object_get(rest, "positive"));
  ck_assert_uint_eq(json_object_size(body), 3);
  json_decref(rest);
  json_decref(body);

  body = json_pack("{s:s}", "on_behalf_of", HER);
  ck_assert_int_eq(on_behalf_read(body, &ob, &rest, &info), -1);
  ck_assert_ptr_nonnull(info.errors);
  ck_assert_uint_eq(json_object_size(rest), 0);
  json_decref(rest);
  json_decref(body);
  result_info_clear(&info);

  memset(&info, 0, sizeof info);
  body = json_pack("{s:s, s:s}", "on_behalf_of", HER, "channel", "fax");
  ck_assert_int_eq(on_behalf_read(body, &ob, &rest, &info), -1);
  ck_assert_ptr_null(ob.person_id);
  json_decref(rest);
  json_decref(body);
  result_info_clear(&info);

  memset(&info, 0, sizeof info);
  ck_assert_int_eq(on_behalf_read(NULL, &ob, &rest, &info), 0);
  ck_assert_ptr_null(rest);
  ck_assert_ptr_null(ob.person_id);
  ck_assert_ptr_null(info.errors);
  result_info_clear(&info);
}
END_TEST

START_TEST(test_actor) {
  struct actor desk = {DESK, "00000000-0000-4000-8000-00000000a001", ROLE_COORDINATOR, NULL, NULL};
  struct on_behalf ob = {HER, "phone"}, self = {NULL, NULL};
  struct actor acting = on_behalf_actor(&desk, &ob);
  ck_assert_str_eq(acting.person_id, DESK);
  ck_assert_str_eq(acting.on_behalf_of, HER);
  ck_assert_str_eq(acting.channel, "phone");
  ck_assert_str_eq(on_behalf_person(&ob, &desk), HER);
  acting = on_behalf_actor(&desk, &self);
  ck_assert_ptr_null(acting.on_behalf_of);
  ck_assert_ptr_null(acting.channel);
  ck_assert_str_eq(on_behalf_person(&self, &desk), DESK);
}
END_TEST

Suite *on_behalf_suite(void) {
  Suite *s = suite_create("on_behalf");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_judge);
  tcase_add_test(tc, test_read);
  tcase_add_test(tc, test_actor);
  suite_add_tcase(s, tc);
  return s;
}
