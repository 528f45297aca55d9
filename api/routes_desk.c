/* The desk: categories, volunteer profiles, help requests, matching, offers, the board. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../src/categories.h"
#include "../src/desk_hours.h"
#include "../src/desk_summary.h"
#include "../src/fields.h"
#include "../src/help_request_actions.h"
#include "../src/help_request_create.h"
#include "../src/help_request_handler.h"
#include "../src/help_requests.h"
#include "../src/matching.h"
#include "../src/occurrences.h"
#include "../src/offers.h"
#include "../src/on_behalf.h"
#include "../src/paging.h"
#include "../src/referrals.h"
#include "../src/resident_helpers.h"
#include "../src/support/validate.h"
#include "../src/volunteers.h"
#include "language.h"
#include "routes.h"

/* The path id `name` when it is a UUID; otherwise nothing can have it. */
static const char *path_uuid(const struct api_request *ar, const char *name) {
  const char *id = api_path(ar, name);
  return valid_uuid(id) ? id : NULL;
}

enum result handle_categories_list(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = categories_list(ar->db, &ar->actor, &page, ar->language, &out, &ar->info);
  paging_free(&page);
  if (r == RESULT_OK) api_language_headers(ar);
  return api_answer_list(ar, r, out, NULL);
}

/* A single category: its ETag, and the language its label is in. */
static enum result answer_category(struct api_request *ar, enum result r, json_t *category) {
  if (r == RESULT_OK || r == RESULT_CREATED) api_language_headers(ar);
  return api_answer(ar, r, category, 1);
}

enum result handle_category_create(struct api_request *ar) {
  json_t *out = NULL;
  enum result r = categories_create(ar->db, &ar->actor, ar->body, ar->language, &out, &ar->info);
  if (r == RESULT_CREATED) {
    char *location =
        msprintf("/v1/communities/%s/categories/%s", ar->community_id, json_string_value(json_object_get(out, "id")));
    if (location != NULL) u_map_put(ar->resp->map_header, "Location", location);
    o_free(location);
  }
  return answer_category(ar, r, out);
}

