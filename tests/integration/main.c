/* Integration tests: real HTTP against a running `noaber serve` (see tests/run-integration.sh
 * for the environment it needs). Check's CK_RUN_SUITE / CK_RUN_CASE select a subset. Every test
 * works in communities of its own (tests/lib/fixture.h), so the suites run in any order. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <curl/curl.h>

#include "fixture.h"
#include "suites.h"

/* In registration order; NOABER_TEST_ORDER=reverse runs them last to first. */
static Suite *(*const suites[])(void) = {
    health_suite,           conventions_suite,   auth_suite,          me_suite,
    members_suite,          invitations_suite,   tenancy_suite,       desk_categories_suite,
    desk_profiles_suite,    desk_requests_suite, desk_matching_suite, desk_board_suite,
    desk_occurrences_suite, desk_lists_suite,    desk_privacy_suite,  cases_flow_suite,
    cases_actions_suite,    cases_consent_suite, cases_access_suite,  cases_timeline_suite,
    cases_guests_suite,     cases_led_suite,     limits_suite,        resilience_suite,
    boundaries_suite,       edge_suite,          auth_guard_suite,    cases_leaks_suite,
    retries_suite,          volunteer_app_suite, profile_suite,       sync_suite,
    journeys_suite,         desk_hours_suite,    triage_suite,        on_behalf_suite,
    phone_desk_suite,       people_suite,
};

int main(void) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || fixture_prepare() != 0) return 2;
  const char *order = getenv("NOABER_TEST_ORDER");
  bool reverse = order != NULL && strcmp(order, "reverse") == 0;
  size_t n = sizeof suites / sizeof suites[0];
  SRunner *sr = srunner_create(NULL);
  for (size_t i = 0; i < n; i++) srunner_add_suite(sr, suites[reverse ? n - 1 - i : i]());
  /* The fault tests (issue 11) take minutes: only `make test-faults` (NOABER_TEST_FAULTS=1) or a
   * run of that suite alone (CK_RUN_SUITE=faults, e.g. make test SUITE=faults) has them. */
  const char *only = getenv("CK_RUN_SUITE");
  const char *faults = getenv("NOABER_TEST_FAULTS");
  if ((only != NULL && strcmp(only, "faults") == 0) || (faults != NULL && strcmp(faults, "1") == 0))
    srunner_add_suite(sr, faults_suite());
  srunner_run_all(sr, CK_ENV);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  curl_global_cleanup();
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
