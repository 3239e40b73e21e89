"""The read policies test one-off shares with a hashed lookup.

`id = ANY ((SELECT hub_shared(...))::bigint[])` searched the array row by row: a partner holding 800 one-off
shares paid 800 comparisons for every row the other conditions did not already admit (the capped list count,
10,001 rows found among about 34,000, took about 190 ms in the policy alone at a million concerns).
`id IN (SELECT unnest(hub_shared(...)))` is the same set, read once per statement into a hash table
(row_security/policies.py `read_condition`). Only the tables with one-off shares change.
"""
from django.db import migrations

from row_security.policies import TableSpec, install_sql

SPECS = [
    TableSpec(table='crm_communitygroup', organisation_column='organisation_id', category='community_groups', share_table='sharing_protocols_communitygroupshare'),
    TableSpec(table='crm_communitygroupevent', organisation_column='organisation_id', category='community_groups', share_table='sharing_protocols_communitygroupshare'),
    TableSpec(table='crm_contact', organisation_column='organisation_id', category='contacts', share_table='sharing_protocols_contactshare'),
    TableSpec(table='crm_contactevent', organisation_column='organisation_id', category='contacts', share_table='sharing_protocols_contactshare'),
    TableSpec(table='crm_engagement', organisation_column='organisation_id', category='engagements', share_table='sharing_protocols_engagementshare'),
    TableSpec(table='crm_engagementevent', organisation_column='organisation_id', category='engagements', share_table='sharing_protocols_engagementshare'),
    TableSpec(table='crm_priority', organisation_column='organisation_id', category='priorities', share_table='sharing_protocols_priorityshare'),
    TableSpec(table='crm_priorityevent', organisation_column='organisation_id', category='priorities', share_table='sharing_protocols_priorityshare'),
    TableSpec(table='partners_concern', organisation_column='organisation_id', category='concerns', classification_column='classification', share_table='sharing_protocols_concernshare'),
    TableSpec(table='partners_concernevent', organisation_column='organisation_id', category='concerns', classification_column='classification', share_table='sharing_protocols_concernshare'),
]


class Migration(migrations.Migration):
    dependencies = [("row_security", "0004_grant_settings_one_parse")]

    operations = [
        migrations.RunSQL("\n".join(install_sql(spec) for spec in SPECS),
                          "\n".join(install_sql(spec, hashed_shares=False) for spec in SPECS)),
    ]
