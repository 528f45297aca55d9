#ifndef NOABER_DB_H
#define NOABER_DB_H

#include <libpq-fe.h>
#include <stddef.h>

/*
 * The database layer: a fixed-size pool of libpq connections with a bounded wait, prepared
 * statements registered by the domain modules, and per-transaction request context for
 * row-level security. No HTTP types here.
 */

enum db_status {
  DB_OK = 0,
  DB_BUSY,          /* every connection in use past the wait: try again later */
  DB_DOWN,          /* PostgreSQL unreachable or the connection broke */
  DB_UNIQUE,        /* unique_violation */
  DB_FOREIGN_KEY,   /* foreign_key_violation: the statement named a row that does not exist */
  DB_CONSTRAINT,    /* another integrity or check violation */
  DB_ERROR,         /* anything else (logged here with its SQLSTATE) */
  DB_STALE,         /* a db_expect() prediction did not hold: the transaction's answers are void */
  DB_SESSION_ENDED, /* the context's session is no longer live (db_context.session_id) */
  DB_TIMEOUT,       /* cancelled: statement_timeout, a lock timeout, or db_pool_cancel_all() */
};

struct db_statement {
  const char *name;
  const char *sql;
};

/* Who the current transaction acts for; NULL members are set to ''. Row-level security lets a
 * transaction read its community's rows; one with a person and no community (the /v1/me routes)
 * reads the communities of the person's active memberships. */
struct db_context {
  const char *person_id;
  const char *community_id;
  const char *roles; /* comma-separated role names */
  /* The session the person acts in (an access token's sid), or NULL: checked to be live in the
   * same round trip as the context, before anything else runs (a transaction once, reads with
   * their first statement); when it is not, that statement and everything after it fail with
   * DB_SESSION_ENDED. Only requests made with an access token pass one. */
  const char *session_id;
  /* The request the transaction serves (may be NULL): copied, and named in this connection's
   * `db_error` log lines until db_release(). */
  const char *request_id;
};

struct db_conn;

/* Register statements to prepare on every connection. Call before db_pool_start; the array
 * must outlive the pool (static tables). Returns 0, or -1 when out of memory. */
int db_register_statements(const struct db_statement *statements, size_t count);

/* Every statement prepared on a connection, built-in ones first, then in registration order
 * (read-only; for `noaber statements`). The pointers stay valid until db_pool_stop(). */
size_t db_statement_count(void);
const struct db_statement *db_statement_at(size_t i); /* NULL when i >= db_statement_count() */

/* Start the pool. Connections are opened lazily and re-opened after failures, so this succeeds
 * while PostgreSQL is down. Returns 0 or -1 (bad arguments or out of memory). */
int db_pool_start(const char *conninfo, int size, int wait_ms, int statement_timeout_ms);
void db_pool_stop(void);

/* Shutdown: cancel what runs in PostgreSQL on every connection in use (PQcancel), and from now
 * on refuse new statements (DB_TIMEOUT) and new connections (DB_BUSY). Thread-safe. */
void db_pool_cancel_all(void);

/* How many connections could be taken at once (free ones; 0 while a thread waits for one, or
 * after db_pool_cancel_all()). */
int db_pool_free_count(void);

/* Called after every db_release(), on the releasing thread, with no lock of the pool held: lets
 * the HTTP layer wake a request that waits for a connection. Set before db_pool_start(). */
void db_pool_on_release(void (*hook)(void));

/* Take a connection now for this thread's next db_acquire(), waiting at most wait_ms (never
 * longer than the pool's wait): lets the HTTP layer decide before a request runs whether it
 * waits on its thread or is suspended. DB_OK (also when one is held already), DB_BUSY, DB_DOWN. */
enum db_status db_reserve(int wait_ms);
/* Release a connection db_reserve() took that no db_acquire() used. */
void db_unreserve(void);

/* Snapshot of the pool for /metrics. */
void db_pool_stats(int *size, int *in_use, int *waiting);

/* Take a connection (connecting it if needed), waiting at most the pool's wait.
 * DB_OK with *out set, DB_BUSY when none came free in time, DB_DOWN when connecting failed.
 * A pooled connection that PostgreSQL closed while it sat idle (a restart) is replaced here,
 * and one that breaks on its first round trip is replaced and that round trip sent again once:
 * nothing of it can have been committed, and the client has heard nothing yet. */
enum db_status db_acquire(struct db_conn **out);

