/* The HTTP server: one dispatcher runs every route (body, auth, transaction, idempotency),
 * the default endpoint answers 404/405, and shutdown is graceful. */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <orcania.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <ulfius.h>
#include <unistd.h>

#include "../src/access_log.h"
#include "../src/auth.h"
#include "../src/idempotency.h"
#include "../src/members.h"
#include "../src/roles_cache.h"
#include "../src/support/digest.h"
#include "../src/support/log.h"
#include "../src/support/validate.h"
#include "conditional.h"
#include "connections.h"
#include "edge.h"
#include "headers.h"
#include "http.h"
#include "language.h"
#include "metrics.h"
#include "routes.h"

/* After the grace and the cancel, how long the cancelled requests get to send their answers. */
#define SHUTDOWN_ANSWER_S 2.0

static const struct config *config;
static const struct migration_set *migrations;
static atomic_int in_flight;

const struct migration_set *server_migrations(void) { return migrations; }

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void assign_request_id(struct api_request *ar) {
  const char *given = u_map_get_case(ar->req->map_header, "X-Request-Id");
  if (header_request_id_valid(given))
    snprintf(ar->request_id, sizeof ar->request_id, "%s", given);
  else
    header_request_id_new(ar->request_id, sizeof ar->request_id);
  u_map_put(ar->resp->map_header, "X-Request-Id", ar->request_id);
}

static int is_json_media_type(const char *content_type) {
  if (content_type == NULL) return 0;
  size_t len = strcspn(content_type, ";");
  while (len > 0 && content_type[len - 1] == ' ') len--;
  return len == strlen("application/json") && strncasecmp(content_type, "application/json", len) == 0;
}

/* Parse the JSON object body. RESULT_OK, or the failing result with the problem already sent. */
static enum result read_body(struct api_request *ar) {
  const struct _u_request *req = ar->req;
  if (req->binary_body_length > config->max_body_bytes) {
    api_problem(ar, 413, "the request body is larger than this server accepts", NULL);
    return RESULT_INVALID;
  }
  if (!is_json_media_type(u_map_get_case(req->map_header, "Content-Type"))) {
    api_problem(ar, 415, "send the body as Content-Type: application/json", NULL);
    return RESULT_INVALID;
  }
  json_error_t error;
  ar->body = json_loadb(req->binary_body, req->binary_body_length, JSON_REJECT_DUPLICATES, &error);
  if (ar->body == NULL) {
    char detail[256];
    snprintf(detail, sizeof detail, "the body is not valid JSON: %s (line %d, column %d)", error.text, error.line,
             error.column);
    api_problem(ar, 400, detail, NULL);
    return RESULT_INVALID;
  }
  if (!json_is_object(ar->body)) {
    api_problem(ar, 400, "the body must be a JSON object", NULL);
    return RESULT_INVALID;
  }
  return RESULT_OK;
}

static enum result authenticate(struct api_request *ar) {
  const char *header = u_map_get_case(ar->req->map_header, "Authorization");
  if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0) {
    ar->info.detail = "send an access token as Authorization: Bearer <token>";
    return RESULT_UNAUTHENTICATED;
  }
  enum result r = auth_verify_access_token(header + 7, ar->person_id, ar->session_id, &ar->info);
  if (r == RESULT_OK) ar->actor.person_id = ar->person_id;
  return r;
}

/* The metrics scraper's bearer token: the configured one, compared in constant time (both are
 * hashed first, so not even the length shows). Without NOABER_METRICS_TOKEN nobody gets in. */
