-- Offline sync that never keeps what a person may no longer see (issue 12). A list read with
-- `updated_since` returns, besides the items changed since then, a tombstone {id, deleted} for
-- every item that left that person's list since then: a task completed or handed back, an offer
-- declined, a case she was taken off, an action done, given to someone else or of a case she no
-- longer leads. The rows stay (a help request is never deleted), so "left the list" is not in them:
-- these triggers write it down, in the transaction that makes the change, one row per person and
-- item that left.
--
-- (The desk's views of one status need no record: a request that left one changed, so it is
-- found among the community's changes since, src/help_requests.c.)
--
-- kind names the list: request (/v1/me/help-requests), task (/v1/me/tasks, item a help
-- request), case (the cases list), action_owned and action_led (/v1/me/actions?scope=owned|led).
-- Text, not an enum: under row-level security only leakproof comparisons are index conditions
-- (0006). The rows are kept; nothing prunes them yet.
CREATE TABLE sync_tombstones (
  person_id    uuid NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('request', 'task', 'case', 'action_owned', 'action_led')),
  item_id      uuid NOT NULL,
  community_id uuid NOT NULL,
  removed_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- A list merges a person's tombstones of one kind into its keyset page over (removed_at, item_id).
CREATE INDEX sync_tombstones_person_idx ON sync_tombstones (person_id, kind, removed_at, item_id);

-- A person reads only her own tombstones. They are written by the triggers below, in the
-- transaction of a change made on a community route, for whoever lost the item: the insert is
-- checked against that community only. No update or delete: an item that comes back has a
-- later updated_at than its tombstone, so a client that applies a page in order keeps it.
ALTER TABLE sync_tombstones ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_tombstones FORCE ROW LEVEL SECURITY;
CREATE POLICY sync_tombstones_own ON sync_tombstones FOR SELECT USING (person_id = app_person_id());
CREATE POLICY sync_tombstones_write ON sync_tombstones FOR INSERT WITH CHECK (community_id = app_community_id());
GRANT SELECT, INSERT ON sync_tombstones TO noaber_api;

-- The trigger functions are here, not in sql/functions/: a trigger needs its function to exist
-- when it is created, and the function files are applied after the migrations.

-- A task (a request matched to the volunteer) leaves her list when the request is no longer
-- matched to her: done, cancelled, handed back or given to someone else.
CREATE FUNCTION sync_help_request_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sync_tombstones (person_id, kind, item_id, community_id)
  VALUES (OLD.matched_volunteer_id, 'task', OLD.id, OLD.community_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER help_requests_sync AFTER UPDATE ON help_requests FOR EACH ROW
  WHEN (OLD.status = 'matched' AND OLD.matched_volunteer_id IS NOT NULL
        AND (NEW.status <> 'matched' OR NEW.matched_volunteer_id IS DISTINCT FROM OLD.matched_volunteer_id))
  EXECUTE FUNCTION sync_help_request_left();

-- An offered task leaves the volunteer's list when the offer is answered other than by accepting
-- it (an accepted offer stays as the matched task), withdrawn or released.
CREATE FUNCTION sync_offer_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sync_tombstones (person_id, kind, item_id, community_id)
  VALUES (OLD.volunteer_id, 'task', OLD.request_id, OLD.community_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER offers_sync AFTER UPDATE ON offers FOR EACH ROW
  WHEN (OLD.status = 'pending' AND NEW.status <> 'pending' AND NEW.status <> 'accepted')
  EXECUTE FUNCTION sync_offer_left();

-- Taken off a case: the case leaves her cases list, and the actions she owns on it leave her
-- /v1/me/actions (she may no longer read them).
CREATE FUNCTION sync_participant_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sync_tombstones (person_id, kind, item_id, community_id)
  VALUES (OLD.person_id, 'case', OLD.case_id, OLD.community_id);
  INSERT INTO sync_tombstones (person_id, kind, item_id, community_id)
  SELECT OLD.person_id, 'action_owned', a.id, a.community_id
    FROM case_actions a
   WHERE a.community_id = OLD.community_id AND a.case_id = OLD.case_id AND a.owner_id = OLD.person_id
     AND a.status IN ('open', 'in_progress');
  RETURN NULL;
END
$$;
CREATE TRIGGER case_participants_sync AFTER DELETE ON case_participants FOR EACH ROW
  EXECUTE FUNCTION sync_participant_left();

-- An open action leaves its owner's list when it is finished or given to someone else, and the
-- lead's list when it is finished.
CREATE FUNCTION sync_case_action_left() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_open boolean := OLD.status IN ('open', 'in_progress');
  is_open boolean := NEW.status IN ('open', 'in_progress');
BEGIN
  IF was_open AND OLD.owner_id IS NOT NULL AND (NOT is_open OR NEW.owner_id IS DISTINCT FROM OLD.owner_id) THEN
    INSERT INTO sync_tombstones (person_id, kind, item_id, community_id)
    VALUES (OLD.owner_id, 'action_owned', OLD.id, OLD.community_id);
  END IF;
  IF was_open AND NOT is_open THEN
    INSERT INTO sync_tombstones (person_id, kind, item_id, community_id)
    SELECT c.lead_person_id, 'action_led', OLD.id, OLD.community_id
      FROM cases c WHERE c.community_id = OLD.community_id AND c.id = OLD.case_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER case_actions_sync AFTER UPDATE ON case_actions FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
  EXECUTE FUNCTION sync_case_action_left();

-- A handed-over lead: the case's open actions leave the former lead's list. (They enter the new
-- lead's list unchanged, so her updated_since list does not bring them: the case does, with her
-- as its lead, and the app reads /v1/me/actions?scope=led whole then. Moving the actions'
-- updated_at on instead would change their ETags under their owners.)
CREATE FUNCTION sync_lead_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sync_tombstones (person_id, kind, item_id, community_id)
  SELECT OLD.lead_person_id, 'action_led', a.id, a.community_id
    FROM case_actions a
   WHERE a.community_id = OLD.community_id AND a.case_id = OLD.id AND a.status IN ('open', 'in_progress');
  RETURN NULL;
END
$$;
CREATE TRIGGER cases_sync AFTER UPDATE ON cases FOR EACH ROW
  WHEN (OLD.lead_person_id IS DISTINCT FROM NEW.lead_person_id)
  EXECUTE FUNCTION sync_lead_left();

-- Removed from a community: from now on row-level security hides all of it from her /v1/me lists
-- (app_member_community_ids), so all of it leaves them: her requests, her tasks and open offers,
-- the open actions she owns and those of the cases she leads. A few hundred rows at most, once.
-- (Someone who joins again gets her items back only with a full sync: the app does one after
-- joining a community.)
CREATE FUNCTION sync_member_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sync_tombstones (person_id, kind, item_id, community_id)
  SELECT OLD.person_id, 'request', h.id, h.community_id FROM help_requests h
   WHERE h.community_id = OLD.community_id AND h.resident_id = OLD.person_id
  UNION ALL
  SELECT OLD.person_id, 'task', h.id, h.community_id FROM help_requests h
   WHERE h.community_id = OLD.community_id AND h.matched_volunteer_id = OLD.person_id AND h.status = 'matched'
  UNION ALL
  SELECT OLD.person_id, 'task', o.request_id, o.community_id FROM offers o
   WHERE o.community_id = OLD.community_id AND o.volunteer_id = OLD.person_id AND o.status = 'pending'
  UNION ALL
  SELECT OLD.person_id, 'action_owned', a.id, a.community_id FROM case_actions a
   WHERE a.owner_id = OLD.person_id AND a.community_id = OLD.community_id AND a.status IN ('open', 'in_progress')
  UNION ALL
  SELECT OLD.person_id, 'action_led', a.id, a.community_id
    FROM cases c JOIN case_actions a ON a.community_id = c.community_id AND a.case_id = c.id
   WHERE c.community_id = OLD.community_id AND c.lead_person_id = OLD.person_id AND a.status IN ('open', 'in_progress');
  RETURN NULL;
END
$$;
CREATE TRIGGER memberships_sync AFTER UPDATE ON memberships FOR EACH ROW
  WHEN (OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL)
  EXECUTE FUNCTION sync_member_left();
