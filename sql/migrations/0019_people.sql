-- People without an app (issue 13, items 1 and 2): the desk registers a resident or volunteer who
-- has no login, with an address and how to reach her; later an invitation may attach a login to
-- that same person. The desk finds members by name, phone (any notation) or street.

-- Trusted contrib extensions: the database owner (who runs the migrations) may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- A person without a login has no password, and may have no e-mail address. Login and
-- registration only ever look at persons with a password (src/auth.c).
ALTER TABLE persons ALTER COLUMN email DROP NOT NULL;
ALTER TABLE persons ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE persons ADD CONSTRAINT persons_login_needs_email CHECK (password_hash IS NULL OR email IS NOT NULL);

-- Her home address (personal data: only in the desk's person document, never in logs). The
-- postcode is stored as src/people.h normalises it; coordinates are known both or neither.
ALTER TABLE persons
  ADD COLUMN street       text CHECK (length(street) BETWEEN 1 AND 100),
  ADD COLUMN house_number text CHECK (length(house_number) BETWEEN 1 AND 20),
  ADD COLUMN postcode     text CHECK (length(postcode) BETWEEN 1 AND 12),
  ADD COLUMN place        text CHECK (length(place) BETWEEN 1 AND 100),
  ADD COLUMN lat          double precision CHECK (lat BETWEEN -90 AND 90),
  ADD COLUMN lon          double precision CHECK (lon BETWEEN -180 AND 180),
  ADD CONSTRAINT persons_coordinates_together CHECK ((lat IS NULL) = (lon IS NULL)),
  ADD CONSTRAINT persons_address_whole CHECK (
    (street IS NULL AND house_number IS NULL AND postcode IS NULL AND place IS NULL AND lat IS NULL)
    OR (street IS NOT NULL AND house_number IS NOT NULL AND postcode IS NOT NULL AND place IS NOT NULL));

-- The desk relays by phone or in person: via_desk.
ALTER TABLE persons DROP CONSTRAINT persons_contact_channel_check;
ALTER TABLE persons ADD CONSTRAINT persons_contact_channel_check
  CHECK (contact_channel IN ('app', 'sms', 'voice', 'post', 'via_desk'));

-- The desk creates persons without a login, in its own community's context (the membership
-- follows in the same transaction; src/people.c checks the caller is a coordinator or admin,
-- and so does this policy).
CREATE POLICY persons_insert_by_desk ON persons FOR INSERT
  WITH CHECK (password_hash IS NULL
              AND EXISTS (SELECT 1 FROM memberships m
                           WHERE m.community_id = app_community_id() AND m.person_id = app_person_id()
                             AND m.removed_at IS NULL AND m.roles && '{coordinator,admin}'::member_role[]));

-- An invitation may be for a person the desk registered: redeeming it gives that person a login.
ALTER TABLE invitations ADD COLUMN person_id uuid REFERENCES persons (id);

-- Search text ---------------------------------------------------------------------------------
-- unaccent() is STABLE (it reads a dictionary found through search_path); named with its schema
-- and dictionary it always gives the same answer, so this wrapper may be IMMUTABLE and indexed.
CREATE FUNCTION search_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, COALESCE(t, ''))) $$;

