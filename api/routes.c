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
