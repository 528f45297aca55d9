/* Casework access log (NEN 7513): every request to a case route writes exactly one entry
 * (table-driven over the case endpoints, allowed and refused), the subject reads the case's
 * log, coordinators export the community's log, and the server's database role cannot change
 * or remove entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "db.h"
#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"

enum actor { COORD, VOL1, VOL2, PROF, RES1, ACTORS };
/* The test's fixture members (fixture.h) in the roles of the steps below. */
static const struct fixture_member *const actor_member[ACTORS] = {&fx.coordinator, &fx.volunteer1, &fx.volunteer2,
                                                                  &fx.professional, &fx.resident1};

enum if_match { NO_MATCH, CASE_ETAG, ACTION_ETAG, STALE };

struct step {
  enum actor who;
  const char *method;
  const char *suffix; /* after /cases/{id}; {A} action id, {P} participant id */
  const char *body;   /* JSON with {V2} {PROF} placeholders, NULL: none */
  enum if_match match;
  long status;
  const char *resource;
  const char *action; /* NULL: not checked */
};

/* Every case endpoint, allowed and refused. */
static const struct step steps[] = {
    {COORD, "GET", "", NULL, NO_MATCH, 200, "case", "read"},
    {PROF, "GET", "", NULL, NO_MATCH, 200, "case", "read"},
    {VOL2, "GET", "", NULL, NO_MATCH, 404, "case", "read"},
    {COORD, "PATCH", "", "{\"title\":\"Hegelsom, bijgewerkt\"}", CASE_ETAG, 200, "case", "update"},
    {COORD, "PATCH", "", "{\"title\":\"zonder If-Match\"}", NO_MATCH, 428, "case", "update"},
    {COORD, "PATCH", "", "{\"title\":\"verouderd\"}", STALE, 412, "case", "update"},
    {VOL1, "PATCH", "", "{\"title\":\"geen recht\"}", CASE_ETAG, 403, "case", "update"},
    {VOL1, "GET", "/overview", NULL, NO_MATCH, 200, "overview", "read"},
    {VOL2, "GET", "/overview", NULL, NO_MATCH, 404, "overview", "read"},
    {COORD, "POST", "/participants", "{\"person_id\":\"{V2}\",\"role\":\"volunteer\"}", NO_MATCH, 201, "participants",
     "create"},
    {COORD, "POST", "/participants", "{\"person_id\":\"{V2}\",\"role\":\"volunteer\"}", NO_MATCH, 409, "participants",
     "create"},
    {COORD, "DELETE", "/participants/{P}", NULL, NO_MATCH, 204, "participants", "delete"},
    {VOL2, "DELETE", "/participants/{P}", NULL, NO_MATCH, 404, "participants", "delete"},
    {COORD, "POST", "/lead", "{\"person_id\":\"{PROF}\",\"note\":\"naar het wijkteam\"}", NO_MATCH, 200, "lead", NULL},
    {COORD, "GET", "/lead-history", NULL, NO_MATCH, 200, "lead", "read"},
    {VOL1, "POST", "/lead", "{\"person_id\":\"{V1}\",\"note\":\"mag niet\"}", NO_MATCH, 403, "lead", NULL},
    {VOL1, "GET", "/actions", NULL, NO_MATCH, 200, "actions", "read"},
    {PROF, "GET", "/actions", NULL, NO_MATCH, 200, "actions", "read"},
    {VOL1, "POST", "/actions", "{\"title\":\"Nieuwe actie\"}", NO_MATCH, 201, "actions", "create"},
    {COORD, "PATCH", "/actions/{A}", "{\"title\":\"Actie hernoemd\"}", ACTION_ETAG, 200, "actions", "update"},
    {COORD, "PATCH", "/actions/{A}", "{\"title\":\"zonder\"}", NO_MATCH, 428, "actions", "update"},
    {VOL1, "POST", "/actions/{A}/take", "{}", NO_MATCH, 200, "actions", NULL},
    {RES1, "POST", "/actions/{A}/take", "{}", NO_MATCH, 409, "actions", NULL},
    {COORD, "GET", "/consents", NULL, NO_MATCH, 200, "consents", "read"},
    {VOL1, "GET", "/consents", NULL, NO_MATCH, 403, "consents", "read"},
    {RES1, "POST", "/consents", "{\"grantee_person_id\":\"{PROF}\",\"data_kind\":\"basic\",\"granted\":true}", NO_MATCH,
     201, "consents", "create"},
    {COORD, "POST", "/consents", "{\"grantee_organisation\":\"wijkteam\",\"data_kind\":\"basic\",\"granted\":true}",
     NO_MATCH, 403, "consents", "create"},
    {PROF, "GET", "", NULL, NO_MATCH, 200, "case", "read"},
    {RES1, "GET", "/access-log", NULL, NO_MATCH, 200, "access_log", "read"},
    {VOL1, "GET", "/access-log", NULL, NO_MATCH, 403, "access_log", "read"},
    {VOL1, "POST", "/close", "{\"outcome\":\"mag niet\"}", NO_MATCH, 403, "case", NULL},
    {PROF, "POST", "/close", "{\"outcome\":\"Zorg geregeld\"}", NO_MATCH, 200, "case", NULL},
    {PROF, "POST", "/close", "{\"outcome\":\"nogmaals\"}", NO_MATCH, 409, "case", NULL},
    {COORD, "POST", "/reopen", "{}", NO_MATCH, 200, "case", NULL},
    {COORD, "POST", "/reopen", "{}", NO_MATCH, 409, "case", NULL},
};
#define NSTEPS (sizeof steps / sizeof steps[0])

