/* Resilience: bad configuration, pool exhaustion, graceful shutdown, per-address login limit
 * and a database outage. These start their own server instances ($NOABER_BIN serve with the
 * runner's environment plus overrides) and always stop them. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---- (a) bad configuration: exit code 2 and one line naming the variable ---- */

static void expect_config_error(const char *var, const char *value) {
  const char *bin = env_required("NOABER_BIN");
  char port[16];
  snprintf(port, sizeof port, "%d", free_port());
  struct env_override ov[2] = {{"NOABER_PORT", port}, {var, value}};
  size_t n = strcmp(var, "NOABER_PORT") == 0 ? 0 : 1;
  ov[n] = (struct env_override){var, value};
  char out[512];
  temp_path(out, sizeof out, "badconfig");
  const char *argv[] = {bin, "serve", NULL};
  pid_t pid = spawn(argv, ov, n + 1, out);
  int rc = wait_exit(pid, 10000);
  if (rc == -1) {
    kill(pid, SIGKILL);
    (void)wait_exit(pid, 5000);
  }
  char text[4096];
  read_file_text(out, text, sizeof text);
  unlink(out);
  ck_assert_msg(rc == 2, "%s=%s: exit code %d (-1: still running), output: %s", var, value ? value : "(unset)", rc,
                text);
  int lines = 0;
  for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
    if (line[strspn(line, " \t\r")] != '\0') {
      lines++;
      ck_assert_msg(strstr(line, var) != NULL, "line does not name %s: %s", var, line);
    }
  ck_assert_msg(lines == 1, "%s: expected one line of output, got %d", var, lines);
}

START_TEST(config_bad_port) {
  expect_config_error("NOABER_PORT", "abc");
  expect_config_error("NOABER_PORT", "70000");
}
END_TEST

START_TEST(config_pool_size_zero) { expect_config_error("NOABER_DB_POOL_SIZE", "0"); }
END_TEST

START_TEST(config_jwt_keys_empty) { expect_config_error("NOABER_JWT_KEYS", ""); }
END_TEST

START_TEST(config_jwt_key_short) {
  expect_config_error("NOABER_JWT_KEYS", "k1:c2hvcnQta2V5"); /* "short-key", 9 bytes */
}
END_TEST

START_TEST(config_database_url_unset) { expect_config_error("DATABASE_URL", NULL); }
END_TEST

/* ---- (b) pool exhaustion ---- */

START_TEST(pool_exhaustion_503) {
  char members[128];
  community_path(members, sizeof members, &fx.anna, "/members");
  struct server s;
  const struct env_override ov[] = {{"NOABER_DB_POOL_SIZE", "1"}, {"NOABER_DB_POOL_WAIT_MS", "200"}};
  server_start(&s, ov, 2);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&fx.coordinator);
  PGconn *owner = lock_table(NULL, "memberships");
  struct inflight f = {.token = tok, .path = members};
  inflight_start(&f);
  wait_for_lock_waiter(owner, "memberships");

  struct http_request req = {.method = "GET", .path = members, .bearer = tok, .timeout_ms = 5000};
  struct http_response r;
  int rc = http_send(&req, &r);
  struct http_response h;
  int hrc = http_send(&(struct http_request){.method = "GET", .path = "/healthz", .timeout_ms = 2000}, &h);
  db_run(owner, "ROLLBACK");
  inflight_join(&f);
  PQfinish(owner);

  ck_assert_msg(rc == 0, "second request: %s", http_last_error());
  assert_problem(&r, 503, "unavailable");
  const char *ra = http_header(&r, "retry-after");
  ck_assert_msg(ra && atol(ra) > 0, "Retry-After %s", ra ? ra : "(none)");
  ck_assert_msg(r.elapsed_s < 1.5, "503 took %.2f s", r.elapsed_s);
  http_response_free(&r);
  ck_assert_msg(hrc == 0 && h.status == 200, "/healthz while the pool is exhausted");
  http_response_free(&h);
  ck_assert_msg(f.rc == 0, "held request: %s", http_last_error());
  assert_status(&f.r, 200); /* the held request completes once the lock is gone */
  http_response_free(&f.r);

  http_get(&r, members, tok); /* and the pool works again */
  assert_status(&r, 200);
  http_response_free(&r);
  http_set_base_url(NULL);
  free(tok);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
}
END_TEST

/* ---- (d) SIGTERM while a request is in flight ---- */

START_TEST(sigterm_drains_inflight_request) {
  char members[128];
  community_path(members, sizeof members, &fx.anna, "/members");
  struct server s;
  server_start(&s, NULL, 0);
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&fx.coordinator);
  PGconn *owner = lock_table(NULL, "memberships");
  struct inflight f = {.token = tok, .path = members};
  inflight_start(&f);
  wait_for_lock_waiter(owner, "memberships");
  ck_assert_int_eq(kill(s.pid, SIGTERM), 0);
  sleep_ms(300);
  bool alive = process_alive(s.pid);
  db_run(owner, "ROLLBACK");
  inflight_join(&f);
  PQfinish(owner);
  int code = wait_exit(s.pid, 15000);
  if (code == -1) kill(s.pid, SIGKILL);
  s.pid = 0;
  ck_assert_msg(alive, "server exited before its in-flight request finished");
  ck_assert_msg(f.rc == 0, "in-flight request failed: %s", http_last_error());
  assert_status(&f.r, 200);
  http_response_free(&f.r);
  ck_assert_msg(code == 0, "exit code after SIGTERM: %d (-1: did not exit)", code);
  http_set_base_url(NULL);
  free(tok);
}
END_TEST

/* ---- (e) failed logins per address ---- */

