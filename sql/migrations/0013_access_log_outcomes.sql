-- The access log (NEN 7513) says what happened, not only yes or no (issue 10):
--   * restricted: allowed, but the subject's consent cut the answer down (a professional without
--     consent reads the case's shape, not its facts or notes);
--   * conflict: access was allowed, but the change lost to the case's state or to a quicker
--     request (409): not a refusal of access.
-- allowed and denied keep their meaning.
ALTER TABLE access_log DROP CONSTRAINT access_log_outcome_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_outcome_check
  CHECK (outcome IN ('allowed', 'restricted', 'denied', 'conflict'));
