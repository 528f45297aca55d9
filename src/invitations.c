/* Invitations to join a community. The representation is built by PostgreSQL
 * (sql/functions/invitations.sql). */
#include "invitations.h"

#include <orcania.h>
#include <string.h>

#include "documents.h"
#include "people.h"
#include "precondition.h"
#include "support/digest.h"

/* Every statement that returns an invitation returns its document, invitation_doc. */
static const struct db_statement statements[] = {
    {"invitation_insert",
     "WITH created AS (INSERT INTO invitations (community_id, code_hash, role, email, created_by, expires_at, case_id, "
     "organisation, person_id) VALUES ($1, decode($2, 'hex'), $3::member_role, $4, $5, "
     "now() + make_interval(hours => $6::int), $7, $8, $9) RETURNING *) SELECT d.* FROM created i, invitation_doc(i) d"},
    {"invitations_page",
     "SELECT d.* FROM invitations i, invitation_doc(i) d WHERE i.community_id = $1 "
     "AND i.updated_at > $2::timestamptz AND (i.updated_at, i.id) > ($3::timestamptz, $4::uuid) "
     "ORDER BY i.updated_at, i.id LIMIT $5"},
    {"invitation_get", "SELECT d.* FROM invitations i, invitation_doc(i) d WHERE i.community_id = $1 AND i.id = $2"},
    /* A change to an invitation takes its row first, then reads it with invitation_get. */
    {"invitation_lock", "SELECT 1 FROM invitations WHERE community_id = $1 AND id = $2 FOR UPDATE"},
    {"invitation_revoke",
     "UPDATE invitations SET revoked_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2 AND revoked_at IS NULL AND accepted_at IS NULL"},
    /* Usable: pending, and open (no email) or addressed to $2, the email of whoever redeems it. */
    {"invitation_by_code",
     "SELECT community_id, id, role::text, (accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() "
     "AND (email IS NULL OR lower(email) = lower($2))), case_id, organisation, person_id "
     "FROM invitations WHERE code_hash = decode($1, 'hex') FOR UPDATE"},
    /* The email of a person who joins with a code while logged in. */
    {"invitation_redeemer_email", "SELECT email FROM persons WHERE id = $1"},
    {"invitation_case_participant",
     "INSERT INTO case_participants (community_id, case_id, person_id, role, organisation) "
     "VALUES ($1, $2, $3, 'professional', $4) ON CONFLICT (community_id, case_id, person_id) DO NOTHING "
     "RETURNING id"},
    {"invitation_join",
     "INSERT INTO memberships (community_id, person_id, roles) VALUES ($1, $2, ARRAY[$3::member_role]) "
     "ON CONFLICT (community_id, person_id) DO UPDATE SET roles = EXCLUDED.roles, removed_at = NULL, "
     "joined_at = now(), updated_at = clock_timestamp() WHERE memberships.removed_at IS NOT NULL "
     "RETURNING person_id"},
    {"invitation_accept",
     "UPDATE invitations SET accepted_by = $3, accepted_at = now(), updated_at = clock_timestamp() "
     "WHERE community_id = $1 AND id = $2"},
};

int invitations_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

