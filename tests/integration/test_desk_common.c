/* Helpers shared by the desk tests (see test_desk.h). No suite of its own. */
#include "test_desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "db.h"

TCase *desk_tcase(const char *name) { return fixture_tcase(name, DESK_TIMEOUT); }

/* ---------- time ---------- */

static void use_amsterdam(void) {
  setenv("TZ", "Europe/Amsterdam", 1);
  tzset();
}

static void fmt_utc(char *buf, time_t t) {
  struct tm g;
  gmtime_r(&t, &g);
  strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &g);
}

void desk_window(struct window *w, int iso_weekday, int weeks_ahead, int start_h, int end_h) {
  use_amsterdam();
  time_t now = time(NULL);
  struct tm lt;
  localtime_r(&now, &lt);
  int iso = lt.tm_wday == 0 ? 7 : lt.tm_wday;
  int days = (iso_weekday - iso + 7) % 7;
  if (days < 2) days += 7;
  days += 7 * weeks_ahead;
  struct tm s = lt, e = lt;
  s.tm_mday += days;
  s.tm_hour = start_h;
  s.tm_min = s.tm_sec = 0;
  s.tm_isdst = -1;
  e.tm_mday += days;
  e.tm_hour = end_h;
  e.tm_min = e.tm_sec = 0;
  e.tm_isdst = -1;
  w->start = mktime(&s);
  w->end = mktime(&e);
  ck_assert(w->start != (time_t)-1 && w->end != (time_t)-1);
  fmt_utc(w->starts_at, w->start);
  fmt_utc(w->ends_at, w->end);
  strftime(w->date, sizeof w->date, "%Y-%m-%d", &s);
}

void utc_in(char *buf, long seconds) { fmt_utc(buf, time(NULL) + seconds); }

void date_add(char *out, const char *date, int days) {
  struct tm t = {0};
  if (date == NULL) {
    use_amsterdam();
    time_t now = time(NULL);
    localtime_r(&now, &t);
    t = (struct tm){.tm_year = t.tm_year, .tm_mon = t.tm_mon, .tm_mday = t.tm_mday};
  } else {
    int y, m, d;
    ck_assert_msg(sscanf(date, "%4d-%2d-%2d", &y, &m, &d) == 3, "bad date %s", date);
    t.tm_year = y - 1900;
    t.tm_mon = m - 1;
    t.tm_mday = d;
  }
  t.tm_mday += days;
  t.tm_hour = 12;
  time_t x = timegm(&t);
  struct tm g;
  gmtime_r(&x, &g);
  strftime(out, 11, "%Y-%m-%d", &g);
}

int64_t epoch_of(const char *rfc3339) {
  int64_t us;
  ck_assert_msg(parse_rfc3339(rfc3339, &us) == 0, "not RFC 3339: %s", rfc3339 ? rfc3339 : "(null)");
  return us / 1000000;
}

void local_parts(const char *rfc3339, int *iso_weekday, int *hour, int *minute) {
  use_amsterdam();
  time_t t = (time_t)epoch_of(rfc3339);
  struct tm lt;
  localtime_r(&t, &lt);
  *iso_weekday = lt.tm_wday == 0 ? 7 : lt.tm_wday;
  *hour = lt.tm_hour;
  *minute = lt.tm_min;
}

/* ---------- sites ---------- */

static const struct site sites[SITE_COUNT] = {
    [SITE_HOME] = {"Sint Annaland", 51.6100, 4.1080},  [SITE_PROFILES] = {"Groningen", 53.2194, 6.5665},
    [SITE_FILTERS] = {"Leeuwarden", 53.2012, 5.7999},  [SITE_TIES] = {"Zwolle", 52.5168, 6.0830},
    [SITE_LOAD] = {"Enschede", 52.2215, 6.8937},       [SITE_OFFERS] = {"Arnhem", 51.9851, 5.8987},
    [SITE_BLOCKED] = {"Utrecht", 52.0907, 5.1214},     [SITE_ASK_OTHER] = {"Amsterdam", 52.3676, 4.9041},
    [SITE_VISIBILITY] = {"Den Haag", 52.0705, 4.3007}, [SITE_BOARD] = {"Eindhoven", 51.4416, 5.4697},
    [SITE_RACE] = {"Maastricht", 50.8514, 5.6910},     [SITE_RECURRING] = {"Lelystad", 52.5185, 5.4714},
    [SITE_LISTS] = {"Den Helder", 52.9563, 4.7601},    [SITE_QUEUE] = {"Venlo", 51.3704, 6.1724},
    [SITE_STATE] = {"Emmen", 52.7792, 6.9069},         [SITE_PHONE_DESK] = {"Meerlo", 51.5100, 6.0860},
};

