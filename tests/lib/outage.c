#include "outage.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "db.h"
#include "support.h"

PGconn *lock_table(const char *dsn, const char *table) {
  PGconn *c = db_connect(dsn != NULL ? dsn : env_required("NOABER_TEST_OWNER_DSN"));
  char sql[256];
  snprintf(sql, sizeof sql, "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", table);
  db_run(c, "BEGIN");
  db_run(c, sql);
  return c;
}

void wait_for_lock_waiter(PGconn *c, const char *table) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '%s'::regclass", table);
  for (int i = 0; i < 250; i++) {
    if (db_long(c, sql) > 0) return;
    sleep_ms(20);
  }
  ck_abort_msg("no request ever waited for the lock on %s", table);
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *inflight_run(void *arg) {
  struct inflight *f = arg;
  struct http_request req = {.method = f->method ? f->method : "GET",
                             .path = f->path,
                             .bearer = f->token,
                             .base_url = f->base_url,
                             .json = f->json,
                             .timeout_ms = f->timeout_ms > 0 ? f->timeout_ms : 30000};
  f->started_s = mono_s();
  f->rc = http_send(&req, &f->r);
  f->ended_s = mono_s();
  return NULL;
}

void inflight_start(struct inflight *f) {
  if (f->base_url == NULL) f->base_url = http_base_url(); /* read here: the thread must not assert */
  ck_assert_int_eq(pthread_create(&f->thread, NULL, inflight_run, f), 0);
}

void inflight_join(struct inflight *f) { ck_assert_int_eq(pthread_join(f->thread, NULL), 0); }

long poll_status(const char *base, const char *path, const char *tok, long status, int timeout_ms) {
  long last = 0;
  for (int waited = 0; waited <= timeout_ms; waited += 250) {
    struct http_request req = {.method = "GET", .path = path, .bearer = tok, .base_url = base, .timeout_ms = 5000};
    struct http_response r;
    if (http_send(&req, &r) == 0) {
      last = r.status;
      http_response_free(&r);
      if (last == status) return last;
    }
    sleep_ms(250);
  }
  return last;
}

static void cluster_dir(char *buf, size_t len, const char *name) {
  const char *tmp = getenv("NOABER_TEST_TMPDIR");
  snprintf(buf, len, "%s/%s", tmp && tmp[0] ? tmp : "/tmp", name);
}

int outage_cluster_ctl(const struct outage_cluster *c, const char *cmd) {
  const char *script = env_required("NOABER_TEST_PG_SCRIPT");
  const char *argv[] = {"/bin/bash", script, cmd, c->dir, c->port, NULL};
  char log[512];
  temp_path(log, sizeof log, "outage-cluster");
  return run_command(argv, 90000, log);
}

void outage_cluster_start(struct outage_cluster *c, const char *name) {
  memset(c, 0, sizeof *c);
  cluster_dir(c->dir, sizeof c->dir, name);
  snprintf(c->port, sizeof c->port, "%d", free_port());
  (void)outage_cluster_ctl(c, "stop"); /* a previous test's run of it, on another port */
  ck_assert_msg(outage_cluster_ctl(c, "start") == 0, "cannot start the cluster in %s", c->dir);
  snprintf(c->app_dsn, sizeof c->app_dsn, "postgresql:///noaber?host=%s/run&port=%s&user=noaber_app", c->dir, c->port);
  snprintf(c->owner_dsn, sizeof c->owner_dsn, "postgresql:///noaber?host=%s/run&port=%s&user=noaber_owner", c->dir,
           c->port);
  snprintf(c->admin_dsn, sizeof c->admin_dsn, "postgresql:///noaber?host=%s/run&port=%s&user=postgres", c->dir,
           c->port);
  c->ov[0] = (struct env_override){"DATABASE_URL", c->app_dsn};
  c->ov[1] = (struct env_override){"NOABER_MIGRATION_DATABASE_URL", c->owner_dsn};
  const char *migrate[] = {env_required("NOABER_BIN"), "migrate", NULL};
  char log[512];
  temp_path(log, sizeof log, "outage-migrate");
  pid_t pid = spawn(migrate, c->ov, 2, log);
  int rc = wait_exit(pid, 60000);
  if (rc == -1) {
    kill(pid, SIGKILL);
    (void)wait_exit(pid, 5000);
  }
  ck_assert_msg(rc == 0, "migrate on the cluster in %s failed; log %s", c->dir, log);
  PGconn *admin = db_connect(c->admin_dsn);
  fixture_build(admin, &c->fx);
  PQfinish(admin);
}

void outage_cluster_teardown(const char *name) {
  const char *script = getenv("NOABER_TEST_PG_SCRIPT");
  if (script == NULL) return;
  char dir[512], cmd[2048];
  cluster_dir(dir, sizeof dir, name);
  snprintf(cmd, sizeof cmd, "/bin/bash '%s' stop '%s' >/dev/null 2>&1", script, dir);
  if (system(cmd) != 0) fprintf(stderr, "warning: could not stop the cluster in %s\n", dir);
}
