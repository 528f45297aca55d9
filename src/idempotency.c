#include "idempotency.h"

#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct db_statement statements[] = {
    /* $1 is NULL outside a community (joining one with a code): such a key is the person's alone. */
    {"idempotency_find",
     "SELECT encode(request_hash, 'hex'), status, body, etag, location, content_language FROM idempotency_keys "
     "WHERE person_id = $2 AND key = $3 AND community_id IS NOT DISTINCT FROM $1::uuid "
     "AND created_at > now() - interval '24 hours'"},
    {"idempotency_expire",
     "DELETE FROM idempotency_keys WHERE person_id = $2 AND community_id IS NOT DISTINCT FROM $1::uuid "
     "AND created_at <= now() - interval '24 hours'"},
    {"idempotency_store",
     "INSERT INTO idempotency_keys (community_id, person_id, key, route, request_hash, status, body, etag, location, "
     "content_language) VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6, $7, $8, $9, $10)"},
};

int idempotency_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

void idempotency_response_clear(struct idempotency_response *response) {
  o_free(response->body);
  o_free(response->etag);
  o_free(response->location);
  o_free(response->content_language);
  memset(response, 0, sizeof *response);
}

/* A copy of column `column`, NULL when it is SQL NULL. 0, or -1 when out of memory. */
static int copy_optional(PGresult *res, int column, char **out) {
  *out = NULL;
  if (PQgetisnull(res, 0, column)) return 0;
  *out = o_strdup(PQgetvalue(res, 0, column));
  return *out != NULL ? 0 : -1;
}

enum result idempotency_find(struct db_conn *conn, const struct actor *actor, const char *key, const char *request_hash,
                             int *found, struct idempotency_response *response, struct result_info *info) {
  *found = 0;
  memset(response, 0, sizeof *response);
  const char *params[3] = {actor->community_id, actor->person_id, key};
  PGresult *res = NULL;
  enum db_status st = db_query(conn, "idempotency_find", 3, params, &res);
  if (st != DB_OK) return result_from_db(st, info);
  enum result r = RESULT_OK;
  if (PQntuples(res) == 1) {
    if (strcmp(PQgetvalue(res, 0, 0), request_hash) != 0) {
      r = RESULT_IDEMPOTENCY_MISMATCH;
    } else {
      response->status = atoi(PQgetvalue(res, 0, 1));
      response->body = o_strdup(PQgetvalue(res, 0, 2));
      if (response->body == NULL || copy_optional(res, 3, &response->etag) != 0 ||
          copy_optional(res, 4, &response->location) != 0 || copy_optional(res, 5, &response->content_language) != 0) {
        idempotency_response_clear(response);
        r = RESULT_ERROR;
      } else {
        *found = 1;
      }
    }
  }
  PQclear(res);
  return r;
}

enum result idempotency_store(struct db_conn *conn, const struct actor *actor, const char *key, const char *route,
                              const char *request_hash, int status, const char *body,
                              const struct idempotency_headers *headers, struct result_info *info) {
  char status_text[8];
  snprintf(status_text, sizeof status_text, "%d", status);
  const char *expire[2] = {actor->community_id, actor->person_id};
  enum db_status st = db_exec(conn, "idempotency_expire", 2, expire);
  if (st == DB_OK) {
    const char *params[10] = {
        actor->community_id, actor->person_id,         key, route, request_hash, status_text, body, headers->etag,
        headers->location,   headers->content_language};
    st = db_exec(conn, "idempotency_store", 10, params);
  }
  if (st == DB_UNIQUE) {
    /* The same key is being used by a request running right now. */
    info->detail = "a request with this Idempotency-Key is still being processed";
    return RESULT_CONFLICT;
  }
  return result_from_db(st, info);
}
