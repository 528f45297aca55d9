/* Offers, accepting and declining them, and claiming from the board (see offers.h). */
#include "offers.h"

#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "desk_rules.h"
#include "documents.h"
#include "fields.h"
#include "help_request_row.h"
#include "help_requests.h"
#include "outbox.h"
#include "support/validate.h"
#include "volunteers.h"

/* An offer as accepting or declining it answers, the first time and on a retry. */
#define OFFER_DOCUMENT                                                                                                 \
  "json_build_object('id', id, 'request_id', request_id, 'volunteer_id', volunteer_id, 'status', status, "             \
  "'reason', reason, 'created_at', api_ts(created_at), 'answered_at', api_ts(answered_at))::text"

static const struct db_statement statements[] = {
    /* The match: the helper, their occurrences, and the offers to anyone else withdrawn. A new
     * helper ends what a step back told (sql/migrations/0014). */
    {"hr_match",
     "UPDATE help_requests SET matched_volunteer_id = $3, resident_confirmed = false, on_board = false, "
     "stepped_back_at = NULL, stepped_back_reason = NULL, "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2"},
    {"hr_match_occurrences",
     "UPDATE occurrences SET status = 'matched', volunteer_id = $3, updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'open'"},
    {"hr_withdraw_others",
     "UPDATE offers SET status = 'withdrawn', answered_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND request_id = $2 AND status = 'pending' AND volunteer_id <> $3"},
    /* Who of $4 (a JSON array of ids) passes the hard filters for the request: the one rule for
     * offering and claiming. The ids come in as a column, not a sub-select in the call, so that
     * PostgreSQL still inlines eligible_volunteers. */
    {"hr_eligible_among",
     "SELECT e.person_id FROM (SELECT array_agg(x::uuid) AS ids FROM json_array_elements_text($4::json) x) a, "
     "eligible_volunteers($1, $2, $3::int, a.ids) e"},
    {"hr_offer_insert",
     "INSERT INTO offers (community_id, request_id, volunteer_id, created_by) SELECT $1, $2, v::uuid, $4 "
     "FROM json_array_elements_text($3::json) v ON CONFLICT (community_id, request_id, volunteer_id) DO UPDATE "
     "SET status = 'pending', answered_at = NULL, reason = NULL, updated_at = clock_timestamp() "
     "WHERE offers.status = 'withdrawn'"},
    {"hr_offers",
     "SELECT json_build_object('id', id, 'request_id', request_id, 'volunteer_id', volunteer_id, 'status', status, "
     "'reason', reason, 'created_at', api_ts(created_at), 'answered_at', api_ts(answered_at))::text "
     "FROM offers WHERE community_id = $1 AND request_id = $2 ORDER BY created_at, volunteer_id"},
    {"hr_offer_lock",
     "SELECT o.request_id, o.volunteer_id, o.status, h.status FROM offers o JOIN help_requests h "
     "ON h.community_id = o.community_id AND h.id = o.request_id WHERE o.community_id = $1 AND o.id = $2 "
     "FOR UPDATE OF o, h"},
    /* The caller's own offers across her communities (row-level security scopes them), oldest
     * change first: $1 the caller, $2 updated_since, $3/$4 the cursor, $5 the page size plus one.
     * The request only while the offer is pending or accepted, and no more of it than the board
     * shows without the resident and the place. */
    {"offers_mine",
     "SELECT json_build_object('id', o.id, 'community_id', o.community_id, 'request_id', o.request_id, "
     "'status', o.status, 'created_at', api_ts(o.created_at), 'answered_at', api_ts(o.answered_at), "
     "'updated_at', api_ts(o.updated_at), 'request', CASE WHEN o.status IN ('pending', 'accepted') THEN "
     "(SELECT json_build_object('id', h.id, 'community_id', h.community_id, 'category_id', h.category_id, "
     "'description', h.description, 'when', json_build_object('starts_at', api_ts(h.starts_at), "
     "'ends_at', api_ts(h.ends_at), 'needed_by', api_ts(h.needed_by)), 'recurrence', CASE WHEN h.recurrence IS NULL "
     "THEN NULL ELSE json_build_object('frequency', h.recurrence, 'until', h.recurrence_until) END, "
     "'in_home', h.in_home, 'urgency', h.urgency, 'status', h.status) FROM help_requests h "
     "WHERE h.community_id = o.community_id AND h.id = o.request_id) END)::text "
     "FROM (SELECT * FROM offers WHERE volunteer_id = $1::uuid AND updated_at > $2::timestamptz "
     "AND (updated_at, id) > ($3::timestamptz, $4::uuid) ORDER BY updated_at, id LIMIT 101) o "
     "ORDER BY o.updated_at, o.id LIMIT $5"},
    {"hr_offer_answer",
     "UPDATE offers SET status = $3::offer_status, reason = $4, answered_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2 RETURNING " OFFER_DOCUMENT},
    {"hr_offer_read", "SELECT " OFFER_DOCUMENT " FROM offers WHERE community_id = $1 AND id = $2"},
};

int offers_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* One person id as the JSON array statements take lists of ids in. Caller free()s; NULL when out
 * of memory. */
static char *ids_json(const char *id) {
  json_t *list = json_pack("[s]", id);
  char *text = list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
  json_decref(list);
  return text;
}

/* Make `volunteer` the helper: the transition, the occurrences, the other offers. */
static enum result match_volunteer(struct db_conn *conn, const struct actor *actor, const char *id, int from,
                                   const char *volunteer, const char *action, struct result_info *info) {
  const char *params[3] = {actor->community_id, id, volunteer};
  enum result r = result_from_db(db_exec(conn, "hr_match", 3, params), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_match_occurrences", 3, params), info);
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "hr_withdraw_others", 3, params), info);
  if (r == RESULT_OK) r = help_request_move(conn, actor, id, from, HELP_MATCHED, action, NULL, info);
  char *recipients = r == RESULT_OK ? ids_json(volunteer) : NULL;
  if (r == RESULT_OK && recipients == NULL) r = RESULT_ERROR;
  if (r == RESULT_OK) r = outbox_notify(conn, actor, "help_request.matched", id, recipients, info);
  free(recipients);
  return r;
}

