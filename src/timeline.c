#include "timeline.h"
#include "documents.h"

#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "support/validate.h"

/* The entry documents are built by timeline_entry_doc (sql/functions/timeline.sql). Who sees an
 * entry is timeline_entry_visible, given the viewer's row of case_viewer (NULLs when not on the
 * case); both are inlined (sql/migrations/0006_index_driven_rls.sql). A statement about one case
 * reads the caller's case_viewer row once (WITH ... MATERIALIZED). */
static const struct db_statement statements[] = {
    {"tl_page",
     "WITH v AS MATERIALIZED (SELECT * FROM case_viewer($1, $2, $3::uuid)) "
     "SELECT d.* FROM case_timeline t LEFT JOIN v ON true, timeline_entry_doc(t) d "
     "WHERE t.community_id = $1 AND t.case_id = $2 AND timeline_entry_visible($3::uuid, v.role, v.is_lead, "
     "v.sees_basic, v.sees_notes, v.sees_health, t.kind, t.visibility, t.health, t.author_id) "
     "AND (t.at, t.id) > ($4::timestamptz, $5::uuid) ORDER BY t.at, t.id LIMIT $6"},
    {"tl_get",
     "SELECT d.* FROM case_timeline t, timeline_entry_doc(t) d WHERE t.community_id = $1 AND t.case_id = $2 "
     "AND t.id = $3"},
    {"tl_get_withheld",
     "SELECT timeline_signal_withheld(d.doc), d.at, d.id FROM case_timeline t, timeline_entry_doc(t) d "
     "WHERE t.community_id = $1 AND t.case_id = $2 AND t.id = $3"},
    {"tl_visible",
     "WITH v AS MATERIALIZED (SELECT * FROM case_viewer($1, $2, $4::uuid)) "
     "SELECT t.kind, timeline_entry_visible($4::uuid, v.role, v.is_lead, v.sees_basic, v.sees_notes, "
     "v.sees_health, t.kind, t.visibility, t.health, t.author_id) FROM case_timeline t LEFT JOIN v ON true "
     "WHERE t.community_id = $1 AND t.case_id = $2 AND t.id = $3"},
    {"tl_insert",
     "INSERT INTO case_timeline (community_id, case_id, kind, visibility, health, text, event_type, event_detail, "
     "author_id, corrects, on_behalf_of, channel) VALUES ($1, $2, $3::timeline_kind, $4::timeline_visibility, $5, $6, "
     "$7, $8, $9, $10, $11, $12) "
     "RETURNING id"},
    {"tl_correctable",
     "SELECT 1 FROM case_timeline WHERE community_id = $1 AND case_id = $2 AND id = $3 AND kind = 'note' "
     "AND author_id = $4"},
    {"tl_ack",
     "INSERT INTO case_signal_acks (community_id, signal_id, acknowledged_by) VALUES ($1, $2, $3) "
     "ON CONFLICT DO NOTHING RETURNING signal_id"},
    /* Signals waiting for person $1, in every community of theirs (row-level security scopes a
     * /v1/me route to them): open cases they lead or are a professional on, signals they may see
     * that nobody acknowledged yet; and on a case they lead, every such signal, its text withheld
     * when they may not see it (someone must respond). Keyset $2/$3, $4 limit. */
    {"tl_my_signals",
     "SELECT CASE WHEN s.shown THEN d.doc ELSE timeline_signal_withheld(d.doc) END, d.at, d.id "
     "FROM (SELECT c.community_id, c.id FROM cases c WHERE c.lead_person_id = $1 AND c.status = 'open' "
     "UNION SELECT p.community_id, p.case_id FROM case_participants p JOIN cases c "
     "ON c.community_id = p.community_id AND c.id = p.case_id WHERE p.person_id = $1 AND p.role = 'professional' "
     "AND c.status = 'open') mine JOIN case_timeline t ON t.community_id = mine.community_id AND t.case_id = mine.id "
     "AND t.kind = 'signal' LEFT JOIN case_signal_acks k ON k.community_id = t.community_id AND k.signal_id = t.id "
     "CROSS JOIN LATERAL case_viewer(mine.community_id, mine.id, $1) v, timeline_entry_doc(t) d, "
     "LATERAL (SELECT timeline_entry_visible($1, v.role, v.is_lead, v.sees_basic, v.sees_notes, v.sees_health, "
     "t.kind, t.visibility, t.health, t.author_id) AS shown) s "
     "WHERE k.signal_id IS NULL AND (s.shown OR v.is_lead) AND (t.at, t.id) > ($2::timestamptz, $3::uuid) "
     "ORDER BY t.at, t.id LIMIT $4"},
};

int timeline_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

static enum result entry_doc(struct db_conn *conn, const struct actor *actor, const char *case_id, const char *entry_id,
                             json_t **out, struct result_info *info) {
  return documents_one(conn, "tl_get", 3, (const char *[]){actor->community_id, case_id, entry_id}, out, info);
}

