-- Who handles a request, and when the desk answers (issue 13, item 5).
--
-- A request has a handling coordinator (`handler_id`): whoever of the desk entered it, or the one
-- the desk names; reassigned with POST .../help-requests/{id}/handler, each change kept in
-- help_request_handlers so "who handled it when" can be read back.
--
-- The community's desk hours: weekly opening slots in Europe/Amsterdam local time and dates the
-- desk is closed. A request entered while the desk is closed gets `expected_answer_by`, the next
-- opening (desk_next_opening in sql/functions/desk_hours.sql), stored at intake: the resident is
-- told when to expect a call, and the queue's three-day waiting clock starts there, not at entry.
-- No desk hours recorded: the desk counts as always open, no expected answer time.
ALTER TABLE help_requests
  ADD COLUMN handler_id uuid REFERENCES persons (id),
  ADD COLUMN expected_answer_by timestamptz;

CREATE TABLE help_request_handlers (
  community_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id   uuid NOT NULL,
  handler_id   uuid REFERENCES persons (id), -- NULL: back to the desk as a whole
  actor_id     uuid NOT NULL REFERENCES persons (id),
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, request_id) REFERENCES help_requests (community_id, id)
);
CREATE INDEX help_request_handlers_request_idx ON help_request_handlers (community_id, request_id, at);

CREATE TABLE desk_hours (
  community_id uuid PRIMARY KEY REFERENCES communities (id),
  -- [{"day": "tuesday", "opens": "09:00", "closes": "12:00"}, ...], checked and sorted by
  -- src/desk_hours.c: days monday..sunday, opens before closes, no overlaps.
  slots        jsonb NOT NULL DEFAULT '[]',
  closed_dates date[] NOT NULL DEFAULT '{}',
  updated_by   uuid REFERENCES persons (id),
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['help_request_handlers', 'desk_hours'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (community_id = app_community_id())', t || '_scope', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT ON help_request_handlers TO noaber_api;
GRANT SELECT, INSERT, UPDATE ON desk_hours TO noaber_api;
