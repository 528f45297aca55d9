/* People the desk keeps. The Person document is built by PostgreSQL (person_desk_doc in
 * sql/functions/members.sql); the searchable copy and the one-phone-per-community rule live in
 * member_search (sql/migrations/0019_people.sql). */
#include "people.h"

#include <ctype.h>
#include <orcania.h>
#include <stdio.h>
#include <string.h>

#include "documents.h"
#include "fields.h"
#include "login_guard.h"
#include "members.h"
#include "phone.h"

static const struct db_statement statements[] = {
    /* The live member of the context's community who has this phone (E.164), if any. */
    {"people_phone_owner", "SELECT person_id FROM member_search_scope WHERE phone = $1"},
    /* The id is made first: the new row is not visible to the desk until its membership exists,
     * so an INSERT ... RETURNING would be refused by the persons policy. */
    {"people_new_id", "SELECT gen_random_uuid()"},
    {"people_insert",
     "INSERT INTO persons (id, display_name, phone, email, contact_channel, street, house_number, postcode, place, "
     "lat, lon) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::float8, $11::float8)"},
    {"people_join",
     "INSERT INTO memberships (community_id, person_id, roles) "
     "VALUES ($1, $2, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)::member_role))"},
    {"people_get",
     "SELECT d.* FROM memberships m JOIN persons p ON p.id = m.person_id, person_desk_doc(m, p) d "
     "WHERE m.community_id = $1 AND m.person_id = $2 AND m.removed_at IS NULL"},
    /* A change takes the person's row first, then reads it with people_get. */
    {"people_lock", "SELECT 1 FROM persons WHERE id = $1 FOR UPDATE"},
    /* $2 name, $4 email, $6 phone, $7 channel; $3, $5, $8 true: email, phone, address given (each
     * may become NULL); $9-$14 the address. */
    {"people_update",
     "UPDATE persons SET display_name = COALESCE($2, display_name), email = CASE WHEN $3::bool THEN $4 ELSE email END, "
     "phone = CASE WHEN $5::bool THEN $6 ELSE phone END, contact_channel = COALESCE($7, contact_channel), "
     "street = CASE WHEN $8::bool THEN $9 ELSE street END, "
     "house_number = CASE WHEN $8::bool THEN $10 ELSE house_number END, "
     "postcode = CASE WHEN $8::bool THEN $11 ELSE postcode END, place = CASE WHEN $8::bool THEN $12 ELSE place END, "
     "lat = CASE WHEN $8::bool THEN $13::float8 ELSE lat END, lon = CASE WHEN $8::bool THEN $14::float8 ELSE lon END, "
     "updated_at = clock_timestamp() WHERE id = $1"},
};

int people_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

int people_postcode_normalise(const char *typed, char out[PEOPLE_POSTCODE_SIZE]) {
  out[0] = '\0';
  while (*typed == ' ' || *typed == '\t') typed++;
  size_t len = strlen(typed);
  while (len > 0 && (typed[len - 1] == ' ' || typed[len - 1] == '\t')) len--;
  if (len == 0 || len >= PEOPLE_POSTCODE_SIZE) return -1;
  /* Dutch: four digits, the first not 0, any blanks, two letters. */
  char dutch[7] = "";
  size_t n = 0, i = 0;
  for (; i < len && n < 4 && isdigit((unsigned char)typed[i]); i++) dutch[n++] = typed[i];
  while (n == 4 && i < len && typed[i] == ' ') i++;
  for (; n >= 4 && n < 6 && i < len && isalpha((unsigned char)typed[i]); i++)
    dutch[n++] = (char)toupper((unsigned char)typed[i]);
  if (n == 6 && i == len && dutch[0] != '0') {
    memcpy(out, dutch, 6);
    out[6] = '\0';
    return 1;
  }
  memcpy(out, typed, len);
  out[len] = '\0';
  return 0;
}

