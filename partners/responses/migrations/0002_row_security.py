"""Row-level security on the police's answers and their history (row_security/policies.py): the responding team
(and its force) read and write them; the organisation that reported the concern reads them; protocol recipients
of the team's concerns read them as they read its concerns. Written out as the model said when this was made."""
from django.db import migrations

from row_security.policies import TableSpec, install

SPECS = [
    TableSpec(table='concern_responses_concernresponse', organisation_column='organisation_id', category='concerns',
              reader_column='concern_organisation_id'),
    TableSpec(table='concern_responses_concernresponseevent', organisation_column='organisation_id', category='concerns',
              reader_column='concern_organisation_id'),
]


class Migration(migrations.Migration):
    dependencies = [
        ("concern_responses", "0001_initial"),
        ("row_security", "0003_functions_search_path"),
    ]
    operations = [install(SPECS)]
