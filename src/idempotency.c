#include "idempotency.h"

#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct db_statement statements[] = {
    {"idempotency_find",
     "SELECT encode(request_hash, 'hex'), status, body FROM idempotency_keys "
     "WHERE community_id = $1 AND person_id = $2 AND key = $3 AND created_at > now() - interval '24 hours'"},
    {"idempotency_expire",
     "DELETE FROM idempotency_keys WHERE community_id = $1 AND person_id = $2 "
     "AND created_at <= now() - interval '24 hours'"},
    {"idempotency_store",
     "INSERT INTO idempotency_keys (community_id, person_id, key, route, request_hash, status, body) "
     "VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6, $7)"},
};

int idempotency_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result idempotency_find(struct db_conn *conn, const struct actor *actor, const char *key, const char *request_hash,
                             int *found, int *status, char **body, struct result_info *info) {
  *found = 0;
  *body = NULL;
  const char *params[3] = {actor->community_id, actor->person_id, key};
  PGresult *res = NULL;
  enum db_status st = db_query(conn, "idempotency_find", 3, params, &res);
  if (st != DB_OK) return result_from_db(st, info);
  enum result r = RESULT_OK;
  if (PQntuples(res) == 1) {
    if (strcmp(PQgetvalue(res, 0, 0), request_hash) != 0) {
      r = RESULT_IDEMPOTENCY_MISMATCH;
    } else {
      *found = 1;
      *status = atoi(PQgetvalue(res, 0, 1));
      *body = o_strdup(PQgetvalue(res, 0, 2));
      if (*body == NULL) r = RESULT_ERROR;
    }
  }
  PQclear(res);
  return r;
}

enum result idempotency_store(struct db_conn *conn, const struct actor *actor, const char *key, const char *route,
                              const char *request_hash, int status, const char *body, struct result_info *info) {
  char status_text[8];
  snprintf(status_text, sizeof status_text, "%d", status);
  const char *expire[2] = {actor->community_id, actor->person_id};
  enum db_status st = db_exec(conn, "idempotency_expire", 2, expire);
  if (st == DB_OK) {
    const char *params[7] = {actor->community_id, actor->person_id, key, route, request_hash, status_text, body};
    st = db_exec(conn, "idempotency_store", 7, params);
  }
  if (st == DB_UNIQUE) {
    /* The same key is being used by a request running right now. */
    info->detail = "a request with this Idempotency-Key is still being processed";
    return RESULT_CONFLICT;
  }
  return result_from_db(st, info);
}
