/*
 * The HTTP edge: checks that must happen when the headers have arrived and before the body is
 * read, and the shape of every answer libmicrohttpd would otherwise write by itself.
 *
 * Ulfius keeps its libmicrohttpd request handler private and only calls our callbacks after
 * the whole body has been received (silently truncated past its limit). To refuse an
 * oversized body without reading it, and ambiguous framing that a proxy could read differently
 * (request smuggling), this file supplies MHD_start_daemon itself: the dynamic linker resolves
 * Ulfius's call to it here, and we start the daemon through MHD_start_daemon_va with a gate in
 * front of Ulfius's handler. The gate sees every call; Ulfius's handler runs unchanged.
 *
 * libmicrohttpd 0.9.75 also refuses some requests before any handler runs (a URL or headers
 * too large for its buffer: 414, 431; a malformed request line or header, a bad chunk: 400;
 * an unknown HTTP version: 505), with an HTML body, and offers no option to change that. It
 * writes those answers in one internal function (connection.c, transmit_error_response_len)
 * that calls its own exported MHD_queue_response through the PLT, so the definition below is
 * the one it reaches: outside the gate it swaps the HTML for a problem document of the same
 * status. A bad Content-Length is worse: libmicrohttpd queues its refusal, then builds the
 * response header a second time (connection.c, parse_connection_headers and the
 * HEADERS_PROCESSED state), so the client gets two header blocks. Its parser reads the value
 * with MHD_lookup_connection_value_n, also through the PLT: the definition below hides a value
 * the gate refuses, libmicrohttpd sees no body, and the gate answers 400 or 413 and closes.
 * What stays out of reach: a request line without a space, which libmicrohttpd drops without
 * making any response (parse_initial_message_line, "serious error"), and connections it
 * closes on a timeout or a read error.
 */
#include "edge.h"

#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <orcania.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../src/support/log.h"
#include "connections.h"
#include "headers.h"
#include "http.h"
#include "language.h"
#include "metrics.h"
#include "routes.h"

static MHD_AccessHandlerCallback ulfius_handler;
static void *ulfius_handler_cls;
static size_t max_body_bytes = 65536;

