"""Row-level security on the first sensitive tables (contacts and partner concerns) and their history tables (row_security/policies.py).

The specs are written out here, as the models said when this migration was made; a later change to a model
(a new sensitive model, a classification, a share table) needs a migration of its own, which
tests/row_security/test_policies_cover_the_models.py asks for.
"""
from django.db import migrations

from row_security.policies import TableSpec, install

SPECS = [
    TableSpec(table='crm_contact', organisation_column='organisation_id', category='contacts', share_table='sharing_protocols_contactshare'),
    TableSpec(table='crm_contactevent', organisation_column='organisation_id', category='contacts', share_table='sharing_protocols_contactshare'),
    TableSpec(table='partners_concern', organisation_column='organisation_id', category='concerns', classification_column='classification', share_table='sharing_protocols_concernshare'),
    TableSpec(table='partners_concernevent', organisation_column='organisation_id', category='concerns', classification_column='classification', share_table='sharing_protocols_concernshare'),
]


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0009_grant_settings_functions"),
        ("partners", "0002_background_jobs"),
        ("digital", "0004_retention_schedule_decides"),
        ("sharing_protocols", "0005_social_media_category"),
    ]
    operations = [install(SPECS)]
