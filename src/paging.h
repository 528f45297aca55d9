#ifndef NOABER_PAGING_H
#define NOABER_PAGING_H

#include "result.h"

#define PAGE_DEFAULT_LIMIT 50
#define PAGE_MAX_LIMIT 100

/* One page request of a list ordered by (updated_at, id). Strings are owned. */
struct page_request {
  int limit;
  char *after_ts; /* from the cursor, or NULL for the first page */
  char *after_id;
  char *updated_since; /* RFC 3339 or NULL; when set, removed items come back as tombstones */
  char fetch[12];      /* limit + 1 as text: how many rows a page statement fetches */
};

/* A page statement reads the rows after its keyset bounds, written out in its SQL as
 * `ts > $since AND (ts, id) > ($after_ts, $after_id)`, with parameters from paging_param_*(),
 * which are never NULL: a missing bound is the lowest value. So both bounds are index
 * conditions, also in a generic plan and under row-level security (an `$n IS NULL OR ...` or a
 * COALESCE would keep them out of the index). */

/*
 * Validate the list query parameters (each may be NULL). The cursor is opaque to clients: it
 * carries the last (updated_at, id) seen and the updated_since of the first page.
 * Returns 0, or -1 with info->errors filled. Free with paging_free() either way.
 */
int paging_parse(const char *limit, const char *cursor, const char *updated_since, struct page_request *out,
                 struct result_info *info);
void paging_free(struct page_request *page);

/* The keyset bounds as statement parameters: updated_since, and the cursor's
 * (updated_at, id); the lowest timestamp and id when absent. Borrowed from `page` or static. */
const char *paging_param_since(const struct page_request *page);
const char *paging_param_after_ts(const struct page_request *page);
const char *paging_param_after_id(const struct page_request *page);
/* How many rows a page statement fetches: the limit and one more, so a next page is known
 * without counting. Borrowed from `page`. */
const char *paging_param_fetch(const struct page_request *page);

/* The cursor that continues after (ts, id) for this request; caller o_free()s; NULL on OOM. */
char *paging_cursor(const struct page_request *page, const char *ts, const char *id);

/* Wrap fetched items (stolen) into {items, next_cursor}: `fetched` holds up to limit+1 items
 * so a next page is known without counting; `ts_key`/`id_key` name the fields to continue
 * after. Returns a new reference or NULL. */
json_t *paging_envelope(const struct page_request *page, json_t *fetched, const char *ts_key, const char *id_key);

#endif
