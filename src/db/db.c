/* Connection pool, prepared statements and request context. */
#include "db.h"

#include <errno.h>
#include <orcania.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../support/log.h"

#define CONTEXT_STATEMENT "noaber_context"
#define LOOKUP_STATEMENT "noaber_lookup"
#define MEMBER_SCOPE_STATEMENT "noaber_member_scope"
#define SESSION_STATEMENT "noaber_session"

static const struct db_statement builtin_statements[] = {
    {CONTEXT_STATEMENT,
     "SELECT set_config('app.person_id', $1, true), set_config('app.community_id', $2, true), "
     "set_config('app.roles', $3, true)"},
    {LOOKUP_STATEMENT, "SELECT set_config('app.lookup_' || $1, $2, true)"},
    /* A person without a community (the /v1/me routes) reads their own communities: a statement
     * of its own, after the one that set app.person_id (sql/migrations/0006). */
    {MEMBER_SCOPE_STATEMENT, "SELECT app_enter_member_scope()"},
    /* The request's session must be live: fails with NB002 otherwise (sql/functions/auth.sql).
     * A statement of its own after the context, as the member scope, for the same reason. */
    {SESSION_STATEMENT, "SELECT app_require_session($1)"},
};
#define BUILTIN_COUNT (sizeof builtin_statements / sizeof builtin_statements[0])

struct db_conn {
  PGconn *pg; /* NULL until connected; closed and reset to NULL when broken */
  /* What db_pool_cancel_all() uses to cancel pg's running statement, from another thread: owned,
   * replaced and read only under pool.lock (conn_attach). NULL while pg is. */
  PGcancel *cancel;
  int busy;
  /* Set by db_acquire() on a connection that served earlier requests: if its first round trip
   * finds it broken, it is replaced and the round trip sent again, once. */
  int may_retry;
  int commit_pending; /* a read-only transaction's COMMIT was sent, its result not yet read */
  /* db_begin_deferred(): BEGIN and this context go out with the first statement. Owned copies. */
  int begin_pending;
  char *pending_person, *pending_community, *pending_roles, *pending_session;
  char *request_id; /* owned copy of the context's request id, for log lines; NULL when none */
  /* db_reads_start(): every statement runs in a transaction of its own, pipelined behind the
   * context (the pending_* strings), until something needs a real transaction. */
  int reads;
  /* db_expect(): sent before the next statement. `expect_value` owned; the statement borrowed. */
  const char *expect_statement;
  char *expect_value;
  enum db_status expect_status; /* DB_OK until checked and found wrong (DB_STALE) or failed */
  int session_ended;            /* the context's session was found ended: nothing more runs */
};

static struct {
  pthread_mutex_t lock;
  pthread_cond_t freed;
  struct db_conn *slots; /* owned, `size` entries */
  int size;
  int in_use;
  int waiting;
  int wait_ms;
  char *conninfo;                         /* owned */
  char *options;                          /* owned: server options passed at connect */
  const struct db_statement **statements; /* owned array of borrowed statements */
  size_t statement_count;
  void (*on_release)(void); /* db_pool_on_release(), or NULL */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER};

/* Set by db_pool_cancel_all() at shutdown: nothing new is sent to PostgreSQL after it. */
static atomic_int cancelling;

static _Thread_local int wait_limit_ms = -1;        /* db_reserve()'s wait, -1: the pool's */
static _Thread_local struct db_conn *reserved_conn; /* db_reserve(): for this thread's next acquire */

int db_register_statements(const struct db_statement *statements, size_t count) {
  const struct db_statement **grown = o_realloc(pool.statements, (pool.statement_count + count) * sizeof *grown);
  if (grown == NULL) return -1;
  pool.statements = grown;
  for (size_t i = 0; i < count; i++) pool.statements[pool.statement_count++] = &statements[i];
  return 0;
}

/* For `noaber statements` (bench/http-bench.sh): the built-in statements, then the registered. */
size_t db_statement_count(void) { return BUILTIN_COUNT + pool.statement_count; }

