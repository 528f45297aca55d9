/*
 * Repeatable function files (sql/functions): applied after the numbered migrations, again
 * whenever their text changes, and not otherwise. Against the real test database as the schema
 * owner (NOABER_MIGRATION_DATABASE_URL), with the repository's own migrations (run from the
 * repository root, as `make test` does).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/db/db.h"
#include "../../src/db/migrate.h"
#include "suites.h"

#define PROBE_FILE "zz_migrate_probe.sql"

static void write_probe(const char *dir, int value) {
  char path[512];
  snprintf(path, sizeof path, "%s/" PROBE_FILE, dir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "CREATE OR REPLACE FUNCTION migrate_probe() RETURNS integer LANGUAGE sql AS $$ SELECT %d $$;\n", value);
  ck_assert_int_eq(fclose(f), 0);
}

/* Drop the probe function and its record, remove the probe file and its folder, disconnect. */
static void remove_probe(PGconn *pg, const char *dir) {
  PQclear(PQexec(pg, "DROP FUNCTION migrate_probe(); DELETE FROM schema_functions WHERE name = '" PROBE_FILE "'"));
  char path[512];
  snprintf(path, sizeof path, "%s/" PROBE_FILE, dir);
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(rmdir(dir), 0);
  PQfinish(pg);
}

/* The one value `sql` returns, as text; caller free()s. */
static char *scalar(PGconn *pg, const char *sql) {
  PGresult *res = PQexec(pg, sql);
  ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1, "%s: %s", sql,
                PQresultErrorMessage(res));
  char *value = strdup(PQgetvalue(res, 0, 0));
  PQclear(res);
  ck_assert_ptr_nonnull(value);
  return value;
}

static void load(const char *functions_dir, struct migration_set *set) {
  ck_assert_msg(migrations_load("sql/migrations", functions_dir, set) == 0,
                "sql/migrations must be readable: run from the repository root");
  ck_assert_int_eq((int)set->function_count, 1);
}

static void apply(PGconn *pg, const char *functions_dir) {
  struct migration_set set;
  load(functions_dir, &set);
  ck_assert_int_eq(migrations_apply(pg, &set), 0);
  migrations_free(&set);
}

/* What /readyz asks: the database against the files of `functions_dir`, through the pool. */
static enum migration_state readiness(const char *functions_dir) {
  struct migration_set set;
  load(functions_dir, &set);
  struct db_conn *conn = NULL;
  ck_assert_int_eq(db_acquire(&conn), DB_OK);
  enum migration_state state = migrations_check(conn, &set);
  db_release(conn);
  migrations_free(&set);
  return state;
}

START_TEST(function_files_are_applied_again_only_when_they_change) {
  const char *dsn = getenv("NOABER_MIGRATION_DATABASE_URL");
  ck_assert_msg(dsn != NULL, "NOABER_MIGRATION_DATABASE_URL must be set");
  PGconn *pg = PQconnectdb(dsn);
  ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
  char dir[] = "/tmp/noaber-functions.XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));

  write_probe(dir, 1);
  apply(pg, dir);
  char *value = scalar(pg, "SELECT migrate_probe()");
  ck_assert_str_eq(value, "1");
  free(value);
  char *first = scalar(pg, "SELECT applied_at::text FROM schema_functions WHERE name = '" PROBE_FILE "'");

  apply(pg, dir); /* unchanged: not applied again */
  char *again = scalar(pg, "SELECT applied_at::text FROM schema_functions WHERE name = '" PROBE_FILE "'");
  ck_assert_str_eq(again, first);
  free(again);

  write_probe(dir, 2);
  apply(pg, dir);
  value = scalar(pg, "SELECT migrate_probe()");
  ck_assert_str_eq(value, "2");
  free(value);
  char *changed = scalar(pg, "SELECT applied_at::text FROM schema_functions WHERE name = '" PROBE_FILE "'");
  ck_assert_str_ne(changed, first);
  free(changed);
  free(first);

  remove_probe(pg, dir);
}
END_TEST

/* A function file changed on disk but not yet applied: the server is not ready until it is. */
START_TEST(a_changed_function_file_is_pending_until_applied) {
  const char *owner_dsn = getenv("NOABER_MIGRATION_DATABASE_URL");
  const char *app_dsn = getenv("NOABER_TEST_APP_DSN");
  ck_assert_msg(owner_dsn != NULL && app_dsn != NULL, "NOABER_MIGRATION_DATABASE_URL and NOABER_TEST_APP_DSN");
  PGconn *pg = PQconnectdb(owner_dsn);
  ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
  ck_assert_int_eq(migrations_register_statements(), 0);
  ck_assert_int_eq(db_pool_start(app_dsn, 1, 1000, 5000), 0);
  char dir[] = "/tmp/noaber-functions.XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));

  write_probe(dir, 1);
  ck_assert_int_eq(readiness(dir), MIGRATIONS_PENDING); /* new, never applied */
  apply(pg, dir);
  ck_assert_int_eq(readiness(dir), MIGRATIONS_CURRENT);
  write_probe(dir, 2);
  ck_assert_int_eq(readiness(dir), MIGRATIONS_PENDING); /* changed */
  apply(pg, dir);
  ck_assert_int_eq(readiness(dir), MIGRATIONS_CURRENT);

  db_pool_stop();
  remove_probe(pg, dir);
}
END_TEST

TCase *migrate_tcase(void) {
  TCase *tc = tcase_create("repeatable function files");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, function_files_are_applied_again_only_when_they_change);
  tcase_add_test(tc, a_changed_function_file_is_pending_until_applied);
  return tc;
}
