#ifndef NOABER_VALIDATE_H
#define NOABER_VALIDATE_H

#include <stddef.h>

/* Pure syntax checks for values that come from clients. Each returns 1 when valid. */
int valid_uuid(const char *s);

/* The years a date or date-time from a client may fall in: anything else is a typing error, and
 * a year after 9999 would come back in a shape RFC 3339 does not have. */
#define VALID_YEAR_MIN 1900
#define VALID_YEAR_MAX 2200

/* An RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.fraction] with Z or an offset up to 15:59) whose
 * instant in UTC falls in the years VALID_YEAR_MIN to VALID_YEAR_MAX. */
int valid_rfc3339(const char *s);
/* The instant of such a date-time in seconds since 1970-01-01T00:00:00Z (the fraction dropped)
 * into *out: 0, or -1 when `s` is not valid_rfc3339 (then *out is 0). */
int rfc3339_seconds(const char *s, long long *out);
/* A real calendar date written YYYY-MM-DD, in the years VALID_YEAR_MIN to VALID_YEAR_MAX. */
int valid_date(const char *s);
/* Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar (negative before). */
long days_from_civil(int year, int month, int day);
/* A time of day "HH:MM" (00:00 to 23:59) as minutes since midnight, or -1. */
int time_of_day_minutes(const char *hhmm);
int valid_email(const char *s);
/* A UTF-8 string with `min`..`max` code points and no control characters. */
int valid_text(const char *s, size_t min, size_t max);

#endif
