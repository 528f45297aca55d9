/* The desk acts on behalf of a resident or volunteer who phones (issue 13, item 3): every such
 * action carries on_behalf_of and channel, is refused for the wrong person or for anyone but the
 * desk, and is shown to the person acted for in her own app (GET /v1/me/on-behalf) and in the
 * request's history, the case's consent records, timeline and access log. Consent the desk
 * records needs a note; the subject's own record outranks the desk's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"
#include "test_desk.h"

/* {on_behalf_of, channel} added to body (not stolen; returned for chaining). NULL: leave out. */
static json_t *for_whom(json_t *body, const char *person, const char *channel) {
  if (person != NULL) json_object_set_new(body, "on_behalf_of", json_string(person));
  if (channel != NULL) json_object_set_new(body, "channel", json_string(channel));
  return body;
}

/* The caller's own record of actions taken on her behalf (all pages). */
static json_t *my_on_behalf(const char *tok) { return list_walk("/v1/me/on-behalf", tok, 100, NULL, NULL); }

/* The item of `items` of kind `kind` about `subject`, borrowed; NULL when none. */
static json_t *record_of(json_t *items, const char *kind, const char *subject) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (strcmp(jstr(it, "kind"), kind) == 0 && strcmp(jstr(it, "subject_id"), subject) == 0) return it;
  }
  return NULL;
}

static void assert_record(json_t *items, const char *kind, const char *subject, const char *for_person,
                          const char *actor, const char *channel) {
  json_t *it = record_of(items, kind, subject);
  ck_assert_msg(it != NULL, "no %s record about %s", kind, subject);
  ck_assert_str_eq(jstr(it, "on_behalf_of"), for_person);
  ck_assert_str_eq(jstr(it, "actor_id"), actor);
  ck_assert_str_eq(jstr(it, "channel"), channel);
  ck_assert_ptr_nonnull(jstr(it, "at"));
}

/* The last transition of the request JSON (borrowed). */
static json_t *last_transition(json_t *request) {
  json_t *t = json_object_get(request, "transitions");
  ck_assert_msg(json_array_size(t) > 0, "no transitions");
  return json_array_get(t, json_array_size(t) - 1);
}

static void occurrence_post(struct http_response *r, const char *tok, const char *id, const char *occ, const char *what,
                            json_t *body) {
  char suffix[160], path[300];
  snprintf(suffix, sizeof suffix, "/occurrences/%s/%s", occ, what);
  request_path(path, sizeof path, id, suffix);
  http_call(r, "POST", path, tok, body);
}

