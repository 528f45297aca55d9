-- Members as the API shows them: a member of a community (the desk's view), a membership and
-- the signed-in person (/v1/me). A repeatable file (see help_requests.sql for how these files
-- are applied and why every function is an inlinable plain SQL function returning a set).

-- Roles as a JSON array, each once, in the order of the member_role type (resident, volunteer,
-- coordinator, professional, admin, guest), whatever order the array has.
CREATE OR REPLACE FUNCTION member_roles_doc(p_roles member_role[])
RETURNS TABLE (roles json) LANGUAGE sql STABLE AS $$
  SELECT COALESCE(json_agg(DISTINCT r ORDER BY r), '[]') FROM unnest(p_roles) r
$$;

-- The Member document of membership m of person p (JSON text), its ETag source and person id.
-- A removed member is a tombstone: only person_id, updated_at and deleted.
CREATE OR REPLACE FUNCTION member_doc(m memberships, p persons)
RETURNS TABLE (doc text, updated_at text, person_id uuid) LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN m.removed_at IS NOT NULL
              THEN json_build_object('person_id', m.person_id, 'display_name', NULL::text, 'email', NULL::text,
                                     'roles', '[]'::json, 'joined_at', NULL::text,
                                     'updated_at', api_ts(m.updated_at), 'deleted', true)
              ELSE json_build_object('person_id', m.person_id, 'display_name', p.display_name, 'email', p.email,
                                     'roles', r.roles, 'joined_at', api_ts(m.joined_at),
                                     'updated_at', api_ts(m.updated_at), 'deleted', false) END::text,
         api_ts(m.updated_at), m.person_id
    FROM member_roles_doc(m.roles) r
$$;

-- The Membership document of membership m in community c (JSON text).
CREATE OR REPLACE FUNCTION membership_doc(m memberships, c communities)
RETURNS TABLE (doc text) LANGUAGE sql STABLE AS $$
  SELECT json_build_object('community', json_build_object('id', c.id, 'slug', c.slug, 'name', c.name),
                           'roles', r.roles, 'joined_at', api_ts(m.joined_at))::text
    FROM member_roles_doc(m.roles) r
$$;

-- The Me document of person p (JSON text): the person and their current memberships, by slug.
CREATE OR REPLACE FUNCTION me_doc(p persons)
RETURNS TABLE (doc text) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', p.id, 'email', p.email, 'display_name', p.display_name, 'phone', p.phone,
           'language', p.language, 'contact_channel', p.contact_channel, 'created_at', api_ts(p.created_at),
           'memberships', (SELECT COALESCE(json_agg(md.doc::json ORDER BY c.slug), '[]')
                             FROM memberships m JOIN communities c ON c.id = m.community_id,
                                  membership_doc(m, c) md
                            WHERE m.person_id = p.id AND m.removed_at IS NULL))::text
$$;

-- The Person document of person p with membership m (JSON text), as the desk keeps people who
-- may have no app (issue 13): with the address and phone, personal data that only the desk's
-- person routes show. Its ETag source is the later of the person's and the membership's change.
CREATE OR REPLACE FUNCTION person_desk_doc(m memberships, p persons)
RETURNS TABLE (doc text, updated_at text, person_id uuid) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', p.id, 'display_name', p.display_name, 'phone', p.phone, 'email', p.email,
           'address', CASE WHEN p.street IS NULL THEN NULL
                           ELSE json_build_object('street', p.street, 'house_number', p.house_number,
                                                  'postcode', p.postcode, 'place', p.place,
                                                  'lat', p.lat, 'lon', p.lon) END,
           'contact_channel', p.contact_channel, 'roles', r.roles, 'has_login', p.password_hash IS NOT NULL,
           'created_at', api_ts(p.created_at), 'updated_at', api_ts(GREATEST(p.updated_at, m.updated_at)))::text,
         api_ts(GREATEST(p.updated_at, m.updated_at)), m.person_id
    FROM member_roles_doc(m.roles) r
$$;
