"""A guard that lets a request use the grant set this process kept without asking first (access/grants.py).

A GET request may read with the viewer's kept grant set straight away: its first statement on a protected table
begins with `SELECT public.hub_grants_unchanged('<the log's state when the set was kept>')`, in the same round trip
as the grant settings and the statement itself. If the grant-change log has moved since, the guard raises
SQLSTATE HB001 before anything after it runs, so nothing is read under the old set; the request is then read
again under a fresh one. The state is the one access/grants.py `GRANT_LOG_STATE_SQL` reads (written out here as it
stood, as migrations are).
"""
from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.hub_grants_unchanged(kept text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF (SELECT coalesce(pg_catalog.string_agg(gc.id::text || ':' || coalesce(gc.lsn::text, ''), ',' ORDER BY gc.id), '')
        FROM public.read_routing_grantchange gc) IS DISTINCT FROM kept THEN
        RAISE EXCEPTION 'The sharing grants changed since this process kept them.' USING ERRCODE = 'HB001';
    END IF;
    RETURN true;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("row_security", "0007_shares_and_disclosure_log"), ("read_routing", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS public.hub_grants_unchanged(text);")]
