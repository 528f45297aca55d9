#include "result.h"

enum result result_from_db(enum db_status status, struct result_info *info) {
  switch (status) {
    case DB_OK:
      return RESULT_OK;
    case DB_BUSY:
    case DB_DOWN:
      info->retry_after = status == DB_BUSY ? 1 : 5;
      return RESULT_UNAVAILABLE;
    case DB_TIMEOUT:
      /* The statement ran past its time (or waited too long for a lock): the same request is
       * likely to work a little later, so it is a 503 with Retry-After, never a 500. */
      info->detail = "the database took too long to answer: try again in a moment";
      info->retry_after = 2;
      return RESULT_UNAVAILABLE;
    case DB_UNIQUE:
      return RESULT_CONFLICT;
    case DB_SESSION_ENDED:
      info->detail = "the session has ended (logged out or signed out everywhere): log in again";
      return RESULT_UNAUTHENTICATED;
    case DB_FOREIGN_KEY:
      info->detail = "the request refers to something that does not exist here";
      return RESULT_UNPROCESSABLE;
    case DB_CONSTRAINT:
      /* A value the domain let through but a CHECK or NOT NULL refused: the domain's check is
       * missing (the db_error line says which constraint), but the client still hears 422. */
      info->detail = "the request breaks a rule of the data";
      return RESULT_UNPROCESSABLE;
    case DB_ERROR:
    default:
      return RESULT_ERROR;
  }
}

void result_field_error(struct result_info *info, const char *field, const char *code, const char *message) {
  if (info->errors == NULL) info->errors = json_array();
  if (info->errors == NULL) return;
  json_array_append_new(info->errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}

void result_extension(struct result_info *info, const char *name, json_t *value) {
  if (info->extensions == NULL) info->extensions = json_object();
  if (info->extensions == NULL || json_object_set_new(info->extensions, name, value) != 0) json_decref(value);
}

void result_info_clear(struct result_info *info) {
  json_decref(info->errors);
  info->errors = NULL;
  json_decref(info->extensions);
  info->extensions = NULL;
  info->retry_after = 0;
  info->detail = NULL;
}
