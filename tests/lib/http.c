#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>

static _Thread_local char last_error[512];
static const char *test_name_override;

static void set_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
}

const char *http_last_error(void) { return last_error; }

void http_set_test_name(const char *name) { test_name_override = name; }

static const char *current_test(void) {
  if (test_name_override != NULL) return test_name_override;
  const char *n = tcase_name();
  return n != NULL ? n : "(unknown)";
}

static const char *base_url_override;

void http_set_base_url(const char *base_url) { base_url_override = base_url; }

const char *http_base_url(void) {
  if (base_url_override != NULL) return base_url_override;
  const char *u = getenv("NOABER_TEST_BASE_URL");
  ck_assert_msg(u != NULL && u[0] != '\0', "NOABER_TEST_BASE_URL is not set");
  return u;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------- response bookkeeping ---------- */

void http_response_free(struct http_response *r) {
  if (r == NULL) return;
  for (size_t i = 0; i < r->header_count; i++) {
    free(r->headers[i].name);
    free(r->headers[i].value);
  }
  free(r->headers);
  free(r->method);
  free(r->path);
  free(r->body);
  json_decref(r->json);
  memset(r, 0, sizeof *r);
}

const char *http_header(const struct http_response *r, const char *name) {
  for (size_t i = 0; i < r->header_count; i++)
    if (strcasecmp(r->headers[i].name, name) == 0) return r->headers[i].value;
  return NULL;
}

static void headers_clear(struct http_response *r) {
  for (size_t i = 0; i < r->header_count; i++) {
    free(r->headers[i].name);
    free(r->headers[i].value);
  }
  free(r->headers);
  r->headers = NULL;
  r->header_count = 0;
}

/* Adds one header (name/value not NUL-terminated); joins repeats with ", ". 0 or -1 (ENOMEM). */
static int headers_add(struct http_response *r, const char *name, size_t name_len, const char *value,
                       size_t value_len) {
  for (size_t i = 0; i < r->header_count; i++) {
    if (strlen(r->headers[i].name) == name_len && strncasecmp(r->headers[i].name, name, name_len) == 0) {
      size_t old = strlen(r->headers[i].value);
      char *v = realloc(r->headers[i].value, old + 2 + value_len + 1);
      if (v == NULL) return -1;
      memcpy(v + old, ", ", 2);
      memcpy(v + old + 2, value, value_len);
      v[old + 2 + value_len] = '\0';
      r->headers[i].value = v;
      return 0;
    }
  }
  struct http_header *h = realloc(r->headers, (r->header_count + 1) * sizeof *h);
  if (h == NULL) return -1;
  r->headers = h;
  char *n = strndup(name, name_len);
  char *v = strndup(value, value_len);
  if (n == NULL || v == NULL) {
    free(n);
    free(v);
    return -1;
  }
  for (char *p = n; *p; p++) *p = (char)tolower((unsigned char)*p);
  h[r->header_count].name = n;
  h[r->header_count].value = v;
  r->header_count++;
  return 0;
}

/* Parses one header line "Name: value\r\n" (or a blank/status line, ignored). */
static int header_line(struct http_response *r, const char *line, size_t len) {
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n')) len--;
  const char *colon = memchr(line, ':', len);
  if (colon == NULL) return 0;
  size_t name_len = (size_t)(colon - line);
  const char *v = colon + 1;
  size_t vlen = len - name_len - 1;
  while (vlen > 0 && (*v == ' ' || *v == '\t')) {
    v++;
    vlen--;
  }
  while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;
  while (name_len > 0 && (line[name_len - 1] == ' ' || line[name_len - 1] == '\t')) name_len--;
  return headers_add(r, line, name_len, v, vlen);
}

static void parse_json_body(struct http_response *r) {
  const char *ct = http_header(r, "content-type");
  if (r->body_len == 0 || ct == NULL || strstr(ct, "json") == NULL) return;
  r->json = json_loadb(r->body, r->body_len, 0, NULL);
}

/* ---------- exchange log ---------- */

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* The path as the log shows it: bytes that are not printable ASCII (a raw request may send
 * any) percent-encoded, as the server writes them into a problem's instance. Owned. */
static json_t *logged_path(const char *path) {
  size_t n = strlen(path);
  char *text = malloc(3 * n + 1);
  if (text == NULL) return NULL;
  size_t w = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)path[i];
    if (c > 0x20 && c < 0x7f)
      text[w++] = (char)c;
    else
      w += (size_t)sprintf(text + w, "%%%02X", c);
  }
  text[w] = '\0';
  json_t *value = json_string(text);
  free(text);
  return value;
}

