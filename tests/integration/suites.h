/* Suites of the integration test binary, one per area (tests/integration/test_*.c). */
#ifndef NOABER_TEST_SUITES_H
#define NOABER_TEST_SUITES_H

#include <check.h>

Suite *health_suite(void);
Suite *conventions_suite(void);
Suite *auth_suite(void);
Suite *me_suite(void);
Suite *members_suite(void);
Suite *invitations_suite(void);
Suite *tenancy_suite(void);
Suite *desk_categories_suite(void);
Suite *desk_profiles_suite(void);
Suite *desk_requests_suite(void);
Suite *desk_matching_suite(void);
Suite *desk_board_suite(void);
Suite *desk_occurrences_suite(void);
Suite *desk_lists_suite(void);
Suite *desk_privacy_suite(void);
Suite *cases_flow_suite(void);
Suite *cases_actions_suite(void);
Suite *cases_consent_suite(void);
Suite *cases_access_suite(void);
Suite *cases_timeline_suite(void);
Suite *cases_guests_suite(void);
Suite *cases_led_suite(void);
Suite *cases_leaks_suite(void);
Suite *limits_suite(void);
Suite *boundaries_suite(void);
Suite *resilience_suite(void);
Suite *edge_suite(void);
Suite *auth_guard_suite(void);
Suite *retries_suite(void);
Suite *volunteer_app_suite(void);
Suite *profile_suite(void);
Suite *sync_suite(void);
Suite *journeys_suite(void);
Suite *phone_desk_suite(void);
Suite *desk_hours_suite(void);
Suite *triage_suite(void);
Suite *on_behalf_suite(void);
Suite *people_suite(void);
/* Slow; only with CK_RUN_SUITE=faults or NOABER_TEST_FAULTS=1 (make test-faults), see main.c. */
Suite *faults_suite(void);

/* Default per-test timeout in seconds (Check's CK_TIMEOUT_MULTIPLIER still applies). */
#define TEST_TIMEOUT 30

#endif
