/* Faults (issue 11): what a client sees when PostgreSQL restarts, a statement runs past its
 * timeout, clients send slowly (slowloris headers and bodies), one address opens too many
 * connections, the server is stopped with SIGTERM, or the pool is small under many clients.
 *
 * Slow (about 3 minutes), so not part of `make test`: the suite runs through `make test-faults`
 * (or `make test SUITE=faults`); main.c adds it only when CK_RUN_SUITE=faults or
 * NOABER_TEST_FAULTS=1. Every test starts servers of its own (server_start with overrides),
 * talks to them over loopback only and stops them; the restart tests stop and start a
 * PostgreSQL cluster of their own (tests/lib/outage.h). Each test is bounded in requests and
 * time, and prints what it saw when it fails.
 *
 * Which of these failed before the fixes of issue 11 is said at each test ("Before the fix").
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "db.h"
#include "fixture.h"
#include "http.h"
#include "outage.h"
#include "proc.h"
#include "suites.h"
#include "support.h"

#define FAULTS_CLUSTER "faults-pg"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* The p-th percentile (0..100) of n values (sorted in place); 0 when n is 0. */
static double percentile(double *v, size_t n, double p) {
  if (n == 0) return 0;
  qsort(v, n, sizeof *v, cmp_double);
  size_t i = (size_t)(p / 100.0 * (double)n + 0.999999);
  if (i < 1) i = 1;
  if (i > n) i = n;
  return v[i - 1];
}

/* A header value contains the token (case-insensitive), e.g. Connection: close. */
static bool header_has(const struct http_response *r, const char *name, const char *token) {
  const char *v = http_header(r, name);
  return v != NULL && strcasestr(v, token) != NULL;
}

/* The 408 of a slow client: problem+json with type .../request-timeout, status 408, title,
 * detail, instance; request_id, when present, equal to X-Request-Id; Connection: close. */
static void assert_request_timeout(const struct http_response *r, const char *what) {
  ck_assert_msg(r->status == 408, "%s: status %ld, expected 408: %.300s", what, r->status, r->body);
  const char *ct = http_header(r, "content-type");
  ck_assert_msg(ct != NULL && strncmp(ct, "application/problem+json", 24) == 0, "%s: content-type %s", what,
                ct ? ct : "(none)");
  ck_assert_msg(json_is_object(r->json), "%s: body is not a JSON object: %.300s", what, r->body);
  const char *type = jstr(r->json, "type");
  size_t tl = type ? strlen(type) : 0;
  ck_assert_msg(tl >= 15 && strcmp(type + tl - 15, "request-timeout") == 0, "%s: problem type %s", what,
                type ? type : "(missing)");
  ck_assert_msg(jstr(r->json, "title") != NULL && jstr(r->json, "detail") != NULL, "%s: title or detail missing: %s",
                what, r->body);
  ck_assert_msg(jint(r->json, "status", -1) == 408, "%s: problem status %lld", what, jint(r->json, "status", -1));
  ck_assert_msg(jstr(r->json, "instance") != NULL, "%s: problem instance missing: %s", what, r->body);
  const char *rid = jstr(r->json, "request_id");
  const char *hrid = http_header(r, "x-request-id");
  if (rid != NULL)
    ck_assert_msg(hrid != NULL && strcmp(rid, hrid) == 0, "%s: request_id %s vs X-Request-Id %s", what, rid,
                  hrid ? hrid : "(missing)");
  ck_assert_msg(header_has(r, "connection", "close"), "%s: 408 without Connection: close (%s)", what,
                http_header(r, "connection") ? http_header(r, "connection") : "none");
}

/* 503 problem+json, type .../unavailable, with a positive Retry-After. */
static void assert_unavailable(const struct http_response *r) {
  assert_problem(r, 503, "unavailable");
  const char *ra = http_header(r, "retry-after");
  ck_assert_msg(ra != NULL && atol(ra) > 0, "503 with Retry-After %s", ra ? ra : "(none)");
}

/* Waits until at least n backends wait for a lock on table, at most timeout_ms. Returns how
 * many were seen waiting last. */
static long lock_waiters(PGconn *c, const char *table, long n, int timeout_ms) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '%s'::regclass", table);
  long seen = 0;
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    seen = db_long(c, sql);
    if (seen >= n) break;
    sleep_ms(20);
  }
  return seen;
}

/* ---- client threads that loop requests and record what each got ---- */

struct sample {
  double t0, t1; /* monotonic seconds: sent, answered (or failed) */
  long status;   /* 0: transport error */
  bool retry_after;
};

struct looper {
  const char *base_url;
  const char *path;
  const char *token;
  const char *source_ip;
  int pause_ms;           /* between requests */
  int max;                /* capacity of samples */
  double until;           /* stop at this monotonic time (0: only by *stop) */
  volatile bool *stop;    /* set by the test to end the loop */
  struct sample *samples; /* owned; max entries */
  int n;
  char first_error[256];
};

static void *looper_run(void *arg) {
  struct looper *l = arg;
  while (l->n < l->max && !*l->stop && (l->until == 0 || now_s() < l->until)) {
    struct http_request req = {.method = "GET",
                               .path = l->path,
                               .bearer = l->token,
                               .base_url = l->base_url,
                               .source_ip = l->source_ip,
                               .timeout_ms = 5000};
    struct http_response r;
    struct sample *s = &l->samples[l->n++];
    s->t0 = now_s();
    if (http_send(&req, &r) == 0) {
      s->status = r.status;
      s->retry_after = http_header(&r, "retry-after") != NULL;
      http_response_free(&r);
    } else if (l->first_error[0] == '\0') {
      snprintf(l->first_error, sizeof l->first_error, "%s", http_last_error());
    }
    s->t1 = now_s();
    if (l->pause_ms > 0) sleep_ms(l->pause_ms);
  }
  return NULL;
}

static void looper_init(struct looper *l, const char *base, const char *path, const char *tok, int max,
                        volatile bool *stop) {
  memset(l, 0, sizeof *l);
  l->base_url = base;
  l->path = path;
  l->token = tok;
  l->max = max;
  l->stop = stop;
  l->samples = calloc((size_t)max, sizeof *l->samples);
  ck_assert_ptr_nonnull(l->samples);
}

/* ==== (a), (b) PostgreSQL restarts ==== */

/* (a) Low traffic: a pool of 4, all 4 connections warm, PostgreSQL restarts, then 12 requests
 * 200 ms apart. Every one is 200: a stale connection is found and replaced before it reaches
 * a client (or the request is retried once on a fresh one).
 * Before the fix: 8 of 12 answered 503 for up to ~5 s after PostgreSQL was back. */
