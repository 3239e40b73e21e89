"""The hub as `scripts/hub start` serves it: a real gunicorn (engagement_hub/gunicorn_conf.py), DEBUG off, a secret key
of its own from var/, static files from collectstatic, and no API key in any log line."""
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
import pytest
from django.db import connection

from tests.conftest import PROJECT_ROOT

SECRET_KEY_FUNCTION = "sed -n '/^ensure_secret_key()/,/^}/p' scripts/hub"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_environment(tmp_path, **overrides) -> dict:
    # As scripts/hub start sets it: the local settings with DEBUG off and the secret key from a file.
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    key_file = tmp_path / "secret_key"
    if not key_file.exists():
        key_file.write_text("a-served-hub-key-" + "k" * 50)
        key_file.chmod(0o600)
    return {**env, "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.local", "HUB_DEBUG": "0",
            "HUB_SECRET_KEY_FILE": str(key_file), "HUB_STATIC_ROOT": str(tmp_path / "static"), **overrides}


def test_the_start_script_makes_a_secret_key_once_readable_only_by_its_owner(tmp_path):
    script = f"set -euo pipefail; eval \"$({SECRET_KEY_FUNCTION})\"; say() {{ :; }}; VAR={tmp_path}/var; PY={sys.executable}; " \
             "ensure_secret_key; echo \"$HUB_SECRET_KEY_FILE\""
    first = subprocess.run(["bash", "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    key_file = tmp_path / "var" / "secret_key"
    assert first.stdout.strip() == str(key_file)
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    key = key_file.read_text().strip()
    assert len(key) >= 64
    subprocess.run(["bash", "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert key_file.read_text().strip() == key  # kept: sessions survive a restart


def test_the_served_settings_have_debug_off_and_read_the_key_file(tmp_path):
    show = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    served = subprocess.run([sys.executable, "-c", show], cwd=PROJECT_ROOT, env=served_environment(tmp_path), capture_output=True, text=True, check=True)
    assert served.stdout.split()[-2:] == ["False", "a-served-hub-key-" + "k" * 50]
    asked = subprocess.run([sys.executable, "-c", show], cwd=PROJECT_ROOT, env=served_environment(tmp_path, HUB_DEBUG="1"),
                           capture_output=True, text=True, check=True)
    assert asked.stdout.split()[-2] == "True"  # a developer who asks still has the debug pages


@contextmanager
def gunicorn(env: dict, folder):
    """A real gunicorn on a free port, as scripts/hub starts it; yields its address and a reader of its output."""
    port = free_port()
    with open(folder / "web.out", "w") as out, open(folder / "web.err", "w") as err:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "engagement_hub/gunicorn_conf.py", "engagement_hub.wsgi:application",
                                   "--bind", f"127.0.0.1:{port}"], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err)
    base = f"http://127.0.0.1:{port}"

    def logs() -> str:
        time.sleep(0.5)  # the worker writes its access line just after the response
        return (folder / "web.out").read_text() + (folder / "web.err").read_text()

    try:
        for _ in range(120):
            try:
                httpx.get(f"{base}/accounts/login/", timeout=2)
                break
            except httpx.TransportError:
                pass
            assert server.poll() is None, logs()
            time.sleep(0.5)
        else:
            pytest.fail("gunicorn did not answer: " + logs())
        yield base, logs
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def served_environment_with_static(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("served")
    env = served_environment(tmp_path, HUB_WEB_WORKERS="1", HUB_WEB_THREADS="2",
                             HUB_REDIS_URL=os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    # collectstatic with the tests' plain storage (a copy, no compression: seconds, not minutes); served as scripts/hub serves it.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=PROJECT_ROOT,
                   env={**env, "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.test"}, check=True, timeout=300)
    return env, tmp_path


@pytest.fixture(scope="module")
def served_hub(served_environment_with_static, django_db_setup, django_db_blocker):
    """The served hub on the test database (one for the module)."""
    env, tmp_path = served_environment_with_static
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
    with gunicorn({**env, "HUB_DB_NAME": database}, tmp_path) as served:
        yield served


@pytest.mark.django_db  # the marker has the test database made for the server
def test_an_api_key_in_the_query_string_never_reaches_the_logs(served_hub):
    base, logs = served_hub
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/open311/v2/requests.json", params={"api_key": "SECRET-one", "status": "open"})
        client.get("/open311/v2/services.json?api%5Fkey=SECRET-two")  # the name percent-encoded
        client.post("/open311/v2/requests.json?api_key=SECRET-three", data={"service_code": "x"})
        client.get("/no-such-page/?api_key=SECRET-four")
        client.get("/open311/v2/requests.json?api_key=SECRET-five%00")
    written = logs()
    assert "SECRET" not in written, [line for line in written.splitlines() if "SECRET" in line]
    assert "/open311/v2/requests.json?api_key=[redacted]&status=open" in written  # the request is logged, its key is not
    assert "/no-such-page/?api_key=[redacted]" in written


@pytest.mark.django_db
def test_debug_is_off_and_static_files_are_served(served_hub):
    base, logs = served_hub
    missing = httpx.get(f"{base}/no-such-page/", timeout=30)
    assert missing.status_code == 404
    assert "URLconf" not in missing.text and "DEBUG = True" not in missing.text  # no debug page
    for asset in ("/static/build/hub.css", "/static/hub/js-enabled.js", "/static/leaflet/leaflet.js", "/static/govuk/govuk-frontend.min.js"):
        served = httpx.get(f"{base}{asset}", timeout=30)
        assert served.status_code == 200, asset
    assert "Content-Security-Policy" in httpx.get(f"{base}/accounts/login/", timeout=30).headers


def test_with_the_database_unreachable_the_hub_answers_503_and_says_to_try_again(served_environment_with_static, tmp_path):
    env, _ = served_environment_with_static
    with gunicorn({**env, "HUB_DB_PORT": str(free_port())}, tmp_path) as (base, logs):  # nothing listens there
        for path in ("/healthz", "/api/forces", "/your-area/"):
            answer = httpx.get(f"{base}{path}", timeout=30)
            assert answer.status_code == 503, (path, answer.status_code)
            assert answer.headers["Retry-After"] == "10"
            assert "Try again in a few seconds" in answer.text
