-- Weight for the plan tests (tests/plans/test_plans.c), run as the schema owner after
-- bench/synthetic.sql has loaded ~10,000 members and ~100,000 help requests into Anna Zorgt.
-- Gives the demo accounts a realistic share of that data, so that every "own" path (the
-- resident's requests, the volunteer's tasks and offers, the cases a professional is on, the
-- actions and signals of the lead) reads from tables of a realistic size, and adds an outside
-- guest. Row-level security is forced for the owner too: everything runs in one transaction
-- with the community context set (as bench/synthetic.sql does). Seeded random(); the fixed ids
-- below are the ones tests/plans/test_plans.c uses as parameters.
--
-- psql variables: community, coordinator, volunteer (volunteer1), resident (resident1),
-- professional, guest (a new person), cases (count of synthetic cases).
\set ON_ERROR_STOP 1

BEGIN;
SELECT set_config('app.community_id', :'community', true) \g /dev/null
SELECT setseed(0.2718) \g /dev/null

-- Fixed ids, known to tests/plans/test_plans.c.
\set r_board '00000000-0000-4000-8000-0000000d0001'
\set r_matched '00000000-0000-4000-8000-0000000d0002'
\set r_offered '00000000-0000-4000-8000-0000000d0003'
\set r_done '00000000-0000-4000-8000-0000000d0004'
\set c_consent '00000000-0000-4000-8000-0000000c0001'
\set c_no_consent '00000000-0000-4000-8000-0000000c0002'

-- The outside guest: a professional of another organisation, member with roles {guest} only.
SELECT set_config('app.lookup_email', 'guest@zorgpartner.example', true) \g /dev/null
INSERT INTO persons (id, email, display_name, password_hash)
VALUES (:'guest', 'guest@zorgpartner.example', 'Gast Zorgpartner', '!plans');
SELECT set_config('app.lookup_email', '', true) \g /dev/null
INSERT INTO memberships (community_id, person_id, roles) VALUES (:'community', :'guest', '{guest}');

-- Help requests ----------------------------------------------------------------------------

-- Synthetic requests in a random but fixed order, to hand out to the demo accounts.
CREATE TEMP TABLE p_req ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY random(), id) AS n, id
  FROM help_requests WHERE community_id = :'community' AND description LIKE 'Synthetische hulpvraag %';
CREATE UNIQUE INDEX ON p_req (n);
CREATE UNIQUE INDEX ON p_req (id);
ANALYZE p_req;

-- resident1 asked for 300 of them; volunteer1 did 400 others.
UPDATE help_requests h SET resident_id = :'resident'
FROM p_req p WHERE h.community_id = :'community' AND h.id = p.id AND p.n <= 300;
UPDATE help_requests h SET matched_volunteer_id = :'volunteer'
FROM p_req p WHERE h.community_id = :'community' AND h.id = p.id AND p.n > 300 AND p.n <= 700;
UPDATE occurrences o SET volunteer_id = :'volunteer'
FROM p_req p WHERE o.community_id = :'community' AND o.request_id = p.id AND p.n > 300 AND p.n <= 700;
-- Of those, 40 are current tasks (matched, 10 of them not yet confirmed by the resident).
UPDATE help_requests h SET status = 'matched', resident_confirmed = p.n > 310, on_board = false,
       status_changed_at = now() - interval '1 day', updated_at = now() - interval '1 hour' * p.n
FROM p_req p WHERE h.community_id = :'community' AND h.id = p.id AND p.n > 300 AND p.n <= 340;
UPDATE occurrences o SET status = 'matched', completed_at = NULL, hours = NULL, feedback_positive = NULL,
       feedback_text = NULL, feedback_at = NULL
FROM p_req p WHERE o.community_id = :'community' AND o.request_id = p.id AND p.n > 300 AND p.n <= 340;

-- The desk's open work: 150 new (submitted), 250 on the board (triaged, 60 of them offered),
-- spread over the whole community.
UPDATE help_requests h SET status = 'submitted', matched_volunteer_id = NULL, resident_confirmed = false,
       status_changed_at = now() - interval '1 hour' * (p.n - 1000), updated_at = now() - interval '1 hour' * (p.n - 1000)
