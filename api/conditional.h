#ifndef NOABER_API_CONDITIONAL_H
#define NOABER_API_CONDITIONAL_H

#include "../src/precondition.h"

/* HTTP conditional requests (RFC 9110 section 13): If-Match and If-None-Match header values,
 * "*" or a comma-separated list of entity tags ("x" strong, W/"x" weak). */

/* Whether the header value names `etag`: strong comparison (weak tags never match, as for
 * If-Match) or weak (W/"x" matches "x", as for If-None-Match). 0 for NULL arguments, and from
 * the first token that is not an entity tag on. */
int conditional_header_matches(const char *header, const char *etag, int weak_comparison);

/* Read an If-Match value (NULL or empty: none given) into *out: any, or the strong entity tags it
 * names (weak ones can never match). *tags receives the copies out->etags points into (caller
 * frees with conditional_tags_free(*tags, out->count), also after a failure). Returns 0, or -1
 * when out of memory. */
int conditional_if_match(const char *header, struct precondition *out, char ***tags);
void conditional_tags_free(char **tags, size_t count);

#endif
