-- Runs once, as the postgres superuser, when the data volume is first initialised
-- (docker-entrypoint-initdb.d). The same roles as scripts/pg-cluster.sh:
--   noaber_owner  LOGIN; owns the database and schema, runs `noaber migrate` and `seed-demo`
--   noaber_api    NOLOGIN group; the migrations grant table privileges to it
--   noaber_app    LOGIN IN ROLE noaber_api; what `noaber serve` connects as; owns nothing
-- Passwords come from the container environment through psql's \getenv (psql 14+); an unset
-- variable leaves :'name' uninterpolated, which is a syntax error, so init fails loudly.
\set ON_ERROR_STOP on
\getenv owner_password NOABER_OWNER_PASSWORD
\getenv app_password NOABER_APP_PASSWORD

CREATE ROLE noaber_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE noaber_api NOLOGIN;
CREATE ROLE noaber_app LOGIN PASSWORD :'app_password' IN ROLE noaber_api;
CREATE DATABASE noaber OWNER noaber_owner;
REVOKE ALL ON DATABASE noaber FROM PUBLIC;
GRANT CONNECT ON DATABASE noaber TO noaber_api;
