/* The /v1/auth routes: login, refresh, logout, register. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "../src/auth.h"
#include "../src/support/validate.h"
#include "routes.h"

#define PASSWORD_MIN 12
#define PASSWORD_MAX 256

static void client_address(const struct api_request *ar, char *out, size_t len) {
  const struct sockaddr *addr = ar->req->client_address;
  snprintf(out, len, "unknown");
  if (addr == NULL) return;
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)addr)->sin_addr, out, (socklen_t)len);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr, out, (socklen_t)len);
  }
}

enum result handle_auth_login(struct api_request *ar) {
  static const char *const fields[] = {"email", "password", NULL};
  api_only_fields(ar, fields);
  const char *email = api_string_field(ar, "email", 1);
  const char *password = api_string_field(ar, "password", 1);
  if (email != NULL && strlen(email) > 254)
    result_field_error(&ar->info, "email", "too_long", "at most 254 characters");
  if (password != NULL && strlen(password) > PASSWORD_MAX * 4)
    result_field_error(&ar->info, "password", "too_long", "at most 256 characters");
  if (ar->info.errors != NULL) return RESULT_INVALID;
  char address[INET6_ADDRSTRLEN];
  client_address(ar, address, sizeof address);
  json_t *tokens = NULL;
  enum result r = auth_login(email, password, address, &tokens, &ar->info);
  return api_answer(ar, r, tokens, 0);
}

static const char *refresh_token_field(struct api_request *ar) {
  static const char *const fields[] = {"refresh_token", NULL};
  api_only_fields(ar, fields);
  const char *token = api_string_field(ar, "refresh_token", 1);
  if (token != NULL && (strlen(token) < 1 || strlen(token) > 512))
    result_field_error(&ar->info, "refresh_token", "invalid", "not a refresh token");
  return ar->info.errors == NULL ? token : NULL;
}

enum result handle_auth_refresh(struct api_request *ar) {
  const char *token = refresh_token_field(ar);
  if (token == NULL) return RESULT_INVALID;
  json_t *tokens = NULL;
  enum result r = auth_refresh(token, &tokens, &ar->info);
  return api_answer(ar, r, tokens, 0);
}

enum result handle_auth_logout(struct api_request *ar) {
  const char *token = refresh_token_field(ar);
  if (token == NULL) return RESULT_INVALID;
  enum result r = auth_logout(token, &ar->info);
  return r == RESULT_OK ? api_no_content(ar) : r;
}

enum result handle_auth_register(struct api_request *ar) {
  static const char *const fields[] = {"invitation_code", "email", "password", "display_name", NULL};
  api_only_fields(ar, fields);
  const char *code = api_string_field(ar, "invitation_code", 1);
  const char *email = api_string_field(ar, "email", 1);
  const char *password = api_string_field(ar, "password", 1);
  const char *display_name = api_string_field(ar, "display_name", 1);
  if (code != NULL && !valid_text(code, 1, 128))
    result_field_error(&ar->info, "invitation_code", "invalid",
                       "the invitation code is unknown, used, revoked or expired");
  if (email != NULL && !valid_email(email)) result_field_error(&ar->info, "email", "invalid", "not an email address");
  if (password != NULL && !valid_text(password, PASSWORD_MIN, PASSWORD_MAX))
    result_field_error(&ar->info, "password", "length", "use 12 to 256 characters");
  if (display_name != NULL && !valid_text(display_name, 1, 100))
    result_field_error(&ar->info, "display_name", "length", "use 1 to 100 characters, no control characters");
  if (ar->info.errors != NULL) return RESULT_INVALID;
  json_t *out = NULL;
  enum result r = auth_register(code, email, password, display_name, &out, &ar->info);
  if (r == RESULT_CREATED) u_map_put(ar->resp->map_header, "Location", "/v1/me");
  return api_answer(ar, r, out, 0);
}
