/* Casework timeline (issue 4 part 2, docs/api-cases.md "Part 2: the timeline"): signals and
 * their acknowledgement, who sees which note (visibility, health and consent), corrections,
 * automatic events, the access log of the timeline routes and paging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "db.h"
#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"

#define SIGNALS "/v1/me/signals"

/* ---------- helpers ---------- */

/* Every entry of the case's timeline as tok sees it (new reference); asserts 200. */
static json_t *timeline(const char *tok, const char *case_id) {
  char path[200];
  case_path(path, sizeof path, case_id, "/timeline");
  return list_all(path, tok, NULL);
}

/* Entry of the timeline with this id (borrowed) or NULL. */
static json_t *entry_in(json_t *items, const char *id) { return find_item(items, "id", id); }

/* Checks the TimelineEntry shape common to every kind. */
static void assert_entry_shape(json_t *e, const char *case_id) {
  char *dump = json_dumps(e, JSON_COMPACT);
  ck_assert_msg(jstr(e, "id") != NULL, "entry without id: %s", dump);
  ck_assert_msg(jstr(e, "case_id") && strcmp(jstr(e, "case_id"), case_id) == 0, "entry of another case: %s", dump);
  const char *k = jstr(e, "kind"), *v = jstr(e, "visibility");
  ck_assert_msg(k && (!strcmp(k, "note") || !strcmp(k, "signal") || !strcmp(k, "event")), "kind: %s", dump);
  ck_assert_msg(v && (!strcmp(v, "all") || !strcmp(v, "professionals") || !strcmp(v, "lead")), "visibility: %s", dump);
  ck_assert_msg(json_is_boolean(jpath(e, "health")), "health: %s", dump);
  ck_assert_msg(json_is_boolean(jpath(e, "needs_response")), "needs_response: %s", dump);
  ck_assert_msg(jstr(e, "author_id") != NULL, "author_id: %s", dump);
  ck_assert_msg(jstr(e, "at") != NULL, "at: %s", dump);
  if (strcmp(k, "event") == 0) {
    ck_assert_msg(null_or_absent(e, "text"), "event with text: %s", dump);
    ck_assert_msg(json_is_object(jpath(e, "event")), "event without event: %s", dump);
    ck_assert_msg(jstr(e, "event.type") && jstr(e, "event.detail"), "event body: %s", dump);
    ck_assert_msg(!strcmp(v, "all"), "event not visible to all: %s", dump);
    ck_assert_msg(json_is_false(jpath(e, "health")), "event with health: %s", dump);
    ck_assert_msg(json_is_false(jpath(e, "needs_response")), "event needs response: %s", dump);
  } else {
    ck_assert_msg(jstr(e, "text") != NULL, "%s without text: %s", k, dump);
    ck_assert_msg(null_or_absent(e, "event"), "%s with event: %s", k, dump);
  }
  if (strcmp(k, "signal") == 0) {
    ck_assert_msg(!strcmp(v, "professionals"), "signal visibility: %s", dump);
    ck_assert_msg(json_is_false(jpath(e, "health")), "signal with health: %s", dump);
    bool acked = !null_or_absent(e, "acknowledged_by");
    ck_assert_msg(acked == !null_or_absent(e, "acknowledged_at"), "ack pair: %s", dump);
    ck_assert_msg(json_is_true(jpath(e, "needs_response")) == !acked, "needs_response vs acknowledged: %s", dump);
  } else {
    ck_assert_msg(null_or_absent(e, "acknowledged_by") && null_or_absent(e, "acknowledged_at"),
                  "non-signal acknowledged: %s", dump);
    ck_assert_msg(json_is_false(jpath(e, "needs_response")), "non-signal needs response: %s", dump);
  }
  free(dump);
}

static void note_post(struct http_response *r, const char *tok, const char *case_id, const char *text,
                      const char *visibility, int health, const char *corrects) {
  char path[200];
  case_path(path, sizeof path, case_id, "/notes");
  json_t *b = json_pack("{s:s,s:s}", "text", text, "visibility", visibility);
  if (health >= 0) json_object_set_new(b, "health", json_boolean(health));
  if (corrects != NULL) json_object_set_new(b, "corrects", json_string(corrects));
  http_call(r, "POST", path, tok, b);
}

/* Posts a note (health -1: not sent), asserts 201 and the entry; returns its id (owned). */
static char *note_add(const char *tok, const char *author, const char *case_id, const char *text,
                      const char *visibility, int health, const char *corrects) {
  struct http_response r;
  note_post(&r, tok, case_id, text, visibility, health, corrects);
  assert_status(&r, 201);
  assert_entry_shape(r.json, case_id);
  ck_assert_str_eq(jstr(r.json, "kind"), "note");
  ck_assert_str_eq(jstr(r.json, "text"), text);
  ck_assert_str_eq(jstr(r.json, "visibility"), visibility);
  ck_assert(json_is_true(jpath(r.json, "health")) == (health == 1));
  ck_assert_str_eq(jstr(r.json, "author_id"), author);
  ck_assert_msg(jstr(r.json, "author_name") != NULL, "note without author_name: %s", r.body);
  if (corrects != NULL)
    ck_assert_str_eq(jstr(r.json, "corrects"), corrects);
  else
    ck_assert(null_or_absent(r.json, "corrects"));
  ck_assert(null_or_absent(r.json, "corrected_by"));
  char *id = strdup(jstr(r.json, "id"));
  http_response_free(&r);
  return id;
}

