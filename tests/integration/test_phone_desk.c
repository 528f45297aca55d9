/* The seed scenario of issue 13, over HTTP: an 85-year-old without e-mail or smartphone phones
 * the desk, and the desk serves her from start to finish.
 *
 * 1. The desk looks her up by name (nothing), registers her (phone, address, contact channel),
 *    and then finds her by her phone number as she says it.
 * 2. It enters her request (and handles it), triages it as informal help, and records her
 *    consent, given at the kitchen table, for the wijkteam professional on her case.
 * 3. A volunteer who can call her is matched: the volunteer sees her phone in her own task.
 * 4. The volunteer phones in her hours; the desk records them for her.
 * 5. The desk records the resident's feedback ("het klikt niet").
 * 6. The desk summary counts it all.
 * Then the professional sees what the consent allows, and when the resident later gets the app
 * (an invitation for the same person), she sees her request and every action taken for her.
 *
 * Seats: the desk uses what its own answers give it; the volunteer only her own /v1/me lists;
 * the professional the case from her own case list; the resident, once registered, only her own
 * lists (her invitation code comes on paper from the desk). occurrence_begin() moves the visit
 * into the past (a test cannot wait for it), as in the other journeys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"
#include "test_desk.h"

/* The desk's summary of the days around today (new reference to the body). */
static json_t *desk_summary(const char *coord) {
  char from[16], to[16], base[200], path[300];
  date_add(from, NULL, -1);
  date_add(to, NULL, 1);
  community_path(base, sizeof base, &fx.anna, "/desk/summary");
  snprintf(path, sizeof path, "%s?from=%s&to=%s", base, from, to);
  struct http_response r;
  http_get(&r, path, coord);
  assert_status(&r, 200);
  json_t *body = json_incref(r.json);
  http_response_free(&r);
  return body;
}

/* The members the desk finds for `q` (new reference to the items). */
static json_t *desk_search(const char *coord, const char *q) {
  char path[200];
  community_path(path, sizeof path, &fx.anna, "/members");
  char *encoded = url_encode(q);
  char query[200];
  snprintf(query, sizeof query, "q=%s", encoded);
  free(encoded);
  return list_walk(path, coord, 50, query, NULL);
}

/* The body the desk adds to an action it takes for `person`, told by `channel`. */
static json_t *for_her(json_t *body, const char *person, const char *channel) {
  json_object_set_new(body, "on_behalf_of", json_string(person));
  json_object_set_new(body, "channel", json_string(channel));
  return body;
}

/* The record of `kind` on `subject` in a /v1/me/on-behalf list, or NULL. */
static json_t *record_of(json_t *items, const char *kind, const char *subject) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (strcmp(jstr(it, "kind"), kind) == 0 && strcmp(jstr(it, "subject_id"), subject) == 0) return it;
  }
  return NULL;
}

