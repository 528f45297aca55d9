-- Offline sync (sql/migrations/0015_sync_tombstones.sql).

-- The tombstone of an item that left a person's list at `at` (JSON text): what a list with
-- updated_since returns in its place, keyed like the items, so the page continues after it.
CREATE OR REPLACE FUNCTION sync_tombstone_doc(p_id uuid, at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT json_build_object('id', p_id, 'updated_at', api_ts(at), 'deleted', true)::text
$$;

-- The sync_token of a list page: the `updated_since` that continues from this read without
-- missing a change. It is read before the page (its own statement), so whatever commits between
-- the two is in the page or newer than the token. But a writer stamps updated_at (removed_at)
-- with its clock while its transaction runs and commits later: a row stamped before the token's
-- instant and committed after the page was read would be older than the token and never listed.
-- So the token is the clock less the longest a writer's transaction stays open. The API's write
-- transactions are a few statements sent back to back, each cut off by statement_timeout (5 s
-- by default, NOABER_DB_STATEMENT_TIMEOUT_MS), with idle_in_transaction_session_timeout at twice
-- that between them: four statement timeouts, and never less than a minute. A client gets the
-- changes of that last stretch twice (applying a page is idempotent) and never misses one.
-- Not now(): in a transaction that is its start, and not the snapshot either.
CREATE OR REPLACE FUNCTION sync_token()
RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT api_ts(clock_timestamp()
                - greatest(interval '1 minute', 4 * current_setting('statement_timeout')::interval))
$$;
