#ifndef NOABER_IDEMPOTENCY_H
#define NOABER_IDEMPOTENCY_H

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* Stored first responses for POSTs retried with the same Idempotency-Key (kept 24 hours). */

int idempotency_register_statements(void);

/* A first response as it is replayed. `body` is "" for one without a body (204); `etag`,
 * `location` and `content_language` are NULL when the response had no such header. */
struct idempotency_response {
  int status;
  char *body;
  char *etag;
  char *location;
  char *content_language;
};

/* The headers of a first response that a replay repeats; each may be NULL (borrowed). */
struct idempotency_headers {
  const char *etag;
  const char *location;
  const char *content_language;
};

/* Free what a found response holds (o_free) and zero it; safe on a zeroed one. */
void idempotency_response_clear(struct idempotency_response *response);

/*
 * Look for an earlier response to (actor, key); actor->community_id NULL for a key outside any
 * community. `request_hash` identifies the request
 * (route and body). RESULT_OK with *found = 0 when there is none; RESULT_OK with *found = 1 and
 * *response filled (the caller clears it with idempotency_response_clear) when there is; RESULT_IDEMPOTENCY_MISMATCH when the key was
 * used for another request.
 */
enum result idempotency_find(struct db_conn *conn, const struct actor *actor, const char *key, const char *request_hash,
                             int *found, struct idempotency_response *response, struct result_info *info);

/* Store the response in the request's own transaction, so it commits with what it created.
 * `body` is "" for a response without one. */
enum result idempotency_store(struct db_conn *conn, const struct actor *actor, const char *key, const char *route,
                              const char *request_hash, int status, const char *body,
                              const struct idempotency_headers *headers, struct result_info *info);

#endif
