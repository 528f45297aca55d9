/* Help requests: reading them (lists, the board, the queue, /v1/me, one request) and creating
 * them under their category's policy. The representation and who sees what are SQL functions
 * (sql/functions/help_requests.sql). */
#include "help_requests.h"
#include "documents.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "categories.h"
#include "fields.h"
#include "help_request_row.h"
#include "support/validate.h"
#include "volunteers.h"

/* The statements' parameters: $1 community (NULL on /v1/me lists), $2 the caller coordinates it,
 * $3 the caller, $4 certificate validity in days, then $5 updated_since, $6/$7 the cursor and $8
 * the page size plus one (a single request: $5 its id), $9 a status. Every list statement gets
 * all nine (one helper runs them all), so one with no use for some still names them, to give
 * PostgreSQL their types.
 *
 * Who sees which request and the document are SQL functions (sql/functions/help_requests.sql).
 * A list picks its rows in an inner query whose LIMIT is a constant, the largest page plus one (101, PAGE_MAX_LIMIT + 1): with
 * only `LIMIT $8` a generic plan must guess the page size, and PostgreSQL guesses a tenth of the
 * table, which on a large community can turn the ordered index scan into a sort of everything.
 * Documents are built only for the rows the outer LIMIT returns. The desk's status filters are
 * written out, so PostgreSQL can prove that a statement may read the partial index of the open,
 * the done or the other closed requests (sql/migrations/0006_index_driven_rls.sql). */
_Static_assert(PAGE_MAX_LIMIT + 1 == 101, "the list statements below fetch at most 101 rows");

