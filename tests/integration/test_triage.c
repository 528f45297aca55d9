/* Triage as data (issue 13, items 4 and 6): the track triage requires, kept on the request and in
 * its history and filterable; referrals as records with a follow-up and an outcome, overdue ones
 * in the desk's queue; the desk summary in JSON and CSV. Each person reads only what their own
 * app was given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_desk.h"

/* A request of resident1 for next week, as her app sends it; the id (owned). */
static char *resident_request(const char *res, const char *category, int weekday) {
  struct window w;
  desk_window(&w, weekday, 1, 10, 12);
  return request_create(res, request_body(category, &w, SITE_HOME, false), NULL);
}

/* The transitions of `doc` made by `action`, in order. New reference. */
static json_t *transitions_of(json_t *doc, const char *action) {
  json_t *out = json_array();
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(doc, "transitions"), i, t) {
    const char *a = jstr(t, "action");
    if (a != NULL && strcmp(a, action) == 0) json_array_append(out, t);
  }
  return out;
}

START_TEST(triage_requires_a_track_and_keeps_each_in_the_history) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  char *id = resident_request(res, shopping, 2);
  struct http_response r;

  /* no track, an unknown one, a firm on another track: 400 naming the field */
  request_action(&r, coord, id, "triage", NULL);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "track", "required"), "%s", r.body);
  http_response_free(&r);
  request_action(&r, coord, id, "triage", json_pack("{s:s}", "track", "wmo"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "track", "invalid"), "%s", r.body);
  http_response_free(&r);
  json_t *b = triage_body("informal");
  json_object_set_new(b, "business", json_pack("{s:s}", "partner", "Klusbedrijf De Hamer"));
  request_action(&r, coord, id, "triage", b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "business", "invalid"), "%s", r.body);
  http_response_free(&r);
  /* a rate needs its unit */
  b = triage_body("business");
  json_object_set_new(b, "business", json_pack("{s:s,s:i}", "partner", "Klusbedrijf De Hamer", "rate_cents", 4500));
  request_action(&r, coord, id, "triage", b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "business.rate_per", "required"), "%s", r.body);
  http_response_free(&r);
  /* nothing of that was kept */
  request_get(&r, coord, id);
  ck_assert_str_eq(jstr(r.json, "status"), "submitted");
  ck_assert(json_is_null(json_object_get(r.json, "track")));
  http_response_free(&r);

  /* informal, with a reason */
  b = triage_body("informal");
  json_object_set_new(b, "reason", json_string("Buurvrouw kan dit goed"));
  request_action(&r, coord, id, "triage", b);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  ck_assert_str_eq(jstr(r.json, "track"), "informal");
  ck_assert_str_eq(jstr(r.json, "triage.reason"), "Buurvrouw kan dit goed");
  ck_assert(json_is_null(jpath(r.json, "triage.business")));
  http_response_free(&r);

  /* triaged again: a paid firm, with its agreed rate */
  b = triage_body("business");
  json_object_set_new(
      b, "business",
      json_pack("{s:s,s:i,s:s}", "partner", "Klusbedrijf De Hamer", "rate_cents", 4500, "rate_per", "hour"));
  request_action(&r, coord, id, "triage", b);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "triaged");
  ck_assert_str_eq(jstr(r.json, "track"), "business");
  ck_assert_str_eq(jstr(r.json, "triage.business.partner"), "Klusbedrijf De Hamer");
  ck_assert_int_eq(jint(r.json, "triage.business.rate_cents", -1), 4500);
  ck_assert_str_eq(jstr(r.json, "triage.business.rate_per"), "hour");
  ck_assert(json_is_null(jpath(r.json, "triage.reason"))); /* the new triage's own */
  http_response_free(&r);

  /* the history keeps both */
  request_get(&r, coord, id);
  json_t *triages = transitions_of(r.json, "triage");
  ck_assert_uint_eq(json_array_size(triages), 2);
  ck_assert_str_eq(jstr(json_array_get(triages, 0), "track"), "informal");
  ck_assert_str_eq(jstr(json_array_get(triages, 0), "from"), "submitted");
  ck_assert_str_eq(jstr(json_array_get(triages, 1), "track"), "business");
  ck_assert_str_eq(jstr(json_array_get(triages, 1), "from"), "triaged");
  json_decref(triages);
  http_response_free(&r);

  /* the resident sees the track, not the desk's reasons or the firm's rate */
  request_get(&r, res, id);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "track"), "business");
  ck_assert(json_is_null(json_object_get(r.json, "triage")));
  triages = transitions_of(r.json, "triage");
  ck_assert_str_eq(jstr(json_array_get(triages, 1), "track"), "business");
  json_decref(triages);
  http_response_free(&r);

  /* tracks belong to triage and refer only */
  request_action(&r, coord, id, "board", triage_body("informal"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "track", "invalid"), "%s", r.body);
  http_response_free(&r);

  free(id);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