START_TEST(pg_restart_low_traffic) {
  struct outage_cluster pg;
  outage_cluster_start(&pg, FAULTS_CLUSTER);
  char members[128];
  community_path(members, sizeof members, &pg.fx.anna, "/members");
  const struct env_override ov[] = {pg.ov[0],
                                    pg.ov[1],
                                    {"NOABER_DB_POOL_SIZE", "4"},
                                    {"NOABER_HTTP_THREADS", "4"},
                                    {"NOABER_DB_POOL_WAIT_MS", "5000"}};
  struct server s;
  server_start(&s, ov, 5);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&pg.fx.coordinator);

  /* Warm all four connections: four requests (four logins: a request holds its session's
   * row) that each hold a connection behind a lock, until PostgreSQL shows four of the
   * server's sessions (up to three rounds: two connections may land on one worker thread). */
  char *toks[4];
  for (int i = 0; i < 4; i++) toks[i] = fixture_login(&pg.fx.coordinator);
  PGconn *admin = db_connect(pg.admin_dsn);
  long app_sessions = 0;
  for (int round = 0; round < 3 && app_sessions < 4; round++) {
    PGconn *owner = lock_table(pg.admin_dsn, "memberships");
    struct inflight f[4];
    memset(f, 0, sizeof f);
    for (int i = 0; i < 4; i++) { /* one at a time: each worker thread is busy before the next connects */
      f[i] = (struct inflight){.path = members, .token = toks[i], .timeout_ms = 15000};
      inflight_start(&f[i]);
      (void)lock_waiters(owner, "memberships", i + 1, 2000);
    }
    db_run(owner, "ROLLBACK");
    PQfinish(owner);
    for (int i = 0; i < 4; i++) {
      inflight_join(&f[i]);
      ck_assert_msg(f[i].rc == 0, "warm-up request %d: %s", i, http_last_error());
      assert_status(&f[i].r, 200);
      http_response_free(&f[i].r);
    }
    app_sessions = db_long(admin, "SELECT count(*) FROM pg_stat_activity WHERE usename = 'noaber_app'");
  }
  PQfinish(admin);
  for (int i = 0; i < 4; i++) free(toks[i]);
  ck_assert_msg(app_sessions == 4, "the pool of 4 holds %ld connections after the warm-up", app_sessions);

  ck_assert_int_eq(outage_cluster_ctl(&pg, "stop"), 0);
  ck_assert_int_eq(outage_cluster_ctl(&pg, "start"), 0);
  double back = now_s();

  char seen[512] = "";
  int ok = 0;
  for (int i = 0; i < 12; i++) {
    struct http_request req = {.method = "GET", .path = members, .bearer = tok, .timeout_ms = 10000};
    struct http_response r;
    int rc = http_send(&req, &r);
    size_t l = strlen(seen);
    snprintf(seen + l, sizeof seen - l, " %.1fs:%ld", now_s() - back, rc == 0 ? r.status : 0L);
    if (rc == 0 && r.status == 200) ok++;
    if (rc == 0) http_response_free(&r);
    sleep_ms(200);
  }
  http_set_base_url(NULL);
  free(tok);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
  ck_assert_msg(ok == 12, "after the restart only %d of 12 requests answered 200 (time after start:status):%s", ok,
                seen);
}
END_TEST

/* (b) Under load: four client threads loop GETs while PostgreSQL stops and starts. While it is
 * down the answer is 503 with Retry-After (or 200), never a 500 or a broken connection; from
 * 2 s after it is back every answer is 200.
 * Before the fix: this may pass (under load the stale connections are used up within a
 * second); it guards the retry against answering 500 or dropping a connection. */
START_TEST(pg_restart_under_load) {
  struct outage_cluster pg;
  outage_cluster_start(&pg, FAULTS_CLUSTER);
  char members[128];
  community_path(members, sizeof members, &pg.fx.anna, "/members");
  struct server s;
  server_start(&s, pg.ov, 2);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&pg.fx.coordinator);
  http_set_base_url(NULL);

  enum { THREADS = 4, MAX = 3000 };
  volatile bool stop = false;
  struct looper l[THREADS];
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) {
    looper_init(&l[i], s.base_url, members, tok, MAX, &stop);
    l[i].pause_ms = 10;
    ck_assert_int_eq(pthread_create(&th[i], NULL, looper_run, &l[i]), 0);
  }
  sleep_ms(500);
  double stop_begin = now_s();
  int stop_rc = outage_cluster_ctl(&pg, "stop");
  double stopped = now_s();
  sleep_ms(1000);
  double start_begin = now_s();
  int start_rc = outage_cluster_ctl(&pg, "start");
  double back = now_s();
  sleep_ms(3500);
  stop = true;
  for (int i = 0; i < THREADS; i++) ck_assert_int_eq(pthread_join(th[i], NULL), 0);
  free(tok);
  int server_rc = server_stop(&s, SIGTERM, 15000);
  ck_assert_int_eq(stop_rc, 0);
  ck_assert_int_eq(start_rc, 0);

  int total = 0, errors = 0, bad = 0, no_retry_after = 0, down_503 = 0, late = 0, late_ok = 0;
  char first_bad[128] = "", late_bad[512] = "";
  const char *first_error = NULL;
  for (int i = 0; i < THREADS; i++) {
    for (int k = 0; k < l[i].n; k++) {
      const struct sample *x = &l[i].samples[k];
      total++;
      if (x->status == 0) {
        errors++;
        if (first_error == NULL) first_error = l[i].first_error;
      } else if (x->status != 200 && x->status != 503) {
        bad++;
        if (first_bad[0] == '\0')
          snprintf(first_bad, sizeof first_bad, "%ld at %.2f s after the stop", x->status, x->t0 - stop_begin);
      } else if (x->status == 503 && !x->retry_after) {
        no_retry_after++;
      }
      if (x->status == 503 && x->t0 >= stopped && x->t1 <= start_begin) down_503++;
      if (x->t0 >= back + 2.0) {
        late++;
        if (x->status == 200)
          late_ok++;
        else {
          size_t n = strlen(late_bad);
          snprintf(late_bad + n, sizeof late_bad - n, " %.2fs:%ld", x->t0 - back, x->status);
        }
      }
    }
    free(l[i].samples);
  }
  fprintf(stderr, "faults: restart under load: %d requests, %d answered 503 while down, %d of %d 200 from 2 s after\n",
          total, down_503, late_ok, late);
  ck_assert_msg(errors == 0, "%d of %d requests failed without an answer, first: %s", errors, total,
                first_error ? first_error : "");
  ck_assert_msg(bad == 0, "%d of %d requests answered neither 200 nor 503, first: %s", bad, total, first_bad);
  ck_assert_msg(no_retry_after == 0, "%d 503 answers without Retry-After", no_retry_after);
  ck_assert_msg(down_503 > 0, "no request answered 503 while PostgreSQL was down: was it?");
  ck_assert_msg(late > 0 && late_ok == late,
                "from 2 s after PostgreSQL was back, %d of %d requests answered 200 (time after start:status):%s",
                late_ok, late, late_bad);
  ck_assert_int_eq(server_rc, 0);
}
END_TEST

