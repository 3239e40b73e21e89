"""`migrate`, in the named system context "migrations": data migrations see and change every row."""
from django.core.management.commands.migrate import Command as MigrateCommand

from row_security.context import system_context


class Command(MigrateCommand):
    def handle(self, *args, **options):
        # Audited at the end: on a new database the audit table does not exist until the migrations made it.
        with system_context("migrations", audit=False):
            result = super().handle(*args, **options)
        _audit_migrations(options.get("database") or "default")
        return result


def _audit_migrations(database: str) -> None:
    from django.db import connections

    from row_security.context import _audit

    if "crm_auditevent" in connections[database].introspection.table_names():
        with system_context("migrations", audit=False):
            _audit("migrations")
