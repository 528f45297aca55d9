/* Professionals from outside the community (docs/api-cases.md part 3): a case invitation makes
 * them a guest who sees the case they were invited to and nothing else of the community. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "suites.h"
#include "test_cases.h"
#include "test_desk.h"

/* The coordinator invites an outsider to the case; returns the code (owned). */
static char *invite_to_case(const char *coord, const char *case_id, const char *organisation) {
  char path[256];
  case_path(path, sizeof path, case_id, "/invitations");
  struct http_response r;
  http_call(&r, "POST", path, coord, json_pack("{s:s}", "organisation", organisation));
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "role"), "guest");
  ck_assert_str_eq(jstr(r.json, "case_id"), case_id);
  char *code = strdup(jstr(r.json, "code"));
  ck_assert_ptr_nonnull(code);
  http_response_free(&r);
  return code;
}

START_TEST(outsider_joins_one_case_only) {
  char *coord = fixture_login(&fx.coordinator);
  char *case_id = case_open(coord, fx.resident1.id, "Huisarts erbij", NULL);
  char *other_case = case_open(coord, fx.resident1.id, "Een andere zaak", NULL);
  char *code = invite_to_case(coord, case_id, "huisartsenpraktijk");

  char *email = unique_email("huisarts");
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                      "display_name", "Huisarts van buiten"));
  assert_status(&r, 201);
  json_t *roles = jpath(r.json, "me.memberships.0.roles");
  ck_assert_msg(json_array_size(roles) == 1 && jarray_has_string(roles, "guest"), "%s", r.body);
  http_response_free(&r);
  char *guest = login_access(email, TEST_PASSWORD);
  char *guest_id = me_id(guest);

  /* on the case as a professional of their organisation, restricted until the subject consents */
  case_get(&r, guest, case_id);
  assert_status(&r, 200);
  ck_assert(json_is_true(json_object_get(r.json, "restricted")));
  http_response_free(&r);
  case_get(&r, coord, case_id);
  assert_status(&r, 200);
  json_t *participant = find_item(json_object_get(r.json, "participants"), "person_id", guest_id);
  ck_assert_msg(participant != NULL, "guest not among the participants: %s", r.body);
  ck_assert_str_eq(jstr(participant, "role"), "professional");
  ck_assert_str_eq(jstr(participant, "organisation"), "huisartsenpraktijk");
  http_response_free(&r);

  /* nothing else of the community */
  case_get(&r, guest, other_case);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  static const char *const forbidden[] = {"/members",    "/categories", "/help-requests",  "/invitations",
                                          "/volunteers", "/board",      "/queue?view=new", "/access-log"};
  char path[160];
  for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
    http_get(&r, community_path(path, sizeof path, &fx.anna, forbidden[i]), guest);
    ck_assert_msg(r.status == 403, "%s answered a guest %ld: %s", forbidden[i], r.status, r.body);
    http_response_free(&r);
  }
  http_get(&r, community_path(path, sizeof path, &fx.anna, "/cases"), guest);
  assert_status(&r, 200);
  json_t *items = json_object_get(r.json, "items");
  ck_assert_int_eq((int)json_array_size(items), 1);
  ck_assert_str_eq(jstr(json_array_get(items, 0), "id"), case_id);
  http_response_free(&r);

  /* the code works once */
  http_call(&r, "POST", "/v1/me/memberships", guest, json_pack("{s:s}", "invitation_code", code));
  ck_assert(problem_has_error(&r, "invitation_code", "invalid"));
  http_response_free(&r);

  free(guest_id);
  free(guest);
  free(email);
  free(code);
  free(other_case);
  free(case_id);
  free(coord);
}
END_TEST

START_TEST(member_invited_to_a_case_keeps_roles) {
  char *coord = fixture_login(&fx.coordinator);
  char *case_id = case_open(coord, fx.resident1.id, "Wijkteam via uitnodiging", NULL);
  char *code = invite_to_case(coord, case_id, "wijkteam");
  char *pro = fixture_login(&fx.professional);
  struct http_response r;
  http_call(&r, "POST", "/v1/me/memberships", pro, json_pack("{s:s}", "invitation_code", code));
  assert_status(&r, 201);
  ck_assert(jarray_has_string(json_object_get(r.json, "roles"), "professional"));
  ck_assert(!jarray_has_string(json_object_get(r.json, "roles"), "guest"));
  http_response_free(&r);
  case_get(&r, pro, case_id);
  assert_status(&r, 200);
  http_response_free(&r);

  /* a second invitation to the same case: already on it */
  char *again = invite_to_case(coord, case_id, "wijkteam");
  http_call(&r, "POST", "/v1/me/memberships", pro, json_pack("{s:s}", "invitation_code", again));
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  free(again);
  free(pro);
  free(code);
  free(case_id);
  free(coord);
}
END_TEST

