#ifndef NOABER_API_ROUTES_H
#define NOABER_API_ROUTES_H

#include "http.h"

/* Every route of the API, in one table (api/routes.c). */
extern const struct route api_routes[];
extern const size_t api_route_count;

/* Whether a request path fits a route path ("/a/:id" fits "/a/42" and "/a/42/"). */
int api_route_path_matches(const char *pattern, const char *path);

/* Whether the route for this method and path uses the database (0 when there is none). */
int api_route_needs_database(const char *method, const char *path);

/* Print "METHOD /path/{param}" per route, as the contract writes paths. */
void api_routes_print(FILE *out);

/* Handlers, by resource file. */
enum result handle_healthz(struct api_request *ar);
enum result handle_readyz(struct api_request *ar);
enum result handle_metrics(struct api_request *ar);
enum result handle_openapi(struct api_request *ar);
enum result handle_docs(struct api_request *ar);
enum result handle_docs_renderer(struct api_request *ar);

enum result handle_auth_login(struct api_request *ar);
enum result handle_auth_refresh(struct api_request *ar);
enum result handle_auth_logout(struct api_request *ar);
enum result handle_auth_register(struct api_request *ar);

enum result handle_me_get(struct api_request *ar);
enum result handle_me_update(struct api_request *ar);
enum result handle_me_join(struct api_request *ar);
enum result handle_me_sessions(struct api_request *ar);
enum result handle_me_sessions_revoke_all(struct api_request *ar);

enum result handle_members_list(struct api_request *ar);
enum result handle_member_get(struct api_request *ar);
enum result handle_member_update(struct api_request *ar);
enum result handle_member_remove(struct api_request *ar);
enum result handle_person_create(struct api_request *ar);
enum result handle_person_get(struct api_request *ar);
enum result handle_person_update(struct api_request *ar);
enum result handle_invitation_create(struct api_request *ar);
enum result handle_invitations_list(struct api_request *ar);
enum result handle_invitation_get(struct api_request *ar);
enum result handle_invitation_revoke(struct api_request *ar);

enum result handle_categories_list(struct api_request *ar);
enum result handle_category_create(struct api_request *ar);
enum result handle_category_get(struct api_request *ar);
enum result handle_category_update(struct api_request *ar);
enum result handle_volunteers_list(struct api_request *ar);
enum result handle_volunteer_get(struct api_request *ar);
enum result handle_volunteer_put(struct api_request *ar);
enum result handle_volunteer_certificate(struct api_request *ar);
enum result handle_volunteer_code_of_conduct(struct api_request *ar);
enum result handle_help_request_create(struct api_request *ar);
enum result handle_help_requests_list(struct api_request *ar);
enum result handle_help_request_referrals(struct api_request *ar);
enum result handle_desk_summary(struct api_request *ar);
enum result handle_help_request_referral_update(struct api_request *ar);
enum result handle_help_request_get(struct api_request *ar);
enum result handle_help_request_update(struct api_request *ar);
enum result handle_help_request_action(struct api_request *ar);
enum result handle_help_request_handler(struct api_request *ar);
enum result handle_help_request_suggestions(struct api_request *ar);
enum result handle_help_request_offers(struct api_request *ar);
enum result handle_help_request_claim(struct api_request *ar);
enum result handle_occurrence_complete(struct api_request *ar);
enum result handle_occurrence_release(struct api_request *ar);
enum result handle_occurrence_feedback(struct api_request *ar);
enum result handle_offer_accept(struct api_request *ar);
enum result handle_offer_decline(struct api_request *ar);
enum result handle_board(struct api_request *ar);
enum result handle_queue(struct api_request *ar);
enum result handle_desk_hours_get(struct api_request *ar);
enum result handle_desk_hours_put(struct api_request *ar);
enum result handle_helpers_get(struct api_request *ar);
enum result handle_helpers_put(struct api_request *ar);
enum result handle_me_tasks(struct api_request *ar);
enum result handle_me_offers(struct api_request *ar);
enum result handle_me_help_requests(struct api_request *ar);

/* Note the path's case (caseId) in ar->audit for the access log; nothing when the path names none.
 * For a request refused before its handler ran. */
void api_case_audit_note_path(struct api_request *ar);

enum result handle_case_create(struct api_request *ar);
enum result handle_cases_list(struct api_request *ar);
enum result handle_case_get(struct api_request *ar);
enum result handle_case_update(struct api_request *ar);
enum result handle_case_close(struct api_request *ar);
enum result handle_case_reopen(struct api_request *ar);
enum result handle_case_overview(struct api_request *ar);
enum result handle_case_participant_add(struct api_request *ar);
enum result handle_case_participant_remove(struct api_request *ar);
enum result handle_case_lead(struct api_request *ar);
enum result handle_case_lead_history(struct api_request *ar);
enum result handle_case_actions(struct api_request *ar);
enum result handle_case_action_create(struct api_request *ar);
enum result handle_case_action_get(struct api_request *ar);
enum result handle_case_action_update(struct api_request *ar);
enum result handle_case_action_take(struct api_request *ar);
enum result handle_case_consents(struct api_request *ar);
enum result handle_case_consent_record(struct api_request *ar);
enum result handle_case_access_log(struct api_request *ar);
enum result handle_community_access_log(struct api_request *ar);
enum result handle_me_actions(struct api_request *ar);
enum result handle_me_on_behalf(struct api_request *ar);
enum result handle_on_behalf_list(struct api_request *ar);
enum result handle_case_timeline(struct api_request *ar);
enum result handle_case_note(struct api_request *ar);
enum result handle_case_signal(struct api_request *ar);
enum result handle_case_acknowledge(struct api_request *ar);
enum result handle_me_signals(struct api_request *ar);
enum result handle_case_invite(struct api_request *ar);

/* Static documents served by the ops routes, loaded once at start from the share directory.
 * Returns 0, or -1 with a one-line reason in err. */
int api_static_load(const char *share_dir, char *err, size_t err_len);
void api_static_free(void);

#endif
