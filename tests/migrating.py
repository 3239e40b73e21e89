"""Tests of a data migration: move the schema back to just before it, write rows as they were, move forward, check.

Moving an app back also unapplies every later migration that depends on it, in any app, so each such test ends
by migrating the whole project forward again (`back_to_the_latest_schema`): otherwise the tests after it would
run on a database missing columns (a 500 in an unrelated test, found only in a whole run)."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` and return the app registry as it was there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
