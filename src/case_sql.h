/* SQL fragments of the case statements (src/case_access.c, cases.c, case_participants.c,
 * case_actions.c, case_consent.c, access_log.c). Private to those files; statement texts must not
 * change when they move (tests/plans compares plans by statement name). */
#ifndef NOABER_CASE_SQL_H
#define NOABER_CASE_SQL_H

#include "paging.h"

/* $3 is the caller. */
#define CASE_DOC                                                                                                  \
  "json_build_object('id', c.id, 'community_id', c.community_id, 'status', c.status, 'restricted', NOT v.sees, " \
  "'title', CASE WHEN v.sees THEN c.title END, 'subject_id', CASE WHEN v.sees THEN c.subject_id END, "            \
  "'subject_name', CASE WHEN v.sees THEN (SELECT sp.display_name FROM persons sp WHERE sp.id = c.subject_id) END, " \
  "'lead', json_build_object('person_id', c.lead_person_id, 'display_name', (SELECT lp.display_name FROM persons " \
  "lp WHERE lp.id = c.lead_person_id), 'since', api_ts(c.lead_since)), "                                           \
  "'participants', CASE WHEN v.sees THEN (SELECT json_agg(json_build_object('id', p.id, 'person_id', p.person_id, " \
  "'display_name', pp.display_name, 'role', p.role, 'organisation', p.organisation, 'representative', "           \
  "p.representative, 'added_at', api_ts(p.added_at)) ORDER BY p.added_at, p.id) FROM case_participants p "         \
  "JOIN persons pp ON pp.id = p.person_id WHERE p.community_id = c.community_id AND p.case_id = c.id) END, "        \
  "'help_request_id', c.help_request_id, 'outcome', CASE WHEN v.sees THEN c.outcome END, "                         \
  "'created_at', api_ts(c.created_at), 'updated_at', api_ts(c.updated_at), 'closed_at', api_ts(c.closed_at))::text, " \
  "api_ts(c.updated_at), c.id"

/* v.sees: whether the caller ($3) sees the case's basic facts (false when not on the case). */
#define CASE_VIEWER                                                                                   \
  " CROSS JOIN LATERAL (SELECT COALESCE(bool_or(cv.sees_basic), false) AS sees "                      \
  "FROM case_viewer(c.community_id, c.id, $3::uuid) cv) v "
#define CASE_FROM " FROM cases c" CASE_VIEWER

/* The caller's ($3) view of one case ($1, $2), for cases_load_access. */
#define CASE_ACCESS                                                                                   \
  "SELECT c.subject_id, c.status, c.lead_person_id = $3::uuid, v.role, COALESCE(v.organisation, ''), " \
  "COALESCE(v.representative, false), COALESCE(v.sees_basic, false), c.lead_person_id FROM cases c "   \
  "LEFT JOIN LATERAL case_viewer(c.community_id, c.id, $3::uuid) v ON true WHERE c.community_id = $1 AND c.id = $2"

#define ACTION_DOC                                                                                               \
  "json_build_object('id', a.id, 'case_id', a.case_id, 'community_id', a.community_id, 'title', a.title, "       \
  "'owner_id', a.owner_id, 'owner_name', (SELECT op.display_name FROM persons op WHERE op.id = a.owner_id), "     \
  "'due_on', a.due_on, 'status', a.status, 'overdue', COALESCE(a.due_on < community_today() AND a.status IN "          \
  "('open', 'in_progress'), false), 'created_by', a.created_by, 'created_at', api_ts(a.created_at), "             \
  "'updated_at', api_ts(a.updated_at))::text"

#define ACCESS_DOC                                                                                         \
  "json_build_object('id', l.id, 'at', api_ts(l.at), 'actor_id', l.actor_id, 'actor_roles', "               \
  "to_json(l.actor_roles), 'actor_organisation', l.actor_organisation, 'subject_id', l.subject_id, 'case_id', " \
  "l.case_id, 'resource', l.resource, 'action', l.action, 'outcome', l.outcome, 'status', l.status)::text, "    \
  "api_ts(l.at), l.id"

/* /v1/me/actions: $1 the person, $2 overdue only / not overdue / both (NULL), keyset $3..$5, $6 limit.
 * Row-level security scopes them to the person's communities. */
#define MY_ACTIONS_FILTER                                                                                     \
  " AND a.status IN ('open', 'in_progress') AND ($2::bool IS NULL OR COALESCE(a.due_on < community_today(), false) = $2::bool) " \
  "AND" PAGING_SQL_AFTER("a.updated_at", "a.id", "$3", "$4", "$5") "ORDER BY a.updated_at, a.id LIMIT $6"

#endif
