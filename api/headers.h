#ifndef NOABER_API_HEADERS_H
#define NOABER_API_HEADERS_H

/* The syntax of the request headers Noaber takes from clients besides the standard ones. Each
 * returns 1 when valid, 0 otherwise (also for NULL). */

/* X-Request-Id: 1-128 characters of [A-Za-z0-9._-], safe to log and to echo. */
int header_request_id_valid(const char *s);

/* Idempotency-Key: 1-255 printable ASCII characters. */
int header_idempotency_key_valid(const char *s);

#endif
