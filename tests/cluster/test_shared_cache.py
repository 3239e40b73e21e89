"""Django's cache is the hub's Redis, shared by every process (cluster/redis_cache.py): the public question form's
limit per address is one limit however many web nodes answer, and behind Sentinel the cache finds the master."""
import json
import os
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.db import connection

from cluster.redis_cache import SentinelMasterPool, cache_forget_all, redis_cache
from digital.services import QUESTIONS_PER_ADDRESS_PER_HOUR
from tests.conftest import PROJECT_ROOT
from tests.jobs.conftest import RedisServer, free_port
from tests.publication.conftest import force_area, hindpool, upcoming_meeting  # noqa: F401 (fixtures)

# One web node: send three questions from one address, print what became of each.
WEB_NODE = """
import json, sys
import django
django.setup()
from django.core.exceptions import ValidationError
from crm.models import Engagement
from digital.services import question_send
from row_security.context import system_context

outcomes = []
with system_context("test: one web node of two"):
    meeting = Engagement.objects.get(pk=int(sys.argv[1]))
    for number in range(3):
        try:
            question_send(meeting=meeting, question=f"Question {number} about parking", client_address="203.0.113.7")
            outcomes.append("kept")
        except ValidationError:
            outcomes.append("refused")
print(json.dumps(outcomes))
"""


@pytest.fixture
def empty_cache():
    cache_forget_all()
    yield
    cache_forget_all()


def web_node(meeting_id: int) -> list[str]:
    env = {**os.environ, "HUB_DB_NAME": connection.settings_dict["NAME"], "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.test"}
    done = subprocess.run([sys.executable, "-c", WEB_NODE, str(meeting_id)], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_two_web_nodes_share_the_question_limit_per_address(hindpool, empty_cache):
    meeting = upcoming_meeting(hindpool)
    first, second = web_node(meeting.pk), web_node(meeting.pk)
    assert QUESTIONS_PER_ADDRESS_PER_HOUR == 5
    assert first == ["kept", "kept", "kept"]
    assert second == ["kept", "kept", "refused"]  # a process of its own would have kept all three


def test_the_cache_is_redis_under_the_hubs_own_prefix_and_forgetting_leaves_other_keys(empty_cache):
    cache.set("probe", "kept", 60)
    raw = cache._cache.get_client(write=True)
    raw.set("_kombu.binding.probe", "a broker key")
    try:
        assert cache.get("probe") == "kept" and raw.exists(cache.make_key("probe"))
        assert cache_forget_all() >= 1
        assert cache.get("probe") is None and raw.get("_kombu.binding.probe") == b"a broker key"
    finally:
        raw.delete("_kombu.binding.probe")


def test_behind_sentinel_the_cache_uses_the_master_the_sentinels_name(tmp_path, monkeypatch):
    master = RedisServer(port=free_port(), folder=tmp_path)
    master.start()
    sentinel_port = free_port()
    (tmp_path / "sentinel.conf").write_text(f"port {sentinel_port}\nbind 127.0.0.1\nsentinel monitor hub-cache-test 127.0.0.1 {master.port} 1\n")
    sentinel = subprocess.Popen(["redis-server", str(tmp_path / "sentinel.conf"), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        monkeypatch.setenv("HUB_REDIS_SENTINEL_MASTER", "hub-cache-test")
        url = f"sentinel://127.0.0.1:{sentinel_port}/3"
        entry = redis_cache(url)
        assert entry["LOCATION"] == [url] and entry["OPTIONS"]["master_name"] == "hub-cache-test"
        from django.core.cache.backends.redis import RedisCache

        options = {k: v for k, v in entry["OPTIONS"].items()}
        sentinel_cache = RedisCache(entry["LOCATION"], {"KEY_PREFIX": "hub-cache", "OPTIONS": options})
        deadline = time.monotonic() + 10
        while True:
            try:
                sentinel_cache.set("limit", 4, 60)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert sentinel_cache.incr("limit") == 5
        import redis

        assert redis.Redis(port=master.port, db=3).get(":".join(["hub-cache", "1", "limit"])) == b"5"
        assert SentinelMasterPool.from_url(url, master_name="hub-cache-test").service_name == "hub-cache-test"
    finally:
        sentinel.terminate()
        sentinel.wait(timeout=10)
        master.stop()
