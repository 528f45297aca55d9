/*
 * Plan tests: every hot statement, in the context of every role that runs it, is answered from
 * indexes (DESIGN.md section 4: the cost of a policy must not grow with the community or the
 * platform; LIBRARY-NOTES.md on hashed subplans).
 *
 * Runs against the test cluster after tests/plans/seed.sql has made Anna Zorgt big (10,000
 * members, ~100,000 help requests, 2,000 cases; tests/run-integration.sh). For every entry of
 * `probes` below it opens a transaction exactly as api/server.c open_transaction() does (through
 * the real pool of src/db with every module's statements registered as `noaber serve` does),
 * then asks PostgreSQL for the plan of the registered statement, once as a custom plan and once
 * as a generic plan (plan_cache_mode; the generic one with ANALYZE, so that a branch that a
 * One-Time Filter switches off for these parameters is seen not to run), and fails when the plan
 *   - has a Seq Scan of a relation with more than BIG_TABLE_ROWS rows, or
 *   - has a hashed SubPlan that reads such a relation (the whole subquery runs and is hashed
 *     before the first row is checked: a row-level-security policy with `IN (SELECT ...)`).
 *     PostgreSQL 15 names such a subplan "SubPlan N" like any other; only the expression that
 *     uses it says "(hashed SubPlan N)", so that is what is looked for.
 * Only the generic plan fails the test: the server runs nothing else (src/db/db.c sets
 * plan_cache_mode=force_generic_plan). What only the custom plan does is printed as a note.
 * A function that reads tables hides its plan from EXPLAIN unless PostgreSQL inlines it (a
 * scalar SQL function with a sub-select, any PL/pgSQL function is never inlined): the bodies of
 * the SQL functions that name tables are entries of their own (FUNCTION_BODY), prepared as
 * statements with the same parameters, and a statement or policy that calls such a function,
 * directly or through another function (volunteer_eligible -> eligible_volunteers), without an
 * entry for it fails. A function PostgreSQL can inline into a FROM clause (a plain, non-strict,
 * non-volatile SQL function returning a set: those of sql/functions/) shows its body in the plan
 * and needs no entry; what its body calls is looked at instead, and the plan fails when it shows
 * the function as a Function Scan, that is, not inlined. Planning time and the top of each plan are printed, never asserted, and
 * after them every problem found, grouped by cause, with the statements and roles it shows in.
 * NOABER_PLANS_DETAIL=1 lists every place in a plan where a problem occurs (else the first).
 *
 * Environment: DATABASE_URL (the server's role) and NOABER_MIGRATION_DATABASE_URL (the schema
 * owner, to read table sizes and function bodies).
 */
#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <orcania.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../../src/db/db.h"
#include "../../src/members.h"
#include "../../src/paging.h"
#include "../../src/statements.h"
#include "../../src/support/log.h"
#include "../../src/volunteers.h"

/* ---- what is tested: keep this table up to date when statements are renamed or split ---- */

#define ANNA "00000000-0000-4000-8000-00000000a001"
/* Demo accounts (src/seed.c) and the outside guest (tests/plans/seed.sql). */
#define COORDINATOR "00000000-0000-4000-8000-000000000101"
#define VOLUNTEER "00000000-0000-4000-8000-000000000102"
#define RESIDENT "00000000-0000-4000-8000-000000000104"
#define PROFESSIONAL "00000000-0000-4000-8000-000000000106"
#define GUEST "00000000-0000-4000-8000-000000000108"
/* Their live sessions (tests/plans/seed.sql): every probe runs in one, as a request does. */
#define S_COORDINATOR "00000000-0000-4000-8000-0000000e0101"
#define S_VOLUNTEER "00000000-0000-4000-8000-0000000e0102"
#define S_RESIDENT "00000000-0000-4000-8000-0000000e0104"
#define S_PROFESSIONAL "00000000-0000-4000-8000-0000000e0106"
#define S_GUEST "00000000-0000-4000-8000-0000000e0108"
/* Rows tests/plans/seed.sql gives fixed ids: resident1's request on the board, one matched to
 * volunteer1, one offered to them, one volunteer1 finished an hour ago; a case about resident1 led by the coordinator with the
 * professional (consent), volunteer1 and the guest, and one where the resident refused the
 * professional consent. */
#define R_BOARD "00000000-0000-4000-8000-0000000d0001"
#define R_MATCHED "00000000-0000-4000-8000-0000000d0002"
#define R_OFFERED "00000000-0000-4000-8000-0000000d0003"
#define R_DONE "00000000-0000-4000-8000-0000000d0004"
#define C_CONSENT "00000000-0000-4000-8000-0000000c0001"
#define C_NO_CONSENT "00000000-0000-4000-8000-0000000c0002"
/* Resolved when the test starts, to what the server passes for a first page: the certificate
 * validity in days, the `limit` parameter (PAGE_DEFAULT_LIMIT + 1: one more row tells about a
 * next page) and the keyset bounds (src/paging.h: paging_param_since() and the cursor's). */
#define DAYS "@days"
#define LIMIT "@limit"
#define SINCE "@since"
#define AFTER_TS "@after_ts"
#define AFTER_ID "@after_id"
#define FIRST_PAGE SINCE, AFTER_TS, AFTER_ID, LIMIT
/* A first page with updated_since (a week before the seed's newest tombstones): the lists then
 * merge the caller's tombstones (sql/migrations/0015_sync_tombstones.sql). */
#define SYNC_PAGE "@week_ago", AFTER_TS, AFTER_ID, LIMIT

#define MAX_PARAMS 10
/* A Seq Scan of a relation with more rows than this fails. */
#define BIG_TABLE_ROWS 1000
/* Check cuts messages at 4 KiB unless told otherwise; a probe's list of problems can be longer. */
#define MAX_MESSAGE (1024 * 1024)

static const struct account {
  const char *role; /* as named in `probes` */
  const char *person_id;
  const char *member_role; /* what membership_roles must answer for them in Anna Zorgt */
  const char *session_id;  /* the session their requests carry */
} accounts[] = {
    {"coordinator", COORDINATOR, "coordinator", S_COORDINATOR},
    {"volunteer", VOLUNTEER, "volunteer", S_VOLUNTEER},
    {"resident", RESIDENT, "resident", S_RESIDENT},
    {"professional", PROFESSIONAL, "professional", S_PROFESSIONAL},
    {"guest", GUEST, "guest", S_GUEST},
};

enum scope {
  COMMUNITY, /* /v1/communities/{id}/...: person and community, membership_roles pipelined first */
  ME,        /* /v1/me/...: the person only */
};

enum kind {
  STATEMENT,     /* a statement src/ registers */
  FUNCTION_BODY, /* the body of a LANGUAGE sql function, with these values for its parameters.
                  * A call plans the body without the values (the generic plan is the one that
                  * runs), unless PostgreSQL inlines it into the caller's plan (a set-returning
                  * function in FROM may be; a scalar one with a sub-select is not). */
};

struct probe {
  enum kind kind;
  const char *name;
  const char *variant; /* which case, when a role runs the statement more than one way */
  const char *role;    /* whose context: an entry of `accounts` */
  enum scope scope;
  int nparams;
  const char *params[MAX_PARAMS]; /* text values; NULL is SQL NULL */
};

#define S(name, variant, role, scope, n, ...)                                                                          \
  {                                                                                                                    \
    STATEMENT, name, variant, role, scope, n, { __VA_ARGS__ }                                                          \
  }
#define F(name, variant, role, n, ...)                                                                                 \
  {                                                                                                                    \
    FUNCTION_BODY, name, variant, role, COMMUNITY, n, { __VA_ARGS__ }                                                  \
  }
/* What every signed-in person runs: the check of their session with every context, their roles
 * on a community route, and the /v1/me routes (src/db/db.c pipelines noaber_session with every
 * context of a request and noaber_member_scope with that of every /v1/me transaction). */
#define EVERYONE(role, person, session)                                                                                \
  S("noaber_session", NULL, role, COMMUNITY, 1, session), S("noaber_session", NULL, role, ME, 1, session),             \
      F("app_session_active", NULL, role, 1, session), S("auth_sessions_list", NULL, role, ME, 2, person, session),    \
      S("membership_roles", NULL, role, COMMUNITY, 0, NULL),                                                           \
      S("membership_roles_expected", NULL, role, COMMUNITY, 1, role), F("app_member_roles", NULL, role, 0, NULL),      \
      S("noaber_member_scope", NULL, role, ME, 0, NULL), F("app_enter_member_scope", NULL, role, 0, NULL),             \
      S("me_with_memberships", NULL, role, ME, 1, person),                                                             \
      S("hr_tasks", NULL, role, ME, 8, NULL, "false", person, DAYS, FIRST_PAGE),                                       \
      S("hr_mine", NULL, role, ME, 8, NULL, "false", person, DAYS, FIRST_PAGE),                                        \
      S("case_my_actions_owned", NULL, role, ME, 6, person, NULL, FIRST_PAGE),                                         \
      S("case_my_actions_led", NULL, role, ME, 6, person, NULL, FIRST_PAGE),                                           \
      S("tl_my_signals", NULL, role, ME, 4, person, AFTER_TS, AFTER_ID, LIMIT),                                        \
      S("case_page", NULL, role, COMMUNITY, 7, ANNA, "open", person, FIRST_PAGE),                                      \
      S("case_page", "updated_since", role, COMMUNITY, 7, ANNA, "open", person, SYNC_PAGE),                            \
      S("hr_tasks", "updated_since", role, ME, 8, NULL, "false", person, DAYS, SYNC_PAGE),                             \
      S("hr_mine", "updated_since", role, ME, 8, NULL, "false", person, DAYS, SYNC_PAGE),                              \
      S("case_my_actions_owned", "updated_since", role, ME, 6, person, NULL, SYNC_PAGE),                               \
      S("case_my_actions_led", "updated_since", role, ME, 6, person, NULL, SYNC_PAGE),                                 \
      S("sync_token", NULL, role, ME, 0, NULL), S("sync_token", NULL, role, COMMUNITY, 0, NULL),                       \
      F("case_viewer", NULL, role, 3, ANNA, C_CONSENT, person)

