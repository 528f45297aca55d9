#include "support.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>

const char *env_required(const char *name) {
  const char *v = getenv(name);
  ck_assert_msg(v != NULL && v[0] != '\0', "environment variable %s is not set", name);
  return v;
}

json_t *jpath(json_t *root, const char *path) {
  json_t *cur = root;
  const char *p = path;
  while (cur != NULL && *p != '\0') {
    size_t n = strcspn(p, ".");
    char seg[128];
    if (n >= sizeof seg) return NULL;
    memcpy(seg, p, n);
    seg[n] = '\0';
    if (json_is_array(cur)) {
      char *end;
      unsigned long idx = strtoul(seg, &end, 10);
      if (end == seg || *end != '\0') return NULL;
      cur = json_array_get(cur, idx);
    } else if (json_is_object(cur)) {
      cur = json_object_get(cur, seg);
    } else {
      return NULL;
    }
    p += n;
    if (*p == '.') p++;
  }
  return cur;
}

const char *jstr(json_t *root, const char *path) { return json_string_value(jpath(root, path)); }

long long jint(json_t *root, const char *path, long long fallback) {
  json_t *v = jpath(root, path);
  return json_is_integer(v) ? (long long)json_integer_value(v) : fallback;
}

bool jarray_has_string(json_t *array, const char *value) {
  size_t i;
  json_t *v;
  if (!json_is_array(array)) return false;
  json_array_foreach(array, i, v) if (json_is_string(v) && strcmp(json_string_value(v), value) == 0) return true;
  return false;
}

void assert_status_at(const char *file, int line, const struct http_response *r, long status) {
  ck_assert_msg(r->status == status, "%s:%d: %s %s: expected status %ld, got %ld: %.600s", file, line, r->method,
                r->path, status, r->status, r->body ? r->body : "");
}

void assert_problem_at(const char *file, int line, const struct http_response *r, long status, const char *slug) {
  assert_status_at(file, line, r, status);
  const char *ct = http_header(r, "content-type");
  ck_assert_msg(ct != NULL && strncmp(ct, "application/problem+json", 24) == 0,
                "%s:%d: %s %s: content-type %s is not application/problem+json", file, line, r->method, r->path,
                ct ? ct : "(none)");
  ck_assert_msg(json_is_object(r->json), "%s:%d: problem body is not a JSON object: %.300s", file, line, r->body);
  const char *type = jstr(r->json, "type");
  ck_assert_msg(type != NULL && strncmp(type, "/problems/", 10) == 0, "%s:%d: problem type %s", file, line,
                type ? type : "(missing)");
  if (slug != NULL)
    ck_assert_msg(strcmp(type + 10, slug) == 0, "%s:%d: expected type /problems/%s, got %s", file, line, slug, type);
  const char *title = jstr(r->json, "title");
  ck_assert_msg(title != NULL && title[0] != '\0', "%s:%d: problem title missing", file, line);
  ck_assert_msg(jstr(r->json, "detail") != NULL, "%s:%d: problem detail missing", file, line);
  ck_assert_msg(jint(r->json, "status", -1) == status, "%s:%d: problem status field %lld", file, line,
                jint(r->json, "status", -1));
  const char *inst = jstr(r->json, "instance");
  ck_assert_msg(inst != NULL && strcmp(inst, r->path) == 0, "%s:%d: problem instance %s, request path %s", file, line,
                inst ? inst : "(missing)", r->path);
  const char *rid = jstr(r->json, "request_id");
  const char *hrid = http_header(r, "x-request-id");
  ck_assert_msg(rid != NULL && hrid != NULL && strcmp(rid, hrid) == 0, "%s:%d: request_id %s vs X-Request-Id %s", file,
                line, rid ? rid : "(missing)", hrid ? hrid : "(missing)");
}

bool problem_has_error(const struct http_response *r, const char *field, const char *code) {
  json_t *errs = jpath(r->json, "errors");
  size_t i;
  json_t *e;
  if (!json_is_array(errs)) return false;
  json_array_foreach(errs, i, e) {
    const char *f = jstr(e, "field");
    const char *c = jstr(e, "code");
    if (f != NULL && strcmp(f, field) == 0 && (code == NULL || (c && strcmp(c, code) == 0)) &&
        jstr(e, "message") != NULL)
      return true;
  }
  return false;
}

void tokens_free(struct tokens *t) {
  free(t->access);
  free(t->refresh);
  t->access = t->refresh = NULL;
}

void login(const char *email, const char *password, struct tokens *out) {
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/login", NULL, json_pack("{s:s, s:s}", "email", email, "password", password));
  ck_assert_msg(r.status == 200, "login %s: status %ld: %.300s", email, r.status, r.body);
  const char *a = jstr(r.json, "access_token");
  const char *f = jstr(r.json, "refresh_token");
  ck_assert_msg(a != NULL && f != NULL, "login %s: no tokens in %.300s", email, r.body);
  out->access = strdup(a);
  out->refresh = strdup(f);
  http_response_free(&r);
  ck_assert(out->access != NULL && out->refresh != NULL);
}

char *login_access(const char *email, const char *password) {
  struct tokens t;
  login(email, password, &t);
  free(t.refresh);
  return t.access;
}