START_TEST(login_limit_per_address) {
  struct server s;
  const struct env_override ov[] = {{"NOABER_LOGIN_IP_MAX_FAILURES", "3"}};
  server_start(&s, ov, 1);
  /* a loopback source address of our own, so no other test's failures count */
  char src[32];
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  snprintf(src, sizeof src, "127.%d.%d.%d", 10 + rand() % 200, rand() % 250, 1 + rand() % 250);
  for (int i = 0; i <= 3; i++) {
    char *email = unique_email("addr-limit");
    json_t *body = json_pack("{s:s, s:s}", "email", email, "password", "wrong-password-1");
    struct http_request req = {
        .method = "POST", .path = "/v1/auth/login", .base_url = s.base_url, .json = body, .source_ip = src};
    struct http_response r;
    int rc = http_send(&req, &r);
    json_decref(body);
    free(email);
    ck_assert_msg(rc == 0, "%s", http_last_error());
    if (i < 3) {
      assert_problem(&r, 401, "unauthenticated");
    } else {
      assert_problem(&r, 429, "too-many-requests");
      const char *ra = http_header(&r, "retry-after");
      ck_assert_msg(ra && atol(ra) > 0, "Retry-After %s", ra ? ra : "(none)");
    }
    http_response_free(&r);
  }
  /* another address is not affected */
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&fx.volunteer1);
  free(tok);
  http_set_base_url(NULL);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
}
END_TEST

/* ---- (c) database down and back, on a cluster of its own ---- */

/* The outage stops and starts a PostgreSQL cluster of its own in NOABER_TEST_TMPDIR, never the
 * one the other suites and the runner's server use: it cannot affect them, so it runs at any
 * point and alone. (Until the suites stood alone it stopped the shared cluster and had to run
 * last.) */
#define OUTAGE_CLUSTER "outage-pg"

START_TEST(database_down_then_back) {
  struct outage_cluster pg;
  outage_cluster_start(&pg, OUTAGE_CLUSTER);
  const struct fixture f = pg.fx;
  const struct env_override *ov = pg.ov;
  char members[128];
  community_path(members, sizeof members, &f.anna, "/members");

  /* two servers: one to watch during the outage, one whose warm pool must recover too */
  struct server s, other;
  server_start(&s, ov, 2);
  server_start(&other, ov, 2);
  struct http_response r;
  http_set_base_url(other.base_url);
  char *other_tok = fixture_login(&f.coordinator);
  for (int i = 0; i < 4; i++) {
    http_get(&r, members, other_tok);
    assert_status(&r, 200);
    http_response_free(&r);
  }
  http_set_base_url(s.base_url);
  char *tok = fixture_login(&f.coordinator);
  http_get(&r, members, tok); /* the pool has live connections */
  assert_status(&r, 200);
  http_response_free(&r);

  ck_assert_int_eq(outage_cluster_ctl(&pg, "stop"), 0);

  struct http_request req = {.method = "GET", .path = members, .bearer = tok, .timeout_ms = 15000};
  ck_assert_msg(http_send(&req, &r) == 0, "request with the database down: %s", http_last_error());
  assert_problem(&r, 503, "unavailable");
  ck_assert_ptr_nonnull(http_header(&r, "retry-after"));
  ck_assert_msg(r.elapsed_s < 5.0, "503 took %.2f s", r.elapsed_s);
  http_response_free(&r);

  http_get(&r, "/readyz", NULL);
  assert_problem(&r, 503, "unavailable");
  http_response_free(&r);
  http_get(&r, "/healthz", NULL);
  assert_status(&r, 200);
  http_response_free(&r);
  ck_assert(process_alive(s.pid));

  ck_assert_int_eq(outage_cluster_ctl(&pg, "start"), 0);

  ck_assert_int_eq(poll_status(s.base_url, members, tok, 200, 10000), 200);
  ck_assert_int_eq(poll_status(s.base_url, "/readyz", NULL, 200, 10000), 200);
  /* the other server recovers as well */
  ck_assert_int_eq(poll_status(other.base_url, members, other_tok, 200, 10000), 200);
  ck_assert_int_eq(poll_status(other.base_url, "/readyz", NULL, 200, 10000), 200);
  http_set_base_url(NULL);
  free(tok);
  free(other_tok);
  ck_assert_int_eq(server_stop(&s, SIGTERM, 15000), 0);
  ck_assert_int_eq(server_stop(&other, SIGTERM, 15000), 0);
}
END_TEST

/* Runs in the runner process (unchecked fixture), whatever happened in the test: the outage
 * cluster is stopped, so no PostgreSQL of this suite outlives the run. */
static void stop_outage_cluster(void) { outage_cluster_teardown(OUTAGE_CLUSTER); }

Suite *resilience_suite(void) {
  Suite *s = suite_create("resilience");
  TCase *tc = tcase_create("configuration");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, config_bad_port);
  tcase_add_test(tc, config_pool_size_zero);
  tcase_add_test(tc, config_jwt_keys_empty);
  tcase_add_test(tc, config_jwt_key_short);
  tcase_add_test(tc, config_database_url_unset);
  suite_add_tcase(s, tc);

  tc = fixture_tcase("load", 90);
  tcase_add_test(tc, pool_exhaustion_503);
  tcase_add_test(tc, sigterm_drains_inflight_request);
  tcase_add_test(tc, login_limit_per_address);
  suite_add_tcase(s, tc);

  tc = tcase_create("database-outage");
  tcase_set_timeout(tc, 180);
  tcase_add_unchecked_fixture(tc, NULL, stop_outage_cluster);
  tcase_add_test(tc, database_down_then_back);
  suite_add_tcase(s, tc);
  return s;
}
