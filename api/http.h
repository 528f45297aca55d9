#ifndef NOABER_API_HTTP_H
#define NOABER_API_HTTP_H

#include <jansson.h>
#include <ulfius.h>

#include "../src/case_access.h"
#include "../src/db/db.h"
#include "../src/paging.h"
#include "../src/precondition.h"
#include "../src/result.h"
#include "../src/roles.h"
#include "../src/support/config.h"

/* What a route needs from the dispatcher before its handler runs. */
enum route_flags {
  ROUTE_PUBLIC = 0,
  ROUTE_BEARER = 1 << 0,      /* a valid access token */
  ROUTE_COMMUNITY = 1 << 1,   /* bearer + membership of :communityId, in a transaction */
  ROUTE_TRANSACTION = 1 << 2, /* a pooled connection in a transaction with the request context */
  ROUTE_JSON_BODY = 1 << 3,   /* a JSON object body is required */
  ROUTE_IDEMPOTENT = 1 << 4,  /* honours Idempotency-Key (creating POSTs) */
  ROUTE_SCRAPER = 1 << 5,     /* the metrics token (NOABER_METRICS_TOKEN), not a person's */
  ROUTE_NO_DATABASE = 1 << 6, /* answers without the database: never waits for a connection */
};

struct api_request;
typedef enum result (*api_handler)(struct api_request *ar);

struct route {
  const char *method;
  const char *path; /* Ulfius format: /v1/communities/:communityId/members */
  api_handler handler;
  int flags;
  /* For routes that touch case data: what the access log records (NULL: not logged). */
  const char *audit_resource;
  const char *audit_action;
};

/* Everything a handler gets. Owned by the dispatcher for the length of one request. */
struct api_request {
  const struct _u_request *req;
  struct _u_response *resp;
  const struct route *route;
  const struct config *cfg;
  char request_id[129];
  char person_id[37];
  char session_id[37]; /* the access token's sid: checked with the request's context */
  char community_id[37];
  struct actor actor;           /* points into the arrays above */
  struct db_conn *db;           /* set for ROUTE_TRANSACTION and ROUTE_COMMUNITY */
  json_t *body;                 /* the parsed JSON object for ROUTE_JSON_BODY */
  struct result_info info;      /* details for a failing result */
  int status;                   /* the status sent, for logs and metrics */
  char *response_text;          /* JSON text of a successful response body (for idempotency) */
  struct case_audit audit;      /* whose case data this request touched, for the access log */
  struct precondition if_match; /* If-Match, once api_if_match has read it */
  char **if_match_tags;         /* owned: what if_match.etags points into */
  int if_match_read;
  const char *language; /* "nl" or "en" (static): what the person reads (language.h) */
};

/* A problem+json document (RFC 9457). `instance` is the request path as received (NULL: "/"):
 * bytes outside printable ASCII are percent-encoded and it is cut at the contract's 2048
 * characters. `errors` is stolen (may be NULL). New reference; NULL when out of memory. */
json_t *problem_new(int status, const char *detail, const char *instance, const char *request_id, json_t *errors);

/* Answer with a problem; `errors` is stolen. */
void api_problem(struct api_request *ar, int status, const char *detail, json_t *errors);

/* Say which language the response's texts are in (Content-Language, Vary: Accept-Language). */
void api_language_headers(struct api_request *ar);

/* Answer a domain result that is not a success (maps result codes to statuses). */
void api_fail(struct api_request *ar, enum result r);

/* Answer `status` with a JSON body (borrowed). Returns RESULT_OK, or RESULT_ERROR when out of memory. */
enum result api_json(struct api_request *ar, int status, json_t *body);

/* Answer one resource with its ETag; a matching If-None-Match gets 304 without a body. */
enum result api_resource(struct api_request *ar, int status, json_t *resource);

/* Answer a domain result with its body (stolen): 201 for RESULT_CREATED, 200 for RESULT_OK,
 * with an ETag when `with_etag`; any other result is returned for the dispatcher to answer. */
enum result api_answer(struct api_request *ar, enum result r, json_t *body, int with_etag);

/* api_answer() for a document (or a list of them in "items") of a `kind` that has status labels
 * (language.h: help_request, offer, occurrence, case, case_action): each gets its status_label in
 * the caller's language, after the ETag was taken (it names the state, in any language). */
enum result api_answer_labelled(struct api_request *ar, enum result r, json_t *body, int with_etag,
                                const char *label_kind);

/* api_answer_labelled() for a list ({items, ...}, labels of `label_kind` or NULL): every item but a
 * tombstone gets its `etag`, the ETag its own GET sends (taken before the labels, like that one). */
enum result api_answer_list(struct api_request *ar, enum result r, json_t *body, const char *label_kind);

/* Add the status labels to a document or list now (body borrowed) and set the language headers. */
void api_label(struct api_request *ar, json_t *body, const char *kind);

/* Answer 204. */
enum result api_no_content(struct api_request *ar);

/* The list parameters limit, cursor and updated_since of this request. RESULT_OK, or
 * RESULT_INVALID with field errors in ar->info. Free `page` with paging_free() either way. */
enum result api_read_page(struct api_request *ar, struct page_request *page);

/* Header or query value, NULL when absent. */
const char *api_header(const struct api_request *ar, const char *name);
const char *api_query(const struct api_request *ar, const char *name);
/* A path parameter. */
const char *api_path(const struct api_request *ar, const char *name);

/* The If-Match of an update, or NULL when absent (the handler answers RESULT_PRECONDITION_REQUIRED). */
/* The versions the client says it last saw (If-Match), for the domain's precondition_check.
 * Owned by `ar` (freed with it). Out of memory, it names a version none has (fails closed). */
const struct precondition *api_if_match(struct api_request *ar);

/* Title and problem type slug for a status. */
const char *api_status_title(int status);
const char *api_status_slug(int status);

#endif
