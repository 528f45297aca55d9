/* Help requests: reading them (lists, the board, the queue, /v1/me, one request) and creating
 * them under their category's policy. The representation and who sees what are SQL functions
 * (sql/functions/help_requests.sql). */
#include "help_requests.h"
#include "documents.h"

#include <stdio.h>
#include <string.h>

#include "fields.h"
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

/* The desk's views of one status (or queue): with an updated_since ($5 above -infinity), the
 * requests that changed since and are no longer in the view (`not_in_view`, an SQL condition on
 * h) come back as tombstones, merged in the same keyset order: a triaged request leaves the
 * "submitted" view of a desk's phone. They are found among the community's changes since
 * (help_requests_sync_idx), so the cost is that of the changes, as for the view itself. */
#define LEFT_THE_VIEW(not_in_view)                                                                                     \
  "UNION ALL (SELECT sync_tombstone_doc(h.id, h.updated_at), h.updated_at, h.id FROM help_requests h "                 \
  "WHERE h.community_id = $1 AND $2::bool AND $5::timestamptz > '-infinity'::timestamptz "                             \
  "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "                         \
  "AND " not_in_view " ORDER BY h.updated_at, h.id LIMIT 101)) x ORDER BY x.updated_at, x.id LIMIT $8"

/* The queue's handler filter: $9 the handler (NULL: anyone's), $10 only those nobody handles
 * (sql/migrations/0022). A filter on the rows the status index gives, so each queue statement
 * still reads its status index. */
#define HANDLER_MATCHES                                                                                                \
  "($9::uuid IS NULL OR h.handler_id IS NOT DISTINCT FROM $9::uuid) AND (NOT $10::bool OR h.handler_id IS NULL)"

