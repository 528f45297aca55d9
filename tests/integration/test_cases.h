/* Shared helpers for the casework tests (issue 4 part 1, docs/api-cases.md): opening cases,
 * participants, the lead, actions, consent records and counting access-log rows.
 *
 * Ownership as in support.h: `char *` results are malloc'd (free()), `json_t *` results are new
 * references (json_decref()) unless marked borrowed, json bodies passed in are STOLEN.
 */
#ifndef NOABER_TEST_CASES_H
#define NOABER_TEST_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "http.h"
#include "support.h"
#include "test_desk.h"

#define CASES_TIMEOUT 180

/* A TCase of casework tests: each test gets its own fixture (fixture_tcase), CASES_TIMEOUT. */
TCase *cases_tcase(const char *name);

/* Paths below are in the test's own fx.anna. */

/* Path of a case, or of a sub-resource when suffix is not NULL ("/actions"). */
void case_path(char *buf, size_t len, const char *case_id, const char *suffix);
/* Path of an action, or of its /take when take is true. */
void action_path(char *buf, size_t len, const char *case_id, const char *action_id, bool take);

/* POST /cases as tok for the subject; asserts 201 and returns the case id (owned); the whole
 * Case goes to *out when out is not NULL (new reference). */
char *case_open(const char *tok, const char *subject_id, const char *title, json_t **out);
/* The circle most tests start from: a case for fx.resident1 opened by coord (the lead), with
 * fx.volunteer1 as volunteer and fx.professional as professional of "wijkteam". Returns the id
 * (owned); the subject has granted no consent yet. */
char *case_with_participants(const char *coord, const char *title);
void case_get(struct http_response *r, const char *tok, const char *case_id);
/* GET the case as tok, asserts 200 and returns its ETag (owned). */
char *case_etag(const char *tok, const char *case_id);
/* Lead's person_id of the case as tok sees it (owned); asserts 200. */
char *case_lead(const char *tok, const char *case_id);

/* POST /participants; returns the response. organisation may be NULL. */
void participant_post(struct http_response *r, const char *tok, const char *case_id, const char *person_id,
                      const char *role, const char *organisation, bool representative);
/* Same, asserting 201; returns the participant id (owned). */
char *participant_add(const char *tok, const char *case_id, const char *person_id, const char *role,
                      const char *organisation, bool representative);

/* POST /lead with {person_id, note}. */
void lead_post(struct http_response *r, const char *tok, const char *case_id, const char *person_id, const char *note);
/* Same, asserting 200 and that the answer's lead is person_id. */
void lead_handover(const char *tok, const char *case_id, const char *person_id, const char *note);
/* GET /lead-history items (new reference); asserts 200. */
json_t *lead_history(const char *tok, const char *case_id);
/* Asserts the history has exactly one open entry (until null), that it is the last one and
 * names `lead`, and that each entry's `until` equals the next one's `since`. */
void assert_one_open_lead(json_t *items, const char *lead);

/* POST /actions; owner_id and due_on may be NULL. */
void action_post(struct http_response *r, const char *tok, const char *case_id, const char *title, const char *owner_id,
                 const char *due_on);
/* Same, asserting 201; returns the id (owned) and the ETag in *etag (owned) when not NULL. */
char *action_create(const char *tok, const char *case_id, const char *title, const char *owner_id, const char *due_on,
                    char **etag);
/* PATCH an action with body (stolen) and If-Match etag (NULL: no If-Match). */
void action_patch(struct http_response *r, const char *tok, const char *case_id, const char *action_id, json_t *body,
                  const char *etag);
/* GET /actions items (new reference); asserts 200. */
json_t *actions_list(const char *tok, const char *case_id);

/* POST /consents; exactly one of person / organisation is expected (both are sent if given). */
void consent_post(struct http_response *r, const char *tok, const char *case_id, const char *person,
                  const char *organisation, const char *kind, bool granted);
/* Same, asserting 201. */
void consent_record(const char *tok, const char *case_id, const char *person, const char *organisation,
                    const char *kind, bool granted);

/* True when the member is missing or JSON null. */
bool null_or_absent(json_t *obj, const char *key);

/* Every page of GET /cases of fx.anna (status "open", "closed" or NULL for the default) as tok. */
json_t *cases_list(const char *tok, const char *status);

/* Owner connection (NOABER_TEST_OWNER_DSN), bypassing row security. */
PGconn *owner_db(void);
/* Access-log rows of the case. */
long access_log_rows(PGconn *c, const char *case_id);
/* Open lead rows (until null) of the case, from the lead table. */
long open_lead_rows(PGconn *c, const char *case_id);

#endif
