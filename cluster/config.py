"""Settings for a hub spread over several hosts, from the environment (read by settings/base.py; README, "Deployment").

HUB_REDIS_URL=sentinel://host:port;sentinel://host:port/0 with HUB_REDIS_SENTINEL_MASTER: Celery's broker (and its
results) is whichever Redis the Sentinels name as the master of that name, so a failed master's replica takes over.
HUB_DB_TRANSACTION_POOLING=true: the database is reached through PgBouncer in transaction mode, where each
transaction may run on a different server connection, so nothing may outlive a transaction on the server:
no server-side (named) cursors.
"""
from django.core.exceptions import ImproperlyConfigured

from engagement_hub.env import env_bool, env_str


def sentinel_master(broker_url: str) -> dict:
    """The transport option naming the Sentinels' master, for a sentinel:// broker URL; nothing for plain Redis."""
    master = env_str("HUB_REDIS_SENTINEL_MASTER", "").strip()
    uses_sentinel = broker_url.startswith("sentinel://")
    if uses_sentinel and not master:
        raise ImproperlyConfigured("HUB_REDIS_URL names Sentinels (sentinel://): set HUB_REDIS_SENTINEL_MASTER to the master's "
                                   "name they watch.")
    if master and not uses_sentinel:
        raise ImproperlyConfigured("HUB_REDIS_SENTINEL_MASTER is set, but HUB_REDIS_URL is not a sentinel:// address: "
                                   "name the Sentinels, sentinel://host:port;sentinel://host:port/0.")
    return {"master_name": master} if master else {}


def transaction_pooling() -> bool:
    return env_bool("HUB_DB_TRANSACTION_POOLING", False)
