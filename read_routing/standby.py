"""Named read-only work, and whether the standby may answer it.

Work that only reads and carries no sharing decision of its own is named where it happens:

    with reads_from_standby("open-data build"):
        tables = build_tables()

or as a decorator. Inside, reads go to the streaming hot standby (the router, read_routing/router.py) only
once the standby has replayed the primary's WAL past the latest committed change to anyone's grants
(read_routing/models.py: triggers record it): until then the primary answers, so a suspended protocol, an
ended membership or an expired share never shows from a standby that has not yet heard of it. Writes always go
to the primary, and a write inside named work sends the rest of that work to the primary too (it must read
what it wrote). Everything not named reads from the primary. The viewer's grant set itself is always resolved
on the primary (access/grants.py reads through the default connection).

The decision costs two small queries (the latest change, on the primary; the replay position, on the
standby), made once per piece of work (a request) and only when a standby is configured.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from read_routing.config import STANDBY

logger = logging.getLogger(__name__)

# The latest committed grant change, as a WAL position in bytes. An unfilled row (a change committed but not
# yet given its position) counts as the primary's insert position now, which is past its commit.
LATEST_CHANGE_SQL = (
    "SELECT CASE WHEN bool_or(lsn IS NULL) THEN (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint "
    "ELSE coalesce(max(lsn), 0) END, coalesce(bool_or(lsn IS NULL), false) FROM read_routing_grantchange"
)
# Give committed unfilled rows the insert position now (past their commits), and drop the rows it supersedes.
# Rows another transaction holds are skipped, never waited for.
FILL_SQL = (
    "WITH filled AS (UPDATE read_routing_grantchange SET lsn = (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint "
    "WHERE id IN (SELECT id FROM read_routing_grantchange WHERE lsn IS NULL FOR UPDATE SKIP LOCKED) RETURNING lsn) "
    "DELETE FROM read_routing_grantchange WHERE lsn < (SELECT max(lsn) FROM filled)"
)
# Everything committed so far: for background work that must see what was written just before it was asked for.
NOW_SQL = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint, false"
# How far the standby has replayed; NULL if it is no longer in recovery (promoted: not our standby any more).
REPLAYED_SQL = "SELECT CASE WHEN pg_is_in_recovery() THEN (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint END"

UP_TO_NOW_WAIT = 5.0  # seconds background work waits for the standby to catch up before reading from the primary
UNREACHABLE_PAUSE = 10.0  # seconds the primary answers alone after the standby could not be asked
_standby_unreachable_until = 0.0


@dataclass
class Work:
    """One piece of named read-only work, and (once asked) which database answers its reads."""

    name: str
    up_to_now: bool = False
    alias: str | None = None

    def read_alias(self) -> str:
        if self.alias is None:
            fresh = standby_has_replayed(everything=self.up_to_now, wait=UP_TO_NOW_WAIT if self.up_to_now else 0)
            self.alias = STANDBY if fresh else DEFAULT_DB_ALIAS
            logger.debug("%s reads from the %s", self.name, "standby" if self.alias == STANDBY else "primary")
        return self.alias


_work: contextvars.ContextVar[Work | None] = contextvars.ContextVar("read_routing_work", default=None)


def standby_configured() -> bool:
    return STANDBY in connections.settings


@contextlib.contextmanager
def reads_from_standby(name: str, *, up_to_now: bool = False):
    """Inside, reads may come from the standby, on the terms above. With `up_to_now` (background work: an
    open-data build, a report), only once the standby has replayed everything committed before the first read
    (waiting a few seconds for it), so the work sees what was written just before it was asked for.
    Nested work keeps the outer decision."""
    if _work.get() is not None or not standby_configured():
        yield
        return
    token = _work.set(Work(name, up_to_now))
    try:
        yield
    finally:
        _work.reset(token)


def current_work() -> Work | None:
    return _work.get()


def read_alias() -> str | None:
    """The database for a read now: the standby or the primary inside named work, None (the primary) outside."""
    work = _work.get()
    return work.read_alias() if work is not None else None


def wrote() -> None:
    """Named work wrote: the rest of it reads from the primary."""
    work = _work.get()
    if work is not None:
        work.alias = DEFAULT_DB_ALIAS


def standby_has_replayed(*, everything: bool = False, wait: float = 0) -> bool:
    """Whether the standby has replayed past the latest committed grant change (with `everything`, past all
    that is committed), polling for up to `wait` seconds. Asked of the primary first, then of the standby, so
    that any change committed before the question is covered by the answer."""
    global _standby_unreachable_until
    if time.monotonic() < _standby_unreachable_until:
        return False
    primary = connections[DEFAULT_DB_ALIAS]
    with primary.cursor() as cursor:
        cursor.execute(NOW_SQL if everything else LATEST_CHANGE_SQL)
        latest, unfilled = cursor.fetchone()
        if unfilled and not primary.in_atomic_block:
            cursor.execute(FILL_SQL)
    deadline = time.monotonic() + wait
    try:
        with connections[STANDBY].cursor() as cursor:
            while True:
                cursor.execute(REPLAYED_SQL)
                (replayed,) = cursor.fetchone()
                if replayed is None or replayed >= latest or time.monotonic() >= deadline:
                    return replayed is not None and replayed >= latest
                time.sleep(0.05)
    except DatabaseError:
        logger.warning("The standby did not answer; the primary answers alone for %.0f s", UNREACHABLE_PAUSE, exc_info=True)
        _standby_unreachable_until = time.monotonic() + UNREACHABLE_PAUSE
        connections[STANDBY].close()
        return False
