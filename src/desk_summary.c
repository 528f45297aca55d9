/* The desk summary (see desk_summary.h). */
#include "desk_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "documents.h"
#include "support/csv.h"
#include "support/validate.h"

/* $1 the community, $2/$3 the period's first and last day (NULL: as desk_summary.h says), $4 the
 * language of the category labels. Each count reads its own index for the period
 * (sql/migrations/0021): requests by created_at, occurrences done by completed_at (each one's
 * resident by the request's key: the LATERAL ... OFFSET 0 keeps the planner from hashing all of
 * the community's requests instead), matching transitions by at, the open referrals; the day
 * boundaries are Amsterdam's. The cost grows with what happened in the period, not with the
 * tables. Every track and status is named, with 0 when none; every category of the community
 * too. */
static const struct db_statement statements[] = {
    {"desk_summary",
     "WITH p AS (SELECT COALESCE($2::date, date_trunc('month', COALESCE($3::date, community_today()))::date) AS d_from, "
     "COALESCE($3::date, (date_trunc('month', COALESCE($2::date, community_today())) + interval '1 month' "
     "- interval '1 day')::date) AS d_to), "
     "b AS MATERIALIZED (SELECT d_from, d_to, d_from::timestamp AT TIME ZONE 'Europe/Amsterdam' AS t_from, "
     "(d_to + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam' AS t_to FROM p), "
     "r AS MATERIALIZED (SELECT h.track, h.category_id, h.status FROM b, help_requests h WHERE h.community_id = $1 "
     "AND h.created_at >= b.t_from AND h.created_at < b.t_to), "
     "o AS MATERIALIZED (SELECT o.hours, o.volunteer_id, hr.resident_id FROM b, occurrences o, "
     "LATERAL (SELECT h.resident_id FROM help_requests h WHERE h.community_id = $1 AND h.id = o.request_id OFFSET 0) hr "
     "WHERE o.community_id = $1 AND o.status = 'done' AND o.completed_at >= b.t_from AND o.completed_at < b.t_to) "
     "SELECT json_build_object('from', b.d_from, 'to', b.d_to, "
     "'requests', json_build_object('total', (SELECT count(*) FROM r), "
     "'by_track', (SELECT json_object_agg(k.name, (SELECT count(*) FROM r WHERE r.track IS NOT DISTINCT FROM k.track) "
     "ORDER BY k.n) FROM (VALUES (1, 'informal', 'informal'), (2, 'professional', 'professional'), "
     "(3, 'business', 'business'), (4, 'wmo_avoided', 'wmo_avoided'), (5, 'none', NULL)) k(n, name, track)), "
     "'by_status', (SELECT json_object_agg(s.s, (SELECT count(*) FROM r WHERE r.status = s.s) ORDER BY s.n) "
     "FROM unnest(enum_range(NULL::help_status)) WITH ORDINALITY s(s, n)), "
     "'by_category', (SELECT COALESCE(json_agg(json_build_object('code', c.code, 'label', "
     "CASE WHEN $4::text = 'en' THEN c.label_en ELSE c.label_nl END, "
     "'count', (SELECT count(*) FROM r WHERE r.category_id = c.id)) ORDER BY c.code), '[]') "
     "FROM categories c WHERE c.community_id = $1)), "
     "'matches', (SELECT count(*) FROM help_request_transitions t WHERE t.community_id = $1 "
     "AND t.to_status = 'matched' AND t.at >= b.t_from AND t.at < b.t_to AND t.from_status IS DISTINCT FROM 'matched'), "
     "'hours', (SELECT COALESCE(sum(o.hours), 0) FROM o), "
     "'residents_served', (SELECT count(DISTINCT o.resident_id) FROM o), "
     "'volunteers_active', (SELECT count(DISTINCT o.volunteer_id) FROM o), "
     "'referrals', json_build_object('open', (SELECT count(*) FROM referrals f WHERE f.community_id = $1 "
     "AND f.outcome IN ('sent', 'accepted')), 'overdue', (SELECT count(*) FROM referrals f WHERE f.community_id = $1 "
     "AND f.outcome IN ('sent', 'accepted') AND f.follow_up_on < community_today())))::text FROM b"},
};

int desk_summary_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

