/* /v1/me: the signed-in person, their memberships and their sessions. */
#include <string.h>

#include "../src/auth.h"
#include "../src/invitations.h"
#include "../src/members.h"
#include "../src/support/validate.h"
#include "routes.h"

enum result handle_me_get(struct api_request *ar) {
  json_t *me = NULL;
  enum result r = members_me(ar->db, ar->person_id, &me, &ar->info);
  if (r == RESULT_OK) r = api_resource(ar, 200, me);
  json_decref(me);
  return r;
}

enum result handle_me_update(struct api_request *ar) {
  json_t *me = NULL;
  enum result r = members_me_update(ar->db, ar->person_id, ar->body, api_if_match(ar), &me, &ar->info);
  if (r == RESULT_OK) r = api_resource(ar, 200, me);
  json_decref(me);
  return r;
}

enum result handle_me_join(struct api_request *ar) {
  char community_id[37];
  json_t *membership = NULL;
  enum result r = invitations_join(ar->db, ar->body, ar->person_id, community_id, &ar->info);
  if (r == RESULT_OK) r = members_membership(ar->db, ar->person_id, community_id, &membership, &ar->info);
  if (r == RESULT_OK) r = api_json(ar, 201, membership);
  json_decref(membership);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result handle_me_sessions(struct api_request *ar) {
  json_t *sessions = NULL;
  enum result r = auth_sessions_list(ar->db, ar->person_id, ar->session_id, &sessions, &ar->info);
  if (r == RESULT_OK) r = api_json(ar, 200, sessions);
  json_decref(sessions);
  return r;
}

enum result handle_me_sessions_revoke_all(struct api_request *ar) {
  enum result r = auth_sessions_revoke_all(ar->db, ar->person_id, &ar->info);
  return r == RESULT_OK ? api_no_content(ar) : r;
}
