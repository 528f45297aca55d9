/* Help requests. Representations are built by PostgreSQL (json_build_object with the
 * occurrences and transitions in sub-selects), so a list is one query, not one per row.
 * Statement parameters shared by the representation: $2 caller manages the community (bool),
 * $3 caller's person id, $4 certificate validity in days. */
#include "help_requests.h"

#include <math.h>
#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "categories.h"
#include "fields.h"
#include "support/validate.h"
#include "volunteers.h"

#define SEES_PRIVATE "($2::bool OR h.resident_id = $3::uuid OR h.matched_volunteer_id = $3::uuid)"

#define REQUEST_DOC                                                                                              \
  "json_build_object('id', h.id, 'community_id', h.community_id, 'category_id', h.category_id, "                \
  "'description', h.description, 'resident_id', h.resident_id, 'resident_name', rp.display_name, "             \
  "'entered_by', h.entered_by, 'when', json_build_object('starts_at', api_ts(h.starts_at), "                    \
  "'ends_at', api_ts(h.ends_at), 'needed_by', api_ts(h.needed_by)), "                                           \
  "'recurrence', CASE WHEN h.recurrence IS NULL THEN NULL ELSE json_build_object('frequency', h.recurrence, "  \
  "'until', h.recurrence_until) END, 'in_home', h.in_home, 'urgency', h.urgency, 'status', h.status, "          \
  "'on_board', h.on_board, 'referral', CASE WHEN h.referral_name IS NULL THEN NULL ELSE json_build_object("    \
  "'name', h.referral_name, 'contact', COALESCE(h.referral_contact, ''), 'note', h.referral_note) END, "       \
  "'matched_volunteer_id', h.matched_volunteer_id, 'matched_volunteer_name', (SELECT mp.display_name FROM persons mp " \
  "WHERE mp.id = h.matched_volunteer_id), 'resident_confirmed', h.resident_confirmed, "                \
  "'place', CASE WHEN " SEES_PRIVATE " THEN json_build_object('address', h.place_address, 'lat', h.place_lat, " \
  "'lon', h.place_lon) END, 'resident_phone', CASE WHEN " SEES_PRIVATE " THEN rp.phone END, "                   \
  "'case_id', CASE WHEN $2::bool OR h.resident_id = $3::uuid THEN (SELECT sc.id FROM cases sc WHERE " \
  "sc.community_id = h.community_id AND sc.help_request_id = h.id ORDER BY sc.created_at LIMIT 1) END, " \
  "'created_at', api_ts(h.created_at), 'updated_at', api_ts(h.updated_at), "                                    \
  "'occurrences', (SELECT COALESCE(json_agg(json_build_object('id', o.id, 'starts_at', api_ts(o.starts_at), "  \
  "'ends_at', api_ts(o.ends_at), 'needed_by', api_ts(o.needed_by), 'status', o.status, "                       \
  "'volunteer_id', o.volunteer_id, 'hours', o.hours, 'note', o.note, 'completed_at', api_ts(o.completed_at), " \
  "'feedback', CASE WHEN o.feedback_at IS NULL THEN NULL ELSE json_build_object('positive', o.feedback_positive, " \
  "'text', COALESCE(o.feedback_text, ''), 'at', api_ts(o.feedback_at)) END) ORDER BY o.seq), '[]') "           \
  "FROM occurrences o WHERE o.community_id = h.community_id AND o.request_id = h.id), "                         \
  "'transitions', (SELECT COALESCE(json_agg(json_build_object('from', t.from_status, 'to', t.to_status, "      \
  "'action', t.action, 'actor_id', t.actor_id, 'note', t.note, 'at', api_ts(t.at)) ORDER BY t.at), '[]') "     \
  "FROM help_request_transitions t WHERE t.community_id = h.community_id AND t.request_id = h.id))::text, "     \
  "api_ts(h.updated_at), h.id"

#define FROM_REQUESTS " FROM help_requests h LEFT JOIN persons rp ON rp.id = h.resident_id "

/* Who sees a request in a community: coordinators all; the resident; the matched volunteer; a
 * volunteer it is offered to; an eligible volunteer while it is on the board. The one rule for
 * every read. Scalar sub-selects rather than EXISTS: PostgreSQL may plan an EXISTS as a hash of the
 * whole table, a scalar sub-select is always one index probe for the row at hand. */
#define VISIBLE                                                                                                 \
  "($2::bool OR h.resident_id = $3::uuid OR h.matched_volunteer_id = $3::uuid OR (SELECT true FROM offers o " \
  "WHERE o.community_id = h.community_id AND o.request_id = h.id AND o.volunteer_id = $3::uuid "                \
  "AND o.status IN ('pending', 'accepted')) OR (h.on_board AND h.status IN ('triaged', 'offered') AND "         \
  "volunteer_eligible(h.community_id, h.id, $4::int, $3::uuid)))"

/* Where a request visible to someone who does not manage the community can come from, each an
 * index lookup: their own, matched to them, offered to them, on the board. A superset: VISIBLE
 * still decides. */
#define VISIBLE_CANDIDATES                                                                                      \
  "h.id IN (SELECT r.id FROM help_requests r WHERE r.community_id = $1 AND r.resident_id = $3::uuid "          \
  "UNION SELECT r.id FROM help_requests r WHERE r.community_id = $1 AND r.matched_volunteer_id = $3::uuid "    \
  "UNION SELECT o.request_id FROM offers o WHERE o.community_id = $1 AND o.volunteer_id = $3::uuid "           \
  "AND o.status IN ('pending', 'accepted') "                                                                   \
  "UNION SELECT r.id FROM help_requests r WHERE r.community_id = $1 AND r.on_board "                           \
  "AND r.status IN ('triaged', 'offered'))"

/* A page of request documents: LIST_START, the WHERE clause about h, LIST_END. Keyset: $5
 * updated_since, $6/$7 cursor, $8 limit+1. The rows are chosen in an inner query whose LIMIT is
 * a constant, the largest page: with only `LIMIT $8` a generic plan must guess the page size, and
 * PostgreSQL guesses a tenth of the table, which on a large community can turn the ordered index
 * scan into a sort of everything. Documents are built only for the rows the outer LIMIT returns. */
