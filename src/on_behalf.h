#ifndef NOABER_ON_BEHALF_H
#define NOABER_ON_BEHALF_H

#include <jansson.h>

#include "db/db.h"
#include "paging.h"
#include "result.h"
#include "roles.h"

/* The desk acting on behalf of a resident or volunteer who phones, comes by or sends a paper
 * form (issue 13). A body that does something for someone else carries `on_behalf_of` (that
 * person's id) and `channel` (phone, in_person or paper), both or neither. Only the desk
 * (coordinator or admin) may name someone, and only the person the action is about. Every such
 * action is recorded once, in the same transaction, by on_behalf_record(): the person reads it on
 * GET /v1/me/on-behalf, the desk on its community's list; the histories of the request or case
 * name the person and channel too (the actor's on_behalf_of, roles.h).
 *
 * Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

/* What a body said about whom the caller acts for. Strings are borrowed from the body. */
struct on_behalf {
  const char *person_id; /* NULL: the caller acts for herself */
  const char *channel;   /* "phone", "in_person" or "paper"; NULL exactly when person_id is */
};

/* What on_behalf_judge() decides. */
enum on_behalf_verdict {
  ON_BEHALF_SELF,         /* neither given: the caller acts for herself, as before */
  ON_BEHALF_DESK,         /* the desk acts for the person the action is about */
  ON_BEHALF_INCOMPLETE,   /* on_behalf_of without channel or the other way round: 400 */
  ON_BEHALF_SELF_NAMED,   /* the caller names herself: she sends neither (400) */
  ON_BEHALF_NOT_DESK,     /* someone not running the desk names someone else: 403 */
  ON_BEHALF_WRONG_PERSON, /* the desk names someone the action is not about: 422 */
};

/* The rule, pure: `on_behalf_of` and `channel` as given (NULL when absent), whether the caller
 * runs the desk (`manages`), the caller's own id, and the person the action is about (`about`:
 * the request's resident, the occurrence's volunteer, the case's subject...). */
enum on_behalf_verdict on_behalf_judge(const char *on_behalf_of, const char *channel, int manages, const char *actor_id,
                                       const char *about);

/* Read on_behalf_of (a UUID) and channel from `body` (an object or NULL) into *out, and set *rest
 * to a copy of the body without those two members, for the action's own field table (a new
 * reference the caller json_decref()s; NULL when `body` is NULL). Type and pairing errors go to
 * info->errors: 0, or -1 when it added one (*rest is set either way), or when out of memory
 * (*rest NULL with a body: the caller answers RESULT_ERROR). */
int on_behalf_read(json_t *body, struct on_behalf *out, json_t **rest, struct result_info *info);

/* Decide, once the person the action is about is known (`about`), whether the caller may act as
 * `ob` says: RESULT_OK (ob unchanged: person_id NULL means for herself); RESULT_INVALID with a
 * field error (a pair half given, or naming herself); RESULT_FORBIDDEN with a static
 * info->detail for someone not running the desk; RESULT_UNPROCESSABLE with a field error
 * `on_behalf_of` saying whom the action is about, in `who` ("the resident of this request"). */
enum result on_behalf_check(const struct on_behalf *ob, const struct actor *actor, const char *about, const char *who,
                            struct result_info *info);

/* The actor as the action's histories record it: *actor with on_behalf_of and channel from `ob`
 * (strings borrowed from `ob` and `actor`). */
struct actor on_behalf_actor(const struct actor *actor, const struct on_behalf *ob);

/* The person whose rights the action is judged by: the one acted for, or the caller. Borrowed. */
const char *on_behalf_person(const struct on_behalf *ob, const struct actor *actor);

/* Record one action the desk took for actor->on_behalf_of (nothing when it is NULL: the caller
 * acted for herself): `kind` as the API names the action (feedback, confirm, ask-other, cancel,
 * complete, helpers, volunteer_profile, consent), `subject_id` what it was done to, `note` may be
 * NULL. RESULT_OK or a database failure. */
enum result on_behalf_record(struct db_conn *conn, const struct actor *actor, const char *kind, const char *subject_id,
                             const char *note, struct result_info *info);

/* The caller's own page of actions taken on her behalf, in every community of hers, oldest
 * first, with updated_since for sync (records never change or go away: no tombstones):
 * RESULT_OK with {items, next_cursor, sync_token} in *out (new reference). */
enum result on_behalf_mine(struct db_conn *conn, const char *person_id, const struct page_request *page, json_t **out,
                           struct result_info *info);

/* The desk's page of the community's actions on behalf, of one person (`person_id`, may be NULL:
 * everyone's). RESULT_FORBIDDEN for anyone but the desk. */
enum result on_behalf_list(struct db_conn *conn, const struct actor *actor, const char *person_id,
                           const struct page_request *page, json_t **out, struct result_info *info);

/* Whether `person_id` is a current member of the actor's community with `role` ("resident",
 * "volunteer"): *has 1 or 0. RESULT_OK or a database failure. One probe of the memberships key. */
enum result on_behalf_member_has_role(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                      const char *role, int *has, struct result_info *info);

int on_behalf_register_statements(void);

#endif
