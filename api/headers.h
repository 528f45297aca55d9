#ifndef NOABER_API_HEADERS_H
#define NOABER_API_HEADERS_H

#include <stddef.h>

/* The syntax of the request headers Noaber takes from clients besides the standard ones. Each
 * returns 1 when valid, 0 otherwise (also for NULL). */

/* X-Request-Id: 1-128 characters of [A-Za-z0-9._-], safe to log and to echo. */
int header_request_id_valid(const char *s);

/* A new request id (32 hex digits) into `out`, "" when `len` is under 33. Request ids only
 * need to be unique, not secret: a random prefix per process and a counter, instead of a
 * getrandom() system call for every request. Call header_request_id_seed() once first. */
void header_request_id_new(char *out, size_t len);
void header_request_id_seed(void);

/* Idempotency-Key: 1-255 printable ASCII characters. */
int header_idempotency_key_valid(const char *s);

/* Response headers every answer carries, whoever writes it (the dispatcher through Ulfius's
 * default headers, the edge's refusals, libmicrohttpd's own refusals, api/edge.c): no cache
 * may store a response (personal data, tokens), and no browser may sniff a content type. The
 * public documents (routes_ops.c) replace Cache-Control with HEADER_CACHE_DOCUMENT. */
struct header_value {
  const char *name;
  const char *value;
};
extern const struct header_value header_every_response[];
extern const size_t header_every_response_count;
#define HEADER_CACHE_DOCUMENT "no-cache"

#endif
