/* The /v1/auth routes: login, refresh, logout, register. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "../src/auth.h"
#include "headers.h"
#include "routes.h"

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
  char address[INET6_ADDRSTRLEN];
  client_address(ar, address, sizeof address);
  json_t *tokens = NULL;
  enum result r = auth_login(ar->body, address, &tokens, &ar->info);
  return api_answer(ar, r, tokens, 0);
}

enum result handle_auth_refresh(struct api_request *ar) {
  json_t *tokens = NULL;
  enum result r = auth_refresh(ar->body, &tokens, &ar->info);
  return api_answer(ar, r, tokens, 0);
}

enum result handle_auth_logout(struct api_request *ar) {
  enum result r = auth_logout(ar->body, &ar->info);
  return r == RESULT_OK ? api_no_content(ar) : r;
}

enum result handle_auth_register(struct api_request *ar) {
  char address[INET6_ADDRSTRLEN];
  client_address(ar, address, sizeof address);
  /* The answer holds tokens, so it is never stored: auth_register answers a retry itself. */
  const char *key = u_map_get_case(ar->req->map_header, "Idempotency-Key");
  if (key != NULL && !header_idempotency_key_valid(key)) {
    result_field_error(&ar->info, "Idempotency-Key", "invalid", "1 to 255 printable ASCII characters");
    return RESULT_INVALID;
  }
  json_t *out = NULL;
  int replayed = 0;
  enum result r = auth_register(ar->body, address, key, &out, &replayed, &ar->info);
  if (r == RESULT_CREATED) u_map_put(ar->resp->map_header, "Location", "/v1/me");
  if (r == RESULT_CREATED && replayed) u_map_put(ar->resp->map_header, "Idempotent-Replayed", "true");
  return api_answer(ar, r, out, 0);
}