static const struct probe probes[] = {
    EVERYONE("coordinator", COORDINATOR, S_COORDINATOR),
    EVERYONE("volunteer", VOLUNTEER, S_VOLUNTEER),
    EVERYONE("resident", RESIDENT, S_RESIDENT),
    EVERYONE("professional", PROFESSIONAL, S_PROFESSIONAL),
    EVERYONE("guest", GUEST, S_GUEST),
    F("case_viewer", "no consent", "professional", 3, ANNA, C_NO_CONSENT, PROFESSIONAL),

    /* Members: the desk lists and reads anyone, everybody else reads themself. */
    S("members_page", NULL, "coordinator", COMMUNITY, 6, ANNA, FIRST_PAGE, "false"),
    S("member_get", NULL, "coordinator", COMMUNITY, 2, ANNA, VOLUNTEER),
    S("member_get", NULL, "volunteer", COMMUNITY, 2, ANNA, VOLUNTEER),
    S("member_get", NULL, "resident", COMMUNITY, 2, ANNA, RESIDENT),
    S("member_get", NULL, "professional", COMMUNITY, 2, ANNA, PROFESSIONAL),
    S("member_get", NULL, "guest", COMMUNITY, 2, ANNA, GUEST),

    /* Help requests: $1 community, $2 manages, $3 caller, $4 days, $5-$7 page, $8 limit, $9 status. */
    S("hr_page_all", NULL, "coordinator", COMMUNITY, 9, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, NULL),
    S("hr_page_open", "submitted", "coordinator", COMMUNITY, 9, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE,
      "submitted"),
    S("hr_page_done", NULL, "coordinator", COMMUNITY, 9, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, "done"),
    S("hr_page_closed", "cancelled", "coordinator", COMMUNITY, 9, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE,
      "cancelled"),
    S("hr_page_visible", NULL, "volunteer", COMMUNITY, 9, ANNA, "false", VOLUNTEER, DAYS, FIRST_PAGE, NULL),
    S("hr_page_visible", NULL, "resident", COMMUNITY, 9, ANNA, "false", RESIDENT, DAYS, FIRST_PAGE, NULL),
    S("hr_get", NULL, "coordinator", COMMUNITY, 5, ANNA, "true", COORDINATOR, DAYS, R_BOARD),
    S("hr_get", "matched", "volunteer", COMMUNITY, 5, ANNA, "false", VOLUNTEER, DAYS, R_MATCHED),
    S("hr_get", "offered", "volunteer", COMMUNITY, 5, ANNA, "false", VOLUNTEER, DAYS, R_OFFERED),
    S("hr_get", "on the board", "volunteer", COMMUNITY, 5, ANNA, "false", VOLUNTEER, DAYS, R_BOARD),
    /* Done an hour ago: the place only within the community's private_window (help_request_sees_private). */
    S("hr_get", "done", "volunteer", COMMUNITY, 5, ANNA, "false", VOLUNTEER, DAYS, R_DONE),
    S("hr_get", NULL, "resident", COMMUNITY, 5, ANNA, "false", RESIDENT, DAYS, R_BOARD),
    /* The resident's own request once matched: her confirmed helper's name and phone (0016). */
    S("hr_get", "matched", "resident", COMMUNITY, 5, ANNA, "false", RESIDENT, DAYS, R_MATCHED),
    /* One occurrence with its feedback history, after the resident's feedback (0016). */
    S("hr_occurrence_doc", NULL, "resident", COMMUNITY, 3, ANNA, R_DONE, "00000000-0000-4000-8000-0000000d00f4"),
    /* Changing the time of a request: whether some date was done already (0016). */
    S("hr_occurrences_done", NULL, "resident", COMMUNITY, 2, ANNA, R_DONE),
    /* The desk finds a caller (issue 13): by name, by a whole phone number, by a part of one, by
     * a street that many share; a person's phone at registration; the desk's person document. */
    S("members_search", "name", "coordinator", COMMUNITY, 5, ANNA, "%jose verbeek%", AFTER_TS, AFTER_ID, LIMIT),
    S("members_search", "phone", "coordinator", COMMUNITY, 5, ANNA, "%+31659001234%", AFTER_TS, AFTER_ID, LIMIT),
    S("members_search", "part of a phone", "coordinator", COMMUNITY, 5, ANNA, "%1234%", AFTER_TS, AFTER_ID, LIMIT),
    S("members_search", "street", "coordinator", COMMUNITY, 5, ANNA, "%kerkstr%", AFTER_TS, AFTER_ID, LIMIT),
    S("people_phone_owner", NULL, "coordinator", COMMUNITY, 1, "+31659001234"),
    S("people_get", NULL, "coordinator", COMMUNITY, 2, ANNA, VOLUNTEER),
    S("people_lock", NULL, "coordinator", COMMUNITY, 1, VOLUNTEER),
    /* PATCH /v1/me takes the person's row first. */
    S("me_lock", NULL, "resident", ME, 1, RESIDENT),
    /* Offering and claiming: who of the ids passes the hard filters (offers.c). */
    S("hr_eligible_among", "claim", "volunteer", COMMUNITY, 4, ANNA, R_BOARD, DAYS, "[\"" VOLUNTEER "\"]"),
    S("hr_eligible_among", "offer", "coordinator", COMMUNITY, 4, ANNA, R_BOARD, DAYS,
      "[\"" VOLUNTEER "\", \"" RESIDENT "\"]"),
    /* Answering an offer again: what the first answer said (offers.c). */
    S("hr_offer_read", NULL, "volunteer", COMMUNITY, 2, ANNA, "00000000-0000-4000-8000-0000000f0001"),
    /* A retry with an Idempotency-Key, in a community and outside one (idempotency.c). */
    S("idempotency_find", NULL, "volunteer", COMMUNITY, 3, ANNA, VOLUNTEER, "retry-1"),
    S("idempotency_find", "no community", "volunteer", ME, 3, NULL, VOLUNTEER, "retry-1"),
    /* Told apart from a refusal: may the caller see the request at all (help_request_row.c). */
    S("hr_visible", NULL, "volunteer", COMMUNITY, 5, ANNA, "false", VOLUNTEER, DAYS, R_BOARD),
    S("hr_visible", NULL, "resident", COMMUNITY, 5, ANNA, "false", RESIDENT, DAYS, R_MATCHED),
    S("hr_board", NULL, "volunteer", COMMUNITY, 8, ANNA, "false", VOLUNTEER, DAYS, FIRST_PAGE),
    /* The queue: $9 the handler (NULL: anyone's), $10 nobody handles it (sql/migrations/0022). */
    S("hr_queue_new", NULL, "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, NULL, "false"),
    S("hr_queue_new", "handler=me", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE,
      COORDINATOR, "false"),
    S("hr_queue_new", "handler=none", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, NULL,
      "true"),
    S("hr_queue_new", "updated_since", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, SYNC_PAGE, NULL,
      "false"),
    S("hr_queue_new", "handler=me, updated_since", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS,
      SYNC_PAGE, COORDINATOR, "false"),
    S("hr_queue_unconfirmed", "updated_since", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, SYNC_PAGE,
      NULL, "false"),
    S("hr_page_open", "submitted, updated_since", "coordinator", COMMUNITY, 9, ANNA, "true", COORDINATOR, DAYS,
      SYNC_PAGE, "submitted"),
    S("hr_page_done", "updated_since", "coordinator", COMMUNITY, 9, ANNA, "true", COORDINATOR, DAYS, SYNC_PAGE, "done"),
    S("hr_page_closed", "cancelled, updated_since", "coordinator", COMMUNITY, 9, ANNA, "true", COORDINATOR, DAYS,
      SYNC_PAGE, "cancelled"),
    S("hr_queue_needs_attention", NULL, "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, NULL,
      "false"),
    S("hr_queue_needs_attention", "handler=none", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS,
      FIRST_PAGE, NULL, "true"),
    S("hr_queue_unconfirmed", NULL, "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, NULL,
      "false"),
    S("hr_queue_unconfirmed", "handler=me", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE,
      COORDINATOR, "false"),
    /* Desk hours (0022): read by every member, locked before a change; who may handle a request. */
    S("desk_hours_read", NULL, "coordinator", COMMUNITY, 1, ANNA),
    S("desk_hours_read", NULL, "resident", COMMUNITY, 1, ANNA),
    S("desk_hours_lock", NULL, "coordinator", COMMUNITY, 1, ANNA),
    S("hr_handler_roles", NULL, "coordinator", COMMUNITY, 2, ANNA, COORDINATOR),
    /* Triage as data (sql/migrations/0021): the desk's list of one track ($10), alone, with a
     * status, and with updated_since; the follow-up queue; a request's referrals and one locked. */
    S("hr_page_track", NULL, "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, NULL,
      "professional"),
    S("hr_page_track", "status", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, "triaged",
      "informal"),
    S("hr_page_track", "updated_since", "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, SYNC_PAGE, NULL,
      "business"),
    S("hr_queue_follow_up", NULL, "coordinator", COMMUNITY, 10, ANNA, "true", COORDINATOR, DAYS, FIRST_PAGE, NULL,
      "false"),
    S("referral_list", NULL, "coordinator", COMMUNITY, 2, ANNA, R_BOARD),
    S("referral_lock", NULL, "coordinator", COMMUNITY, 3, ANNA, R_BOARD, R_BOARD),
    S("hr_referral_add", NULL, "coordinator", COMMUNITY, 7, ANNA, R_BOARD, NULL, NULL, NULL, NULL, COORDINATOR),
    /* The desk summary: the current month, and the longest period (two years). */
    S("desk_summary", NULL, "coordinator", COMMUNITY, 4, ANNA, NULL, NULL, "nl"),
    S("desk_summary", "two years", "coordinator", COMMUNITY, 4, ANNA, "2025-01-01", "2026-12-31", "nl"),
    S("hr_suggest_candidates", NULL, "coordinator", COMMUNITY, 3, ANNA, R_BOARD, DAYS),
    S("hr_suggest_room", NULL, "coordinator", COMMUNITY, 4, ANNA,
      "[{\"person_id\": \"" VOLUNTEER "\", \"capacity_hours\": \"16.0\"}, {\"person_id\": \"" RESIDENT
      "\", \"capacity_hours\": \"8.0\"}]",
      "1.5", "2026-12-09T10:00:00Z"),
    /* The volunteer app (sql/migrations/0014): her offers across communities, whether she already
     * stepped back from a request. */
    S("offers_mine", NULL, "volunteer", ME, 5, VOLUNTEER, FIRST_PAGE),
    S("hr_my_offer_status", NULL, "volunteer", COMMUNITY, 3, ANNA, R_OFFERED, VOLUNTEER),
    S("hr_offers", NULL, "coordinator", COMMUNITY, 2, ANNA, R_OFFERED),
    /* Matching (sql/migrations/0009): volunteer_candidates for suggestions (all candidates) and
     * volunteer_room for the ones asked about; eligible_volunteers, both together, through
     * volunteer_eligible for the board and the visibility of a request (one volunteer). */
    F("volunteer_candidates", "suggestions", "coordinator", 4, ANNA, R_BOARD, DAYS, NULL),
    F("volunteer_candidates", "one volunteer", "volunteer", 4, ANNA, R_BOARD, DAYS, "{" VOLUNTEER "}"),
    F("volunteer_room", NULL, "coordinator", 5, ANNA, VOLUNTEER, "16.0", "1.5", "2026-12-09T10:00:00Z"),
    F("eligible_volunteers", "suggestions", "coordinator", 4, ANNA, R_BOARD, DAYS, NULL),
    F("eligible_volunteers", "one volunteer", "volunteer", 4, ANNA, R_BOARD, DAYS, "{" VOLUNTEER "}"),
    F("volunteer_eligible", NULL, "volunteer", 4, ANNA, R_BOARD, DAYS, VOLUNTEER),

    /* One case: case_access runs first on every case route. */
    S("case_access", NULL, "coordinator", COMMUNITY, 3, ANNA, C_CONSENT, COORDINATOR),
    S("case_access", NULL, "volunteer", COMMUNITY, 3, ANNA, C_CONSENT, VOLUNTEER),
    S("case_access", NULL, "resident", COMMUNITY, 3, ANNA, C_CONSENT, RESIDENT),
    S("case_access", "consent", "professional", COMMUNITY, 3, ANNA, C_CONSENT, PROFESSIONAL),
    S("case_access", "no consent", "professional", COMMUNITY, 3, ANNA, C_NO_CONSENT, PROFESSIONAL),
    S("case_access", NULL, "guest", COMMUNITY, 3, ANNA, C_CONSENT, GUEST),
    S("case_doc", NULL, "coordinator", COMMUNITY, 3, ANNA, C_CONSENT, COORDINATOR),
    S("case_doc", NULL, "volunteer", COMMUNITY, 3, ANNA, C_CONSENT, VOLUNTEER),
    S("case_doc", NULL, "resident", COMMUNITY, 3, ANNA, C_CONSENT, RESIDENT),
    S("case_doc", "consent", "professional", COMMUNITY, 3, ANNA, C_CONSENT, PROFESSIONAL),
    S("case_doc", "no consent", "professional", COMMUNITY, 3, ANNA, C_NO_CONSENT, PROFESSIONAL),
    S("case_doc", NULL, "guest", COMMUNITY, 3, ANNA, C_CONSENT, GUEST),
    /* $4: whether the caller sees the case's basic facts (all actions) or only their own. */
    S("case_actions", NULL, "coordinator", COMMUNITY, 4, ANNA, C_CONSENT, COORDINATOR, "true"),
    S("case_actions", NULL, "volunteer", COMMUNITY, 4, ANNA, C_CONSENT, VOLUNTEER, "true"),
    S("case_actions", NULL, "resident", COMMUNITY, 4, ANNA, C_CONSENT, RESIDENT, "true"),
    S("case_actions", "consent", "professional", COMMUNITY, 4, ANNA, C_CONSENT, PROFESSIONAL, "true"),
    S("case_actions", "no consent", "professional", COMMUNITY, 4, ANNA, C_NO_CONSENT, PROFESSIONAL, "false"),
    S("case_actions", NULL, "guest", COMMUNITY, 4, ANNA, C_CONSENT, GUEST, "true"),
    /* One action (GET .../actions/{id}): $3 caller, $4 sees all, $5 the action (none known: a miss
     * costs what a hit does). */
    S("case_action_get", NULL, "coordinator", COMMUNITY, 5, ANNA, C_CONSENT, COORDINATOR, "true", R_BOARD),
    S("case_action_get", "no consent", "professional", COMMUNITY, 5, ANNA, C_NO_CONSENT, PROFESSIONAL, "false",
      R_BOARD),
    S("case_action_get", NULL, "volunteer", COMMUNITY, 5, ANNA, C_CONSENT, VOLUNTEER, "true", R_BOARD),
    /* Who may be a consent grantee, whether the subject herself consented to a representative,
     * the subject of a case a refused request named (access log), and the subject's log page. */
    S("case_consent_grantee", NULL, "resident", COMMUNITY, 3, ANNA, C_CONSENT, VOLUNTEER),
    S("case_subject_consent", NULL, "coordinator", COMMUNITY, 4, ANNA, C_CONSENT, VOLUNTEER, RESIDENT),
    S("access_log_case_subject", NULL, "coordinator", COMMUNITY, 2, ANNA, C_CONSENT),
    S("case_access_log_page", NULL, "resident", COMMUNITY, 6, ANNA, C_CONSENT, FIRST_PAGE),
    /* Timeline: $4/$5 cursor, $6 limit. */
    S("tl_page", NULL, "coordinator", COMMUNITY, 6, ANNA, C_CONSENT, COORDINATOR, AFTER_TS, AFTER_ID, LIMIT),
    S("tl_page", NULL, "volunteer", COMMUNITY, 6, ANNA, C_CONSENT, VOLUNTEER, AFTER_TS, AFTER_ID, LIMIT),
    S("tl_page", NULL, "resident", COMMUNITY, 6, ANNA, C_CONSENT, RESIDENT, AFTER_TS, AFTER_ID, LIMIT),
    S("tl_page", "consent", "professional", COMMUNITY, 6, ANNA, C_CONSENT, PROFESSIONAL, AFTER_TS, AFTER_ID, LIMIT),
    S("tl_page", "no consent", "professional", COMMUNITY, 6, ANNA, C_NO_CONSENT, PROFESSIONAL, AFTER_TS, AFTER_ID,
      LIMIT),
    S("tl_page", NULL, "guest", COMMUNITY, 6, ANNA, C_CONSENT, GUEST, AFTER_TS, AFTER_ID, LIMIT),
    /* A lead acknowledging a signal whose text their consent withholds (timeline.c). */
    S("tl_get_withheld", NULL, "professional", COMMUNITY, 3, ANNA, C_NO_CONSENT,
      "00000000-0000-4000-8000-0000000f0002"),

    /* Acting on someone's behalf (issue 13): the person's own record on /v1/me/on-behalf, the
     * desk's pages, whom the desk may act for, and the consent records with the desk's. */
    S("on_behalf_mine", NULL, "resident", ME, 5, RESIDENT, FIRST_PAGE),
    S("on_behalf_mine", "updated_since", "resident", ME, 5, RESIDENT, SYNC_PAGE),
    S("on_behalf_mine", NULL, "volunteer", ME, 5, VOLUNTEER, FIRST_PAGE),
    S("on_behalf_mine", NULL, "coordinator", ME, 5, COORDINATOR, FIRST_PAGE),
    S("on_behalf_person_page", NULL, "coordinator", COMMUNITY, 5, ANNA, RESIDENT, AFTER_TS, AFTER_ID, LIMIT),
    S("on_behalf_community_page", NULL, "coordinator", COMMUNITY, 4, ANNA, AFTER_TS, AFTER_ID, LIMIT),
    S("on_behalf_member_role", NULL, "coordinator", COMMUNITY, 3, ANNA, RESIDENT, "resident"),
    S("on_behalf_member_role", NULL, "volunteer", COMMUNITY, 3, ANNA, VOLUNTEER, "volunteer"),
    S("case_consents", NULL, "resident", COMMUNITY, 2, ANNA, C_CONSENT),
    S("case_consents", NULL, "coordinator", COMMUNITY, 2, ANNA, C_CONSENT),
};
#define PROBE_COUNT (sizeof probes / sizeof probes[0])

/* Seq Scans accepted by decision, each with its reason: the statement or function (as in
 * `probes`) and the relation. Keep this short; every entry is a cost that grows with the table.
 * Printed with the plans, so they stay in sight. */
static const struct allowance {
  const char *name;
  const char *relation;
  const char *why;
} allowances[] = {
    /* Matching ranks every volunteer who has the skill, and `skills @> ARRAY[category]` cannot use
     * the GIN index under row-level security (arraycontains is not leakproof). One pass over the
     * community's profiles; bench/matching.sh holds it to its latency target. */
    {"volunteer_candidates", "volunteer_profiles", "matching: one pass over the community's profiles"},
    {"eligible_volunteers", "volunteer_profiles", "inlines volunteer_candidates (matching)"},
    {"hr_suggest_candidates", "volunteer_profiles", "inlines volunteer_candidates (matching)"},
    {NULL, NULL, NULL}, /* the end of the list */
};

/* ---- a growable string ------------------------------------------------------------------ */

struct text {
  char *s; /* NUL-terminated once anything was added; NULL before */
  size_t len, cap;
  int failed; /* out of memory: the content is incomplete */
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...) {
  if (t->failed) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    t->failed = 1;
    return;
  }
  if (t->len + (size_t)n + 1 > t->cap) {
    size_t cap = (t->len + (size_t)n + 1) * 2;
    char *grown = realloc(t->s, cap);
    if (grown == NULL) {
      t->failed = 1;
      return;
    }
    t->s = grown;
    t->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

static void text_free(struct text *t) {
  free(t->s);
  memset(t, 0, sizeof *t);
}

static const char *text_str(const struct text *t) { return t->failed ? "(out of memory)" : t->s != NULL ? t->s : ""; }

/* ---- what the test learns before it starts -------------------------------------------------- */

static struct {
  json_t *rows;         /* relation name -> reltuples (as the owner, after VACUUM ANALYZE) */
  json_t *readers;      /* function name -> {"body", "direct", "inlinable"}: public functions whose body
                       * names a table (direct, unless PostgreSQL can inline it) or calls such a
                       * function */
  json_t *functions;    /* function name -> {"sql": body as a statement, "nargs": n} or {"error": text} */
  json_t *policy_calls; /* relation name -> [function names its policies call] */
  json_t *prepared;     /* statement name -> {"sql": text, "nparams": n}, from the pool's connection */
  json_t *causes;       /* problem -> {"statement as role": true}, for the summary */
  /* Per probe and plan mode: EXPLAIN ... EXECUTE ... and its statement name; NULL when the probe
   * cannot run. */
  char *explain_sql[PROBE_COUNT][2];
  char *explain_name[PROBE_COUNT][2];
  struct db_statement *statements; /* ours, registered after the modules' */
  const char *setup_error;         /* when set, every test fails with it */
} fx;

/* The rows printed after the run: one per probe and plan mode. */
struct report_row {
  int done;
  double planning_ms;
  char *top;   /* top node and the scan that drives it */
  char *calls; /* functions the statement calls whose plans EXPLAIN does not show */
  int problems;
};
static struct report_row report[PROBE_COUNT][2];
static const char *const mode_names[2] = {"custom", "generic"};
static const char *const mode_statements[2] = {"plans_mode_custom", "plans_mode_generic"};

/* The failure text of the test that runs now; kept reachable until the next test frees it. */
static struct text failure;

static const struct account *account_named(const char *role) {
  for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++)
    if (strcmp(accounts[i].role, role) == 0) return &accounts[i];
  return NULL;
}

static int has_function_probe(const char *name) {
  for (size_t i = 0; i < PROBE_COUNT; i++)
    if (probes[i].kind == FUNCTION_BODY && strcmp(probes[i].name, name) == 0) return 1;
  return 0;
}

static int ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Whether `sql` mentions `word` as a whole identifier (schema-qualified too); with `call`,
 * followed by '('. */
static int mentions(const char *sql, const char *word, int call) {
  size_t n = strlen(word);
  for (const char *p = strstr(sql, word); p != NULL; p = strstr(p + 1, word)) {
    if (p > sql && ident_char(p[-1])) continue;
    const char *q = p + n;
    if (ident_char(*q)) continue;
    if (!call) return 1;
    while (*q == ' ' || *q == '\n' || *q == '\t') q++;
    if (*q == '(') return 1;
  }
  return 0;
}

static PGresult *owner_query(PGconn *pg, const char *sql, int n, const char *const *params) {
  PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    fprintf(stderr, "plans: %s\n  failed: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    return NULL;
  }
  return res;
}

/* Whether `p` starts with the keyword `word` (any case), not followed by an identifier character. */
static int keyword_at(const char *p, const char *word) {
  size_t n = strlen(word);
  return strncasecmp(p, word, n) == 0 && !ident_char(p[n]);
}

/* The statement of a PL/pgSQL body "BEGIN PERFORM x; END" or "BEGIN RETURN x; END" as
 * "SELECT x": what PL/pgSQL plans and runs. NULL for anything else (declarations, more than one
 * statement, control flow) or when out of memory. */
static char *plpgsql_statement(const char *body) {
  const char *p = body + strspn(body, " \t\r\n");
  if (!keyword_at(p, "BEGIN")) return NULL;
  p += strlen("BEGIN");
  p += strspn(p, " \t\r\n");
  size_t skip = keyword_at(p, "PERFORM") ? strlen("PERFORM") : keyword_at(p, "RETURN") ? strlen("RETURN") : 0;
  if (skip == 0) return NULL;
  const char *start = p + skip;
  /* The end of the statement: the first ';' outside string literals and parentheses. */
  const char *end = start;
  int depth = 0;
  for (; *end != '\0' && !(*end == ';' && depth == 0); end++) {
    if (*end == '\'') {
      end++;
      while (*end != '\0' && !(*end == '\'' && end[1] != '\'')) end += *end == '\'' ? 2 : 1;
      if (*end == '\0') return NULL;
    } else if (*end == '(') {
      depth++;
    } else if (*end == ')') {
      depth--;
    }
  }
  if (*end != ';') return NULL;
  const char *rest = end + 1 + strspn(end + 1, " \t\r\n");
  if (!keyword_at(rest, "END")) return NULL;
  rest += strlen("END");
  rest += strspn(rest, "; \t\r\n");
  if (*rest != '\0') return NULL;
  char *out = NULL;
  return asprintf(&out, "SELECT %.*s", (int)(end - start), start) >= 0 ? out : NULL;
}

/* The body of a LANGUAGE sql function (or the one statement of a simple PL/pgSQL one) with each
 * IN parameter replaced by ($n::type), so that it can be prepared and explained as a statement of
 * its own. Returns 0, or -1 with `error` set. */
static int function_statement(PGconn *pg, const char *name, json_t **out, struct text *error) {
  /* One row per IN parameter (one row of NULLs for a function without), in order. */
  static const char *const sql =
      "SELECT p.prosrc, l.lanname, a.name, format_type(a.type, NULL), "
      "(SELECT count(*) FROM pg_proc q WHERE q.proname = $1 AND q.pronamespace = 'public'::regnamespace) "
      "FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
      "LEFT JOIN LATERAL (SELECT * FROM unnest(p.proargnames, COALESCE(p.proallargtypes, p.proargtypes::oid[]), "
      "  COALESCE(p.proargmodes, array_fill('i'::\"char\", ARRAY[p.pronargs::int]))) WITH ORDINALITY u(name, type, mode, ord) "
      "  WHERE u.mode IN ('i', 'b')) a ON true "
      "WHERE p.proname = $1 AND p.pronamespace = 'public'::regnamespace ORDER BY a.ord";
  *out = NULL;
  PGresult *res = owner_query(pg, sql, 1, (const char *[]){name});
  if (res == NULL) {
    text_add(error, "could not read the function %s", name);
    return -1;
  }
  int rows = PQntuples(res) == 1 && PQgetisnull(res, 0, 3) ? 0 : PQntuples(res); /* IN parameters */
  int rc = 0;
  if (PQntuples(res) == 0) {
    text_add(error,
             "no function named %s in schema public (renamed? update the table at the top of "
             "tests/plans/test_plans.c)",
             name);
    rc = -1;
  } else if (atoi(PQgetvalue(res, 0, 4)) != 1) {
    text_add(error, "more than one function is named %s", name);
    rc = -1;
  }
  char *plpgsql = NULL; /* the one statement of a PL/pgSQL body, as a SELECT */
  if (rc == 0 && strcmp(PQgetvalue(res, 0, 1), "plpgsql") == 0) {
    plpgsql = plpgsql_statement(PQgetvalue(res, 0, 0));
    if (plpgsql == NULL) {
      text_add(error,
               "%s is PL/pgSQL with more than one PERFORM or RETURN: only LANGUAGE sql bodies and PL/pgSQL "
               "bodies of one PERFORM or RETURN statement can be explained here",
               name);
      rc = -1;
    }
  } else if (rc == 0 && strcmp(PQgetvalue(res, 0, 1), "sql") != 0) {
    text_add(error, "%s is LANGUAGE %s: only LANGUAGE sql bodies can be explained here", name, PQgetvalue(res, 0, 1));
    rc = -1;
  }
  struct text body = {0};
  const char *src = rc != 0 ? "" : plpgsql != NULL ? plpgsql : PQgetvalue(res, 0, 0);
  while (rc == 0 && *src != '\0') {
    if (*src == '\'') { /* a string literal, '' included */
      const char *end = src + 1;
      while (*end != '\0' && !(*end == '\'' && end[1] != '\'')) end += *end == '\'' ? 2 : 1;
      if (*end == '\'') end++;
      text_add(&body, "%.*s", (int)(end - src), src);
      src = end;
    } else if (src[0] == '-' && src[1] == '-') { /* a comment, to the end of the line */
      size_t n = strcspn(src, "\n");
      text_add(&body, "%.*s", (int)n, src);
      src += n;
    } else if (ident_char(*src) && (body.len == 0 || !(ident_char(body.s[body.len - 1]) ||
                                                       body.s[body.len - 1] == '.' || body.s[body.len - 1] == '$'))) {
      size_t n = 1;
      while (ident_char(src[n])) n++;
      int replaced = 0;
      for (int i = 0; i < rows && !replaced; i++) {
        const char *arg = PQgetvalue(res, i, 2);
        if (strlen(arg) == n && strncmp(arg, src, n) == 0) {
          text_add(&body, "($%d::%s)", i + 1, PQgetvalue(res, i, 3));
          replaced = 1;
        }
      }
      if (!replaced) text_add(&body, "%.*s", (int)n, src);
      src += n;
    } else {
      text_add(&body, "%c", *src);
      src++;
    }
  }
  if (rc == 0 && body.failed) {
    text_add(error, "out of memory");
    rc = -1;
  }
  if (rc == 0) {
    *out = json_pack("{s:s, s:i}", "sql", body.s, "nargs", rows);
    if (*out == NULL) rc = -1;
  }
  text_free(&body);
  free(plpgsql);
  PQclear(res);
  return rc;
}

/* Table sizes, table-reading functions, what policies call, function bodies, and the EXPLAIN
 * text of every probe, all read as the schema owner. Returns 0 or -1 (reason on stderr). */
static int learn(PGconn *pg) {
  fx.rows = json_object();
  fx.readers = json_object();
  fx.functions = json_object();
  fx.policy_calls = json_object();
  fx.causes = json_object();
  if (fx.rows == NULL || fx.readers == NULL || fx.functions == NULL || fx.policy_calls == NULL || fx.causes == NULL)
    return -1;

  PGresult *res = owner_query(pg,
                              "SELECT c.relname, c.reltuples::bigint FROM pg_class c "
                              "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'm')",
                              0, NULL);
  if (res == NULL) return -1;
  int failed = 0;
  for (int i = 0; i < PQntuples(res); i++)
    failed |= json_object_set_new(fx.rows, PQgetvalue(res, i, 0), json_integer(atoll(PQgetvalue(res, i, 1))));
  PQclear(res);
  if (failed) return -1;

  /* Functions that read tables: their body names one, or calls a function that does. */
  res = owner_query(pg,
                    "SELECT p.proname, p.prosrc, l.lanname = 'sql' AND p.proretset AND p.provolatile <> 'v' "
                    "AND NOT p.prosecdef AND NOT p.proisstrict AND p.proconfig IS NULL "
                    "FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
                    "WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'",
                    0, NULL);
  if (res == NULL) return -1;
  for (int i = 0; i < PQntuples(res); i++) {
    const char *body = PQgetvalue(res, i, 1);
    const char *relation;
    json_t *rows;
    json_object_foreach(fx.rows, relation, rows) {
      if (mentions(body, relation, 0)) {
        int inlinable = strcmp(PQgetvalue(res, i, 2), "t") == 0;
        failed |= json_object_set_new(
            fx.readers, PQgetvalue(res, i, 0),
            json_pack("{s:s, s:b, s:b}", "body", body, "direct", !inlinable, "inlinable", inlinable));
        break;
      }
    }
  }
  for (int changed = 1; changed && !failed;) {
    changed = 0;
    for (int i = 0; i < PQntuples(res); i++) {
      const char *name = PQgetvalue(res, i, 0);
      if (json_object_get(fx.readers, name) != NULL) continue;
      const char *reader;
      json_t *info;
      json_object_foreach(fx.readers, reader, info) {
        if (!mentions(PQgetvalue(res, i, 1), reader, 1)) continue;
        failed |= json_object_set_new(fx.readers, name,
                                      json_pack("{s:s, s:b, s:b}", "body", PQgetvalue(res, i, 1), "direct", 0,
                                                "inlinable", strcmp(PQgetvalue(res, i, 2), "t") == 0));
        changed = 1;
        break;
      }
    }
  }
  PQclear(res);
  if (failed) return -1;

  res = owner_query(pg,
                    "SELECT tablename, COALESCE(qual, '') || ' ' || COALESCE(with_check, '') FROM pg_policies "
                    "WHERE schemaname = 'public'",
                    0, NULL);
  if (res == NULL) return -1;
  for (int i = 0; i < PQntuples(res); i++) {
    const char *function;
    json_t *body;
    json_object_foreach(fx.readers, function, body) {
      if (!mentions(PQgetvalue(res, i, 1), function, 1)) continue;
      json_t *list = json_object_get(fx.policy_calls, PQgetvalue(res, i, 0));
      if (list == NULL && json_object_set_new(fx.policy_calls, PQgetvalue(res, i, 0), json_array()) == 0)
        list = json_object_get(fx.policy_calls, PQgetvalue(res, i, 0));
      failed |= list == NULL || json_array_append_new(list, json_string(function)) != 0;
    }
  }
  PQclear(res);
  if (failed) return -1;

  for (size_t i = 0; i < PROBE_COUNT; i++) {
    if (probes[i].kind != FUNCTION_BODY || json_object_get(fx.functions, probes[i].name) != NULL) continue;
    json_t *fn = NULL;
    struct text error = {0};
    if (function_statement(pg, probes[i].name, &fn, &error) != 0) fn = json_pack("{s:s}", "error", text_str(&error));
    text_free(&error);
    if (fn == NULL || json_object_set_new(fx.functions, probes[i].name, fn) != 0) return -1;
  }

  /* EXPLAIN EXECUTE takes no bind parameters ("bind message supplies 9 parameters, but prepared
   * statement requires 0"): the values go into the EXECUTE argument list as escaped literals.
   * Test code only; the server passes parameters. */
  char days[16], limit[16];
  snprintf(days, sizeof days, "%d", volunteers_certificate_days());
  snprintf(limit, sizeof limit, "%d", PAGE_DEFAULT_LIMIT + 1);
  const struct page_request first_page = {.limit = PAGE_DEFAULT_LIMIT};
  static const char *const placeholders[] = {DAYS, LIMIT, SINCE, AFTER_TS, AFTER_ID, "@week_ago"};
  char week_ago[32];
  time_t then = time(NULL) - 7 * 24 * 3600;
  struct tm then_utc;
  if (gmtime_r(&then, &then_utc) == NULL || strftime(week_ago, sizeof week_ago, "%Y-%m-%dT%H:%M:%SZ", &then_utc) == 0)
    return -1;
  const char *resolved[] = {days,
                            limit,
                            paging_param_since(&first_page),
                            paging_param_after_ts(&first_page),
                            paging_param_after_id(&first_page),
                            week_ago};
  for (size_t i = 0; i < PROBE_COUNT; i++) {
    const struct probe *p = &probes[i];
    char *target = NULL;
    if (p->kind == FUNCTION_BODY) {
      target = json_object_get(json_object_get(fx.functions, p->name), "sql") != NULL ? msprintf("plans_fn_%s", p->name)
                                                                                      : NULL;
      if (target == NULL) continue; /* the test reports why */
    } else {
      target = o_strdup(p->name);
    }
    char *ident = target != NULL ? PQescapeIdentifier(pg, target, strlen(target)) : NULL;
    o_free(target);
    if (ident == NULL) return -1;
    struct text sql = {0};
    text_add(&sql, "EXECUTE %s", ident);
    PQfreemem(ident);
    for (int k = 0; k < p->nparams && k < MAX_PARAMS; k++) {
      const char *v = p->params[k];
      for (size_t r = 0; v != NULL && r < sizeof placeholders / sizeof placeholders[0]; r++)
        if (strcmp(v, placeholders[r]) == 0) v = resolved[r];
      char *literal = v != NULL ? PQescapeLiteral(pg, v, strlen(v)) : NULL;
      if (v != NULL && literal == NULL) {
        text_free(&sql);
        return -1;
      }
      text_add(&sql, "%s%s", k == 0 ? "(" : ", ", literal != NULL ? literal : "NULL");
      PQfreemem(literal);
    }
    if (p->nparams > 0) text_add(&sql, ")");
    if (sql.failed) {
      text_free(&sql);
      return -1;
    }
    /* The generic plan runs once (ANALYZE, in the probe's transaction, rolled back): a branch under
     * a One-Time Filter that these parameters switch off shows as never executed. The custom plan
     * has such a filter folded to false already. Times are not read. */
    fx.explain_sql[i][0] = msprintf("EXPLAIN (FORMAT JSON, SUMMARY) %s", sql.s);
    fx.explain_sql[i][1] = msprintf("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON, SUMMARY) %s", sql.s);
    fx.explain_name[i][0] = msprintf("plans_explain_%zu", i);
    fx.explain_name[i][1] = msprintf("plans_analyze_%zu", i);
    text_free(&sql);
    for (int m = 0; m < 2; m++)
      if (fx.explain_sql[i][m] == NULL || fx.explain_name[i][m] == NULL) return -1;
  }
  return 0;
}

/* Every module's statements exactly as `noaber serve` registers them (src/statements.c), then ours. */
static int register_all(void) {
  if (statements_register_all() != 0) return -1;
  size_t max = 4 + json_object_size(fx.functions) + 2 * PROBE_COUNT;
  fx.statements = calloc(max, sizeof *fx.statements);
  if (fx.statements == NULL) return -1;
  size_t n = 0;
  fx.statements[n++] =
      (struct db_statement){"plans_mode_custom", "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"};
  fx.statements[n++] =
      (struct db_statement){"plans_mode_generic", "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)"};
  /* So that the generic plan is planned again for each probe and its planning time is real. */
  fx.statements[n++] = (struct db_statement){"plans_discard", "DISCARD PLANS"};
  fx.statements[n++] = (struct db_statement){
      "plans_prepared", "SELECT name, statement, cardinality(parameter_types) FROM pg_prepared_statements"};
  const char *function;
  json_t *fn;
  json_object_foreach(fx.functions, function, fn) {
    const char *sql = json_string_value(json_object_get(fn, "sql"));
    if (sql == NULL) continue;
    char *name = msprintf("plans_fn_%s", function);
    if (name == NULL) return -1;
    /* The name is owned by fx.functions from here on, freed with it. */
    int failed = json_object_set_new(fn, "statement", json_string(name));
    o_free(name);
    if (failed) return -1;
    fx.statements[n++] = (struct db_statement){json_string_value(json_object_get(fn, "statement")), sql};
  }
  for (size_t i = 0; i < PROBE_COUNT; i++)
    for (int m = 0; m < 2; m++)
      if (fx.explain_sql[i][m] != NULL)
        fx.statements[n++] = (struct db_statement){fx.explain_name[i][m], fx.explain_sql[i][m]};
  return db_register_statements(fx.statements, n);
}

/* The statements prepared on the pool's connections, as the server has them. */
static int read_prepared(void) {
  struct db_conn *conn = NULL;
  PGresult *res = NULL;
  if (db_acquire(&conn) != DB_OK) return -1;
  int rc = db_query(conn, "plans_prepared", 0, NULL, &res) == DB_OK ? 0 : -1;
  fx.prepared = json_object();
  for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
    json_t *entry = json_pack("{s:s, s:i}", "sql", PQgetvalue(res, i, 1), "nparams", atoi(PQgetvalue(res, i, 2)));
    if (fx.prepared == NULL || entry == NULL || json_object_set_new(fx.prepared, PQgetvalue(res, i, 0), entry) != 0)
      rc = -1;
  }
  PQclear(res);
  db_release(conn);
  return rc;
}