START_TEST(who_may_invite_to_a_case) {
  char *coord = fixture_login(&fx.coordinator);
  char *volunteer = fixture_login(&fx.volunteer1);
  char *case_id = case_open(coord, fx.resident1.id, "Wie nodigt uit", NULL);
  char path[256];
  case_path(path, sizeof path, case_id, "/invitations");
  struct http_response r;
  /* not on the case: 404; on it but neither lead nor coordinator: 403 */
  http_call(&r, "POST", path, volunteer, json_pack("{s:s}", "organisation", "thuiszorg"));
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  char *volunteer_id = me_id(volunteer);
  char *participant = participant_add(coord, case_id, volunteer_id, "volunteer", NULL, false);
  http_call(&r, "POST", path, volunteer, json_pack("{s:s}", "organisation", "thuiszorg"));
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  /* the organisation is required; guest is not an ordinary invitation role */
  http_call(&r, "POST", path, coord, json_pack("{}"));
  ck_assert(problem_has_error(&r, "organisation", "required"));
  http_response_free(&r);
  http_call(&r, "POST", path, coord, json_pack("{s:s,s:n}", "organisation", "thuiszorg", "expires_in_hours"));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "expires_in_hours", "out_of_range")); /* null is not a lifetime */
  http_response_free(&r);
  char invitations[160];
  community_path(invitations, sizeof invitations, &fx.anna, "/invitations");
  http_call(&r, "POST", invitations, coord, json_pack("{s:s}", "role", "guest"));
  ck_assert(problem_has_error(&r, "role", "invalid"));
  http_response_free(&r);
  free(participant);
  free(volunteer_id);
  free(case_id);
  free(volunteer);
  free(coord);
}
END_TEST

Suite *cases_guests_suite(void) {
  Suite *s = suite_create("cases_guests");
  TCase *tc = cases_tcase("guests");
  tcase_add_test(tc, outsider_joins_one_case_only);
  tcase_add_test(tc, member_invited_to_a_case_keeps_roles);
  tcase_add_test(tc, who_may_invite_to_a_case);
  suite_add_tcase(s, tc);
  return s;
}

/* Late actions show up for their owner and for the lead (GET /v1/me/actions?scope=led). */
START_TEST(lead_sees_late_actions_across_cases) {
  char *coord = fixture_login(&fx.coordinator);
  char *volunteer = fixture_login(&fx.volunteer1);
  char *volunteer_id = me_id(volunteer);
  char *case_id = case_open(coord, fx.resident1.id, "Te laat", NULL);
  char *participant = participant_add(coord, case_id, volunteer_id, "volunteer", NULL, false);
  char *late = action_create(coord, case_id, "Boodschappen nalopen", volunteer_id, "2020-01-01", NULL);
  char *later = action_create(coord, case_id, "Volgende week bellen", volunteer_id, "2099-01-01", NULL);

  json_t *led = list_walk("/v1/me/actions", coord, 100, "scope=led&overdue=true", NULL);
  ck_assert_msg(find_item(led, "id", late) != NULL, "the lead does not see the late action");
  ck_assert_msg(find_item(led, "id", later) == NULL, "an action that is not late is listed as late");
  ck_assert_uint_eq(json_array_size(led), 1);
  json_decref(led);
  json_t *owned = list_walk("/v1/me/actions", volunteer, 100, "overdue=true", NULL);
  ck_assert(find_item(owned, "id", late) != NULL);
  ck_assert_uint_eq(json_array_size(owned), 1);
  json_decref(owned);
  json_t *not_led = list_walk("/v1/me/actions", volunteer, 100, "scope=led", NULL);
  ck_assert_msg(find_item(not_led, "id", late) == NULL, "someone who does not lead sees the case's actions");
  ck_assert_uint_eq(json_array_size(not_led), 0);
  json_decref(not_led);
  struct http_response r;
  http_get(&r, "/v1/me/actions?scope=everything", coord);
  ck_assert(problem_has_error(&r, "scope", "invalid"));
  http_response_free(&r);
  free(later);
  free(late);
  free(participant);
  free(case_id);
  free(volunteer_id);
  free(volunteer);
  free(coord);
}
END_TEST

/* A case opened from a help request: the request links to it for the desk and the resident. */
START_TEST(help_request_links_to_its_case) {
  char *coord = fixture_login(&fx.coordinator);
  char *resident = fixture_login(&fx.resident1);
  char *category = category_id(coord, "paperwork");
  struct window w;
  desk_window(&w, 3, 2, 10, 11);
  char *request = request_create(resident, request_body(category, &w, SITE_HOME, true), NULL);
  struct http_response r;
  request_get(&r, coord, request);
  assert_status(&r, 200);
  ck_assert(null_or_absent(r.json, "case_id"));
  http_response_free(&r);
  char cases[128];
  community_path(cases, sizeof cases, &fx.anna, "/cases");
  http_call(&r, "POST", cases, coord,
            json_pack("{s:s, s:s, s:s}", "subject_id", fx.resident1.id, "title", "Formulieren en meer",
                      "help_request_id", request));
  assert_status(&r, 201);
  char *case_id = strdup(jstr(r.json, "id"));
  http_response_free(&r);
  request_get(&r, resident, request);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "case_id"), case_id);
  http_response_free(&r);
  free(case_id);
  free(request);
  free(category);
  free(resident);
  free(coord);
}
END_TEST

Suite *cases_led_suite(void) {
  Suite *s = suite_create("cases_led");
  TCase *tc = cases_tcase("led");
  tcase_add_test(tc, lead_sees_late_actions_across_cases);
  tcase_add_test(tc, help_request_links_to_its_case);
  suite_add_tcase(s, tc);
  return s;
}
