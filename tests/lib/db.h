/* Direct PostgreSQL access for the tenancy and resilience tests (libpq).
 * db_connect() returns a connection the caller closes with PQfinish(); db_exec() returns a
 * result the caller frees with PQclear(). Both fail the test on error.
 */
#ifndef NOABER_TEST_DB_H
#define NOABER_TEST_DB_H

#include <libpq-fe.h>

PGconn *db_connect(const char *dsn);

/* Runs sql with text parameters; fails the test unless it returns tuples or completes. */
PGresult *db_exec(PGconn *c, const char *sql, int n_params, const char *const *params);

/* Runs sql and discards the result. */
void db_run(PGconn *c, const char *sql);

/* First column of the first row as a long (fails on NULL / no rows). */
long db_long(PGconn *c, const char *sql);

#endif
