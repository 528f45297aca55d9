/* Shared casework: cases, participants, the lead, actions, consent, the access log. Every
 * case route is logged by the dispatcher (api/server.c) from ar->audit, also when refused. */

#include "../src/access_log.h"
#include "../src/case_actions.h"
#include "../src/case_consent.h"
#include "../src/case_participants.h"
#include "../src/cases.h"
#include "../src/paging.h"
#include "../src/support/validate.h"
#include "../src/timeline.h"
#include "routes.h"

/* The case id from the path, noted for the access log; NULL when it cannot name a case. */
static const char *case_id(struct api_request *ar) {
  const char *id = api_path(ar, "caseId");
  if (!valid_uuid(id)) return NULL;
  snprintf(ar->audit.case_id, sizeof ar->audit.case_id, "%s", id);
  return id;
}

void api_case_audit_note_path(struct api_request *ar) { case_id(ar); }

enum result handle_case_create(struct api_request *ar) {
  json_t *out = NULL;
  enum result r = cases_create(ar->db, &ar->actor, ar->body, &out, &ar->audit, &ar->info);
  if (r == RESULT_CREATED) {
    char *location =
        msprintf("/v1/communities/%s/cases/%s", ar->community_id, json_string_value(json_object_get(out, "id")));
    if (location != NULL) u_map_put(ar->resp->map_header, "Location", location);
    o_free(location);
  }
  return api_answer_labelled(ar, r, out, 1, "case");
}

enum result handle_cases_list(struct api_request *ar) {
  const char *status = cases_status_filter(api_query(ar, "status"), &ar->info);
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (ar->info.errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = cases_list(ar->db, &ar->actor, status, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, "case");
}

enum result handle_case_get(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_get(ar->db, &ar->actor, id, &out, &ar->audit, &ar->info);
  return api_answer_labelled(ar, r, out, 1, "case");
}

enum result handle_case_update(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_update(ar->db, &ar->actor, id, ar->body, api_if_match(ar), &out, &ar->audit, &ar->info);
  return api_answer_labelled(ar, r, out, 1, "case");
}

static enum result set_open(struct api_request *ar, int close) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_set_open(ar->db, &ar->actor, id, close, ar->body, &out, &ar->audit, &ar->info);
  return api_answer_labelled(ar, r, out, 1, "case");
}

enum result handle_case_close(struct api_request *ar) { return set_open(ar, 1); }
enum result handle_case_reopen(struct api_request *ar) { return set_open(ar, 0); }

enum result handle_case_overview(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_overview(ar->db, &ar->actor, id, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_participant_add(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_add_participant(ar->db, &ar->actor, id, ar->body, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_participant_remove(struct api_request *ar) {
  const char *id = case_id(ar);
  const char *participant = api_path(ar, "participantId");
  if (id == NULL || !valid_uuid(participant)) return RESULT_NOT_FOUND;
  enum result r = cases_remove_participant(ar->db, &ar->actor, id, participant, &ar->audit, &ar->info);
  return r == RESULT_OK ? api_no_content(ar) : r;
}

enum result handle_case_lead(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_hand_over(ar->db, &ar->actor, id, ar->body, &out, &ar->audit, &ar->info);
  return api_answer_labelled(ar, r, out, 1, "case");
}

enum result handle_case_lead_history(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_lead_history(ar->db, &ar->actor, id, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_actions(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_actions(ar->db, &ar->actor, id, &out, &ar->audit, &ar->info);
  return api_answer_list(ar, r, out, "case_action");
}

enum result handle_case_action_get(struct api_request *ar) {
  const char *id = case_id(ar);
  const char *action = api_path(ar, "actionId");
  if (id == NULL || !valid_uuid(action)) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_action_get(ar->db, &ar->actor, id, action, &out, &ar->audit, &ar->info);
  return api_answer_labelled(ar, r, out, 1, "case_action");
}

enum result handle_case_action_create(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_action_create(ar->db, &ar->actor, id, ar->body, &out, &ar->audit, &ar->info);
  return api_answer_labelled(ar, r, out, 1, "case_action"); /* with its ETag: the first PATCH needs it */
}

enum result handle_case_action_update(struct api_request *ar) {
  const char *id = case_id(ar);
  const char *action = api_path(ar, "actionId");
  if (id == NULL || !valid_uuid(action)) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r =
      cases_action_update(ar->db, &ar->actor, id, action, ar->body, api_if_match(ar), &out, &ar->audit, &ar->info);
  return api_answer_labelled(ar, r, out, 1, "case_action");
}

enum result handle_case_action_take(struct api_request *ar) {
  const char *id = case_id(ar);
  const char *action = api_path(ar, "actionId");
  if (id == NULL || !valid_uuid(action)) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_action_take(ar->db, &ar->actor, id, action, ar->body, &out, &ar->audit, &ar->info);
  return api_answer_labelled(ar, r, out, 1, "case_action");
}

enum result handle_case_consents(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_consents(ar->db, &ar->actor, id, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_consent_record(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = cases_consent_record(ar->db, &ar->actor, id, ar->body, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}

static enum result access_log(struct api_request *ar, const char *id) {
  const char *since = api_query(ar, "since");
  cases_access_log_since(since, &ar->info);
  struct page_request page;
  json_t *out = NULL;
  enum result r = paging_parse(api_query(ar, "limit"), api_query(ar, "cursor"), NULL, &page, &ar->info) == 0
                      ? RESULT_OK
                      : RESULT_INVALID;
  if (ar->info.errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = cases_access_log(ar->db, &ar->actor, id, since, &page, &out, &ar->audit, &ar->info);
  paging_free(&page);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_access_log(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  return access_log(ar, id);
}

enum result handle_community_access_log(struct api_request *ar) { return access_log(ar, NULL); }

enum result handle_me_actions(struct api_request *ar) {
  int overdue, led;
  cases_my_actions_filter(api_query(ar, "overdue"), api_query(ar, "scope"), &overdue, &led, &ar->info);
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (ar->info.errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = cases_my_actions(ar->db, ar->person_id, overdue, led, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, "case_action");
}

enum result handle_case_timeline(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  struct page_request page;
  json_t *out = NULL;
  enum result r = paging_parse(api_query(ar, "limit"), api_query(ar, "cursor"), NULL, &page, &ar->info) == 0
                      ? RESULT_OK
                      : RESULT_INVALID;
  if (r == RESULT_OK) r = timeline_list(ar->db, &ar->actor, id, &page, &out, &ar->audit, &ar->info);
  paging_free(&page);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_note(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = timeline_add_note(ar->db, &ar->actor, id, ar->body, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_signal(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = timeline_add_signal(ar->db, &ar->actor, id, ar->body, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_acknowledge(struct api_request *ar) {
  const char *id = case_id(ar);
  const char *entry = api_path(ar, "entryId");
  if (id == NULL || !valid_uuid(entry)) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = timeline_acknowledge(ar->db, &ar->actor, id, entry, ar->body, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}

enum result handle_me_signals(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = paging_parse(api_query(ar, "limit"), api_query(ar, "cursor"), NULL, &page, &ar->info) == 0
                      ? RESULT_OK
                      : RESULT_INVALID;
  if (r == RESULT_OK) r = timeline_my_signals(ar->db, ar->person_id, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer(ar, r, out, 0);
}

enum result handle_case_invite(struct api_request *ar) {
  const char *id = case_id(ar);
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r =
      cases_invite(ar->db, &ar->actor, id, ar->body, ar->cfg->invitation_default_hours, &out, &ar->audit, &ar->info);
  return api_answer(ar, r, out, 0);
}