char *me_id(const char *access) {
  struct http_response r;
  http_get(&r, "/v1/me", access);
  assert_status(&r, 200);
  const char *id = jstr(r.json, "id");
  ck_assert_msg(id != NULL, "GET /v1/me without id: %.300s", r.body);
  char *copy = strdup(id);
  http_response_free(&r);
  ck_assert(copy != NULL);
  return copy;
}

char *unique_email(const char *prefix) {
  static unsigned counter;
  char *s = NULL;
  int n = asprintf(&s, "%s-%ld-%u-%ld@test.example", prefix, (long)getpid(), ++counter, (long)time(NULL));
  ck_assert(n > 0 && s != NULL);
  return s;
}

char *create_invitation(const char *coord_access, const char *community_id, const char *role, char **id_out) {
  char path[160];
  snprintf(path, sizeof path, "/v1/communities/%s/invitations", community_id);
  struct http_response r;
  http_call(&r, "POST", path, coord_access, json_pack("{s:s}", "role", role));
  assert_status(&r, 201);
  const char *code = jstr(r.json, "code");
  const char *id = jstr(r.json, "id");
  ck_assert_msg(code != NULL && id != NULL, "invitation without code/id: %.300s", r.body);
  char *c = strdup(code);
  if (id_out != NULL) {
    *id_out = strdup(id);
    ck_assert(*id_out != NULL);
  }
  http_response_free(&r);
  ck_assert(c != NULL);
  return c;
}

void person_create(struct person *p, const char *coord_access, const char *community_id, const char *role) {
  memset(p, 0, sizeof *p);
  char *code = create_invitation(coord_access, community_id, role, NULL);
  p->email = unique_email(role);
  struct http_response r;
  http_call(&r, "POST", "/v1/auth/register", NULL,
            json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", p->email, "password", TEST_PASSWORD,
                      "display_name", "Test Persoon"));
  free(code);
  assert_status(&r, 201);
  const char *id = jstr(r.json, "me.id");
  const char *a = jstr(r.json, "tokens.access_token");
  const char *f = jstr(r.json, "tokens.refresh_token");
  ck_assert_msg(id && a && f, "register answer incomplete: %.400s", r.body);
  p->id = strdup(id);
  p->tokens.access = strdup(a);
  p->tokens.refresh = strdup(f);
  http_response_free(&r);
  ck_assert(p->id && p->tokens.access && p->tokens.refresh);
}

void person_free(struct person *p) {
  free(p->email);
  free(p->id);
  tokens_free(&p->tokens);
  p->email = p->id = NULL;
}

char *url_encode(const char *s) {
  char *e = curl_easy_escape(NULL, s, 0);
  ck_assert(e != NULL);
  char *copy = strdup(e);
  curl_free(e);
  ck_assert(copy != NULL);
  return copy;
}

json_t *list_walk(const char *path, const char *token, int limit, const char *query, int *pages) {
  json_t *all = json_array();
  ck_assert(all != NULL);
  char *cursor = NULL;
  int n = 0;
  do {
    char *url = NULL;
    char *enc = cursor ? url_encode(cursor) : NULL;
    int len = asprintf(&url, "%s?limit=%d%s%s%s%s", path, limit, query ? "&" : "", query ? query : "",
                       enc ? "&cursor=" : "", enc ? enc : "");
    ck_assert(len > 0);
    free(enc);
    struct http_response r;
    http_get(&r, url, token);
    free(url);
    assert_status(&r, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_msg(json_is_array(items), "no items[]: %.300s", r.body);
    ck_assert_msg(json_array_size(items) <= (size_t)limit, "page of %zu > limit %d", json_array_size(items), limit);
    ck_assert(json_array_extend(all, items) == 0);
    json_t *next = json_object_get(r.json, "next_cursor");
    ck_assert_msg(next != NULL && (json_is_null(next) || json_is_string(next)),
                  "next_cursor missing or not string|null: %.300s", r.body);
    free(cursor);
    cursor = json_is_string(next) ? strdup(json_string_value(next)) : NULL;
    http_response_free(&r);
    ck_assert_msg(++n < 1000, "more than 1000 pages: cursor loops?");
  } while (cursor != NULL);
  if (pages) *pages = n;
  return all;
}

json_t *find_item(json_t *items, const char *key, const char *value) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *v = jstr(it, key);
    if (v && strcmp(v, value) == 0) return it;
  }
  return NULL;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

int parse_rfc3339(const char *s, int64_t *usec_out) {
  int y, mo, d, h, mi, sec, n = 0;
  if (s == NULL || sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n == 0)
    return -1;
  const char *p = s + n;
  int64_t frac = 0;
  if (*p == '.') {
    int digits = 0;
    p++;
    while (*p >= '0' && *p <= '9') {
      if (digits < 6) {
        frac = frac * 10 + (*p - '0');
        digits++;
      }
      p++;
    }
    if (digits == 0) return -1;
    while (digits++ < 6) frac *= 10;
  }
  int64_t offset = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om;
    if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2) return -1;
    offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
    p += 6;
  } else {
    return -1;
  }
  if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
  int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset;
  *usec_out = secs * 1000000 + frac;
  return 0;
}

void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}