/* ==== (c) statement timeout ==== */

/* True when the server log has a db_error line with sqlstate `state` that names its statement
 * ("what", or "statement") and holds none of the strings in `secrets` (parameter values). The line is copied
 * into line (for messages). */
static bool db_error_logged(const char *log_path, const char *state, const char *const *secrets, char *line,
                            size_t len) {
  FILE *f = fopen(log_path, "r");
  line[0] = '\0';
  if (f == NULL) return false;
  char buf[4096];
  char needle[32];
  snprintf(needle, sizeof needle, "\"%s\"", state);
  bool found = false;
  while (!found && fgets(buf, sizeof buf, f) != NULL) {
    if (strstr(buf, "db_error") == NULL || strstr(buf, needle) == NULL) continue;
    snprintf(line, len, "%.1000s", buf);
    found = true;
    json_t *j = json_loads(buf, 0, NULL);
    const char *what = j ? jstr(j, "what") : NULL;
    if (what == NULL && j != NULL) what = jstr(j, "statement");
    if (what == NULL || what[0] == '\0') found = false;
    for (const char *const *s = secrets; *s != NULL; s++)
      if (strstr(buf, *s) != NULL) {
        snprintf(line, len, "parameter value %.60s in: %.900s", *s, buf);
        json_decref(j);
        fclose(f);
        return false;
      }
    json_decref(j);
  }
  fclose(f);
  return found;
}

/* A read waiting on a lock past NOABER_DB_STATEMENT_TIMEOUT_MS answers 503 + Retry-After, fast,
 * and the log names the statement with SQLSTATE 57014 but none of its parameters; a write
 * waiting on a lock answers 503 too.
 * Before the fix: 500 (57014 fell through classify()). */
START_TEST(statement_timeout_503) {
  char members[128], invitations[128];
  community_path(members, sizeof members, &fx.anna, "/members");
  community_path(invitations, sizeof invitations, &fx.anna, "/invitations");
  struct server s;
  const struct env_override ov[] = {{"NOABER_DB_STATEMENT_TIMEOUT_MS", "300"}};
  server_start(&s, ov, 1);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&fx.coordinator);

  PGconn *owner = lock_table(NULL, "memberships");
  struct http_request req = {.method = "GET", .path = members, .bearer = tok, .timeout_ms = 10000};
  struct http_response r;
  int rc = http_send(&req, &r);
  db_run(owner, "ROLLBACK");
  PQfinish(owner);
  ck_assert_msg(rc == 0, "GET members behind a lock: %s", http_last_error());
  ck_assert_msg(r.status == 503, "GET members behind a lock past the statement timeout: %ld after %.2f s: %.300s",
                r.status, r.elapsed_s, r.body);
  assert_unavailable(&r);
  ck_assert_msg(r.elapsed_s < 2.0, "the 503 took %.2f s", r.elapsed_s);
  http_response_free(&r);

  /* a write whose own statement waits on a lock (invitations are not read by the context) */
  owner = lock_table(NULL, "invitations");
  json_t *body = json_pack("{s:s}", "role", "volunteer");
  struct http_request w = {.method = "POST", .path = invitations, .bearer = tok, .json = body, .timeout_ms = 10000};
  rc = http_send(&w, &r);
  json_decref(body);
  db_run(owner, "ROLLBACK");
  PQfinish(owner);
  ck_assert_msg(rc == 0, "POST invitations behind a lock: %s", http_last_error());
  ck_assert_msg(r.status == 503, "POST invitations behind a lock past the statement timeout: %ld after %.2f s: %.300s",
                r.status, r.elapsed_s, r.body);
  assert_unavailable(&r);
  ck_assert_msg(r.elapsed_s < 2.0, "the 503 took %.2f s", r.elapsed_s);
  http_response_free(&r);

  http_get(&r, members, tok); /* and the server works again */
  assert_status(&r, 200);
  http_response_free(&r);
  http_set_base_url(NULL);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);

  char line[4096];
  const char *secrets[] = {fx.anna.id, fx.coordinator.id, tok, NULL};
  /* 57014: statement_timeout; 55P03 if the server sets a lock_timeout that fires first */
  bool logged = db_error_logged(s.log_path, "57014", secrets, line, sizeof line);
  if (!logged && line[0] == '\0') logged = db_error_logged(s.log_path, "55P03", secrets, line, sizeof line);
  free(tok);
  ck_assert_msg(logged, "no db_error line with 57014 (or 55P03) naming its statement and no parameters in %s (%s)",
                s.log_path, line[0] ? line : "no such line");
}
END_TEST

/* ==== (d), (e) slow clients ==== */

/* Sends `start` at once, then one byte of `drip` per second, watching for an answer, until
 * deadline_s (monotonic) or an answer. Returns 0 with *out filled (read with raw_read, logged)
 * or -1 (no answer; *closed says whether the server closed or reset). The text sent is kept in
 * sent (for the log). */
static int trickle(struct raw_conn *c, const char *start, const char *drip, double deadline_s, char *sent,
                   size_t sent_cap, struct http_response *out, bool *closed) {
  size_t n = strlen(start);
  snprintf(sent, sent_cap, "%s", start);
  (void)raw_send(c, start, n);
  size_t next = 0;
  double next_byte = now_s() + 1.0;
  *closed = false;
  while (now_s() < deadline_s) {
    double wait = (next_byte < deadline_s ? next_byte : deadline_s) - now_s();
    int rr = raw_readable(c, wait > 0 ? (int)(wait * 1000) + 1 : 0);
    if (rr > 0) {
      size_t len = strlen(sent);
      if (raw_read(c, sent, len, 2000, out) == 0) return 0;
      *closed = c->eof;
      return -1;
    }
    if (now_s() >= next_byte && drip[next] != '\0') {
      size_t len = strlen(sent);
      if (len + 1 < sent_cap) {
        sent[len] = drip[next];
        sent[len + 1] = '\0';
      }
      (void)raw_send(c, &drip[next], 1); /* a failure shows as EOF or reset on the next read */
      next++;
      next_byte += 1.0;
    }
  }
  return -1;
}

/* Headers sent at one byte per second: 408 problem+json within NOABER_HEADER_TIMEOUT_S (2) +
 * ~1 s of the connection opening, and the connection is closed. The same for the next request
 * on a keep-alive connection, within NOABER_CONNECTION_TIMEOUT_S + HEADER_TIMEOUT + ~1 s of
 * the previous answer.
 * Before the fix: no answer (every byte reset libmicrohttpd's inactivity timer). */
