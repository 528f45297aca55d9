/* Casework leaks closed by issue 10 (items 2, 5 and 11): a case role must fit the person's
 * community roles and a representative needs the subject's consent or a coordinator's reason;
 * consent grantees and every id in a case body are checked by the domain (422 naming the field),
 * with a database's foreign-key refusal as a 422 safety net and its log line naming the request;
 * the access log records outside attempts against the case, conflicts, consent-restricted reads
 * and the actors' names. Each test failed before the fix it covers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "db.h"
#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"

/* The participant_added events of the case's timeline as tok sees it (new reference). */
static json_t *participant_events(const char *tok, const char *case_id) {
  char path[200];
  case_path(path, sizeof path, case_id, "/timeline");
  json_t *all = list_all(path, tok, NULL), *out = json_array(), *e;
  size_t i;
  json_array_foreach(all, i, e) {
    const char *type = jstr(e, "event.type");
    if (type != NULL && strcmp(type, "participant_added") == 0) json_array_append(out, e);
  }
  json_decref(all);
  return out;
}

/* Whether one of the events' details contains `text`. */
static bool event_detail_has(json_t *events, const char *text) {
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    const char *detail = jstr(e, "event.detail");
    if (detail != NULL && strstr(detail, text) != NULL) return true;
  }
  return false;
}

static void representative_post(struct http_response *r, const char *tok, const char *case_id, const char *person_id,
                                const char *reason) {
  char path[200];
  case_path(path, sizeof path, case_id, "/participants");
  json_t *b = json_pack("{s:s,s:s,s:b}", "person_id", person_id, "role", "informal_carer", "representative", 1);
  if (reason != NULL) json_object_set_new(b, "reason", json_string(reason));
  http_call(r, "POST", path, tok, b);
}

/* Item 2: the desk added the wijkteam professional as `volunteer` (who then read notes without
 * consent) and a volunteer as `coordinator` (who then read the consent records): 201 before. */
START_TEST(case_role_fits_community_roles) {
  char *coord = fixture_login(&fx.coordinator);
  char *id = case_open(coord, fx.resident1.id, "Rol past bij de persoon", NULL);
  struct http_response r;
  const struct {
    const char *person, *role;
  } wrong[] = {
      {fx.professional.id, "volunteer"},
      {fx.professional.id, "informal_carer"},
      {fx.volunteer1.id, "coordinator"},
      {fx.volunteer1.id, "professional"},
  };
  for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
    participant_post(&r, coord, id, wrong[i].person, wrong[i].role, NULL, false);
    assert_problem(&r, 422, "unprocessable");
    ck_assert_msg(problem_has_error(&r, "role", "role_mismatch"), "%s as %s: %s", wrong[i].person, wrong[i].role,
                  r.body);
    http_response_free(&r);
  }
  /* the roles they have are fine */
  free(participant_add(coord, id, fx.professional.id, "professional", "wijkteam", false));
  free(participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false));
  /* the professional still waits for consent */
  char *prof = fixture_login(&fx.professional);
  case_get(&r, prof, id);
  assert_status(&r, 200);
  ck_assert(json_is_true(jpath(r.json, "restricted")));
  http_response_free(&r);
  free(prof);
  free(id);
  free(coord);
}
END_TEST

/* Item 2: anyone the lead or desk chose became the subject's representative (grants consent,
 * reads the access log) without the subject knowing. */