/* The extra request headers ("Name: value", NULL-terminated, may be NULL) as an object keyed by
 * the lower-case name, for the validator to check against the operation's header parameters.
 * Returns a new reference, or NULL when out of memory. */
static json_t *request_headers_json(const char *const *headers) {
  json_t *out = json_object();
  if (out == NULL) return NULL;
  for (const char *const *h = headers; h != NULL && *h != NULL; h++) {
    const char *colon = strchr(*h, ':');
    if (colon == NULL || colon == *h) continue; /* "Name:" removes a curl default; nothing is sent */
    char *name = strndup(*h, (size_t)(colon - *h));
    if (name == NULL) goto fail;
    for (char *c = name; *c != '\0'; c++) *c = (char)tolower((unsigned char)*c);
    const char *value = colon + 1;
    while (*value == ' ') value++;
    json_t *v = json_string(value);
    int rc = v == NULL ? -1 : json_object_set_new(out, name, v);
    free(name);
    if (rc != 0) goto fail;
  }
  return out;
fail:
  json_decref(out);
  return NULL;
}

/* One line per exchange: the request's extra headers and body as sent (when there was one, with
 * its content type) and the whole response, for tools/validate-exchanges.mjs. */
static int log_exchange(const struct http_response *r, bool expect_unknown_route, const char *const *request_headers,
                        const char *request_type, const char *request_body, size_t request_len) {
  const char *file = getenv("NOABER_TEST_EXCHANGE_LOG");
  if (file == NULL || file[0] == '\0') return 0;
  json_t *headers = json_object();
  json_t *line = json_object();
  int rc = -1;
  if (headers == NULL || line == NULL) goto out;
  for (size_t i = 0; i < r->header_count; i++)
    if (json_object_set_new(headers, r->headers[i].name, json_string(r->headers[i].value)) != 0) goto out;
  json_t *body = json_null();
  if (r->body_len > 0) {
    body = json_stringn(r->body, r->body_len);
    if (body == NULL) /* not UTF-8: keep a marker the validator will reject */
      body = json_string("<response body is not valid UTF-8>");
  }
  if (json_object_set_new(line, "test", json_string(current_test())) != 0 ||
      json_object_set_new(line, "method", json_string(r->method)) != 0 ||
      json_object_set_new(line, "path", logged_path(r->path)) != 0 ||
      json_object_set_new(line, "status", json_integer(r->status)) != 0 ||
      json_object_set(line, "headers", headers) != 0 || json_object_set_new(line, "body", body) != 0)
    goto out;
  if (expect_unknown_route && json_object_set_new(line, "expect_unknown_route", json_true()) != 0) goto out;
  if (request_headers != NULL) {
    json_t *sent_headers = request_headers_json(request_headers);
    if (sent_headers == NULL || json_object_set_new(line, "request_headers", sent_headers) != 0) goto out;
  }
  if (request_body != NULL) {
    json_t *sent = json_stringn(request_body, request_len);
    if (sent == NULL) sent = json_string("<request body is not valid UTF-8>");
    if (json_object_set_new(line, "request", json_pack("{s:s?, s:o}", "content_type", request_type, "body", sent)) != 0)
      goto out;
  }
  char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (text == NULL) goto out;
  size_t n = strlen(text);
  text[n] = '\n'; /* replaces the NUL; length n+1 written below */
  int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    rc = write_all(fd, text, n + 1);
    if (close(fd) != 0) rc = -1;
  }
  free(text);
