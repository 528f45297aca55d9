/* Casework actions: creating with and without owner and due date, overdue and the overview's
 * `late`, /v1/me/actions, PATCH with If-Match and the status moves, taking an unowned action
 * (also two participants at the same moment). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"

static void json_status_eq(json_t *a, const char *status) { ck_assert_str_eq(jstr(a, "status"), status); }

START_TEST(actions_create_overdue_overview) {
  char *coord = fixture_login(&fx.coordinator);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *vol2 = fixture_login(&fx.volunteer2);
  char *res1 = fixture_login(&fx.resident1);
  char *id = case_open(coord, fx.resident1.id, "Acties en termijnen", NULL);
  free(participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false));
  char past[11], future[11], later[11];
  date_add(past, NULL, -3);
  date_add(future, NULL, 3);
  date_add(later, NULL, 10);

  struct http_response r;
  action_post(&r, coord, id, "Zonder eigenaar", NULL, NULL);
  assert_status(&r, 201);
  ck_assert(null_or_absent(r.json, "owner_id"));
  ck_assert(null_or_absent(r.json, "owner_name"));
  ck_assert(null_or_absent(r.json, "due_on"));
  ck_assert(json_is_false(jpath(r.json, "overdue")));
  json_status_eq(r.json, "open");
  ck_assert_str_eq(jstr(r.json, "created_by"), fx.coordinator.id);
  ck_assert_ptr_nonnull(jstr(r.json, "created_at"));
  ck_assert_ptr_nonnull(jstr(r.json, "updated_at"));
  char *a_free = strdup(jstr(r.json, "id"));
  http_response_free(&r);

  action_post(&r, vol1, id, "Boodschappenlijst maken", fx.volunteer1.id, past);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "owner_id"), fx.volunteer1.id);
  ck_assert_str_eq(jstr(r.json, "owner_name"), "Vrijwilliger Een");
  ck_assert_str_eq(jstr(r.json, "due_on"), past);
  ck_assert(json_is_true(jpath(r.json, "overdue")));
  ck_assert_str_eq(jstr(r.json, "created_by"), fx.volunteer1.id);
  char *a_late = strdup(jstr(r.json, "id"));
  http_response_free(&r);

  char *a_soon = action_create(coord, id, "Huisarts bellen", fx.volunteer1.id, future, NULL);
  char *a_later = action_create(res1, id, "Zelf de post doorlopen", NULL, later, NULL);

  /* refused inputs */
  action_post(&r, coord, id, "", NULL, NULL);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "title", NULL));
  http_response_free(&r);
  action_post(&r, coord, id, "Slechte datum", NULL, "2024-02-30");
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "due_on", NULL));
  http_response_free(&r);
  action_post(&r, coord, id, "Niet op de zaak", fx.volunteer2.id, NULL);
  assert_problem(&r, 422, "unprocessable");
  ck_assert_msg(problem_has_error(&r, "owner_id", "not_a_participant"), "owner off the case: %s", r.body);
  http_response_free(&r);
  action_post(&r, vol2, id, "Buitenstaander", NULL, NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* list: due_on ascending, undated last */
  json_t *items = actions_list(res1, id);
  ck_assert_uint_eq(json_array_size(items), 4);
  ck_assert_str_eq(jstr(items, "0.id"), a_late);
  ck_assert_str_eq(jstr(items, "1.id"), a_soon);
  ck_assert_str_eq(jstr(items, "2.id"), a_later);
  ck_assert_str_eq(jstr(items, "3.id"), a_free);
  ck_assert(json_is_true(jpath(items, "0.overdue")));
  ck_assert(json_is_false(jpath(items, "1.overdue")));
  json_decref(items);

  /* overview */
  char path[200];
  case_path(path, sizeof path, id, "/overview");
  http_get(&r, path, vol1);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "case_id"), id);
  ck_assert_str_eq(jstr(r.json, "status"), "open");
  ck_assert_str_eq(jstr(r.json, "lead.person_id"), fx.coordinator.id);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "actions")), 4);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "late")), 1);
  ck_assert_str_eq(jstr(r.json, "late.0.id"), a_late);
  ck_assert_int_eq(jint(r.json, "counts.open", -1), 4);
  ck_assert_int_eq(jint(r.json, "counts.in_progress", -1), 0);
  ck_assert_int_eq(jint(r.json, "counts.done", -1), 0);
  ck_assert_int_eq(jint(r.json, "counts.cancelled", -1), 0);
  ck_assert_int_eq(jint(r.json, "counts.late", -1), 1);
  http_response_free(&r);
  http_get(&r, path, vol2);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* /v1/me/actions: the owner's open actions across cases, with case and community */
  json_t *mine = list_all("/v1/me/actions", vol1, "overdue=true");
  json_t *it = find_item(mine, "id", a_late);
  ck_assert_msg(it != NULL, "overdue action missing from /v1/me/actions?overdue=true");
  ck_assert_uint_eq(json_array_size(mine), 1);
  ck_assert_str_eq(jstr(it, "case_id"), id);
  ck_assert_str_eq(jstr(it, "community_id"), fx.anna.id);
  ck_assert(json_is_true(jpath(it, "overdue")));
  ck_assert(find_item(mine, "id", a_soon) == NULL);
  size_t i;
  json_array_foreach(mine, i, it) {
    ck_assert(json_is_true(jpath(it, "overdue")));
    ck_assert_str_eq(jstr(it, "owner_id"), fx.volunteer1.id);
  }
  json_decref(mine);
  mine = list_all("/v1/me/actions", vol1, "overdue=false");
  ck_assert(find_item(mine, "id", a_soon) != NULL);
  ck_assert(find_item(mine, "id", a_late) == NULL);
  ck_assert_uint_eq(json_array_size(mine), 1);
  json_decref(mine);
  mine = list_all("/v1/me/actions", vol1, NULL);
  ck_assert(find_item(mine, "id", a_soon) != NULL);
  ck_assert(find_item(mine, "id", a_late) != NULL);
  ck_assert(find_item(mine, "id", a_free) == NULL); /* unowned */
  ck_assert_uint_eq(json_array_size(mine), 2);
  json_decref(mine);
  mine = list_all("/v1/me/actions", coord, "overdue=true");
  ck_assert(find_item(mine, "id", a_late) == NULL); /* not the coordinator's */
  ck_assert_uint_eq(json_array_size(mine), 0);
  json_decref(mine);
  http_get(&r, "/v1/me/actions?overdue=maybe", vol1);
  assert_problem(&r, 400, NULL);
  http_response_free(&r);

  free(a_free);
  free(a_late);
  free(a_soon);
  free(a_later);
  free(id);
  free(res1);
  free(vol2);
  free(vol1);
  free(coord);
}
END_TEST

