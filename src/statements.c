/* The one list of every module's prepared statements (see statements.h). A module with
 * statements adds its registration here. */
#include "statements.h"

#include "auth.h"
#include "cases.h"
#include "categories.h"
#include "db/migrate.h"
#include "help_request_actions.h"
#include "help_request_row.h"
#include "help_requests.h"
#include "idempotency.h"
#include "invitations.h"
#include "matching.h"
#include "members.h"
#include "occurrences.h"
#include "offers.h"
#include "outbox.h"
#include "resident_helpers.h"
#include "timeline.h"
#include "volunteers.h"

int statements_register_all(void) {
  return auth_register_statements() || members_register_statements() || invitations_register_statements() ||
                 idempotency_register_statements() || migrations_register_statements() ||
                 categories_register_statements() || volunteers_register_statements() ||
                 help_requests_register_statements() || help_request_row_register_statements() ||
                 help_request_actions_register_statements() || offers_register_statements() ||
                 occurrences_register_statements() || matching_register_statements() ||
                 resident_helpers_register_statements() || outbox_register_statements() ||
                 cases_register_statements() || timeline_register_statements()
             ? -1
             : 0;
}
