#ifndef NOABER_RESULT_H
#define NOABER_RESULT_H

#include <jansson.h>

#include "db/db.h"

/* What a domain operation tells its caller; only api/ turns these into HTTP statuses.
 *
 * Ownership in every domain operation (the headers of src/ say where one differs):
 * - json_t * and struct inputs (a request body, an actor, a precondition) are borrowed: the
 *   operation neither keeps nor frees them.
 * - A json_t **out is set to NULL first. On RESULT_OK or RESULT_CREATED it holds a new reference
 *   the caller json_decref()s; on any other result it stays NULL.
 * - `info` receives what a refusal says (field errors, extensions, retry_after, a static
 *   detail); its holder frees it with result_info_clear(), whatever the result. */
enum result {
  RESULT_OK = 0,
  RESULT_CREATED,
  RESULT_INVALID, /* info.errors lists the fields */
  RESULT_UNAUTHENTICATED,
  RESULT_FORBIDDEN,
  RESULT_NOT_FOUND,
  RESULT_CONFLICT,
  RESULT_PRECONDITION_FAILED,
  RESULT_PRECONDITION_REQUIRED, /* an update without If-Match */
  RESULT_IDEMPOTENCY_MISMATCH,
  RESULT_POLICY_REFUSED, /* a category's rules do not allow it; info.extensions says which */
  RESULT_UNPROCESSABLE,  /* the body is well formed but names someone or something that does not fit here
                            (info.errors names the field, when known) */
  RESULT_TOO_MANY,       /* info.retry_after seconds */
  RESULT_UNAVAILABLE,    /* database busy or down; info.retry_after seconds */
  RESULT_ERROR,
};

/* Details that come with a result. The holder owns `errors` (json array, may be NULL). */
struct result_info {
  json_t *errors;
  json_t *extensions; /* owned object of extra problem members (current_state, rule, ...), or NULL */
  int retry_after;
  const char *detail; /* static string or NULL */
};

/* A database failure as a domain result (busy/down: unavailable; unique: conflict; a foreign key:
 * unprocessable, a safety net behind the domain's own checks, which name the field). */
enum result result_from_db(enum db_status status, struct result_info *info);

/* Append {field, code, message} to info->errors, creating the array on first use. */
void result_field_error(struct result_info *info, const char *field, const char *code, const char *message);

void result_info_clear(struct result_info *info);

/* Add one extension member to the problem (value stolen). */
void result_extension(struct result_info *info, const char *name, json_t *value);

#endif