START_TEST(each_track_and_the_desk_filter) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  static const char *const tracks[] = {"informal", "professional", "business", "wmo_avoided"};
  char *ids[4];
  for (int i = 0; i < 4; i++) {
    ids[i] = resident_request(res, shopping, i + 1);
    struct http_response r;
    request_action(&r, coord, ids[i], "triage", triage_body(tracks[i]));
    assert_status(&r, 200);
    ck_assert_str_eq(jstr(r.json, "track"), tracks[i]);
    http_response_free(&r);
  }
  /* refer means professional */
  char *referred = resident_request(res, shopping, 5);
  struct http_response r;
  request_action(&r, coord, referred, "refer", json_pack("{s:{s:s}}", "referral", "name", "Wijkteam Sint Annaland"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "status"), "referred");
  ck_assert_str_eq(jstr(r.json, "track"), "professional");
  ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json, "transitions"), 1), "track"), "professional");
  http_response_free(&r);
  /* refer takes no informal track */
  char *other = resident_request(res, shopping, 6);
  request_action(&r, coord, other, "refer", triage_body("informal"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "track", "invalid"), "%s", r.body);
  http_response_free(&r);

  char path[200];
  community_path(path, sizeof path, &fx.anna, "/help-requests");
  for (int i = 0; i < 4; i++) {
    char query[64];
    snprintf(query, sizeof query, "track=%s", tracks[i]);
    json_t *items = list_all(path, coord, query);
    ck_assert_uint_eq(json_array_size(items), i == 1 ? 2 : 1);
    ck_assert_msg(list_has(items, ids[i]), "%s: %s missing", tracks[i], ids[i]);
    if (i == 1) ck_assert_msg(list_has(items, referred), "the referred request is not professional");
    json_decref(items);
  }
  /* with a status */
  json_t *items = list_all(path, coord, "track=professional&status=referred");
  ck_assert_uint_eq(json_array_size(items), 1);
  ck_assert(list_has(items, referred));
  json_decref(items);
  /* re-triaged elsewhere, it leaves the track's list */
  request_action_ok(coord, ids[0], "triage", triage_body("wmo_avoided"), "triaged");
  items = list_all(path, coord, "track=informal");
  ck_assert_uint_eq(json_array_size(items), 0);
  json_decref(items);

  char bad[240];
  snprintf(bad, sizeof bad, "%s?track=wmo", path);
  http_get(&r, bad, coord);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "track", "invalid"), "%s", r.body);
  http_response_free(&r);
  /* the track filter is the desk's */
  snprintf(bad, sizeof bad, "%s?track=informal", path);
  http_get(&r, bad, res);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  for (int i = 0; i < 4; i++) free(ids[i]);
  free(referred);
  free(other);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* The referrals of a request as the desk lists them. New reference. */
static json_t *referrals_of(const char *tok, const char *id) {
  char path[240];
  request_path(path, sizeof path, id, "/referrals");
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  json_t *items = json_incref(json_object_get(r.json, "items"));
  http_response_free(&r);
  return items;
}

