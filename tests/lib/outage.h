/* Faults the resilience and fault tests cause in PostgreSQL: a request held inside the
 * database by a lock, and a PostgreSQL cluster of a test's own that it may stop and start.
 *
 * Ownership: lock_table() returns a connection the caller ends with ROLLBACK and PQfinish().
 * A `struct inflight` owns its response once joined (http_response_free). Clusters live in
 * NOABER_TEST_TMPDIR; outage_cluster_teardown() stops one whatever a test did.
 */
#ifndef NOABER_TEST_OUTAGE_H
#define NOABER_TEST_OUTAGE_H

#include <pthread.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "fixture.h"
#include "http.h"
#include "proc.h"

/* Owner connection (NOABER_TEST_OWNER_DSN, or dsn when not NULL) in a transaction holding an
 * ACCESS EXCLUSIVE lock on table. The caller ROLLBACKs and PQfinish()es it. */
PGconn *lock_table(const char *dsn, const char *table);

/* Waits until some backend waits for a lock on table (max 5 s); fails the test otherwise. */
void wait_for_lock_waiter(PGconn *c, const char *table);

/* A request sent on a thread of its own (http_send); rc and r as http_send gives them. */
struct inflight {
  const char *method; /* NULL: GET */
  const char *path;
  const char *token;
  const char *base_url; /* NULL: http_base_url() */
  json_t *json;         /* borrowed, may be NULL */
  long timeout_ms;      /* 0: 30 s */
  pthread_t thread;
  struct http_response r;
  int rc;
  double started_s, ended_s; /* CLOCK_MONOTONIC */
};

/* Starts the request on its thread; inflight_join() waits for it. Fails the test on error. */
void inflight_start(struct inflight *f);
void inflight_join(struct inflight *f);

/* Polls GET path on base until it answers `status` (max timeout_ms). Returns the last status. */
long poll_status(const char *base, const char *path, const char *tok, long status, int timeout_ms);

/* A PostgreSQL cluster of the test's own in NOABER_TEST_TMPDIR/<name>, never the one the
 * other suites and the runner's server use, migrated and with a fixture of its own. */
struct outage_cluster {
  char dir[512];
  char port[16];
  char app_dsn[700];         /* the server's role */
  char owner_dsn[700];       /* the schema owner */
  char admin_dsn[700];       /* postgres */
  struct env_override ov[2]; /* DATABASE_URL and NOABER_MIGRATION_DATABASE_URL for server_start */
  struct fixture fx;
};

/* Starts (initdb on first use) the cluster `name` on a free port, migrates it and builds a
 * fixture in it. Fails the test on error. */
void outage_cluster_start(struct outage_cluster *c, const char *name);

/* scripts/pg-cluster.sh `cmd` ("stop" or "start") on the cluster; returns its exit code. */
int outage_cluster_ctl(const struct outage_cluster *c, const char *cmd);

/* For an unchecked teardown (no Check assertion): stops the cluster `name` if it runs. */
void outage_cluster_teardown(const char *name);

#endif