const struct db_statement *db_statement_at(size_t i) {
  if (i < BUILTIN_COUNT) return &builtin_statements[i];
  return i - BUILTIN_COUNT < pool.statement_count ? pool.statements[i - BUILTIN_COUNT] : NULL;
}

/* `conn` may be NULL (preparing statements serves no request). */
static void log_pg_error(const struct db_conn *conn, const char *what, const PGresult *res, PGconn *pg) {
  const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *message = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (message == NULL && pg != NULL) message = PQerrorMessage(pg);
  /* The primary message names objects and constraints, never parameter values. */
  log_event(LOG_ERROR, conn != NULL ? conn->request_id : NULL, "db_error",
            json_pack("{s:s, s:s?, s:s?}", "what", what, "sqlstate", state, "message", message));
}

static enum db_status classify(const PGresult *res, PGconn *pg) {
  if (pg == NULL || PQstatus(pg) != CONNECTION_OK) return DB_DOWN;
  const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  if (state == NULL) return DB_DOWN;
  if (strcmp(state, "NB001") == 0) return DB_STALE;         /* app_expect_roles(), sql/migrations/0008 */
  if (strcmp(state, "NB002") == 0) return DB_SESSION_ENDED; /* app_require_session(), sql/functions/auth.sql */
  if (strcmp(state, "23505") == 0) return DB_UNIQUE;
  if (strcmp(state, "23503") == 0) return DB_FOREIGN_KEY;
  if (strncmp(state, "23", 2) == 0) return DB_CONSTRAINT;
  /* query_canceled (statement_timeout, or PQcancel at shutdown), lock_not_available */
  if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0) return DB_TIMEOUT;
  /* connection exceptions, admin shutdown, crash shutdown, cannot connect now */
  if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
      strcmp(state, "57P03") == 0)
    return DB_DOWN;
  return DB_ERROR;
}

/* Prepare every registered statement in one pipeline: one round trip per connection. */
static int prepare_all(PGconn *pg) {
  if (PQenterPipelineMode(pg) != 1) return -1;
  size_t total = BUILTIN_COUNT + pool.statement_count;
  int ok = 1;
  for (size_t i = 0; i < total && ok; i++) {
    const struct db_statement *st = i < BUILTIN_COUNT ? &builtin_statements[i] : pool.statements[i - BUILTIN_COUNT];
    ok = PQsendPrepare(pg, st->name, st->sql, 0, NULL) == 1;
  }
  if (!ok || PQpipelineSync(pg) != 1) return -1;
  int failed = 0;
  size_t done = 0;
  while (done < total) {
    PGresult *res = PQgetResult(pg);
    if (res == NULL) {
      done++;
      continue;
    }
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      if (!failed) log_pg_error(NULL, "prepare", res, pg);
      failed = 1;
    }
    PQclear(res);
  }
  /* Errors abort the rest of the pipeline; read until the sync in every case. */
  for (;;) {
    if (PQstatus(pg) != CONNECTION_OK) return -1;
    PGresult *res = PQgetResult(pg);
    if (res == NULL) continue;
    ExecStatusType st = PQresultStatus(res);
    PQclear(res);
    if (st == PGRES_PIPELINE_SYNC) break;
  }
  if (PQexitPipelineMode(pg) != 1) return -1;
  return failed ? -1 : 0;
}

static PGconn *connect_pg(const char *conninfo, const char *options) {
  /* Over TCP, a PostgreSQL host that vanishes without closing its end (a network split, a
   * frozen machine) is noticed within seconds, not after TCP's own quarter of an hour: unsent
   * data may wait 10 s for an acknowledgement, an idle connection is probed after 30 s. Ignored
   * over a unix socket. Given before dbname, so a URL that sets them wins. */
  const char *keys[] = {"tcp_user_timeout", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "dbname",          "application_name",
                        "connect_timeout",  "options",         NULL};
  const char *values[] = {"10000", "30", "10", "3", conninfo, "noaber", "3", options, NULL};
  /* expand_dbname=1: the URL in dbname supplies everything the later keywords do not. */
  PGconn *pg = PQconnectdbParams(keys, values, 1);
  if (pg == NULL) return NULL;
  if (PQstatus(pg) != CONNECTION_OK) {
    log_event(LOG_WARNING, NULL, "db_connect_failed", json_pack("{s:s}", "message", PQerrorMessage(pg)));
    PQfinish(pg);
    return NULL;
  }
  return pg;
}

