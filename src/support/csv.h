#ifndef NOABER_CSV_H
#define NOABER_CSV_H

#include <stddef.h>

/* Writing CSV as RFC 4180 has it: fields separated by `separator` (',' or ';' for Dutch Excel),
 * records ended by CRLF, a field quoted when it holds the separator, a double quote, CR or LF,
 * with its double quotes doubled. Text is written as given (UTF-8 in, UTF-8 out). Pure. */

/* A growable text the functions below append to. Zero-initialise; free `s` when done. */
struct csv_text {
  char *s; /* NUL-terminated once anything was added; NULL before */
  size_t len, cap;
  int failed; /* out of memory: the content is incomplete */
};

/* Whether `field` must be quoted with this separator. */
int csv_needs_quotes(const char *field, char separator);
/* Append one field (NULL: empty), quoted when it must be, preceded by the separator unless it is
 * the first of its record (`first`). */
void csv_field(struct csv_text *t, const char *field, char separator, int first);
/* End the record (CRLF). */
void csv_end_record(struct csv_text *t);

#endif
