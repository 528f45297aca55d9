-- A case's timeline as the API shows it: the document of one entry. A repeatable file (see
-- help_requests.sql for how these files are applied and why every function returns a set).
-- Who sees an entry is timeline_entry_visible (sql/migrations/0006_index_driven_rls.sql).

-- The TimelineEntry document of row t (JSON text), its paging key (at, id). A signal needs a
-- response until someone acknowledges it; a note corrected by a later note names the latest.
CREATE OR REPLACE FUNCTION timeline_entry_doc(t case_timeline)
RETURNS TABLE (doc text, at text, id uuid) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', t.id, 'case_id', t.case_id, 'community_id', t.community_id, 'kind', t.kind,
           'visibility', t.visibility, 'health', t.health, 'text', t.text,
           'event', CASE WHEN t.kind = 'event'
                         THEN json_build_object('type', t.event_type, 'detail', COALESCE(t.event_detail, '')) END,
           'author_id', t.author_id,
           'author_name', (SELECT ap.display_name FROM persons ap WHERE ap.id = t.author_id),
           'corrects', t.corrects, 'on_behalf_of', t.on_behalf_of, 'channel', t.channel,
           'corrected_by', (SELECT c2.id FROM case_timeline c2
                             WHERE c2.community_id = t.community_id AND c2.corrects = t.id
                             ORDER BY c2.at DESC, c2.id DESC LIMIT 1),
           'needs_response', t.kind = 'signal' AND k.signal_id IS NULL,
           'acknowledged_by', k.acknowledged_by, 'acknowledged_at', api_ts(k.acknowledged_at),
           'at', api_ts(t.at))::text,
         api_ts(t.at), t.id
    FROM (VALUES (1)) AS one (row_of)
    LEFT JOIN case_signal_acks k ON k.community_id = t.community_id AND k.signal_id = t.id
$$;

-- A signal shown to the case's lead whose consent does not cover its text: the lead still has to
-- respond (call the volunteer back), so it is listed, without the text. `doc` is the entry's
-- timeline_entry_doc. Text in, text out, so it inlines into the statements that use it.
CREATE OR REPLACE FUNCTION timeline_signal_withheld(doc text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (doc::jsonb || '{"text": null, "text_withheld": true}'::jsonb)::text
$$;
