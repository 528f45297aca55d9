/* Checks of the request headers Noaber defines (see headers.h). */
#include "headers.h"

#include <ctype.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

const struct header_value header_every_response[] = {
    {"Cache-Control", "no-store"},
    {"X-Content-Type-Options", "nosniff"},
};
const size_t header_every_response_count = sizeof header_every_response / sizeof header_every_response[0];

static unsigned char request_id_prefix[8];
static atomic_uint_fast64_t request_id_counter;

void header_request_id_seed(void) { randombytes_buf(request_id_prefix, sizeof request_id_prefix); }

void header_request_id_new(char *out, size_t len) {
  unsigned char raw[16];
  memcpy(raw, request_id_prefix, sizeof request_id_prefix);
  uint_fast64_t n = atomic_fetch_add(&request_id_counter, 1);
  for (size_t i = 0; i < 8; i++) raw[8 + i] = (unsigned char)(n >> (8 * (7 - i)));
  if (len >= 33)
    sodium_bin2hex(out, len, raw, sizeof raw);
  else if (len > 0)
    out[0] = '\0';
}

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
