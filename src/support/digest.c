#include "digest.h"

#include <orcania.h>
#include <sodium.h>
#include <string.h>

char *digest_new_secret(void) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  size_t len = sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *out = o_malloc(len);
  if (out != NULL) sodium_bin2base64(out, len, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  return out;
}

void digest_sha256_hex(const char *text, char out[DIGEST_HEX_LEN]) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, (const unsigned char *)text, strlen(text));
  sodium_bin2hex(out, DIGEST_HEX_LEN, hash, sizeof hash);
}

void digest_keyed_hex(const unsigned char *key, size_t key_len, const char *text, char out[DIGEST_HEX_LEN]) {
  unsigned char hash[32];
  if (key_len > crypto_generichash_KEYBYTES_MAX) key_len = crypto_generichash_KEYBYTES_MAX;
  crypto_generichash(hash, sizeof hash, (const unsigned char *)text, strlen(text), key, key_len);
  sodium_bin2hex(out, DIGEST_HEX_LEN, hash, sizeof hash);
}

void digest_etag(const char *representation, size_t len, char out[ETAG_LEN]) {
  unsigned char hash[16];
  crypto_generichash(hash, sizeof hash, (const unsigned char *)representation, len, NULL, 0);
  out[0] = '"';
  sodium_bin2hex(out + 1, 33, hash, sizeof hash);
  out[33] = '"';
  out[34] = '\0';
}
