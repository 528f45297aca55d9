#ifndef NOABER_ACCESS_LOG_H
#define NOABER_ACCESS_LOG_H

#include "case_access.h"
#include "db/db.h"
#include "paging.h"
#include "result.h"
#include "roles.h"

/* The access log: who read or changed which case data, allowed or refused. The dispatcher
 * (api/server.c) writes one entry per case route from the request's `struct case_audit`; the
 * subject reads their case's entries, the desk the community's. */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

/* Registers case_audit_insert, access_log_case_subject, case_access_log_page and
 * community_access_log_page. 0, or -1 when out of memory. */
int access_log_register_statements(void);

/* Append one access log entry in the current transaction: the actor with their roles, what
 * `audit` noted, `resource` and `action` (the route's, static strings), the request's `result`
 * and the HTTP status answered, as a number only. The outcome: `allowed`, or `restricted` when
 * consent cut the read down (audit->restricted); `conflict` for RESULT_CONFLICT (the case's state
 * or a quicker request won); `denied` for any other refusal. A case named without a subject (the
 * request was refused before the case was read) gets its subject when the case is one of the
 * request's community: looked up for the entry only. RESULT_OK or a database failure (`info`). */
enum result cases_audit_write(struct db_conn *conn, const struct actor *actor, const struct case_audit *audit,
                              const char *resource, const char *action, enum result result, int status,
                              struct result_info *info);

/* Whether the `since` query parameter (may be NULL: from the start) is an RFC 3339 date-time:
 * 0, or -1 after adding a field error. */
int cases_access_log_since(const char *since, struct result_info *info);

/* The access log of one case (subject or representative), or of the community (case_id NULL:
 * coordinator or admin; `since` may be NULL), a page at a time: RESULT_OK with {items,
 * next_cursor}, a new reference the caller json_decref()s in *out; *out is NULL on any other
 * result. `audit` is filled as case_access.h says when a case is named. */
enum result cases_access_log(struct db_conn *conn, const struct actor *actor, const char *case_id, const char *since,
                             const struct page_request *page, json_t **out, struct case_audit *audit,
                             struct result_info *info);

#endif
