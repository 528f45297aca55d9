#ifndef NOABER_API_CONNECTIONS_H
#define NOABER_API_CONNECTIONS_H

#include <microhttpd.h>
#include <stddef.h>

/*
 * Every client connection, watched from the moment libmicrohttpd accepts it until it closes
 * (api/connections.c). Two things libmicrohttpd does not do by itself:
 *
 * - Slow clients. Its timeout counts only complete silence, so a client that sends a byte a
 *   second holds its connection forever. Here the request line and headers must arrive within
 *   the header timeout, and the body at a minimum rate; past that the client gets a 408
 *   problem and the connection is closed. A watchdog thread checks ten times a second.
 * - Waiting for the database. A request that needs a database connection while none is free
 *   waits 10 ms on its thread (a pool under load frees one sooner), then is suspended, so it
 *   holds no worker thread (the other connections of that thread go on), and is resumed when a
 *   connection comes free, or answered 503 when the pool's wait has passed. Its client waits at
 *   most that long, however many requests queue.
 *
 * The edge's gate (api/edge.c) reports each call of the request handler here; the server
 * (api/server.c) passes connections_notify to libmicrohttpd and reports completed requests.
 */

struct connection_limits {
  int header_timeout_s; /* NOABER_HEADER_TIMEOUT_S */
  int body_timeout_s;   /* NOABER_BODY_TIMEOUT_S: the body's time before any of it counts */
  int body_min_rate;    /* NOABER_BODY_MIN_RATE: bytes per second that earn another second */
  int idle_timeout_s;   /* NOABER_CONNECTION_TIMEOUT_S: libmicrohttpd's own, for silence */
  int db_wait_ms;       /* NOABER_DB_POOL_WAIT_MS */
};

/* Start the watchdog thread. 0, or -1 when it could not be started. */
int connections_start(const struct connection_limits *limits);

/* Stop the watchdog thread (after libmicrohttpd has stopped). */
void connections_stop(void);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback: registers and forgets connections. */
void connections_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
                        enum MHD_ConnectionNotificationCode code);

/* A request on this connection was answered (or abandoned): the next one's headers are due. */
void connections_request_completed(struct MHD_Connection *connection);

/* libmicrohttpd writes an answer of its own (a refusal before any handler): no deadline runs. */
void connections_answering(struct MHD_Connection *connection);

/* What the gate does with a call of the request handler. */
enum connection_step {
  CONNECTION_PROCEED,    /* hand the call to Ulfius */
  CONNECTION_SUSPENDED,  /* the connection waits for a database connection: return MHD_YES */
  CONNECTION_CLOSE,      /* it was already answered 408: return MHD_NO */
  CONNECTION_DB_TIMEOUT, /* it waited the pool's whole wait: answer 503 */
};

/* Report a call of the request handler: `upload_size` is *upload_data_size as libmicrohttpd
 * gave it; `needs_database` says whether the request's route uses the database (asked only
 * when none is free). Suspends the connection when the step says so. */
enum connection_step connections_on_call(struct MHD_Connection *connection, size_t upload_size,
                                         int (*needs_database)(const char *method, const char *url), const char *method,
                                         const char *url);

/* The gate's call of Ulfius's handler returned (after CONNECTION_PROCEED): this worker is idle
 * again and takes a waiter of its own, when a database connection is free. */
void connections_call_done(void);

/* A database connection was released (db_pool_on_release): resume a waiter on an idle worker. */
void connections_database_released(void);

/* Shutdown has begun: every answer from now on says `Connection: close`. */
void connections_drain(void);
int connections_draining(void);

/* The grace is over: nobody waits for the database any more; every waiter is resumed and
 * answered 503, and nobody is suspended from now on. */
void connections_give_up_waiting(void);

#endif
