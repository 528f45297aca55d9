#include "case_action_rules.h"

#include <string.h>

/* In the order of enum case_action_status. */
const char *const case_action_status_names[CASE_ACTION_STATUS_COUNT + 1] = {"open", "in_progress", "done", "cancelled",
                                                                            NULL};

const char *case_action_status_name(enum case_action_status status) {
  return (unsigned)status < CASE_ACTION_STATUS_COUNT ? case_action_status_names[status] : "unknown";
}

int case_action_status_from_name(const char *name) {
  for (int i = 0; name != NULL && i < CASE_ACTION_STATUS_COUNT; i++)
    if (strcmp(case_action_status_names[i], name) == 0) return i;
  return -1;
}

/* One row per status an action is in, one column per status asked for: 1 where the move is
 * allowed. Reading a row tells what can happen to an action in that status. */
static const unsigned char moves[CASE_ACTION_STATUS_COUNT][CASE_ACTION_STATUS_COUNT] = {
    /*                          to: open in_progress done cancelled */
    [CASE_ACTION_OPEN] = {1, 1, 1, 1},
    [CASE_ACTION_IN_PROGRESS] = {1, 1, 1, 1},
    [CASE_ACTION_DONE] = {0, 0, 1, 0},      /* final: only "stay done" */
    [CASE_ACTION_CANCELLED] = {0, 0, 0, 1}, /* final: only "stay cancelled" */
};

int case_action_move_allowed(enum case_action_status from, enum case_action_status to) {
  if ((unsigned)from >= CASE_ACTION_STATUS_COUNT || (unsigned)to >= CASE_ACTION_STATUS_COUNT) return 0;
  return moves[from][to];
}
