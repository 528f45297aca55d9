/* Reading JSON documents that PostgreSQL built: the one way every response body is made. */
#include "documents.h"

static const struct db_statement statements[] = {
    {"sync_token", "SELECT sync_token()"},
};

int documents_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

json_t *documents_of_rows(const PGresult *res, int column) {
  json_t *items = json_array();
  for (int i = 0; items != NULL && i < PQntuples(res); i++) {
    json_t *doc = json_loads(PQgetvalue(res, i, column), 0, NULL);
    if (doc == NULL || json_array_append_new(items, doc) != 0) {
      json_decref(items);
      return NULL;
    }
  }
  return items;
}

enum result documents_one(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                          json_t **out, struct result_info *info) {
  *out = NULL;
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, statement, nparams, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && (*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  return r;
}

enum result documents_list(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                           json_t **out, struct result_info *info) {
  *out = NULL;
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, statement, nparams, params, &res), info);
  if (r == RESULT_OK && (*out = documents_of_rows(res, 0)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  return r;
}

enum result documents_page(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                           const struct page_request *page, const char *ts_key, const char *id_key, json_t **out,
                           struct result_info *info) {
  *out = NULL;
  json_t *items = NULL;
  enum result r = documents_list(conn, statement, nparams, params, &items, info);
  if (r != RESULT_OK) return r;
  *out = paging_envelope(page, items, ts_key, id_key);
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result documents_sync_page(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                                const struct page_request *page, const char *ts_key, const char *id_key, json_t **out,
                                struct result_info *info) {
  *out = NULL;
  PGresult *res = NULL;
  /* Before the page: a change committed between the two is then in the page or after the token. */
  enum result r = result_from_db(db_query(conn, "sync_token", 0, NULL, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_ERROR;
  json_t *token = r == RESULT_OK ? json_string(PQgetvalue(res, 0, 0)) : NULL;
  PQclear(res);
  if (r != RESULT_OK) return r;
  if (token == NULL) return RESULT_ERROR;
  json_t *items = NULL;
  r = documents_list(conn, statement, nparams, params, &items, info);
  if (r == RESULT_OK) {
    *out = paging_envelope(page, items, ts_key, id_key);
    items = NULL; /* stolen by paging_envelope */
    if (*out == NULL || json_object_set(*out, "sync_token", token) != 0) r = RESULT_ERROR;
  }
  json_decref(items);
  json_decref(token);
  if (r != RESULT_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return r;
}
