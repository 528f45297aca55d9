/* The route table: every route of the API, what it needs, and its handler. */
#include "routes.h"

#include <stdio.h>

#define COMMUNITY (ROUTE_BEARER | ROUTE_COMMUNITY | ROUTE_TRANSACTION)

const struct route api_routes[] = {
    {"GET", "/healthz", handle_healthz, ROUTE_PUBLIC},
    {"GET", "/readyz", handle_readyz, ROUTE_PUBLIC},
    {"GET", "/metrics", handle_metrics, ROUTE_PUBLIC},
    {"GET", "/v1/openapi.json", handle_openapi, ROUTE_PUBLIC},
    {"GET", "/docs", handle_docs, ROUTE_PUBLIC},
    {"GET", "/docs/redoc.standalone.js", handle_docs_renderer, ROUTE_PUBLIC},

    {"POST", "/v1/auth/login", handle_auth_login, ROUTE_JSON_BODY},
    {"POST", "/v1/auth/refresh", handle_auth_refresh, ROUTE_JSON_BODY},
    {"POST", "/v1/auth/logout", handle_auth_logout, ROUTE_JSON_BODY},
    {"POST", "/v1/auth/register", handle_auth_register, ROUTE_JSON_BODY},

    {"GET", "/v1/me", handle_me_get, ROUTE_BEARER | ROUTE_TRANSACTION},
    {"GET", "/v1/me/tasks", handle_me_tasks, ROUTE_BEARER | ROUTE_TRANSACTION},
    {"GET", "/v1/me/help-requests", handle_me_help_requests, ROUTE_BEARER | ROUTE_TRANSACTION},
    {"POST", "/v1/me/memberships", handle_me_join, ROUTE_BEARER | ROUTE_TRANSACTION | ROUTE_JSON_BODY},

    {"GET", "/v1/communities/:communityId/members", handle_members_list, COMMUNITY},
    {"GET", "/v1/communities/:communityId/members/:personId", handle_member_get, COMMUNITY},
    {"PATCH", "/v1/communities/:communityId/members/:personId", handle_member_update, COMMUNITY | ROUTE_JSON_BODY},
    {"DELETE", "/v1/communities/:communityId/members/:personId", handle_member_remove, COMMUNITY},
    {"POST", "/v1/communities/:communityId/invitations", handle_invitation_create,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT},
    {"GET", "/v1/communities/:communityId/invitations", handle_invitations_list, COMMUNITY},
    {"GET", "/v1/communities/:communityId/invitations/:invitationId", handle_invitation_get, COMMUNITY},
    {"DELETE", "/v1/communities/:communityId/invitations/:invitationId", handle_invitation_revoke, COMMUNITY},

    {"GET", "/v1/communities/:communityId/categories", handle_categories_list, COMMUNITY},
    {"GET", "/v1/communities/:communityId/volunteers", handle_volunteers_list, COMMUNITY},
    {"GET", "/v1/communities/:communityId/volunteers/:personId", handle_volunteer_get, COMMUNITY},
    {"PUT", "/v1/communities/:communityId/volunteers/:personId", handle_volunteer_put, COMMUNITY | ROUTE_JSON_BODY},
    {"POST", "/v1/communities/:communityId/volunteers/:personId/certificate", handle_volunteer_certificate,
     COMMUNITY | ROUTE_JSON_BODY},
    {"POST", "/v1/communities/:communityId/volunteers/:personId/code-of-conduct", handle_volunteer_code_of_conduct,
     COMMUNITY | ROUTE_JSON_BODY},
    {"POST", "/v1/communities/:communityId/help-requests", handle_help_request_create,
     COMMUNITY | ROUTE_JSON_BODY | ROUTE_IDEMPOTENT},
    {"GET", "/v1/communities/:communityId/help-requests", handle_help_requests_list, COMMUNITY},
    {"GET", "/v1/communities/:communityId/help-requests/:helpRequestId", handle_help_request_get, COMMUNITY},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/actions/:action", handle_help_request_action,
     COMMUNITY | ROUTE_JSON_BODY},
    {"GET", "/v1/communities/:communityId/help-requests/:helpRequestId/suggestions", handle_help_request_suggestions,
     COMMUNITY},
    {"GET", "/v1/communities/:communityId/help-requests/:helpRequestId/offers", handle_help_request_offers, COMMUNITY},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/claim", handle_help_request_claim, COMMUNITY},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/occurrences/:occurrenceId/complete",
     handle_occurrence_complete, COMMUNITY | ROUTE_JSON_BODY},
    {"POST", "/v1/communities/:communityId/help-requests/:helpRequestId/occurrences/:occurrenceId/feedback",
     handle_occurrence_feedback, COMMUNITY | ROUTE_JSON_BODY},
    {"POST", "/v1/communities/:communityId/offers/:offerId/accept", handle_offer_accept, COMMUNITY},
    {"POST", "/v1/communities/:communityId/offers/:offerId/decline", handle_offer_decline, COMMUNITY | ROUTE_JSON_BODY},
    {"GET", "/v1/communities/:communityId/board", handle_board, COMMUNITY},
    {"GET", "/v1/communities/:communityId/helpers", handle_helpers_get, COMMUNITY},
    {"PUT", "/v1/communities/:communityId/helpers", handle_helpers_put, COMMUNITY | ROUTE_JSON_BODY},
    {"GET", "/v1/communities/:communityId/queue", handle_queue, COMMUNITY},
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];

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
