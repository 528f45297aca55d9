/* The outbox: the one writer of the events table (see outbox.h). */
#include "outbox.h"

static const struct db_statement statements[] = {
    {"hr_event",
     "INSERT INTO events (community_id, kind, subject_id, recipient_id) SELECT $1, $2, $3, r::uuid "
     "FROM json_array_elements_text($4::json) r"},
};

int outbox_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result outbox_notify(struct db_conn *conn, const struct actor *actor, const char *kind, const char *subject,
                          const char *recipients, struct result_info *info) {
  const char *params[4] = {actor->community_id, kind, subject, recipients};
  return result_from_db(db_exec(conn, "hr_event", 4, params), info);
}
