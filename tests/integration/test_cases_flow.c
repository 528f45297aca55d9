/* Casework: the Hegelsom scenario (a coordinator opens a case, adds the circle, hands the lead
 * to the wijkteam professional), who sees a case, participants, exactly one lead (also under
 * concurrent handovers), editing, closing and reopening. */
#include <pthread.h>
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

static bool items_have(json_t *items, const char *id) { return find_item(items, "id", id) != NULL; }

/* Participant entry of person in the case JSON (borrowed) or NULL. */
static json_t *participant_of(json_t *c, const char *person) {
  return find_item(json_object_get(c, "participants"), "person_id", person);
}

START_TEST(hegelsom_scenario) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *vol2 = fixture_login(&fx.volunteer2);
  char *res1 = fixture_login(&fx.resident1);
  char *tot = fixture_login(&fx.tot_coordinator);
  struct person coord2;
  person_create(&coord2, coord, fx.anna.id, "coordinator");

  json_t *c = NULL;
  char *id = case_open(coord, fx.resident1.id, "Mevrouw Jansen, Hegelsom: thuis blijven wonen", &c);
  ck_assert_str_eq(jstr(c, "community_id"), fx.anna.id);
  ck_assert_str_eq(jstr(c, "status"), "open");
  ck_assert(json_is_false(jpath(c, "restricted")));
  ck_assert_str_eq(jstr(c, "title"), "Mevrouw Jansen, Hegelsom: thuis blijven wonen");
  ck_assert_str_eq(jstr(c, "subject_id"), fx.resident1.id);
  ck_assert_str_eq(jstr(c, "subject_name"), "Inwoner Een");
  ck_assert_str_eq(jstr(c, "lead.person_id"), fx.coordinator.id);
  ck_assert_ptr_nonnull(jstr(c, "lead.since"));
  ck_assert_uint_eq(json_array_size(json_object_get(c, "participants")), 2);
  ck_assert_str_eq(jstr(participant_of(c, fx.resident1.id), "role"), "subject");
  ck_assert_str_eq(jstr(participant_of(c, fx.coordinator.id), "role"), "coordinator");
  ck_assert(null_or_absent(c, "outcome"));
  ck_assert(null_or_absent(c, "closed_at"));
  ck_assert(null_or_absent(c, "help_request_id"));
  json_decref(c);

  char *p_vol = participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false);
  char *p_prof = participant_add(coord, id, fx.professional.id, "professional", "wijkteam", false);
  struct http_response r;
  participant_post(&r, coord, id, fx.volunteer1.id, "volunteer", NULL, false);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);

  case_get(&r, coord, id);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "participants")), 4);
  ck_assert_str_eq(jstr(participant_of(r.json, fx.professional.id), "organisation"), "wijkteam");
  ck_assert_str_eq(jstr(participant_of(r.json, fx.professional.id), "id"), p_prof);
  ck_assert_str_eq(jstr(participant_of(r.json, fx.volunteer1.id), "role"), "volunteer");
  http_response_free(&r);

  /* the coordinator hands the lead to the professional */
  const char *note1 = "Wijkteam neemt de regie: indicatie Wmo loopt";
  lead_handover(coord, id, fx.professional.id, note1);
  char *lead = case_lead(res1, id);
  ck_assert_str_eq(lead, fx.professional.id);
  free(lead);
  json_t *h = lead_history(vol1, id);
  ck_assert_uint_eq(json_array_size(h), 2);
  ck_assert_str_eq(jstr(h, "0.person_id"), fx.coordinator.id);
  ck_assert_ptr_nonnull(jstr(h, "0.until"));
  ck_assert(null_or_absent(json_array_get(h, 0), "from"));
  ck_assert_str_eq(jstr(h, "1.person_id"), fx.professional.id);
  ck_assert_str_eq(jstr(h, "1.display_name"), "Professional Wijkteam");
  ck_assert_str_eq(jstr(h, "1.from"), fx.coordinator.id);
  ck_assert_str_eq(jstr(h, "1.note"), note1);
  assert_one_open_lead(h, fx.professional.id);
  json_decref(h);

  /* the professional passes it on to the volunteer; the professional, now an old lead and
     * not a coordinator, may not hand over any more; a coordinator on the case may */
  lead_handover(prof, id, fx.volunteer1.id, "Vrijwilliger houdt de lijntjes kort");
  lead_post(&r, prof, id, fx.professional.id, "terugnemen");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  lead_handover(coord, id, fx.professional.id, "Terug naar het wijkteam");
  lead_post(&r, vol1, id, fx.volunteer1.id, "ik weer");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  /* the subject cannot lead, nor can someone not on the case */
  lead_post(&r, coord, id, fx.resident1.id, "naar de inwoner");
  assert_problem(&r, 422, "unprocessable");
  ck_assert_msg(problem_has_error(&r, "person_id", "not_a_participant"), "lead to the subject: %s", r.body);
  http_response_free(&r);
  lead_post(&r, coord, id, fx.volunteer2.id, "niet op de zaak");
  assert_problem(&r, 422, "unprocessable");
  ck_assert_msg(problem_has_error(&r, "person_id", "not_a_participant"), "lead to a non-participant: %s", r.body);
  http_response_free(&r);
  lead_post(&r, coord, id, fx.professional.id, "");
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "note", NULL));
  http_response_free(&r);
  h = lead_history(res1, id);
  ck_assert_uint_eq(json_array_size(h), 4);
  ck_assert_str_eq(jstr(h, "3.from"), fx.volunteer1.id);
  ck_assert_str_eq(jstr(h, "3.note"), "Terug naar het wijkteam");
  assert_one_open_lead(h, fx.professional.id);
  json_decref(h);

  /* everyone on it lists it; nobody else sees it */
  const char *on[] = {coord, prof, vol1, res1};
  for (size_t i = 0; i < 4; i++) {
    json_t *l = cases_list(on[i], NULL);
    ck_assert_msg(items_have(l, id), "participant %zu does not list the case", i);
    ck_assert_uint_eq(json_array_size(l), 1);
    json_decref(l);
  }
  const char *off[] = {vol2, coord2.tokens.access};
  for (size_t i = 0; i < 2; i++) {
    case_get(&r, off[i], id);
    assert_problem(&r, 404, "not-found");
    http_response_free(&r);
    char path[200];
    case_path(path, sizeof path, id, "/lead-history");
    http_get(&r, path, off[i]);
    assert_problem(&r, 404, "not-found");
    http_response_free(&r);
    json_t *l = cases_list(off[i], NULL);
    ck_assert_msg(!items_have(l, id), "non-participant %zu lists the case", i);
    ck_assert_uint_eq(json_array_size(l), 0);
    json_decref(l);
  }
  /* the other community's coordinator: not in Anna Zorgt at all, and not in their own */
  case_get(&r, tot, id);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  char tpath[200];
  snprintf(tpath, sizeof tpath, "%s/cases/%s", fx.tot.path, id);
  http_get(&r, tpath, tot);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  char tot_cases[128];
  community_path(tot_cases, sizeof tot_cases, &fx.tot, "/cases");
  json_t *l = list_all(tot_cases, tot, NULL);
  ck_assert(!items_have(l, id));
  ck_assert_uint_eq(json_array_size(l), 0);
  json_decref(l);

  /* participants: the subject and the current lead stay; others can be removed */
  char ppath[240];
  case_get(&r, coord, id);
  const char *p_sub = jstr(participant_of(r.json, fx.resident1.id), "id");
  ck_assert_ptr_nonnull(p_sub);
  snprintf(ppath, sizeof ppath, "%s/cases/%s/participants/%s", fx.anna.path, id, p_sub);
  http_response_free(&r);
  http_call(&r, "DELETE", ppath, coord, NULL);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  snprintf(ppath, sizeof ppath, "%s/cases/%s/participants/%s", fx.anna.path, id, p_prof);
  http_call(&r, "DELETE", ppath, coord, NULL);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  snprintf(ppath, sizeof ppath, "%s/cases/%s/participants/%s", fx.anna.path, id, p_vol);
  http_call(&r, "DELETE", ppath, vol1, NULL);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "DELETE", ppath, prof, NULL); /* the lead may */
  assert_status(&r, 204);
  http_response_free(&r);
  case_get(&r, vol1, id);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  l = cases_list(vol1, NULL);
  ck_assert(!items_have(l, id));
  json_decref(l);
  http_call(&r, "DELETE", ppath, coord, NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  json_t *hist;
  free(p_vol);
  p_vol = participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false);
  hist = lead_history(vol1, id); /* back on the case, sees it again */
  ck_assert_uint_eq(json_array_size(hist), 4);
  json_decref(hist);

  free(p_vol);
  free(p_prof);
  free(id);
  person_free(&coord2);
  free(tot);
  free(res1);
  free(vol2);
  free(vol1);
  free(prof);
  free(coord);
}
END_TEST

