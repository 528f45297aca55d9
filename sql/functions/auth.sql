-- Logging in: how long a key of login_throttle waits after its failures. A repeatable file (see
-- help_requests.sql for how these files are applied).

-- The delay after a key's `failures`-th failure in a row: none while within `allowed`, then
-- `first_s` seconds, doubling with every further failure, at most `longest_s`. NULL: no delay.
CREATE OR REPLACE FUNCTION login_delay(failures integer, allowed integer, first_s integer, longest_s integer)
RETURNS interval LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN failures < allowed THEN NULL
              ELSE make_interval(secs => least(longest_s, first_s * power(2, least(failures - allowed, 30)))) END
$$;
