"""What a production DBA cannot miss about the database the hub runs on:

- an error if the hub's role is a superuser or has BYPASSRLS: PostgreSQL then skips every row-level security policy,
  even on tables with FORCE ROW LEVEL SECURITY, and the second lock on sensitive rows is gone without a sign;
- a warning if the set-up step that lets spatial filters on protected tables use their indexes
  (row_security/leakproof.sql, README "Deployment") was skipped, or undone by a PostGIS upgrade or a restore.

Tagged `database`: `migrate` runs them (so does `manage.py check --database default`)."""
from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, connections

from row_security import leakproof

NOT_LEAKPROOF = "row_security.W001"
BYPASSES_ROW_SECURITY = "row_security.E001"


def each_postgresql_database(databases, read):
    """(database name, what `read(cursor)` answers) for each PostgreSQL database the check is asked about; one not
    there yet is left to the connection checks."""
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            with connection.cursor() as cursor:
                answer = read(cursor)
        except DatabaseError:
            continue
        yield connection.settings_dict["NAME"], answer


def _role(cursor) -> tuple[str, bool, bool]:
    cursor.execute("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    return cursor.fetchone()


@checks.register(checks.Tags.database)
def the_hub_role_cannot_bypass_row_security(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    return [bypass_error(database, role, superuser=superuser)
            for database, (role, superuser, bypasses) in each_postgresql_database(databases, _role) if superuser or bypasses]


@checks.register(checks.Tags.database)
def postgis_functions_are_leakproof(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    return [warning(database, missing) for database, missing in each_postgresql_database(databases, leakproof.missing) if missing]


def bypass_error(database: str, role: str, *, superuser: bool) -> checks.Error:
    return checks.Error(
        f"The hub connects to the database {database!r} as {role!r}, which "
        f"{'is a superuser' if superuser else 'has BYPASSRLS'}: PostgreSQL ignores every row-level security "
        "policy for it, so nothing in the database stops a read that forgets visible_to.",
        hint=f"Connect as a role made with NOSUPERUSER NOBYPASSRLS (scripts/hub makes one), or run "
             f"`ALTER ROLE {role} NOSUPERUSER NOBYPASSRLS` as a database superuser. See the README, Deployment.",
        id=BYPASSES_ROW_SECURITY,
    )


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
