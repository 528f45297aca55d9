-- Shared casework, part 1: cases about one resident, their participants, exactly one lead with a
-- handover history, a shared action list, consent records and the access log (NEN 7513).

CREATE TYPE case_status AS ENUM ('open', 'closed');
CREATE TYPE case_role AS ENUM ('subject', 'informal_carer', 'volunteer', 'coordinator', 'professional');
CREATE TYPE case_action_status AS ENUM ('open', 'in_progress', 'done', 'cancelled');
CREATE TYPE consent_kind AS ENUM ('basic', 'notes', 'health');

CREATE TABLE cases (
  community_id    uuid NOT NULL REFERENCES communities (id),
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  subject_id      uuid NOT NULL,
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  status          case_status NOT NULL DEFAULT 'open',
  outcome         text CHECK (length(outcome) <= 500),
  help_request_id uuid,
  -- Exactly one lead at every moment: a required column, and (below) a participant of the case.
  lead_person_id  uuid NOT NULL,
  lead_since      timestamptz NOT NULL DEFAULT now(),
  created_by      uuid NOT NULL REFERENCES persons (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  closed_at       timestamptz,
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, subject_id) REFERENCES memberships (community_id, person_id),
  FOREIGN KEY (community_id, help_request_id) REFERENCES help_requests (community_id, id)
);
CREATE INDEX cases_sync_idx ON cases (community_id, updated_at, id);

CREATE TABLE case_participants (
  community_id   uuid NOT NULL,
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  case_id        uuid NOT NULL,
  person_id      uuid NOT NULL,
  role           case_role NOT NULL,
  organisation   text CHECK (length(organisation) BETWEEN 1 AND 100),
  representative boolean NOT NULL DEFAULT false CHECK (NOT representative OR role = 'informal_carer'),
  added_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id),
  UNIQUE (community_id, case_id, person_id),
  FOREIGN KEY (community_id, case_id) REFERENCES cases (community_id, id) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (community_id, person_id) REFERENCES memberships (community_id, person_id)
);
CREATE INDEX case_participants_person_idx ON case_participants (community_id, person_id);

-- The lead must be a participant; a case and its first participants are inserted in one
-- transaction, hence deferred.
ALTER TABLE cases ADD FOREIGN KEY (community_id, id, lead_person_id)
  REFERENCES case_participants (community_id, case_id, person_id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE case_lead_history (
  community_id   uuid NOT NULL,
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  case_id        uuid NOT NULL,
  person_id      uuid NOT NULL REFERENCES persons (id),
  from_person_id uuid REFERENCES persons (id),
  note           text CHECK (length(note) <= 1000),
  since          timestamptz NOT NULL DEFAULT clock_timestamp(),
  until          timestamptz,
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, case_id) REFERENCES cases (community_id, id)
);
-- One open stretch of leadership per case.
CREATE UNIQUE INDEX case_lead_history_open_idx ON case_lead_history (community_id, case_id) WHERE until IS NULL;
CREATE INDEX case_lead_history_case_idx ON case_lead_history (community_id, case_id, since);

CREATE TABLE case_actions (
  community_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  case_id      uuid NOT NULL,
  title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  owner_id     uuid REFERENCES persons (id),
  due_on       date,
  status       case_action_status NOT NULL DEFAULT 'open',
  created_by   uuid NOT NULL REFERENCES persons (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, case_id) REFERENCES cases (community_id, id)
);
CREATE INDEX case_actions_case_idx ON case_actions (community_id, case_id, due_on);
CREATE INDEX case_actions_owner_idx ON case_actions (owner_id, status, updated_at, id);

-- Consent is a history: the latest record for a grantee and a kind counts; nothing is deleted.
CREATE TABLE case_consents (
  community_id         uuid NOT NULL,
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  case_id              uuid NOT NULL,
  grantee_person_id    uuid REFERENCES persons (id),
  grantee_organisation text CHECK (length(grantee_organisation) BETWEEN 1 AND 100),
  data_kind            consent_kind NOT NULL,
  granted              boolean NOT NULL,
  recorded_by          uuid NOT NULL REFERENCES persons (id),
  recorded_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, case_id) REFERENCES cases (community_id, id),
  CHECK ((grantee_person_id IS NULL) <> (grantee_organisation IS NULL))
);
CREATE INDEX case_consents_case_idx ON case_consents (community_id, case_id, data_kind, recorded_at);

-- Who looked at or changed whose case data, when, and with what outcome (NEN 7513).
CREATE TABLE access_log (
  community_id       uuid NOT NULL REFERENCES communities (id),
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  at                 timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id           uuid NOT NULL,
  actor_roles        member_role[] NOT NULL,
  actor_organisation text,
  subject_id         uuid,
  case_id            uuid,
  resource           text NOT NULL,
  action             text NOT NULL,
  outcome            text NOT NULL CHECK (outcome IN ('allowed', 'denied')),
  status             integer NOT NULL,
  PRIMARY KEY (community_id, id)
);
CREATE INDEX access_log_case_idx ON access_log (community_id, case_id, at, id);
CREATE INDEX access_log_at_idx ON access_log (community_id, at, id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'case_participants', 'case_lead_history', 'case_actions', 'case_consents',
                           'access_log'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (community_id = app_community_id())', t || '_scope', t);
  END LOOP;
END $$;
-- A person's own actions in every community, and those of the cases they lead
-- (GET /v1/me/actions).
CREATE POLICY case_actions_own ON case_actions FOR SELECT USING (owner_id = app_person_id());
CREATE POLICY cases_led ON cases FOR SELECT USING (lead_person_id = app_person_id());
CREATE POLICY case_actions_led ON case_actions FOR SELECT
  USING (case_id IN (SELECT c.id FROM cases c WHERE c.lead_person_id = app_person_id()));

GRANT SELECT, INSERT, UPDATE ON cases, case_actions, case_lead_history TO noaber_api;
GRANT SELECT, INSERT, DELETE ON case_participants TO noaber_api;
-- Append-only for the server: consent records and the access log are never changed or removed.
GRANT SELECT, INSERT ON case_consents, access_log TO noaber_api;

-- Whether the subject's latest consent record for this person or their organisation grants
-- `kind`. Invoker's rights: row-level security applies.
CREATE FUNCTION case_consent_granted(p_community uuid, p_case uuid, p_person uuid, p_organisation text,
                                     p_kind consent_kind) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT c.granted FROM case_consents c
                   WHERE c.community_id = p_community AND c.case_id = p_case AND c.data_kind = p_kind
                     AND (c.grantee_person_id = p_person OR c.grantee_organisation = p_organisation)
                   ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1), false)
$$;

-- Whether a person sees a case's basic facts: the resident's own circle and the desk do; a
-- professional only with the subject's consent; someone not on the case never.
CREATE FUNCTION case_sees_basic(p_community uuid, p_case uuid, p_person uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT COALESCE((
    SELECT p.role <> 'professional'
           OR case_consent_granted(p_community, p_case, p_person, p.organisation, 'basic')
    FROM case_participants p
    WHERE p.community_id = p_community AND p.case_id = p_case AND p.person_id = p_person), false)
$$;
GRANT EXECUTE ON FUNCTION case_consent_granted(uuid, uuid, uuid, text, consent_kind),
                          case_sees_basic(uuid, uuid, uuid) TO noaber_api;
