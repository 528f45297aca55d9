/* The one list of every module that prepares statements (see statements.h). A module with
 * statements of its own adds its registration here. */
#include "statements.h"

#include "access_log.h"
#include "auth.h"
#include "case_access.h"
#include "case_actions.h"
#include "case_consent.h"
#include "case_participants.h"
#include "cases.h"
#include "categories.h"
#include "db/migrate.h"
#include "desk_hours.h"
#include "desk_summary.h"
#include "documents.h"
#include "help_request_actions.h"
#include "help_request_create.h"
#include "help_request_handler.h"
#include "help_request_row.h"
#include "help_requests.h"
#include "idempotency.h"
#include "invitations.h"
#include "login_guard.h"
#include "matching.h"
#include "members.h"
#include "occurrences.h"
#include "offers.h"
#include "on_behalf.h"
#include "outbox.h"
#include "people.h"
#include "referrals.h"
#include "resident_helpers.h"
#include "timeline.h"
#include "volunteers.h"

typedef int (*register_fn)(void);

static const register_fn modules[] = {
    auth_register_statements,
    documents_register_statements,
    login_guard_register_statements,
    members_register_statements,
    people_register_statements,
    invitations_register_statements,
    idempotency_register_statements,
    migrations_register_statements,
    categories_register_statements,
    volunteers_register_statements,
    help_requests_register_statements,
    help_request_create_register_statements,
    help_request_row_register_statements,
    help_request_actions_register_statements,
    help_request_handler_register_statements,
    desk_hours_register_statements,
    referrals_register_statements,
    desk_summary_register_statements,
    offers_register_statements,
    occurrences_register_statements,
    matching_register_statements,
    resident_helpers_register_statements,
    outbox_register_statements,
    case_access_register_statements,
    cases_register_statements,
    case_participants_register_statements,
    case_actions_register_statements,
    case_consent_register_statements,
    access_log_register_statements,
    timeline_register_statements,
    on_behalf_register_statements,
};

int statements_register_all(void) {
  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
    if (modules[i]() != 0) return -1;
  return 0;
}
