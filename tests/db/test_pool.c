/*
 * The connection pool and the row-level-security context, against the real test database
 * (NOABER_TEST_APP_DSN: the server's own non-owner role, with the demo data loaded). These
 * exercise src/db/db.c itself, not a copy of what it does.
 */
#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/db/db.h"
#include "suites.h"

#define ANNA "00000000-0000-4000-8000-00000000a001"
#define TUD "00000000-0000-4000-8000-00000000b001"
#define ANNA_COORDINATOR "00000000-0000-4000-8000-000000000101"
#define TUD_COORDINATOR "00000000-0000-4000-8000-000000000107"
#define PROFESSIONAL "00000000-0000-4000-8000-000000000106" /* a member of both */

static const struct db_statement statements[] = {
    /* Deliberately no community filter: only row-level security may narrow it. */
    {"test_all_memberships", "SELECT DISTINCT community_id::text FROM memberships ORDER BY 1"},
    {"test_all_invitations", "SELECT DISTINCT community_id::text FROM invitations"},
    {"test_context",
     "SELECT COALESCE(current_setting('app.community_id', true), ''), "
     "COALESCE(current_setting('app.person_id', true), ''), pg_backend_pid()"},
    {"test_backend_pid", "SELECT pg_backend_pid()"},
    {"test_all_categories", "SELECT DISTINCT community_id::text FROM categories ORDER BY 1"},
    {"test_insert_category",
     "INSERT INTO categories (community_id, code, label_nl, label_en) VALUES ($1, 'scope_test', 'Test', 'Test')"},
    {"test_scope_test_categories", "SELECT count(*) FROM categories WHERE code = 'scope_test'"},
    {"test_transaction_start", "SELECT now()::text"},
    {"test_member_roles", "SELECT app_member_roles()"},
    {"test_expect_roles", "SELECT app_expect_roles($1)"},
};

/* The distinct community ids a statement without a community filter returns, comma-separated,
 * in this context (a person without a community: a /v1/me route). Caller free()s. */
static char *communities_seen(const struct db_context *ctx, const char *statement) {
  struct db_conn *conn = NULL;
  PGresult *res = NULL;
  ck_assert_int_eq(db_transaction_start(&conn, ctx, statement, &res), DB_OK);
  size_t len = 1;
  for (int i = 0; i < PQntuples(res); i++) len += strlen(PQgetvalue(res, i, 0)) + 1;
  char *out = calloc(1, len);
  ck_assert_ptr_nonnull(out);
  for (int i = 0; i < PQntuples(res); i++) {
    if (i > 0) strcat(out, ",");
    strcat(out, PQgetvalue(res, i, 0));
  }
  PQclear(res);
  db_transaction_end(conn, 0);
  return out;
}

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

START_TEST(person_without_community_sees_only_their_communities) {
  start_pool(1, 1000);
  /* A /v1/me route: the professional is a member of both communities, each coordinator of one. */
  const struct db_context professional = {.person_id = PROFESSIONAL};
  const struct db_context anna = {.person_id = ANNA_COORDINATOR};
  const struct db_context tud = {.person_id = TUD_COORDINATOR};
  const struct db_context nobody = {.person_id = "00000000-0000-4000-8000-0000000000ff"};
  char *seen = communities_seen(&professional, "test_all_categories");
  ck_assert_str_eq(seen, ANNA "," TUD);
  free(seen);
  seen = communities_seen(&anna, "test_all_categories");
  ck_assert_str_eq(seen, ANNA);
  free(seen);
  seen = communities_seen(&tud, "test_all_categories");
  ck_assert_str_eq(seen, TUD);
  free(seen);
  seen = communities_seen(&nobody, "test_all_categories");
  ck_assert_str_eq(seen, "");
  free(seen);
  /* A community route of the same professional reads that community only. */
  const struct db_context on_tud = {.person_id = PROFESSIONAL, .community_id = TUD, .roles = "professional"};
  seen = communities_seen(&on_tud, "test_all_categories");
  ck_assert_str_eq(seen, TUD);
  free(seen);
  seen = communities_seen(&on_tud, "test_all_memberships");
  ck_assert_str_eq(seen, ANNA "," TUD); /* their own membership elsewhere, and Tot uw Dienst's */
  free(seen);
  db_pool_stop();
}
END_TEST