/* Every volunteer must pass the hard filters (eligible_volunteers) at the time of the offer. */
enum result offers_make(struct db_conn *conn, const struct actor *actor, const char *id, json_t *ids,
                        struct result_info *info) {
  if (!json_is_array(ids) || json_array_size(ids) < 1 || json_array_size(ids) > 10) {
    result_field_error(info, "volunteer_ids", "invalid", "1 to 10 volunteer ids");
    return RESULT_INVALID;
  }
  size_t i;
  json_t *item;
  json_array_foreach(ids, i, item) {
    if (!valid_uuid(json_string_value(item))) {
      result_field_error(info, "volunteer_ids", "invalid", "volunteer ids are UUIDs");
      return RESULT_INVALID;
    }
  }
  char *list = json_dumps(ids, JSON_COMPACT); /* the ids as PostgreSQL reads them (json) */
  if (list == NULL) return RESULT_ERROR;
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
      if (!eligible)
        result_field_error(info, json_string_value(item), "not_eligible",
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
  if (r == RESULT_OK) r = outbox_notify(conn, actor, "help_request.offered", id, list, info);
  free(list);
  return r;
}

enum result help_requests_offers(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                                 struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  struct help_request_row req;
  enum result r = help_request_read(conn, actor, id, 0, &req, info);
  json_t *items = NULL;
  if (r == RESULT_OK) r = documents_list(conn, "hr_offers", 2, (const char *[]){actor->community_id, id}, &items, info);
  if (r != RESULT_OK) return r;
  *out = json_pack("{s:o}", "items", items);
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result offers_mine(struct db_conn *conn, const char *person_id, const struct page_request *page, json_t **out,
                        struct result_info *info) {
  *out = NULL;
  const char *params[5] = {person_id, paging_param_since(page), paging_param_after_ts(page),
                           paging_param_after_id(page), paging_param_fetch(page)};
  return documents_page(conn, "offers_mine", 5, params, page, "updated_at", "id", out, info);
}

enum result help_requests_answer_offer(struct db_conn *conn, const struct actor *actor, const char *offer_id,
                                       int accept, json_t *body, json_t **out, struct result_info *info) {
  *out = NULL;
  /* Accepting reads no body; declining may give a reason. */
  static const struct field_rule decline_fields[] = {
      {"reason", FIELD_TEXT, FIELD_STRING_TYPE, 0, 500, NULL, "invalid", "at most 500 characters"},
      {NULL},
  };
  struct field_value v[1] = {{0}};
  if (!accept && fields_read(body, decline_fields, v, info) != 0) return RESULT_INVALID;
  const char *reason = v[0].text;
  PGresult *res = NULL;
  enum result r =
      result_from_db(db_query(conn, "hr_offer_lock", 2, (const char *[]){actor->community_id, offer_id}, &res), info);
  if (r == RESULT_OK && (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 1), actor->person_id) != 0))
    r = RESULT_NOT_FOUND; /* someone else's offer is none of this caller's business */
  char request_id[37] = "";
  int request_status = -1, pending = 0, already = 0;
  if (r == RESULT_OK) {
    snprintf(request_id, sizeof request_id, "%s", PQgetvalue(res, 0, 0));
    request_status = help_status_from_name(PQgetvalue(res, 0, 3));
    pending = strcmp(PQgetvalue(res, 0, 2), "pending") == 0;
    already = strcmp(PQgetvalue(res, 0, 2), accept ? "accepted" : "declined") == 0;
  }
  PQclear(res);
  if (r != RESULT_OK) return r;
  /* The same answer again (a retry after a lost response): what the first one answered. The
   * winner of a race is never told that someone else took it. */
  if (already)
    return documents_one(conn, "hr_offer_read", 2, (const char *[]){actor->community_id, offer_id}, out, info);
  /* A pending offer shows its request to the volunteer. Once it is not pending (declined,
   * withdrawn because someone else got the request or it was cancelled), the volunteer hears
   * about the request only while they may still see it (help_request_row.h). */
  if (!pending)
    return help_request_hidden_or_not_now(conn, actor, request_id, request_status,
                                          "this offer was already answered, withdrawn or taken by someone else", info);
  if (accept && help_transition((enum help_status)request_status, ACTION_MATCH) < 0)
    return help_request_hidden_or_not_now(conn, actor, request_id, request_status, NULL, info);
  if (accept) r = match_volunteer(conn, actor, request_id, request_status, actor->person_id, "accept", info);
  if (r != RESULT_OK) return r;
  const char *params[4] = {actor->community_id, offer_id, accept ? "accepted" : "declined", reason};
  r = documents_one(conn, "hr_offer_answer", 4, params, out, info);
  if (r == RESULT_OK) r = help_request_touch(conn, actor, request_id, info);
  return r;
}

