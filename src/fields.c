#include "fields.h"

#include <orcania.h>
#include <stdio.h>
#include <string.h>

#include "support/validate.h"

static int is_string_type(enum field_type type) {
  return type != FIELD_BOOLEAN && type != FIELD_INTEGER && type != FIELD_NUMBER && type != FIELD_UUID_LIST &&
         type != FIELD_LIST && type != FIELD_OBJECT;
}

static int within(double value, const struct field_rule *rule) { return value >= rule->min && value <= rule->max; }

static int choice_of(const char *value, const char *const *choices) {
  for (int i = 0; value != NULL && choices != NULL && choices[i] != NULL; i++)
    if (strcmp(choices[i], value) == 0) return i;
  return -1;
}

/* The rule's error for a value that breaks it, told on `field` (the member's path); without a
 * message of its own, a description. */
static void rule_error(const struct field_rule *rule, const char *field, struct result_info *info) {
  const char *code = rule->code != NULL ? rule->code : "invalid";
  if (rule->message != NULL) {
    result_field_error(info, field, code, rule->message);
    return;
  }
  char message[96];
  switch (rule->type) {
    case FIELD_STRING:
      snprintf(message, sizeof message, "a string of %.0f to %.0f bytes", rule->min, rule->max);
      break;
    case FIELD_TEXT:
      snprintf(message, sizeof message, "text of %zu to %zu characters, no control characters", (size_t)rule->min,
               (size_t)rule->max);
      break;
    case FIELD_UUID:
      snprintf(message, sizeof message, "an id (UUID)");
      break;
    case FIELD_EMAIL:
      snprintf(message, sizeof message, "an email address");
      break;
    case FIELD_DATE:
      snprintf(message, sizeof message, "a date (YYYY-MM-DD)");
      break;
    case FIELD_DATE_TIME:
      snprintf(message, sizeof message, "an RFC 3339 date-time");
      break;
    case FIELD_BOOLEAN:
      snprintf(message, sizeof message, "true or false");
      break;
    case FIELD_INTEGER:
      snprintf(message, sizeof message, "a whole number from %.0f to %.0f", rule->min, rule->max);
      break;
    case FIELD_NUMBER:
      snprintf(message, sizeof message, "a number from %g to %g", rule->min, rule->max);
      break;
    case FIELD_ENUM:
      snprintf(message, sizeof message, "one of the allowed values");
      break;
    case FIELD_UUID_LIST:
      snprintf(message, sizeof message, "a list of %.0f to %.0f ids (UUID)", rule->min, rule->max);
      break;
    case FIELD_LIST:
      snprintf(message, sizeof message, "a list of %.0f to %.0f items", rule->min, rule->max);
      break;
    case FIELD_OBJECT:
      snprintf(message, sizeof message, "an object");
      break;
  }
  result_field_error(info, field, code, message);
}

/* Whether `value` (present, not null) fits `rule`; fills *out when it does. */
static int fits(json_t *value, const struct field_rule *rule, struct field_value *out) {
  const char *s = json_string_value(value); /* NULL unless a string */
  size_t i;
  json_t *item;
  switch (rule->type) {
    case FIELD_STRING:
      if (s == NULL || !within((double)strlen(s), rule)) return 0;
      break;
    case FIELD_TEXT:
      if (!valid_text(s, (size_t)rule->min, (size_t)rule->max)) return 0;
      break;
    case FIELD_UUID:
      if (!valid_uuid(s)) return 0;
      break;
    case FIELD_EMAIL:
      if (!valid_email(s)) return 0;
      break;
    case FIELD_DATE:
      if (!valid_date(s)) return 0;
      break;
    case FIELD_DATE_TIME:
      if (!valid_rfc3339(s)) return 0;
      break;
    case FIELD_BOOLEAN:
      if (!json_is_boolean(value)) return 0;
      out->boolean = json_is_true(value);
      break;
    case FIELD_INTEGER:
      if (!json_is_integer(value) || !within((double)json_integer_value(value), rule)) return 0;
      out->integer = json_integer_value(value);
      out->number = (double)out->integer;
      break;
    case FIELD_NUMBER:
      if (!json_is_number(value) || !within(json_number_value(value), rule)) return 0;
      out->number = json_number_value(value);
      break;
    case FIELD_ENUM:
      if ((out->choice = choice_of(s, rule->choices)) < 0) return 0;
      break;
    case FIELD_UUID_LIST:
      if (!json_is_array(value) || !within((double)json_array_size(value), rule)) return 0;
      json_array_foreach(value, i, item) if (!valid_uuid(json_string_value(item))) return 0;
      out->list = value;
      break;
    case FIELD_LIST:
      if (!json_is_array(value) || !within((double)json_array_size(value), rule)) return 0;
      out->list = value;
      break;
    case FIELD_OBJECT:
      if (!json_is_object(value) || !within((double)json_object_size(value), rule)) return 0;
      out->object = value;
      break;
  }
  out->text = s;
  out->present = 1;
  return 1;
}

