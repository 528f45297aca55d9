/* The desk's pure rules: state machine, category policy, ranking. */
#include <check.h>
#include <string.h>

#include "../../src/desk_rules.h"
#include "suites.h"

START_TEST(names_round_trip) {
  for (int s = 0; s < HELP_STATUS_COUNT; s++)
    ck_assert_int_eq(help_status_from_name(help_status_name((enum help_status)s)), s);
  ck_assert_int_eq(help_status_from_name("pending"), -1);
  ck_assert_int_eq(help_status_from_name(NULL), -1);
  ck_assert_int_eq(help_action_from_name("ask-other"), ACTION_ASK_OTHER);
  ck_assert_int_eq(help_action_from_name("triage"), ACTION_TRIAGE);
  /* match and finish happen through offers, claims and completion, never as a named action */
  ck_assert_int_eq(help_action_from_name("match"), -1);
  ck_assert_int_eq(help_action_from_name("finish"), -1);
  /* a step back has its own route (releaseOccurrence), by the volunteer */
  ck_assert_int_eq(help_action_from_name("release"), -1);
  ck_assert_str_eq(help_action_name(ACTION_RELEASE), "release");
  ck_assert_int_eq(help_action_from_name("delete"), -1);
}
END_TEST

/* Every (status, action) pair against the state machine. */
START_TEST(transition_table) {
  static const struct {
    enum help_status from;
    enum help_action action;
    int to;
  } allowed[] = {
      {HELP_SUBMITTED, ACTION_TRIAGE, HELP_TRIAGED},   {HELP_SUBMITTED, ACTION_REFER, HELP_REFERRED},
      {HELP_TRIAGED, ACTION_REFER, HELP_REFERRED},     {HELP_SUBMITTED, ACTION_REJECT, HELP_REJECTED},
      {HELP_SUBMITTED, ACTION_CANCEL, HELP_CANCELLED}, {HELP_TRIAGED, ACTION_CANCEL, HELP_CANCELLED},
      {HELP_OFFERED, ACTION_CANCEL, HELP_CANCELLED},   {HELP_MATCHED, ACTION_CANCEL, HELP_CANCELLED},
      {HELP_TRIAGED, ACTION_OFFER, HELP_OFFERED},      {HELP_OFFERED, ACTION_OFFER, HELP_OFFERED},
      {HELP_TRIAGED, ACTION_BOARD, HELP_TRIAGED},      {HELP_OFFERED, ACTION_BOARD, HELP_OFFERED},
      {HELP_MATCHED, ACTION_CONFIRM, HELP_MATCHED},    {HELP_MATCHED, ACTION_ASK_OTHER, HELP_TRIAGED},
      {HELP_TRIAGED, ACTION_MATCH, HELP_MATCHED},      {HELP_OFFERED, ACTION_MATCH, HELP_MATCHED},
      {HELP_MATCHED, ACTION_FINISH, HELP_DONE},        {HELP_MATCHED, ACTION_RELEASE, HELP_TRIAGED},
      {HELP_TRIAGED, ACTION_TRIAGE, HELP_TRIAGED}, /* a re-triage chooses another track */
  };
  const size_t n = sizeof allowed / sizeof allowed[0];
  /* each pair once in the table, or the lookup below would hide a row */
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      ck_assert_msg(allowed[i].from != allowed[j].from || allowed[i].action != allowed[j].action,
                    "allowed[%zu] repeats allowed[%zu]", j, i);
  for (int s = 0; s < HELP_STATUS_COUNT; s++) {
    for (int a = 0; a < ACTION_COUNT; a++) {
      int expected = -1;
      for (size_t i = 0; i < n; i++)
        if ((int)allowed[i].from == s && (int)allowed[i].action == a) expected = allowed[i].to;
      ck_assert_msg(help_transition((enum help_status)s, (enum help_action)a) == expected, "%s --%s--> %d, expected %d",
                    help_status_name((enum help_status)s), help_action_name((enum help_action)a),
                    help_transition((enum help_status)s, (enum help_action)a), expected);
    }
  }
  /* final states stay final */
  for (int a = 0; a < ACTION_COUNT; a++) {
    ck_assert_int_eq(help_transition(HELP_DONE, (enum help_action)a), -1);
    ck_assert_int_eq(help_transition(HELP_CANCELLED, (enum help_action)a), -1);
    ck_assert_int_eq(help_transition(HELP_REJECTED, (enum help_action)a), -1);
    ck_assert_int_eq(help_transition(HELP_REFERRED, (enum help_action)a), -1);
  }
  ck_assert_int_eq(help_transition((enum help_status)99, ACTION_TRIAGE), -1);
}
END_TEST

