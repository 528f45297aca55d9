#ifndef NOABER_PRECONDITION_H
#define NOABER_PRECONDITION_H

#include <jansson.h>
#include <stddef.h>

#include "result.h"

/* The versions of a resource that a client says it last saw when it asks to change it, so that
 * no change is lost: read by api/ from HTTP's If-Match (api_if_match). A version is the ETag of
 * the resource's canonical JSON (support/etag.h). */
struct precondition {
  int given;                /* the client named versions, or any version */
  int any;                  /* any version will do ("*") */
  const char *const *etags; /* the versions named, each a strong entity tag with its quotes; borrowed */
  size_t count;
};

/* Whether `current`, the resource as it is now, may be changed under `pre` (NULL: none given):
 * RESULT_OK; RESULT_PRECONDITION_REQUIRED when no version was given and `required`;
 * RESULT_PRECONDITION_FAILED when the versions given are not this one; RESULT_ERROR when out of
 * memory. Nothing to free. */
enum result precondition_check(const struct precondition *pre, const json_t *current, int required);

#endif
