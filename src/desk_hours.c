/* The community's desk hours: reading, checking and replacing them (see desk_hours.h). */
#include "desk_hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "support/validate.h"

static const struct db_statement statements[] = {
    {"desk_hours_read",
     "SELECT d.slots::text, array_to_json(d.closed_dates)::text, api_ts(d.updated_at) FROM desk_hours d "
     "WHERE d.community_id = $1"},
    {"desk_hours_lock", "SELECT 1 FROM desk_hours WHERE community_id = $1 FOR UPDATE"},
    /* $3: the closed dates as a JSON array of dates. */
    {"desk_hours_upsert",
     "INSERT INTO desk_hours (community_id, slots, closed_dates, updated_by) "
     "VALUES ($1, $2::jsonb, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)::date), $4) "
     "ON CONFLICT (community_id) DO UPDATE SET slots = EXCLUDED.slots, closed_dates = EXCLUDED.closed_dates, "
     "updated_by = EXCLUDED.updated_by, updated_at = clock_timestamp()"},
};

int desk_hours_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

static const char *const days[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL};

static int day_index(const char *day) {
  for (int i = 0; day != NULL && days[i] != NULL; i++)
    if (strcmp(days[i], day) == 0) return i;
  return -1;
}

/* A slot's place in the week, in minutes since Monday 00:00: its opening and closing. */
struct week_slot {
  int opens, closes;
  json_t *slot;
};

static int by_opening(const void *a, const void *b) {
  const struct week_slot *x = a, *y = b;
  return (x->opens > y->opens) - (x->opens < y->opens);
}

json_t *desk_hours_check_slots(json_t *slots, struct result_info *info) {
  size_t n = json_array_size(slots);
  struct week_slot *week = calloc(n + 1, sizeof *week);
  json_t *sorted = json_array();
  if (week == NULL || sorted == NULL) {
    free(week);
    json_decref(sorted);
    result_field_error(info, "slots", "too_large", "could not be processed");
    return NULL;
  }
  size_t i;
  json_t *item;
  int ok = 1;
  json_array_foreach(slots, i, item) {
    int day = day_index(json_string_value(json_object_get(item, "day")));
    int opens = time_of_day_minutes(json_string_value(json_object_get(item, "opens")));
    int closes = time_of_day_minutes(json_string_value(json_object_get(item, "closes")));
    if (!json_is_object(item) || json_object_size(item) != 3 || day < 0 || opens < 0 || closes <= opens) {
      result_field_error(info, "slots", "invalid",
                         "each slot is {day monday-sunday, opens HH:MM, closes HH:MM} with opens before closes");
      ok = 0;
      break;
    }
    week[i] = (struct week_slot){day * 1440 + opens, day * 1440 + closes, item};
  }
  if (ok) qsort(week, n, sizeof *week, by_opening);
  for (i = 1; ok && i < n; i++) {
    /* Sorted by opening: a slot that opens before the previous one closes overlaps it. */
    if (week[i].opens < week[i - 1].closes) {
      result_field_error(info, "slots", "overlap", "slots on the same day must not overlap");
      ok = 0;
    }
  }
  for (i = 0; ok && i < n; i++) {
    json_t *copy = json_pack("{s:O, s:O, s:O}", "day", json_object_get(week[i].slot, "day"), "opens",
                             json_object_get(week[i].slot, "opens"), "closes", json_object_get(week[i].slot, "closes"));
    if (copy == NULL || json_array_append_new(sorted, copy) != 0) {
      result_field_error(info, "slots", "too_large", "could not be processed");
      ok = 0;
    }
  }
  free(week);
  if (!ok) {
    json_decref(sorted);
    return NULL;
  }
  return sorted;
}