START_TEST(policy_rules) {
  struct category_policy garden = {.may_recur = 0, .max_per_month = 0, .max_duration_minutes = 180};
  ck_assert_int_eq(policy_check(&garden, 0, 60), POLICY_OK);
  ck_assert_int_eq(policy_check(&garden, 7, 60), POLICY_NOT_RECURRING); /* weekly mowing: no */
  ck_assert_int_eq(policy_check(&garden, 0, 181), POLICY_TOO_LONG);
  ck_assert_int_eq(policy_check(&garden, 0, 180), POLICY_OK);
  struct category_policy visit = {.may_recur = 1, .max_per_month = 3, .max_duration_minutes = 0};
  ck_assert_int_eq(policy_check(&visit, 14, 60), POLICY_OK);          /* ~2.2 a month */
  ck_assert_int_eq(policy_check(&visit, 7, 60), POLICY_TOO_FREQUENT); /* ~4.3 a month */
  ck_assert_int_eq(policy_check(&visit, 0, 24 * 60), POLICY_OK);      /* no duration limit */
  ck_assert_str_eq(policy_rule_code(POLICY_NOT_RECURRING), "not_recurring");
  ck_assert_str_eq(policy_rule_code(POLICY_TOO_LONG), "too_long");
  ck_assert_str_eq(policy_rule_code(POLICY_TOO_FREQUENT), "too_frequent");
  ck_assert_ptr_nonnull(strstr(policy_rule_message(POLICY_NOT_RECURRING), "once"));
}
END_TEST

START_TEST(ranking_factors) {
  struct match_factors f;
  struct match_input near_fresh = {.km = 0, .capacity_hours = 4};
  match_rank(&near_fresh, &f);
  ck_assert_double_eq_tol(f.distance, 1.0, 1e-9);
  ck_assert_double_eq_tol(f.load, 1.0, 1e-9);
  ck_assert_double_eq_tol(f.continuity, 0.0, 1e-9);
  ck_assert_double_eq_tol(f.score, 0.55, 1e-9);

  /* load spreading: more recent hours relative to capacity ranks lower */
  struct match_factors busy, idle;
  struct match_input busy_in = {.km = 2, .hours_28d = 12, .capacity_hours = 4};
  struct match_input idle_in = {.km = 2, .hours_28d = 2, .capacity_hours = 4};
  match_rank(&busy_in, &busy);
  match_rank(&idle_in, &idle);
  ck_assert(idle.score > busy.score);
  ck_assert_double_eq_tol(busy.load, 0.25, 1e-9);

  /* continuity: three good visits is full; one negative makes it zero */
  struct match_input steady = {.km = 2, .helped_good = 5, .capacity_hours = 4};
  match_rank(&steady, &f);
  ck_assert_double_eq_tol(f.continuity, 1.0, 1e-9);
  steady.helped_bad = 1;
  match_rank(&steady, &f);
  ck_assert_double_eq_tol(f.continuity, 0.0, 1e-9);

  /* far away and no capacity: factors clamp to 0, never negative */
  struct match_input far = {.km = 50, .hours_28d = 10, .capacity_hours = 0};
  match_rank(&far, &f);
  ck_assert_double_eq_tol(f.distance, 0.0, 1e-9);
  ck_assert_double_eq_tol(f.load, 0.0, 1e-9);
  ck_assert(f.score >= 0.0 && f.score <= 1.0);

  /* the resident's preference counts */
  struct match_input liked = {.km = 2, .capacity_hours = 4, .preferred = 1};
  struct match_input plain = {.km = 2, .capacity_hours = 4};
  struct match_factors a, b;
  match_rank(&liked, &a);
  match_rank(&plain, &b);
  ck_assert_double_eq_tol(a.score - b.score, 0.15, 1e-9);
}
END_TEST