PGconn *db_connect_direct(const char *conninfo) { return connect_pg(conninfo, NULL); }

/* Give conn a new PostgreSQL connection (NULL: none), closing the old one. The cancel handle is
 * swapped under the pool's lock, so db_pool_cancel_all() never uses one being freed. */
static void conn_attach(struct db_conn *conn, PGconn *pg) {
  PGcancel *cancel = pg != NULL ? PQgetCancel(pg) : NULL; /* NULL out of memory: not cancellable */
  pthread_mutex_lock(&pool.lock);
  PGcancel *old_cancel = conn->cancel;
  conn->cancel = cancel;
  pthread_mutex_unlock(&pool.lock);
  PQfreeCancel(old_cancel);
  if (conn->pg != NULL) PQfinish(conn->pg);
  conn->pg = pg;
}

static void conn_close(struct db_conn *conn) { conn_attach(conn, NULL); }

/* Connect conn and prepare every statement on it. 0, or -1 with conn left unconnected. */
static int conn_open(struct db_conn *conn) {
  PGconn *pg = connect_pg(pool.conninfo, pool.options);
  if (pg != NULL && prepare_all(pg) != 0) {
    PQfinish(pg);
    pg = NULL;
  }
  conn_attach(conn, pg);
  return pg != NULL ? 0 : -1;
}

/* Whether an idle connection was closed by PostgreSQL while it sat in the pool (a restart, an
 * administrator's pg_terminate_backend): the server then sends an error and closes its end, so
 * the socket is readable. An idle connection has nothing else to read: any input means it
 * cannot be trusted, and replacing it costs one connect. */
static int went_stale(PGconn *pg) {
  if (PQstatus(pg) != CONNECTION_OK) return 1;
  struct pollfd watch = {.fd = PQsocket(pg), .events = POLLIN};
  if (watch.fd < 0) return 1;
  return poll(&watch, 1, 0) != 0; /* readable, hung up, or poll itself failed */
}

int db_pool_start(const char *conninfo, int size, int wait_ms, int statement_timeout_ms) {
  if (conninfo == NULL || size < 1 || wait_ms < 1) return -1;
  pool.slots = o_malloc((size_t)size * sizeof *pool.slots);
  pool.conninfo = o_strdup(conninfo);
  /* jit=off: short OLTP queries; a high cost estimate would otherwise spend ~1 s compiling.
   * force_generic_plan: every statement is planned once per connection. The custom plans that
   * PostgreSQL otherwise makes for the first executions (and keeps making when it guesses them
   * cheaper) cost more to plan than the document queries cost to run; the statements are written
   * so their generic plans are index-driven (tests/plans checks them). */
  pool.options = msprintf(
      "-c statement_timeout=%d -c idle_in_transaction_session_timeout=%d -c jit=off "
      "-c plan_cache_mode=force_generic_plan",
      statement_timeout_ms, statement_timeout_ms * 2);
  if (pool.slots == NULL || pool.conninfo == NULL || pool.options == NULL) {
    db_pool_stop();
    return -1;
  }
  memset(pool.slots, 0, (size_t)size * sizeof *pool.slots);
  pool.size = size;
  pool.wait_ms = wait_ms;
  return 0;
}

void db_pool_stop(void) {
  pthread_mutex_lock(&pool.lock);
  for (int i = 0; i < pool.size; i++) {
    if (pool.slots[i].pg != NULL) PQfinish(pool.slots[i].pg);
    PQfreeCancel(pool.slots[i].cancel);
  }
  o_free(pool.slots);
  o_free(pool.conninfo);
  o_free(pool.options);
  o_free(pool.statements);
  pool.slots = NULL;
  pool.conninfo = NULL;
  pool.options = NULL;
  pool.statements = NULL;
  pool.statement_count = 0;
  pool.size = 0;
  pthread_mutex_unlock(&pool.lock);
}