/* Copies tmpl into out replacing each key with its value. */
static void fill(char *out, size_t len, const char *tmpl, const char *const *keys, const char *const *vals, size_t n) {
  size_t o = 0;
  for (const char *s = tmpl; *s != '\0';) {
    size_t k;
    for (k = 0; k < n; k++)
      if (strncmp(s, keys[k], strlen(keys[k])) == 0) break;
    const char *add = k < n ? vals[k] : s;
    size_t alen = k < n ? strlen(vals[k]) : 1;
    ck_assert_msg(o + alen < len, "template too long: %s", tmpl);
    memcpy(out + o, add, alen);
    o += alen;
    s += k < n ? strlen(keys[k]) : 1;
  }
  out[o] = '\0';
}

START_TEST(access_log_every_endpoint) {
  char *tok[ACTORS];
  for (int i = 0; i < ACTORS; i++) tok[i] = fixture_login(actor_member[i]);
  char *id = case_with_participants(tok[COORD], "Hegelsom: logboek");
  char *action_etag = NULL;
  char *action = action_create(tok[COORD], id, "Te nemen", NULL, NULL, &action_etag);
  char *case_tag = case_etag(tok[COORD], id);
  char participant[64] = "00000000-0000-4000-8000-00000000dead";
  PGconn *db = owner_db();
  long base = access_log_rows(db, id);
  /* one entry per request of the setup: the case, two participants, the action, the GET */
  ck_assert_msg(base == 5, "setup wrote %ld access-log rows, expected 5", base);

  for (size_t i = 0; i < NSTEPS; i++) {
    const struct step *s = &steps[i];
    const char *keys[] = {"{A}", "{P}", "{V1}", "{V2}", "{PROF}"};
    const char *vals[] = {action, participant, fx.volunteer1.id, fx.volunteer2.id, fx.professional.id};
    char suffix[200], path[300], body[400], hdr[300];
    fill(suffix, sizeof suffix, s->suffix, keys, vals, 5);
    case_path(path, sizeof path, id, suffix);
    const char *h[] = {hdr, NULL};
    const char *etag = s->match == CASE_ETAG ? case_tag : s->match == ACTION_ETAG ? action_etag : "\"stale-etag\"";
    snprintf(hdr, sizeof hdr, "If-Match: %s", etag);
    json_t *b = NULL;
    if (s->body != NULL) {
      fill(body, sizeof body, s->body, keys, vals, 5);
      b = json_loads(body, 0, NULL);
      ck_assert_ptr_nonnull(b);
    }
    long before = access_log_rows(db, id);
    struct http_response r;
    http_call_h(&r, s->method, path, tok[s->who], b, s->match == NO_MATCH ? NULL : h);
    ck_assert_msg(r.status == s->status, "step %zu %s %s as %s: expected %ld, got %ld: %.300s", i, s->method, s->suffix,
                  actor_member[s->who]->email, s->status, r.status, r.body);
    if (s->status >= 400) assert_problem(&r, s->status, NULL);
    long after = access_log_rows(db, id);
    ck_assert_msg(after - before == 1, "step %zu %s %s (%ld) as %s wrote %ld access-log entries, expected 1", i,
                  s->method, s->suffix, s->status, actor_member[s->who]->email, after - before);
    const char *e = http_header(&r, "etag");
    if (r.status == 200 && e != NULL && strcmp(s->method, "PATCH") == 0) {
      if (s->match == CASE_ETAG) {
        free(case_tag);
        case_tag = strdup(e);
      } else {
        free(action_etag);
        action_etag = strdup(e);
      }
    }
    if (r.status == 201 && strcmp(s->suffix, "/participants") == 0)
      snprintf(participant, sizeof participant, "%s", jstr(r.json, "id"));
    http_response_free(&r);
  }

  /* the subject reads the log: oldest first, one entry per step after the setup */
  char path[200];
  case_path(path, sizeof path, id, "/access-log");
  json_t *log = list_all(path, tok[RES1], NULL);
  ck_assert_msg(json_array_size(log) == (size_t)base + NSTEPS, "log has %zu entries, expected %ld",
                json_array_size(log), base + (long)NSTEPS);
  bool consented = false;
  for (size_t i = 0; i < NSTEPS; i++) {
    const struct step *s = &steps[i];
    json_t *e = json_array_get(log, (size_t)base + i);
    const char *res = jstr(e, "resource"), *act = jstr(e, "action");
    const char *out = jstr(e, "outcome"), *actor = jstr(e, "actor_id");
    long st = (long)jint(e, "status", -1);
    ck_assert_msg(res && strcmp(res, s->resource) == 0 && st == s->status && actor &&
                      strcmp(actor, actor_member[s->who]->id) == 0,
                  "entry for step %zu (%s %s %ld as %s): %s", i, s->method, s->suffix, s->status,
                  actor_member[s->who]->email, json_dumps(e, JSON_COMPACT));
    if (s->action != NULL)
      ck_assert_msg(act && strcmp(act, s->action) == 0, "step %zu: action %s, expected %s", i, act ? act : "null",
                    s->action);
    /* the professional reads restricted until the subject's consent (RES1 POST /consents) */
    if (s->who == RES1 && strcmp(s->suffix, "/consents") == 0 && s->status == 201) consented = true;
    bool restricted = s->who == PROF && strcmp(s->method, "GET") == 0 && s->status == 200 && !consented;
    const char *expected = restricted         ? "restricted"
                           : s->status == 409 ? "conflict"
                           : s->status < 400  ? "allowed"
                                              : "denied";
    ck_assert_msg(strcmp(out, expected) == 0, "step %zu: outcome %s, expected %s", i, out, expected);
    ck_assert_str_eq(jstr(e, "case_id"), id);
    ck_assert_str_eq(jstr(e, "subject_id"), fx.resident1.id);
    ck_assert_ptr_nonnull(jstr(e, "at"));
    ck_assert(json_is_array(jpath(e, "actor_roles")));
    if (s->who == PROF) {
      ck_assert(jarray_has_string(jpath(e, "actor_roles"), "professional"));
      ck_assert_str_eq(jstr(e, "actor_organisation"), "wijkteam");
    }
    if (i > 0) ck_assert(epoch_of(jstr(e, "at")) >= epoch_of(jstr(json_array_get(log, (size_t)base + i - 1), "at")));
  }
  json_decref(log);

  PQfinish(db);
  free(case_tag);
  free(action);
  free(action_etag);
  free(id);
  for (int i = 0; i < ACTORS; i++) free(tok[i]);
}
END_TEST

