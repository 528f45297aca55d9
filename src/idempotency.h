#ifndef NOABER_IDEMPOTENCY_H
#define NOABER_IDEMPOTENCY_H

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* Stored first responses for POSTs retried with the same Idempotency-Key (kept 24 hours). */

int idempotency_register_statements(void);

/*
 * Look for an earlier response to (actor, key). `request_hash` identifies the request
 * (route and body). RESULT_OK with *found = 0 when there is none; RESULT_OK with *found = 1 and
 * *status and *body (caller o_free()s body) when there is; RESULT_IDEMPOTENCY_MISMATCH when the key was
 * used for another request.
 */
enum result idempotency_find(struct db_conn *conn, const struct actor *actor, const char *key, const char *request_hash,
                             int *found, int *status, char **body, struct result_info *info);

/* Store the response in the request's own transaction, so it commits with what it created. */
enum result idempotency_store(struct db_conn *conn, const struct actor *actor, const char *key, const char *route,
                              const char *request_hash, int status, const char *body, struct result_info *info);

#endif
