/* Casework consent for basic facts: what a professional sees without and with a `basic` grant
 * (per person and per organisation), revocation on the next request, the kept records, and who
 * may record consent (the subject or a representative). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"

/* The professional's view of the case: restricted or the full basic facts. */
static void assert_view(const char *tok, const char *case_id, bool restricted, const char *title,
                        const char *own_action, size_t all_actions) {
  struct http_response r;
  case_get(&r, tok, case_id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "id"), case_id);
  ck_assert_str_eq(jstr(r.json, "status"), "open");
  ck_assert_ptr_nonnull(jstr(r.json, "lead.person_id"));
  ck_assert_msg(json_is_boolean(jpath(r.json, "restricted")) && json_is_true(jpath(r.json, "restricted")) == restricted,
                "restricted should be %d: %s", restricted, r.body);
  if (restricted) {
    ck_assert_msg(null_or_absent(r.json, "title"), "title shown: %s", r.body);
    ck_assert_msg(null_or_absent(r.json, "participants"), "participants shown: %s", r.body);
    ck_assert_msg(null_or_absent(r.json, "subject_name"), "subject name shown: %s", r.body);
  } else {
    ck_assert_str_eq(jstr(r.json, "title"), title);
    ck_assert_str_eq(jstr(r.json, "subject_name"), "Inwoner Een");
    ck_assert(json_is_array(jpath(r.json, "participants")));
    /* the subject, the coordinator, the volunteer and the professional */
    ck_assert_uint_eq(json_array_size(jpath(r.json, "participants")), 4);
  }
  http_response_free(&r);

  json_t *items = actions_list(tok, case_id);
  if (restricted) {
    ck_assert_msg(json_array_size(items) == 1, "restricted sees %zu actions", json_array_size(items));
    ck_assert_str_eq(jstr(items, "0.id"), own_action);
    ck_assert_str_eq(jstr(items, "0.owner_id"), fx.professional.id);
  } else {
    ck_assert_uint_eq(json_array_size(items), all_actions);
  }
  json_decref(items);

  char path[200];
  case_path(path, sizeof path, case_id, "/overview");
  http_get(&r, path, tok);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(jpath(r.json, "actions")), restricted ? 1 : all_actions);
  http_response_free(&r);

  /* the case is in the professional's list either way, restricted or not */
  json_t *l = cases_list(tok, NULL);
  json_t *it = find_item(l, "id", case_id);
  ck_assert_msg(it != NULL, "case missing from the professional's list");
  ck_assert(json_is_true(jpath(it, "restricted")) == restricted);
  if (restricted) ck_assert(null_or_absent(it, "title"));
  json_decref(l);
}