/* Suggestions (src/matching.c, suggestion_bound) bound a candidate's score by ranking them with
 * no recent hours, and skip whoever's bound cannot beat the best found: this holds only while no
 * recent hours can raise a score. */
START_TEST(no_recent_hours_bound_the_score) {
  const double kms[] = {0, 0.7, 5, 19.9, 25};
  const double capacities[] = {0, 0.5, 4, 16, 60};
  const double hours[] = {0.25, 1, 3.5, 16, 64, 500};
  for (size_t k = 0; k < sizeof kms / sizeof kms[0]; k++)
    for (size_t c = 0; c < sizeof capacities / sizeof capacities[0]; c++)
      for (long good = 0; good <= 4; good++)
        for (int preferred = 0; preferred <= 1; preferred++) {
          struct match_input in = {
              .km = kms[k], .helped_good = good, .capacity_hours = capacities[c], .preferred = preferred};
          struct match_factors bound, exact;
          match_rank(&in, &bound);
          for (size_t h = 0; h < sizeof hours / sizeof hours[0]; h++) {
            in.hours_28d = hours[h];
            match_rank(&in, &exact);
            ck_assert(exact.score <= bound.score);
          }
        }
}
END_TEST

/* A helper who declined or gave back one of the resident's requests ranks lower for her, by a
 * visible factor: released weighs more than declined; the bound of the search still holds. */
START_TEST(penalties) {
  ck_assert_int_eq(match_penalty_from_name("released"), PENALTY_RELEASED);
  ck_assert_int_eq(match_penalty_from_name("declined"), PENALTY_DECLINED);
  ck_assert_int_eq(match_penalty_from_name(NULL), PENALTY_NONE);
  ck_assert_int_eq(match_penalty_from_name("withdrawn"), PENALTY_NONE);
  ck_assert_ptr_null(match_penalty_name(PENALTY_NONE));
  ck_assert_str_eq(match_penalty_name(PENALTY_RELEASED), "released");
  ck_assert_str_eq(match_penalty_name(PENALTY_DECLINED), "declined");
  ck_assert_double_eq_tol(match_penalty_factor(PENALTY_NONE), 1.0, 1e-12);
  ck_assert(match_penalty_factor(PENALTY_RELEASED) < match_penalty_factor(PENALTY_DECLINED));
  ck_assert(match_penalty_factor(PENALTY_DECLINED) < 1.0 && match_penalty_factor(PENALTY_RELEASED) > 0.0);

  struct match_input plain = {.km = 1, .helped_good = 3, .capacity_hours = 4, .preferred = 1};
  struct match_input declined = plain, released = plain;
  declined.penalty = PENALTY_DECLINED;
  released.penalty = PENALTY_RELEASED;
  struct match_factors p, d, r;
  match_rank(&plain, &p);
  match_rank(&declined, &d);
  match_rank(&released, &r);
  ck_assert_double_eq_tol(d.score, p.score * match_penalty_factor(PENALTY_DECLINED), 1e-12);
  ck_assert_double_eq_tol(r.score, p.score * match_penalty_factor(PENALTY_RELEASED), 1e-12);
  ck_assert(r.score < d.score && d.score < p.score);
  /* the factors themselves stay as they are: the penalty is told apart */
  ck_assert_double_eq_tol(r.distance, p.distance, 1e-12);
  ck_assert_double_eq_tol(r.continuity, p.continuity, 1e-12);

  released.hours_28d = 5;
  struct match_factors exact;
  match_rank(&released, &exact);
  ck_assert(exact.score <= r.score); /* recent hours never raise a penalised score either */

  char reason[256];
  match_reason(&released, reason, sizeof reason);
  ck_assert_ptr_nonnull(strstr(reason, "gave an earlier request of this resident back"));
  match_reason(&declined, reason, sizeof reason);
  ck_assert_ptr_nonnull(strstr(reason, "declined an earlier request of this resident"));
  match_reason(&plain, reason, sizeof reason);
  ck_assert_ptr_null(strstr(reason, "earlier request"));
}
END_TEST

