/* Every client connection, watched: deadlines for slow clients, and requests suspended while
 * they wait for a database connection. See connections.h. */
#include "connections.h"

#include <orcania.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../src/db/db.h"
#include "../src/support/log.h"
#include "headers.h"
#include "http.h"
#include "metrics.h"
#include "routes.h"

#define WATCHDOG_PERIOD_MS 100

enum phase {
  AWAITING_HEADERS, /* the request line and headers are due by `deadline` */
  READING_BODY,     /* the body is due by `deadline`, which each byte moves on */
  WAITING_FOR_DB,   /* suspended until a database connection is free, at most until `deadline` */
  ANSWERING,        /* the request is in the hands of the handler: no deadline */
  TIMED_OUT,        /* answered 408 here: libmicrohttpd is to close it */
};

/* One per connection, from libmicrohttpd's STARTED notification to its CLOSED one (which comes
 * before it closes the socket). Owned by the registry; every member is guarded by watch.lock. */
struct watched {
  struct watched *prev, *next; /* the registry */
  struct watched *next_waiter; /* the queue of WAITING_FOR_DB connections */
  struct MHD_Connection *connection;
  int fd;
  enum phase phase;
  double deadline;   /* monotonic seconds */
  double body_since; /* when the body's time started */
  size_t body_bytes;
  int waited;    /* this request has been suspended for the database before */
  int wait_over; /* resumed after the pool's wait (or at shutdown): answer 503 */
  int suspended; /* in the waiters' queue, suspended */
};

static struct {
  pthread_mutex_t lock;
  struct watched *head;                        /* the registry */
  struct watched *waiters_head, *waiters_tail; /* FIFO of suspended connections */
  struct connection_limits limits;
  pthread_t watchdog;
  int watchdog_running;
  int stopping;  /* connections_stop(): the watchdog ends */
  int giving_up; /* connections_give_up_waiting(): nobody waits any more */
} watch = {.lock = PTHREAD_MUTEX_INITIALIZER};

static atomic_int draining;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct watched *watched_of(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info != NULL ? info->socket_context : NULL;
}

/* ---- the waiters' queue (watch.lock held) ---- */

static void waiter_push(struct watched *w, int at_front) {
  w->next_waiter = NULL;
  if (watch.waiters_head == NULL) {
    watch.waiters_head = watch.waiters_tail = w;
  } else if (at_front) {
    w->next_waiter = watch.waiters_head;
    watch.waiters_head = w;
  } else {
    watch.waiters_tail->next_waiter = w;
    watch.waiters_tail = w;
  }
  w->suspended = 1;
}

static void waiter_remove(struct watched *w) {
  struct watched **link = &watch.waiters_head;
  struct watched *before = NULL;
  while (*link != NULL && *link != w) {
    before = *link;
    link = &(*link)->next_waiter;
  }
  if (*link == NULL) return;
  *link = w->next_waiter;
  if (watch.waiters_tail == w) watch.waiters_tail = before;
  w->next_waiter = NULL;
  w->suspended = 0;
}

/* ---- the 408 ---- */

/* The whole 408 answer as HTTP bytes, or NULL out of memory (caller o_free()s). The watchdog
 * writes it itself: libmicrohttpd queues responses only from the connection's own thread, and
 * a connection that is still reading has none running. */
static char *timeout_answer(const char *detail) {
  char request_id[40];
  header_request_id_new(request_id, sizeof request_id);
  json_t *problem = problem_new(408, detail, NULL, request_id, NULL);
  char *body = problem != NULL ? json_dumps(problem, JSON_COMPACT) : NULL;
  json_decref(problem);
  if (body == NULL) return NULL;
  char *text = msprintf(
      "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\nContent-Length: %zu\r\n"
      "Connection: close\r\nX-Request-Id: %s\r\n",
      strlen(body), request_id);
  for (size_t i = 0; text != NULL && i < header_every_response_count; i++)
    text = mstrcatf(text, "%s: %s\r\n", header_every_response[i].name, header_every_response[i].value);
  if (text != NULL) text = mstrcatf(text, "\r\n%s", body);
  free(body);
  return text;
}

