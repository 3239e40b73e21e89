"""A warning a production DBA cannot miss: the set-up step that lets spatial filters on protected tables use their
indexes (row_security/leakproof.sql, README "Deployment") was skipped, or undone by a PostGIS upgrade or a restore.
Tagged `database`: `migrate` runs it (so does `manage.py check --database default`)."""
from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, connections

from row_security import leakproof

NOT_LEAKPROOF = "row_security.W001"


@checks.register(checks.Tags.database)
def postgis_functions_are_leakproof(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    found = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            with connection.cursor() as cursor:
                missing = leakproof.missing(cursor)
        except DatabaseError:
            continue  # no database yet: the connection checks say so
        if missing:
            found.append(warning(connection.settings_dict["NAME"], missing))
    return found


def warning(database: str, missing: list[str]) -> checks.Warning:
    return checks.Warning(
        f"In the database {database!r}, PostGIS's {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not marked "
        "LEAKPROOF, so PostgreSQL cannot use the spatial indexes on the tables row-level security protects: every map "
        "area, placing of concerns and near-duplicate search reads the whole table and becomes very slow.",
        hint="A database superuser must run row_security/leakproof.sql in this database (for example "
             f"`sudo -u postgres psql -d {database} -f row_security/leakproof.sql`), and again after every PostGIS "
             "upgrade or restore; scripts/hub does it at set-up. See the README, Deployment.",
        id=NOT_LEAKPROOF,
    )
