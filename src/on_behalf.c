/* The desk acting on behalf of someone, and the record of it (see on_behalf.h). */
#include "on_behalf.h"
#include "documents.h"

#include <strings.h>

#include "fields.h"

static const struct db_statement statements[] = {
    {"on_behalf_insert",
     "INSERT INTO on_behalf_actions (community_id, actor_id, person_id, channel, kind, subject_id, note) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7)"},
    /* The person's own rows in every community (row-level security: on_behalf_actions_own), after
     * updated_since $2 and keyset $3/$4, $5 rows: on_behalf_actions_person_idx. */
    {"on_behalf_mine",
     "SELECT d.doc FROM on_behalf_actions a, on_behalf_doc(a) d WHERE a.person_id = $1 AND a.at > $2::timestamptz "
     "AND (a.at, a.id) > ($3::timestamptz, $4::uuid) ORDER BY a.at, a.id LIMIT $5"},
    /* The community's rows of one person ($2), or of everyone ($2 NULL): the desk's view. */
    {"on_behalf_person_page",
     "SELECT d.doc FROM on_behalf_actions a, on_behalf_doc(a) d WHERE a.community_id = $1 AND a.person_id = $2 "
     "AND (a.at, a.id) > ($3::timestamptz, $4::uuid) ORDER BY a.at, a.id LIMIT $5"},
    {"on_behalf_member_role",
     "SELECT 1 FROM memberships WHERE community_id = $1 AND person_id = $2 AND removed_at IS NULL "
     "AND $3::member_role = ANY (roles)"},
    {"on_behalf_community_page",
     "SELECT d.doc FROM on_behalf_actions a, on_behalf_doc(a) d WHERE a.community_id = $1 "
     "AND (a.at, a.id) > ($2::timestamptz, $3::uuid) ORDER BY a.at, a.id LIMIT $4"},
};

int on_behalf_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum on_behalf_verdict on_behalf_judge(const char *on_behalf_of, const char *channel, int manages, const char *actor_id,
                                       const char *about) {
  if (on_behalf_of == NULL && channel == NULL) return ON_BEHALF_SELF;
  if (on_behalf_of == NULL || channel == NULL) return ON_BEHALF_INCOMPLETE;
  if (actor_id != NULL && strcasecmp(on_behalf_of, actor_id) == 0) return ON_BEHALF_SELF_NAMED;
  if (!manages) return ON_BEHALF_NOT_DESK;
  if (about == NULL || strcasecmp(on_behalf_of, about) != 0) return ON_BEHALF_WRONG_PERSON;
  return ON_BEHALF_DESK;
}

static const char *const channels[] = {"phone", "in_person", "paper", NULL};

enum { OB_PERSON, OB_CHANNEL, OB_FIELDS };
static const struct field_rule on_behalf_fields[] = {
    [OB_PERSON] = {"on_behalf_of", FIELD_UUID, FIELD_NULL_INVALID, 0, 0, NULL, "invalid", "an id (UUID)"},
    [OB_CHANNEL] = {"channel", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, channels, "invalid", "phone, in_person or paper"},
    [OB_FIELDS] = {NULL},
};

int on_behalf_read(json_t *body, struct on_behalf *out, json_t **rest, struct result_info *info) {
  out->person_id = NULL;
  out->channel = NULL;
  *rest = NULL;
  if (body == NULL || !json_is_object(body)) {
    *rest = json_incref(body);
    return 0;
  }
  /* Only the two members are read here: a body with only them (the others are the action's). */
  json_t *pair = json_object();
  *rest = json_copy(body);
  if (pair == NULL || *rest == NULL) {
    json_decref(pair);
    json_decref(*rest);
    *rest = NULL;
    return -1;
  }
  for (int i = 0; i < OB_FIELDS; i++) {
    json_t *value = json_object_get(body, on_behalf_fields[i].name);
    if (value != NULL && (json_object_set(pair, on_behalf_fields[i].name, value) != 0 ||
                          json_object_del(*rest, on_behalf_fields[i].name) != 0)) {
      json_decref(pair);
      json_decref(*rest);
      *rest = NULL;
      return -1;
    }
  }
  struct field_value v[OB_FIELDS];
  int failed = fields_read(pair, on_behalf_fields, v, info) != 0;
  json_decref(pair); /* the strings in v are the body's, which `pair` only borrowed */
  if (failed) return -1;
  out->person_id = v[OB_PERSON].text;
  out->channel = v[OB_CHANNEL].text;
  if (on_behalf_judge(out->person_id, out->channel, 0, NULL, NULL) == ON_BEHALF_INCOMPLETE) {
    if (out->channel == NULL)
      result_field_error(info, "channel", "required", "give channel together with on_behalf_of");
    else
      result_field_error(info, "on_behalf_of", "required", "give on_behalf_of together with channel");
    out->person_id = out->channel = NULL;
    return -1;
  }
  return 0;
}