#define LIST_START "SELECT " REQUEST_DOC " FROM (SELECT h.* FROM help_requests h "
#define LIST_END                                                                                      \
  " AND" PAGING_SQL_AFTER("h.updated_at", "h.id", "$5", "$6", "$7")                                   \
  "ORDER BY h.updated_at, h.id LIMIT " PAGE_SQL_MAX_FETCH ") h LEFT JOIN persons rp ON rp.id = h.resident_id " \
  "ORDER BY h.updated_at, h.id LIMIT $8"

/* The statuses of the partial indexes help_requests_open_idx and help_requests_closed_idx, written
 * out so PostgreSQL can prove a statement may read them. */
#define OPEN_STATUS "h.status IN ('submitted', 'triaged', 'offered', 'matched')"
#define CLOSED_STATUS "h.status IN ('referred', 'rejected', 'cancelled')"

/* $4 (certificate days) and $9 are passed to every list statement; one that has no use for them
 * still names them, so PostgreSQL knows their types. */
#define UNUSED_4 " AND $4::int IS NOT NULL"

static const struct db_statement statements[] = {
    /* The desk: every request, or those in one status ($9). A status is looked for among the open,
     * the done or the other closed requests, each an index of its own (0006_index_driven_rls.sql). */
    {"hr_page_all", LIST_START "WHERE h.community_id = $1 AND $2::bool AND $3::uuid IS NOT NULL "
                    "AND $9::help_status IS NULL" UNUSED_4 LIST_END},
    {"hr_page_open", LIST_START "WHERE h.community_id = $1 AND $2::bool AND $3::uuid IS NOT NULL "
                     "AND " OPEN_STATUS " AND h.status = $9::help_status" UNUSED_4 LIST_END},
    {"hr_page_done", LIST_START "WHERE h.community_id = $1 AND $2::bool AND $3::uuid IS NOT NULL "
                     "AND h.status = 'done' AND $9::help_status = 'done'" UNUSED_4 LIST_END},
    {"hr_page_closed", LIST_START "WHERE h.community_id = $1 AND $2::bool AND $3::uuid IS NOT NULL "
                       "AND " CLOSED_STATUS " AND h.status = $9::help_status" UNUSED_4 LIST_END},
    /* Anyone else: what VISIBLE lets them see, found through VISIBLE_CANDIDATES. */
    {"hr_page_visible", LIST_START "WHERE h.community_id = $1 AND " VISIBLE_CANDIDATES
                        " AND " VISIBLE " AND ($9::help_status IS NULL OR h.status = $9::help_status)" LIST_END},
    {"hr_board", LIST_START
                 "WHERE h.community_id = $1 AND NOT $2::bool AND h.on_board AND h.status IN ('triaged', 'offered') AND "
                 "volunteer_eligible(h.community_id, h.id, $4::int, $3::uuid)" LIST_END},
    /* The coordinator's queue, one statement per view so each reads its status index. */
    {"hr_queue_new", LIST_START "WHERE h.community_id = $1 AND $2::bool AND $3::uuid IS NOT NULL "
                     "AND " OPEN_STATUS " AND h.status = 'submitted'" UNUSED_4 LIST_END},
    {"hr_queue_unconfirmed", LIST_START "WHERE h.community_id = $1 AND $2::bool "
                             "AND $3::uuid IS NOT NULL AND " OPEN_STATUS " AND h.status = 'matched' "
                             "AND NOT h.resident_confirmed" UNUSED_4 LIST_END},
    {"hr_queue_needs_attention",
     LIST_START "WHERE h.community_id = $1 AND $2::bool AND $3::uuid IS NOT NULL "
     "AND " OPEN_STATUS " AND h.status IN ('submitted', 'triaged', 'offered') AND (COALESCE(h.needed_by, h.starts_at) < now() + interval '24 hours' "
     "OR (h.status IN ('triaged', 'offered') AND h.status_changed_at < now() - interval '3 days'))" UNUSED_4 LIST_END},
    /* /v1/me lists: row-level security scopes them to the person's communities. */
    {"hr_mine", LIST_START "WHERE h.resident_id = $3::uuid AND $1::uuid IS NULL AND NOT $2::bool"
                UNUSED_4 LIST_END},
    {"hr_tasks",
     LIST_START "JOIN (SELECT r.community_id, r.id FROM help_requests r "
     "WHERE r.matched_volunteer_id = $3::uuid AND r.status = 'matched' UNION SELECT o.community_id, o.request_id "
     "FROM offers o WHERE o.volunteer_id = $3::uuid AND o.status = 'pending') k ON k.community_id = h.community_id "
     "AND k.id = h.id WHERE $1::uuid IS NULL AND NOT $2::bool" UNUSED_4 LIST_END},
    {"hr_get", "SELECT " REQUEST_DOC FROM_REQUESTS "WHERE h.community_id = $1 AND h.id = $5 AND " VISIBLE},
    {"hr_lock",
     "SELECT status, resident_id, matched_volunteer_id, on_board FROM help_requests "
     "WHERE community_id = $1 AND id = $2 FOR UPDATE"},
    {"hr_read",
     "SELECT status, resident_id, matched_volunteer_id, on_board FROM help_requests "
     "WHERE community_id = $1 AND id = $2"},
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
    {"hr_transition",
     "INSERT INTO help_request_transitions (community_id, request_id, from_status, to_status, action, actor_id, "
     "note) VALUES ($1, $2, $3::help_status, $4::help_status, $5, $6, $7)"},
    {"hr_set_status",
     "UPDATE help_requests SET status = $3::help_status, status_changed_at = CASE WHEN status = $3::help_status "
     "THEN status_changed_at ELSE now() END, updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_refer",
     "UPDATE help_requests h SET referral_name = COALESCE($3, c.referral_name), "
     "referral_contact = COALESCE($4, c.referral_contact), referral_note = $5 FROM categories c "
     "WHERE h.community_id = $1 AND h.id = $2 AND c.community_id = h.community_id AND c.id = h.category_id"},
    {"hr_board_on", "UPDATE help_requests SET on_board = true, updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_confirm",
     "UPDATE help_requests SET resident_confirmed = true, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
    {"hr_match",
     "UPDATE help_requests SET matched_volunteer_id = $3, resident_confirmed = false, on_board = false, "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_match_occurrences",
     "UPDATE occurrences SET status = 'matched', volunteer_id = $3, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'open'"},
    {"hr_withdraw_others",
     "UPDATE offers SET status = 'withdrawn', answered_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'pending' AND volunteer_id <> $3"},
    {"hr_release",
     "WITH released AS (UPDATE offers SET status = 'released', updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND volunteer_id = $3 RETURNING 1), "
     "claimed AS (INSERT INTO offers (community_id, request_id, volunteer_id, status, created_by) "
     "SELECT $1, $2, $3, 'released', $3 WHERE NOT EXISTS (SELECT 1 FROM released) RETURNING 1), "
     "occ AS (UPDATE occurrences SET status = 'open', volunteer_id = NULL, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'matched' RETURNING 1) "
     "UPDATE help_requests SET matched_volunteer_id = NULL, resident_confirmed = false, "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_cancel_rest",
     "WITH occ AS (UPDATE occurrences SET status = 'cancelled', updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status IN ('open', 'matched') RETURNING 1) "
     "UPDATE offers SET status = 'withdrawn', answered_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'pending'"},
    {"hr_eligible_among",
     "SELECT e.person_id FROM eligible_volunteers($1, $2, $3::int, $4::uuid[]) e"},
    {"hr_offer_insert",
     "INSERT INTO offers (community_id, request_id, volunteer_id, created_by) SELECT $1, $2, v, $4 "
     "FROM unnest($3::uuid[]) v ON CONFLICT (community_id, request_id, volunteer_id) DO UPDATE "
     "SET status = 'pending', answered_at = NULL, reason = NULL, updated_at = clock_timestamp() "
     "WHERE offers.status = 'withdrawn'"},
    {"hr_event",
     "INSERT INTO events (community_id, kind, subject_id, recipient_id) SELECT $1, $2, $3, r "
     "FROM unnest($4::uuid[]) r"},
    /* Suggestions (help_requests_suggestions, sql/migrations/0009_lean_suggestions.sql): every
     * candidate with what bounds their score, then the room, recent hours and name of those named
     * in $2 (with their capacities in $3; $4 the hours the request needs). */
    {"hr_suggest_candidates",
     "SELECT person_id, km, helped_good, helped_bad, capacity_hours, preferred, hours_needed "
     "FROM volunteer_candidates($1, $2, $3::int)"},
    {"hr_suggest_room",
     "SELECT c.person_id, room.hours_28d, p.display_name "
     "FROM unnest($2::uuid[], $3::numeric[]) AS c(person_id, capacity_hours) "
     "CROSS JOIN LATERAL volunteer_room($1, c.person_id, c.capacity_hours, $4::numeric) room "
     "JOIN persons p ON p.id = c.person_id"},
    {"hr_offers",
     "SELECT json_build_object('id', id, 'request_id', request_id, 'volunteer_id', volunteer_id, 'status', status, "
     "'reason', reason, 'created_at', api_ts(created_at), 'answered_at', api_ts(answered_at))::text "
     "FROM offers WHERE community_id = $1 AND request_id = $2 ORDER BY created_at, volunteer_id"},
    {"hr_offer_lock",
     "SELECT o.request_id, o.volunteer_id, o.status, h.status FROM offers o JOIN help_requests h "
     "ON h.community_id = o.community_id AND h.id = o.request_id WHERE o.community_id = $1 AND o.id = $2 "
     "FOR UPDATE OF o, h"},
    {"hr_offer_answer",
     "UPDATE offers SET status = $3::offer_status, reason = $4, answered_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2 RETURNING json_build_object('id', id, 'request_id', request_id, "
     "'volunteer_id', volunteer_id, 'status', status, 'reason', reason, 'created_at', api_ts(created_at), "
     "'answered_at', api_ts(answered_at))::text"},
    {"hr_occurrence_lock",
     "SELECT status, volunteer_id FROM occurrences WHERE community_id = $1 AND request_id = $2 AND id = $3 "
     "FOR UPDATE"},
    {"hr_complete",
     "UPDATE occurrences SET status = 'done', hours = $4::numeric, note = $5, completed_at = now(), "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND request_id = $2 AND id = $3"},
    {"hr_all_finished",
     "SELECT NOT EXISTS (SELECT 1 FROM occurrences WHERE community_id = $1 AND request_id = $2 "
     "AND status IN ('open', 'matched'))"},
    {"hr_feedback",
     "UPDATE occurrences SET feedback_positive = $4, feedback_text = $5, feedback_at = now(), "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND request_id = $2 AND id = $3"},
    {"hr_touch", "UPDATE help_requests SET updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_occurrence_doc",
     "SELECT json_build_object('id', o.id, 'starts_at', api_ts(o.starts_at), 'ends_at', api_ts(o.ends_at), "
     "'needed_by', api_ts(o.needed_by), 'status', o.status, 'volunteer_id', o.volunteer_id, 'hours', o.hours, "
     "'note', o.note, 'completed_at', api_ts(o.completed_at), 'feedback', CASE WHEN o.feedback_at IS NULL THEN "
     "NULL ELSE json_build_object('positive', o.feedback_positive, 'text', COALESCE(o.feedback_text, ''), "
     "'at', api_ts(o.feedback_at)) END)::text FROM occurrences o WHERE o.community_id = $1 AND o.request_id = $2 "
     "AND o.id = $3"},
    {"hr_helpers",
     "SELECT COALESCE(array_to_json(array_agg(helper_id ORDER BY helper_id) FILTER (WHERE kind = 'preferred')), "
     "'[]')::text, COALESCE(array_to_json(array_agg(helper_id ORDER BY helper_id) FILTER (WHERE kind = 'blocked')), "
     "'[]')::text FROM resident_helpers WHERE community_id = $1 AND resident_id = $2"},
    {"hr_helpers_clear", "DELETE FROM resident_helpers WHERE community_id = $1 AND resident_id = $2"},
    {"hr_helpers_add",
     "INSERT INTO resident_helpers (community_id, resident_id, helper_id, kind) "
     "SELECT $1, $2, h, $4::helper_kind FROM unnest($3::uuid[]) h"},
    {"hr_members_among",
     "SELECT count(*) FROM memberships WHERE community_id = $1 AND person_id = ANY ($2::uuid[]) "
     "AND removed_at IS NULL"},
};

int help_requests_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* Run a request-document statement with the shared parameters ($1..$4), the page ($5..$8) or the
 * id ($5), and `extra` ($9), passing the first `nparams`; collect the documents. */
static enum result run_docs(struct db_conn *conn, const char *statement, int nparams, const char *community_id, int manager,
                            const char *viewer, const struct page_request *page, const char *extra, const char *id,
                            json_t **items, struct result_info *info) {
  char days[16], limit[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  snprintf(limit, sizeof limit, "%d", page != NULL ? page->limit + 1 : 1);
  const char *params[9] = {community_id,
                           manager ? "true" : "false",
                           viewer,
                           days,
                           page != NULL ? paging_param_since(page) : id,
                           page != NULL ? paging_param_after_ts(page) : NULL,
                           page != NULL ? paging_param_after_id(page) : NULL,
                           limit,
                           extra};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, statement, nparams, params, &res), info);
  if (r != RESULT_OK) return r;
  *items = fields_documents(res, 0);
  PQclear(res);
  return *items != NULL ? RESULT_OK : RESULT_ERROR;
}

static enum result page_of(struct db_conn *conn, const char *statement, int nparams, const char *community_id, int manager,
                           const char *viewer, const struct page_request *page, const char *extra, json_t **out,
                           struct result_info *info) {
  json_t *items = NULL;
  enum result r = run_docs(conn, statement, nparams, community_id, manager, viewer, page, extra, NULL, &items, info);
  if (r != RESULT_OK) return r;
  *out = paging_envelope(page, items, "updated_at", "id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result help_requests_list(struct db_conn *conn, const struct actor *actor, const char *status,
                               const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & (ROLE_RESIDENT | ROLE_VOLUNTEER | ROLE_COORDINATOR | ROLE_ADMIN))) return RESULT_FORBIDDEN;
  int manages = actor_manages(actor);
  const char *statement = !manages ? "hr_page_visible" : status == NULL ? "hr_page_all" : NULL;
  if (statement == NULL) {
    switch (help_status_from_name(status)) {
      case HELP_DONE: statement = "hr_page_done"; break;
      case HELP_REFERRED:
      case HELP_REJECTED:
      case HELP_CANCELLED: statement = "hr_page_closed"; break;
      default: statement = "hr_page_open"; break;
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
  *out = NULL;
  json_t *items = NULL;
  enum result r = run_docs(conn, "hr_get", 5, actor->community_id, actor_manages(actor), actor->person_id, NULL, NULL, id,
                           &items, info);
  if (r == RESULT_OK && json_array_size(items) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK) *out = json_incref(json_array_get(items, 0));
  json_decref(items);
  return r;
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

static enum result record_transition(struct db_conn *conn, const struct actor *actor, const char *id,
                                     const char *from, const char *to, const char *action, const char *note,
                                     struct result_info *info) {
  const char *params[7] = {actor->community_id, id, from, to, action, actor->person_id, note};
  return result_from_db(db_exec(conn, "hr_transition", 7, params), info);
}

enum result help_requests_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                 struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"category_id", "description", "resident_id", "when", "recurrence",
                                       "place", "in_home", "urgency", "record_referral", NULL};
  fields_only(body, fields, info);
  const char *category_id = fields_text(body, "category_id", 36, 36, 1, info);
  if (category_id != NULL && !valid_uuid(category_id)) result_field_error(info, "category_id", "invalid", "a category id");
  const char *description = fields_text(body, "description", 1, 2000, 1, info);
  const char *resident_id = fields_text(body, "resident_id", 36, 36, 0, info);
  if (resident_id != NULL && !valid_uuid(resident_id)) result_field_error(info, "resident_id", "invalid", "a person id");

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
    result_extension(info, "rule", json_pack("{s:s, s:s}", "code", policy_rule_code(rule), "message",
                                             policy_rule_message(rule)));
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
  const char *params[18] = {actor->community_id, category_id, resident_id, actor->person_id, description,
                            needed_by ? NULL : starts_at, needed_by ? NULL : ends_at, needed_by, frequency, until,
                            address, lat_text, lon_text, json_is_true(in_home) || rules.in_home ? "true" : "false",
                            urgency, status, referral_name, referral_contact};
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
    r = record_transition(conn, actor, id, NULL, "submitted", on_behalf ? "entered_by_desk" : "submit", NULL, info);
  if (r == RESULT_OK && referred)
    r = record_transition(conn, actor, id, "submitted", "referred", "refer", policy_rule_message(rule), info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

/* ---- the state machine ------------------------------------------------------------------- */

struct request_row {
  int status;
  char resident_id[37];
  char matched_volunteer_id[37]; /* "" when none */
  int on_board;
};

/* Read the request row, locked for this transaction when `lock` (changes take turns; reads need
 * not wait). RESULT_NOT_FOUND when it does not exist. */
static enum result read_request(struct db_conn *conn, const struct actor *actor, const char *id, int lock,
                                struct request_row *out, struct result_info *info) {
  const char *params[2] = {actor->community_id, id};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, lock ? "hr_lock" : "hr_read", 2, params, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK) {
    out->status = help_status_from_name(PQgetvalue(res, 0, 0));
    snprintf(out->resident_id, sizeof out->resident_id, "%s", PQgetvalue(res, 0, 1));
    snprintf(out->matched_volunteer_id, sizeof out->matched_volunteer_id, "%s", PQgetvalue(res, 0, 2));
    out->on_board = PQgetvalue(res, 0, 3)[0] == 't';
  }
  PQclear(res);
  return r;
}

/* The caller may not do this: 403 when they can see the request, 404 when they cannot, so
 * nobody learns that a request they may not see exists. */
static enum result hidden_or_forbidden(struct db_conn *conn, const struct actor *actor, const char *id,
                                       struct result_info *info) {
  json_t *visible = NULL;
  enum result r = help_requests_get(conn, actor, id, &visible, info);
  json_decref(visible);
  return r == RESULT_OK ? RESULT_FORBIDDEN : r;
}

/* The action is not allowed in the current state: 409 naming the state. */
static enum result not_now(struct result_info *info, int status) {
  info->detail = "this action is not allowed in the request's current state";
  result_extension(info, "current_state", json_string(help_status_name((enum help_status)status)));
  return RESULT_CONFLICT;
}

/* Move to `to` (recording the transition) unless it is the same status. */
static enum result move(struct db_conn *conn, const struct actor *actor, const char *id, int from, int to,
                        const char *action, const char *note, struct result_info *info) {
  const char *to_name = help_status_name((enum help_status)to);
  const char *params[3] = {actor->community_id, id, to_name};
  enum result r = result_from_db(db_exec(conn, "hr_set_status", 3, params), info);
  if (r == RESULT_OK)
    r = record_transition(conn, actor, id, help_status_name((enum help_status)from), to_name, action, note, info);
  return r;
}

static enum result notify(struct db_conn *conn, const struct actor *actor, const char *kind, const char *subject,
                          const char *recipients, struct result_info *info) {
  const char *params[4] = {actor->community_id, kind, subject, recipients};
  return result_from_db(db_exec(conn, "hr_event", 4, params), info);
}

/* Make `volunteer` the helper: the transition, the occurrences, the other offers. */
static enum result match_volunteer(struct db_conn *conn, const struct actor *actor, const char *id, int from,
                                   const char *volunteer, const char *action, struct result_info *info) {
  const char *params[3] = {actor->community_id, id, volunteer};
  enum result r = result_from_db(db_exec(conn, "hr_match", 3, params), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_match_occurrences", 3, params), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_withdraw_others", 3, params), info);
  if (r == RESULT_OK) r = move(conn, actor, id, from, HELP_MATCHED, action, NULL, info);
  char recipients[40];
  snprintf(recipients, sizeof recipients, "{%s}", volunteer);
  if (r == RESULT_OK) r = notify(conn, actor, "help_request.matched", id, recipients, info);
  return r;
}

/* Offer to volunteers (a JSON array of ids): each must pass the hard filters right now. */
static enum result offer_to(struct db_conn *conn, const struct actor *actor, const char *id, json_t *ids,
                            struct result_info *info) {
  if (!json_is_array(ids) || json_array_size(ids) < 1 || json_array_size(ids) > 10) {
    result_field_error(info, "volunteer_ids", "invalid", "1 to 10 volunteer ids");
    return RESULT_INVALID;
  }
  char *list = o_strdup("{");
  size_t i;
  json_t *item;
  json_array_foreach(ids, i, item) {
    if (!valid_uuid(json_string_value(item))) {
      result_field_error(info, "volunteer_ids", "invalid", "volunteer ids are UUIDs");
      break;
    }
    if (list != NULL) list = mstrcatf(list, "%s%s", i ? "," : "", json_string_value(item));
  }
  if (list != NULL) list = mstrcatf(list, "}");
  if (list == NULL) return RESULT_ERROR;
  if (info->errors != NULL) {
    o_free(list);
    return RESULT_INVALID;
  }
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  const char *params[4] = {actor->community_id, id, days, list};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "hr_eligible_among", 4, params, &res), info);
  if (r == RESULT_OK) {
    json_array_foreach(ids, i, item) {
      int eligible = 0;
      for (int row = 0; row < PQntuples(res); row++)
        eligible |= strcasecmp(PQgetvalue(res, row, 0), json_string_value(item)) == 0;
      if (!eligible) result_field_error(info, json_string_value(item), "not_eligible",
                                        "this volunteer does not pass the matching rules for this request");
    }
  }
  PQclear(res);
  if (r == RESULT_OK && info->errors != NULL) {
    info->detail = "some volunteers cannot be offered this request";
    r = RESULT_CONFLICT;
  }
  if (r == RESULT_OK) {
    const char *insert[4] = {actor->community_id, id, list, actor->person_id};
    r = result_from_db(db_exec(conn, "hr_offer_insert", 4, insert), info);
  }
  if (r == RESULT_OK) r = notify(conn, actor, "help_request.offered", id, list, info);
  o_free(list);
  return r;
}

