-- Issue 13, item 3: the desk acts on behalf of a resident or volunteer who phones, comes by or
-- sends a paper form, and does so visibly. Every such action is one row of on_behalf_actions,
-- written in the same transaction as the action by one function (src/on_behalf.c): who acted,
-- for whom, by which channel, what (kind + subject id), a note, when. The person acted for reads
-- her rows on GET /v1/me/on-behalf, the desk its community's. The histories that already existed
-- (a request's transitions, a case's timeline and access log, consent records) say the same on
-- their own rows: on_behalf_of and channel, both or neither.

CREATE TABLE on_behalf_actions (
  community_id uuid NOT NULL REFERENCES communities (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  actor_id     uuid NOT NULL REFERENCES persons (id),
  person_id    uuid NOT NULL REFERENCES persons (id),
  channel      text NOT NULL CHECK (channel IN ('phone', 'in_person', 'paper')),
  -- What was done: the action's name as the API names it.
  kind         text NOT NULL CHECK (kind IN ('feedback', 'confirm', 'ask-other', 'cancel', 'complete', 'helpers',
                                             'volunteer_profile', 'consent')),
  -- The help request (feedback, confirm, ask-other, cancel, complete), the case (consent), or the
  -- person whose list or profile it is (helpers, volunteer_profile).
  subject_id   uuid NOT NULL,
  note         text CHECK (length(note) <= 1000),
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (community_id, id)
);
-- The person's own rows in keyset order (GET /v1/me/on-behalf, every community of hers), a
-- person's rows for the desk of one community, and all of the community's for the desk.
CREATE INDEX on_behalf_actions_person_idx ON on_behalf_actions (person_id, at, id);
CREATE INDEX on_behalf_actions_community_person_idx ON on_behalf_actions (community_id, person_id, at, id);
CREATE INDEX on_behalf_actions_community_at_idx ON on_behalf_actions (community_id, at, id);

ALTER TABLE on_behalf_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE on_behalf_actions FORCE ROW LEVEL SECURITY;
-- The community's rows on its own routes (plain indexed equality, as 0006 requires), and on /v1/me
-- routes the rows about oneself: an index lookup on person_id, in any community.
CREATE POLICY on_behalf_actions_scope ON on_behalf_actions USING (community_id = app_community_id());
CREATE POLICY on_behalf_actions_own ON on_behalf_actions FOR SELECT USING (person_id = app_person_id());
-- Append-only: a record of what was done for someone is never changed or removed.
GRANT SELECT, INSERT ON on_behalf_actions TO noaber_api;

-- The existing histories name the person acted for and the channel.
ALTER TABLE help_request_transitions
  ADD COLUMN on_behalf_of uuid REFERENCES persons (id),
  ADD COLUMN channel text CHECK (channel IN ('phone', 'in_person', 'paper')),
  ADD CHECK ((on_behalf_of IS NULL) = (channel IS NULL));
ALTER TABLE case_timeline
  ADD COLUMN on_behalf_of uuid REFERENCES persons (id),
  ADD COLUMN channel text CHECK (channel IN ('phone', 'in_person', 'paper')),
  ADD CHECK ((on_behalf_of IS NULL) = (channel IS NULL));
ALTER TABLE access_log
  ADD COLUMN on_behalf_of uuid,
  ADD COLUMN channel text CHECK (channel IN ('phone', 'in_person', 'paper')),
  ADD CHECK ((on_behalf_of IS NULL) = (channel IS NULL));
-- Consent the desk records for the subject carries the note of how it was given (who was present,
-- how it was explained): required then, and only then.
ALTER TABLE case_consents
  ADD COLUMN on_behalf_of uuid REFERENCES persons (id),
  ADD COLUMN channel text CHECK (channel IN ('phone', 'in_person', 'paper')),
  ADD COLUMN note text CHECK (length(note) BETWEEN 1 AND 1000),
  ADD CHECK ((on_behalf_of IS NULL) = (channel IS NULL)),
  ADD CHECK ((on_behalf_of IS NULL) = (note IS NULL));

-- What a person may see of a case (as in 0006), with the rule for consent the desk records: per
-- grantee and kind, the subject's own latest record (hers or her representative's, made
-- themselves) counts if there is one; only without one does the desk's latest record count. So
-- the subject can always revoke what the desk recorded, and the desk cannot overrule her. This is
-- the one place the rule lives: every read of what consent allows goes through case_viewer.
CREATE OR REPLACE FUNCTION case_viewer(p_community uuid, p_case uuid, p_person uuid)
RETURNS TABLE (role case_role, organisation text, representative boolean, is_lead boolean,
               sees_basic boolean, sees_notes boolean, sees_health boolean)
LANGUAGE sql STABLE AS $$
  SELECT p.role, p.organisation, p.representative, c.lead_person_id = p_person,
         p.role <> 'professional' OR COALESCE(g.basic, false),
         p.role <> 'professional' OR COALESCE(g.notes, false),
         p.role <> 'professional' OR COALESCE(g.health, false)
  FROM case_participants p
  JOIN cases c ON c.community_id = p.community_id AND c.id = p.case_id
  LEFT JOIN LATERAL (
    SELECT bool_or(x.granted) FILTER (WHERE x.data_kind = 'basic') AS basic,
           bool_or(x.granted) FILTER (WHERE x.data_kind = 'notes') AS notes,
           bool_or(x.granted) FILTER (WHERE x.data_kind = 'health') AS health
    FROM (SELECT DISTINCT ON (k.data_kind) k.data_kind, k.granted
          FROM case_consents k
          WHERE k.community_id = p.community_id AND k.case_id = p.case_id
            AND (k.grantee_person_id = p.person_id OR k.grantee_organisation = p.organisation)
          ORDER BY k.data_kind, k.on_behalf_of IS NOT NULL, k.recorded_at DESC, k.id DESC) x) g
    ON p.role = 'professional'
  WHERE p.community_id = p_community AND p.case_id = p_case AND p.person_id = p_person
$$;