START_TEST(slowloris_headers_408) {
  struct server s;
  const struct env_override ov[] = {{"NOABER_HEADER_TIMEOUT_S", "2"}, {"NOABER_CONNECTION_TIMEOUT_S", "2"}};
  server_start(&s, ov, 2);
  const char *drip = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  char sent[512];
  struct http_response r;
  bool closed;

  struct raw_conn c;
  ck_assert_msg(raw_open(&c, s.base_url, NULL) == 0, "connect: %s", http_last_error());
  int rc = trickle(&c, "GET /healthz HTTP/1.1\r\nHost: x\r\n", drip, c.opened_s + 3.5, sent, sizeof sent, &r, &closed);
  double took = now_s() - c.opened_s;
  ck_assert_msg(rc == 0, "slow headers: no answer within %.1f s of connecting (%s; %s)", took,
                closed ? "the server closed the connection" : "the connection is still open", http_last_error());
  assert_request_timeout(&r, "slow headers");
  ck_assert_msg(took <= 3.5, "slow headers: the 408 came %.2f s after connecting", took);
  http_response_free(&r);
  ck_assert_msg(raw_peer_closed(&c, 1000), "slow headers: the connection stayed open after the 408");
  raw_close(&c);

  /* keep-alive: one normal request, then the next one's headers slowly */
  ck_assert_msg(raw_open(&c, s.base_url, NULL) == 0, "connect: %s", http_last_error());
  const char *get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ck_assert_int_eq(raw_send(&c, get, strlen(get)), 0);
  ck_assert_msg(raw_read(&c, get, strlen(get), 5000, &r) == 0, "first request: %s", http_last_error());
  assert_status(&r, 200);
  http_response_free(&r);
  double answered = now_s();
  rc = trickle(&c, "GET /healthz HTTP/1.1\r\nHost: x\r\n", drip, answered + 5.5, sent, sizeof sent, &r, &closed);
  took = now_s() - answered;
  ck_assert_msg(rc == 0, "slow headers on a keep-alive connection: no answer within %.1f s (%s; %s)", took,
                closed ? "the server closed the connection" : "the connection is still open", http_last_error());
  assert_request_timeout(&r, "slow headers on a keep-alive connection");
  ck_assert_msg(took <= 5.5, "keep-alive: the 408 came %.2f s after the previous answer", took);
  http_response_free(&r);
  ck_assert_msg(raw_peer_closed(&c, 1000), "keep-alive: the connection stayed open after the 408");
  raw_close(&c);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
}
END_TEST

/* A body sent at 1 byte/s: 408 problem+json within NOABER_BODY_TIMEOUT_S (2) + ~1 s of the
 * headers; a body sent at a normal pace in three pieces 300 ms apart is served as usual.
 * Before the fix: the slow body was never cut off (no answer). */
START_TEST(slow_body_408) {
  struct server s;
  const struct env_override ov[] = {{"NOABER_BODY_TIMEOUT_S", "2"}, {"NOABER_BODY_MIN_RATE", "1024"}};
  server_start(&s, ov, 2);

  /* a login body of exactly 200 bytes (padded with JSON whitespace) */
  char body[201];
  int n = snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"", fx.coordinator.email, FIXTURE_PASSWORD);
  ck_assert(n > 0 && n < 190);
  memset(body + n, ' ', (size_t)(199 - n));
  memcpy(body + 199, "}", 2);
  ck_assert_uint_eq(strlen(body), 200);
  char head[256];
  snprintf(head, sizeof head,
           "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
           strlen(body));

  struct raw_conn c;
  char sent[1024];
  struct http_response r;
  bool closed;
  ck_assert_msg(raw_open(&c, s.base_url, NULL) == 0, "connect: %s", http_last_error());
  double t0 = now_s();
  int rc = trickle(&c, head, body, t0 + 3.5, sent, sizeof sent, &r, &closed);
  double took = now_s() - t0;
  ck_assert_msg(rc == 0, "slow body: no answer within %.1f s of the headers (%s; %s)", took,
                closed ? "the server closed the connection" : "the connection is still open", http_last_error());
  assert_request_timeout(&r, "slow body");
  ck_assert_msg(took <= 3.5, "slow body: the 408 came %.2f s after the headers", took);
  http_response_free(&r);
  ck_assert_msg(raw_peer_closed(&c, 1000), "slow body: the connection stayed open after the 408");
  raw_close(&c);

  /* the same body at a normal pace, in three pieces 300 ms apart */
  ck_assert_msg(raw_open(&c, s.base_url, NULL) == 0, "connect: %s", http_last_error());
  char all[1024];
  snprintf(all, sizeof all, "%s%s", head, body);
  size_t hl = strlen(head), third = strlen(body) / 3;
  ck_assert_int_eq(raw_send(&c, all, hl + third), 0);
  sleep_ms(300);
  ck_assert_int_eq(raw_send(&c, all + hl + third, third), 0);
  sleep_ms(300);
  ck_assert_int_eq(raw_send(&c, all + hl + 2 * third, strlen(all) - hl - 2 * third), 0);
  ck_assert_msg(raw_read(&c, all, strlen(all), 5000, &r) == 0, "body in three pieces: %s", http_last_error());
  assert_status(&r, 200);
  http_response_free(&r);
  raw_close(&c);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
}
END_TEST

/* ==== (f), (g) many connections from one address ==== */

/* Opens up to n connections from source_ip, each sending `partial` (never a whole request).
 * Fills fds (-1 where connect failed) and returns how many connected. */
static int open_partial(const char *base, const char *source_ip, int *fds, int n, const char *partial) {
  int ok = 0;
  for (int i = 0; i < n; i++) {
    fds[i] = tcp_connect(base, source_ip);
    if (fds[i] < 0) continue;
    ok++;
    if (partial != NULL) (void)send(fds[i], partial, strlen(partial), MSG_NOSIGNAL);
  }
  return ok;
}

/* How many of the n sockets the server closed or reset (or that never connected), after
 * waiting wait_ms. Answers that arrived are read and dropped; closed sockets are closed here and
 * set to -1. */
static int count_closed(int *fds, int n, int wait_ms) {
  sleep_ms(wait_ms);
  int closed = 0;
  for (int i = 0; i < n; i++) {
    if (fds[i] < 0) {
      closed++;
      continue;
    }
    for (;;) {
      char buf[512];
      ssize_t r = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
      if (r > 0) continue; /* an answer (e.g. a 408): read on to the close */
      if (r < 0 && errno == EINTR) continue;
      if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        close(fds[i]);
        fds[i] = -1;
        closed++;
      }
      break;
    }
  }
  return closed;
}

static void close_all(int *fds, int n) {
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0) {
      close(fds[i]);
      fds[i] = -1;
    }
}

struct slowloris {
  const char *base_url;
  int *fds;
  int n;
  volatile bool *stop;
};

