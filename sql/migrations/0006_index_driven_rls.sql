-- Row-level security whose cost per request does not grow with the community or the platform.
--
-- Before: the persons policy hashed every membership of the platform for each statement
-- (`id IN (SELECT person_id FROM memberships ...)`), and permissive "own" policies (own requests,
-- offered requests, own occurrences, led cases, ...) were OR-ed into every scan, so no index could
-- serve a lookup and planning took 5-8 ms.
--
-- Now a tenant table has two policies, both plain comparisons of community_id:
--   * `_scope`: the community route's own community (/v1/communities/{id}/...), for reads and writes;
--   * `_member_scope`: on the /v1/me routes, which have no community, reads in the communities of
--     the person's active memberships, resolved once per transaction by app_enter_member_scope()
--     (pipelined by the db layer right after the context).
-- Who may see which row within a community stays the statements' business (src/), as before.
--
-- What shaped this (measured with EXPLAIN and perf on a 10,000-member community, see bench/):
--   * A community route keeps a plain equality on community_id. `community_id = ANY (array)` on the
--     leading index column made the planner leave the status and keyset columns out of the index
--     condition, so lists scanned the whole community.
--   * The member-scope array is read once per statement (a scalar sub-select becomes an InitPlan),
--     not parsed for every row; the plain settings (current_setting) are cheap enough per row, and
--     an InitPlan for each of them would cost more to set up than they cost to evaluate.
--   * Under row-level security a query's own condition is an index condition only when its operator
--     is LEAKPROOF: uuid, timestamptz, integer, text and boolean comparisons are; enum comparisons,
--     array operators and COALESCE are not. Hence the partial indexes on status below, and keyset
--     bounds passed as parameters rather than COALESCE-d in SQL (src/paging.h).

-- The communities of the person's active memberships on a /v1/me route; NULL on a community route.
CREATE FUNCTION app_member_community_ids() RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN app_community_id() IS NULL
              THEN string_to_array(NULLIF(current_setting('app.community_ids', true), ''), ',')::uuid[] END
$$;

-- Scope a transaction without a community (the /v1/me routes) to the person's active memberships.
-- Runs as its own statement after app.person_id is set: a context must never be derived in the
-- statement that sets it (LIBRARY-NOTES). Reads memberships through the person branch of the
-- memberships policy: one probe of memberships_person_idx. PL/pgSQL, so the session keeps the
-- plan of its query (an SQL function would parse and plan its body on every call).
CREATE FUNCTION app_enter_member_scope() RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM set_config('app.community_ids',
                     COALESCE((SELECT string_agg(m.community_id::text, ',' ORDER BY m.community_id)
                               FROM memberships m
                               WHERE m.person_id = app_person_id() AND m.removed_at IS NULL), ''),
                     true);
END
$$;
GRANT EXECUTE ON FUNCTION app_member_community_ids(), app_enter_member_scope() TO noaber_api;

-- Tenant tables. ----------------------------------------------------------------------------------
DROP POLICY help_requests_own ON help_requests;
DROP POLICY help_requests_offered ON help_requests;
DROP POLICY offers_own ON offers;
DROP POLICY occurrences_own ON occurrences;
DROP POLICY help_request_transitions_own ON help_request_transitions;
DROP POLICY case_actions_own ON case_actions;
DROP POLICY cases_led ON cases;
DROP POLICY case_actions_led ON case_actions;
DROP POLICY persons_matched_resident ON persons;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['categories', 'volunteer_profiles', 'help_requests', 'help_request_transitions',
                           'occurrences', 'offers', 'resident_helpers', 'events',
                           'cases', 'case_participants', 'case_lead_history', 'case_actions', 'case_consents',
                           'access_log', 'case_timeline', 'case_signal_acks'] LOOP
    EXECUTE format('DROP POLICY %I ON %I', t || '_scope', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (community_id = app_community_id())', t || '_scope', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT '
                   'USING (community_id = ANY ((SELECT app_member_community_ids())::uuid[]))', t || '_member_scope', t);
  END LOOP;
