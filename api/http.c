/* Responses and request helpers shared by every handler. */
#include "http.h"

#include <orcania.h>
#include <stdio.h>
#include <string.h>

#include "../src/fields.h"
#include "../src/support/etag.h"
#include "conditional.h"
#include "language.h"

static const struct {
  int status;
  const char *slug;
  const char *title;
} statuses[] = {
    {400, "malformed-request", "Bad request"},
    {401, "unauthenticated", "Authentication required"},
    {403, "forbidden", "Forbidden"},
    {404, "not-found", "Not found"},
    {405, "method-not-allowed", "Method not allowed"},
    {408, "request-timeout", "Request timeout"},
    {409, "conflict", "Conflict"},
    {412, "precondition-failed", "Precondition failed"},
    {413, "payload-too-large", "Payload too large"},
    {414, "uri-too-long", "URI too long"},
    {415, "unsupported-media-type", "Unsupported media type"},
    {422, "idempotency-key-reused", "Idempotency key reused"},
    {428, "precondition-required", "Precondition required"},
    {429, "too-many-requests", "Too many requests"},
    {431, "request-header-fields-too-large", "Request header fields too large"},
    {500, "internal", "Internal server error"},
    {503, "unavailable", "Service unavailable"},
    {505, "http-version-not-supported", "HTTP version not supported"},
};

const char *api_status_slug(int status) {
  for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
    if (statuses[i].status == status) return statuses[i].slug;
  return "internal";
}

const char *api_status_title(int status) {
  for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
    if (statuses[i].status == status) return statuses[i].title;
  return "Error";
}

/* The contract's limit on `instance`. */
#define PROBLEM_INSTANCE_MAX 2048

/* The request path as a problem's `instance`: a path may hold any bytes (invalid UTF-8, control
 * characters), which JSON cannot carry, so every byte outside printable ASCII is
 * percent-encoded, and the result is cut to the contract's length. Owned; NULL when out of
 * memory. */
static char *problem_instance(const char *path) {
  if (path == NULL || path[0] != '/') path = "/";
  size_t len = strlen(path);
  char *out = o_malloc(3 * len + 1);
  if (out == NULL) return NULL;
  size_t w = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)path[i];
    size_t need = c > 0x20 && c < 0x7f ? 1 : 3;
    if (w + need > PROBLEM_INSTANCE_MAX) break;
    if (need == 1)
      out[w++] = (char)c;
    else
      w += (size_t)snprintf(out + w, 4, "%%%02X", c);
  }
  out[w] = '\0';
  return out;
}

json_t *problem_new(int status, const char *detail, const char *instance, const char *request_id, json_t *errors) {
  const char *slug = status == 400 && errors != NULL ? "validation" : api_status_slug(status);
  const char *title = status == 400 && errors != NULL ? "Invalid request" : api_status_title(status);
  char type[64];
  snprintf(type, sizeof type, "/problems/%s", slug);
  char *path = problem_instance(instance);
  json_t *problem = path == NULL ? NULL
                                 : json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", type, "title", title, "status",
                                             status, "detail", detail != NULL ? detail : title, "instance", path,
                                             "request_id", request_id != NULL ? request_id : "");
  if (problem != NULL && errors != NULL) json_object_set(problem, "errors", errors);
  json_decref(errors);
  o_free(path);
  return problem;
}

void api_language_headers(struct api_request *ar) {
  u_map_put(ar->resp->map_header, "Content-Language", ar->language != NULL ? ar->language : "nl");
  u_map_put(ar->resp->map_header, "Vary", "Accept-Language");
}

void api_problem(struct api_request *ar, int status, const char *detail, json_t *errors) {
  json_t *problem = problem_new(status, detail, ar->req->url_path, ar->request_id, errors);
  /* Extensions add members (current_state, rule, ...) and may refine type and title. */
  if (problem != NULL && ar->info.extensions != NULL) json_object_update(problem, ar->info.extensions);
  if (problem != NULL) language_problem(problem, ar->language);
  api_language_headers(ar);
  ar->status = status;
  if (problem == NULL || ulfius_set_json_body_response(ar->resp, (unsigned)status, problem) != U_OK) {
    ulfius_set_string_body_response(ar->resp, (unsigned)status, "");
  }
  json_decref(problem);
  /* ulfius_set_json_body_response set application/json; a problem says what it is. */
  u_map_put(ar->resp->map_header, "Content-Type", "application/problem+json");
}