static void signal_post(struct http_response *r, const char *tok, const char *case_id, const char *text) {
  char path[200];
  case_path(path, sizeof path, case_id, "/signals");
  http_call(r, "POST", path, tok, json_pack("{s:s}", "text", text));
}

static void ack_post(struct http_response *r, const char *tok, const char *case_id, const char *entry_id) {
  char path[300];
  snprintf(path, sizeof path, "%s/cases/%s/timeline/%s/acknowledge", fx.anna.path, case_id, entry_id);
  http_call(r, "POST", path, tok, json_object());
}

/* Items of the caller's /v1/me/signals belonging to this case (new reference). */
static json_t *my_signals(const char *tok, const char *case_id) {
  json_t *all = list_all(SIGNALS, tok, NULL);
  json_t *mine = json_array();
  size_t i;
  json_t *e;
  json_array_foreach(all, i, e) {
    ck_assert_msg(jstr(e, "community_id") != NULL, "signal without community_id: %s", json_dumps(e, JSON_COMPACT));
    ck_assert_msg(json_is_true(jpath(e, "needs_response")), "acknowledged signal in /v1/me/signals");
    ck_assert_str_eq(jstr(e, "kind"), "signal");
    const char *c = jstr(e, "case_id");
    if (c != NULL && strcmp(c, case_id) == 0) json_array_append(mine, e);
    if (i > 0) {
      int64_t a = 0, b = 0;
      ck_assert(parse_rfc3339(jstr(json_array_get(all, i - 1), "at"), &a) == 0);
      ck_assert(parse_rfc3339(jstr(e, "at"), &b) == 0);
      ck_assert_msg(a <= b, "/v1/me/signals not oldest first");
    }
  }
  json_decref(all);
  return mine;
}

/* Id of the single event of this type in items (borrowed entry) or NULL; fails on several. */
static json_t *event_of(json_t *items, const char *type, size_t *count) {
  json_t *found = NULL, *e;
  size_t i, n = 0;
  json_array_foreach(items, i, e) {
    const char *k = jstr(e, "kind"), *t = jstr(e, "event.type");
    if (k && !strcmp(k, "event") && t && !strcmp(t, type)) {
      found = found ? found : e;
      n++;
    }
  }
  if (count) *count = n;
  return found;
}

static size_t kind_count(json_t *items, const char *kind) {
  json_t *e;
  size_t i, n = 0;
  json_array_foreach(items, i, e) {
    const char *k = jstr(e, "kind");
    n += k && !strcmp(k, kind);
  }
  return n;
}

/* ---------- the Hegelsom signal ---------- */

