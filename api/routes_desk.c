/* The desk: categories, volunteer profiles, help requests, matching, offers, the board. */
#include <string.h>
#include <strings.h>

#include "../src/categories.h"
#include "../src/help_request_actions.h"
#include "../src/help_request_create.h"
#include "../src/help_requests.h"
#include "../src/matching.h"
#include "../src/occurrences.h"
#include "../src/offers.h"
#include "../src/paging.h"
#include "../src/resident_helpers.h"
#include "../src/support/validate.h"
#include "../src/volunteers.h"
#include "routes.h"

/* The path id `name` when it is a UUID; otherwise nothing can have it. */
static const char *path_uuid(const struct api_request *ar, const char *name) {
  const char *id = api_path(ar, name);
  return valid_uuid(id) ? id : NULL;
}

static void label_requests_item(json_t *request, const char *language) {
  int status = help_status_from_name(json_string_value(json_object_get(request, "status")));
  if (status >= 0) json_object_set_new(request, "status_label", json_string(help_status_label(status, language)));
}

/* nl or en from Accept-Language: the first of the two the client lists; nl when neither. */
static const char *preferred_language(const struct api_request *ar) {
  const char *header = api_header(ar, "Accept-Language");
  for (const char *p = header; p != NULL && *p; p++) {
    while (*p == ' ' || *p == ',') p++;
    if (strncasecmp(p, "en", 2) == 0 && (p[2] == '\0' || p[2] == '-' || p[2] == ';' || p[2] == ',')) return "en";
    if (strncasecmp(p, "nl", 2) == 0 && (p[2] == '\0' || p[2] == '-' || p[2] == ';' || p[2] == ',')) return "nl";
    p = strchr(p, ',');
    if (p == NULL) break;
  }
  return "nl";
}

/* Add status_label (in the caller's language) to one help request or to every item of a list,
 * and say which language the response speaks. */
static void label_requests(struct api_request *ar, json_t *body) {
  const char *language = preferred_language(ar);
  json_t *items = json_object_get(body, "items");
  size_t i;
  json_t *item;
  if (items == NULL) {
    int status = help_status_from_name(json_string_value(json_object_get(body, "status")));
    if (status >= 0) json_object_set_new(body, "status_label", json_string(help_status_label(status, language)));
  } else {
    json_array_foreach(items, i, item) label_requests_item(item, language);
  }
  u_map_put(ar->resp->map_header, "Content-Language", language);
  u_map_put(ar->resp->map_header, "Vary", "Accept-Language");
}

enum result handle_categories_list(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  const char *language = preferred_language(ar);
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = categories_list(ar->db, &ar->actor, &page, language, &out, &ar->info);
  paging_free(&page);
  if (r == RESULT_OK) {
    u_map_put(ar->resp->map_header, "Content-Language", language);
    u_map_put(ar->resp->map_header, "Vary", "Accept-Language");
  }
  return api_answer(ar, r, out, 0);
}

/* A single category: its ETag, and the language its label is in. */
static enum result answer_category(struct api_request *ar, enum result r, json_t *category, const char *language) {
  if (r == RESULT_OK || r == RESULT_CREATED) {
    u_map_put(ar->resp->map_header, "Content-Language", language);
    u_map_put(ar->resp->map_header, "Vary", "Accept-Language");
  }
  return api_answer(ar, r, category, 1);
}

enum result handle_category_create(struct api_request *ar) {
  const char *language = preferred_language(ar);
  json_t *out = NULL;
  enum result r = categories_create(ar->db, &ar->actor, ar->body, language, &out, &ar->info);
  if (r == RESULT_CREATED) {
    char *location =
        msprintf("/v1/communities/%s/categories/%s", ar->community_id, json_string_value(json_object_get(out, "id")));
    if (location != NULL) u_map_put(ar->resp->map_header, "Location", location);
    o_free(location);
  }
  return answer_category(ar, r, out, language);
}

enum result handle_category_get(struct api_request *ar) {
  const char *id = path_uuid(ar, "categoryId");
  if (id == NULL) return RESULT_NOT_FOUND;
  const char *language = preferred_language(ar);
  json_t *out = NULL;
  enum result r = categories_get(ar->db, &ar->actor, id, language, &out, &ar->info);
  return answer_category(ar, r, out, language);
}

enum result handle_category_update(struct api_request *ar) {
  const char *id = path_uuid(ar, "categoryId");
  if (id == NULL) return RESULT_NOT_FOUND;
  const char *language = preferred_language(ar);
  json_t *out = NULL;
  enum result r = categories_update(ar->db, &ar->actor, id, ar->body, api_if_match(ar), language, &out, &ar->info);
  return answer_category(ar, r, out, language);
}

