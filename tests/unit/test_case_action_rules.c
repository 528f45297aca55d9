/* The case-action state machine (src/case_action_rules.c). Expectations come from the issue's
 * words, not from the table: "keeping the status is always allowed; done and cancelled actions
 * are final; an open or in-progress action can move to any status". */
#include <check.h>
#include <stddef.h>
#include <string.h>

#include "../../src/case_action_rules.h"
#include "suites.h"

/* The SQL type case_action_status (sql/migrations/0003_cases.sql), in its order. */
static const char *const names[] = {"open", "in_progress", "done", "cancelled"};
#define NAME_COUNT (sizeof names / sizeof names[0])

START_TEST(names_round_trip) {
  ck_assert_int_eq(CASE_ACTION_STATUS_COUNT, (int)NAME_COUNT);
  for (size_t i = 0; i < NAME_COUNT; i++) {
    int status = case_action_status_from_name(names[i]);
    ck_assert_int_ge(status, 0);
    ck_assert_str_eq(case_action_status_name((enum case_action_status)status), names[i]);
  }
  ck_assert_int_eq(case_action_status_from_name("open"), CASE_ACTION_OPEN);
  ck_assert_int_eq(case_action_status_from_name("in_progress"), CASE_ACTION_IN_PROGRESS);
  ck_assert_int_eq(case_action_status_from_name("done"), CASE_ACTION_DONE);
  ck_assert_int_eq(case_action_status_from_name("cancelled"), CASE_ACTION_CANCELLED);
  /* what a client might send instead */
  ck_assert_int_eq(case_action_status_from_name(NULL), -1);
  ck_assert_int_eq(case_action_status_from_name(""), -1);
  ck_assert_int_eq(case_action_status_from_name("Open"), -1);
  ck_assert_int_eq(case_action_status_from_name("in-progress"), -1);
  ck_assert_int_eq(case_action_status_from_name("canceled"), -1);
  ck_assert_int_eq(case_action_status_from_name("closed"), -1);
  ck_assert_int_eq(case_action_status_from_name("done "), -1);
  ck_assert_str_eq(case_action_status_name((enum case_action_status)CASE_ACTION_STATUS_COUNT), "unknown");
  /* the list a body rule chooses from: the same names by the same index, then NULL */
  for (size_t i = 0; i < NAME_COUNT; i++) ck_assert_str_eq(case_action_status_names[i], names[i]);
  ck_assert_ptr_null(case_action_status_names[NAME_COUNT]);
}
END_TEST

/* Every move, written out: ten allowed, six refused, together all sixteen pairs. */
START_TEST(every_move) {
  static const struct {
    const char *from, *to;
    int allowed;
  } moves[] = {
      {"open", "open", 1},
      {"open", "in_progress", 1},
      {"open", "done", 1},
      {"open", "cancelled", 1},
      {"in_progress", "open", 1},
      {"in_progress", "in_progress", 1},
      {"in_progress", "done", 1},
      {"in_progress", "cancelled", 1},
      {"done", "done", 1},
      {"cancelled", "cancelled", 1},
      {"done", "open", 0},
      {"done", "in_progress", 0},
      {"done", "cancelled", 0},
      {"cancelled", "open", 0},
      {"cancelled", "in_progress", 0},
      {"cancelled", "done", 0},
  };
  int seen[NAME_COUNT][NAME_COUNT] = {{0}};
  int allowed = 0, refused = 0;
  for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
    int from = case_action_status_from_name(moves[i].from), to = case_action_status_from_name(moves[i].to);
    ck_assert_int_ge(from, 0);
    ck_assert_int_ge(to, 0);
    seen[from][to]++;
    ck_assert_msg(
        case_action_move_allowed((enum case_action_status)from, (enum case_action_status)to) == moves[i].allowed,
        "%s -> %s: expected %s", moves[i].from, moves[i].to, moves[i].allowed ? "allowed" : "refused");
    if (moves[i].allowed)
      allowed++;
    else
      refused++;
  }
  ck_assert_int_eq(allowed, 10);
  ck_assert_int_eq(refused, 6);
  for (size_t f = 0; f < NAME_COUNT; f++)
    for (size_t t = 0; t < NAME_COUNT; t++)
      ck_assert_msg(seen[f][t] == 1, "%s -> %s listed %d times", names[f], names[t], seen[f][t]);
}
END_TEST

/* The same, from the rule in words, over every pair of names. */
START_TEST(rule_in_words) {
  for (size_t f = 0; f < NAME_COUNT; f++) {
    for (size_t t = 0; t < NAME_COUNT; t++) {
      int same = strcmp(names[f], names[t]) == 0;
      int final = strcmp(names[f], "done") == 0 || strcmp(names[f], "cancelled") == 0;
      int expected = same || !final;
      int from = case_action_status_from_name(names[f]), to = case_action_status_from_name(names[t]);
      ck_assert_msg(case_action_move_allowed((enum case_action_status)from, (enum case_action_status)to) == expected,
                    "%s -> %s", names[f], names[t]);
    }
  }
}
END_TEST

/* Values that are no status never allow a move, also not to themselves. */
START_TEST(out_of_range) {
  enum case_action_status bad = (enum case_action_status)CASE_ACTION_STATUS_COUNT;
  enum case_action_status negative = (enum case_action_status) - 1;
  ck_assert_int_eq(case_action_move_allowed(bad, bad), 0);
  ck_assert_int_eq(case_action_move_allowed(bad, CASE_ACTION_OPEN), 0);
  ck_assert_int_eq(case_action_move_allowed(CASE_ACTION_OPEN, bad), 0);
  ck_assert_int_eq(case_action_move_allowed(negative, CASE_ACTION_OPEN), 0);
  ck_assert_int_eq(case_action_move_allowed(CASE_ACTION_OPEN, negative), 0);
}
END_TEST

Suite *case_action_rules_suite(void) {
  Suite *s = suite_create("case_action_rules");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, names_round_trip);
  tcase_add_test(tc, every_move);
  tcase_add_test(tc, rule_in_words);
  tcase_add_test(tc, out_of_range);
  suite_add_tcase(s, tc);
  return s;
}