void db_pool_stats(int *size, int *in_use, int *waiting) {
  pthread_mutex_lock(&pool.lock);
  *size = pool.size;
  *in_use = pool.in_use;
  *waiting = pool.waiting;
  pthread_mutex_unlock(&pool.lock);
}

/* Forget a db_expect() prediction that was not sent. */
static void clear_expectation(struct db_conn *conn) {
  conn->expect_statement = NULL;
  o_free(conn->expect_value);
  conn->expect_value = NULL;
}

/* Forget a deferred BEGIN (db_begin_deferred) or reads (db_begin_reads), with their context. */
static void clear_pending_begin(struct db_conn *conn) {
  conn->begin_pending = 0;
  conn->reads = 0;
  clear_expectation(conn);
  o_free(conn->pending_person);
  o_free(conn->pending_community);
  o_free(conn->pending_roles);
  o_free(conn->pending_session);
  conn->pending_person = conn->pending_community = conn->pending_roles = conn->pending_session = NULL;
}

/* Read the result of a COMMIT sent by db_commit_read_only(). Returns 0, or -1 after closing a
 * connection that broke meanwhile (the caller connects anew). */
static int read_pending_commit(struct db_conn *conn) {
  if (!conn->commit_pending) return 0;
  conn->commit_pending = 0;
  int ok = 1;
  PGresult *res;
  while ((res = PQgetResult(conn->pg)) != NULL) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK) ok = 0;
    PQclear(res);
  }
  if (ok && PQstatus(conn->pg) == CONNECTION_OK && PQtransactionStatus(conn->pg) == PQTRANS_IDLE) return 0;
  conn_close(conn);
  return -1;
}

enum db_status db_acquire(struct db_conn **out) {
  *out = reserved_conn;
  if (reserved_conn != NULL) {
    reserved_conn = NULL;
    return DB_OK;
  }
  int wait_ms = wait_limit_ms >= 0 && wait_limit_ms < pool.wait_ms ? wait_limit_ms : pool.wait_ms;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += wait_ms / 1000;
  deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }

  struct db_conn *conn = NULL;
  pthread_mutex_lock(&pool.lock);
  if (atomic_load(&cancelling)) {
    pthread_mutex_unlock(&pool.lock);
    return DB_BUSY;
  }
  pool.waiting++;
  while (conn == NULL) {
    /* Prefer a connected slot; an unconnected one is the fallback. */
    for (int i = 0; i < pool.size; i++) {
      if (!pool.slots[i].busy && (conn == NULL || (conn->pg == NULL && pool.slots[i].pg != NULL)))
        conn = &pool.slots[i];
    }
    if (conn != NULL) break;
    if (pthread_cond_timedwait(&pool.freed, &pool.lock, &deadline) == ETIMEDOUT) break;
  }
  pool.waiting--;
  if (conn == NULL) {
    pthread_mutex_unlock(&pool.lock);
    return DB_BUSY;
  }
  conn->busy = 1;
  pool.in_use++;
  pthread_mutex_unlock(&pool.lock);

  /* Connect outside the lock: it can take a while and must not block other threads. */
  if (conn->pg != NULL) read_pending_commit(conn);
  if (conn->pg != NULL && went_stale(conn->pg)) {
    log_event(LOG_INFO, NULL, "db_connection_replaced", json_pack("{s:s}", "why", "closed while idle"));
    conn_close(conn);
  }
  conn->may_retry = conn->pg != NULL;
  if (conn->pg == NULL && conn_open(conn) != 0) {
    db_release(conn);
    return DB_DOWN;
  }
  *out = conn;
  return DB_OK;
}

/* Keep the request id of a context for the log lines; a context without one keeps the last. Out
 * of memory, the lines go without it. */
static void remember_request(struct db_conn *conn, const struct db_context *ctx) {
  if (ctx->request_id == NULL || ctx->request_id == conn->request_id) return;
  o_free(conn->request_id);
  conn->request_id = o_strdup(ctx->request_id);
}