/* Answer 408 and end the connection (watch.lock held, so libmicrohttpd cannot close the socket
 * meanwhile: its CLOSED notification waits for the lock). Shutting the socket down wakes its
 * worker, which reads the end of input and closes the connection. */
static void time_out(struct watched *w, const char *stage, const char *detail) {
  char *answer = timeout_answer(detail);
  if (answer != NULL) (void)send(w->fd, answer, strlen(answer), MSG_NOSIGNAL | MSG_DONTWAIT);
  o_free(answer);
  (void)shutdown(w->fd, SHUT_RDWR);
  w->phase = TIMED_OUT;
  metrics_record(api_route_count + 1, 408, 0);
  log_event(LOG_INFO, NULL, "request_timed_out", json_pack("{s:s}", "stage", stage));
}

/* ---- the watchdog ---- */

static void *watchdog_run(void *unused) {
  (void)unused;
  for (;;) {
    struct timespec pause = {0, WATCHDOG_PERIOD_MS * 1000L * 1000L};
    nanosleep(&pause, NULL);
    double now = now_s();
    struct watched *resume = NULL; /* waiters whose wait is over, linked by next_waiter */
    pthread_mutex_lock(&watch.lock);
    if (watch.stopping) {
      pthread_mutex_unlock(&watch.lock);
      return NULL;
    }
    for (struct watched *w = watch.head; w != NULL; w = w->next) {
      if (now <= w->deadline) continue;
      if (w->phase == AWAITING_HEADERS)
        time_out(w, "headers", "the headers did not arrive in time: send the whole request at once");
      else if (w->phase == READING_BODY)
        time_out(w, "body", "the body arrived too slowly: send the whole request at once");
      else if (w->phase == WAITING_FOR_DB && w->suspended) {
        waiter_remove(w);
        w->wait_over = 1;
        w->next_waiter = resume;
        resume = w;
      }
    }
    pthread_mutex_unlock(&watch.lock);
    /* Still suspended, so still alive: libmicrohttpd closes no suspended connection. */
    while (resume != NULL) {
      struct watched *next = resume->next_waiter;
      MHD_resume_connection(resume->connection);
      resume = next;
    }
  }
}

int connections_start(const struct connection_limits *limits) {
  watch.limits = *limits;
  watch.stopping = 0;
  if (pthread_create(&watch.watchdog, NULL, watchdog_run, NULL) != 0) return -1;
  watch.watchdog_running = 1;
  db_pool_on_release(connections_database_released);
  return 0;
}

void connections_stop(void) {
  db_pool_on_release(NULL);
  if (!watch.watchdog_running) return;
  pthread_mutex_lock(&watch.lock);
  watch.stopping = 1;
  pthread_mutex_unlock(&watch.lock);
  pthread_join(watch.watchdog, NULL);
  watch.watchdog_running = 0;
}

/* ---- what libmicrohttpd and the gate report ---- */

void connections_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
                        enum MHD_ConnectionNotificationCode code) {
  (void)cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    struct watched *w = o_malloc(sizeof *w);
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (w == NULL || info == NULL) { /* unwatched: libmicrohttpd's own idle timeout still holds */
      o_free(w);
      *socket_context = NULL;
      return;
    }
    memset(w, 0, sizeof *w);
    w->connection = connection;
    w->fd = info->connect_fd;
    w->phase = AWAITING_HEADERS;
    pthread_mutex_lock(&watch.lock);
    w->deadline = now_s() + watch.limits.header_timeout_s;
    w->next = watch.head;
    if (watch.head != NULL) watch.head->prev = w;
    watch.head = w;
    pthread_mutex_unlock(&watch.lock);
    *socket_context = w;
    return;
  }
  struct watched *w = *socket_context;
  if (w == NULL) return;
  pthread_mutex_lock(&watch.lock);
  if (w->suspended) waiter_remove(w);
  if (w->prev != NULL) w->prev->next = w->next;
  if (w->next != NULL) w->next->prev = w->prev;
  if (watch.head == w) watch.head = w->next;
  pthread_mutex_unlock(&watch.lock);
  o_free(w);
  *socket_context = NULL;
}