/* Give a connection back. An open transaction is rolled back; a broken connection is closed
 * and re-opened by a later acquire. Never carries request context to the next user. */
void db_release(struct db_conn *conn);

/* BEGIN, set the request context for this transaction only, and run the request's first
 * statement (optional: a registered statement without parameters, which may read the context),
 * all in one pipelined round trip. On DB_OK with first_statement given, *first_result holds its
 * result (caller PQclear()s). */
enum db_status db_begin(struct db_conn *conn, const struct db_context *ctx, const char *first_statement,
                        PGresult **first_result);
/* The same as db_begin() without a first statement, but nothing is sent yet: BEGIN and the
 * context go out in one round trip with the transaction's first statement (db_query, db_exec,
 * db_set_lookup, db_set_context). A transaction that runs no statement never reaches PostgreSQL.
 * The context's strings are copied. DB_OK, or DB_ERROR when out of memory. */
enum db_status db_begin_deferred(struct db_conn *conn, const struct db_context *ctx);
/* Change the context inside the open transaction (after resolving a membership, say). */
/* Reads without a transaction block: each statement goes out pipelined behind the context (and
 * the member scope) and is a transaction of its own, committed at the pipeline's sync. One round
 * trip per statement and no BEGIN or COMMIT; each statement sees what was committed before it,
 * as in a READ COMMITTED transaction. db_set_lookup and db_set_context turn it into a deferred
 * transaction (db_begin_deferred), db_begin into an explicit one. The context is copied.
 * DB_OK, or DB_ERROR when out of memory. */
enum db_status db_begin_reads(struct db_conn *conn, const struct db_context *ctx);
/* db_acquire() and db_begin_reads(); on failure nothing is held. */
enum db_status db_reads_start(struct db_conn **out, const struct db_context *ctx);

/* A prediction, checked in the same round trip as the next statement (after db_begin_deferred or
 * db_begin_reads): `statement` (registered, one parameter: `expected`, copied) goes out first and
 * must fail with SQLSTATE NB001 when the prediction no longer holds. That failure aborts the
 * rest of the pipeline, so nothing runs on a wrong assumption; db_query then answers DB_STALE
 * and the caller releases the connection and starts again without a prediction. Lets a request
 * check what it assumed without a round trip of its own.
 * DB_OK, or DB_ERROR when out of memory or nothing is waiting for a first statement. */
enum db_status db_expect(struct db_conn *conn, const char *statement, const char *expected);
/* Whether the prediction held: DB_OK (also when there was none), DB_STALE, or the error that
 * kept it from being checked. Checks it now, in a round trip of its own, when no statement has
 * run yet, so a request that ran no query cannot rest on an unchecked prediction. */
enum db_status db_expect_check(struct db_conn *conn);

enum db_status db_set_context(struct db_conn *conn, const struct db_context *ctx);
/* Set app.lookup_<name> for this transaction: lets a policy show one row found by a secret. */
enum db_status db_set_lookup(struct db_conn *conn, const char *name, const char *value);
enum db_status db_commit(struct db_conn *conn);
void db_rollback(struct db_conn *conn);
/* End a transaction that wrote nothing and release the connection without waiting for the
 * COMMIT: its result is read by the connection's next db_acquire(). Saves a round trip on the
 * reads; never for a transaction whose writes must be known to be saved before answering. */
void db_commit_read_only(struct db_conn *conn);

/* Acquire a connection and db_begin() on it (db_begin_deferred() without a first statement); on
 * failure nothing is held. */
enum db_status db_transaction_start(struct db_conn **out, const struct db_context *ctx, const char *first_statement,
                                    PGresult **first_result);
/* Commit (when `commit` and the transaction is healthy) or roll back, then release. Returns the
 * commit's status (DB_OK after a rollback). */
enum db_status db_transaction_end(struct db_conn *conn, int commit);

/* Run a registered prepared statement. On DB_OK *out holds the result (caller PQclear()s it);
 * on failure *out is NULL. Parameters are text; NULL means SQL NULL. */
enum db_status db_query(struct db_conn *conn, const char *statement, int nparams, const char *const *params,
                        PGresult **out);

/* Same, for statements whose rows are not needed. */
enum db_status db_exec(struct db_conn *conn, const char *statement, int nparams, const char *const *params);

/* Open a plain connection (for migrate, seed-demo and health checks). NULL on failure, with
 * the reason logged. Caller PQfinish()es. */
PGconn *db_connect_direct(const char *conninfo);

#endif