char *people_search_pattern(const char *q) {
  char e164[PHONE_E164_SIZE];
  /* Room for q, or for its E.164 form, which may be longer ("0612345678" is "+31612345678"). */
  size_t room = strlen(q) + PHONE_E164_SIZE;
  char *term = o_malloc(room);
  if (term == NULL) return NULL;
  if (phone_normalise(q, e164, sizeof e164) == 0) {
    snprintf(term, room, "%s", e164);
  } else {
    /* Only digits and the separators a number is written with: its digits. */
    size_t n = 0;
    int number = 1;
    for (const char *p = q; *p != '\0'; p++) {
      if (isdigit((unsigned char)*p))
        term[n++] = *p;
      else if (strchr(" -./()+", *p) == NULL)
        number = 0;
    }
    term[n] = '\0';
    if (!number || n == 0) snprintf(term, room, "%s", q);
  }
  /* % term %, with LIKE's own characters escaped (PostgreSQL's default escape is \). */
  char *pattern = o_malloc(2 * strlen(term) + 3);
  if (pattern != NULL) {
    size_t n = 0;
    pattern[n++] = '%';
    for (const char *p = term; *p != '\0'; p++) {
      if (*p == '%' || *p == '_' || *p == '\\') pattern[n++] = '\\';
      pattern[n++] = *p;
    }
    pattern[n++] = '%';
    pattern[n] = '\0';
  }
  o_free(term);
  return pattern;
}

/* The roles the desk gives a person it registers. */
static const char *const people_roles[] = {"resident", "volunteer", NULL};
#define ROLES_MESSAGE "give resident, volunteer or both"

enum { P_NAME, P_PHONE, P_EMAIL, P_ADDRESS, P_CHANNEL, P_ROLES, P_FIELDS };
static const struct field_rule create_fields[] = {
    [P_NAME] = {"display_name", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 100, NULL, "length",
                "use 1 to 100 characters, no control characters"},
    [P_PHONE] = {"phone", FIELD_STRING, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 40, NULL, "invalid", PHONE_MESSAGE},
    [P_EMAIL] = {"email", FIELD_EMAIL, FIELD_STRING_TYPE, 0, 0, NULL, "invalid", "not an email address"},
    [P_ADDRESS] = {"address", FIELD_OBJECT, 0, 0, FIELD_UNBOUNDED, NULL, "invalid",
                   "{street, house_number, postcode, place, lat and lon together or neither} or null"},
    [P_CHANNEL] = {"contact_channel", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, members_contact_channels, "invalid",
                   MEMBERS_CHANNEL_MESSAGE},
    [P_ROLES] = {"roles", FIELD_LIST, FIELD_REQUIRED, 1, 2, NULL, "invalid", ROLES_MESSAGE},
    [P_FIELDS] = {NULL},
};

/* The PATCH body: the same members, all optional; email and address may be null (removed). */
static const struct field_rule update_fields[] = {
    [P_NAME] = {"display_name", FIELD_TEXT, FIELD_STRING_TYPE | FIELD_NULL_INVALID, 1, 100, NULL, "length",
                "use 1 to 100 characters, no control characters"},
    [P_PHONE] = {"phone", FIELD_STRING, FIELD_STRING_TYPE | FIELD_NULL_INVALID, 1, 40, NULL, "invalid", PHONE_MESSAGE},
    [P_EMAIL] = {"email", FIELD_EMAIL, FIELD_STRING_TYPE, 0, 0, NULL, "invalid", "not an email address"},
    [P_ADDRESS] = {"address", FIELD_OBJECT, 0, 0, FIELD_UNBOUNDED, NULL, "invalid",
                   "{street, house_number, postcode, place, lat and lon together or neither} or null"},
    [P_CHANNEL] = {"contact_channel", FIELD_ENUM, FIELD_NULL_INVALID, 0, 0, members_contact_channels, "invalid",
                   MEMBERS_CHANNEL_MESSAGE},
    [P_ROLES] = {NULL},
};

enum { A_STREET, A_NUMBER, A_POSTCODE, A_PLACE, A_LAT, A_LON, A_FIELDS };
static const struct field_rule address_fields[] = {
    [A_STREET] = {"street", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 100, NULL, NULL, NULL},
    [A_NUMBER] = {"house_number", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 20, NULL, NULL, NULL},
    [A_POSTCODE] = {"postcode", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 12, NULL, NULL, NULL},
    [A_PLACE] = {"place", FIELD_TEXT, FIELD_REQUIRED | FIELD_STRING_TYPE, 1, 100, NULL, NULL, NULL},
    [A_LAT] = {"lat", FIELD_NUMBER, FIELD_NULL_INVALID, -90, 90, NULL, NULL, NULL},
    [A_LON] = {"lon", FIELD_NUMBER, FIELD_NULL_INVALID, -180, 180, NULL, NULL, NULL},
    [A_FIELDS] = {NULL},
};