/* Read one member by its rule, telling errors on `field` (its path); 0 when fine, -1 after
 * adding its error. */
static int read_one(json_t *body, const struct field_rule *rule, const char *field, struct field_value *out,
                    struct result_info *info) {
  memset(out, 0, sizeof *out);
  json_t *value = json_object_get(body, rule->name);
  if (value == NULL || json_is_null(value)) {
    if (rule->flags & FIELD_REQUIRED) {
      result_field_error(info, field, "required", "this field is required");
      return -1;
    }
    if (rule->flags & FIELD_ABSENT_INVALID) {
      rule_error(rule, field, info);
      return -1;
    }
    return 0;
  }
  if ((rule->flags & FIELD_STRING_TYPE) && is_string_type(rule->type) && !json_is_string(value)) {
    result_field_error(info, field, "type", "must be a string");
    return -1;
  }
  if (fits(value, rule, out)) return 0;
  memset(out, 0, sizeof *out);
  rule_error(rule, field, info);
  return -1;
}

/* The path of member `name` inside `path` (NULL at the top of the body). Returns `name` itself
 * at the top, otherwise a new string the caller o_free()s (NULL when out of memory, and then
 * the error is told on the member's own name). */
static char *path_of(const char *path, const char *name) { return path == NULL ? NULL : msprintf("%s.%s", path, name); }

int fields_read_in(const char *path, json_t *object, const struct field_rule *rules, struct field_value *values,
                   struct result_info *info) {
  int ok = 1;
  const char *key;
  json_t *member;
  json_object_foreach(object, key, member) {
    const struct field_rule *rule = rules;
    while (rule->name != NULL && strcmp(rule->name, key) != 0) rule++;
    if (rule->name == NULL) {
      char *field = path_of(path, key);
      result_field_error(info, field != NULL ? field : key, "unknown_field", "this field is not part of the request");
      o_free(field);
      ok = 0;
    }
  }
  for (size_t i = 0; rules[i].name != NULL; i++) {
    char *field = path_of(path, rules[i].name);
    if (read_one(object, &rules[i], field != NULL ? field : rules[i].name, &values[i], info) != 0) ok = 0;
    o_free(field);
  }
  return ok ? 0 : -1;
}

int fields_read(json_t *body, const struct field_rule *rules, struct field_value *values, struct result_info *info) {
  return fields_read_in(NULL, body, rules, values, info);
}

int fields_only(json_t *body, const char *const *allowed, struct result_info *info) {
  const char *key;
  json_t *value;
  int ok = 1;
  json_object_foreach(body, key, value) {
    if (choice_of(key, allowed) < 0) {
      result_field_error(info, key, "unknown_field", "this field is not part of the request");
      ok = 0;
    }
  }
  return ok ? 0 : -1;
}

const char *fields_text(json_t *body, const char *name, size_t min, size_t max, int required,
                        struct result_info *info) {
  struct field_rule rule = {name, FIELD_TEXT, required ? FIELD_REQUIRED : 0, (double)min, (double)max, NULL,
                            NULL, NULL};
  struct field_value value;
  read_one(body, &rule, name, &value, info);
  return value.text;
}

const char *fields_uuid(json_t *body, const char *name, int required, struct result_info *info) {
  struct field_rule rule = {name, FIELD_UUID, required ? FIELD_REQUIRED : 0, 0, 0, NULL, NULL, NULL};
  struct field_value value;
  read_one(body, &rule, name, &value, info);
  return value.text;
}

int fields_choice(const char *name, const char *value, const char *const *choices, const char *message,
                  struct result_info *info) {
  int choice = choice_of(value, choices);
  if (choice < 0) result_field_error(info, name, "invalid", message);
  return choice;
}

const char *fields_string(json_t *body, const char *name, int required, struct result_info *info) {
  json_t *value = json_object_get(body, name);
  if (value == NULL || json_is_null(value)) {
    if (required) result_field_error(info, name, "required", "this field is required");
    return NULL;
  }
  if (!json_is_string(value)) {
    result_field_error(info, name, "type", "must be a string");
    return NULL;
  }
  return json_string_value(value);
}
