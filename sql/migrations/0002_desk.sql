-- One desk: categories with their policy, volunteer profiles, help requests with their state
-- history, occurrences, offers, residents' preferred and blocked helpers, and an outbox of
-- events others must hear about. Every table is a tenant table: community_id leads its key and
-- row-level security (forced) limits it to the request's community. Who may see which row
-- within the community (resident, volunteer, coordinator) is decided in src/.

CREATE TYPE help_status AS ENUM ('submitted', 'triaged', 'referred', 'rejected', 'offered', 'matched', 'done', 'cancelled');
CREATE TYPE help_urgency AS ENUM ('low', 'normal', 'high');
CREATE TYPE recurrence_frequency AS ENUM ('weekly', 'biweekly');
CREATE TYPE occurrence_status AS ENUM ('open', 'matched', 'done', 'cancelled');
CREATE TYPE offer_status AS ENUM ('pending', 'accepted', 'declined', 'withdrawn', 'released');
CREATE TYPE helper_kind AS ENUM ('preferred', 'blocked');

-- A phone number, shown to the volunteer matched to a request of this person only.
ALTER TABLE persons ADD COLUMN phone text CHECK (length(phone) <= 40);

-- Minutes since Monday 00:00 in the initiatives' time zone: the unit of weekly availability.
CREATE FUNCTION minute_of_week(t timestamptz) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT ((extract(isodow FROM t AT TIME ZONE 'Europe/Amsterdam')::int - 1) * 1440
          + extract(hour FROM t AT TIME ZONE 'Europe/Amsterdam')::int * 60
          + extract(minute FROM t AT TIME ZONE 'Europe/Amsterdam')::int)
$$;

-- Great-circle distance in kilometres (haversine); good enough for a village's scale.
CREATE FUNCTION distance_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
  SELECT 2 * 6371 * asin(sqrt(power(sin(radians(lat2 - lat1) / 2), 2)
         + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;

CREATE TABLE categories (
  community_id         uuid NOT NULL REFERENCES communities (id),
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  code                 text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  label_nl             text NOT NULL CHECK (length(label_nl) BETWEEN 1 AND 100),
  label_en             text NOT NULL CHECK (length(label_en) BETWEEN 1 AND 100),
  in_home              boolean NOT NULL DEFAULT false,
  may_recur            boolean NOT NULL DEFAULT true,
  max_per_month        integer CHECK (max_per_month > 0),
  max_duration_minutes integer CHECK (max_duration_minutes > 0),
  referral_name        text CHECK (length(referral_name) <= 200),
  referral_contact     text CHECK (length(referral_contact) <= 200),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id),
  UNIQUE (community_id, code)
);
CREATE INDEX categories_sync_idx ON categories (community_id, updated_at, id);

CREATE TABLE volunteer_profiles (
  community_id                 uuid NOT NULL,
  person_id                    uuid NOT NULL,
  skills                       uuid[] NOT NULL DEFAULT '{}',
  availability                 int4multirange NOT NULL DEFAULT '{}', -- minutes of the week
  unavailable                  datemultirange NOT NULL DEFAULT '{}', -- holidays, inclusive days
  home_lat                     float8 NOT NULL CHECK (home_lat BETWEEN -90 AND 90),
  home_lon                     float8 NOT NULL CHECK (home_lon BETWEEN -180 AND 180),
  travel_km                    numeric(5, 1) NOT NULL CHECK (travel_km BETWEEN 0 AND 100),
  capacity_hours               numeric(4, 1) NOT NULL CHECK (capacity_hours BETWEEN 0 AND 60),
  languages                    text[] NOT NULL DEFAULT '{}',
  prefers_short_tasks          boolean NOT NULL DEFAULT false,
  paused                       boolean NOT NULL DEFAULT false,
  code_of_conduct_accepted_at  timestamptz,
  certificate_issued_on        date,
  certificate_checked_by       uuid REFERENCES persons (id),
  certificate_checked_at       timestamptz,
  created_at                   timestamptz NOT NULL DEFAULT now(),
  updated_at                   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, person_id),
  FOREIGN KEY (community_id, person_id) REFERENCES memberships (community_id, person_id)
);
CREATE INDEX volunteer_profiles_skills_idx ON volunteer_profiles USING gin (skills);
CREATE INDEX volunteer_profiles_sync_idx ON volunteer_profiles (community_id, updated_at, person_id);