START_TEST(timeline_signal_acknowledged) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *res1 = fixture_login(&fx.resident1);
  struct person p2; /* a second professional, without notes consent */
  person_create(&p2, coord, fx.anna.id, "professional");
  char *id = case_with_participants(coord, "Hegelsom: mevrouw alleen thuis");
  free(participant_add(coord, id, p2.id, "professional", "wijkteam", false));
  lead_handover(coord, id, fx.professional.id, "wijkteam neemt de regie");
  consent_record(res1, id, fx.professional.id, NULL, "basic", true);
  consent_record(res1, id, fx.professional.id, NULL, "notes", true);
  consent_record(res1, id, p2.id, NULL, "basic", true);

  const char *text = "de koelkast was leeg en ze leek verward";
  struct http_response r;
  signal_post(&r, vol1, id, text);
  assert_status(&r, 201);
  assert_entry_shape(r.json, id);
  ck_assert_str_eq(jstr(r.json, "kind"), "signal");
  ck_assert_str_eq(jstr(r.json, "visibility"), "professionals");
  ck_assert_str_eq(jstr(r.json, "text"), text);
  ck_assert_str_eq(jstr(r.json, "author_id"), fx.volunteer1.id);
  ck_assert(json_is_true(jpath(r.json, "needs_response")));
  ck_assert(null_or_absent(r.json, "acknowledged_by"));
  char *sig = strdup(jstr(r.json, "id"));
  http_response_free(&r);

  /* the lead has it to answer, in /v1/me/signals and in the timeline */
  json_t *mine = my_signals(prof, id);
  ck_assert_msg(json_array_size(mine) == 1, "lead has %zu signals of the case to answer", json_array_size(mine));
  ck_assert_str_eq(jstr(mine, "0.id"), sig);
  ck_assert_str_eq(jstr(mine, "0.community_id"), fx.anna.id);
  ck_assert_str_eq(jstr(mine, "0.text"), text);
  json_decref(mine);
  json_t *tl = timeline(prof, id);
  json_t *e = entry_in(tl, sig);
  ck_assert_msg(e != NULL, "the lead does not see the signal in the timeline");
  assert_entry_shape(e, id);
  ck_assert(json_is_true(jpath(e, "needs_response")));
  json_decref(tl);
  /* the author sees it; the subject and the coordinator (neither lead nor professional) not;
     * a professional without notes consent neither sees nor has to answer it */
  tl = timeline(vol1, id);
  ck_assert_msg(entry_in(tl, sig) != NULL, "the author does not see their signal");
  json_decref(tl);
  const char *blind[] = {res1, coord, p2.tokens.access};
  for (size_t k = 0; k < 3; k++) {
    tl = timeline(blind[k], id);
    ck_assert_msg(entry_in(tl, sig) == NULL, "viewer %zu sees the signal", k);
    json_decref(tl);
  }
  mine = my_signals(p2.tokens.access, id);
  ck_assert_msg(json_array_size(mine) == 0, "professional without notes consent must answer");
  json_decref(mine);
  mine = my_signals(vol1, id);
  ck_assert_uint_eq(json_array_size(mine), 0);
  json_decref(mine);

  /* a volunteer may not acknowledge it; nor may a professional who may not see it */
  ack_post(&r, vol1, id, sig);
  ck_assert_msg(r.status == 403 || r.status == 404, "volunteer acknowledges: %ld %s", r.status, r.body);
  assert_problem(&r, r.status, NULL);
  http_response_free(&r);
  ack_post(&r, p2.tokens.access, id, sig);
  ck_assert_msg(r.status == 403 || r.status == 404, "professional without notes consent acknowledges: %ld %s", r.status,
                r.body);
  http_response_free(&r);
  ack_post(&r, coord, id, "00000000-0000-4000-8000-0000000dead1");
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  /* the lead acknowledges */
  char since[32];
  utc_in(since, -5);
  ack_post(&r, prof, id, sig);
  assert_status(&r, 200);
  assert_entry_shape(r.json, id);
  ck_assert_str_eq(jstr(r.json, "id"), sig);
  ck_assert_str_eq(jstr(r.json, "acknowledged_by"), fx.professional.id);
  ck_assert_msg(jstr(r.json, "acknowledged_at") != NULL, "no acknowledged_at: %s", r.body);
  ck_assert(epoch_of(jstr(r.json, "acknowledged_at")) >= epoch_of(since));
  ck_assert(json_is_false(jpath(r.json, "needs_response")));
  ck_assert_str_eq(jstr(r.json, "text"), text);
  http_response_free(&r);
  mine = my_signals(prof, id);
  ck_assert_msg(json_array_size(mine) == 0, "acknowledged signal still in /v1/me/signals");
  json_decref(mine);
  tl = timeline(vol1, id);
  e = entry_in(tl, sig);
  ck_assert_ptr_nonnull(e);
  ck_assert(json_is_false(jpath(e, "needs_response")));
  ck_assert_str_eq(jstr(e, "acknowledged_by"), fx.professional.id);
  json_decref(tl);

  /* again: 409; a note or an event: 400 */
  ack_post(&r, prof, id, sig);
  assert_problem(&r, 409, "conflict");
  http_response_free(&r);
  char *note = note_add(prof, fx.professional.id, id, "Huisarts gebeld, bezoek morgen", "all", -1, NULL);
  ack_post(&r, prof, id, note);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  tl = timeline(prof, id);
  json_t *ev = event_of(tl, "lead_handed_over", NULL);
  ck_assert_msg(ev != NULL, "no lead_handed_over event in the lead's timeline");
  ack_post(&r, prof, id, jstr(ev, "id"));
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  json_decref(tl);

  /* a professional with notes consent (not the lead) may acknowledge a new signal */
  consent_record(res1, id, p2.id, NULL, "notes", true);
  signal_post(&r, vol1, id, "ze at weer niet");
  assert_status(&r, 201);
  char *sig2 = strdup(jstr(r.json, "id"));
  http_response_free(&r);
  mine = my_signals(p2.tokens.access, id);
  ck_assert_msg(find_item(mine, "id", sig2) != NULL, "consented professional lacks signal");
  json_decref(mine);
  ack_post(&r, p2.tokens.access, id, sig2);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "acknowledged_by"), p2.id);
  http_response_free(&r);
  mine = my_signals(prof, id);
  ck_assert_uint_eq(json_array_size(mine), 0);
  json_decref(mine);

  /* validation */
  signal_post(&r, vol1, id, "");
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "text", NULL));
  http_response_free(&r);
  char *long_text = malloc(2002);
  memset(long_text, 'x', 2001);
  long_text[2001] = '\0';
  signal_post(&r, vol1, id, long_text);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  free(long_text);
  char *vol2 = fixture_login(&fx.volunteer2);
  signal_post(&r, vol2, id, "niet op de zaak");
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  free(vol2);
  free(sig2);
  free(note);
  free(sig);
  free(id);
  person_free(&p2);
  free(res1);
  free(vol1);
  free(prof);
  free(coord);
}
END_TEST

/* ---------- who sees which note ---------- */

enum viewer { V_SUBJECT, V_VOL, V_COORD, V_P0, V_P1, V_P2, V_LEAD, VIEWERS };
static const char *const viewer_name[VIEWERS] = {"subject",
                                                 "volunteer",
                                                 "coordinator (author, not lead)",
                                                 "professional with basic only",
                                                 "professional with notes",
                                                 "professional with notes+health",
                                                 "lead (professional)"};

struct note_spec {
  enum viewer author;
  const char *visibility;
  int health;
  const char *seen_by; /* one character per viewer, '1' sees it */
};