int desk_summary_day_number(const char *date, long *days) {
  *days = 0;
  if (date == NULL || !valid_date(date)) return -1;
  *days =
      days_from_civil((int)strtol(date, NULL, 10), (int)strtol(date + 5, NULL, 10), (int)strtol(date + 8, NULL, 10));
  return 0;
}

int desk_summary_period_check(const char *from, const char *to, struct result_info *info) {
  long f = 0, t = 0;
  int bad = 0;
  if (from != NULL && desk_summary_day_number(from, &f) != 0) {
    result_field_error(info, "from", "invalid", "a date (YYYY-MM-DD)");
    bad = 1;
  }
  if (to != NULL && desk_summary_day_number(to, &t) != 0) {
    result_field_error(info, "to", "invalid", "a date (YYYY-MM-DD)");
    bad = 1;
  }
  if (bad || from == NULL || to == NULL) return bad ? -1 : 0; /* a default stays within one month */
  if (t < f) {
    result_field_error(info, "to", "invalid", "not before from");
    return -1;
  }
  if (t - f + 1 > DESK_SUMMARY_MAX_DAYS) {
    result_field_error(info, "to", "too_long", "at most two years after from");
    return -1;
  }
  return 0;
}

enum result desk_summary_get(struct db_conn *conn, const struct actor *actor, const char *from, const char *to,
                             const char *language, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  const char *params[4] = {actor->community_id, from, to, language};
  return documents_one(conn, "desk_summary", 4, params, out, info);
}

/* A count or an amount as text: integers as they are, other numbers with at most two decimals
 * and `decimal` as the decimal sign. */
static void number_text(const json_t *v, char decimal, char *out, size_t len) {
  if (json_is_integer(v)) {
    snprintf(out, len, "%lld", (long long)json_integer_value(v));
    return;
  }
  snprintf(out, len, "%.2f", json_number_value(v));
  char *dot = strchr(out, '.');
  if (dot == NULL) return;
  size_t n = strlen(out);
  while (n > 0 && out[n - 1] == '0') out[--n] = '\0';
  if (out[n - 1] == '.')
    out[--n] = '\0';
  else
    *dot = decimal;
}

static void record(struct csv_text *t, char sep, const char *section, const char *key, const char *label,
                   const char *value) {
  csv_field(t, section, sep, 1);
  csv_field(t, key, sep, 0);
  csv_field(t, label, sep, 0);
  csv_field(t, value, sep, 0);
  csv_end_record(t);
}

/* Every member of an object of counts as records of `section`. */
static void counts(struct csv_text *t, char sep, const char *section, json_t *object) {
  const char *key;
  json_t *v;
  char num[64];
  json_object_foreach(object, key, v) {
    number_text(v, sep == ';' ? ',' : '.', num, sizeof num);
    record(t, sep, section, key, NULL, num);
  }
}

char *desk_summary_csv(const json_t *summary, char sep) {
  struct csv_text t = {0};
  char decimal = sep == ';' ? ',' : '.';
  char num[64];
  record(&t, sep, "section", "key", "label", "value");
  record(&t, sep, "period", "from", NULL, json_string_value(json_object_get(summary, "from")));
  record(&t, sep, "period", "to", NULL, json_string_value(json_object_get(summary, "to")));
  const json_t *requests = json_object_get(summary, "requests");
  number_text(json_object_get(requests, "total"), decimal, num, sizeof num);
  record(&t, sep, "requests", "total", NULL, num);
  counts(&t, sep, "track", json_object_get(requests, "by_track"));
  counts(&t, sep, "status", json_object_get(requests, "by_status"));
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(requests, "by_category"), i, c) {
    number_text(json_object_get(c, "count"), decimal, num, sizeof num);
    record(&t, sep, "category", json_string_value(json_object_get(c, "code")),
           json_string_value(json_object_get(c, "label")), num);
  }
  static const char *const totals[] = {"matches", "hours", "residents_served", "volunteers_active", NULL};
  for (size_t k = 0; totals[k] != NULL; k++) {
    number_text(json_object_get(summary, totals[k]), decimal, num, sizeof num);
    record(&t, sep, "totals", totals[k], NULL, num);
  }
  counts(&t, sep, "referrals", json_object_get(summary, "referrals"));
  if (t.failed) {
    free(t.s);
    return NULL;
  }
  return t.s;
}
