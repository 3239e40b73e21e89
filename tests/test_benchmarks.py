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


def migrated_template(prefix: str) -> str:
    """One migrated copy of the PostGIS template that every benchmark copies, so that the migrations run once, not nine times."""
    template = f"{prefix}_template"
    drop_databases(prefix)
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{template}" TEMPLATE "{env_str("HUB_DB_TEMPLATE", "engagement_hub_template")}"')
    env = {**bench_environment(prefix, None), "HUB_DB_NAME": template, "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.local"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT_ROOT, env=env, check=True, timeout=600)
    return template


def tiny_run(script: str, prefix: str, template) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, f"bench/{script}", "--tiny"], cwd=PROJECT_ROOT, env=bench_environment(prefix, template.result()),
                          capture_output=True, text=True, timeout=600)


class TinyRuns:
    """The session's tiny runs, started in the background as soon as the tests are collected.

    Each tiny run is a subprocess that mostly keeps one core and its own database busy; the rest of the suite is
    one pytest process. Started at collection, one at a time, they run on the second core beside the suite (one after
    another at the end they took over four minutes of CI); once this module is reached, the ones not yet started
    run two at a time.
    """

    def __init__(self, scripts: list[str]):
        self.prefix = database_prefix()
        self.background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiny-run")
        self.template = self.background.submit(migrated_template, self.prefix)
        self.runs = {script: self.background.submit(tiny_run, script, self.prefix, self.template) for script in scripts}
        self.rest = None

    def hurry(self) -> None:
        """The suite has reached the benchmarks: what has not started yet runs two at a time."""
        if self.rest is not None:
            return
        self.rest = ThreadPoolExecutor(max_workers=AT_ONCE, thread_name_prefix="tiny-run-rest")
        for script, future in list(self.runs.items()):
            if future.cancel():
                self.runs[script] = self.rest.submit(tiny_run, script, self.prefix, self.template)

    def finish(self) -> None:
        for pool in (self.background, self.rest):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        drop_databases(self.prefix)


_started: TinyRuns | None = None


def start_tiny_runs(items) -> None:
    """Called by tests/conftest.py once the session's tests are collected."""
    global _started
    asked = {item.callspec.params["script"] for item in items
             if item.nodeid.startswith("tests/test_benchmarks.py::") and hasattr(item, "callspec")}
    if asked and _started is None:
        _started = TinyRuns([script for script in TINY_RUNS if script in asked])


def migrated_template_for_tests() -> str | None:
    """The tiny runs' migrated template, waited for, for the test database to be copied from: the migrations then run
    once a session rather than twice side by side (both on the CI machine's two cores at the start of the suite).
    None when this session runs no benchmark, or its template could not be made (the test database then migrates)."""
    if _started is None:
        return None
    try:
        return _started.template.result()
    except Exception:  # noqa: BLE001 -- its own test reports the failure; the test database is made the usual way
        return None


def finish_tiny_runs() -> None:
    global _started
    if _started is not None:
        _started.finish()
        _started = None


@pytest.fixture(scope="module")
def tiny_runs(request):
    if _started is None:  # collected some other way than through tests/conftest.py
        start_tiny_runs(request.session.items)
    _started.hurry()
    return _started.runs


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
