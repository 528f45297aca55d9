/* Tenancy: row-level security as the server's own database role, and no context carried
 * between requests by the server's connection pool. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "db.h"
#include "fixture.h"
#include "http.h"
#include "suites.h"
#include "support.h"

/* Runs the context-setting select and the unfiltered query in one transaction. */
static void begin_with_context(PGconn *c, const char *person_id, const char *community_id, const char *roles) {
  db_run(c, "BEGIN");
  const char *params[] = {person_id, community_id, roles};
  PQclear(db_exec(c,
                  "SELECT set_config('app.person_id', $1, true),"
                  " set_config('app.community_id', $2, true),"
                  " set_config('app.roles', $3, true)",
                  3, params));
}

/* Number of rows of `sql` (community_id in column 0); fails if any row is not `community`. */
static int rows_only_of(PGconn *c, const char *sql, const char *community) {
  PGresult *r = db_exec(c, sql, 0, NULL);
  int n = PQntuples(r);
  for (int i = 0; i < n; i++) {
    const char *v = PQgetvalue(r, i, 0);
    if (strcmp(v, community) != 0) {
      char msg[200];
      snprintf(msg, sizeof msg, "%s", v);
      PQclear(r);
      ck_abort_msg("%s returned a row of community %s", sql, msg);
    }
  }
  PQclear(r);
  return n;
}

START_TEST(db_context_lives_in_one_transaction) {
  char *tok = fixture_login(&fx.coordinator);
  char *person = me_id(tok);
  /* make sure both communities have invitations */
  char *tot = fixture_login(&fx.tot_coordinator);
  free(create_invitation(tok, fx.anna.id, "resident", NULL));
  free(create_invitation(tot, fx.tot.id, "resident", NULL));
  PGconn *c = db_connect(env_required("NOABER_TEST_APP_DSN"));

  begin_with_context(c, person, fx.anna.id, "coordinator");
  /* the fixture's six members and the one invitation made above */
  ck_assert_int_eq(rows_only_of(c, "SELECT community_id FROM memberships", fx.anna.id), 6);
  ck_assert_int_eq(rows_only_of(c, "SELECT community_id FROM invitations", fx.anna.id), 1);
  db_run(c, "COMMIT");

  PGresult *r = db_exec(c, "SELECT current_setting('app.community_id', true)", 0, NULL);
  ck_assert_msg(PQgetisnull(r, 0, 0) || PQgetvalue(r, 0, 0)[0] == '\0', "context survived COMMIT: %s",
                PQgetvalue(r, 0, 0));
  PQclear(r);
  ck_assert_int_eq(db_long(c, "SELECT count(*) FROM memberships"), 0);
  ck_assert_int_eq(db_long(c, "SELECT count(*) FROM invitations"), 0);

  /* the same with tot-uw-dienst's coordinator sees only tot-uw-dienst */
  char *tot_person = me_id(tot);
  begin_with_context(c, tot_person, fx.tot.id, "coordinator");
  ck_assert_int_eq(rows_only_of(c, "SELECT community_id FROM memberships", fx.tot.id), 2);
  ck_assert_int_eq(rows_only_of(c, "SELECT community_id FROM invitations", fx.tot.id), 1);
  db_run(c, "ROLLBACK");
  ck_assert_int_eq(db_long(c, "SELECT count(*) FROM memberships"), 0);
  PQfinish(c);
  free(tot_person);
  free(tot);
  free(person);
  free(tok);
}
END_TEST

START_TEST(db_app_role_is_unprivileged) {
  PGconn *c = db_connect(env_required("NOABER_TEST_APP_DSN"));
  ck_assert_int_eq(db_long(c, "SELECT count(*) FROM pg_tables WHERE tableowner = current_user"), 0);
  ck_assert_int_eq(db_long(c,
                           "SELECT count(*) FROM pg_class c JOIN pg_roles r ON"
                           " r.oid = c.relowner WHERE r.rolname = current_user"),
                   0);
  ck_assert_int_eq(db_long(c,
                           "SELECT count(*) FROM pg_roles WHERE rolname = current_user"
                           " AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb)"),
                   0);
  ck_assert_int_eq(db_long(c,
                           "SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON"
                           " r.oid = n.nspowner WHERE r.rolname = current_user"),
                   0);
  /* and cannot switch row security off for itself */
  PGresult *r = PQexec(c, "SET row_security = off; SELECT count(*) FROM memberships");
  ck_assert_msg(PQresultStatus(r) != PGRES_TUPLES_OK || strtol(PQgetvalue(r, 0, 0), NULL, 10) == 0,
                "row_security=off exposed rows");
  PQclear(r);
  PQfinish(c);
}
END_TEST