START_TEST(case_open_rules) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *res1 = fixture_login(&fx.resident1);
  char cases[128];
  community_path(cases, sizeof cases, &fx.anna, "/cases");
  struct http_response r;

  /* a professional may open a case and becomes the lead with their organisation */
  http_call(
      &r, "POST", cases, prof,
      json_pack("{s:s,s:s,s:s}", "subject_id", fx.resident1.id, "title", "Valpreventie", "organisation", "wijkteam"));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "lead.person_id"), fx.professional.id);
  char *pid = strdup(jstr(r.json, "id"));
  http_response_free(&r);
  case_get(&r, res1, pid);
  assert_status(&r, 200);
  json_t *me = find_item(json_object_get(r.json, "participants"), "person_id", fx.professional.id);
  ck_assert_str_eq(jstr(me, "role"), "professional");
  ck_assert_str_eq(jstr(me, "organisation"), "wijkteam");
  http_response_free(&r);

  /* volunteers and residents may not open cases */
  const char *no[] = {vol1, res1};
  for (size_t i = 0; i < 2; i++) {
    http_call(&r, "POST", cases, no[i],
              json_pack("{s:s,s:s}", "subject_id", fx.resident1.id, "title", "Niet toegestaan"));
    assert_problem(&r, 403, "forbidden");
    http_response_free(&r);
  }
  /* validation: title length, unknown field, subject must be a resident of the community */
  http_call(&r, "POST", cases, coord, json_pack("{s:s,s:s}", "subject_id", fx.resident1.id, "title", ""));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "title", NULL));
  http_response_free(&r);
  char longt[202];
  memset(longt, 'x', 201);
  longt[201] = '\0';
  http_call(&r, "POST", cases, coord, json_pack("{s:s,s:s}", "subject_id", fx.resident1.id, "title", longt));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  http_call(&r, "POST", cases, coord,
            json_pack("{s:s,s:s,s:i}", "subject_id", fx.resident1.id, "title", "x", "extra", 1));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "extra", "unknown_field"));
  http_response_free(&r);
  http_call(&r, "POST", cases, coord, json_pack("{s:s}", "title", "geen subject"));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "subject_id", NULL));
  http_response_free(&r);
  const char *bad_subjects[] = {fx.volunteer2.id, fx.tot_coordinator.id, "00000000-0000-4000-8000-00000000ffff"};
  for (size_t i = 0; i < 3; i++) {
    http_call(&r, "POST", cases, coord, json_pack("{s:s,s:s}", "subject_id", bad_subjects[i], "title", "geen inwoner"));
    assert_problem(&r, 422, "unprocessable");
    ck_assert_msg(problem_has_error(&r, "subject_id", "not_a_resident"), "subject %s: %s", bad_subjects[i], r.body);
    http_response_free(&r);
  }

  /* Idempotency-Key: a replay returns the first answer, another body is 422 */
  char key[100];
  snprintf(key, sizeof key, "Idempotency-Key: case-%ld-%ld", (long)getpid(), (long)time(NULL));
  const char *hk[] = {key, NULL};
  http_call_h(&r, "POST", cases, coord, json_pack("{s:s,s:s}", "subject_id", fx.resident1.id, "title", "Eenmalig"), hk);
  assert_status(&r, 201);
  char *first = strdup(jstr(r.json, "id"));
  http_response_free(&r);
  http_call_h(&r, "POST", cases, coord, json_pack("{s:s,s:s}", "subject_id", fx.resident1.id, "title", "Eenmalig"), hk);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "id"), first);
  ck_assert_ptr_nonnull(http_header(&r, "idempotent-replayed"));
  ck_assert_str_eq(http_header(&r, "idempotent-replayed"), "true");
  http_response_free(&r);
  http_call_h(&r, "POST", cases, coord, json_pack("{s:s,s:s}", "subject_id", fx.resident1.id, "title", "Anders"), hk);
  assert_problem(&r, 422, "idempotency-key-reused");
  http_response_free(&r);

  /* participants: must be members; representative only for an informal carer */
  participant_post(&r, coord, first, fx.tot_coordinator.id, "volunteer", NULL, false);
  assert_problem(&r, 422, "unprocessable");
  ck_assert(problem_has_error(&r, "person_id", "not_a_member"));
  http_response_free(&r);
  participant_post(&r, coord, first, fx.volunteer1.id, "subject", NULL, false);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "role", NULL));
  http_response_free(&r);
  participant_post(&r, coord, first, fx.volunteer1.id, "volunteer", NULL, true);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "representative", NULL));
  http_response_free(&r);
  char participants[200];
  case_path(participants, sizeof participants, first, "/participants");
  http_call(&r, "POST", participants, coord,
            json_pack("{s:s,s:s,s:n}", "person_id", fx.volunteer1.id, "role", "volunteer", "representative"));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "representative", "type")); /* null is not false */
  http_response_free(&r);
  participant_post(&r, vol1, first, fx.volunteer1.id, "volunteer", NULL, false);
  assert_problem(&r, 404, "not-found"); /* not on the case: does not exist for them */
  http_response_free(&r);
  free(participant_add(coord, first, fx.volunteer1.id, "volunteer", NULL, false));
  participant_post(&r, vol1, first, fx.volunteer2.id, "volunteer", NULL, false);
  assert_problem(&r, 403, "forbidden"); /* on it, but neither lead nor coordinator */
  http_response_free(&r);

  /* ETag / If-None-Match on GET case */
  char *etag = case_etag(coord, first);
  char inm[300];
  snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
  const char *hi[] = {inm, NULL};
  char path[200];
  case_path(path, sizeof path, first, NULL);
  http_call_h(&r, "GET", path, coord, NULL, hi);
  ck_assert_int_eq(r.status, 304);
  http_response_free(&r);

  /* PATCH title: If-Match required, stale refused; lead or coordinator only */
  http_call(&r, "PATCH", path, coord, json_pack("{s:s}", "title", "Nieuwe titel"));
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);
  char im[300];
  snprintf(im, sizeof im, "If-Match: %s", etag);
  const char *hm[] = {im, NULL};
  http_call_h(&r, "PATCH", path, vol1, json_pack("{s:s}", "title", "Door vrijwilliger"), hm);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call_h(&r, "PATCH", path, coord, json_pack("{s:s}", "title", ""), hm);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  http_call_h(&r, "PATCH", path, coord, json_pack("{s:s}", "title", "Nieuwe titel"), hm);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "title"), "Nieuwe titel");
  const char *e2 = http_header(&r, "etag");
  ck_assert_ptr_nonnull(e2);
  ck_assert_str_ne(e2, etag);
  http_response_free(&r);
  http_call_h(&r, "PATCH", path, coord, json_pack("{s:s}", "title", "Te laat"), hm);
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  case_get(&r, res1, first);
  ck_assert_str_eq(jstr(r.json, "title"), "Nieuwe titel");
  http_response_free(&r);

  free(etag);
  free(first);
  free(pid);
  free(res1);
  free(vol1);
  free(prof);
  free(coord);
}
END_TEST

