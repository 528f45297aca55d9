-- The desk's opening hours (sql/migrations/0022_desk_hours.sql). A repeatable file, see
-- help_requests.sql.

-- The next time the desk opens after p_at, given its weekly slots (Europe/Amsterdam local time,
-- as desk_hours.slots) and closed dates; NULL when the desk is open at p_at (from `opens`, up to
-- but not including `closes`), when it keeps no hours, or when it does not open in the next 62
-- days. Each local day's slot is turned into an instant by its own day's offset, so a slot at
-- 09:00 stays at 09:00 across a change of the clocks. The one place this is computed.
CREATE OR REPLACE FUNCTION desk_next_opening(p_slots jsonb, p_closed date[], p_at timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN bool_or(o.opens <= p_at AND p_at < o.closes) THEN NULL
              ELSE min(o.opens) FILTER (WHERE o.opens > p_at) END
    FROM (SELECT ((d.day + (s.slot->>'opens')::time) AT TIME ZONE 'Europe/Amsterdam') AS opens,
                 ((d.day + (s.slot->>'closes')::time) AT TIME ZONE 'Europe/Amsterdam') AS closes
            FROM (SELECT (p_at AT TIME ZONE 'Europe/Amsterdam')::date + g AS day FROM generate_series(0, 62) g) d
            JOIN jsonb_array_elements(p_slots) s (slot)
              ON array_position(ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
                                s.slot->>'day') = extract(isodow FROM d.day)
           WHERE NOT d.day = ANY (p_closed)) o
$$;

-- The weekday (monday..sunday) of instant p_at in Europe/Amsterdam, for the resident's label.
CREATE OR REPLACE FUNCTION desk_local_day(p_at timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT (ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])
           [extract(isodow FROM p_at AT TIME ZONE 'Europe/Amsterdam')::int]
$$;