void db_release(struct db_conn *conn) {
  if (conn == NULL) return;
  clear_pending_begin(conn); /* a deferred BEGIN that never went out: nothing to undo */
  o_free(conn->request_id);
  conn->request_id = NULL;
  conn->expect_status = DB_OK;
  conn->session_ended = 0;
  if (conn->pg != NULL && !conn->commit_pending) {
    PGTransactionStatusType ts = PQtransactionStatus(conn->pg);
    if (PQstatus(conn->pg) != CONNECTION_OK || ts == PQTRANS_ACTIVE || ts == PQTRANS_UNKNOWN) {
      conn_close(conn);
    } else if (ts != PQTRANS_IDLE) {
      db_rollback(conn);
      if (conn->pg != NULL && PQtransactionStatus(conn->pg) != PQTRANS_IDLE) conn_close(conn);
    }
  }
  conn->may_retry = 0;
  pthread_mutex_lock(&pool.lock);
  conn->busy = 0;
  pool.in_use--;
  pthread_cond_signal(&pool.freed);
  void (*hook)(void) = pool.on_release;
  pthread_mutex_unlock(&pool.lock);
  if (hook != NULL) hook();
}

enum db_status db_reserve(int wait_ms) {
  if (reserved_conn != NULL) return DB_OK;
  wait_limit_ms = wait_ms;
  struct db_conn *conn = NULL;
  enum db_status status = db_acquire(&conn);
  wait_limit_ms = -1;
  if (status == DB_OK) reserved_conn = conn;
  return status;
}

void db_unreserve(void) {
  struct db_conn *conn = reserved_conn;
  reserved_conn = NULL;
  db_release(conn); /* NULL: nothing */
}

void db_pool_on_release(void (*hook)(void)) {
  pthread_mutex_lock(&pool.lock);
  pool.on_release = hook;
  pthread_mutex_unlock(&pool.lock);
}

int db_pool_free_count(void) {
  pthread_mutex_lock(&pool.lock);
  int free_now = atomic_load(&cancelling) || pool.waiting > 0 ? 0 : pool.size - pool.in_use;
  pthread_mutex_unlock(&pool.lock);
  return free_now;
}

void db_pool_cancel_all(void) {
  atomic_store(&cancelling, 1);
  pthread_mutex_lock(&pool.lock);
  int cancelled = 0;
  for (int i = 0; i < pool.size; i++) {
    if (!pool.slots[i].busy || pool.slots[i].cancel == NULL) continue;
    char reason[256];
    if (PQcancel(pool.slots[i].cancel, reason, sizeof reason) == 1) cancelled++;
  }
  pthread_mutex_unlock(&pool.lock);
  log_event(LOG_WARNING, NULL, "db_statements_cancelled", json_pack("{s:i}", "connections", cancelled));
}

/* Run BEGIN (when `begin`), the context statement, the session check (a context with a session),
 * the member scope (a person without a community), a db_expect() statement not yet sent and an
 * optional first statement in one pipeline: one round trip. Without BEGIN and outside a transaction (db_reads_start) the
 * pipeline is a transaction of its own, committed at its sync. */
