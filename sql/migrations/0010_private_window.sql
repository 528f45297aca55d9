-- How long the matched volunteer still sees the resident's address and phone after the help was
-- given: the community's `private_window`, counted from the moment the last occurrence was done
-- (the request moved to `done`). Read by help_request_sees_private (sql/functions/help_requests.sql),
-- which decides who sees a request's private fields. 24 hours unless the initiative chooses
-- otherwise; at most a week, since a volunteer needs the address to come back for something
-- forgotten, not to keep it.
ALTER TABLE communities ADD COLUMN private_window interval NOT NULL DEFAULT interval '24 hours'
  CHECK (private_window >= interval '0' AND private_window <= interval '7 days');