START_TEST(person_without_community_writes_nothing) {
  start_pool(1, 1000);
  const struct db_context professional = {.person_id = PROFESSIONAL};
  struct db_conn *conn = NULL;
  ck_assert_int_eq(db_transaction_start(&conn, &professional, NULL, NULL), DB_OK);
  /* Reading Anna Zorgt is allowed on a /v1/me route; writing there is not. */
  ck_assert_int_eq(db_exec(conn, "test_insert_category", 1, (const char *[]){ANNA}), DB_ERROR);
  db_transaction_end(conn, 0);
  /* On Anna Zorgt's own route, not into another community either. */
  const struct db_context on_anna = {.person_id = PROFESSIONAL, .community_id = ANNA, .roles = "professional"};
  ck_assert_int_eq(db_transaction_start(&conn, &on_anna, NULL, NULL), DB_OK);
  ck_assert_int_eq(db_exec(conn, "test_insert_category", 1, (const char *[]){TUD}), DB_ERROR);
  db_transaction_end(conn, 0);
  db_pool_stop();
}
END_TEST

START_TEST(read_only_commit_is_collected_by_the_next_user) {
  start_pool(1, 1000);
  const struct db_context anna = {.person_id = ANNA_COORDINATOR, .community_id = ANNA, .roles = "coordinator"};
  struct db_conn *conn = NULL;
  PGresult *res = NULL;
  ck_assert_int_eq(db_transaction_start(&conn, &anna, "test_context", &res), DB_OK);
  char pid[16];
  snprintf(pid, sizeof pid, "%s", PQgetvalue(res, 0, 2));
  PQclear(res);
  db_commit_read_only(conn); /* releases without waiting for the COMMIT */

  /* The next user of the one connection gets it idle and without the context. */
  ck_assert_int_eq(db_acquire(&conn), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 2), pid);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "");
  PQclear(res);
  db_release(conn);
  for (int i = 0; i < 3; i++) { /* again and again, as the pool is used under load */
    ck_assert_int_eq(db_transaction_start(&conn, &anna, "test_all_memberships", &res), DB_OK);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), ANNA);
    PQclear(res);
    db_commit_read_only(conn);
  }
  ck_assert_int_eq(db_acquire(&conn), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_all_memberships", 0, NULL, &res), DB_OK);
  ck_assert_int_eq(PQntuples(res), 0);
  PQclear(res);
  db_release(conn);
  int size, in_use, waiting;
  db_pool_stats(&size, &in_use, &waiting);
  ck_assert_int_eq(in_use, 0);
  db_pool_stop();
}
END_TEST

START_TEST(deferred_begin_goes_out_with_the_first_statement) {
  start_pool(1, 1000);
  const struct db_context anna = {.person_id = ANNA_COORDINATOR, .community_id = ANNA, .roles = "coordinator"};
  struct db_conn *conn = NULL;
  PGresult *res = NULL;
  /* No first statement: nothing is sent until the first query, which sees the context. */
  ck_assert_int_eq(db_transaction_start(&conn, &anna, NULL, NULL), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), ANNA);
  ck_assert_str_eq(PQgetvalue(res, 0, 1), ANNA_COORDINATOR);
  PQclear(res);
  ck_assert_int_eq(db_query(conn, "test_all_memberships", 0, NULL, &res), DB_OK);
  ck_assert_int_eq(PQntuples(res), 1);
  PQclear(res);
  ck_assert_int_eq(db_transaction_end(conn, 1), DB_OK);
  /* A transaction that runs nothing commits nothing and leaves the connection as it was. */
  ck_assert_int_eq(db_transaction_start(&conn, &anna, NULL, NULL), DB_OK);
  ck_assert_int_eq(db_transaction_end(conn, 1), DB_OK);
  ck_assert_int_eq(db_transaction_start(&conn, &anna, NULL, NULL), DB_OK);
  db_commit_read_only(conn);
  ck_assert_int_eq(db_acquire(&conn), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "");
  PQclear(res);
  db_release(conn);
  /* A failing first statement fails the transaction, as it would after an eager BEGIN. */
  const struct db_context professional = {.person_id = PROFESSIONAL};
  ck_assert_int_eq(db_transaction_start(&conn, &professional, NULL, NULL), DB_OK);
  ck_assert_int_eq(db_exec(conn, "test_insert_category", 1, (const char *[]){ANNA}), DB_ERROR);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_ERROR); /* aborted */
  db_transaction_end(conn, 0);
  db_pool_stop();
}
END_TEST