static const struct note_spec notes_matrix[] = {
    /*                                        S V C 0 1 2 L */
    {V_COORD, "all", 0, /*                 */ "1110111"}, {V_COORD, "all", 1, /*                 */ "1110011"},
    {V_COORD, "professionals", 0, /*       */ "0010111"}, {V_COORD, "professionals", 1, /*       */ "0010011"},
    {V_COORD, "lead", 0, /*                */ "0010001"}, {V_COORD, "lead", 1, /*                */ "0010001"},
    {V_VOL, "professionals", 0, /*         */ "0100111"}, {V_VOL, "lead", 0, /*                  */ "0100001"},
    {V_P0, "all", 0, /*                    */ "1111111"}, {V_P0, "lead", 0, /*                   */ "0001001"},
    {V_SUBJECT, "professionals", 1, /*     */ "1000011"},
};
#define NNOTES (sizeof notes_matrix / sizeof notes_matrix[0])

START_TEST(timeline_note_visibility) {
  char *tok[VIEWERS], *who[VIEWERS];
  struct person p0, p1, p2;
  tok[V_COORD] = fixture_login(&fx.coordinator);
  tok[V_SUBJECT] = fixture_login(&fx.resident1);
  tok[V_VOL] = fixture_login(&fx.volunteer1);
  tok[V_LEAD] = fixture_login(&fx.professional);
  person_create(&p0, tok[V_COORD], fx.anna.id, "professional");
  person_create(&p1, tok[V_COORD], fx.anna.id, "professional");
  person_create(&p2, tok[V_COORD], fx.anna.id, "professional");
  tok[V_P0] = p0.tokens.access;
  tok[V_P1] = p1.tokens.access;
  tok[V_P2] = p2.tokens.access;
  who[V_COORD] = fx.coordinator.id;
  who[V_SUBJECT] = fx.resident1.id;
  who[V_VOL] = fx.volunteer1.id;
  who[V_LEAD] = fx.professional.id;
  who[V_P0] = p0.id;
  who[V_P1] = p1.id;
  who[V_P2] = p2.id;

  char *id = case_open(tok[V_COORD], fx.resident1.id, "Hegelsom: wie leest mee", NULL);
  free(participant_add(tok[V_COORD], id, fx.volunteer1.id, "volunteer", NULL, false));
  const enum viewer profs[] = {V_LEAD, V_P0, V_P1, V_P2};
  for (size_t k = 0; k < 4; k++)
    free(participant_add(tok[V_COORD], id, who[profs[k]], "professional", "wijkteam", false));
  lead_handover(tok[V_COORD], id, fx.professional.id, "wijkteam heeft de regie");
  /* every professional may see the basic facts; notes and health as the matrix says */
  for (size_t k = 0; k < 4; k++) consent_record(tok[V_SUBJECT], id, who[profs[k]], NULL, "basic", true);
  consent_record(tok[V_SUBJECT], id, p1.id, NULL, "notes", true);
  consent_record(tok[V_SUBJECT], id, p2.id, NULL, "notes", true);
  consent_record(tok[V_SUBJECT], id, p2.id, NULL, "health", true);
  consent_record(tok[V_SUBJECT], id, fx.professional.id, NULL, "notes", true);
  consent_record(tok[V_SUBJECT], id, fx.professional.id, NULL, "health", true);

  char *ids[NNOTES];
  for (size_t n = 0; n < NNOTES; n++) {
    const struct note_spec *s = &notes_matrix[n];
    char text[120];
    snprintf(text, sizeof text, "notitie %zu: %s%s", n, s->visibility, s->health ? ", medisch" : "");
    ids[n] = note_add(tok[s->author], who[s->author], id, text, s->visibility, n == 0 ? -1 : s->health, NULL);
  }

  for (int v = 0; v < VIEWERS; v++) {
    json_t *tl = timeline(tok[v], id);
    size_t i;
    json_t *e;
    json_array_foreach(tl, i, e) assert_entry_shape(e, id);
    for (size_t n = 0; n < NNOTES; n++) {
      const struct note_spec *s = &notes_matrix[n];
      bool expect = s->seen_by[v] == '1';
      json_t *got = entry_in(tl, ids[n]);
      ck_assert_msg((got != NULL) == expect, "%s %s note %zu (by %s, visibility %s, health %d)", viewer_name[v],
                    expect ? "does not see" : "sees", n, viewer_name[s->author], s->visibility, s->health);
      if (got != NULL) {
        ck_assert(json_is_true(jpath(got, "health")) == (s->health == 1));
        ck_assert_str_eq(jstr(got, "visibility"), s->visibility);
        ck_assert_str_eq(jstr(got, "author_id"), who[s->author]);
      }
    }
    json_decref(tl);
  }

  /* revoking notes consent takes effect on the next request */
  consent_record(tok[V_SUBJECT], id, p1.id, NULL, "notes", false);
  json_t *tl = timeline(tok[V_P1], id);
  ck_assert_msg(entry_in(tl, ids[0]) == NULL, "revoked professional still sees notes");
  ck_assert_msg(entry_in(tl, ids[2]) == NULL, "revoked professional still sees notes");
  json_decref(tl);

  /* validation and a non-participant */
  struct http_response r;
  note_post(&r, tok[V_COORD], id, "", "all", -1, NULL);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "text", NULL));
  http_response_free(&r);
  note_post(&r, tok[V_COORD], id, "zichtbaar voor wie?", "iedereen", -1, NULL);
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "visibility", NULL));
  http_response_free(&r);
  char notes[200];
  case_path(notes, sizeof notes, id, "/notes");
  http_call(&r, "POST", notes, tok[V_COORD],
            json_pack("{s:s,s:s,s:n}", "text", "gezond?", "visibility", "all", "health"));
  assert_problem(&r, 400, "validation");
  ck_assert(problem_has_error(&r, "health", "type")); /* null is not false */
  http_response_free(&r);
  char *long_text = malloc(4002);
  memset(long_text, 'x', 4001);
  long_text[4001] = '\0';
  note_post(&r, tok[V_COORD], id, long_text, "all", -1, NULL);
  assert_problem(&r, 400, "validation");
  http_response_free(&r);
  free(long_text);
  char *vol2 = fixture_login(&fx.volunteer2);
  char path[200];
  case_path(path, sizeof path, id, "/timeline");
  http_get(&r, path, vol2);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  note_post(&r, vol2, id, "niet op de zaak", "all", -1, NULL);
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);
  free(vol2);

  for (size_t n = 0; n < NNOTES; n++) free(ids[n]);
  free(id);
  person_free(&p0);
  person_free(&p1);
  person_free(&p2);
  free(tok[V_COORD]);
  free(tok[V_SUBJECT]);
  free(tok[V_VOL]);
  free(tok[V_LEAD]);
}
END_TEST