CREATE TABLE help_requests (
  community_id         uuid NOT NULL,
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  category_id          uuid NOT NULL,
  resident_id          uuid NOT NULL,
  entered_by           uuid NOT NULL REFERENCES persons (id),
  description          text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
  starts_at            timestamptz,
  ends_at              timestamptz,
  needed_by            timestamptz,
  recurrence           recurrence_frequency,
  recurrence_until     date,
  place_address        text NOT NULL CHECK (length(place_address) BETWEEN 1 AND 200),
  place_lat            float8 NOT NULL CHECK (place_lat BETWEEN -90 AND 90),
  place_lon            float8 NOT NULL CHECK (place_lon BETWEEN -180 AND 180),
  in_home              boolean NOT NULL,
  urgency              help_urgency NOT NULL DEFAULT 'normal',
  status               help_status NOT NULL DEFAULT 'submitted',
  status_changed_at    timestamptz NOT NULL DEFAULT now(),
  on_board             boolean NOT NULL DEFAULT false,
  referral_name        text,
  referral_contact     text,
  referral_note        text,
  matched_volunteer_id uuid REFERENCES persons (id),
  resident_confirmed   boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, category_id) REFERENCES categories (community_id, id),
  FOREIGN KEY (community_id, resident_id) REFERENCES memberships (community_id, person_id),
  CHECK ((starts_at IS NOT NULL AND ends_at > starts_at AND needed_by IS NULL)
         OR (starts_at IS NULL AND ends_at IS NULL AND needed_by IS NOT NULL)),
  CHECK ((recurrence IS NULL) = (recurrence_until IS NULL))
);
CREATE INDEX help_requests_sync_idx ON help_requests (community_id, updated_at, id);
CREATE INDEX help_requests_resident_idx ON help_requests (community_id, resident_id, updated_at, id);
CREATE INDEX help_requests_status_idx ON help_requests (community_id, status, updated_at, id);
CREATE INDEX help_requests_volunteer_idx ON help_requests (community_id, matched_volunteer_id);
CREATE INDEX help_requests_board_idx ON help_requests (community_id, updated_at, id) WHERE on_board;

CREATE TABLE help_request_transitions (
  community_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id   uuid NOT NULL,
  from_status  help_status,
  to_status    help_status NOT NULL,
  action       text NOT NULL,
  actor_id     uuid NOT NULL REFERENCES persons (id),
  note         text CHECK (length(note) <= 500),
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, request_id) REFERENCES help_requests (community_id, id)
);
CREATE INDEX help_request_transitions_request_idx ON help_request_transitions (community_id, request_id, at);

CREATE TABLE occurrences (
  community_id      uuid NOT NULL,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id        uuid NOT NULL,
  seq               integer NOT NULL,
  starts_at         timestamptz,
  ends_at           timestamptz,
  needed_by         timestamptz,
  status            occurrence_status NOT NULL DEFAULT 'open',
  volunteer_id      uuid REFERENCES persons (id),
  hours             numeric(4, 2) CHECK (hours > 0 AND hours <= 24),
  note              text CHECK (length(note) <= 500),
  completed_at      timestamptz,
  feedback_positive boolean,
  feedback_text     text CHECK (length(feedback_text) <= 500),
  feedback_at       timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id),
  UNIQUE (community_id, request_id, seq),
  FOREIGN KEY (community_id, request_id) REFERENCES help_requests (community_id, id)
);
-- Load and continuity in matching read a volunteer's recent occurrences.
CREATE INDEX occurrences_volunteer_idx ON occurrences (community_id, volunteer_id, starts_at);

CREATE TABLE offers (
  community_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id   uuid NOT NULL,
  volunteer_id uuid NOT NULL REFERENCES persons (id),
  status       offer_status NOT NULL DEFAULT 'pending',
  reason       text CHECK (length(reason) <= 500),
  created_by   uuid NOT NULL REFERENCES persons (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  answered_at  timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id),
  UNIQUE (community_id, request_id, volunteer_id),
  FOREIGN KEY (community_id, request_id) REFERENCES help_requests (community_id, id)
);
CREATE INDEX offers_volunteer_idx ON offers (community_id, volunteer_id, status);

CREATE TABLE resident_helpers (
  community_id uuid NOT NULL,
  resident_id  uuid NOT NULL,
  helper_id    uuid NOT NULL REFERENCES persons (id),
  kind         helper_kind NOT NULL,
  PRIMARY KEY (community_id, resident_id, helper_id),
  FOREIGN KEY (community_id, resident_id) REFERENCES memberships (community_id, person_id)
);

