/* Shared helpers for the casework tests (see test_cases.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "db.h"
#include "http.h"
#include "support.h"
#include "test_cases.h"

TCase *cases_tcase(const char *name) { return fixture_tcase(name, CASES_TIMEOUT); }

void case_path(char *buf, size_t len, const char *case_id, const char *suffix) {
  snprintf(buf, len, "%s/cases/%s%s", fx.anna.path, case_id, suffix ? suffix : "");
}

void action_path(char *buf, size_t len, const char *case_id, const char *action_id, bool take) {
  snprintf(buf, len, "%s/cases/%s/actions/%s%s", fx.anna.path, case_id, action_id, take ? "/take" : "");
}

char *case_open(const char *tok, const char *subject_id, const char *title, json_t **out) {
  char cases[128];
  community_path(cases, sizeof cases, &fx.anna, "/cases");
  struct http_response r;
  http_call(&r, "POST", cases, tok, json_pack("{s:s,s:s}", "subject_id", subject_id, "title", title));
  assert_status(&r, 201);
  const char *id = jstr(r.json, "id");
  ck_assert_msg(id != NULL, "case without id: %s", r.body);
  char *res = strdup(id);
  if (out != NULL) *out = json_incref(r.json);
  http_response_free(&r);
  return res;
}

char *case_with_participants(const char *coord, const char *title) {
  char *id = case_open(coord, fx.resident1.id, title, NULL);
  free(participant_add(coord, id, fx.volunteer1.id, "volunteer", NULL, false));
  free(participant_add(coord, id, fx.professional.id, "professional", "wijkteam", false));
  return id;
}

void case_get(struct http_response *r, const char *tok, const char *case_id) {
  char path[200];
  case_path(path, sizeof path, case_id, NULL);
  http_get(r, path, tok);
}

char *case_etag(const char *tok, const char *case_id) {
  struct http_response r;
  case_get(&r, tok, case_id);
  assert_status(&r, 200);
  const char *e = http_header(&r, "etag");
  ck_assert_msg(e != NULL, "GET case without ETag");
  char *res = strdup(e);
  http_response_free(&r);
  return res;
}

char *case_lead(const char *tok, const char *case_id) {
  struct http_response r;
  case_get(&r, tok, case_id);
  assert_status(&r, 200);
  const char *l = jstr(r.json, "lead.person_id");
  ck_assert_msg(l != NULL, "case without lead.person_id: %s", r.body);
  char *res = strdup(l);
  http_response_free(&r);
  return res;
}

void participant_post(struct http_response *r, const char *tok, const char *case_id, const char *person_id,
                      const char *role, const char *organisation, bool representative) {
  char path[200];
  case_path(path, sizeof path, case_id, "/participants");
  json_t *b = json_pack("{s:s,s:s}", "person_id", person_id, "role", role);
  if (organisation != NULL) json_object_set_new(b, "organisation", json_string(organisation));
  if (representative) json_object_set_new(b, "representative", json_true());
  http_call(r, "POST", path, tok, b);
}

char *participant_add(const char *tok, const char *case_id, const char *person_id, const char *role,
                      const char *organisation, bool representative) {
  struct http_response r;
  participant_post(&r, tok, case_id, person_id, role, organisation, representative);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "person_id"), person_id);
  ck_assert_str_eq(jstr(r.json, "role"), role);
  if (organisation != NULL)
    ck_assert_str_eq(jstr(r.json, "organisation"), organisation);
  else
    ck_assert(null_or_absent(r.json, "organisation"));
  ck_assert(json_is_boolean(jpath(r.json, "representative")));
  ck_assert(json_is_true(jpath(r.json, "representative")) == representative);
  char *id = strdup(jstr(r.json, "id"));
  http_response_free(&r);
  return id;
}

void lead_post(struct http_response *r, const char *tok, const char *case_id, const char *person_id, const char *note) {
  char path[200];
  case_path(path, sizeof path, case_id, "/lead");
  http_call(r, "POST", path, tok, json_pack("{s:s,s:s}", "person_id", person_id, "note", note));
}

void lead_handover(const char *tok, const char *case_id, const char *person_id, const char *note) {
  struct http_response r;
  lead_post(&r, tok, case_id, person_id, note);
  assert_status(&r, 200);
  ck_assert_str_eq(jstr(r.json, "lead.person_id"), person_id);
  http_response_free(&r);
}

json_t *lead_history(const char *tok, const char *case_id) {
  char path[200];
  case_path(path, sizeof path, case_id, "/lead-history");
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  json_t *items = json_incref(json_object_get(r.json, "items"));
  ck_assert_msg(json_is_array(items), "lead-history without items: %s", r.body);
  http_response_free(&r);
  return items;
}

void assert_one_open_lead(json_t *items, const char *lead) {
  size_t n = json_array_size(items), open = 0;
  ck_assert_uint_ge(n, 1);
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(items, i);
    if (null_or_absent(e, "until")) open++;
    if (i + 1 < n) {
      const char *until = jstr(e, "until");
      const char *next = jstr(json_array_get(items, i + 1), "since");
      ck_assert_msg(until != NULL && next != NULL && epoch_of(until) == epoch_of(next),
                    "history entry %zu: until %s, next since %s", i, until ? until : "null", next ? next : "null");
      ck_assert_str_eq(jstr(json_array_get(items, i + 1), "from"), jstr(e, "person_id"));
    }
  }
  ck_assert_msg(open == 1, "%zu open lead entries in %zu", open, n);
  json_t *last = json_array_get(items, n - 1);
  ck_assert(null_or_absent(last, "until"));
  ck_assert_str_eq(jstr(last, "person_id"), lead);
}

void action_post(struct http_response *r, const char *tok, const char *case_id, const char *title, const char *owner_id,
                 const char *due_on) {
  char path[200];
  case_path(path, sizeof path, case_id, "/actions");
  json_t *b = json_pack("{s:s}", "title", title);
  if (owner_id != NULL) json_object_set_new(b, "owner_id", json_string(owner_id));
  if (due_on != NULL) json_object_set_new(b, "due_on", json_string(due_on));
  http_call(r, "POST", path, tok, b);
}

char *action_create(const char *tok, const char *case_id, const char *title, const char *owner_id, const char *due_on,
                    char **etag) {
  struct http_response r;
  action_post(&r, tok, case_id, title, owner_id, due_on);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "case_id"), case_id);
  ck_assert_str_eq(jstr(r.json, "title"), title);
  ck_assert_str_eq(jstr(r.json, "status"), "open");
  if (owner_id != NULL)
    ck_assert_str_eq(jstr(r.json, "owner_id"), owner_id);
  else
    ck_assert(null_or_absent(r.json, "owner_id"));
  if (due_on != NULL)
    ck_assert_str_eq(jstr(r.json, "due_on"), due_on);
  else
    ck_assert(null_or_absent(r.json, "due_on"));
  char *id = strdup(jstr(r.json, "id"));
  if (etag != NULL) {
    /* without an ETag on the 201 (checked in actions_patch_and_status) the first PATCH
         * has to use If-Match: * */
    const char *e = http_header(&r, "etag");
    *etag = strdup(e != NULL ? e : "*");
  }
  http_response_free(&r);
  return id;
}

