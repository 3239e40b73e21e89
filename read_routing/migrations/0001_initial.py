"""The grant-change log and the triggers that write it, on every table the grant set is made of
(access/grants.py: memberships, organisations, protocols, their versions and flows, one-off shares)."""
from django.db import migrations, models

GRANT_TABLES = [
    "crm_membership", "crm_organisation",
    "sharing_protocols_sharingprotocol", "sharing_protocols_protocolversion", "sharing_protocols_protocoldataflow",
    "sharing_protocols_communitygroupshare", "sharing_protocols_concernshare", "sharing_protocols_contactshare",
    "sharing_protocols_engagementshare", "sharing_protocols_priorityshare",
]

# One unfilled row per changing transaction, visible exactly when its change is. Older unfilled rows are
# deleted: this one, committed later, covers them (skipping rows another transaction holds, never waiting).
FUNCTION = """
CREATE FUNCTION read_routing_grant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM read_routing_grantchange WHERE lsn IS NULL AND xmin = pg_current_xact_id()::xid) THEN
        DELETE FROM read_routing_grantchange WHERE id IN (
            SELECT id FROM read_routing_grantchange WHERE lsn IS NULL FOR UPDATE SKIP LOCKED);
        INSERT INTO read_routing_grantchange (lsn) VALUES (NULL);
    END IF;
    RETURN NULL;
END $$;
"""
TRIGGER = ("CREATE TRIGGER read_routing_grant_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
           "FOR EACH STATEMENT EXECUTE FUNCTION read_routing_grant_changed();")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("crm", "0008_priority_status_outcome_action_withdrawn"),
        ("sharing_protocols", "0005_social_media_category"),
    ]

    operations = [
        migrations.CreateModel(
            name="GrantChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("lsn", models.BigIntegerField(help_text="WAL position, in bytes from 0/0; empty until filled after commit", null=True)),
            ],
            options={
                "verbose_name": "change to the grant set",
                "indexes": [models.Index(fields=["lsn"], name="read_routing_grantchange_lsn")],
            },
        ),
        migrations.RunSQL(
            [FUNCTION, *(TRIGGER.format(table=table) for table in GRANT_TABLES)],
            [*(f"DROP TRIGGER read_routing_grant_changed ON {table};" for table in GRANT_TABLES),
             "DROP FUNCTION read_routing_grant_changed();"],
        ),
    ]
