"""The standby's DATABASES entry, from the environment (imported by the settings: no Django here)."""
from __future__ import annotations

from engagement_hub.env import env_int, env_str

STANDBY = "standby"  # the alias of the streaming hot standby in DATABASES


def standby_database(default: dict) -> dict:
    """{"standby": ...} when HUB_DB_STANDBY_HOST names a hot standby of the default database, else {} (the hub
    then reads everything from the primary, exactly as on one machine). The standby is a physical copy: same
    database, role and password; only where it listens differs."""
    host = env_str("HUB_DB_STANDBY_HOST", "")
    if not host:
        return {}
    return {STANDBY: {
        **default,
        "HOST": host,
        "PORT": env_int("HUB_DB_STANDBY_PORT", 5432),
        # An unreachable standby costs a request this long once; then the primary answers for a while.
        "OPTIONS": {**default.get("OPTIONS", {}), "connect_timeout": env_int("HUB_DB_STANDBY_CONNECT_TIMEOUT", 2)},
        # Under the test runner the standby is the test database itself, never created nor flushed.
        "TEST": {"MIRROR": "default"},
    }}
