/* Safe retries (issue 12): a phone that lost the answer sends the same request again.
 *   - With the same Idempotency-Key, every state-changing POST replays its first answer: status,
 *     body, ETag and Location, marked `Idempotent-Replayed: true`; nothing happens twice.
 *   - The same key on another request answers 422; a key outside a community (joining one)
 *     is the person's own.
 *   - Without a key, the winner of an offer or a claim who asks again is told they have it,
 *     never that someone else took it (test_desk_matching.c and test_desk_board.c check that). */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "test_cases.h"
#include "test_desk.h"

/* A key no other test run uses; `what` tells them apart within a test. */
static void unique_key(char *buf, size_t len, const char *what) {
  snprintf(buf, len, "Idempotency-Key: %s-%ld-%ld", what, (long)getpid(), (long)time(NULL));
}

/* POST with one Idempotency-Key header line (body stolen). */
static void post_with_key(struct http_response *r, const char *path, const char *tok, json_t *body,
                          const char *key_line) {
  const char *const h[] = {key_line, NULL};
  http_call_h(r, "POST", path, tok, body, h);
}

/* The second answer is a replay of the first: same status, same body, same ETag and Location. */
static void assert_replay_of(const struct http_response *first, const struct http_response *again) {
  ck_assert_int_eq(again->status, first->status);
  const char *replayed = http_header(again, "idempotent-replayed");
  ck_assert_msg(replayed != NULL && strcmp(replayed, "true") == 0, "Idempotent-Replayed: %s",
                replayed ? replayed : "-");
  ck_assert_msg(http_header(first, "idempotent-replayed") == NULL, "the first answer is no replay");
  ck_assert_msg(first->json != NULL && json_equal(first->json, again->json), "replay differs: %s vs %s", first->body,
                again->body);
  static const char *const kept[] = {"etag", "location", "content-language"};
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
    const char *a = http_header(first, kept[i]), *b = http_header(again, kept[i]);
    ck_assert_msg((a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0), "%s: %s then %s", kept[i],
                  a ? a : "-", b ? b : "-");
  }
}