FROM p_req p WHERE h.community_id = :'community' AND h.id = p.id AND p.n > 1000 AND p.n <= 1150;
UPDATE help_requests h SET status = CASE WHEN p.n <= 1210 THEN 'offered' ELSE 'triaged' END::help_status,
       on_board = true, matched_volunteer_id = NULL, resident_confirmed = false,
       status_changed_at = now() - interval '2 hours' * (p.n - 1150), updated_at = now() - interval '2 hours' * (p.n - 1150)
FROM p_req p WHERE h.community_id = :'community' AND h.id = p.id AND p.n > 1150 AND p.n <= 1400;
UPDATE occurrences o SET status = 'open', volunteer_id = NULL, completed_at = NULL, hours = NULL,
       feedback_positive = NULL, feedback_text = NULL, feedback_at = NULL
FROM p_req p WHERE o.community_id = :'community' AND o.request_id = p.id AND p.n > 1000 AND p.n <= 1400;

-- Offers: the accepted offer of ~20% of the done requests and a declined one beside it; pending
-- offers on the offered requests, to volunteer1 and two others each.
CREATE TEMP TABLE p_vol ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY person_id) AS n, person_id FROM volunteer_profiles
  WHERE community_id = :'community' AND person_id <> :'volunteer';
CREATE UNIQUE INDEX ON p_vol (n);
ANALYZE p_vol;
INSERT INTO offers (community_id, request_id, volunteer_id, status, created_by, created_at, answered_at, updated_at)
SELECT h.community_id, h.id, h.matched_volunteer_id, 'accepted', :'coordinator', h.created_at,
       h.created_at + interval '2 hours', h.created_at + interval '2 hours'
FROM help_requests h JOIN p_req p ON p.id = h.id
WHERE h.community_id = :'community' AND h.matched_volunteer_id IS NOT NULL AND random() < 0.2
ON CONFLICT DO NOTHING;
INSERT INTO offers (community_id, request_id, volunteer_id, status, reason, created_by, created_at, answered_at, updated_at)
SELECT o.community_id, o.request_id, v.person_id, 'declined', 'Geen tijd', :'coordinator', o.created_at,
       o.created_at + interval '1 hour', o.created_at + interval '1 hour'
FROM offers o
JOIN p_vol v ON v.n = 1 + (abs(hashtext(o.request_id::text)) % (SELECT count(*) FROM p_vol))
WHERE o.community_id = :'community' AND o.status = 'accepted' AND v.person_id <> o.volunteer_id
ON CONFLICT DO NOTHING;
INSERT INTO offers (community_id, request_id, volunteer_id, status, created_by, created_at, updated_at)
SELECT :'community', p.id, x.volunteer_id, 'pending', :'coordinator', now() - interval '1 hour', now() - interval '1 hour'
FROM p_req p
CROSS JOIN LATERAL (VALUES (:'volunteer'::uuid),
                           ((SELECT person_id FROM p_vol WHERE n = 1 + (p.n * 7) % (SELECT count(*) FROM p_vol))),
                           ((SELECT person_id FROM p_vol WHERE n = 1 + (p.n * 13) % (SELECT count(*) FROM p_vol)))) x(volunteer_id)
WHERE p.n > 1150 AND p.n <= 1210
ON CONFLICT DO NOTHING;

-- State history: one transition for each of 30,000 synthetic requests (enough for a table of
-- realistic shape; all of them would only cost seeding time).
INSERT INTO help_request_transitions (community_id, request_id, from_status, to_status, action, actor_id, at)
SELECT h.community_id, h.id, 'submitted', h.status, 'triage', :'coordinator', h.status_changed_at
FROM help_requests h JOIN p_req p ON p.id = h.id
WHERE h.community_id = :'community' AND h.status <> 'submitted' AND p.n <= 30000;

