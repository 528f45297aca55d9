#include "db.h"

#include <stdio.h>
#include <stdlib.h>

#include <check.h>

PGconn *db_connect(const char *dsn) {
  PGconn *c = PQconnectdb(dsn);
  ck_assert_msg(c != NULL, "PQconnectdb returned NULL");
  if (PQstatus(c) != CONNECTION_OK) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
    PQfinish(c);
    ck_abort_msg("cannot connect to %s: %s", dsn, msg);
  }
  return c;
}

PGresult *db_exec(PGconn *c, const char *sql, int n_params, const char *const *params) {
  PGresult *r = PQexecParams(c, sql, n_params, NULL, params, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
    PQclear(r);
    ck_abort_msg("SQL failed: %s: %s", sql, msg);
  }
  return r;
}

void db_run(PGconn *c, const char *sql) { PQclear(db_exec(c, sql, 0, NULL)); }

long db_long(PGconn *c, const char *sql) {
  PGresult *r = db_exec(c, sql, 0, NULL);
  ck_assert_msg(PQntuples(r) >= 1 && !PQgetisnull(r, 0, 0), "no value from %s", sql);
  long v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
  PQclear(r);
  return v;
}