END $$;

-- A person sees their own memberships everywhere (GET /v1/me, joining), and the memberships of the
-- request's communities. Each branch is an index lookup: the primary key leads with community_id,
-- memberships_person_idx serves the person.
DROP POLICY memberships_scope ON memberships;
CREATE POLICY memberships_scope ON memberships
  USING (community_id = app_community_id() OR person_id = app_person_id())
  WITH CHECK (community_id = app_community_id());
CREATE POLICY memberships_member_scope ON memberships FOR SELECT
  USING (community_id = ANY ((SELECT app_member_community_ids())::uuid[]));

-- A community of the request: the community route's own, or one of the person's on a /v1/me route.
DROP POLICY communities_scope ON communities;
CREATE POLICY communities_scope ON communities
  USING (id = app_community_id() OR id = ANY ((SELECT app_member_community_ids())::uuid[]));

-- A person: oneself, the one found by a login or registration secret, or a member of one of the
-- request's communities: a correlated probe of the memberships primary key for the row at hand.
DROP POLICY persons_scope ON persons;
CREATE POLICY persons_scope ON persons
  USING (id = app_person_id()
         OR email = app_lookup('email')
         OR EXISTS (SELECT 1 FROM memberships m
                    WHERE m.person_id = persons.id
                      AND (m.community_id = app_community_id()
                           OR m.community_id = ANY ((SELECT app_member_community_ids())::uuid[]))));

DROP POLICY idempotency_keys_scope ON idempotency_keys;
CREATE POLICY idempotency_keys_scope ON idempotency_keys
  USING (community_id = app_community_id() AND person_id = app_person_id());

DROP POLICY invitations_scope ON invitations;
CREATE POLICY invitations_scope ON invitations
  USING (community_id = app_community_id() OR code_hash = decode(app_lookup('invitation'), 'hex'))
  WITH CHECK (community_id = app_community_id());

DROP POLICY refresh_tokens_scope ON refresh_tokens;
CREATE POLICY refresh_tokens_scope ON refresh_tokens
  USING (person_id = app_person_id() OR token_hash = decode(app_lookup('refresh_token'), 'hex'))
  WITH CHECK (person_id = app_person_id());

