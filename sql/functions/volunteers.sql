-- Volunteer profiles as the API shows them. A repeatable file (see help_requests.sql for how
-- these files are applied and why every function returns a set).

-- The VolunteerProfile document of row v (JSON text), its paging key (updated_at, person_id).
-- Availability and holidays come back as stored: weekly minute ranges as weekday and times,
-- date ranges with an inclusive end. A certificate of conduct counts p_certificate_days days.
CREATE OR REPLACE FUNCTION volunteer_profile_doc(v volunteer_profiles, p_certificate_days integer)
RETURNS TABLE (doc text, updated_at text, person_id uuid) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'person_id', v.person_id, 'display_name', p.display_name, 'skills', to_json(v.skills),
           'availability', (SELECT COALESCE(json_agg(json_build_object(
                                     'weekday', lower(r) / 1440 + 1,
                                     'start', to_char(make_time((lower(r) % 1440) / 60, lower(r) % 60, 0), 'HH24:MI'),
                                     'end', to_char(make_time((upper(r) % 1440) / 60, upper(r) % 60, 0), 'HH24:MI'))
                                   ORDER BY lower(r)), '[]')
                              FROM unnest(v.availability) r),
           'unavailable', (SELECT COALESCE(json_agg(json_build_object('from', lower(d), 'to', upper(d) - 1)
                                                    ORDER BY lower(d)), '[]')
                             FROM unnest(v.unavailable) d),
           'home', json_build_object('lat', v.home_lat, 'lon', v.home_lon), 'travel_km', v.travel_km,
           'capacity_hours_per_week', v.capacity_hours, 'languages', to_json(v.languages),
           'prefers_short_tasks', v.prefers_short_tasks, 'paused', v.paused,
           'code_of_conduct_accepted_at', api_ts(v.code_of_conduct_accepted_at),
           'certificate', CASE WHEN v.certificate_issued_on IS NULL THEN NULL
                               ELSE json_build_object('issued_on', v.certificate_issued_on,
                                                      'valid_until', v.certificate_issued_on + p_certificate_days,
                                                      'checked_by', v.certificate_checked_by,
                                                      'checked_at', api_ts(v.certificate_checked_at)) END,
           'certificate_valid', COALESCE(v.certificate_issued_on + p_certificate_days >= community_today(), false),
           'updated_at', api_ts(v.updated_at))::text,
         api_ts(v.updated_at), v.person_id
    FROM persons p WHERE p.id = v.person_id
$$;
