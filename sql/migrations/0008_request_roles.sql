-- The caller's roles in the transaction's community, as the API reads them: '' when not an
-- active member. The one definition behind both statements below (src/members.c). PL/pgSQL
-- keeps its query's plan for the session; a SQL function with a subquery is not inlined and
-- would be planned on every call.
CREATE FUNCTION app_member_roles() RETURNS text LANGUAGE plpgsql STABLE AS
$$
BEGIN
  RETURN COALESCE((SELECT array_to_string(m.roles, ',') FROM memberships m
                   WHERE m.community_id = app_community_id() AND m.person_id = app_person_id()
                     AND m.removed_at IS NULL), '');
END
$$;

-- A read that assumed the caller's roles (the server remembers them from an earlier request)
-- sends this in the same round trip as its first query. It fails with SQLSTATE NB001 when the
-- roles are no longer `expected`; the failure aborts everything after it in the pipeline, so
-- nothing runs on a wrong assumption and the server starts the request again.
CREATE FUNCTION app_expect_roles(expected text) RETURNS void LANGUAGE plpgsql STABLE AS
$$
BEGIN
  IF app_member_roles() IS DISTINCT FROM expected THEN
    RAISE EXCEPTION 'the caller''s roles in this community changed' USING ERRCODE = 'NB001';
  END IF;
END
$$;

GRANT EXECUTE ON FUNCTION app_member_roles(), app_expect_roles(text) TO noaber_api;
