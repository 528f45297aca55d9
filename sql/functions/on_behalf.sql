-- Actions the desk took on behalf of someone, as the API shows them (see help_requests.sql for how
-- these files are applied). A record never changes: its `at` is its updated_at (sync, ETag).
CREATE OR REPLACE FUNCTION on_behalf_doc(a on_behalf_actions)
RETURNS TABLE (doc text) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', a.id, 'community_id', a.community_id, 'kind', a.kind, 'subject_id', a.subject_id,
           'on_behalf_of', a.person_id, 'channel', a.channel, 'note', a.note,
           'actor_id', a.actor_id,
           'actor_name', (SELECT ap.display_name FROM persons ap WHERE ap.id = a.actor_id),
           'at', api_ts(a.at), 'updated_at', api_ts(a.at))::text
$$;
