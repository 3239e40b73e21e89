"""Each one-off share records the organisation that shared it (the shared record's holder), so that row-level
security can limit creating, changing and ending a share to it (row_security/migrations/0006). A trigger fills it
from the record on every insert and on every change of the record it names (sharing_protocols/models.py
SharerIsTheHolder); the shares made before it are filled from their records here, then the column is required."""
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

SHARED = {"communitygroupshare": "crm_communitygroup", "concernshare": "partners_concern", "contactshare": "crm_contact",
          "engagementshare": "crm_engagement", "priorityshare": "crm_priority"}


def _organisation(**options):
    return models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="crm.organisation", **options)


ADDED = [migrations.AddField(model_name=model, name="sharing_organisation", field=_organisation(null=True)) for model in SHARED]
TRIGGERS = [
    pgtrigger.migrations.AddTrigger(model_name='communitygroupshare', trigger=pgtrigger.compiler.Trigger(name='sharer_is_the_holder', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.sharing_organisation_id := (SELECT organisation_id FROM "crm_communitygroup" WHERE id = NEW.content_object_id); RETURN NEW;', hash='cb6b83bf91a8c3dfc5535b84ed2725e02f37c602', operation='INSERT OR UPDATE OF "content_object_id"', pgid='pgtrigger_sharer_is_the_holder_d04f6', table='sharing_protocols_communitygroupshare', when='BEFORE'))),
    pgtrigger.migrations.AddTrigger(model_name='concernshare', trigger=pgtrigger.compiler.Trigger(name='sharer_is_the_holder', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.sharing_organisation_id := (SELECT organisation_id FROM "partners_concern" WHERE id = NEW.content_object_id); RETURN NEW;', hash='5102378a1e84c218050e0ee55e9e1b944666f0f5', operation='INSERT OR UPDATE OF "content_object_id"', pgid='pgtrigger_sharer_is_the_holder_9ccda', table='sharing_protocols_concernshare', when='BEFORE'))),
    pgtrigger.migrations.AddTrigger(model_name='contactshare', trigger=pgtrigger.compiler.Trigger(name='sharer_is_the_holder', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.sharing_organisation_id := (SELECT organisation_id FROM "crm_contact" WHERE id = NEW.content_object_id); RETURN NEW;', hash='d893595d58159cb8c97a4f57cd6ecec44fa6b0eb', operation='INSERT OR UPDATE OF "content_object_id"', pgid='pgtrigger_sharer_is_the_holder_d6f8f', table='sharing_protocols_contactshare', when='BEFORE'))),
    pgtrigger.migrations.AddTrigger(model_name='engagementshare', trigger=pgtrigger.compiler.Trigger(name='sharer_is_the_holder', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.sharing_organisation_id := (SELECT organisation_id FROM "crm_engagement" WHERE id = NEW.content_object_id); RETURN NEW;', hash='075f14cc3b2ab157178f90b50928b62895aed84c', operation='INSERT OR UPDATE OF "content_object_id"', pgid='pgtrigger_sharer_is_the_holder_d3670', table='sharing_protocols_engagementshare', when='BEFORE'))),
    pgtrigger.migrations.AddTrigger(model_name='priorityshare', trigger=pgtrigger.compiler.Trigger(name='sharer_is_the_holder', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.sharing_organisation_id := (SELECT organisation_id FROM "crm_priority" WHERE id = NEW.content_object_id); RETURN NEW;', hash='01c3c6cf25a6138f86435f2f624a36187a50cf30', operation='INSERT OR UPDATE OF "content_object_id"', pgid='pgtrigger_sharer_is_the_holder_0db47', table='sharing_protocols_priorityshare', when='BEFORE'))),
]
# Run by `migrate` in the named system context "migrations" (row_security/management/commands/migrate.py): every record is read.
FILLED = [migrations.RunSQL(f'UPDATE "sharing_protocols_{model}" s SET sharing_organisation_id = r.organisation_id '
                            f'FROM "{table}" r WHERE r.id = s.content_object_id', migrations.RunSQL.noop)
          for model, table in SHARED.items()]
REQUIRED = [migrations.AlterField(model_name=model, name="sharing_organisation", field=_organisation()) for model in SHARED]


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0010_personal_visible_functions"),
        ("sharing_protocols", "0005_social_media_category"),
    ]

    operations = [*ADDED, *TRIGGERS, *FILLED, *REQUIRED]
