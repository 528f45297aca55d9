/* Boundary tests generated from the contract (issue 9). Every input limit lives three times: in
 * the OpenAPI contract, in C and in the CHECK constraints of sql/migrations. For each write
 * operation in `operations` below, a test reads the limits of the operation's request body from
 * the contract the server serves (GET /v1/openapi.json): minLength/maxLength, minimum/maximum
 * (and the exclusive ones), minItems/maxItems and enum, on the top-level properties and one level
 * into objects. For each limit it sends the valid request with that one field changed:
 *
 *   - at the limit: it must be accepted (2xx) and, where the answer carries the field, come back
 *     equal, so a CHECK constraint or column tighter than the contract shows up as a 500 or a
 *     mismatch. A maxLength is also tried in multi-byte characters when the field allows them
 *     (the contract counts characters, not bytes);
 *   - one step past it (1 for lengths, counts and integers, 0.01 for numbers, a name outside an
 *     enum): it must be refused, 400 or 422, with an errors[] entry naming the field.
 *
 * No limit is written here. What is written here is how to make a valid request from the
 * fixture (the path, a valid body, who sends it), how to make distinct items for arrays, where
 * the answer carries a field, and, per case, why a value at the limit may still be refused for
 * another reason (`exceptions`). Disagreements between contract, C and database that were found
 * and left for a decision are in `known_disagreements`: such a case is reported on stderr
 * ("DISAGREEMENT") instead of failing, and fails when the disagreement is gone, so the list stays
 * true. Each operation is a TCase of its own (CK_RUN_CASE=<operationId>) with its own fixture.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fixture.h"
#include "http.h"
#include "suites.h"
#include "support.h"
#include "test_cases.h"
#include "test_desk.h"

/* One step past a limit on a `number` (integers, lengths and counts step by 1). */
#define NUMBER_STEP 0.01

/* ---------- the contract ---------- */

/* GET /v1/openapi.json (new reference); fails the test unless it is a JSON object. */
static json_t *contract_fetch(void) {
  struct http_response r;
  http_get(&r, "/v1/openapi.json", NULL);
  assert_status(&r, 200);
  ck_assert_msg(json_is_object(r.json), "the served contract is not a JSON object");
  json_t *doc = json_incref(r.json);
  http_response_free(&r);
  return doc;
}

/* Follows local $refs ("#/components/schemas/X") to the schema they name (borrowed). */
static json_t *resolve(json_t *doc, json_t *schema) {
  for (int hops = 0; hops < 16 && json_is_object(schema); hops++) {
    const char *ref = json_string_value(json_object_get(schema, "$ref"));
    if (ref == NULL) return schema;
    ck_assert_msg(strncmp(ref, "#/", 2) == 0, "non-local $ref %s in the served contract", ref);
    char *copy = strdup(ref + 2);
    ck_assert(copy != NULL);
    json_t *at = doc;
    char *save = NULL;
    for (char *part = strtok_r(copy, "/", &save); part != NULL && at != NULL; part = strtok_r(NULL, "/", &save))
      at = json_object_get(at, part);
    ck_assert_msg(at != NULL, "unresolved $ref %s", ref);
    free(copy);
    schema = at;
  }
  return schema;
}

/* The schema of a property as far as limits go: resolved, and for a nullable property
 * (`oneOf: [X, {type: null}]`) the one schema that is not null. NULL for a real choice. */
static json_t *property_schema(json_t *doc, json_t *schema) {
  schema = resolve(doc, schema);
  json_t *choice = json_object_get(schema, "oneOf");
  if (choice == NULL) choice = json_object_get(schema, "anyOf");
  if (choice == NULL) return schema;
  json_t *only = NULL;
  size_t i;
  json_t *alt;
  json_array_foreach(choice, i, alt) {
    json_t *s = resolve(doc, alt);
    const char *type = json_string_value(json_object_get(s, "type"));
    if (type != NULL && strcmp(type, "null") == 0) continue;
    if (only != NULL) return NULL;
    only = s;
  }
  return only;
}

/* The schema's type, ignoring "null" in a list of types; "" when it has none. */
static const char *schema_type(json_t *schema) {
  json_t *type = json_object_get(schema, "type");
  if (json_is_string(type)) return json_string_value(type);
  size_t i;
  json_t *t;
  json_array_foreach(type, i, t) if (strcmp(json_string_value(t), "null") != 0) return json_string_value(t);
  return "";
}

/* The operation with this operationId: its request body schema (resolved, borrowed), method
 * and path template (borrowed). Fails the test when the contract has no such operation. */
static json_t *operation_schema(json_t *doc, const char *operation_id, const char **method, const char **path) {
  const char *p;
  json_t *item;
  json_object_foreach(json_object_get(doc, "paths"), p, item) {
    const char *m;
    json_t *op;
    json_object_foreach(item, m, op) {
      const char *id = json_string_value(json_object_get(op, "operationId"));
      if (id == NULL || strcmp(id, operation_id) != 0) continue;
      json_t *schema = jpath(op, "requestBody.content");
      schema = json_object_get(json_object_get(schema, "application/json"), "schema");
      ck_assert_msg(schema != NULL, "%s has no JSON request body in the contract", operation_id);
      *method = m;
      *path = p;
      return resolve(doc, schema);
    }
  }
  ck_abort_msg("the served contract has no operation %s", operation_id);
  return NULL;
}

/* True when the concrete path fits the contract's template ("{x}" matches one segment). */
static bool path_fits(const char *path, const char *template) {
  while (*path != '\0' && *template != '\0') {
    if (*template == '{') {
      template = strchr(template, '}');
      if (template == NULL) return false;
      template ++;
      size_t seg = strcspn(path, "/");
      if (seg == 0) return false;
      path += seg;
    } else if (*path++ != *template ++) {
      return false;
    }
  }
  return *path == '\0' && *template == '\0';
}

/* ---------- limits ---------- */

enum limit_kind {
  MIN_LENGTH,
  MAX_LENGTH,
  MINIMUM,
  MAXIMUM,
  EXCLUSIVE_MINIMUM,
  EXCLUSIVE_MAXIMUM,
  MIN_ITEMS,
  MAX_ITEMS,
  ENUM_VALUE,     /* one of the values of a string enum */
  ITEM_ENUM_VALUE /* one of the values of an array's item enum */
};

static const char *const keyword_names[] = {"minLength",        "maxLength", "minimum",  "maximum", "exclusiveMinimum",
                                            "exclusiveMaximum", "minItems",  "maxItems", "enum",    "items.enum"};

struct limit {
  char field[96]; /* dotted path in the body: "title", "place.address" */
  enum limit_kind kind;
  double bound;   /* the number in the contract (lengths, counts, numbers) */
  bool integer;   /* MINIMUM..EXCLUSIVE_MAXIMUM: the property is an integer */
  json_t *schema; /* the property's schema (borrowed from the contract) */
  json_t *items;  /* MIN_ITEMS..ITEM_ENUM_VALUE: the schema of the array's items (borrowed) */
  json_t *value;  /* ENUM_VALUE, ITEM_ENUM_VALUE: the allowed value (borrowed) */
  bool first;     /* ENUM_VALUE, ITEM_ENUM_VALUE: first value of its enum (the outside value goes with it) */
};

