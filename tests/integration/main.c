/* Integration tests: real HTTP against a running `noaber serve` (see tests/run-integration.sh
 * for the environment it needs). Check's CK_RUN_SUITE / CK_RUN_CASE select a subset. Every test
 * works in communities of its own (tests/lib/fixture.h), so the suites run in any order. */
#include <stdlib.h>

#include <check.h>
#include <curl/curl.h>

#include "fixture.h"
#include "suites.h"

int main(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || fixture_prepare() != 0)
        return 2;
    SRunner *sr = srunner_create(health_suite());
    srunner_add_suite(sr, conventions_suite());
    srunner_add_suite(sr, auth_suite());
    srunner_add_suite(sr, me_suite());
    srunner_add_suite(sr, members_suite());
    srunner_add_suite(sr, invitations_suite());
    srunner_add_suite(sr, tenancy_suite());
    srunner_add_suite(sr, desk_categories_suite());
    srunner_add_suite(sr, desk_profiles_suite());
    srunner_add_suite(sr, desk_requests_suite());
    srunner_add_suite(sr, desk_matching_suite());
    srunner_add_suite(sr, desk_board_suite());
    srunner_add_suite(sr, desk_occurrences_suite());
    srunner_add_suite(sr, desk_lists_suite());
    srunner_add_suite(sr, cases_flow_suite());
    srunner_add_suite(sr, cases_actions_suite());
    srunner_add_suite(sr, cases_consent_suite());
    srunner_add_suite(sr, cases_access_suite());
    srunner_add_suite(sr, cases_timeline_suite());
    srunner_add_suite(sr, cases_guests_suite());
    srunner_add_suite(sr, cases_led_suite());
    srunner_add_suite(sr, limits_suite());
    srunner_add_suite(sr, resilience_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
