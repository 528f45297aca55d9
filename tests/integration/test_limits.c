/* Start-up refusals and connection limits: the server will not serve a database whose
 * migrations were altered or are unknown to it; a slow client is cut off by the connection
 * timeout; connections beyond the cap are refused. Each test starts its own instance. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "db.h"
#include "http.h"
#include "proc.h"
#include "suites.h"
#include "support.h"

/* Run "noaber serve" against the test database; return its exit code (-1: still running
 * after 15 s, then killed) and its output in text. */
static int serve_exit_code(char *text, size_t len) {
  char port[16], out[512];
  snprintf(port, sizeof port, "%d", free_port());
  struct env_override ov[1] = {{"NOABER_PORT", port}};
  temp_path(out, sizeof out, "migrations");
  const char *argv[] = {env_required("NOABER_BIN"), "serve", NULL};
  pid_t pid = spawn(argv, ov, 1, out);
  int rc = wait_exit(pid, 15000);
  if (rc == -1) {
    kill(pid, SIGKILL);
    (void)wait_exit(pid, 5000);
  }
  read_file_text(out, text, len);
  unlink(out);
  return rc;
}

START_TEST(refuses_an_altered_migration) {
  PGconn *owner = db_connect(env_required("NOABER_TEST_OWNER_DSN"));
  db_run(owner, "UPDATE schema_migrations SET checksum = 'altered-' || checksum WHERE version = 1");
  char text[2048];
  int rc = serve_exit_code(text, sizeof text);
  /* restore before asserting, so a failure here leaves the database as it was */
  db_run(owner,
         "UPDATE schema_migrations SET checksum = substr(checksum, 9) WHERE version = 1 "
         "AND checksum LIKE 'altered-%'");
  PQfinish(owner);
  ck_assert_msg(rc == 2, "exit code %d, output: %s", rc, text);
  ck_assert_msg(strstr(text, "unknown or altered migration") != NULL, "output: %s", text);
}
END_TEST

START_TEST(refuses_an_unknown_migration) {
  PGconn *owner = db_connect(env_required("NOABER_TEST_OWNER_DSN"));
  db_run(owner, "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future.sql', 'x')");
  char text[2048];
  int rc = serve_exit_code(text, sizeof text);
  db_run(owner, "DELETE FROM schema_migrations WHERE version = 9999");
  PQfinish(owner);
  ck_assert_msg(rc == 2, "exit code %d, output: %s", rc, text);
  ck_assert_msg(strstr(text, "unknown or altered migration") != NULL, "output: %s", text);
}
END_TEST

/* A TCP connection to the instance, with a receive timeout. */
static int connect_to(int port, int recv_timeout_s) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  struct timeval tv = {.tv_sec = recv_timeout_s, .tv_usec = 0};
  ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  return fd;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

START_TEST(slow_client_is_cut_off) {
  struct server s;
  const struct env_override ov[] = {{"NOABER_CONNECTION_TIMEOUT_S", "1"}};
  server_start(&s, ov, 1);
  int fd = connect_to(s.port, 8);
  /* half a request, then nothing: a slow client holding a connection */
  const char *partial = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  ck_assert_int_eq((int)send(fd, partial, strlen(partial), 0), (int)strlen(partial));
  double started = now_s();
  char buf[256];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  double waited = now_s() - started;
  close(fd);
  int rc = server_stop(&s, SIGTERM, 15000);
  ck_assert_msg(n == 0, "expected the server to close the connection, recv gave %zd", n);
  ck_assert_msg(waited < 5.0, "closed only after %.1f s", waited);
  ck_assert_int_eq(rc, 0);
}
END_TEST

START_TEST(connections_beyond_the_cap_are_refused) {
  struct server s;
  const struct env_override ov[] = {{"NOABER_MAX_CONNECTIONS", "2"}, {"NOABER_HTTP_THREADS", "1"}};
  server_start(&s, ov, 2);
  int held[2] = {connect_to(s.port, 3), connect_to(s.port, 3)};
  usleep(300 * 1000); /* let the server accept both */
  int extra = connect_to(s.port, 3);
  const char *request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)send(extra, request, strlen(request), MSG_NOSIGNAL);
  char buf[512];
  ssize_t n = recv(extra, buf, sizeof buf - 1, 0);
  close(extra);
  /* with the two held connections gone, a new one is served again */
  close(held[0]);
  close(held[1]);
  usleep(300 * 1000);
  int again = connect_to(s.port, 3);
  ck_assert_int_eq((int)send(again, request, strlen(request), MSG_NOSIGNAL), (int)strlen(request));
  char reply[512];
  ssize_t m = recv(again, reply, sizeof reply - 1, 0);
  close(again);
  int rc = server_stop(&s, SIGTERM, 15000);
  ck_assert_msg(n <= 0, "the third connection was served: %.*s", (int)(n > 0 ? n : 0), buf);
  ck_assert_msg(m > 12 && strncmp(reply, "HTTP/1.1 200", 12) == 0, "after the cap freed up: %zd bytes", m);
  ck_assert_int_eq(rc, 0);
}
END_TEST

Suite *limits_suite(void) {
  Suite *s = suite_create("limits");
  TCase *tc = tcase_create("limits");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, refuses_an_altered_migration);
  tcase_add_test(tc, refuses_an_unknown_migration);
  tcase_add_test(tc, slow_client_is_cut_off);
  tcase_add_test(tc, connections_beyond_the_cap_are_refused);
  suite_add_tcase(s, tc);
  return s;
}
