#ifndef NOABER_FIELDS_H
#define NOABER_FIELDS_H

#include <jansson.h>
#include <stddef.h>

#include "result.h"

/* Reading request bodies field by field, collecting every problem in info->errors so a client
 * hears about all of them at once. */

/* Add an `unknown_field` error for every member of `body` not in `allowed` (NULL-terminated).
 * Returns 0 when there was none, -1 otherwise. */
int fields_only(json_t *body, const char *const *allowed, struct result_info *info);

/* The string member `name` when it has `min`..`max` code points and no control characters.
 * NULL when absent (an error only when `required`) or invalid (an error). Borrowed from body. */
const char *fields_text(json_t *body, const char *name, size_t min, size_t max, int required, struct result_info *info);

/* The string member `name` when it is a UUID; as fields_text otherwise. */
const char *fields_uuid(json_t *body, const char *name, int required, struct result_info *info);

#endif
