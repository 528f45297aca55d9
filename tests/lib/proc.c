#include "proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "http.h"
#include "support.h"

extern char **environ;

int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  int ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0;
  close(fd);
  ck_assert_msg(ok, "cannot find a free port: %s", strerror(errno));
  return ntohs(sa.sin_port);
}

/* Builds the child's environment in the child (after fork, before exec); leaks nothing
 * because exec replaces the image. */
static char **child_env(const struct env_override *ov, size_t n_ov) {
  size_t n = 0;
  while (environ[n] != NULL) n++;
  char **env = calloc(n + n_ov + 1, sizeof *env);
  if (env == NULL) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    bool overridden = false;
    for (size_t j = 0; j < n_ov; j++) {
      size_t l = strlen(ov[j].name);
      if (strncmp(environ[i], ov[j].name, l) == 0 && environ[i][l] == '=') overridden = true;
    }
    if (!overridden) env[k++] = environ[i];
  }
  for (size_t j = 0; j < n_ov; j++) {
    if (ov[j].value == NULL) continue;
    size_t l = strlen(ov[j].name) + strlen(ov[j].value) + 2;
    char *kv = malloc(l);
    if (kv == NULL) return NULL;
    snprintf(kv, l, "%s=%s", ov[j].name, ov[j].value);
    env[k++] = kv;
  }
  env[k] = NULL;
  return env;
}

pid_t spawn(const char *const argv[], const struct env_override *ov, size_t n_ov, const char *out_path) {
  pid_t parent = getpid();
  pid_t pid = fork();
  ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(126);
    int fd = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
    int devnull = open("/dev/null", O_RDONLY);
    if (fd < 0 || devnull < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || dup2(devnull, 0) < 0) _exit(126);
    char **env = child_env(ov, n_ov);
    if (env == NULL) _exit(126);
    char *args[32];
    size_t n = 0;
    while (n < 31 && argv[n] != NULL) n++;
    memcpy(args, argv, n * sizeof *args); /* execve wants non-const pointers */
    args[n] = NULL;
    execve(args[0], args, env);
    _exit(127);
  }
  return pid;
}

bool process_alive(pid_t pid) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  /* WNOWAIT: look without reaping, so wait_exit() still gets the exit code */
  if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid == 0;
}

int wait_exit(pid_t pid, int timeout_ms) {
  for (int waited = 0;; waited += 10) {
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(st)) return WEXITSTATUS(st);
      if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    }
    if (r < 0 && errno != EINTR) return -2;
    if (waited >= timeout_ms) return -1;
    sleep_ms(10);
  }
}

int run_command(const char *const argv[], int timeout_ms, const char *out_path) {
  pid_t pid = spawn(argv, NULL, 0, out_path);
  int rc = wait_exit(pid, timeout_ms);
  if (rc == -1) {
    kill(pid, SIGKILL);
    (void)wait_exit(pid, 5000);
  }
  return rc;
}

void temp_path(char *buf, size_t len, const char *name) {
  static unsigned n;
  const char *dir = getenv("NOABER_TEST_TMPDIR");
  snprintf(buf, len, "%s/%s-%ld-%u.log", dir && dir[0] ? dir : "/tmp", name, (long)getpid(), ++n);
}

size_t read_file_text(const char *path, char *buf, size_t len) {
  FILE *f = fopen(path, "r");
  size_t n = 0;
  if (f != NULL) {
    n = fread(buf, 1, len - 1, f);
    fclose(f);
  }
  buf[n] = '\0';
  return n;
}

void server_start(struct server *s, const struct env_override *ov, size_t n_ov) {
  const char *bin = env_required("NOABER_BIN");
  memset(s, 0, sizeof *s);
  s->port = free_port();
  char port[16];
  snprintf(port, sizeof port, "%d", s->port);
  snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%d", s->port);
  temp_path(s->log_path, sizeof s->log_path, "server");
  struct env_override all[32];
  ck_assert(n_ov < 31);
  for (size_t i = 0; i < n_ov; i++) all[i] = ov[i];
  all[n_ov] = (struct env_override){"NOABER_PORT", port};
  const char *argv[] = {bin, "serve", NULL};
  s->pid = spawn(argv, all, n_ov + 1, s->log_path);
  for (int i = 0; i < 400; i++) {
    if (!process_alive(s->pid)) {
      s->pid = 0;
      ck_abort_msg("extra server exited during start-up; log %s", s->log_path);
    }
    struct http_request req = {
        .method = "GET",
        .path = "/healthz",
        .base_url = s->base_url,
        .timeout_ms = 1000,
    };
    struct http_response r;
    if (http_send(&req, &r) == 0) {
      long st = r.status;
      http_response_free(&r);
      if (st == 200) return;
    }
    sleep_ms(50);
  }
  kill(s->pid, SIGKILL);
  (void)wait_exit(s->pid, 5000);
  s->pid = 0;
  ck_abort_msg("extra server did not answer /healthz within 20 s; log %s", s->log_path);
}

int server_stop(struct server *s, int sig, int timeout_ms) {
  if (s->pid <= 0) return -3;
  kill(s->pid, sig);
  int rc = wait_exit(s->pid, timeout_ms);
  if (rc == -1) {
    kill(s->pid, SIGKILL);
    (void)wait_exit(s->pid, 5000);
  }
  s->pid = 0;
  return rc;
}
