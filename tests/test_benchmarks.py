"""Every benchmark still runs: each one once, at its tiny scale (`--tiny`), as a subprocess, as a developer runs it.

A smoke run, not a measurement: the figures of a tiny run mean nothing (bench/README.md has the full
commands and their figures). It fails when a benchmark no longer starts, imports or finishes, so that
the benchmarks cannot rot between full runs by hand.
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from engagement_hub.env import env_int, env_str
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.benchmark_smoke

BENCH = PROJECT_ROOT / "bench"
# Longest first, so that the two at a time finish together (each uses its own database and, for load.py, its own cluster).
TINY_RUNS = ["load.py", "concern_intake.py", "concern_assign.py", "digital.py", "digital_text.py", "report_build.py", "concern_import.py", "visibility.py", "retention.py"]
AT_ONCE = 2  # the CI machine's two cores: a tiny run mostly waits on one process and its database
# Benchmarks whose reduced run is a test of its own rather than a --tiny run here: the fault run starts a whole
# cluster, so CI runs its reduced version (two faults, small load) once, in the cluster tests.
REDUCED_ELSEWHERE = {"faults.py": "tests/cluster/test_faults.py"}
DOCUMENTED = re.compile(r"^\.venv/bin/python (bench/\S+\.py)", re.MULTILINE)


def database_prefix() -> str:
    # Beside this run's own test database, so that two suites on one PostgreSQL never drop each other's.
    return re.sub(r"\W", "_", f"{env_str('HUB_DB_NAME', 'engagement_hub')}_benchsmoke")


def admin_connection():
    return psycopg.connect(dbname="postgres", user=env_str("HUB_DB_USER", "engagement_hub"),
                           password=env_str("HUB_DB_PASSWORD", "engagement_hub_local"),
                           host=env_str("HUB_DB_HOST", "127.0.0.1"), port=env_int("HUB_DB_PORT", 5432), autocommit=True)


def drop_databases(prefix: str) -> None:
    with admin_connection() as connection:
        names = [row[0] for row in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])]
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_environment(prefix: str, template: str | None) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "HUB_DB_NAME"}}
    env["HUB_BENCH_DB_PREFIX"] = prefix
    if template:
        env["HUB_BENCH_TEMPLATE"] = template
    return env


@pytest.fixture(scope="module")
def migrated_template():
    """One migrated copy of the PostGIS template that every benchmark copies, so that the migrations run once, not five times."""
    prefix = database_prefix()
    template = f"{prefix}_template"
    drop_databases(prefix)
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{template}" TEMPLATE "{env_str("HUB_DB_TEMPLATE", "engagement_hub_template")}"')
    env = {**bench_environment(prefix, None), "HUB_DB_NAME": template, "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.local"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT_ROOT, env=env, check=True, timeout=600)
    yield prefix, template
    drop_databases(prefix)


def tiny_run(script: str, prefix: str, template: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, f"bench/{script}", "--tiny"], cwd=PROJECT_ROOT, env=bench_environment(prefix, template),
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def tiny_runs(request, migrated_template):
    """Every tiny run this session asks for, started at once, two at a time: one after another they took over four
    minutes of CI."""
    prefix, template = migrated_template
    asked = {item.callspec.params["script"] for item in request.session.items
             if item.module is request.module and hasattr(item, "callspec")}
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        yield {script: pool.submit(tiny_run, script, prefix, template) for script in TINY_RUNS if script in asked}


@pytest.mark.parametrize("script", TINY_RUNS)
def test_the_benchmark_runs_at_tiny_scale_and_ends_with_its_goal_lines(script, tiny_runs):
    result = tiny_runs[script].result()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Tiny run" in result.stdout
    assert re.search(r"^GOAL .+: measured .+ (MET|NOT MET)$", result.stdout, re.MULTILINE), output[-4000:]


def test_every_benchmark_in_the_readme_exists_and_is_run_here():
    documented = set(DOCUMENTED.findall((BENCH / "README.md").read_text()))
    assert documented, "bench/README.md documents no command"
    for path in documented:
        assert (PROJECT_ROOT / path).is_file(), f"bench/README.md runs {path}, which does not exist"
    for script, test in REDUCED_ELSEWHERE.items():
        assert (PROJECT_ROOT / test).is_file(), f"bench/{script}'s reduced run, {test}, does not exist"
    assert {f"bench/{script}" for script in [*TINY_RUNS, *REDUCED_ELSEWHERE]} == documented
