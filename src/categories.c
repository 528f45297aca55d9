#include "categories.h"

#include <stdlib.h>
#include <string.h>

#define CATEGORY_COLUMNS                                                                               \
  "id, code, label_nl, label_en, in_home, may_recur, max_per_month, max_duration_minutes, referral_name, " \
  "referral_contact, api_ts(updated_at)"

static const struct db_statement statements[] = {
    {"categories_page",
     "SELECT " CATEGORY_COLUMNS " FROM categories WHERE community_id = $1 "
     "AND ($2::timestamptz IS NULL OR updated_at > $2::timestamptz) "
     "AND ($3::timestamptz IS NULL OR (updated_at, id) > ($3::timestamptz, $4::uuid)) "
     "ORDER BY updated_at, id LIMIT $5"},
    {"category_get", "SELECT " CATEGORY_COLUMNS " FROM categories WHERE community_id = $1 AND id = $2"},
};

int categories_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

static json_t *nullable_int(const PGresult *res, int row, int col) {
  return PQgetisnull(res, row, col) ? json_null() : json_integer(atoi(PQgetvalue(res, row, col)));
}

static json_t *referral_from_row(const PGresult *res, int row) {
  if (PQgetisnull(res, row, 8)) return json_null();
  return json_pack("{s:s, s:s}", "name", PQgetvalue(res, row, 8), "contact",
                   PQgetisnull(res, row, 9) ? "" : PQgetvalue(res, row, 9));
}

static json_t *category_from_row(const PGresult *res, int row, const char *language) {
  const char *nl = PQgetvalue(res, row, 2), *en = PQgetvalue(res, row, 3);
  return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:b, s:b, s:o, s:o, s:o, s:s}", "id", PQgetvalue(res, row, 0),
                   "code", PQgetvalue(res, row, 1), "label", strcmp(language, "en") == 0 ? en : nl, "labels", "nl", nl,
                   "en", en, "in_home", PQgetvalue(res, row, 4)[0] == 't', "may_recur",
                   PQgetvalue(res, row, 5)[0] == 't', "max_per_month", nullable_int(res, row, 6),
                   "max_duration_minutes", nullable_int(res, row, 7), "referral", referral_from_row(res, row),
                   "updated_at", PQgetvalue(res, row, 10));
}

enum result categories_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                            const char *language, json_t **out, struct result_info *info) {
  *out = NULL;
  /* A guest (an outside professional) sees nothing of the community but their cases. */
  if ((actor->roles & ~(unsigned)ROLE_GUEST) == 0) return RESULT_FORBIDDEN;
  char limit[16];
  snprintf(limit, sizeof limit, "%d", page->limit + 1);
  const char *params[5] = {actor->community_id, page->updated_since, page->after_ts, page->after_id, limit};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "categories_page", 5, params, &res), info);
  if (r != RESULT_OK) return r;
  json_t *items = json_array();
  for (int i = 0; items != NULL && i < PQntuples(res); i++)
    json_array_append_new(items, category_from_row(res, i, language));
  PQclear(res);
  *out = paging_envelope(page, items, "updated_at", "id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result categories_rules(struct db_conn *conn, const char *community_id, const char *category_id,
                             struct category_rules *out, struct result_info *info) {
  memset(out, 0, sizeof *out);
  const char *params[2] = {community_id, category_id};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "category_get", 2, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK) {
    out->in_home = PQgetvalue(res, 0, 4)[0] == 't';
    out->policy.may_recur = PQgetvalue(res, 0, 5)[0] == 't';
    out->policy.max_per_month = PQgetisnull(res, 0, 6) ? 0 : atoi(PQgetvalue(res, 0, 6));
    out->policy.max_duration_minutes = PQgetisnull(res, 0, 7) ? 0 : atoi(PQgetvalue(res, 0, 7));
    out->referral = referral_from_row(res, 0);
  }
  PQclear(res);
  return r;
}
