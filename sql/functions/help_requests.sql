-- Help requests as the API shows them: who sees which request, and the document.
--
-- A repeatable file: `noaber migrate` re-applies it whole whenever its text changes (its
-- checksum is kept in schema_functions), after the numbered migrations. Only statements read
-- these functions, never a policy or a table, so one can be replaced at any time. To change a
-- function's arguments or result columns, DROP it first in this file.
--
-- Every function here is a plain SQL function that PostgreSQL inlines into the statement that
-- calls it: no call per row, the same plan as if its text were written in the statement.
-- (A scalar SQL function with a sub-select is never inlined; these return sets for that reason.)
--
-- Common arguments: p_manages, the caller coordinates the community; p_viewer, the caller's
-- person id; p_certificate_days, how long a certificate of conduct counts (configuration).

-- The requests of a community the caller may see: coordinators all; the resident; the matched
-- volunteer; a volunteer it is offered to; an eligible volunteer while it is on the board.
-- Scalar sub-selects rather than EXISTS: PostgreSQL may plan an EXISTS as a hash of the whole
-- table, a scalar sub-select is always one index probe for the row at hand.
CREATE OR REPLACE FUNCTION help_requests_visible(p_community uuid, p_manages boolean, p_viewer uuid,
                                                 p_certificate_days integer)
RETURNS SETOF help_requests LANGUAGE sql STABLE AS $$
  SELECT h.* FROM help_requests h
   WHERE h.community_id = p_community
     AND (p_manages OR h.resident_id = p_viewer OR h.matched_volunteer_id = p_viewer
          OR (SELECT true FROM offers o
               WHERE o.community_id = h.community_id AND o.request_id = h.id AND o.volunteer_id = p_viewer
                 AND o.status IN ('pending', 'accepted'))
          OR (h.on_board AND h.status IN ('triaged', 'offered')
              AND volunteer_eligible(h.community_id, h.id, p_certificate_days, p_viewer)))
$$;

-- Where a request that someone who does not coordinate may see can come from, each an index
-- lookup: their own, matched to them, offered to them, on the board. A superset:
-- help_requests_visible still decides.
CREATE OR REPLACE FUNCTION help_requests_reachable(p_community uuid, p_viewer uuid)
RETURNS SETOF uuid LANGUAGE sql STABLE AS $$
  SELECT r.id FROM help_requests r WHERE r.community_id = p_community AND r.resident_id = p_viewer
  UNION SELECT r.id FROM help_requests r WHERE r.community_id = p_community AND r.matched_volunteer_id = p_viewer
  UNION SELECT o.request_id FROM offers o
         WHERE o.community_id = p_community AND o.volunteer_id = p_viewer AND o.status IN ('pending', 'accepted')
  UNION SELECT r.id FROM help_requests r
         WHERE r.community_id = p_community AND r.on_board AND r.status IN ('triaged', 'offered')
$$;

-- Whether the caller sees a request's private fields, where the help is (`place`) and how to
-- reach the resident (`resident_phone`): coordinators and the resident always; the matched
-- volunteer only while the match is active (`matched`: an occurrence is still to be done) and
-- for the community's private_window (sql/migrations/0010) after the last occurrence was done
-- (`done` since status_changed_at). Never after a cancel, and never after "someone else,
-- please" (ask-other clears the match). Anyone else never. Everything it reads is on the row;
-- only a done request matched to the caller costs one primary-key probe of communities. A set
-- of one row, so that PostgreSQL inlines it (a scalar SQL function with a sub-select is not).
CREATE OR REPLACE FUNCTION help_request_sees_private(h help_requests, p_manages boolean, p_viewer uuid)
RETURNS TABLE (sees boolean) LANGUAGE sql STABLE AS $$
  SELECT p_manages OR h.resident_id = p_viewer
         OR (h.matched_volunteer_id = p_viewer
             AND CASE h.status
                   WHEN 'matched' THEN true
                   WHEN 'done' THEN now() < h.status_changed_at
                                            + (SELECT c.private_window FROM communities c WHERE c.id = h.community_id)
                   ELSE false
                 END)
