/* Unit test suites: pure logic only, no database and no network. */
#ifndef NOABER_UNIT_SUITES_H
#define NOABER_UNIT_SUITES_H

#include <check.h>

Suite *config_suite(void);
Suite *validate_suite(void);
Suite *fields_suite(void);
Suite *etag_suite(void);
Suite *paging_suite(void);
Suite *roles_suite(void);
Suite *result_suite(void);
Suite *http_suite(void);
Suite *desk_rules_suite(void);
Suite *case_action_rules_suite(void);
Suite *invitations_suite(void);
Suite *language_suite(void);
Suite *phone_suite(void);
Suite *desk_hours_suite(void);
Suite *triage_suite(void);
Suite *on_behalf_suite(void);
Suite *people_suite(void);

#endif