/* PATCH a referral with If-Match `etag` (NULL: none). */
static void referral_patch(struct http_response *r, const char *tok, const char *request_id, const char *referral_id,
                           const char *etag, json_t *body) {
  char suffix[80], path[280], hdr[300];
  snprintf(suffix, sizeof suffix, "/referrals/%s", referral_id);
  request_path(path, sizeof path, request_id, suffix);
  snprintf(hdr, sizeof hdr, "If-Match: %s", etag ? etag : "");
  const char *h[] = {hdr, NULL};
  http_call_h(r, "PATCH", path, tok, body, etag ? h : NULL);
}

/* The ids in the coordinator's queue view. New reference. */
static json_t *queue(const char *coord, const char *view) {
  char path[200], query[64];
  community_path(path, sizeof path, &fx.anna, "/queue");
  snprintf(query, sizeof query, "view=%s", view);
  return list_all(path, coord, query);
}

START_TEST(referrals_are_records_followed_up_from_the_queue) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  struct http_response r;

  /* triage to the professional track with a receiver: a referral, followed up in 14 days */
  char *a = resident_request(res, shopping, 1);
  json_t *b = triage_body("professional");
  json_object_set_new(b, "referral",
                      json_pack("{s:s,s:s}", "name", "Wijkteam Sint Annaland", "contact", "0166-123456"));
  request_action_ok(coord, a, "triage", b, "triaged");
  json_t *refs = referrals_of(coord, a);
  ck_assert_uint_eq(json_array_size(refs), 1);
  json_t *ref = json_array_get(refs, 0);
  ck_assert_str_eq(jstr(ref, "receiver.name"), "Wijkteam Sint Annaland");
  ck_assert_str_eq(jstr(ref, "receiver.contact"), "0166-123456");
  ck_assert_str_eq(jstr(ref, "outcome"), "sent");
  ck_assert_str_eq(jstr(ref, "request_id"), a);
  ck_assert(json_is_false(json_object_get(ref, "overdue")));
  /* 14 days from the Dutch date: the test's local date, or the next when it runs in UTC */
  char in14[16], in15[16];
  date_add(in14, NULL, 14);
  date_add(in15, NULL, 15);
  ck_assert_msg(strcmp(jstr(ref, "follow_up_on"), in14) == 0 || strcmp(jstr(ref, "follow_up_on"), in15) == 0, "%s",
                jstr(ref, "follow_up_on"));
  json_decref(refs);
  /* an informal triage refers nobody */
  char *c = resident_request(res, shopping, 3);
  b = triage_body("informal");
  json_object_set_new(b, "referral", json_pack("{s:s}", "name", "Wijkteam"));
  request_action(&r, coord, c, "triage", b);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "referral", "invalid"), "%s", r.body);
  http_response_free(&r);

  /* refer with a follow-up date of its own */
  char *d = resident_request(res, shopping, 2);
  request_action_ok(coord, d, "refer",
                    json_pack("{s:{s:s,s:s}}", "referral", "name", "Thuiszorg De Linde", "follow_up_on", "2030-01-07"),
                    "referred");
  refs = referrals_of(coord, d);
  ck_assert_uint_eq(json_array_size(refs), 1);
  ref = json_array_get(refs, 0);
  ck_assert_str_eq(jstr(ref, "follow_up_on"), "2030-01-07");
  ck_assert(json_is_null(jpath(ref, "receiver.contact")));
  char *ref_id = strdup(jstr(ref, "id"));
  char *etag = strdup(jstr(ref, "etag"));
  json_decref(refs);

  /* not overdue: not in the follow-up queue */
  json_t *q = queue(coord, "follow_up");
  ck_assert_uint_eq(json_array_size(q), 0);
  json_decref(q);

  /* a change needs the referral's version */
  referral_patch(&r, coord, d, ref_id, NULL, json_pack("{s:s}", "outcome", "accepted"));
  assert_problem(&r, 428, "precondition-required");
  http_response_free(&r);
  referral_patch(&r, coord, d, ref_id, "\"stale\"", json_pack("{s:s}", "outcome", "accepted"));
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);
  referral_patch(&r, coord, d, ref_id, etag, json_pack("{s:s}", "outcome", "maybe"));
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "outcome", "invalid"), "%s", r.body);
  http_response_free(&r);
  /* accepted, and the follow-up moved into the past */
  referral_patch(&r, coord, d, ref_id, etag,
                 json_pack("{s:s,s:s,s:s}", "outcome", "accepted", "follow_up_on", "2024-03-01", "note", "Belt terug"));
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "outcome"), "accepted");
  ck_assert_str_eq(jstr(r.json, "follow_up_on"), "2024-03-01");
  ck_assert_str_eq(jstr(r.json, "note"), "Belt terug");
  ck_assert(json_is_true(json_object_get(r.json, "overdue")));
  ck_assert_ptr_nonnull(http_header(&r, "ETag"));
  free(etag);
  etag = strdup(http_header(&r, "ETag"));
  http_response_free(&r);
  /* the old version is stale now */
  referral_patch(&r, coord, d, ref_id, "\"stale\"", json_pack("{s:s}", "outcome", "arranged"));
  assert_problem(&r, 412, "precondition-failed");
  http_response_free(&r);

  /* overdue: in the desk's follow-up queue, the other one not */
  q = queue(coord, "follow_up");
  ck_assert_uint_eq(json_array_size(q), 1);
  ck_assert(list_has(q, d));
  json_decref(q);

  /* arranged: done, out of the queue */
  referral_patch(&r, coord, d, ref_id, etag, json_pack("{s:s}", "outcome", "arranged"));
  assert_status(&r, 200);
  ck_assert(json_is_false(json_object_get(r.json, "overdue")));
  http_response_free(&r);
  q = queue(coord, "follow_up");
  ck_assert_uint_eq(json_array_size(q), 0);
  json_decref(q);

  /* the desk's only: the resident sees her request but not its referrals */
  char path[240];
  request_path(path, sizeof path, d, "/referrals");
  http_get(&r, path, res);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  char *vol = fixture_login(&fx.volunteer1);
  http_get(&r, path, vol); /* a request she cannot see */
  assert_problem(&r, 404, "not-found");
  http_response_free(&r);

  free(vol);
  free(ref_id);
  free(etag);
  free(a);
  free(c);
  free(d);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

