"""The context's grant set, written into `hub.grants` at the start of each transaction that needs it.

A `connection.execute_wrapper` sees every statement Django sends. When a statement names a protected table
(policies.py) and the transaction does not yet carry the current context's grant set, the set is written
first (access/grant_settings.py `write_sql`: the document and its arrays, with `set_config(…, true)`), which
lasts until the transaction ends:

- in autocommit (Django's default outside `atomic`), each statement is its own transaction, so it is
  written in front of the statement itself, in the same query string;
- inside a transaction it is written once (and again only when the context changes, or when the savepoint
  it was written in is gone: a rolled-back savepoint takes its `SET LOCAL` with it, whether Django's atomic
  block rolled it back or a hand-written `transaction.savepoint_rollback()` / ROLLBACK TO did).

django-pghistory injects its context the same way (pghistory/runtime.py) but skips statements that begin
with SELECT; the written prefix therefore begins with a comment, so pghistory still tags the writes after
it. A server-side cursor (`.iterator()`) or `executemany` cannot carry a prefix: inside a transaction the
set is written by a statement of its own before them; in autocommit it is written for the session just
around the statement, and cleared straight after (if that clearing is interrupted, the next statement on the
connection clears it first). VACUUM and index maintenance get no prefix: they read no rows under policies and
cannot run inside the transaction block a prefix makes.
Statements that name no protected table are left alone, so a request that reads none costs nothing here.

In a GET request using a kept grant set not yet checked (access/grants.py `guard_ids`), the first statement on a
protected table, in whatever context, is prefixed by `SELECT public.hub_grants_unchanged(<kept log ids>)` as well:
it raises SQLSTATE HB001, before the grant set is written or the statement runs, if the grant-change log has moved
since the set was kept, and that error becomes `GrantsChanged` (the request is read again). Where no prefix can ride
(a server-side cursor, executemany, a transaction already carrying the set, no context, a standby), and before any
write to another table, the check is a query of its own first.
"""
from __future__ import annotations

import contextvars
import re
from functools import cache

import psycopg
from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django.db.backends.signals import connection_created

from access import grant_settings, grants
from access.grant_settings import WRITE_LOCAL, write_sql
from access.grants import RESOLVING
from row_security.context import current

# Resolving a grant set runs its own query (on tables without policies): that one passes untouched.
_busy: contextvars.ContextVar[bool] = contextvars.ContextVar("row_security_busy", default=False)
PREFIX = "/* hub.grants */ {write}; "
PREFIXES = {"%s": PREFIX.format(write=write_sql(placeholder="%s")),
            "%(hub_grants)s": PREFIX.format(write=write_sql(placeholder="%(hub_grants)s"))}
# A kept grant set not yet confirmed in this request (access/grants.py `guard_ids`): its first statement asks the
# log first, in the same round trip; SQLSTATE HB001 (row_security/migrations/0008) if it has moved since.
GUARD = "/* hub.grants */ SELECT public.hub_grants_unchanged({placeholder}::bigint[]); {write}; "
GUARDED_PREFIXES = {"%s": GUARD.format(placeholder="%s", write=write_sql(placeholder="%s")),
                    "%(hub_grants)s": GUARD.format(placeholder="%(hub_log_state)s", write=write_sql(placeholder="%(hub_grants)s"))}
GRANTS_CHANGED = "HB001"
WRITE = WRITE_LOCAL
WRITE_FOR_SESSION = write_sql(local=False)


@cache
def _protected_pattern() -> re.Pattern:
    from row_security.policies import protected_tables

    names = sorted({spec.table for spec in protected_tables()}, key=len, reverse=True)
    # A prefix match: a table's history ("…event"), through-tables and views over it count as the table.
    return re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, names)) + ")")


# Maintenance that reads no rows under policies and cannot run inside a transaction block (VACUUM, CREATE INDEX
# CONCURRENTLY): a prefix would make it one ("VACUUM cannot run inside a transaction block").
_MAINTENANCE = re.compile(r"\s*(?:VACUUM|ANALYZE|REINDEX|CLUSTER|CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX)\b", re.IGNORECASE)


def names_protected_table(sql) -> bool:
    if isinstance(sql, bytes):
        sql = sql.decode(errors="replace")
    # The search stops at the first protected name (a few microseconds on a 20,000-character page statement);
    # keeping answers per statement text cost more than that, in hashing the text.
    return bool(sql) and _protected_pattern().search(sql) is not None and not _MAINTENANCE.match(sql)


