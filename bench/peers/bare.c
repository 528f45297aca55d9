/* bare-peer: the floor for bench/http-bench.sh. Ulfius on a libmicrohttpd epoll thread pool, a
 * pool of libpq connections with prepared statements; no auth, no row-level-security context,
 * no logging, no metrics. It connects as a role that bypasses row-level security.
 *
 *   bare-peer PORT CONNINFO STATEMENTS.json [NAME...]
 *
 * STATEMENTS.json is what `noaber statements` prints; each NAME is prepared on every connection.
 *   GET /row/:id?community=UUID      one help request row (a plain single-row SELECT), as JSON
 *   GET /stmt/:name?p1=..&p2=..      statement NAME with p1..pN as text parameters (absent: NULL);
 *                                    the first column of every row, joined as a JSON array
 *   GET /doc/:name?p1=..             the same, answering the first row's first column (404 if none)
 *   GET /healthz                     200 once listening (the connections are opened before)
 * Env: BARE_THREADS (HTTP worker threads, 8), BARE_POOL (connections, 8). Stops on SIGINT/SIGTERM.
 *
 * BARE_CONTEXT="PERSON_ID ROLES" (optional) turns the peer into "the bare server doing Noaber's
 * database work": it then connects as Noaber's own role (CONNINFO) with Noaber's session options,
 * and sends each statement in one pipeline behind Noaber's context statement and roles check
 * (noaber_context, membership_roles_expected from STATEMENTS.json), for that person in the
 * community of p1 (/row: `community`). What is left between it and Noaber is Noaber's HTTP layer. */
#include <arpa/inet.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ulfius.h>

#define ROW_SQL "SELECT id, status, description, updated_at FROM help_requests WHERE community_id = $1 AND id = $2"
#define MAX_PARAMS 32

struct stmt {
  const char *name, *sql;
  int nparams;
};
static struct stmt *stmts; /* argv[4..] with their SQL */
static int nstmts;
static const char *conninfo;
/* BARE_CONTEXT mode: borrowed from the environment and from STATEMENTS.json; NULL otherwise. */
static const char *context_person, *context_roles, *context_sql, *expect_sql;

static struct {
  PGconn **conns;
  int *busy;
  int size;
  pthread_mutex_t lock;
  pthread_cond_t freed;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER};

/* Connect and prepare everything; NULL on failure (reason on stderr). */
static PGconn *open_conn(void) {
  const char *keys[] = {"dbname", "application_name", "options", NULL};
  /* as the noaber server; in BARE_CONTEXT mode with its plan cache setting too (src/db/db.c) */
  const char *values[] = {conninfo, "bare-peer",
                          context_sql != NULL ? "-c jit=off -c plan_cache_mode=force_generic_plan" : "-c jit=off",
                          NULL};
  PGconn *pg = PQconnectdbParams(keys, values, 1);
  int ok = pg != NULL && PQstatus(pg) == CONNECTION_OK;
  PGresult *res = ok ? PQprepare(pg, "row", ROW_SQL, 0, NULL) : NULL;
  ok = ok && PQresultStatus(res) == PGRES_COMMAND_OK;
  PQclear(res);
  if (ok && context_sql != NULL) {
    res = PQprepare(pg, "context", context_sql, 0, NULL);
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    res = ok ? PQprepare(pg, "expect", expect_sql, 0, NULL) : NULL;
    ok = ok && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
  }
  for (int i = 0; ok && i < nstmts; i++) {
    res = PQprepare(pg, stmts[i].name, stmts[i].sql, 0, NULL);
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    res = ok ? PQdescribePrepared(pg, stmts[i].name) : NULL;
    ok = ok && PQresultStatus(res) == PGRES_COMMAND_OK && PQnparams(res) <= MAX_PARAMS;
    if (ok) stmts[i].nparams = PQnparams(res);
    PQclear(res);
  }
  if (!ok) {
    fprintf(stderr, "bare-peer: connect/prepare failed: %s", pg != NULL ? PQerrorMessage(pg) : "out of memory\n");
    PQfinish(pg);
    return NULL;
  }
  return pg;
}