-- Indexes for lookups that had none. ----------------------------------------------------------
-- The case opened from a help request (the request document's case_id).
CREATE INDEX cases_help_request_idx ON cases (community_id, help_request_id) WHERE help_request_id IS NOT NULL;
-- Cases a person leads (/v1/me/actions?scope=led, signals waiting for the lead).
CREATE INDEX cases_lead_idx ON cases (community_id, lead_person_id);
-- A volunteer's matched requests (tasks, lists), by status.
CREATE INDEX help_requests_volunteer_status_idx ON help_requests (community_id, matched_volunteer_id, status);
DROP INDEX help_requests_volunteer_idx;
-- The requests still being worked on, in list order: the queue and status filters read these
-- instead of the community's whole history. Partial, because an enum condition is never an index
-- condition under row-level security (not leakproof), while a partial index's predicate is proved
-- from the query's literal condition all the same.
CREATE INDEX help_requests_open_idx ON help_requests (community_id, updated_at, id)
  WHERE status IN ('submitted', 'triaged', 'offered', 'matched');
CREATE INDEX help_requests_closed_idx ON help_requests (community_id, updated_at, id)
  WHERE status IN ('referred', 'rejected', 'cancelled');
-- Matching reads a candidate's recent occurrences (load) and a resident's history per request
-- (continuity) from the index alone, without a visit to each occurrence row.
CREATE INDEX occurrences_volunteer_load_idx ON occurrences (community_id, volunteer_id, starts_at)
  INCLUDE (status, hours, ends_at);
DROP INDEX occurrences_volunteer_idx;
CREATE INDEX occurrences_request_history_idx ON occurrences (community_id, request_id)
  INCLUDE (volunteer_id, status, feedback_positive);
-- Refresh tokens of a person (revoking a person's logins).
CREATE INDEX refresh_tokens_person_idx ON refresh_tokens (person_id);

-- Case visibility as inlinable SQL. ------------------------------------------------------------
-- The scalar functions case_sees_basic and timeline_visible hold sub-selects, so PostgreSQL cannot
-- inline them: they ran as separate calls, planned apart from the query, once per case or timeline
-- entry. A set-returning SQL function of one SELECT is inlined into the calling query instead, and
-- a scalar one without sub-selects too.

-- What a person may see of a case, in one row, or no row when they are not on it: their case role,
-- organisation and representation, whether they lead it, and for a professional what the subject's
-- latest consent record (for them or their organisation) grants per kind of data.
CREATE FUNCTION case_viewer(p_community uuid, p_case uuid, p_person uuid)
RETURNS TABLE (role case_role, organisation text, representative boolean, is_lead boolean,
               sees_basic boolean, sees_notes boolean, sees_health boolean)
LANGUAGE sql STABLE AS $$
  SELECT p.role, p.organisation, p.representative, c.lead_person_id = p_person,
         p.role <> 'professional' OR COALESCE(g.basic, false),
         p.role <> 'professional' OR COALESCE(g.notes, false),
         p.role <> 'professional' OR COALESCE(g.health, false)
  FROM case_participants p
  JOIN cases c ON c.community_id = p.community_id AND c.id = p.case_id
  LEFT JOIN LATERAL (
    SELECT bool_or(x.granted) FILTER (WHERE x.data_kind = 'basic') AS basic,
           bool_or(x.granted) FILTER (WHERE x.data_kind = 'notes') AS notes,
           bool_or(x.granted) FILTER (WHERE x.data_kind = 'health') AS health
    FROM (SELECT DISTINCT ON (k.data_kind) k.data_kind, k.granted
          FROM case_consents k
          WHERE k.community_id = p.community_id AND k.case_id = p.case_id
            AND (k.grantee_person_id = p.person_id OR k.grantee_organisation = p.organisation)
          ORDER BY k.data_kind, k.recorded_at DESC, k.id DESC) x) g ON p.role = 'professional'
  WHERE p.community_id = p_community AND p.case_id = p_case AND p.person_id = p_person
$$;

-- Whether a viewer (a row of case_viewer, NULLs when not on the case) sees a timeline entry: its
-- author always; otherwise by visibility (all participants; professionals and the lead; the lead)
-- and, for a professional, the consent for that kind of data (basic facts for events).
CREATE FUNCTION timeline_entry_visible(p_person uuid, v_role case_role, v_is_lead boolean, v_sees_basic boolean,
                                       v_sees_notes boolean, v_sees_health boolean, e_kind timeline_kind,
                                       e_visibility timeline_visibility, e_health boolean, e_author uuid)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT e_author = p_person
         OR COALESCE(v_role IS NOT NULL
                     AND CASE e_visibility WHEN 'all' THEN true
                                           WHEN 'professionals' THEN v_role = 'professional' OR v_is_lead
                                           ELSE v_is_lead END
                     AND CASE WHEN e_kind = 'event' THEN v_sees_basic
                              WHEN e_health THEN v_sees_health
                              ELSE v_sees_notes END, false)
$$;
GRANT EXECUTE ON FUNCTION case_viewer(uuid, uuid, uuid),
  timeline_entry_visible(uuid, case_role, boolean, boolean, boolean, boolean, timeline_kind, timeline_visibility,
                         boolean, uuid) TO noaber_api;

-- Matching. -----------------------------------------------------------------------------------
-- eligible_volunteers with the same rules and result as in 0002, reshaped for a community with
-- 10,000 volunteers and 100,000 requests (bench/, EXPLAIN under each role):
--   * A caller that names the volunteers it asks about (p_only: the board, a claim, "may this
--     volunteer see the request") reads only their profiles by primary key; before, every profile
--     of the community was read for each call.
--   * PostgreSQL cannot estimate how many candidates pass the filters (it guessed 1 for 700), so it
--     joined the candidates with their load and the resident's history by nested loops over CTEs:
--     a cost that grew with candidates x history. Now nothing depends on that guess: a candidate's
--     load is an index-only probe of their own recent occurrences, the resident's history is one
--     jsonb object keyed by volunteer (a lookup is a binary search), the helper lists are arrays.
CREATE OR REPLACE FUNCTION eligible_volunteers(p_community uuid, p_request uuid, certificate_days integer,
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
                             AND v.certificate_issued_on + certificate_days >= current_date))
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
           COALESCE(array_agg(rh.helper_id) FILTER (WHERE rh.kind = 'blocked'), '{}') AS blocked
    FROM r JOIN resident_helpers rh ON rh.community_id = p_community AND rh.resident_id = r.resident_id
  )
  SELECT c.person_id, p.display_name, c.km,
         COALESCE((hist.by_volunteer -> c.person_id::text ->> 0)::bigint, 0),
         COALESCE((hist.by_volunteer -> c.person_id::text ->> 1)::bigint, 0),
         COALESCE(load.h28, 0), c.capacity_hours, c.person_id = ANY (helpers.preferred)
  FROM cand c
  CROSS JOIN r
  CROSS JOIN hist
  CROSS JOIN helpers
  JOIN memberships m ON m.community_id = p_community AND m.person_id = c.person_id
                    AND m.removed_at IS NULL AND 'volunteer' = ANY (m.roles)
  JOIN persons p ON p.id = c.person_id
  -- The candidate's hours in the last 7 and 28 days (occurrences_volunteer_load_idx).
  CROSS JOIN LATERAL (
    SELECT sum(COALESCE(o.hours, extract(epoch FROM o.ends_at - o.starts_at)::numeric / 3600, 1))
             FILTER (WHERE o.starts_at > now() - interval '7 days') AS h7,
           sum(COALESCE(o.hours, extract(epoch FROM o.ends_at - o.starts_at)::numeric / 3600, 1)) AS h28
    FROM occurrences o
    WHERE o.community_id = p_community AND o.volunteer_id = c.person_id
      AND o.starts_at > now() - interval '28 days' AND o.status IN ('matched', 'done')) load
  WHERE COALESCE(load.h7, 0) + r.hours <= c.capacity_hours
    AND NOT c.person_id = ANY (helpers.blocked)
    AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.community_id = p_community AND o.request_id = r.id
                    AND o.volunteer_id = c.person_id AND o.status IN ('declined', 'released'))
$$;

-- Whether a volunteer may do a request (every hard filter of eligible_volunteers): for the reads
-- that ask about one volunteer. PL/pgSQL keeps the plan of its query for the session, and a
-- statement that calls it does not carry eligible_volunteers' whole plan, which it would have to
-- set up on every execution even when, as for most callers, the call is never reached.
CREATE FUNCTION volunteer_eligible(p_community uuid, p_request uuid, p_certificate_days integer, p_person uuid)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM eligible_volunteers(p_community, p_request, p_certificate_days, ARRAY[p_person]) e
                 WHERE e.person_id = p_person);
END
$$;
GRANT EXECUTE ON FUNCTION volunteer_eligible(uuid, uuid, integer, uuid) TO noaber_api;

-- Timestamps as the API writes them. STABLE like the to_char() inside it (0001 said IMMUTABLE, which
-- kept PostgreSQL from inlining it: every timestamp of every document was a separate SQL function
-- call, with its own set-up and permission check).
CREATE OR REPLACE FUNCTION api_ts(t timestamptz) RETURNS text LANGUAGE sql STABLE AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;