static const struct db_statement statements[] = {
    /* The desk: every request, or those in one status ($9). */
    {"hr_page_all",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL AND $9::help_status IS NULL "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    {"hr_page_open",
     "SELECT x.doc FROM ((SELECT d.doc, p.updated_at, p.id FROM (SELECT h, h.updated_at, h.id FROM help_requests h "
     "WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('submitted', 'triaged', 'offered', 'matched') AND h.status = $9::help_status "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d) " LEFT_THE_VIEW(
         "NOT h.status = $9::help_status")},
    {"hr_page_done",
     "SELECT x.doc FROM ((SELECT d.doc, p.updated_at, p.id FROM (SELECT h, h.updated_at, h.id FROM help_requests h "
     "WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL AND h.status = 'done' AND $9::help_status = 'done' "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d) " LEFT_THE_VIEW(
         "NOT h.status = 'done'")},
    {"hr_page_closed",
     "SELECT x.doc FROM ((SELECT d.doc, p.updated_at, p.id FROM (SELECT h, h.updated_at, h.id FROM help_requests h "
     "WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('referred', 'rejected', 'cancelled') AND h.status = $9::help_status "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d) " LEFT_THE_VIEW(
         "NOT h.status = $9::help_status")},
    /* The desk: the requests on one track ($10), optionally in one status ($9), from the track's
     * own index (sql/migrations/0021); with updated_since, those that left it as tombstones. */
    {"hr_page_track",
     "SELECT x.doc FROM ((SELECT d.doc, p.updated_at, p.id FROM (SELECT h, h.updated_at, h.id FROM help_requests h "
     "WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL AND h.track IS NOT NULL AND h.track = $10::text "
     "AND ($9::help_status IS NULL OR h.status = $9::help_status) "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d) " LEFT_THE_VIEW(
         "NOT (h.track IS NOT DISTINCT FROM $10::text AND ($9::help_status IS NULL OR h.status = $9::help_status))")},
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
     "SELECT x.doc FROM ((SELECT d.doc, p.updated_at, p.id FROM (SELECT h, h.updated_at, h.id FROM help_requests h "
     "WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('submitted', 'triaged', 'offered', 'matched') AND h.status = 'submitted' AND " HANDLER_MATCHES
     " "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d) " LEFT_THE_VIEW(
         "NOT (h.status = 'submitted' AND " HANDLER_MATCHES ")")},
    {"hr_queue_unconfirmed",
     "SELECT x.doc FROM ((SELECT d.doc, p.updated_at, p.id FROM (SELECT h, h.updated_at, h.id FROM help_requests h "
     "WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('submitted', 'triaged', 'offered', 'matched') AND h.status = 'matched' AND NOT h.resident_confirmed "
     "AND " HANDLER_MATCHES " "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d) " LEFT_THE_VIEW(
         "NOT (h.status = 'matched' AND NOT h.resident_confirmed AND " HANDLER_MATCHES ")")},
    /* Due within a day, waiting for a volunteer for three days, or its helper stepped back
     * (sql/migrations/0014). A request entered while the desk was closed waits from the desk's
     * next opening, not from its entry (expected_answer_by, sql/migrations/0022; GREATEST skips
     * a NULL). */
    {"hr_queue_needs_attention",
     "SELECT d.* FROM (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND $2::bool "
     "AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL "
     "AND h.status IN ('submitted', 'triaged', 'offered', 'matched') AND h.status IN ('submitted', 'triaged', 'offered') "
     "AND (COALESCE(h.needed_by, h.starts_at) < now() + interval '24 hours' "
     "OR (h.status IN ('triaged', 'offered') "
     "AND GREATEST(h.status_changed_at, h.expected_answer_by) < now() - interval '3 days') "
     "OR h.stepped_back_at IS NOT NULL) AND " HANDLER_MATCHES " "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    /* A referral whose follow-up date has passed while its outcome is still open (sent or
     * accepted): found from the open referrals' partial index (sql/migrations/0021), each request
     * then by its key, so the cost is that of the view, not of the community's requests (the
     * LATERAL ... OFFSET 0 keeps a generic plan from walking the requests in list order instead).
     * Depends on the clock like needs_attention: no tombstones. */
    {"hr_queue_follow_up",
     "SELECT d.* FROM (SELECT x.h, x.updated_at, x.id FROM (SELECT DISTINCT r.request_id FROM referrals r "
     "WHERE r.community_id = $1 AND r.outcome IN ('sent', 'accepted') AND r.follow_up_on < community_today()) k, "
     "LATERAL (SELECT h, h.updated_at, h.id FROM help_requests h WHERE h.community_id = $1 AND h.id = k.request_id "
     "AND $2::bool AND $3::uuid IS NOT NULL AND $4::int IS NOT NULL AND " HANDLER_MATCHES " "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) OFFSET 0) x "
     "ORDER BY x.updated_at, x.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d ORDER BY p.updated_at, p.id LIMIT $8"},
    /* /v1/me lists: row-level security scopes them to the person's communities. With an
     * updated_since ($5 above -infinity), the tombstones of those that left since (the person was
     * removed from their community: sql/migrations/0015_sync_tombstones.sql). */
    {"hr_mine",
     "SELECT x.doc FROM (SELECT d.doc, p.updated_at, p.id FROM (SELECT h, h.updated_at, h.id FROM help_requests h "
     "WHERE h.resident_id = $3::uuid "
     "AND $1::uuid IS NULL AND NOT $2::bool AND $4::int IS NOT NULL "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d "
     "UNION ALL (SELECT sync_tombstone_doc(t.item_id, t.removed_at), t.removed_at, t.item_id FROM sync_tombstones t "
     "WHERE t.person_id = $3::uuid AND t.kind = 'request' AND $5::timestamptz > '-infinity'::timestamptz "
     "AND t.removed_at > $5::timestamptz AND (t.removed_at, t.item_id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY t.removed_at, t.item_id LIMIT 101)) x ORDER BY x.updated_at, x.id LIMIT $8"},
    /* Matched to the caller, or offered to them and not yet answered; with an updated_since
     * ($5 above -infinity), the tombstones of the tasks that left the list since
     * (sql/migrations/0015_sync_tombstones.sql) in the same keyset order. */
    {"hr_tasks",
     "SELECT x.doc FROM (SELECT d.doc, p.updated_at, p.id FROM (SELECT h, h.updated_at, h.id FROM help_requests h "
     "JOIN (SELECT r.community_id, r.id "
     "FROM help_requests r WHERE r.matched_volunteer_id = $3::uuid AND r.status = 'matched' "
     "UNION SELECT o.community_id, o.request_id FROM offers o WHERE o.volunteer_id = $3::uuid AND o.status = 'pending') k "
     "ON k.community_id = h.community_id AND k.id = h.id WHERE $1::uuid IS NULL AND NOT $2::bool AND $4::int IS NOT NULL "
     "AND h.updated_at > $5::timestamptz AND (h.updated_at, h.id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY h.updated_at, h.id LIMIT 101) p, help_request_doc(p.h, $2, $3) d "
     "UNION ALL (SELECT sync_tombstone_doc(t.item_id, t.removed_at), t.removed_at, t.item_id FROM sync_tombstones t "
     "WHERE t.person_id = $3::uuid AND t.kind = 'task' AND $5::timestamptz > '-infinity'::timestamptz "
     "AND t.removed_at > $5::timestamptz AND (t.removed_at, t.item_id) > ($6::timestamptz, $7::uuid) "
     "ORDER BY t.removed_at, t.item_id LIMIT 101)) x ORDER BY x.updated_at, x.id LIMIT $8"},
    {"hr_get",
     "SELECT d.* FROM help_requests_visible($1, $2, $3, $4) h, help_request_doc(h, $2, $3) d WHERE h.id = $5"},
};