/* invitations_insert(), for the person the desk registered when `person_id` is not NULL. */
static enum result insert(struct db_conn *conn, const struct actor *actor, unsigned role, const char *email, int hours,
                          const char *case_id, const char *organisation, const char *person_id, json_t **out,
                          struct result_info *info) {
  *out = NULL;
  char *code = digest_new_secret();
  if (code == NULL) return RESULT_ERROR;
  char code_hash[DIGEST_HEX_LEN], role_name[24], hours_text[16];
  digest_sha256_hex(code, code_hash);
  roles_to_list(role, role_name, sizeof role_name);
  snprintf(hours_text, sizeof hours_text, "%d", hours);
  const char *params[9] = {actor->community_id, code_hash, role_name,    email,    actor->person_id,
                           hours_text,          case_id,   organisation, person_id};
  /* The code is shown once, in this response; only its hash is kept. */
  enum result r = documents_one(conn, "invitation_insert", 9, params, out, info);
  if (r == RESULT_OK && json_object_set_new(*out, "code", json_string(code)) != 0) {
    json_decref(*out);
    *out = NULL;
    r = RESULT_ERROR;
  }
  o_free(code);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result invitations_insert(struct db_conn *conn, const struct actor *actor, unsigned role, const char *email,
                               int hours, const char *case_id, const char *organisation, json_t **out,
                               struct result_info *info) {
  return insert(conn, actor, role, email, hours, case_id, organisation, NULL, out, info);
}

int invitations_lifetime_allowed(long long hours) {
  return hours >= INVITATION_MIN_HOURS && hours <= INVITATION_MAX_HOURS;
}

/* A community invitation's body; a guest joins only through a case invitation. */
static const char *const invitable_roles[] = {"resident", "volunteer", "coordinator", "professional", "admin", NULL};
enum { INVITE_ROLE, INVITE_EMAIL, INVITE_HOURS, INVITE_PERSON, INVITE_FIELDS };
static const struct field_rule invite_fields[] = {
    [INVITE_ROLE] = {"role", FIELD_ENUM, FIELD_REQUIRED | FIELD_STRING_TYPE, 0, 0, invitable_roles, "invalid",
                     "one of resident, volunteer, coordinator, professional, admin"},
    [INVITE_EMAIL] = {"email", FIELD_EMAIL, FIELD_STRING_TYPE, 0, 0, NULL, "invalid", "not an email address"},
    [INVITE_HOURS] = INVITATION_HOURS_RULE,
    /* A member the desk registered without a login: registering with the code gives them one. */
    [INVITE_PERSON] = {"person_id", FIELD_UUID, FIELD_NULL_INVALID, 0, 0, NULL, "invalid",
                       "a member of this community without a login"},
    [INVITE_FIELDS] = {NULL},
};

enum result invitations_create(struct db_conn *conn, const struct actor *actor, json_t *body, int default_hours,
                               json_t **out, struct result_info *info) {
  *out = NULL;
  struct field_value v[INVITE_FIELDS];
  fields_read(body, invite_fields, v, info);
  if (info->errors != NULL) return RESULT_INVALID;
  unsigned role = role_from_name(v[INVITE_ROLE].text);
  const char *email = v[INVITE_EMAIL].text;
  int hours = v[INVITE_HOURS].present ? (int)v[INVITE_HOURS].integer : default_hours;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  if (role == ROLE_ADMIN && !(actor->roles & ROLE_ADMIN)) {
    info->detail = "only an admin can invite an admin";
    return RESULT_FORBIDDEN;
  }
  const char *person_id = v[INVITE_PERSON].text;
  if (person_id != NULL) {
    enum result r = people_check_invitable(conn, actor, person_id, info);
    if (r != RESULT_OK) return r;
  }
  return insert(conn, actor, role, email, hours, NULL, NULL, person_id, out, info);
}

enum result invitations_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                             json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  const char *params[5] = {actor->community_id, paging_param_since(page), paging_param_after_ts(page),
                           paging_param_after_id(page), paging_param_fetch(page)};
  return documents_sync_page(conn, "invitations_page", 5, params, page, "updated_at", "id", out, info);
}

static enum result load(struct db_conn *conn, const struct actor *actor, const char *id, int lock, json_t **out,
                        struct result_info *info) {
  const char *params[2] = {actor->community_id, id};
  *out = NULL;
  enum result r = lock ? result_from_db(db_exec(conn, "invitation_lock", 2, params), info) : RESULT_OK;
  return r == RESULT_OK ? documents_one(conn, "invitation_get", 2, params, out, info) : r;
}

enum result invitations_get(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                            struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  return load(conn, actor, id, 0, out, info);
}

enum result invitations_revoke(struct db_conn *conn, const struct actor *actor, const char *id,
                               const struct precondition *if_match, struct result_info *info) {
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  json_t *current = NULL;
  enum result r = load(conn, actor, id, 1, &current, info);
  if (r == RESULT_OK) r = precondition_check(if_match, current, 0);
  if (r == RESULT_OK && strcmp(json_string_value(json_object_get(current, "status")), "accepted") == 0) {
    info->detail = "the invitation was already accepted";
    r = RESULT_CONFLICT;
  }
  json_decref(current);
  if (r != RESULT_OK) return r;
  const char *params[2] = {actor->community_id, id};
  return result_from_db(db_exec(conn, "invitation_revoke", 2, params), info);
}

/* The invitation of `code` when `email` may redeem it, in *found (the caller PQclear()s it);
 * otherwise RESULT_INVALID with the one answer for every unusable code. Locks the row. */
static enum result find_usable(struct db_conn *conn, const char *code, const char *email, PGresult **found,
                               struct result_info *info) {
  char code_hash[DIGEST_HEX_LEN];
  digest_sha256_hex(code, code_hash);
  *found = NULL;
  enum result r = result_from_db(db_set_lookup(conn, "invitation", code_hash), info);
  if (r == RESULT_OK)
    r = result_from_db(db_query(conn, "invitation_by_code", 2, (const char *[]){code_hash, email}, found), info);
  if (r == RESULT_OK && (PQntuples(*found) != 1 || strcmp(PQgetvalue(*found, 0, 3), "t") != 0)) {
    result_field_error(info, "invitation_code", "invalid", INVITATION_CODE_INVALID);
    r = RESULT_INVALID;
  }
  if (r != RESULT_OK) {
    PQclear(*found);
    *found = NULL;
  }
  return r;
}

