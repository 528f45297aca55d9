/* Small HTTP client for the black-box integration tests.
 *
 * Every exchange that produces a response (libcurl or raw socket) is appended as one JSON
 * line to the file named by NOABER_TEST_EXCHANGE_LOG, which tools/validate-exchanges.mjs checks
 * against the OpenAPI contract afterwards. There is no way to send a request without logging
 * it; a test that calls an unknown route or a wrong method on purpose sets
 * `expect_unknown_route` so the validator knows.
 *
 * Ownership: a `struct http_response` owns everything it points to (method, path, body, json,
 * headers). Release it with http_response_free(), which also resets it so a second free is
 * harmless. Strings returned by http_header() are borrowed from the response.
 */
#ifndef NOABER_TEST_HTTP_H
#define NOABER_TEST_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct http_header {
  char *name;  /* lower-case, owned by the response */
  char *value; /* repeated headers joined with ", ", owned by the response */
};

struct http_response {
  long status;  /* 0 when there was no response */
  char *method; /* owned copy of the request method */
  char *path;   /* owned copy of the request path without query string */
  char *body;   /* owned, NUL-terminated; body_len excludes the NUL */
  size_t body_len;
  json_t *json;                /* owned reference; NULL unless the body parsed as JSON */
  struct http_header *headers; /* owned array of header_count entries */
  size_t header_count;
  double elapsed_s; /* wall time from sending to the complete response */
  bool peer_closed; /* raw only: the server closed the connection afterwards */
};

struct http_request {
  const char *method;   /* required */
  const char *path;     /* required; may carry a query string */
  const char *base_url; /* NULL: NOABER_TEST_BASE_URL */
  const char *bearer;   /* NULL: no Authorization header */
  json_t *json;         /* borrowed; sent compact with Content-Type application/json */
  const char *body;     /* raw body when json is NULL (NULL: no body) */
  size_t body_len;
  const char *content_type;   /* overrides the Content-Type; with a raw body and NULL, none */
  const char *const *headers; /* NULL-terminated list of "Name: value", may be NULL */
  const char *source_ip;      /* bind the client socket to this local address */
  long timeout_ms;            /* 0: 30 s */
  bool expect_unknown_route;  /* marks the logged exchange */
};

/* Base URL of the server under test: the override set by http_set_base_url(), else env
 * NOABER_TEST_BASE_URL; aborts the test if neither is set. */
const char *http_base_url(void);

/* Points requests without an explicit base_url at another server (NULL: back to the default).
 * The string is borrowed and must outlive its use. */
void http_set_base_url(const char *base_url);

/* Sends the request. Returns 0 with *out filled (caller frees with http_response_free), or -1
 * on a transport error (nothing to free; *out is zeroed and an explanation is in
 * http_last_error()). Every response is logged; a logging failure returns -1. */
int http_send(const struct http_request *req, struct http_response *out);

/* Text of the last transport error in this thread (static storage). */
const char *http_last_error(void);

/* Frees everything the response owns and zeroes it. Safe on a zeroed response. */
void http_response_free(struct http_response *r);

/* Value of a response header by case-insensitive name, or NULL. Borrowed. */
const char *http_header(const struct http_response *r, const char *name);

/* Convenience wrappers that fail the current Check test on a transport error.
 * `body` is STOLEN (json_decref'd here), so json_pack(...) can be passed inline; NULL: none. */
void http_call(struct http_response *out, const char *method, const char *path, const char *bearer, json_t *body);
void http_get(struct http_response *out, const char *path, const char *bearer);
/* Same as http_call with extra "Name: value" headers (NULL-terminated list, may be NULL). */
void http_call_h(struct http_response *out, const char *method, const char *path, const char *bearer, json_t *body,
                 const char *const *headers);
/* Sends to an unknown route / with a wrong method on purpose (logged as such). */
void http_call_unknown(struct http_response *out, const char *method, const char *path, const char *bearer);

/* Raw socket exchange for framing tests. Connects to host:port of base_url (NULL: the
 * default), sends `data` exactly as given, and reads one response, waiting at most
 * timeout_ms for it. Parses status, headers and body (Content-Length or chunked or until the
 * peer closes), then waits up to 1 s to see whether the server closes the connection
 * (peer_closed). Method and path for the log come from the request line. Returns 0 with *out
 * filled, -1 when no complete response arrived in time. */
int http_raw(const char *base_url, const char *data, size_t len, int timeout_ms, struct http_response *out);

/* A raw connection of the test's own, for clients that send slowly, in pieces or several
 * requests on one connection (tests/integration/test_faults.c). Each response read with
 * raw_read() is logged like http_raw()'s; bytes written with raw_send() alone are not (a client
 * that never gets an answer has nothing to log).
 *
 * Ownership: the struct owns its socket and buffer; raw_close() releases both and is safe to
 * call twice. A raw_conn is used by one thread at a time. */
struct raw_conn {
  int fd;
  char *buf; /* bytes received and not yet read as a response */
  size_t have, cap;
  bool eof;        /* the peer closed (error 0) or reset (error ECONNRESET) the connection */
  int error;       /* errno of the last failed connect, send or receive */
  double opened_s; /* CLOCK_MONOTONIC seconds when the connection was made */
  double sent_s;   /* ... when raw_send() last completed (0: never) */
};

/* Connects to host:port of base_url (NULL: the default), from source_ip when not NULL (any
 * 127.x.y.z works on Linux loopback). Returns 0, or -1 with c->error = errno (c->fd is -1). */
int raw_open(struct raw_conn *c, const char *base_url, const char *source_ip);

/* Sends all len bytes. Returns 0, or -1 with c->error = errno (EPIPE, ECONNRESET, ...). */
int raw_send(struct raw_conn *c, const char *data, size_t len);

/* Reads one response (at most timeout_ms), then logs it. `request` is the text sent for it so
 * far (request line, headers, and the body when complete): the log takes the method, path and
 * request body from it. elapsed_s counts from the last raw_send(). peer_closed is set only when
 * the peer closed while the response was read (see raw_peer_closed()). Returns 0 with *out
 * filled (free with http_response_free), or -1 (http_last_error() says why; c->eof tells
 * whether the peer closed or reset without a complete response). */
int raw_read(struct raw_conn *c, const char *request, size_t request_len, int timeout_ms, struct http_response *out);

/* 1 when something (bytes, EOF or a reset) can be read within timeout_ms, 0 if not, -1 on error. */
int raw_readable(struct raw_conn *c, int timeout_ms);

/* Waits up to timeout_ms for the peer to close or reset the connection (bytes that arrive
 * meanwhile are dropped). Returns c->eof. */
bool raw_peer_closed(struct raw_conn *c, int timeout_ms);

void raw_close(struct raw_conn *c);

/* A plain connected TCP socket (blocking), from source_ip when not NULL, for clients that
 * never read an answer (slowloris, connection limits): nothing is logged. Returns the
 * descriptor (the caller closes it) or -1 with errno set. */
int tcp_connect(const char *base_url, const char *source_ip);

/* Overrides the test name written to the exchange log (NULL: Check's current test name).
 * The string is borrowed and must outlive its use. */
void http_set_test_name(const char *name);

#endif