START_TEST(actions_patch_and_status) {
  char *coord = fixture_login(&fx.coordinator);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *prof = fixture_login(&fx.professional);
  char *res1 = fixture_login(&fx.resident1);
  char *id = case_with_participants(coord, "Actie bijwerken");
  char past[11];
  date_add(past, NULL, -2);
  char *etag = NULL;
  char *a = action_create(coord, id, "Rollator regelen", fx.volunteer1.id, NULL, &etag);
  struct http_response r;

  action_patch(&r, vol1, id, a, json_pack("{s:s}", "status", "in_progress"), NULL);
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);
  action_patch(&r, vol1, id, a, json_pack("{s:s}", "status", "in_progress"), "\"stale\"");
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  /* not the owner, not the lead, not a coordinator */
  action_patch(&r, res1, id, a, json_pack("{s:s}", "status", "in_progress"), etag);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  action_patch(&r, vol1, id, a, json_pack("{s:s}", "status", "finished"), etag);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  action_patch(&r, vol1, id, a, json_pack("{s:s}", "colour", "red"), etag);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  /* null empties due_on and owner_id, never title or status */
  action_patch(&r, vol1, id, a, json_pack("{s:n}", "title"), etag);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "title", "required"));
  http_response_free(&r);
  action_patch(&r, vol1, id, a, json_pack("{s:n}", "status"), etag);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "status", "invalid"));
  http_response_free(&r);

  /* the owner moves it; the old ETag is stale afterwards */
  action_patch(&r, vol1, id, a, json_pack("{s:s,s:s}", "status", "in_progress", "due_on", past), etag);
  assert_status(&r, 200);
  json_status_eq(r.json, "in_progress");
  ck_assert(json_is_true(jpath(r.json, "overdue")));
  const char *e = http_header(&r, "etag");
  ck_assert_ptr_nonnull(e);
  ck_assert_str_ne(e, etag);
  char *e1 = strdup(e);
  http_response_free(&r);
  if (strcmp(etag, "*") != 0) {
    action_patch(&r, vol1, id, a, json_pack("{s:s}", "title", "Oud"), etag);
    assert_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
  }

  char path[200];
  case_path(path, sizeof path, id, "/overview");
  http_get(&r, path, res1);
  assert_status(&r, 200);
  ck_assert_int_eq(jint(r.json, "counts.in_progress", -1), 1);
  ck_assert_int_eq(jint(r.json, "counts.late", -1), 1);
  ck_assert_str_eq(jstr(r.json, "late.0.id"), a);
  http_response_free(&r);

  /* in_progress -> open (by the lead), then title, due_on null, owner change */
  action_patch(&r, coord, id, a,
               json_pack("{s:s,s:s,s:n,s:s}", "status", "open", "title", "Rollator ophalen", "due_on", "owner_id",
                         fx.professional.id),
               e1);
  assert_status(&r, 200);
  json_status_eq(r.json, "open");
  ck_assert_str_eq(jstr(r.json, "title"), "Rollator ophalen");
  ck_assert(null_or_absent(r.json, "due_on"));
  ck_assert(json_is_false(jpath(r.json, "overdue")));
  ck_assert_str_eq(jstr(r.json, "owner_id"), fx.professional.id);
  char *old = e1;
  e1 = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  /* the ETag from the previous PATCH is stale now */
  action_patch(&r, coord, id, a, json_pack("{s:s}", "title", "Oud"), old);
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  free(old);
  /* the volunteer no longer owns it */
  action_patch(&r, vol1, id, a, json_pack("{s:s}", "status", "done"), e1);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  action_patch(&r, coord, id, a, json_pack("{s:s}", "owner_id", fx.volunteer2.id), e1);
  assert_problem(&r, 422, "unprocessable");
  ck_assert_msg(problem_has_error(&r, "owner_id", "not_a_participant"), "owner off the case: %s", r.body);
  http_response_free(&r);
  /* the new owner (professional) finishes it */
  action_patch(&r, prof, id, a, json_pack("{s:s}", "status", "done"), e1);
  assert_status(&r, 200);
  json_status_eq(r.json, "done");
  ck_assert(json_is_false(jpath(r.json, "overdue")));
  free(e1);
  e1 = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  const char *after_done[] = {"open", "in_progress", "cancelled"};
  for (size_t i = 0; i < 3; i++) {
    action_patch(&r, coord, id, a, json_pack("{s:s}", "status", after_done[i]), e1);
    assert_conflict_state(&r, "done");
    http_response_free(&r);
  }

  /* cancelled is final too */
  char *e2 = NULL;
  char *b = action_create(vol1, id, "Afzeggen", NULL, past, &e2);
  action_patch(&r, coord, id, b, json_pack("{s:s}", "status", "cancelled"), e2);
  assert_status(&r, 200);
  json_status_eq(r.json, "cancelled");
  ck_assert(json_is_false(jpath(r.json, "overdue")));
  free(e2);
  e2 = strdup(http_header(&r, "etag"));
  http_response_free(&r);
  action_patch(&r, coord, id, b, json_pack("{s:s}", "status", "open"), e2);
  assert_conflict_state(&r, "cancelled");
  http_response_free(&r);
  http_get(&r, path, res1);
  ck_assert_int_eq(jint(r.json, "counts.done", -1), 1);
  ck_assert_int_eq(jint(r.json, "counts.cancelled", -1), 1);
  ck_assert_int_eq(jint(r.json, "counts.late", -1), 0);
  ck_assert_uint_eq(json_array_size(json_object_get(r.json, "late")), 0);
  http_response_free(&r);

  /* an unknown action is 404 */
  action_patch(&r, coord, id, "00000000-0000-4000-8000-0000000fffff", json_pack("{s:s}", "title", "x"), e2);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* a single resource sends its ETag (foundation): also the created action, since there is
     * no GET for one action to fetch it from */
  action_post(&r, coord, id, "Met ETag", NULL, NULL);
  assert_status(&r, 201);
  ck_assert_msg(http_header(&r, "etag") != NULL,
                "POST .../actions 201 without ETag: the first PATCH needs If-Match: *");
  http_response_free(&r);

  free(e2);
  free(b);
  free(e1);
  free(etag);
  free(a);
  free(id);
  free(res1);
  free(prof);
  free(vol1);
  free(coord);
}
END_TEST

