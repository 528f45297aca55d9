-- Failed logins slow down instead of locking (issue 10, item 8).
--
-- Before: five wrong passwords locked an account for 15 minutes, also for its owner, so anyone
-- who knew an email address could lock its owner out. Now every key of login_throttle has a delay
-- that grows with its failures in a row (login_delay(), sql/functions/auth.sql), and the keys are
-- chosen so that a stranger's failures do not slow the owner down: failures from places an
-- account does not know count for the account, failures from a place it knows count for that
-- place only (src/auth.c). A place is known after a successful login from it: the client address,
-- or the device that holds a device token given at that login.

-- The counter now lasts while failures keep coming: the time of the last one, not a window start.
ALTER TABLE login_throttle RENAME COLUMN window_start TO last_failure_at;

-- Places where an account logged in successfully: a keyed hash of the account's email with the
-- client address, or with a device token (src/auth.c throttle_key). Like login_throttle it holds
-- no email, address or token, and nothing of a community, so it has no row-level security.
CREATE TABLE login_known (
  key_hash        bytea PRIMARY KEY,
  last_success_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE ON login_known TO noaber_api;
