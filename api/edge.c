/*
 * The HTTP edge: checks that must happen when the headers have arrived and before the body is
 * read. Ulfius keeps its libmicrohttpd request handler private and only calls our callbacks
 * after the whole body has been received (silently truncated past its limit). To refuse an
 * oversized body without reading it, and ambiguous framing that a proxy could read differently
 * (request smuggling), this file supplies MHD_start_daemon itself: the dynamic linker resolves
 * Ulfius's call to it here, and we start the daemon through MHD_start_daemon_va with a gate in
 * front of Ulfius's handler. The gate sees every call; Ulfius's handler runs unchanged.
 */
#include <microhttpd.h>
#include <orcania.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../src/support/log.h"
#include "edge.h"
#include "headers.h"
#include "http.h"
#include "metrics.h"
#include "routes.h"

static MHD_AccessHandlerCallback ulfius_handler;
static void *ulfius_handler_cls;
static size_t max_body_bytes = 65536;

void edge_configure(size_t max_body) { max_body_bytes = max_body; }

/* Headers that must appear at most once: a second copy would be joined with a comma. */
static const char *const singletons[] = {"content-length", "transfer-encoding", "content-type",  "authorization",
                                         "host",           "if-match",          "if-none-match", "idempotency-key",
                                         "x-request-id"};
#define SINGLETONS (sizeof singletons / sizeof singletons[0])

struct header_scan {
  int seen[SINGLETONS];
  const char *content_length;
  const char *transfer_encoding;
  const char *request_id;
  char **query_keys; /* owned list of query keys seen */
  size_t query_count;
  int duplicate_query;
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

static enum MHD_Result scan_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  (void)value;
  struct header_scan *scan = cls;
  for (size_t i = 0; i < scan->query_count; i++) {
    if (strcmp(scan->query_keys[i], key) == 0) {
      scan->duplicate_query = 1;
      return MHD_YES;
    }
  }
  char **grown = o_realloc(scan->query_keys, (scan->query_count + 1) * sizeof *grown);
  if (grown == NULL) return MHD_NO;
  scan->query_keys = grown;
  scan->query_keys[scan->query_count] = o_strdup(key);
  if (scan->query_keys[scan->query_count] == NULL) return MHD_NO;
  scan->query_count++;
  return MHD_YES;
}

/* Whether the request's framing and size can be trusted; 0 when fine, else the status to send
 * with *detail and *close_connection set. */
static int check_request(struct MHD_Connection *connection, const char *version, struct header_scan *scan,
                         const char **detail, int *close_connection) {
  MHD_get_connection_values(connection, MHD_HEADER_KIND, scan_header, scan);
  MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, scan_query, scan);
  *close_connection = 1;
  if (scan->seen[0] > 1) {
    *detail = "the request has more than one Content-Length header";
    return 400;
  }
  if (scan->seen[1] > 1 || (scan->transfer_encoding != NULL && scan->content_length != NULL)) {
    *detail = "the request's framing is ambiguous (Content-Length with Transfer-Encoding)";
    return 400;
  }
  if (scan->transfer_encoding != NULL && strcasecmp(scan->transfer_encoding, "chunked") != 0) {
    *detail = "only Transfer-Encoding: chunked is accepted";
    return 400;
  }
  if (scan->content_length != NULL) {
    char *end = NULL;
    unsigned long long length = strtoull(scan->content_length, &end, 10);
    if (scan->content_length[0] < '0' || scan->content_length[0] > '9' || *end != '\0') {
      *detail = "the Content-Length header is not a number";
      return 400;
    }
    if (length > max_body_bytes) {
      *detail = "the request body is larger than this server accepts";
      return 413;
    }
  }
  if (strcmp(version, "HTTP/1.1") == 0 && scan->seen[4] == 0) {
    *detail = "an HTTP/1.1 request needs a Host header";
    return 400;
  }
  *close_connection = 0;
  for (size_t i = 2; i < SINGLETONS; i++) {
    if (scan->seen[i] > 1) {
      *detail = "a header that may appear only once was sent more than once";
      return 400;
    }
  }
  if (scan->duplicate_query) {
    *detail = "a query parameter was given more than once";
    return 400;
  }
  return 0;
}

static enum MHD_Result refuse(struct MHD_Connection *connection, const char *url, int status, const char *detail,
                              int close_connection, const char *client_request_id) {
  char request_id[129];
  if (header_request_id_valid(client_request_id))
    snprintf(request_id, sizeof request_id, "%s", client_request_id);
  else
    header_request_id_new(request_id, sizeof request_id);
  json_t *problem = problem_new(status, detail, url, request_id, NULL);
  char *text = problem != NULL ? json_dumps(problem, JSON_COMPACT) : NULL;
  json_decref(problem);
  if (text == NULL) return MHD_NO;
  struct MHD_Response *response = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
  if (response == NULL) {
    free(text);
    return MHD_NO;
  }
  MHD_add_response_header(response, "Content-Type", "application/problem+json");
  MHD_add_response_header(response, "X-Request-Id", request_id);
  if (close_connection) MHD_add_response_header(response, "Connection", "close");
  enum MHD_Result queued = MHD_queue_response(connection, (unsigned)status, response);
  MHD_destroy_response(response);
  metrics_record(api_route_count + 1, status, 0);
  log_event(LOG_INFO, request_id, "request_refused", json_pack("{s:i}", "status", status));
  return queued;
}

static enum MHD_Result gate(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                            const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls) {
  (void)cls;
  /* Calls without data are the header stage (first) and the end of the body (last); checking
   * both is cheap, and a request refused at the first never reaches the last. */
  if (*upload_data_size == 0) {
    struct header_scan scan;
    memset(&scan, 0, sizeof scan);
    const char *detail = NULL;
    int close_connection = 0;
    int status = check_request(connection, version, &scan, &detail, &close_connection);
    for (size_t i = 0; i < scan.query_count; i++) o_free(scan.query_keys[i]);
    o_free(scan.query_keys);
    if (status != 0) return refuse(connection, url, status, detail, close_connection, scan.request_id);
  }
  return ulfius_handler(ulfius_handler_cls, connection, url, method, version, upload_data, upload_data_size, con_cls);
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
