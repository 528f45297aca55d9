#ifndef NOABER_TIMELINE_H
#define NOABER_TIMELINE_H

#include "case_access.h"
#include "db/db.h"
#include "paging.h"
#include "result.h"
#include "roles.h"

/* A case's timeline: notes (with a visibility and a health flag), signals that need a response
 * from the lead or a professional, and automatic events. Never edited in place. Who sees an entry
 * is the SQL function timeline_visible (sql/migrations/0004_timeline.sql). */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int timeline_register_statements(void);

/* Entries of case `id` the caller may see, a page at a time. */
enum result timeline_list(struct db_conn *conn, const struct actor *actor, const char *id,
                          const struct page_request *page, json_t **out, struct case_audit *audit,
                          struct result_info *info);
enum result timeline_add_note(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                              json_t **out, struct case_audit *audit, struct result_info *info);
enum result timeline_add_signal(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                json_t **out, struct case_audit *audit, struct result_info *info);
/* The lead or a professional on the case acknowledges signal `entry_id` (an empty body, borrowed:
 * RESULT_INVALID with info->errors for any member, before anything else). */
enum result timeline_acknowledge(struct db_conn *conn, const struct actor *actor, const char *id, const char *entry_id,
                                 json_t *body, json_t **out, struct case_audit *audit, struct result_info *info);
/* Signals waiting for the caller's response in all their communities (GET /v1/me/signals).
 * Switches the transaction's context from community to community. */
enum result timeline_my_signals(struct db_conn *conn, const char *person_id, const struct page_request *page,
                                json_t **out, struct result_info *info);

/* Record an automatic event (type: lead_handed_over, action_done, participant_added,
 * consent_changed) in the current transaction. */
enum result timeline_event(struct db_conn *conn, const struct actor *actor, const char *case_id, const char *type,
                           const char *detail, struct result_info *info);

#endif
