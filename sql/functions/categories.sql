-- Categories as the API shows them: the document. A repeatable file (see help_requests.sql for
-- how these files are applied and why every function is an inlinable plain SQL function
-- returning a set).

-- The Category document of row c (JSON text), its ETag source and id. `label` is the label in
-- p_language, the caller's language from Accept-Language: 'en' for English, Dutch otherwise.
CREATE OR REPLACE FUNCTION category_doc(c categories, p_language text)
RETURNS TABLE (doc text, updated_at text, id uuid) LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', c.id, 'code', c.code,
           'label', CASE WHEN p_language = 'en' THEN c.label_en ELSE c.label_nl END,
           'labels', json_build_object('nl', c.label_nl, 'en', c.label_en),
           'in_home', c.in_home, 'may_recur', c.may_recur, 'max_per_month', c.max_per_month,
           'max_duration_minutes', c.max_duration_minutes,
           'referral', CASE WHEN c.referral_name IS NULL THEN NULL
                            ELSE json_build_object('name', c.referral_name,
                                                   'contact', COALESCE(c.referral_contact, '')) END,
           'updated_at', api_ts(c.updated_at))::text,
         api_ts(c.updated_at), c.id
$$;
