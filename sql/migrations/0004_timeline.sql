-- Shared casework, part 2: the case timeline. Notes, signals and automatic events; nothing is
-- edited in place (a correction is a new entry pointing at the old one; an acknowledgement is a
-- row of its own), so the server's role may only read and add.

CREATE TYPE timeline_kind AS ENUM ('note', 'signal', 'event');
CREATE TYPE timeline_visibility AS ENUM ('all', 'professionals', 'lead');

CREATE TABLE case_timeline (
  community_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  case_id      uuid NOT NULL,
  kind         timeline_kind NOT NULL,
  visibility   timeline_visibility NOT NULL,
  health       boolean NOT NULL DEFAULT false CHECK (NOT health OR kind = 'note'),
  text         text CHECK (length(text) BETWEEN 1 AND 4000),
  event_type   text CHECK (event_type IN ('lead_handed_over', 'action_done', 'participant_added', 'consent_changed')),
  event_detail text CHECK (length(event_detail) <= 300),
  author_id    uuid NOT NULL REFERENCES persons (id),
  corrects     uuid,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, case_id) REFERENCES cases (community_id, id),
  FOREIGN KEY (community_id, corrects) REFERENCES case_timeline (community_id, id),
  CHECK ((kind = 'event') = (event_type IS NOT NULL)),
  CHECK (kind = 'event' OR text IS NOT NULL)
);
CREATE INDEX case_timeline_case_idx ON case_timeline (community_id, case_id, at, id);
CREATE INDEX case_timeline_corrects_idx ON case_timeline (community_id, corrects) WHERE corrects IS NOT NULL;
CREATE INDEX case_timeline_signals_idx ON case_timeline (community_id, case_id) WHERE kind = 'signal';

CREATE TABLE case_signal_acks (
  community_id    uuid NOT NULL,
  signal_id       uuid NOT NULL,
  acknowledged_by uuid NOT NULL REFERENCES persons (id),
  acknowledged_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (community_id, signal_id),
  FOREIGN KEY (community_id, signal_id) REFERENCES case_timeline (community_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_timeline', 'case_signal_acks'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (community_id = app_community_id())', t || '_scope', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT ON case_timeline, case_signal_acks TO noaber_api;

-- Who sees an entry: its author always; otherwise by visibility (all participants; professionals
-- and the lead; the lead), and a professional only with the subject's consent for that kind of
-- data (notes, health, or basic for events).
CREATE FUNCTION timeline_visible(p_community uuid, p_case uuid, p_person uuid, p_kind timeline_kind,
                                 p_visibility timeline_visibility, p_health boolean, p_author uuid)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p_author = p_person OR COALESCE((
    SELECT CASE p_visibility WHEN 'all' THEN true
                             WHEN 'professionals' THEN p.role = 'professional' OR c.lead_person_id = p_person
                             ELSE c.lead_person_id = p_person END
           AND (p.role <> 'professional'
                OR case_consent_granted(p_community, p_case, p_person, p.organisation,
                                        CASE WHEN p_kind = 'event' THEN 'basic'::consent_kind
                                             WHEN p_health THEN 'health'::consent_kind
                                             ELSE 'notes'::consent_kind END))
    FROM cases c JOIN case_participants p ON p.community_id = c.community_id AND p.case_id = c.id
                                         AND p.person_id = p_person
    WHERE c.community_id = p_community AND c.id = p_case), false)
$$;
GRANT EXECUTE ON FUNCTION timeline_visible(uuid, uuid, uuid, timeline_kind, timeline_visibility, boolean, uuid)
  TO noaber_api;