/* ---- exactly one lead ---- */

struct handover {
  const char *token, *case_id, *person;
  pthread_barrier_t *barrier;
  long status;
  char error[300];
};

static void *handover_run(void *arg) {
  struct handover *h = arg;
  char path[200], body[200];
  case_path(path, sizeof path, h->case_id, "/lead");
  int n = snprintf(body, sizeof body, "{\"person_id\":\"%s\",\"note\":\"gelijktijdig\"}", h->person);
  struct http_request req = {.method = "POST",
                             .path = path,
                             .bearer = h->token,
                             .body = body,
                             .body_len = (size_t)n,
                             .content_type = "application/json"};
  struct http_response r;
  pthread_barrier_wait(h->barrier);
  if (http_send(&req, &r) != 0) {
    snprintf(h->error, sizeof h->error, "%s", http_last_error());
    return NULL;
  }
  h->status = r.status;
  snprintf(h->error, sizeof h->error, "%.290s", r.body ? r.body : "");
  http_response_free(&r);
  return NULL;
}

START_TEST(exactly_one_lead) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *res1 = fixture_login(&fx.resident1);
  struct person coord2;
  person_create(&coord2, coord, fx.anna.id, "coordinator");
  char *id = case_with_participants(coord, "Eén regisseur");
  free(participant_add(coord, id, coord2.id, "coordinator", NULL, false));
  PGconn *db = owner_db();

  const char *order[] = {fx.professional.id, fx.volunteer1.id, coord2.id, fx.coordinator.id};
  size_t handovers = 0;
  for (int i = 0; i < 12; i++) {
    char note[64];
    snprintf(note, sizeof note, "overdracht %d", i);
    lead_handover(i % 2 ? coord2.tokens.access : coord, id, order[i % 4], note);
    handovers++;
    ck_assert_int_eq(open_lead_rows(db, id), 1);
  }
  json_t *h = lead_history(res1, id);
  ck_assert_uint_eq(json_array_size(h), handovers + 1);
  assert_one_open_lead(h, order[11 % 4]);
  ck_assert_str_eq(jstr(h, "12.note"), "overdracht 11");
  json_decref(h);

  /* two coordinators hand over at the same moment to different people */
  for (int round = 0; round < 5; round++) {
    pthread_barrier_t barrier;
    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, 2), 0);
    struct handover t[2] = {
        {.token = coord, .case_id = id, .person = fx.professional.id, .barrier = &barrier},
        {.token = coord2.tokens.access, .case_id = id, .person = fx.volunteer1.id, .barrier = &barrier},
    };
    pthread_t th[2];
    for (int k = 0; k < 2; k++) ck_assert_int_eq(pthread_create(&th[k], NULL, handover_run, &t[k]), 0);
    for (int k = 0; k < 2; k++) ck_assert_int_eq(pthread_join(th[k], NULL), 0);
    pthread_barrier_destroy(&barrier);
    int ok = 0;
    for (int k = 0; k < 2; k++) {
      ck_assert_msg(t[k].status == 200 || t[k].status == 409, "round %d: handover %d answered %ld: %s", round, k,
                    t[k].status, t[k].error);
      ok += t[k].status == 200;
    }
    ck_assert_msg(ok >= 1, "round %d: no handover succeeded", round);
    ck_assert_int_eq(open_lead_rows(db, id), 1);
    handovers += (size_t)ok;
    char *lead = case_lead(res1, id);
    ck_assert_msg(strcmp(lead, fx.professional.id) == 0 || strcmp(lead, fx.volunteer1.id) == 0, "round %d: lead %s",
                  round, lead);
    h = lead_history(res1, id);
    ck_assert_uint_eq(json_array_size(h), handovers + 1);
    assert_one_open_lead(h, lead);
    json_decref(h);
    free(lead);
  }

  PQfinish(db);
  free(id);
  person_free(&coord2);
  free(res1);
  free(prof);
  free(coord);
}
END_TEST