static void forget(void) {
  json_decref(fx.rows);
  json_decref(fx.readers);
  json_decref(fx.functions);
  json_decref(fx.policy_calls);
  json_decref(fx.prepared);
  json_decref(fx.causes);
  for (size_t i = 0; i < PROBE_COUNT; i++)
    for (int m = 0; m < 2; m++) {
      o_free(fx.explain_sql[i][m]);
      o_free(fx.explain_name[i][m]);
    }
  free(fx.statements);
  for (size_t i = 0; i < PROBE_COUNT; i++)
    for (int m = 0; m < 2; m++) {
      o_free(report[i][m].top);
      o_free(report[i][m].calls);
    }
  text_free(&failure);
  memset(&fx, 0, sizeof fx);
}

/* ---- reading a plan ---------------------------------------------------------------------- */

struct check {
  const struct probe *probe;
  json_t *found; /* one string per problem */
  int problems;
  json_t *seen_relations; /* relation -> true, every relation the plan reads */
  json_t *hashed;         /* "SubPlan N" -> true, for every "(hashed SubPlan N)" in an expression */
};

/* A problem: `cause` says what is wrong in words that group alike problems of all probes,
 * `at` where in the plan it is. */
static void found(struct check *c, const char *cause, const char *at) {
  c->problems++;
  json_t *item =
      json_pack("{s:s, s:s}", "cause", cause != NULL ? cause : "(out of memory)", "at", at != NULL ? at : "");
  if (item == NULL || json_array_append_new(c->found, item) != 0) c->problems++; /* still fails the probe */
}

