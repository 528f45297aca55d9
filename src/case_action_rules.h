#ifndef NOABER_CASE_ACTION_RULES_H
#define NOABER_CASE_ACTION_RULES_H

/* The state machine of a case action (an item on a case's shared action list). Pure: no
 * database, no HTTP; unit-tested on its own (tests/unit/test_case_action_rules.c). The names are
 * those of the SQL type case_action_status (sql/migrations/0003_cases.sql). */

enum case_action_status {
  CASE_ACTION_OPEN,
  CASE_ACTION_IN_PROGRESS,
  CASE_ACTION_DONE,
  CASE_ACTION_CANCELLED,
  CASE_ACTION_STATUS_COUNT
};

/* The status names by enum case_action_status, ended by NULL (the choices of a FIELD_ENUM rule). */
extern const char *const case_action_status_names[CASE_ACTION_STATUS_COUNT + 1];

/* The status's name ("open", "in_progress", "done", "cancelled"), a static string; "unknown" for
 * a value out of range. Cannot fail. */
const char *case_action_status_name(enum case_action_status status);

/* The status with this name, or -1 for any other name and for NULL. */
int case_action_status_from_name(const char *name);

/* Whether an action in status `from` may be set to status `to`: 1 or 0. Keeping the status is
 * always allowed; done and cancelled are final. 0 when either value is out of range. */
int case_action_move_allowed(enum case_action_status from, enum case_action_status to);

#endif
