-- The volunteer app from its own seat (issue 12, items 1 and 8):
--   * A matched volunteer may step back ("I can't come") before the occurrence starts: the request
--     keeps when and why (stepped_back_at, stepped_back_reason) until it is matched again, so the
--     desk's needs_attention queue shows it with the reason and the resident sees that her helper
--     stepped back. The reason is for the desk only (help_request_doc).
--   * The volunteer's own offers across her communities, oldest change first (GET /v1/me/offers):
--     offers_volunteer_sync_idx serves the keyset page.
--   * Capacity counts the week in question: volunteer_room takes the time of the occurrence being
--     considered and counts the volunteer's matched and done hours in that ISO week
--     (Europe/Amsterdam), needed_by occurrences in the week of their needed_by; it counted every
--     occurrence from a week ago on, also those months ahead, and no needed_by one.
--   * A volunteer who declined an offer of the resident's or gave one of her requests back
--     (released: she stepped back, or the resident asked for someone else) is still suggested for
--     the resident's other requests, with a penalty: volunteer_candidates says which
--     (`penalty`: 'released' or 'declined'), match_rank (src/desk_rules.c) weighs it.

ALTER TABLE help_requests
  ADD COLUMN stepped_back_at timestamptz,
  ADD COLUMN stepped_back_reason text CHECK (length(stepped_back_reason) BETWEEN 1 AND 500),
  ADD CHECK ((stepped_back_at IS NULL) = (stepped_back_reason IS NULL));

CREATE INDEX offers_volunteer_sync_idx ON offers (volunteer_id, updated_at, id);

-- The week's load reads needed_by occurrences (no starts_at) from the index too.
DROP INDEX occurrences_volunteer_load_idx;
CREATE INDEX occurrences_volunteer_load_idx ON occurrences (community_id, volunteer_id, starts_at)
  INCLUDE (status, hours, ends_at, needed_by);

DROP FUNCTION eligible_volunteers(uuid, uuid, integer, uuid[]);
DROP FUNCTION volunteer_room(uuid, uuid, numeric, numeric);
DROP FUNCTION volunteer_candidates(uuid, uuid, integer, uuid[]);

-- As 0009, plus `at`: when the occurrence being considered happens (the request's next open
-- occurrence, else its first), for volunteer_room's week; and `penalty` (see above).
CREATE FUNCTION volunteer_candidates(p_community uuid, p_request uuid, certificate_days integer,
                                     p_only uuid[] DEFAULT NULL)
RETURNS TABLE (person_id uuid, km float8, helped_good bigint, helped_bad bigint, capacity_hours numeric,
               preferred boolean, hours_needed numeric, at timestamptz, penalty text)
