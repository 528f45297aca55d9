#ifndef NOABER_FIELDS_H
#define NOABER_FIELDS_H

#include <jansson.h>
#include <stddef.h>

#include "result.h"

/* Reading request bodies, collecting every problem in info->errors so a client hears about all
 * of them at once.
 *
 * A request body is described by a table of rules, one per member it may have, ended by a rule
 * whose name is NULL. fields_read() checks the body against the table in one call: it adds an
 * `unknown_field` error for every member the table does not name, then reads the members in
 * the table's order, filling one struct field_value per rule. Strings and lists in the values
 * are borrowed from the body: they live as long as the body does. */

enum field_type {
  FIELD_STRING,    /* any string of min..max bytes (a password, a token): no other check */
  FIELD_TEXT,      /* a string of min..max code points without control characters */
  FIELD_UUID,      /* an id */
  FIELD_EMAIL,     /* an email address (valid_email) */
  FIELD_DATE,      /* YYYY-MM-DD, a real calendar date in the years 1900 to 2200 (valid_date) */
  FIELD_DATE_TIME, /* an RFC 3339 date-time in the years 1900 to 2200, UTC (valid_rfc3339) */
  FIELD_BOOLEAN,   /* true or false */
  FIELD_INTEGER,   /* a JSON integer from min to max */
  FIELD_NUMBER,    /* a JSON number (integer or real) from min to max */
  FIELD_ENUM,      /* a string among `choices` */
  FIELD_UUID_LIST, /* an array of min..max ids */
  FIELD_LIST,      /* an array of min..max items of any kind: the caller checks the items */
  FIELD_OBJECT,    /* a JSON object of min..max members: the caller reads it with fields_read_in() */
};

/* Rule flags. */
enum {
  /* Absent or null is an error: `required`, "this field is required". */
  FIELD_REQUIRED = 1,
  /* Absent or null is an error, told as the rule's own code and message (a value that must be
   * there, like the hours of a completed task). */
  FIELD_ABSENT_INVALID = 2,
  /* A string type given another JSON type is told `type`, "must be a string", instead of the
   * rule's own code and message. */
  FIELD_STRING_TYPE = 4,
  /* Optional, but a null is refused with the rule's own code and message (a member the
   * contract does not let be null). */
  FIELD_NULL_INVALID = 8,
  /* Must be there (absent: `required`), but null is a value: the member is then not present
   * and `null` is set (a limit that may be "none", given explicitly). */
  FIELD_NULLABLE = 16,
};

/* A max for a length or value with no upper bound of its own (a string checked later). */
#define FIELD_UNBOUNDED 1e18

struct field_rule {
  const char *name;
  enum field_type type;
  int flags;                  /* FIELD_REQUIRED, ... */
  double min, max;            /* length (bytes for STRING, code points for TEXT), value or item count */
  const char *const *choices; /* FIELD_ENUM: the allowed strings, NULL-terminated */
  const char *code;           /* the error for a value that breaks the rule; NULL: "invalid" */
  const char *message;        /* NULL: a description of the rule */
};

/* What fields_read() found for one rule. All zero when the member is absent, null or invalid. */
struct field_value {
  int present;        /* 1 when the member holds a valid value */
  int null;           /* 1 when the member is there as null */
  const char *text;   /* the string types and FIELD_ENUM, borrowed from the body */
  int choice;         /* FIELD_ENUM: the index in choices */
  int boolean;        /* FIELD_BOOLEAN: 0 or 1 */
  json_int_t integer; /* FIELD_INTEGER */
  double number;      /* FIELD_INTEGER and FIELD_NUMBER */
  json_t *list;       /* FIELD_UUID_LIST and FIELD_LIST: the array, borrowed from the body */
  json_t *object;     /* FIELD_OBJECT: the object, borrowed from the body */
};

/* Check `body` (a JSON object, or NULL for no body) against `rules` and fill values[i] for
 * rules[i] (`values` may be NULL when the table is empty). Every problem is added to
 * info->errors: unknown members first, then each rule's in the table's order, at most one per
 * rule. Returns 0 when the body fits, -1 when it added an error. Cannot fail otherwise
 * (result_field_error() drops an error only when out of memory). */
int fields_read(json_t *body, const struct field_rule *rules, struct field_value *values, struct result_info *info);

/* fields_read() for an object inside the body (a FIELD_OBJECT member, or an item of a list):
 * the errors name each member by its path, `path`.name ("labels.nl", "when.starts_at"). */
int fields_read_in(const char *path, json_t *object, const struct field_rule *rules, struct field_value *values,
                   struct result_info *info);

/* A query parameter among `choices` (NULL-terminated): its index, or -1 after adding the
 * error {name, "invalid", message} (also for a NULL value: give a default first). */
int fields_choice(const char *name, const char *value, const char *const *choices, const char *message,
                  struct result_info *info);

#endif
