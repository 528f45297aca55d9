-- Invitations as the API shows them: the document. A repeatable file (see help_requests.sql for
-- how these files are applied and why every function is an inlinable plain SQL function
-- returning a set).

-- The Invitation document of row i (JSON text), its ETag source and id. The status follows from
-- the row and the clock: revoked, accepted, expired or pending. The code is never in it (only
-- its hash is kept; the response to its creation adds it).
CREATE OR REPLACE FUNCTION invitation_doc(i invitations)
RETURNS TABLE (doc text, updated_at text, id uuid) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', i.id, 'community_id', i.community_id, 'role', i.role, 'email', i.email,
           'status', CASE WHEN i.revoked_at IS NOT NULL THEN 'revoked'
                          WHEN i.accepted_at IS NOT NULL THEN 'accepted'
                          WHEN i.expires_at <= now() THEN 'expired'
                          ELSE 'pending' END,
           'expires_at', api_ts(i.expires_at), 'created_by', i.created_by,
           'created_at', api_ts(i.created_at), 'updated_at', api_ts(i.updated_at),
           'case_id', i.case_id, 'person_id', i.person_id)::text,
         api_ts(i.updated_at), i.id
$$;
