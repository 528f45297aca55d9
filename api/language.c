/* The language a person reads: negotiation and the catalogue (see language.h). */
#include "language.h"

#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PLACEHOLDER "{}"
#define REST_PLACEHOLDER "{rest}" /* at the end only: the rest of the text, spaces and all */

#define MAX_PLACEHOLDERS 8

/* The parsed texts.json: {"nl": {"messages": {english: dutch}, "labels": {kind: {status: text}},
 * "next_steps": {kind: {status: text}}}, "en": {"labels": ..., "next_steps": ...}}. */
static json_t *catalogue;
/* The English templates (keys with a placeholder) of nl.messages, borrowed from the catalogue. */
static const char **templates;
static size_t template_count;

int language_load(const char *share_dir, char *err, size_t err_len) {
  char *path = msprintf("%s/texts.json", share_dir);
  if (path == NULL) {
    snprintf(err, err_len, "out of memory");
    return -1;
  }
  json_error_t error;
  catalogue = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
  json_t *messages = json_object_get(json_object_get(catalogue, "nl"), "messages");
  if (catalogue == NULL || !json_is_object(messages)) {
    snprintf(err, err_len, "configuration error: %s is missing or not a text catalogue (%s, line %d)", path,
             catalogue == NULL ? error.text : "no nl.messages", error.line);
    o_free(path);
    language_unload();
    return -1;
  }
  o_free(path);
  templates = o_malloc((json_object_size(messages) + 1) * sizeof *templates);
  if (templates == NULL) {
    snprintf(err, err_len, "out of memory");
    language_unload();
    return -1;
  }
  const char *key;
  json_t *value;
  json_object_foreach(messages, key, value) {
    if (strstr(key, PLACEHOLDER) != NULL || strstr(key, REST_PLACEHOLDER) != NULL) templates[template_count++] = key;
  }
  return 0;
}

void language_unload(void) {
  o_free(templates);
  templates = NULL;
  template_count = 0;
  json_decref(catalogue);
  catalogue = NULL;
}

/* The quality of one Accept-Language entry ("nl-NL;q=0.8"): 1 without q, 0 for a broken q. */
static double entry_quality(const char *entry, const char *end) {
  const char *q = entry;
  while ((q = strchr(q, ';')) != NULL && q < end) {
    q++;
    while (*q == ' ') q++;
    if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
      char *stop = NULL;
      double value = strtod(q + 2, &stop);
      return stop != q + 2 && value >= 0.0 && value <= 1.0 ? value : 0.0;
    }
  }
  return 1.0;
}

const char *language_negotiate(const char *accept_language, const char *fallback) {
  const char *chosen = fallback != NULL && strcmp(fallback, "en") == 0 ? "en" : "nl";
  const char *best = NULL;
  double best_quality = 0.0;
  for (const char *p = accept_language; p != NULL && *p != '\0';) {
    while (*p == ' ' || *p == ',') p++;
    const char *end = strchr(p, ',');
    if (end == NULL) end = p + strlen(p);
    size_t tag = strcspn(p, "-;, ");
    const char *language = NULL;
    if (tag == 2 && strncasecmp(p, "nl", 2) == 0) language = "nl";
    if (tag == 2 && strncasecmp(p, "en", 2) == 0) language = "en";
    if (tag == 1 && p[0] == '*') language = chosen;
    double quality = language != NULL ? entry_quality(p, end) : 0.0;
    if (quality > best_quality) { /* strictly better: of equals, the first listed wins */
      best = language;
      best_quality = quality;
    }
    p = end;
  }
  return best != NULL ? best : chosen;
}

/* Does `text` have the shape of `template`? Each placeholder takes one or more characters; the
 * values found go to starts/lengths (room for `room`). Returns their number, or -1 when it does
 * not match or has more values than room. */
static int template_match(const char *template, const char *text, const char **starts, size_t *lengths, int room) {
  const char *hole = strstr(template, PLACEHOLDER), *rest = strstr(template, REST_PLACEHOLDER);
  if (rest != NULL && (hole == NULL || rest < hole)) {
    size_t before = (size_t)(rest - template);
    if (room < 1 || strncmp(template, text, before) != 0 || text[before] == '\0') return -1;
    starts[0] = text + before;
    lengths[0] = strlen(text + before);
    return 1;
  }
  size_t literal = hole != NULL ? (size_t)(hole - template) : strlen(template);
  if (strncmp(template, text, literal) != 0) return -1;
  if (hole == NULL) return text[literal] == '\0' ? 0 : -1;
  if (room < 1) return -1;
  const char *value = text + literal;
  const char *next = hole + strlen(PLACEHOLDER);
  const char *next_hole = strstr(next, PLACEHOLDER);
  size_t next_literal = next_hole != NULL ? (size_t)(next_hole - next) : strlen(next);
  /* A value is one word (a number, mostly): it runs to the next literal, at the end to the end
   * of the text, and holds no space, so "from {} to {}" does not take "1 to 100, or null". */
  size_t word = strcspn(value, " ");
  const char *after = NULL;
  if (next_literal == 0 && next_hole == NULL) {
    after = value[word] == '\0' ? value + word : NULL;
  } else {
    for (const char *at = value + 1; at <= value + word && after == NULL; at++)
      if (strncmp(at, next, next_literal) == 0) after = at;
  }
  if (after == NULL || after == value) return -1;
  starts[0] = value;
  lengths[0] = (size_t)(after - value);
  if (next_hole == NULL && next_literal == 0) return 1;
  int others = template_match(next, after, starts + 1, lengths + 1, room - 1);
  return others < 0 ? -1 : others + 1;
}

