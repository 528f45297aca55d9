#ifndef NOABER_VALIDATE_H
#define NOABER_VALIDATE_H

#include <stddef.h>

/* Pure syntax checks for values that come from clients. Each returns 1 when valid. */
int valid_uuid(const char *s);
int valid_rfc3339(const char *s);
/* A real calendar date written YYYY-MM-DD. */
int valid_date(const char *s);
int valid_email(const char *s);
/* A UTF-8 string with `min`..`max` code points and no control characters. */
int valid_text(const char *s, size_t min, size_t max);

#endif