/* One header byte per second on every open socket until *stop. */
static void *slowloris_run(void *arg) {
  struct slowloris *sl = arg;
  while (!*sl->stop) {
    for (int i = 0; i < sl->n; i++)
      if (sl->fds[i] >= 0) (void)send(sl->fds[i], "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    for (int k = 0; k < 10 && !*sl->stop; k++) sleep_ms(100);
  }
  return NULL;
}

/* At the DEFAULT settings: 200 slowloris connections from 127.0.0.2 (a partial header, then
 * 1 byte/s) while 4 normal clients from 127.0.0.1 make 1,000 GET /healthz over ~10 s: >= 99 %
 * answer 200 and p99 <= 100 ms, and at most 64 (the per-address limit) of the 200 are kept.
 * Before the fix: the normal clients passed (the cap of 512 was not reached), but all 200
 * slowloris connections were kept (no per-address limit by default). */
START_TEST(slowloris_default_settings) {
  struct server s;
  server_start(&s, NULL, 0);
  enum { SLOW = 200, CLIENTS = 4, PER_CLIENT = 250 };
  int fds[SLOW];
  int connected = open_partial(s.base_url, "127.0.0.2", fds, SLOW, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  /* kept: connected and not closed by the server within 1 s (over the per-address limit it
   * closes them at once) */
  int kept = SLOW - count_closed(fds, SLOW, 1000);
  volatile bool stop = false;
  struct slowloris sl = {.base_url = s.base_url, .fds = fds, .n = SLOW, .stop = &stop};
  pthread_t slow_th;
  ck_assert_int_eq(pthread_create(&slow_th, NULL, slowloris_run, &sl), 0);
  sleep_ms(500);

  struct looper l[CLIENTS];
  pthread_t th[CLIENTS];
  volatile bool never = false;
  for (int i = 0; i < CLIENTS; i++) {
    looper_init(&l[i], s.base_url, "/healthz", NULL, PER_CLIENT, &never);
    l[i].source_ip = "127.0.0.1";
    l[i].pause_ms = 35; /* ~25 requests/s per client */
    l[i].until = now_s() + 15.0;
    ck_assert_int_eq(pthread_create(&th[i], NULL, looper_run, &l[i]), 0);
  }
  for (int i = 0; i < CLIENTS; i++) ck_assert_int_eq(pthread_join(th[i], NULL), 0);
  stop = true;
  ck_assert_int_eq(pthread_join(slow_th, NULL), 0);
  close_all(fds, SLOW);

  double lat[CLIENTS * PER_CLIENT];
  int n = 0, ok = 0;
  const char *first_error = NULL;
  for (int i = 0; i < CLIENTS; i++) {
    for (int k = 0; k < l[i].n; k++) {
      lat[n++] = l[i].samples[k].t1 - l[i].samples[k].t0;
      if (l[i].samples[k].status == 200) ok++;
    }
    if (first_error == NULL && l[i].first_error[0]) first_error = l[i].first_error;
  }
  double p99 = percentile(lat, (size_t)n, 99), p50 = percentile(lat, (size_t)n, 50);
  for (int i = 0; i < CLIENTS; i++) free(l[i].samples);
  fprintf(stderr,
          "faults: slowloris at defaults: %d of 200 connected, %d kept; normal clients %d of %d answered 200, p50 %.1f "
          "ms, p99 %.1f ms\n",
          connected, kept, ok, n, p50 * 1000, p99 * 1000);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 30000), 0);
  ck_assert_msg(n >= 900, "only %d normal requests were made", n);
  ck_assert_msg(ok * 100 >= n * 99, "normal clients: %d of %d answered 200 (first error: %s)", ok, n,
                first_error ? first_error : "none");
  ck_assert_msg(p99 <= 0.100, "normal clients: p99 %.1f ms (p50 %.1f ms) with 200 slowloris connections", p99 * 1000,
                p50 * 1000);
  ck_assert_msg(kept <= 64, "%d of 200 slowloris connections from one address were kept (limit 64)", kept);
}
END_TEST

/* At the default settings, 64 connections from one address are kept; the 65th is closed
 * without an answer, while another address is still served.
 * Before the fix: the 65th was served (no per-address limit by default). */
START_TEST(per_address_limit_default) {
  struct server s;
  server_start(&s, NULL, 0);
  enum { HELD = 64 };
  int fds[HELD];
  int connected = open_partial(s.base_url, "127.0.0.3", fds, HELD, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
  int closed = count_closed(fds, HELD, 500);
  ck_assert_msg(connected == HELD && closed == 0, "of 64 connections from 127.0.0.3, %d connected and %d were closed",
                connected, closed);

  /* the 65th, with a whole request: closed without an answer */
  int fd = tcp_connect(s.base_url, "127.0.0.3");
  int e = errno;
  char got[256] = "";
  bool answered = false, closed65 = fd < 0;
  if (fd >= 0) {
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    (void)send(fd, req, strlen(req), MSG_NOSIGNAL);
    struct raw_conn c = {.fd = fd};
    if (raw_readable(&c, 2000) > 0) {
      ssize_t r = recv(fd, got, sizeof got - 1, 0);
      if (r > 0) {
        got[r] = '\0';
        answered = true;
      } else {
        closed65 = true;
      }
    }
    close(fd);
  } else {
    snprintf(got, sizeof got, "connect failed: %s", strerror(e));
  }
  /* another address is served meanwhile */
  struct http_request req = {
      .method = "GET", .path = "/healthz", .base_url = s.base_url, .source_ip = "127.0.0.1", .timeout_ms = 5000};
  struct http_response r;
  int rc = http_send(&req, &r);
  long other = rc == 0 ? r.status : 0;
  if (rc == 0) http_response_free(&r);
  close_all(fds, HELD);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
  ck_assert_msg(!answered, "the 65th connection from one address was answered: %.80s", got);
  ck_assert_msg(closed65, "the 65th connection from one address was neither answered nor closed within 2 s");
  ck_assert_msg(other == 200, "another address while one is at its limit: %ld (%s)", other,
                rc == 0 ? "" : http_last_error());
}
END_TEST

/* ==== (h) SIGTERM ==== */

/* (1) A request held by a lock, then SIGTERM: a new connection during the drain is refused
 * (or reset) within 1 s, and the held request is answered 200 with Connection: close once the
 * lock is released.
 * Before the fix: the new connection was accepted by the kernel and hung; the held answer had
 * no Connection: close. */
START_TEST(sigterm_refuses_new_connections) {
  char members[128];
  community_path(members, sizeof members, &fx.anna, "/members");
  struct server s;
  server_start(&s, NULL, 0);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&fx.coordinator);
  http_set_base_url(NULL);
  PGconn *owner = lock_table(NULL, "memberships");
  struct inflight f = {.path = members, .token = tok, .base_url = s.base_url, .timeout_ms = 20000};
  inflight_start(&f);
  ck_assert_msg(lock_waiters(owner, "memberships", 1, 5000) >= 1, "the request never waited for the lock");
  ck_assert_int_eq(kill(s.pid, SIGTERM), 0);
  sleep_ms(300);

  /* a new client during the drain */
  double t0 = now_s();
  char what[256];
  bool refused = false;
  int fd = tcp_connect(s.base_url, NULL);
  int e = errno;
  if (fd < 0) {
    refused = true;
    snprintf(what, sizeof what, "connect failed: %s", strerror(e));
  } else {
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    (void)send(fd, req, strlen(req), MSG_NOSIGNAL);
    struct raw_conn c = {.fd = fd};
    char buf[256];
    if (raw_readable(&c, 1000) > 0) {
      ssize_t r = recv(fd, buf, sizeof buf - 1, 0);
      if (r > 0) {
        buf[r] = '\0';
        snprintf(what, sizeof what, "accepted and answered: %.60s", buf);
      } else {
        refused = true;
        snprintf(what, sizeof what, "accepted, then %s", r == 0 ? "closed" : strerror(errno));
      }
    } else {
      snprintf(what, sizeof what, "accepted and left hanging for 1 s");
    }
    close(fd);
  }
  double took = now_s() - t0;
  bool alive = process_alive(s.pid);
  db_run(owner, "ROLLBACK");
  PQfinish(owner);
  inflight_join(&f);
  int code = wait_exit(s.pid, 15000);
  if (code == -1) kill(s.pid, SIGKILL), (void)wait_exit(s.pid, 5000);
  s.pid = 0;
  free(tok);
  ck_assert_msg(alive, "the server exited before its in-flight request finished");
  ck_assert_msg(refused && took < 1.0, "a new connection during the drain: %s (%.2f s)", what, took);
  ck_assert_msg(f.rc == 0, "the held request: %s", http_last_error());
  assert_status(&f.r, 200);
  ck_assert_msg(header_has(&f.r, "connection", "close"), "the held request's answer after SIGTERM has Connection: %s",
                http_header(&f.r, "connection") ? http_header(&f.r, "connection") : "(none)");
  http_response_free(&f.r);
  ck_assert_msg(code == 0, "exit code after SIGTERM: %d (-1: did not exit)", code);
}
END_TEST

