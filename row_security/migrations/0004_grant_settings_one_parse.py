"""The grant-set functions read ready-made arrays, not the JSON document: one parse per transaction, not five per statement.

Each policy calls up to five of the functions (hub_sees_all, hub_own, hub_providers twice, hub_shared), and each
used to parse the whole `hub.grants` document (hundreds of one-off share ids) again. The writer
(access/grant_settings.py `write_sql`) now also writes each array the functions answer as a setting of its own,
already in `bigint[]` text form (`hub.own`, `hub.providers.<category>.<level>`, `hub.shared.<table>.<any|personal>`,
`hub.all`), every one of them at every write (so nothing from an earlier context in the transaction survives), and
marks them as derived from the document it wrote (`hub.derived_from`). A function reads its array with one
`current_setting(...)::bigint[]`; when `hub.grants` was written some other way (a client's PGOPTIONS, as the
cluster's pg_dump does), the mark differs and the functions read the document itself, as before.

The names and signatures stay, so the policies (and their `(SELECT f())` initplans, evaluated once per
statement) are unchanged. The bodies name every function with its schema (pg_dump's empty search_path, 0003),
in place of 0003's pinned search_path, so that PostgreSQL inlines them.
"""
from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.hub_settings_current() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.current_setting('hub.grants', true) IS NOT DISTINCT FROM pg_catalog.current_setting('hub.derived_from', true)
$$;

CREATE OR REPLACE FUNCTION public.hub_setting_ids(name text) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(pg_catalog.current_setting(name, true), '')::bigint[], '{}')
$$;

-- The document's ids at `path` (the fallback): a sub-select, so it stays a function of its own and the functions
-- calling it only in their fallback branch still inline.
CREATE OR REPLACE FUNCTION public.hub_document_ids(path text[]) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array(SELECT pg_catalog.jsonb_array_elements_text(public.hub_grants() #> path)::bigint), '{}')
$$;

CREATE OR REPLACE FUNCTION public.hub_sees_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN public.hub_settings_current() THEN coalesce(pg_catalog.current_setting('hub.all', true) = 'on', false)
                ELSE coalesce((public.hub_grants() ->> 'all')::boolean, false) END
$$;

CREATE OR REPLACE FUNCTION public.hub_own() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN public.hub_settings_current() THEN public.hub_setting_ids('hub.own')
                ELSE public.hub_document_ids(ARRAY['own']) END
$$;

CREATE OR REPLACE FUNCTION public.hub_providers(category text, level text) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN public.hub_settings_current() THEN public.hub_setting_ids('hub.providers.' || category || '.' || level)
                ELSE public.hub_document_ids(ARRAY['providers', category, level]) END
$$;

CREATE OR REPLACE FUNCTION public.hub_shared(share_table text, personal boolean) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN public.hub_settings_current()
                THEN public.hub_setting_ids('hub.shared.' || share_table || CASE WHEN personal THEN '.personal' ELSE '.any' END)
                ELSE public.hub_document_ids(ARRAY['shares', share_table, CASE WHEN personal THEN 'personal' ELSE 'any' END]) END
$$;

CREATE OR REPLACE FUNCTION public.hub_personal_cover(category text, sensitive boolean) RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(pg_catalog.current_setting('hub.grants', true), '') IS NULL OR public.hub_sees_all() THEN NULL
                ELSE public.hub_own() || public.hub_providers(category, CASE WHEN sensitive THEN 'sensitive_personal' ELSE 'official_personal' END)
           END
$$;
"""

# 0003 pinned search_path on these so that they resolve under pg_dump's empty search_path; their bodies now name
# every function with its schema instead, which does the same and lets PostgreSQL inline them into the policies'
# initplans (a function with SET is called, its body planned, at every statement).
UNPINNED = ("hub_own()", "hub_sees_all()", "hub_providers(text, text)", "hub_shared(text, boolean)", "hub_personal_cover(text, boolean)")

# 0009/0010's bodies (with 0003's pinned search_path), for going back.
PREVIOUS = r"""
-- The document's ids at `path` (the fallback): a sub-select, so it stays a function of its own and the functions
-- calling it only in their fallback branch still inline.
CREATE OR REPLACE FUNCTION public.hub_document_ids(path text[]) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array(SELECT pg_catalog.jsonb_array_elements_text(public.hub_grants() #> path)::bigint), '{}')
$$;

CREATE OR REPLACE FUNCTION public.hub_sees_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((hub_grants() ->> 'all')::boolean, false)
$$;
CREATE OR REPLACE FUNCTION public.hub_own() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array(SELECT jsonb_array_elements_text(hub_grants() -> 'own')::bigint), '{}')
$$;
CREATE OR REPLACE FUNCTION public.hub_providers(category text, level text) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array(SELECT jsonb_array_elements_text(hub_grants() -> 'providers' -> category -> level)::bigint), '{}')
$$;
CREATE OR REPLACE FUNCTION public.hub_shared(share_table text, personal boolean) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array(SELECT jsonb_array_elements_text(
        hub_grants() -> 'shares' -> share_table -> CASE WHEN personal THEN 'personal' ELSE 'any' END)::bigint), '{}')
$$;
CREATE OR REPLACE FUNCTION public.hub_personal_cover(category text, sensitive boolean) RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN hub_grants() IS NULL OR hub_sees_all() THEN NULL
                ELSE hub_own() || hub_providers(category, CASE WHEN sensitive THEN 'sensitive_personal' ELSE 'official_personal' END)
           END
$$;
DROP FUNCTION IF EXISTS public.hub_document_ids(text[]);
DROP FUNCTION IF EXISTS public.hub_setting_ids(text);
DROP FUNCTION IF EXISTS public.hub_settings_current();
"""


class Migration(migrations.Migration):
    dependencies = [("row_security", "0003_functions_search_path")]

    operations = [
        migrations.RunSQL(
            sql=[FUNCTIONS, *(f"ALTER FUNCTION public.{function} RESET search_path" for function in UNPINNED)],
            reverse_sql=[PREVIOUS, *(f"ALTER FUNCTION public.{function} SET search_path = public" for function in UNPINNED)],
        ),
    ]