/* Append `value` to *out as Dutch writes it: a decimal number with a comma ("2.5" -> "2,5"). */
static void append_value(char **out, const char *value, size_t length) {
  size_t digits = strspn(value, "0123456789.");
  const char *point = memchr(value, '.', length);
  char *joined = msprintf("%s%.*s", *out, (int)length, value);
  if (joined != NULL && digits == length && point != NULL && point != value && point != value + length - 1)
    joined[strlen(*out) + (size_t)(point - value)] = ',';
  o_free(*out);
  *out = joined;
}

/* `dutch` with its placeholders filled by the values, in order. New string, NULL when out of memory. */
static char *template_fill(const char *dutch, int count, const char **starts, const size_t *lengths) {
  char *out = o_strdup("");
  const char *p = dutch;
  for (int i = 0; out != NULL; i++) {
    const char *hole = i < count ? strstr(p, PLACEHOLDER) : NULL; /* more holes than values: kept as written */
    const char *rest = i < count ? strstr(p, REST_PLACEHOLDER) : NULL;
    size_t hole_length = strlen(PLACEHOLDER);
    if (rest != NULL && (hole == NULL || rest < hole)) {
      hole = rest;
      hole_length = strlen(REST_PLACEHOLDER);
    }
    size_t literal = hole != NULL ? (size_t)(hole - p) : strlen(p);
    char *joined = msprintf("%s%.*s", out, (int)literal, p);
    o_free(out);
    out = joined;
    if (hole == NULL || out == NULL) break;
    append_value(&out, starts[i], lengths[i]);
    p = hole + hole_length;
  }
  return out;
}

const char *language_text(const char *language, const char *english, char **owned) {
  *owned = NULL;
  if (english == NULL || language == NULL || strcmp(language, "nl") != 0) return english;
  json_t *messages = json_object_get(json_object_get(catalogue, "nl"), "messages");
  const char *exact = json_string_value(json_object_get(messages, english));
  if (exact != NULL) return exact;
  const char *starts[MAX_PLACEHOLDERS];
  size_t lengths[MAX_PLACEHOLDERS];
  for (size_t i = 0; i < template_count; i++) {
    int count = template_match(templates[i], english, starts, lengths, MAX_PLACEHOLDERS);
    if (count <= 0) continue;
    const char *dutch = json_string_value(json_object_get(messages, templates[i]));
    *owned = template_fill(dutch, count, starts, lengths);
    return *owned != NULL ? *owned : english;
  }
  return english;
}

/* Replace the string member `key` of `object` with its translation. */
static void translate_member(json_t *object, const char *key, const char *language) {
  const char *english = json_string_value(json_object_get(object, key));
  char *owned = NULL;
  const char *text = language_text(language, english, &owned);
  if (english != NULL && text != english) json_object_set_new(object, key, json_string(text));
  o_free(owned);
}

void language_problem(json_t *problem, const char *language) {
  translate_member(problem, "title", language);
  translate_member(problem, "detail", language);
  translate_member(json_object_get(problem, "rule"), "message", language);
  size_t i;
  json_t *error;
  json_array_foreach(json_object_get(problem, "errors"), i, error) translate_member(error, "message", language);
}

char *language_reason(const char *language, const char *english) {
  char *copy = o_strdup(english), *out = o_strdup(""), *save = NULL;
  for (char *part = copy != NULL ? strtok_r(copy, ";", &save) : NULL; part != NULL && out != NULL;
       part = strtok_r(NULL, ";", &save)) {
    while (*part == ' ') part++;
    char *owned = NULL;
    const char *text = language_text(language, part, &owned);
    char *joined = msprintf("%s%s%s", out, out[0] != '\0' ? "; " : "", text);
    o_free(owned);
    o_free(out);
    out = joined;
  }
  if (copy == NULL) {
    o_free(out);
    out = NULL;
  }
  o_free(copy);
  return out;
}

static const char *lookup(const char *language, const char *table, const char *kind, const char *status) {
  json_t *texts = json_object_get(json_object_get(json_object_get(catalogue, language), table), kind);
  return status != NULL ? json_string_value(json_object_get(texts, status)) : NULL;
}

const char *language_label(const char *language, const char *kind, const char *status) {
  return lookup(language, "labels", kind, status);
}

const char *language_next_step(const char *language, const char *kind, const char *status) {
  return lookup(language, "next_steps", kind, status);
}
