#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int valid_uuid(const char *s) {
  if (s == NULL || strlen(s) != 36) return 0;
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return 0;
    } else if (!isxdigit((unsigned char)s[i])) {
      return 0;
    }
  }
  return 1;
}

static int digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i])) return 0;
  return 1;
}

/* H. Hinnant's days_from_civil. */
long days_from_civil(int year, int month, int day) {
  long y = year - (month <= 2);
  long era = (y >= 0 ? y : y - 399) / 400;
  long year_of_era = y - era * 400;
  long day_of_year = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

/* YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), with plausible field ranges, an instant in
 * the years VALID_YEAR_MIN to VALID_YEAR_MAX in UTC; that instant into *out. */
int rfc3339_seconds(const char *s, long long *out) {
  *out = 0;
  if (s == NULL || strlen(s) < 20 || strlen(s) > 40) return -1;
  if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
      (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
      !digits(s + 17, 2))
    return -1;
  int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');
  int hour = (s[11] - '0') * 10 + (s[12] - '0');
  int minute = (s[14] - '0') * 10 + (s[15] - '0');
  int second = (s[17] - '0') * 10 + (s[18] - '0');
  static const int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return -1;
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day < 1 || day > days_in_month[month - 1] + (month == 2 && leap)) return -1;
  const char *p = s + 19;
  if (*p == '.') {
    p++;
    int n = 0;
    while (isdigit((unsigned char)*p)) {
      p++;
      n++;
    }
    if (n == 0 || n > 9) return -1;
  }
  long offset_minutes = 0; /* east of UTC; 0 for Z */
  if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
    /* UTC */
  } else if ((*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) && p[6] == '\0') {
    /* PostgreSQL, which stores these, accepts offsets up to 15:59. */
    int offset_hours = (p[1] - '0') * 10 + (p[2] - '0'), offset_rest = (p[4] - '0') * 10 + (p[5] - '0');
    if (offset_hours > 15 || offset_rest > 59) return -1;
    offset_minutes = (*p == '+' ? 1 : -1) * (offset_hours * 60L + offset_rest);
  } else {
    return -1;
  }
  /* The instant in UTC, in seconds since the epoch: years outside the range would come back in
   * another shape (year 10000 has five digits, RFC 3339 has four) or mean a typing error. */
  long long instant = (long long)days_from_civil(year, month, day) * 86400 + hour * 3600LL + minute * 60LL + second -
                      offset_minutes * 60LL;
  long long from = (long long)days_from_civil(VALID_YEAR_MIN, 1, 1) * 86400;
  long long until = (long long)days_from_civil(VALID_YEAR_MAX + 1, 1, 1) * 86400;
  if (instant < from || instant >= until) return -1;
  *out = instant;
  return 0;
}

int valid_rfc3339(const char *s) {
  long long seconds;
  return rfc3339_seconds(s, &seconds) == 0;
}

int valid_date(const char *s) {
  if (s == NULL || strlen(s) != 10) return 0;
  char stamp[32];
  snprintf(stamp, sizeof stamp, "%sT00:00:00Z", s);
  return valid_rfc3339(stamp);
}

int valid_email(const char *s) {
  if (s == NULL) return 0;
  size_t len = strlen(s);
  if (len < 3 || len > 254) return 0;
  const char *at = strchr(s, '@');
  if (at == NULL || at == s || strchr(at + 1, '@') != NULL) return 0;
  const char *domain = at + 1;
  if (strlen(domain) < 1 || at - s > 64) return 0;
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"') return 0;
  }
  const char *dot = strrchr(domain, '.');
  return dot != NULL && dot != domain && dot[1] != '\0';
}

int valid_text(const char *s, size_t min, size_t max) {
  if (s == NULL) return 0;
  size_t points = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p < 0x20 || *p == 0x7f) return 0;
    if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) return 0; /* C1 controls U+0080..U+009F */
    if ((*p & 0xC0) != 0x80) points++;                        /* count lead bytes only; jansson already checked UTF-8 */
  }
  return points >= min && points <= max;
}

int time_of_day_minutes(const char *hhmm) {
  if (hhmm == NULL || strlen(hhmm) != 5 || hhmm[2] != ':') return -1;
  for (int i = 0; i < 5; i++)
    if (i != 2 && (hhmm[i] < '0' || hhmm[i] > '9')) return -1;
  int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0'), m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  return h < 24 && m < 60 ? h * 60 + m : -1;
}