START_TEST(representative_needs_consent_or_reason) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *res1 = fixture_login(&fx.resident1);
  struct person daughter, neighbour;
  person_create(&daughter, coord, fx.anna.id, "resident");
  person_create(&neighbour, coord, fx.anna.id, "resident");
  char *id = case_open(coord, fx.resident1.id, "Wie spreekt voor mevrouw", NULL);
  free(participant_add(coord, id, fx.professional.id, "professional", "wijkteam", false));
  struct http_response r;

  /* the desk without a reason: the reason is asked for */
  representative_post(&r, coord, id, neighbour.id, NULL);
  assert_problem(&r, 422, "unprocessable");
  ck_assert(problem_has_error(&r, "reason", "required"));
  http_response_free(&r);
  /* a reason is only for a representative */
  char path[200];
  case_path(path, sizeof path, id, "/participants");
  http_call(&r, "POST", path, coord,
            json_pack("{s:s,s:s,s:s}", "person_id", neighbour.id, "role", "informal_carer", "reason", "buurvrouw"));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "reason", "invalid"));
  http_response_free(&r);

  /* the lead who is not a coordinator cannot do it without the subject's consent */
  lead_handover(coord, id, fx.professional.id, "wijkteam neemt de regie");
  representative_post(&r, prof, id, daughter.id, "dochter regelt alles");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  /* a coordinator with a reason: recorded on the timeline, which the subject reads */
  const char *reason = "mevrouw kan tijdelijk niet spreken na haar beroerte";
  representative_post(&r, coord, id, neighbour.id, reason);
  assert_status(&r, 201);
  ck_assert(json_is_true(jpath(r.json, "representative")));
  http_response_free(&r);
  json_t *events = participant_events(res1, id);
  ck_assert_msg(event_detail_has(events, reason), "the subject does not see the reason: %s",
                json_dumps(events, JSON_COMPACT));
  json_decref(events);

  /* the subject's own consent: then the lead needs no reason */
  consent_record(res1, id, daughter.id, NULL, "basic", true);
  representative_post(&r, prof, id, daughter.id, NULL);
  assert_status(&r, 201);
  ck_assert(json_is_true(jpath(r.json, "representative")));
  http_response_free(&r);
  events = participant_events(res1, id);
  ck_assert_msg(event_detail_has(events, "with their consent"), "no consent ground on the timeline: %s",
                json_dumps(events, JSON_COMPACT));
  json_decref(events);

  /* a representative's grant is not the subject's own: the lead still needs her consent */
  struct person friend_;
  person_create(&friend_, coord, fx.anna.id, "resident");
  consent_record(daughter.tokens.access, id, friend_.id, NULL, "basic", true);
  representative_post(&r, prof, id, friend_.id, NULL);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  person_free(&friend_);
  free(id);
  person_free(&neighbour);
  person_free(&daughter);
  free(res1);
  free(prof);
  free(coord);
}
END_TEST

/* Item 5: an id that does not exist answered 500 (a foreign-key violation reached the client),
 * a person of another community was accepted (201). */
START_TEST(consent_grantee_is_member_or_participant) {
  char *coord = fixture_login(&fx.coordinator);
  char *res1 = fixture_login(&fx.resident1);
  char *id = case_with_participants(coord, "Toestemming voor wie");
  struct http_response r;
  const char *strangers[] = {"00000000-0000-4000-8000-00000000ffff", fx.tot_coordinator.id};
  for (size_t i = 0; i < 2; i++) {
    consent_post(&r, res1, id, strangers[i], NULL, "notes", true);
    assert_problem(&r, 422, "unprocessable");
    ck_assert_msg(problem_has_error(&r, "grantee_person_id", "not_a_member"), "%s: %s", strangers[i], r.body);
    http_response_free(&r);
  }
  /* a participant, and a member who is not on the case yet */
  consent_record(res1, id, fx.professional.id, NULL, "basic", true);
  consent_record(res1, id, fx.volunteer2.id, NULL, "basic", true);
  char path[200];
  case_path(path, sizeof path, id, "/consents");
  http_get(&r, path, res1);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(jpath(r.json, "items")), 2);
  http_response_free(&r);
  free(id);
  free(res1);
  free(coord);
}
END_TEST

/* Polls the shared server's log (run-integration.sh) for a db_error line of this request. */
static bool server_logged_db_error(const char *request_id) {
  const char *dir = getenv("NOABER_TEST_TMPDIR");
  ck_assert_ptr_nonnull(dir);
  char path[600], needle[200], line[4096];
  snprintf(path, sizeof path, "%s/server.log", dir);
  snprintf(needle, sizeof needle, "\"request_id\":\"%s\"", request_id);
  for (int attempt = 0; attempt < 50; attempt++) {
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    bool found = false;
    while (!found && fgets(line, sizeof line, f) != NULL)
      found = strstr(line, "\"db_error\"") != NULL && strstr(line, needle) != NULL;
    fclose(f);
    if (found) return true;
    usleep(100 * 1000);
  }
  return false;
}

