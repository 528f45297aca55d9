/* Matching suggestions (see matching.h): the candidates' bounds, then volunteer_room asked about
 * the best-bounded ones in batches until no one not asked about could rank among the best. */
#include "matching.h"

#include <math.h>
#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "help_request_row.h"
#include "volunteers.h"

static const struct db_statement statements[] = {
    /* Suggestions (help_requests_suggestions, sql/migrations/0009_lean_suggestions.sql): every
     * candidate with what bounds their score, then the room, recent hours and name of those named
     * in $2 (with their capacities in $3; $4 the hours the request needs). `at` (when the
     * occurrence in question happens, sql/migrations/0014) is the same on every row. */
    {"hr_suggest_candidates",
     "SELECT person_id, km, helped_good, helped_bad, capacity_hours, preferred, hours_needed, at, penalty "
     "FROM volunteer_candidates($1, $2, $3::int)"},
    /* $2: a JSON array of {"person_id", "capacity_hours"}; $3 the hours the request needs, $4 when
     * (the week whose capacity counts). */
    {"hr_suggest_room",
     "SELECT c.person_id, room.hours_28d, p.display_name "
     "FROM json_to_recordset($2::json) AS c(person_id uuid, capacity_hours numeric) "
     "CROSS JOIN LATERAL volunteer_room($1, c.person_id, c.capacity_hours, $3::numeric, $4::timestamptz) room "
     "JOIN persons p ON p.id = c.person_id"},
};

int matching_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* ---- pure steps ---- */

static double round4(double v) { return round(v * 10000.0) / 10000.0; }

void suggestion_rank(struct suggestion *s) {
  match_rank(&s->in, &s->factors);
  s->factors.score = round4(s->factors.score);
}

void suggestion_bound(struct suggestion *s) {
  s->in.hours_28d = 0.0;
  suggestion_rank(s);
}

int suggestion_by_score(const void *a, const void *b) {
  const struct suggestion *x = a, *y = b;
  if (x->factors.score != y->factors.score) return x->factors.score < y->factors.score ? 1 : -1;
  return strcmp(x->volunteer_id, y->volunteer_id);
}

int suggestions_settled(const struct suggestion *confirmed, int confirmed_count, int limit,
                        const struct suggestion *candidates, int asked, int count) {
  return confirmed_count >= limit &&
         (asked == count || confirmed[limit - 1].factors.score > candidates[asked].factors.score);
}

/* ---- the search ---- */

static int by_volunteer_id(const void *a, const void *b) {
  return strcmp(((const struct suggestion *)a)->volunteer_id, ((const struct suggestion *)b)->volunteer_id);
}

/* One row of hr_suggest_candidates into *s, its score bounded (suggestion_bound). */
static int read_candidate(const PGresult *res, int row, struct suggestion *s) {
  if (PQgetlength(res, row, 0) >= (int)sizeof s->volunteer_id ||
      PQgetlength(res, row, 4) >= (int)sizeof s->capacity_hours)
    return -1;
  snprintf(s->volunteer_id, sizeof s->volunteer_id, "%s", PQgetvalue(res, row, 0));
  snprintf(s->capacity_hours, sizeof s->capacity_hours, "%s", PQgetvalue(res, row, 4));
  s->display_name = NULL;
  s->in.km = atof(PQgetvalue(res, row, 1));
  s->in.helped_good = atol(PQgetvalue(res, row, 2));
  s->in.helped_bad = atol(PQgetvalue(res, row, 3));
  s->in.capacity_hours = atof(s->capacity_hours);
  s->in.preferred = PQgetvalue(res, row, 5)[0] == 't';
  s->in.penalty = PQgetisnull(res, row, 8) ? PENALTY_NONE : match_penalty_from_name(PQgetvalue(res, row, 8));
  suggestion_bound(s);
  return 0;
}

/* The batch's volunteers as hr_suggest_room takes them: JSON text of [{"person_id",
 * "capacity_hours"}], capacities as the exact decimal text PostgreSQL gave. The caller frees it;
 * NULL when out of memory. */
static char *batch_json(const struct suggestion *batch, int n) {
  json_t *list = json_array();
  for (int k = 0; list != NULL && k < n; k++) {
    if (json_array_append_new(list, json_pack("{s:s, s:s}", "person_id", batch[k].volunteer_id, "capacity_hours",
                                              batch[k].capacity_hours)) != 0) {
      json_decref(list);
      list = NULL;
    }
  }
  char *text = list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
  json_decref(list);
  return text;
}

/* Ask volunteer_room about the `n` candidates of `batch` (reordered by id here): each one who is an
 * active volunteer with room is appended to confirmed[*count] with their recent hours, exact score
 * and name. */