enum result help_requests_act(struct db_conn *conn, const struct actor *actor, const char *id, const char *action_name,
                              json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  int action = help_action_from_name(action_name);
  if (action < 0) return RESULT_NOT_FOUND;
  static const char *const fields[] = {"note", "referral", "volunteer_ids", NULL};
  fields_only(body, fields, info);
  const char *note = fields_text(body, "note", 0, 500, 0, info);
  if (info->errors != NULL) return RESULT_INVALID;

  struct request_row req;
  enum result r = read_request(conn, actor, id, 1, &req, info);
  if (r != RESULT_OK) return r;
  int is_resident = strcmp(req.resident_id, actor->person_id) == 0;
  /* Who may do what: the desk runs the process; the resident cancels, confirms and asks for
   * someone else. Anyone else who cannot see the request learns nothing about it. */
  int allowed = actor_manages(actor) ||
                (is_resident && (action == ACTION_CANCEL || action == ACTION_CONFIRM || action == ACTION_ASK_OTHER));
  if (!allowed) return hidden_or_forbidden(conn, actor, id, info);
  int next = help_transition((enum help_status)req.status, (enum help_action)action);
  if (next < 0) return not_now(info, req.status);

  switch (action) {
    case ACTION_REFER: {
      json_t *referral = json_object_get(body, "referral");
      const char *name = json_string_value(json_object_get(referral, "name"));
      const char *contact = json_string_value(json_object_get(referral, "contact"));
      if (referral != NULL && (!json_is_object(referral) || !valid_text(name, 1, 200) ||
                               (contact != NULL && !valid_text(contact, 0, 200)))) {
        result_field_error(info, "referral", "invalid", "{name, contact}");
        return RESULT_INVALID;
      }
      const char *params[5] = {actor->community_id, id, name, contact, note};
      r = result_from_db(db_exec(conn, "hr_refer", 5, params), info);
      break;
    }
    case ACTION_OFFER:
      r = offer_to(conn, actor, id, json_object_get(body, "volunteer_ids"), info);
      if (r == RESULT_CONFLICT) result_extension(info, "current_state", json_string(help_status_name(req.status)));
      break;
    case ACTION_BOARD:
      r = result_from_db(db_exec(conn, "hr_board_on", 2, (const char *[]){actor->community_id, id}), info);
      break;
    case ACTION_CONFIRM:
      r = result_from_db(db_exec(conn, "hr_confirm", 2, (const char *[]){actor->community_id, id}), info);
      break;
    case ACTION_ASK_OTHER:
      r = result_from_db(
          db_exec(conn, "hr_release", 3, (const char *[]){actor->community_id, id, req.matched_volunteer_id}), info);
      break;
    case ACTION_CANCEL:
      r = result_from_db(db_exec(conn, "hr_cancel_rest", 2, (const char *[]){actor->community_id, id}), info);
      break;
    default:
      break;
  }
  if (r == RESULT_OK) r = move(conn, actor, id, req.status, next, action_name, note, info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r;
}

/* ---- matching ---------------------------------------------------------------------------- */

struct suggestion {
  char volunteer_id[37];
  char capacity_hours[16]; /* as PostgreSQL wrote it (numeric(4,1)), handed back to volunteer_room */
  char *display_name;      /* owned; NULL until volunteer_room confirmed the candidate */
  struct match_input in;
  struct match_factors factors; /* before confirmation: the bound, with no recent hours */
};

/* Best first; equal scores in a fixed order. */
static int by_score(const void *a, const void *b) {
  const struct suggestion *x = a, *y = b;
  if (x->factors.score != y->factors.score) return x->factors.score < y->factors.score ? 1 : -1;
  return strcmp(x->volunteer_id, y->volunteer_id);
}

static int by_volunteer_id(const void *a, const void *b) {
  return strcmp(((const struct suggestion *)a)->volunteer_id, ((const struct suggestion *)b)->volunteer_id);
}

static double round4(double v) { return round(v * 10000.0) / 10000.0; }

/* match_rank, rounded so that ties stay ties whatever the float noise. */
static void rank(struct suggestion *s) {
  match_rank(&s->in, &s->factors);
  s->factors.score = round4(s->factors.score);
}

/* One row of hr_suggest_candidates into *s, its score bounded: recent hours counted as none, the
 * most its load factor can be (match_rank's load factor falls as the hours grow). */
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
  s->in.hours_28d = 0.0;
  s->in.capacity_hours = atof(s->capacity_hours);
  s->in.preferred = PQgetvalue(res, row, 5)[0] == 't';
  rank(s);
  return 0;
}