out:
  if (rc != 0) set_error("cannot write exchange log %s", file);
  json_decref(headers);
  json_decref(line);
  return rc;
}

/* ---------- libcurl ---------- */

struct collector {
  struct http_response *r;
  char *buf;
  size_t len, cap;
  int oom;
};

static size_t body_cb(char *data, size_t size, size_t n, void *ud) {
  struct collector *c = ud;
  size_t len = size * n;
  if (c->len + len + 1 > c->cap) {
    size_t cap = c->cap ? c->cap : 4096;
    while (cap < c->len + len + 1) cap *= 2;
    char *b = realloc(c->buf, cap);
    if (b == NULL) {
      c->oom = 1;
      return 0;
    }
    c->buf = b;
    c->cap = cap;
  }
  memcpy(c->buf + c->len, data, len);
  c->len += len;
  c->buf[c->len] = '\0';
  return len;
}

static size_t header_cb(char *data, size_t size, size_t n, void *ud) {
  struct collector *c = ud;
  size_t len = size * n;
  if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) { /* new response (e.g. after 100) */
    headers_clear(c->r);
    return len;
  }
  if (header_line(c->r, data, len) != 0) {
    c->oom = 1;
    return 0;
  }
  return len;
}

static char *path_without_query(const char *path) {
  size_t n = strcspn(path, "?");
  return strndup(path, n);
}

static int add_header(struct curl_slist **list, const char *fmt, ...) {
  char buf[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof buf) return -1;
  struct curl_slist *l = curl_slist_append(*list, buf);
  if (l == NULL) return -1;
  *list = l;
  return 0;
}

int http_send(const struct http_request *req, struct http_response *out) {
  memset(out, 0, sizeof *out);
  last_error[0] = '\0';
  const char *base = req->base_url ? req->base_url : http_base_url();
  char *url = NULL;
  char *json_text = NULL;
  struct curl_slist *hdrs = NULL;
  struct collector col = {.r = out};
  int rc = -1;
  CURL *curl = curl_easy_init();
  if (curl == NULL) {
    set_error("curl_easy_init failed");
    return -1;
  }
  if (asprintf(&url, "%s%s", base, req->path) < 0) {
    url = NULL;
    set_error("out of memory");
    goto done;
  }
  out->method = strdup(req->method);
  out->path = path_without_query(req->path);
  if (out->method == NULL || out->path == NULL) {
    set_error("out of memory");
    goto done;
  }

  const char *body = req->body;
  size_t body_len = req->body_len;
  if (req->json != NULL) {
    json_text = json_dumps(req->json, JSON_COMPACT);
    if (json_text == NULL) {
      set_error("json_dumps failed");
      goto done;
    }
    body = json_text;
    body_len = strlen(json_text);
    if (add_header(&hdrs, "Content-Type: %s", req->content_type ? req->content_type : "application/json") != 0)
      goto hdr_fail;
  } else if (body != NULL) {
    if (req->content_type != NULL) {
      if (add_header(&hdrs, "Content-Type: %s", req->content_type) != 0) goto hdr_fail;
    } else if (add_header(&hdrs, "Content-Type:") != 0) { /* drop curl's default */
      goto hdr_fail;
    }
  }
  if (req->bearer != NULL && add_header(&hdrs, "Authorization: Bearer %s", req->bearer) != 0) goto hdr_fail;
  if (add_header(&hdrs, "Expect:") != 0) goto hdr_fail;
  for (const char *const *h = req->headers; h != NULL && *h != NULL; h++)
    if (add_header(&hdrs, "%s", *h) != 0) goto hdr_fail;

  CURLcode e = CURLE_OK;
#define SETOPT(opt, val)                                                                                               \
  do {                                                                                                                 \
    if (e == CURLE_OK) e = curl_easy_setopt(curl, opt, val);                                                           \
  } while (0)
  SETOPT(CURLOPT_URL, url);
  SETOPT(CURLOPT_NOSIGNAL, 1L);
  SETOPT(CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 30000L);
  SETOPT(CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  SETOPT(CURLOPT_HTTPHEADER, hdrs);
  SETOPT(CURLOPT_WRITEFUNCTION, body_cb);
  SETOPT(CURLOPT_WRITEDATA, &col);
  SETOPT(CURLOPT_HEADERFUNCTION, header_cb);
  SETOPT(CURLOPT_HEADERDATA, &col);
  SETOPT(CURLOPT_CUSTOMREQUEST, req->method);
  if (strcmp(req->method, "HEAD") == 0) SETOPT(CURLOPT_NOBODY, 1L);
  if (body != NULL) {
    SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    SETOPT(CURLOPT_POSTFIELDS, body);
  }
  if (req->source_ip != NULL) {
    char iface[80];
    snprintf(iface, sizeof iface, "host!%s", req->source_ip);
    SETOPT(CURLOPT_INTERFACE, iface); /* copied by libcurl */
  }
#undef SETOPT
  if (e != CURLE_OK) {
    set_error("curl_easy_setopt: %s", curl_easy_strerror(e));
    goto done;
  }
  double t0 = now_s();
  e = curl_easy_perform(curl);
  out->elapsed_s = now_s() - t0;
  if (e != CURLE_OK || col.oom) {
    set_error("%s %s: %s", req->method, req->path, col.oom ? "out of memory" : curl_easy_strerror(e));
    goto done;
  }
  if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status) != CURLE_OK) {
    set_error("no response code");
    goto done;
  }
  if (col.buf == NULL) {
    col.buf = strdup("");
    if (col.buf == NULL) {
      set_error("out of memory");
      goto done;
    }
  }
  out->body = col.buf;
  out->body_len = col.len;
  col.buf = NULL;
  parse_json_body(out);
  rc =
      log_exchange(out, req->expect_unknown_route, req->headers,
                   req->json != NULL ? (req->content_type ? req->content_type : "application/json") : req->content_type,
                   body, body_len);
  goto done;

