"""The grant-set functions the policies call are PL/pgSQL: planned once per session, not inlined into every statement.

Each protected statement's plan carries the policy's initplans: `(SELECT hub_sees_all())`, `(SELECT hub_own())`,
two `hub_providers(...)` and `hub_shared(...)`. As SQL functions (0004) PostgreSQL inlined each of them, and the
functions they call, while planning every statement: parsing and analysing about twenty small function bodies,
a third of a millisecond of the page's planning (the first page of 50 concerns at 200,000 rows: planning 0.92 ms
with the policies against 0.53 without; 0.57 with these). A PL/pgSQL function is not inlined; it keeps its own
plans for the session, and its initplan still calls it once per statement, never once per row.

What they answer is unchanged (row_security/0004): the ready-made array while `hub.derived_from` marks the arrays
as written with the document in `hub.grants`, else the document itself. Every name is qualified with its schema,
so they resolve under pg_dump's empty search_path and no caller's schema can shadow them (0003).
hub_personal_cover and hub_personal_visible stay SQL: the first calls these, the second must inline (per row).
"""
import importlib

from django.db import migrations

# The mark compared where 0004 called hub_settings_current() (kept, for other callers): written together by
# access/grant_settings.py `write_sql`, they differ when `hub.grants` was written some other way.
_CURRENT = ("pg_catalog.current_setting('hub.grants', true) IS NOT DISTINCT FROM "
            "pg_catalog.current_setting('hub.derived_from', true)")


def _ids(setting: str) -> str:
    return f"coalesce(nullif(pg_catalog.current_setting({setting}, true), '')::bigint[], '{{}}')"


FUNCTIONS = rf"""
CREATE OR REPLACE FUNCTION public.hub_sees_all() RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF {_CURRENT} THEN
        RETURN coalesce(pg_catalog.current_setting('hub.all', true) = 'on', false);
    END IF;
    RETURN coalesce((public.hub_grants() ->> 'all')::boolean, false);
END
$$;

CREATE OR REPLACE FUNCTION public.hub_own() RETURNS bigint[] LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF {_CURRENT} THEN
        RETURN {_ids("'hub.own'")};
    END IF;
    RETURN public.hub_document_ids(ARRAY['own']);
END
$$;

CREATE OR REPLACE FUNCTION public.hub_providers(category text, level text) RETURNS bigint[] LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF {_CURRENT} THEN
        RETURN {_ids("'hub.providers.' || category || '.' || level")};
    END IF;
    RETURN public.hub_document_ids(ARRAY['providers', category, level]);
END
$$;

CREATE OR REPLACE FUNCTION public.hub_shared(share_table text, personal boolean) RETURNS bigint[] LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF {_CURRENT} THEN
        RETURN {_ids("'hub.shared.' || share_table || CASE WHEN personal THEN '.personal' ELSE '.any' END")};
    END IF;
    RETURN public.hub_document_ids(ARRAY['shares', share_table, CASE WHEN personal THEN 'personal' ELSE 'any' END]);
END
$$;
"""

# 0004's SQL bodies, for going back.
PREVIOUS = importlib.import_module("row_security.migrations.0004_grant_settings_one_parse").FUNCTIONS


class Migration(migrations.Migration):
    dependencies = [("row_security", "0005_hashed_share_lookup")]

    operations = [migrations.RunSQL(FUNCTIONS, PREVIOUS)]