static int by_text(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The closed dates, checked, as a new sorted JSON array, or NULL after an error. */
static json_t *check_closed_dates(json_t *dates, struct result_info *info) {
  size_t n = json_array_size(dates);
  const char **texts = calloc(n + 1, sizeof *texts);
  json_t *sorted = json_array();
  int ok = texts != NULL && sorted != NULL;
  if (!ok) result_field_error(info, "closed_dates", "too_large", "could not be processed");
  size_t i;
  json_t *item;
  json_array_foreach(dates, i, item) {
    if (!ok) break;
    texts[i] = json_string_value(item);
    if (!valid_date(texts[i])) ok = 0;
  }
  if (ok) qsort(texts, n, sizeof *texts, by_text);
  for (i = 1; ok && i < n; i++)
    if (strcmp(texts[i], texts[i - 1]) == 0) ok = 0;
  if (!ok && texts != NULL && sorted != NULL)
    result_field_error(info, "closed_dates", "invalid", "each closed date is a date (YYYY-MM-DD), each once");
  for (i = 0; ok && i < n; i++)
    if (json_array_append_new(sorted, json_string(texts[i])) != 0) ok = 0;
  free(texts);
  if (!ok) {
    json_decref(sorted);
    return NULL;
  }
  return sorted;
}

/* The document, from desk_hours_read's row (none: no hours yet). *out a new reference. */
static enum result load(struct db_conn *conn, const struct actor *actor, int lock, json_t **out,
                        struct result_info *info) {
  *out = NULL;
  const char *params[1] = {actor->community_id};
  PGresult *res = NULL;
  enum result r = lock ? result_from_db(db_exec(conn, "desk_hours_lock", 1, params), info) : RESULT_OK;
  if (r == RESULT_OK) r = result_from_db(db_query(conn, "desk_hours_read", 1, params, &res), info);
  if (r != RESULT_OK) {
    PQclear(res);
    return r;
  }
  int found = PQntuples(res) == 1;
  json_t *slots = found ? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : json_array();
  json_t *dates = found ? json_loads(PQgetvalue(res, 0, 1), 0, NULL) : json_array();
  json_t *updated = found ? json_string(PQgetvalue(res, 0, 2)) : json_null();
  PQclear(res);
  if (slots == NULL || dates == NULL || updated == NULL) {
    json_decref(slots);
    json_decref(dates);
    json_decref(updated);
    return RESULT_ERROR;
  }
  *out = json_pack("{s:s, s:s, s:o, s:o, s:o}", "community_id", actor->community_id, "time_zone", "Europe/Amsterdam",
                   "slots", slots, "closed_dates", dates, "updated_at", updated);
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result desk_hours_get(struct db_conn *conn, const struct actor *actor, json_t **out, struct result_info *info) {
  *out = NULL;
  if (actor_guest_only(actor)) return RESULT_FORBIDDEN;
  return load(conn, actor, 0, out, info);
}

enum { H_SLOTS, H_CLOSED, H_FIELDS };
static const struct field_rule hours_fields[] = {
    [H_SLOTS] = {"slots", FIELD_LIST, FIELD_ABSENT_INVALID, 0, DESK_HOURS_MAX_SLOTS, NULL, NULL,
                 "a list of at most 21 weekly time slots"},
    [H_CLOSED] = {"closed_dates", FIELD_LIST, FIELD_ABSENT_INVALID, 0, DESK_HOURS_MAX_CLOSED_DATES, NULL, NULL,
                  "a list of at most 100 dates"},
    [H_FIELDS] = {NULL},
};
_Static_assert(DESK_HOURS_MAX_SLOTS == 21 && DESK_HOURS_MAX_CLOSED_DATES == 100, "the messages above name the limits");

enum result desk_hours_put(struct db_conn *conn, const struct actor *actor, json_t *body,
                           const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) {
    info->detail = "only the desk sets its opening hours";
    return RESULT_FORBIDDEN;
  }
  struct field_value v[H_FIELDS];
  fields_read(body, hours_fields, v, info);
  json_t *slots = v[H_SLOTS].present ? desk_hours_check_slots(v[H_SLOTS].list, info) : NULL;
  json_t *dates = v[H_CLOSED].present ? check_closed_dates(v[H_CLOSED].list, info) : NULL;
  enum result r = info->errors != NULL ? RESULT_INVALID : RESULT_OK;
  json_t *current = NULL;
  if (r == RESULT_OK) r = load(conn, actor, 1, &current, info);
  /* Hours recorded: changed only by whoever saw them as they are. */
  if (r == RESULT_OK && !json_is_null(json_object_get(current, "updated_at")))
    r = precondition_check(if_match, current, 1);
  json_decref(current);
  char *slots_text = r == RESULT_OK ? json_dumps(slots, JSON_COMPACT) : NULL;
  char *dates_text = r == RESULT_OK ? json_dumps(dates, JSON_COMPACT) : NULL;
  if (r == RESULT_OK && (slots_text == NULL || dates_text == NULL)) r = RESULT_ERROR;
  if (r == RESULT_OK) {
    const char *params[4] = {actor->community_id, slots_text, dates_text, actor->person_id};
    r = result_from_db(db_exec(conn, "desk_hours_upsert", 4, params), info);
  }
  free(slots_text);
  free(dates_text);
  json_decref(slots);
  json_decref(dates);
  if (r == RESULT_OK) r = load(conn, actor, 0, out, info);
  return r;
}