static enum db_status send_context_once(struct db_conn *conn, const struct db_context *ctx, int begin,
                                        const char *first_statement, int nparams, const char *const *first_params,
                                        PGresult **first_result, int last_attempt) {
  PGconn *pg = conn->pg;
  const char *params[3] = {ctx->person_id ? ctx->person_id : "", ctx->community_id ? ctx->community_id : "",
                           ctx->roles ? ctx->roles : ""};
  if (PQenterPipelineMode(pg) != 1) return classify(NULL, pg);
  int ok = 1;
  int expected = 0;
  const char *sent[6]; /* the name of each statement in the pipeline, for the log */
  if (begin) {
    ok = PQsendQueryParams(pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1;
    sent[expected++] = "BEGIN";
  }
  ok = ok && PQsendQueryPrepared(pg, CONTEXT_STATEMENT, 3, params, NULL, NULL, 0) == 1;
  sent[expected++] = CONTEXT_STATEMENT;
  if (ctx->session_id != NULL) {
    ok = ok && PQsendQueryPrepared(pg, SESSION_STATEMENT, 1, &ctx->session_id, NULL, NULL, 0) == 1;
    sent[expected++] = SESSION_STATEMENT;
  }
  if (ctx->person_id != NULL && ctx->community_id == NULL) {
    ok = ok && PQsendQueryPrepared(pg, MEMBER_SCOPE_STATEMENT, 0, NULL, NULL, NULL, 0) == 1;
    sent[expected++] = MEMBER_SCOPE_STATEMENT;
  }
  int expect_at = 0;                       /* the position of the expectation's result, 0 when none */
  enum db_status expect_status = DB_ERROR; /* until its result arrives */
  if (conn->expect_statement != NULL) {
    const char *expect_params[1] = {conn->expect_value};
    ok = ok && PQsendQueryPrepared(pg, conn->expect_statement, 1, expect_params, NULL, NULL, 0) == 1;
    sent[expected] = conn->expect_statement;
    expect_at = ++expected;
  }
  if (first_statement != NULL) {
    ok = ok && PQsendQueryPrepared(pg, first_statement, nparams, first_params, NULL, NULL, 0) == 1;
    sent[expected++] = first_statement;
  }
  ok = ok && PQpipelineSync(pg) == 1;
  enum db_status status = ok ? DB_OK : DB_DOWN;
  int results = 0;
  while (ok) {
    PGresult *res = PQgetResult(pg);
    if (res == NULL) {
      if (PQstatus(pg) != CONNECTION_OK) {
        status = DB_DOWN;
        break;
      }
      continue;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_PIPELINE_SYNC) {
      PQclear(res);
      break;
    }
    results++;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && status == DB_OK) {
      status = classify(res, pg);
      if (status == DB_ERROR || status == DB_CONSTRAINT || status == DB_FOREIGN_KEY || status == DB_TIMEOUT)
        log_pg_error(conn, results <= expected ? sent[results - 1] : "pipeline", res, pg);
    }
    /* A wrong assumption (DB_STALE) failed the expectation and aborted what came after it. */
    if (results == expect_at) expect_status = status;
    if (first_statement != NULL && results == expected && status == DB_OK) {
      *first_result = res; /* the caller's now */
    } else {
      PQclear(res);
    }
  }
  if (status == DB_OK && results != expected) status = DB_ERROR;
  if (status == DB_DOWN && !last_attempt) return status; /* sent again: the expectation stays pending */
  if (status == DB_SESSION_ENDED) conn->session_ended = 1;
  if (expect_at != 0) {
    conn->expect_status = expect_status;
    clear_expectation(conn); /* checked once */
  }
  if (status != DB_OK && first_result != NULL && *first_result != NULL) {
    PQclear(*first_result);
    *first_result = NULL;
  }
  if (PQexitPipelineMode(pg) != 1 && status == DB_OK) status = DB_ERROR;
  return status;
}

/* send_context_once(), sent again on a new connection when the first round trip of a reused
 * connection finds it broken (db_acquire). */
static enum db_status send_context(struct db_conn *conn, const struct db_context *ctx, int begin,
                                   const char *first_statement, int nparams, const char *const *first_params,
                                   PGresult **first_result) {
  if (atomic_load(&cancelling)) return DB_TIMEOUT;
  int may_retry = conn->may_retry;
  conn->may_retry = 0;
  enum db_status status =
      send_context_once(conn, ctx, begin, first_statement, nparams, first_params, first_result, !may_retry);
  if (status != DB_DOWN || !may_retry) return status;
  log_event(LOG_INFO, conn->request_id, "db_connection_replaced", json_pack("{s:s}", "why", "broken on first use"));
  if (conn_open(conn) != 0) return DB_DOWN;
  return send_context_once(conn, ctx, begin, first_statement, nparams, first_params, first_result, 1);
}

enum db_status db_begin(struct db_conn *conn, const struct db_context *ctx, const char *first_statement,
                        PGresult **first_result) {
  if (first_result != NULL) *first_result = NULL;
  clear_pending_begin(conn); /* an explicit transaction replaces a deferred one or reads */
  conn->session_ended = 0;   /* a new context: an ended session was the old one's */
  remember_request(conn, ctx);
  return send_context(conn, ctx, 1, first_statement, 0, NULL, first_result);
}