$$;

-- The HelpRequest document of row h for this caller (JSON text), its ETag source and id. The
-- address and phone as help_request_sees_private says; the case only for coordinators and the
-- resident.
CREATE OR REPLACE FUNCTION help_request_doc(h help_requests, p_manages boolean, p_viewer uuid)
RETURNS TABLE (doc text, updated_at text, id uuid) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', h.id, 'community_id', h.community_id, 'category_id', h.category_id,
           'description', h.description, 'resident_id', h.resident_id, 'resident_name', rp.display_name,
           'entered_by', h.entered_by,
           -- Who at the desk handles it, and who did before (0022): for the desk only.
           'handler', CASE WHEN p_manages THEN (SELECT json_build_object('id', hp.id, 'display_name', hp.display_name)
                                                  FROM persons hp WHERE hp.id = h.handler_id) END,
           'handler_history', CASE WHEN p_manages
                                   THEN (SELECT COALESCE(json_agg(json_build_object(
                                                  'handler_id', hh.handler_id, 'actor_id', hh.actor_id,
                                                  'at', api_ts(hh.at)) ORDER BY hh.at), '[]')
                                           FROM help_request_handlers hh
                                          WHERE hh.community_id = h.community_id AND hh.request_id = h.id) END,
           -- Entered while the desk was closed: when it opens again (0022), and that day in
           -- Amsterdam for the resident's label (api/http.c). For the desk and the resident.
           'expected_answer_by', CASE WHEN p_manages OR h.resident_id = p_viewer THEN api_ts(h.expected_answer_by) END,
           'expected_answer_day', CASE WHEN p_manages OR h.resident_id = p_viewer
                                       THEN desk_local_day(h.expected_answer_by) END,
           'when', json_build_object('starts_at', api_ts(h.starts_at), 'ends_at', api_ts(h.ends_at),
                                     'needed_by', api_ts(h.needed_by)),
           'recurrence', CASE WHEN h.recurrence IS NULL THEN NULL
                              ELSE json_build_object('frequency', h.recurrence, 'until', h.recurrence_until) END,
           'in_home', h.in_home, 'urgency', h.urgency, 'status', h.status, 'on_board', h.on_board,
           'referral', CASE WHEN h.referral_name IS NULL THEN NULL
                            ELSE json_build_object('name', h.referral_name, 'contact', COALESCE(h.referral_contact, ''),
                                                   'note', h.referral_note) END,
           -- The desk's triage (0021): the track for the desk and the resident; why, and the paid
           -- firm with its rate, for the desk only. A volunteer sees neither.
           'track', CASE WHEN p_manages OR h.resident_id = p_viewer THEN h.track END,
           'triage', CASE WHEN p_manages AND h.track IS NOT NULL
                          THEN json_build_object('reason', h.track_reason,
                                                 'business', CASE WHEN h.business_partner IS NULL
                                                                       AND h.business_rate_cents IS NULL THEN NULL
                                                                  ELSE json_build_object('partner', h.business_partner,
                                                                                         'rate_cents', h.business_rate_cents,
                                                                                         'rate_per', h.business_rate_per) END) END,
           'matched_volunteer_id', h.matched_volunteer_id,
           'matched_volunteer_name', (SELECT mp.display_name FROM persons mp WHERE mp.id = h.matched_volunteer_id),
           'resident_confirmed', h.resident_confirmed,
           -- The matched volunteer stepped back (0014): when, for everyone who sees the request; why,
           -- for the desk only. Until the request is matched again.
           'stepped_back', CASE WHEN h.stepped_back_at IS NOT NULL
                                THEN json_build_object('at', api_ts(h.stepped_back_at),
                                                       'reason', CASE WHEN p_manages THEN h.stepped_back_reason END) END,
           -- The caller's own pending offer of this request, so the volunteer app can accept or
           -- decline it with an id of its own: one probe of the offers' unique key.
           'my_offer', (SELECT json_build_object('id', mo.id, 'status', mo.status, 'created_at', api_ts(mo.created_at))
                          FROM offers mo
                         WHERE mo.community_id = h.community_id AND mo.request_id = h.id AND mo.volunteer_id = p_viewer
                           AND mo.status = 'pending'),
           'place', CASE WHEN pv.sees
                         THEN json_build_object('address', h.place_address, 'lat', h.place_lat, 'lon', h.place_lon) END,
           'resident_phone', CASE WHEN pv.sees THEN rp.phone END,
           -- The resident's helper, once she confirmed the match: a first name and a phone to call,
           -- for as long as the helper sees her address and phone (help_request_sees_private).
           'helper', CASE WHEN h.resident_id = p_viewer AND h.resident_confirmed
                               AND CASE h.status
                                     WHEN 'matched' THEN true
                                     WHEN 'done' THEN now() < h.status_changed_at
                                                      + (SELECT c.private_window FROM communities c
                                                          WHERE c.id = h.community_id)
                                     ELSE false
                                   END
                          THEN (SELECT json_build_object('first_name', split_part(btrim(hp.display_name), ' ', 1),
                                                         'phone', hp.phone)
                                  FROM persons hp WHERE hp.id = h.matched_volunteer_id) END,
           'case_id', CASE WHEN p_manages OR h.resident_id = p_viewer
                           THEN (SELECT sc.id FROM cases sc
                                  WHERE sc.community_id = h.community_id AND sc.help_request_id = h.id
                                  ORDER BY sc.created_at LIMIT 1) END,
           'created_at', api_ts(h.created_at), 'updated_at', api_ts(h.updated_at),
           'occurrences', (SELECT COALESCE(json_agg(json_build_object(
                                    'id', o.id, 'starts_at', api_ts(o.starts_at), 'ends_at', api_ts(o.ends_at),
                                    'needed_by', api_ts(o.needed_by), 'status', o.status,
                                    'volunteer_id', o.volunteer_id, 'hours', o.hours, 'note', o.note,
                                    'completed_at', api_ts(o.completed_at),
                                    'feedback', CASE WHEN o.feedback_at IS NULL THEN NULL
                                                     ELSE json_build_object('positive', o.feedback_positive,
                                                                            'text', COALESCE(o.feedback_text, ''),
                                                                            'at', api_ts(o.feedback_at)) END,
                                    'feedback_history', (SELECT COALESCE(json_agg(json_build_object(
                                                                  'positive', f.positive, 'text', f.text,
                                                                  'author_id', f.author_id, 'at', api_ts(f.created_at))
                                                                ORDER BY f.created_at DESC, f.id), '[]')
                                                           FROM occurrence_feedback f
                                                          WHERE f.community_id = o.community_id
                                                            AND f.occurrence_id = o.id))
                                  ORDER BY o.seq), '[]')
                             FROM occurrences o WHERE o.community_id = h.community_id AND o.request_id = h.id),
           'transitions', (SELECT COALESCE(json_agg(json_build_object(
                                    'from', t.from_status, 'to', t.to_status, 'action', t.action,
                                    'track', CASE WHEN p_manages OR h.resident_id = p_viewer THEN t.track END,
                                    'actor_id', t.actor_id, 'note', t.note, 'at', api_ts(t.at),
                                    'on_behalf_of', t.on_behalf_of, 'channel', t.channel) ORDER BY t.at), '[]')
                             FROM help_request_transitions t
                            WHERE t.community_id = h.community_id AND t.request_id = h.id))::text,
         api_ts(h.updated_at), h.id
    FROM help_request_sees_private(h, p_manages, p_viewer) pv LEFT JOIN persons rp ON rp.id = h.resident_id
$$;