START_TEST(consent_basic_facts) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *res1 = fixture_login(&fx.resident1);
  const char *title = "Mevrouw Jansen: geheugen gaat achteruit";
  char *id = case_with_participants(coord, title);
  char *own = action_create(coord, id, "Huisbezoek wijkteam", fx.professional.id, NULL, NULL);
  char *other = action_create(coord, id, "Boodschappen", fx.volunteer1.id, NULL, NULL);
  char *nobody = action_create(coord, id, "Klusje", NULL, NULL, NULL);

  /* the circle sees basic facts without a grant */
  const char *circle[] = {coord, vol1, res1};
  for (size_t i = 0; i < 3; i++) {
    struct http_response r;
    case_get(&r, circle[i], id);
    assert_status(&r, 200);
    ck_assert(json_is_false(jpath(r.json, "restricted")));
    ck_assert_str_eq(jstr(r.json, "title"), title);
    http_response_free(&r);
    json_t *items = actions_list(circle[i], id);
    ck_assert_uint_eq(json_array_size(items), 3);
    json_decref(items);
  }
  assert_view(prof, id, true, title, own, 3);

  struct http_response r;

  /* only the subject (or a representative) records consent */
  const char *not_allowed[] = {coord, vol1, prof};
  for (size_t i = 0; i < 3; i++) {
    consent_post(&r, not_allowed[i], id, fx.professional.id, NULL, "basic", true);
    assert_problem(&r, 403, "forbidden");
    http_response_free(&r);
  }
  assert_view(prof, id, true, title, own, 3);
  /* exactly one grantee; known kinds only */
  consent_post(&r, res1, id, fx.professional.id, "wijkteam", "basic", true);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  consent_post(&r, res1, id, NULL, NULL, "basic", true);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  consent_post(&r, res1, id, fx.professional.id, NULL, "everything", true);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "data_kind", NULL));
  http_response_free(&r);

  /* the subject grants basic to the professional: full view on the next request */
  consent_record(res1, id, fx.professional.id, NULL, "basic", true);
  assert_view(prof, id, false, title, own, 3);
  /* and revokes: restricted again on the next request */
  consent_record(res1, id, fx.professional.id, NULL, "basic", false);
  assert_view(prof, id, true, title, own, 3);
  /* other kinds do not open basic facts */
  consent_record(res1, id, fx.professional.id, NULL, "notes", true);
  assert_view(prof, id, true, title, own, 3);
  /* per organisation */
  consent_record(res1, id, NULL, "wijkteam", "basic", true);
  assert_view(prof, id, false, title, own, 3);
  consent_record(res1, id, NULL, "thuiszorg", "basic", true);
  consent_record(res1, id, NULL, "wijkteam", "basic", false);
  assert_view(prof, id, true, title, own, 3);

  /* every record is kept, newest first */
  char path[200];
  case_path(path, sizeof path, id, "/consents");
  http_get(&r, path, res1);
  assert_status(&r, 200);
  json_t *items = json_object_get(r.json, "items");
  ck_assert_uint_eq(json_array_size(items), 6);
  const struct {
    const char *person, *org, *kind;
    bool granted;
  } expect[] = {
      {NULL, "wijkteam", "basic", false},         {NULL, "thuiszorg", "basic", true},
      {NULL, "wijkteam", "basic", true},          {fx.professional.id, NULL, "notes", true},
      {fx.professional.id, NULL, "basic", false}, {fx.professional.id, NULL, "basic", true},
  };
  for (size_t i = 0; i < 6; i++) {
    json_t *c = json_array_get(items, i);
    if (expect[i].person != NULL) {
      ck_assert_str_eq(jstr(c, "grantee_person_id"), expect[i].person);
      ck_assert(null_or_absent(c, "grantee_organisation"));
    } else {
      ck_assert_str_eq(jstr(c, "grantee_organisation"), expect[i].org);
      ck_assert(null_or_absent(c, "grantee_person_id"));
    }
    ck_assert_str_eq(jstr(c, "data_kind"), expect[i].kind);
    ck_assert(json_is_true(jpath(c, "granted")) == expect[i].granted);
    ck_assert_str_eq(jstr(c, "recorded_by"), fx.resident1.id);
    ck_assert_ptr_nonnull(jstr(c, "recorded_at"));
    ck_assert_ptr_nonnull(jstr(c, "id"));
    if (i + 1 < 6)
      ck_assert(epoch_of(jstr(c, "recorded_at")) >= epoch_of(jstr(json_array_get(items, i + 1), "recorded_at")));
  }
  http_response_free(&r);
  /* coordinators on the case read them; volunteers and the professional do not */
  http_get(&r, path, coord);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(jpath(r.json, "items")), 6);
  http_response_free(&r);
  http_get(&r, path, vol1);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  http_get(&r, path, prof);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  free(nobody);
  free(other);
  free(own);
  free(id);
  free(res1);
  free(vol1);
  free(prof);
  free(coord);
}
END_TEST