struct limits {
  struct limit *items;
  size_t count, cap;
};

static struct limit *limit_add(struct limits *ls, const char *field, enum limit_kind kind, json_t *schema) {
  if (ls->count == ls->cap) {
    ls->cap = ls->cap ? ls->cap * 2 : 32;
    ls->items = realloc(ls->items, ls->cap * sizeof *ls->items);
    ck_assert(ls->items != NULL);
  }
  struct limit *l = &ls->items[ls->count++];
  memset(l, 0, sizeof *l);
  ck_assert_msg(snprintf(l->field, sizeof l->field, "%s", field) < (int)sizeof l->field, "field %s", field);
  l->kind = kind;
  l->schema = schema;
  return l;
}

static void limit_number(struct limits *ls, const char *field, json_t *schema, const char *keyword,
                         enum limit_kind kind) {
  json_t *n = json_object_get(schema, keyword);
  if (!json_is_number(n)) return;
  struct limit *l = limit_add(ls, field, kind, schema);
  l->bound = json_number_value(n);
  l->integer = strcmp(schema_type(schema), "integer") == 0;
}

/* A string whose length is fixed by its format (ids, dates): its maxLength is no limit of its own. */
static bool fixed_format(json_t *schema) {
  const char *format = json_string_value(json_object_get(schema, "format"));
  return format != NULL && (strcmp(format, "uuid") == 0 || strcmp(format, "date") == 0 ||
                            strcmp(format, "date-time") == 0 || strcmp(format, "time") == 0);
}

/* Collects the limits of the properties of `schema` under `prefix`, one level into objects. */
static void limits_collect(json_t *doc, json_t *schema, const char *prefix, int depth, struct limits *ls) {
  const char *name;
  json_t *raw;
  json_object_foreach(json_object_get(schema, "properties"), name, raw) {
    char field[96];
    ck_assert(snprintf(field, sizeof field, "%s%s", prefix, name) < (int)sizeof field);
    json_t *s = property_schema(doc, raw);
    if (s == NULL) continue; /* a real choice of shapes (oneOf): no single limit to test */
    const char *type = schema_type(s);
    json_t *values = json_object_get(s, "enum");
    if (strcmp(type, "string") == 0 && json_is_array(values)) {
      size_t i;
      json_t *v;
      json_array_foreach(values, i, v) {
        struct limit *l = limit_add(ls, field, ENUM_VALUE, s);
        l->value = v;
        l->first = i == 0;
      }
    } else if (strcmp(type, "string") == 0 && !fixed_format(s)) {
      json_t *min = json_object_get(s, "minLength");
      if (json_is_integer(min) && json_integer_value(min) > 0)
        limit_add(ls, field, MIN_LENGTH, s)->bound = (double)json_integer_value(min);
      json_t *max = json_object_get(s, "maxLength");
      if (json_is_integer(max)) limit_add(ls, field, MAX_LENGTH, s)->bound = (double)json_integer_value(max);
    } else if (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0) {
      limit_number(ls, field, s, "minimum", MINIMUM);
      limit_number(ls, field, s, "maximum", MAXIMUM);
      limit_number(ls, field, s, "exclusiveMinimum", EXCLUSIVE_MINIMUM);
      limit_number(ls, field, s, "exclusiveMaximum", EXCLUSIVE_MAXIMUM);
    } else if (strcmp(type, "array") == 0) {
      json_t *item = property_schema(doc, json_object_get(s, "items"));
      json_t *min = json_object_get(s, "minItems");
      if (json_is_integer(min) && json_integer_value(min) > 0) {
        struct limit *l = limit_add(ls, field, MIN_ITEMS, s);
        l->bound = (double)json_integer_value(min);
        l->items = item;
      }
      json_t *max = json_object_get(s, "maxItems");
      if (json_is_integer(max)) {
        struct limit *l = limit_add(ls, field, MAX_ITEMS, s);
        l->bound = (double)json_integer_value(max);
        l->items = item;
      }
      size_t i;
      json_t *v;
      json_array_foreach(json_object_get(item, "enum"), i, v) {
        struct limit *l = limit_add(ls, field, ITEM_ENUM_VALUE, s);
        l->value = v;
        l->items = item;
        l->first = i == 0;
      }
    } else if (strcmp(type, "object") == 0 && depth == 0) {
      char inner[100];
      ck_assert(snprintf(inner, sizeof inner, "%s.", field) < (int)sizeof inner);
      limits_collect(doc, s, inner, depth + 1, ls);
    }
  }
}

/* ---------- what each operation needs from the fixture ---------- */

/* A valid request, made from the fixture. */
struct request {
  char path[320];
  json_t *body; /* owned: the valid body the cases change one field of */
  char *token;  /* owned; NULL: no Authorization */
  char *etag;   /* owned; sent as If-Match when not NULL */
};

static void request_release(struct request *rq) {
  json_decref(rq->body);
  free(rq->token);
  free(rq->etag);
  memset(rq, 0, sizeof *rq);
}

/* Where the answer carries a field, when not at the same path (answer_path NULL: not at all). */
struct readback {
  const char *field, *answer_path;
};

/* A value at the limit the operation refuses for a reason of its own: the case passes when the
 * answer has this status and no errors[] entry for the field (status 0: the case is not sent). */
struct exception {
  const char *label; /* the case, as printed: "<field> <keyword> <bound> at" */
  long status;
  const char *reason;
};

struct operation {
  const char *operation_id;
  void (*setup)(void); /* once per test, before the first request */
  /* fills a valid request; called again after each accepted one (it may have used up the
   * invitation, occurrence, offer or ETag), or before every case when `prepare_each` */
  void (*prepare)(struct request *rq, json_t *schema);
  bool prepare_each;
  /* the i-th distinct valid item of an array field, NULL: none; when set, the only source of items */
  json_t *(*item)(const char *field, size_t i);
  const struct readback *readback;    /* NULL-terminated, may be NULL */
  const struct exception *exceptions; /* NULL-terminated, may be NULL */
};

/* Found and left for the integrator: reported, not failed (see the top of the file). */
struct disagreement {
  const char *operation_id, *label, *what;
};

static const struct disagreement known_disagreements[] = {
    {NULL, NULL, NULL},
};

/* ---------- the test's own state (each test runs in a fork of its own) ---------- */

static struct {
  char *coord;     /* fx.coordinator's token */
  char *resident;  /* fx.resident1's token */
  char *volunteer; /* fx.volunteer1's token */
  char *category;  /* id of the category used: shopping (out of the home, may recur, no monthly cap), or
                    * transport for updateCategory (it has a referral) */
  char *case_id;   /* a case of fx.resident1 led by the coordinator, with volunteer1 and the professional */
  bool have_helper;
  struct person helper;   /* a volunteer made for the desk operations */
  char *request_id;       /* a matched weekly request of fx.resident1 with helper */
  json_t *request;        /* that request as created (new reference) */
  size_t next_occurrence; /* the next of its occurrences not yet completed */
  json_t *skills;         /* ids of every category of fx.anna (array, new reference) */
  int counter;            /* things made so far: each help request its own time, each category its code */
} S;