/* GET the summary for the days around today (the Dutch date is the test's or the next), with
 * `extra` query and `accept` header (each may be NULL). */
static void summary_get(struct http_response *r, const char *tok, const char *extra, const char *accept) {
  char from[16], to[16], path[400];
  date_add(from, NULL, -1);
  date_add(to, NULL, 1);
  char base[200];
  community_path(base, sizeof base, &fx.anna, "/desk/summary");
  snprintf(path, sizeof path, "%s?from=%s&to=%s%s%s", base, from, to, extra ? "&" : "", extra ? extra : "");
  char hdr[100];
  snprintf(hdr, sizeof hdr, "Accept: %s", accept ? accept : "");
  const char *h[] = {hdr, NULL};
  http_call_h(r, "GET", path, tok, NULL, accept ? h : NULL);
}

/* The CSV's records as arrays of fields (RFC 4180: CRLF records, quoted fields with doubled
 * quotes). New reference. */
static json_t *csv_parse(const char *text, char sep) {
  json_t *rows = json_array();
  json_t *row = json_array();
  char field[512];
  size_t n = 0;
  int quoted = 0;
  for (const char *p = text; *p; p++) {
    if (quoted) {
      if (*p == '"' && p[1] == '"')
        field[n++] = *p++;
      else if (*p == '"')
        quoted = 0;
      else
        field[n++] = *p;
    } else if (*p == '"') {
      quoted = 1;
    } else if (*p == sep || (*p == '\r' && p[1] == '\n')) {
      field[n] = '\0';
      json_array_append_new(row, json_string(field));
      n = 0;
      if (*p == '\r') {
        p++;
        json_array_append_new(rows, row);
        row = json_array();
      }
    } else {
      ck_assert_msg(*p != '\n' && *p != '\r', "a bare line break outside quotes: %s", text);
      field[n++] = *p;
    }
    ck_assert(n < sizeof field);
  }
  ck_assert_msg(n == 0 && json_array_size(row) == 0, "the last record does not end with CRLF: %s", text);
  json_decref(row);
  return rows;
}