static enum result authenticate_scraper(struct api_request *ar) {
  const char *header = u_map_get_case(ar->req->map_header, "Authorization");
  const char *token = config->metrics_token;
  ar->info.detail = token != NULL ? "send the metrics token as Authorization: Bearer <token>"
                                  : "metrics are off: this server has no NOABER_METRICS_TOKEN";
  if (token == NULL || header == NULL || strncasecmp(header, "Bearer ", 7) != 0) return RESULT_UNAUTHENTICATED;
  unsigned char want[crypto_generichash_BYTES], got[crypto_generichash_BYTES];
  if (crypto_generichash(want, sizeof want, (const unsigned char *)token, strlen(token), NULL, 0) != 0 ||
      crypto_generichash(got, sizeof got, (const unsigned char *)header + 7, strlen(header + 7), NULL, 0) != 0)
    return RESULT_ERROR;
  if (sodium_memcmp(want, got, sizeof want) != 0) return RESULT_UNAUTHENTICATED;
  ar->info.detail = NULL;
  return RESULT_OK;
}

/* Open the request's transaction with its context; for community routes, resolve the caller's
 * roles there in the same round trip. A GET runs its statements as reads (db_begin_reads): no
 * BEGIN or COMMIT. With `predict` it also assumes the roles the caller had last time
 * (roles_cache) and has them checked in the round trip of its first query (db_expect);
 * dispatch() starts over, without predicting, when they changed. */
static enum result open_transaction(struct api_request *ar, int predict) {
  /* The session is checked in the same round trip as the context (db.h). */
  struct db_context ctx = {.person_id = ar->person_id,
                           .session_id = ar->session_id[0] ? ar->session_id : NULL,
                           .request_id = ar->request_id};
  int reads = strcmp(ar->route->method, "GET") == 0;
  if (!(ar->route->flags & ROUTE_COMMUNITY))
    return result_from_db(reads ? db_reads_start(&ar->db, &ctx) : db_transaction_start(&ar->db, &ctx, NULL, NULL),
                          &ar->info);

  const char *community = u_map_get(ar->req->map_url, "communityId");
  if (!valid_uuid(community)) return RESULT_NOT_FOUND;
  snprintf(ar->community_id, sizeof ar->community_id, "%s", community);
  ar->actor.community_id = ar->community_id;
  ctx.community_id = ar->community_id;
  char predicted[80];
  if (reads && predict && roles_cache_get(ar->person_id, ar->community_id, predicted, sizeof predicted)) {
    enum result r = result_from_db(db_reads_start(&ar->db, &ctx), &ar->info);
    if (r == RESULT_OK) r = result_from_db(db_expect(ar->db, MEMBERS_EXPECT_ROLES_STATEMENT, predicted), &ar->info);
    if (r == RESULT_OK) ar->actor.roles = roles_parse(predicted);
    return r;
  }
  PGresult *roles = NULL;
  enum db_status status =
      reads ? db_reads_start(&ar->db, &ctx) : db_transaction_start(&ar->db, &ctx, MEMBERS_ROLES_STATEMENT, &roles);
  if (status == DB_OK && reads) status = db_query(ar->db, MEMBERS_ROLES_STATEMENT, 0, NULL, &roles);
  enum result r = result_from_db(status, &ar->info);
  if (r == RESULT_OK) {
    const char *text = PQgetvalue(roles, 0, 0);
    ar->actor.roles = roles_parse(text);
    roles_cache_put(ar->person_id, ar->community_id, text);
    if (ar->actor.roles == 0) {
      ar->info.detail = "no such community, or you are not a member of it";
      r = RESULT_NOT_FOUND;
    }
  }
  PQclear(roles);
  return r;
}

/* Undo a request that ran on mispredicted roles: nothing of it was sent or committed. */
static void forget_attempt(struct api_request *ar) {
  db_release(ar->db); /* rolls back */
  ar->db = NULL;
  roles_cache_forget(ar->person_id, ar->community_id);
  ar->actor.roles = 0;
  result_info_clear(&ar->info);
  memset(&ar->info, 0, sizeof ar->info);
  memset(&ar->audit, 0, sizeof ar->audit);
  o_free(ar->response_text);
  ar->response_text = NULL;
  ar->status = 0;
  u_map_remove_from_key(ar->resp->map_header, "ETag");
  u_map_remove_from_key(ar->resp->map_header, "Location");
}