hdr_fail:
  set_error("cannot build request headers");
done:
  curl_easy_cleanup(curl);
  curl_slist_free_all(hdrs);
  free(col.buf);
  free(json_text);
  free(url);
  if (rc != 0) {
    char saved[sizeof last_error];
    memcpy(saved, last_error, sizeof saved);
    http_response_free(out);
    memcpy(last_error, saved, sizeof saved);
  }
  return rc;
}

void http_call_h(struct http_response *out, const char *method, const char *path, const char *bearer, json_t *body,
                 const char *const *headers) {
  struct http_request req = {
      .method = method,
      .path = path,
      .bearer = bearer,
      .json = body,
      .headers = headers,
  };
  int rc = http_send(&req, out);
  json_decref(body);
  ck_assert_msg(rc == 0, "%s %s failed: %s", method, path, http_last_error());
}

void http_call(struct http_response *out, const char *method, const char *path, const char *bearer, json_t *body) {
  http_call_h(out, method, path, bearer, body, NULL);
}

void http_get(struct http_response *out, const char *path, const char *bearer) {
  http_call_h(out, "GET", path, bearer, NULL, NULL);
}

void http_call_unknown(struct http_response *out, const char *method, const char *path, const char *bearer) {
  struct http_request req = {
      .method = method,
      .path = path,
      .bearer = bearer,
      .expect_unknown_route = true,
  };
  int rc = http_send(&req, out);
  ck_assert_msg(rc == 0, "%s %s failed: %s", method, path, http_last_error());
}

/* ---------- raw socket ---------- */

static int parse_host_port(const char *base, char *host, size_t host_len, int *port) {
  const char *p = strstr(base, "://");
  p = p ? p + 3 : base;
  const char *colon = strrchr(p, ':');
  if (colon == NULL) return -1;
  size_t n = (size_t)(colon - p);
  if (n == 0 || n >= host_len) return -1;
  memcpy(host, p, n);
  host[n] = '\0';
  char *end;
  long v = strtol(colon + 1, &end, 10);
  if (end == colon + 1 || v <= 0 || v > 65535 || (*end != '\0' && *end != '/')) return -1;
  *port = (int)v;
  return 0;
}