def _savepoints(connection) -> tuple:
    return tuple(connection.savepoint_ids)


def _transaction_starts(connection) -> bool:
    """Whether this statement starts a transaction (autocommit, or none open): every statement is checked,
    so a transaction begun by statements on other tables never inherits the last one's mark."""
    return connection.get_autocommit() or connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def _carried(connection, setting: str) -> bool:
    """Whether the open transaction already carries `setting` (written in it, in a savepoint still open)."""
    written = connection.__dict__.get("_hub_grants_written")
    if written is None or _transaction_starts(connection):
        return False
    savepoints, value = written
    return value == setting and _savepoints(connection)[:len(savepoints)] == savepoints


def _remember(connection, setting: str) -> None:
    connection.__dict__["_hub_grants_written"] = None if connection.get_autocommit() else (_savepoints(connection), setting)


# A savepoint rolled back takes any write made inside it with it. Django's atomic blocks list their savepoints
# (`_carried` compares them), but `transaction.savepoint_rollback()` and a hand-written ROLLBACK TO do not: any
# statement that rolls back forgets the mark, so the next protected statement writes the grant set again rather
# than read under whatever the database went back to (an outer system context's, say).
# Anchored, so a long statement costs nothing here: a ROLLBACK at its start (after any comments), or after a ";"
# in the rare statement text that holds several (the ORM's hold none).
# A comment ends at its first "*/" ((?:[^*]|\*(?!/))*: never past it), so a statement that opens with one and is
# no ROLLBACK fails at once, where a lazy ".*?" went on to the end of the text looking for another "*/" (0.44 ms on
# a 32,000-character page statement).
_COMMENT_OR_SPACE = r"(?:\s|/\*(?:[^*]|\*(?!/))*\*/|--[^\n]*\n)*"
_ROLLS_BACK = re.compile(_COMMENT_OR_SPACE + r"ROLLBACK\b", re.IGNORECASE)
_ROLLS_BACK_LATER = re.compile(";" + _COMMENT_OR_SPACE + r"ROLLBACK\b", re.IGNORECASE)


def _rolls_back(sql) -> bool:
    if isinstance(sql, bytes):
        sql = sql.decode(errors="replace")
    if not isinstance(sql, str):
        return False
    return _ROLLS_BACK.match(sql) is not None or (";" in sql and _ROLLS_BACK_LATER.search(sql) is not None)


def _is_explicit_write(sql, params) -> bool:
    """access.grant_settings.write(): the value it writes stands until the context changes."""
    return sql == WRITE_LOCAL


