/* Volunteer profiles. The representation is built by PostgreSQL (sql/functions/volunteers.sql),
 * so the ranges of availability and holidays come back the way they are stored. */
#include "volunteers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "documents.h"
#include "fields.h"
#include "on_behalf.h"
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
    {"volunteer_known_skills",
     "SELECT count(*) FROM categories WHERE community_id = $1 "
     "AND id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)::uuid))"},
    {"volunteer_upsert",
     "INSERT INTO volunteer_profiles (community_id, person_id, skills, availability, unavailable, home_lat, home_lon, "
     "travel_km, capacity_hours, languages, prefers_short_tasks, paused) "
     "VALUES ($1, $2, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)::uuid), "
     "(SELECT COALESCE(range_agg(int4range((r ->> 0)::int, (r ->> 1)::int)), '{}') FROM jsonb_array_elements($4::jsonb) r), "
     "(SELECT COALESCE(range_agg(daterange((p ->> 'from')::date, (p ->> 'to')::date, '[]')), '{}') "
     "FROM jsonb_array_elements($5::jsonb) p), "
     "$6, $7, $8, $9, ARRAY(SELECT jsonb_array_elements_text($10::jsonb)), $11, $12) "
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

enum result volunteers_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                            json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  char days[16];
  snprintf(days, sizeof days, "%d", certificate_days);
  const char *params[6] = {actor->community_id,         paging_param_since(page),    days,
                           paging_param_after_ts(page), paging_param_after_id(page), paging_param_fetch(page)};
  return documents_sync_page(conn, "volunteers_page", 6, params, page, "updated_at", "person_id", out, info);
}

/* Load one profile (locked when `lock`) as JSON. RESULT_NOT_FOUND when there is none. */
static enum result load(struct db_conn *conn, const char *community_id, const char *person_id, int lock, json_t **out,
                        struct result_info *info) {
  char days[16];
  snprintf(days, sizeof days, "%d", certificate_days);
  const char *params[3] = {community_id, person_id, days};
  *out = NULL;
  enum result r = lock ? result_from_db(db_exec(conn, "volunteer_lock", 2, params), info) : RESULT_OK;
  return r == RESULT_OK ? documents_one(conn, "volunteer_get", 3, params, out, info) : r;
}

enum result volunteers_get(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t **out,
                           struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor) && strcmp(actor->person_id, person_id) != 0) return RESULT_FORBIDDEN;
  return load(conn, actor->community_id, person_id, 0, out, info);
}

/* The rules of a profile body. Every member is there in a PUT: a missing one is told with the
 * rule's own message. The lists' items are checked by read_profile(). */
enum { P_SKILLS, P_AVAILABILITY, P_UNAVAILABLE, P_LANGUAGES, P_HOME, P_TRAVEL, P_CAPACITY, P_SHORT, P_PAUSED, P_RULES };
static const struct field_rule profile_fields[] = {
    [P_SKILLS] = {"skills", FIELD_UUID_LIST, FIELD_ABSENT_INVALID, 0, 20, NULL, NULL,
                  "a list of at most 20 category ids"},
    [P_AVAILABILITY] = {"availability", FIELD_LIST, FIELD_ABSENT_INVALID, 0, 28, NULL, NULL,
                        "a list of at most 28 weekly time slots"},
    [P_UNAVAILABLE] = {"unavailable", FIELD_LIST, FIELD_ABSENT_INVALID, 0, 20, NULL, NULL,
                       "a list of at most 20 periods"},
    [P_LANGUAGES] = {"languages", FIELD_LIST, FIELD_ABSENT_INVALID, 0, 10, NULL, NULL,
                     "a list of at most 10 two-letter language codes"},
    [P_HOME] = {"home", FIELD_OBJECT, FIELD_ABSENT_INVALID, 2, 2, NULL, NULL, "{lat, lon}"},
    [P_TRAVEL] = {"travel_km", FIELD_NUMBER, FIELD_ABSENT_INVALID, 0, 100, NULL, "out_of_range", NULL},
    [P_CAPACITY] = {"capacity_hours_per_week", FIELD_NUMBER, FIELD_ABSENT_INVALID, 0, 60, NULL, "out_of_range", NULL},
    [P_SHORT] = {"prefers_short_tasks", FIELD_BOOLEAN, FIELD_ABSENT_INVALID, 0, 0, NULL, "type",
                 "must be true or false"},
    [P_PAUSED] = {"paused", FIELD_BOOLEAN, FIELD_ABSENT_INVALID, 0, 0, NULL, "type", "must be true or false"},
    [P_RULES] = {NULL},
};