/* The first value of a statement run alone on `conn`. Caller free()s. */
static char *first_value(struct db_conn *conn, const char *statement) {
  PGresult *res = NULL;
  ck_assert_int_eq(db_query(conn, statement, 0, NULL, &res), DB_OK);
  char *value = strdup(PQgetvalue(res, 0, 0));
  ck_assert_ptr_nonnull(value);
  PQclear(res);
  return value;
}

START_TEST(reads_run_each_statement_in_its_own_transaction_with_the_context) {
  start_pool(1, 1000);
  const struct db_context anna = {.person_id = ANNA_COORDINATOR, .community_id = ANNA, .roles = "coordinator"};
  struct db_conn *conn = NULL;
  PGresult *res = NULL;
  ck_assert_int_eq(db_reads_start(&conn, &anna), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), ANNA);
  ck_assert_str_eq(PQgetvalue(res, 0, 1), ANNA_COORDINATOR);
  PQclear(res);
  ck_assert_int_eq(db_query(conn, "test_all_memberships", 0, NULL, &res), DB_OK);
  ck_assert_int_eq(PQntuples(res), 1);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), ANNA);
  PQclear(res);
  /* now() is the transaction's start: two reads, two transactions. */
  char *first = first_value(conn, "test_transaction_start");
  usleep(2000);
  char *second = first_value(conn, "test_transaction_start");
  ck_assert_str_ne(first, second);
  free(first);
  free(second);
  ck_assert_int_eq(db_commit(conn), DB_OK); /* nothing is open */
  db_release(conn);
  /* The next user gets the connection without the context. */
  ck_assert_int_eq(db_acquire(&conn), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "");
  PQclear(res);
  db_release(conn);
  /* A lookup needs the setting to last: reads become a transaction (one now() from here on). */
  ck_assert_int_eq(db_reads_start(&conn, &anna), DB_OK);
  ck_assert_int_eq(db_set_lookup(conn, "email", "someone@example.org"), DB_OK);
  first = first_value(conn, "test_transaction_start");
  usleep(2000);
  second = first_value(conn, "test_transaction_start");
  ck_assert_str_eq(first, second);
  free(first);
  free(second);
  ck_assert_int_eq(db_transaction_end(conn, 1), DB_OK);
  db_pool_stop();
}
END_TEST