static enum result confirm_candidates(struct db_conn *conn, const char *community_id, const char *hours_needed,
                                      const char *at, struct suggestion *batch, int n, struct suggestion *confirmed,
                                      int *count, struct result_info *info) {
  qsort(batch, (size_t)n, sizeof *batch, by_volunteer_id); /* for bsearch below */
  char *volunteers = batch_json(batch, n);
  enum result r = volunteers != NULL ? RESULT_OK : RESULT_ERROR;
  PGresult *res = NULL;
  if (r == RESULT_OK)
    r = result_from_db(
        db_query(conn, "hr_suggest_room", 4, (const char *[]){community_id, volunteers, hours_needed, at}, &res), info);
  free(volunteers); /* json_dumps allocates with malloc */
  for (int row = 0; r == RESULT_OK && row < PQntuples(res); row++) {
    struct suggestion key = {0};
    snprintf(key.volunteer_id, sizeof key.volunteer_id, "%s", PQgetvalue(res, row, 0));
    const struct suggestion *found = bsearch(&key, batch, (size_t)n, sizeof *batch, by_volunteer_id);
    if (found == NULL) continue; /* not asked about: cannot happen */
    struct suggestion *s = &confirmed[*count];
    *s = *found;
    s->in.hours_28d = atof(PQgetvalue(res, row, 1));
    suggestion_rank(s);
    s->display_name = o_strdup(PQgetvalue(res, row, 2));
    if (s->display_name == NULL)
      r = RESULT_ERROR;
    else
      (*count)++;
  }
  PQclear(res);
  return r;
}

/* The best `limit` volunteers for a request. Every candidate's score is first bounded (recent
 * hours counted as none); volunteer_room is then asked about the best-bounded ones, in batches
 * that double, until `limit` confirmed candidates score higher than the next one's bound: no
 * candidate not asked about could rank among them. Typically a few dozen of hundreds are asked. */
/* The `limit` query parameter: 10 when absent, else a whole number from 1 to 50 written in
 * digits only; -1 after adding a field error. */
static int suggestions_limit(const char *text, struct result_info *info) {
  if (text == NULL) return 10;
  char *end = NULL;
  long limit = strtol(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || limit < 1 || limit > 50) {
    result_field_error(info, "limit", "out_of_range", "limit must be a whole number from 1 to 50");
    return -1;
  }
  return (int)limit;
}

enum result help_requests_suggestions(struct db_conn *conn, const struct actor *actor, const char *id,
                                      const char *limit_text, json_t **out, struct result_info *info) {
  *out = NULL;
  int limit = suggestions_limit(limit_text, info);
  if (limit < 0) return RESULT_INVALID;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  struct help_request_row req;
  enum result r = help_request_read(conn, actor, id, 0, &req, info);
  if (r != RESULT_OK) return r;
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "hr_suggest_candidates", 3, (const char *[]){actor->community_id, id, days}, &res),
                     info);
  if (r != RESULT_OK) return r;
  int count = PQntuples(res);
  struct suggestion *candidates = count > 0 ? o_malloc((size_t)count * sizeof *candidates) : NULL;
  struct suggestion *confirmed = count > 0 ? o_malloc((size_t)count * sizeof *confirmed) : NULL;
  char *hours_needed = count > 0 ? o_strdup(PQgetvalue(res, 0, 6)) : NULL; /* the same on every row */
  char *at = count > 0 ? o_strdup(PQgetvalue(res, 0, 7)) : NULL;           /* likewise */
  if (count > 0 && (candidates == NULL || confirmed == NULL || hours_needed == NULL || at == NULL)) r = RESULT_ERROR;
  for (int i = 0; r == RESULT_OK && i < count; i++)
    if (read_candidate(res, i, &candidates[i]) != 0) r = RESULT_ERROR;
  PQclear(res);
  if (r == RESULT_OK && count > 1) qsort(candidates, (size_t)count, sizeof *candidates, suggestion_by_score);
  int confirmed_count = 0;
  for (int next = 0, batch = 2 * limit; r == RESULT_OK && next < count; batch *= 2) {
    int n = count - next < batch ? count - next : batch;
    r = confirm_candidates(conn, actor->community_id, hours_needed, at, candidates + next, n, confirmed,
                           &confirmed_count, info);
    next += n;
    if (confirmed_count > 1) qsort(confirmed, (size_t)confirmed_count, sizeof *confirmed, suggestion_by_score);
    if (suggestions_settled(confirmed, confirmed_count, limit, candidates, next, count)) break;
  }
  json_t *items = r == RESULT_OK ? json_array() : NULL;
  for (int i = 0; items != NULL && i < confirmed_count && i < limit; i++) {
    const struct suggestion *s = &confirmed[i];
    char reason[256];
    match_reason(&s->in, reason, sizeof reason);
    /* The penalty, when there is one, says why the volunteer ranks lower and by how much. */
    json_t *penalty = s->in.penalty == PENALTY_NONE
                          ? json_null()
                          : json_pack("{s:f, s:s}", "factor", match_penalty_factor(s->in.penalty), "reason",
                                      match_penalty_name(s->in.penalty));
    json_t *item = json_pack("{s:s, s:s, s:f, s:{s:f, s:f, s:f, s:f}, s:f, s:s, s:o}", "volunteer_id", s->volunteer_id,
                             "display_name", s->display_name, "score", s->factors.score, "factors", "distance",
                             round4(s->factors.distance), "continuity", round4(s->factors.continuity), "load",
                             round4(s->factors.load), "preferred", s->factors.preferred, "distance_km",
                             round(s->in.km * 100.0) / 100.0, "reason", reason, "penalty", penalty);
    if (item == NULL || json_array_append_new(items, item) != 0) {
      json_decref(items);
      items = NULL;
    }
  }
  for (int i = 0; i < confirmed_count; i++) o_free(confirmed[i].display_name);
  o_free(confirmed);
  o_free(candidates);
  o_free(hours_needed);
  o_free(at);
  if (r == RESULT_OK && items == NULL) r = RESULT_ERROR;
  if (r != RESULT_OK) {
    json_decref(items);
    return r;
  }
  *out = items != NULL ? json_pack("{s:o}", "items", items) : NULL;
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}
