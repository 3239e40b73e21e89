"""API keys expire. A key held before expiry existed gets a full year from the day this migration runs (the lifetime
of a new key), never an expiry in the past: no partner system stops working because of the upgrade, and each
organisation is told 30 days before its keys stop, as for any key."""
from datetime import timedelta

import partners.models.intake
from django.db import migrations, models
from django.utils import timezone


def existing_keys_get_a_year(apps, schema_editor):
    PartnerApiKey = apps.get_model("partners", "PartnerApiKey")
    PartnerApiKey.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + timedelta(days=365))


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0004_concern_answers_are_police_records'),
    ]

    operations = [
        migrations.AddField(
            model_name='partnerapikey',
            name='expires_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(existing_keys_get_a_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='partnerapikey',
            name='expires_at',
            field=models.DateTimeField(default=partners.models.intake.api_key_expiry, help_text='After this the API refuses the key until it is renewed.'),
        ),
        migrations.AddField(
            model_name='partnerapikey',
            name='expiry_notice_sent_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
