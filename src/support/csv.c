/* RFC 4180 CSV (see csv.h). */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

static void append(struct csv_text *t, const char *s, size_t n) {
  if (t->failed) return;
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + n + 1) cap *= 2;
    char *s2 = realloc(t->s, cap);
    if (s2 == NULL) {
      t->failed = 1;
      return;
    }
    t->s = s2;
    t->cap = cap;
  }
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = '\0';
}

int csv_needs_quotes(const char *field, char separator) {
  for (const char *p = field; p != NULL && *p; p++)
    if (*p == separator || *p == '"' || *p == '\r' || *p == '\n') return 1;
  return 0;
}

void csv_field(struct csv_text *t, const char *field, char separator, int first) {
  if (!first) append(t, &separator, 1);
  if (field == NULL) {
    append(t, "", 0); /* an empty first field still makes the text non-NULL */
    return;
  }
  if (!csv_needs_quotes(field, separator)) {
    append(t, field, strlen(field));
    return;
  }
  append(t, "\"", 1);
  for (const char *p = field; *p; p++) {
    if (*p == '"') append(t, "\"", 1); /* a quote inside is doubled */
    append(t, p, 1);
  }
  append(t, "\"", 1);
}

void csv_end_record(struct csv_text *t) { append(t, "\r\n", 2); }