-- Four requests the tests ask about by id: resident1's request on the board (shopping, next
-- Tuesday 10:00, which volunteer1 may do), one matched to volunteer1, one offered to them, and
-- one volunteer1 finished an hour ago (still within the community's private_window).
INSERT INTO help_requests (community_id, id, category_id, resident_id, entered_by, description, starts_at, ends_at,
                           place_address, place_lat, place_lon, in_home, status, on_board, matched_volunteer_id,
                           resident_confirmed)
SELECT :'community', x.id::uuid, c.id, :'resident', :'coordinator', x.description, w.starts_at, w.starts_at + interval '1 hour',
       'Voorstraat 12, Sint Annaland', 51.6101, 4.1092, false, x.status::help_status, x.on_board,
       x.volunteer::uuid, false
FROM (VALUES (:'r_board', 'Boodschappen (plan tests, board)', 'triaged', true, NULL),
             (:'r_matched', 'Boodschappen (plan tests, matched)', 'matched', false, :'volunteer'),
             (:'r_offered', 'Boodschappen (plan tests, offered)', 'offered', false, NULL),
             (:'r_done', 'Boodschappen (plan tests, done)', 'done', false, :'volunteer')) x(id, description, status, on_board, volunteer)
CROSS JOIN (SELECT id FROM categories WHERE community_id = :'community' AND code = 'shopping') c
CROSS JOIN (SELECT (date_trunc('week', (now() AT TIME ZONE 'Europe/Amsterdam') + interval '7 days')
                    + interval '1 day 10 hours') AT TIME ZONE 'Europe/Amsterdam' AS starts_at) w;
UPDATE help_requests SET status_changed_at = now() - interval '1 hour'
WHERE community_id = :'community' AND id = :'r_done';
INSERT INTO occurrences (community_id, request_id, seq, starts_at, ends_at, status, volunteer_id)
SELECT community_id, id, 0, starts_at, ends_at,
       CASE WHEN status = 'done' THEN 'done' WHEN matched_volunteer_id IS NULL THEN 'open' ELSE 'matched' END::occurrence_status,
       matched_volunteer_id
FROM help_requests WHERE community_id = :'community' AND id IN (:'r_board', :'r_matched', :'r_offered', :'r_done');
INSERT INTO offers (community_id, request_id, volunteer_id, status, created_by)
VALUES (:'community', :'r_offered', :'volunteer', 'pending', :'coordinator'),
       (:'community', :'r_matched', :'volunteer', 'accepted', :'coordinator'),
       (:'community', :'r_done', :'volunteer', 'accepted', :'coordinator');
INSERT INTO help_request_transitions (community_id, request_id, from_status, to_status, action, actor_id)
VALUES (:'community', :'r_board', 'submitted', 'triaged', 'triage', :'coordinator'),
       (:'community', :'r_matched', 'submitted', 'triaged', 'triage', :'coordinator'),
       (:'community', :'r_matched', 'triaged', 'matched', 'accept', :'volunteer'),
       (:'community', :'r_offered', 'submitted', 'triaged', 'triage', :'coordinator'),
       (:'community', :'r_offered', 'triaged', 'offered', 'offer', :'coordinator'),
       (:'community', :'r_done', 'submitted', 'triaged', 'triage', :'coordinator'),
       (:'community', :'r_done', 'triaged', 'matched', 'accept', :'volunteer'),
       (:'community', :'r_done', 'matched', 'done', 'finish', :'volunteer');

-- Feedback history (sql/migrations/0016): two entries on each of up to 20,000 done occurrences,
-- and on the one volunteer1 finished for resident1.
INSERT INTO occurrence_feedback (community_id, request_id, occurrence_id, author_id, positive, text, created_at)
SELECT o.community_id, o.request_id, o.id, h.resident_id, g.n = 2, '', now() - make_interval(hours => g.n)
FROM (SELECT community_id, request_id, id FROM occurrences
       WHERE community_id = :'community' AND status = 'done' LIMIT 20000) o
JOIN help_requests h ON h.community_id = o.community_id AND h.id = o.request_id
CROSS JOIN generate_series(1, 2) g(n);

-- Cases ------------------------------------------------------------------------------------

-- :cases synthetic cases about synthetic residents. The lead is the coordinator for 5% of them,
-- otherwise a synthetic volunteer; the professional is on 3% (consent on half of those),
-- volunteer1 on 1%.
CREATE TEMP TABLE p_case ON COMMIT DROP AS
  SELECT g.n, gen_random_uuid() AS id,
         (SELECT h.resident_id FROM help_requests h JOIN p_req p ON p.id = h.id
          WHERE h.community_id = :'community' AND p.n = 2000 + g.n) AS subject_id,
         CASE WHEN g.r1 < 0.05 THEN :'coordinator'::uuid
              ELSE (SELECT person_id FROM p_vol WHERE n = 1 + (g.n * 31) % (SELECT count(*) FROM p_vol)) END AS lead_id,
         g.r1 < 0.05 AS desk_lead, g.r2 < 0.03 AS with_professional, g.r2 < 0.015 AS professional_consent,
         g.r3 < 0.01 AS with_volunteer1, g.r4 < 0.8 AS open,
         now() - interval '1 day' * (400 * g.r5) AS created_at
  FROM (SELECT n, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
        FROM generate_series(1, :cases) n) g;
ANALYZE p_case;

INSERT INTO cases (community_id, id, subject_id, title, status, lead_person_id, lead_since, created_by, created_at,
                   updated_at, closed_at)
SELECT :'community', id, subject_id, 'Casus ' || n, CASE WHEN open THEN 'open' ELSE 'closed' END::case_status,
       lead_id, created_at, lead_id, created_at, created_at + interval '3 days',
       CASE WHEN NOT open THEN created_at + interval '3 days' END
FROM p_case;
INSERT INTO case_participants (community_id, case_id, person_id, role, organisation, added_at)
SELECT :'community'::uuid, id, subject_id, 'subject', NULL, created_at FROM p_case
UNION ALL
SELECT :'community'::uuid, id, lead_id, CASE WHEN desk_lead THEN 'coordinator' ELSE 'volunteer' END::case_role, NULL, created_at
FROM p_case
UNION ALL
SELECT :'community'::uuid, id, :'professional', 'professional', 'Wijkteam Tholen', created_at + interval '1 hour'
FROM p_case WHERE with_professional
UNION ALL
SELECT :'community'::uuid, id, :'volunteer', 'volunteer', NULL, created_at + interval '2 hours'
FROM p_case WHERE with_volunteer1 AND lead_id <> :'volunteer'::uuid;
INSERT INTO case_lead_history (community_id, case_id, person_id, since)
SELECT :'community', id, lead_id, created_at FROM p_case;
INSERT INTO case_consents (community_id, case_id, grantee_person_id, data_kind, granted, recorded_by, recorded_at)
SELECT :'community', c.id, :'professional', k.kind, true, c.subject_id, c.created_at + interval '1 hour'
FROM p_case c CROSS JOIN (VALUES ('basic'::consent_kind), ('notes')) k(kind)
WHERE c.professional_consent;

-- Four actions per case: owned by the lead, by another volunteer or by nobody; due around today.
INSERT INTO case_actions (community_id, case_id, title, owner_id, due_on, status, created_by, created_at, updated_at)
SELECT :'community', c.id, 'Actie ' || c.n || '.' || a.k,
       CASE WHEN a.r < 0.4 THEN c.lead_id
            WHEN a.r < 0.7 THEN (SELECT person_id FROM p_vol WHERE n = 1 + (c.n * 17 + a.k) % (SELECT count(*) FROM p_vol))
       END,
       current_date + (a.d * 60)::int - 30,
       CASE WHEN a.s < 0.5 THEN 'done' WHEN a.s < 0.8 THEN 'open' ELSE 'in_progress' END::case_action_status,
       c.lead_id, c.created_at, c.created_at + interval '1 day' * a.k
FROM p_case c
CROSS JOIN LATERAL (SELECT k, random() + 0 * c.n AS r, random() AS d, random() AS s FROM generate_series(1, 4) k) a;

-- Eight timeline entries per case: notes (all, professionals, lead; some health), signals
-- (half of them acknowledged) and events.
INSERT INTO case_timeline (community_id, case_id, kind, visibility, health, text, event_type, event_detail, author_id, at)
SELECT :'community', c.id, t.kind::timeline_kind,
       CASE WHEN t.kind = 'note' THEN (ARRAY['all', 'all', 'all', 'professionals', 'lead'])[1 + (t.k + c.n) % 5]
            WHEN t.kind = 'signal' THEN 'professionals' ELSE 'all' END::timeline_visibility,
       t.kind = 'note' AND t.r < 0.1,
       CASE WHEN t.kind <> 'event' THEN 'Notitie ' || c.n || '.' || t.k END,
       CASE WHEN t.kind = 'event' THEN 'action_done' END, NULL, c.lead_id,
       c.created_at + interval '1 hour' * t.k
FROM p_case c
CROSS JOIN LATERAL (SELECT k, r, CASE WHEN r < 0.7 THEN 'note' WHEN r < 0.8 THEN 'signal' ELSE 'event' END AS kind
                    FROM (SELECT k, random() + 0 * c.n AS r FROM generate_series(1, 8) k) x) t;
INSERT INTO case_signal_acks (community_id, signal_id, acknowledged_by, acknowledged_at)
SELECT t.community_id, t.id, c.lead_person_id, t.at + interval '1 day'
FROM case_timeline t JOIN cases c ON c.community_id = t.community_id AND c.id = t.case_id
JOIN p_case p ON p.id = c.id
WHERE t.community_id = :'community' AND t.kind = 'signal' AND random() < 0.5;

-- Two cases the tests ask about by id, both about resident1 and led by the coordinator:
-- c_consent with the professional (consent for basic facts and notes), volunteer1 and the guest
-- (consent for basic facts to their organisation); c_no_consent with the professional, whom the
-- resident refused.
INSERT INTO cases (community_id, id, subject_id, title, help_request_id, lead_person_id, created_by)
VALUES (:'community', :'c_consent', :'resident', 'Thuis wonen (plan tests)', :'r_matched', :'coordinator', :'coordinator'),
       (:'community', :'c_no_consent', :'resident', 'Mantelzorg (plan tests)', NULL, :'coordinator', :'coordinator');
INSERT INTO case_participants (community_id, case_id, person_id, role, organisation)
VALUES (:'community', :'c_consent', :'resident', 'subject', NULL),
       (:'community', :'c_consent', :'coordinator', 'coordinator', NULL),
       (:'community', :'c_consent', :'professional', 'professional', 'Wijkteam Tholen'),
       (:'community', :'c_consent', :'volunteer', 'volunteer', NULL),
       (:'community', :'c_consent', :'guest', 'professional', 'Zorgpartner Tholen'),
       (:'community', :'c_no_consent', :'resident', 'subject', NULL),
       (:'community', :'c_no_consent', :'coordinator', 'coordinator', NULL),
       (:'community', :'c_no_consent', :'professional', 'professional', 'Wijkteam Tholen'),
       (:'community', :'c_no_consent', :'volunteer', 'volunteer', NULL);
INSERT INTO case_lead_history (community_id, case_id, person_id)
VALUES (:'community', :'c_consent', :'coordinator'), (:'community', :'c_no_consent', :'coordinator');
INSERT INTO case_consents (community_id, case_id, grantee_person_id, grantee_organisation, data_kind, granted, recorded_by)
VALUES (:'community', :'c_consent', :'professional', NULL, 'basic', true, :'resident'),
       (:'community', :'c_consent', :'professional', NULL, 'notes', true, :'resident'),
       (:'community', :'c_consent', NULL, 'Zorgpartner Tholen', 'basic', true, :'resident'),
       (:'community', :'c_no_consent', :'professional', NULL, 'basic', false, :'resident');
INSERT INTO case_actions (community_id, case_id, title, owner_id, due_on, status, created_by)
SELECT :'community', c.id, a.title || ' (' || c.title || ')', a.owner::uuid, current_date + a.due, a.status::case_action_status,
       :'coordinator'
FROM (SELECT id, title FROM cases WHERE community_id = :'community' AND id IN (:'c_consent', :'c_no_consent')) c
CROSS JOIN (VALUES ('Indicatie aanvragen', :'coordinator', -3, 'open'), ('Huisbezoek plannen', :'coordinator', 5, 'in_progress'),
                   ('Zorgplan bespreken', :'professional', -1, 'open'), ('Medicatie nalopen', :'professional', 10, 'open'),
                   ('Boodschappenlijst', :'volunteer', 2, 'open'), ('Rolstoel regelen', :'guest', 7, 'open'),
                   ('Afspraak huisarts', NULL, 4, 'open'), ('Eerste gesprek', :'coordinator', -20, 'done')) a(title, owner, due, status);
INSERT INTO case_timeline (community_id, case_id, kind, visibility, health, text, event_type, author_id, at)
SELECT :'community', c.id, e.kind::timeline_kind, e.visibility::timeline_visibility, e.health, e.text, e.event_type,
       e.author::uuid, now() - interval '1 hour' * e.hours_ago
FROM (SELECT id FROM cases WHERE community_id = :'community' AND id IN (:'c_consent', :'c_no_consent')) c
CROSS JOIN (VALUES ('note', 'all', false, 'Kennismaking gehad', NULL, :'coordinator', 50),
                   ('note', 'professionals', false, 'Overleg wijkteam', NULL, :'professional', 40),
                   ('note', 'lead', false, 'Alleen voor de regie', NULL, :'coordinator', 30),
                   ('note', 'professionals', true, 'Medicatie aangepast', NULL, :'professional', 20),
                   ('event', 'all', false, NULL, 'participant_added', :'coordinator', 45),
                   ('signal', 'professionals', false, 'Mevrouw eet slecht', NULL, :'volunteer', 10),
                   ('signal', 'professionals', false, 'Valt vaker', NULL, :'volunteer', 5),
                   ('signal', 'professionals', false, 'Post stapelt zich op', NULL, :'volunteer', 3)) e(kind, visibility, health, text, event_type, author, hours_ago);
-- The oldest signal of each is answered; the two newer ones wait for the lead and professional.
INSERT INTO case_signal_acks (community_id, signal_id, acknowledged_by)
SELECT community_id, id, :'coordinator' FROM case_timeline
WHERE community_id = :'community' AND case_id IN (:'c_consent', :'c_no_consent') AND text = 'Mevrouw eet slecht';

-- Sessions ----------------------------------------------------------------------------------

-- Two logins for every member of Anna Zorgt, some of them ended, so that the session check of
-- every request and the list of one's sessions read a table of a realistic size; and one live
-- session with a fixed id for each demo account and the guest, which every probe carries
-- (tests/plans/test_plans.c). The sessions policy admits one person's rows at a time: lifted for
-- this bulk insert, in this transaction only.
ALTER TABLE sessions NO FORCE ROW LEVEL SECURITY;
INSERT INTO sessions (id, person_id, device_name, created_at, last_used_at, expires_at, revoked_at)
SELECT gen_random_uuid(), m.person_id, 'Apparaat ' || k, now() - interval '1 day' * (k * 7),
       now() - interval '1 hour' * (k * 5), now() + interval '30 days',
       CASE WHEN k = 2 AND random() < 0.3 THEN now() - interval '1 day' END
FROM memberships m CROSS JOIN generate_series(1, 2) k
WHERE m.community_id = :'community';
-- Tombstones (sql/migrations/0015_sync_tombstones.sql): a year of things leaving people's lists,
-- 30,000 rows over 5,000 members, every tenth row one of the demo accounts'.
WITH p AS (SELECT row_number() OVER (ORDER BY person_id) AS n, person_id FROM memberships
           WHERE community_id = :'community')
INSERT INTO sync_tombstones (person_id, kind, item_id, community_id, removed_at)
SELECT CASE g % 40 WHEN 0 THEN :'volunteer'::uuid WHEN 10 THEN :'professional'::uuid
                   WHEN 20 THEN :'coordinator'::uuid WHEN 30 THEN :'resident'::uuid ELSE p.person_id END,
       (ARRAY['request', 'task', 'case', 'action_owned', 'action_led'])[1 + (g / 7) % 5], gen_random_uuid(), :'community',
       now() - interval '17 minutes' * g
FROM generate_series(1, 30000) g JOIN p ON p.n = 1 + g % 5000;
-- What the desk did on members' behalf (sql/migrations/0020_on_behalf.sql): 20,000 records over
-- 5,000 members, every 25th one the demo resident's or volunteer's.
WITH p AS (SELECT row_number() OVER (ORDER BY person_id) AS n, person_id FROM memberships
           WHERE community_id = :'community')
INSERT INTO on_behalf_actions (community_id, actor_id, person_id, channel, kind, subject_id, at)
SELECT :'community', :'coordinator',
       CASE g % 50 WHEN 0 THEN :'resident'::uuid WHEN 25 THEN :'volunteer'::uuid ELSE p.person_id END,
       (ARRAY['phone', 'in_person', 'paper'])[1 + g % 3], 'helpers', gen_random_uuid(), now() - interval '13 minutes' * g
FROM generate_series(1, 20000) g JOIN p ON p.n = 1 + g % 5000;

-- Triage as data (0021): every request past the desk has a track, most of them informal; a
-- referral record for each professional or business one, a few still open and some of those
-- overdue (the queue's follow_up view).
UPDATE help_requests h SET track = CASE WHEN p.n % 10 < 6 THEN 'informal' WHEN p.n % 10 = 6 THEN 'professional'
                                        WHEN p.n % 10 = 7 THEN 'business' ELSE 'wmo_avoided' END
FROM p_req p WHERE h.community_id = :'community' AND h.id = p.id AND h.status <> 'submitted';
INSERT INTO referrals (community_id, request_id, receiver_name, receiver_contact, follow_up_on, outcome, created_by,
                       created_at, updated_at)
SELECT h.community_id, h.id, 'Wijkteam', '0166-123456', h.created_at::date + 14,
       CASE WHEN p.n % 100 < 97 THEN 'arranged' WHEN p.n % 100 = 97 THEN 'sent' ELSE 'accepted' END,
       :'coordinator', h.created_at, h.created_at
FROM help_requests h JOIN p_req p ON p.id = h.id
WHERE h.community_id = :'community' AND h.track IN ('professional', 'business');

-- The desk's search (issue 13): members with Dutch names (some with accents), a phone and a street
-- each, as the desk would have entered them, so that member_search and its trigram index are as
-- full and as varied as in a real community. The triggers of 0019 fill member_search.
WITH p AS (SELECT row_number() OVER (ORDER BY m.person_id) AS n, m.person_id FROM memberships m
           WHERE m.community_id = :'community' AND m.person_id NOT IN (:'coordinator', :'volunteer', :'resident',
                                                                       :'professional', :'guest'))
UPDATE persons SET
  display_name = (ARRAY['Anna', 'José', 'Jan', 'Marieke', 'Kees', 'Truus', 'Pieter', 'Ingrid', 'Gérard', 'Fatma',
                        'Henk', 'Wilma', 'Ahmed', 'Els', 'Cor', 'Jopie'])[1 + p.n % 16] || ' '
                 || (ARRAY['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder',
                           'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Dijk', 'Dekker', 'Brouwer', 'Verbeek',
                           'Öztürk', 'van den Berg', 'Kuijpers', 'Hoogland'])[1 + (p.n / 16) % 21] || ' ' || p.n,
  -- (+31659... and +311139...: clear of the demo accounts' +3160000....)
  phone = CASE WHEN p.n % 3 = 0 THEN '+311139' || lpad(p.n::text, 5, '0') ELSE '+31659' || lpad(p.n::text, 6, '0') END,
  street = (ARRAY['Dorpsstraat', 'Kerkstraat', 'Havenweg', 'Molenweg', 'Zandweg', 'Weststraat', 'Oostdijk',
                  'Schoolstraat', 'Ring', 'Voorstraat', 'Achterweg', 'Lageweg'])[1 + p.n % 12],
  house_number = (1 + p.n % 180)::text, postcode = '3197' || chr((65 + p.n % 26)::int) || chr((65 + (p.n / 26) % 26)::int),
  place = 'Sint Annaland'
FROM p WHERE persons.id = p.person_id;

INSERT INTO sessions (id, person_id, device_name, expires_at)
VALUES ('00000000-0000-4000-8000-0000000e0101', :'coordinator', 'Plans', now() + interval '30 days'),
       ('00000000-0000-4000-8000-0000000e0102', :'volunteer', 'Plans', now() + interval '30 days'),
       ('00000000-0000-4000-8000-0000000e0104', :'resident', 'Plans', now() + interval '30 days'),
       ('00000000-0000-4000-8000-0000000e0106', :'professional', 'Plans', now() + interval '30 days'),
       ('00000000-0000-4000-8000-0000000e0108', :'guest', 'Plans', now() + interval '30 days');
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;

COMMIT;

-- Statistics for everything, as a live database would have them.
SELECT format('VACUUM (ANALYZE) %I', c.relname) FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY c.relname \gexec