/* Keep-alive clients on raw connections: each sends a request, reads the answer, and sends the
 * next on the same connection unless the answer said Connection: close; then it reconnects
 * (refused after SIGTERM: it stops). */
struct keepalive {
  const char *base_url;
  const char *request;      /* the whole request text */
  volatile double *sigterm; /* monotonic time of the SIGTERM (0 until sent) */
  double until;
  /* results */
  int answered, incomplete, resets, closed, after_without_close, reconnects, refused;
  char first_problem[256];
};

static void *keepalive_run(void *arg) {
  struct keepalive *k = arg;
  struct raw_conn c;
  bool open = false;
  size_t len = strlen(k->request);
  while (now_s() < k->until) {
    if (!open) {
      if (raw_open(&c, k->base_url, NULL) != 0) {
        k->refused++;
        break; /* refused: the client goes elsewhere */
      }
      open = true;
      k->reconnects++;
    }
    double sent_at = now_s();
    if (raw_send(&c, k->request, len) != 0) {
      /* the server closed a connection it never said it would close */
      k->resets++;
      if (!k->first_problem[0])
        snprintf(k->first_problem, sizeof k->first_problem, "send failed on an open connection: %s", strerror(c.error));
      raw_close(&c);
      open = false;
      continue;
    }
    struct http_response r;
    if (raw_read(&c, k->request, len, 5000, &r) != 0) {
      if (c.have > 0)
        k->incomplete++;
      else if (c.eof && c.error != 0)
        k->resets++;
      else
        k->closed++; /* EOF without an answer: closed with the request unanswered */
      if (!k->first_problem[0])
        snprintf(k->first_problem, sizeof k->first_problem, "a request sent at SIGTERM %+.2f s: %s",
                 *k->sigterm > 0 ? sent_at - *k->sigterm : -99.0, http_last_error()); /* -99: before it */
      raw_close(&c);
      open = false;
      continue;
    }
    k->answered++;
    bool close_it = header_has(&r, "connection", "close");
    double sig = *k->sigterm, got = now_s();
    if (sig > 0 && got > sig + 0.1 && !close_it) {
      k->after_without_close++;
      if (!k->first_problem[0])
        snprintf(k->first_problem, sizeof k->first_problem,
                 "an answer %.2f s after SIGTERM (%ld, to a request sent at SIGTERM %+.2f s) without Connection: "
                 "close",
                 got - sig, r.status, sent_at - sig);
    }
    http_response_free(&r);
    if (close_it) {
      raw_close(&c);
      open = false;
    }
    sleep_ms(10); /* ~80 requests/s per client: enough in flight, a bounded exchange log */
  }
  if (open) raw_close(&c);
  return NULL;
}

/* (2) Eight keep-alive clients loop requests; then a lock holds each one's next request inside
 * the database (so every connection has a request the server has read), SIGTERM, and the lock
 * is released 300 ms later. Every request sent gets a complete answer (none is reset or closed
 * unanswered), every answer after SIGTERM carries Connection: close, and the clients, who
 * then reconnect, are refused.
 * Before the fix: the held requests were answered without Connection: close, the clients went
 * on on their keep-alive connections, and their requests were cut off at exit. */