static ssize_t find_crlfcrlf(const char *buf, size_t len) {
  for (size_t i = 0; i + 3 < len; i++)
    if (memcmp(buf + i, "\r\n\r\n", 4) == 0) return (ssize_t)i;
  return -1;
}

/* Decodes a complete chunked body in place; returns its length or -1 if incomplete. */
static ssize_t dechunk(char *buf, size_t len) {
  size_t in = 0, outp = 0;
  for (;;) {
    const char *crlf = NULL;
    for (size_t i = in; i + 1 < len; i++)
      if (buf[i] == '\r' && buf[i + 1] == '\n') {
        crlf = buf + i;
        break;
      }
    if (crlf == NULL) return -1;
    char *end;
    unsigned long sz = strtoul(buf + in, &end, 16);
    if (end == buf + in) return -1;
    in = (size_t)(crlf - buf) + 2;
    if (sz == 0) return (ssize_t)outp;
    if (in + sz + 2 > len) return -1;
    memmove(buf + outp, buf + in, sz);
    outp += sz;
    in += sz + 2;
  }
}

/* Connects a TCP socket to host:port of base_url (NULL: the default), bound first to source_ip
 * when given. Returns the descriptor or -1 (errno kept, explanation in last_error). */
static int connect_to(const char *base_url, const char *source_ip) {
  char host[256];
  int port;
  const char *base = base_url ? base_url : http_base_url();
  if (parse_host_port(base, host, sizeof host, &port) != 0) {
    set_error("cannot parse base URL %s", base);
    errno = EINVAL;
    return -1;
  }
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    set_error("raw sender needs an IPv4 address, got %s", host);
    errno = EINVAL;
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    set_error("socket: %s", strerror(errno));
    return -1;
  }
  if (source_ip != NULL) {
    struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0};
    if (inet_pton(AF_INET, source_ip, &src.sin_addr) != 1 || bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
      int e = errno;
      set_error("bind %s: %s", source_ip, strerror(e));
      close(fd);
      errno = e;
      return -1;
    }
  }
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    int e = errno;
    set_error("connect %s:%d: %s", host, port, strerror(e));
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int tcp_connect(const char *base_url, const char *source_ip) { return connect_to(base_url, source_ip); }

/* Reads one response from c (bytes already buffered first) until it is complete, the peer
 * closes, or timeout_ms passes. Fills status, headers, body, elapsed_s (from t0) and
 * peer_closed (only when the peer closed while reading). Bytes after the response stay in the
 * buffer. Returns 0 or -1 (last_error says why). */
