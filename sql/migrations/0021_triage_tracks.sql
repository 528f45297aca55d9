-- Triage as data (issue 13, item 4): which track the desk chose for a request, kept on the
-- request and in its history; referrals as records with a follow-up date and an outcome.
--
-- The track and the outcome are text with a CHECK rather than enums: a text equality is
-- leakproof, so under row-level security `track = $n` can be an index condition
-- (an enum comparison cannot: 0006_index_driven_rls.sql).

-- informal: the community helps; professional: referred to wijkteam or care; business: a paid
-- firm (partner and agreed rate when known); wmo_avoided: informal help instead of a Wmo provision.
ALTER TABLE help_requests
  ADD COLUMN track text CHECK (track IN ('informal', 'professional', 'business', 'wmo_avoided')),
  ADD COLUMN track_reason text CHECK (length(track_reason) BETWEEN 1 AND 500),
  ADD COLUMN business_partner text CHECK (length(business_partner) BETWEEN 1 AND 200),
  -- The agreed rate in euro cents, per hour or per job.
  ADD COLUMN business_rate_cents integer CHECK (business_rate_cents >= 0),
  ADD COLUMN business_rate_per text CHECK (business_rate_per IN ('hour', 'job')),
  ADD CHECK ((business_rate_cents IS NULL) = (business_rate_per IS NULL));

-- The track a triage or refer chose, in the transition that recorded it: a re-triage adds a
-- transition and keeps the earlier one.
ALTER TABLE help_request_transitions
  ADD COLUMN track text CHECK (track IN ('informal', 'professional', 'business', 'wmo_avoided'));

-- GET .../help-requests?track= (the desk), in list order.
CREATE INDEX help_requests_track_idx ON help_requests (community_id, track, updated_at, id) WHERE track IS NOT NULL;
-- The desk summary (GET .../desk/summary) counts what happened in a period, each from an index
-- on its time: the requests created, the occurrences done (with what it sums and counts), the
-- matches made.
CREATE INDEX help_requests_created_idx ON help_requests (community_id, created_at);
CREATE INDEX occurrences_completed_idx ON occurrences (community_id, completed_at)
  INCLUDE (hours, volunteer_id, request_id) WHERE status = 'done';
CREATE INDEX help_request_transitions_matched_idx ON help_request_transitions (community_id, at)
  WHERE to_status = 'matched';

-- Where the desk referred a request to, and what came of it. Made by the refer action, and by a
-- triage to the professional or business track that names a receiver.
CREATE TABLE referrals (
  community_id     uuid NOT NULL,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id       uuid NOT NULL,
  receiver_name    text NOT NULL CHECK (length(receiver_name) BETWEEN 1 AND 200),
  receiver_contact text CHECK (length(receiver_contact) <= 200),
  follow_up_on     date NOT NULL,
  outcome          text NOT NULL DEFAULT 'sent' CHECK (outcome IN ('sent', 'accepted', 'arranged', 'failed')),
  note             text CHECK (length(note) <= 500),
  created_by       uuid NOT NULL REFERENCES persons (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, request_id) REFERENCES help_requests (community_id, id)
);
CREATE INDEX referrals_request_idx ON referrals (community_id, request_id, created_at, id);
-- The follow-ups still to be done (the queue's follow_up view, the summary's open referrals):
-- only the open ones, a small part of all.
CREATE INDEX referrals_open_idx ON referrals (community_id, follow_up_on, request_id) WHERE outcome IN ('sent', 'accepted');

ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals FORCE ROW LEVEL SECURITY;
CREATE POLICY referrals_scope ON referrals USING (community_id = app_community_id());
GRANT SELECT, INSERT, UPDATE ON referrals TO noaber_api;