enum result invitations_usable(struct db_conn *conn, const char *code, const char *email, struct result_info *info) {
  PGresult *found = NULL;
  enum result r = find_usable(conn, code, email, &found, info);
  PQclear(found);
  return r;
}

enum result invitations_person(struct db_conn *conn, const char *code, const char *email, char person_id[37],
                               struct result_info *info) {
  PGresult *found = NULL;
  person_id[0] = '\0';
  enum result r = find_usable(conn, code, email, &found, info);
  if (r == RESULT_OK && !PQgetisnull(found, 0, 6)) snprintf(person_id, 37, "%s", PQgetvalue(found, 0, 6));
  PQclear(found);
  return r;
}

enum result invitations_redeem(struct db_conn *conn, const char *code, const char *person_id, const char *email,
                               char community_id[37], struct result_info *info) {
  PGresult *found = NULL;
  enum result r = find_usable(conn, code, email, &found, info);
  if (r != RESULT_OK) return r;
  snprintf(community_id, 37, "%s", PQgetvalue(found, 0, 0));
  char invitation_id[37], role[24], case_id[37] = "", organisation[101] = "", invited_person[37] = "";
  snprintf(invitation_id, sizeof invitation_id, "%s", PQgetvalue(found, 0, 1));
  snprintf(role, sizeof role, "%s", PQgetvalue(found, 0, 2));
  if (!PQgetisnull(found, 0, 4)) {
    snprintf(case_id, sizeof case_id, "%s", PQgetvalue(found, 0, 4));
    snprintf(organisation, sizeof organisation, "%s", PQgetvalue(found, 0, 5));
  }
  if (!PQgetisnull(found, 0, 6)) snprintf(invited_person, sizeof invited_person, "%s", PQgetvalue(found, 0, 6));
  PQclear(found);
  /* An invitation for a person the desk registered is theirs alone (auth.c attaches the login). */
  if (invited_person[0] != '\0' && strcmp(invited_person, person_id) != 0) {
    result_field_error(info, "invitation_code", "invalid", INVITATION_CODE_INVALID);
    return RESULT_INVALID;
  }

  /* From here the transaction acts inside the invitation's community. */
  struct db_context ctx = {.person_id = person_id, .community_id = community_id, .roles = role};
  r = result_from_db(db_set_context(conn, &ctx), info);
  PGresult *joined = NULL;
  if (r == RESULT_OK) {
    const char *params[3] = {community_id, person_id, role};
    r = result_from_db(db_query(conn, "invitation_join", 3, params, &joined), info);
  }
  /* A member invited to one case keeps their membership and only joins the case. */
  if (r == RESULT_OK && PQntuples(joined) != 1 && case_id[0] == '\0' && invited_person[0] == '\0') {
    info->detail = "you are already a member of this community";
    r = RESULT_CONFLICT;
  }
  PQclear(joined);
  if (r == RESULT_OK && case_id[0] != '\0') {
    PGresult *participant = NULL;
    const char *params[4] = {community_id, case_id, person_id, organisation};
    r = result_from_db(db_query(conn, "invitation_case_participant", 4, params, &participant), info);
    if (r == RESULT_OK && PQntuples(participant) != 1) {
      info->detail = "you are already on this case";
      r = RESULT_CONFLICT;
    }
    PQclear(participant);
  }
  if (r != RESULT_OK) return r;
  const char *params[3] = {community_id, invitation_id, person_id};
  return result_from_db(db_exec(conn, "invitation_accept", 3, params), info);
}

enum result invitations_join(struct db_conn *conn, json_t *body, const char *person_id, char community_id[37],
                             struct result_info *info) {
  static const struct field_rule rules[] = {INVITATION_CODE_RULE, {NULL}};
  struct field_value code;
  if (fields_read(body, rules, &code, info) != 0) return RESULT_INVALID;
  PGresult *person = NULL;
  enum result r =
      result_from_db(db_query(conn, "invitation_redeemer_email", 1, (const char *[]){person_id}, &person), info);
  if (r == RESULT_OK && PQntuples(person) != 1) r = RESULT_ERROR; /* the caller's own row: always there */
  if (r == RESULT_OK) r = invitations_redeem(conn, code.text, person_id, PQgetvalue(person, 0, 0), community_id, info);
  PQclear(person);
  return r;
}