/* An address read from a body, as statement parameters. */
struct address {
  struct field_value v[A_FIELDS];
  char postcode[PEOPLE_POSTCODE_SIZE], lat[32], lon[32];
};

static void read_address(json_t *object, struct address *a, struct result_info *info) {
  memset(a, 0, sizeof *a);
  fields_read_in("address", object, address_fields, a->v, info);
  if (a->v[A_POSTCODE].present && people_postcode_normalise(a->v[A_POSTCODE].text, a->postcode) < 0)
    result_field_error(info, "address.postcode", "length", "use 1 to 12 characters");
  if (a->v[A_LAT].present != a->v[A_LON].present)
    result_field_error(info, "address.lon", "invalid", "give lat and lon together, or neither");
  if (a->v[A_LAT].present) snprintf(a->lat, sizeof a->lat, "%.7f", a->v[A_LAT].number);
  if (a->v[A_LON].present) snprintf(a->lon, sizeof a->lon, "%.7f", a->v[A_LON].number);
}

/* The roles of a create body as a JSON array text ("[\"resident\"]"): 0, or -1 after a field error. */
static int read_roles(json_t *list, char out[40], struct result_info *info) {
  unsigned seen = 0;
  size_t i;
  json_t *name;
  json_array_foreach(list, i, name) {
    const char *s = json_string_value(name);
    int k = -1;
    for (int j = 0; s != NULL && people_roles[j] != NULL; j++)
      if (strcmp(s, people_roles[j]) == 0) k = j;
    if (k < 0 || (seen & (1u << k))) {
      result_field_error(info, "roles", "invalid", ROLES_MESSAGE);
      return -1;
    }
    seen |= 1u << k;
  }
  snprintf(out, 40, "%s%s%s%s%s", "[", (seen & 1u) ? "\"resident\"" : "", seen == 3u ? "," : "",
           (seen & 2u) ? "\"volunteer\"" : "", "]");
  return 0;
}

/* RESULT_CONFLICT with existing_person_id when another live member of the community has `phone`. */
static enum result check_phone_free(struct db_conn *conn, const char *phone, const char *self,
                                    struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "people_phone_owner", 1, (const char *[]){phone}, &res), info);
  if (r == RESULT_OK && PQntuples(res) == 1 && (self == NULL || strcmp(PQgetvalue(res, 0, 0), self) != 0)) {
    result_extension(info, "existing_person_id", json_string(PQgetvalue(res, 0, 0)));
    info->detail = "a member of this community already has this phone number";
    r = RESULT_CONFLICT;
  }
  PQclear(res);
  return r;
}

static enum result load(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t **out,
                        struct result_info *info) {
  return documents_one(conn, "people_get", 2, (const char *[]){actor->community_id, person_id}, out, info);
}