/* libmicrohttpd's own definitions of the two functions this file replaces. */
typedef enum MHD_Result (*queue_response_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
typedef enum MHD_Result (*lookup_value_fn)(struct MHD_Connection *, enum MHD_ValueKind, const char *, size_t,
                                           const char **, size_t *);
static queue_response_fn mhd_queue_response;
static lookup_value_fn mhd_lookup_value;

/* Set while this thread runs the gate (and Ulfius's handler in it): a response queued then is
 * ours; one queued outside is libmicrohttpd's own refusal. */
static _Thread_local int in_gate;

/* dlsym() gives an object pointer; POSIX guarantees a function's address survives the copy. */
static void find_libmicrohttpd_functions(void) {
  void *queue = dlsym(RTLD_NEXT, "MHD_queue_response");
  void *lookup = dlsym(RTLD_NEXT, "MHD_lookup_connection_value_n");
  memcpy(&mhd_queue_response, &queue, sizeof queue);
  memcpy(&mhd_lookup_value, &lookup, sizeof lookup);
}

int edge_configure(size_t max_body) {
  max_body_bytes = max_body;
  find_libmicrohttpd_functions();
  return mhd_queue_response != NULL && mhd_lookup_value != NULL ? 0 : -1;
}

/* How the edge judges a Content-Length value. The gate refuses every value that is not
 * LENGTH_OK, and only those are hidden from libmicrohttpd's parser. */
enum length_verdict { LENGTH_OK, LENGTH_MALFORMED, LENGTH_TOO_LARGE };

static enum length_verdict judge_length(const char *value) {
  if (value[0] < '0' || value[0] > '9') return LENGTH_MALFORMED; /* also "-1", "+5", "" */
  char *end = NULL;
  errno = 0;
  unsigned long long length = strtoull(value, &end, 10);
  if (*end != '\0') return LENGTH_MALFORMED; /* "0x10", "5 5", "abc" after a digit */
  if (errno == ERANGE || length > max_body_bytes) return LENGTH_TOO_LARGE;
  return LENGTH_OK;
}

/* Headers that must appear at most once: a second copy would be joined with a comma. */
static const char *const singletons[] = {"content-length", "transfer-encoding", "content-type",  "authorization",
                                         "host",           "if-match",          "if-none-match", "idempotency-key",
                                         "x-request-id"};
#define SINGLETONS (sizeof singletons / sizeof singletons[0])

/* A query parameter name safe to repeat in a problem's errors[] (the contract's field syntax). */
#define NAMEABLE_PARAMETER_MAX 64

struct header_scan {
  int seen[SINGLETONS];
  const char *content_length;
  const char *transfer_encoding;
  const char *request_id;
  char **query_keys; /* owned list of query keys seen */
  size_t query_count;
  int duplicate_query;
  int out_of_memory;
  json_t *nul_errors;   /* owned: errors[] naming parameters whose value holds a NUL byte */
  int nul_in_unnamable; /* a NUL byte in a name, or in a parameter we would not repeat */
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  struct header_scan *scan = cls;
  for (size_t i = 0; i < SINGLETONS; i++) {
    if (strcasecmp(key, singletons[i]) == 0) scan->seen[i]++;
  }
  if (strcasecmp(key, "content-length") == 0) scan->content_length = value;
  if (strcasecmp(key, "transfer-encoding") == 0) scan->transfer_encoding = value;
  if (strcasecmp(key, "x-request-id") == 0) scan->request_id = value;
  return MHD_YES;
}

static int nameable(const char *key, size_t key_size) {
  if (key_size == 0 || key_size > NAMEABLE_PARAMETER_MAX || strlen(key) != key_size) return 0;
  return strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == key_size;
}

/* A NUL byte in a query value would end the C string Ulfius hands on, and the rest would be
 * dropped without a word (status=submitted%00x would filter on "submitted"). */
static void note_nul(struct header_scan *scan, const char *key, size_t key_size, const char *value, size_t value_size) {
  int nul_in_key = strlen(key) != key_size;
  int nul_in_value = value != NULL && strlen(value) != value_size;
  if (!nul_in_key && !nul_in_value) return;
  if (nul_in_key || !nameable(key, key_size)) {
    scan->nul_in_unnamable = 1;
    return;
  }
  if (scan->nul_errors == NULL) scan->nul_errors = json_array();
  json_t *error =
      json_pack("{s:s, s:s, s:s}", "field", key, "code", "invalid", "message", "must not contain a NUL byte (%00)");
  if (scan->nul_errors == NULL || error == NULL || json_array_append_new(scan->nul_errors, error) != 0)
    scan->out_of_memory = 1;
}

static enum MHD_Result scan_query(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                  const char *value, size_t value_size) {
  (void)kind;
  struct header_scan *scan = cls;
  note_nul(scan, key, key_size, value, value_size);
  for (size_t i = 0; i < scan->query_count; i++) {
    if (strcmp(scan->query_keys[i], key) == 0) {
      scan->duplicate_query = 1;
      return MHD_YES;
    }
  }
  char **grown = o_realloc(scan->query_keys, (scan->query_count + 1) * sizeof *grown);
  if (grown == NULL) {
    scan->out_of_memory = 1;
    return MHD_NO;
  }
  scan->query_keys = grown;
  scan->query_keys[scan->query_count] = o_strdup(key);
  if (scan->query_keys[scan->query_count] == NULL) {
    scan->out_of_memory = 1;
    return MHD_NO;
  }
  scan->query_count++;
  return MHD_YES;
}

static void scan_free(struct header_scan *scan) {
  for (size_t i = 0; i < scan->query_count; i++) o_free(scan->query_keys[i]);
  o_free(scan->query_keys);
  json_decref(scan->nul_errors);
}

/* What the gate answers instead of letting the request through. */
struct refusal {
  int status;
  const char *detail;
  int close_connection;
  json_t *errors;  /* borrowed from the scan (NULL: none) */
  int retry_after; /* seconds for Retry-After (0: no header) */
};

/* Whether the request's framing, size, parameters and path can be trusted; 0 when fine, else
 * the status, with the rest of *refusal set. */
static int check_request(struct MHD_Connection *connection, const char *url, const char *version,
                         struct header_scan *scan, struct refusal *refusal) {
  MHD_get_connection_values(connection, MHD_HEADER_KIND, scan_header, scan);
  MHD_get_connection_values_n(connection, MHD_GET_ARGUMENT_KIND, scan_query, scan);
  refusal->close_connection = 1;
  refusal->status = 400;
  if (scan->seen[0] > 1) {
    refusal->detail = "the request has more than one Content-Length header";
    return refusal->status;
  }
  if (scan->seen[1] > 1 || (scan->transfer_encoding != NULL && scan->content_length != NULL)) {
    refusal->detail = "the request's framing is ambiguous (Content-Length with Transfer-Encoding)";
    return refusal->status;
  }
  if (scan->transfer_encoding != NULL && strcasecmp(scan->transfer_encoding, "chunked") != 0) {
    refusal->detail = "only Transfer-Encoding: chunked is accepted";
    return refusal->status;
  }
  enum length_verdict length = scan->content_length != NULL ? judge_length(scan->content_length) : LENGTH_OK;
  if (length == LENGTH_MALFORMED) {
    refusal->detail = "the Content-Length header is not a number";
    return refusal->status;
  }
  if (length == LENGTH_TOO_LARGE) {
    refusal->detail = "the request body is larger than this server accepts";
    return refusal->status = 413;
  }
  if (strcmp(version, "HTTP/1.1") == 0 && scan->seen[4] == 0) {
    refusal->detail = "an HTTP/1.1 request needs a Host header";
    return refusal->status;
  }
  refusal->close_connection = 0;
  if (scan->out_of_memory) {
    refusal->detail = NULL;
    return refusal->status = 500;
  }
  for (size_t i = 2; i < SINGLETONS; i++) {
    if (scan->seen[i] > 1) {
      refusal->detail = "a header that may appear only once was sent more than once";
      return refusal->status;
    }
  }
  if (scan->duplicate_query) {
    refusal->detail = "a query parameter was given more than once";
    return refusal->status;
  }
  if (scan->nul_in_unnamable) {
    refusal->detail = "a query parameter holds a NUL byte (%00)";
    return refusal->status;
  }
  if (scan->nul_errors != NULL) {
    refusal->detail = "a query parameter holds a NUL byte (%00): see errors";
    refusal->errors = scan->nul_errors;
    return refusal->status;
  }
  /* An empty segment names nothing: //v1//me is not /v1/me (one trailing slash still is). */
  if (strstr(url, "//") != NULL) {
    refusal->detail = "there is no resource at this path (it has an empty segment)";
    return refusal->status = 404;
  }
  return 0;
}

/* A problem+json response with the headers every answer carries. `url` and `request_id` may
 * be NULL ("/" and a new id); `errors` is borrowed. NULL when out of memory. */
static struct MHD_Response *problem_response(int status, const char *detail, const char *url,
                                             const char *client_request_id, const char *language, json_t *errors,
                                             int close_connection, int retry_after) {
  char request_id[129];
  if (header_request_id_valid(client_request_id))
    snprintf(request_id, sizeof request_id, "%s", client_request_id);
  else
    header_request_id_new(request_id, sizeof request_id);
  json_incref(errors);
  json_t *problem = problem_new(status, detail, url, request_id, errors);
  if (problem != NULL) language_problem(problem, language);
  char *text = problem != NULL ? json_dumps(problem, JSON_COMPACT) : NULL;
  json_decref(problem);
  if (text == NULL) return NULL;
  struct MHD_Response *response = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
  if (response == NULL) {
    free(text);
    return NULL;
  }
  int added = MHD_add_response_header(response, "Content-Type", "application/problem+json") == MHD_YES &&
              MHD_add_response_header(response, "X-Request-Id", request_id) == MHD_YES &&
              MHD_add_response_header(response, "Content-Language", language) == MHD_YES &&
              MHD_add_response_header(response, "Vary", "Accept-Language") == MHD_YES;
  for (size_t i = 0; added && i < header_every_response_count; i++)
    added = MHD_add_response_header(response, header_every_response[i].name, header_every_response[i].value) == MHD_YES;
  if (added && (close_connection || connections_draining()))
    added = MHD_add_response_header(response, "Connection", "close") == MHD_YES;
  char seconds[16];
  snprintf(seconds, sizeof seconds, "%d", retry_after);
  if (added && retry_after > 0) added = MHD_add_response_header(response, "Retry-After", seconds) == MHD_YES;
  if (!added) {
    MHD_destroy_response(response);
    return NULL;
  }
  log_event(LOG_INFO, request_id, "request_refused", json_pack("{s:i}", "status", status));
  return response;
}

static enum MHD_Result refuse(struct MHD_Connection *connection, const char *url, const struct refusal *refusal,
                              const char *client_request_id) {
  connections_answering(connection);
  const char *language =
      language_negotiate(MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Accept-Language"), NULL);
  struct MHD_Response *response = problem_response(refusal->status, refusal->detail, url, client_request_id, language,
                                                   refusal->errors, refusal->close_connection, refusal->retry_after);
  if (response == NULL) return MHD_NO;
  enum MHD_Result queued = MHD_queue_response(connection, (unsigned)refusal->status, response);
  MHD_destroy_response(response);
  metrics_record(api_route_count + 1, refusal->status, 0);
  return queued;
}

static enum MHD_Result gate(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                            const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls) {
  (void)cls;
  enum connection_step step = connections_on_call(connection, *upload_data_size, api_route_needs_database, method, url);
  if (step == CONNECTION_SUSPENDED) return MHD_YES; /* resumed when a database connection is free */
  if (step == CONNECTION_CLOSE) return MHD_NO;      /* answered 408 already */
  in_gate = 1;
  enum MHD_Result result = MHD_YES;
  int refused = 0;
  if (step == CONNECTION_DB_TIMEOUT) {
    struct refusal busy = {
        .status = 503, .detail = "the service is busy: try again shortly", .close_connection = 0, .retry_after = 1};
    result = refuse(connection, url, &busy, MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Request-Id"));
    refused = 1;
  }
  /* Calls without data are the header stage (first) and the end of the body (last); checking
   * both is cheap, and a request refused at the first never reaches the last. */
  if (!refused && *upload_data_size == 0) {
    struct header_scan scan;
    memset(&scan, 0, sizeof scan);
    struct refusal refusal = {0};
    if (check_request(connection, url, version, &scan, &refusal) != 0) {
      result = refuse(connection, url, &refusal, scan.request_id);
      refused = 1;
    }
    scan_free(&scan);
  }
  if (!refused)
    result =
        ulfius_handler(ulfius_handler_cls, connection, url, method, version, upload_data, upload_data_size, con_cls);
  in_gate = 0;
  connections_call_done();
  return result;
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
                                    MHD_AccessHandlerCallback dh, void *dh_cls, ...) {
  ulfius_handler = dh;
  ulfius_handler_cls = dh_cls;
  va_list options;
  va_start(options, dh_cls);
  struct MHD_Daemon *daemon = MHD_start_daemon_va(flags, port, apc, apc_cls, gate, NULL, options);
  va_end(options);
  return daemon;
}

/* What libmicrohttpd's own refusals mean, in the words of our other problems. */
static const char *own_refusal_detail(unsigned int status) {
  switch (status) {
    case 400:
      return "the request is not well-formed HTTP";
    case 413:
      return "the request body is larger than this server accepts";
    case 414:
      return "the request's URL is longer than this server accepts";
    case 431:
      return "the request's headers are larger than this server accepts";
    case 505:
      return "this server speaks HTTP/1.0 and HTTP/1.1 only";
    default:
      return NULL;
  }
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response) {
  if (mhd_queue_response == NULL) find_libmicrohttpd_functions();
  if (mhd_queue_response == NULL) return MHD_NO;
  if (in_gate || status_code < 400) return mhd_queue_response(connection, status_code, response);
  /* libmicrohttpd's own refusal: the same status, told as a problem. It closes the connection
   * itself. The path is not known here. */
  connections_answering(connection);
  struct MHD_Response *problem =
      problem_response((int)status_code, own_refusal_detail(status_code), NULL, NULL, "nl", NULL, 0, 0);
  if (problem == NULL) return mhd_queue_response(connection, status_code, response);
  enum MHD_Result queued = mhd_queue_response(connection, status_code, problem);
  MHD_destroy_response(problem);
  metrics_record(api_route_count + 1, (int)status_code, 0);
  return queued;
}

enum MHD_Result MHD_lookup_connection_value_n(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                              const char *key, size_t key_size, const char **value_ptr,
                                              size_t *value_size_ptr) {
  if (mhd_lookup_value == NULL) find_libmicrohttpd_functions();
  if (mhd_lookup_value == NULL) return MHD_NO;
  const char *value = NULL;
  size_t value_size = 0;
  enum MHD_Result found = mhd_lookup_value(connection, kind, key, key_size, &value, &value_size);
  if (found == MHD_YES && kind == MHD_HEADER_KIND && key != NULL && strcasecmp(key, "Content-Length") == 0 &&
      value != NULL && judge_length(value) != LENGTH_OK)
    return MHD_NO; /* the gate refuses it (check_request) */
  if (found == MHD_YES && value_ptr != NULL) *value_ptr = value;
  if (found == MHD_YES && value_size_ptr != NULL) *value_size_ptr = value_size;
  return found;
}