/* The value of the record (section, key) of parsed CSV rows; fails when absent. */
static const char *csv_value(json_t *rows, const char *section, const char *key) {
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    ck_assert_uint_eq(json_array_size(row), 4);
    if (strcmp(json_string_value(json_array_get(row, 0)), section) == 0 &&
        strcmp(json_string_value(json_array_get(row, 1)), key) == 0)
      return json_string_value(json_array_get(row, 3));
  }
  ck_abort_msg("no record %s/%s", section, key);
  return NULL;
}

START_TEST(the_desk_summary_counts_a_known_period) {
  char *coord = fixture_login(&fx.coordinator);
  char *res = fixture_login(&fx.resident1);
  char *shopping = category_id(res, "shopping");
  struct person v;
  struct vol_spec spec = vol_default(shopping, SITE_HOME, 1.0, false);
  volunteer_create(&v, coord, &spec);
  struct http_response r;

  /* empty at first: every track and status named, with 0 */
  summary_get(&r, coord, NULL, NULL);
  assert_status(&r, 200);
  ck_assert_int_eq(jint(r.json, "requests.total", -1), 0);
  ck_assert_int_eq(jint(r.json, "requests.by_track.wmo_avoided", -1), 0);
  ck_assert_int_eq(jint(r.json, "requests.by_status.cancelled", -1), 0);
  http_response_free(&r);

  /* one helped (informal, matched, 2.5 hours done), one referred, one still new */
  struct window w;
  desk_window(&w, 2, 1, 10, 12);
  char *a = request_matched(coord, res, shopping, &w, SITE_HOME, &v);
  request_get(&r, v.tokens.access, a); /* the volunteer's own view of her task */
  assert_status(&r, 200);
  char *occ = strdup(occurrence_id(r.json, 0));
  http_response_free(&r);
  occurrence_begin(occ);
  occurrence_complete(&r, v.tokens.access, a, occ, 2.5);
  assert_status(&r, 200);
  http_response_free(&r);
  char *b = resident_request(res, shopping, 3);
  request_action_ok(coord, b, "refer", json_pack("{s:{s:s}}", "referral", "name", "Wijkteam Sint Annaland"),
                    "referred");
  char *c = resident_request(res, shopping, 4);

  summary_get(&r, coord, NULL, NULL);
  assert_status(&r, 200);
  ck_assert_int_eq(jint(r.json, "requests.total", -1), 3);
  ck_assert_int_eq(jint(r.json, "requests.by_track.informal", -1), 1);
  ck_assert_int_eq(jint(r.json, "requests.by_track.professional", -1), 1);
  ck_assert_int_eq(jint(r.json, "requests.by_track.business", -1), 0);
  ck_assert_int_eq(jint(r.json, "requests.by_track.wmo_avoided", -1), 0);
  ck_assert_int_eq(jint(r.json, "requests.by_track.none", -1), 1);
  ck_assert_int_eq(jint(r.json, "requests.by_status.done", -1), 1);
  ck_assert_int_eq(jint(r.json, "requests.by_status.referred", -1), 1);
  ck_assert_int_eq(jint(r.json, "requests.by_status.submitted", -1), 1);
  ck_assert_int_eq(jint(r.json, "requests.by_status.matched", -1), 0);
  json_t *cat = find_item(jpath(r.json, "requests.by_category"), "code", "shopping");
  ck_assert_ptr_nonnull(cat);
  ck_assert_int_eq(jint(cat, "count", -1), 3);
  char *label = strdup(jstr(cat, "label"));
  ck_assert_int_eq(jint(r.json, "matches", -1), 1);
  ck_assert(json_real_value(json_object_get(r.json, "hours")) == 2.5);
  ck_assert_int_eq(jint(r.json, "residents_served", -1), 1);
  ck_assert_int_eq(jint(r.json, "volunteers_active", -1), 1);
  ck_assert_int_eq(jint(r.json, "referrals.open", -1), 1);
  ck_assert_int_eq(jint(r.json, "referrals.overdue", -1), 0);
  http_response_free(&r);

  /* the same as CSV, asked for by Accept */
  summary_get(&r, coord, NULL, "text/csv");
  assert_status(&r, 200);
  ck_assert_msg(strncmp(http_header(&r, "Content-Type"), "text/csv", 8) == 0, "%s", http_header(&r, "Content-Type"));
  ck_assert_ptr_nonnull(strstr(http_header(&r, "Content-Disposition"), "attachment"));
  json_t *rows = csv_parse(r.body, ',');
  json_t *head = json_array_get(rows, 0);
  ck_assert_str_eq(json_string_value(json_array_get(head, 0)), "section");
  ck_assert_str_eq(json_string_value(json_array_get(head, 3)), "value");
  ck_assert_str_eq(csv_value(rows, "requests", "total"), "3");
  ck_assert_str_eq(csv_value(rows, "track", "informal"), "1");
  ck_assert_str_eq(csv_value(rows, "track", "none"), "1");
  ck_assert_str_eq(csv_value(rows, "status", "referred"), "1");
  ck_assert_str_eq(csv_value(rows, "category", "shopping"), "3");
  ck_assert_str_eq(csv_value(rows, "totals", "matches"), "1");
  ck_assert_str_eq(csv_value(rows, "totals", "hours"), "2.5");
  ck_assert_str_eq(csv_value(rows, "totals", "residents_served"), "1");
  ck_assert_str_eq(csv_value(rows, "referrals", "open"), "1");
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) if (strcmp(json_string_value(json_array_get(row, 1)), "shopping") == 0)
      ck_assert_str_eq(json_string_value(json_array_get(row, 2)), label);
  json_decref(rows);
  http_response_free(&r);

  /* for Dutch Excel: semicolons and a decimal comma, asked for by the query */
  summary_get(&r, coord, "format=csv&delimiter=semicolon", NULL);
  assert_status(&r, 200);
  ck_assert_msg(strncmp(http_header(&r, "Content-Type"), "text/csv", 8) == 0, "%s", http_header(&r, "Content-Type"));
  rows = csv_parse(r.body, ';');
  ck_assert_str_eq(csv_value(rows, "totals", "hours"), "2,5");
  ck_assert_str_eq(csv_value(rows, "requests", "total"), "3");
  json_decref(rows);
  http_response_free(&r);

  /* a period: in order, at most two years */
  char base[200], path[300];
  community_path(base, sizeof base, &fx.anna, "/desk/summary");
  snprintf(path, sizeof path, "%s?from=2024-01-01&to=2026-01-02", base);
  http_get(&r, path, coord);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "to", "too_long"), "%s", r.body);
  http_response_free(&r);
  snprintf(path, sizeof path, "%s?from=2026-02-01&to=2026-01-31", base);
  http_get(&r, path, coord);
  assert_problem(&r, 400, "validation");
  ck_assert_msg(problem_has_error(&r, "to", "invalid"), "%s", r.body);
  http_response_free(&r);
  /* a period long ago: nothing of this test's */
  snprintf(path, sizeof path, "%s?from=2024-01-01&to=2025-12-31", base);
  http_get(&r, path, coord);
  assert_status(&r, 200);
  ck_assert_int_eq(jint(r.json, "requests.total", -1), 0);
  ck_assert_str_eq(jstr(r.json, "from"), "2024-01-01");
  ck_assert_str_eq(jstr(r.json, "to"), "2025-12-31");
  http_response_free(&r);

  /* the desk's only */
  summary_get(&r, v.tokens.access, NULL, NULL);
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);
  summary_get(&r, res, NULL, "text/csv");
  assert_problem(&r, 403, "forbidden");
  http_response_free(&r);

  person_free(&v);
  free(label);
  free(occ);
  free(a);
  free(b);
  free(c);
  free(shopping);
  free(res);
  free(coord);
}
END_TEST

Suite *triage_suite(void) {
  Suite *s = suite_create("triage");
  TCase *tc = desk_tcase("triage");
  tcase_add_test(tc, triage_requires_a_track_and_keeps_each_in_the_history);
  tcase_add_test(tc, each_track_and_the_desk_filter);
  tcase_add_test(tc, referrals_are_records_followed_up_from_the_queue);
  tcase_add_test(tc, the_desk_summary_counts_a_known_period);
  suite_add_tcase(s, tc);
  return s;
}
