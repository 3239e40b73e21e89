"""A real PostgreSQL primary and streaming hot standby (cluster/postgres.py), started once for the module that
asks for them, with the hub's schema migrated into the primary; Django's default database points at the primary
and a `standby` alias at the standby for as long as the module runs, then both are put back and thrown away."""
import os
import secrets
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections

from cluster import postgres
from crm.vocabulary_seed import seed_vocabularies
from read_routing.config import STANDBY

DATABASE, ROLE = "hub_routing", "hub_routing"


def _copy_schema(primary, password) -> None:
    """Copy the schema of the session's test database (already migrated) and its migration history into the
    pair's database: a few seconds, where migrating from nothing takes a minute and more."""
    source = connections["default"].settings_dict
    dump = [str(postgres.PG_BIN / "pg_dump"), "-h", source["HOST"], "-p", str(source["PORT"]), "-U", source["USER"],
            "-d", source["NAME"], "--no-owner", "--no-privileges", "--no-comments"]
    environment = {**os.environ, "PGPASSWORD": source["PASSWORD"]}
    schema = subprocess.run([*dump, "--schema-only"], env=environment, capture_output=True, check=True, timeout=120).stdout
    history = subprocess.run([*dump, "--data-only", "--table=django_migrations"], env=environment, capture_output=True,
                             check=True, timeout=60).stdout
    subprocess.run([str(postgres.PG_BIN / "psql"), "-h", primary.host, "-p", str(primary.port), "-U", ROLE, "-d", DATABASE,
                    "-v", "ON_ERROR_STOP=1", "-q"], input=schema + history, env={**os.environ, "PGPASSWORD": password},
                   capture_output=True, check=True, timeout=120)


def _point_default_at(server, password) -> dict:
    """Point the default connection at `server`; the settings it had, to put back."""
    default = connections["default"]
    default.close()
    before = dict(default.settings_dict)
    default.settings_dict.update(NAME=DATABASE, USER=ROLE, PASSWORD=password, HOST=server.host, PORT=server.port)
    return before


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker):
    """(primary, standby), running, with the hub's schema; the default and standby aliases point at them."""
    folder = Path(tempfile.mkdtemp(prefix="hub-routing-"))
    password = secrets.token_urlsafe(18)
    primary = standby = before = None
    try:
        primary, standby = postgres.start_pair(folder, database=DATABASE, owner=ROLE, password=password)
        with django_db_blocker.unblock():
            # The session's test database exists when any test collected with this module uses one (always in CI).
            migrated = connections["default"].settings_dict["NAME"].startswith("test_")
            if migrated:
                _copy_schema(primary, password)
            before = _point_default_at(primary, password)
            connections.settings[STANDBY] = {**connections["default"].settings_dict, "PORT": standby.port,
                                             "TEST": {"MIRROR": "default"}}
            if migrated:  # nothing to apply: what migrate does after applying (content types, permissions)
                emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
            else:
                call_command("migrate", verbosity=0, interactive=False)
            seed_vocabularies(apps)
            standby.wait_for_replay(primary.current_wal_lsn())
            yield primary, standby
    finally:
        if before is not None:
            connections["default"].close()
            connections["default"].settings_dict.clear()
            connections["default"].settings_dict.update(before)
        if STANDBY in connections.settings:
            connections[STANDBY].close()
            del connections.settings[STANDBY]
            if hasattr(connections._connections, STANDBY):
                delattr(connections._connections, STANDBY)
        postgres.remove(folder, standby, primary)


@pytest.fixture
def database(pair, django_db_blocker):
    """Database access for a test on the pair (committed writes: replication needs them)."""
    with django_db_blocker.unblock():
        yield pair