void api_fail(struct api_request *ar, enum result r) {
  struct result_info *info = &ar->info;
  char seconds[16];
  json_t *errors = info->errors;
  info->errors = NULL;
  switch (r) {
    case RESULT_INVALID:
      api_problem(ar, 400, info->detail ? info->detail : "some fields are invalid: see errors", errors);
      return;
    case RESULT_UNAUTHENTICATED:
      api_problem(ar, 401, info->detail, errors);
      u_map_put(ar->resp->map_header, "WWW-Authenticate", "Bearer realm=\"noaber\", error=\"invalid_token\"");
      return;
    case RESULT_FORBIDDEN:
      api_problem(ar, 403, info->detail ? info->detail : "your role does not allow this", errors);
      return;
    case RESULT_NOT_FOUND:
      api_problem(ar, 404, info->detail ? info->detail : "no such resource", errors);
      return;
    case RESULT_CONFLICT:
      api_problem(ar, 409, info->detail, errors);
      return;
    case RESULT_PRECONDITION_FAILED:
      api_problem(ar, 412, "the resource changed since you read it: fetch it again", errors);
      return;
    case RESULT_POLICY_REFUSED:
      /* A problem type of its own: the client shows the rule and where to go instead. */
      result_extension(info, "type", json_string("/problems/policy-refused"));
      result_extension(info, "title", json_string("Not allowed by the category's rules"));
      api_problem(ar, 422, info->detail ? info->detail : "the category's rules do not allow this request", errors);
      return;
    case RESULT_UNPROCESSABLE:
      /* Well formed, but it names someone or something that does not fit: not a 400. */
      result_extension(info, "type", json_string("/problems/unprocessable"));
      result_extension(info, "title", json_string("Refers to something that does not fit"));
      api_problem(ar, 422, info->detail ? info->detail : "the request refers to something that does not fit here",
                  errors);
      return;
    case RESULT_PRECONDITION_REQUIRED:
      api_problem(ar, 428, "send If-Match with the ETag you read, so no update is lost", errors);
      return;
    case RESULT_IDEMPOTENCY_MISMATCH:
      api_problem(ar, 422, "this Idempotency-Key was used for a different request", errors);
      return;
    case RESULT_TOO_MANY:
    case RESULT_UNAVAILABLE:
      snprintf(seconds, sizeof seconds, "%d", info->retry_after > 0 ? info->retry_after : 1);
      if (r == RESULT_TOO_MANY)
        api_problem(ar, 429, "too many attempts: wait before trying again", errors);
      else
        api_problem(
            ar, 503,
            info->detail ? info->detail : "the service is busy or its database is unreachable: try again shortly",
            errors);
      u_map_put(ar->resp->map_header, "Retry-After", seconds);
      return;
    case RESULT_OK:
    case RESULT_CREATED:
    case RESULT_ERROR:
    default:
      json_decref(errors);
      api_problem(ar, 500, "something went wrong on our side; the request id helps us find it", NULL);
      return;
  }
}

/* Answer `status` with JSON text (taken: kept in ar->response_text for idempotency). */
static enum result send_json_text(struct api_request *ar, int status, char *text) {
  o_free(ar->response_text);
  ar->response_text = text;
  if (text == NULL) return RESULT_ERROR;
  ar->status = status;
  if (ulfius_set_string_body_response(ar->resp, (unsigned)status, text) != U_OK) return RESULT_ERROR;
  u_map_put(ar->resp->map_header, "Content-Type", "application/json");
  return RESULT_OK;
}

enum result api_json(struct api_request *ar, int status, json_t *body) {
  return send_json_text(ar, status, json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12)));
}

/* The status labels a document of `kind` gets (language.h): status_label, for a help request
 * also next_step and the labels of its occurrences. */
static void label_document(json_t *document, const char *kind, const char *language) {
  const char *status = json_string_value(json_object_get(document, "status"));
  const char *label = language_label(language, kind, status);
  if (label != NULL) json_object_set_new(document, "status_label", json_string(label));
  if (strcmp(kind, "help_request") != 0) return;
  /* Matched and confirmed by the resident: the helper is coming, nothing is asked of her. */
  int confirmed =
      status != NULL && strcmp(status, "matched") == 0 && json_is_true(json_object_get(document, "resident_confirmed"));
  const char *next_step = language_next_step(language, kind, confirmed ? "matched_confirmed" : status);
  if (next_step != NULL) json_object_set_new(document, "next_step", json_string(next_step));
  /* Entered while the desk was closed and not yet looked at: when the desk will answer. */
  const char *answer_day = json_string_value(json_object_get(document, "expected_answer_day"));
  const char *answer = status != NULL && strcmp(status, "submitted") == 0
                           ? language_label(language, "expected_answer", answer_day)
                           : NULL;
  if (answer != NULL) json_object_set_new(document, "expected_answer_label", json_string(answer));
  size_t i;
  json_t *occurrence;
  json_array_foreach(json_object_get(document, "occurrences"), i, occurrence)
      label_document(occurrence, "occurrence", language);
}

