-- Synthetic load for the matching benchmark (bench/matching.sh), run as the schema owner after
-- `noaber migrate` and `noaber seed-demo`. Row-level security is forced even for the owner, so
-- everything happens inside one transaction with the community context set; persons are
-- inserted one by one with app.lookup_email set (the only way the persons policy lets a new
-- person in). Set-based otherwise, seeded random(): the same shape on every run.
--
-- psql variables: community (uuid), volunteers (count), residents (count), requests (count of
-- past one-off help requests; each recurring one adds `weeks` weekly occurrences, see below),
-- coordinator (uuid, entered_by), weeks (optional, default 7: occurrences per recurring request).
\set ON_ERROR_STOP 1
\if :{?weeks}
\else
\set weeks 7
\endif

BEGIN;
SELECT set_config('app.community_id', :'community', true) \g /dev/null
SELECT setseed(0.4242) \g /dev/null

-- Helpers: temporary tables are not under row-level security.
CREATE TEMP TABLE b_vol ON COMMIT DROP AS
  SELECT n, gen_random_uuid() AS id,
         format('bench-volunteer-%s@noaber.invalid', n) AS email,
         format('Vrijwilliger %s', n) AS name
  FROM generate_series(1, :volunteers) n;
CREATE TEMP TABLE b_res ON COMMIT DROP AS
  SELECT n, gen_random_uuid() AS id,
         format('bench-resident-%s@noaber.invalid', n) AS email,
         format('Inwoner %s', n) AS name,
         -- Residents live in and around the village, closer in than the volunteers.
         51.61 + x.r * cos(x.a) / 111.32 AS lat,
         4.11 + x.r * sin(x.a) / (111.32 * cos(radians(51.61))) AS lon
  FROM generate_series(1, :residents) n,
       LATERAL (SELECT 4 * sqrt(random()) + 0 * n AS r, 2 * pi() * random() AS a) x;

DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT id, email, name FROM b_vol UNION ALL SELECT id, email, name FROM b_res LOOP
    PERFORM set_config('app.lookup_email', p.email, true);
    INSERT INTO persons (id, email, display_name, password_hash) VALUES (p.id, p.email, p.name, '!bench');
  END LOOP;
  PERFORM set_config('app.lookup_email', '', true);
END $$;

INSERT INTO memberships (community_id, person_id, roles, joined_at, updated_at)
SELECT :'community'::uuid, id, '{volunteer}'::member_role[], now() - interval '400 days' * random(), now() FROM b_vol
UNION ALL
SELECT :'community'::uuid, id, '{resident}'::member_role[], now() - interval '400 days' * random(), now() FROM b_res;

-- Volunteer profiles: homes within ~15 km of Sint Annaland (denser in the village), a random
-- subset of the categories, weekly blocks of availability (minutes of the week, Monday 00:00 =
-- 0), 2..20 km, 1..10 hours a week, ~10% paused, ~70% code of conduct, ~50% certificate.
INSERT INTO volunteer_profiles (community_id, person_id, skills, availability, unavailable, home_lat, home_lon,
                                travel_km, capacity_hours, languages, prefers_short_tasks, paused,
                                code_of_conduct_accepted_at, certificate_issued_on, certificate_checked_by,
                                certificate_checked_at, created_at, updated_at)
SELECT :'community'::uuid, v.id, sk.skills, av.availability,
       CASE WHEN v.away < 0.05 THEN datemultirange(daterange(current_date + v.hstart, current_date + v.hstart + 14))
            ELSE '{}' END,
       51.61 + v.r * cos(v.a) / 111.32,
       4.11 + v.r * sin(v.a) / (111.32 * cos(radians(51.61))),
       round((2 + 18 * random())::numeric, 1),
       1 + floor(10 * random()),
       CASE WHEN random() < 0.2 THEN '{nl,en}'::text[] ELSE '{nl}' END,
       random() < 0.3,
       v.paused,
       CASE WHEN v.coc THEN now() - interval '700 days' * random() END,
       CASE WHEN v.cert THEN current_date - (700 * random())::int END,
       CASE WHEN v.cert THEN '00000000-0000-4000-8000-000000000101'::uuid END,
       CASE WHEN v.cert THEN now() - interval '700 days' * random() END,
       now() - interval '400 days' * random(), now()