/* Whether a Seq Scan of `relation` in `probe`'s plan is accepted (see `allowances`). */
static int allowed(const struct probe *probe, const char *relation) {
  for (const struct allowance *a = allowances; a->name != NULL; a++)
    if (strcmp(a->name, probe->name) == 0 && strcmp(a->relation, relation) == 0) return 1;
  return 0;
}

static json_int_t rows_of(const char *relation) {
  json_t *v = json_object_get(fx.rows, relation);
  return v != NULL ? json_integer_value(v) : -1;
}

static const char *field(json_t *node, const char *key) { return json_string_value(json_object_get(node, key)); }

static int is_subplan(json_t *node) {
  const char *rel = field(node, "Parent Relationship");
  return rel != NULL && (strcmp(rel, "InitPlan") == 0 || strcmp(rel, "SubPlan") == 0);
}

/* "Index Scan using x on t h" and the like, for messages. */
static char *describe(json_t *node) {
  const char *type = field(node, "Node Type");
  const char *rel = field(node, "Relation Name");
  const char *alias = field(node, "Alias");
  const char *index = field(node, "Index Name");
  const char *sub = field(node, "Subplan Name");
  return msprintf("%s%s%s%s%s%s%s%s%s", sub != NULL ? sub : "", sub != NULL ? ": " : "", type != NULL ? type : "?",
                  index != NULL ? " using " : "", index != NULL ? index : "", rel != NULL ? " on " : "",
                  rel != NULL ? rel : "", alias != NULL && rel != NULL && strcmp(alias, rel) != 0 ? " " : "",
                  alias != NULL && rel != NULL && strcmp(alias, rel) != 0 ? alias : "");
}

