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
  return documents_sync_page(conn, "categories_page", 6, params, page, "updated_at", "id", out, info);
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

/* A category body: the code (only when creating), then the policy. max_per_month,
 * max_duration_minutes and referral may be null, but must be there (read_policy checks that). */
enum { CAT_CODE, CAT_LABELS, CAT_IN_HOME, CAT_MAY_RECUR, CAT_PER_MONTH, CAT_MINUTES, CAT_REFERRAL, CAT_FIELDS };
static const struct field_rule category_fields[] = {
    [CAT_CODE] = {"code", FIELD_TEXT, FIELD_REQUIRED, 2, 40, NULL, "invalid",
                  "2 to 40 lower-case letters, digits and _, starting with a letter"},
    [CAT_LABELS] = {"labels", FIELD_OBJECT, FIELD_ABSENT_INVALID, 2, 2, NULL, "invalid", "{nl, en}"},
    [CAT_IN_HOME] = {"in_home", FIELD_BOOLEAN, FIELD_ABSENT_INVALID, 0, 0, NULL, "type", "must be true or false"},
    [CAT_MAY_RECUR] = {"may_recur", FIELD_BOOLEAN, FIELD_ABSENT_INVALID, 0, 0, NULL, "type", "must be true or false"},
    [CAT_PER_MONTH] = {"max_per_month", FIELD_INTEGER, FIELD_NULLABLE, 1, 100, NULL, "out_of_range",
                       "a whole number from 1 to 100, or null"},
    [CAT_MINUTES] = {"max_duration_minutes", FIELD_INTEGER, FIELD_NULLABLE, 1, 1440, NULL, "out_of_range",
                     "a whole number from 1 to 1440, or null"},
    [CAT_REFERRAL] = {"referral", FIELD_OBJECT, FIELD_NULLABLE, 2, 2, NULL, "invalid", "{name, contact} or null"},
    [CAT_FIELDS] = {NULL},
};

enum { LABEL_NL, LABEL_EN, LABEL_FIELDS };
static const struct field_rule label_fields[] = {
    [LABEL_NL] = {"nl", FIELD_TEXT, FIELD_REQUIRED, 1, 100, NULL, NULL, NULL},
    [LABEL_EN] = {"en", FIELD_TEXT, FIELD_REQUIRED, 1, 100, NULL, NULL, NULL},
    [LABEL_FIELDS] = {NULL},
};

/* The referral target: the contact may be empty when none is known. */
enum { REFERRAL_NAME, REFERRAL_CONTACT, REFERRAL_FIELDS };
static const struct field_rule referral_fields[] = {
    [REFERRAL_NAME] = {"name", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL, NULL},
    [REFERRAL_CONTACT] = {"contact", FIELD_TEXT, FIELD_REQUIRED, 0, 200, NULL, NULL, NULL},
    [REFERRAL_FIELDS] = {NULL},
};

/* The policy part of a category body as statement parameters 3..10 (label_nl .. referral_contact).
 * Strings are borrowed from body or from the caller's buffers. */
struct policy_params {
  const char *values[8];
  char per_month[24], minutes[24];
};

/* A whole number read by its rule as a parameter in `buf`, or NULL when null. */
static const char *number_param(const struct field_value *v, char *buf, size_t len) {
  if (!v->present) return NULL;
  snprintf(buf, len, "%" JSON_INTEGER_FORMAT, v->integer);
  return buf;
}

static const char *boolean_param(const struct field_value *v) {
  return !v->present ? NULL : v->boolean ? "true" : "false";
}

/* The rest of the policy of a category body (v[CAT_FIELDS] as read by category_fields): the
 * labels and the referral read, all as parameters into p. Errors are added to info. */
static void read_policy(const struct field_value *v, struct policy_params *p, struct result_info *info) {
  memset(p, 0, sizeof *p);
  struct field_value labels[LABEL_FIELDS] = {{0}}, referral[REFERRAL_FIELDS] = {{0}};
  if (v[CAT_LABELS].present) fields_read_in("labels", v[CAT_LABELS].object, label_fields, labels, info);
  if (v[CAT_REFERRAL].present) fields_read_in("referral", v[CAT_REFERRAL].object, referral_fields, referral, info);
  p->values[0] = labels[LABEL_NL].text;
  p->values[1] = labels[LABEL_EN].text;
  p->values[2] = boolean_param(&v[CAT_IN_HOME]);
  p->values[3] = boolean_param(&v[CAT_MAY_RECUR]);
  p->values[4] = number_param(&v[CAT_PER_MONTH], p->per_month, sizeof p->per_month);
  p->values[5] = number_param(&v[CAT_MINUTES], p->minutes, sizeof p->minutes);
  p->values[6] = referral[REFERRAL_NAME].text;
  p->values[7] = referral[REFERRAL_CONTACT].text;
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
  struct field_value v[CAT_FIELDS];
  fields_read(body, category_fields, v, info);
  const char *code = v[CAT_CODE].text;
  const struct field_rule *code_rule = &category_fields[CAT_CODE];
  if (code != NULL && !valid_code(code)) result_field_error(info, code_rule->name, code_rule->code, code_rule->message);
  struct policy_params p;
  read_policy(v, &p, info);
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
  struct field_value v[CAT_FIELDS] = {{0}};
  fields_read(body, category_fields + CAT_LABELS, v + CAT_LABELS, info); /* the table without the code */
  struct policy_params p;
  read_policy(v, &p, info);
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
