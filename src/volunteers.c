/* Volunteer profiles. The representation is built by PostgreSQL (sql/functions/volunteers.sql),
 * so the ranges of availability and holidays come back the way they are stored. */
#include "volunteers.h"

#include <orcania.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "precondition.h"
#include "support/validate.h"

/* The document is built by volunteer_profile_doc (sql/functions/volunteers.sql); $3 is the
 * number of days a certificate stays valid. */
static const struct db_statement statements[] = {
    {"volunteers_page",
     "SELECT d.* FROM volunteer_profiles v, volunteer_profile_doc(v, $3::int) d WHERE v.community_id = $1 "
     "AND v.updated_at > $2::timestamptz AND (v.updated_at, v.person_id) > ($4::timestamptz, $5::uuid) "
     "ORDER BY v.updated_at, v.person_id LIMIT $6"},
    {"volunteer_get",
     "SELECT d.doc FROM volunteer_profiles v, volunteer_profile_doc(v, $3::int) d WHERE v.community_id = $1 "
     "AND v.person_id = $2"},
    /* Changes to a profile take turns: its row is locked first. */
    {"volunteer_lock", "SELECT 1 FROM volunteer_profiles WHERE community_id = $1 AND person_id = $2 FOR UPDATE"},
    {"volunteer_known_skills", "SELECT count(*) FROM categories WHERE community_id = $1 AND id = ANY ($2::uuid[])"},
    {"volunteer_upsert",
     "INSERT INTO volunteer_profiles (community_id, person_id, skills, availability, unavailable, home_lat, home_lon, "
     "travel_km, capacity_hours, languages, prefers_short_tasks, paused) "
     "VALUES ($1, $2, $3::uuid[], $4::int4multirange, $5::datemultirange, $6, $7, $8, $9, $10::text[], $11, $12) "
     "ON CONFLICT (community_id, person_id) DO UPDATE SET skills = EXCLUDED.skills, "
     "availability = EXCLUDED.availability, unavailable = EXCLUDED.unavailable, home_lat = EXCLUDED.home_lat, "
     "home_lon = EXCLUDED.home_lon, travel_km = EXCLUDED.travel_km, capacity_hours = EXCLUDED.capacity_hours, "
     "languages = EXCLUDED.languages, prefers_short_tasks = EXCLUDED.prefers_short_tasks, "
     "paused = EXCLUDED.paused, updated_at = clock_timestamp()"},
    /* "Not in the future" is the community's day (community_today(), 0007), not the server's
     * UTC day: a check recorded just after local midnight is today's. No row: a future date. */
    {"volunteer_certificate",
     "UPDATE volunteer_profiles SET certificate_issued_on = $3, certificate_checked_by = $4, "
     "certificate_checked_at = now(), updated_at = clock_timestamp() WHERE community_id = $1 AND person_id = $2 "
     "AND $3::date <= community_today() RETURNING 1"},
    {"volunteer_code_of_conduct",
     "UPDATE volunteer_profiles SET code_of_conduct_accepted_at = COALESCE(code_of_conduct_accepted_at, now()), "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND person_id = $2"},
};

int volunteers_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

static int certificate_days = 1095;

void volunteers_configure(int valid_days) { certificate_days = valid_days; }
int volunteers_certificate_days(void) { return certificate_days; }

static json_t *parse_doc(const char *text) { return json_loads(text, 0, NULL); }

enum result volunteers_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                            json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  char limit[16], days[16];
  snprintf(limit, sizeof limit, "%d", page->limit + 1);
  snprintf(days, sizeof days, "%d", certificate_days);
  const char *params[6] = {actor->community_id,         paging_param_since(page),    days,
                           paging_param_after_ts(page), paging_param_after_id(page), limit};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "volunteers_page", 6, params, &res), info);
  if (r != RESULT_OK) return r;
  json_t *items = json_array();
  for (int i = 0; items != NULL && i < PQntuples(res); i++)
    json_array_append_new(items, parse_doc(PQgetvalue(res, i, 0)));
  PQclear(res);
  *out = paging_envelope(page, items, "updated_at", "person_id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

/* Load one profile (locked when `lock`) as JSON. RESULT_NOT_FOUND when there is none. */
static enum result load(struct db_conn *conn, const char *community_id, const char *person_id, int lock, json_t **out,
                        struct result_info *info) {
  char days[16];
  snprintf(days, sizeof days, "%d", certificate_days);
  const char *params[3] = {community_id, person_id, days};
  PGresult *res = NULL;
  enum result r = lock ? result_from_db(db_exec(conn, "volunteer_lock", 2, params), info) : RESULT_OK;
  if (r == RESULT_OK) r = result_from_db(db_query(conn, "volunteer_get", 3, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && (*out = parse_doc(PQgetvalue(res, 0, 0))) == NULL) r = RESULT_ERROR;
  PQclear(res);
  return r;
}

enum result volunteers_get(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t **out,
                           struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor) && strcmp(actor->person_id, person_id) != 0) return RESULT_FORBIDDEN;
  return load(conn, actor->community_id, person_id, 0, out, info);
}