START_TEST(an_old_lady_without_a_smartphone_is_served_by_phone) {
  char *coord = fixture_login(&fx.coordinator);
  char *coord_id = me_id(coord);
  char *prof = fixture_login(&fx.professional);
  char *shopping = category_id(coord, "shopping");
  struct http_response r;
  json_t *before = desk_summary(coord);

  /* 1. The desk: she is not known yet; it registers her, then finds her by her phone as she
   *    says it ("nul zes, twaalf, vierendertig, ...") and by her street without its accent. */
  json_t *found = desk_search(coord, "Geertje");
  ck_assert_uint_eq(json_array_size(found), 0);
  json_decref(found);
  char people[200];
  community_path(people, sizeof people, &fx.anna, "/people");
  http_call(&r, "POST", people, coord,
            json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:[s]}", "display_name", "Geertje Hendriks", "phone",
                      "0478 69 12 34", "address", "street", "Kerkstraat", "house_number", "3", "postcode", "5864 AB",
                      "place", "Meerlo", "contact_channel", "voice", "roles", "resident"));
  assert_status(&r, 201);
  ck_assert_msg(http_header(&r, "Location") != NULL, "no Location");
  char *geertje = strdup(jstr(r.json, "id"));
  ck_assert_str_eq(jstr(r.json, "phone"), "+31478691234");
  ck_assert(json_is_false(jpath(r.json, "has_login")));
  http_response_free(&r);
  /* phoning again next week: the same number is the same person, never a second one */
  http_call(&r, "POST", people, coord,
            json_pack("{s:s, s:s, s:s, s:[s]}", "display_name", "G. Hendriks", "phone", "+31 478 691234",
                      "contact_channel", "voice", "roles", "resident"));
  assert_problem(&r, 409, "conflict");
  ck_assert_str_eq(jstr(r.json, "existing_person_id"), geertje);
  http_response_free(&r);
  found = desk_search(coord, "0478-691234");
  ck_assert_msg(find_item(found, "person_id", geertje) != NULL, "not found by her phone");
  json_decref(found);

  /* 2. Her request, entered by the desk, which then handles it; triaged as informal help. */
  struct window w;
  desk_window(&w, 3, 1, 10, 12);
  json_t *body = request_body(shopping, &w, SITE_PHONE_DESK, false);
  json_object_set_new(body, "resident_id", json_string(geertje));
  json_t *created = NULL;
  char *request = request_create(coord, body, &created);
  ck_assert_str_eq(jstr(created, "resident_id"), geertje);
  ck_assert_str_eq(jstr(created, "handler.id"), coord_id);
  json_decref(created);
  request_action_ok(coord, request, "triage",
                    json_pack("{s:s, s:s}", "track", "informal", "reason", "Buurthulp kan dit, geen Wmo nodig"),
                    "triaged");
  request_get(&r, coord, request);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "track"), "informal");
  http_response_free(&r);

  /* ... and her consent for the wijkteam, given at the kitchen table, on her case. */
  char *case_id = case_open(coord, geertje, "Mevrouw Hendriks: hulp thuis", NULL);
  free(participant_add(coord, case_id, fx.professional.id, "professional", "wijkteam", false));
  /* the professional finds the case in her own list: that it exists, not what is in it */
  json_t *her_cases = cases_list(prof, NULL);
  json_t *listed = find_item(her_cases, "id", case_id);
  ck_assert_msg(listed != NULL, "the case is not in the professional's list");
  char *prof_case = strdup(jstr(listed, "id"));
  json_decref(her_cases);
  case_get(&r, prof, prof_case);
  assert_status(&r, 200);
  ck_assert(json_is_true(jpath(r.json, "restricted")));
  http_response_free(&r);
  char consents[200];
  case_path(consents, sizeof consents, case_id, "/consents");
  json_t *consent =
      json_pack("{s:s, s:s, s:b}", "grantee_organisation", "wijkteam", "data_kind", "basic", "granted", 1);
  http_call(&r, "POST", consents, coord, for_her(json_deep_copy(consent), geertje, "in_person"));
  assert_problem(&r, 400, "validation"); /* the desk must say who was there and how it explained it */
  ck_assert(problem_has_error(&r, "note", "required"));
  http_response_free(&r);
  json_object_set_new(consent, "note",
                      json_string("Aan de keukentafel, dochter erbij; uitgelegd wat het wijkteam ziet"));
  http_call(&r, "POST", consents, coord, for_her(consent, geertje, "in_person"));
  assert_status(&r, 201);
  http_response_free(&r);
  /* the professional now sees what the consent allows */
  case_get(&r, prof, prof_case);
  assert_status(&r, 200);
  ck_assert_msg(!json_is_true(jpath(r.json, "restricted")), "still restricted: %s", r.body);
  http_response_free(&r);

  /* 3. A volunteer nearby is offered the request and accepts it from her own list; her task
   *    gives her Geertje's phone, so she can call her. */
  struct person v;
  struct vol_spec spec = vol_default(shopping, SITE_PHONE_DESK, 1.0, false);
  volunteer_create(&v, coord, &spec);
  offer_to(coord, request, (const char *[]){v.id, NULL});
  json_t *offers = list_walk("/v1/me/offers", v.tokens.access, 100, NULL, NULL);
  ck_assert_uint_eq(json_array_size(offers), 1);
  offer_answer(&r, v.tokens.access, jstr(json_array_get(offers, 0), "id"), "accept", NULL);
  assert_status(&r, 200);
  http_response_free(&r);
  json_decref(offers);
  json_t *tasks = list_walk("/v1/me/tasks", v.tokens.access, 100, NULL, NULL);
  ck_assert_uint_eq(json_array_size(tasks), 1);
  json_t *task = json_array_get(tasks, 0);
  ck_assert_str_eq(jstr(task, "resident_phone"), "+31478691234");
  char *occ = strdup(occurrence_id(task, 0));
  json_decref(tasks);
  /* the desk confirms the helper for her: she said yes on the phone */
  request_action_ok(coord, request, "confirm", for_her(json_object(), geertje, "phone"), "matched");

  /* 4. After the visit the volunteer phones in her hours; the desk records them for her. */
  occurrence_begin(occ);
  char path[300];
  request_path(path, sizeof path, request, "/occurrences/");
  strncat(path, occ, sizeof path - strlen(path) - 1);
  strncat(path, "/complete", sizeof path - strlen(path) - 1);
  http_call(&r, "POST", path, coord, for_her(json_pack("{s:f}", "hours", 1.5), v.id, "phone"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "done");
  http_response_free(&r);

  /* 5. Geertje phones: it does not click ("het klikt niet"); the desk writes it down for her. */
  request_path(path, sizeof path, request, "/occurrences/");
  strncat(path, occ, sizeof path - strlen(path) - 1);
  strncat(path, "/feedback", sizeof path - strlen(path) - 1);
  http_call(&r, "POST", path, coord,
            for_her(json_pack("{s:b, s:s}", "positive", 0, "text", "Het klikt niet"), geertje, "phone"));
  assert_status(&r, 200);
  http_response_free(&r);

  /* 6. The summary counts her: one more request on the informal track, a match, 1.5 hours,
   *    one more resident served and one more volunteer active. */
  json_t *after = desk_summary(coord);
  ck_assert_int_eq(jint(after, "requests.total", -1) - jint(before, "requests.total", -1), 1);
  ck_assert_int_eq(jint(after, "requests.by_track.informal", -1) - jint(before, "requests.by_track.informal", -1), 1);
  ck_assert_int_eq(jint(after, "matches", -1) - jint(before, "matches", -1), 1);
  ck_assert(json_number_value(json_object_get(after, "hours")) - json_number_value(json_object_get(before, "hours")) ==
            1.5);
  ck_assert_int_eq(jint(after, "residents_served", -1) - jint(before, "residents_served", -1), 1);
  ck_assert_int_eq(jint(after, "volunteers_active", -1) - jint(before, "volunteers_active", -1), 1);
  json_decref(before);
  json_decref(after);

  /* Later her grandson installs the app: the desk invites the same person, she registers with
   *    the code on paper, and sees her request and every action taken for her. */
  char invitations[200];
  community_path(invitations, sizeof invitations, &fx.anna, "/invitations");
  http_call(&r, "POST", invitations, coord, json_pack("{s:s, s:s}", "role", "resident", "person_id", geertje));
  assert_status(&r, 201);
  char *code = strdup(jstr(r.json, "code"));
  http_response_free(&r);
  char *email = unique_email("geertje");
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                      "display_name", "Geertje Hendriks"));
  assert_status(&r, 201);
  http_response_free(&r);
  char *her = login_access(email, TEST_PASSWORD);
  char *her_id = me_id(her);
  ck_assert_str_eq(her_id, geertje); /* the same person, not a second account */
  json_t *mine = list_walk("/v1/me/help-requests", her, 100, NULL, NULL);
  ck_assert_msg(find_item(mine, "id", request) != NULL, "her request is not in her app");
  json_decref(mine);
  json_t *done_for_her = list_walk("/v1/me/on-behalf", her, 100, NULL, NULL);
  const char *kinds[][2] = {{"confirm", request}, {"feedback", request}, {"consent", case_id}};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    json_t *rec = record_of(done_for_her, kinds[i][0], kinds[i][1]);
    ck_assert_msg(rec != NULL, "no %s record for her", kinds[i][0]);
    ck_assert_str_eq(jstr(rec, "actor_id"), coord_id);
  }
  ck_assert_str_eq(jstr(record_of(done_for_her, "consent", case_id), "channel"), "in_person");
  ck_assert_str_eq(jstr(record_of(done_for_her, "feedback", request), "channel"), "phone");
  /* the volunteer's hours were recorded for the volunteer, not for her */
  ck_assert_ptr_null(record_of(done_for_her, "complete", request));
  json_decref(done_for_her);

  free(her_id);
  free(her);
  free(email);
  free(code);
  free(occ);
  person_free(&v);
  free(prof_case);
  free(case_id);
  free(request);
  free(geertje);
  free(shopping);
  free(prof);
  free(coord_id);
  free(coord);
}
END_TEST

Suite *phone_desk_suite(void) {
  Suite *s = suite_create("phone_desk");
  TCase *tc = desk_tcase("seed scenario");
  tcase_add_test(tc, an_old_lady_without_a_smartphone_is_served_by_phone);
  suite_add_tcase(s, tc);
  return s;
}
