/* Child processes for the resilience tests: extra server instances, bad-configuration runs,
 * and helper commands (scripts/pg-cluster.sh).
 *
 * Children get PR_SET_PDEATHSIG(SIGKILL), so a test process that dies on a failed assertion
 * does not leave servers behind. Nothing here allocates memory the caller has to free.
 */
#ifndef NOABER_TEST_PROC_H
#define NOABER_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* An environment override: value NULL removes the variable. */
struct env_override {
  const char *name;
  const char *value;
};

/* A free TCP port on 127.0.0.1 (bound and released). Fails the test on error. */
int free_port(void);

/* Starts argv[0] (a path) with the current environment plus overrides, stdout and stderr
 * appended to out_path (NULL: /dev/null). Returns the pid; fails the test on error. */
pid_t spawn(const char *const argv[], const struct env_override *ov, size_t n_ov, const char *out_path);

/* Waits up to timeout_ms for pid. Returns the exit code, 128+signal when it was killed by a
 * signal, or -1 on timeout (the process is still running). */
int wait_exit(pid_t pid, int timeout_ms);

/* Runs a command to completion (at most timeout_ms, then SIGKILL). Returns as wait_exit. */
int run_command(const char *const argv[], int timeout_ms, const char *out_path);

struct server {
  pid_t pid;
  int port;
  char base_url[64];
  char log_path[512];
};

/* Starts "$NOABER_BIN serve" on a free port with the current environment plus overrides
 * (NOABER_PORT is set here) and waits up to 20 s for GET /healthz to answer 200. */
void server_start(struct server *s, const struct env_override *ov, size_t n_ov);

/* Sends sig, waits up to timeout_ms for exit and returns the exit code as wait_exit (after a
 * timeout it kills with SIGKILL and returns -1). Safe when the server already stopped. */
int server_stop(struct server *s, int sig, int timeout_ms);

/* True while the process exists and has not exited. */
bool process_alive(pid_t pid);

/* Path for a per-test file in NOABER_TEST_TMPDIR (or /tmp): "<dir>/<name>-<pid>-<n>.log". */
void temp_path(char *buf, size_t len, const char *name);

/* Reads a whole small file into buf (NUL-terminated, truncated to len-1). Returns bytes. */
size_t read_file_text(const char *path, char *buf, size_t len);

#endif