/* ---------- corrections ---------- */

START_TEST(timeline_corrections) {
  char *coord = fixture_login(&fx.coordinator);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *id = case_open(coord, fx.resident1.id, "Hegelsom: correcties", NULL);
  free(participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false));
  const char *orig = "Mevrouw heeft drie dagen niet gegeten";
  char *old = note_add(coord, fx.coordinator.id, id, orig, "all", 0, NULL);
  const char *fixed = "Mevrouw heeft twee dagen niet gegeten (correctie)";
  char *fix = note_add(coord, fx.coordinator.id, id, fixed, "all", 0, old);

  json_t *tl = timeline(vol1, id);
  json_t *o = entry_in(tl, old), *n = entry_in(tl, fix);
  ck_assert_ptr_nonnull(o);
  ck_assert_ptr_nonnull(n);
  ck_assert_str_eq(jstr(o, "text"), orig);
  ck_assert_msg(jstr(o, "corrected_by") && !strcmp(jstr(o, "corrected_by"), fix), "old note's corrected_by: %s",
                json_dumps(o, JSON_COMPACT));
  ck_assert(null_or_absent(o, "corrects"));
  ck_assert_str_eq(jstr(n, "corrects"), old);
  ck_assert(null_or_absent(n, "corrected_by"));
  ck_assert_str_eq(jstr(n, "text"), fixed);
  json_decref(tl);

  /* someone else's note, a signal, an event: 422 errors[corrects] (issue 10) */
  struct http_response r;
  note_post(&r, vol1, id, "ik verbeter de coordinator", "all", -1, old);
  assert_problem(&r, 422, "unprocessable");
  ck_assert(problem_has_error(&r, "corrects", NULL));
  http_response_free(&r);
  signal_post(&r, vol1, id, "het huis was koud");
  assert_status(&r, 201);
  char *sig = strdup(jstr(r.json, "id"));
  http_response_free(&r);
  note_post(&r, vol1, id, "het huis was warm", "all", -1, sig);
  assert_problem(&r, 422, "unprocessable");
  ck_assert(problem_has_error(&r, "corrects", NULL));
  http_response_free(&r);
  tl = timeline(coord, id);
  json_t *ev = event_of(tl, "participant_added", NULL);
  ck_assert_msg(ev != NULL, "no participant_added event");
  char *evid = strdup(jstr(ev, "id"));
  json_decref(tl);
  note_post(&r, coord, id, "geen gebeurtenis", "all", -1, evid);
  assert_problem(&r, 422, "unprocessable");
  ck_assert(problem_has_error(&r, "corrects", NULL));
  http_response_free(&r);

  /* nothing changed on the original */
  tl = timeline(coord, id);
  o = entry_in(tl, old);
  ck_assert_str_eq(jstr(o, "text"), orig);
  ck_assert_str_eq(jstr(o, "corrected_by"), fix);
  ck_assert_str_eq(jstr(o, "visibility"), "all");
  ck_assert_uint_eq(kind_count(tl, "note"), 2);
  json_decref(tl);

  free(evid);
  free(sig);
  free(fix);
  free(old);
  free(id);
  free(vol1);
  free(coord);
}
END_TEST

/* ---------- automatic events ---------- */

/* The single event of the type in the viewer's timeline (borrowed from tl); asserts its shape,
 * actor and that detail contains `needle` (NULL: not checked). */
static json_t *expect_event(json_t *tl, const char *case_id, const char *type, size_t expect_n, const char *author,
                            const char *needle) {
  size_t n = 0;
  json_t *e = event_of(tl, type, &n);
  ck_assert_msg(n == expect_n, "%zu %s events, expected %zu", n, type, expect_n);
  if (e == NULL) return NULL;
  /* the newest of its type */
  size_t i;
  json_t *x;
  json_array_foreach(tl, i, x) {
    const char *t = jstr(x, "event.type");
    if (t && !strcmp(t, type)) e = x;
  }
  assert_entry_shape(e, case_id);
  ck_assert_str_eq(jstr(e, "visibility"), "all");
  if (author != NULL) ck_assert_str_eq(jstr(e, "author_id"), author);
  if (needle != NULL)
    ck_assert_msg(strstr(jstr(e, "event.detail"), needle) != NULL, "%s detail \"%s\" does not mention \"%s\"", type,
                  jstr(e, "event.detail"), needle);
  return e;
}

