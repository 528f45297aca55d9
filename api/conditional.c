/* Reading HTTP's If-Match and If-None-Match. */
#include "conditional.h"

#include <orcania.h>
#include <string.h>

/* Calls `visit(tag, length, weak, context)` for each entity tag of `header` until it returns
 * non-zero (then returns that), and for "*" with tag NULL; stops at a token that is not an entity
 * tag. Returns 0 when every visit returned 0. */
typedef int (*tag_visitor)(const char *tag, size_t length, int weak, void *context);

static int each_tag(const char *header, tag_visitor visit, void *context) {
  for (const char *p = header; *p != '\0';) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (*p == '\0') break;
    if (*p == '*') {
      int stop = visit(NULL, 0, 0, context);
      if (stop) return stop;
      p++;
      continue;
    }
    int weak = 0;
    if (p[0] == 'W' && p[1] == '/') {
      weak = 1;
      p += 2;
    }
    if (*p != '"') return 0;
    const char *end = strchr(p + 1, '"');
    if (end == NULL) return 0;
    int stop = visit(p, (size_t)(end - p) + 1, weak, context);
    if (stop) return stop;
    p = end + 1;
  }
  return 0;
}

struct match_wanted {
  const char *etag;
  size_t length;
  int weak_comparison;
};

static int matches_wanted(const char *tag, size_t length, int weak, void *context) {
  const struct match_wanted *w = context;
  if (tag == NULL) return 1;
  return (!weak || w->weak_comparison) && length == w->length && strncmp(tag, w->etag, length) == 0;
}

int conditional_header_matches(const char *header, const char *etag, int weak_comparison) {
  if (header == NULL || etag == NULL) return 0;
  struct match_wanted w = {etag, strlen(etag), weak_comparison};
  return each_tag(header, matches_wanted, &w) == 1;
}

struct collected {
  struct precondition *pre;
  char **tags;
};

/* Returns -1 when out of memory (stops the walk), else 0. */
static int collect(const char *tag, size_t length, int weak, void *context) {
  struct collected *c = context;
  if (tag == NULL) {
    c->pre->any = 1;
    return 0;
  }
  if (weak) return 0;
  char **grown = o_realloc(c->tags, (c->pre->count + 1) * sizeof *grown);
  if (grown == NULL) return -1;
  c->tags = grown;
  c->tags[c->pre->count] = o_strndup(tag, length);
  if (c->tags[c->pre->count] == NULL) return -1;
  c->pre->count++;
  return 0;
}

int conditional_if_match(const char *header, struct precondition *out, char ***tags) {
  memset(out, 0, sizeof *out);
  *tags = NULL;
  if (header == NULL || header[0] == '\0') return 0;
  out->given = 1;
  struct collected c = {out, NULL};
  int rc = each_tag(header, collect, &c);
  *tags = c.tags;
  out->etags = (const char *const *)c.tags;
  return rc == -1 ? -1 : 0;
}

void conditional_tags_free(char **tags, size_t count) {
  for (size_t i = 0; i < count; i++) o_free(tags[i]);
  o_free(tags);
}