enum result help_requests_claim(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                                struct result_info *info) {
  *out = NULL;
  if (!(actor->roles & ROLE_VOLUNTEER)) return RESULT_FORBIDDEN;
  struct help_request_row req;
  /* The row lock makes concurrent claims take turns: the second sees the first one's match. */
  enum result r = help_request_read(conn, actor, id, 1, &req, info);
  if (r != RESULT_OK) return r;
  /* Not (or no longer) on the board: a conflict only for a caller who may still see the request
   * (the winner claiming twice, a volunteer it is offered to); anyone else, also one who lost a
   * race for it, learns nothing about it (help_request_row.h). */
  /* The winner claiming again (a retry after a lost response) gets what the first claim answered. */
  if (strcmp(req.matched_volunteer_id, actor->person_id) == 0) return help_requests_get(conn, actor, id, out, info);
  if (!req.on_board || help_transition((enum help_status)req.status, ACTION_MATCH) < 0)
    return help_request_hidden_or_not_now(conn, actor, id, req.status,
                                          "this request is not (or no longer) on the board", info);
  char days[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  char *me = ids_json(actor->person_id);
  if (me == NULL) return RESULT_ERROR;
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "hr_eligible_among", 4, (const char *[]){actor->community_id, id, days, me}, &res),
                     info);
  free(me);
  int eligible = r == RESULT_OK && PQntuples(res) == 1;
  PQclear(res);
  if (r != RESULT_OK) return r;
  if (!eligible) /* on the board, but not for this volunteer: theirs to see only when offered to them */
    return help_request_hidden_or_forbidden(conn, actor, id, "you do not pass the matching rules for this request",
                                            info);
  r = match_volunteer(conn, actor, id, req.status, actor->person_id, "claim", info);
  if (r == RESULT_OK) r = help_requests_get(conn, actor, id, out, info);
  return r;
}