/* Big relations that `node` and its children read, InitPlans and SubPlans below it aside (they
 * are checked on their own), as "name (~rows, access)". */
static void big_relations(json_t *node, struct text *out) {
  const char *rel = field(node, "Relation Name");
  if (rel != NULL && rows_of(rel) > BIG_TABLE_ROWS) {
    const char *index = field(node, "Index Name");
    text_add(out, "%s%s (~%lld rows, %s%s%s)", out->len > 0 ? ", " : "", rel, (long long)rows_of(rel),
             field(node, "Node Type"), index != NULL ? " using " : "", index != NULL ? index : "");
  }
  size_t i;
  json_t *child;
  json_array_foreach(json_object_get(node, "Plans"), i, child) if (!is_subplan(child)) big_relations(child, out);
}

/* PostgreSQL 15 names a hashed subplan "SubPlan N" like any other; only the expression that
 * uses it says "(hashed SubPlan N)". Collect those names from every string in the plan. */
static void find_hashed(json_t *value, json_t *hashed) {
  if (json_is_string(value)) {
    static const char marker[] = "hashed SubPlan ";
    for (const char *p = strstr(json_string_value(value), marker); p != NULL; p = strstr(p + 1, marker)) {
      const char *digits = p + strlen("hashed ");
      size_t n = strlen("SubPlan ") + strspn(digits + strlen("SubPlan "), "0123456789");
      char *name = msprintf("%.*s", (int)n, digits);
      if (name != NULL) json_object_set_new(hashed, name, json_true());
      o_free(name);
    }
  } else if (json_is_object(value)) {
    const char *key;
    json_t *v;
    json_object_foreach(value, key, v) find_hashed(v, hashed);
  } else if (json_is_array(value)) {
    size_t i;
    json_t *v;
    json_array_foreach(value, i, v) find_hashed(v, hashed);
  }
}

