/* The one list of every module's prepared statements (see statements.h). A module with
 * statements adds its registration here. */
#include "statements.h"

#include "auth.h"
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
                 help_requests_register_statements() || cases_register_statements() ||
                 timeline_register_statements()
             ? -1
             : 0;
}
