/* Categories of help and their policy. The representation is built by PostgreSQL
 * (sql/functions/categories.sql). */
#include "categories.h"

#include <stdio.h>
#include <string.h>

#include "documents.h"
#include "fields.h"
#include "precondition.h"

/* Every statement that returns a category returns its document, category_doc: the label is in
 * the caller's language, the statement's last parameter. */
static const struct db_statement statements[] = {
    {"categories_page",
     "SELECT d.* FROM categories c, category_doc(c, $6) d WHERE c.community_id = $1 "
     "AND c.updated_at > $2::timestamptz AND (c.updated_at, c.id) > ($3::timestamptz, $4::uuid) "
     "ORDER BY c.updated_at, c.id LIMIT $5"},
    {"category_get", "SELECT d.* FROM categories c, category_doc(c, $3) d WHERE c.community_id = $1 AND c.id = $2"},
    /* A change to a category takes its row first, then reads it with category_get. */
    {"category_lock", "SELECT 1 FROM categories WHERE community_id = $1 AND id = $2 FOR UPDATE"},
    {"category_insert",
     "WITH created AS (INSERT INTO categories (community_id, code, label_nl, label_en, in_home, may_recur, "
     "max_per_month, max_duration_minutes, referral_name, referral_contact) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *) "
     "SELECT d.* FROM created c, category_doc(c, $11) d"},
    {"category_update",
     "WITH changed AS (UPDATE categories SET label_nl = $3, label_en = $4, in_home = $5, may_recur = $6, "
     "max_per_month = $7, max_duration_minutes = $8, referral_name = $9, referral_contact = $10, "
     "updated_at = clock_timestamp() WHERE community_id = $1 AND id = $2 RETURNING *) "
     "SELECT d.* FROM changed c, category_doc(c, $11) d"},
};

int categories_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result categories_list(struct db_conn *conn, const struct actor *actor, const struct page_request *page,
                            const char *language, json_t **out, struct result_info *info) {
  *out = NULL;
  /* A guest (an outside professional) sees nothing of the community but their cases. */
  if (actor_guest_only(actor)) return RESULT_FORBIDDEN;
  const char *params[6] = {actor->community_id,         paging_param_since(page), paging_param_after_ts(page),
                           paging_param_after_id(page), paging_param_fetch(page), language};
  return documents_page(conn, "categories_page", 6, params, page, "updated_at", "id", out, info);
}

enum result categories_rules(struct db_conn *conn, const char *community_id, const char *category_id,
                             struct category_rules *out, struct result_info *info) {
  memset(out, 0, sizeof *out);
  /* The rules are read from the document; its label (any language will do) is not used. */
  const char *params[3] = {community_id, category_id, "nl"};
  json_t *doc = NULL;
  enum result r = documents_one(conn, "category_get", 3, params, &doc, info);
  if (r == RESULT_OK) {
    out->in_home = json_is_true(json_object_get(doc, "in_home"));
    out->policy.may_recur = json_is_true(json_object_get(doc, "may_recur"));
    out->policy.max_per_month = (int)json_integer_value(json_object_get(doc, "max_per_month")); /* 0 when null */
    out->policy.max_duration_minutes = (int)json_integer_value(json_object_get(doc, "max_duration_minutes"));
    out->referral = json_incref(json_object_get(doc, "referral"));
  }
  json_decref(doc);
  return r;
}

/* One category (locked when `lock`) as JSON in `language`. */
static enum result load(struct db_conn *conn, const struct actor *actor, const char *id, int lock, const char *language,
                        json_t **out, struct result_info *info) {
  const char *params[3] = {actor->community_id, id, language};
  *out = NULL;
  enum result r = lock ? result_from_db(db_exec(conn, "category_lock", 2, params), info) : RESULT_OK;
  return r == RESULT_OK ? documents_one(conn, "category_get", 3, params, out, info) : r;
}

enum result categories_get(struct db_conn *conn, const struct actor *actor, const char *id, const char *language,
                           json_t **out, struct result_info *info) {
  *out = NULL;
  if (actor_guest_only(actor)) return RESULT_FORBIDDEN;
  return load(conn, actor, id, 0, language, out, info);
}

/* An optional whole number in min..max (JSON null allowed): its text into buf, or NULL. */
static const char *limit_in(json_t *body, const char *name, long min, long max, char *buf, size_t len,
                            struct result_info *info) {
  json_t *value = json_object_get(body, name);
  if (value == NULL) {
    result_field_error(info, name, "required", "a whole number or null");
    return NULL;
  }
  if (json_is_null(value)) return NULL;
  if (!json_is_integer(value) || json_integer_value(value) < min || json_integer_value(value) > max) {
    char message[64];
    snprintf(message, sizeof message, "a whole number from %ld to %ld, or null", min, max);
    result_field_error(info, name, "out_of_range", message);
    return NULL;
  }
  snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
  return buf;
}