/* Replay an earlier response for the same Idempotency-Key, with its ETag, Location and language
 * (the body is in the first request's language). *replayed
 * says whether it did. */
static enum result idempotency_replay(struct api_request *ar, const char *key, const char *request_hash,
                                      int *replayed) {
  int found = 0;
  struct idempotency_response first = {0};
  *replayed = 0;
  enum result r = idempotency_find(ar->db, &ar->actor, key, request_hash, &found, &first, &ar->info);
  if (r == RESULT_OK && found) {
    ar->status = first.status;
    if (ulfius_set_string_body_response(ar->resp, (unsigned)first.status, first.body) != U_OK) r = RESULT_ERROR;
    if (first.body[0] != '\0') u_map_put(ar->resp->map_header, "Content-Type", "application/json");
    if (first.etag != NULL) u_map_put(ar->resp->map_header, "ETag", first.etag);
    if (first.location != NULL) u_map_put(ar->resp->map_header, "Location", first.location);
    if (first.content_language != NULL) {
      u_map_put(ar->resp->map_header, "Content-Language", first.content_language);
      u_map_put(ar->resp->map_header, "Vary", "Accept-Language");
    }
    u_map_put(ar->resp->map_header, "Idempotent-Replayed", "true");
    *replayed = 1;
  }
  idempotency_response_clear(&first);
  return r;
}

/* Keep the response just made for retries with the same key. A 204 has no body: "" is kept. */
static enum result idempotency_keep(struct api_request *ar, const char *key, const char *request_hash) {
  struct idempotency_headers headers = {
      .etag = u_map_get_case(ar->resp->map_header, "ETag"),
      .location = u_map_get_case(ar->resp->map_header, "Location"),
      .content_language = u_map_get_case(ar->resp->map_header, "Content-Language"),
  };
  return idempotency_store(ar->db, &ar->actor, key, ar->route->path, request_hash, ar->status,
                           ar->response_text != NULL ? ar->response_text : "", &headers, &ar->info);
}

static void request_hash(const struct api_request *ar, char out[DIGEST_HEX_LEN]) {
  char *body = json_dumps(ar->body, JSON_COMPACT | JSON_SORT_KEYS);
  char *text = msprintf("%s %s\n%s", ar->req->http_verb, ar->req->url_path, body != NULL ? body : "");
  digest_sha256_hex(text != NULL ? text : "", out);
  free(body);
  o_free(text);
}

/* Run the handler, wrapped in Idempotency-Key handling when the route honours it. */
static enum result run_handler(struct api_request *ar) {
  const char *key =
      (ar->route->flags & ROUTE_IDEMPOTENT) ? u_map_get_case(ar->req->map_header, "Idempotency-Key") : NULL;
  if (key == NULL) return ar->route->handler(ar);
  if (!header_idempotency_key_valid(key)) {
    result_field_error(&ar->info, "Idempotency-Key", "invalid", "1 to 255 printable ASCII characters");
    return RESULT_INVALID;
  }
  char hash[DIGEST_HEX_LEN];
  request_hash(ar, hash);
  int replayed = 0;
  enum result r = idempotency_replay(ar, key, hash, &replayed);
  if (r != RESULT_OK || replayed) return r;
  r = ar->route->handler(ar);
  if (r == RESULT_OK || r == RESULT_CREATED) {
    enum result stored = idempotency_keep(ar, key, hash);
    if (stored != RESULT_OK) r = stored;
  }
  return r;
}

/* A refused request still leaves its trace in the access log: the request's own transaction is
 * rolled back, so the entry gets a transaction of its own on the same connection. */