LANGUAGE sql STABLE AS $$
  WITH r AS MATERIALIZED (
    SELECT hr.id, hr.resident_id, hr.category_id, hr.place_lat, hr.place_lon,
           hr.in_home OR c.in_home AS in_home,
           COALESCE(hr.starts_at, hr.needed_by) AS at,
           COALESCE((SELECT min(COALESCE(o.starts_at, o.needed_by)) FROM occurrences o
                      WHERE o.community_id = p_community AND o.request_id = hr.id AND o.status = 'open'),
                    hr.starts_at, hr.needed_by) AS next_at,
           CASE WHEN hr.starts_at IS NOT NULL THEN
             int4range(minute_of_week(hr.starts_at),
                       minute_of_week(hr.starts_at) + (extract(epoch FROM hr.ends_at - hr.starts_at) / 60)::int)
           END AS slot,
           COALESCE(extract(epoch FROM hr.ends_at - hr.starts_at) / 3600, 1)::numeric AS hours
    FROM help_requests hr JOIN categories c ON c.community_id = hr.community_id AND c.id = hr.category_id
    WHERE hr.community_id = p_community AND hr.id = p_request
  ),
  cand AS MATERIALIZED (
    SELECT v.person_id, v.capacity_hours, d.km
    FROM r
    JOIN (SELECT * FROM volunteer_profiles vp WHERE p_only IS NULL AND vp.community_id = p_community
          UNION ALL
          SELECT * FROM volunteer_profiles vp
          WHERE p_only IS NOT NULL AND vp.community_id = p_community AND vp.person_id = ANY (p_only)) v
      ON v.skills @> ARRAY[r.category_id] AND abs(v.home_lat - r.place_lat) * 111.19 <= v.travel_km
    CROSS JOIN LATERAL (SELECT distance_km(v.home_lat, v.home_lon, r.place_lat, r.place_lon) AS km) d
    WHERE NOT v.paused
      AND v.code_of_conduct_accepted_at IS NOT NULL
      AND v.person_id <> r.resident_id
      AND (CASE WHEN r.slot IS NULL THEN NOT isempty(v.availability) ELSE v.availability && r.slot END)
      AND NOT v.unavailable @> (r.at AT TIME ZONE 'Europe/Amsterdam')::date
      AND (NOT r.in_home OR (v.certificate_issued_on IS NOT NULL
                             AND v.certificate_issued_on + certificate_days >= community_today()))
      AND d.km <= v.travel_km
  ),
  hist AS MATERIALIZED (
    SELECT COALESCE(jsonb_object_agg(x.volunteer_id::text, jsonb_build_array(x.good, x.bad)), '{}') AS by_volunteer
    FROM (SELECT o.volunteer_id,
                 count(*) FILTER (WHERE o.status = 'done' AND o.feedback_positive IS DISTINCT FROM false) AS good,
                 count(*) FILTER (WHERE o.feedback_positive = false) AS bad
          FROM r
          JOIN help_requests h ON p_only IS NULL AND h.community_id = p_community AND h.resident_id = r.resident_id
          JOIN occurrences o ON o.community_id = p_community AND o.request_id = h.id AND o.volunteer_id IS NOT NULL
          GROUP BY o.volunteer_id
          UNION ALL
          SELECT o.volunteer_id,
                 count(*) FILTER (WHERE o.status = 'done' AND o.feedback_positive IS DISTINCT FROM false),
                 count(*) FILTER (WHERE o.feedback_positive = false)
          FROM r
          JOIN cand c ON p_only IS NOT NULL
          JOIN occurrences o ON o.community_id = p_community AND o.volunteer_id = c.person_id
          JOIN help_requests h ON h.community_id = p_community AND h.id = o.request_id AND h.resident_id = r.resident_id
          GROUP BY o.volunteer_id) x
  ),
  -- Who declined or gave back one of this resident's other requests, read once like hist: through
  -- the resident's requests (offers by their (community_id, request_id) key), or, for the few
  -- volunteers in p_only, through their own offers (offers_volunteer_idx). 'released' outweighs
  -- 'declined'.
  penalties AS MATERIALIZED (
    SELECT COALESCE(jsonb_object_agg(x.volunteer_id::text, x.reason), '{}') AS by_volunteer
    FROM (SELECT y.volunteer_id, CASE WHEN bool_or(y.status = 'released') THEN 'released' ELSE 'declined' END AS reason
          FROM (SELECT o.volunteer_id, o.status
                FROM r
                JOIN help_requests h ON p_only IS NULL AND h.community_id = p_community AND h.resident_id = r.resident_id
                                    AND h.id <> r.id
                JOIN offers o ON o.community_id = p_community AND o.request_id = h.id
                WHERE o.status IN ('declined', 'released')
                UNION ALL
                SELECT o.volunteer_id, o.status
                FROM r
                JOIN cand c ON p_only IS NOT NULL
                JOIN offers o ON o.community_id = p_community AND o.volunteer_id = c.person_id
                                 AND o.status IN ('declined', 'released')
                JOIN help_requests h ON h.community_id = p_community AND h.id = o.request_id
                                    AND h.resident_id = r.resident_id AND h.id <> r.id) y
          GROUP BY y.volunteer_id) x
  ),
  helpers AS MATERIALIZED (
    SELECT COALESCE(array_agg(rh.helper_id) FILTER (WHERE rh.kind = 'preferred'), '{}') AS preferred,
           COALESCE(array_agg(rh.helper_id) FILTER (WHERE rh.kind = 'blocked'), '{}') AS blocked,
           -- Who declined or gave this request back, read once rather than probed per candidate.
           (SELECT COALESCE(array_agg(o.volunteer_id), '{}') FROM offers o
            WHERE o.community_id = p_community AND o.request_id = p_request
              AND o.status IN ('declined', 'released')) AS declined
    FROM r JOIN resident_helpers rh ON rh.community_id = p_community AND rh.resident_id = r.resident_id
  )
  SELECT c.person_id, c.km,
         COALESCE((hist.by_volunteer -> c.person_id::text ->> 0)::bigint, 0),
         COALESCE((hist.by_volunteer -> c.person_id::text ->> 1)::bigint, 0),
         c.capacity_hours, c.person_id = ANY (helpers.preferred), r.hours, r.next_at,
         penalties.by_volunteer ->> c.person_id::text
  FROM cand c
  CROSS JOIN r
  CROSS JOIN hist
  CROSS JOIN penalties
  CROSS JOIN helpers
  WHERE NOT c.person_id = ANY (helpers.blocked)
    AND NOT c.person_id = ANY (helpers.declined)
