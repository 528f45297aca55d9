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
#include "language.h"
#include "metrics.h"
#include "routes.h"

#define WATCHDOG_PERIOD_MS 100
#define MAX_WORKERS 256 /* NOABER_HTTP_THREADS' upper bound */

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
  int resumed;   /* resumed for a free database connection, not yet back in the gate */
  int worker;    /* the worker thread that serves it (watch.worker_busy), -1 when unknown */
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
  int resuming;  /* waiters resumed for a free connection that have not taken it yet */
  /* libmicrohttpd's worker threads, numbered as the gate meets them. A connection is always
   * served by the same one, which is busy while it runs the handler: a waiter is resumed on an
   * idle one, so the database connection that came free is used at once, not after another
   * request. */
  int worker_busy[MAX_WORKERS];
  int worker_count;
} watch = {.lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local int my_worker = -1; /* this thread's number in watch.worker_busy */

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

/* This worker thread's number (watch.worker_busy), -1 when there is no room (watch.lock held). */
static int worker_self(void) {
  if (my_worker < 0 && watch.worker_count < MAX_WORKERS) {
    my_worker = watch.worker_count++;
  }
  return my_worker;
}

static int worker_idle(int worker) { return worker < 0 || !watch.worker_busy[worker]; }

/* ---- the waiters' queue (watch.lock held) ---- */

static void waiter_push(struct watched *w) {
  w->next_waiter = NULL;
  if (watch.waiters_head == NULL)
    watch.waiters_head = w;
  else
    watch.waiters_tail->next_waiter = w;
  watch.waiters_tail = w;
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

/* Take the waiters that can go now into *out (linked by next_waiter): one per free database
 * connection, first those of worker `prefer` (-1: none), then those on idle workers. A waiter
 * on a busy worker stays, to be taken when that worker is done (connections_call_done). None is
 * resumed to wait in the pool: it would hold its thread, and the requests behind it. */
static void take_resumable(int prefer, struct watched **out) {
  int available = db_pool_free_count() - watch.resuming;
  while (available > 0 && watch.waiters_head != NULL) {
    struct watched *pick = NULL;
    for (struct watched *w = watch.waiters_head; w != NULL && prefer >= 0; w = w->next_waiter) {
      if (w->worker == prefer) {
        pick = w;
        break;
      }
    }
    for (struct watched *w = watch.waiters_head; w != NULL && pick == NULL; w = w->next_waiter) {
      if (worker_idle(w->worker)) pick = w;
    }
    if (pick == NULL) return;
    waiter_remove(pick);
    pick->resumed = 1;
    watch.resuming++;
    pick->next_waiter = *out;
    *out = pick;
    available--;
  }
}

/* Resume a list of waiters taken from the queue, without watch.lock: a suspended connection is
 * never closed by libmicrohttpd, so each stays valid until its own resume. */
static void resume_list(struct watched *list) {
  while (list != NULL) {
    struct watched *next = list->next_waiter; /* read first: once resumed it may be gone */
    MHD_resume_connection(list->connection);
    list = next;
  }
}

/* ---- the 408 ---- */

/* The whole 408 answer as HTTP bytes, or NULL out of memory (caller o_free()s). The watchdog
 * writes it itself: libmicrohttpd queues responses only from the connection's own thread, and
 * a connection that is still reading has none running. */
static char *timeout_answer(const char *detail) {
  char request_id[40];
  header_request_id_new(request_id, sizeof request_id);
  json_t *problem = problem_new(408, detail, NULL, request_id, NULL);
  /* The headers, Accept-Language with them, may never have arrived: the default language. */
  if (problem != NULL) language_problem(problem, "nl");
  char *body = problem != NULL ? json_dumps(problem, JSON_COMPACT) : NULL;
  json_decref(problem);
  if (body == NULL) return NULL;
  char *text = msprintf(
      "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\nContent-Length: %zu\r\n"
      "Connection: close\r\nX-Request-Id: %s\r\nContent-Language: nl\r\nVary: Accept-Language\r\n",
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
    /* A connection that came free without a release to report it (a resumed request that did
     * not use the database after all) is not left idle while others wait. */
    take_resumable(-1, &resume);
    pthread_mutex_unlock(&watch.lock);
    resume_list(resume);
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
    w->worker = -1;
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
  if (w->resumed) watch.resuming--;
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

/* How long the last call of a request may wait for a database connection on its worker thread
 * before it is suspended. A pool under load frees a connection every fraction of a millisecond:
 * waiting that long here costs less than a suspension and a wake-up, while a pool that is stuck
 * delays the other connections of this thread by no more than this per request. */
#define QUICK_WAIT_MS 10

/* Suspend w until a database connection is free (watch.lock held). */
static enum connection_step suspend_for_database(struct watched *w) {
  if (watch.giving_up) return CONNECTION_DB_TIMEOUT;
  if (!w->waited) {
    w->waited = 1;
    w->deadline = now_s() + watch.limits.db_wait_ms / 1000.0;
  }
  w->phase = WAITING_FOR_DB;
  /* Suspended under the lock: connections_database_released() can only resume it once it is. */
  MHD_suspend_connection(w->connection);
  waiter_push(w);
  return CONNECTION_SUSPENDED;
}

/* The last call of a request that needs the database: take a connection for it (db_reserve),
 * waiting QUICK_WAIT_MS at most unless others already wait longer, or suspend it. A request
 * resumed for a free connection takes it. Called with watch.lock held, which it lets go while
 * it waits in the pool. */
static enum connection_step take_database(struct watched *w) {
  for (int attempt = 0;; attempt++) {
    int resumed = w->resumed;
    if (resumed) {
      w->resumed = 0;
      watch.resuming--;
    }
    if (watch.giving_up) return CONNECTION_DB_TIMEOUT;
    int others_first = !resumed && (watch.waiters_head != NULL || watch.resuming > 0);
    if (!others_first) {
      pthread_mutex_unlock(&watch.lock);
      enum db_status reserved = db_reserve(QUICK_WAIT_MS);
      pthread_mutex_lock(&watch.lock);
      /* DB_DOWN goes on too: the handler answers it (PostgreSQL unreachable is not a wait). */
      if (reserved != DB_BUSY) {
        w->phase = ANSWERING;
        return CONNECTION_PROCEED;
      }
      /* One came free after the wait and nobody is queued to hear of it: try again, twice. */
      if (attempt < 2 && watch.waiters_head == NULL && db_pool_free_count() - watch.resuming > 0) continue;
    }
    return suspend_for_database(w);
  }
}

enum connection_step connections_on_call(struct MHD_Connection *connection, size_t upload_size,
                                         int (*needs_database)(const char *method, const char *url), const char *method,
                                         const char *url) {
  struct watched *w = watched_of(connection);
  if (w == NULL) return CONNECTION_PROCEED;
  enum connection_step step = CONNECTION_PROCEED;
  int last_call = 0; /* the body is complete: the handler runs now */
  pthread_mutex_lock(&watch.lock);
  w->worker = worker_self();
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
        last_call = 1;
      }
      break;
    case WAITING_FOR_DB: /* resumed */
      last_call = 1;
      break;
    case TIMED_OUT:
      step = CONNECTION_CLOSE;
      break;
    case ANSWERING:
      break;
  }
  if (last_call && w->wait_over)
    step = CONNECTION_DB_TIMEOUT;
  else if (last_call && needs_database(method, url))
    step = take_database(w);
  else if (last_call)
    w->phase = ANSWERING;
  if (step == CONNECTION_PROCEED && w->worker >= 0) watch.worker_busy[w->worker] = 1;
  pthread_mutex_unlock(&watch.lock);
  return step;
}

void connections_call_done(void) {
  struct watched *resume = NULL;
  db_unreserve(); /* a connection taken for a request that did not use it */
  pthread_mutex_lock(&watch.lock);
  if (my_worker >= 0) watch.worker_busy[my_worker] = 0;
  if (watch.waiters_head != NULL) take_resumable(my_worker, &resume);
  pthread_mutex_unlock(&watch.lock);
  resume_list(resume);
}

void connections_database_released(void) {
  struct watched *resume = NULL;
  pthread_mutex_lock(&watch.lock);
  if (watch.waiters_head != NULL) take_resumable(-1, &resume);
  pthread_mutex_unlock(&watch.lock);
  resume_list(resume);
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
  resume_list(resume);
}