/* ---- close / reopen ---- */

START_TEST(close_and_reopen) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *res1 = fixture_login(&fx.resident1);
  char *id = case_with_participants(coord, "Afronden");
  lead_handover(coord, id, fx.professional.id, "wijkteam rondt af");
  char close[200], reopen[200];
  case_path(close, sizeof close, id, "/close");
  case_path(reopen, sizeof reopen, id, "/reopen");
  struct http_response r;

  /* only the lead closes; outcome 1..500 */
  http_call(&r, "POST", close, vol1, json_pack("{s:s}", "outcome", "klaar"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "POST", close, coord, json_pack("{s:s}", "outcome", "klaar"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "POST", close, prof, json_pack("{}"));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "outcome", NULL));
  http_response_free(&r);
  http_call(&r, "POST", close, prof, json_pack("{s:s}", "outcome", ""));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  http_call(&r, "POST", reopen, coord, json_pack("{}"));
  assert_conflict_state(&r, "open");
  http_response_free(&r);

  const char *outcome = "Thuiszorg geregeld, mantelzorger ontlast";
  http_call(&r, "POST", close, prof, json_pack("{s:s}", "outcome", outcome));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "closed");
  /* the professional has no basic consent: the outcome is not theirs to read */
  ck_assert(json_is_true(jpath(r.json, "restricted")));
  ck_assert(null_or_absent(r.json, "outcome"));
  http_response_free(&r);
  case_get(&r, res1, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "closed");
  ck_assert_str_eq(jstr(r.json, "outcome"), outcome);
  ck_assert_ptr_nonnull(jstr(r.json, "closed_at"));
  http_response_free(&r);

  const char *who[] = {coord, prof, vol1, res1};
  for (size_t i = 0; i < 4; i++) {
    json_t *open = cases_list(who[i], NULL);
    ck_assert_msg(find_item(open, "id", id) == NULL, "closed case in open list (%zu)", i);
    json_decref(open);
    json_t *o2 = cases_list(who[i], "open");
    ck_assert(find_item(o2, "id", id) == NULL);
    json_decref(o2);
    json_t *closed = cases_list(who[i], "closed");
    json_t *it = find_item(closed, "id", id);
    ck_assert_msg(it != NULL, "closed case missing from ?status=closed (%zu)", i);
    ck_assert_uint_eq(json_array_size(closed), 1);
    ck_assert_str_eq(jstr(it, "status"), "closed");
    json_decref(closed);
  }
  json_t *closed = cases_list(coord, "closed");
  size_t i;
  json_t *it;
  json_array_foreach(closed, i, it) ck_assert_str_eq(jstr(it, "status"), "closed");
  json_decref(closed);
  char bogus[160];
  community_path(bogus, sizeof bogus, &fx.anna, "/cases?status=bogus");
  http_get(&r, bogus, coord);
  assert_problem(&r, 400, NULL);
  http_response_free(&r);

  http_call(&r, "POST", close, prof, json_pack("{s:s}", "outcome", "nogmaals"));
  assert_conflict_state(&r, "closed");
  http_response_free(&r);
  /* no new actions on a closed case */
  action_post(&r, prof, id, "na sluiten", NULL, NULL);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);

  http_call(&r, "POST", reopen, vol1, json_pack("{}"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "POST", reopen, coord, json_pack("{}"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "open");
  ck_assert(null_or_absent(r.json, "closed_at"));
  http_response_free(&r);
  json_t *open = cases_list(res1, NULL);
  ck_assert(find_item(open, "id", id) != NULL);
  json_decref(open);
  closed = cases_list(res1, "closed");
  ck_assert(find_item(closed, "id", id) == NULL);
  json_decref(closed);
  http_call(&r, "POST", reopen, prof, json_pack("{}"));
  assert_conflict_state(&r, "open");
  http_response_free(&r);
  /* the lead closes again and reopens */
  http_call(&r, "POST", close, prof, json_pack("{s:s}", "outcome", "tweede keer"));
  assert_status(&r, 200);
  http_response_free(&r);
  http_call(&r, "POST", reopen, prof, json_pack("{}"));
  assert_status(&r, 200);
  http_response_free(&r);

  free(id);
  free(res1);
  free(vol1);
  free(prof);
  free(coord);
}
END_TEST

Suite *cases_flow_suite(void) {
  Suite *s = suite_create("cases_flow");
  TCase *tc = cases_tcase("scenario");
  tcase_add_test(tc, hegelsom_scenario);
  tcase_add_test(tc, case_open_rules);
  suite_add_tcase(s, tc);
  tc = cases_tcase("lead");
  tcase_add_test(tc, exactly_one_lead);
  suite_add_tcase(s, tc);
  tc = cases_tcase("close");
  tcase_add_test(tc, close_and_reopen);
  suite_add_tcase(s, tc);
  return s;
}