enum { HOME_LAT, HOME_LON, HOME_RULES };
static const struct field_rule home_fields[] = {
    [HOME_LAT] = {"lat", FIELD_NUMBER, FIELD_ABSENT_INVALID, -90, 90, NULL, "out_of_range", NULL},
    [HOME_LON] = {"lon", FIELD_NUMBER, FIELD_ABSENT_INVALID, -180, 180, NULL, "out_of_range", NULL},
    [HOME_RULES] = {NULL},
};

/* The profile body as it goes to PostgreSQL: lists as JSON text (volunteer_upsert turns them
 * into arrays and ranges), numbers as text. Every char* is the caller's to free(); the numbers
 * live in the struct. */
struct profile_input {
  char *skills;       /* ["<category id>", ...] */
  char *availability; /* [[from, to), ...] in minutes since Monday 00:00 */
  char *unavailable;  /* [{"from": date, "to": date}, ...], both days included */
  char *languages;    /* ["nl", ...] */
  size_t skill_count;
  char lat[32], lon[32], travel_km[32], capacity[32];
  int prefers_short, paused;
};

static void profile_input_free(struct profile_input *in) {
  free(in->skills);
  free(in->availability);
  free(in->unavailable);
  free(in->languages);
}

/* Each skill once. */
static void check_skills(json_t *skills, struct result_info *info) {
  size_t i;
  json_t *item;
  json_array_foreach(skills, i, item) {
    for (size_t j = 0; j < i; j++)
      if (strcasecmp(json_string_value(json_array_get(skills, j)), json_string_value(item)) == 0) {
        result_field_error(info, "skills", "duplicate", "each category once");
        return;
      }
  }
}

/* The weekly slots as [from, to) minute pairs of the week (new array), or NULL after an error
 * (or when out of memory). */
static json_t *weekly_minutes(json_t *slots, struct result_info *info) {
  json_t *ranges = json_array();
  size_t i;
  json_t *item;
  json_array_foreach(slots, i, item) {
    json_t *weekday = json_object_get(item, "weekday");
    int start = time_of_day_minutes(json_string_value(json_object_get(item, "start")));
    int end = time_of_day_minutes(json_string_value(json_object_get(item, "end")));
    if (!json_is_object(item) || json_object_size(item) != 3 || !json_is_integer(weekday) ||
        json_integer_value(weekday) < 1 || json_integer_value(weekday) > 7 || start < 0 || end <= start) {
      result_field_error(info, "availability", "invalid",
                         "each slot is {weekday 1-7, start HH:MM, end HH:MM} with start before end");
      json_decref(ranges);
      return NULL;
    }
    int base = (int)(json_integer_value(weekday) - 1) * 1440;
    json_array_append_new(ranges, json_pack("[i,i]", base + start, base + end));
  }
  return ranges;
}

/* Whether every period is {from, to} with from <= to. */
static int check_periods(json_t *periods, struct result_info *info) {
  size_t i;
  json_t *item;
  json_array_foreach(periods, i, item) {
    const char *from = json_string_value(json_object_get(item, "from"));
    const char *to = json_string_value(json_object_get(item, "to"));
    if (!json_is_object(item) || json_object_size(item) != 2 || !valid_date(from) || !valid_date(to) ||
        strcmp(from, to) > 0) {
      result_field_error(info, "unavailable", "invalid", "each period is {from, to} dates with from <= to");
      return 0;
    }
  }
  return 1;
}

/* Whether every language is a two-letter lower-case code. */
static int check_languages(json_t *languages, struct result_info *info) {
  size_t i;
  json_t *item;
  json_array_foreach(languages, i, item) {
    const char *code = json_string_value(item);
    if (code == NULL || strlen(code) != 2 || code[0] < 'a' || code[0] > 'z' || code[1] < 'a' || code[1] > 'z') {
      result_field_error(info, "languages", "invalid", "two-letter lower-case language codes");
      return 0;
    }
  }
  return 1;
}