/* Keep owned copies of the context for a deferred BEGIN or for reads. */
static enum db_status keep_context(struct db_conn *conn, const struct db_context *ctx) {
  clear_pending_begin(conn);
  conn->session_ended = 0; /* a new context: an ended session was the old one's */
  remember_request(conn, ctx);
  conn->pending_person = ctx->person_id != NULL ? o_strdup(ctx->person_id) : NULL;
  conn->pending_community = ctx->community_id != NULL ? o_strdup(ctx->community_id) : NULL;
  conn->pending_roles = ctx->roles != NULL ? o_strdup(ctx->roles) : NULL;
  conn->pending_session = ctx->session_id != NULL ? o_strdup(ctx->session_id) : NULL;
  if ((ctx->person_id != NULL && conn->pending_person == NULL) ||
      (ctx->community_id != NULL && conn->pending_community == NULL) ||
      (ctx->roles != NULL && conn->pending_roles == NULL) ||
      (ctx->session_id != NULL && conn->pending_session == NULL)) {
    clear_pending_begin(conn);
    return DB_ERROR;
  }
  return DB_OK;
}

enum db_status db_begin_deferred(struct db_conn *conn, const struct db_context *ctx) {
  enum db_status status = keep_context(conn, ctx);
  if (status == DB_OK) conn->begin_pending = 1;
  return status;
}

enum db_status db_begin_reads(struct db_conn *conn, const struct db_context *ctx) {
  enum db_status status = keep_context(conn, ctx);
  if (status == DB_OK) conn->reads = 1;
  return status;
}

/* The context the pending_* strings hold. */
static struct db_context kept_context(const struct db_conn *conn) {
  return (struct db_context){conn->pending_person, conn->pending_community, conn->pending_roles, conn->pending_session,
                             conn->request_id};
}

/* Reads that need more than one statement's transaction (a lookup, a new context) become a
 * deferred transaction with the same context. */
static void reads_to_transaction(struct db_conn *conn) {
  if (!conn->reads) return;
  conn->reads = 0;
  conn->begin_pending = 1;
}

enum db_status db_expect(struct db_conn *conn, const char *statement, const char *expected) {
  if (!(conn->begin_pending || conn->reads) || statement == NULL || expected == NULL) return DB_ERROR;
  char *copy = o_strdup(expected);
  if (copy == NULL) return DB_ERROR;
  o_free(conn->expect_value);
  conn->expect_value = copy;
  conn->expect_statement = statement;
  return DB_OK;
}

/* Send a deferred BEGIN and context, with `statement` (optional) in the same round trip. */
static enum db_status flush_pending_begin(struct db_conn *conn, const char *statement, int nparams,
                                          const char *const *params, PGresult **result) {
  struct db_context ctx = kept_context(conn);
  enum db_status status = send_context(conn, &ctx, 1, statement, nparams, params, result);
  clear_pending_begin(conn);
  return status;
}

enum db_status db_expect_check(struct db_conn *conn) {
  if (conn->expect_statement != NULL) {
    struct db_context ctx = kept_context(conn);
    enum db_status status = conn->begin_pending ? flush_pending_begin(conn, NULL, 0, NULL, NULL)
                                                : send_context(conn, &ctx, 0, NULL, 0, NULL, NULL);
    if (status != DB_OK && status != DB_STALE) return status;
  }
  return conn->expect_status;
}

enum db_status db_set_context(struct db_conn *conn, const struct db_context *ctx) {
  remember_request(conn, ctx);
  reads_to_transaction(conn);
  if (conn->begin_pending) {
    enum db_status status = flush_pending_begin(conn, NULL, 0, NULL, NULL);
    if (status != DB_OK) return status;
  }
  return send_context(conn, ctx, 0, NULL, 0, NULL, NULL);
}

enum db_status db_set_lookup(struct db_conn *conn, const char *name, const char *value) {
  reads_to_transaction(conn); /* the setting must last until the statement that reads it */
  const char *params[2] = {name, value};
  return db_exec(conn, LOOKUP_STATEMENT, 2, params);
}

