#ifndef NOABER_HELP_REQUEST_SQL_H
#define NOABER_HELP_REQUEST_SQL_H

/* The SQL fragments the help request statements are built from. Private to the help request
 * files (src/help_requests.c reads requests with them); not for api/.
 *
 * A request's representation is built by PostgreSQL (json_build_object with the occurrences and
 * transitions in sub-selects), so a list is one query, not one per row.
 * Statement parameters shared by the representation: $2 caller manages the community (bool),
 * $3 caller's person id, $4 certificate validity in days. A list adds the page ($5..$8, see
 * LIST_START) and $9; hr_get passes the request id as $5. */

#include "paging.h" /* PAGING_SQL_AFTER, PAGE_SQL_MAX_FETCH */

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

#endif