static int read_response(struct raw_conn *c, double t0, int timeout_ms, struct http_response *out) {
  ssize_t hdr_end = -1;
  long content_length = -1;
  bool chunked = false, complete = false;
  size_t used = 0; /* bytes of the buffer that belong to this response */
  double deadline = now_s() + timeout_ms / 1000.0;
  for (;;) {
    if (c->have > 0 && hdr_end < 0 && (hdr_end = find_crlfcrlf(c->buf, c->have)) >= 0) {
      c->buf[hdr_end] = '\0';
      const char *line = strstr(c->buf, "\r\n");
      while (line != NULL && line < c->buf + hdr_end) {
        line += 2;
        const char *next = strstr(line, "\r\n");
        size_t ll = next ? (size_t)(next - line) : strlen(line);
        if (header_line(out, line, ll) != 0) {
          set_error("out of memory");
          return -1;
        }
        line = next;
      }
      c->buf[hdr_end] = '\r';
      const char *cl = http_header(out, "content-length");
      const char *te = http_header(out, "transfer-encoding");
      if (te != NULL && strstr(te, "chunked") != NULL)
        chunked = true;
      else if (cl != NULL)
        content_length = strtol(cl, NULL, 10);
    }
    if (hdr_end >= 0) {
      size_t body_have = c->have - (size_t)hdr_end - 4;
      if (!chunked && content_length >= 0 && body_have >= (size_t)content_length) {
        used = (size_t)hdr_end + 4 + (size_t)content_length;
        complete = true;
      }
      if (chunked && body_have >= 5 && memcmp(c->buf + c->have - 5, "0\r\n\r\n", 5) == 0) {
        used = c->have;
        complete = true;
      }
    }
    if (complete || c->eof) break;
    double left = deadline - now_s();
    if (left <= 0) break;
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    int pr = poll(&p, 1, (int)(left * 1000) + 1);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) break;
    if (c->have == c->cap) {
      size_t cap = c->cap ? c->cap * 2 : 65536;
      char *nb = realloc(c->buf, cap + 1);
      if (nb == NULL) break;
      c->buf = nb;
      c->cap = cap;
    }
    ssize_t n = recv(c->fd, c->buf + c->have, c->cap - c->have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      c->eof = true;
      c->error = n < 0 ? errno : 0;
      continue; /* one more look at what arrived */
    }
    c->have += (size_t)n;
  }
  if (!complete && hdr_end >= 0 && c->eof && content_length < 0 && !chunked) {
    used = c->have; /* a body that ends when the peer closes */
    complete = true;
  }
  if (!complete) {
    set_error("no complete response within %d ms (%zu bytes received%s%s)", timeout_ms, c->have,
              c->eof ? ", then the peer closed: " : "", c->eof ? (c->error ? strerror(c->error) : "EOF") : "");
    return -1;
  }
  out->elapsed_s = now_s() - t0;
  out->peer_closed = c->eof;
  if (sscanf(c->buf, "HTTP/%*d.%*d %ld", &out->status) != 1) {
    set_error("bad status line");
    return -1;
  }
  char *body = c->buf + hdr_end + 4;
  size_t body_len = used - (size_t)hdr_end - 4;
  if (chunked) {
    ssize_t d = dechunk(body, body_len);
    if (d < 0) {
      set_error("bad chunked body");
      return -1;
    }
    body_len = (size_t)d;
  }
  out->body = strndup(body, body_len);
  if (out->body == NULL) {
    set_error("out of memory");
    return -1;
  }
  out->body_len = body_len;
  parse_json_body(out);
  memmove(c->buf, c->buf + used, c->have - used);
  c->have -= used;
  return 0;
}

/* Method and path for the log from a request's first line. 0 or -1 (ENOMEM). */
static int request_line(struct http_response *out, const char *data, size_t len) {
  size_t sp1 = 0;
  while (sp1 < len && data[sp1] != ' ') sp1++;
  const char *target = data + sp1 + (sp1 < len ? 1 : 0);
  size_t rest = len - (size_t)(target - data);
  size_t tlen = 0;
  while (tlen < rest && strchr(" ?\r\n", target[tlen]) == NULL) tlen++;
  out->method = strndup(data, sp1);
  out->path = strndup(target, tlen);
  return out->method != NULL && out->path != NULL ? 0 : -1;
}

/* Waits up to timeout_ms for the peer to close (EOF or reset); data that arrives is dropped. */
static bool wait_peer_closed(struct raw_conn *c, int timeout_ms) {
  if (c->eof) return true;
  double until = now_s() + timeout_ms / 1000.0;
  char tmp[512];
  while (now_s() < until) {
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    int pr = poll(&p, 1, 50);
    if (pr < 0 && errno == EINTR) continue;
    if (pr < 0) break;
    if (pr == 0) continue;
    ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
    if (n <= 0) {
      if (n == 0 || errno == ECONNRESET) {
        c->eof = true;
        c->error = n < 0 ? errno : 0;
      }
      break;
    }
  }
  return c->eof;
}