static void take(struct http_response *r, const char *tok, const char *case_id, const char *action_id) {
  char path[240];
  action_path(path, sizeof path, case_id, action_id, true);
  http_call(r, "POST", path, tok, json_pack("{}"));
}

START_TEST(actions_take) {
  char *coord = fixture_login(&fx.coordinator);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *vol2 = fixture_login(&fx.volunteer2);
  char *res1 = fixture_login(&fx.resident1);
  char *id = case_open(coord, fx.resident1.id, "Oppakken", NULL);
  free(participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false));
  char *a = action_create(coord, id, "Wie doet dit?", NULL, NULL, NULL);
  struct http_response r;

  take(&r, vol2, id, a);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  take(&r, vol1, id, a);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "owner_id"), fx.volunteer1.id);
  ck_assert_str_eq(jstr(r.json, "id"), a);
  http_response_free(&r);
  take(&r, coord, id, a);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  take(&r, vol1, id, a);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  json_t *items = actions_list(res1, id);
  ck_assert_str_eq(jstr(find_item(items, "id", a), "owner_id"), fx.volunteer1.id);
  json_decref(items);
  /* an owned action from the start and a finished one cannot be taken */
  char *owned = action_create(coord, id, "Al van iemand", fx.coordinator.id, NULL, NULL);
  take(&r, vol1, id, owned);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  char *etag = NULL;
  char *gone = action_create(coord, id, "Vervallen", NULL, NULL, &etag);
  action_patch(&r, coord, id, gone, json_pack("{s:s}", "status", "cancelled"), etag);
  assert_status(&r, 200);
  http_response_free(&r);
  take(&r, vol1, id, gone);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);

  free(etag);
  free(gone);
  free(owned);
  free(a);
  free(id);
  free(res1);
  free(vol2);
  free(vol1);
  free(coord);
}
END_TEST

