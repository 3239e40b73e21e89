"""Django's cache on the hub's Redis (settings.CACHES), shared by every web node and worker, so a limit kept in
it (the public question form's few per address per hour) is one limit for the whole hub, not one per process.

It uses the broker's Redis under its own key prefix. Behind Sentinel (HUB_REDIS_URL=sentinel://…;sentinel://…/0,
cluster/config.py) Django's RedisCache is given `SentinelMasterPool`, which asks the Sentinels for the master,
so the cache follows a failover as the broker does.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from cluster.config import sentinel_master
from engagement_hub.env import env_float

# A cache that does not answer must not hang a page for long.
SOCKET_SECONDS = 1.0


class SentinelMasterPool:
    """A pool_class for Django's RedisCache: `from_url` takes the broker's sentinel:// address (several hosts
    separated by ';', the database number on the last) and gives a pool of connections to the current master."""

    @classmethod
    def from_url(cls, url: str, *, master_name: str, **options):
        from redis.sentinel import Sentinel, SentinelConnectionPool

        hosts, db = [], 0
        for part in filter(None, url.split(";")):
            address = urlsplit(part.strip())
            hosts.append((address.hostname or "127.0.0.1", address.port or 26379))
            if address.path.strip("/"):
                db = int(address.path.strip("/"))
        timeouts = {name: options[name] for name in ("socket_timeout", "socket_connect_timeout") if name in options}
        sentinels = Sentinel(hosts, sentinel_kwargs=timeouts, **timeouts)
        return SentinelConnectionPool(master_name, sentinels, db=db, **options)


def redis_cache(url: str, *, key_prefix: str = "hub-cache") -> dict:
    """The CACHES entry for Django's own Redis cache at `url` (redis://… or the Sentinels' sentinel://…)."""
    seconds = env_float("HUB_CACHE_SOCKET_SECONDS", SOCKET_SECONDS)
    options: dict = {"socket_connect_timeout": seconds, "socket_timeout": seconds}
    master = sentinel_master(url)
    if master:
        options.update(pool_class="cluster.redis_cache.SentinelMasterPool", master_name=master["master_name"])
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # A list, so Django does not split a sentinel:// address at its ';' into several servers.
        "LOCATION": [url],
        "KEY_PREFIX": key_prefix,
        "OPTIONS": options,
    }


def cache_forget_all(cache=None) -> int:
    """Remove the hub's own keys from its cache, and nothing else: Django's `cache.clear()` empties the whole Redis
    database, which holds the broker's queues too."""
    from django.core.cache import cache as default_cache

    cache = cache or default_cache
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    return client.delete(*keys) if keys else 0