def with_grants(execute, sql, params, many, context):
    connection = context["connection"]
    if isinstance(sql, str) and sql.startswith(RESOLVING):
        # The grant resolver writes a minimal context of its own (access/grants.py): what this transaction carries
        # is no longer what was remembered, so the next statement on a protected table writes the context again.
        connection.__dict__["_hub_grants_written"] = None
        return execute(sql, params, many, context)
    if _busy.get():
        return execute(sql, params, many, context)
    if connection.__dict__.get("_hub_grants_written") is not None and _transaction_starts(connection):
        connection.__dict__["_hub_grants_written"] = None  # what the last transaction carried ended with it
    if connection.__dict__.get("_hub_session_grants") and not _SESSION_COMMAND.match(sql if isinstance(sql, str) else ""):
        # A session-wide write whose clearing was interrupted: cleared before anything else that could read a row (a
        # SET or SHOW reads none: `SET statement_timeout = 0` after a cancelled clear must not be cancelled too).
        _clear_session(connection)
    if connection.__dict__.get("_hub_grants_written") is not None and _rolls_back(sql):
        connection.__dict__["_hub_grants_written"] = None
    if _is_explicit_write(sql, params):
        result = execute(sql, params, many, context)
        _remember(connection, _setting())
        return result
    guard = grants.guard_ids()
    if not names_protected_table(sql):
        if guard is not None and (many or _writes(sql)):
            _check_now()  # nothing is written under a kept grant set no one has checked
        return execute(sql, params, many, context)
    setting = _setting()
    cursor = context["cursor"]
    autocommit = connection.get_autocommit()
    if guard is not None and (connection.alias != DEFAULT_DB_ALIAS or _carried(connection, setting) or many
                              or getattr(cursor, "name", None) or isinstance(sql, bytes) or (autocommit and not setting)):
        # No prefix to ride with, or not the primary (a standby's log may lag: read_routing/standby.py): asked of the
        # primary in a query of its own first.
        _check_now()
        guard = None
    if _carried(connection, setting):
        return execute(sql, params, many, context)
    if many or getattr(cursor, "name", None) or isinstance(sql, bytes):
        if not autocommit:
            with connection.wrap_database_errors:  # a raw psycopg error would escape callers catching Django's
                connection.connection.execute(WRITE, [_param(setting)])
            _remember(connection, setting)
            return execute(sql, params, many, context)
        # Autocommit: a server-side cursor is declared WITH HOLD, so its rows are read when its own one-statement
        # transaction commits. The set is written for the session just around it, and cleared at once after.
        _write_for_session(connection, setting)
        try:
            return execute(sql, params, many, context)
        finally:
            _clear_session(connection)
    if autocommit and not setting:
        return execute(sql, params, many, context)  # a fresh transaction carries no grants already
    prefixes, first = (PREFIXES, []) if guard is None else (GUARDED_PREFIXES, [guard])
    # A statement that is its own transaction starts with no array set: the empty ones need not be written.
    written = grant_settings.for_a_fresh_transaction(_param(setting)) if autocommit else _param(setting)
    if isinstance(params, dict):
        sql, params = prefixes["%(hub_grants)s"] + sql, {**params, "hub_grants": written, "hub_log_state": guard}
    elif params is None:
        sql, params = prefixes["%s"] + sql.replace("%", "%%"), [*first, written]
    else:
        sql, params = prefixes["%s"] + sql, [*first, written, *params]
    try:
        result = execute(sql, params, many, context)
    except DatabaseError as error:
        if guard is not None and getattr(error.__cause__, "sqlstate", None) == GRANTS_CHANGED:
            raise _grants_changed() from error  # nothing after the guard ran: the request is read again
        raise
    while cursor.nextset():  # the statement's own result is the last one
        pass
    if guard is not None:
        _confirmed()
    _remember(connection, setting)
    return result


def _write_for_session(connection, setting: str) -> None:
    # Marked first: until the clearing has run, every statement on this connection clears it before it runs.
    connection.__dict__["_hub_session_grants"] = True
    with connection.wrap_database_errors:
        connection.connection.execute(WRITE_FOR_SESSION, [_param(setting)])


def _clear_session(connection) -> None:
    with connection.wrap_database_errors:
        connection.connection.execute(WRITE_FOR_SESSION, [_param("")])
    connection.__dict__["_hub_session_grants"] = False


def _param(setting: str) -> str:
    """What write_sql takes for a context's setting ("" for none: every array written empty)."""
    return setting or grant_settings.no_context_json()


def _setting() -> str:
    token = _busy.set(True)
    try:
        return current().setting()
    finally:
        _busy.reset(token)


def _confirmed() -> None:
    grants.confirm_unchecked()


def _grants_changed() -> grants.GrantsChanged:
    return grants.grants_changed()


_SESSION_COMMAND = re.compile(_COMMENT_OR_SPACE + r"(?:SET|RESET|SHOW)\b", re.IGNORECASE)
_WRITES = re.compile(_COMMENT_OR_SPACE + r"(?:INSERT|UPDATE|DELETE|MERGE|COPY|TRUNCATE)\b", re.IGNORECASE)


def _writes(sql) -> bool:
    if isinstance(sql, bytes):
        sql = sql.decode(errors="replace")
    return isinstance(sql, str) and _WRITES.match(sql) is not None


def _check_now() -> None:
    token = _busy.set(True)
    try:
        grants.check_unchecked()
    finally:
        _busy.reset(token)


def _install_on(connection) -> None:
    if with_grants not in connection.execute_wrappers:
        # First in the list: it wraps outermost, so pghistory's wrapper (pushed later) sees its prefix.
        connection.execute_wrappers.insert(0, with_grants)


def install() -> None:
    from django.db import connections

    def created(sender, connection, **kwargs):
        _install_on(connection)

    connection_created.connect(created, weak=False, dispatch_uid="row_security.install")
    for alias in connections:
        _install_on(connections[alias])
