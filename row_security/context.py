"""Who the database reads for: the viewer of a request or task, or a named system context, or no one.

The context lives in a context variable, so a request, a Celery task, a thread and a streamed response each
have their own; a new thread (a Celery worker's) starts with none, and with none a protected table shows
no rows. statements.py hands the context's grant set to PostgreSQL at the start of each transaction.

    with system_context("daily collation"):   # named, and audited: every row
        ...
    with viewer_context(user):                # a Celery task acting for a user: what visible_to gives them
        ...
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
from dataclasses import dataclass, field

from access import grant_settings
from access.grants import grant_scope, grants_for

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Context:
    """One reading context: `kind` is "viewer", "system" or "none"."""

    kind: str
    name: str = ""
    who: object = None
    _grants: object = field(default=None, repr=False)
    _json: str = field(default="", repr=False)

    def setting(self) -> str:
        """What is written for this context (access/grant_settings.py `settings_json`; "" for none). A viewer's
        grant set is read from the request's or scope's cache (access/grants.py), so a change to memberships or
        protocols shows here too; its settings are made once per grant set (a kept one serves many requests)."""
        if self.kind == "none":
            return ""
        if self.kind == "fixed":
            return self._json
        if self.kind == "system":
            if not self._json:
                self._json = grant_settings.settings_json(grant_settings.system_document(self.name))
            return self._json
        return grants_for(self.who).settings_json

    def frozen(self) -> Context:
        """This context with its grant set fixed now (a streamed response runs after its request's scope; a kept set
        used unchecked is checked by GrantScopeMiddleware before the response, and so its body, leaves it)."""
        return Context("fixed", self.name, None, None, self.setting())


NO_CONTEXT = Context("none")
_current: contextvars.ContextVar[Context] = contextvars.ContextVar("row_security_context", default=NO_CONTEXT)


def current() -> Context:
    return _current.get()


@contextlib.contextmanager
def entered(context: Context):
    """Read under `context` inside this block; the one before comes back at its end."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@contextlib.contextmanager
def viewer_context(who):
    """Read as `who` (a user or an organisation) sees: their grant set, resolved once in this block."""
    with grant_scope() if not _in_grant_scope() else contextlib.nullcontext(), entered(Context("viewer", who=who)):
        yield


@contextlib.contextmanager
def system_context(name: str, *, audit: bool = True):
    """Every row, for system work that names itself: recorded in the audit trail when it starts, so
    information governance can see when the hub read or wrote beyond any one organisation's grants."""
    if not name:
        raise ValueError("A system context needs a name, for the audit trail.")
    from access.grants import check_unchecked

    check_unchecked()  # system work inside a GET that used a kept grant set: checked before it acts on what was read
    with entered(Context("system", name=name)):
        if audit:
            _audit(name)
        yield


@contextlib.contextmanager
def no_context():
    """Read as no one: protected tables show no rows (what a forgotten context gets)."""
    with entered(NO_CONTEXT):
        yield


def _in_grant_scope() -> bool:
    from access import grants as access

    return access._scope.get() is not None


def _audit(name: str) -> None:
    from organisations import audit

    audit.record(actor=None, organisation=None, action="system.context",
                 summary=f"System work ran with access to every organisation's records: {name}", context=name)


def read_for_rest_of_request(who) -> None:
    """Inside a request only: read as `who` (an organisation an API key acts for) until the request ends,
    when RowSecurityMiddleware puts back what was before."""
    _current.set(Context("viewer", who=who))