START_TEST(a_wrong_expectation_stops_the_pipeline_behind_it) {
  start_pool(1, 1000);
  const struct db_context anna = {.person_id = ANNA_COORDINATOR, .community_id = ANNA, .roles = "coordinator"};
  struct db_conn *conn = NULL;
  PGresult *res = NULL;
  ck_assert_int_eq(db_reads_start(&conn, &anna), DB_OK);
  char *roles = first_value(conn, "test_member_roles");
  ck_assert_str_ne(roles, "");
  db_release(conn);

  /* Right: the first statement's result comes back with the check, in reads and transactions. */
  ck_assert_int_eq(db_reads_start(&conn, &anna), DB_OK);
  ck_assert_int_eq(db_expect(conn, "test_expect_roles", roles), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), ANNA);
  PQclear(res);
  ck_assert_int_eq(db_expect_check(conn), DB_OK);
  db_release(conn);
  ck_assert_int_eq(db_transaction_start(&conn, &anna, NULL, NULL), DB_OK);
  ck_assert_int_eq(db_expect(conn, "test_expect_roles", roles), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_all_memberships", 0, NULL, &res), DB_OK);
  ck_assert_int_eq(PQntuples(res), 1);
  PQclear(res);
  ck_assert_int_eq(db_expect_check(conn), DB_OK);
  db_transaction_end(conn, 1);

  /* Wrong: the write behind it never runs, in reads (where it would commit at once) and in a
   * transaction; every later statement answers DB_STALE too. */
  ck_assert_int_eq(db_reads_start(&conn, &anna), DB_OK);
  ck_assert_int_eq(db_expect(conn, "test_expect_roles", "resident"), DB_OK);
  ck_assert_int_eq(db_exec(conn, "test_insert_category", 1, (const char *[]){ANNA}), DB_STALE);
  ck_assert_int_eq(db_query(conn, "test_context", 0, NULL, &res), DB_STALE);
  ck_assert_ptr_null(res);
  ck_assert_int_eq(db_expect_check(conn), DB_STALE);
  db_release(conn);
  ck_assert_int_eq(db_transaction_start(&conn, &anna, NULL, NULL), DB_OK);
  ck_assert_int_eq(db_expect(conn, "test_expect_roles", "resident"), DB_OK);
  ck_assert_int_eq(db_exec(conn, "test_insert_category", 1, (const char *[]){ANNA}), DB_STALE);
  db_transaction_end(conn, 0);
  ck_assert_int_eq(db_reads_start(&conn, &anna), DB_OK);
  char *count = first_value(conn, "test_scope_test_categories");
  ck_assert_str_eq(count, "0");
  free(count);
  db_release(conn);

  /* A request that ran no statement has its expectation checked on its own. */
  ck_assert_int_eq(db_reads_start(&conn, &anna), DB_OK);
  ck_assert_int_eq(db_expect(conn, "test_expect_roles", roles), DB_OK);
  ck_assert_int_eq(db_expect_check(conn), DB_OK);
  db_release(conn);
  ck_assert_int_eq(db_reads_start(&conn, &anna), DB_OK);
  ck_assert_int_eq(db_expect(conn, "test_expect_roles", ""), DB_OK);
  ck_assert_int_eq(db_expect_check(conn), DB_STALE);
  db_release(conn);
  /* Someone else's context: the coordinator's roles are not theirs. */
  const struct db_context tud = {.person_id = TUD_COORDINATOR, .community_id = ANNA};
  ck_assert_int_eq(db_reads_start(&conn, &tud), DB_OK);
  ck_assert_int_eq(db_expect(conn, "test_expect_roles", roles), DB_OK);
  ck_assert_int_eq(db_query(conn, "test_all_memberships", 0, NULL, &res), DB_STALE);
  db_release(conn);
  free(roles);
  int size, in_use, waiting;
  db_pool_stats(&size, &in_use, &waiting);
  ck_assert_int_eq(in_use, 0);
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
  tcase_add_test(tc, person_without_community_sees_only_their_communities);
  tcase_add_test(tc, person_without_community_writes_nothing);
  tcase_add_test(tc, read_only_commit_is_collected_by_the_next_user);
  tcase_add_test(tc, deferred_begin_goes_out_with_the_first_statement);
  tcase_add_test(tc, reads_run_each_statement_in_its_own_transaction_with_the_context);
  tcase_add_test(tc, a_wrong_expectation_stops_the_pipeline_behind_it);
  tcase_add_test(tc, exhausted_pool_answers_busy_after_the_wait);
  tcase_add_test(tc, unreachable_database_answers_down);
  suite_add_tcase(suite, tc);
  suite_add_tcase(suite, migrate_tcase());
  suite_add_tcase(suite, desk_hours_tcase());
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