enum result handle_volunteers_list(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = volunteers_list(ar->db, &ar->actor, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer(ar, r, out, 0);
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
  return api_answer(ar, r, profile, 0);
}

enum result handle_volunteer_code_of_conduct(struct api_request *ar) {
  const char *person_id = path_uuid(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *profile = NULL;
  enum result result = volunteers_accept_code(ar->db, &ar->actor, person_id, ar->body, &profile,
                                              &ar->info); /* before `profile` is read */
  return api_answer(ar, result, profile, 0);
}

enum result handle_help_request_create(struct api_request *ar) {
  json_t *request = NULL;
  enum result r = help_requests_create(ar->db, &ar->actor, ar->body, &request, &ar->info);
  if (r == RESULT_CREATED) {
    label_requests(ar, request);
    char *location = msprintf("/v1/communities/%s/help-requests/%s", ar->community_id,
                              json_string_value(json_object_get(request, "id")));
    if (location != NULL) u_map_put(ar->resp->map_header, "Location", location);
    o_free(location);
  }
  return api_answer(ar, r, request, 0);
}

enum result handle_help_requests_list(struct api_request *ar) {
  const char *status = api_query(ar, "status");
  help_requests_status_filter(status, &ar->info);
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (ar->info.errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = help_requests_list(ar->db, &ar->actor, status, &page, &out, &ar->info);
  if (r == RESULT_OK) label_requests(ar, out);
  paging_free(&page);
  return api_answer(ar, r, out, 0);
}

enum result handle_help_request_get(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *request = NULL;
  enum result result = help_requests_get(ar->db, &ar->actor, id, &request, &ar->info); /* before `request` is read */
  if (result == RESULT_OK) label_requests(ar, request);
  return api_answer(ar, result, request, 1);
}

enum result handle_help_request_update(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *request = NULL;
  enum result r = help_requests_update(ar->db, &ar->actor, id, ar->body, api_if_match(ar), preferred_language(ar),
                                       &request, &ar->info);
  if (r == RESULT_OK) label_requests(ar, request);
  return api_answer(ar, r, request, 1);
}

enum result handle_help_request_action(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *request = NULL;
  enum result r = help_requests_act(ar->db, &ar->actor, id, api_path(ar, "action"), ar->body, &request, &ar->info);
  if (r == RESULT_OK) label_requests(ar, request);
  return api_answer(ar, r, request, 0);
}

enum result handle_help_request_suggestions(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result result = help_requests_suggestions(ar->db, &ar->actor, id, api_query(ar, "limit"), &out,
                                                 &ar->info); /* before `out` is read */
  return api_answer(ar, result, out, 0);
}

enum result handle_help_request_offers(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result result = help_requests_offers(ar->db, &ar->actor, id, &out, &ar->info); /* before `out` is read */
  return api_answer(ar, result, out, 0);
}

enum result handle_help_request_claim(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result result = help_requests_claim(ar->db, &ar->actor, id, &out, &ar->info); /* before `out` is read */
  if (result == RESULT_OK) label_requests(ar, out);
  return api_answer(ar, result, out, 0);
}

enum result handle_occurrence_complete(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  const char *occurrence_id = path_uuid(ar, "occurrenceId");
  if (id == NULL || occurrence_id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = help_requests_complete(ar->db, &ar->actor, id, occurrence_id, ar->body, &out, &ar->info);
  return api_answer(ar, r, out, 0);
}

enum result handle_occurrence_feedback(struct api_request *ar) {
  const char *id = path_uuid(ar, "helpRequestId");
  const char *occurrence_id = path_uuid(ar, "occurrenceId");
  if (id == NULL || occurrence_id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result r = help_requests_feedback(ar->db, &ar->actor, id, occurrence_id, ar->body, &out, &ar->info);
  return api_answer(ar, r, out, 0);
}

static enum result answer_offer(struct api_request *ar, int accept) {
  const char *offer_id = path_uuid(ar, "offerId");
  if (offer_id == NULL) return RESULT_NOT_FOUND;
  json_t *out = NULL;
  enum result result = help_requests_answer_offer(ar->db, &ar->actor, offer_id, accept, ar->body, &out,
                                                  &ar->info); /* before `out` is read */
  return api_answer(ar, result, out, 0);
}

enum result handle_offer_accept(struct api_request *ar) { return answer_offer(ar, 1); }
enum result handle_offer_decline(struct api_request *ar) { return answer_offer(ar, 0); }

enum result handle_board(struct api_request *ar) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = help_requests_board(ar->db, &ar->actor, &page, &out, &ar->info);
  if (r == RESULT_OK) label_requests(ar, out);
  paging_free(&page);
  return api_answer(ar, r, out, 0);
}

enum result handle_queue(struct api_request *ar) {
  const char *view = api_query(ar, "view");
  help_requests_queue_view(view, &ar->info);
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (ar->info.errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = help_requests_queue(ar->db, &ar->actor, view, &page, &out, &ar->info);
  if (r == RESULT_OK) label_requests(ar, out);
  paging_free(&page);
  return api_answer(ar, r, out, 0);
}

enum result handle_helpers_get(struct api_request *ar) {
  json_t *out = NULL;
  enum result result = help_requests_helpers_get(ar->db, &ar->actor, &out, &ar->info); /* before `out` is read */
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
  if (r == RESULT_OK) label_requests(ar, out);
  paging_free(&page);
  return api_answer(ar, r, out, 0);
}

enum result handle_me_tasks(struct api_request *ar) { return my_list(ar, help_requests_my_tasks); }
enum result handle_me_help_requests(struct api_request *ar) { return my_list(ar, help_requests_mine); }