struct taker {
  const char *token;
  char path[240];
  pthread_barrier_t *barrier;
  long status;
  char owner[64];
  char error[300];
};

static void *take_run(void *arg) {
  struct taker *t = arg;
  struct http_request req = {.method = "POST",
                             .path = t->path,
                             .bearer = t->token,
                             .body = "{}",
                             .body_len = 2,
                             .content_type = "application/json"};
  struct http_response r;
  pthread_barrier_wait(t->barrier);
  if (http_send(&req, &r) != 0) {
    snprintf(t->error, sizeof t->error, "%s", http_last_error());
    return NULL;
  }
  t->status = r.status;
  const char *o = jstr(r.json, "owner_id");
  snprintf(t->owner, sizeof t->owner, "%s", o ? o : "");
  snprintf(t->error, sizeof t->error, "%.290s", r.body ? r.body : "");
  http_response_free(&r);
  return NULL;
}

START_TEST(actions_take_race) {
  char *coord = fixture_login(&fx.coordinator);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *res1 = fixture_login(&fx.resident1);
  char *id = case_open(coord, fx.resident1.id, "Tegelijk oppakken", NULL);
  free(participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false));
  const char *ids[2] = {fx.volunteer1.id, fx.resident1.id};
  const char *toks[2] = {vol1, res1};
  int wins[2] = {0, 0};

  for (int round = 0; round < 8; round++) {
    char title[40];
    snprintf(title, sizeof title, "Ronde %d", round);
    char *a = action_create(coord, id, title, NULL, NULL, NULL);
    pthread_barrier_t barrier;
    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, 2), 0);
    struct taker t[2];
    pthread_t th[2];
    for (int k = 0; k < 2; k++) {
      t[k] = (struct taker){.token = toks[k], .barrier = &barrier};
      action_path(t[k].path, sizeof t[k].path, id, a, true);
      ck_assert_int_eq(pthread_create(&th[k], NULL, take_run, &t[k]), 0);
    }
    for (int k = 0; k < 2; k++) ck_assert_int_eq(pthread_join(th[k], NULL), 0);
    pthread_barrier_destroy(&barrier);
    for (int k = 0; k < 2; k++) ck_assert_msg(t[k].status != 0, "round %d: take %d failed: %s", round, k, t[k].error);
    int ok = (t[0].status == 200) + (t[1].status == 200);
    int conflict = (t[0].status == 409) + (t[1].status == 409);
    ck_assert_msg(ok == 1 && conflict == 1, "round %d: takes answered %ld and %ld (%s | %s)", round, t[0].status,
                  t[1].status, t[0].error, t[1].error);
    int w = t[0].status == 200 ? 0 : 1;
    wins[w]++;
    ck_assert_str_eq(t[w].owner, ids[w]);
    json_t *items = actions_list(coord, id);
    ck_assert_str_eq(jstr(find_item(items, "id", a), "owner_id"), ids[w]);
    json_decref(items);
    free(a);
  }
  ck_assert_int_eq(wins[0] + wins[1], 8);

  free(id);
  free(res1);
  free(vol1);
  free(coord);
}
END_TEST

Suite *cases_actions_suite(void) {
  Suite *s = suite_create("cases_actions");
  TCase *tc = cases_tcase("actions");
  tcase_add_test(tc, actions_create_overdue_overview);
  tcase_add_test(tc, actions_patch_and_status);
  suite_add_tcase(s, tc);
  tc = cases_tcase("take");
  tcase_add_test(tc, actions_take);
  tcase_add_test(tc, actions_take_race);
  suite_add_tcase(s, tc);
  return s;
}
