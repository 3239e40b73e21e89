"""`migrate`, in the named system context "migrations": data migrations see and change every row."""
from django.core.management.commands.migrate import Command as MigrateCommand

from row_security.context import system_context


class Command(MigrateCommand):
    def handle(self, *args, **options):
        # Audited at the end: on a new database the audit table does not exist until the migrations made it.
        database = options.get("database") or "default"
        before = _applied(database)
        with system_context("migrations", audit=False):
            result = super().handle(*args, **options)
        if _applied(database) != before:  # a migrate with nothing to apply read and changed nothing: no record
            _audit_migrations(database)
        return result


def _applied(database: str) -> set:
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    return set(MigrationRecorder(connections[database]).applied_migrations())


def _audit_migrations(database: str) -> None:
    from django.db import connections

    from row_security.context import _audit

    if "crm_auditevent" in connections[database].introspection.table_names():
        with system_context("migrations", audit=False):
            _audit("migrations")