/* "{...}" of the batch's volunteer ids and of their capacities, in the same order, for
 * hr_suggest_room. Both values come from PostgreSQL and need no quoting. The caller frees both. */
static int batch_arrays(const struct suggestion *batch, int n, char **ids, char **capacities) {
  *ids = o_malloc((size_t)n * sizeof batch->volunteer_id + 3);
  *capacities = o_malloc((size_t)n * sizeof batch->capacity_hours + 3);
  if (*ids == NULL || *capacities == NULL) return -1;
  char *i = *ids, *c = *capacities;
  *i++ = '{';
  *c++ = '{';
  for (int k = 0; k < n; k++) {
    if (k > 0) {
      *i++ = ',';
      *c++ = ',';
    }
    i = stpcpy(i, batch[k].volunteer_id);
    c = stpcpy(c, batch[k].capacity_hours);
  }
  strcpy(i, "}");
  strcpy(c, "}");
  return 0;
}

/* Ask volunteer_room about the `n` candidates of `batch` (reordered by id here): each one who is an
 * active volunteer with room is appended to confirmed[*count] with their recent hours, exact score
 * and name. */
static enum result confirm_candidates(struct db_conn *conn, const char *community_id, const char *hours_needed,
                                      struct suggestion *batch, int n, struct suggestion *confirmed, int *count,
                                      struct result_info *info) {
  qsort(batch, (size_t)n, sizeof *batch, by_volunteer_id); /* for bsearch below */
  char *ids = NULL, *capacities = NULL;
  enum result r = batch_arrays(batch, n, &ids, &capacities) == 0 ? RESULT_OK : RESULT_ERROR;
  PGresult *res = NULL;
  if (r == RESULT_OK)
    r = result_from_db(
        db_query(conn, "hr_suggest_room", 4, (const char *[]){community_id, ids, capacities, hours_needed}, &res),
        info);
  o_free(ids);
  o_free(capacities);
  for (int row = 0; r == RESULT_OK && row < PQntuples(res); row++) {
    struct suggestion key;
    snprintf(key.volunteer_id, sizeof key.volunteer_id, "%s", PQgetvalue(res, row, 0));
    const struct suggestion *found = bsearch(&key, batch, (size_t)n, sizeof *batch, by_volunteer_id);
    if (found == NULL) continue; /* not asked about: cannot happen */
    struct suggestion *s = &confirmed[*count];
    *s = *found;
    s->in.hours_28d = atof(PQgetvalue(res, row, 1));
    rank(s);
    s->display_name = o_strdup(PQgetvalue(res, row, 2));
    if (s->display_name == NULL) r = RESULT_ERROR;
    else (*count)++;
  }
  PQclear(res);
  return r;
}

