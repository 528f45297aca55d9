#ifndef NOABER_ETAG_H
#define NOABER_ETAG_H

#include <jansson.h>

#include "digest.h"

/* The strong ETag of a JSON resource: a hash of its canonical (sorted, compact) text.
 * Returns 0, or -1 when out of memory. */
int etag_of_resource(const json_t *resource, char out[ETAG_LEN]);

/* Whether an If-Match / If-None-Match header value ("*" or a comma-separated list of entity
 * tags) names `etag`. If-Match compares strongly (weak tags never match); If-None-Match
 * compares weakly (W/"x" matches "x"), as RFC 9110 says. */
int etag_header_matches(const char *header, const char *etag, int weak_comparison);

#endif
