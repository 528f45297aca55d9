/* The route table: every route of the API, what it needs, and its handler. */
#include "routes.h"

#include <stdio.h>
#include <string.h>

#define COMMUNITY (ROUTE_BEARER | ROUTE_COMMUNITY | ROUTE_TRANSACTION)

const struct route api_routes[] = {
    {"GET", "/healthz", handle_healthz, ROUTE_NO_DATABASE, NULL, NULL},
    {"GET", "/readyz", handle_readyz, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/metrics", handle_metrics, ROUTE_SCRAPER | ROUTE_NO_DATABASE, NULL, NULL},
    {"GET", "/v1/openapi.json", handle_openapi, ROUTE_NO_DATABASE, NULL, NULL},
    {"GET", "/docs", handle_docs, ROUTE_NO_DATABASE, NULL, NULL},
    {"GET", "/docs/redoc.standalone.js", handle_docs_renderer, ROUTE_NO_DATABASE, NULL, NULL},

    {"POST", "/v1/auth/login", handle_auth_login, ROUTE_JSON_BODY, NULL, NULL},
    {"POST", "/v1/auth/refresh", handle_auth_refresh, ROUTE_JSON_BODY, NULL, NULL},
    {"POST", "/v1/auth/logout", handle_auth_logout, ROUTE_JSON_BODY, NULL, NULL},
    {"POST", "/v1/auth/register", handle_auth_register, ROUTE_JSON_BODY, NULL, NULL},

    {"GET", "/v1/me", handle_me_get, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},
    {"PATCH", "/v1/me", handle_me_update, ROUTE_BEARER | ROUTE_TRANSACTION | ROUTE_JSON_BODY, NULL, NULL},
    {"GET", "/v1/me/tasks", handle_me_tasks, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},
    {"GET", "/v1/me/offers", handle_me_offers, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},
    {"GET", "/v1/me/help-requests", handle_me_help_requests, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},
    {"GET", "/v1/me/actions", handle_me_actions, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},
    {"GET", "/v1/me/on-behalf", handle_me_on_behalf, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},
    {"GET", "/v1/me/signals", handle_me_signals, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},
    {"POST", "/v1/me/memberships", handle_me_join,
     ROUTE_BEARER | ROUTE_TRANSACTION | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"GET", "/v1/me/sessions", handle_me_sessions, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},
    {"POST", "/v1/me/sessions/revoke-all", handle_me_sessions_revoke_all, ROUTE_BEARER | ROUTE_TRANSACTION, NULL, NULL},

    {"GET", "/v1/communities/:communityId/members", handle_members_list, COMMUNITY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/members/:personId", handle_member_get, COMMUNITY, NULL, NULL},
    {"PATCH", "/v1/communities/:communityId/members/:personId", handle_member_update, COMMUNITY | ROUTE_JSON_BODY, NULL,
     NULL},
    {"DELETE", "/v1/communities/:communityId/members/:personId", handle_member_remove, COMMUNITY, NULL, NULL},
    {"POST", "/v1/communities/:communityId/people", handle_person_create,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"GET", "/v1/communities/:communityId/people/:personId", handle_person_get, COMMUNITY, NULL, NULL},
    {"PATCH", "/v1/communities/:communityId/people/:personId", handle_person_update, COMMUNITY | ROUTE_JSON_BODY, NULL,
     NULL},
    {"POST", "/v1/communities/:communityId/invitations", handle_invitation_create,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"GET", "/v1/communities/:communityId/invitations", handle_invitations_list, COMMUNITY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/invitations/:invitationId", handle_invitation_get, COMMUNITY, NULL, NULL},
    {"DELETE", "/v1/communities/:communityId/invitations/:invitationId", handle_invitation_revoke, COMMUNITY, NULL,
     NULL},

    {"GET", "/v1/communities/:communityId/categories", handle_categories_list, COMMUNITY, NULL, NULL},
    {"POST", "/v1/communities/:communityId/categories", handle_category_create,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"GET", "/v1/communities/:communityId/categories/:categoryId", handle_category_get, COMMUNITY, NULL, NULL},
    {"PATCH", "/v1/communities/:communityId/categories/:categoryId", handle_category_update,
     COMMUNITY | ROUTE_JSON_BODY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/volunteers", handle_volunteers_list, COMMUNITY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/volunteers/:personId", handle_volunteer_get, COMMUNITY, NULL, NULL},
    {"PUT", "/v1/communities/:communityId/volunteers/:personId", handle_volunteer_put, COMMUNITY | ROUTE_JSON_BODY,
     NULL, NULL},
    {"POST", "/v1/communities/:communityId/volunteers/:personId/certificate", handle_volunteer_certificate,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"POST", "/v1/communities/:communityId/volunteers/:personId/code-of-conduct", handle_volunteer_code_of_conduct,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"POST", "/v1/communities/:communityId/help-requests", handle_help_request_create,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"GET", "/v1/communities/:communityId/help-requests", handle_help_requests_list, COMMUNITY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/help-requests/:helpRequestId", handle_help_request_get, COMMUNITY, NULL,
     NULL},
    {"PATCH", "/v1/communities/:communityId/help-requests/:helpRequestId", handle_help_request_update,
     COMMUNITY | ROUTE_JSON_BODY, NULL, NULL},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/actions/:action", handle_help_request_action,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/handler", handle_help_request_handler,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"GET", "/v1/communities/:communityId/help-requests/:helpRequestId/suggestions", handle_help_request_suggestions,
     COMMUNITY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/help-requests/:helpRequestId/offers", handle_help_request_offers, COMMUNITY,
     NULL, NULL},
    {"GET", "/v1/communities/:communityId/desk/summary", handle_desk_summary, COMMUNITY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/help-requests/:helpRequestId/referrals", handle_help_request_referrals,
     COMMUNITY, NULL, NULL},
    {"PATCH", "/v1/communities/:communityId/help-requests/:helpRequestId/referrals/:referralId",
     handle_help_request_referral_update, COMMUNITY | ROUTE_JSON_BODY, NULL, NULL},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/claim", handle_help_request_claim,
     COMMUNITY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/occurrences/:occurrenceId/complete",
     handle_occurrence_complete, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/occurrences/:occurrenceId/release",
     handle_occurrence_release, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/occurrences/:occurrenceId/feedback",
     handle_occurrence_feedback, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"POST", "/v1/communities/:communityId/offers/:offerId/accept", handle_offer_accept, COMMUNITY | ROUTE_IDEMPOTENT,
     NULL, NULL},
    {"POST", "/v1/communities/:communityId/offers/:offerId/decline", handle_offer_decline,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, NULL, NULL},
    {"GET", "/v1/communities/:communityId/board", handle_board, COMMUNITY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/helpers", handle_helpers_get, COMMUNITY, NULL, NULL},
    {"PUT", "/v1/communities/:communityId/helpers", handle_helpers_put, COMMUNITY | ROUTE_JSON_BODY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/queue", handle_queue, COMMUNITY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/desk-hours", handle_desk_hours_get, COMMUNITY, NULL, NULL},
    {"PUT", "/v1/communities/:communityId/desk-hours", handle_desk_hours_put, COMMUNITY | ROUTE_JSON_BODY, NULL, NULL},
    {"GET", "/v1/communities/:communityId/on-behalf", handle_on_behalf_list, COMMUNITY, NULL, NULL},

#define CASE "/v1/communities/:communityId/cases/:caseId"
    {"POST", "/v1/communities/:communityId/cases", handle_case_create, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT,
     "case", "create"},
    {"GET", "/v1/communities/:communityId/cases", handle_cases_list, COMMUNITY, NULL, NULL},
    {"GET", CASE, handle_case_get, COMMUNITY, "case", "read"},
    {"PATCH", CASE, handle_case_update, COMMUNITY | ROUTE_JSON_BODY, "case", "update"},
    {"POST", CASE "/close", handle_case_close, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "case", "update"},
    {"POST", CASE "/reopen", handle_case_reopen, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "case", "update"},
    {"GET", CASE "/overview", handle_case_overview, COMMUNITY, "overview", "read"},
    {"POST", CASE "/participants", handle_case_participant_add, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT,
     "participants", "create"},
    {"DELETE", CASE "/participants/:participantId", handle_case_participant_remove, COMMUNITY, "participants",
     "delete"},
    {"POST", CASE "/lead", handle_case_lead, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "lead", "update"},
    {"GET", CASE "/lead-history", handle_case_lead_history, COMMUNITY, "lead", "read"},
    {"GET", CASE "/actions", handle_case_actions, COMMUNITY, "actions", "read"},
    {"POST", CASE "/actions", handle_case_action_create, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "actions",
     "create"},
    {"GET", CASE "/actions/:actionId", handle_case_action_get, COMMUNITY, "actions", "read"},
    {"PATCH", CASE "/actions/:actionId", handle_case_action_update, COMMUNITY | ROUTE_JSON_BODY, "actions", "update"},
    {"POST", CASE "/actions/:actionId/take", handle_case_action_take, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT,
     "actions", "update"},
    {"GET", CASE "/consents", handle_case_consents, COMMUNITY, "consents", "read"},
    {"POST", CASE "/consents", handle_case_consent_record, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "consents",
     "create"},
    {"GET", CASE "/access-log", handle_case_access_log, COMMUNITY, "access_log", "read"},
    {"GET", "/v1/communities/:communityId/access-log", handle_community_access_log, COMMUNITY, NULL, NULL},
    {"POST", CASE "/invitations", handle_case_invite, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "participants",
     "create"},
    {"GET", CASE "/timeline", handle_case_timeline, COMMUNITY, "timeline", "read"},
    {"POST", CASE "/notes", handle_case_note, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "timeline", "create"},
    {"POST", CASE "/signals", handle_case_signal, COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "timeline", "create"},
    {"POST", CASE "/timeline/:entryId/acknowledge", handle_case_acknowledge,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT, "timeline", "update"},
#undef CASE
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];

int api_route_path_matches(const char *pattern, const char *path) {
  while (*pattern == '/' && *path == '/') {
    pattern++;
    path++;
    size_t plen = strcspn(pattern, "/"), len = strcspn(path, "/");
    if (len == 0 && plen != 0) return 0;
    if (pattern[0] != ':' && (plen != len || strncmp(pattern, path, len) != 0)) return 0;
    pattern += plen;
    path += len;
  }
  if (*path == '/' && path[1] == '\0') path++; /* a trailing slash names the same resource */
  return *pattern == '\0' && *path == '\0';
}

int api_route_needs_database(const char *method, const char *path) {
  for (size_t i = 0; i < api_route_count; i++) {
    if (strcmp(api_routes[i].method, method) == 0 && api_route_path_matches(api_routes[i].path, path))
      return !(api_routes[i].flags & ROUTE_NO_DATABASE);
  }
  return 0; /* no route: a 404 or 405 */
}

void api_routes_print(FILE *out) {
  for (size_t i = 0; i < api_route_count; i++) {
    fprintf(out, "%s ", api_routes[i].method);
    for (const char *p = api_routes[i].path; *p; p++) {
      if (*p == ':') {
        fputc('{', out);
        while (p[1] != '\0' && p[1] != '/') fputc(*++p, out);
        fputc('}', out);
      } else {
        fputc(*p, out);
      }
    }
    fputc('\n', out);
  }
}
