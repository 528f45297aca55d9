-- Sessions that end when the person says so (issue 10, item 7).
--
-- A session is one login: the refresh tokens of one family and the access tokens issued with
-- them, which carry its id as their `sid` claim. Before, logging out or a family revoked for reuse
-- ended only the refresh tokens, and the access tokens kept working for up to 15 minutes. Now
-- every request checks its session in the round trip that sets its context (src/db/db.c pipelines
-- app_require_session(), sql/functions/auth.sql, right after the context): a revoked session is
-- refused at once. A person lists their sessions and can end them all (a lost phone).
CREATE TABLE sessions (
  id           uuid PRIMARY KEY,  -- the refresh family, and the access tokens' sid
  person_id    uuid NOT NULL REFERENCES persons (id),
  device_name  text CHECK (length(device_name) BETWEEN 1 AND 100),
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- The last login or refresh: an active client refreshes at least once per access token
  -- lifetime, so this is the last use to within that lifetime, and no request writes to it.
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL, -- when its newest refresh token expires
  revoked_at   timestamptz
);
-- A person's sessions that may be live: the list, and ending them all.
CREATE INDEX sessions_person_idx ON sessions (person_id, last_used_at) WHERE revoked_at IS NULL;

-- Every login so far becomes a session, so that no one is logged out by this migration. Row-level
-- security is forced on refresh_tokens, for its owner too: lifted for this one read, in this
-- transaction.
ALTER TABLE refresh_tokens NO FORCE ROW LEVEL SECURITY;
INSERT INTO sessions (id, person_id, created_at, last_used_at, expires_at, revoked_at)
SELECT family_id, person_id, min(created_at), max(created_at), max(expires_at), max(revoked_at)
  FROM refresh_tokens GROUP BY family_id, person_id;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_session_fkey FOREIGN KEY (family_id) REFERENCES sessions (id);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
-- A person's own sessions only; the login, refresh and registration transactions act as the
-- person before they touch one.
CREATE POLICY sessions_scope ON sessions
  USING (person_id = app_person_id())
  WITH CHECK (person_id = app_person_id());

GRANT SELECT, INSERT, UPDATE ON sessions TO noaber_api;
