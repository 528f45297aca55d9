/* Phone numbers to E.164 (see phone.h). */
#include "phone.h"

#include <string.h>

/* Dutch numbers: country code 31, a national significant number of nine digits after the
 * trunk zero. */
#define NL_COUNTRY "31"
#define NL_SIGNIFICANT_DIGITS 9
/* E.164: at most 15 digits with the country code; fewer than 8 is no real number anywhere. */
#define E164_MIN_DIGITS 8
#define E164_MAX_DIGITS 15

static int is_separator(char c) { return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')'; }

int phone_normalise(const char *typed, char *out, size_t out_size) {
  if (out_size < PHONE_E164_SIZE) return -1;
  out[0] = '\0';
  /* The digits alone, and whether the number began with a +. Anything but digits and
   * separators (a letter, a second +) makes it no number. */
  char digits[E164_MAX_DIGITS + 4];
  size_t n = 0;
  int plus = 0;
  const char *p = typed;
  while (*p == ' ') p++;
  if (*p == '+') {
    plus = 1;
    p++;
  }
  for (; *p != '\0'; p++) {
    if (*p >= '0' && *p <= '9') {
      if (n == sizeof digits - 1) return -1;
      digits[n++] = *p;
    } else if (!is_separator(*p)) {
      return -1;
    }
  }
  digits[n] = '\0';
  const char *international; /* the digits after the +: country code first */
  if (plus) {
    international = digits;
  } else if (n >= 2 && digits[0] == '0' && digits[1] == '0') {
    international = digits + 2;
  } else if (n == 1 + NL_SIGNIFICANT_DIGITS && digits[0] == '0' && digits[1] != '0') {
    /* A Dutch national number: the trunk zero becomes the country code. */
    out[0] = '+';
    memcpy(out + 1, NL_COUNTRY, 2);
    memcpy(out + 3, digits + 1, NL_SIGNIFICANT_DIGITS + 1);
    return 0;
  } else {
    return -1;
  }
  size_t len = strlen(international);
  if (strncmp(international, NL_COUNTRY, 2) == 0) {
    const char *significant = international + 2;
    size_t significant_len = len - 2;
    if (significant_len == NL_SIGNIFICANT_DIGITS + 1 && significant[0] == '0') { /* "+31 (0)6 ..." */
      significant++;
      significant_len--;
    }
    if (significant_len != NL_SIGNIFICANT_DIGITS || significant[0] == '0') return -1;
    out[0] = '+';
    memcpy(out + 1, NL_COUNTRY, 2);
    memcpy(out + 3, significant, NL_SIGNIFICANT_DIGITS + 1);
    return 0;
  }
  if (len < E164_MIN_DIGITS || len > E164_MAX_DIGITS || international[0] == '0') return -1;
  out[0] = '+';
  memcpy(out + 1, international, len + 1);
  return 0;
}
