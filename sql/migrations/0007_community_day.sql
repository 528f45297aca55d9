-- The calendar day of the communities (all Dutch): "today" for certificate validity, overdue
-- actions and "not in the future". The server's and the cluster's clocks run in UTC, whose day
-- ends an hour or two before Amsterdam's. STABLE and SQL so the planner inlines it.
CREATE FUNCTION community_today() RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date $$;

GRANT EXECUTE ON FUNCTION community_today() TO noaber_api;