START_TEST(timeline_automatic_events) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *res1 = fixture_login(&fx.resident1);
  char *id = case_open(coord, fx.resident1.id, "Hegelsom: wat er gebeurde", NULL);
  json_t *tl = timeline(coord, id);
  size_t base_added = 0;
  event_of(tl, "participant_added", &base_added); /* creation may or may not log them */
  json_decref(tl);

  free(participant_add(coord, id, fx.professional.id, "professional", "wijkteam", false));
  tl = timeline(coord, id);
  expect_event(tl, id, "participant_added", base_added + 1, fx.coordinator.id, "professional");
  json_decref(tl);
  free(participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false));
  tl = timeline(coord, id);
  expect_event(tl, id, "participant_added", base_added + 2, fx.coordinator.id, "volunteer");
  json_decref(tl);

  char *etag = NULL;
  const char *title = "Boodschappen voor de week";
  char *act = action_create(coord, id, title, fx.volunteer1.id, NULL, &etag);
  tl = timeline(coord, id);
  expect_event(tl, id, "action_done", 0, NULL, NULL);
  json_decref(tl);
  struct http_response r;
  action_patch(&r, vol1, id, act, json_pack("{s:s}", "status", "done"), etag);
  assert_status(&r, 200);
  http_response_free(&r);
  tl = timeline(coord, id);
  expect_event(tl, id, "action_done", 1, fx.volunteer1.id, title);
  json_decref(tl);

  lead_handover(coord, id, fx.volunteer1.id, "vrijwilliger houdt de regie");
  tl = timeline(vol1, id);
  json_t *e = expect_event(tl, id, "lead_handed_over", 1, fx.coordinator.id, NULL);
  const char *detail = jstr(e, "event.detail");
  json_t *c = NULL;
  case_get(&r, coord, id);
  assert_status(&r, 200);
  c = json_incref(r.json);
  http_response_free(&r);
  const char *vname = jstr(find_item(jpath(c, "participants"), "person_id", fx.volunteer1.id), "display_name");
  ck_assert_msg(strstr(detail, fx.volunteer1.id) || (vname && strstr(detail, vname)),
                "lead_handed_over detail \"%s\" does not name the new lead (%s)", detail,
                vname ? vname : fx.volunteer1.id);
  json_decref(c);
  json_decref(tl);

  /* the professional has no basic consent: no events at all */
  tl = timeline(prof, id);
  ck_assert_msg(kind_count(tl, "event") == 0, "professional without basic sees %zu events", kind_count(tl, "event"));
  json_decref(tl);

  consent_record(res1, id, fx.professional.id, NULL, "basic", true);
  tl = timeline(prof, id);
  expect_event(tl, id, "consent_changed", 1, fx.resident1.id, "basic");
  expect_event(tl, id, "lead_handed_over", 1, NULL, NULL);
  expect_event(tl, id, "action_done", 1, NULL, title);
  /* the participants added, the action done, the handover and this consent */
  ck_assert_uint_eq(kind_count(tl, "event"), base_added + 5);
  json_decref(tl);
  consent_record(res1, id, fx.professional.id, NULL, "health", true);
  tl = timeline(res1, id);
  e = expect_event(tl, id, "consent_changed", 2, fx.resident1.id, "health");
  char *granted_detail = strdup(jstr(e, "event.detail"));
  json_decref(tl);
  consent_record(res1, id, fx.professional.id, NULL, "health", false);
  tl = timeline(vol1, id);
  e = expect_event(tl, id, "consent_changed", 3, fx.resident1.id, "health");
  ck_assert_msg(strcmp(jstr(e, "event.detail"), granted_detail) != 0,
                "granting and revoking give the same detail \"%s\"", granted_detail);
  free(granted_detail);
  /* events come in the order of the changes */
  size_t i;
  json_t *x;
  const char *order[] = {"participant_added", "action_done", "lead_handed_over", "consent_changed"};
  size_t oi = 0;
  json_array_foreach(tl, i, x) {
    const char *t = jstr(x, "event.type");
    if (t == NULL) continue;
    while (oi < 4 && strcmp(order[oi], t) != 0) oi++;
    ck_assert_msg(oi < 4, "event %s out of order at %zu", t, i);
  }
  json_decref(tl);

  /* revoking basic hides the events again on the next request */
  consent_record(res1, id, fx.professional.id, NULL, "basic", false);
  tl = timeline(prof, id);
  ck_assert_msg(kind_count(tl, "event") == 0, "revoked professional sees %zu events", kind_count(tl, "event"));
  json_decref(tl);

  free(act);
  free(etag);
  free(id);
  free(res1);
  free(vol1);
  free(prof);
  free(coord);
}
END_TEST

/* ---------- access log ---------- */

