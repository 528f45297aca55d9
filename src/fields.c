#include "fields.h"

#include <stdio.h>
#include <string.h>

#include "support/validate.h"

int fields_only(json_t *body, const char *const *allowed, struct result_info *info) {
  const char *key;
  json_t *value;
  int ok = 1;
  json_object_foreach(body, key, value) {
    int known = 0;
    for (const char *const *a = allowed; *a != NULL; a++) known |= strcmp(*a, key) == 0;
    if (!known) {
      result_field_error(info, key, "unknown_field", "this field is not part of the request");
      ok = 0;
    }
  }
  return ok ? 0 : -1;
}

const char *fields_text(json_t *body, const char *name, size_t min, size_t max, int required,
                        struct result_info *info) {
  json_t *value = json_object_get(body, name);
  if (value == NULL || json_is_null(value)) {
    if (required) result_field_error(info, name, "required", "this field is required");
    return NULL;
  }
  if (!json_is_string(value) || !valid_text(json_string_value(value), min, max)) {
    char message[80];
    snprintf(message, sizeof message, "text of %zu to %zu characters, no control characters", min, max);
    result_field_error(info, name, "invalid", message);
    return NULL;
  }
  return json_string_value(value);
}

const char *fields_uuid(json_t *body, const char *name, int required, struct result_info *info) {
  json_t *value = json_object_get(body, name);
  if (value == NULL || json_is_null(value)) {
    if (required) result_field_error(info, name, "required", "this field is required");
    return NULL;
  }
  if (!valid_uuid(json_string_value(value))) {
    result_field_error(info, name, "invalid", "an id (UUID)");
    return NULL;
  }
  return json_string_value(value);
}
