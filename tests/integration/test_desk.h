/* Shared helpers for the desk tests (issue 3, docs/api-desk.md): times on a weekday in
 * Europe/Amsterdam, sites far apart, volunteers made through invitations with a chosen profile,
 * help requests and their actions. Each test works in its own fixture communities (fixture.h):
 * "Anna Zorgt" below is the test's fx.anna.
 *
 * Ownership as in support.h: `char *` results are malloc'd (free()), `json_t *` results are new
 * references (json_decref()) unless marked borrowed, json bodies passed in are STOLEN.
 */
#ifndef NOABER_TEST_DESK_H
#define NOABER_TEST_DESK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <check.h>
#include <jansson.h>

#include "fixture.h"
#include "http.h"
#include "support.h"

#define DESK_TIMEOUT 180

/* A TCase of desk tests: each test gets its own fixture (fixture_tcase) and DESK_TIMEOUT. */
TCase *desk_tcase(const char *name);

/* --- time (Europe/Amsterdam) --- */
struct window {
  char starts_at[32]; /* RFC 3339 UTC */
  char ends_at[32];
  char date[11]; /* local date YYYY-MM-DD */
  time_t start, end;
};
/* The next `iso_weekday` (1 = Monday) at least two days from now, plus weeks_ahead weeks,
 * from start_h:00 to end_h:00 local time. */
void desk_window(struct window *w, int iso_weekday, int weeks_ahead, int start_h, int end_h);
/* now + seconds as RFC 3339 UTC into buf (>= 32 bytes). */
void utc_in(char *buf, long seconds);
/* date (YYYY-MM-DD) + days into out (>= 11 bytes); today's local date when date is NULL. */
void date_add(char *out, const char *date, int days);
/* Local (Amsterdam) ISO weekday, hour and minute of an RFC 3339 instant; fails on bad input. */
void local_parts(const char *rfc3339, int *iso_weekday, int *hour, int *minute);
/* Seconds since the epoch of an RFC 3339 instant; fails the test on bad input. */
int64_t epoch_of(const char *rfc3339);

/* --- sites: a request and its volunteers sit at one site, tens of km from any other --- */
enum site_id {
  SITE_HOME, /* Sint Annaland: the fixture's volunteers live here */
  SITE_PROFILES,
  SITE_FILTERS,
  SITE_TIES,
  SITE_LOAD,
  SITE_OFFERS,
  SITE_BLOCKED,
  SITE_ASK_OTHER,
  SITE_VISIBILITY,
  SITE_BOARD,
  SITE_RACE,
  SITE_RECURRING,
  SITE_LISTS,
  SITE_QUEUE,
  SITE_STATE,
  SITE_PHONE_DESK,
  SITE_COUNT
};
struct site {
  const char *town;
  double lat, lon;
};
const struct site *site_get(enum site_id id);
/* A point `km` kilometres north of the site. */
void site_north(enum site_id id, double km, double *lat, double *lon);

/* --- categories --- */
/* GET /categories as that member: all items (new reference). */
json_t *categories_all(const char *tok, const char *community_path);
/* Id of the category with this code in Anna Zorgt (owned); fails when missing. */
char *category_id(const char *tok, const char *code);

/* --- volunteers --- */
struct vol_spec {
  const char *skills[4]; /* category ids, NULL-terminated */
  double lat, lon;
  double travel_km;
  double capacity;
  unsigned days;                                 /* bit d (1..7) set: available that ISO weekday; 0: Monday-Friday */
  const char *from;                              /* availability start, NULL: "09:00" */
  const char *to;                                /* availability end, NULL: "17:00" */
  const char *unavailable_from, *unavailable_to; /* dates, NULL: none */
  bool paused;
  bool no_code_of_conduct;
  bool certificate; /* coordinator records a certificate issued today */
};
/* Eligible defaults: one skill, home `km` north of the site, 10 km, 40 h, weekdays 9-17,
 * code of conduct accepted, certificate when `certificate`. */