/* Where a subplan under `node` is evaluated: "inside the scan of persons" (a policy or a
 * condition on persons), "inside a Result" (a sub-select in the select list). */
static char *owner_of(json_t *node) {
  const char *rel = field(node, "Relation Name");
  return rel != NULL ? msprintf("inside the scan of %s", rel) : msprintf("inside a %s", field(node, "Node Type"));
}

/* Check `node` and everything below it. `path` names where it sits ("main query", then each
 * InitPlan or SubPlan on the way down); `owner` what the innermost subplan is evaluated for. */
static void walk(json_t *node, const char *path, const char *owner, struct check *c) {
  /* A branch under a constant-false One-Time Filter never runs (a UNION ALL arm whose condition
   * on a parameter is false in a custom plan, say). */
  const char *one_time = field(node, "One-Time Filter");
  if (one_time != NULL && strcmp(one_time, "false") == 0) return;
  char *self = describe(node);
  char *inner = is_subplan(node) ? msprintf("%s > %s", path, self != NULL ? self : "?") : NULL;
  const char *where = inner != NULL ? inner : path;
  const char *type = field(node, "Node Type");
  const char *rel = field(node, "Relation Name");
  const char *sub = field(node, "Subplan Name");
  if (rel != NULL) json_object_set_new(c->seen_relations, rel, json_true());
  const char *function = field(node, "Function Name");
  if (type != NULL && strcmp(type, "Function Scan") == 0 && function != NULL &&
      json_is_true(json_object_get(json_object_get(fx.readers, function), "inlinable"))) {
    char *cause = msprintf("%s() is not inlined here, so its plan is hidden, %s", function, owner);
    found(c, cause, where);
    o_free(cause);
  }
  if (type != NULL && strcmp(type, "Seq Scan") == 0 && rel != NULL && rows_of(rel) > BIG_TABLE_ROWS &&
      !allowed(c->probe, rel)) {
    char *cause = msprintf("Seq Scan of %s (~%lld rows), %s", rel, (long long)rows_of(rel), owner);
    char *at = inner != NULL ? NULL : msprintf("%s > %s", path, self != NULL ? self : "?");
    found(c, cause, inner != NULL ? inner : at);
    o_free(cause);
    o_free(at);
  }
  if (sub != NULL && (strncmp(sub, "hashed ", 7) == 0 || json_object_get(c->hashed, sub) != NULL)) {
    struct text big = {0};
    big_relations(node, &big);
    if (big.len > 0) {
      char *cause = msprintf("hashed SubPlan over %s, %s", text_str(&big), owner);
      found(c, cause, where);
      o_free(cause);
    }
    text_free(&big);
  }
  char *child_owner = owner_of(node);
  size_t i;
  json_t *child;
  json_array_foreach(json_object_get(node, "Plans"), i, child) {
    /* ANALYZE: the One-Time Filter of this node ran and kept the branch from running. */
    if (one_time != NULL && !is_subplan(child) && json_integer_value(json_object_get(node, "Actual Loops")) > 0 &&
        json_object_get(child, "Actual Loops") != NULL &&
        json_integer_value(json_object_get(child, "Actual Loops")) == 0)
      continue;
    walk(child, where, is_subplan(child) && child_owner != NULL ? child_owner : owner, c);
  }
  o_free(child_owner);
  o_free(self);
  o_free(inner);
}