-- Per-row draws first (a lateral subquery keyed on a constant would be memoized: one draw for all).
FROM (SELECT b.*, random() < 0.10 AS paused, random() < 0.70 AS coc, random() < 0.50 AS cert,
             random() AS away, (random() * 40)::int AS hstart,
             -- 60% in the village (within 3 km), the rest spread out to 15 km.
             CASE WHEN random() < 0.6 THEN 3 * sqrt(random()) ELSE 3 + 12 * sqrt(random()) END AS r,
             2 * pi() * random() AS a
      FROM b_vol b) v
CROSS JOIN LATERAL (
  SELECT COALESCE(array_agg(c.id ORDER BY c.code) FILTER (WHERE c.pick), '{}') AS skills
  FROM (SELECT id, code, random() < 0.35 + 0 * v.n AS pick FROM categories
        WHERE community_id = :'community'::uuid) c) sk
CROSS JOIN LATERAL (
  -- Per day (weekdays often, weekends less), maybe a morning, afternoon and/or evening block.
  SELECT COALESCE(range_agg(int4range(d * 1440 + b.s, d * 1440 + b.e)), '{}') AS availability
  FROM generate_series(0, 6) d
  CROSS JOIN (VALUES (540, 720), (780, 1020), (1080, 1260)) b(s, e)
  WHERE random() < CASE WHEN d < 5 THEN 0.45 ELSE 0.2 END + 0 * v.n) av;

-- Make sure everybody can do something: give the few without skills one category.
UPDATE volunteer_profiles v SET skills = ARRAY[(SELECT id FROM categories WHERE community_id = :'community'::uuid
                                              ORDER BY random() + 0 * length(v.person_id::text) LIMIT 1)]
WHERE v.community_id = :'community'::uuid AND v.skills = '{}';

-- Who can do what, to pick plausible volunteers for the past requests. Busy volunteers are
-- the first in each list (skewed picks below), like in a real initiative.
CREATE TEMP TABLE b_cat ON COMMIT DROP AS
  SELECT c.id, c.code, c.in_home, c.may_recur,
         array_agg(v.person_id ORDER BY vol.n) AS vols, count(*)::int AS nvols
  FROM categories c
  JOIN volunteer_profiles v ON v.community_id = c.community_id AND v.skills @> ARRAY[c.id]
  JOIN b_vol vol ON vol.id = v.person_id
  WHERE c.community_id = :'community'::uuid
  GROUP BY c.id, c.code, c.in_home, c.may_recur;
CREATE TEMP TABLE b_catn ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY code) AS k, * FROM b_cat;

-- Past help requests: :requests one-off ones and :requests / 3 weekly recurring ones with :weeks
-- occurrences each (one-off: 1 occurrence). Residents and volunteers skewed: some residents
-- ask a lot, some volunteers do a lot, and a resident tends to get the same few volunteers.
CREATE TEMP TABLE b_req ON COMMIT DROP AS
  SELECT g.n, gen_random_uuid() AS id, res.id AS resident_id, res.lat, res.lon, cat.id AS category_id,
         cat.in_home, recurring,
         cat.vols[1 + least(cat.nvols - 1,
                            -- a resident's "own" volunteers half of the time, anyone else otherwise
                            CASE WHEN random() < 0.5 THEN (res.n * 7919 + floor(3 * random())::int) % cat.nvols
                                 ELSE floor(cat.nvols * power(random(), 2))::int END)] AS volunteer_id,
         g.start_at, g.minutes
  FROM (SELECT n, n > :requests AS recurring,
               1 + floor(:residents * power(random(), 1.3))::int AS rn,
               random() AS rc,
               -- 09:00..18:00 local time on a day in the last 90 days (recurring: starting 7 * weeks + days back)
               (date_trunc('day', (now() - interval '1 day' * (CASE WHEN n > :requests THEN 7 * :weeks ELSE 0 END
                                                               + random() * CASE WHEN n > :requests THEN 40 ELSE 90 END))
                                  AT TIME ZONE 'Europe/Amsterdam')
                + interval '15 minutes' * floor(36 * random())
                + interval '9 hours') AT TIME ZONE 'Europe/Amsterdam' AS start_at,
               (60 + 30 * floor(4 * random()))::int AS minutes
        FROM generate_series(1, :requests + :requests / 3) n) g
  JOIN b_res res ON res.n = g.rn
  JOIN b_catn cat ON cat.k = 1 + floor(g.rc * (SELECT count(*) FROM b_catn))::int
                 AND (NOT g.recurring OR cat.may_recur);