START_TEST(sigterm_keepalive_clients) {
  char members[128];
  community_path(members, sizeof members, &fx.anna, "/members");
  struct server s;
  server_start(&s, NULL, 0);
  enum { CLIENTS = 8 };
  /* a login each: requests of one session would wait on its row rather than on the lock */
  http_set_base_url(s.base_url);
  char request[CLIENTS][2048];
  for (int i = 0; i < CLIENTS; i++) {
    char *tok = fixture_login(&fx.coordinator);
    snprintf(request[i], sizeof request[i], "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", members,
             tok);
    free(tok);
  }
  http_set_base_url(NULL);

  volatile double sigterm = 0;
  struct keepalive k[CLIENTS];
  pthread_t th[CLIENTS];
  double until = now_s() + 10.0;
  for (int i = 0; i < CLIENTS; i++) {
    k[i] = (struct keepalive){.base_url = s.base_url, .request = request[i], .sigterm = &sigterm, .until = until};
    ck_assert_int_eq(pthread_create(&th[i], NULL, keepalive_run, &k[i]), 0);
  }
  sleep_ms(1000);
  PGconn *owner = lock_table(NULL, "memberships");
  long held = lock_waiters(owner, "memberships", CLIENTS, 3000);
  sigterm = now_s();
  ck_assert_int_eq(kill(s.pid, SIGTERM), 0);
  sleep_ms(300);
  db_run(owner, "ROLLBACK");
  PQfinish(owner);
  int code = wait_exit(s.pid, 15000);
  double exited = now_s() - sigterm;
  if (code == -1) kill(s.pid, SIGKILL), (void)wait_exit(s.pid, 5000);
  s.pid = 0;
  for (int i = 0; i < CLIENTS; i++) ck_assert_int_eq(pthread_join(th[i], NULL), 0);

  int answered = 0, incomplete = 0, resets = 0, closed = 0, without_close = 0, refused = 0;
  const char *problem = NULL;
  for (int i = 0; i < CLIENTS; i++) {
    answered += k[i].answered;
    incomplete += k[i].incomplete;
    resets += k[i].resets;
    closed += k[i].closed;
    without_close += k[i].after_without_close;
    refused += k[i].refused;
    if (problem == NULL && k[i].first_problem[0]) problem = k[i].first_problem;
  }
  fprintf(stderr,
          "faults: SIGTERM with 8 keep-alive clients (%ld requests held at SIGTERM): %d answered, %d incomplete, %d "
          "reset, %d closed unanswered, %d answers after SIGTERM without Connection: close, %d clients refused, exit "
          "after %.2f s\n",
          held, answered, incomplete, resets, closed, without_close, refused, exited);
  ck_assert_msg(answered > 0, "no request was answered");
  ck_assert_msg(incomplete == 0 && resets == 0 && closed == 0,
                "requests sent on an open connection and not answered: %d incomplete, %d reset, %d closed without an "
                "answer (first: %s)",
                incomplete, resets, closed, problem ? problem : "");
  ck_assert_msg(without_close == 0, "%d answers after SIGTERM without Connection: close (first: %s)", without_close,
                problem ? problem : "");
  ck_assert_msg(code == 0, "exit code after SIGTERM: %d (-1: did not exit within 15 s)", code);
}
END_TEST

/* (3) The grace is enforced: NOABER_SHUTDOWN_GRACE_S=2 and a request held by a lock that is
 * never released. After SIGTERM the held request is answered 503 problem+json (with
 * Retry-After) and the process exits by itself within 5 s of SIGTERM (grace + 3 s).
 * Before the fix: the process waited for the statement (here its 20 s timeout) and the answer
 * was dropped ("empty reply"). */
START_TEST(sigterm_grace_cancels) {
  char members[128];
  community_path(members, sizeof members, &fx.anna, "/members");
  struct server s;
  const struct env_override ov[] = {{"NOABER_SHUTDOWN_GRACE_S", "2"}, {"NOABER_DB_STATEMENT_TIMEOUT_MS", "20000"}};
  server_start(&s, ov, 2);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&fx.coordinator);
  http_set_base_url(NULL);
  PGconn *owner = lock_table(NULL, "memberships");
  struct inflight f = {.path = members, .token = tok, .base_url = s.base_url, .timeout_ms = 25000};
  inflight_start(&f);
  ck_assert_msg(lock_waiters(owner, "memberships", 1, 5000) >= 1, "the request never waited for the lock");
  double t0 = now_s();
  ck_assert_int_eq(kill(s.pid, SIGTERM), 0);
  int code = wait_exit(s.pid, 5000);
  double exited = now_s() - t0;
  if (code == -1) {
    kill(s.pid, SIGKILL);
    (void)wait_exit(s.pid, 5000);
  }
  s.pid = 0;
  db_run(owner, "ROLLBACK"); /* only now: the server had to cancel on its own */
  PQfinish(owner);
  inflight_join(&f);
  free(tok);
  ck_assert_msg(code != -1, "the server still ran 5 s after SIGTERM with a 2 s grace");
  ck_assert_msg(f.rc == 0, "the held request got no answer: %s", http_last_error());
  ck_assert_msg(f.r.status == 503, "the held request at the grace: %ld: %.300s", f.r.status, f.r.body);
  assert_unavailable(&f.r);
  http_response_free(&f.r);
  ck_assert_msg(code >= 0 && code < 128, "exit code after SIGTERM: %d (after %.2f s)", code, exited);
}
END_TEST

/* ==== (i) pool wait seen by clients ==== */

/* A pool of 2 (NOABER_DB_POOL_WAIT_MS=200, default worker threads) under 64 client threads
 * (from 16 loopback addresses) doing authenticated list GETs for ~5 s. A request waiting for a database connection holds no
 * worker thread (it is suspended), so no request queues behind another's wait: each is answered
 * 200, or 503 once its own 200 ms pool wait has passed. We assert p99 <= 500 ms (the pool wait
 * plus the list query and the queueing of 64 closed-loop clients on 2 cores, with room for a
 * loaded CI machine) and no 5xx other than 503, and print what was measured.
 * Before the fix: this passes on a quiet machine (p99 ~140-270 ms here, no 503): the list query
 * is too quick for the pool to run dry often; the issue saw ~0.9 s under heavier load. */
START_TEST(pool_wait_bounded) {
  char members[128];
  community_path(members, sizeof members, &fx.anna, "/members");
  struct server s;
  const struct env_override ov[] = {{"NOABER_DB_POOL_SIZE", "2"}, {"NOABER_DB_POOL_WAIT_MS", "200"}};
  server_start(&s, ov, 2);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&fx.coordinator);
  http_set_base_url(NULL);

  enum { CLIENTS = 64, MAX = 400 };
  /* 64 clients from 16 addresses: one address with 64 clients, each opening a new connection
   * per request, trips the per-address limit of 64 (a closed connection counts until the
   * server has seen it close), which is not what this test is about */
  static const char *const sources[16] = {
      "127.0.1.1", "127.0.1.2",  "127.0.1.3",  "127.0.1.4",  "127.0.1.5",  "127.0.1.6",  "127.0.1.7",  "127.0.1.8",
      "127.0.1.9", "127.0.1.10", "127.0.1.11", "127.0.1.12", "127.0.1.13", "127.0.1.14", "127.0.1.15", "127.0.1.16"};
  volatile bool never = false;
  struct looper *l = calloc(CLIENTS, sizeof *l);
  pthread_t th[CLIENTS];
  ck_assert_ptr_nonnull(l);
  double until = now_s() + 5.0;
  for (int i = 0; i < CLIENTS; i++) {
    looper_init(&l[i], s.base_url, members, tok, MAX, &never);
    l[i].source_ip = sources[i % 16];
    l[i].until = until;
    ck_assert_int_eq(pthread_create(&th[i], NULL, looper_run, &l[i]), 0);
  }
  for (int i = 0; i < CLIENTS; i++) ck_assert_int_eq(pthread_join(th[i], NULL), 0);
  free(tok);

  size_t total = 0;
  for (int i = 0; i < CLIENTS; i++) total += (size_t)l[i].n;
  double *lat = calloc(total + 1, sizeof *lat);
  ck_assert_ptr_nonnull(lat);
  size_t n = 0;
  int ok = 0, unavailable = 0, errors = 0, other = 0;
  long other_status = 0;
  const char *first_error = NULL;
  for (int i = 0; i < CLIENTS; i++) {
    for (int k = 0; k < l[i].n; k++) {
      const struct sample *x = &l[i].samples[k];
      lat[n++] = x->t1 - x->t0;
      if (x->status == 200)
        ok++;
      else if (x->status == 503)
        unavailable++;
      else if (x->status == 0)
        errors++;
      else {
        other++;
        other_status = x->status;
      }
    }
    if (first_error == NULL && l[i].first_error[0]) first_error = l[i].first_error;
  }
  double p50 = percentile(lat, n, 50), p99 = percentile(lat, n, 99), max = percentile(lat, n, 100);
  fprintf(stderr,
          "faults: pool of 2, 64 clients: %zu requests, %d 200, %d 503, %d errors; p50 %.0f ms, p99 %.0f ms, max %.0f "
          "ms\n",
          n, ok, unavailable, errors, p50 * 1000, p99 * 1000, max * 1000);
  for (int i = 0; i < CLIENTS; i++) free(l[i].samples);
  free(l);
  free(lat);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
  ck_assert_msg(errors == 0, "%d requests without an answer (first: %s)", errors, first_error ? first_error : "");
  ck_assert_msg(other == 0, "%d answers neither 200 nor 503 (e.g. %ld)", other, other_status);
  ck_assert_msg(ok > 0, "no request answered 200");
  ck_assert_msg(p99 <= 0.500, "clients' p99 %.0f ms (p50 %.0f ms, %zu requests) with a pool of 2 and 64 clients",
                p99 * 1000, p50 * 1000, n);
}
END_TEST

