#include "timeline.h"

#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "validate.h"

#define ENTRY_DOC                                                                                                \
  "json_build_object('id', t.id, 'case_id', t.case_id, 'community_id', t.community_id, 'kind', t.kind, "        \
  "'visibility', t.visibility, 'health', t.health, 'text', t.text, 'event', CASE WHEN t.kind = 'event' THEN "   \
  "json_build_object('type', t.event_type, 'detail', COALESCE(t.event_detail, '')) END, 'author_id', t.author_id, " \
  "'author_name', (SELECT ap.display_name FROM persons ap WHERE ap.id = t.author_id), 'corrects', t.corrects, "   \
  "'corrected_by', (SELECT c2.id FROM case_timeline c2 WHERE c2.community_id = t.community_id "                  \
  "AND c2.corrects = t.id ORDER BY c2.at DESC, c2.id DESC LIMIT 1), "                                            \
  "'needs_response', t.kind = 'signal' AND k.signal_id IS NULL, 'acknowledged_by', k.acknowledged_by, "          \
  "'acknowledged_at', api_ts(k.acknowledged_at), 'at', api_ts(t.at))::text, api_ts(t.at), t.id"

#define ENTRY_FROM                                                                                    \
  " FROM case_timeline t LEFT JOIN case_signal_acks k ON k.community_id = t.community_id "           \
  "AND k.signal_id = t.id "

#define VISIBLE_TO(person)                                                                            \
  "timeline_visible(t.community_id, t.case_id, " person ", t.kind, t.visibility, t.health, t.author_id)"

static const struct db_statement statements[] = {
    {"tl_page",
     "SELECT " ENTRY_DOC ENTRY_FROM "WHERE t.community_id = $1 AND t.case_id = $2 AND " VISIBLE_TO("$3::uuid")
     " AND ($4::timestamptz IS NULL OR (t.at, t.id) > ($4::timestamptz, $5::uuid)) ORDER BY t.at, t.id LIMIT $6"},
    {"tl_get", "SELECT " ENTRY_DOC ENTRY_FROM "WHERE t.community_id = $1 AND t.case_id = $2 AND t.id = $3"},
    {"tl_visible",
     "SELECT t.kind, " VISIBLE_TO("$4::uuid") " FROM case_timeline t WHERE t.community_id = $1 "
     "AND t.case_id = $2 AND t.id = $3"},
    {"tl_insert",
     "INSERT INTO case_timeline (community_id, case_id, kind, visibility, health, text, event_type, event_detail, "
     "author_id, corrects) VALUES ($1, $2, $3::timeline_kind, $4::timeline_visibility, $5, $6, $7, $8, $9, $10) "
     "RETURNING id"},
    {"tl_correctable",
     "SELECT 1 FROM case_timeline WHERE community_id = $1 AND case_id = $2 AND id = $3 AND kind = 'note' "
     "AND author_id = $4"},
    {"tl_ack", "INSERT INTO case_signal_acks (community_id, signal_id, acknowledged_by) VALUES ($1, $2, $3) "
               "ON CONFLICT DO NOTHING RETURNING signal_id"},
    /* Signals waiting for $2 in the context's community: they lead the case, or are a
     * professional on it, and may see the signal. */
    {"tl_waiting",
     "SELECT " ENTRY_DOC ENTRY_FROM "JOIN cases c ON c.community_id = t.community_id AND c.id = t.case_id "
     "WHERE t.community_id = $1 AND t.kind = 'signal' AND k.signal_id IS NULL AND c.status = 'open' "
     "AND (c.lead_person_id = $2 OR EXISTS (SELECT 1 FROM case_participants p WHERE p.community_id = c.community_id "
     "AND p.case_id = c.id AND p.person_id = $2 AND p.role = 'professional')) AND " VISIBLE_TO("$2::uuid")
     " ORDER BY t.at, t.id"},
    {"tl_my_communities",
     "SELECT community_id FROM memberships WHERE person_id = $1 AND removed_at IS NULL ORDER BY community_id"},
};

int timeline_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