static void state_release(void) {
  free(S.coord);
  free(S.resident);
  free(S.volunteer);
  free(S.category);
  free(S.case_id);
  if (S.have_helper) person_free(&S.helper);
  free(S.request_id);
  json_decref(S.request);
  json_decref(S.skills);
  memset(&S, 0, sizeof S);
}

static void fill_path(struct request *rq, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(rq->path, sizeof rq->path, fmt, ap);
  va_end(ap);
  ck_assert_msg(n > 0 && n < (int)sizeof rq->path, "path too long");
}

static char *copy_text(const char *s) {
  ck_assert_msg(s != NULL, "missing text");
  char *c = strdup(s);
  ck_assert(c != NULL);
  return c;
}

/* GETs path as tok: the answer (new reference) and its ETag (owned) in *etag. */
static json_t *resource_get(const char *path, const char *tok, char **etag) {
  struct http_response r;
  http_get(&r, path, tok);
  assert_status(&r, 200);
  const char *e = http_header(&r, "etag");
  ck_assert_msg(e != NULL, "GET %s without ETag", path);
  *etag = copy_text(e);
  json_t *doc = json_incref(r.json);
  http_response_free(&r);
  return doc;
}

/* A request body with the members of `resource` that the request schema names (new reference). */
static json_t *body_from(json_t *resource, json_t *schema) {
  json_t *body = json_object();
  const char *name;
  json_t *ignored;
  json_object_foreach(json_object_get(schema, "properties"), name, ignored) {
    json_t *v = json_object_get(resource, name);
    if (v != NULL) json_object_set_new(body, name, json_deep_copy(v));
  }
  return body;
}

static void setup_coordinator(void) { S.coord = fixture_login(&fx.coordinator); }

static void setup_case(void) {
  setup_coordinator();
  S.resident = fixture_login(&fx.resident1);
  S.volunteer = fixture_login(&fx.volunteer1);
  S.case_id = case_with_participants(S.coord, "Grenzen van het contract");
}

/* A volunteer of our own near Sint Annaland who does shopping on weekdays. */
static void setup_helper(void) {
  setup_coordinator();
  S.resident = fixture_login(&fx.resident1);
  S.category = category_id(S.coord, "shopping");
  struct vol_spec spec = vol_default(S.category, SITE_HOME, 1.0, false);
  volunteer_create(&S.helper, S.coord, &spec);
  S.have_helper = true;
}

