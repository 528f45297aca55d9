/* Consent records of a case. */
#include "case_consent.h"
#include "documents.h"

#include <orcania.h>
#include <string.h>

#include "fields.h"
#include "timeline.h"

static const struct db_statement statements[] = {
    {"case_consents",
     "SELECT COALESCE(json_agg(json_build_object('id', id, 'grantee_person_id', grantee_person_id, "
     "'grantee_organisation', grantee_organisation, 'data_kind', data_kind, 'granted', granted, 'recorded_by', "
     "recorded_by, 'recorded_at', api_ts(recorded_at)) ORDER BY recorded_at DESC, id DESC), '[]')::text "
     "FROM case_consents WHERE community_id = $1 AND case_id = $2"},
    {"case_consent_insert",
     "INSERT INTO case_consents (community_id, case_id, grantee_person_id, grantee_organisation, data_kind, granted, "
     "recorded_by) VALUES ($1, $2, $3, $4, $5::consent_kind, $6, $7) RETURNING json_build_object('id', id, "
     "'grantee_person_id', grantee_person_id, 'grantee_organisation', grantee_organisation, 'data_kind', data_kind, "
     "'granted', granted, 'recorded_by', recorded_by, 'recorded_at', api_ts(recorded_at))::text"},
};

int case_consent_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

enum result cases_consents(struct db_conn *conn, const struct actor *actor, const char *id, json_t **out,
                           struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  struct case_access a;
  json_t *items = NULL;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!case_caller_speaks_for_subject(actor, &a) && !case_caller_is_coordinator(&a)) {
    info->detail = "the subject, their representative and the desk see the consent records";
    return RESULT_FORBIDDEN;
  }
  r = documents_one(conn, "case_consents", 2, (const char *[]){actor->community_id, id}, &items, info);
  if (r == RESULT_OK && (*out = json_pack("{s:o}", "items", items)) == NULL) r = RESULT_ERROR;
  return r;
}

enum result cases_consent_record(struct db_conn *conn, const struct actor *actor, const char *id, json_t *body,
                                 json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  static const char *const fields[] = {"grantee_person_id", "grantee_organisation", "data_kind", "granted", NULL};
  fields_only(body, fields, info);
  const char *person = fields_uuid(body, "grantee_person_id", 0, info);
  const char *organisation = fields_text(body, "grantee_organisation", 1, 100, 0, info);
  const char *kind = fields_text(body, "data_kind", 1, 10, 1, info);
  json_t *granted = json_object_get(body, "granted");
  if ((person == NULL) == (organisation == NULL))
    result_field_error(info, "grantee_person_id", "invalid",
                       "give exactly one of grantee_person_id, grantee_organisation");
  if (kind != NULL && strcmp(kind, "basic") != 0 && strcmp(kind, "notes") != 0 && strcmp(kind, "health") != 0)
    result_field_error(info, "data_kind", "invalid", "basic, notes or health");
  if (!json_is_boolean(granted)) result_field_error(info, "granted", "type", "must be true or false");
  struct case_access a;
  enum result r = cases_load_access(conn, actor, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!case_caller_speaks_for_subject(actor, &a)) {
    info->detail = "only the subject or their representative decides about consent";
    return RESULT_FORBIDDEN;
  }
  if (info->errors != NULL) return RESULT_INVALID;
  const char *params[7] = {
      actor->community_id, id, person, organisation, kind, json_is_true(granted) ? "true" : "false", actor->person_id};
  r = documents_one(conn, "case_consent_insert", 7, params, out, info);
  if (r == RESULT_OK) r = case_touch(conn, actor, id, info);
  if (r == RESULT_OK) {
    char *detail = msprintf("%s consent %s for %s", kind, json_is_true(granted) ? "granted" : "revoked",
                            person != NULL ? "a participant" : organisation);
    r = detail != NULL ? timeline_event(conn, actor, id, "consent_changed", detail, info) : RESULT_ERROR;
    o_free(detail);
  }
  return r == RESULT_OK ? RESULT_CREATED : r;
}
