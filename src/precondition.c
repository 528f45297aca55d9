/* The one check that a change is made to the version a client last saw. */
#include "precondition.h"

#include <string.h>

#include "support/etag.h"

enum result precondition_check(const struct precondition *pre, const json_t *current, int required) {
  if (pre == NULL || !pre->given) return required ? RESULT_PRECONDITION_REQUIRED : RESULT_OK;
  if (pre->any) return RESULT_OK;
  char etag[ETAG_LEN];
  if (etag_of_resource(current, etag) != 0) return RESULT_ERROR;
  for (size_t i = 0; i < pre->count; i++)
    if (strcmp(pre->etags[i], etag) == 0) return RESULT_OK;
  return RESULT_PRECONDITION_FAILED;
}