/* Read a profile body into `in`. Fills info->errors for anything that does not fit. */
static void read_profile(json_t *body, struct profile_input *in, struct result_info *info) {
  struct field_value v[P_RULES], home[HOME_RULES];
  fields_read(body, profile_fields, v, info);
  if (v[P_SKILLS].present) {
    check_skills(v[P_SKILLS].list, info);
    in->skills = json_dumps(v[P_SKILLS].list, JSON_COMPACT);
    in->skill_count = json_array_size(v[P_SKILLS].list);
  }
  if (v[P_AVAILABILITY].present) {
    json_t *ranges = weekly_minutes(v[P_AVAILABILITY].list, info);
    if (ranges != NULL) in->availability = json_dumps(ranges, JSON_COMPACT);
    json_decref(ranges);
  }
  if (v[P_UNAVAILABLE].present && check_periods(v[P_UNAVAILABLE].list, info))
    in->unavailable = json_dumps(v[P_UNAVAILABLE].list, JSON_COMPACT);
  if (v[P_LANGUAGES].present && check_languages(v[P_LANGUAGES].list, info))
    in->languages = json_dumps(v[P_LANGUAGES].list, JSON_COMPACT);
  if (v[P_HOME].present && fields_read_in("home", v[P_HOME].object, home_fields, home, info) == 0) {
    snprintf(in->lat, sizeof in->lat, "%.7f", home[HOME_LAT].number);
    snprintf(in->lon, sizeof in->lon, "%.7f", home[HOME_LON].number);
  }
  snprintf(in->travel_km, sizeof in->travel_km, "%.1f", v[P_TRAVEL].number);
  snprintf(in->capacity, sizeof in->capacity, "%.1f", v[P_CAPACITY].number);
  in->prefers_short = v[P_SHORT].boolean;
  in->paused = v[P_PAUSED].boolean;
  if (info->errors == NULL &&
      (in->skills == NULL || in->availability == NULL || in->unavailable == NULL || in->languages == NULL))
    result_field_error(info, "body", "too_large", "could not be processed");
}

/* Who edits the profile of `person_id`: the volunteer herself, or with {on_behalf_of, channel}
 * the desk for that volunteer (on_behalf.h). RESULT_OK, or the refusal. */
static enum result profile_editor(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                  const struct on_behalf *ob, struct result_info *info) {
  if (ob->person_id == NULL) {
    if (strcmp(actor->person_id, person_id) == 0 && (actor->roles & ROLE_VOLUNTEER)) return RESULT_OK;
    info->detail = "only the volunteer edits their own profile";
    return RESULT_FORBIDDEN;
  }
  int volunteer = 0;
  enum result r = on_behalf_member_has_role(conn, actor, person_id, "volunteer", &volunteer, info);
  if (r != RESULT_OK) return r;
  return on_behalf_check(ob, actor, volunteer ? person_id : NULL, "must be the volunteer whose profile this is", info);
}

enum result volunteers_put(struct db_conn *conn, const struct actor *caller, const char *person_id, json_t *body,
                           const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  struct on_behalf ob;
  json_t *rest = NULL;
  int fits = on_behalf_read(body, &ob, &rest, info) == 0;
  if (body != NULL && rest == NULL) return RESULT_ERROR;
  enum result r = fits ? profile_editor(conn, caller, person_id, &ob, info) : RESULT_INVALID;
  if (r != RESULT_OK) {
    json_decref(rest);
    return r;
  }
  const struct actor acting = on_behalf_actor(caller, &ob), *actor = &acting;
  struct profile_input in;
  memset(&in, 0, sizeof in);
  read_profile(rest, &in, info); /* copies what it keeps */
  json_decref(rest);
  r = info->errors != NULL ? RESULT_INVALID : RESULT_OK;
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
    const char *params[12] = {actor->community_id,
                              person_id,
                              in.skills,
                              in.availability,
                              in.unavailable,
                              in.lat,
                              in.lon,
                              in.travel_km,
                              in.capacity,
                              in.languages,
                              in.prefers_short ? "true" : "false",
                              in.paused ? "true" : "false"};
    r = result_from_db(db_exec(conn, "volunteer_upsert", 12, params), info);
  }
  profile_input_free(&in);
  if (r == RESULT_OK) r = on_behalf_record(conn, actor, "volunteer_profile", person_id, NULL, info);
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