/* Item 5: whatever the domain misses, a database's refusal of the data (a foreign key, a CHECK)
 * is the client's 422, not a 500, and the db_error line names the request. A trigger (as the
 * owner) refuses one marked title with `errcode`, as a reference to a row that went away, or a
 * value a constraint does not allow, would. */
static void assert_refusal_is_422_and_logged(const char *errcode) {
  char *coord = fixture_login(&fx.coordinator);
  char *id = case_open(coord, fx.resident1.id, "Vangnet", NULL);
  char marker[80];
  snprintf(marker, sizeof marker, "refused-%s", id);
  PGconn *db = owner_db();
  char sql[400];
  snprintf(sql, sizeof sql,
           "CREATE OR REPLACE FUNCTION test_refusal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
           "RAISE EXCEPTION 'test: the database refuses this' USING ERRCODE = '%s'; END $$",
           errcode);
  db_run(db, sql);
  snprintf(sql, sizeof sql,
           "CREATE TRIGGER test_refusal BEFORE UPDATE ON cases FOR EACH ROW WHEN (NEW.title = '%s') "
           "EXECUTE FUNCTION test_refusal()",
           marker);
  db_run(db, sql);

  char *etag = case_etag(coord, id);
  char path[200], if_match[200], request_id[80];
  case_path(path, sizeof path, id, NULL);
  snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
  snprintf(request_id, sizeof request_id, "t10-%.6s-%.8s-%d", errcode, id, (int)getpid());
  char rid_header[120];
  snprintf(rid_header, sizeof rid_header, "X-Request-Id: %s", request_id);
  const char *h[] = {if_match, rid_header, NULL};
  struct http_response r;
  http_call_h(&r, "PATCH", path, coord, json_pack("{s:s}", "title", marker), h);
  int status = (int)r.status;
  char body[300];
  snprintf(body, sizeof body, "%.290s", r.body ? r.body : "");
  if (status == 422) assert_problem(&r, 422, "unprocessable");
  http_response_free(&r);
  db_run(db, "DROP TRIGGER test_refusal ON cases");
  db_run(db, "DROP FUNCTION test_refusal()");
  PQfinish(db);
  ck_assert_msg(status == 422, "a refusal with %s answered %d: %s", errcode, status, body);
  ck_assert_msg(server_logged_db_error(request_id), "no db_error line with request_id %s", request_id);
  free(etag);
  free(id);
  free(coord);
}

START_TEST(foreign_key_refusal_is_422_and_logged_with_request_id) {
  assert_refusal_is_422_and_logged("foreign_key_violation");
}
END_TEST

START_TEST(check_refusal_is_422_and_logged_with_request_id) { assert_refusal_is_422_and_logged("check_violation"); }
END_TEST

/* The entries of the case's access log as the subject reads them (new reference). */
static json_t *subject_log(const char *res1, const char *case_id) {
  char path[200];
  case_path(path, sizeof path, case_id, "/access-log");
  return list_all(path, res1, NULL);
}

/* The first entry by actor with this resource, action and status, borrowed; NULL when none. */
static json_t *entry_of(json_t *log, const char *actor, const char *resource, long status) {
  size_t i;
  json_t *e;
  json_array_foreach(log, i, e) {
    const char *a = jstr(e, "actor_id"), *res = jstr(e, "resource");
    if (a && res && strcmp(a, actor) == 0 && strcmp(res, resource) == 0 && jint(e, "status", 0) == status) return e;
  }
  return NULL;
}

/* Item 11: an outsider's attempt was logged without case and subject (the subject never saw
 * it); a lost race said `denied`; a read cut down by consent said `allowed`; actors were ids. */