static const struct db_statement statements[] = {
    /* The desk: every request, or those in one status ($9). */
    {"hr_page_all",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL AND $9::help_status IS NULL "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    {"hr_page_open",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('submitted', 'triaged', 'offered', 'matched') AND h.status = $9::help_status "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    {"hr_page_done",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL AND h.status = 'done' AND $9::help_status = 'done' "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    {"hr_page_closed",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('referred', 'rejected', 'cancelled') AND h.status = $9::help_status "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    /* Anyone else: what they may see, found among where it can come from. */
    {"hr_page_visible",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests_visible($1, $2, $3, $4) h "
     "WHERE h.id IN (SELECT r FROM help_requests_reachable($1, $3) r) "
     "AND ($9::help_status IS NULL OR h.status = $9::help_status) "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    {"hr_board",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND NOT $2::bool "
     "AND h.on_board AND h.status IN ('triaged', 'offered') AND volunteer_eligible(h.community_id, h.id, $4::int, $3::uuid) "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    /* The coordinator's queue, one statement per view so each reads its status index. */
    {"hr_queue_new",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('submitted', 'triaged', 'offered', 'matched') AND h.status = 'submitted' "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    {"hr_queue_unconfirmed",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('submitted', 'triaged', 'offered', 'matched') AND h.status = 'matched' AND NOT h.resident_confirmed "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    /* Due within a day, or waiting for a volunteer for three days. */
    {"hr_queue_needs_attention",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('submitted', 'triaged', 'offered', 'matched') AND h.status IN ('submitted', 'triaged', 'offered') "
     "AND (COALESCE(h.needed_by, h.starts_at) < now() + interval '24 hours' "
     "OR (h.status IN ('triaged', 'offered') AND h.status_changed_at < now() - interval '3 days')) "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    /* /v1/me lists: row-level security scopes them to the person's communities. */
    {"hr_mine",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.resident_id = $3::uuid "
     "AND $1::uuid IS NULL AND NOT $2::bool AND $4::int IS NOT NULL "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    /* Matched to the caller, or offered to them and not yet answered. */
    {"hr_tasks",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h JOIN (SELECT r.community_id, r.id "
     "FROM help_requests r WHERE r.matched_volunteer_id = $3::uuid AND r.status = 'matched' "
     "UNION SELECT o.community_id, o.request_id FROM offers o WHERE o.volunteer_id = $3::uuid AND o.status = 'pending') k "
     "ON k.community_id = h.community_id AND k.id = h.id WHERE $1::uuid IS NULL AND NOT $2::bool AND $4::int IS NOT NULL "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    {"hr_get",
     "SELECT d.* FROM help_requests_visible($1, $2, $3, $4) h, help_request_doc(h, $2, $3) d WHERE h.id = $5"},
    {"hr_resident_roles",
     "SELECT array_to_string(roles, ',') FROM memberships WHERE community_id = $1 AND person_id = $2 "
     "AND removed_at IS NULL"},
    {"hr_insert",
     "INSERT INTO help_requests (community_id, category_id, resident_id, entered_by, description, starts_at, "
     "ends_at, needed_by, recurrence, recurrence_until, place_address, place_lat, place_lon, in_home, urgency, "
     "status, referral_name, referral_contact) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::recurrence_frequency, "
     "$10::date, $11, $12, $13, $14, $15::help_urgency, $16::help_status, $17, $18) RETURNING id"},
    /* One occurrence, or one per interval from the first window up to the end date (at most 60). */
    {"hr_occurrences",
     "INSERT INTO occurrences (community_id, request_id, seq, starts_at, ends_at, needed_by) "
     "SELECT h.community_id, h.id, g, h.starts_at + make_interval(days => g * $3::int), "
     "h.ends_at + make_interval(days => g * $3::int), h.needed_by + make_interval(days => g * $3::int) "
     "FROM help_requests h, generate_series(0, CASE WHEN $3::int = 0 THEN 0 ELSE LEAST(59, "
     "((h.recurrence_until - (COALESCE(h.starts_at, h.needed_by) AT TIME ZONE 'Europe/Amsterdam')::date) "
     "/ $3::int)) END) g WHERE h.community_id = $1 AND h.id = $2"},
};

int help_requests_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* A page of request documents from a list statement (parameters as described above the
 * statements), `extra` its $9. */
static enum result page_of(struct db_conn *conn, const char *statement, int nparams, const char *community_id,
                           int manager, const char *viewer, const struct page_request *page, const char *extra,
                           json_t **out, struct result_info *info) {
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  const char *params[9] = {community_id,
                           manager ? "true" : "false",
                           viewer,
                           days,
                           paging_param_since(page),
                           paging_param_after_ts(page),
                           paging_param_after_id(page),
                           paging_param_fetch(page),
                           extra};
  return documents_page(conn, statement, nparams, params, page, "updated_at", "id", out, info);
}

int help_requests_status_filter(const char *status, struct result_info *info) {
  if (status == NULL || help_status_from_name(status) >= 0) return 0;
  result_field_error(info, "status", "invalid", "one of the help request statuses");
  return -1;
}

int help_requests_queue_view(const char *view, struct result_info *info) {
  static const char *const views[] = {"new", "needs_attention", "unconfirmed", NULL};
  return fields_choice("view", view, views, "new, needs_attention or unconfirmed", info) >= 0 ? 0 : -1;
}

enum result help_requests_list(struct db_conn *conn, const struct actor *actor, const char *status,
                               const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & (ROLE_RESIDENT | ROLE_VOLUNTEER | ROLE_COORDINATOR | ROLE_ADMIN))) return RESULT_FORBIDDEN;
  int manages = actor_manages(actor);
  const char *statement = !manages ? "hr_page_visible" : status == NULL ? "hr_page_all" : NULL;
  if (statement == NULL) {
    switch (help_status_from_name(status)) {
      case HELP_DONE:
        statement = "hr_page_done";
        break;
      case HELP_REFERRED:
      case HELP_REJECTED:
      case HELP_CANCELLED:
        statement = "hr_page_closed";
        break;
      default:
        statement = "hr_page_open";
        break;
    }
  }
  return page_of(conn, statement, 9, actor->community_id, manages, actor->person_id, page, status, out, info);
}

enum result help_requests_board(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                                json_t **out, struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & ROLE_VOLUNTEER)) return RESULT_FORBIDDEN;
  return page_of(conn, "hr_board", 8, actor->community_id, 0, actor->person_id, page, NULL, out, info);
}

enum result help_requests_queue(struct db_conn *conn, const struct actor *actor, const char *view,
                                const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  const char *statement = strcmp(view, "new") == 0           ? "hr_queue_new"
                          : strcmp(view, "unconfirmed") == 0 ? "hr_queue_unconfirmed"
                                                             : "hr_queue_needs_attention";
  return page_of(conn, statement, 8, actor->community_id, 1, actor->person_id, page, NULL, out, info);
}

enum result help_requests_mine(struct db_conn *conn, const char *person_id, const struct page_request *page,
                               json_t **out, struct result_info *info) {
  *out = NULL;
  return page_of(conn, "hr_mine", 8, NULL, 0, person_id, page, NULL, out, info);
}

enum result help_requests_my_tasks(struct db_conn *conn, const char *person_id, const struct page_request *page,
                                   json_t **out, struct result_info *info) {
  *out = NULL;
  return page_of(conn, "hr_tasks", 8, NULL, 0, person_id, page, NULL, out, info);
}

enum result help_requests_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                              struct result_info *info) {
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  const char *params[5] = {actor->community_id, actor_manages(actor) ? "true" : "false", actor->person_id, days, id};
  return documents_one(conn, "hr_get", 5, params, out, info);
}

/* ---- creating ---------------------------------------------------------------------------- */

static int recurrence_days(const char *frequency) {
  if (frequency == NULL) return 0;
  return strcmp(frequency, "weekly") == 0 ? 7 : strcmp(frequency, "biweekly") == 0 ? 14 : -1;
}

/* Seconds since the epoch of a validated RFC 3339 time, for the window length only. */
static long long epoch_of(const char *rfc3339) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if (strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm) == NULL) return 0;
  long long t = (long long)timegm(&tm);
  const char *zone = rfc3339 + 19;
  while (*zone == '.' || (*zone >= '0' && *zone <= '9')) zone++;
  if (*zone == '+' || *zone == '-') {
    int offset = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 3600 + ((zone[4] - '0') * 10 + (zone[5] - '0')) * 60;
    t += *zone == '+' ? -offset : offset;
  }
  return t;
}

enum result help_requests_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                 struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"category_id", "description", "resident_id",     "when", "recurrence", "place",
                                       "in_home",     "urgency",     "record_referral", NULL};
  fields_only(body, fields, info);
  const char *category_id = fields_text(body, "category_id", 36, 36, 1, info);
  if (category_id != NULL && !valid_uuid(category_id))
    result_field_error(info, "category_id", "invalid", "a category id");
  const char *description = fields_text(body, "description", 1, 2000, 1, info);
  const char *resident_id = fields_text(body, "resident_id", 36, 36, 0, info);
  if (resident_id != NULL && !valid_uuid(resident_id))
    result_field_error(info, "resident_id", "invalid", "a person id");

  json_t *when = json_object_get(body, "when");
  const char *starts_at = json_string_value(json_object_get(when, "starts_at"));
  const char *ends_at = json_string_value(json_object_get(when, "ends_at"));
  const char *needed_by = json_string_value(json_object_get(when, "needed_by"));
  long window_minutes = 0;
  if (!json_is_object(when)) {
    result_field_error(info, "when", "required", "{starts_at, ends_at} or {needed_by}");
  } else if (needed_by != NULL && json_object_size(when) == 1 && valid_rfc3339(needed_by)) {
    /* needed-by request */
  } else if (starts_at != NULL && ends_at != NULL && json_object_size(when) == 2 && valid_rfc3339(starts_at) &&
             valid_rfc3339(ends_at)) {
    window_minutes = (long)((epoch_of(ends_at) - epoch_of(starts_at)) / 60);
    if (window_minutes <= 0 || window_minutes > 12 * 60)
      result_field_error(info, "when", "invalid", "ends_at comes after starts_at, at most 12 hours later");
  } else {
    result_field_error(info, "when", "invalid", "exactly {starts_at, ends_at} or {needed_by}, as RFC 3339 times");
  }

  json_t *recurrence = json_object_get(body, "recurrence");
  const char *frequency = NULL, *until = NULL;
  int interval = 0;
  if (recurrence != NULL && !json_is_null(recurrence)) {
    frequency = json_string_value(json_object_get(recurrence, "frequency"));
    until = json_string_value(json_object_get(recurrence, "until"));
    interval = recurrence_days(frequency);
    const char *first = starts_at != NULL ? starts_at : needed_by;
    if (!json_is_object(recurrence) || json_object_size(recurrence) != 2 || interval <= 0 || !valid_date(until))
      result_field_error(info, "recurrence", "invalid", "{frequency: weekly|biweekly, until: date} or null");
    else if (first != NULL && strncmp(until, first, 10) < 0)
      result_field_error(info, "recurrence", "invalid", "until comes on or after the first date");
  }

  json_t *place = json_object_get(body, "place");
  const char *address = json_string_value(json_object_get(place, "address"));
  json_t *lat = json_object_get(place, "lat"), *lon = json_object_get(place, "lon");
  if (!json_is_object(place) || json_object_size(place) != 3 || !valid_text(address, 1, 200) || !json_is_number(lat) ||
      !json_is_number(lon) || fabs(json_number_value(lat)) > 90 || fabs(json_number_value(lon)) > 180)
    result_field_error(info, "place", "invalid", "{address (1-200 characters), lat, lon}");
  json_t *in_home = json_object_get(body, "in_home");
  if (!json_is_boolean(in_home)) result_field_error(info, "in_home", "type", "must be true or false");
  const char *urgency = fields_text(body, "urgency", 1, 10, 1, info);
  if (urgency != NULL && strcmp(urgency, "low") != 0 && strcmp(urgency, "normal") != 0 && strcmp(urgency, "high") != 0)
    result_field_error(info, "urgency", "invalid", "low, normal or high");
  json_t *record_referral = json_object_get(body, "record_referral");
  if (record_referral != NULL && !json_is_boolean(record_referral))
    result_field_error(info, "record_referral", "type", "must be true or false");
  if (info->errors != NULL) return RESULT_INVALID;

  if (actor_guest_only(actor)) return RESULT_FORBIDDEN;
  /* For whom: a resident asks for themselves; the desk enters it for a resident. */
  if (resident_id == NULL) resident_id = actor->person_id;
  int on_behalf = strcmp(resident_id, actor->person_id) != 0;
  if (on_behalf && !actor_manages(actor)) {
    info->detail = "only the desk enters a request for someone else";
    return RESULT_FORBIDDEN;
  }
  if (json_is_true(record_referral) && !actor_manages(actor)) {
    info->detail = "only a coordinator records a referral";
    return RESULT_FORBIDDEN;
  }
  PGresult *res = NULL;
  const char *member[2] = {actor->community_id, resident_id};
  enum result r = result_from_db(db_query(conn, "hr_resident_roles", 2, member, &res), info);
  if (r == RESULT_OK && (PQntuples(res) != 1 || !(roles_parse(PQgetvalue(res, 0, 0)) & ROLE_RESIDENT))) {
    result_field_error(info, "resident_id", "not_a_resident", "the person is not a resident of this community");
    r = RESULT_INVALID;
  }
  PQclear(res);
  if (r != RESULT_OK) return r;

  struct category_rules rules;
  r = categories_rules(conn, actor->community_id, category_id, &rules, info);
  if (r == RESULT_NOT_FOUND) {
    result_field_error(info, "category_id", "unknown", "no such category in this community");
    r = RESULT_INVALID;
  }
  if (r != RESULT_OK) return r;

  const char *status = "submitted";
  enum policy_rule rule = policy_check(&rules.policy, interval, window_minutes);
  if (rule != POLICY_OK && !json_is_true(record_referral)) {
    result_extension(info, "rule",
                     json_pack("{s:s, s:s}", "code", policy_rule_code(rule), "message", policy_rule_message(rule)));
    result_extension(info, "referral", json_incref(rules.referral));
    json_decref(rules.referral);
    return RESULT_POLICY_REFUSED;
  }
  if (rule != POLICY_OK) status = "referred";

  char lat_text[32], lon_text[32], interval_text[8];
  snprintf(lat_text, sizeof lat_text, "%.7f", json_number_value(lat));
  snprintf(lon_text, sizeof lon_text, "%.7f", json_number_value(lon));
  snprintf(interval_text, sizeof interval_text, "%d", interval);
  int referred = strcmp(status, "referred") == 0;
  const char *referral_name = referred ? json_string_value(json_object_get(rules.referral, "name")) : NULL;
  const char *referral_contact = referred ? json_string_value(json_object_get(rules.referral, "contact")) : NULL;
  const char *params[18] = {actor->community_id,
                            category_id,
                            resident_id,
                            actor->person_id,
                            description,
                            needed_by ? NULL : starts_at,
                            needed_by ? NULL : ends_at,
                            needed_by,
                            frequency,
                            until,
                            address,
                            lat_text,
                            lon_text,
                            json_is_true(in_home) || rules.in_home ? "true" : "false",
                            urgency,
                            status,
                            referral_name,
                            referral_contact};
  r = result_from_db(db_query(conn, "hr_insert", 18, params, &res), info);
  json_decref(rules.referral);
  char id[37] = "";
  if (r == RESULT_OK) snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  if (r == RESULT_OK) {
    const char *occ[3] = {actor->community_id, id, interval_text};
    r = result_from_db(db_exec(conn, "hr_occurrences", 3, occ), info);
  }
  if (r == RESULT_OK)
    r = help_request_record_transition(conn, actor, id, NULL, "submitted", on_behalf ? "entered_by_desk" : "submit",
                                       NULL, info);
  if (r == RESULT_OK && referred)
    r = help_request_record_transition(conn, actor, id, "submitted", "referred", "refer", policy_rule_message(rule),
                                       info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}