enum result people_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                          struct result_info *info) {
  *out = NULL;
  struct field_value v[P_FIELDS];
  struct address a;
  char phone[PHONE_E164_SIZE], roles[40];
  memset(&a, 0, sizeof a);
  fields_read(body, create_fields, v, info);
  members_phone_of_body(&v[P_PHONE], phone, info);
  if (v[P_ADDRESS].present) read_address(v[P_ADDRESS].object, &a, info);
  if (v[P_ROLES].present) read_roles(v[P_ROLES].list, roles, info);
  if (info->errors != NULL) return RESULT_INVALID;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  enum result r = check_phone_free(conn, phone, NULL, info);
  if (r != RESULT_OK) return r;
  char *email = v[P_EMAIL].present ? login_email_lowercase(v[P_EMAIL].text) : NULL;
  if (v[P_EMAIL].present && email == NULL) return RESULT_ERROR;
  PGresult *res = NULL;
  char id[37] = "";
  r = result_from_db(db_query(conn, "people_new_id", 0, NULL, &res), info);
  if (r == RESULT_OK) snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  int placed = v[P_ADDRESS].present;
  const char *params[11] = {id,
                            v[P_NAME].text,
                            phone,
                            email,
                            v[P_CHANNEL].present ? v[P_CHANNEL].text : "voice",
                            placed ? a.v[A_STREET].text : NULL,
                            placed ? a.v[A_NUMBER].text : NULL,
                            placed ? a.postcode : NULL,
                            placed ? a.v[A_PLACE].text : NULL,
                            placed && a.v[A_LAT].present ? a.lat : NULL,
                            placed && a.v[A_LON].present ? a.lon : NULL};
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "people_insert", 11, params), info);
  o_free(email);
  if (r == RESULT_CONFLICT) info->detail = "this email address is in use";
  const char *join[3] = {actor->community_id, id, roles};
  if (r == RESULT_OK) r = result_from_db(db_exec(conn, "people_join", 3, join), info);
  /* Another desk registered the same phone in the meantime (member_search_phone_key). */
  if (r == RESULT_CONFLICT && info->detail == NULL)
    info->detail = "a member of this community already has this phone number";
  if (r == RESULT_OK) r = load(conn, actor, id, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result people_get(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t **out,
                       struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  return load(conn, actor, person_id, out, info);
}

enum result people_update(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t *body,
                          const struct precondition *if_match, json_t **out, struct result_info *info) {
  *out = NULL;
  struct field_value v[P_FIELDS];
  struct address a;
  char phone[PHONE_E164_SIZE];
  memset(&a, 0, sizeof a);
  fields_read(body, update_fields, v, info);
  members_phone_of_body(&v[P_PHONE], phone, info);
  if (v[P_ADDRESS].present) read_address(v[P_ADDRESS].object, &a, info);
  if (info->errors != NULL) return RESULT_INVALID;
  if (if_match == NULL || !if_match->given) return RESULT_PRECONDITION_REQUIRED;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  json_t *current = NULL;
  enum result r = result_from_db(db_exec(conn, "people_lock", 1, (const char *[]){person_id}), info);
  if (r == RESULT_OK) r = load(conn, actor, person_id, &current, info);
  if (r == RESULT_OK) r = precondition_check(if_match, current, 1);
  int email_given = v[P_EMAIL].present || v[P_EMAIL].null;
  if (r == RESULT_OK && json_is_true(json_object_get(current, "has_login")) && (v[P_NAME].present || email_given)) {
    info->detail = "a person with a login changes their own name and email address";
    r = RESULT_FORBIDDEN;
  }
  json_decref(current);
  if (r == RESULT_OK && v[P_PHONE].present) r = check_phone_free(conn, phone, person_id, info);
  if (r != RESULT_OK) return r;
  char *email = v[P_EMAIL].present ? login_email_lowercase(v[P_EMAIL].text) : NULL;
  if (v[P_EMAIL].present && email == NULL) return RESULT_ERROR;
  int placed = v[P_ADDRESS].present, address_given = placed || v[P_ADDRESS].null;
  const char *params[14] = {person_id,
                            v[P_NAME].text,
                            email_given ? "true" : "false",
                            email,
                            v[P_PHONE].present ? "true" : "false",
                            v[P_PHONE].present ? phone : NULL,
                            v[P_CHANNEL].text,
                            address_given ? "true" : "false",
                            placed ? a.v[A_STREET].text : NULL,
                            placed ? a.v[A_NUMBER].text : NULL,
                            placed ? a.postcode : NULL,
                            placed ? a.v[A_PLACE].text : NULL,
                            placed && a.v[A_LAT].present ? a.lat : NULL,
                            placed && a.v[A_LON].present ? a.lon : NULL};
  r = result_from_db(db_exec(conn, "people_update", 14, params), info);
  o_free(email);
  if (r == RESULT_CONFLICT) info->detail = "this email address or phone number is in use";
  return r == RESULT_OK ? load(conn, actor, person_id, out, info) : r;
}

enum result people_check_invitable(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                   struct result_info *info) {
  json_t *person = NULL;
  enum result r = load(conn, actor, person_id, &person, info);
  if (r == RESULT_NOT_FOUND || (r == RESULT_OK && json_is_true(json_object_get(person, "has_login")))) {
    result_field_error(info, "person_id", "invalid", "a member of this community without a login");
    r = RESULT_UNPROCESSABLE;
  }
  json_decref(person);
  return r;
}
