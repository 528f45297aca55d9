/* Referrals as records (see referrals.h). */
#include "referrals.h"

#include "documents.h"
#include "fields.h"
#include "help_request_row.h"

/* A referral as the API shows it; `overdue` when the follow-up date has passed on the
 * communities' calendar while the outcome is still open. */
#define REFERRAL_DOC                                                                                                   \
  "json_build_object('id', r.id, 'request_id', r.request_id, 'receiver', json_build_object('name', r.receiver_name, "  \
  "'contact', r.receiver_contact), 'follow_up_on', r.follow_up_on, 'outcome', r.outcome, 'note', r.note, "             \
  "'overdue', r.outcome IN ('sent', 'accepted') AND r.follow_up_on < community_today(), "                              \
  "'created_by', r.created_by, 'created_at', api_ts(r.created_at), 'updated_at', api_ts(r.updated_at))::text"

static const struct db_statement statements[] = {
    {"referral_list", "SELECT " REFERRAL_DOC
                      " FROM referrals r WHERE r.community_id = $1 AND r.request_id = $2 ORDER BY r.created_at, r.id"},
    {"referral_lock",
     "SELECT " REFERRAL_DOC " FROM referrals r WHERE r.community_id = $1 AND r.id = $2 AND r.request_id = $3 "
     "FOR UPDATE"},
    /* $4-$6 the new outcome, follow-up date and note, each NULL to keep it. */
    {"referral_update",
     "UPDATE referrals r SET outcome = COALESCE($4, r.outcome), follow_up_on = COALESCE($5::date, r.follow_up_on), "
     "note = COALESCE($6, r.note), updated_at = clock_timestamp() "
     "WHERE r.community_id = $1 AND r.id = $2 AND r.request_id = $3 RETURNING " REFERRAL_DOC},
};

int referrals_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* Only the desk works with referrals. */
static enum result desk_only(struct db_conn *conn, const struct actor *actor, const char *request_id,
                             struct result_info *info) {
  if (actor_manages(actor)) return RESULT_OK;
  return help_request_hidden_or_forbidden(conn, actor, request_id, "only the desk follows up referrals", info);
}

enum result referrals_list(struct db_conn *conn, const struct actor *actor, const char *request_id, json_t **out,
                           struct result_info *info) {
  *out = NULL;
  enum result r = desk_only(conn, actor, request_id, info);
  struct help_request_row req;
  if (r == RESULT_OK) r = help_request_read(conn, actor, request_id, 0, &req, info);
  json_t *items = NULL;
  if (r == RESULT_OK)
    r = documents_list(conn, "referral_list", 2, (const char *[]){actor->community_id, request_id}, &items, info);
  if (r != RESULT_OK) return r;
  *out = json_pack("{s:o}", "items", items);
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

static const char *const outcomes[] = {"sent", "accepted", "arranged", "failed", NULL};
enum { REF_OUTCOME, REF_FOLLOW_UP, REF_NOTE, REF_FIELDS };
static const struct field_rule update_fields[] = {
    [REF_OUTCOME] = {"outcome", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, outcomes, "invalid",
                     "sent, accepted, arranged or failed"},
    [REF_FOLLOW_UP] = {"follow_up_on", FIELD_DATE, FIELD_NULL_INVALID, 0, 0, NULL, NULL, NULL},
    [REF_NOTE] = {"note", FIELD_TEXT, FIELD_NULL_INVALID, 0, 500, NULL, NULL, NULL},
    [REF_FIELDS] = {NULL},
};

enum result referrals_update(struct db_conn *conn, const struct actor *actor, const char *request_id, const char *id,
                             json_t *body, const struct precondition *if_match, json_t **out,
                             struct result_info *info) {
  *out = NULL;
  enum result r = desk_only(conn, actor, request_id, info);
  if (r != RESULT_OK) return r;
  struct field_value v[REF_FIELDS];
  if (fields_read(body, update_fields, v, info) != 0) return RESULT_INVALID;
  const char *params[6] = {actor->community_id, id, request_id, v[REF_OUTCOME].text, v[REF_FOLLOW_UP].text,
                           v[REF_NOTE].text};
  json_t *current = NULL;
  r = documents_one(conn, "referral_lock", 3, params, &current, info);
  if (r == RESULT_OK) r = precondition_check(if_match, current, 1);
  json_decref(current);
  if (r == RESULT_OK) r = documents_one(conn, "referral_update", 6, params, out, info);
  /* The request changed with it: the desk's sync and its follow-up queue see it. */
  if (r == RESULT_OK) r = help_request_touch(conn, actor, request_id, info);
  if (r != RESULT_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return r;
}