/* The top node and the scan that drives the plan (first children, InitPlans and SubPlans aside). */
static char *top_of(json_t *plan) {
  json_t *leaf = plan;
  for (;;) {
    json_t *next = NULL;
    size_t i;
    json_t *child;
    json_array_foreach(json_object_get(leaf, "Plans"), i, child) {
      if (!is_subplan(child)) {
        next = child;
        break;
      }
    }
    if (next == NULL) break;
    leaf = next;
  }
  char *d = describe(leaf);
  char *out = leaf == plan ? msprintf("%s", d != NULL ? d : "?")
                           : msprintf("%s > .. %s", field(plan, "Node Type"), d != NULL ? d : "?");
  o_free(d);
  return out;
}

/* ---- the test ---------------------------------------------------------------------------- */

static char *label_of(const struct probe *p) {
  return msprintf("%s%s%s%s%s", p->kind == FUNCTION_BODY ? "body of " : "", p->name, p->variant != NULL ? " [" : "",
                  p->variant != NULL ? p->variant : "", p->variant != NULL ? "]" : "");
}

/* Remember that `cause` showed in the probe `who` ("hr_get as volunteer"), for the summary. */
static void note_cause(const char *cause, const char *who) {
  if (cause == NULL || who == NULL) return;
  json_t *probes_of = json_object_get(fx.causes, cause);
  if (probes_of == NULL && json_object_set_new(fx.causes, cause, json_object()) == 0)
    probes_of = json_object_get(fx.causes, cause);
  json_object_set_new(probes_of, who, json_true());
}

/* A problem found before any plan was read: into the probe's message and the summary. */
static void precheck_failed(struct text *out, const char *who, char *cause /* taken */) {
  text_add(out, "    %s\n", cause != NULL ? cause : "(out of memory)");
  note_cause(cause, who);
  o_free(cause);
}

/* Note in `calls` the functions that `sql` calls that read tables. One whose body names a table
 * needs an entry of its own in `probes` (else a problem, written to `out`); one that only calls
 * such functions needs entries for those. */
static void hidden_calls(const char *sql, const char *where, const char *who, struct text *calls, struct text *out,
                         int depth) {
  const char *function;
  json_t *info;
  json_object_foreach(fx.readers, function, info) {
    if (!mentions(sql, function, 1)) continue;
    text_add(calls, "%s%s", calls->len > 0 ? ", " : "", function);
    if (json_is_true(json_object_get(info, "direct"))) {
      if (!has_function_probe(function))
        precheck_failed(out, who,
                        msprintf("%s calls %s(), which reads tables where EXPLAIN may not look: add an entry for its "
                                 "body to the table at the top of tests/plans/test_plans.c",
                                 where, function));
    } else if (depth < 8) {
      char *inner = msprintf("%s, through %s(),", where, function);
      hidden_calls(field(info, "body"), inner != NULL ? inner : where, who, calls, out, depth + 1);
      o_free(inner);
    }
  }
}

/* `at` without the numbers PostgreSQL gives subplans and repeated aliases ("SubPlan 12", "h_5"),
 * so that the same problem reads the same in both plans. NULL when out of memory. */
static char *normalized(const char *at) {
  struct text t = {0};
  text_add(&t, "%s", "");
  for (const char *p = at; *p != '\0';) {
    size_t digits;
    if (strncmp(p, "SubPlan ", 8) == 0 || strncmp(p, "InitPlan ", 9) == 0) {
      size_t n = p[0] == 'S' ? 8 : 9;
      text_add(&t, "%.*s#", (int)n, p);
      p += n;
      p += strspn(p, "0123456789");
    } else if (*p == '_' && p > at && ident_char(p[-1]) && (digits = strspn(p + 1, "0123456789")) > 0 &&
               !ident_char(p[1 + digits])) {
      p += 1 + digits;
    } else {
      text_add(&t, "%c", *p);
      p++;
    }
  }
  if (t.failed) {
    text_free(&t);
    return NULL;
  }
  return t.s;
}

static int explain_once(struct db_conn *conn, size_t index, int mode, struct check *c, struct text *calls) {
  if (db_exec(conn, mode_statements[mode], 0, NULL) != DB_OK ||
      (mode == 1 && db_exec(conn, "plans_discard", 0, NULL) != DB_OK)) {
    found(c, "could not set plan_cache_mode (see the log above)", "");
    return -1;
  }
  PGresult *res = NULL;
  if (db_query(conn, fx.explain_name[index][mode], 0, NULL, &res) != DB_OK) {
    found(c, "EXPLAIN failed (see the db_error line above)", fx.explain_sql[index][mode]);
    return -1;
  }
  json_error_t error;
  json_t *doc = PQntuples(res) == 1 ? json_loads(PQgetvalue(res, 0, 0), 0, &error) : NULL;
  PQclear(res);
  json_t *top = json_array_get(doc, 0);
  json_t *plan = json_object_get(top, "Plan");
  if (plan == NULL) {
    found(c, "EXPLAIN gave no plan", "");
    json_decref(doc);
    return -1;
  }
  int before = c->problems;
  find_hashed(plan, c->hashed);
  walk(plan, "main query", "in the main query", c);
  struct report_row *row = &report[index][mode];
  row->done = 1;
  row->planning_ms = json_number_value(json_object_get(top, "Planning Time"));
  row->top = top_of(plan);
  row->calls = calls->len > 0 ? msprintf("%s", text_str(calls)) : NULL;
  row->problems = c->problems - before;
  json_decref(doc);
  return 0;
}

/* Whether `roles` ("a,b") holds `role`. */
static int holds_role(const char *roles, const char *role) {
  size_t n = strlen(role);
  for (const char *p = roles;; p++) {
    size_t len = strcspn(p, ",");
    if (len == n && strncmp(p, role, n) == 0) return 1;
    if (p[len] == '\0') return 0;
    p += len;
  }
}