static const char *bool_in(json_t *body, const char *name, struct result_info *info) {
  json_t *value = json_object_get(body, name);
  if (!json_is_boolean(value)) {
    result_field_error(info, name, "type", "must be true or false");
    return NULL;
  }
  return json_is_true(value) ? "true" : "false";
}

/* The policy part of a category body as statement parameters 3..10 (label_nl .. referral_contact).
 * Strings are borrowed from body or from the caller's buffers. */
struct policy_params {
  const char *values[8];
  char per_month[24], minutes[24];
};

static void read_policy(json_t *body, struct policy_params *p, struct result_info *info) {
  memset(p, 0, sizeof *p);
  json_t *labels = json_object_get(body, "labels");
  if (!json_is_object(labels) || json_object_size(labels) != 2) {
    result_field_error(info, "labels", "invalid", "{nl, en}");
  } else {
    p->values[0] = fields_text(labels, "nl", 1, 100, 1, info);
    p->values[1] = fields_text(labels, "en", 1, 100, 1, info);
  }
  p->values[2] = bool_in(body, "in_home", info);
  p->values[3] = bool_in(body, "may_recur", info);
  p->values[4] = limit_in(body, "max_per_month", 1, 100, p->per_month, sizeof p->per_month, info);
  p->values[5] = limit_in(body, "max_duration_minutes", 1, 1440, p->minutes, sizeof p->minutes, info);
  json_t *referral = json_object_get(body, "referral");
  if (referral == NULL) {
    result_field_error(info, "referral", "required", "{name, contact} or null");
  } else if (!json_is_null(referral)) {
    if (!json_is_object(referral) || json_object_size(referral) != 2) {
      result_field_error(info, "referral", "invalid", "{name, contact} or null");
    } else {
      p->values[6] = fields_text(referral, "name", 1, 200, 1, info);
      json_t *contact = json_object_get(referral, "contact");
      p->values[7] = json_is_string(contact) && json_string_length(contact) == 0
                         ? ""
                         : fields_text(referral, "contact", 1, 200, 1, info);
    }
  }
}

static int valid_code(const char *code) {
  size_t len = code != NULL ? strlen(code) : 0;
  if (len < 2 || len > 40 || code[0] < 'a' || code[0] > 'z') return 0;
  for (size_t i = 1; i < len; i++)
    if (!((code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') || code[i] == '_')) return 0;
  return 1;
}

enum result categories_create(struct db_conn *conn, const struct actor *actor, json_t *body, const char *language,
                              json_t **out, struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  static const char *const fields[] = {
      "code", "labels", "in_home", "may_recur", "max_per_month", "max_duration_minutes", "referral", NULL};
  fields_only(body, fields, info);
  const char *code = fields_text(body, "code", 2, 40, 1, info);
  if (code != NULL && !valid_code(code))
    result_field_error(info, "code", "invalid", "lower-case letters, digits and _, starting with a letter");
  struct policy_params p;
  read_policy(body, &p, info);
  if (info->errors != NULL) return RESULT_INVALID;
  const char *params[11] = {actor->community_id, code,        p.values[0], p.values[1], p.values[2], p.values[3],
                            p.values[4],         p.values[5], p.values[6], p.values[7], language};
  enum result r = documents_one(conn, "category_insert", 11, params, out, info);
  if (r == RESULT_CONFLICT) info->detail = "this community already has a category with that code";
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result categories_update(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                              const struct precondition *if_match, const char *language, json_t **out,
                              struct result_info *info) {
  *out = NULL;
  if (!actor_manages(actor)) return RESULT_FORBIDDEN;
  static const char *const fields[] = {"labels",   "in_home", "may_recur", "max_per_month", "max_duration_minutes",
                                       "referral", NULL};
  fields_only(body, fields, info);
  struct policy_params p;
  read_policy(body, &p, info);
  json_t *current = NULL;
  enum result r = load(conn, actor, id, 1, language, &current, info);
  if (r == RESULT_OK && info->errors != NULL) r = RESULT_INVALID;
  if (r == RESULT_OK) r = precondition_check(if_match, current, 1);
  json_decref(current);
  if (r != RESULT_OK) return r;
  const char *params[11] = {actor->community_id, id,          p.values[0], p.values[1], p.values[2], p.values[3],
                            p.values[4],         p.values[5], p.values[6], p.values[7], language};
  return documents_one(conn, "category_update", 11, params, out, info);
}