START_TEST(timeline_access_log) {
  char *coord = fixture_login(&fx.coordinator);
  char *prof = fixture_login(&fx.professional);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *vol2 = fixture_login(&fx.volunteer2);
  char *res1 = fixture_login(&fx.resident1);
  char *id = case_with_participants(coord, "Hegelsom: logboek tijdlijn");
  lead_handover(coord, id, fx.professional.id, "wijkteam");
  consent_record(res1, id, fx.professional.id, NULL, "notes", true);
  PGconn *db = owner_db();
  char tl_path[200], notes_path[200], sig_path[200], ack_path[300] = "";
  case_path(tl_path, sizeof tl_path, id, "/timeline");
  case_path(notes_path, sizeof notes_path, id, "/notes");
  case_path(sig_path, sizeof sig_path, id, "/signals");
  long base = access_log_rows(db, id);

  struct {
    const char *who, *who_id, *method, *path;
    const char *body;
    long status, alt; /* alt: also accepted (0: none) */
  } steps[] = {
      {coord, fx.coordinator.id, "GET", tl_path, NULL, 200, 0},
      {vol2, fx.volunteer2.id, "GET", tl_path, NULL, 404, 0},
      {coord, fx.coordinator.id, "POST", notes_path, "{\"text\":\"Bezocht\",\"visibility\":\"all\"}", 201, 0},
      {vol2, fx.volunteer2.id, "POST", notes_path, "{\"text\":\"mag niet\",\"visibility\":\"all\"}", 404, 0},
      {vol1, fx.volunteer1.id, "POST", sig_path, "{\"text\":\"ze leek verward\"}", 201, 0},
      {vol2, fx.volunteer2.id, "POST", sig_path, "{\"text\":\"mag niet\"}", 404, 0},
      {vol1, fx.volunteer1.id, "POST", ack_path, "{}", 403, 404},
      {prof, fx.professional.id, "POST", ack_path, "{}", 200, 0},
      {prof, fx.professional.id, "POST", ack_path, "{}", 409, 0},
      {prof, fx.professional.id, "GET", tl_path, NULL, 200, 0},
      {coord, fx.coordinator.id, "POST", notes_path, "{\"text\":\"\",\"visibility\":\"all\"}", 400, 0},
      {vol1, fx.volunteer1.id, "POST", sig_path, "{\"text\":\"\"}", 400, 0},
  };
  size_t nsteps = sizeof steps / sizeof steps[0];
  long got[16];
  for (size_t i = 0; i < nsteps; i++) {
    json_t *b = steps[i].body ? json_loads(steps[i].body, 0, NULL) : NULL;
    long before = access_log_rows(db, id);
    struct http_response r;
    http_call(&r, steps[i].method, steps[i].path, steps[i].who, b);
    ck_assert_msg(r.status == steps[i].status || (steps[i].alt != 0 && r.status == steps[i].alt),
                  "step %zu %s %s: expected %ld, got %ld: %.300s", i, steps[i].method, steps[i].path, steps[i].status,
                  r.status, r.body);
    got[i] = r.status;
    if (r.status == 201 && steps[i].path == sig_path)
      snprintf(ack_path, sizeof ack_path, "%s/cases/%s/timeline/%s/acknowledge", fx.anna.path, id, jstr(r.json, "id"));
    http_response_free(&r);
    long after = access_log_rows(db, id);
    ck_assert_msg(after - before == 1, "step %zu %s %s (%ld) wrote %ld access-log entries", i, steps[i].method,
                  steps[i].path, got[i], after - before);
  }
  ck_assert_int_eq(access_log_rows(db, id) - base, (long)nsteps);

  /* the subject reads them back: resource timeline, actor, outcome and status */
  char path[200];
  case_path(path, sizeof path, id, "/access-log");
  json_t *log = list_all(path, res1, NULL);
  size_t n = json_array_size(log);
  ck_assert_uint_eq(n, (size_t)base + nsteps);
  for (size_t i = 0; i < nsteps; i++) {
    json_t *e = json_array_get(log, (size_t)base + i);
    char *dump = json_dumps(e, JSON_COMPACT);
    ck_assert_msg(jstr(e, "resource") && !strcmp(jstr(e, "resource"), "timeline"), "step %zu logged as %s", i, dump);
    ck_assert_msg(jstr(e, "actor_id") && !strcmp(jstr(e, "actor_id"), steps[i].who_id), "step %zu actor: %s", i, dump);
    ck_assert_msg(jint(e, "status", 0) == got[i], "step %zu status: %s", i, dump);
    /* the professional has notes consent only: the timeline is cut down (no basic, no health) */
    bool cut = steps[i].who == prof && !strcmp(steps[i].method, "GET") && got[i] == 200;
    const char *outcome = got[i] == 409 ? "conflict" : got[i] >= 400 ? "denied" : cut ? "restricted" : "allowed";
    ck_assert_msg(!strcmp(jstr(e, "outcome"), outcome), "step %zu outcome (expected %s): %s", i, outcome, dump);
    const char *want = !strcmp(steps[i].method, "GET") ? "read" : steps[i].path == ack_path ? NULL : "create";
    if (want != NULL)
      ck_assert_msg(jstr(e, "action") && !strcmp(jstr(e, "action"), want), "step %zu action (expected %s): %s", i, want,
                    dump);
    ck_assert_str_eq(jstr(e, "case_id"), id);
    free(dump);
  }
  json_decref(log);

  PQfinish(db);
  free(id);
  free(res1);
  free(vol2);
  free(vol1);
  free(prof);
  free(coord);
}
END_TEST

/* ---------- paging ---------- */

