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