enum result on_behalf_check(const struct on_behalf *ob, const struct actor *actor, const char *about, const char *who,
                            struct result_info *info) {
  switch (on_behalf_judge(ob->person_id, ob->channel, actor_manages(actor), actor->person_id, about)) {
    case ON_BEHALF_SELF:
    case ON_BEHALF_DESK:
      return RESULT_OK;
    case ON_BEHALF_INCOMPLETE: /* on_behalf_read() told it already */
      result_field_error(info, "channel", "required", "give on_behalf_of and channel together");
      return RESULT_INVALID;
    case ON_BEHALF_SELF_NAMED:
      result_field_error(info, "on_behalf_of", "invalid", "leave out on_behalf_of when you act for yourself");
      return RESULT_INVALID;
    case ON_BEHALF_NOT_DESK:
      info->detail = "only the desk acts on behalf of someone else";
      return RESULT_FORBIDDEN;
    case ON_BEHALF_WRONG_PERSON:
      result_field_error(info, "on_behalf_of", "wrong_person", who);
      return RESULT_UNPROCESSABLE;
  }
  return RESULT_ERROR;
}

struct actor on_behalf_actor(const struct actor *actor, const struct on_behalf *ob) {
  struct actor acting = *actor;
  acting.on_behalf_of = ob->person_id;
  acting.channel = ob->person_id != NULL ? ob->channel : NULL;
  return acting;
}

const char *on_behalf_person(const struct on_behalf *ob, const struct actor *actor) {
  return ob->person_id != NULL ? ob->person_id : actor->person_id;
}

enum result on_behalf_record(struct db_conn *conn, const struct actor *actor, const char *kind, const char *subject_id,
                             const char *note, struct result_info *info) {
  if (actor->on_behalf_of == NULL) return RESULT_OK;
  const char *params[7] = {
      actor->community_id, actor->person_id, actor->on_behalf_of, actor->channel, kind, subject_id, note};
  return result_from_db(db_exec(conn, "on_behalf_insert", 7, params), info);
}

enum result on_behalf_mine(struct db_conn *conn, const char *person_id, const struct page_request *page, json_t **out,
                           struct result_info *info) {
  *out = NULL;
  const char *params[5] = {person_id, paging_param_since(page), paging_param_after_ts(page),
                           paging_param_after_id(page), paging_param_fetch(page)};
  return documents_sync_page(conn, "on_behalf_mine", 5, params, page, "updated_at", "id", out, info);
}

enum result on_behalf_list(struct db_conn *conn, const struct actor *actor, const char *person_id,
                           const struct page_request *page, json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) {
    info->detail = "the desk sees what was done on behalf of people";
    return RESULT_FORBIDDEN;
  }
  if (person_id != NULL) {
    const char *params[5] = {actor->community_id, person_id, paging_param_after_ts(page), paging_param_after_id(page),
                             paging_param_fetch(page)};
    return documents_page(conn, "on_behalf_person_page", 5, params, page, "updated_at", "id", out, info);
  }
  const char *params[4] = {actor->community_id, paging_param_after_ts(page), paging_param_after_id(page),
                           paging_param_fetch(page)};
  return documents_page(conn, "on_behalf_community_page", 4, params, page, "updated_at", "id", out, info);
}

enum result on_behalf_member_has_role(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                      const char *role, int *has, struct result_info *info) {
  *has = 0;
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "on_behalf_member_role", 3, (const char *[]){actor->community_id, person_id, role}, &res), info);
  if (r == RESULT_OK) *has = PQntuples(res) == 1;
  PQclear(res);
  return r;
}