struct vol_spec vol_default(const char *skill, enum site_id site, double km, bool certificate);
/* VolunteerProfileInput for the spec (new reference). */
json_t *profile_body(const struct vol_spec *s);
/* Invites and registers a volunteer in Anna Zorgt, PUTs the profile (201), accepts the code of
 * conduct and lets the coordinator record the certificate as the spec says. */
void volunteer_create(struct person *v, const char *coord, const struct vol_spec *s);

/* --- help requests --- */
/* HelpRequestInput (new reference): category, window, place at the site, one-off. */
json_t *request_body(const char *category, const struct window *w, enum site_id site, bool in_home);
/* POSTs /help-requests with body (stolen), asserts 201 and returns the id (owned); the full
 * answer goes to *out when out is not NULL (new reference). */
char *request_create(const char *tok, json_t *body, json_t **out);
/* Path of a request, or of a sub-resource when suffix is not NULL ("/offers"). */
void request_path(char *buf, size_t len, const char *id, const char *suffix);
void request_get(struct http_response *r, const char *tok, const char *id);
/* POST .../actions/{action} with body (stolen; NULL: {}). */
void request_action(struct http_response *r, const char *tok, const char *id, const char *action, json_t *body);
/* The body of a triage to `track` (NULL: informal), a new reference for request_action(). */
json_t *triage_body(const char *track);
/* Same, asserting 200 and status `expect_status` (NULL: any). A triage without a body sends
 * triage_body(NULL). */
void request_action_ok(const char *tok, const char *id, const char *action, json_t *body, const char *expect_status);
/* Asserts a 409 conflict problem whose current_state is `state`. */
#define assert_conflict_state(r, st) assert_conflict_state_at(__FILE__, __LINE__, (r), (st))
void assert_conflict_state_at(const char *file, int line, const struct http_response *r, const char *state);
/* Offers the request to the volunteers (NULL-terminated ids); asserts 200. */
void offer_to(const char *coord, const char *id, const char *const *volunteer_ids);
/* Id of the volunteer's offer for the request (owned); fails when missing. */
char *offer_id(const char *coord, const char *request_id, const char *volunteer_id);
/* POST /offers/{offerId}/{accept|decline} (body stolen, NULL: {}). */
void offer_answer(struct http_response *r, const char *tok, const char *offer, const char *answer, json_t *body);
/* Triages, offers to the volunteer and lets them accept: the request ends matched. */
void match_via_offer(const char *coord, const char *id, const struct person *v);
/* A matched request: the resident asks (one-off, out of the home, at the site) and the
 * volunteer accepts the coordinator's offer. Returns the id (owned). */
char *request_matched(const char *coord, const char *resident_tok, const char *category, const struct window *w,
                      enum site_id site, const struct person *v);
/* Suggestions for the request (items, new reference); asserts 200 and the item shape. */
json_t *suggestions(const char *coord, const char *id, int limit);
/* Index of the volunteer in suggestion items, -1 when absent. */
int suggestion_index(json_t *items, const char *volunteer_id);
/* PUT /helpers as the resident (arrays stolen); asserts 200. */
void helpers_put(const char *resident_tok, json_t *preferred, json_t *blocked);
/* POST .../occurrences/{occ}/complete as tok with hours; returns the response. */
void occurrence_complete(struct http_response *r, const char *tok, const char *id, const char *occ, double hours);
/* Moves the window of an occurrence so that it began an hour ago (same length), as the database
 * owner: a volunteer completes help once it was given (422 before), and a test cannot wait for
 * the days until then. Needed_by occurrences are left as they are. */
void occurrence_begin(const char *occurrence_id);
/* Id of occurrence i of the request JSON (borrowed). */
const char *occurrence_id(json_t *request, size_t i);
/* True when items holds an item whose "id" is id. */
bool list_has(json_t *items, const char *id);
/* All items of a list endpoint (walks the pages, limit 100; query as list_walk). */
json_t *list_all(const char *path, const char *tok, const char *query);
/* True when the problem has an errors[] entry whose field starts with prefix. */
bool problem_error_prefix(const struct http_response *r, const char *prefix);

#endif