START_TEST(timeline_paging) {
  char *coord = fixture_login(&fx.coordinator);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *id = case_open(coord, fx.resident1.id, "Hegelsom: lange tijdlijn", NULL);
  free(participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false));
  for (int k = 0; k < 7; k++) {
    char text[40];
    snprintf(text, sizeof text, "bezoek %d", k);
    free(note_add(k % 2 ? vol1 : coord, k % 2 ? fx.volunteer1.id : fx.coordinator.id, id, text, "all", -1, NULL));
  }
  char path[200];
  case_path(path, sizeof path, id, "/timeline");
  json_t *all = list_all(path, coord, NULL);
  size_t n = json_array_size(all);
  ck_assert_uint_eq(n, 8); /* 7 notes and a participant_added event */
  int pages = 0;
  json_t *small = list_walk(path, coord, 2, NULL, &pages);
  ck_assert_uint_eq(json_array_size(small), n);
  ck_assert_int_eq(pages, (int)((n + 1) / 2));
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(small, i);
    ck_assert_str_eq(jstr(e, "id"), jstr(json_array_get(all, i), "id"));
    for (size_t j = 0; j < i; j++)
      ck_assert_msg(strcmp(jstr(e, "id"), jstr(json_array_get(small, j), "id")) != 0, "entry %zu repeats entry %zu", i,
                    j);
    if (i > 0) {
      json_t *p = json_array_get(small, i - 1);
      int64_t a = 0, b = 0;
      ck_assert(parse_rfc3339(jstr(p, "at"), &a) == 0);
      ck_assert(parse_rfc3339(jstr(e, "at"), &b) == 0);
      ck_assert_msg(a < b || (a == b && strcmp(jstr(p, "id"), jstr(e, "id")) < 0),
                    "entries %zu and %zu not ordered by (at, id)", i - 1, i);
    }
  }
  ck_assert_uint_eq(kind_count(small, "note"), 7);
  json_decref(small);
  json_decref(all);
  free(id);
  free(vol1);
  free(coord);
}
END_TEST

/* Issue 12: a lead whose consent does not cover notes still learns that a signal waits for them
 * (nobody else is asked); the text stays withheld, and acknowledging it does not reveal it. */
START_TEST(timeline_signal_reaches_lead_without_consent) {
  char *coord = fixture_login(&fx.coordinator);
  char *vol1 = fixture_login(&fx.volunteer1);
  char *res1 = fixture_login(&fx.resident1);
  struct person lead; /* a professional with basic consent only */
  person_create(&lead, coord, fx.anna.id, "professional");
  char *id = case_with_participants(coord, "Mevrouw vergeet haar medicijnen");
  free(participant_add(coord, id, lead.id, "professional", "wijkteam", false));
  consent_record(res1, id, lead.id, NULL, "basic", true);
  lead_handover(coord, id, lead.id, "wijkteam neemt de regie");

  const char *text = "de medicijnen van vorige week lagen er nog";
  struct http_response r;
  signal_post(&r, vol1, id, text);
  assert_status(&r, 201);
  char *sig = strdup(jstr(r.json, "id"));
  http_response_free(&r);

  json_t *mine = my_signals(lead.tokens.access, id);
  ck_assert_msg(json_array_size(mine) == 1, "the lead without notes consent is not told: %zu", json_array_size(mine));
  json_t *item = json_array_get(mine, 0);
  ck_assert_str_eq(jstr(item, "id"), sig);
  ck_assert_msg(json_is_null(json_object_get(item, "text")), "text shown without consent");
  ck_assert(json_is_true(json_object_get(item, "text_withheld")));
  ck_assert(json_is_true(json_object_get(item, "needs_response")));
  char *dump = json_dumps(mine, 0);
  ck_assert_msg(strstr(dump, "medicijnen van vorige week") == NULL, "the text leaks: %s", dump);
  free(dump);
  json_decref(mine);
  /* the previous lead is no longer asked */
  mine = my_signals(coord, id);
  ck_assert_uint_eq(json_array_size(mine), 0);
  json_decref(mine);

  ack_post(&r, lead.tokens.access, id, sig);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "acknowledged_by"), lead.id);
  ck_assert(json_is_false(json_object_get(r.json, "needs_response")));
  ck_assert_msg(json_is_null(json_object_get(r.json, "text")), "acknowledging reveals the text: %s", r.body);
  ck_assert(json_is_true(json_object_get(r.json, "text_withheld")));
  http_response_free(&r);
  mine = my_signals(lead.tokens.access, id);
  ck_assert_uint_eq(json_array_size(mine), 0);
  json_decref(mine);

  free(sig);
  free(id);
  person_free(&lead);
  free(res1);
  free(vol1);
  free(coord);
}
END_TEST

Suite *cases_timeline_suite(void) {
  Suite *s = suite_create("cases_timeline");
  TCase *tc = cases_tcase("timeline");
  tcase_add_test(tc, timeline_signal_acknowledged);
  tcase_add_test(tc, timeline_signal_reaches_lead_without_consent);
  tcase_add_test(tc, timeline_note_visibility);
  tcase_add_test(tc, timeline_corrections);
  tcase_add_test(tc, timeline_automatic_events);
  tcase_add_test(tc, timeline_access_log);
  tcase_add_test(tc, timeline_paging);
  suite_add_tcase(s, tc);
  return s;
}
