"""Production settings pass Django's deployment checks, and refuse to start without a secret key."""
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def production_environment(**overrides) -> dict:
    # As on a server: none of the test run's own switches (such as DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HUB_", "DJANGO_"))}
    return {**env, "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.production", **overrides}


LIVE_SECRETS = {"HUB_SECRET_KEY": "x7$k2!q9" * 8, "HUB_DB_PASSWORD": "a-real-password", "HUB_ALLOWED_HOSTS": "hub.example.police.uk"}


def run_manage(*args, env_overrides):
    env = production_environment(**env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy_at_warning_level():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides=LIVE_SECRETS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage("check", env_overrides={})
    assert result.returncode != 0
    assert "Set the environment variable HUB_SECRET_KEY." in result.stderr



def test_production_settings_refuse_the_development_database_password():
    without_password = {key: value for key, value in LIVE_SECRETS.items() if key != "HUB_DB_PASSWORD"}
    result = run_manage("check", env_overrides=without_password)
    assert result.returncode != 0
    assert "Set the environment variable HUB_DB_PASSWORD." in result.stderr
