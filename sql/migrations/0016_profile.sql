-- Profile self-service, feedback history and recurrence in local time (issue 12, items 7, 2, 8).

-- A person's own settings (PATCH /v1/me): the language texts sent later are written in, and how
-- they would rather be reached. The phone column exists since 0002; from now on the API stores
-- it in E.164 (src/phone.h).
ALTER TABLE persons
  ADD COLUMN language text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
  ADD COLUMN contact_channel text NOT NULL DEFAULT 'app' CHECK (contact_channel IN ('app', 'sms', 'voice', 'post'));

-- Phones stored before as typed: Dutch national and 0031 forms to E.164, separators dropped.
-- Anything else is kept as it was (a person can correct it with PATCH /v1/me). Row-level
-- security is forced on persons, for its owner too: lifted for this one update, in this
-- transaction.
ALTER TABLE persons NO FORCE ROW LEVEL SECURITY;
UPDATE persons p SET phone = CASE WHEN d.digits ~ '^\+[1-9][0-9]{7,14}$' THEN d.digits
                                   WHEN d.digits ~ '^00[1-9][0-9]{7,14}$' THEN '+' || substr(d.digits, 3)
                                   WHEN d.digits ~ '^0[1-9][0-9]{8}$' THEN '+31' || substr(d.digits, 2)
                                   ELSE p.phone END
  FROM (SELECT id, regexp_replace(phone, '[ ().\/-]', '', 'g') AS digits FROM persons WHERE phone IS NOT NULL) d
 WHERE p.id = d.id;
ALTER TABLE persons FORCE ROW LEVEL SECURITY;

-- Recurrence as local wall time: a weekly 10:00 visit stays at 10:00 in the zone it was asked in
-- when the clocks change. The first window (starts_at, ends_at or needed_by) is the instant of the
-- first occurrence; every later one is that wall time in time_zone, so many days on
-- (sql: (first AT TIME ZONE time_zone + n days) AT TIME ZONE time_zone).
ALTER TABLE help_requests ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Amsterdam';

-- Occurrences made before, at fixed 24-hour steps in UTC, move back to the request's local time,
-- those still to come only.
ALTER TABLE help_requests NO FORCE ROW LEVEL SECURITY;
ALTER TABLE occurrences NO FORCE ROW LEVEL SECURITY;
UPDATE occurrences o
   SET starts_at = ((h.starts_at AT TIME ZONE h.time_zone) + make_interval(days => o.seq * s.days)) AT TIME ZONE h.time_zone,
       ends_at = ((h.ends_at AT TIME ZONE h.time_zone) + make_interval(days => o.seq * s.days)) AT TIME ZONE h.time_zone,
       needed_by = ((h.needed_by AT TIME ZONE h.time_zone) + make_interval(days => o.seq * s.days)) AT TIME ZONE h.time_zone
  FROM help_requests h,
       LATERAL (SELECT CASE h.recurrence WHEN 'weekly' THEN 7 WHEN 'biweekly' THEN 14 END AS days) s
 WHERE h.community_id = o.community_id AND h.id = o.request_id AND h.recurrence IS NOT NULL
   AND o.seq > 0 AND o.status IN ('open', 'matched');

-- Feedback keeps its history: every entry, by whom and when. occurrences.feedback_* stay as the
-- latest entry (matching reads them from occurrences_request_history_idx).
CREATE TABLE occurrence_feedback (
  community_id  uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id    uuid NOT NULL,
  occurrence_id uuid NOT NULL,
  author_id     uuid NOT NULL REFERENCES persons (id),
  positive      boolean NOT NULL,
  text          text NOT NULL DEFAULT '' CHECK (length(text) <= 500),
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (community_id, id),
  FOREIGN KEY (community_id, occurrence_id) REFERENCES occurrences (community_id, id)
);
-- An occurrence's history, latest first.
CREATE INDEX occurrence_feedback_occurrence_idx ON occurrence_feedback (community_id, occurrence_id, created_at DESC);

-- The feedback kept so far: one entry per occurrence, by its resident (only she gives it).
INSERT INTO occurrence_feedback (community_id, request_id, occurrence_id, author_id, positive, text, created_at)
SELECT o.community_id, o.request_id, o.id, h.resident_id, o.feedback_positive, COALESCE(o.feedback_text, ''),
       o.feedback_at
  FROM occurrences o JOIN help_requests h ON h.community_id = o.community_id AND h.id = o.request_id
 WHERE o.feedback_at IS NOT NULL AND o.feedback_positive IS NOT NULL;
ALTER TABLE help_requests FORCE ROW LEVEL SECURITY;
ALTER TABLE occurrences FORCE ROW LEVEL SECURITY;

ALTER TABLE occurrence_feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE occurrence_feedback FORCE ROW LEVEL SECURITY;
-- As every tenant table (0006_index_driven_rls.sql): the community route's own community, and
-- reads in the person's communities on a /v1/me route.
CREATE POLICY occurrence_feedback_scope ON occurrence_feedback USING (community_id = app_community_id());
CREATE POLICY occurrence_feedback_member_scope ON occurrence_feedback FOR SELECT
  USING (community_id = ANY ((SELECT app_member_community_ids())::uuid[]));
GRANT SELECT, INSERT ON occurrence_feedback TO noaber_api;

-- A resident or the desk who changes the time of a request not yet matched gets its occurrences
-- made again (src/help_request_create.c).
GRANT DELETE ON occurrences TO noaber_api;
