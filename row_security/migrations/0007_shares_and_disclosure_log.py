"""Row-level security on the one-off shares (row_security/policies.py `share_spec`): each names which record went
to which organisation's group, so it is read only by the organisation that shared it and the one it went to, and
created, changed or ended only by the organisation that shared it (WITH CHECK on `sharing_organisation`, the
column sharing_protocols/migrations/0006 added and filled).

And on the disclosure log (`disclosure_log_spec`): read by the organisation an entry is filed under, the one whose
record it is about, and the parties to the protocol whose step it records; appended to by the same; no UPDATE or
DELETE policy at all. Its hash chain runs across organisations, so a writer reads the last hash through
`hub_disclosure_chain_head()`: it turns `hub.disclosure_chain_head` on (which the read policy admits) for its own
one statement, off again straight after, and returns the hash alone. An error in between aborts the statement's
transaction or savepoint, and with it the setting.

Written out as the models said when this migration was made, as in 0001.
"""
from django.db import migrations

from row_security.policies import TableSpec, drop_sql, install_sql

SHARES = [
    TableSpec(table='sharing_protocols_communitygroupshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
    TableSpec(table='sharing_protocols_concernshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
    TableSpec(table='sharing_protocols_contactshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
    TableSpec(table='sharing_protocols_engagementshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
    TableSpec(table='sharing_protocols_priorityshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
]

DISCLOSURE_LOG = TableSpec(table='sharing_protocols_disclosureentry', organisation_column='organisation_id',
                           holder_column='holder_organisation_id')

CHAIN_HEAD = r"""
CREATE OR REPLACE FUNCTION public.hub_disclosure_chain_head() RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head text;
BEGIN
    PERFORM pg_catalog.set_config('hub.disclosure_chain_head', 'on', true);
    SELECT e.entry_hash INTO head FROM public.sharing_protocols_disclosureentry e ORDER BY e.id DESC LIMIT 1;
    PERFORM pg_catalog.set_config('hub.disclosure_chain_head', '', true);
    RETURN head;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("row_security", "0006_grant_settings_lean"),
        ("sharing_protocols", "0006_share_sharing_organisation"),
    ]
    operations = [
        migrations.RunSQL("\n".join(install_sql(spec) for spec in [*SHARES, DISCLOSURE_LOG]),
                          "\n".join(drop_sql(spec) for spec in reversed([*SHARES, DISCLOSURE_LOG]))),
        migrations.RunSQL(CHAIN_HEAD, "DROP FUNCTION IF EXISTS public.hub_disclosure_chain_head();"),
    ]