void api_label(struct api_request *ar, json_t *body, const char *kind) {
  json_t *items = json_object_get(body, "items");
  size_t i;
  json_t *item;
  if (json_is_array(items)) {
    json_array_foreach(items, i, item) {
      /* a tombstone has no status, so it gets no label */
      label_document(item, kind, ar->language);
    }
  } else {
    label_document(body, kind, ar->language);
  }
  api_language_headers(ar);
}

/* One resource with its ETag. The ETag is that of the resource as the domain returned it, before
 * labels in the caller's language are added (`label_kind`, NULL for none): it names the state of
 * the resource, whatever language it is read in, so an If-Match works across languages. */
static enum result send_resource(struct api_request *ar, int status, json_t *resource, const char *label_kind) {
  char etag[ETAG_LEN];
  /* One serialisation for both: the body is the canonical text the ETag hashes. */
  char *text = etag_canonical_text(resource, etag);
  if (text == NULL) return RESULT_ERROR;
  u_map_put(ar->resp->map_header, "ETag", etag);
  if (label_kind != NULL) api_label(ar, resource, label_kind);
  if (strcmp(ar->req->http_verb, "GET") == 0 && conditional_header_matches(api_header(ar, "If-None-Match"), etag, 1)) {
    free(text);
    ar->status = 304;
    ulfius_set_string_body_response(ar->resp, 304, "");
    return RESULT_OK;
  }
  if (label_kind != NULL) {
    free(text);
    text = json_dumps(resource, JSON_COMPACT | JSON_REAL_PRECISION(12));
  }
  return send_json_text(ar, status, text);
}

enum result api_resource(struct api_request *ar, int status, json_t *resource) {
  return send_resource(ar, status, resource, NULL);
}

enum result api_answer_labelled(struct api_request *ar, enum result r, json_t *body, int with_etag,
                                const char *label_kind) {
  if (r == RESULT_OK || r == RESULT_CREATED) {
    int status = r == RESULT_CREATED ? 201 : 200;
    enum result sent = RESULT_OK;
    if (with_etag) {
      sent = send_resource(ar, status, body, label_kind);
    } else {
      if (label_kind != NULL) api_label(ar, body, label_kind);
      sent = api_json(ar, status, body);
    }
    if (sent != RESULT_OK) r = sent;
  }
  json_decref(body);
  return r;
}

enum result api_answer(struct api_request *ar, enum result r, json_t *body, int with_etag) {
  return api_answer_labelled(ar, r, body, with_etag, NULL);
}

enum result api_answer_list(struct api_request *ar, enum result r, json_t *body, const char *label_kind) {
  /* Before the labels, as send_resource takes a resource's ETag: it names the state in any language. */
  if ((r == RESULT_OK || r == RESULT_CREATED) && etag_set_on_items(json_object_get(body, "items")) != 0)
    r = RESULT_ERROR;
  return api_answer_labelled(ar, r, body, 0, label_kind);
}

enum result api_no_content(struct api_request *ar) {
  ar->status = 204;
  return ulfius_set_string_body_response(ar->resp, 204, "") == U_OK ? RESULT_OK : RESULT_ERROR;
}

enum result api_read_page(struct api_request *ar, struct page_request *page) {
  return paging_parse(api_query(ar, "limit"), api_query(ar, "cursor"), api_query(ar, "updated_since"), page,
                      &ar->info) == 0
             ? RESULT_OK
             : RESULT_INVALID;
}

const char *api_header(const struct api_request *ar, const char *name) {
  return u_map_get_case(ar->req->map_header, name);
}

const char *api_query(const struct api_request *ar, const char *name) {
  /* map_url holds both path and query parameters; path names never clash with query names. */
  return u_map_get(ar->req->map_url, name);
}

const char *api_path(const struct api_request *ar, const char *name) { return u_map_get(ar->req->map_url, name); }

const struct precondition *api_if_match(struct api_request *ar) {
  if (!ar->if_match_read) {
    ar->if_match_read = 1;
    if (conditional_if_match(api_header(ar, "If-Match"), &ar->if_match, &ar->if_match_tags) != 0) {
      /* Out of memory: a precondition that no version meets, so nothing changes unchecked. */
      conditional_tags_free(ar->if_match_tags, ar->if_match.count);
      ar->if_match_tags = NULL;
      ar->if_match = (struct precondition){.given = 1};
    }
  }
  return &ar->if_match;
}
