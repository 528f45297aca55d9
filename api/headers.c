/* Checks of the request headers Noaber defines (see headers.h). */
#include "headers.h"

#include <ctype.h>
#include <string.h>

int header_request_id_valid(const char *s) {
  if (s == NULL) return 0;
  size_t len = strlen(s);
  if (len < 1 || len > 128) return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!isalnum(c) && c != '.' && c != '_' && c != '-') return 0;
  }
  return 1;
}

int header_idempotency_key_valid(const char *s) {
  if (s == NULL) return 0;
  size_t len = strlen(s);
  if (len < 1 || len > 255) return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x21 || c > 0x7e) return 0;
  }
  return 1;
}