static void audit_refusal(struct api_request *ar, enum result result) {
  /* Refused before its handler ran (not a member of the path's community): still the path's case. */
  if (ar->audit.case_id[0] == '\0') api_case_audit_note_path(ar);
  char roles[96];
  roles_to_list(ar->actor.roles, roles, sizeof roles);
  struct db_context ctx = {
      .person_id = ar->person_id, .community_id = ar->community_id, .roles = roles, .request_id = ar->request_id};
  struct result_info info = {0};
  db_rollback(ar->db);
  int written = db_begin(ar->db, &ctx, NULL, NULL) == DB_OK &&
                cases_audit_write(ar->db, &ar->actor, &ar->audit, ar->route->audit_resource, ar->route->audit_action,
                                  result, ar->status, &info) == RESULT_OK &&
                db_commit(ar->db) == DB_OK;
  if (!written) log_event(LOG_ERROR, ar->request_id, "access_log_write_failed", NULL);
  result_info_clear(&info);
}

static int dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  struct timespec started;
  clock_gettime(CLOCK_MONOTONIC, &started);
  struct api_request ar;
  memset(&ar, 0, sizeof ar);
  ar.req = req;
  ar.resp = resp;
  ar.route = &api_routes[(uintptr_t)user_data]; /* registered with its index */
  ar.cfg = config;
  assign_request_id(&ar);
  ar.language = language_negotiate(u_map_get_case(req->map_header, "Accept-Language"), NULL);

  enum result r = RESULT_OK;
  int answered = 0; /* a problem was already sent (body errors) */
  if (ar.route->flags & ROUTE_JSON_BODY) {
    r = read_body(&ar);
    answered = r != RESULT_OK;
  }
  if (r == RESULT_OK && (ar.route->flags & ROUTE_BEARER)) r = authenticate(&ar);
  if (r == RESULT_OK && (ar.route->flags & ROUTE_SCRAPER)) r = authenticate_scraper(&ar);
  if (r == RESULT_OK && (ar.route->flags & ROUTE_TRANSACTION)) {
    r = open_transaction(&ar, 1);
    if (r == RESULT_OK) r = run_handler(&ar);
    if (ar.db != NULL && db_expect_check(ar.db) == DB_STALE) {
      forget_attempt(&ar);
      r = open_transaction(&ar, 0);
      if (r == RESULT_OK) r = run_handler(&ar);
    }
  } else if (r == RESULT_OK) {
    r = run_handler(&ar);
  }
  int success = r == RESULT_OK || r == RESULT_CREATED;
  int audited = ar.route->audit_resource != NULL && ar.db != NULL;
  if (success && audited) {
    /* A replayed response ran no handler: the path still names the case. */
    if (ar.audit.case_id[0] == '\0') api_case_audit_note_path(&ar);
    /* The entry commits with what it records; no entry, no access. */
    r = cases_audit_write(ar.db, &ar.actor, &ar.audit, ar.route->audit_resource, ar.route->audit_action, r, ar.status,
                          &ar.info);
    success = r == RESULT_OK;
  }
  int read_only = strcmp(ar.route->method, "GET") == 0 && !audited;
  if (success && ar.db != NULL && read_only) {
    /* Nothing was written, so nothing can be lost: answer without waiting for the COMMIT. */
    db_commit_read_only(ar.db);
    ar.db = NULL;
  } else if (success && ar.db != NULL) {
    enum db_status committed = db_commit(ar.db);
    if (committed != DB_OK) {
      r = result_from_db(committed, &ar.info);
      if (r == RESULT_OK) r = RESULT_ERROR;
      success = 0;
      u_map_remove_from_key(resp->map_header, "ETag");
      u_map_remove_from_key(resp->map_header, "Location");
    }
  }
  if (!success && !answered) api_fail(&ar, r);
  if (!success && audited) audit_refusal(&ar, r);
  db_release(ar.db); /* rolls back a transaction that is still open */
  if (connections_draining()) u_map_put(resp->map_header, "Connection", "close"); /* go elsewhere next */

  double elapsed = seconds_since(&started);
  metrics_record((size_t)(ar.route - api_routes), ar.status, elapsed);
  log_event(ar.status >= 500 ? LOG_ERROR : LOG_INFO, ar.request_id, "request",
            json_pack("{s:s, s:s, s:i, s:f}", "method", ar.route->method, "route", ar.route->path, "status", ar.status,
                      "duration_ms", elapsed * 1000.0));
  json_decref(ar.body);
  o_free(ar.response_text);
  conditional_tags_free(ar.if_match_tags, ar.if_match.count);
  result_info_clear(&ar.info);
  return U_CALLBACK_COMPLETE;
}

