/* Shared helpers for the integration tests: environment, the demo accounts (only the checks of
 * seed-demo use them: every other test works in its own fixture, fixture.h), JSON getters,
 * problem assertions, login and people created through invitations.
 *
 * Ownership: functions returning `char *` return malloc'd strings the caller frees with
 * free(). Structs filled by a function are released with the matching *_free(). Getters
 * returning `const char *` or `json_t *` borrow from the JSON they were given.
 */
#ifndef NOABER_TEST_SUPPORT_H
#define NOABER_TEST_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "http.h"

#define ANNA_ID "00000000-0000-4000-8000-00000000a001"
#define TOT_ID "00000000-0000-4000-8000-00000000b001"
#define DEMO_PASSWORD "noaber-demo"
#define TEST_PASSWORD "integration-Test-pw-2024!"

#define ANNA_COORDINATOR "coordinator@anna-zorgt.example"
#define ANNA_VOLUNTEER1 "volunteer1@anna-zorgt.example"
#define ANNA_VOLUNTEER2 "volunteer2@anna-zorgt.example"
#define ANNA_RESIDENT1 "resident1@anna-zorgt.example"
#define ANNA_RESIDENT2 "resident2@anna-zorgt.example"
#define PROFESSIONAL "professional@wijkteam.example"
#define TOT_COORDINATOR "coordinator@tot-uw-dienst.example"

/* Value of a required environment variable; fails the test when unset or empty. Borrowed. */
const char *env_required(const char *name);

/* --- JSON getters: dotted paths, numeric segments index arrays ("items.0.roles.1") --- */
json_t *jpath(json_t *root, const char *path);    /* borrowed or NULL */
const char *jstr(json_t *root, const char *path); /* NULL unless a string */
long long jint(json_t *root, const char *path, long long fallback);
bool jarray_has_string(json_t *array, const char *value); /* array of strings contains it */

/* Fails the test unless the response is an RFC 9457 problem with this status and
 * type "/problems/<slug>" (slug NULL: any), title and detail strings, instance equal to the
 * request path and request_id equal to the X-Request-Id header. */
#define assert_problem(r, st, slug) assert_problem_at(__FILE__, __LINE__, (r), (st), (slug))
void assert_problem_at(const char *file, int line, const struct http_response *r, long status, const char *slug);

/* Fails unless r->status == status; the message shows the body. */
#define assert_status(r, st) assert_status_at(__FILE__, __LINE__, (r), (st))
void assert_status_at(const char *file, int line, const struct http_response *r, long status);

/* Problem's errors[] has an entry for field (and code, when not NULL). */
bool problem_has_error(const struct http_response *r, const char *field, const char *code);

/* --- auth --- */
struct tokens {
  char *access;  /* owned */
  char *refresh; /* owned */
};
void tokens_free(struct tokens *t);

/* POST /v1/auth/login; asserts 200 and fills *out. */
void login(const char *email, const char *password, struct tokens *out);
/* Logs in and returns only the access token (owned). */
char *login_access(const char *email, const char *password);
/* GET /v1/me with the token; returns the person id (owned). */
char *me_id(const char *access);

/* --- people made through invitations --- */
/* Unique e-mail address for this run: "<prefix>-<pid>-<n>-<time>@test.example" (owned). */
char *unique_email(const char *prefix);

/* Coordinator (token) creates an invitation in community for role; returns the code (owned)
 * and, when id_out is not NULL, the invitation id (owned). Asserts 201. */
char *create_invitation(const char *coord_access, const char *community_id, const char *role, char **id_out);

struct person {
  char *email; /* owned */
  char *id;    /* owned */
  struct tokens tokens;
};
/* Invites (as coordinator) and registers a new person with TEST_PASSWORD. Asserts success. */
void person_create(struct person *p, const char *coord_access, const char *community_id, const char *role);
void person_free(struct person *p);

/* --- lists --- */
/* Walks a list endpoint (path without query; `query` extra parameters like "updated_since=..."
 * or NULL) page by page with `limit`, following next_cursor until null. Asserts 200 on every
 * page and at most `limit` items per page. Returns all items (new reference) and the number of
 * pages in *pages (optional). */
json_t *list_walk(const char *path, const char *token, int limit, const char *query, int *pages);
/* First item of `items` whose `key` equals value, or NULL (borrowed). */
json_t *find_item(json_t *items, const char *key, const char *value);
/* URL-encodes s (owned result). */
char *url_encode(const char *s);

/* --- time --- */
/* Parses RFC 3339 ("2024-05-01T10:00:00.123456Z" or with +hh:mm) into microseconds since the
 * epoch. Returns 0 or -1. */
int parse_rfc3339(const char *s, int64_t *usec_out);

/* Milliseconds sleep. */
void sleep_ms(long ms);

#endif