START_TEST(offer_answers_replay) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, a, b;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_OFFERS, 1.0, false);
  volunteer_create(&a, coord, &s);
  volunteer_create(&b, coord, &s);
  struct window w;
  desk_window(&w, 3, 1, 10, 12);
  char *id = request_create(res.tokens.access, request_body(shopping, &w, SITE_OFFERS, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  const char *both[] = {a.id, b.id, NULL};
  offer_to(coord, id, both);
  char *oa = offer_id(coord, id, a.id), *ob = offer_id(coord, id, b.id);
  char accept_a[160], decline_b[160], key_a[100], key_b[100];
  snprintf(accept_a, sizeof accept_a, "%s/offers/%s/accept", fx.anna.path, oa);
  snprintf(decline_b, sizeof decline_b, "%s/offers/%s/decline", fx.anna.path, ob);
  unique_key(key_a, sizeof key_a, "accept");
  unique_key(key_b, sizeof key_b, "decline");

  struct http_response first, again;
  post_with_key(&first, decline_b, b.tokens.access, json_pack("{s:s}", "reason", "Ziek"), key_b);
  assert_status(&first, 200);
  post_with_key(&again, decline_b, b.tokens.access, json_pack("{s:s}", "reason", "Ziek"), key_b);
  assert_replay_of(&first, &again);
  http_response_free(&first);
  http_response_free(&again);

  post_with_key(&first, accept_a, a.tokens.access, NULL, key_a);
  assert_status(&first, 200);
  ck_assert_str_eq(jstr(first.json, "status"), "accepted");
  post_with_key(&again, accept_a, a.tokens.access, NULL, key_a);
  assert_replay_of(&first, &again);
  http_response_free(&again);
  /* the same key for another request: refused, and the first answer stands */
  char decline_a[160];
  snprintf(decline_a, sizeof decline_a, "%s/offers/%s/decline", fx.anna.path, oa);
  post_with_key(&again, decline_a, a.tokens.access, json_pack("{}"), key_a);
  assert_problem(&again, 422, "idempotency-key-reused");
  http_response_free(&again);
  /* another person's key is theirs: b using a's key is a first request of b's (and b's offer is
   * long answered, so b no longer sees the request) */
  post_with_key(&again, accept_a, b.tokens.access, NULL, key_a);
  ck_assert_msg(again.status == 404 || again.status == 403, "b with a's key: %ld %s", again.status, again.body);
  ck_assert_msg(http_header(&again, "idempotent-replayed") == NULL, "b got a's answer");
  http_response_free(&again);
  http_response_free(&first);

  request_get(&first, coord, id);
  ck_assert_str_eq(jstr(first.json, "status"), "matched");
  ck_assert_str_eq(jstr(first.json, "matched_volunteer_id"), a.id);
  http_response_free(&first);
  free(oa);
  free(ob);
  free(id);
  person_free(&a);
  person_free(&b);
  person_free(&res);
  free(shopping);
  free(coord);
}
END_TEST

START_TEST(claim_and_confirm_replay) {
  char *coord = fixture_login(&fx.coordinator);
  char *shopping = category_id(coord, "shopping");
  struct person res, v;
  person_create(&res, coord, fx.anna.id, "resident");
  struct vol_spec s = vol_default(shopping, SITE_BOARD, 1.0, false);
  volunteer_create(&v, coord, &s);
  struct window w;
  desk_window(&w, 4, 1, 14, 16);
  char *id = request_create(res.tokens.access, request_body(shopping, &w, SITE_BOARD, false), NULL);
  request_action_ok(coord, id, "triage", NULL, "triaged");
  request_action_ok(coord, id, "board", NULL, "triaged");
  char claim_path[200], key[100];
  request_path(claim_path, sizeof claim_path, id, "/claim");
  unique_key(key, sizeof key, "claim");
  struct http_response first, again;
  post_with_key(&first, claim_path, v.tokens.access, NULL, key);
  assert_status(&first, 200);
  ck_assert_str_eq(jstr(first.json, "matched_volunteer_id"), v.id);
  post_with_key(&again, claim_path, v.tokens.access, NULL, key);
  assert_replay_of(&first, &again);
  http_response_free(&first);
  http_response_free(&again);

  /* the resident confirms the helper; her retry replays the first answer */
  char confirm_path[200];
  request_path(confirm_path, sizeof confirm_path, id, "/actions/confirm");
  unique_key(key, sizeof key, "confirm");
  post_with_key(&first, confirm_path, res.tokens.access, json_pack("{}"), key);
  assert_status(&first, 200);
  ck_assert(json_is_true(json_object_get(first.json, "resident_confirmed")));
  post_with_key(&again, confirm_path, res.tokens.access, json_pack("{}"), key);
  assert_replay_of(&first, &again);
  http_response_free(&first);
  http_response_free(&again);

  free(id);
  person_free(&v);
  person_free(&res);
  free(shopping);
  free(coord);
}
END_TEST

START_TEST(case_writes_replay) {
  char *coord = fixture_login(&fx.coordinator);
  char key[100];
  unique_key(key, sizeof key, "case");
  struct http_response first, again;
  char cases[120];
  community_path(cases, sizeof cases, &fx.anna, "/cases");
  json_t *body = json_pack("{s:s, s:s}", "subject_id", fx.resident1.id, "title", "Hulp na ziekenhuisopname");
  post_with_key(&first, cases, coord, json_deep_copy(body), key);
  assert_status(&first, 201);
  ck_assert_msg(http_header(&first, "location") != NULL, "201 without Location");
  post_with_key(&again, cases, coord, body, key);
  assert_replay_of(&first, &again);
  char *case_id = strdup(jstr(first.json, "id"));
  http_response_free(&first);
  http_response_free(&again);

  /* a note sent twice with one key is written once */
  char notes[200], timeline[200];
  case_path(notes, sizeof notes, case_id, "/notes");
  case_path(timeline, sizeof timeline, case_id, "/timeline");
  unique_key(key, sizeof key, "note");
  json_t *note = json_pack("{s:s, s:s}", "text", "Dochter belt vanavond terug", "visibility", "all");
  post_with_key(&first, notes, coord, json_deep_copy(note), key);
  assert_status(&first, 201);
  post_with_key(&again, notes, coord, note, key);
  assert_replay_of(&first, &again);
  http_response_free(&again);
  http_get(&again, timeline, coord);
  assert_status(&again, 200);
  size_t found = 0, i;
  json_t *entry;
  json_array_foreach(json_object_get(again.json, "items"), i, entry) found +=
      jstr(entry, "kind") != NULL && strcmp(jstr(entry, "kind"), "note") == 0;
  ck_assert_uint_eq(found, 1);
  http_response_free(&again);
  http_response_free(&first);
  free(case_id);
  free(coord);
}
END_TEST

START_TEST(join_replays_outside_a_community) {
  char *anna = fixture_login(&fx.coordinator);
  char *tot = fixture_login(&fx.tot_coordinator);
  struct person p;
  person_create(&p, anna, fx.anna.id, "volunteer");
  char *code = create_invitation(tot, fx.tot.id, "resident", NULL);
  char key[100];
  unique_key(key, sizeof key, "join");
  struct http_response first, again;
  post_with_key(&first, "/v1/me/memberships", p.tokens.access, json_pack("{s:s}", "invitation_code", code), key);
  assert_status(&first, 201);
  post_with_key(&again, "/v1/me/memberships", p.tokens.access, json_pack("{s:s}", "invitation_code", code), key);
  assert_replay_of(&first, &again);
  http_response_free(&again);
  /* without the key the code is spent; one membership came of the two requests */
  http_call(&again, "POST", "/v1/me/memberships", p.tokens.access, json_pack("{s:s}", "invitation_code", code));
  assert_problem(&again, 400, "validation");
  http_response_free(&again);
  http_get(&again, "/v1/me", p.tokens.access);
  assert_status(&again, 200);
  ck_assert_uint_eq(json_array_size(json_object_get(again.json, "memberships")), 2);
  http_response_free(&again);
  http_response_free(&first);
  free(code);
  person_free(&p);
  free(anna);
  free(tot);
}
END_TEST

START_TEST(register_retry_gets_the_account) {
  char *coord = fixture_login(&fx.coordinator);
  char *code = create_invitation(coord, fx.anna.id, "resident", NULL);
  char *email = unique_email("retry");
  char key[100];
  unique_key(key, sizeof key, "register");
  json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                           "display_name", "Mevrouw Jansen");
  struct http_response first, again;
  post_with_key(&first, "/v1/auth/register", NULL, json_deep_copy(body), key);
  assert_status(&first, 201);
  ck_assert_msg(http_header(&first, "idempotent-replayed") == NULL, "the first answer is no replay");
  /* the phone lost the answer and sends it again: the same account, a new session that works */
  post_with_key(&again, "/v1/auth/register", NULL, json_deep_copy(body), key);
  assert_status(&again, 201);
  const char *replayed = http_header(&again, "idempotent-replayed");
  ck_assert_msg(replayed != NULL && strcmp(replayed, "true") == 0, "no Idempotent-Replayed");
  ck_assert_str_eq(jstr(again.json, "me.id"), jstr(first.json, "me.id"));
  ck_assert_str_ne(jstr(again.json, "tokens.refresh_token"), jstr(first.json, "tokens.refresh_token"));
  struct http_response me;
  http_get(&me, "/v1/me", jstr(again.json, "tokens.access_token"));
  assert_status(&me, 200);
  ck_assert_str_eq(jstr(me.json, "id"), jstr(first.json, "me.id"));
  http_response_free(&me);
  http_response_free(&again);
  /* the key with another password, or another body: refused, nothing told */
  json_t *wrong = json_deep_copy(body);
  json_object_set_new(wrong, "password", json_string("not-the-password-at-all"));
  post_with_key(&again, "/v1/auth/register", NULL, wrong, key);
  assert_problem(&again, 422, "idempotency-key-reused");
  ck_assert_msg(json_object_get(again.json, "tokens") == NULL, "tokens for a wrong password");
  http_response_free(&again);
  json_t *other = json_deep_copy(body);
  json_object_set_new(other, "display_name", json_string("Iemand anders"));
  post_with_key(&again, "/v1/auth/register", NULL, other, key);
  assert_problem(&again, 422, "idempotency-key-reused");
  http_response_free(&again);
  /* without the key the invitation is spent */
  http_call(&again, "POST", "/v1/auth/register", NULL, body);
  assert_problem(&again, 400, "validation");
  http_response_free(&again);
  http_response_free(&first);
  free(email);
  free(code);
  free(coord);
}
END_TEST

Suite *retries_suite(void) {
  Suite *s = suite_create("retries");
  TCase *tc = desk_tcase("retries");
  tcase_add_test(tc, offer_answers_replay);
  tcase_add_test(tc, claim_and_confirm_replay);
  tcase_add_test(tc, case_writes_replay);
  tcase_add_test(tc, join_replays_outside_a_community);
  tcase_add_test(tc, register_retry_gets_the_account);
  suite_add_tcase(s, tc);
  return s;
}
