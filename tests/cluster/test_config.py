"""The settings a cluster reads (cluster/config.py): Redis behind Sentinel and PgBouncer in transaction mode."""
import pytest
from django.core.exceptions import ImproperlyConfigured

from cluster.config import sentinel_master, transaction_pooling

SENTINELS = "sentinel://127.0.0.1:26379/0;sentinel://127.0.0.1:26380/0"


def test_a_sentinel_broker_names_its_master(monkeypatch):
    monkeypatch.setenv("HUB_REDIS_SENTINEL_MASTER", "hub-broker")
    assert sentinel_master(SENTINELS) == {"master_name": "hub-broker"}


def test_a_plain_redis_broker_needs_no_master_name(monkeypatch):
    monkeypatch.delenv("HUB_REDIS_SENTINEL_MASTER", raising=False)
    assert sentinel_master("redis://127.0.0.1:6379/0") == {}


def test_sentinels_without_a_master_name_are_refused_with_a_clear_message(monkeypatch):
    monkeypatch.delenv("HUB_REDIS_SENTINEL_MASTER", raising=False)
    with pytest.raises(ImproperlyConfigured, match="set HUB_REDIS_SENTINEL_MASTER"):
        sentinel_master(SENTINELS)


def test_a_master_name_without_sentinels_is_refused(monkeypatch):
    monkeypatch.setenv("HUB_REDIS_SENTINEL_MASTER", "hub-broker")
    with pytest.raises(ImproperlyConfigured, match="not a sentinel:// address"):
        sentinel_master("redis://127.0.0.1:6379/0")


@pytest.mark.parametrize(("value", "pooled"), [("true", True), ("0", False)])
def test_transaction_pooling_is_read_from_the_environment(monkeypatch, value, pooled):
    monkeypatch.setenv("HUB_DB_TRANSACTION_POOLING", value)
    assert transaction_pooling() is pooled


def test_transaction_pooling_is_off_by_default_so_one_machine_keeps_server_side_cursors(settings):
    assert settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False
