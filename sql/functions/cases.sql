-- Cases as the API shows them: the documents of a case, an action and an access-log entry, and
-- a caller's place on a case. A repeatable file (see help_requests.sql for how these files are
-- applied and why every function is an inlinable plain SQL function returning a set).

-- The Case document of row c for caller p_viewer (JSON text), its ETag source and id. Someone
-- who may not see the case's basic facts (a professional without consent, or not on the case)
-- gets it restricted: no title, subject, participants or outcome.
CREATE OR REPLACE FUNCTION case_doc(c cases, p_viewer uuid)
RETURNS TABLE (doc text, updated_at text, id uuid) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', c.id, 'community_id', c.community_id, 'status', c.status, 'restricted', NOT v.sees,
           'title', CASE WHEN v.sees THEN c.title END,
           'subject_id', CASE WHEN v.sees THEN c.subject_id END,
           'subject_name', CASE WHEN v.sees THEN (SELECT sp.display_name FROM persons sp WHERE sp.id = c.subject_id) END,
           'lead', json_build_object('person_id', c.lead_person_id,
                                     'display_name', (SELECT lp.display_name FROM persons lp WHERE lp.id = c.lead_person_id),
                                     'since', api_ts(c.lead_since)),
           'participants', CASE WHEN v.sees THEN (
                             SELECT json_agg(json_build_object('id', p.id, 'person_id', p.person_id,
                                                               'display_name', pp.display_name, 'role', p.role,
                                                               'organisation', p.organisation,
                                                               'representative', p.representative,
                                                               'added_at', api_ts(p.added_at)) ORDER BY p.added_at, p.id)
                               FROM case_participants p JOIN persons pp ON pp.id = p.person_id
                              WHERE p.community_id = c.community_id AND p.case_id = c.id) END,
           'help_request_id', c.help_request_id,
           'outcome', CASE WHEN v.sees THEN c.outcome END,
           'created_at', api_ts(c.created_at), 'updated_at', api_ts(c.updated_at),
           'closed_at', api_ts(c.closed_at))::text,
         api_ts(c.updated_at), c.id
    FROM (SELECT COALESCE(bool_or(cv.sees_basic), false) AS sees
            FROM case_viewer(c.community_id, c.id, p_viewer) cv) v
$$;

-- The CaseAction document of row a (JSON text).
CREATE OR REPLACE FUNCTION case_action_doc(a case_actions)
RETURNS TABLE (doc text) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', a.id, 'case_id', a.case_id, 'community_id', a.community_id, 'title', a.title,
           'owner_id', a.owner_id,
           'owner_name', (SELECT op.display_name FROM persons op WHERE op.id = a.owner_id),
           'due_on', a.due_on, 'status', a.status,
           'overdue', COALESCE(a.due_on < community_today() AND a.status IN ('open', 'in_progress'), false),
           'created_by', a.created_by, 'created_at', api_ts(a.created_at),
           'updated_at', api_ts(a.updated_at))::text
$$;

-- The AccessLogEntry document of row l (JSON text), its paging key (at, id). The actor by name, so
-- the subject reading her log sees who: a person the reader may see (row-level security: a member
-- of the community), else null (someone from outside the community).
CREATE OR REPLACE FUNCTION access_log_doc(l access_log)
RETURNS TABLE (doc text, at text, id uuid) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', l.id, 'at', api_ts(l.at), 'actor_id', l.actor_id,
           'actor_name', (SELECT ap.display_name FROM persons ap WHERE ap.id = l.actor_id),
           'actor_roles', to_json(l.actor_roles),
           'actor_organisation', l.actor_organisation, 'subject_id', l.subject_id, 'case_id', l.case_id,
           'resource', l.resource, 'action', l.action, 'outcome', l.outcome, 'status', l.status,
           'on_behalf_of', l.on_behalf_of, 'channel', l.channel)::text,
         api_ts(l.at), l.id
$$;

-- The actions still to do (open or in progress): all (p_overdue NULL), only those past their due
-- date (true), or only those not (false); "today" is the community's day (community_today()).
CREATE OR REPLACE FUNCTION case_actions_open(p_overdue boolean)
RETURNS SETOF case_actions LANGUAGE sql STABLE AS $$
  SELECT a.* FROM case_actions a
   WHERE a.status IN ('open', 'in_progress')
     AND (p_overdue IS NULL OR COALESCE(a.due_on < community_today(), false) = p_overdue)
$$;