int help_requests_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* A page of request documents from a list statement (parameters as described above the
 * statements), `extra` its $9 and `extra2` its $10. */
static enum result page_with(struct db_conn *conn, const char *statement, int nparams, const char *community_id,
                             int manager, const char *viewer, const struct page_request *page, const char *extra,
                             const char *extra2, json_t **out, struct result_info *info) {
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  const char *params[10] = {community_id,
                            manager ? "true" : "false",
                            viewer,
                            days,
                            paging_param_since(page),
                            paging_param_after_ts(page),
                            paging_param_after_id(page),
                            paging_param_fetch(page),
                            extra,
                            extra2};
  return documents_sync_page(conn, statement, nparams, params, page, "updated_at", "id", out, info);
}

static enum result page_of(struct db_conn *conn, const char *statement, int nparams, const char *community_id,
                           int manager, const char *viewer, const struct page_request *page, const char *extra,
                           json_t **out, struct result_info *info) {
  return page_with(conn, statement, nparams, community_id, manager, viewer, page, extra, NULL, out, info);
}

int help_requests_status_filter(const char *status, struct result_info *info) {
  if (status == NULL || help_status_from_name(status) >= 0) return 0;
  result_field_error(info, "status", "invalid", "one of the help request statuses");
  return -1;
}

int help_requests_track_filter(const char *track, struct result_info *info) {
  if (track == NULL) return 0;
  return fields_choice("track", track, help_track_names, "informal, professional, business or wmo_avoided", info) >= 0
             ? 0
             : -1;
}

int help_requests_queue_view(const char *view, struct result_info *info) {
  static const char *const views[] = {"new", "needs_attention", "unconfirmed", "follow_up", NULL};
  return fields_choice("view", view, views, "new, needs_attention, unconfirmed or follow_up", info) >= 0 ? 0 : -1;
}

enum result help_requests_list(struct db_conn *conn, const struct actor *actor, const char *status, const char *track,
                               const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & (ROLE_RESIDENT | ROLE_VOLUNTEER | ROLE_COORDINATOR | ROLE_ADMIN))) return RESULT_FORBIDDEN;
  int manages = actor_manages(actor);
  /* The track is the desk's: nobody else filters by it. */
  if (track != NULL) {
    if (!manages) return RESULT_FORBIDDEN;
    return page_with(conn, "hr_page_track", 10, actor->community_id, 1, actor->person_id, page, status, track, out,
                     info);
  }
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

int help_requests_queue_handler(const char *handler, struct result_info *info) {
  if (handler == NULL || strcmp(handler, "me") == 0 || strcmp(handler, "none") == 0 || valid_uuid(handler)) return 0;
  result_field_error(info, "handler", "invalid", "me, none or a coordinator's person id");
  return -1;
}

enum result help_requests_queue(struct db_conn *conn, const struct actor *actor, const char *view, const char *handler,
                                const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  const char *statement = strcmp(view, "new") == 0           ? "hr_queue_new"
                          : strcmp(view, "unconfirmed") == 0 ? "hr_queue_unconfirmed"
                          : strcmp(view, "follow_up") == 0   ? "hr_queue_follow_up"
                                                             : "hr_queue_needs_attention";
  int nobody = handler != NULL && strcmp(handler, "none") == 0;
  const char *handler_id = handler == NULL || nobody ? NULL : strcmp(handler, "me") == 0 ? actor->person_id : handler;
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  const char *params[10] = {actor->community_id,
                            "true",
                            actor->person_id,
                            days,
                            paging_param_since(page),
                            paging_param_after_ts(page),
                            paging_param_after_id(page),
                            paging_param_fetch(page),
                            handler_id,
                            nobody ? "true" : "false"};
  return documents_sync_page(conn, statement, 10, params, page, "updated_at", "id", out, info);
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