/* The best `limit` volunteers for a request. Every candidate's score is first bounded (recent
 * hours counted as none); volunteer_room is then asked about the best-bounded ones, in batches
 * that double, until `limit` confirmed candidates score higher than the next one's bound: no
 * candidate not asked about could rank among them. Typically a few dozen of hundreds are asked. */
enum result help_requests_suggestions(struct db_conn *conn, const struct actor *actor, const char *id, int limit,
                                      json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  struct request_row req;
  enum result r = read_request(conn, actor, id, 0, &req, info);
  if (r != RESULT_OK) return r;
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  PGresult *res = NULL;
  r = result_from_db(
      db_query(conn, "hr_suggest_candidates", 3, (const char *[]){actor->community_id, id, days}, &res), info);
  if (r != RESULT_OK) return r;
  int count = PQntuples(res);
  struct suggestion *candidates = count > 0 ? o_malloc((size_t)count * sizeof *candidates) : NULL;
  struct suggestion *confirmed = count > 0 ? o_malloc((size_t)count * sizeof *confirmed) : NULL;
  char *hours_needed = count > 0 ? o_strdup(PQgetvalue(res, 0, 6)) : NULL; /* the same on every row */
  if (count > 0 && (candidates == NULL || confirmed == NULL || hours_needed == NULL)) r = RESULT_ERROR;
  for (int i = 0; r == RESULT_OK && i < count; i++)
    if (read_candidate(res, i, &candidates[i]) != 0) r = RESULT_ERROR;
  PQclear(res);
  if (r == RESULT_OK && count > 1) qsort(candidates, (size_t)count, sizeof *candidates, by_score);
  int confirmed_count = 0;
  for (int next = 0, batch = 2 * limit; r == RESULT_OK && next < count; batch *= 2) {
    int n = count - next < batch ? count - next : batch;
    r = confirm_candidates(conn, actor->community_id, hours_needed, candidates + next, n, confirmed, &confirmed_count,
                           info);
    next += n;
    if (confirmed_count > 1) qsort(confirmed, (size_t)confirmed_count, sizeof *confirmed, by_score);
    if (confirmed_count >= limit && (next == count || confirmed[limit - 1].factors.score > candidates[next].factors.score))
      break;
  }
  json_t *items = r == RESULT_OK ? json_array() : NULL;
  for (int i = 0; items != NULL && i < confirmed_count && i < limit; i++) {
    const struct suggestion *s = &confirmed[i];
    char reason[256];
    match_reason(&s->in, reason, sizeof reason);
    json_array_append_new(
        items, json_pack("{s:s, s:s, s:f, s:{s:f, s:f, s:f, s:f}, s:f, s:s}", "volunteer_id", s->volunteer_id,
                         "display_name", s->display_name, "score", s->factors.score, "factors", "distance",
                         round4(s->factors.distance), "continuity", round4(s->factors.continuity), "load",
                         round4(s->factors.load), "preferred", s->factors.preferred, "distance_km",
                         round(s->in.km * 100.0) / 100.0, "reason", reason));
  }
  for (int i = 0; i < confirmed_count; i++) o_free(confirmed[i].display_name);
  o_free(confirmed);
  o_free(candidates);
  o_free(hours_needed);
  if (r != RESULT_OK) {
    json_decref(items);
    return r;
  }
  *out = items != NULL ? json_pack("{s:o}", "items", items) : NULL;
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

/* ---- offers, the board, occurrences ------------------------------------------------------ */

enum result help_requests_offers(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                                 struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  struct request_row req;
  enum result r = read_request(conn, actor, id, 0, &req, info);
  PGresult *res = NULL;
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "hr_offers", 2, (const char *[]){actor->community_id, id}, &res), info);
  if (r != RESULT_OK) return r;
  json_t *items = fields_documents(res, 0);
  PQclear(res);
  *out = items != NULL ? json_pack("{s:o}", "items", items) : NULL;
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result help_requests_answer_offer(struct db_conn *conn, const struct actor *actor, const char *offer_id,
                                       int accept, const char *reason, json_t **out, struct result_info *info) {
  *out = NULL;
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "hr_offer_lock", 2, (const char *[]){actor->community_id, offer_id}, &res), info);
  if (r == RESULT_OK && (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 1), actor->person_id) != 0))
    r = RESULT_NOT_FOUND; /* someone else's offer is none of this caller's business */
  char request_id[37] = "";
  int request_status = -1;
  if (r == RESULT_OK) {
    snprintf(request_id, sizeof request_id, "%s", PQgetvalue(res, 0, 0));
    request_status = help_status_from_name(PQgetvalue(res, 0, 3));
    if (strcmp(PQgetvalue(res, 0, 2), "pending") != 0) {
      info->detail = "this offer was already answered, withdrawn or taken by someone else";
      r = RESULT_CONFLICT;
    }
  }
  PQclear(res);
  if (r == RESULT_OK && accept) {
    if (help_transition((enum help_status)request_status, ACTION_MATCH) < 0) return not_now(info, request_status);
    r = match_volunteer(conn, actor, request_id, request_status, actor->person_id, "accept", info);
  }
  if (r != RESULT_OK) return r;
  const char *params[4] = {actor->community_id, offer_id, accept ? "accepted" : "declined", reason};
  r = result_from_db(db_query(conn, "hr_offer_answer", 4, params, &res), info);
  if (r == RESULT_OK && (*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_touch", 2, (const char *[]){actor->community_id, request_id}), info);
  return r;
}

enum result help_requests_claim(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                                struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & ROLE_VOLUNTEER)) return RESULT_FORBIDDEN;
  struct request_row req;
  /* The row lock makes concurrent claims take turns: the second sees the first one's match. */
  enum result r = read_request(conn, actor, id, 1, &req, info);
  if (r != RESULT_OK) return r;
  /* A request that left the board (someone else claimed it first) is a conflict, not a secret:
   * the claimant saw it there a moment ago. */
  if (!req.on_board || help_transition((enum help_status)req.status, ACTION_MATCH) < 0) {
    enum result conflict = not_now(info, req.status);
    info->detail = "this request is not (or no longer) on the board";
    return conflict;
  }
  char days[16], me[40];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  snprintf(me, sizeof me, "{%s}", actor->person_id);
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "hr_eligible_among", 4, (const char *[]){actor->community_id, id, days, me}, &res),
                     info);
  int eligible = r == RESULT_OK && PQntuples(res) == 1;
  PQclear(res);
  if (r != RESULT_OK) return r;
  if (!eligible) {
    info->detail = "you do not pass the matching rules for this request";
    return RESULT_FORBIDDEN;
  }
  r = match_volunteer(conn, actor, id, req.status, actor->person_id, "claim", info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r;
}

