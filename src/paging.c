/* Keyset pagination with opaque cursors. */
#include "paging.h"

#include <errno.h>
#include <orcania.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/validate.h"

static int parse_cursor(const char *cursor, struct page_request *out) {
  size_t len = strlen(cursor);
  if (len == 0 || len > 512) return -1;
  unsigned char *raw = o_malloc(len + 1);
  size_t raw_len = 0;
  int rc = -1;
  json_t *parts = NULL;
  if (raw == NULL) return -1;
  if (sodium_base642bin(raw, len, cursor, len, NULL, &raw_len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    goto done;
  parts = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
  /* [updated_at, id, updated_since or null] */
  if (!json_is_array(parts) || json_array_size(parts) != 3) goto done;
  const char *ts = json_string_value(json_array_get(parts, 0));
  const char *id = json_string_value(json_array_get(parts, 1));
  json_t *since_value = json_array_get(parts, 2);
  const char *since = json_string_value(since_value);
  if (since == NULL && !json_is_null(since_value)) goto done;
  if (!valid_rfc3339(ts) || !valid_uuid(id) || (since != NULL && !valid_rfc3339(since))) goto done;
  out->after_ts = o_strdup(ts);
  out->after_id = o_strdup(id);
  if (since != NULL) {
    o_free(out->updated_since);
    out->updated_since = o_strdup(since);
  }
  rc = (out->after_ts && out->after_id && (since == NULL || out->updated_since)) ? 0 : -1;
done:
  json_decref(parts);
  o_free(raw);
  return rc;
}

int paging_parse(const char *limit, const char *cursor, const char *updated_since, struct page_request *out,
                 struct result_info *info) {
  memset(out, 0, sizeof *out);
  out->limit = PAGE_DEFAULT_LIMIT;
  int ok = 1;
  if (limit != NULL) {
    char *end = NULL;
    errno = 0;
    long value = strtol(limit, &end, 10);
    if (limit[0] < '0' || limit[0] > '9' || *end != '\0' || errno != 0 || value < 1 || value > PAGE_MAX_LIMIT) {
      result_field_error(info, "limit", "out_of_range", "limit must be a whole number from 1 to 100");
      ok = 0;
    } else {
      out->limit = (int)value;
    }
  }
  if (updated_since != NULL) {
    if (!valid_rfc3339(updated_since)) {
      result_field_error(info, "updated_since", "invalid",
                         "updated_since must be an RFC 3339 date-time in the years 1900 to 2200 (UTC)");
      ok = 0;
    } else if ((out->updated_since = o_strdup(updated_since)) == NULL) {
      ok = 0;
    }
  }
  /* The cursor's own updated_since wins: a page continues the listing it came from. */
  if (cursor != NULL && parse_cursor(cursor, out) != 0) {
    result_field_error(info, "cursor", "invalid", "cursor is not one this server handed out");
    ok = 0;
  }
  snprintf(out->fetch, sizeof out->fetch, "%d", out->limit + 1);
  return ok ? 0 : -1;
}

void paging_free(struct page_request *page) {
  o_free(page->after_ts);
  o_free(page->after_id);
  o_free(page->updated_since);
  memset(page, 0, sizeof *page);
}

#define LOWEST_TS "-infinity"
#define LOWEST_ID "00000000-0000-0000-0000-000000000000"

const char *paging_param_since(const struct page_request *page) {
  return page->updated_since != NULL ? page->updated_since : LOWEST_TS;
}

const char *paging_param_after_ts(const struct page_request *page) {
  return page->after_ts != NULL ? page->after_ts : LOWEST_TS;
}

const char *paging_param_fetch(const struct page_request *page) { return page->fetch; }

const char *paging_param_after_id(const struct page_request *page) {
  return page->after_id != NULL ? page->after_id : LOWEST_ID;
}

char *paging_cursor(const struct page_request *page, const char *ts, const char *id) {
  json_t *parts = json_pack("[ss s?]", ts, id, page->updated_since);
  char *text = parts ? json_dumps(parts, JSON_COMPACT) : NULL;
  json_decref(parts);
  if (text == NULL) return NULL;
  size_t len = strlen(text);
  size_t out_len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *out = o_malloc(out_len);
  if (out != NULL)
    sodium_bin2base64(out, out_len, (const unsigned char *)text, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  free(text);
  return out;
}

json_t *paging_envelope(const struct page_request *page, json_t *fetched, const char *ts_key, const char *id_key) {
  if (fetched == NULL) return NULL;
  json_t *next = json_null();
  if (json_array_size(fetched) > (size_t)page->limit) {
    json_array_remove(fetched, (size_t)page->limit);
    json_t *last = json_array_get(fetched, (size_t)page->limit - 1);
    char *cursor = paging_cursor(page, json_string_value(json_object_get(last, ts_key)),
                                 json_string_value(json_object_get(last, id_key)));
    if (cursor == NULL) {
      json_decref(fetched);
      return NULL;
    }
    next = json_string(cursor);
    o_free(cursor);
  }
  return json_pack("{s:o, s:o}", "items", fetched, "next_cursor", next);
}
