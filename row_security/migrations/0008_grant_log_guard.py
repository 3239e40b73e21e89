"""A guard that lets a GET request use the grant set this process kept without asking first (access/grants.py).

A GET request may read with a kept grant set straight away: its first statement on a protected table begins with
`SELECT public.hub_grants_unchanged('{<the log ids when the set was kept>}')`, in the same round trip as the grant
settings and the statement itself. Every committed change to a grant table adds a log row with an id never used
before (read_routing/migrations/0001_initial.py), and rows are only ever filled or removed otherwise; so the grants
changed since the set was kept exactly when the log holds an id the kept state did not. Then the guard raises
SQLSTATE HB001 before anything after it runs, so nothing is read or written under the old set; the request is read
again under a fresh one. access/grants.py `log_moved_since` is the same test in Python (a test holds them together).
"""
from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.hub_grants_unchanged(kept bigint[]) RETURNS boolean LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM public.read_routing_grantchange gc WHERE gc.id <> ALL (kept)) THEN
        RAISE EXCEPTION 'The sharing grants changed since this process kept them.' USING ERRCODE = 'HB001';
    END IF;
    RETURN true;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("row_security", "0007_shares_and_disclosure_log"), ("read_routing", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS public.hub_grants_unchanged(bigint[]);")]