START_TEST(access_log_reading_and_export) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *vol2 = fixture_login(&fx.volunteer2);
  char *res1 = fixture_login(&fx.resident1);
  char since[32];
  utc_in(since, -5);
  char *id = case_with_participants(coord, "Hegelsom: wie keek er mee");
  lead_handover(coord, id, fx.professional.id, "wijkteam neemt over");
  struct http_response r;
  case_get(&r, prof, id);
  assert_status(&r, 200);
  http_response_free(&r);
  json_decref(actions_list(prof, id));
  case_get(&r, vol2, id); /* a non-participant's attempt */
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  char path[200];
  case_path(path, sizeof path, id, "/access-log");
  json_t *log = list_all(path, res1, NULL);
  size_t i, prof_reads = 0, denied = 0;
  json_t *e;
  json_array_foreach(log, i, e) {
    const char *actor = jstr(e, "actor_id");
    const char *act = jstr(e, "action"), *out = jstr(e, "outcome");
    /* no consent yet: the professional's reads were cut down */
    if (actor && strcmp(actor, fx.professional.id) == 0 && act && strcmp(act, "read") == 0 && out &&
        strcmp(out, "restricted") == 0)
      prof_reads++;
    if (actor && strcmp(actor, fx.volunteer2.id) == 0) {
      ck_assert_str_eq(jstr(e, "outcome"), "denied");
      ck_assert_int_eq(jint(e, "status", 0), 404);
      ck_assert_str_eq(jstr(e, "case_id"), id);
      denied++;
    }
  }
  ck_assert_msg(prof_reads == 2, "%zu reads by the professional in the log, expected 2", prof_reads);
  /* the case, two participants, the lead, the professional's two reads, the refused read */
  ck_assert_msg(json_array_size(log) == 7, "the case's log has %zu entries, expected 7", json_array_size(log));
  ck_assert_msg(denied == 1, "%zu denied entries for the non-participant", denied);
  /* paginated by (at, id): small pages give the same entries in the same order. Reading the
     * log is logged too, so the walk starts with 8 entries (the 7 above and that read) and each
     * page it reads adds one that a later page meets: 7 pages, 14 entries. */
  int pages = 0;
  json_t *small = list_walk(path, res1, 2, NULL, &pages);
  ck_assert_msg(pages == 7 && json_array_size(small) == 14, "%d pages, %zu entries", pages, json_array_size(small));
  for (i = 0; i < json_array_size(log); i++)
    ck_assert_str_eq(jstr(json_array_get(small, i), "id"), jstr(json_array_get(log, i), "id"));
  json_decref(small);
  json_decref(log);

  /* only the subject (or a representative) reads the case's log */
  const char *no[] = {coord, prof, vol1};
  for (size_t k = 0; k < 3; k++) {
    http_get(&r, path, no[k]);
    assert_problem(&r, 403, "forbidden");
    http_response_free(&r);
  }
  http_get(&r, path, vol2);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* the community's log: coordinators export it */
  char q[64], *enc = url_encode(since);
  snprintf(q, sizeof q, "since=%s", enc);
  free(enc);
  char community_log[160], tot_log[160];
  community_path(community_log, sizeof community_log, &fx.anna, "/access-log");
  community_path(tot_log, sizeof tot_log, &fx.tot, "/access-log");
  json_t *all = list_all(community_log, coord, q);
  size_t mine = 0;
  json_array_foreach(all, i, e) {
    const char *c = jstr(e, "case_id");
    mine += c != NULL && strcmp(c, id) == 0;
    ck_assert(epoch_of(jstr(e, "at")) >= epoch_of(since));
    if (i > 0) ck_assert(epoch_of(jstr(e, "at")) >= epoch_of(jstr(json_array_get(all, i - 1), "at")));
  }
  /* 7 before the subject read the log, 1 + 7 reads by the subject, 4 refused reads */
  ck_assert_msg(mine == 19, "%zu entries of the case in the export, expected 19", mine);
  ck_assert_msg(json_array_size(all) == mine, "%zu entries in the export, %zu of the case", json_array_size(all), mine);
  json_decref(all);
  const char *not_coord[] = {vol1, prof, res1};
  for (size_t k = 0; k < 3; k++) {
    http_get(&r, community_log, not_coord[k]);
    assert_problem(&r, 403, "forbidden");
    http_response_free(&r);
  }
  char bad_since[200];
  community_path(bad_since, sizeof bad_since, &fx.anna, "/access-log?since=gisteren");
  http_get(&r, bad_since, coord);
  assert_problem(&r, 400, NULL);
  http_response_free(&r);
  char *tot = fixture_login(&fx.tot_coordinator);
  all = list_all(tot_log, tot, NULL);
  json_array_foreach(all, i, e) {
    const char *c = jstr(e, "case_id");
    ck_assert(c == NULL || strcmp(c, id) != 0);
  }
  json_decref(all);
  http_get(&r, community_log, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  free(tot);
  free(id);
  free(res1);
  free(vol2);
  free(vol1);
  free(prof);
  free(coord);
}
END_TEST

