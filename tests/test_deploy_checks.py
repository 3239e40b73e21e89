"""Production settings pass Django's deployment checks, and refuse to start without a secret key."""
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def production_environment(**overrides) -> dict:
    # As on a server: none of the test run's own switches (such as DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HUB_", "DJANGO_"))}
    return {**env, "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.production", **overrides}


def run_manage(*args, env_overrides):
    env = production_environment(**env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy_at_warning_level():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides={"HUB_SECRET_KEY": "x7$k2!q9" * 8, "HUB_ALLOWED_HOSTS": "hub.example.police.uk"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage("check", env_overrides={})
    assert result.returncode != 0
    assert "Set the environment variable HUB_SECRET_KEY." in result.stderr


def test_the_gdal_warning_is_silenced_with_its_reason():
    settings_text = (PROJECT_ROOT / "engagement_hub/settings/base.py").read_text()
    silenced_at = settings_text.index('"gis.W001"')
    reason = settings_text[settings_text.rindex("SILENCED_SYSTEM_CHECKS", 0, silenced_at):silenced_at]
    assert "never takes a spatial reference from a user" in reason