int http_raw(const char *base_url, const char *data, size_t len, int timeout_ms, struct http_response *out) {
  memset(out, 0, sizeof *out);
  struct raw_conn c;
  int rc = -1;
  if (request_line(out, data, strlen(data) < len ? strlen(data) : len) != 0) {
    set_error("out of memory");
    goto done;
  }
  if (raw_open(&c, base_url, NULL) != 0) goto done;
  double t0 = now_s();
  size_t sent = 0;
  while (sent < len) {
    ssize_t w = send(c.fd, data + sent, len - sent, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      break; /* the server may answer and close early; read what it said */
    }
    sent += (size_t)w;
  }
  if (read_response(&c, t0, timeout_ms, out) == 0) {
    /* Does the server close the connection now? Wait up to 1 s for EOF. */
    out->peer_closed = wait_peer_closed(&c, 1000);
    rc = log_exchange(out, false, NULL, NULL, NULL, 0);
  }
  raw_close(&c);
done:
  if (rc != 0) {
    char saved[sizeof last_error];
    memcpy(saved, last_error, sizeof saved);
    http_response_free(out);
    memcpy(last_error, saved, sizeof saved);
  }
  return rc;
}

/* ---------- raw connection ---------- */

int raw_open(struct raw_conn *c, const char *base_url, const char *source_ip) {
  memset(c, 0, sizeof *c);
  c->fd = connect_to(base_url, source_ip);
  if (c->fd < 0) {
    c->error = errno;
    return -1;
  }
  c->opened_s = now_s();
  return 0;
}

int raw_send(struct raw_conn *c, const char *data, size_t len) {
  size_t sent = 0;
  while (sent < len) {
    ssize_t w = send(c->fd, data + sent, len - sent, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      c->error = errno;
      set_error("send: %s", strerror(errno));
      return -1;
    }
    sent += (size_t)w;
  }
  c->sent_s = now_s();
  return 0;
}

int raw_read(struct raw_conn *c, const char *request, size_t request_len, int timeout_ms, struct http_response *out) {
  memset(out, 0, sizeof *out);
  int rc = -1;
  if (request_line(out, request, request_len) != 0) {
    set_error("out of memory");
    goto done;
  }
  if (read_response(c, c->sent_s > 0 ? c->sent_s : now_s(), timeout_ms, out) != 0) goto done;
  /* the body sent, when the request text holds all of it, for the log's request side */
  const char *body = NULL, *type = NULL;
  size_t body_len = 0;
  char type_buf[128] = "";
  for (size_t i = 0; i + 3 < request_len; i++)
    if (memcmp(request + i, "\r\n\r\n", 4) == 0) {
      body = request + i + 4;
      body_len = request_len - i - 4;
      const char *ct = memmem(request, i, "\r\nContent-Type:", 15);
      if (ct != NULL) {
        ct += 15;
        while (*ct == ' ') ct++;
        size_t n = strcspn(ct, "\r");
        if (n < sizeof type_buf) {
          memcpy(type_buf, ct, n);
          type_buf[n] = '\0';
          type = type_buf;
        }
      }
      break;
    }
  rc = log_exchange(out, false, NULL, type, body_len > 0 ? body : NULL, body_len);
done:
  if (rc != 0) {
    char saved[sizeof last_error];
    memcpy(saved, last_error, sizeof saved);
    http_response_free(out);
    memcpy(last_error, saved, sizeof saved);
  }
  return rc;
}

int raw_readable(struct raw_conn *c, int timeout_ms) {
  if (c->have > 0 || c->eof) return 1;
  struct pollfd p = {.fd = c->fd, .events = POLLIN};
  int pr = poll(&p, 1, timeout_ms);
  return pr > 0 ? 1 : pr == 0 ? 0 : -1;
}

bool raw_peer_closed(struct raw_conn *c, int timeout_ms) { return wait_peer_closed(c, timeout_ms); }

void raw_close(struct raw_conn *c) {
  if (c->fd >= 0) close(c->fd);
  free(c->buf);
  memset(c, 0, sizeof *c);
  c->fd = -1;
}