const struct site *site_get(enum site_id id) {
  ck_assert(id < SITE_COUNT);
  return &sites[id];
}

void site_north(enum site_id id, double km, double *lat, double *lon) {
  const struct site *s = site_get(id);
  *lat = s->lat + km / 111.195;
  *lon = s->lon;
}

/* ---------- categories ---------- */

json_t *categories_all(const char *tok, const char *community_path) {
  char path[160];
  snprintf(path, sizeof path, "%s/categories", community_path);
  return list_walk(path, tok, 100, NULL, NULL);
}

char *category_id(const char *tok, const char *code) {
  json_t *all = categories_all(tok, fx.anna.path);
  json_t *c = find_item(all, "code", code);
  ck_assert_msg(c != NULL, "no category %s in the test's Anna Zorgt", code);
  char *id = strdup(jstr(c, "id"));
  json_decref(all);
  ck_assert(id != NULL);
  return id;
}

/* ---------- volunteers ---------- */

struct vol_spec vol_default(const char *skill, enum site_id site, double km, bool certificate) {
  struct vol_spec s = {.skills = {skill, NULL}, .travel_km = 10, .capacity = 40, .certificate = certificate};
  site_north(site, km, &s.lat, &s.lon);
  return s;
}

json_t *profile_body(const struct vol_spec *s) {
  json_t *skills = json_array();
  for (size_t i = 0; i < 4 && s->skills[i] != NULL; i++) json_array_append_new(skills, json_string(s->skills[i]));
  json_t *avail = json_array();
  unsigned days = s->days ? s->days : 0x3e; /* bits 1..5 */
  for (int d = 1; d <= 7; d++)
    if (days & (1u << d))
      json_array_append_new(avail, json_pack("{s:i, s:s, s:s}", "weekday", d, "start", s->from ? s->from : "09:00",
                                             "end", s->to ? s->to : "17:00"));
  json_t *unavail = json_array();
  if (s->unavailable_from != NULL)
    json_array_append_new(unavail, json_pack("{s:s, s:s}", "from", s->unavailable_from, "to", s->unavailable_to));
  json_t *body = json_pack("{s:o, s:o, s:o, s:{s:f, s:f}, s:f, s:f, s:[s], s:b, s:b}", "skills", skills, "availability",
                           avail, "unavailable", unavail, "home", "lat", s->lat, "lon", s->lon, "travel_km",
                           s->travel_km, "capacity_hours_per_week", s->capacity, "languages", "nl",
                           "prefers_short_tasks", 0, "paused", s->paused ? 1 : 0);
  ck_assert(body != NULL);
  return body;
}

void volunteer_create(struct person *v, const char *coord, const struct vol_spec *s) {
  person_create(v, coord, fx.anna.id, "volunteer");
  char path[200];
  snprintf(path, sizeof path, "%s/volunteers/%s", fx.anna.path, v->id);
  struct http_response r;
  http_call(&r, "PUT", path, v->tokens.access, profile_body(s));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "person_id"), v->id);
  http_response_free(&r);
  if (!s->no_code_of_conduct) {
    snprintf(path, sizeof path, "%s/volunteers/%s/code-of-conduct", fx.anna.path, v->id);
    http_call(&r, "POST", path, v->tokens.access, json_object());
    assert_status(&r, 200);
    ck_assert_msg(jstr(r.json, "code_of_conduct_accepted_at") != NULL, "%s", r.body);
    http_response_free(&r);
  }
  if (s->certificate) {
    char today[11];
    date_add(today, NULL, 0);
    snprintf(path, sizeof path, "%s/volunteers/%s/certificate", fx.anna.path, v->id);
    http_call(&r, "POST", path, coord, json_pack("{s:s}", "issued_on", today));
    assert_status(&r, 200);
    ck_assert_msg(json_is_true(json_object_get(r.json, "certificate_valid")), "%s", r.body);
    http_response_free(&r);
  }
}

/* ---------- help requests ---------- */

json_t *request_body(const char *category, const struct window *w, enum site_id site, bool in_home) {
  const struct site *s = site_get(site);
  char address[120];
  snprintf(address, sizeof address, "Dorpsstraat 1, %s", s->town);
  json_t *b = json_pack("{s:s, s:s, s:{s:s, s:s}, s:n, s:{s:s, s:f, s:f}, s:b, s:s}", "category_id", category,
                        "description", "Boodschappen doen bij de supermarkt", "when", "starts_at", w->starts_at,
                        "ends_at", w->ends_at, "recurrence", "place", "address", address, "lat", s->lat, "lon", s->lon,
                        "in_home", in_home ? 1 : 0, "urgency", "normal");
  ck_assert(b != NULL);
  return b;
}

