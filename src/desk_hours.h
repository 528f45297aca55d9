#ifndef NOABER_DESK_HOURS_H
#define NOABER_DESK_HOURS_H

#include <jansson.h>

#include "db/db.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* The community's desk hours (sql/migrations/0022_desk_hours.sql): weekly opening slots in
 * Europe/Amsterdam local time and dates the desk is closed. When the desk next opens is computed
 * in one place only, desk_next_opening() in sql/functions/desk_hours.sql. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int desk_hours_register_statements(void);

/* At most this many weekly slots and closed dates. */
#define DESK_HOURS_MAX_SLOTS 21
#define DESK_HOURS_MAX_CLOSED_DATES 100

/* The desk hours of the caller's community, for any member: {community_id, time_zone, slots,
 * closed_dates, updated_at}; no hours recorded yet gives empty lists and a null updated_at.
 * RESULT_OK with *out (a new reference); RESULT_FORBIDDEN for a guest; or a database failure. */
enum result desk_hours_get(struct db_conn *conn, const struct actor *actor, json_t **out, struct result_info *info);

/* Replace the desk hours with `body` ({slots, closed_dates}, borrowed), coordinators and admins
 * only, under If-Match once hours were recorded. The slots are stored sorted by day and opening
 * time, the dates sorted. RESULT_OK with *out as desk_hours_get; RESULT_INVALID with
 * info->errors (a bad time or day, opens not before closes, overlapping slots, too many, a bad
 * or repeated date); RESULT_FORBIDDEN; RESULT_PRECONDITION_REQUIRED / _FAILED; or a database
 * failure. */
enum result desk_hours_put(struct db_conn *conn, const struct actor *actor, json_t *body,
                           const struct precondition *if_match, json_t **out, struct result_info *info);

/* Checks the slots (a JSON array, borrowed) as desk_hours_put does, adding errors to info on the
 * field "slots". Returns a new sorted copy ({day, opens, closes} each) the caller owns, or NULL
 * after an error. Pure: for the unit tests. */
json_t *desk_hours_check_slots(json_t *slots, struct result_info *info);

#endif
