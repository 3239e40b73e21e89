"""What every benchmark shares: a database of its own, copied from the PostGIS template as the tests' are,
and a tiny mode that runs the same code on a few rows in seconds (tests/test_benchmarks.py runs it in CI,
so a benchmark that no longer runs fails the build; its figures mean nothing)."""
from __future__ import annotations

import argparse
import os

DEFAULT_PREFIX = "engagement_hub_bench"


def bench_database_name(purpose: str) -> str:
    """The benchmark's own database: `engagement_hub_bench_<purpose>`, or under HUB_BENCH_DB_PREFIX when
    several runs share one PostgreSQL (two worktrees, or CI beside a developer) and must not drop each other's."""
    return f"{os.environ.get('HUB_BENCH_DB_PREFIX') or DEFAULT_PREFIX}_{purpose}"


def recreate_database(name: str) -> None:
    """Drop and recreate the database `name` from the PostGIS template (never the development database).
    HUB_BENCH_TEMPLATE names another template, such as an already-migrated copy (the CI test's, to save the
    migrations' time on every benchmark)."""
    import psycopg

    from engagement_hub.env import env_int, env_str

    params = dict(dbname="postgres", user=env_str("HUB_DB_USER", "engagement_hub"), password=env_str("HUB_DB_PASSWORD", "engagement_hub_local"),
                  host=env_str("HUB_DB_HOST", "127.0.0.1"), port=env_int("HUB_DB_PORT", 5432), autocommit=True)
    template = os.environ.get("HUB_BENCH_TEMPLATE") or env_str("HUB_DB_TEMPLATE", "engagement_hub_template")
    with psycopg.connect(**params) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def add_tiny_mode(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tiny", action="store_true",
                        help="run once on a few rows, in seconds, to check that the benchmark still works (the figures mean nothing)")


def parse_with_tiny_mode(parser: argparse.ArgumentParser, **tiny) -> argparse.Namespace:
    """Parse the arguments; with --tiny, each option in `tiny` that was left at its default takes the tiny value."""
    add_tiny_mode(parser)
    arguments = parser.parse_args()
    if arguments.tiny:
        for option, value in tiny.items():
            if getattr(arguments, option) == parser.get_default(option):
                setattr(arguments, option, value)
        print(f"Tiny run ({', '.join(f'{option}={value}' for option, value in tiny.items())}): checks the benchmark runs; "
              "its figures and GOAL lines mean nothing.", flush=True)
    return arguments


def system_work(name: str) -> None:
    """For the rest of this process, read and write as the named system work row-level security allows (every
    row): building a benchmark's data spans organisations. Its timed paths still go through `visible_to`, so
    they filter as before; where a benchmark times the database's own policies too, it enters the reader's
    context around the timed step (bench/visibility.py, bench/digital.py)."""
    from row_security.context import Context, _current

    _current.set(Context("system", name=name))