-- Transactional outbox: written in the same transaction as the change; ids only, no personal data.
CREATE TABLE events (
  community_id uuid NOT NULL REFERENCES communities (id),
  id           bigint GENERATED ALWAYS AS IDENTITY,
  kind         text NOT NULL,
  subject_id   uuid NOT NULL,
  recipient_id uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['categories', 'volunteer_profiles', 'help_requests', 'help_request_transitions',
                           'occurrences', 'offers', 'resident_helpers', 'events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (community_id = app_community_id())', t || '_scope', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON categories, volunteer_profiles, help_requests, occurrences, offers TO noaber_api;
GRANT SELECT, INSERT ON help_request_transitions, events TO noaber_api;
GRANT SELECT, INSERT, DELETE ON resident_helpers TO noaber_api;
GRANT EXECUTE ON FUNCTION minute_of_week(timestamptz), distance_km(float8, float8, float8, float8) TO noaber_api;

-- The volunteers who may do a request: every hard filter of matching lives here, so
-- suggestions, offers, the task board and claims apply the same rules. Invoker's rights: row-level
-- security still limits it to the request's community. `certificate_days` is how long a
-- certificate of conduct stays valid. Returns the raw ranking inputs; scoring is in
-- src/desk_rules.c. Shaped for speed (bench/matching.sh, 10,000 profiles): every per-profile
-- filter runs first in one pass; the resident's history, the helper lists and recent load are
-- each read once. The CTEs are materialized, so a filter on person_id outside does not reach in:
-- callers that ask about a few volunteers pass them in p_only.
CREATE FUNCTION eligible_volunteers(p_community uuid, p_request uuid, certificate_days integer,
                                    p_only uuid[] DEFAULT NULL)
RETURNS TABLE (person_id uuid, display_name text, km float8, helped_good bigint, helped_bad bigint,
               hours_28d numeric, capacity_hours numeric, preferred boolean)
LANGUAGE sql STABLE AS $$
  WITH r AS MATERIALIZED (
    SELECT hr.id, hr.resident_id, hr.category_id, hr.place_lat, hr.place_lon,
           hr.in_home OR c.in_home AS in_home,
           COALESCE(hr.starts_at, hr.needed_by) AS at,
           CASE WHEN hr.starts_at IS NOT NULL THEN
             int4range(minute_of_week(hr.starts_at),
                       minute_of_week(hr.starts_at) + (extract(epoch FROM hr.ends_at - hr.starts_at) / 60)::int)
           END AS slot,
           COALESCE(extract(epoch FROM hr.ends_at - hr.starts_at) / 3600, 1)::numeric AS hours
    FROM help_requests hr JOIN categories c ON c.community_id = hr.community_id AND c.id = hr.category_id
    WHERE hr.community_id = p_community AND hr.id = p_request
  ),
  -- Every per-profile filter first, in one pass over the community's profiles, before any join.
  cand AS MATERIALIZED (
    SELECT v.person_id, v.capacity_hours, d.km
    FROM r
    JOIN volunteer_profiles v ON v.community_id = p_community AND v.skills @> ARRAY[r.category_id]
    CROSS JOIN LATERAL (SELECT distance_km(v.home_lat, v.home_lon, r.place_lat, r.place_lon) AS km) d
    WHERE (p_only IS NULL OR v.person_id = ANY (p_only))
      AND NOT v.paused
      AND v.code_of_conduct_accepted_at IS NOT NULL
      AND v.person_id <> r.resident_id
      AND (CASE WHEN r.slot IS NULL THEN NOT isempty(v.availability) ELSE v.availability && r.slot END)
      AND NOT v.unavailable @> (r.at AT TIME ZONE 'Europe/Amsterdam')::date
      AND (NOT r.in_home OR (v.certificate_issued_on IS NOT NULL
                             AND v.certificate_issued_on + certificate_days >= current_date))
      AND d.km <= v.travel_km
  ),
  -- This resident's history, read once (not per candidate).
  hist AS MATERIALIZED (
    SELECT x.volunteer_id, sum(x.good)::bigint AS good, sum(x.bad)::bigint AS bad
    FROM r
    JOIN help_requests h ON h.community_id = p_community AND h.resident_id = r.resident_id
    -- per request through the (community_id, request_id, seq) key, not a scan of all occurrences
    CROSS JOIN LATERAL (
      SELECT o.volunteer_id,
             count(*) FILTER (WHERE o.status = 'done' AND o.feedback_positive IS DISTINCT FROM false) AS good,
             count(*) FILTER (WHERE o.feedback_positive = false) AS bad
      FROM occurrences o
      WHERE o.community_id = p_community AND o.request_id = h.id AND o.volunteer_id IS NOT NULL
      GROUP BY o.volunteer_id) x
    GROUP BY x.volunteer_id
  ),
  helpers AS MATERIALIZED (
    SELECT rh.helper_id, rh.kind
    FROM r JOIN resident_helpers rh ON rh.community_id = p_community AND rh.resident_id = r.resident_id
  ),
  load AS MATERIALIZED (
    SELECT o.volunteer_id,
           sum(COALESCE(o.hours, extract(epoch FROM o.ends_at - o.starts_at)::numeric / 3600, 1))
             FILTER (WHERE o.starts_at > now() - interval '7 days') AS h7,
           sum(COALESCE(o.hours, extract(epoch FROM o.ends_at - o.starts_at)::numeric / 3600, 1)) AS h28
    FROM cand c
    JOIN occurrences o ON o.community_id = p_community AND o.volunteer_id = c.person_id
    WHERE o.status IN ('matched', 'done') AND o.starts_at > now() - interval '28 days'
    GROUP BY o.volunteer_id
  )
  SELECT c.person_id, p.display_name, c.km, COALESCE(hist.good, 0), COALESCE(hist.bad, 0),
         COALESCE(load.h28, 0), c.capacity_hours,
         EXISTS (SELECT 1 FROM helpers WHERE helpers.helper_id = c.person_id AND helpers.kind = 'preferred')
  FROM cand c
  CROSS JOIN r
  JOIN memberships m ON m.community_id = p_community AND m.person_id = c.person_id
                    AND m.removed_at IS NULL AND 'volunteer' = ANY (m.roles)
  JOIN persons p ON p.id = c.person_id
  LEFT JOIN hist ON hist.volunteer_id = c.person_id
  LEFT JOIN load ON load.volunteer_id = c.person_id
  WHERE COALESCE(load.h7, 0) + r.hours <= c.capacity_hours
    AND NOT EXISTS (SELECT 1 FROM helpers WHERE helpers.helper_id = c.person_id AND helpers.kind = 'blocked')
    AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.community_id = p_community AND o.request_id = r.id
                    AND o.volunteer_id = c.person_id AND o.status IN ('declined', 'released'))
$$;
GRANT EXECUTE ON FUNCTION eligible_volunteers(uuid, uuid, integer, uuid[]) TO noaber_api;


-- A person sees their own requests and tasks in every community (GET /v1/me/...), besides what
-- the community context shows. Permissive policies are OR-ed with the community ones.
CREATE POLICY help_requests_own ON help_requests FOR SELECT
  USING (resident_id = app_person_id() OR matched_volunteer_id = app_person_id());
CREATE POLICY offers_own ON offers FOR SELECT USING (volunteer_id = app_person_id());
CREATE POLICY occurrences_own ON occurrences FOR SELECT
  USING (volunteer_id = app_person_id()
         OR request_id IN (SELECT h.id FROM help_requests h WHERE h.resident_id = app_person_id()));
CREATE POLICY help_request_transitions_own ON help_request_transitions FOR SELECT
  USING (request_id IN (SELECT h.id FROM help_requests h
                        WHERE h.resident_id = app_person_id() OR h.matched_volunteer_id = app_person_id()));
-- A volunteer sees the name of a resident whose request is offered to or matched with them (the
-- phone only once matched: src/help_requests.c), and a resident the name of their helper.
CREATE POLICY persons_matched_resident ON persons FOR SELECT
  USING (id IN (SELECT h.resident_id FROM help_requests h WHERE h.matched_volunteer_id = app_person_id())
         OR id IN (SELECT h.resident_id FROM help_requests h JOIN offers o
                     ON o.community_id = h.community_id AND o.request_id = h.id
                   WHERE o.volunteer_id = app_person_id() AND o.status IN ('pending', 'accepted'))
         OR id IN (SELECT h.matched_volunteer_id FROM help_requests h WHERE h.resident_id = app_person_id()));
-- A volunteer sees the requests offered to them, also from /v1/me/tasks.
CREATE POLICY help_requests_offered ON help_requests FOR SELECT
  USING (id IN (SELECT o.request_id FROM offers o
                WHERE o.volunteer_id = app_person_id() AND o.status IN ('pending', 'accepted')));