/* setup_helper and a weekly request of eight Mondays, matched with the helper. */
static void setup_recurring(void) {
  setup_helper();
  struct window w;
  desk_window(&w, 1, 0, 10, 12);
  char until[11];
  date_add(until, w.date, 7 * 7);
  json_t *b = request_body(S.category, &w, SITE_HOME, false);
  json_object_set_new(b, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", until));
  S.request_id = request_create(S.resident, b, &S.request);
  size_t n = json_array_size(json_object_get(S.request, "occurrences"));
  ck_assert_msg(n >= 8, "%zu occurrences", n);
  match_via_offer(S.coord, S.request_id, &S.helper);
}

/* The next occurrence of the recurring request not yet completed (borrowed id). */
/* The next occurrence, begun (a volunteer completes help once it was given). */
static const char *next_occurrence(void) {
  const char *id = occurrence_id(S.request, S.next_occurrence++);
  occurrence_begin(id);
  return id;
}

/* ---------- requests, per operation ---------- */

static void prepare_register(struct request *rq, json_t *schema) {
  (void)schema;
  fill_path(rq, "/v1/auth/register");
  char *code = create_invitation(S.coord, fx.anna.id, "resident", NULL);
  char *email = unique_email("boundary");
  rq->body = json_pack("{s:s, s:s, s:s, s:s}", "invitation_code", code, "email", email, "password", TEST_PASSWORD,
                       "display_name", "Grens Persoon");
  free(code);
  free(email);
}

static void prepare_login(struct request *rq, json_t *schema) {
  (void)schema;
  fill_path(rq, "/v1/auth/login");
  char *email = unique_email("nobody");
  rq->body = json_pack("{s:s, s:s}", "email", email, "password", FIXTURE_PASSWORD);
  free(email);
}

static void prepare_update_member(struct request *rq, json_t *schema) {
  (void)schema;
  fill_path(rq, "%s/members/%s", fx.anna.path, fx.resident1.id);
  json_decref(resource_get(rq->path, S.coord, &rq->etag));
  rq->body = json_pack("{s:[s]}", "roles", "resident");
  rq->token = copy_text(S.coord);
}

static void prepare_invitation(struct request *rq, json_t *schema) {
  (void)schema;
  fill_path(rq, "%s/invitations", fx.anna.path);
  rq->body = json_pack("{s:s}", "role", "resident");
  rq->token = copy_text(S.coord);
}

/* Transport: a category with a referral, so its fields are there to change. */
static void prepare_update_category(struct request *rq, json_t *schema) {
  if (S.category == NULL) S.category = category_id(S.coord, "transport");
  fill_path(rq, "%s/categories/%s", fx.anna.path, S.category);
  json_t *current = resource_get(rq->path, S.coord, &rq->etag);
  rq->body = body_from(current, schema);
  json_decref(current);
  rq->token = copy_text(S.coord);
}

/* Volunteer profiles may have up to the contract's maxItems skills: enough categories for it. */
static void setup_profile(void) {
  setup_coordinator();
  S.volunteer = fixture_login(&fx.volunteer1);
  char path[160];
  community_path(path, sizeof path, &fx.anna, "/categories");
  for (int i = 0; i < 20; i++) {
    char code[32];
    snprintf(code, sizeof code, "grens_%02d", i);
    struct http_response r;
    http_call(&r, "POST", path, S.coord,
              json_pack("{s:s, s:{s:s, s:s}, s:b, s:b, s:n, s:n, s:n}", "code", code, "labels", "nl", code, "en", code,
                        "in_home", 0, "may_recur", 0, "max_per_month", "max_duration_minutes", "referral"));
    assert_status(&r, 201);
    http_response_free(&r);
  }
  json_t *all = categories_all(S.coord, fx.anna.path);
  S.skills = json_array();
  size_t i;
  json_t *c;
  json_array_foreach(all, i, c) json_array_append_new(S.skills, json_string(jstr(c, "id")));
  json_decref(all);
}

static void prepare_profile(struct request *rq, json_t *schema) {
  fill_path(rq, "%s/volunteers/%s", fx.anna.path, fx.volunteer1.id);
  json_t *current = resource_get(rq->path, S.volunteer, &rq->etag);
  rq->body = body_from(current, schema);
  json_decref(current);
  rq->token = copy_text(S.volunteer);
}

static json_t *profile_item(const char *field, size_t i) {
  static const char *const languages[] = {"nl", "en", "de", "fr", "tr", "ar", "pl", "es", "it", "pt", "uk", "fy"};
  if (strcmp(field, "skills") == 0) return json_incref(json_array_get(S.skills, i));
  if (strcmp(field, "languages") == 0)
    return i < sizeof languages / sizeof languages[0] ? json_string(languages[i]) : NULL;
  if (strcmp(field, "availability") == 0 && i < 7 * 8) { /* eight slots of two hours a day */
    char start[32], end[32];
    snprintf(start, sizeof start, "%02zu:00", (i / 7) * 3);
    snprintf(end, sizeof end, "%02zu:00", (i / 7) * 3 + 2);
    return json_pack("{s:i, s:s, s:s}", "weekday", (int)(i % 7) + 1, "start", start, "end", end);
  }
  if (strcmp(field, "unavailable") == 0 && i < 12 * 14) { /* single days in 2031, never adjacent (they would merge) */
    char day[32];
    snprintf(day, sizeof day, "2031-%02zu-%02zu", i / 14 + 1, (i % 14) * 2 + 1);
    return json_pack("{s:s, s:s}", "from", day, "to", day);
  }
  return NULL;
}

static void setup_help_request(void) {
  setup_coordinator();
  S.resident = fixture_login(&fx.resident1);
  S.category = category_id(S.coord, "shopping");
}

/* A one-off request of two hours on its own weekday morning, a week or more ahead. */
static json_t *next_request_body(void) {
  struct window w;
  int n = S.counter++;
  desk_window(&w, n % 5 + 1, n / 5 + 1, 10, 12);
  return request_body(S.category, &w, SITE_HOME, false);
}

/* Weekly for three weeks, so the recurrence's fields are there to change. */
static void prepare_help_request(struct request *rq, json_t *schema) {
  (void)schema;
  community_path(rq->path, sizeof rq->path, &fx.anna, "/help-requests");
  rq->body = next_request_body();
  char until[11];
  date_add(until, json_string_value(jpath(rq->body, "when.starts_at")), 14);
  json_object_set_new(rq->body, "recurrence", json_pack("{s:s, s:s}", "frequency", "weekly", "until", until));
  rq->token = copy_text(S.resident);
}

static void prepare_complete(struct request *rq, json_t *schema) {
  (void)schema;
  fill_path(rq, "%s/help-requests/%s/occurrences/%s/complete", fx.anna.path, S.request_id, next_occurrence());
  rq->body = json_pack("{s:f}", "hours", 2.0);
  rq->token = copy_text(S.helper.tokens.access);
}

static void prepare_feedback(struct request *rq, json_t *schema) {
  (void)schema;
  const char *occ = next_occurrence();
  struct http_response r;
  occurrence_complete(&r, S.helper.tokens.access, S.request_id, occ, 2.0);
  assert_status(&r, 200);
  http_response_free(&r);
  fill_path(rq, "%s/help-requests/%s/occurrences/%s/feedback", fx.anna.path, S.request_id, occ);
  rq->body = json_pack("{s:b}", "positive", 1);
  rq->token = copy_text(S.resident);
}

/* A new request offered to the helper: the helper declines the offer. */
static void prepare_decline(struct request *rq, json_t *schema) {
  (void)schema;
  char *id = request_create(S.resident, next_request_body(), NULL);
  request_action_ok(S.coord, id, "triage", NULL, "triaged");
  const char *ids[] = {S.helper.id, NULL};
  offer_to(S.coord, id, ids);
  char *offer = offer_id(S.coord, id, S.helper.id);
  fill_path(rq, "%s/offers/%s/decline", fx.anna.path, offer);
  free(offer);
  free(id);
  rq->body = json_object();
  rq->token = copy_text(S.helper.tokens.access);
}

static void prepare_create_case(struct request *rq, json_t *schema) {
  (void)schema;
  community_path(rq->path, sizeof rq->path, &fx.anna, "/cases");
  rq->body = json_pack("{s:s, s:s}", "subject_id", fx.resident1.id, "title", "Grenzen");
  rq->token = copy_text(S.coord);
}

static void prepare_update_case(struct request *rq, json_t *schema) {
  (void)schema;
  case_path(rq->path, sizeof rq->path, S.case_id, NULL);
  json_decref(resource_get(rq->path, S.coord, &rq->etag));
  rq->body = json_pack("{s:s}", "title", "Grenzen");
  rq->token = copy_text(S.coord);
}

/* A new case each time: a closed case stays closed. */
static void prepare_close_case(struct request *rq, json_t *schema) {
  (void)schema;
  char *id = case_open(S.coord, fx.resident1.id, "Grenzen", NULL);
  case_path(rq->path, sizeof rq->path, id, "/close");
  free(id);
  rq->body = json_pack("{s:s}", "outcome", "Afgerond");
  rq->token = copy_text(S.coord);
}

static void prepare_create_action(struct request *rq, json_t *schema) {
  (void)schema;
  case_path(rq->path, sizeof rq->path, S.case_id, "/actions");
  rq->body = json_pack("{s:s}", "title", "Bellen");
  rq->token = copy_text(S.coord);
}

/* A new open action each time, so every status starts from open. */
static void prepare_update_action(struct request *rq, json_t *schema) {
  (void)schema;
  char *id = action_create(S.coord, S.case_id, "Bellen", NULL, NULL, &rq->etag);
  action_path(rq->path, sizeof rq->path, S.case_id, id, false);
  free(id);
  rq->body = json_pack("{s:s}", "title", "Bellen");
  rq->token = copy_text(S.coord);
}

static void prepare_note(struct request *rq, json_t *schema) {
  (void)schema;
  case_path(rq->path, sizeof rq->path, S.case_id, "/notes");
  rq->body = json_pack("{s:s, s:s}", "text", "Notitie", "visibility", "all");
  rq->token = copy_text(S.coord);
}

static void prepare_signal(struct request *rq, json_t *schema) {
  (void)schema;
  case_path(rq->path, sizeof rq->path, S.case_id, "/signals");
  rq->body = json_pack("{s:s}", "text", "Signaal");
  rq->token = copy_text(S.volunteer);
}

/* The subject records consent for an organisation. */
static void prepare_consent(struct request *rq, json_t *schema) {
  (void)schema;
  case_path(rq->path, sizeof rq->path, S.case_id, "/consents");
  rq->body = json_pack("{s:s, s:s, s:b}", "grantee_organisation", "wijkteam", "data_kind", "basic", "granted", 1);
  rq->token = copy_text(S.resident);
}

/* A new case each time: a person is on a case once. The coordinator names a representative with
 * a reason, so every member of the body is in play (the volunteer fits informal_carer). */
static void prepare_participant(struct request *rq, json_t *schema) {
  (void)schema;
  char *id = case_open(S.coord, fx.resident1.id, "Grenzen", NULL);
  case_path(rq->path, sizeof rq->path, id, "/participants");
  free(id);
  rq->body = json_pack("{s:s, s:s, s:b, s:s}", "person_id", fx.volunteer2.id, "role", "informal_carer",
                       "representative", 1, "reason", "buurman regelt de post");
  rq->token = copy_text(S.coord);
}

static void prepare_case_invitation(struct request *rq, json_t *schema) {
  (void)schema;
  case_path(rq->path, sizeof rq->path, S.case_id, "/invitations");
  rq->body = json_pack("{s:s}", "organisation", "wijkteam");
  rq->token = copy_text(S.coord);
}

/* A new code each time: codes are unique in a community. */
static void prepare_create_category(struct request *rq, json_t *schema) {
  (void)schema;
  community_path(rq->path, sizeof rq->path, &fx.anna, "/categories");
  char code[32];
  snprintf(code, sizeof code, "grens_%d", S.counter++);
  rq->body = json_pack("{s:s, s:{s:s, s:s}, s:b, s:b, s:i, s:i, s:{s:s, s:s}}", "code", code, "labels", "nl", "Grens",
                       "en", "Boundary", "in_home", 0, "may_recur", 1, "max_per_month", 4, "max_duration_minutes", 60,
                       "referral", "name", "Elders", "contact", "");
  rq->token = copy_text(S.coord);
}

static void prepare_refresh(struct request *rq, json_t *schema) {
  (void)schema;
  fill_path(rq, "/v1/auth/refresh");
  rq->body = json_pack("{s:s}", "refresh_token", "not-a-refresh-token");
}

/* A new case each time: the lead moves with every handover. */
static void prepare_lead(struct request *rq, json_t *schema) {
  (void)schema;
  char *id = case_with_participants(S.coord, "Grenzen");
  case_path(rq->path, sizeof rq->path, id, "/lead");
  free(id);
  rq->body = json_pack("{s:s, s:s}", "person_id", fx.professional.id, "note", "Overdracht");
  rq->token = copy_text(S.coord);
}

static const struct readback register_readback[] = {{"email", "me.email"},
                                                    {"display_name", "me.display_name"},
                                                    {"password", NULL},
                                                    {"invitation_code", NULL},
                                                    {"phone", NULL}, /* stored in E.164, not as sent */
                                                    {"language", "me.language"},
                                                    {NULL}};
static const struct exception register_exceptions[] = {
    {"invitation_code minLength 1 at", 0, "codes are made by the server: no real code has one character"},
    {"invitation_code maxLength 64 at", 0, "codes are made by the server: no real code has 64 characters"},
    {"phone minLength 1 at", 0, "a phone number has at least 8 digits: no one-character string is one"},
    {"phone maxLength 40 at", 0,
     "the length allows for separators as typed: no value made up of the limit is a number"},
    {NULL}};

static const struct exception login_exceptions[] = {
    {"email maxLength 254 at", 401, "nobody has that address"},
    {"password minLength 1 at", 401, "nobody has that address"},
    {"password maxLength 256 at", 401, "nobody has that address"},
    {"password maxLength 256 at (multi-byte)", 401, "nobody has that address"},
    {"device_token minLength 1 at", 401, "nobody has that address"},
    {"device_token maxLength 512 at", 401, "nobody has that address"},
    {"device_name minLength 1 at", 401, "nobody has that address"},
    {"device_name maxLength 100 at", 401, "nobody has that address"},
    {"device_name maxLength 100 at (multi-byte)", 401, "nobody has that address"},
    {NULL}};

static const struct exception member_exceptions[] = {
    {"roles items.enum \"admin\" at", 403, "only an admin gives the admin role, and the fixture has no admin"},
    {"roles maxItems 5 at", 403, "five distinct roles include admin, which only an admin gives"},
    {NULL}};

static const struct readback invitation_readback[] = {{"expires_in_hours", NULL}, {NULL}};
static const struct exception invitation_exceptions[] = {
    {"role enum \"admin\" at", 403, "only an admin invites an admin, and the fixture has no admin"}, {NULL}};

/* A channel says how the person reached the desk acting for her: only with on_behalf_of, which
 * names someone (the contract's dependentRequired), so a body with a channel alone is refused. */
#define CHANNEL_ALONE(status)                                                                                          \
  {"channel enum \"phone\" at", status, "a channel comes only with on_behalf_of (the desk acting for someone)"},       \
      {"channel enum \"in_person\" at", status, "a channel comes only with on_behalf_of"}, {                           \
    "channel enum \"paper\" at", status, "a channel comes only with on_behalf_of"                                      \
  }
static const struct exception on_behalf_exceptions[] = {CHANNEL_ALONE(400), {NULL}};
/* A track counts a referral recorded at intake: only with record_referral (dependentRequired). */
static const struct exception help_request_exceptions[] = {
    {"track enum \"professional\" at", 400, "a track comes only with record_referral"},
    {"track enum \"business\" at", 400, "a track comes only with record_referral"},
    {NULL}};
static const struct exception consent_exceptions[] = {
    CHANNEL_ALONE(400),
    {"note minLength 1 at", 400, "a note comes only with consent the desk records on someone's behalf"},
    {"note maxLength 1000 at", 400, "a note comes only with consent the desk records on someone's behalf"},
    {"note maxLength 1000 at (multi-byte)", 400, "a note comes only with consent the desk records on someone's behalf"},
    {NULL}};

static const struct readback feedback_readback[] = {
    {"text", "feedback.text"}, {"positive", "feedback.positive"}, {NULL}};
static const struct readback case_readback[] = {{"organisation", NULL}, {NULL}};
/* The reason is told on the timeline, not in the participant. */
static const struct readback participant_readback[] = {{"reason", NULL}, {NULL}};
static const struct exception participant_exceptions[] = {
    {"role enum \"volunteer\" at", 400, "only an informal carer represents the subject (error on representative)"},
    {"role enum \"coordinator\" at", 400, "only an informal carer represents the subject (error on representative)"},
    {"role enum \"professional\" at", 400, "only an informal carer represents the subject (error on representative)"},
    {NULL}};
static const struct readback lead_readback[] = {{"note", NULL}, {NULL}};
static const struct readback case_invitation_readback[] = {{"organisation", NULL}, {"expires_in_hours", NULL}, {NULL}};
static const struct exception refresh_exceptions[] = {{"refresh_token minLength 1 at", 401, "no such refresh token"},
                                                      {"refresh_token maxLength 512 at", 401, "no such refresh token"},
                                                      {NULL}};

/* Most used first (issue 9). */
static const struct operation operations[] = {
    {"register", setup_coordinator, prepare_register, false, NULL, register_readback, register_exceptions},
    {"updateMember", setup_coordinator, prepare_update_member, false, NULL, NULL, member_exceptions},
    {"createInvitation", setup_coordinator, prepare_invitation, false, NULL, invitation_readback,
     invitation_exceptions},
    {"updateCategory", setup_coordinator, prepare_update_category, false, NULL, NULL, NULL},
    {"putVolunteerProfile", setup_profile, prepare_profile, false, profile_item, NULL, on_behalf_exceptions},
    {"createHelpRequest", setup_help_request, prepare_help_request, false, NULL, NULL, help_request_exceptions},
    {"completeOccurrence", setup_recurring, prepare_complete, false, NULL, NULL, on_behalf_exceptions},
    {"giveOccurrenceFeedback", setup_recurring, prepare_feedback, false, NULL, feedback_readback, on_behalf_exceptions},
    {"declineOffer", setup_helper, prepare_decline, false, NULL, NULL, NULL},
    {"createCase", setup_coordinator, prepare_create_case, false, NULL, case_readback, NULL},
    {"updateCase", setup_case, prepare_update_case, false, NULL, NULL, NULL},
    {"closeCase", setup_coordinator, prepare_close_case, false, NULL, NULL, NULL},
    {"createCaseAction", setup_case, prepare_create_action, false, NULL, NULL, NULL},
    {"updateCaseAction", setup_case, prepare_update_action, false, NULL, NULL, NULL},
    {"createCaseNote", setup_case, prepare_note, false, NULL, NULL, NULL},
    {"createCaseSignal", setup_case, prepare_signal, false, NULL, NULL, NULL},
    {"recordCaseConsent", setup_case, prepare_consent, false, NULL, NULL, consent_exceptions},
    {"handOverCaseLead", setup_coordinator, prepare_lead, false, NULL, lead_readback, NULL},
    {"addCaseParticipant", setup_coordinator, prepare_participant, false, NULL, participant_readback,
     participant_exceptions},
    {"createCaseInvitation", setup_case, prepare_case_invitation, false, NULL, case_invitation_readback, NULL},
    {"createCategory", setup_coordinator, prepare_create_category, false, NULL, NULL, NULL},
    {"login", NULL, prepare_login, true, NULL, NULL, login_exceptions},
    {"refreshTokens", NULL, prepare_refresh, false, NULL, NULL, refresh_exceptions},
};

/* ---------- values at and past a limit ---------- */

/* n characters: lower-case letters (every pattern of the contract's texts takes them), or a mix
 * of one- to four-byte UTF-8 characters when multibyte. */
static json_t *text_of(size_t n, bool multibyte) {
  static const char *const mix[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e", "a"}; /* é € 𝄞 a */
  char *s = malloc(n * 4 + 1);
  ck_assert(s != NULL);
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    char letter[2] = {(char)('a' + i % 26), '\0'};
    const char *c = multibyte ? mix[i % 4] : letter;
    memcpy(s + len, c, strlen(c));
    len += strlen(c);
  }
  s[len] = '\0';
  json_t *v = json_string(s);
  free(s);
  ck_assert(v != NULL);
  return v;
}

/* A new e-mail address of exactly n characters (at most 64 before the @, labels of at most 63
 * characters), or NULL when n is too short for a unique one. */
static json_t *email_of(size_t n) {
  char *unique = unique_email("grens");
  char *at = strchr(unique, '@');
  ck_assert(at != NULL);
  size_t local = (size_t)(at - unique);
  const char *tld = ".example";
  if (n < local + 1 + 1 + strlen(tld)) {
    free(unique);
    return NULL;
  }
  size_t padded = n - 1 - 1 - strlen(tld) < 64 ? n - 1 - 1 - strlen(tld) : 64;
  char *s = malloc(n + 1);
  ck_assert(s != NULL);
  memcpy(s, unique, local);
  memset(s + local, 'x', padded - local);
  s[padded] = '@';
  size_t labels = n - padded - 1 - strlen(tld); /* 1 or more: padded leaves room for a label and the tld */
  /* cppcheck-suppress knownConditionTrueFalse ; cppcheck miscounts labels here */
  for (size_t i = 0; i < labels; i++) s[padded + 1 + i] = i % 64 == 63 ? '.' : 'd';
  ck_assert_msg(s[padded + labels] != '.', "e-mail address of %zu characters ends a label with a dot", n);
  memcpy(s + padded + 1 + labels, tld, strlen(tld) + 1);
  free(unique);
  json_t *v = json_string(s);
  free(s);
  return v;
}

static bool is_email(json_t *schema) {
  const char *format = json_string_value(json_object_get(schema, "format"));
  return format != NULL && strcmp(format, "email") == 0;
}

/* Whether the field's pattern lets in any non-control character (no pattern, or a negated class). */
static bool allows_multibyte(json_t *schema) {
  const char *pattern = json_string_value(json_object_get(schema, "pattern"));
  return !is_email(schema) && (pattern == NULL || strncmp(pattern, "^[^", 3) == 0);
}

static json_t *string_of(json_t *schema, size_t n, bool multibyte) {
  return is_email(schema) ? email_of(n) : text_of(n, multibyte);
}

static json_t *number_of(const struct limit *l, double v) {
  return l->integer ? json_integer((json_int_t)llround(v)) : json_real(v);
}

/* An array of n items for the field: the operation's items, else the valid body's own items,
 * else the values of the item enum. When distinct items run out, `distinct` decides: NULL
 * (with the reason in why), or the items repeat (one step past maxItems is refused either way). */
static json_t *items_of(const struct operation *op, const struct limit *l, json_t *base, size_t n, bool distinct,
                        char *why, size_t why_len) {
  json_t *out = json_array();
  json_t *values = json_object_get(l->items, "enum");
  for (size_t i = 0; i < n; i++) {
    json_t *item = op->item ? op->item(l->field, i) : NULL;
    if (item == NULL && op->item == NULL) {
      json_t *own = json_array_get(base, i);
      if (own != NULL) {
        item = json_incref(own);
      } else {
        /* the next enum value the array does not have yet */
        size_t k;
        json_t *v;
        json_array_foreach(values, k, v) {
          bool taken = false;
          size_t j;
          json_t *have;
          json_array_foreach(out, j, have) taken |= json_equal(have, v);
          if (!taken) {
            item = json_incref(v);
            break;
          }
        }
      }
    }
    if (item == NULL && !distinct && json_array_size(out) > 0) item = json_incref(json_array_get(out, 0));
    if (item == NULL) {
      snprintf(why, why_len, "the fixture gives only %zu distinct valid items", i);
      json_decref(out);
      return NULL;
    }
    json_array_append_new(out, item);
  }
  return out;
}

/* ---------- cases ---------- */

struct outcome {
  char *failures; /* owned text, one line per failure; NULL: none */
  size_t failed, passed, skipped, disagreements;
  bool seen[sizeof known_disagreements / sizeof known_disagreements[0]];
};

/* Lines about cases that went as expected, only with CK_VERBOSITY=verbose. */
static void say(const char *fmt, ...) {
  const char *v = getenv("CK_VERBOSITY");
  if (v == NULL || strcmp(v, "verbose") != 0) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

static void note_failure(struct outcome *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char line[1024];
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "boundaries: FAILED %s\n", line);
  size_t had = o->failures ? strlen(o->failures) : 0;
  o->failures = realloc(o->failures, had + strlen(line) + 2);
  ck_assert(o->failures != NULL);
  snprintf(o->failures + had, strlen(line) + 2, "%s\n", line);
  o->failed++;
}

/* Sets the dotted field of body (a deep copy of the valid body) to value (stolen). */
static json_t *body_with(json_t *base, const char *field, json_t *value) {
  json_t *body = json_deep_copy(base);
  const char *dot = strchr(field, '.');
  if (dot == NULL) {
    json_object_set_new(body, field, value);
    return body;
  }
  char outer[96];
  snprintf(outer, sizeof outer, "%.*s", (int)(dot - field), field);
  json_t *inner = json_object_get(body, outer);
  if (!json_is_object(inner)) {
    inner = json_object();
    json_object_set_new(body, outer, inner);
  }
  json_object_set_new(inner, dot + 1, value);
  return body;
}

/* The errors[] entry naming the field: its path, its top-level property, or an item or member
 * of either ("roles[6]", "place.address"). A nested member is named by its whole path, never by
 * its last name alone ("home.lat", not "lat"). */
static const char *error_on(const struct http_response *r, const char *field) {
  size_t top = strcspn(field, ".");
  size_t i;
  json_t *e;
  json_array_foreach(jpath(r->json, "errors"), i, e) {
    const char *f = jstr(e, "field");
    if (f == NULL) continue;
    size_t len = strlen(field);
    if (strncmp(f, field, len) == 0 && (f[len] == '\0' || f[len] == '.' || f[len] == '['))
      return jstr(e, "code") ? jstr(e, "code") : "";
    if (strncmp(f, field, top) == 0 && (f[top] == '\0' || f[top] == '.' || f[top] == '['))
      return jstr(e, "code") ? jstr(e, "code") : "";
  }
  return NULL;
}

static const char *answer_path(const struct operation *op, const char *field, bool *listed) {
  *listed = false;
  for (const struct readback *rb = op->readback; rb != NULL && rb->field != NULL; rb++)
    if (strcmp(rb->field, field) == 0) {
      *listed = true;
      return rb->answer_path;
    }
  return field;
}

/* What the answer of an accepted request says about the value sent: NULL when it agrees. */
static const char *readback_problem(const struct operation *op, const char *field, json_t *sent,
                                    const struct http_response *r, char *buf, size_t len) {
  bool listed;
  const char *path = answer_path(op, field, &listed);
  if (path == NULL) return NULL;
  json_t *got = jpath(r->json, path);
  if (got == NULL) {
    snprintf(buf, len, "the answer has no %s (list it in the operation's readback)", path);
    return buf;
  }
  if (json_is_number(sent) && json_is_number(got)) {
    if (fabs(json_number_value(sent) - json_number_value(got)) > 1e-9) {
      snprintf(buf, len, "sent %.17g, %s came back as %.17g", json_number_value(sent), path, json_number_value(got));
      return buf;
    }
    return NULL;
  }
  if (json_is_array(sent) && json_is_array(got)) {
    if (json_array_size(sent) != json_array_size(got)) {
      snprintf(buf, len, "sent %zu items, %s came back with %zu", json_array_size(sent), path, json_array_size(got));
      return buf;
    }
    return NULL;
  }
  if (!json_equal(sent, got)) {
    const char *g = json_string_value(got);
    snprintf(buf, len, "%s came back different (%zu bytes sent, %s)", path,
             json_string_value(sent) ? strlen(json_string_value(sent)) : 0, g ? "a string" : "not a string");
    return buf;
  }
  return NULL;
}

static const struct exception *exception_for(const struct operation *op, const char *label) {
  for (const struct exception *e = op->exceptions; e != NULL && e->label != NULL; e++)
    if (strcmp(e->label, label) == 0) return e;
  return NULL;
}

static long known_index(const struct operation *op, const char *label) {
  for (size_t i = 0; known_disagreements[i].operation_id != NULL; i++)
    if (strcmp(known_disagreements[i].operation_id, op->operation_id) == 0 &&
        strcmp(known_disagreements[i].label, label) == 0)
      return (long)i;
  return -1;
}

struct run {
  const struct operation *op;
  json_t *schema; /* the request body's schema (borrowed) */
  const char *method, *template;
  struct request rq;
  bool stale; /* the valid request must be made again */
  struct outcome out;
};

/* Sends the valid request with field set to value (stolen) and checks the answer: accepted when
 * at, refused naming the field when past. */
static void run_case(struct run *run, const struct limit *l, const char *label, json_t *value, bool at) {
  const struct operation *op = run->op;
  const struct exception *ex = at ? exception_for(op, label) : NULL;
  if (ex != NULL && ex->status == 0) {
    say("boundaries: %s: %s: not sent: %s\n", op->operation_id, label, ex->reason);
    run->out.skipped++;
    json_decref(value);
    return;
  }
  if (run->stale || op->prepare_each) {
    request_release(&run->rq);
    op->prepare(&run->rq, run->schema);
    ck_assert_msg(path_fits(run->rq.path, run->template), "%s: %s does not fit the contract's %s", op->operation_id,
                  run->rq.path, run->template);
    run->stale = false;
  }
  /* a member of an object the valid body leaves null would make the whole object invalid */
  const char *dot = strchr(l->field, '.');
  char outer[96];
  snprintf(outer, sizeof outer, "%.*s", dot ? (int)(dot - l->field) : 0, l->field);
  if (dot != NULL && !json_is_object(json_object_get(run->rq.body, outer))) {
    say("boundaries: %s: %s: not sent: the valid body has no %s object\n", op->operation_id, label, outer);
    run->out.skipped++;
    json_decref(value);
    return;
  }
  json_t *sent = json_incref(value);
  json_t *body = body_with(run->rq.body, l->field, value);
  char if_match[300];
  snprintf(if_match, sizeof if_match, "If-Match: %s", run->rq.etag ? run->rq.etag : "");
  const char *headers[] = {if_match, NULL};
  struct http_response r;
  http_call_h(&r, run->method, run->rq.path, run->rq.token, body, run->rq.etag ? headers : NULL);
  bool accepted = r.status >= 200 && r.status < 300;
  if (accepted) run->stale = true;

  char problem[600] = "", buf[400];
  const char *code = error_on(&r, l->field);
  if (at && accepted) {
    const char *p = readback_problem(op, l->field, sent, &r, buf, sizeof buf);
    if (p != NULL) snprintf(problem, sizeof problem, "accepted, but %s", p);
  } else if (at && ex != NULL && r.status == ex->status && code == NULL) {
    say("boundaries: %s: %s: %ld, no error on %s: %s\n", op->operation_id, label, r.status, l->field, ex->reason);
  } else if (at) {
    snprintf(problem, sizeof problem, "refused with %ld (error on the field: %s): %.300s", r.status,
             code ? code : "none", r.body ? r.body : "");
  } else if ((r.status != 400 && r.status != 422) || code == NULL) {
    snprintf(problem, sizeof problem, "%s with %ld, expected 400 or 422 with an error on %s: %.300s",
             accepted ? "ACCEPTED" : "answered", r.status, l->field, r.body ? r.body : "");
  }
  http_response_free(&r);
  json_decref(sent);

  long known = known_index(op, label);
  if (problem[0] == '\0') {
    say("boundaries: %s: %s: as the contract says\n", op->operation_id, label);
    run->out.passed++;
  } else if (known >= 0) {
    run->out.seen[known] = true;
    run->out.disagreements++;
    fprintf(stderr, "boundaries: %s: %s: DISAGREEMENT (known): %s; %s\n", op->operation_id, label,
            known_disagreements[known].what, problem);
  } else {
    note_failure(&run->out, "%s: %s: %s", op->operation_id, label, problem);
  }
}

/* The cases of one limit: at it (also in multi-byte characters for a maxLength that allows
 * them) and one step past it. */
static void run_limit(struct run *run, const struct limit *l) {
  char label[200], why[120];
  const char *kw = keyword_names[l->kind];
  /* a copy: a case may make the valid request again */
  json_t *base = json_deep_copy(jpath(run->rq.body, l->field));
  size_t n = (size_t)l->bound;
  switch (l->kind) {
    case MIN_LENGTH:
    case MAX_LENGTH: {
      bool max = l->kind == MAX_LENGTH;
      snprintf(label, sizeof label, "%s %s %zu at", l->field, kw, n);
      json_t *v = string_of(l->schema, n, false);
      if (v == NULL) {
        say("boundaries: %s: %s: not sent: no value of that length\n", run->op->operation_id, label);
        run->out.skipped++;
      } else {
        run_case(run, l, label, v, true);
      }
      if (max && allows_multibyte(l->schema)) {
        snprintf(label, sizeof label, "%s %s %zu at (multi-byte)", l->field, kw, n);
        run_case(run, l, label, text_of(n, true), true);
      }
      snprintf(label, sizeof label, "%s %s %zu past", l->field, kw, n);
      v = max ? string_of(l->schema, n + 1, false) : text_of(n - 1, false);
      if (v != NULL) {
        run_case(run, l, label, v, false);
      } else {
        say("boundaries: %s: %s: not sent: no value of that length\n", run->op->operation_id, label);
        run->out.skipped++;
      }
      break;
    }
    case MINIMUM:
    case MAXIMUM:
    case EXCLUSIVE_MINIMUM:
    case EXCLUSIVE_MAXIMUM: {
      double step = l->integer ? 1.0 : NUMBER_STEP;
      bool upper = l->kind == MAXIMUM || l->kind == EXCLUSIVE_MAXIMUM;
      bool exclusive = l->kind == EXCLUSIVE_MINIMUM || l->kind == EXCLUSIVE_MAXIMUM;
      double inside = exclusive ? (upper ? l->bound - step : l->bound + step) : l->bound;
      double outside = exclusive ? l->bound : (upper ? l->bound + step : l->bound - step);
      snprintf(label, sizeof label, "%s %s %g at", l->field, kw, l->bound);
      run_case(run, l, label, number_of(l, inside), true);
      snprintf(label, sizeof label, "%s %s %g past", l->field, kw, l->bound);
      run_case(run, l, label, number_of(l, outside), false);
      break;
    }
    case MIN_ITEMS:
    case MAX_ITEMS: {
      bool max = l->kind == MAX_ITEMS;
      snprintf(label, sizeof label, "%s %s %zu at", l->field, kw, n);
      json_t *v = items_of(run->op, l, base, n, true, why, sizeof why);
      if (v == NULL) {
        say("boundaries: %s: %s: not sent: %s\n", run->op->operation_id, label, why);
        run->out.skipped++;
      } else {
        run_case(run, l, label, v, true);
      }
      snprintf(label, sizeof label, "%s %s %zu past", l->field, kw, n);
      v = items_of(run->op, l, base, max ? n + 1 : n - 1, false, why, sizeof why);
      if (v != NULL) {
        run_case(run, l, label, v, false);
      } else {
        say("boundaries: %s: %s: not sent: %s\n", run->op->operation_id, label, why);
        run->out.skipped++;
      }
      break;
    }
    case ENUM_VALUE:
    case ITEM_ENUM_VALUE: {
      bool item = l->kind == ITEM_ENUM_VALUE;
      snprintf(label, sizeof label, "%s %s \"%s\" at", l->field, kw, json_string_value(l->value));
      run_case(run, l, label, item ? json_pack("[O]", l->value) : json_incref(l->value), true);
      if (l->first) {
        snprintf(label, sizeof label, "%s %s outside past", l->field, kw);
        json_t *outside = json_string("not_in_the_contract");
        run_case(run, l, label, item ? json_pack("[o]", outside) : outside, false);
      }
      break;
    }
  }
  json_decref(base);
}

START_TEST(operation_limits) {
  const struct operation *op = &operations[_i];
  memset(&S, 0, sizeof S);
  json_t *doc = contract_fetch();
  struct run run = {.op = op, .stale = true};
  run.schema = operation_schema(doc, op->operation_id, &run.method, &run.template);
  struct limits ls = {0};
  limits_collect(doc, run.schema, "", 0, &ls);
  ck_assert_msg(ls.count > 0, "%s: no limits in the contract's request body", op->operation_id);
  if (op->setup != NULL) op->setup();
  /* the valid request first, so the array cases can start from its items */
  op->prepare(&run.rq, run.schema);
  run.stale = false;
  for (size_t i = 0; i < ls.count; i++) run_limit(&run, &ls.items[i]);

  for (size_t i = 0; known_disagreements[i].operation_id != NULL; i++)
    if (strcmp(known_disagreements[i].operation_id, op->operation_id) == 0 && !run.out.seen[i])
      note_failure(&run.out, "%s: %s: the known disagreement is gone (%s): take it off known_disagreements",
                   op->operation_id, known_disagreements[i].label, known_disagreements[i].what);
  fprintf(stderr,
          "boundaries: %s: %zu limits in the contract; %zu cases as the contract says, %zu known disagreements, "
          "%zu not sent, %zu failed\n",
          op->operation_id, ls.count, run.out.passed, run.out.disagreements, run.out.skipped, run.out.failed);
  char *failures = run.out.failures;
  size_t failed = run.out.failed;
  request_release(&run.rq);
  free(ls.items);
  json_decref(doc);
  state_release();
  ck_assert_msg(failed == 0, "%zu boundary case(s) failed:\n%.3000s", failed, failures ? failures : "");
  free(failures);
}
END_TEST

Suite *boundaries_suite(void) {
  Suite *s = suite_create("boundaries");
  for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++) {
    TCase *tc = fixture_tcase(operations[i].operation_id, CASES_TIMEOUT);
    tcase_add_loop_test(tc, operation_limits, (int)i, (int)i + 1);
    suite_add_tcase(s, tc);
  }
  return s;
}