/* i2. Every database connection stuck (both of a pool of 2 held behind a lock), and 48 clients
 * at once: each must hear 503 about the pool's wait (300 ms) after it asked, not several waits
 * later. Before the fix a request waited for the pool inside its worker thread, and the
 * requests that libmicrohttpd had given to the same thread waited behind it, one 300 ms wait
 * after another (48 requests on 14 free threads: p99 about 1.2 s). Now a waiting request is
 * suspended and holds no thread. /healthz is answered meanwhile. */
START_TEST(pool_wait_bounded_when_stuck) {
  char members[128];
  community_path(members, sizeof members, &fx.anna, "/members");
  struct server s;
  const struct env_override ov[] = {{"NOABER_DB_POOL_SIZE", "2"}, {"NOABER_DB_POOL_WAIT_MS", "300"}};
  server_start(&s, ov, 2);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&fx.coordinator);
  http_set_base_url(NULL);
  PGconn *owner = lock_table(NULL, "memberships");
  struct inflight held[2];
  memset(held, 0, sizeof held);
  /* One after the other: a request running a statement holds its worker thread, and the second
   * connection must not be given to that thread (it would wait behind it, not in the database). */
  for (int i = 0; i < 2; i++) {
    held[i] = (struct inflight){.path = members, .token = tok, .base_url = s.base_url};
    inflight_start(&held[i]);
    ck_assert_msg(lock_waiters(owner, "memberships", i + 1, 5000) >= i + 1, "held request %d never waited for the lock",
                  i + 1);
  }

  enum { CLIENTS = 48 };
  struct inflight *f = calloc(CLIENTS, sizeof *f);
  ck_assert_ptr_nonnull(f);
  for (int i = 0; i < CLIENTS; i++) {
    f[i] = (struct inflight){.path = members, .token = tok, .base_url = s.base_url, .timeout_ms = 10000};
    inflight_start(&f[i]);
  }
  struct http_request hreq = {.method = "GET", .path = "/healthz", .base_url = s.base_url, .timeout_ms = 2000};
  struct http_response h;
  int hrc = http_send(&hreq, &h);
  double lat[CLIENTS];
  int unavailable = 0, other = 0;
  for (int i = 0; i < CLIENTS; i++) {
    inflight_join(&f[i]);
    lat[i] = f[i].ended_s - f[i].started_s;
    if (f[i].rc == 0 && f[i].r.status == 503) {
      assert_unavailable(&f[i].r);
      unavailable++;
    } else {
      other++;
    }
    http_response_free(&f[i].r);
  }
  free(f);
  db_run(owner, "ROLLBACK");
  PQfinish(owner);
  long held_status[2];
  for (int i = 0; i < 2; i++) {
    inflight_join(&held[i]);
    held_status[i] = held[i].rc == 0 ? held[i].r.status : 0;
    http_response_free(&held[i].r);
  }
  free(tok);
  double p50 = percentile(lat, CLIENTS, 50), p99 = percentile(lat, CLIENTS, 99);
  fprintf(stderr, "faults: pool of 2 stuck, %d clients: %d answered 503; p50 %.0f ms, p99 %.0f ms\n", CLIENTS,
          unavailable, p50 * 1000, p99 * 1000);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
  ck_assert_msg(hrc == 0 && h.status == 200, "/healthz while every database connection is stuck: %ld", h.status);
  http_response_free(&h);
  ck_assert_msg(other == 0, "%d of %d clients got no 503 while the pool was stuck", other, CLIENTS);
  ck_assert_msg(p99 <= 0.75, "clients' p99 %.0f ms (p50 %.0f ms) for a pool wait of 300 ms", p99 * 1000, p50 * 1000);
  for (int i = 0; i < 2; i++)
    ck_assert_msg(held_status[i] == 200, "a held request after the lock: %ld", held_status[i]);
}
END_TEST

/* Runs in the runner process whatever happened: no PostgreSQL of this suite outlives it. */
static void stop_faults_cluster(void) { outage_cluster_teardown(FAULTS_CLUSTER); }

Suite *faults_suite(void) {
  Suite *s = suite_create("faults");
  TCase *tc = tcase_create("database-restart");
  tcase_set_timeout(tc, 120);
  tcase_add_unchecked_fixture(tc, NULL, stop_faults_cluster);
  tcase_add_test(tc, pg_restart_low_traffic);
  tcase_add_test(tc, pg_restart_under_load);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("database-timeouts", 60);
  tcase_add_test(tc, statement_timeout_503);
  tcase_add_test(tc, pool_wait_bounded);
  tcase_add_test(tc, pool_wait_bounded_when_stuck);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("slow-clients", 60);
  tcase_add_test(tc, slowloris_headers_408);
  tcase_add_test(tc, slow_body_408);
  tcase_add_test(tc, slowloris_default_settings);
  tcase_add_test(tc, per_address_limit_default);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("shutdown", 60);
  tcase_add_test(tc, sigterm_refuses_new_connections);
  tcase_add_test(tc, sigterm_keepalive_clients);
  tcase_add_test(tc, sigterm_grace_cancels);
  suite_add_tcase(s, tc);
  return s;
}
