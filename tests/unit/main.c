/* Runs every unit suite; exits non-zero when any test fails. */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int main(void) {
  if (sodium_init() < 0) {
    fprintf(stderr, "sodium_init failed\n");
    return EXIT_FAILURE;
  }
  SRunner *sr = srunner_create(config_suite());
  srunner_add_suite(sr, validate_suite());
  srunner_add_suite(sr, fields_suite());
  srunner_add_suite(sr, etag_suite());
  srunner_add_suite(sr, paging_suite());
  srunner_add_suite(sr, roles_suite());
  srunner_add_suite(sr, result_suite());
  srunner_add_suite(sr, http_suite());
  srunner_add_suite(sr, desk_rules_suite());
  srunner_add_suite(sr, case_action_rules_suite());
  srunner_add_suite(sr, invitations_suite());
  srunner_add_suite(sr, language_suite());
  srunner_add_suite(sr, phone_suite());
  srunner_add_suite(sr, desk_hours_suite());
  srunner_add_suite(sr, triage_suite());
  srunner_add_suite(sr, on_behalf_suite());
  srunner_add_suite(sr, people_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
