-- Logging in and sessions: how long a key of login_throttle waits after its failures, whether a
-- request's session is live, and the Session document. A repeatable file (see help_requests.sql
-- for how these files are applied).

-- The delay after a key's `failures`-th failure in a row: none while within `allowed`, then
-- `first_s` seconds, doubling with every further failure, at most `longest_s`. NULL: no delay.
CREATE OR REPLACE FUNCTION login_delay(failures integer, allowed integer, first_s integer, longest_s integer)
RETURNS interval LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN failures < allowed THEN NULL
              ELSE make_interval(secs => least(longest_s, first_s * power(2, least(failures - allowed, 30)))) END
$$;

-- Whether `p_session` is a live session of the transaction's person: one probe of the primary key.
-- PL/pgSQL, so the session keeps the plan of its query (as app_member_roles, migration 0008).
CREATE OR REPLACE FUNCTION app_session_active(p_session uuid) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM sessions s
                  WHERE s.id = p_session AND s.person_id = app_person_id() AND s.revoked_at IS NULL);
END
$$;

-- Every request with an access token sends this right after its context, in the same round trip
-- (src/db/db.c): it fails with SQLSTATE NB002 when the token's session has ended (logged out,
-- revoked for reuse, or ended on all devices). The failure aborts everything after it in the
-- pipeline, so nothing runs for a session that has ended; the server answers 401.
CREATE OR REPLACE FUNCTION app_require_session(p_session uuid) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT app_session_active(p_session) THEN
    RAISE EXCEPTION 'the session has ended' USING ERRCODE = 'NB002';
  END IF;
END
$$;

-- The Session document of row s (JSON text); `current` when it is the session of the request.
CREATE OR REPLACE FUNCTION session_doc(s sessions, p_current uuid)
RETURNS TABLE (doc text) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', s.id, 'device_name', s.device_name, 'created_at', api_ts(s.created_at),
           'last_used_at', api_ts(s.last_used_at), 'current', s.id = p_current)::text
$$;
