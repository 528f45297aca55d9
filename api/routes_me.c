/* /v1/me: the signed-in person. */
#include <string.h>

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

enum result handle_me_join(struct api_request *ar) {
  static const char *const fields[] = {"invitation_code", NULL};
  api_only_fields(ar, fields);
  const char *code = api_string_field(ar, "invitation_code", 1);
  if (code != NULL && !valid_text(code, 1, 128))
    result_field_error(&ar->info, "invitation_code", "invalid",
                       "the invitation code is unknown, used, revoked or expired");
  if (ar->info.errors != NULL) return RESULT_INVALID;
  char community_id[37];
  json_t *membership = NULL;
  enum result r = invitations_redeem(ar->db, code, ar->person_id, community_id, &ar->info);
  if (r == RESULT_OK) r = members_membership(ar->db, ar->person_id, community_id, &membership, &ar->info);
  if (r == RESULT_OK) r = api_json(ar, 201, membership);
  json_decref(membership);
  return r == RESULT_OK ? RESULT_CREATED : r;
}