START_TEST(consent_by_representative) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  struct person carer, helper;
  person_create(&carer, coord, fx.anna.id, "resident");
  person_create(&helper, coord, fx.anna.id, "resident");
  const char *title = "Meneer de Vries: mantelzorg door dochter";
  char *id = case_open(coord, fx.resident1.id, title, NULL);
  free(participant_add(coord, id, fx.professional.id, "professional", "wijkteam", false));
  /* the desk names the representative with a reason (the subject gave no consent to her yet) */
  char participants[200];
  case_path(participants, sizeof participants, id, "/participants");
  struct http_response added;
  http_call(&added, "POST", participants, coord,
            json_pack("{s:s,s:s,s:b,s:s}", "person_id", carer.id, "role", "informal_carer", "representative", 1,
                      "reason", "dochter regelt de zorg van haar vader"));
  assert_status(&added, 201);
  http_response_free(&added);
  free(participant_add(coord, id, helper.id, "informal_carer", NULL, false));
  char *own = action_create(coord, id, "Indicatiegesprek", fx.professional.id, NULL, NULL);
  struct http_response r;

  /* an informal carer without representative=true may not */
  consent_post(&r, helper.tokens.access, id, fx.professional.id, NULL, "basic", true);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  /* the representative may, and reads the records and the access log */
  consent_post(&r, carer.tokens.access, id, fx.professional.id, NULL, "basic", true);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "recorded_by"), carer.id);
  http_response_free(&r);
  case_get(&r, prof, id);
  assert_status(&r, 200);
  ck_assert(json_is_false(jpath(r.json, "restricted")));
  ck_assert_str_eq(jstr(r.json, "title"), title);
  json_t *p = find_item(jpath(r.json, "participants"), "person_id", carer.id);
  ck_assert_ptr_nonnull(p);
  ck_assert(json_is_true(jpath(p, "representative")));
  ck_assert_str_eq(jstr(p, "role"), "informal_carer");
  http_response_free(&r);
  char path[200];
  case_path(path, sizeof path, id, "/consents");
  http_get(&r, path, carer.tokens.access);
  assert_status(&r, 200);
  ck_assert_uint_eq(json_array_size(jpath(r.json, "items")), 1);
  http_response_free(&r);
  http_get(&r, path, helper.tokens.access);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  case_path(path, sizeof path, id, "/access-log");
  json_t *log = list_all(path, carer.tokens.access, NULL);
  /* every request above on the case: 1 + 3 + 1 of the set-up, 2 consents, 1 read of the case
     * and 2 of the records */
  ck_assert_msg(json_array_size(log) == 10, "%zu entries in the access log", json_array_size(log));
  json_decref(log);
  http_get(&r, path, helper.tokens.access);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  /* informal carers see basic facts without a grant */
  case_get(&r, helper.tokens.access, id);
  assert_status(&r, 200);
  ck_assert(json_is_false(jpath(r.json, "restricted")));
  ck_assert_str_eq(jstr(r.json, "title"), title);
  http_response_free(&r);

  /* the representative revokes */
  consent_post(&r, carer.tokens.access, id, fx.professional.id, NULL, "basic", false);
  assert_status(&r, 201);
  http_response_free(&r);
  case_get(&r, prof, id);
  assert_status(&r, 200);
  ck_assert(json_is_true(jpath(r.json, "restricted")));
  ck_assert(null_or_absent(r.json, "title"));
  http_response_free(&r);
  json_t *items = actions_list(prof, id);
  ck_assert_uint_eq(json_array_size(items), 1);
  ck_assert_str_eq(jstr(items, "0.id"), own);
  json_decref(items);

  free(own);
  free(id);
  person_free(&helper);
  person_free(&carer);
  free(prof);
  free(coord);
}
END_TEST

Suite *cases_consent_suite(void) {
  Suite *s = suite_create("cases_consent");
  TCase *tc = cases_tcase("consent");
  tcase_add_test(tc, consent_basic_facts);
  tcase_add_test(tc, consent_by_representative);
  suite_add_tcase(s, tc);
  return s;
}
