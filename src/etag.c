#include "etag.h"

#include <stdlib.h>
#include <string.h>

char *etag_canonical_text(const json_t *resource, char out[ETAG_LEN]) {
  char *text = json_dumps(resource, ETAG_JSON_FLAGS);
  if (text != NULL) digest_etag(text, strlen(text), out);
  return text;
}

int etag_of_resource(const json_t *resource, char out[ETAG_LEN]) {
  char *text = etag_canonical_text(resource, out);
  free(text);
  return text != NULL ? 0 : -1;
}

int etag_header_matches(const char *header, const char *etag, int weak_comparison) {
  if (header == NULL || etag == NULL) return 0;
  const char *p = header;
  size_t etag_len = strlen(etag);
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (*p == '\0') break;
    if (*p == '*') return 1;
    int weak = 0;
    if (p[0] == 'W' && p[1] == '/') {
      weak = 1;
      p += 2;
    }
    if (*p != '"') return 0; /* not an entity tag: match nothing */
    const char *end = strchr(p + 1, '"');
    if (end == NULL) return 0;
    size_t len = (size_t)(end - p) + 1;
    if ((!weak || weak_comparison) && len == etag_len && strncmp(p, etag, len) == 0) return 1;
    p = end + 1;
  }
  return 0;
}