static int acquire(void) {
  pthread_mutex_lock(&pool.lock);
  int i;
  for (;;) {
    for (i = 0; i < pool.size && pool.busy[i]; i++) {}
    if (i < pool.size) break;
    pthread_cond_wait(&pool.freed, &pool.lock);
  }
  pool.busy[i] = 1;
  pthread_mutex_unlock(&pool.lock);
  if (pool.conns[i] == NULL || PQstatus(pool.conns[i]) != CONNECTION_OK) { /* replace a broken one */
    PQfinish(pool.conns[i]);
    pool.conns[i] = open_conn();
  }
  return i;
}

static void release(int i) {
  pthread_mutex_lock(&pool.lock);
  pool.busy[i] = 0;
  pthread_cond_signal(&pool.freed);
  pthread_mutex_unlock(&pool.lock);
}

static int answer(struct _u_response *resp, unsigned status, const char *body, size_t len) {
  if (ulfius_set_binary_body_response(resp, status, body, len) != U_OK) resp->status = 500;
  u_map_put(resp->map_header, "Content-Type", "application/json");
  return U_CALLBACK_COMPLETE;
}
#define FAIL(resp, status, text) answer(resp, status, "{\"error\":\"" text "\"}", sizeof "{\"error\":\"" text "\"}" - 1)

/* BARE_CONTEXT mode: the context, the roles check and the statement in one pipeline, as Noaber
 * sends a GET (src/db/db.c send_context); the statement's result, or NULL when anything failed. */
static PGresult *run_with_context(PGconn *pg, const char *community, const char *name, int n,
                                  const char *const *params) {
  const char *context_params[3] = {context_person, community != NULL ? community : "", ""};
  const char *expect_params[1] = {context_roles};
  int ok = PQenterPipelineMode(pg) == 1 && PQsendQueryPrepared(pg, "context", 3, context_params, NULL, NULL, 0) == 1 &&
           PQsendQueryPrepared(pg, "expect", 1, expect_params, NULL, NULL, 0) == 1 &&
           PQsendQueryPrepared(pg, name, n, params, NULL, NULL, 0) == 1 && PQpipelineSync(pg) == 1;
  PGresult *last = NULL;
  int results = 0;
  while (ok) {
    PGresult *res = PQgetResult(pg);
    if (res == NULL) {
      if (PQstatus(pg) != CONNECTION_OK) ok = 0;
      continue;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_PIPELINE_SYNC) {
      PQclear(res);
      break;
    }
    if (++results == 3 && last == NULL) {
      last = res; /* an error result too: run() reports it */
    } else {
      if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && last == NULL)
        last = res; /* the first failure */
      else
        PQclear(res);
    }
  }
  if (PQexitPipelineMode(pg) != 1) ok = 0;
  if (!ok) {
    PQclear(last);
    return NULL;
  }
  return last;
}

/* Run a prepared statement on a pooled connection; NULL (and nothing held) on failure. */
static PGresult *run(const char *name, int n, const char *const *params, const char *community) {
  int c = acquire();
  PGresult *res = NULL;
  if (pool.conns[c] != NULL)
    res = context_sql != NULL ? run_with_context(pool.conns[c], community, name, n, params)
                              : PQexecPrepared(pool.conns[c], name, n, params, NULL, NULL, 0);
  release(c);
  if (res != NULL && PQresultStatus(res) != PGRES_TUPLES_OK) {
    fprintf(stderr, "bare-peer: %s: %s", name, PQresultErrorMessage(res));
    PQclear(res);
    res = NULL;
  }
  return res;
}