void action_patch(struct http_response *r, const char *tok, const char *case_id, const char *action_id, json_t *body,
                  const char *etag) {
  char path[240], hdr[300];
  action_path(path, sizeof path, case_id, action_id, false);
  snprintf(hdr, sizeof hdr, "If-Match: %s", etag ? etag : "");
  const char *h[] = {hdr, NULL};
  http_call_h(r, "PATCH", path, tok, body, etag ? h : NULL);
}

json_t *actions_list(const char *tok, const char *case_id) {
  char path[200];
  case_path(path, sizeof path, case_id, "/actions");
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  json_t *items = json_incref(json_object_get(r.json, "items"));
  ck_assert_msg(json_is_array(items), "actions without items: %s", r.body);
  http_response_free(&r);
  return items;
}

void consent_post(struct http_response *r, const char *tok, const char *case_id, const char *person,
                  const char *organisation, const char *kind, bool granted) {
  char path[200];
  case_path(path, sizeof path, case_id, "/consents");
  json_t *b = json_pack("{s:s,s:b}", "data_kind", kind, "granted", granted);
  if (person != NULL) json_object_set_new(b, "grantee_person_id", json_string(person));
  if (organisation != NULL) json_object_set_new(b, "grantee_organisation", json_string(organisation));
  http_call(r, "POST", path, tok, b);
}

void consent_record(const char *tok, const char *case_id, const char *person, const char *organisation,
                    const char *kind, bool granted) {
  struct http_response r;
  consent_post(&r, tok, case_id, person, organisation, kind, granted);
  assert_status(&r, 201);
  ck_assert_str_eq(jstr(r.json, "data_kind"), kind);
  ck_assert(json_is_true(jpath(r.json, "granted")) == granted);
  if (person != NULL) ck_assert_str_eq(jstr(r.json, "grantee_person_id"), person);
  if (organisation != NULL) ck_assert_str_eq(jstr(r.json, "grantee_organisation"), organisation);
  http_response_free(&r);
}

bool null_or_absent(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return v == NULL || json_is_null(v);
}

json_t *cases_list(const char *tok, const char *status) {
  char q[40], cases[128];
  if (status != NULL) snprintf(q, sizeof q, "status=%s", status);
  community_path(cases, sizeof cases, &fx.anna, "/cases");
  return list_all(cases, tok, status ? q : NULL);
}

PGconn *owner_db(void) { return db_connect(env_required("NOABER_TEST_OWNER_DSN")); }

long access_log_rows(PGconn *c, const char *case_id) {
  const char *p[] = {case_id};
  PGresult *r = db_exec(c, "SELECT count(*) FROM access_log WHERE case_id = $1", 1, p);
  long n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
  PQclear(r);
  return n;
}

/* The lead table is whichever public table has "lead" in its name and a case_id column; its
 * open rows have a NULL end column (until / until_at / ended_at / ends_at). */
long open_lead_rows(PGconn *c, const char *case_id) {
  PGresult *r = db_exec(c,
                        "SELECT t.table_name, e.column_name FROM information_schema.columns t"
                        " JOIN information_schema.columns e ON e.table_schema = t.table_schema"
                        "  AND e.table_name = t.table_name"
                        "  AND e.column_name IN ('until', 'until_at', 'ended_at', 'ends_at')"
                        " WHERE t.table_schema = 'public' AND t.column_name = 'case_id'"
                        "  AND t.table_name LIKE '%lead%' ORDER BY 1 LIMIT 1",
                        0, NULL);
  ck_assert_msg(PQntuples(r) == 1, "no lead table with case_id and an end column found");
  char sql[300];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE case_id = $1 AND \"%s\" IS NULL", PQgetvalue(r, 0, 0),
           PQgetvalue(r, 0, 1));
  PQclear(r);
  const char *p[] = {case_id};
  r = db_exec(c, sql, 1, p);
  long n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
  PQclear(r);
  return n;
}
