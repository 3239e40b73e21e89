"""The personal-data cover rule in SQL: which rows' personal columns a reader may see (access/withholding.py).

`hub_personal_cover(category, sensitive)` reads the transaction's grant set (access/grant_settings.py): the
organisations whose `category` rows the viewer sees with personal data (their own, and providers under a
live flow including personal data at that classification), or NULL for every row: a system context, a
superuser, or no context at all (until row-level security lands, code outside a request sets none; then no
context shows no rows at all, so there is nothing left to withhold).

`hub_personal_visible(organisation_id, row_id, cover, shared)` is the rule over one row: its holder is in
the cover (NULL: every holder), or the row is shared one-off with personal data. It is a single expression
over its arguments, each used once, so PostgreSQL inlines it into the query; the columns pass the cover
and share arrays as scalar sub-selects, which run once per statement (an InitPlan), not once per row.
"""
from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION hub_personal_cover(category text, sensitive boolean) RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN hub_grants() IS NULL OR hub_sees_all() THEN NULL
                ELSE hub_own() || hub_providers(category, CASE WHEN sensitive THEN 'sensitive_personal' ELSE 'official_personal' END)
           END
$$;

CREATE OR REPLACE FUNCTION hub_personal_visible(organisation_id bigint, row_id bigint, cover bigint[], shared bigint[])
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(organisation_id = ANY (cover), true) OR coalesce(row_id = ANY (shared), false)
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS hub_personal_visible(bigint, bigint, bigint[], bigint[]);
DROP FUNCTION IF EXISTS hub_personal_cover(text, boolean);
"""


class Migration(migrations.Migration):
    dependencies = [("crm", "0009_grant_settings_functions")]
    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
