#ifndef NOABER_PHONE_H
#define NOABER_PHONE_H

#include <stddef.h>

/* Phone numbers as people type them, stored in one form: E.164 ("+31612345678").
 *
 * No C library in Debian parses phone numbers (libphonenumber is C++ and pulls in ICU and
 * protobuf), and the initiatives are Dutch: so a small normaliser that knows the Dutch numbering
 * plan (a national number is a 0 and nine digits) and checks any other country only as E.164 does
 * (a + and 8 to 15 digits, the first not 0).
 *
 * Accepted: spaces, hyphens, dots, slashes and parentheses between the digits ("06-12345678",
 * "+31 6 1234 5678", "(020) 123 4567"); a Dutch number written nationally ("0612345678"), with
 * 0031 or +31, and with the trunk zero kept after the country code ("+31 (0)6 12345678");
 * another country after + or 00. */

/* The shortest buffer phone_normalise() needs: "+", 15 digits and the NUL. */
#define PHONE_E164_SIZE 17

/* Write `typed` (a NUL-terminated string, not NULL) in E.164 into out (out_size bytes, at least
 * PHONE_E164_SIZE). Returns 0, or -1 when it is not a phone number (then out holds ""). */
int phone_normalise(const char *typed, char *out, size_t out_size);

#endif
