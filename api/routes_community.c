/* /v1/communities/:communityId/members and /invitations. */
#include <string.h>

#include "../src/invitations.h"
#include "../src/members.h"
#include "../src/paging.h"
#include "../src/people.h"
#include "../src/support/validate.h"
#include "routes.h"

/* Parse the list parameters and run `list`; shared by every paginated list. */
static enum result answer_page(struct api_request *ar,
                               enum result (*list)(struct db_conn *, const struct actor *, const struct page_request *,
                                                   json_t **, struct result_info *)) {
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = list(ar->db, &ar->actor, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, NULL);
}

/* An id in the path that is not a UUID cannot name anything: 404, like a missing one. */
static const char *path_id(struct api_request *ar, const char *name) {
  const char *id = api_path(ar, name);
  return valid_uuid(id) ? id : NULL;
}

/* The list, or with ?q= the desk's search over it. */
enum result handle_members_list(struct api_request *ar) {
  const char *q = api_query(ar, "q");
  if (q == NULL) return answer_page(ar, members_list);
  struct page_request page;
  json_t *out = NULL;
  enum result r = api_read_page(ar, &page);
  if (r == RESULT_OK) r = members_search(ar->db, &ar->actor, q, &page, &out, &ar->info);
  paging_free(&page);
  return api_answer_list(ar, r, out, NULL);
}

enum result handle_person_create(struct api_request *ar) {
  json_t *person = NULL;
  enum result r = people_create(ar->db, &ar->actor, ar->body, &person, &ar->info);
  if (r == RESULT_CREATED) {
    char *location =
        msprintf("/v1/communities/%s/people/%s", ar->community_id, json_string_value(json_object_get(person, "id")));
    if (location != NULL) u_map_put(ar->resp->map_header, "Location", location);
    o_free(location);
  }
  return api_answer(ar, r, person, 1);
}

enum result handle_person_get(struct api_request *ar) {
  const char *person_id = path_id(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *person = NULL;
  enum result r = people_get(ar->db, &ar->actor, person_id, &person, &ar->info);
  return api_answer(ar, r, person, 1);
}

enum result handle_person_update(struct api_request *ar) {
  const char *person_id = path_id(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *person = NULL;
  enum result r = people_update(ar->db, &ar->actor, person_id, ar->body, api_if_match(ar), &person, &ar->info);
  return api_answer(ar, r, person, 1);
}

enum result handle_member_get(struct api_request *ar) {
  const char *person_id = path_id(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *member = NULL;
  enum result r = members_get(ar->db, &ar->actor, person_id, &member, &ar->info);
  if (r == RESULT_OK) r = api_resource(ar, 200, member);
  json_decref(member);
  return r;
}

enum result handle_member_update(struct api_request *ar) {
  const char *person_id = path_id(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  json_t *member = NULL;
  enum result r = members_update_roles(ar->db, &ar->actor, person_id, ar->body, api_if_match(ar), &member, &ar->info);
  if (r == RESULT_OK) r = api_resource(ar, 200, member);
  json_decref(member);
  return r;
}

enum result handle_member_remove(struct api_request *ar) {
  const char *person_id = path_id(ar, "personId");
  if (person_id == NULL) return RESULT_NOT_FOUND;
  enum result r = members_remove(ar->db, &ar->actor, person_id, api_if_match(ar), &ar->info);
  return r == RESULT_OK ? api_no_content(ar) : r;
}

enum result handle_invitation_create(struct api_request *ar) {
  json_t *invitation = NULL;
  enum result r =
      invitations_create(ar->db, &ar->actor, ar->body, ar->cfg->invitation_default_hours, &invitation, &ar->info);
  if (r == RESULT_CREATED) {
    char *location = msprintf("/v1/communities/%s/invitations/%s", ar->community_id,
                              json_string_value(json_object_get(invitation, "id")));
    if (location != NULL) u_map_put(ar->resp->map_header, "Location", location);
    o_free(location);
    r = api_json(ar, 201, invitation);
    if (r == RESULT_OK) r = RESULT_CREATED;
  }
  json_decref(invitation);
  return r;
}

enum result handle_invitations_list(struct api_request *ar) { return answer_page(ar, invitations_list); }

enum result handle_invitation_get(struct api_request *ar) {
  const char *id = path_id(ar, "invitationId");
  if (id == NULL) return RESULT_NOT_FOUND;
  json_t *invitation = NULL;
  enum result r = invitations_get(ar->db, &ar->actor, id, &invitation, &ar->info);
  if (r == RESULT_OK) r = api_resource(ar, 200, invitation);
  json_decref(invitation);
  return r;
}

enum result handle_invitation_revoke(struct api_request *ar) {
  const char *id = path_id(ar, "invitationId");
  if (id == NULL) return RESULT_NOT_FOUND;
  enum result r = invitations_revoke(ar->db, &ar->actor, id, api_if_match(ar), &ar->info);
  return r == RESULT_OK ? api_no_content(ar) : r;
}
