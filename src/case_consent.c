/* Consent records of a case. */
#include "case_consent.h"
#include "documents.h"

#include <orcania.h>
#include <stdio.h>

#include "fields.h"
#include "on_behalf.h"
#include "timeline.h"

static const struct db_statement statements[] = {
    {"case_consents",
     "SELECT COALESCE(json_agg(json_build_object('id', id, 'grantee_person_id', grantee_person_id, "
     "'grantee_organisation', grantee_organisation, 'data_kind', data_kind, 'granted', granted, 'recorded_by', "
     "recorded_by, 'recorded_at', api_ts(recorded_at), 'on_behalf_of', on_behalf_of, 'channel', channel, 'note', "
     "note) ORDER BY recorded_at DESC, id DESC), '[]')::text FROM case_consents WHERE community_id = $1 AND case_id = $2"},
    {"case_consent_insert",
     "INSERT INTO case_consents (community_id, case_id, grantee_person_id, grantee_organisation, data_kind, granted, "
     "recorded_by, on_behalf_of, channel, note) VALUES ($1, $2, $3, $4, $5::consent_kind, $6, $7, $8, $9, $10) "
     "RETURNING json_build_object('id', id, 'grantee_person_id', grantee_person_id, 'grantee_organisation', "
     "grantee_organisation, 'data_kind', data_kind, 'granted', granted, 'recorded_by', recorded_by, 'recorded_at', "
     "api_ts(recorded_at), 'on_behalf_of', on_behalf_of, 'channel', channel, 'note', note)::text"},
    /* Whether person $3 may be a grantee: on the case, or a current member of the community (an
     * index probe each: the participants' unique key, the memberships primary key). */
    {"case_consent_grantee",
     "SELECT EXISTS (SELECT 1 FROM case_participants WHERE community_id = $1 AND case_id = $2 AND person_id = $3) "
     "OR EXISTS (SELECT 1 FROM memberships WHERE community_id = $1 AND person_id = $3 AND removed_at IS NULL)"},
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

static const char *const data_kinds[] = {"basic", "notes", "health", NULL};

enum { CONSENT_PERSON, CONSENT_ORGANISATION, CONSENT_KIND, CONSENT_GRANTED, CONSENT_NOTE, CONSENT_FIELDS };
static const struct field_rule consent_fields[] = {
    [CONSENT_PERSON] = {"grantee_person_id", FIELD_UUID, 0, 0, 0, NULL, NULL, NULL},
    [CONSENT_ORGANISATION] = {"grantee_organisation", FIELD_TEXT, 0, 1, 100, NULL, NULL, NULL},
    [CONSENT_KIND] = {"data_kind", FIELD_ENUM, FIELD_REQUIRED, 0, 0, data_kinds, NULL, "basic, notes or health"},
    [CONSENT_GRANTED] = {"granted", FIELD_BOOLEAN, FIELD_ABSENT_INVALID, 0, 0, NULL, "type", "must be true or false"},
    /* Only with on_behalf_of, and then required: who was present, how it was explained. */
    [CONSENT_NOTE] = {"note", FIELD_TEXT, FIELD_NULL_INVALID, 1, 1000, NULL, "invalid", "1 to 1000 characters"},
    [CONSENT_FIELDS] = {NULL},
};

/* Who records consent: the subject or her representative, or with {on_behalf_of, channel} the
 * desk for the subject (on_behalf.h), with a note of how it was given. RESULT_OK or the refusal. */
static enum result consent_recorder(const struct actor *actor, const struct case_access *a, const struct on_behalf *ob,
                                    struct result_info *info) {
  if (ob->person_id != NULL) return on_behalf_check(ob, actor, a->subject_id, "must be the subject of this case", info);
  if (case_caller_speaks_for_subject(actor, a)) return RESULT_OK;
  info->detail = "only the subject or their representative decides about consent";
  return RESULT_FORBIDDEN;
}

enum result cases_consent_record(struct db_conn *conn, const struct actor *caller, const char *id, json_t *body,
                                 json_t **out, struct case_audit *audit, struct result_info *info) {
  *out = NULL;
  /* The body is read first; its errors are told after who may decide about consent. */
  struct on_behalf ob;
  json_t *rest = NULL;
  int whom_fits = on_behalf_read(body, &ob, &rest, info) == 0, fits = whom_fits;
  if (body != NULL && rest == NULL) return RESULT_ERROR;
  struct field_value v[CONSENT_FIELDS];
  if (fields_read(rest, consent_fields, v, info) != 0) fits = 0;
  json_decref(rest); /* v's strings are the body's: `rest` only shared them */
  const char *person = v[CONSENT_PERSON].text;
  const char *organisation = v[CONSENT_ORGANISATION].text;
  const char *kind = v[CONSENT_KIND].text;
  int granted = v[CONSENT_GRANTED].boolean;
  const char *note = v[CONSENT_NOTE].text;
  if ((person == NULL) == (organisation == NULL)) {
    result_field_error(info, "grantee_person_id", "invalid",
                       "give exactly one of grantee_person_id, grantee_organisation");
    fits = 0;
  }
  /* Consent given at the kitchen table is only as good as the account of it. */
  if (ob.person_id != NULL && note == NULL) {
    result_field_error(info, "note", "required", "say who was present and how it was explained");
    fits = 0;
  } else if (ob.person_id == NULL && whom_fits && note != NULL) {
    result_field_error(info, "on_behalf_of", "required", "a note goes with consent the desk records for someone");
    fits = 0;
  }
  struct case_access a;
  enum result r = cases_load_access(conn, caller, id, 0, &a, audit, info);
  if (r != RESULT_OK) return r;
  if (!whom_fits) return RESULT_INVALID; /* who the caller acts for decides who may: told first */
  r = consent_recorder(caller, &a, &ob, info);
  if (r != RESULT_OK) return r;
  if (!fits) return RESULT_INVALID;
  const struct actor acting = on_behalf_actor(caller, &ob), *actor = &acting;
  if (ob.person_id != NULL) {
    snprintf(audit->on_behalf_of, sizeof audit->on_behalf_of, "%s", ob.person_id);
    snprintf(audit->channel, sizeof audit->channel, "%s", ob.channel);
  }
  if (person != NULL) {
    PGresult *res = NULL;
    r = result_from_db(
        db_query(conn, "case_consent_grantee", 3, (const char *[]){actor->community_id, id, person}, &res), info);
    if (r == RESULT_OK && PQgetvalue(res, 0, 0)[0] != 't') {
      result_field_error(info, "grantee_person_id", "not_a_member",
                         "the grantee is a participant of the case or a member of this community");
      r = RESULT_UNPROCESSABLE;
    }
    PQclear(res);
    if (r != RESULT_OK) return r;
  }
  const char *params[10] = {actor->community_id,
                            id,
                            person,
                            organisation,
                            kind,
                            granted ? "true" : "false",
                            actor->person_id,
                            actor->on_behalf_of,
                            actor->channel,
                            note};
  r = documents_one(conn, "case_consent_insert", 10, params, out, info);
  if (r == RESULT_OK) r = case_touch(conn, actor, id, info);
  if (r == RESULT_OK) r = on_behalf_record(conn, actor, "consent", id, note, info);
  if (r == RESULT_OK) {
    char *detail = msprintf("%s consent %s for %s", kind, granted ? "granted" : "revoked",
                            person != NULL ? "a participant" : organisation);
    r = detail != NULL ? timeline_event(conn, actor, id, "consent_changed", detail, info) : RESULT_ERROR;
    o_free(detail);
  }
  return r == RESULT_OK ? RESULT_CREATED : r;
}
