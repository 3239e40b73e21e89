"""The database router (settings.DATABASE_ROUTERS): the primary for everything, the standby only for reads
inside named read-only work that it may answer (read_routing/standby.py)."""
from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS

from read_routing import standby
from read_routing.config import STANDBY


class StandbyRouter:
    def db_for_read(self, model, **hints):
        # Outside named work the primary, even for an object's relations when the object was read from the standby.
        return standby.read_alias() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        standby.wrote()
        return DEFAULT_DB_ALIAS  # an object read from the standby is saved to the primary, never to the copy

    def allow_relation(self, obj1, obj2, **hints):
        # The standby is a copy of the primary: an object read from either may refer to one from the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, STANDBY, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == STANDBY else None  # read-only: it receives the primary's schema by replication
