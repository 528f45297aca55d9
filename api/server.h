#ifndef NOABER_API_SERVER_H
#define NOABER_API_SERVER_H

#include "../src/db/migrate.h"
#include "../src/support/config.h"

/* Serve the API until SIGTERM or SIGINT, then shut down gracefully: stop accepting, let
 * in-flight requests finish (up to NOABER_SHUTDOWN_GRACE_S), close the pool.
 * `migrations` is borrowed for readiness checks. Returns the process exit code. */
int server_run(const struct config *cfg, const struct migration_set *migrations);

/* The migrations the running server was built with (for /readyz). */
const struct migration_set *server_migrations(void);

#endif