static void run_probe(size_t index, const char *who, struct text *out) {
  const struct probe *p = &probes[index];
  const struct account *a = account_named(p->role);
  if (a == NULL) {
    precheck_failed(out, who, msprintf("no account named %s in the table", p->role));
    return;
  }
  struct text calls = {0};
  /* The statement must still exist, with the parameters the table gives. */
  if (p->kind == STATEMENT) {
    json_t *prepared = json_object_get(fx.prepared, p->name);
    int expected = (int)json_integer_value(json_object_get(prepared, "nparams"));
    if (prepared == NULL) {
      precheck_failed(out, who,
                      msprintf("no statement named %s is registered by src/ (renamed or split? update the "
                               "table at the top of tests/plans/test_plans.c)",
                               p->name));
      return;
    }
    if (expected != p->nparams) {
      precheck_failed(out, who,
                      msprintf("%s takes %d parameters, the table gives %d: update the table at the top of "
                               "tests/plans/test_plans.c",
                               p->name, expected, p->nparams));
      return;
    }
    hidden_calls(json_string_value(json_object_get(prepared, "sql")), p->name, who, &calls, out, 0);
  } else {
    json_t *fn = json_object_get(fx.functions, p->name);
    int expected = (int)json_integer_value(json_object_get(fn, "nargs"));
    if (json_object_get(fn, "error") != NULL) {
      precheck_failed(out, who, msprintf("%s", field(fn, "error")));
      return;
    }
    if (expected != p->nparams) {
      precheck_failed(out, who,
                      msprintf("%s takes %d parameters, the table gives %d: update the table at the top of "
                               "tests/plans/test_plans.c",
                               p->name, expected, p->nparams));
      return;
    }
    const char *body = field(json_object_get(fx.readers, p->name), "body");
    char *where = msprintf("the body of %s", p->name);
    if (body != NULL) hidden_calls(body, where != NULL ? where : p->name, who, &calls, out, 0);
    o_free(where);
  }

  /* The transaction exactly as api/server.c open_transaction() opens it. */
  struct db_context ctx = {
      .person_id = a->person_id, .community_id = p->scope == COMMUNITY ? ANNA : NULL, .session_id = a->session_id};
  struct db_conn *conn = NULL;
  PGresult *roles = NULL;
  enum db_status st = db_transaction_start(&conn, &ctx, p->scope == COMMUNITY ? MEMBERS_ROLES_STATEMENT : NULL,
                                           p->scope == COMMUNITY ? &roles : NULL);
  if (st != DB_OK) {
    precheck_failed(out, who, msprintf("could not open the transaction (db status %d)", (int)st));
    text_free(&calls);
    return;
  }
  int ok = 1;
  if (p->scope == COMMUNITY && !holds_role(PQgetvalue(roles, 0, 0), a->member_role)) {
    precheck_failed(out, who,
                    msprintf("%s is not a member of Anna Zorgt with the role %s (membership_roles says '%s'): the "
                             "data is not what tests/plans/seed.sql left",
                             a->role, a->member_role, PQgetvalue(roles, 0, 0)));
    ok = 0;
  }
  PQclear(roles);
  json_t *by_mode[2] = {NULL, NULL};
  json_t *relations = json_object(); /* read by either plan */
  for (int mode = 0; ok && mode < 2; mode++) {
    struct check c = {
        .probe = p, .found = json_array(), .problems = 0, .seen_relations = relations, .hashed = json_object()};
    struct text mode_calls = {0};
    text_add(&mode_calls, "%s", text_str(&calls));
    if (c.found == NULL || relations == NULL || c.hashed == NULL ||
        explain_once(conn, index, mode, &c, &mode_calls) != 0)
      ok = 0;
    by_mode[mode] = c.found;
    json_decref(c.hashed);
    text_free(&mode_calls);
  }
  db_transaction_end(conn, 0);
  /* Policies of the relations read that call functions EXPLAIN may not look into. */
  const char *relation;
  json_t *seen;
  json_object_foreach(relations, relation, seen) {
    size_t i;
    json_t *fn;
    json_array_foreach(json_object_get(fx.policy_calls, relation), i, fn) {
      char *call = msprintf("%s()", json_string_value(fn));
      char *where = msprintf("a policy on %s", relation);
      struct text ignored = {0};
      if (call != NULL && where != NULL) hidden_calls(call, where, who, &ignored, out, 0);
      text_free(&ignored);
      o_free(call);
      o_free(where);
    }
  }
  json_decref(relations);
  /* Each cause once, saying in which plan modes it shows and where (the first place, or all of
   * them with NOABER_PLANS_DETAIL=1). */
  int detail = getenv("NOABER_PLANS_DETAIL") != NULL && strcmp(getenv("NOABER_PLANS_DETAIL"), "1") == 0;
  json_t *merged = json_object();
  for (int mode = 0; mode < 2; mode++) {
    size_t i;
    json_t *item;
    json_array_foreach(by_mode[mode], i, item) {
      const char *cause = field(item, "cause");
      char *at = normalized(field(item, "at"));
      json_t *entry = json_object_get(merged, cause);
      if (entry == NULL) {
        entry = json_pack("{s:i, s:o}", "modes", 0, "places", json_object());
        if (json_object_set_new(merged, cause, entry) != 0) entry = NULL;
      }
      if (entry != NULL && at != NULL) {
        json_object_set_new(entry, "modes",
                            json_integer(json_integer_value(json_object_get(entry, "modes")) | (1 << mode)));
        json_object_set_new(json_object_get(entry, "places"), at, json_true());
      } else {
        text_add(out, "    (out of memory)\n");
      }
      note_cause(cause, who);
      o_free(at);
    }
  }
  const char *cause;
  json_t *entry;
  json_object_foreach(merged, cause, entry) {
    json_int_t modes = json_integer_value(json_object_get(entry, "modes"));
    json_t *places = json_object_get(entry, "places");
    if (modes == 1) {
      /* The server plans every statement generically (plan_cache_mode=force_generic_plan in
       * src/db/db.c): what only a custom plan does is shown, not failed. */
      printf("note, custom plan only (the server runs generic plans): %s: %s\n", who, cause);
      continue;
    }
    text_add(out, "    [%s] %s\n", modes == 3 ? "custom+generic" : "generic", cause);
    size_t shown = 0;
    const char *at;
    json_t *yes;
    json_object_foreach(places, at, yes) {
      if (at[0] == '\0' || (!detail && shown > 0)) continue;
      text_add(out, "        at: %s\n", at);
      shown++;
    }
    if (!detail && json_object_size(places) > 1)
      text_add(out, "        and %zu more place(s) (NOABER_PLANS_DETAIL=1 lists them)\n", json_object_size(places) - 1);
  }
  json_decref(merged);
  json_decref(by_mode[0]);
  json_decref(by_mode[1]);
  text_free(&calls);
}

START_TEST(plan_reads_by_index) {
  text_free(&failure);
  ck_assert_msg(fx.setup_error == NULL, "%s", fx.setup_error);
  const struct probe *p = &probes[_i];
  char *label = label_of(p);
  char *who = label != NULL ? msprintf("%s as %s", label, p->role) : NULL;
  struct text problems = {0};
  run_probe((size_t)_i, who, &problems);
  if (problems.len > 0 || problems.failed)
    text_add(&failure, "%s (%s):\n%s", who != NULL ? who : p->name,
             p->scope == COMMUNITY ? "community route" : "/v1/me route", text_str(&problems));
  text_free(&problems);
  o_free(label);
  o_free(who);
  ck_assert_msg(failure.len == 0 && !failure.failed, "%s", text_str(&failure));
}
END_TEST

static void print_report(void) {
  printf("\nPlans (informational; planning time is never asserted):\n");
  for (const struct allowance *a = allowances; a->name != NULL; a++)
    printf("accepted: Seq Scan of %s in %s (%s)\n", a->relation, a->name, a->why);
  printf("%-42s %-12s %-7s %9s  %-8s %s\n", "statement", "role", "mode", "plan ms", "result",
         "top node .. driving scan");
  for (size_t i = 0; i < PROBE_COUNT; i++) {
    char *label = label_of(&probes[i]);
    for (int m = 0; m < 2; m++) {
      const struct report_row *r = &report[i][m];
      if (!r->done) {
        printf("%-42s %-12s %-7s %9s  %-8s %s\n", label != NULL ? label : probes[i].name, probes[i].role, mode_names[m],
               "-", "n/a", "(not explained)");
        continue;
      }
      char result[24];
      snprintf(result, sizeof result, "%s", r->problems == 0 ? "ok" : "FAIL");
      printf("%-42s %-12s %-7s %9.3f  %-8s %s%s%s%s\n", label != NULL ? label : probes[i].name, probes[i].role,
             mode_names[m], r->planning_ms, result, r->top != NULL ? r->top : "?", r->calls != NULL ? "  [calls: " : "",
             r->calls != NULL ? r->calls : "", r->calls != NULL ? "]" : "");
    }
    o_free(label);
  }
}

/* Every distinct problem with the statements and roles it shows in: the list to work from. */
static void print_causes(void) {
  if (json_object_size(fx.causes) == 0) return;
  printf("\nProblems by cause (%zu):\n", json_object_size(fx.causes));
  const char *cause;
  json_t *who;
  json_object_foreach(fx.causes, cause, who) {
    printf("- %s\n  in %zu: ", cause, json_object_size(who));
    const char *name;
    json_t *yes;
    int first = 1;
    json_object_foreach(who, name, yes) {
      printf("%s%s", first ? "" : "; ", name);
      first = 0;
    }
    printf("\n");
  }
}

int main(void) {
  const char *app_dsn = getenv("DATABASE_URL");
  const char *owner_dsn = getenv("NOABER_MIGRATION_DATABASE_URL");
  if (app_dsn == NULL || owner_dsn == NULL) {
    fprintf(stderr, "plans: DATABASE_URL and NOABER_MIGRATION_DATABASE_URL must be set\n");
    return 2;
  }
  if (log_init("warning") != 0) return 1;
  PGconn *owner = PQconnectdb(owner_dsn);
  if (PQstatus(owner) != CONNECTION_OK) {
    fx.setup_error = "cannot connect as the schema owner (NOABER_MIGRATION_DATABASE_URL)";
  } else if (learn(owner) != 0) {
    fx.setup_error = "could not read table sizes, functions and policies as the schema owner (see above)";
  }
  PQfinish(owner);
  if (fx.setup_error == NULL && (register_all() != 0 || db_pool_start(app_dsn, 1, 5000, 30000) != 0))
    fx.setup_error = "could not register the statements or start the pool";
  if (fx.setup_error == NULL && read_prepared() != 0)
    fx.setup_error = "could not connect with DATABASE_URL and prepare every statement (see the log above)";

  Suite *suite = suite_create("plans");
  TCase *tc = tcase_create("index-driven plans");
  tcase_add_loop_test(tc, plan_reads_by_index, 0, (int)PROBE_COUNT);
  suite_add_tcase(suite, tc);
  SRunner *runner = srunner_create(suite);
  check_set_max_msg_size(MAX_MESSAGE);
  /* One process and one pool connection for all probes: no fork per test. Every test frees what
   * it holds before it asserts. */
  srunner_set_fork_status(runner, CK_NOFORK);
  srunner_run_all(runner, CK_SILENT);
  print_report();
  print_causes();
  srunner_print(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  db_pool_stop();
  forget();
  log_close();
  return failed == 0 ? 0 : 1;
}