START_TEST(reasons) {
  char reason[256];
  struct match_input in = {.km = 1.24, .helped_good = 2, .hours_28d = 3, .capacity_hours = 4, .preferred = 1};
  match_reason(&in, reason, sizeof reason);
  ck_assert_ptr_nonnull(strstr(reason, "1.2 km away"));
  ck_assert_ptr_nonnull(strstr(reason, "helped this resident 2 times"));
  ck_assert_ptr_nonnull(strstr(reason, "3.0 of 16.0 hours"));
  ck_assert_ptr_nonnull(strstr(reason, "preferred by the resident"));
  in.helped_bad = 1;
  match_reason(&in, reason, sizeof reason);
  ck_assert_ptr_nonnull(strstr(reason, "negative feedback"));
  char tiny[8];
  match_reason(&in, tiny, sizeof tiny); /* truncated, still terminated */
  ck_assert_uint_lt(strlen(tiny), sizeof tiny);
}
END_TEST

START_TEST(tracks) {
  for (int t = 0; t < TRACK_COUNT; t++) ck_assert_int_eq(help_track_from_name(help_track_name(t)), t);
  ck_assert_int_eq(help_track_from_name("wmo"), TRACK_NONE);
  ck_assert_int_eq(help_track_from_name(NULL), TRACK_NONE);
  ck_assert_ptr_null(help_track_name(TRACK_NONE));
  ck_assert_ptr_null(help_track_names[TRACK_COUNT]);
  int track = 42;
  /* triage needs a track, any of them */
  ck_assert_int_eq(help_action_track(ACTION_TRIAGE, TRACK_NONE, &track), TRACK_MISSING);
  ck_assert_int_eq(track, TRACK_NONE);
  for (int t = 0; t < TRACK_COUNT; t++) {
    ck_assert_int_eq(help_action_track(ACTION_TRIAGE, t, &track), TRACK_OK);
    ck_assert_int_eq(track, t);
  }
  /* refer means professional, or business when said so */
  ck_assert_int_eq(help_action_track(ACTION_REFER, TRACK_NONE, &track), TRACK_OK);
  ck_assert_int_eq(track, TRACK_PROFESSIONAL);
  ck_assert_int_eq(help_action_track(ACTION_REFER, TRACK_BUSINESS, &track), TRACK_OK);
  ck_assert_int_eq(track, TRACK_BUSINESS);
  ck_assert_int_eq(help_action_track(ACTION_REFER, TRACK_INFORMAL, &track), TRACK_NOT_ALLOWED);
  ck_assert_int_eq(help_action_track(ACTION_REFER, TRACK_WMO_AVOIDED, &track), TRACK_NOT_ALLOWED);
  /* the other actions take none */
  ck_assert_int_eq(help_action_track(ACTION_OFFER, TRACK_NONE, &track), TRACK_OK);
  ck_assert_int_eq(track, TRACK_NONE);
  ck_assert_int_eq(help_action_track(ACTION_CANCEL, TRACK_INFORMAL, &track), TRACK_NOT_ALLOWED);
  ck_assert(help_track_refers(TRACK_PROFESSIONAL) && help_track_refers(TRACK_BUSINESS));
  ck_assert(!help_track_refers(TRACK_INFORMAL) && !help_track_refers(TRACK_WMO_AVOIDED) &&
            !help_track_refers(TRACK_NONE));
}
END_TEST

Suite *desk_rules_suite(void) {
  Suite *s = suite_create("desk_rules");
  TCase *tc = tcase_create("rules");
  tcase_add_test(tc, names_round_trip);
  tcase_add_test(tc, transition_table);
  tcase_add_test(tc, policy_rules);
  tcase_add_test(tc, ranking_factors);
  tcase_add_test(tc, no_recent_hours_bound_the_score);
  tcase_add_test(tc, reasons);
  tcase_add_test(tc, penalties);
  tcase_add_test(tc, tracks);
  suite_add_tcase(s, tc);
  return s;
}