START_TEST(access_log_says_what_happened) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *res1 = fixture_login(&fx.resident1);
  char *tot = fixture_login(&fx.tot_coordinator);
  char *id = case_with_participants(coord, "Logboek zegt wat er gebeurde");
  struct http_response r;

  /* someone of another community tries the case's path */
  case_get(&r, tot, id);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  /* the professional without consent: allowed, but cut down */
  case_get(&r, prof, id);
  assert_status(&r, 200);
  ck_assert(json_is_true(jpath(r.json, "restricted")));
  http_response_free(&r);
  char path[200];
  case_path(path, sizeof path, id, "/timeline");
  json_decref(list_all(path, prof, NULL));
  /* the volunteer (no consent needed) reads in full */
  char *vol1 = fixture_login(&fx.volunteer1);
  case_get(&r, vol1, id);
  assert_status(&r, 200);
  http_response_free(&r);
  /* closing twice: the second loses to the case's state */
  case_path(path, sizeof path, id, "/close");
  http_call(&r, "POST", path, coord, json_pack("{s:s}", "outcome", "Geregeld"));
  assert_status(&r, 200);
  http_response_free(&r);
  http_call(&r, "POST", path, coord, json_pack("{s:s}", "outcome", "Nogmaals"));
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);

  json_t *log = subject_log(res1, id);
  json_t *e = entry_of(log, fx.tot_coordinator.id, "case", 404);
  ck_assert_msg(e != NULL, "the outsider's attempt is not in the subject's log: %s", json_dumps(log, JSON_COMPACT));
  ck_assert_str_eq(jstr(e, "case_id"), id);
  ck_assert_str_eq(jstr(e, "subject_id"), fx.resident1.id);
  ck_assert_str_eq(jstr(e, "outcome"), "denied");
  ck_assert(null_or_absent(e, "actor_name")); /* not a member here: no name to show */
  ck_assert_uint_eq(json_array_size(jpath(e, "actor_roles")), 0);

  e = entry_of(log, fx.professional.id, "case", 200);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(jstr(e, "outcome"), "restricted");
  ck_assert_str_eq(jstr(e, "actor_name"), fx.professional.name);
  e = entry_of(log, fx.professional.id, "timeline", 200);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(jstr(e, "outcome"), "restricted");
  e = entry_of(log, fx.volunteer1.id, "case", 200);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(jstr(e, "outcome"), "allowed");
  ck_assert_str_eq(jstr(e, "actor_name"), fx.volunteer1.name);
  e = entry_of(log, fx.coordinator.id, "case", 409);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(jstr(e, "outcome"), "conflict");
  ck_assert_str_eq(jstr(e, "actor_name"), fx.coordinator.name);
  json_decref(log);

  /* after the subject's consent the professional's read is a full one */
  consent_record(res1, id, fx.professional.id, NULL, "basic", true);
  case_get(&r, prof, id);
  assert_status(&r, 200);
  ck_assert(json_is_false(jpath(r.json, "restricted")));
  http_response_free(&r);
  log = subject_log(res1, id);
  size_t i, full = 0;
  json_array_foreach(log, i, e) {
    const char *a = jstr(e, "actor_id"), *res = jstr(e, "resource"), *out = jstr(e, "outcome");
    full += a && res && out && strcmp(a, fx.professional.id) == 0 && strcmp(res, "case") == 0 &&
            strcmp(out, "allowed") == 0;
  }
  ck_assert_uint_eq(full, 1);
  json_decref(log);

  free(vol1);
  free(id);
  free(tot);
  free(res1);
  free(prof);
  free(coord);
}
END_TEST

Suite *cases_leaks_suite(void) {
  Suite *s = suite_create("cases_leaks");
  TCase *tc = cases_tcase("leaks");
  tcase_add_test(tc, case_role_fits_community_roles);
  tcase_add_test(tc, representative_needs_consent_or_reason);
  tcase_add_test(tc, consent_grantee_is_member_or_participant);
  tcase_add_test(tc, foreign_key_refusal_is_422_and_logged_with_request_id);
  tcase_add_test(tc, check_refusal_is_422_and_logged_with_request_id);
  tcase_add_test(tc, access_log_says_what_happened);
  suite_add_tcase(s, tc);
  return s;
}
