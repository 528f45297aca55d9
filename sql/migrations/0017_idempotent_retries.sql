-- Every state-changing POST takes an Idempotency-Key (issue 12), also those outside a community
-- (joining one with an invitation code): community_id may be empty. A key belongs to one person
-- and one community, or to one person alone (joining runs in the new community's context, so a
-- person's own keys without a community are theirs in any context; lookups name the community).
-- A replay repeats the first response's ETag, Location and language.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ALTER COLUMN community_id DROP NOT NULL;
ALTER TABLE idempotency_keys ADD COLUMN etag text;
ALTER TABLE idempotency_keys ADD COLUMN location text;
ALTER TABLE idempotency_keys ADD COLUMN content_language text;
CREATE UNIQUE INDEX idempotency_keys_key ON idempotency_keys (person_id, key, community_id) NULLS NOT DISTINCT;

DROP POLICY idempotency_keys_scope ON idempotency_keys;
CREATE POLICY idempotency_keys_scope ON idempotency_keys
  USING (person_id = app_person_id()
         AND (community_id IS NULL OR community_id = app_community_id()));