/* No route for this method and path: 405 with Allow when the path exists, else 404. */
static int not_routed(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  (void)user_data;
  struct timespec started;
  clock_gettime(CLOCK_MONOTONIC, &started);
  struct api_request ar;
  memset(&ar, 0, sizeof ar);
  ar.req = req;
  ar.resp = resp;
  assign_request_id(&ar);
  ar.language = language_negotiate(u_map_get_case(req->map_header, "Accept-Language"), NULL);
  char *allow = NULL;
  for (size_t i = 0; i < api_route_count; i++) {
    if (!api_route_path_matches(api_routes[i].path, req->url_path)) continue;
    allow = allow == NULL ? o_strdup(api_routes[i].method) : mstrcatf(allow, ", %s", api_routes[i].method);
  }
  if (allow != NULL) {
    api_problem(&ar, 405, "this resource does not support that method: see Allow", NULL);
    u_map_put(resp->map_header, "Allow", allow);
    o_free(allow);
  } else {
    api_problem(&ar, 404, "there is no resource at this path", NULL);
  }
  if (connections_draining()) u_map_put(resp->map_header, "Connection", "close");
  double elapsed = seconds_since(&started);
  metrics_record(api_route_count, ar.status, elapsed);
  log_event(LOG_INFO, ar.request_id, "request",
            json_pack("{s:s, s:i, s:f}", "route", "unmatched", "status", ar.status, "duration_ms", elapsed * 1000.0));
  return U_CALLBACK_COMPLETE;
}

/* Count requests from their first byte to their completion, for graceful shutdown. */
static void *request_started(void *cls, const char *uri) {
  atomic_fetch_add(&in_flight, 1);
  return ulfius_uri_logger(cls, uri);
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                              enum MHD_RequestTerminationCode toe) {
  mhd_request_completed(cls, connection, con_cls, toe);
  connections_request_completed(connection);
  atomic_fetch_sub(&in_flight, 1);
}