static enum result occurrence_doc(struct db_conn *conn, const struct actor *actor, const char *id,
                                  const char *occurrence_id, json_t **out, struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "hr_occurrence_doc", 3, (const char *[]){actor->community_id, id, occurrence_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && (*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  return r;
}

/* Lock one occurrence of a request; fills its status and volunteer ("" when none). */
static enum result lock_occurrence(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, char status[16], char volunteer[37],
                                   struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "hr_occurrence_lock", 3, (const char *[]){actor->community_id, id, occurrence_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK) {
    snprintf(status, 16, "%s", PQgetvalue(res, 0, 0));
    snprintf(volunteer, 37, "%s", PQgetvalue(res, 0, 1));
  }
  PQclear(res);
  return r;
}

enum result help_requests_complete(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, double hours, const char *note, json_t **out,
                                   struct result_info *info) {
  *out = NULL;
  struct request_row req;
  char status[16], volunteer[37];
  enum result r = read_request(conn, actor, id, 1, &req, info);
  if (r == RESULT_OK) r = lock_occurrence(conn, actor, id, occurrence_id, status, volunteer, info);
  if (r != RESULT_OK) return r;
  if (strcmp(volunteer, actor->person_id) != 0) {
    enum result hidden = hidden_or_forbidden(conn, actor, id, info);
    info->detail = "only the volunteer doing this task completes it";
    return hidden;
  }
  if (strcmp(status, "matched") != 0) {
    enum result conflict = not_now(info, req.status);
    info->detail = "this occurrence is not open for completion";
    return conflict;
  }
  char hours_text[16];
  snprintf(hours_text, sizeof hours_text, "%.2f", hours);
  const char *params[5] = {actor->community_id, id, occurrence_id, hours_text, note};
  r = result_from_db(db_exec(conn, "hr_complete", 5, params), info);
  PGresult *res = NULL;
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "hr_all_finished", 2, (const char *[]){actor->community_id, id}, &res), info);
  int finished = r == RESULT_OK && PQgetvalue(res, 0, 0)[0] == 't';
  PQclear(res);
  if (r == RESULT_OK && finished) r = move(conn, actor, id, req.status, HELP_DONE, "finish", NULL, info);
  else if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_touch", 2, (const char *[]){actor->community_id, id}), info);
  if (r == RESULT_OK) r = occurrence_doc(conn, actor, id, occurrence_id, out, info);
  return r;
}