/* "HH:MM" as minutes since midnight, or -1. */
static int minutes_of(const char *hhmm) {
  if (hhmm == NULL || strlen(hhmm) != 5 || hhmm[2] != ':') return -1;
  for (int i = 0; i < 5; i++)
    if (i != 2 && (hhmm[i] < '0' || hhmm[i] > '9')) return -1;
  int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0'), m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* Append to a growing PostgreSQL literal; returns NULL (and frees) when out of memory. */
static char *append(char *text, const char *piece) { return text != NULL ? mstrcatf(text, "%s", piece) : NULL; }

static double number_in(json_t *body, const char *name, double min, double max, struct result_info *info) {
  json_t *value = json_object_get(body, name);
  if (!json_is_number(value) || json_number_value(value) < min || json_number_value(value) > max) {
    char message[96];
    snprintf(message, sizeof message, "a number from %g to %g", min, max);
    result_field_error(info, name, "out_of_range", message);
    return 0;
  }
  return json_number_value(value);
}

static int bool_in(json_t *body, const char *name, struct result_info *info) {
  json_t *value = json_object_get(body, name);
  if (!json_is_boolean(value)) result_field_error(info, name, "type", "must be true or false");
  return json_is_true(value);
}

/* The profile body as PostgreSQL literals. Fills info->errors for anything that does not fit.
 * Every char* out is the caller's to o_free(). */
struct profile_input {
  char *skills, *availability, *unavailable, *languages;
  size_t skill_count;
  double lat, lon, travel_km, capacity;
  int prefers_short, paused;
};

static void profile_input_free(struct profile_input *in) {
  o_free(in->skills);
  o_free(in->availability);
  o_free(in->unavailable);
  o_free(in->languages);
}

static void parse_profile(json_t *body, struct profile_input *in, struct result_info *info) {
  static const char *const fields[] = {
      "skills",    "availability",        "unavailable", "home", "travel_km", "capacity_hours_per_week",
      "languages", "prefers_short_tasks", "paused",      NULL};
  fields_only(body, fields, info);
  size_t i;
  json_t *item;

  json_t *skills = json_object_get(body, "skills");
  in->skills = o_strdup("{");
  if (!json_is_array(skills) || json_array_size(skills) > 20) {
    result_field_error(info, "skills", "invalid", "a list of at most 20 category ids");
  } else {
    json_array_foreach(skills, i, item) {
      if (!valid_uuid(json_string_value(item))) {
        result_field_error(info, "skills", "invalid", "every skill is a category id");
        break;
      }
      for (size_t j = 0; j < i; j++)
        if (strcasecmp(json_string_value(json_array_get(skills, j)), json_string_value(item)) == 0)
          result_field_error(info, "skills", "duplicate", "each category once");
      in->skills = append(in->skills, i ? "," : "");
      in->skills = append(in->skills, json_string_value(item));
    }
    in->skill_count = json_array_size(skills);
  }
  in->skills = append(in->skills, "}");

  json_t *slots = json_object_get(body, "availability");
  in->availability = o_strdup("{");
  if (!json_is_array(slots) || json_array_size(slots) > 28) {
    result_field_error(info, "availability", "invalid", "a list of at most 28 weekly time slots");
  } else {
    json_array_foreach(slots, i, item) {
      json_t *weekday = json_object_get(item, "weekday");
      int start = minutes_of(json_string_value(json_object_get(item, "start")));
      int end = minutes_of(json_string_value(json_object_get(item, "end")));
      if (!json_is_object(item) || json_object_size(item) != 3 || !json_is_integer(weekday) ||
          json_integer_value(weekday) < 1 || json_integer_value(weekday) > 7 || start < 0 || end <= start) {
        result_field_error(info, "availability", "invalid",
                           "each slot is {weekday 1-7, start HH:MM, end HH:MM} with start before end");
        break;
      }
      int base = (int)(json_integer_value(weekday) - 1) * 1440;
      char range[40];
      snprintf(range, sizeof range, "%s[%d,%d)", i ? "," : "", base + start, base + end);
      in->availability = append(in->availability, range);
    }
  }
  in->availability = append(in->availability, "}");

  json_t *holidays = json_object_get(body, "unavailable");
  in->unavailable = o_strdup("{");
  if (!json_is_array(holidays) || json_array_size(holidays) > 20) {
    result_field_error(info, "unavailable", "invalid", "a list of at most 20 periods");
  } else {
    json_array_foreach(holidays, i, item) {
      const char *from = json_string_value(json_object_get(item, "from"));
      const char *to = json_string_value(json_object_get(item, "to"));
      if (!json_is_object(item) || json_object_size(item) != 2 || !valid_date(from) || !valid_date(to) ||
          strcmp(from, to) > 0) {
        result_field_error(info, "unavailable", "invalid", "each period is {from, to} dates with from <= to");
        break;
      }
      char range[40];
      snprintf(range, sizeof range, "%s[%s,%s]", i ? "," : "", from, to);
      in->unavailable = append(in->unavailable, range);
    }
  }
  in->unavailable = append(in->unavailable, "}");

  json_t *languages = json_object_get(body, "languages");
  in->languages = o_strdup("{");
  if (!json_is_array(languages) || json_array_size(languages) > 10) {
    result_field_error(info, "languages", "invalid", "a list of at most 10 two-letter language codes");
  } else {
    json_array_foreach(languages, i, item) {
      const char *code = json_string_value(item);
      if (code == NULL || strlen(code) != 2 || code[0] < 'a' || code[0] > 'z' || code[1] < 'a' || code[1] > 'z') {
        result_field_error(info, "languages", "invalid", "two-letter lower-case language codes");
        break;
      }
      in->languages = append(in->languages, i ? "," : "");
      in->languages = append(in->languages, code);
    }
  }
  in->languages = append(in->languages, "}");

  json_t *home = json_object_get(body, "home");
  if (!json_is_object(home) || json_object_size(home) != 2) {
    result_field_error(info, "home", "invalid", "{lat, lon}");
  } else {
    in->lat = number_in(home, "lat", -90, 90, info);
    in->lon = number_in(home, "lon", -180, 180, info);
  }
  in->travel_km = number_in(body, "travel_km", 0, 100, info);
  in->capacity = number_in(body, "capacity_hours_per_week", 0, 60, info);
  in->prefers_short = bool_in(body, "prefers_short_tasks", info);
  in->paused = bool_in(body, "paused", info);
  if (in->skills == NULL || in->availability == NULL || in->unavailable == NULL || in->languages == NULL)
    result_field_error(info, "body", "too_large", "could not be processed");
}

enum result volunteers_put(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t *body,
                           const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  if (strcmp(actor->person_id, person_id) != 0 || !(actor->roles & ROLE_VOLUNTEER)) {
    info->detail = "only the volunteer edits their own profile";
    return RESULT_FORBIDDEN;
  }
  struct profile_input in;
  memset(&in, 0, sizeof in);
  parse_profile(body, &in, info);
  enum result r = info->errors != NULL ? RESULT_INVALID : RESULT_OK;
  if (r == RESULT_OK && in.skill_count > 0) {
    PGresult *res = NULL;
    const char *params[2] = {actor->community_id, in.skills};
    r = result_from_db(db_query(conn, "volunteer_known_skills", 2, params, &res), info);
    if (r == RESULT_OK && (size_t)atol(PQgetvalue(res, 0, 0)) != in.skill_count) {
      result_field_error(info, "skills", "unknown_category", "every skill must be a category of this community");
      r = RESULT_INVALID;
    }
    PQclear(res);
  }
  json_t *current = NULL;
  int exists = 0;
  if (r == RESULT_OK) {
    r = load(conn, actor->community_id, person_id, 1, &current, info);
    exists = r == RESULT_OK;
    if (r == RESULT_NOT_FOUND) r = RESULT_OK;
  }
  if (r == RESULT_OK && exists) r = precondition_check(if_match, current, 1);
  json_decref(current);
  if (r == RESULT_OK) {
    char lat[32], lon[32], km[32], capacity[32];
    snprintf(lat, sizeof lat, "%.7f", in.lat);
    snprintf(lon, sizeof lon, "%.7f", in.lon);
    snprintf(km, sizeof km, "%.1f", in.travel_km);
    snprintf(capacity, sizeof capacity, "%.1f", in.capacity);
    const char *params[12] = {actor->community_id,
                              person_id,
                              in.skills,
                              in.availability,
                              in.unavailable,
                              lat,
                              lon,
                              km,
                              capacity,
                              in.languages,
                              in.prefers_short ? "true" : "false",
                              in.paused ? "true" : "false"};
    r = result_from_db(db_exec(conn, "volunteer_upsert", 12, params), info);
  }
  profile_input_free(&in);
  if (r == RESULT_OK) r = load(conn, actor->community_id, person_id, 0, out, info);
  return r == RESULT_OK && !exists ? RESULT_CREATED : r;
}

enum result volunteers_record_certificate(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                          json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  /* Present and a string first; whether it is a date is told after who may record it. */
  static const struct field_rule certificate_fields[] = {
      {"issued_on", FIELD_STRING, FIELD_REQUIRED | FIELD_STRING_TYPE, 0, FIELD_UNBOUNDED, NULL, NULL, NULL},
      {NULL},
  };
  struct field_value v[1];
  if (fields_read(body, certificate_fields, v, info) != 0) return RESULT_INVALID;
  const char *issued_on = v[0].text;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  json_t *current = NULL;
  enum result r = load(conn, actor->community_id, person_id, 1, &current, info);
  json_decref(current);
  if (r != RESULT_OK) return r;
  if (issued_on == NULL || !valid_date(issued_on)) {
    result_field_error(info, "issued_on", "invalid", "a date (YYYY-MM-DD), not in the future");
    return RESULT_INVALID;
  }
  const char *params[4] = {actor->community_id, person_id, issued_on, actor->person_id};
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "volunteer_certificate", 4, params, &res), info);
  int recorded = r == RESULT_OK && PQntuples(res) == 1; /* the profile exists: load() found it */
  PQclear(res);
  if (r != RESULT_OK) return r;
  if (!recorded) {
    result_field_error(info, "issued_on", "invalid", "a date (YYYY-MM-DD), not in the future");
    return RESULT_INVALID;
  }
  return load(conn, actor->community_id, person_id, 0, out, info);
}

enum result volunteers_accept_code(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t *body,
                                   json_t **out, struct result_info *info) {
  *out = NULL;
  static const struct field_rule none[] = {{NULL}};
  if (fields_read(body, none, NULL, info) != 0) return RESULT_INVALID;
  if (strcmp(actor->person_id, person_id) != 0) return RESULT_FORBIDDEN;
  json_t *current = NULL;
  enum result r = load(conn, actor->community_id, person_id, 1, &current, info);
  json_decref(current);
  const char *params[2] = {actor->community_id, person_id};
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "volunteer_code_of_conduct", 2, params), info);
  if (r == RESULT_OK) r = load(conn, actor->community_id, person_id, 0, out, info);
  return r;
}