static enum db_status simple_command(struct db_conn *conn, const char *sql) {
  PGresult *res = PQexecParams(conn->pg, sql, 0, NULL, NULL, NULL, NULL, 0);
  enum db_status status = DB_OK;
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    status = classify(res, conn->pg);
    if (status != DB_DOWN) log_pg_error(conn, sql, res, conn->pg);
  }
  PQclear(res);
  return status;
}

enum db_status db_commit(struct db_conn *conn) {
  if (conn->begin_pending || conn->reads) { /* nothing is open: nothing to commit */
    clear_pending_begin(conn);
    return DB_OK;
  }
  PGresult *res = PQexecParams(conn->pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
  enum db_status status = DB_OK;
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    status = classify(res, conn->pg);
    if (status != DB_DOWN) log_pg_error(conn, "COMMIT", res, conn->pg);
  } else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
    /* COMMIT of a failed transaction succeeds as a ROLLBACK: nothing was saved. */
    status = DB_ERROR;
  }
  PQclear(res);
  return status;
}

void db_commit_read_only(struct db_conn *conn) {
  if (conn == NULL || conn->pg == NULL) return;
  if (PQtransactionStatus(conn->pg) == PQTRANS_INTRANS &&
      PQsendQueryParams(conn->pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) == 1) {
    conn->commit_pending = 1;
  }
  db_release(conn); /* rolls back instead when the COMMIT could not be sent */
}

void db_rollback(struct db_conn *conn) {
  if (conn->pg == NULL || PQtransactionStatus(conn->pg) == PQTRANS_IDLE) return;
  if (simple_command(conn, "ROLLBACK") == DB_DOWN) conn_close(conn);
}

enum db_status db_transaction_start(struct db_conn **out, const struct db_context *ctx, const char *first_statement,
                                    PGresult **first_result) {
  enum db_status status = db_acquire(out);
  if (status != DB_OK) return status;
  status = first_statement != NULL ? db_begin(*out, ctx, first_statement, first_result) : db_begin_deferred(*out, ctx);
  if (status != DB_OK) {
    db_release(*out);
    *out = NULL;
  }
  return status;
}

enum db_status db_reads_start(struct db_conn **out, const struct db_context *ctx) {
  enum db_status status = db_acquire(out);
  if (status != DB_OK) return status;
  status = db_begin_reads(*out, ctx);
  if (status != DB_OK) {
    db_release(*out);
    *out = NULL;
  }
  return status;
}

enum db_status db_transaction_end(struct db_conn *conn, int commit) {
  if (conn == NULL) return DB_OK;
  enum db_status status = DB_OK;
  if (commit) status = db_commit(conn);
  db_release(conn); /* rolls back whatever is still open */
  return status;
}

enum db_status db_query(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                        PGresult **out) {
  *out = NULL;
  if (conn->expect_status == DB_STALE) return DB_STALE; /* nothing more on a wrong assumption */
  if (conn->session_ended) return DB_SESSION_ENDED;     /* nor for a session that has ended */
  if (conn->begin_pending) return flush_pending_begin(conn, statement, nparams, params, out);
  if (conn->reads) {
    struct db_context ctx = kept_context(conn);
    enum db_status status = send_context(conn, &ctx, 0, statement, nparams, params, out);
    if (status == DB_OK && conn->pending_session != NULL) {
      /* The session was live when the request began: its further reads need not ask again. */
      o_free(conn->pending_session);
      conn->pending_session = NULL;
    }
    return status;
  }
  if (atomic_load(&cancelling)) return DB_TIMEOUT;
  conn->may_retry = 0;
  PGresult *res = PQexecPrepared(conn->pg, statement, nparams, params, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
    *out = res;
    return DB_OK;
  }
  enum db_status status = classify(res, conn->pg);
  if (status == DB_ERROR || status == DB_CONSTRAINT || status == DB_FOREIGN_KEY || status == DB_TIMEOUT)
    log_pg_error(conn, statement, res, conn->pg);
  PQclear(res);
  return status;
}

enum db_status db_exec(struct db_conn *conn, const char *statement, int nparams, const char *const *params) {
  PGresult *res = NULL;
  enum db_status status = db_query(conn, statement, nparams, params, &res);
  PQclear(res);
  return status;
}
