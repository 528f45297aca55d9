#ifndef NOABER_ETAG_H
#define NOABER_ETAG_H

#include <jansson.h>

#include "support/digest.h"

/* The flags of a resource's canonical text: sorted keys, compact, reals to 12 significant digits. */
#define ETAG_JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12))

/* The canonical text of a JSON resource and its strong ETag, a hash of that text, so a response
 * can send the very text its ETag was computed from. Returns the text (caller free()s), or NULL
 * when out of memory (`out` is then unset). */
char *etag_canonical_text(const json_t *resource, char out[ETAG_LEN]);

/* The strong ETag of a JSON resource. Returns 0, or -1 when out of memory. */
int etag_of_resource(const json_t *resource, char out[ETAG_LEN]);

/* Whether an If-Match / If-None-Match header value ("*" or a comma-separated list of entity
 * tags) names `etag`. If-Match compares strongly (weak tags never match); If-None-Match
 * compares weakly (W/"x" matches "x"), as RFC 9110 says. */
int etag_header_matches(const char *header, const char *etag, int weak_comparison);

#endif