static int get_row(const struct _u_request *req, struct _u_response *resp, void *unused) {
  (void)unused;
  const char *params[2] = {u_map_get(req->map_url, "community"), u_map_get(req->map_url, "id")};
  if (params[0] == NULL || params[1] == NULL) return FAIL(resp, 400, "community and id needed");
  PGresult *res = run("row", 2, params, params[0]);
  if (res == NULL) return FAIL(resp, 500, "query failed");
  if (PQntuples(res) != 1) {
    PQclear(res);
    return FAIL(resp, 404, "not found");
  }
  json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "id", PQgetvalue(res, 0, 0), "status", PQgetvalue(res, 0, 1),
                          "description", PQgetvalue(res, 0, 2), "updated_at", PQgetvalue(res, 0, 3));
  PQclear(res);
  char *text = row != NULL ? json_dumps(row, JSON_COMPACT) : NULL;
  json_decref(row);
  if (text == NULL) return FAIL(resp, 500, "out of memory");
  answer(resp, 200, text, strlen(text));
  free(text);
  return U_CALLBACK_COMPLETE;
}

/* /stmt/:name (user_data NULL) and /doc/:name (non-NULL). Ulfius's callback type fixes the
 * parameters. */
/* cppcheck-suppress constParameter */
static int get_stmt(const struct _u_request *req, struct _u_response *resp, void *one) {
  const char *name = u_map_get(req->map_url, "name");
  int s = 0;
  while (s < nstmts && (name == NULL || strcmp(stmts[s].name, name) != 0)) s++;
  if (s == nstmts) return FAIL(resp, 404, "no such statement");
  const char *params[MAX_PARAMS];
  for (int i = 0; i < stmts[s].nparams; i++) {
    char key[8]; /* "p1".."p32": our own names, not the client's */
    snprintf(key, sizeof key, "p%d", i + 1);
    params[i] = u_map_get(req->map_url, key);
  }
  PGresult *res = run(stmts[s].name, stmts[s].nparams, params, stmts[s].nparams > 0 ? params[0] : NULL);
  if (res == NULL) return FAIL(resp, 500, "query failed");
  int rows = PQntuples(res);
  if (one != NULL) {
    if (rows < 1 || PQgetisnull(res, 0, 0))
      FAIL(resp, 404, "not found");
    else
      answer(resp, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    PQclear(res);
    return U_CALLBACK_COMPLETE;
  }
  size_t len = 2; /* "[" ... "]", a comma between rows, "null" for NULL */
  for (int r = 0; r < rows; r++) len += (PQgetisnull(res, r, 0) ? 4 : (size_t)PQgetlength(res, r, 0)) + 1;
  char *body = malloc(len), *p = body;
  if (body == NULL) {
    PQclear(res);
    return FAIL(resp, 500, "out of memory");
  }
  *p++ = '[';
  for (int r = 0; r < rows; r++) {
    if (r > 0) *p++ = ',';
    size_t n = PQgetisnull(res, r, 0) ? 4 : (size_t)PQgetlength(res, r, 0);
    memcpy(p, PQgetisnull(res, r, 0) ? "null" : PQgetvalue(res, r, 0), n);
    p += n;
  }
  *p++ = ']';
  PQclear(res);
  answer(resp, 200, body, (size_t)(p - body));
  free(body);
  return U_CALLBACK_COMPLETE;
}

static int healthz(const struct _u_request *req, struct _u_response *resp, void *unused) {
  (void)req, (void)unused;
  return answer(resp, 200, "{}", 2);
}

static int not_found(const struct _u_request *req, struct _u_response *resp, void *unused) {
  (void)req, (void)unused;
  return FAIL(resp, 404, "no such route");
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s PORT CONNINFO STATEMENTS.json [NAME...]\n", argv[0]);
    return 2;
  }
  long port = strtol(argv[1], NULL, 10);
  int threads = getenv("BARE_THREADS") ? atoi(getenv("BARE_THREADS")) : 8;
  pool.size = getenv("BARE_POOL") ? atoi(getenv("BARE_POOL")) : 8;
  if (port < 1 || port > 65535 || threads < 1 || threads > 256 || pool.size < 1 || pool.size > 256) {
    fprintf(stderr, "bare-peer: bad PORT, BARE_THREADS or BARE_POOL\n");
    return 2;
  }
  conninfo = argv[2];
  json_error_t jerr;
  json_t *all = json_load_file(argv[3], JSON_REJECT_DUPLICATES, &jerr);
  nstmts = argc - 4;
  stmts = calloc((size_t)nstmts + 1, sizeof *stmts);
  pool.conns = calloc((size_t)pool.size, sizeof *pool.conns);
  pool.busy = calloc((size_t)pool.size, sizeof *pool.busy);
  if (!json_is_object(all) || stmts == NULL || pool.conns == NULL || pool.busy == NULL) {
    fprintf(stderr, "bare-peer: cannot read %s (%s) or out of memory\n", argv[3], jerr.text);
    return 1;
  }
  const char *context = getenv("BARE_CONTEXT");
  static char person[37];
  if (context != NULL && *context != '\0') {
    if (sscanf(context, "%36s", person) != 1 || strchr(context, ' ') == NULL) {
      fprintf(stderr, "bare-peer: BARE_CONTEXT must be \"PERSON_ID ROLES\"\n");
      return 2;
    }
    context_person = person;
    context_roles = strchr(context, ' ') + 1;
    context_sql = json_string_value(json_object_get(all, "noaber_context"));
    expect_sql = json_string_value(json_object_get(all, "membership_roles_expected"));
    if (context_sql == NULL || expect_sql == NULL) {
      fprintf(stderr, "bare-peer: BARE_CONTEXT needs noaber_context and membership_roles_expected in %s\n", argv[3]);
      return 1;
    }
  }
  for (int i = 0; i < nstmts; i++) {
    stmts[i].name = argv[4 + i];
    stmts[i].sql = json_string_value(json_object_get(all, argv[4 + i])); /* `all` lives until exit */
    if (stmts[i].sql == NULL) {
      fprintf(stderr, "bare-peer: no statement %s in %s\n", argv[4 + i], argv[3]);
      return 1;
    }
  }
  for (int i = 0; i < pool.size; i++)
    if ((pool.conns[i] = open_conn()) == NULL) return 1;

  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr); /* loopback only */
  struct _u_instance inst;
  if (ulfius_init_instance(&inst, (unsigned)port, NULL, NULL) != U_OK) return 1;
  int ok = ulfius_add_endpoint_by_val(&inst, "GET", NULL, "/row/:id", 0, get_row, NULL) == U_OK &&
           ulfius_add_endpoint_by_val(&inst, "GET", NULL, "/stmt/:name", 0, get_stmt, NULL) == U_OK &&
           ulfius_add_endpoint_by_val(&inst, "GET", NULL, "/doc/:name", 0, get_stmt, &inst) == U_OK &&
           ulfius_add_endpoint_by_val(&inst, "GET", NULL, "/healthz", 0, healthz, NULL) == U_OK &&
           ulfius_set_default_endpoint(&inst, not_found, NULL) == U_OK;
  struct MHD_OptionItem ops[] = {
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
      {MHD_OPTION_SOCK_ADDR, 0, &addr},
      {MHD_OPTION_THREAD_POOL_SIZE, threads, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, 1024, NULL},
      {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL},
      {MHD_OPTION_END, 0, NULL},
  };
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL); /* inherited by the worker threads */
  signal(SIGPIPE, SIG_IGN);
  ok = ok &&
       ulfius_start_framework_with_mhd_options(&inst, MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, ops) == U_OK;
  if (ok) {
    fprintf(stderr, "bare-peer: listening on 127.0.0.1:%ld, %d threads, %d connections%s\n", port, threads, pool.size,
            context_sql != NULL ? ", with Noaber's context" : "");
    int sig;
    sigwait(&stop, &sig);
    ulfius_stop_framework(&inst);
  } else {
    fprintf(stderr, "bare-peer: cannot start on port %ld\n", port);
  }
  ulfius_clean_instance(&inst);
  for (int i = 0; i < pool.size; i++) PQfinish(pool.conns[i]);
  json_decref(all);
  free(stmts), free(pool.conns), free(pool.busy);
  return ok ? 0 : 1;
}