static enum result entry_doc(struct db_conn *conn, const struct actor *actor, const char *case_id,
                             const char *entry_id, json_t **out, struct result_info *info) {
  PGresult *res = NULL;
  enum result r = result_from_db(
      db_query(conn, "tl_get", 3, (const char *[]){actor->community_id, case_id, entry_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) r = RESULT_NOT_FOUND;
  if (r == RESULT_OK && (*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) r = RESULT_ERROR;
  PQclear(res);
  return r;
}

/* Insert an entry; its id goes to id_out (37 bytes). */
static enum result insert_entry(struct db_conn *conn, const struct actor *actor, const char *case_id,
                                const char *kind, const char *visibility, int health, const char *text,
                                const char *event_type, const char *event_detail, const char *corrects,
                                char id_out[37], struct result_info *info) {
  const char *params[10] = {actor->community_id, case_id, kind, visibility, health ? "true" : "false", text,
                            event_type, event_detail, actor->person_id, corrects};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "tl_insert", 10, params, &res), info);
  if (r == RESULT_OK) snprintf(id_out, 37, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return r;
}

enum result timeline_event(struct db_conn *conn, const struct actor *actor, const char *case_id, const char *type,
                           const char *detail, struct result_info *info) {
  char id[37];
  return insert_entry(conn, actor, case_id, "event", "all", 0, NULL, type, detail, NULL, id, info);
}

enum result timeline_list(struct db_conn *conn, const struct actor *actor, const char *id,
                          const struct page_request *page, json_t **out, struct case_audit *audit,
                          struct result_info *info) {
  *out = NULL;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  char limit[16];
  snprintf(limit, sizeof limit, "%d", page->limit + 1);
  const char *params[6] = {actor->community_id, id, actor->person_id, page->after_ts, page->after_id, limit};
  PGresult *res = NULL;
  r = result_from_db(db_query(conn, "tl_page", 6, params, &res), info);
  if (r != RESULT_OK) return r;
  json_t *items = fields_documents(res, 0);
  PQclear(res);
  *out = paging_envelope(page, items, "at", "id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}

enum result timeline_add_note(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                              json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"text", "visibility", "health", "corrects", NULL};
  fields_only(body, fields, info);
  const char *text = fields_text(body, "text", 1, 4000, 1, info);
  const char *visibility = fields_text(body, "visibility", 1, 20, 1, info);
  json_t *health = json_object_get(body, "health");
  const char *corrects = fields_uuid(body, "corrects", 0, info);
  if (visibility != NULL && strcmp(visibility, "all") != 0 && strcmp(visibility, "professionals") != 0 &&
      strcmp(visibility, "lead") != 0)
    result_field_error(info, "visibility", "invalid", "all, professionals or lead");
  if (health != NULL && !json_is_boolean(health)) result_field_error(info, "health", "type", "must be true or false");
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (info->errors != NULL) return RESULT_INVALID;
  if (corrects != NULL) {
    PGresult *res = NULL;
    r = result_from_db(
        db_query(conn, "tl_correctable", 4, (const char *[]){actor->community_id, id, corrects, actor->person_id}, &res),
        info);
    if (r == RESULT_OK && PQntuples(res) != 1) {
      result_field_error(info, "corrects", "invalid", "you can correct a note you wrote on this case");
      r = RESULT_INVALID;
    }
    PQclear(res);
    if (r != RESULT_OK) return r;
  }
  char entry[37];
  r = insert_entry(conn, actor, id, "note", visibility, json_is_true(health), text, NULL, NULL, corrects, entry, info);
  if (r == RESULT_OK) r = entry_doc(conn, actor, id, entry, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result timeline_add_signal(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"text", NULL};
  fields_only(body, fields, info);
  const char *text = fields_text(body, "text", 1, 2000, 1, info);
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (info->errors != NULL) return RESULT_INVALID;
  char entry[37];
  r = insert_entry(conn, actor, id, "signal", "professionals", 0, text, NULL, NULL, NULL, entry, info);
  if (r == RESULT_OK) r = entry_doc(conn, actor, id, entry, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result timeline_acknowledge(struct db_conn *conn, const struct actor *actor, const char *id,
                                 const char *entry_id, json_t **out, struct case_audit *audit,
                                 struct result_info *info) {
  *out = NULL;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  PGresult *res = NULL;
  r = result_from_db(
      db_query(conn, "tl_visible", 4, (const char *[]){actor->community_id, id, entry_id, actor->person_id}, &res),
      info);
  int found = r == RESULT_OK && PQntuples(res) == 1;
  int visible = found && PQgetvalue(res, 0, 1)[0] == 't';
  int signal = found && strcmp(PQgetvalue(res, 0, 0), "signal") == 0;
  PQclear(res);
  if (r != RESULT_OK) return r;
  if (!visible) return RESULT_NOT_FOUND;
  if (!signal) {
    result_field_error(info, "entryId", "not_a_signal", "only signals are acknowledged");
    return RESULT_INVALID;
  }
  if (!a.is_lead && strcmp(a.role, "professional") != 0) {
    info->detail = "the lead or a professional on the case responds to signals";
    return RESULT_FORBIDDEN;
  }
  r = result_from_db(db_query(conn, "tl_ack", 3, (const char *[]){actor->community_id, entry_id, actor->person_id}, &res),
                     info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    info->detail = "this signal was already acknowledged";
    r = RESULT_CONFLICT;
  }
  PQclear(res);
  if (r == RESULT_OK) r = entry_doc(conn, actor, id, entry_id, out, info);
  return r;
}

/* (at, id) of an item, for comparing with the cursor. */
static int after_cursor(json_t *item, const struct page_request *page) {
  if (page->after_ts == NULL) return 1;
  const char *at = json_string_value(json_object_get(item, "at"));
  const char *id = json_string_value(json_object_get(item, "id"));
  int c = strcmp(at, page->after_ts);
  return c > 0 || (c == 0 && strcmp(id, page->after_id) > 0);
}

static int by_time(const void *a, const void *b) {
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  int c = strcmp(json_string_value(json_object_get(x, "at")), json_string_value(json_object_get(y, "at")));
  return c != 0 ? c : strcmp(json_string_value(json_object_get(x, "id")), json_string_value(json_object_get(y, "id")));
}

enum result timeline_my_signals(struct db_conn *conn, const char *person_id, const struct page_request *page,
                                json_t **out, struct result_info *info) {
  *out = NULL;
  PGresult *communities = NULL;
  enum result r = result_from_db(db_query(conn, "tl_my_communities", 1, (const char *[]){person_id}, &communities), info);
  if (r != RESULT_OK) return r;
  /* Row-level security shows one community at a time: visit each of the person's (few). */
  json_t *all = json_array();
  for (int i = 0; all != NULL && r == RESULT_OK && i < PQntuples(communities); i++) {
    const char *community = PQgetvalue(communities, i, 0);
    struct db_context ctx = {.person_id = person_id, .community_id = community};
    PGresult *res = NULL;
    r = result_from_db(db_set_context(conn, &ctx), info);
    if (r == RESULT_OK) r = result_from_db(db_query(conn, "tl_waiting", 2, (const char *[]){community, person_id}, &res), info);
    json_t *items = r == RESULT_OK ? fields_documents(res, 0) : NULL;
    PQclear(res);
    if (r == RESULT_OK && items == NULL) r = RESULT_ERROR;
    size_t k;
    json_t *item;
    json_array_foreach(items, k, item) if (after_cursor(item, page)) json_array_append(all, item);
    json_decref(items);
  }
  PQclear(communities);
  if (r != RESULT_OK || all == NULL) {
    json_decref(all);
    return r != RESULT_OK ? r : RESULT_ERROR;
  }
  /* Oldest first across communities; keep limit+1 so the envelope knows about a next page. */
  size_t n = json_array_size(all);
  json_t **sorted = n > 0 ? o_malloc(n * sizeof *sorted) : NULL;
  json_t *page_items = json_array();
  if ((n > 0 && sorted == NULL) || page_items == NULL) {
    o_free(sorted);
    json_decref(all);
    json_decref(page_items);
    return RESULT_ERROR;
  }
  for (size_t i = 0; i < n; i++) sorted[i] = json_array_get(all, i);
  if (n > 1) qsort(sorted, n, sizeof *sorted, by_time);
  for (size_t i = 0; i < n && i <= (size_t)page->limit; i++) json_array_append(page_items, sorted[i]);
  o_free(sorted);
  json_decref(all);
  *out = paging_envelope(page, page_items, "at", "id");
  return *out != NULL ? RESULT_OK : RESULT_ERROR;
}