/* Runs sql as the server's role with the community context; expects permission denied. */
static void expect_denied(PGconn *c, const char *sql) {
  db_run(c, "BEGIN");
  const char *params[] = {fx.coordinator.id, fx.anna.id, "coordinator"};
  PQclear(db_exec(c,
                  "SELECT set_config('app.person_id', $1, true),"
                  " set_config('app.community_id', $2, true),"
                  " set_config('app.roles', $3, true)",
                  3, params));
  long visible = db_long(c, "SELECT count(*) FROM access_log");
  ck_assert_msg(visible > 0, "the server's role sees no access-log rows with the context");
  PGresult *r = PQexec(c, sql);
  ExecStatusType st = PQresultStatus(r);
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  char msg[300];
  snprintf(msg, sizeof msg, "%s: status %s, sqlstate %s, %s", sql, PQresStatus(st), state ? state : "-",
           PQresultErrorMessage(r));
  bool denied = st == PGRES_FATAL_ERROR && state != NULL && strcmp(state, "42501") == 0;
  PQclear(r);
  db_run(c, "ROLLBACK");
  ck_assert_msg(denied, "expected permission denied: %s", msg);
}

START_TEST(access_log_append_only) {
  /* make sure there is something in the log */
  char *coord = fixture_login(&fx.coordinator);
  char *id = case_open(coord, fx.resident1.id, "Logboek onveranderlijk", NULL);
  struct http_response r;
  case_get(&r, coord, id);
  assert_status(&r, 200);
  http_response_free(&r);
  PGconn *db = owner_db();
  long before = access_log_rows(db, id);
  ck_assert_int_eq(before, 2); /* the POST that opened it and the GET */

  PGconn *c = db_connect(env_required("NOABER_TEST_APP_DSN"));
  expect_denied(c, "UPDATE access_log SET status = 200");
  expect_denied(c, "DELETE FROM access_log");
  expect_denied(c, "TRUNCATE access_log");
  PQfinish(c);
  ck_assert_int_eq(access_log_rows(db, id), before);
  PQfinish(db);
  free(id);
  free(coord);
}
END_TEST

Suite *cases_access_suite(void) {
  Suite *s = suite_create("cases_access");
  TCase *tc = cases_tcase("access_log");
  tcase_add_test(tc, access_log_every_endpoint);
  tcase_add_test(tc, access_log_reading_and_export);
  tcase_add_test(tc, access_log_append_only);
  suite_add_tcase(s, tc);
  return s;
}
