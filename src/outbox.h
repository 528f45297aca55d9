#ifndef NOABER_OUTBOX_H
#define NOABER_OUTBOX_H

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* The outbox: events others must hear about (a request offered to them, a volunteer matched),
 * written in the transaction that caused them. The one place that writes to the events table. */

int outbox_register_statements(void);

/* One event of `kind` about `subject` (an id) for each of `recipients`, a PostgreSQL array literal
 * of person ids as JSON text (["id", ...]), in the actor's community. All strings are borrowed.
 * RESULT_OK, or a database failure as result_from_db() sets it in *info. */
enum result outbox_notify(struct db_conn *conn, const struct actor *actor, const char *kind, const char *subject,
                          const char *recipients, struct result_info *info);

#endif