START_TEST(db_rls_forced_on_tenant_tables) {
  PGconn *c = db_connect(env_required("NOABER_TEST_APP_DSN"));
  PGresult *r = db_exec(c,
                        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity"
                        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
                        " AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
                        "   AND a.attname = 'community_id' AND NOT a.attisdropped)"
                        " ORDER BY 1",
                        0, NULL);
  int n = PQntuples(r);
  bool memberships = false, invitations = false;
  for (int i = 0; i < n; i++) {
    const char *t = PQgetvalue(r, i, 0);
    memberships |= strcmp(t, "memberships") == 0;
    invitations |= strcmp(t, "invitations") == 0;
    bool ok = strcmp(PQgetvalue(r, i, 1), "t") == 0 && strcmp(PQgetvalue(r, i, 2), "t") == 0;
    /* The one exception: the desk's search copy (sql/migrations/0019_people.sql) is read only by
     * its owner, through the view member_search_scope that keeps the context's community; the
     * server's role may not read the table itself (a LIKE could not use its index under a
     * policy). */
    if (strcmp(t, "member_search") == 0) {
      PGresult *p = db_exec(c, "SELECT has_table_privilege('member_search', 'SELECT')", 0, NULL);
      ok = strcmp(PQgetvalue(r, i, 1), "t") == 0 && strcmp(PQgetvalue(p, 0, 0), "f") == 0;
      PQclear(p);
    }
    if (!ok) {
      char name[128];
      snprintf(name, sizeof name, "%s", t);
      PQclear(r);
      ck_abort_msg("table %s: row level security not enabled and forced", name);
    }
  }
  PQclear(r);
  ck_assert_msg(memberships && invitations, "tenant tables not found (%d tables)", n);
  PQfinish(c);
}
END_TEST

/* ---- the server's pool must not carry one request's context into the next ---- */

struct hammer {
  const char *token;
  const char *path;
  const char *expected; /* sorted person ids joined with ',' */
  int iterations;
  int mismatches;
  int errors;
  char first_problem[300];
};

/* Sorted, comma-joined person_id list of a members page (owned), or NULL. */
static char *id_signature(json_t *page) {
  json_t *items = json_object_get(page, "items");
  size_t n = json_array_size(items);
  if (!json_is_array(items) || !json_is_null(json_object_get(page, "next_cursor"))) return NULL;
  const char **ids = calloc(n ? n : 1, sizeof *ids);
  if (ids == NULL) return NULL;
  size_t total = 1;
  for (size_t i = 0; i < n; i++) {
    ids[i] = jstr(json_array_get(items, i), "person_id");
    if (ids[i] == NULL) {
      free(ids);
      return NULL;
    }
    total += strlen(ids[i]) + 1;
  }
  for (size_t i = 1; i < n; i++) /* insertion sort: lists are small */
    for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
      const char *t = ids[j];
      ids[j] = ids[j - 1];
      ids[j - 1] = t;
    }
  char *out = malloc(total);
  if (out != NULL) {
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
      strcat(out, ids[i]);
      strcat(out, ",");
    }
  }
  free(ids);
  return out;
}

static void *hammer_run(void *arg) {
  struct hammer *h = arg;
  for (int i = 0; i < h->iterations; i++) {
    struct http_request req = {.method = "GET", .path = h->path, .bearer = h->token};
    struct http_response r;
    if (http_send(&req, &r) != 0) {
      if (h->errors++ == 0) snprintf(h->first_problem, sizeof h->first_problem, "%s", http_last_error());
      continue;
    }
    char *sig = r.status == 200 ? id_signature(r.json) : NULL;
    if (sig == NULL || strcmp(sig, h->expected) != 0) {
      if (h->mismatches++ == 0)
        snprintf(h->first_problem, sizeof h->first_problem, "status %ld: %.200s", r.status, r.body);
    }
    free(sig);
    http_response_free(&r);
  }
  return NULL;
}

START_TEST(server_pool_carries_no_context) {
  char *anna = fixture_login(&fx.coordinator);
  char *tot = fixture_login(&fx.tot_coordinator);
  char anna_path[160], tot_path[160];
  community_path(anna_path, sizeof anna_path, &fx.anna, "/members?limit=100");
  community_path(tot_path, sizeof tot_path, &fx.tot, "/members?limit=100");
  struct http_response r;
  http_get(&r, anna_path, anna);
  assert_status(&r, 200);
  char *anna_sig = id_signature(r.json);
  http_response_free(&r);
  http_get(&r, tot_path, tot);
  assert_status(&r, 200);
  char *tot_sig = id_signature(r.json);
  http_response_free(&r);
  ck_assert_msg(anna_sig && tot_sig, "baseline lists unusable");
  ck_assert_str_ne(anna_sig, tot_sig);

  enum { THREADS = 4, EACH = 50 };
  struct hammer h[THREADS];
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) {
    h[i] = (struct hammer){
        .token = i % 2 ? tot : anna,
        .path = i % 2 ? tot_path : anna_path,
        .expected = i % 2 ? tot_sig : anna_sig,
        .iterations = EACH,
    };
    ck_assert_int_eq(pthread_create(&th[i], NULL, hammer_run, &h[i]), 0);
  }
  int bad = 0, errors = 0;
  char first[300] = "";
  for (int i = 0; i < THREADS; i++) {
    ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    bad += h[i].mismatches;
    errors += h[i].errors;
    if (first[0] == '\0' && h[i].first_problem[0] != '\0') snprintf(first, sizeof first, "%s", h[i].first_problem);
  }
  ck_assert_msg(bad == 0 && errors == 0, "%d of %d answers wrong, %d failed; first: %s", bad, THREADS * EACH, errors,
                first);
  free(anna_sig);
  free(tot_sig);
  free(anna);
  free(tot);
}
END_TEST

Suite *tenancy_suite(void) {
  Suite *s = suite_create("tenancy");
  TCase *tc = fixture_tcase("tenancy", 60);
  tcase_add_test(tc, db_context_lives_in_one_transaction);
  tcase_add_test(tc, db_app_role_is_unprivileged);
  tcase_add_test(tc, db_rls_forced_on_tenant_tables);
  tcase_add_test(tc, server_pool_carries_no_context);
  suite_add_tcase(s, tc);
  return s;
}
