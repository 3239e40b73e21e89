"""The police's answers that were written onto partners' concern rows (their priority, and the status "taken into a
priority") become the police team's own records, and the partners' rows go back to where the collation left them.
partners 0004 then drops the concern's priority column.

Reversible: going back writes each answer onto its concern again (a concern its partner has closed stays closed)
and removes the answers. Who took each concern is not known from the old rows: the answer takes the priority's
author and the time it was agreed (they were one action)."""
from django.db import migrations

FORWARD = """
INSERT INTO concern_responses_concernresponse
    (concern_id, concern_organisation_id, organisation_id, priority_id, kind, created_by_id, created_at, updated_at)
SELECT c.id, c.organisation_id, p.organisation_id, p.id, 'taken_into_priority', p.created_by_id, p.created_at, now()
FROM partners_concern c JOIN crm_priority p ON p.id = c.priority_id;
UPDATE partners_concern SET status = CASE WHEN collated_at IS NULL THEN 'new' ELSE 'collated' END
WHERE status = 'taken_into_priority';
"""

BACKWARD = """
UPDATE partners_concern c SET priority_id = r.priority_id,
    status = CASE WHEN c.status = 'closed' THEN c.status ELSE 'taken_into_priority' END
FROM concern_responses_concernresponse r WHERE r.concern_id = c.id;
DELETE FROM concern_responses_concernresponse;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("concern_responses", "0002_row_security"),
        ("partners", "0003_concern_visible_count_index"),
    ]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