/* Insert an entry; its id goes to id_out (37 bytes). */
static enum result insert_entry(struct db_conn *conn, const struct actor *actor, const char *case_id, const char *kind,
                                const char *visibility, int health, const char *text, const char *event_type,
                                const char *event_detail, const char *corrects, char id_out[37],
                                struct result_info *info) {
  const char *params[12] = {actor->community_id,
                            case_id,
                            kind,
                            visibility,
                            health ? "true" : "false",
                            text,
                            event_type,
                            event_detail,
                            actor->person_id,
                            corrects,
                            actor->on_behalf_of,
                            actor->channel};
  PGresult *res = NULL;
  enum result r = result_from_db(db_query(conn, "tl_insert", 12, params, &res), info);
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
  case_audit_consent_read(audit, &a, 1);
  const char *params[6] = {
      actor->community_id,     id, actor->person_id, paging_param_after_ts(page), paging_param_after_id(page),
      paging_param_fetch(page)};
  return documents_page(conn, "tl_page", 6, params, page, "at", "id", out, info);
}

static const char *const visibilities[] = {"all", "professionals", "lead", NULL};

enum { NOTE_TEXT, NOTE_VISIBILITY, NOTE_HEALTH, NOTE_CORRECTS, NOTE_FIELDS };
static const struct field_rule note_fields[] = {
    [NOTE_TEXT] = {"text", FIELD_TEXT, FIELD_REQUIRED, 1, 4000, NULL, NULL, NULL},
    [NOTE_VISIBILITY] = {"visibility", FIELD_ENUM, FIELD_REQUIRED, 0, 0, visibilities, NULL,
                         "all, professionals or lead"},
    [NOTE_HEALTH] = {"health", FIELD_BOOLEAN, FIELD_NULL_INVALID, 0, 0, NULL, "type", "must be true or false"},
    [NOTE_CORRECTS] = {"corrects", FIELD_UUID, 0, 0, 0, NULL, NULL, NULL},
    [NOTE_FIELDS] = {NULL},
};

enum result timeline_add_note(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                              json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  /* The body is read first; its errors are told after whether the caller is on the case. */
  struct field_value v[NOTE_FIELDS];
  int fits = fields_read(body, note_fields, v, info) == 0;
  const char *text = v[NOTE_TEXT].text;
  const char *visibility = v[NOTE_VISIBILITY].text;
  const char *corrects = v[NOTE_CORRECTS].text;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!fits) return RESULT_INVALID;
  if (corrects != NULL) {
    PGresult *res = NULL;
    r = result_from_db(db_query(conn, "tl_correctable", 4,
                                (const char *[]){actor->community_id, id, corrects, actor->person_id}, &res),
                       info);
    if (r == RESULT_OK && PQntuples(res) != 1) {
      result_field_error(info, "corrects", "invalid", "you can correct a note you wrote on this case");
      r = RESULT_UNPROCESSABLE;
    }
    PQclear(res);
    if (r != RESULT_OK) return r;
  }
  char entry[37];
  r = insert_entry(conn, actor, id, "note", visibility, v[NOTE_HEALTH].boolean, text, NULL, NULL, corrects, entry,
                   info);
  if (r == RESULT_OK) r = entry_doc(conn, actor, id, entry, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result timeline_add_signal(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const struct field_rule signal_fields[] = {
      {"text", FIELD_TEXT, FIELD_REQUIRED, 1, 2000, NULL, NULL, NULL},
      {NULL},
  };
  struct field_value v[1];
  int fits = fields_read(body, signal_fields, v, info) == 0;
  const char *text = v[0].text;
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!fits) return RESULT_INVALID;
  char entry[37];
  r = insert_entry(conn, actor, id, "signal", "professionals", 0, text, NULL, NULL, NULL, entry, info);
  if (r == RESULT_OK) r = entry_doc(conn, actor, id, entry, out, info);
  return r == RESULT_OK ? RESULT_CREATED : r;
}

enum result timeline_acknowledge(struct db_conn *conn, const struct actor *actor, const char *id, const char *entry_id,
                                 json_t *body, json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const struct field_rule none[] = {{NULL}};
  if (fields_read(body, none, NULL, info) != 0) return RESULT_INVALID;
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
  /* The lead answers every signal on their case, also one whose text consent keeps from them. */
  int withheld = !visible && signal && a.is_lead;
  if (!visible && !withheld) return RESULT_NOT_FOUND;
  if (!signal) {
    result_field_error(info, "entryId", "not_a_signal", "only signals are acknowledged");
    return RESULT_INVALID;
  }
  if (!a.is_lead && strcmp(a.role, "professional") != 0) {
    info->detail = "the lead or a professional on the case responds to signals";
    return RESULT_FORBIDDEN;
  }
  r = result_from_db(
      db_query(conn, "tl_ack", 3, (const char *[]){actor->community_id, entry_id, actor->person_id}, &res), info);
  if (r == RESULT_OK && PQntuples(res) != 1) {
    info->detail = "this signal was already acknowledged";
    r = RESULT_CONFLICT;
  }
  PQclear(res);
  if (r == RESULT_OK && withheld)
    r = documents_one(conn, "tl_get_withheld", 3, (const char *[]){actor->community_id, id, entry_id}, out, info);
  else if (r == RESULT_OK)
    r = entry_doc(conn, actor, id, entry_id, out, info);
  return r;
}

enum result timeline_my_signals(struct db_conn *conn, const char *person_id, const struct page_request *page,
                                json_t **out, struct result_info *info) {
  *out = NULL;
  const char *params[4] = {person_id, paging_param_after_ts(page), paging_param_after_id(page),
                           paging_param_fetch(page)};
  return documents_page(conn, "tl_my_signals", 4, params, page, "at", "id", out, info);
}
