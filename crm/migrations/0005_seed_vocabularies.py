from django.db import migrations

from crm.vocabulary_seed import seed_vocabularies


class Migration(migrations.Migration):
    dependencies = [("crm", "0004_doorstepvisit_issuecategory_underrepresentedgroup_and_more")]
    operations = [migrations.RunPython(seed_vocabularies, migrations.RunPython.noop)]