enum result handle_category_get(struct api_request *ar) {
  const char *id = path_uuid(ar, "categoryId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = categories_get(ar->db, &ar->actor, id, ar->language, &out, &ar->info);
  return answer_category(ar, r, out);
}

enum result handle_category_update(struct api_request *ar) {
  const char *id = path_uuid(ar, "categoryId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = categories_update(ar->db, &ar->actor, id, ar->body, api_if_match(ar), ar->language, &out, &ar->info);
  return answer_category(ar, r, out);
}

enum result handle_volunteers_list(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = volunteers_list(ar->db, &ar->actor, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, NULL);
}

enum result handle_volunteer_get(struct api_request *ar) {
  const char *person_id = path_uuid(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *profile = NULL;
  enum result result =
      volunteers_get(ar->db, &ar->actor, person_id, &profile, &ar->info); /* before `profile` is read */
  return api_answer(ar, result, profile, 1);
}

enum result handle_volunteer_put(struct api_request *ar) {
  const char *person_id = path_uuid(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *profile = NULL;
  enum result r = volunteers_put(ar->db, &ar->actor, person_id, ar->body, api_if_match(ar), &profile, &ar->info);
  return api_answer(ar, r, profile, 1);
}

enum result handle_volunteer_certificate(struct api_request *ar) {
  const char *person_id = path_uuid(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *profile = NULL;
  enum result r = volunteers_record_certificate(ar->db, &ar->actor, person_id, ar->body, &profile, &ar->info);
  return api_answer(ar, r, profile, 1);
}

enum result handle_volunteer_code_of_conduct(struct api_request *ar) {
  const char *person_id = path_uuid(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *profile = NULL;
  enum result result = volunteers_accept_code(ar->db, &ar->actor, person_id, ar->body, &profile,
                                              &ar->info); /* before `profile` is read */
  return api_answer(ar, result, profile, 1);
}

enum result handle_help_request_create(struct api_request *ar) {
  json_t *request = NULL;
  enum result r = help_requests_create(ar->db, &ar->actor, ar->body, &request, &ar->info);
  if (r == RESULT_CREATED) {
    char *location = msprintf("/v1/communities/%s/help-requests/%s", ar->community_id,
                              json_string_value(json_object_get(request, "id")));
    if (location != NULL) u_map_put(ar->resp->map_header, "Location", location);
    o_free(location);
  }
  return api_answer_labelled(ar, r, request, 1, "help_request"); /* with its ETag, like its GET */
}

enum result handle_help_requests_list(struct api_request *ar) {
  const char *status = api_query(ar, "status");
  const char *track = api_query(ar, "track");
  help_requests_status_filter(status, &ar->info);
  help_requests_track_filter(track, &ar->info);
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (ar->info.errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = help_requests_list(ar->db, &ar->actor, status, track, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, "help_request");
}

enum result handle_help_request_get(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *request = NULL;
  enum result result = help_requests_get(ar->db, &ar->actor, id, &request, &ar->info); /* before `request` is read */
  return api_answer_labelled(ar, result, request, 1, "help_request");
}

enum result handle_help_request_update(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *request = NULL;
  enum result r = help_requests_update(ar->db, &ar->actor, id, ar->body, api_if_match(ar), &request, &ar->info);
  return api_answer_labelled(ar, r, request, 1, "help_request");
}

enum result handle_help_request_action(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *request = NULL;
  enum result r = help_requests_act(ar->db, &ar->actor, id, api_path(ar, "action"), ar->body, &request, &ar->info);
  return api_answer_labelled(ar, r, request, 1, "help_request");
}

enum result handle_help_request_handler(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *request = NULL;
  enum result r = help_request_handler_assign(ar->db, &ar->actor, id, ar->body, api_if_match(ar), &request, &ar->info);
  return api_answer_labelled(ar, r, request, 1, "help_request");
}

enum result handle_desk_hours_get(struct api_request *ar) {
  json_t *out = NULL;
  enum result r = desk_hours_get(ar->db, &ar->actor, &out, &ar->info);
  return api_answer(ar, r, out, 1);
}

enum result handle_desk_hours_put(struct api_request *ar) {
  json_t *out = NULL;
  enum result r = desk_hours_put(ar->db, &ar->actor, ar->body, api_if_match(ar), &out, &ar->info);
  return api_answer(ar, r, out, 1);
}

/* Each suggestion's reason in the caller's language. */
static enum result translate_reasons(struct api_request *ar, json_t *suggestions) {
  size_t i;
  json_t *item;
  json_array_foreach(json_object_get(suggestions, "items"), i, item) {
    const char *english = json_string_value(json_object_get(item, "reason"));
    if (english == NULL) continue;
    char *reason = language_reason(ar->language, english);
    if (reason == NULL || json_object_set_new(item, "reason", json_string(reason)) != 0) {
      o_free(reason);
      return RESULT_ERROR;
    }
    o_free(reason);
  }
  api_language_headers(ar);
  return RESULT_OK;
}

enum result handle_help_request_suggestions(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result result = help_requests_suggestions(ar->db, &ar->actor, id, api_query(ar, "limit"), &out,
                                                 &ar->info); /* before `out` is read */
  if (result == RESULT_OK) result = translate_reasons(ar, out);
  return api_answer(ar, result, out, 0);
}

enum result handle_help_request_offers(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result result = help_requests_offers(ar->db, &ar->actor, id, &out, &ar->info); /* before `out` is read */
  return api_answer_labelled(ar, result, out, 0, "offer");
}

enum result handle_help_request_referrals(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = referrals_list(ar->db, &ar->actor, id, &out, &ar->info);
  return api_answer_list(ar, r, out, NULL);
}

enum result handle_help_request_referral_update(struct api_request *ar) {
  const char *request_id = path_uuid(ar, "helpRequestId");
  const char *id = path_uuid(ar, "referralId");
  if (request_id == NULL || id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = referrals_update(ar->db, &ar->actor, request_id, id, ar->body, api_if_match(ar), &out, &ar->info);
  return api_answer(ar, r, out, 1);
}

enum result handle_help_request_claim(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result result = help_requests_claim(ar->db, &ar->actor, id, &out, &ar->info); /* before `out` is read */
  return api_answer_labelled(ar, result, out, 1, "help_request");
}

enum result handle_occurrence_complete(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  const char *occurrence_id = path_uuid(ar, "occurrenceId");
  if (id == NULL || occurrence_id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = help_requests_complete(ar->db, &ar->actor, id, occurrence_id, ar->body, &out, &ar->info);
  return api_answer_labelled(ar, r, out, 0, "occurrence");
}

enum result handle_occurrence_release(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  const char *occurrence_id = path_uuid(ar, "occurrenceId");
  if (id == NULL || occurrence_id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = help_requests_release(ar->db, &ar->actor, id, occurrence_id, ar->body, &out, &ar->info);
  return api_answer_labelled(ar, r, out, 0, "occurrence");
}

enum result handle_occurrence_feedback(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  const char *occurrence_id = path_uuid(ar, "occurrenceId");
  if (id == NULL || occurrence_id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = help_requests_feedback(ar->db, &ar->actor, id, occurrence_id, ar->body, &out, &ar->info);
  return api_answer_labelled(ar, r, out, 0, "occurrence");
}

static enum result answer_offer(struct api_request *ar, int accept) {
  const char *offer_id = path_uuid(ar, "offerId");
  if (offer_id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result result = help_requests_answer_offer(ar->db, &ar->actor, offer_id, accept, ar->body, &out,
                                                  &ar->info); /* before `out` is read */
  return api_answer_labelled(ar, result, out, 0, "offer");
}

enum result handle_offer_accept(struct api_request *ar) { return answer_offer(ar, 1); }
enum result handle_offer_decline(struct api_request *ar) { return answer_offer(ar, 0); }

enum result handle_board(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = help_requests_board(ar->db, &ar->actor, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, "help_request");
}

enum result handle_queue(struct api_request *ar) {
  const char *view = api_query(ar, "view"), *handler = api_query(ar, "handler");
  help_requests_queue_view(view, &ar->info);
  help_requests_queue_handler(handler, &ar->info);
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (ar->info.errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = help_requests_queue(ar->db, &ar->actor, view, handler, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, "help_request");
}

/* An optional id query parameter: NULL when absent; a field error when not a UUID. */
static const char *query_uuid(struct api_request *ar, const char *name) {
  const char *id = api_query(ar, name);
  if (id != NULL && !valid_uuid(id)) result_field_error(&ar->info, name, "invalid", "an id (UUID)");
  return id;
}

enum result handle_helpers_get(struct api_request *ar) {
  const char *resident_id = query_uuid(ar, "resident_id");
  json_t *out = NULL;
  enum result result = ar->info.errors != NULL
                           ? RESULT_INVALID
                           : help_requests_helpers_get(ar->db, &ar->actor, resident_id, &out, &ar->info);
  return api_answer(ar, result, out, 0);
}

enum result handle_helpers_put(struct api_request *ar) {
  json_t *out = NULL;
  enum result result =
      help_requests_helpers_put(ar->db, &ar->actor, ar->body, &out, &ar->info); /* before `out` is read */
  return api_answer(ar, result, out, 0);
}

static enum result my_list(struct api_request *ar,
                           enum result (*list)(struct db_conn *, const char *, const struct page_request *, json_t **,
                                               struct result_info *)) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = list(ar->db, ar->person_id, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, "help_request");
}

enum result handle_me_tasks(struct api_request *ar) { return my_list(ar, help_requests_my_tasks); }
enum result handle_me_help_requests(struct api_request *ar) { return my_list(ar, help_requests_mine); }

enum result handle_me_offers(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = offers_mine(ar->db, ar->person_id, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_labelled(ar, r, out, 0, "offer");
}

/* Whether an Accept header asks for `type` (case-insensitive; parameters and q-values are not
 * weighed: naming it is asking for it). */
static int accepts(const char *accept, const char *type) {
  size_t n = strlen(type);
  for (const char *p = accept; p != NULL && *p; p++)
    if (strncasecmp(p, type, n) == 0) return 1;
  return 0;
}

enum result handle_desk_summary(struct api_request *ar) {
  static const char *const formats[] = {"json", "csv", NULL};
  static const char *const delimiters[] = {"comma", "semicolon", NULL};
  const char *from = api_query(ar, "from");
  const char *to = api_query(ar, "to");
  const char *format = api_query(ar, "format");
  const char *delimiter = api_query(ar, "delimiter");
  /* `format` wins over Accept: a link in a browser can ask for the CSV. */
  int csv = format != NULL ? fields_choice("format", format, formats, "json or csv", &ar->info) == 1
                           : accepts(api_header(ar, "Accept"), "text/csv");
  char separator = ',';
  if (delimiter != NULL && fields_choice("delimiter", delimiter, delimiters, "comma or semicolon", &ar->info) == 1)
    separator = ';';
  desk_summary_period_check(from, to, &ar->info);
  if (ar->info.errors != NULL) return RESULT_INVALID;
  json_t *summary = NULL;
  enum result r = desk_summary_get(ar->db, &ar->actor, from, to, ar->language, &summary, &ar->info);
  if (r != RESULT_OK) return r;
  api_language_headers(ar); /* the category labels */
  if (!csv) return api_answer(ar, r, summary, 0);

  char *text = desk_summary_csv(summary, separator);
  char *disposition =
      msprintf("attachment; filename=\"noaber-summary-%s-%s.csv\"", json_string_value(json_object_get(summary, "from")),
               json_string_value(json_object_get(summary, "to")));
  json_decref(summary);
  r = text != NULL && disposition != NULL ? RESULT_OK : RESULT_ERROR;
  if (r == RESULT_OK && ulfius_set_binary_body_response(ar->resp, 200, text, strlen(text)) != U_OK) r = RESULT_ERROR;
  if (r == RESULT_OK) {
    ar->status = 200;
    u_map_put(ar->resp->map_header, "Content-Type", "text/csv; charset=utf-8; header=present");
    u_map_put(ar->resp->map_header, "Content-Disposition", disposition);
  }
  free(text);
  o_free(disposition);
  return r;
}

enum result handle_me_on_behalf(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = on_behalf_mine(ar->db, ar->person_id, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, NULL);
}

enum result handle_on_behalf_list(struct api_request *ar) {
  const char *person_id = query_uuid(ar, "person_id");
  struct page_request page;
  json_t *out = NULL;
  enum result r = paging_parse(api_query(ar, "limit"), api_query(ar, "cursor"), NULL, &page, &ar->info) == 0
                      ? RESULT_OK
                      : RESULT_INVALID;
  if (ar->info.errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = on_behalf_list(ar->db, &ar->actor, person_id, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, NULL);
}