/* Confirm, complete with hours the helper phoned in, and feedback, each by the desk. */
START_TEST(desk_confirms_completes_and_gives_feedback) {
  char *coord = fixture_login(&fx.coordinator);
  char *coord_id = me_id(coord);
  char *cat = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(cat, SITE_STATE, 1.0, false);
  volunteer_create(&v, coord, &s);
  struct window w;
  desk_window(&w, 2, 0, 10, 12);
  char *id = request_matched(coord, res.tokens.access, cat, &w, SITE_STATE, &v);

  /* the desk's own view gives it the resident, the volunteer and the occurrence */
  struct http_response r;
  request_get(&r, coord, id);
  assert_status(&r, 200);
  char *resident = strdup(jstr(r.json, "resident_id"));
  char *volunteer = strdup(jstr(r.json, "occurrences.0.volunteer_id"));
  char *occ = strdup(occurrence_id(r.json, 0));
  http_response_free(&r);

  /* on_behalf_of and channel come together */
  request_action(&r, coord, id, "confirm", for_whom(json_object(), resident, NULL));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "channel", NULL));
  http_response_free(&r);
  request_action(&r, coord, id, "confirm", for_whom(json_object(), NULL, "phone"));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "on_behalf_of", NULL));
  http_response_free(&r);
  request_action(&r, coord, id, "confirm", for_whom(json_object(), resident, "fax"));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  /* the desk names the request's resident, nobody else */
  request_action(&r, coord, id, "confirm", for_whom(json_object(), volunteer, "phone"));
  assert_problem(&r, 422, "unprocessable");
  ck_assert(problem_has_error(&r, "on_behalf_of", "wrong_person"));
  http_response_free(&r);
  /* a volunteer cannot act for the resident */
  request_action(&r, v.tokens.access, id, "confirm", for_whom(json_object(), res.id, "phone"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  request_action(&r, coord, id, "confirm", for_whom(json_object(), resident, "phone"));
  assert_status(&r, 200);
  json_t *t = last_transition(r.json);
  ck_assert_str_eq(jstr(t, "action"), "confirm");
  ck_assert_str_eq(jstr(t, "actor_id"), coord_id);
  ck_assert_str_eq(jstr(t, "on_behalf_of"), resident);
  ck_assert_str_eq(jstr(t, "channel"), "phone");
  http_response_free(&r);

  /* the hours the helper phoned in: for the occurrence's volunteer only */
  occurrence_begin(occ);
  occurrence_post(&r, coord, id, occ, "complete", for_whom(json_pack("{s:f}", "hours", 2.5), resident, "phone"));
  assert_problem(&r, 422, "unprocessable");
  http_response_free(&r);
  occurrence_post(&r, res.tokens.access, id, occ, "complete",
                  for_whom(json_pack("{s:f}", "hours", 2.5), volunteer, "phone"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  occurrence_post(&r, coord, id, occ, "complete",
                  for_whom(json_pack("{s:f, s:s}", "hours", 2.5, "note", "Belde om 14:00"), volunteer, "phone"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  ck_assert(json_number_value(json_object_get(r.json, "hours")) == 2.5);
  http_response_free(&r);

  /* her feedback, phoned in: "het klikt niet" */
  occurrence_post(&r, coord, id, occ, "feedback",
                  for_whom(json_pack("{s:b, s:s}", "positive", 0, "text", "Het klikt niet"), volunteer, "phone"));
  assert_problem(&r, 422, "unprocessable");
  http_response_free(&r);
  occurrence_post(&r, coord, id, occ, "feedback",
                  for_whom(json_pack("{s:b, s:s}", "positive", 0, "text", "Het klikt niet"), resident, "phone"));
  assert_status(&r, 200);
  ck_assert(json_is_false(jpath(r.json, "feedback.positive")));
  ck_assert_str_eq(jstr(r.json, "feedback.text"), "Het klikt niet");
  http_response_free(&r);

  /* the resident, from her own seat, sees what was done for her, and only that */
  json_t *mine = my_on_behalf(res.tokens.access);
  assert_record(mine, "confirm", id, res.id, coord_id, "phone");
  assert_record(mine, "feedback", id, res.id, coord_id, "phone");
  ck_assert_msg(record_of(mine, "complete", id) == NULL, "the volunteer's record shown to the resident");
  ck_assert_str_eq(jstr(record_of(mine, "feedback", id), "note"), "Het klikt niet");
  json_decref(mine);
  request_get(&r, res.tokens.access, id);
  assert_status(&r, 200);
  json_t *confirm = find_item(json_object_get(r.json, "transitions"), "action", "confirm");
  ck_assert_msg(confirm != NULL, "%s", r.body);
  ck_assert_str_eq(jstr(confirm, "on_behalf_of"), res.id);
  ck_assert_str_eq(jstr(confirm, "channel"), "phone");
  http_response_free(&r);
  /* and the volunteer the hours recorded for her */
  mine = my_on_behalf(v.tokens.access);
  assert_record(mine, "complete", id, v.id, coord_id, "phone");
  ck_assert_uint_eq(json_array_size(mine), 1);
  json_decref(mine);
  /* the desk reads the resident's record too */
  char path[200];
  snprintf(path, sizeof path, "%s/on-behalf", fx.anna.path);
  char query[80];
  snprintf(query, sizeof query, "person_id=%s", resident);
  json_t *desk = list_walk(path, coord, 100, query, NULL);
  ck_assert_uint_eq(json_array_size(desk), 2);
  json_decref(desk);
  http_get(&r, path, res.tokens.access);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  free(resident);
  free(volunteer);
  free(occ);
  free(id);
  free(cat);
  free(coord_id);
  free(coord);
  person_free(&res);
  person_free(&v);
}
END_TEST

/* Ask for someone else, then cancel, both on her behalf. */
START_TEST(desk_asks_other_and_cancels) {
  char *coord = fixture_login(&fx.coordinator);
  char *cat = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(cat, SITE_STATE, 1.0, false);
  volunteer_create(&v, coord, &s);
  struct window w;
  desk_window(&w, 3, 0, 10, 12);
  char *id = request_matched(coord, res.tokens.access, cat, &w, SITE_STATE, &v);
  struct http_response r;
  request_get(&r, coord, id);
  char *resident = strdup(jstr(r.json, "resident_id"));
  http_response_free(&r);

  request_action(&r, coord, id, "ask-other", for_whom(json_object(), resident, "in_person"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  ck_assert_str_eq(jstr(last_transition(r.json), "channel"), "in_person");
  http_response_free(&r);
  /* the desk's own actions name nobody */
  request_action(&r, coord, id, "board", for_whom(json_object(), resident, "phone"));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  request_action(&r, coord, id, "cancel", for_whom(json_pack("{s:s}", "note", "Zoon regelt het"), resident, "paper"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "cancelled");
  ck_assert_str_eq(jstr(last_transition(r.json), "on_behalf_of"), resident);
  http_response_free(&r);

  json_t *mine = my_on_behalf(res.tokens.access);
  ck_assert_uint_eq(json_array_size(mine), 2);
  ck_assert_str_eq(jstr(record_of(mine, "ask-other", id), "channel"), "in_person");
  ck_assert_str_eq(jstr(record_of(mine, "cancel", id), "note"), "Zoon regelt het");
  json_decref(mine);
  free(resident);
  free(id);
  free(cat);
  free(coord);
  person_free(&res);
  person_free(&v);
}
END_TEST

/* Preferred and blocked helpers kept by the desk for a resident. */
START_TEST(desk_keeps_helpers) {
  char *coord = fixture_login(&fx.coordinator);
  char *coord_id = me_id(coord);
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  person_create(&v, coord, fx.anna.id, "volunteer");
  char path[200];
  snprintf(path, sizeof path, "%s/helpers", fx.anna.path);
  struct http_response r;

  http_call(&r, "PUT", path, coord, for_whom(json_pack("{s:[s], s:[]}", "preferred", v.id, "blocked"), v.id, "phone"));
  assert_problem(&r, 422, "unprocessable");
  http_response_free(&r);
  http_call(&r, "PUT", path, v.tokens.access,
            for_whom(json_pack("{s:[], s:[]}", "preferred", "blocked"), res.id, "phone"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call(&r, "PUT", path, coord, for_whom(json_pack("{s:[s], s:[]}", "preferred", v.id, "blocked"), res.id, NULL));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  http_call(&r, "PUT", path, coord,
            for_whom(json_pack("{s:[s], s:[]}", "preferred", v.id, "blocked"), res.id, "phone"));
  assert_status(&r, 200);
  ck_assert(jarray_has_string(json_object_get(r.json, "preferred"), v.id));
  http_response_free(&r);

  char query[300];
  snprintf(query, sizeof query, "%s?resident_id=%s", path, res.id);
  http_get(&r, query, coord);
  assert_status(&r, 200);
  ck_assert(jarray_has_string(json_object_get(r.json, "preferred"), v.id));
  http_response_free(&r);
  http_get(&r, query, v.tokens.access);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  /* the resident sees her list and who kept it for her */
  http_get(&r, path, res.tokens.access);
  assert_status(&r, 200);
  ck_assert(jarray_has_string(json_object_get(r.json, "preferred"), v.id));
  http_response_free(&r);
  json_t *mine = my_on_behalf(res.tokens.access);
  assert_record(mine, "helpers", res.id, res.id, coord_id, "phone");
  json_decref(mine);
  free(coord_id);
  free(coord);
  person_free(&res);
  person_free(&v);
}
END_TEST

/* A volunteer's profile and availability, entered by the desk. */
START_TEST(desk_edits_volunteer_profile) {
  char *coord = fixture_login(&fx.coordinator);
  char *coord_id = me_id(coord);
  char *cat = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(cat, SITE_STATE, 1.0, false);
  volunteer_create(&v, coord, &s);
  char path[200];
  snprintf(path, sizeof path, "%s/volunteers/%s", fx.anna.path, v.id);
  struct http_response r;
  http_get(&r, path, coord);
  assert_status(&r, 200);
  char *etag = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  char if_match[200];
  snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
  const char *headers[] = {if_match, NULL};

  s.travel_km = 4;
  http_call_h(&r, "PUT", path, coord, profile_body(&s), headers);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call_h(&r, "PUT", path, coord, for_whom(profile_body(&s), res.id, "phone"), headers);
  assert_problem(&r, 422, "unprocessable");
  http_response_free(&r);
  http_call_h(&r, "PUT", path, res.tokens.access, for_whom(profile_body(&s), v.id, "phone"), headers);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_call_h(&r, "PUT", path, coord, for_whom(profile_body(&s), v.id, "in_person"), headers);
  assert_status(&r, 200);
  ck_assert(json_number_value(json_object_get(r.json, "travel_km")) == 4.0);
  http_response_free(&r);

  json_t *mine = my_on_behalf(v.tokens.access);
  assert_record(mine, "volunteer_profile", v.id, v.id, coord_id, "in_person");
  json_decref(mine);
  free(etag);
  free(cat);
  free(coord_id);
  free(coord);
  person_free(&res);
  person_free(&v);
}
END_TEST

static void consent_on_behalf(struct http_response *r, const char *tok, const char *case_id, const char *subject,
                              const char *channel, const char *note, bool granted) {
  char path[200];
  case_path(path, sizeof path, case_id, "/consents");
  json_t *b =
      json_pack("{s:s, s:s, s:b}", "grantee_organisation", "wijkteam", "data_kind", "basic", "granted", granted);
  if (note != NULL) json_object_set_new(b, "note", json_string(note));
  http_call(r, "POST", path, tok, for_whom(b, subject, channel));
}

static bool professional_restricted(const char *prof, const char *case_id) {
  struct http_response r;
  case_get(&r, prof, case_id);
  assert_status(&r, 200);
  bool restricted = json_is_true(jpath(r.json, "restricted"));
  http_response_free(&r);
  return restricted;
}

/* Consent given at the kitchen table: the desk records it with a note, the subject sees it and
 * can revoke it, and her own record outranks the desk's. */
START_TEST(desk_records_consent) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *res1 = fixture_login(&fx.resident1);
  char *coord_id = me_id(coord);
  char *id = case_with_participants(coord, "Mevrouw Jansen: hulp bij post");
  struct http_response r;
  case_get(&r, coord, id);
  char *subject = strdup(jstr(r.json, "subject_id"));
  http_response_free(&r);
  ck_assert(professional_restricted(prof, id));

  const char *note = "Aan de keukentafel, dochter erbij; uitgelegd wat het wijkteam ziet.";
  consent_on_behalf(&r, coord, id, subject, "in_person", NULL, true);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "note", "required"));
  http_response_free(&r);
  consent_on_behalf(&r, coord, id, subject, NULL, note, true);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  consent_on_behalf(&r, coord, id, fx.volunteer1.id, "in_person", note, true);
  assert_problem(&r, 422, "unprocessable");
  http_response_free(&r);
  consent_on_behalf(&r, vol1, id, fx.resident1.id, "in_person", note, true);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  ck_assert(professional_restricted(prof, id));

  consent_on_behalf(&r, coord, id, subject, "in_person", note, true);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "note"), note);
  http_response_free(&r);
  ck_assert(!professional_restricted(prof, id));

  /* the subject sees the record: who, for whom, how and the note */
  char path[200];
  case_path(path, sizeof path, id, "/consents");
  http_get(&r, path, res1);
  assert_status(&r, 200);
  json_t *rec = json_array_get(json_object_get(r.json, "items"), 0);
  ck_assert_str_eq(jstr(rec, "recorded_by"), coord_id);
  ck_assert_str_eq(jstr(rec, "on_behalf_of"), fx.resident1.id);
  ck_assert_str_eq(jstr(rec, "channel"), "in_person");
  ck_assert_str_eq(jstr(rec, "note"), note);
  http_response_free(&r);
  json_t *mine = my_on_behalf(res1);
  assert_record(mine, "consent", id, fx.resident1.id, coord_id, "in_person");
  json_decref(mine);
  /* the case's timeline and access log say it too */
  case_path(path, sizeof path, id, "/timeline");
  http_get(&r, path, coord);
  assert_status(&r, 200);
  json_t *ev = find_item(json_object_get(r.json, "items"), "on_behalf_of", fx.resident1.id);
  ck_assert_msg(ev != NULL, "%s", r.body);
  ck_assert_str_eq(jstr(ev, "event.type"), "consent_changed");
  ck_assert_str_eq(jstr(ev, "channel"), "in_person");
  http_response_free(&r);
  case_path(path, sizeof path, id, "/access-log");
  json_t *log = list_walk(path, res1, 100, NULL, NULL);
  json_t *entry = find_item(log, "on_behalf_of", fx.resident1.id);
  ck_assert_msg(entry != NULL, "no access log entry on her behalf");
  ck_assert_str_eq(jstr(entry, "actor_id"), coord_id);
  ck_assert_str_eq(jstr(entry, "channel"), "in_person");
  json_decref(log);

  /* a note belongs to the desk's account of consent given for someone, not to her own record */
  consent_on_behalf(&r, res1, id, NULL, NULL, "Zelf gedaan", false);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "on_behalf_of", "required"));
  http_response_free(&r);
  ck_assert(!professional_restricted(prof, id));

  /* she revokes it herself: the professional sees nothing again */
  consent_record(res1, id, NULL, "wijkteam", "basic", false);
  ck_assert(professional_restricted(prof, id));
  /* her own record outranks a later one by the desk */
  consent_on_behalf(&r, coord, id, subject, "phone", note, true);
  assert_status(&r, 201);
  http_response_free(&r);
  ck_assert(professional_restricted(prof, id));
  /* until she grants it herself */
  consent_record(res1, id, NULL, "wijkteam", "basic", true);
  ck_assert(!professional_restricted(prof, id));

  free(subject);
  free(id);
  free(coord_id);
  free(coord);
  free(prof);
  free(vol1);
  free(res1);
}
END_TEST

Suite *on_behalf_suite(void) {
  Suite *s = suite_create("on_behalf");
  TCase *tc = desk_tcase("on_behalf");
  tcase_add_test(tc, desk_confirms_completes_and_gives_feedback);
  tcase_add_test(tc, desk_asks_other_and_cancels);
  tcase_add_test(tc, desk_keeps_helpers);
  tcase_add_test(tc, desk_edits_volunteer_profile);
  tcase_add_test(tc, desk_records_consent);
  suite_add_tcase(s, tc);
  return s;
}
