-- Suggestions over a community of 10,000 volunteers spent most of their time on per-candidate
-- probes (bench/matching.sh; EXPLAIN under the coordinator): for every volunteer who passed the
-- profile filters, a name, a membership, the hours of the last four weeks and the offers of the
-- request. The server shows the best ten or so. So matching is now in two functions:
--   * volunteer_candidates: every hard filter that needs only the request, the profile, the
--     resident's history and helper lists (each read once) and the offers of this request (read
--     once, as an array, beside the blocked helpers). One pass over the community's profiles, or
--     the profiles in p_only by primary key; no probe per candidate.
--   * volunteer_room: whether one candidate is an active volunteer with room in this week's
--     capacity, and their recent hours: one membership probe and one load probe.
-- eligible_volunteers is the two together: same rules and result as before (0002, 0006), without
-- the name, which only a caller that shows it reads. The server's suggestions
-- (help_requests_suggestions) bound each candidate's score from volunteer_candidates (recent hours
-- counted as none, the most a score can be) and ask volunteer_room only about the best-bounded
-- ones, until no other candidate can rank higher.
-- The certificate is judged on the communities' calendar (community_today(), 0007), as everywhere
-- else. The return type changes, so the function is dropped and created again; volunteer_eligible
-- (0006) calls it by name and reads only person_id.
DROP FUNCTION eligible_volunteers(uuid, uuid, integer, uuid[]);

CREATE FUNCTION volunteer_candidates(p_community uuid, p_request uuid, certificate_days integer,
                                     p_only uuid[] DEFAULT NULL)
RETURNS TABLE (person_id uuid, km float8, helped_good bigint, helped_bad bigint, capacity_hours numeric,
               preferred boolean, hours_needed numeric)
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
  -- Every per-profile filter first, in one pass over the community's profiles, or over the
  -- profiles named in p_only by primary key (a UNION ALL in FROM: the branch whose condition on
  -- p_only is false is not run). A cheap latitude check spares most far-away profiles the
  -- great-circle distance: a degree of latitude is at least 111.19 km on distance_km's sphere.
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
  -- This resident's history with each volunteer, read once: every request of the resident, or,
  -- for the few volunteers in p_only, their own occurrences.
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
         c.capacity_hours, c.person_id = ANY (helpers.preferred), r.hours
  FROM cand c
  CROSS JOIN r
  CROSS JOIN hist
  CROSS JOIN helpers
  WHERE NOT c.person_id = ANY (helpers.blocked)
    AND NOT c.person_id = ANY (helpers.declined)
$$;

GRANT EXECUTE ON FUNCTION volunteer_candidates(uuid, uuid, integer, uuid[]) TO noaber_api;

-- Whether a candidate can take the request: an active volunteer of the community with room for
-- `p_hours_needed` in this week's capacity; their hours of the last four weeks. One membership probe
-- and one load probe (occurrences_volunteer_load_idx).
CREATE FUNCTION volunteer_room(p_community uuid, p_person uuid, p_capacity_hours numeric, p_hours_needed numeric)
RETURNS TABLE (hours_28d numeric)
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(load.h28, 0)
  FROM memberships m
  CROSS JOIN LATERAL (
    SELECT sum(COALESCE(o.hours, extract(epoch FROM o.ends_at - o.starts_at)::numeric / 3600, 1))
             FILTER (WHERE o.starts_at > now() - interval '7 days') AS h7,
           sum(COALESCE(o.hours, extract(epoch FROM o.ends_at - o.starts_at)::numeric / 3600, 1)) AS h28
    FROM occurrences o
    WHERE o.community_id = p_community AND o.volunteer_id = p_person
      AND o.starts_at > now() - interval '28 days' AND o.status IN ('matched', 'done')) load
  WHERE m.community_id = p_community AND m.person_id = p_person AND m.removed_at IS NULL
    AND 'volunteer' = ANY (m.roles)
    AND COALESCE(load.h7, 0) + p_hours_needed <= p_capacity_hours
$$;

GRANT EXECUTE ON FUNCTION volunteer_room(uuid, uuid, numeric, numeric) TO noaber_api;

-- Every hard filter: the candidates that have room.
CREATE FUNCTION eligible_volunteers(p_community uuid, p_request uuid, certificate_days integer,
                                    p_only uuid[] DEFAULT NULL)
RETURNS TABLE (person_id uuid, km float8, helped_good bigint, helped_bad bigint,
               hours_28d numeric, capacity_hours numeric, preferred boolean)
LANGUAGE sql STABLE AS $$
  SELECT c.person_id, c.km, c.helped_good, c.helped_bad, room.hours_28d, c.capacity_hours, c.preferred
  FROM volunteer_candidates(p_community, p_request, certificate_days, p_only) c
  CROSS JOIN LATERAL volunteer_room(p_community, c.person_id, c.capacity_hours, c.hours_needed) room
$$;

GRANT EXECUTE ON FUNCTION eligible_volunteers(uuid, uuid, integer, uuid[]) TO noaber_api;