-- What a member is found by: name and street folded, and the phone as stored (E.164) and in Dutch
-- national notation, so that a partial number typed either way is a substring.
CREATE FUNCTION person_search_text(display_name text, street text, phone text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT search_fold(display_name) || ' | ' || search_fold(street) || ' | ' || COALESCE(phone, '') || ' '
         || CASE WHEN phone LIKE '+31%' THEN '0' || substr(phone, 4) ELSE '' END
$$;

-- The desk's search runs under row-level security as the API role, where a LIKE is never an index
-- condition (textlike is not LEAKPROOF, so it must wait for the policy's filter). So the searchable
-- copy lives in member_search, a table only its owner reads, with row-level security enabled but
-- not forced (nobody else gets a row), and the API reads it through the view member_search_scope,
-- which runs as the owner and keeps only the context's community: the trigram index then serves
-- the LIKE, and tenancy holds as for every other table.
-- The phone copy carries the rule "one phone, one member per community": unique among members
-- not removed, so two desks registering the same caller at once cannot both succeed.
CREATE TABLE member_search (
  community_id uuid NOT NULL,
  person_id    uuid NOT NULL,
  updated_at   timestamptz NOT NULL,
  active       boolean NOT NULL,
  phone        text,
  search_text  text NOT NULL,
  PRIMARY KEY (community_id, person_id),
  FOREIGN KEY (community_id, person_id) REFERENCES memberships (community_id, person_id)
);
CREATE UNIQUE INDEX member_search_phone_key ON member_search (community_id, phone) WHERE active AND phone IS NOT NULL;
CREATE INDEX member_search_trgm_idx ON member_search USING gin (search_text gin_trgm_ops) WHERE active;
CREATE INDEX member_search_person_idx ON member_search (person_id);
ALTER TABLE member_search ENABLE ROW LEVEL SECURITY;

CREATE VIEW member_search_scope AS
  SELECT community_id, person_id, updated_at, phone, search_text
    FROM member_search WHERE community_id = app_community_id() AND active;
GRANT SELECT ON member_search_scope TO noaber_api;

-- Kept up to date by triggers that run as the owner (SECURITY DEFINER), so that a change reaches
-- every community of the person whatever the caller may see. A person's change carries its own
-- values; a new membership copies them from the person's other memberships, or, for a person
-- who has none yet, from the persons row the caller inserting the membership can see.
CREATE FUNCTION member_search_from_person() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE member_search
     SET phone = NEW.phone, search_text = person_search_text(NEW.display_name, NEW.street, NEW.phone)
   WHERE person_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER persons_member_search AFTER UPDATE OF display_name, street, phone ON persons
  FOR EACH ROW EXECUTE FUNCTION member_search_from_person();

CREATE FUNCTION member_search_from_membership() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  v_phone text;
  v_text text;
BEGIN
  SELECT s.phone, s.search_text INTO v_phone, v_text FROM member_search s WHERE s.person_id = NEW.person_id LIMIT 1;
  IF NOT FOUND THEN
    SELECT p.phone, person_search_text(p.display_name, p.street, p.phone) INTO v_phone, v_text
      FROM persons p WHERE p.id = NEW.person_id;
  END IF;
  INSERT INTO member_search (community_id, person_id, updated_at, active, phone, search_text)
  VALUES (NEW.community_id, NEW.person_id, NEW.updated_at, NEW.removed_at IS NULL, v_phone, COALESCE(v_text, ''))
  ON CONFLICT (community_id, person_id) DO UPDATE
    SET updated_at = EXCLUDED.updated_at, active = EXCLUDED.active,
        phone = COALESCE(member_search.phone, EXCLUDED.phone),
        search_text = CASE WHEN member_search.search_text = '' THEN EXCLUDED.search_text
                           ELSE member_search.search_text END;
  RETURN NULL;
END
$$;
CREATE TRIGGER memberships_member_search AFTER INSERT OR UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION member_search_from_membership();

-- Members so far. A phone that two live members of one community share (typed before phones
-- were checked) stays with the first who joined; the others can be found by name.
ALTER TABLE persons NO FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY;
INSERT INTO member_search (community_id, person_id, updated_at, active, phone, search_text)
SELECT m.community_id, m.person_id, m.updated_at, m.removed_at IS NULL,
       CASE WHEN m.removed_at IS NULL AND p.phone IS NOT NULL
                 AND row_number() OVER (PARTITION BY m.community_id, p.phone, m.removed_at IS NULL
                                        ORDER BY m.joined_at, m.person_id) > 1 THEN NULL
            ELSE p.phone END,
       person_search_text(p.display_name, p.street, p.phone)
  FROM memberships m JOIN persons p ON p.id = m.person_id;
ALTER TABLE persons FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