char *request_create(const char *tok, json_t *body, json_t **out) {
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/help-requests");
  struct http_response r;
  http_call(&r, "POST", path, tok, body);
  assert_status(&r, 201);
  const char *id = jstr(r.json, "id");
  ck_assert_msg(id != NULL, "no id: %.300s", r.body);
  char *copy = strdup(id);
  ck_assert(copy != NULL);
  if (out != NULL) *out = json_incref(r.json);
  http_response_free(&r);
  return copy;
}

void request_path(char *buf, size_t len, const char *id, const char *suffix) {
  snprintf(buf, len, "%s/help-requests/%s%s", fx.anna.path, id, suffix ? suffix : "");
}

void request_get(struct http_response *r, const char *tok, const char *id) {
  char path[200];
  request_path(path, sizeof path, id, NULL);
  http_get(r, path, tok);
}

void request_action(struct http_response *r, const char *tok, const char *id, const char *action, json_t *body) {
  char path[240];
  char suffix[64];
  snprintf(suffix, sizeof suffix, "/actions/%s", action);
  request_path(path, sizeof path, id, suffix);
  http_call(r, "POST", path, tok, body ? body : json_object());
}

json_t *triage_body(const char *track) { return json_pack("{s:s}", "track", track ? track : "informal"); }

void request_action_ok(const char *tok, const char *id, const char *action, json_t *body, const char *expect_status) {
  struct http_response r;
  /* Triage needs a track (issue 13): the community helps, unless the test says otherwise. */
  if (body == NULL && strcmp(action, "triage") == 0) body = triage_body(NULL);
  request_action(&r, tok, id, action, body);
  assert_status(&r, 200);
  if (expect_status != NULL)
    ck_assert_msg(jstr(r.json, "status") && strcmp(jstr(r.json, "status"), expect_status) == 0,
                  "%s: expected status %s: %.400s", action, expect_status, r.body);
  http_response_free(&r);
}

void assert_conflict_state_at(const char *file, int line, const struct http_response *r, const char *state) {
  assert_problem_at(file, line, r, 409, "conflict");
  const char *cs = jstr(r->json, "current_state");
  ck_assert_msg(cs != NULL && strcmp(cs, state) == 0, "%s:%d: %s %s: expected current_state %s: %.400s", file, line,
                r->method, r->path, state, r->body);
}

void offer_to(const char *coord, const char *id, const char *const *volunteer_ids) {
  json_t *ids = json_array();
  for (size_t i = 0; volunteer_ids[i] != NULL; i++) json_array_append_new(ids, json_string(volunteer_ids[i]));
  request_action_ok(coord, id, "offer", json_pack("{s:o}", "volunteer_ids", ids), "offered");
}

char *offer_id(const char *coord, const char *request_id, const char *volunteer_id) {
  char path[200];
  request_path(path, sizeof path, request_id, "/offers");
  struct http_response r;
  http_get(&r, path, coord);
  assert_status(&r, 200);
  json_t *o = find_item(json_object_get(r.json, "items"), "volunteer_id", volunteer_id);
  ck_assert_msg(o != NULL, "no offer for %s: %.400s", volunteer_id, r.body);
  char *id = strdup(jstr(o, "id"));
  http_response_free(&r);
  ck_assert(id != NULL);
  return id;
}

void offer_answer(struct http_response *r, const char *tok, const char *offer, const char *answer, json_t *body) {
  char path[200];
  snprintf(path, sizeof path, "%s/offers/%s/%s", fx.anna.path, offer, answer);
  http_call(r, "POST", path, tok, body ? body : json_object());
}

void match_via_offer(const char *coord, const char *id, const struct person *v) {
  struct http_response r;
  request_get(&r, coord, id);
  assert_status(&r, 200);
  bool submitted = strcmp(jstr(r.json, "status"), "submitted") == 0;
  http_response_free(&r);
  if (submitted) request_action_ok(coord, id, "triage", NULL, "triaged");
  const char *ids[] = {v->id, NULL};
  offer_to(coord, id, ids);
  char *oid = offer_id(coord, id, v->id);
  offer_answer(&r, v->tokens.access, oid, "accept", NULL);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "accepted");
  http_response_free(&r);
  free(oid);
  request_get(&r, coord, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "matched");
  ck_assert_str_eq(jstr(r.json, "matched_volunteer_id"), v->id);
  http_response_free(&r);
}

