#ifndef NOABER_DOCUMENTS_H
#define NOABER_DOCUMENTS_H

#include <jansson.h>
#include <libpq-fe.h>

#include "db/db.h"
#include "paging.h"
#include "result.h"

/* Statements whose rows carry a JSON document built by PostgreSQL in their first column (the
 * functions of sql/functions/): one document, all of them, or a page. Each runs the prepared
 * `statement` with `params` and turns a database failure into its result (info filled). */

/* The one document the statement returns: RESULT_OK with *out (new reference); RESULT_NOT_FOUND
 * when it returns no row; RESULT_ERROR when out of memory or the text is not JSON. *out is NULL
 * unless RESULT_OK. */
enum result documents_one(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                          json_t **out, struct result_info *info);

/* Every row's document as a JSON array (new reference in *out, NULL unless RESULT_OK). */
enum result documents_list(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                           json_t **out, struct result_info *info);

/* A page of documents in the envelope {items, next_cursor} of `page` (paging_envelope): the
 * statement fetches up to page->limit + 1 rows (paging_param_fetch), and `ts_key`/`id_key` name
 * the members of a document to continue after. New reference in *out, NULL unless RESULT_OK. */
enum result documents_page(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                           const struct page_request *page, const char *ts_key, const char *id_key, json_t **out,
                           struct result_info *info);

/* A page of a list that takes updated_since, for offline sync: documents_page, plus `sync_token`
 * in the envelope, the updated_since that continues from this read (the SQL function
 * sync_token(), read before the page; why that is safe is said there). The items' `etag`s are
 * set by api/ (api_answer_list), after it has added what a GET of the item adds too.
 * New reference in *out, NULL unless RESULT_OK. */
enum result documents_sync_page(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                                const struct page_request *page, const char *ts_key, const char *id_key, json_t **out,
                                struct result_info *info);

/* Prepares the statement documents_sync_page reads the sync token with. */
int documents_register_statements(void);

/* The documents in `column` of every row of `res` as a JSON array. New reference; NULL when out
 * of memory or a document does not parse. */
json_t *documents_of_rows(const PGresult *res, int column);

#endif
