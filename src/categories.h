#ifndef NOABER_CATEGORIES_H
#define NOABER_CATEGORIES_H

#include "db/db.h"
#include "desk_rules.h"
#include "paging.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* Categories of help, per community, with their policy (what volunteers may do). */
/* Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int categories_register_statements(void);

/* A page of the community's categories; `language` ("nl" or "en") picks `label`. */
enum result categories_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                            const char *language, json_t **out, struct result_info *info);

/* One category (any member but a guest). */
enum result categories_get(struct db_conn *conn, const struct actor *actor, const char *id, const char *language,
                           json_t **out, struct result_info *info);
/* Create a category with its policy (coordinator, admin). RESULT_CONFLICT for a code in use. */
enum result categories_create(struct db_conn *conn, const struct actor *actor, json_t *body, const char *language,
                              json_t **out, struct result_info *info);
/* Replace a category's labels and policy (coordinator, admin) when `if_match` names it. */
enum result categories_update(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                              const struct precondition *if_match, const char *language, json_t **out,
                              struct result_info *info);

/* One category's policy and referral target. R_NOT_FOUND for an unknown id. `referral` is a new
 * reference ({name, contact} or JSON null). */
struct category_rules {
  struct category_policy policy;
  int in_home;
  json_t *referral;
};
enum result categories_rules(struct db_conn *conn, const char *community_id, const char *category_id,
                             struct category_rules *out, struct result_info *info);

#endif
