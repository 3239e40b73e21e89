"""SQL functions that read the viewer's grant set from the transaction (access/grant_settings.py)."""
from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION hub_grants() RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(current_setting('hub.grants', true), '')::jsonb
$$;

CREATE OR REPLACE FUNCTION hub_sees_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((hub_grants() ->> 'all')::boolean, false)
$$;

CREATE OR REPLACE FUNCTION hub_own() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array(SELECT jsonb_array_elements_text(hub_grants() -> 'own')::bigint), '{}')
$$;

CREATE OR REPLACE FUNCTION hub_providers(category text, level text) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array(SELECT jsonb_array_elements_text(hub_grants() -> 'providers' -> category -> level)::bigint), '{}')
$$;

CREATE OR REPLACE FUNCTION hub_shared(share_table text, personal boolean) RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array(SELECT jsonb_array_elements_text(
        hub_grants() -> 'shares' -> share_table -> CASE WHEN personal THEN 'personal' ELSE 'any' END)::bigint), '{}')
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS hub_shared(text, boolean);
DROP FUNCTION IF EXISTS hub_providers(text, text);
DROP FUNCTION IF EXISTS hub_own();
DROP FUNCTION IF EXISTS hub_sees_all();
DROP FUNCTION IF EXISTS hub_grants();
"""


class Migration(migrations.Migration):
    dependencies = [("crm", "0008_priority_status_outcome_action_withdrawn")]
    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