INSERT INTO help_requests (community_id, id, category_id, resident_id, entered_by, description, starts_at, ends_at,
                           recurrence, recurrence_until, place_address, place_lat, place_lon, in_home, urgency,
                           status, status_changed_at, matched_volunteer_id, resident_confirmed, created_at, updated_at)
SELECT :'community'::uuid, r.id, r.category_id, r.resident_id,
       CASE WHEN r.n % 3 = 0 THEN r.resident_id ELSE :'coordinator'::uuid END,
       'Synthetische hulpvraag ' || r.n, r.start_at, r.start_at + make_interval(mins => r.minutes),
       CASE WHEN r.recurring THEN 'weekly'::recurrence_frequency END,
       CASE WHEN r.recurring THEN (r.start_at + make_interval(weeks => :weeks - 1))::date END,
       'Dorpsstraat ' || (1 + r.n % 150) || ', Sint Annaland', r.lat, r.lon, r.in_home,
       (ARRAY['low', 'normal', 'normal', 'normal', 'high'])[1 + r.n % 5]::help_urgency,
       'done', r.start_at + make_interval(weeks => :weeks - 1, hours => 2), r.volunteer_id, true,
       r.start_at - interval '3 days', r.start_at + make_interval(weeks => :weeks - 1, hours => 2)
FROM b_req r;

-- Statistics now, inside the transaction (ANALYZE counts this transaction's own rows): the
-- foreign-key checks of the occurrences below are planned once, from whatever statistics exist
-- at that moment, and with those of the tables as they were before (a few rows, or none yet) a
-- check can scan the community's whole index instead of probing the primary key, per row.
ANALYZE persons, help_requests;

INSERT INTO occurrences (community_id, request_id, seq, starts_at, ends_at, status, volunteer_id, hours, note,
                         completed_at, feedback_positive, feedback_text, feedback_at, updated_at)
SELECT :'community'::uuid, o.id, o.s, o.starts_at, o.starts_at + make_interval(mins => o.minutes), 'done', o.volunteer_id,
       round((o.minutes / 60.0 + 0.25 * floor(3 * o.d1 - 1))::numeric, 2),
       CASE WHEN o.d2 < 0.2 THEN 'Ging goed' END,
       o.starts_at + make_interval(mins => o.minutes + 30),
       o.positive,
       CASE WHEN o.positive IS NOT NULL AND o.d3 < 0.5 THEN
         CASE WHEN o.positive THEN 'Fijn geholpen, dank je wel' ELSE 'Kwam te laat' END END,
       CASE WHEN o.positive IS NOT NULL THEN o.starts_at + interval '1 day' END,
       o.starts_at + interval '1 day'
FROM (SELECT r.id, r.volunteer_id, r.minutes, s, r.start_at + interval '1 week' * (s - 1) AS starts_at,
             random() AS d1, random() AS d2, random() AS d3,
             -- ~35% get feedback, ~8% of that negative
             CASE WHEN random() < 0.35 THEN random() >= 0.08 END AS positive
      FROM b_req r CROSS JOIN LATERAL generate_series(1, CASE WHEN r.recurring THEN :weeks ELSE 1 END) s) o
WHERE o.starts_at < now() - interval '2 hours';

-- Residents' helper lists: a few preferred helpers (from those who helped them), rarely a block.
INSERT INTO resident_helpers (community_id, resident_id, helper_id, kind)
SELECT DISTINCT ON (resident_id, volunteer_id) :'community'::uuid, resident_id, volunteer_id,
       CASE WHEN random() < 0.1 THEN 'blocked' ELSE 'preferred' END::helper_kind
FROM b_req WHERE random() < 0.05
ORDER BY resident_id, volunteer_id;

COMMIT;
-- Steady state, as a live database would be: statistics, visibility map and hint bits.
VACUUM (ANALYZE) persons, memberships, categories, volunteer_profiles, help_requests, occurrences, offers,
  resident_helpers;
