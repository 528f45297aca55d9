-- Registering is retried safely with an Idempotency-Key (issue 12): the phone that lost the answer
-- sends the same registration again and must get the account it made, not "this email address
-- has an account". The answer itself holds tokens, so it is not kept (idempotency_keys keeps
-- bodies); kept is which account a key made and a hash of the request without its password. A
-- retry that gives the same request and the password that opens that account gets a new session.
-- Nobody is signed in while registering: a row is found only by its key's hash, as persons are
-- found by email (app_lookup).
CREATE TABLE registration_keys (
  key_hash      bytea PRIMARY KEY,
  person_id     uuid NOT NULL REFERENCES persons (id),
  request_hash  bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE registration_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE registration_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY registration_keys_by_key ON registration_keys
  USING (key_hash = decode(app_lookup('registration_key'), 'hex'));
GRANT SELECT, INSERT ON registration_keys TO noaber_api;
