#ifndef NOABER_ETAG_H
#define NOABER_ETAG_H

#include <jansson.h>

#include "digest.h"

/* The flags of a resource's canonical text: sorted keys, compact, reals to 12 significant digits. */
#define ETAG_JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12))

/* The canonical text of a JSON resource and its strong ETag, a hash of that text, so a response
 * can send the very text its ETag was computed from. Returns the text (caller free()s), or NULL
 * when out of memory (`out` is then unset). */
char *etag_canonical_text(const json_t *resource, char out[ETAG_LEN]);

/* The strong ETag of a JSON resource. Returns 0, or -1 when out of memory. */
int etag_of_resource(const json_t *resource, char out[ETAG_LEN]);

/* Set `etag` on every object of the array `items` that is not a tombstone (`deleted: true`): the
 * strong ETag of the item as it is, the one a GET of that item sends when it sends the same
 * document. 0, or -1 when out of memory. */
int etag_set_on_items(json_t *items);

#endif
