"""Row-level security on the one-off shares (row_security/policies.py `share_spec`): each names which record went
to which organisation's group, so it is read only by the organisation that shared it and the one it went to, and
created, changed or ended only by the organisation that shared it (WITH CHECK on `sharing_organisation`, the
column sharing_protocols/migrations/0006 added and filled).

Written out as the models said when this migration was made, as in 0001.
"""
from django.db import migrations

from row_security.policies import TableSpec, install

SHARES = [
    TableSpec(table='sharing_protocols_communitygroupshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
    TableSpec(table='sharing_protocols_concernshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
    TableSpec(table='sharing_protocols_contactshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
    TableSpec(table='sharing_protocols_engagementshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
    TableSpec(table='sharing_protocols_priorityshare', organisation_column='sharing_organisation_id', recipient_group_column='group_id'),
]


class Migration(migrations.Migration):
    dependencies = [
        ("row_security", "0005_hashed_share_lookup"),
        ("sharing_protocols", "0006_share_sharing_organisation"),
    ]
    operations = [install(SHARES)]