$$;

GRANT EXECUTE ON FUNCTION volunteer_candidates(uuid, uuid, integer, uuid[]) TO noaber_api;

-- Whether a candidate can take the request: an active volunteer of the community with room for
-- `p_hours_needed` in the capacity of the ISO week (Europe/Amsterdam) of `p_at`, counting the
-- matched and done occurrences that start in that week and the needed_by ones due in it; their
-- hours of the last four weeks. One membership probe and three ranges of
-- occurrences_volunteer_load_idx.
CREATE FUNCTION volunteer_room(p_community uuid, p_person uuid, p_capacity_hours numeric, p_hours_needed numeric,
                               p_at timestamptz)
RETURNS TABLE (hours_28d numeric)
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(load.h28, 0)
  FROM memberships m
  CROSS JOIN LATERAL (
    SELECT sum(COALESCE(o.hours, extract(epoch FROM o.ends_at - o.starts_at)::numeric / 3600, 1)) AS h28
    FROM occurrences o
    WHERE o.community_id = p_community AND o.volunteer_id = p_person
      AND o.starts_at > now() - interval '28 days' AND o.status IN ('matched', 'done')) load
  CROSS JOIN LATERAL (
    SELECT date_trunc('week', p_at AT TIME ZONE 'Europe/Amsterdam') AT TIME ZONE 'Europe/Amsterdam' AS starts,
           (date_trunc('week', p_at AT TIME ZONE 'Europe/Amsterdam') + interval '1 week')
             AT TIME ZONE 'Europe/Amsterdam' AS ends) w
  CROSS JOIN LATERAL (
    SELECT sum(x.hours) AS hours
    FROM (SELECT COALESCE(o.hours, extract(epoch FROM o.ends_at - o.starts_at)::numeric / 3600) AS hours
          FROM occurrences o
          WHERE o.community_id = p_community AND o.volunteer_id = p_person
            AND o.starts_at >= w.starts AND o.starts_at < w.ends AND o.status IN ('matched', 'done')
          UNION ALL
          SELECT COALESCE(o.hours, 1)
          FROM occurrences o
          WHERE o.community_id = p_community AND o.volunteer_id = p_person AND o.starts_at IS NULL
            AND o.needed_by >= w.starts AND o.needed_by < w.ends AND o.status IN ('matched', 'done')) x) week
  WHERE m.community_id = p_community AND m.person_id = p_person AND m.removed_at IS NULL
    AND 'volunteer' = ANY (m.roles)
    AND COALESCE(week.hours, 0) + p_hours_needed <= p_capacity_hours
$$;

GRANT EXECUTE ON FUNCTION volunteer_room(uuid, uuid, numeric, numeric, timestamptz) TO noaber_api;

-- Every hard filter: the candidates that have room in the week in question.
CREATE FUNCTION eligible_volunteers(p_community uuid, p_request uuid, certificate_days integer,
                                    p_only uuid[] DEFAULT NULL)
RETURNS TABLE (person_id uuid, km float8, helped_good bigint, helped_bad bigint,
               hours_28d numeric, capacity_hours numeric, preferred boolean)
LANGUAGE sql STABLE AS $$
  SELECT c.person_id, c.km, c.helped_good, c.helped_bad, room.hours_28d, c.capacity_hours, c.preferred
  FROM volunteer_candidates(p_community, p_request, certificate_days, p_only) c
  CROSS JOIN LATERAL volunteer_room(p_community, c.person_id, c.capacity_hours, c.hours_needed, c.at) room
$$;

GRANT EXECUTE ON FUNCTION eligible_volunteers(uuid, uuid, integer, uuid[]) TO noaber_api;
