"""The systemd units in deploy/systemd: every service runs as the engagement-hub user with the environment
file, systemd itself accepts them, they start what `scripts/hub start` starts, and the example environment
file gives production settings that pass `check --deploy`."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.test_deploy_checks import production_environment

UNITS = PROJECT_ROOT / "deploy" / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))


def directives(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def example_environment() -> dict[str, str]:
    lines = (UNITS / "hub.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_there_is_a_unit_for_the_web_server_each_worker_and_beat():
    assert [unit.name for unit in SERVICES] == ["engagement-hub-beat.service", "engagement-hub-reports-worker.service",
                                                "engagement-hub-web.service", "engagement-hub-worker.service"]


@pytest.mark.parametrize("unit", SERVICES, ids=lambda unit: unit.stem)
def test_each_service_runs_as_the_service_user_with_the_environment_file(unit):
    found = directives(unit)
    assert found["User"] == ["engagement-hub"] and found["Group"] == ["engagement-hub"]
    assert found["EnvironmentFile"] == ["/etc/engagement-hub/hub.env"]
    assert found["NoNewPrivileges"] == ["yes"] and found["ProtectSystem"] == ["strict"]
    assert "engagement-hub " in (UNITS / "engagement-hub.sysusers").read_text()  # the user the units name is made
    # Every variable a command line uses is in the example environment file.
    used = set(re.findall(r"\$\{(\w+)\}", found["ExecStart"][0]))
    assert used <= set(example_environment()), used - set(example_environment())


def test_the_workers_take_the_queues_scripts_hub_start_gives_them():
    script = (PROJECT_ROOT / "scripts" / "hub").read_text()
    assert "-Q reports" in script and "-Q reports" in directives(UNITS / "engagement-hub-reports-worker.service")["ExecStart"][0]
    assert "-Q" not in directives(UNITS / "engagement-hub-worker.service")["ExecStart"][0]  # the general worker: every other queue


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    # As installed: /opt/engagement-hub is this checkout, whose .venv holds gunicorn and celery.
    for unit in UNITS.glob("engagement-hub*.*"):
        if unit.suffix in (".service", ".target"):
            (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/engagement-hub", str(PROJECT_ROOT)))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(str(path) for path in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "engagement-hub" in line]
    assert result.returncode == 0 and problems == [], result.stdout + result.stderr


def test_the_example_environment_passes_check_deploy(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("x7$k2!q9" * 8)
    s3_secret = tmp_path / "s3_secret"
    s3_secret.write_text("s3-secret")
    env = production_environment(**{**example_environment(), "HUB_SECRET_KEY_FILE": str(secret),
                                     "HUB_S3_SECRET_ACCESS_KEY_FILE": str(s3_secret)})
    # One start of Django: the deployment checks, then which storages the file's settings chose.
    script = ("from django.core.management import call_command; call_command('check', '--deploy', '--fail-level', 'WARNING'); "
              "from django.core.files.storage import storages; "
              "print(type(storages['default']).__name__, storages['default'].bucket_name, storages['open_data'].location)")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr
    assert result.stdout.split()[-3:] == ["S3Storage", "engagement-hub-files", "open-data"], result.stdout
