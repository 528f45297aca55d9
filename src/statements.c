/* The one list of every module that prepares statements. A module with statements of its own
 * registers them here. */
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
#include "help_requests.h"
#include "idempotency.h"
#include "invitations.h"
#include "members.h"
#include "timeline.h"
#include "volunteers.h"

int statements_register_all(void) {
  return auth_register_statements() || members_register_statements() || invitations_register_statements() ||
                 idempotency_register_statements() || migrations_register_statements() ||
                 categories_register_statements() || volunteers_register_statements() ||
                 help_requests_register_statements() || case_access_register_statements() ||
                 cases_register_statements() || case_participants_register_statements() ||
                 case_actions_register_statements() || case_consent_register_statements() ||
                 access_log_register_statements() || timeline_register_statements()
             ? -1
             : 0;
}
