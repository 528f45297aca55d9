-- Offline sync (sql/migrations/0015_sync_tombstones.sql).

-- The tombstone of an item that left a person's list at `at` (JSON text): what a list with
-- updated_since returns in its place, keyed like the items, so the page continues after it.
CREATE OR REPLACE FUNCTION sync_tombstone_doc(p_id uuid, at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT json_build_object('id', p_id, 'updated_at', api_ts(at), 'deleted', true)::text
$$;

-- The sync_token of a list page: the `updated_since` that continues from this read without
-- missing a change. Taken before the page is read, so nothing committed after it is newer than
-- the token by mistake. But writers stamp updated_at (and removed_at) with their own clock while
-- their transaction runs and commit later: a row stamped before this read and committed after it
-- is not in the page. So the token is the clock minus the longest a writer's transaction stays
-- open: its statements each end within statement_timeout (the API sets 5 s) and it may idle at
-- most idle_in_transaction_session_timeout (twice that) between them; four statement timeouts,
-- and at least a minute. A client gets changes of that last stretch twice, which applying a page
-- tolerates (the same item again), and never misses one.
CREATE OR REPLACE FUNCTION sync_token()
RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT api_ts(clock_timestamp()
                - greatest(interval '1 minute', 4 * current_setting('statement_timeout')::interval))
$$;