enum result help_requests_feedback(struct db_conn *conn, const struct actor *actor, const char *id,
                                   const char *occurrence_id, int positive, const char *text, json_t **out,
                                   struct result_info *info) {
  *out = NULL;
  struct request_row req;
  char status[16], volunteer[37];
  enum result r = read_request(conn, actor, id, 1, &req, info);
  if (r == RESULT_OK) r = lock_occurrence(conn, actor, id, occurrence_id, status, volunteer, info);
  if (r != RESULT_OK) return r;
  if (strcmp(req.resident_id, actor->person_id) != 0) {
    enum result hidden = hidden_or_forbidden(conn, actor, id, info);
    info->detail = "only the resident gives feedback";
    return hidden;
  }
  if (strcmp(status, "done") != 0) {
    enum result conflict = not_now(info, req.status);
    info->detail = "feedback comes after the task is done";
    return conflict;
  }
  const char *params[5] = {actor->community_id, id, occurrence_id, positive ? "true" : "false", text};
  r = result_from_db(db_exec(conn, "hr_feedback", 5, params), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_touch", 2, (const char *[]){actor->community_id, id}), info);
  if (r == RESULT_OK) r = occurrence_doc(conn, actor, id, occurrence_id, out, info);
  return r;
}

/* ---- the resident's helpers -------------------------------------------------------------- */

enum result help_requests_helpers_get(struct db_conn *conn, const struct actor *actor, json_t **out,
                                      struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & ROLE_RESIDENT)) return RESULT_FORBIDDEN;
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "hr_helpers", 2, (const char *[]){actor->community_id, actor->person_id}, &res), info);
  if (r == RESULT_OK) {
    *out = json_pack("{s:o, s:o}", "preferred", json_loads(PQgetvalue(res, 0, 0), 0, NULL), "blocked",
                     json_loads(PQgetvalue(res, 0, 1), 0, NULL));
    if (*out == NULL) r = RESULT_ERROR;
  }
  PQclear(res);
  return r;
}

