-- Foundation: communities, persons, memberships, invitations, authentication state.
--
-- Tenancy (DESIGN.md section 4): every tenant table carries community_id in its primary key,
-- row-level security is enabled and FORCED, and the API logs in as a role (member of
-- noaber_api) that owns nothing. Each request sets app.person_id, app.community_id and
-- app.roles for its own transaction only; the policies read them through the helpers below.
-- A connection that has served a request reads the settings back as '' (not NULL), hence
-- the NULLIF.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'noaber_api') THEN
    CREATE ROLE noaber_api NOLOGIN;
  END IF;
END $$;

CREATE FUNCTION app_person_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.person_id', true), '')::uuid $$;

CREATE FUNCTION app_community_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.community_id', true), '')::uuid $$;

-- Set only by the login, refresh and registration transactions, to find one row by a secret.
CREATE FUNCTION app_lookup(name text) RETURNS text LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.lookup_' || name, true), '') $$;

-- Timestamps as the API writes them: RFC 3339, UTC, microseconds.
CREATE FUNCTION api_ts(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

CREATE TYPE member_role AS ENUM ('resident', 'volunteer', 'coordinator', 'professional', 'admin');

CREATE TABLE communities (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  place       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE persons (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX persons_email_key ON persons (email);

CREATE TABLE memberships (
  community_id uuid NOT NULL REFERENCES communities (id),
  person_id    uuid NOT NULL REFERENCES persons (id),
  roles        member_role[] NOT NULL CHECK (cardinality(roles) BETWEEN 1 AND 5),
  joined_at    timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  removed_at   timestamptz,
  PRIMARY KEY (community_id, person_id)
);
-- Keyset pagination and updated_since sync both walk (updated_at, person_id) per community.
CREATE INDEX memberships_sync_idx ON memberships (community_id, updated_at, person_id);
CREATE INDEX memberships_person_idx ON memberships (person_id);

CREATE TABLE invitations (
  community_id uuid NOT NULL REFERENCES communities (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  code_hash    bytea NOT NULL UNIQUE,
  role         member_role NOT NULL,
  email        text,
  created_by   uuid NOT NULL REFERENCES persons (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  accepted_by  uuid REFERENCES persons (id),
  accepted_at  timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (community_id, id)
);
CREATE INDEX invitations_sync_idx ON invitations (community_id, updated_at, id);

-- Refresh tokens: only a SHA-256 of the opaque token is stored. A family is one login;
-- reuse of a rotated token revokes the whole family.
CREATE TABLE refresh_tokens (
  token_hash  bytea PRIMARY KEY,
  family_id   uuid NOT NULL,
  person_id   uuid NOT NULL REFERENCES persons (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

-- Failed logins per account and per address, keyed by a hash so no address or email is kept.
CREATE TABLE login_throttle (
  key_hash      bytea PRIMARY KEY,
  failures      integer NOT NULL DEFAULT 0,
  window_start  timestamptz NOT NULL DEFAULT now(),
  blocked_until timestamptz
);

-- Stored first responses for Idempotency-Key retries (kept 24 hours).
CREATE TABLE idempotency_keys (
  community_id  uuid NOT NULL REFERENCES communities (id),
  person_id     uuid NOT NULL REFERENCES persons (id),
  key           text NOT NULL,
  route         text NOT NULL,
  request_hash  bytea NOT NULL,
  status        integer NOT NULL,
  body          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, person_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Row-level security ---------------------------------------------------------------------

ALTER TABLE communities ENABLE ROW LEVEL SECURITY;
ALTER TABLE communities FORCE ROW LEVEL SECURITY;
ALTER TABLE persons ENABLE ROW LEVEL SECURITY;
ALTER TABLE persons FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;

-- A person sees their own memberships everywhere, and a community's memberships while the
-- request is scoped to that community.
CREATE POLICY memberships_scope ON memberships
  USING (community_id = app_community_id() OR person_id = app_person_id())
  WITH CHECK (community_id = app_community_id());

CREATE POLICY communities_scope ON communities
  USING (id = app_community_id()
         OR id IN (SELECT m.community_id FROM memberships m
                   WHERE m.person_id = app_person_id() AND m.removed_at IS NULL));
-- Demo seed and future admin tooling create communities with the context set to the new id.
CREATE POLICY communities_insert ON communities FOR INSERT WITH CHECK (id = app_community_id());

CREATE POLICY persons_scope ON persons
  USING (id = app_person_id()
         OR email = app_lookup('email')
         OR id IN (SELECT m.person_id FROM memberships m
                   WHERE m.community_id = app_community_id()));
CREATE POLICY persons_insert ON persons FOR INSERT WITH CHECK (email = app_lookup('email'));

CREATE POLICY invitations_scope ON invitations
  USING (community_id = app_community_id()
         OR code_hash = decode(app_lookup('invitation'), 'hex'))
  WITH CHECK (community_id = app_community_id());

CREATE POLICY refresh_tokens_scope ON refresh_tokens
  USING (person_id = app_person_id()
         OR token_hash = decode(app_lookup('refresh_token'), 'hex'))
  WITH CHECK (person_id = app_person_id());

CREATE POLICY idempotency_keys_scope ON idempotency_keys
  USING (community_id = app_community_id() AND person_id = app_person_id());

-- Least privilege for the API role --------------------------------------------------------
GRANT USAGE ON SCHEMA public TO noaber_api;
GRANT SELECT, INSERT ON communities TO noaber_api;
GRANT SELECT, INSERT, UPDATE ON persons TO noaber_api;
GRANT SELECT, INSERT, UPDATE ON memberships TO noaber_api;
GRANT SELECT, INSERT, UPDATE ON invitations TO noaber_api;
GRANT SELECT, INSERT, UPDATE ON refresh_tokens TO noaber_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO noaber_api;
GRANT SELECT, INSERT, DELETE ON idempotency_keys TO noaber_api;
GRANT EXECUTE ON FUNCTION app_person_id(), app_community_id(), app_lookup(text), api_ts(timestamptz) TO noaber_api;
