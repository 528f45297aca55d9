/*
 * The connection pool and the row-level-security context, against the real test database
 * (NOABER_TEST_APP_DSN: the server's own non-owner role, with the demo data loaded). These
 * exercise src/db/db.c itself, not a copy of what it does.
 */
#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/db/db.h"

#define ANNA "00000000-0000-4000-8000-00000000a001"
#define TUD "00000000-0000-4000-8000-00000000b001"
#define ANNA_COORDINATOR "00000000-0000-4000-8000-000000000101"
#define TUD_COORDINATOR "00000000-0000-4000-8000-000000000107"

static const struct db_statement statements[] = {
    /* Deliberately no community filter: only row-level security may narrow it. */
    {"test_all_memberships", "SELECT DISTINCT community_id::text FROM memberships"},
    {"test_all_invitations", "SELECT DISTINCT community_id::text FROM invitations"},
    {"test_context",
     "SELECT COALESCE(current_setting('app.community_id', true), ''), "
     "COALESCE(current_setting('app.person_id', true), ''), pg_backend_pid()"},
    {"test_backend_pid", "SELECT pg_backend_pid()"},
};

static void start_pool(int size, int wait_ms) {
  const char *dsn = getenv("NOABER_TEST_APP_DSN");
  ck_assert_msg(dsn != NULL, "NOABER_TEST_APP_DSN must be set");
  ck_assert_int_eq(db_register_statements(statements, sizeof statements / sizeof statements[0]), 0);
  ck_assert_int_eq(db_pool_start(dsn, size, wait_ms, 5000), 0);
}

START_TEST(unfiltered_query_sees_only_its_community) {
  start_pool(1, 1000);
  const struct db_context anna = {.person_id = ANNA_COORDINATOR, .community_id = ANNA, .roles = "coordinator"};
  struct db_conn *conn = NULL;
  ck_assert_int_eq(db_transaction_start(&conn, &anna, NULL, NULL), DB_OK);
  PGresult *res = NULL;
  ck_assert_int_eq(db_query(conn, "test_all_memberships", 0, NULL, &res), DB_OK);
  ck_assert_int_eq(PQntuples(res), 1);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), ANNA);
  PQclear(res);
  ck_assert_int_eq(db_transaction_end(conn, 1), DB_OK);

  /* The same connection (pool of one), now for Tot uw Dienst's coordinator: none of Anna Zorgt's
   * rows. (A person also sees their own memberships elsewhere, so the person changes too.) */
  const struct db_context tud = {.person_id = TUD_COORDINATOR, .community_id = TUD, .roles = "coordinator"};
  ck_assert_int_eq(db_transaction_start(&conn, &tud, "test_all_memberships", &res), DB_OK);
  ck_assert_int_eq(PQntuples(res), 1);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), TUD);
  PQclear(res);
  db_transaction_end(conn, 0);
  db_pool_stop();
}
END_TEST

START_TEST(released_connection_keeps_no_context) {
  start_pool(1, 1000);
  const struct db_context anna = {.person_id = ANNA_COORDINATOR, .community_id = ANNA, .roles = "coordinator"};
  struct db_conn *conn = NULL;
  PGresult *res = NULL;
  ck_assert_int_eq(db_transaction_start(&conn, &anna, "test_context", &res), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), ANNA);
  char pid[16];
  snprintf(pid, sizeof pid, "%s", PQgetvalue(res, 0, 2));
  PQclear(res);
  /* Released without commit or rollback, as a handler that failed halfway would. */
  db_release(conn);

  ck_assert_int_eq(db_acquire(&conn), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 2), pid); /* the very same backend */
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "");
  ck_assert_str_eq(PQgetvalue(res, 0, 1), "");
  PQclear(res);
  ck_assert_int_eq(db_query(conn, "test_all_memberships", 0, NULL, &res), DB_OK);
  ck_assert_int_eq(PQntuples(res), 0);
  PQclear(res);
  ck_assert_int_eq(db_query(conn, "test_all_invitations", 0, NULL, &res), DB_OK);
  ck_assert_int_eq(PQntuples(res), 0);
  PQclear(res);
  db_release(conn);
  db_pool_stop();
}
END_TEST

START_TEST(exhausted_pool_answers_busy_after_the_wait) {
  start_pool(1, 150);
  struct db_conn *held = NULL, *second = NULL;
  ck_assert_int_eq(db_acquire(&held), DB_OK);
  int size, in_use, waiting;
  db_pool_stats(&size, &in_use, &waiting);
  ck_assert_int_eq(size, 1);
  ck_assert_int_eq(in_use, 1);
  ck_assert_int_eq(db_acquire(&second), DB_BUSY);
  ck_assert_ptr_null(second);
  db_release(held);
  ck_assert_int_eq(db_acquire(&second), DB_OK);
  db_release(second);
  db_pool_stop();
}
END_TEST

START_TEST(unreachable_database_answers_down) {
  ck_assert_int_eq(db_register_statements(statements, 1), 0);
  ck_assert_int_eq(db_pool_start("postgresql:///noaber?host=/nonexistent&port=1", 2, 100, 1000), 0);
  struct db_conn *conn = NULL;
  ck_assert_int_eq(db_acquire(&conn), DB_DOWN);
  int size, in_use, waiting;
  db_pool_stats(&size, &in_use, &waiting);
  ck_assert_int_eq(in_use, 0); /* the failed attempt gave its slot back */
  db_pool_stop();
}
END_TEST

int main(void) {
  if (sodium_init() < 0) return 1;
  Suite *suite = suite_create("db");
  TCase *tc = tcase_create("pool and context");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, unfiltered_query_sees_only_its_community);
  tcase_add_test(tc, released_connection_keeps_no_context);
  tcase_add_test(tc, exhausted_pool_answers_busy_after_the_wait);
  tcase_add_test(tc, unreachable_database_answers_down);
  suite_add_tcase(suite, tc);
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
