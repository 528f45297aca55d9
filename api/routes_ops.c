/* Operations and documentation routes: health, readiness, metrics, the contract, the docs. */
#include <orcania.h>
#include <stdio.h>
#include <string.h>

#include "../src/db/migrate.h"
#include "headers.h"
#include "language.h"
#include "metrics.h"
#include "routes.h"
#include "server.h"

/* Documents read once at start; immutable afterwards, so threads share them freely. */
static struct {
  char *openapi_json;
  size_t openapi_len;
  char *docs_html;
  size_t docs_len;
  char *renderer_js;
  size_t renderer_len;
} docs;

static char *load(const char *dir, const char *name, size_t *len) {
  char *path = msprintf("%s/%s", dir, name);
  if (path == NULL) return NULL;
  FILE *f = fopen(path, "rb");
  o_free(path);
  if (f == NULL) return NULL;
  char *data = NULL;
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    data = o_malloc((size_t)size + 1);
    if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) {
      o_free(data);
      data = NULL;
    }
  }
  fclose(f);
  if (data != NULL) {
    data[size] = '\0';
    *len = (size_t)size;
  }
  return data;
}

int api_static_load(const char *share_dir, char *err, size_t err_len) {
  static const char *names[] = {"openapi.json", "docs.html", "redoc.standalone.js"};
  docs.openapi_json = load(share_dir, names[0], &docs.openapi_len);
  docs.docs_html = load(share_dir, names[1], &docs.docs_len);
  docs.renderer_js = load(share_dir, names[2], &docs.renderer_len);
  const char *missing = docs.openapi_json == NULL  ? names[0]
                        : docs.docs_html == NULL   ? names[1]
                        : docs.renderer_js == NULL ? names[2]
                                                   : NULL;
  if (missing != NULL) {
    snprintf(err, err_len, "configuration error: NOABER_SHARE_DIR (%s) has no readable %s", share_dir, missing);
    api_static_free();
    return -1;
  }
  if (language_load(share_dir, err, err_len) != 0) {
    api_static_free();
    return -1;
  }
  return 0;
}

void api_static_free(void) {
  o_free(docs.openapi_json);
  o_free(docs.docs_html);
  o_free(docs.renderer_js);
  memset(&docs, 0, sizeof docs);
  language_unload();
}

/* The docs page's policy: everything from this origin, its one inline script (the image
 * guard in openapi/docs.html) by hash, and never inside a frame. Edit that script and this hash
 * together (sha256 of the exact text between its tags, base64); the edge suite checks that
 * they match. */
#define DOCS_CONTENT_SECURITY_POLICY                                                                                   \
  "default-src 'self'; script-src 'self' 'sha256-CrnJYMTtyf/10gL2JkaIH82QnGhH2VQOtmX7oBqbLTs='; "                      \
  "img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; worker-src 'self' blob:; "           \
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/* Answer 200 with a document; `cache_control` replaces the default no-store (NULL: keep it). */
static enum result send_document(struct api_request *ar, const char *content_type, const char *data, size_t len,
                                 const char *cache_control) {
  ar->status = 200;
  if (ulfius_set_binary_body_response(ar->resp, 200, data, len) != U_OK) return RESULT_ERROR;
  u_map_put(ar->resp->map_header, "Content-Type", content_type);
  if (cache_control != NULL) u_map_put(ar->resp->map_header, "Cache-Control", cache_control);
  return RESULT_OK;
}

enum result handle_healthz(struct api_request *ar) {
  json_t *body = json_pack("{s:s}", "status", "ok");
  enum result r = body != NULL ? api_json(ar, 200, body) : RESULT_ERROR;
  json_decref(body);
  return r;
}

enum result handle_readyz(struct api_request *ar) {
  struct db_context none = {0};
  struct db_conn *conn = NULL;
  enum result r = result_from_db(db_transaction_start(&conn, &none, NULL, NULL), &ar->info);
  enum migration_state state = MIGRATIONS_UNKNOWN;
  if (r == RESULT_OK) state = migrations_check(conn, server_migrations());
  db_transaction_end(conn, 0);
  if (r == RESULT_OK && state != MIGRATIONS_CURRENT) {
    ar->info.retry_after = 30;
    r = RESULT_UNAVAILABLE;
  } else if (r == RESULT_OK) {
    json_t *body = json_pack("{s:s}", "status", "ready");
    r = body != NULL ? api_json(ar, 200, body) : RESULT_ERROR;
    json_decref(body);
  }
  return r;
}

enum result handle_metrics(struct api_request *ar) {
  char *text = metrics_render();
  if (text == NULL) return RESULT_ERROR;
  enum result r = send_document(ar, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text), NULL);
  o_free(text);
  return r;
}

enum result handle_openapi(struct api_request *ar) {
  return send_document(ar, "application/json", docs.openapi_json, docs.openapi_len, HEADER_CACHE_DOCUMENT);
}

enum result handle_docs(struct api_request *ar) {
  enum result r = send_document(ar, "text/html; charset=utf-8", docs.docs_html, docs.docs_len, HEADER_CACHE_DOCUMENT);
  u_map_put(ar->resp->map_header, "Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY);
  u_map_put(ar->resp->map_header, "X-Frame-Options", "DENY");
  return r;
}

enum result handle_docs_renderer(struct api_request *ar) {
  return send_document(ar, "application/javascript; charset=utf-8", docs.renderer_js, docs.renderer_len,
                       HEADER_CACHE_DOCUMENT);
}