void connections_request_completed(struct MHD_Connection *connection) {
  struct watched *w = watched_of(connection);
  if (w == NULL) return;
  pthread_mutex_lock(&watch.lock);
  if (w->phase != TIMED_OUT) {
    /* A silent keep-alive connection is libmicrohttpd's to close after its idle timeout; the
     * next request's headers are due that much later. */
    w->phase = AWAITING_HEADERS;
    w->deadline = now_s() + watch.limits.idle_timeout_s + watch.limits.header_timeout_s;
    w->waited = w->wait_over = 0;
  }
  pthread_mutex_unlock(&watch.lock);
}

void connections_answering(struct MHD_Connection *connection) {
  struct watched *w = watched_of(connection);
  if (w == NULL) return;
  pthread_mutex_lock(&watch.lock);
  if (w->phase != TIMED_OUT) w->phase = ANSWERING;
  pthread_mutex_unlock(&watch.lock);
}

/* The last call of a request (its body is complete): wait for the database when it is needed
 * and none is free (watch.lock held). */
static enum connection_step before_handler(struct watched *w, int (*needs_database)(const char *, const char *),
                                           const char *method, const char *url) {
  if (w->wait_over) return CONNECTION_DB_TIMEOUT;
  int queue_ahead = watch.waiters_head != NULL && !w->waited;
  if (!queue_ahead && db_pool_has_free()) {
    w->phase = ANSWERING;
    return CONNECTION_PROCEED;
  }
  if (!needs_database(method, url)) {
    w->phase = ANSWERING;
    return CONNECTION_PROCEED;
  }
  if (watch.giving_up) return CONNECTION_DB_TIMEOUT;
  if (!w->waited) {
    w->waited = 1;
    w->deadline = now_s() + watch.limits.db_wait_ms / 1000.0;
  }
  w->phase = WAITING_FOR_DB;
  /* Suspended under the lock: connections_database_released() can only resume it once it is. */
  MHD_suspend_connection(w->connection);
  waiter_push(w, queue_ahead ? 0 : 1); /* one that was resumed and lost the race stays first */
  return CONNECTION_SUSPENDED;
}

enum connection_step connections_on_call(struct MHD_Connection *connection, size_t upload_size,
                                         int (*needs_database)(const char *method, const char *url), const char *method,
                                         const char *url) {
  struct watched *w = watched_of(connection);
  if (w == NULL) return CONNECTION_PROCEED;
  enum connection_step step = CONNECTION_PROCEED;
  pthread_mutex_lock(&watch.lock);
  switch (w->phase) {
    case AWAITING_HEADERS: /* the first call: the headers are in */
      w->phase = READING_BODY;
      w->body_since = now_s();
      w->body_bytes = 0;
      w->deadline = w->body_since + watch.limits.body_timeout_s;
      break;
    case READING_BODY:
      if (upload_size > 0) {
        w->body_bytes += upload_size;
        w->deadline =
            w->body_since + watch.limits.body_timeout_s + (double)w->body_bytes / (double)watch.limits.body_min_rate;
      } else {
        step = before_handler(w, needs_database, method, url);
      }
      break;
    case WAITING_FOR_DB: /* resumed */
      step = before_handler(w, needs_database, method, url);
      break;
    case TIMED_OUT:
      step = CONNECTION_CLOSE;
      break;
    case ANSWERING:
      break;
  }
  pthread_mutex_unlock(&watch.lock);
  return step;
}

void connections_database_released(void) {
  pthread_mutex_lock(&watch.lock);
  struct watched *w = watch.waiters_head;
  if (w != NULL) waiter_remove(w);
  pthread_mutex_unlock(&watch.lock);
  if (w != NULL) MHD_resume_connection(w->connection); /* still suspended, so still alive */
}

void connections_drain(void) { atomic_store(&draining, 1); }

int connections_draining(void) { return atomic_load(&draining); }

void connections_give_up_waiting(void) {
  pthread_mutex_lock(&watch.lock);
  watch.giving_up = 1;
  struct watched *resume = watch.waiters_head;
  for (struct watched *w = resume; w != NULL; w = w->next_waiter) {
    w->wait_over = 1;
    w->suspended = 0;
  }
  watch.waiters_head = watch.waiters_tail = NULL;
  pthread_mutex_unlock(&watch.lock);
  while (resume != NULL) {
    struct watched *next = resume->next_waiter;
    MHD_resume_connection(resume->connection);
    resume = next;
  }
}