char *request_matched(const char *coord, const char *resident_tok, const char *category, const struct window *w,
                      enum site_id site, const struct person *v) {
  char *id = request_create(resident_tok, request_body(category, w, site, false), NULL);
  match_via_offer(coord, id, v);
  return id;
}

static bool unit_number(json_t *v) {
  return json_is_number(v) && json_number_value(v) >= 0.0 && json_number_value(v) <= 1.0;
}

json_t *suggestions(const char *coord, const char *id, int limit) {
  char path[240];
  char suffix[64];
  snprintf(suffix, sizeof suffix, "/suggestions?limit=%d", limit);
  request_path(path, sizeof path, id, suffix);
  struct http_response r;
  http_get(&r, path, coord);
  assert_status(&r, 200);
  json_t *items = json_object_get(r.json, "items");
  ck_assert_msg(json_is_array(items), "no items: %.300s", r.body);
  ck_assert_uint_le(json_array_size(items), (size_t)limit);
  size_t i;
  json_t *it;
  double prev_score = 2.0;
  const char *prev_id = "";
  json_array_foreach(items, i, it) {
    const char *vid = jstr(it, "volunteer_id");
    ck_assert_msg(vid != NULL && jstr(it, "display_name") != NULL, "item %zu: %.300s", i, r.body);
    ck_assert_msg(unit_number(json_object_get(it, "score")), "score of %s", vid);
    const char *factors[] = {"distance", "continuity", "load", "preferred"};
    for (size_t k = 0; k < 4; k++)
      ck_assert_msg(unit_number(jpath(it, "factors") ? json_object_get(jpath(it, "factors"), factors[k]) : NULL),
                    "factor %s of %s: %.300s", factors[k], vid, r.body);
    json_t *dk = json_object_get(it, "distance_km");
    ck_assert_msg(json_is_number(dk) && json_number_value(dk) >= 0, "distance_km of %s", vid);
    const char *reason = jstr(it, "reason");
    ck_assert_msg(reason != NULL && reason[0] != '\0', "reason of %s", vid);
    double score = json_number_value(json_object_get(it, "score"));
    ck_assert_msg(score < prev_score || (score == prev_score && strcmp(vid, prev_id) > 0),
                  "suggestion %zu (%s, %f) out of order after %s (%f)", i, vid, score, prev_id, prev_score);
    prev_score = score;
    prev_id = vid;
  }
  json_t *copy = json_incref(items);
  http_response_free(&r);
  return copy;
}

int suggestion_index(json_t *items, const char *volunteer_id) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *v = jstr(it, "volunteer_id");
    if (v != NULL && strcmp(v, volunteer_id) == 0) return (int)i;
  }
  return -1;
}

void helpers_put(const char *resident_tok, json_t *preferred, json_t *blocked) {
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/helpers");
  struct http_response r;
  http_call(&r, "PUT", path, resident_tok, json_pack("{s:o, s:o}", "preferred", preferred, "blocked", blocked));
  assert_status(&r, 200);
  http_response_free(&r);
}

void occurrence_complete(struct http_response *r, const char *tok, const char *id, const char *occ, double hours) {
  char suffix[120];
  char path[300];
  snprintf(suffix, sizeof suffix, "/occurrences/%s/complete", occ);
  request_path(path, sizeof path, id, suffix);
  http_call(r, "POST", path, tok, json_pack("{s:f}", "hours", hours));
}

void occurrence_begin(const char *occurrence_id) {
  PGconn *c = db_connect(env_required("NOABER_TEST_OWNER_DSN"));
  PQclear(db_exec(c,
                  "UPDATE occurrences SET ends_at = now() - interval '1 hour' + (ends_at - starts_at), "
                  "starts_at = now() - interval '1 hour' WHERE id = $1 AND starts_at IS NOT NULL",
                  1, (const char *[]){occurrence_id}));
  PQfinish(c);
}

const char *occurrence_id(json_t *request, size_t i) {
  json_t *o = json_array_get(json_object_get(request, "occurrences"), i);
  const char *id = jstr(o, "id");
  ck_assert_msg(id != NULL, "no occurrence %zu", i);
  return id;
}

bool list_has(json_t *items, const char *id) { return find_item(items, "id", id) != NULL; }

json_t *list_all(const char *path, const char *tok, const char *query) {
  return list_walk(path, tok, 100, query, NULL);
}

bool problem_error_prefix(const struct http_response *r, const char *prefix) {
  json_t *errs = jpath(r->json, "errors");
  size_t i;
  json_t *e;
  json_array_foreach(errs, i, e) {
    const char *f = jstr(e, "field");
    if (f != NULL && strncmp(f, prefix, strlen(prefix)) == 0) return true;
  }
  return false;
}