/* A JSON array of distinct person ids as a PostgreSQL array literal; NULL with a field error. */
static char *id_list(json_t *ids, const char *field, struct result_info *info) {
  if (!json_is_array(ids) || json_array_size(ids) > 50) {
    result_field_error(info, field, "invalid", "a list of at most 50 person ids");
    return NULL;
  }
  char *list = o_strdup("{");
  size_t i;
  json_t *item;
  json_array_foreach(ids, i, item) {
    if (!valid_uuid(json_string_value(item))) {
      result_field_error(info, field, "invalid", "person ids are UUIDs");
      o_free(list);
      return NULL;
    }
    if (list != NULL) list = mstrcatf(list, "%s%s", i ? "," : "", json_string_value(item));
  }
  return list != NULL ? mstrcatf(list, "}") : NULL;
}

enum result help_requests_helpers_put(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                                      struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & ROLE_RESIDENT)) return RESULT_FORBIDDEN;
  static const char *const fields[] = {"preferred", "blocked", NULL};
  fields_only(body, fields, info);
  json_t *preferred_ids = json_object_get(body, "preferred"), *blocked_ids = json_object_get(body, "blocked");
  char *preferred = id_list(preferred_ids, "preferred", info);
  char *blocked = id_list(blocked_ids, "blocked", info);
  size_t i, j;
  json_t *a, *b;
  if (preferred != NULL && blocked != NULL) {
    json_array_foreach(preferred_ids, i, a) {
      json_array_foreach(blocked_ids, j, b) {
        if (strcasecmp(json_string_value(a), json_string_value(b)) == 0)
          result_field_error(info, "blocked", "conflict", "a helper cannot be both preferred and blocked");
      }
    }
  }
  enum result r = info->errors != NULL || preferred == NULL || blocked == NULL ? RESULT_INVALID : RESULT_OK;
  PGresult *res = NULL;
  if (r == RESULT_OK) {
    /* Every id must be a member of this community. */
    size_t expected = json_array_size(preferred_ids) + json_array_size(blocked_ids);
    long found = 0;
    for (int k = 0; k < 2 && r == RESULT_OK; k++) {
      r = result_from_db(
          db_query(conn, "hr_members_among", 2, (const char *[]){actor->community_id, k ? blocked : preferred}, &res),
          info);
      if (r == RESULT_OK) found += atol(PQgetvalue(res, 0, 0));
      PQclear(res);
    }
    if (r == RESULT_OK && (size_t)found != expected) {
      result_field_error(info, "preferred", "unknown_person", "every helper must be a member of this community");
      r = RESULT_INVALID;
    }
  }
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "hr_helpers_clear", 2, (const char *[]){actor->community_id, actor->person_id}), info);
  if (r == RESULT_OK)
    r = result_from_db(db_exec(conn, "hr_helpers_add", 4,
                               (const char *[]){actor->community_id, actor->person_id, preferred, "preferred"}),
                       info);
  if (r == RESULT_OK)
    r = result_from_db(
        db_exec(conn, "hr_helpers_add", 4, (const char *[]){actor->community_id, actor->person_id, blocked, "blocked"}),
        info);
  o_free(preferred);
  o_free(blocked);
  if (r == RESULT_OK) r = help_requests_helpers_get(conn, actor, out, info);
  return r;
}
