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

int etag_set_on_items(json_t *items) {
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) {
    if (!json_is_object(item) || json_is_true(json_object_get(item, "deleted"))) continue;
    char etag[ETAG_LEN];
    if (etag_of_resource(item, etag) != 0 || json_object_set_new(item, "etag", json_string(etag)) != 0) return -1;
  }
  return 0;
}
