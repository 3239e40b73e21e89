"""Row-level security on the remaining sensitive tables and their history tables: engagements (with their
issues and doorstep visits), community groups, independent advisory groups (their memberships and advice),
priorities (with their actions), partner contacts, and social media posts and topics (row_security/policies.py).

Written out as the models said when this migration was made, as in 0001.
"""
from django.db import migrations

from row_security.policies import TableSpec, install

SPECS = [
    TableSpec(table='crm_advisoryadvice', organisation_column='organisation_id', category='advisory_groups'),
    TableSpec(table='crm_advisoryadviceevent', organisation_column='organisation_id', category='advisory_groups'),
    TableSpec(table='crm_advisorygroup', organisation_column='organisation_id', category='advisory_groups'),
    TableSpec(table='crm_advisorygroupevent', organisation_column='organisation_id', category='advisory_groups'),
    TableSpec(table='crm_advisorymembership', parent_table='crm_advisorygroup', parent_column='advisory_group_id', parent_organisation_column='organisation_id'),
    TableSpec(table='crm_advisorymembershipevent', parent_table='crm_advisorygroup', parent_column='advisory_group_id', parent_organisation_column='organisation_id'),
    TableSpec(table='crm_communitygroup', organisation_column='organisation_id', category='community_groups', share_table='sharing_protocols_communitygroupshare'),
    TableSpec(table='crm_communitygroupevent', organisation_column='organisation_id', category='community_groups', share_table='sharing_protocols_communitygroupshare'),
    TableSpec(table='crm_doorstepvisit', parent_table='crm_engagement', parent_column='engagement_id', parent_organisation_column='organisation_id'),
    TableSpec(table='crm_doorstepvisitevent', parent_table='crm_engagement', parent_column='engagement_id', parent_organisation_column='organisation_id'),
    TableSpec(table='crm_engagement', organisation_column='organisation_id', category='engagements', share_table='sharing_protocols_engagementshare'),
    TableSpec(table='crm_engagementevent', organisation_column='organisation_id', category='engagements', share_table='sharing_protocols_engagementshare'),
    TableSpec(table='crm_engagementissue', parent_table='crm_engagement', parent_column='engagement_id', parent_organisation_column='organisation_id'),
    TableSpec(table='crm_engagementissueevent', parent_table='crm_engagement', parent_column='engagement_id', parent_organisation_column='organisation_id'),
    TableSpec(table='crm_partnercontact', organisation_column='organisation_id', category='partner_contacts'),
    TableSpec(table='crm_partnercontactevent', organisation_column='organisation_id', category='partner_contacts'),
    TableSpec(table='crm_priority', organisation_column='organisation_id', category='priorities', share_table='sharing_protocols_priorityshare'),
    TableSpec(table='crm_priorityaction', parent_table='crm_priority', parent_column='priority_id', parent_organisation_column='organisation_id'),
    TableSpec(table='crm_priorityactionevent', parent_table='crm_priority', parent_column='priority_id', parent_organisation_column='organisation_id'),
    TableSpec(table='crm_priorityevent', organisation_column='organisation_id', category='priorities', share_table='sharing_protocols_priorityshare'),
    TableSpec(table='digital_post', organisation_column='organisation_id', category='social_media'),
    TableSpec(table='digital_topic', organisation_column='organisation_id', category='social_media'),
]


class Migration(migrations.Migration):
    dependencies = [
        ("row_security", "0001_policies"),
        ("crm", "0010_personal_visible_functions"),
        ("digital", "0005_staged_posts"),
        ("sharing_protocols", "0005_social_media_category"),
    ]
    operations = [install(SPECS)]