/* Sleep in steps until no request is in flight or `seconds` have passed since `since`. */
static void wait_for_requests(const struct timespec *since, double seconds) {
  while (atomic_load(&in_flight) > 0 && seconds_since(since) < seconds) {
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

int server_run(const struct config *cfg, const struct migration_set *set) {
  config = cfg;
  header_request_id_seed();
  migrations = set;
  if (edge_configure(cfg->max_body_bytes) != 0) {
    log_event(LOG_ERROR, NULL, "edge_unavailable", NULL);
    return 1;
  }

  struct sockaddr_in addr4;
  struct sockaddr_in6 addr6;
  memset(&addr4, 0, sizeof addr4);
  memset(&addr6, 0, sizeof addr6);
  void *addr = NULL;
  /* Suspend/resume: a request waiting for a database connection holds no thread (connections.h). */
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
  if (inet_pton(AF_INET, cfg->bind_address, &addr4.sin_addr) == 1) {
    addr4.sin_family = AF_INET;
    addr4.sin_port = htons((uint16_t)cfg->port);
    addr = &addr4;
  } else if (inet_pton(AF_INET6, cfg->bind_address, &addr6.sin6_addr) == 1) {
    addr6.sin6_family = AF_INET6;
    addr6.sin6_port = htons((uint16_t)cfg->port);
    addr = &addr6;
    flags |= MHD_USE_IPv6;
  } else {
    fprintf(stderr, "configuration error: NOABER_BIND must be an IPv4 or IPv6 address\n");
    return 2;
  }

  struct _u_instance instance;
  /* NULL realm: no Basic challenge on our 401s. */
  if (ulfius_init_instance(&instance, (unsigned)cfg->port, NULL, NULL) != U_OK) return 1;
  instance.max_post_body_size = cfg->max_body_bytes + 1; /* one byte more tells us it was cut */
  instance.max_post_param_size = cfg->max_body_bytes;
  instance.check_utf8 = 0; /* it would drop non-UTF-8 values silently; we validate what we read */
  int rc = 1;
  for (size_t i = 0; i < header_every_response_count; i++) {
    if (u_map_put(instance.default_headers, header_every_response[i].name, header_every_response[i].value) != U_OK)
      goto clean;
  }
  for (size_t i = 0; i < api_route_count; i++) {
    if (ulfius_add_endpoint_by_val(&instance, api_routes[i].method, NULL, api_routes[i].path, 0, dispatch,
                                   (void *)(uintptr_t)i) != U_OK)
      goto clean;
  }
  if (ulfius_set_default_endpoint(&instance, not_routed, NULL) != U_OK) goto clean;

  struct MHD_OptionItem options[] = {
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, NULL},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)request_started, NULL},
      {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)connections_notify, NULL},
      {MHD_OPTION_SOCK_ADDR, 0, addr},
      {MHD_OPTION_THREAD_POOL_SIZE, cfg->http_threads, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL},
      {MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout_s, NULL},
      {cfg->per_ip_connection_limit > 0 ? MHD_OPTION_PER_IP_CONNECTION_LIMIT : MHD_OPTION_END,
       cfg->per_ip_connection_limit, NULL},
      {MHD_OPTION_END, 0, NULL},
  };
  /* The signals that stop us are blocked here and in every thread started from now on. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  const struct connection_limits limits = {.header_timeout_s = cfg->header_timeout_s,
                                           .body_timeout_s = cfg->body_timeout_s,
                                           .body_min_rate = cfg->body_min_rate,
                                           .idle_timeout_s = cfg->connection_timeout_s,
                                           .db_wait_ms = cfg->db_pool_wait_ms};
  if (connections_start(&limits) != 0) goto clean;
  if (ulfius_start_framework_with_mhd_options(&instance, flags, options) != U_OK) {
    log_event(LOG_ERROR, NULL, "listen_failed", json_pack("{s:s, s:i}", "bind", cfg->bind_address, "port", cfg->port));
    goto clean;
  }
  log_event(LOG_INFO, NULL, "listening", json_pack("{s:s, s:i}", "bind", cfg->bind_address, "port", cfg->port));

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log_event(LOG_INFO, NULL, "shutdown_started", json_pack("{s:i}", "signal", signal_number));

  /* Refuse new connections at once, so their clients go to another instance: the socket stops
   * listening (shutdown), and is closed only after libmicrohttpd stopped using it. Every answer
   * from now on says Connection: close. */
  connections_drain();
  MHD_socket listener = MHD_quiesce_daemon(instance.mhd_daemon);
  if (listener != MHD_INVALID_SOCKET) (void)shutdown(listener, SHUT_RDWR);
  struct timespec started;
  clock_gettime(CLOCK_MONOTONIC, &started);
  wait_for_requests(&started, cfg->shutdown_grace_s);
  int cancelled = atomic_load(&in_flight);
  if (cancelled > 0) {
    /* The grace is over: cancel what still runs in PostgreSQL, so those requests are answered
     * 503 (or, when they committed already, with their answer) instead of dropped at exit. */
    db_pool_cancel_all();
    connections_give_up_waiting();
    struct timespec cancelled_at;
    clock_gettime(CLOCK_MONOTONIC, &cancelled_at);
    wait_for_requests(&cancelled_at, SHUTDOWN_ANSWER_S);
  }
  int unfinished = atomic_load(&in_flight);
  ulfius_stop_framework(&instance);
  if (listener != MHD_INVALID_SOCKET) close(listener);
  log_event(unfinished ? LOG_WARNING : LOG_INFO, NULL, "shutdown_finished",
            json_pack("{s:i, s:i}", "cancelled", cancelled, "unfinished", unfinished));
  rc = 0;
clean:
  connections_stop();
  ulfius_clean_instance(&instance);
  return rc;
}
